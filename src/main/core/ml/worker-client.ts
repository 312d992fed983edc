// The engine's side of the ML worker: starts it, loads sessions, runs requests, and survives crashes
// by restarting the worker, reloading its sessions and retrying the request.
import { Worker } from 'node:worker_threads';
import type { ProviderReport, ProviderSetting } from './providers.ts';
import type { TensorData, WorkerRequest, WorkerResponse } from './protocol.ts';
import type { CaptionImage, CaptionModelRef, CaptionOutput, CaptionRequestOptions } from './caption-runner.ts';
import type { OcrImage, OcrModelRef, OcrOutput } from './ocr-runner.ts';
import type { FaceImage, FaceModelRef, FaceOptions, FaceOutput } from './face-runner.ts';

export interface MlWorkerOptions {
  provider: ProviderSetting;
  /** Intra-op threads; 0 lets ONNX Runtime choose. */
  threads: number;
  /**
   * A built worker script (the Electron build passes its bundled one). Without it the TypeScript
   * source runs through tsx, as under the CLI and the tests.
   */
  workerFile?: string;
  /** Lets tests crash the worker on purpose. */
  testHooks?: boolean;
  /** Attempts per request across worker restarts. */
  maxAttempts?: number;
}

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export class WorkerCrashedError extends Error {}

export class MlWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly sessions = new Map<string, string>(); // name → file, reloaded after a restart
  private reports = new Map<string, ProviderReport>();
  private closing = false;
  private starting: Promise<Worker> | null = null;
  /** How many times the worker died and was restarted. */
  restarts = 0;

  constructor(private readonly opts: MlWorkerOptions) {}

  private spawn(): Worker {
    const workerData = { testHooks: this.opts.testHooks === true };
    let worker: Worker;
    if (this.opts.workerFile) {
      worker = new Worker(this.opts.workerFile, { workerData });
    } else {
      const entry = new URL('./worker.ts', import.meta.url).href;
      const tsx = import.meta.resolve('tsx/esm/api');
      const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
      worker = new Worker(code, { eval: true, workerData });
    }
    worker.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      // An idle worker must not keep the process alive; a busy one must.
      if (this.pending.size === 0) worker.unref();
      p.resolve(res);
    });
    const fail = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new WorkerCrashedError(why));
      }
    };
    worker.on('error', (e) => fail(`the ML worker crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`the ML worker exited (code ${code})`));
    worker.unref();
    return worker;
  }

  /** Starts the worker if it is not running; a fresh worker gets its sessions back first. */
  private ensureWorker(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    if (this.closing) return Promise.reject(new Error('the ML worker is closed'));
    this.starting ??= (async () => {
      this.worker = this.spawn();
      try {
        for (const [name, file] of [...this.sessions]) await this.loadIn(name, file);
        return this.worker;
      } finally {
        this.starting = null;
      }
    })();
    return this.starting;
  }

  private async send(req: WithoutId<WorkerRequest>, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    const worker = await this.ensureWorker();
    const id = this.nextId++;
    return new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...req, id }, transfer);
    });
  }

  private async loadIn(name: string, file: string): Promise<ProviderReport> {
    const id = this.nextId++;
    const worker = this.worker!;
    const res = await new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, op: 'load', name, file, provider: this.opts.provider, threads: this.opts.threads } satisfies WorkerRequest);
    });
    if (!res.ok) throw new Error(res.error);
    if (!('report' in res)) throw new Error('unexpected reply to load');
    this.reports.set(name, res.report);
    return res.report;
  }

  /** Loads (or reloads) an ONNX file as a named session; reports the provider it runs on. */
  async load(name: string, file: string): Promise<ProviderReport> {
    this.sessions.set(name, file);
    if (!this.worker) {
      await this.ensureWorker(); // loads every registered session, this one included
      return this.reports.get(name)!;
    }
    return this.loadIn(name, file);
  }

  report(name: string): ProviderReport | undefined {
    return this.reports.get(name);
  }

  /**
   * Sends a request built fresh for each attempt (transferred buffers are gone after a send). A
   * worker crash restarts the worker and retries, up to maxAttempts.
   */
  private async retrying(build: () => { req: WithoutId<WorkerRequest>; transfer: ArrayBuffer[] }): Promise<WorkerResponse & { ok: true }> {
    const attempts = this.opts.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const { req, transfer } = build();
      try {
        const res = await this.send(req, transfer);
        if (!res.ok) throw new Error(res.error);
        return res;
      } catch (e) {
        if (!(e instanceof WorkerCrashedError) || attempt >= attempts) throw e;
        this.restarts++;
      }
    }
  }

  /** Runs a session. A worker crash restarts the worker and retries, up to maxAttempts. */
  async run(name: string, feeds: Record<string, TensorData>, output?: string): Promise<TensorData> {
    const res = await this.retrying(() => {
      const copies: Record<string, TensorData> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [k, t] of Object.entries(feeds)) {
        const data = t.data.slice(0);
        copies[k] = { ...t, data };
        transfer.push(data);
      }
      return { req: { op: 'run', name, feeds: copies, output }, transfer };
    });
    if (!('tensor' in res)) throw new Error('unexpected reply to run');
    return res.tensor;
  }

  /**
   * Captions a batch of images with a captioner the worker loads on first use (and again after a
   * restart). A worker crash restarts it and retries, like `run`.
   */
  async caption(model: CaptionModelRef, images: readonly CaptionImage[], options: CaptionRequestOptions): Promise<{ captions: CaptionOutput[]; report: ProviderReport }> {
    const res = await this.retrying(() => {
      const copies = images.map((im) => ({ ...im, data: im.data.slice(0) }));
      return {
        req: { op: 'caption', model, images: copies, options, provider: this.opts.provider, threads: this.opts.threads },
        transfer: copies.map((c) => c.data),
      };
    });
    if (!('captions' in res)) throw new Error('unexpected reply to caption');
    this.reports.set(`caption:${model.key}`, res.report);
    return { captions: res.captions, report: res.report };
  }

  /**
   * Reads the text in decoded images with an OCR model whose sessions the worker loads on first use (and again
   * after a restart). A worker crash restarts it and retries, like `run`.
   */
  async ocr(model: OcrModelRef, images: readonly OcrImage[]): Promise<{ results: OcrOutput[]; report: ProviderReport }> {
    const res = await this.retrying(() => {
      const copies = images.map((im) => ({ ...im, data: im.data.slice(0) }));
      return {
        req: { op: 'ocr', model, images: copies, provider: this.opts.provider, threads: this.opts.threads },
        transfer: copies.map((c) => c.data),
      };
    });
    if (!('ocr' in res)) throw new Error('unexpected reply to ocr');
    this.reports.set(`ocr:${model.key}`, res.report);
    return { results: res.ocr, report: res.report };
  }

  /**
   * Finds and describes the faces in decoded images with face models whose sessions the worker loads on first use
   * (and again after a restart). A worker crash restarts it and retries, like `run`.
   */
  async faces(model: FaceModelRef, images: readonly FaceImage[], options: FaceOptions): Promise<{ results: FaceOutput[]; report: ProviderReport }> {
    const res = await this.retrying(() => {
      const copies = images.map((im) => ({ ...im, data: im.data.slice(0) }));
      return {
        req: { op: 'faces', model, images: copies, options, provider: this.opts.provider, threads: this.opts.threads },
        transfer: copies.map((c) => c.data),
      };
    });
    if (!('faces' in res)) throw new Error('unexpected reply to faces');
    this.reports.set(`faces:${model.key}`, res.report);
    return { results: res.faces, report: res.report };
  }

  /** Frees every captioner the worker holds. */
  async unloadCaptioners(): Promise<void> {
    if (this.worker) await this.send({ op: 'unloadCaptioners' });
  }

  /** Test hook: makes the worker exit as a native crash would, now or when the next request runs. */
  async crashForTest(when: 'now' | 'next-run' = 'now'): Promise<void> {
    if (when === 'now') await this.send({ op: 'crash' }).catch(() => undefined);
    else await this.send({ op: 'crashOnNextRun' });
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
