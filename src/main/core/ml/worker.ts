// The ML worker thread: owns the ONNX Runtime sessions so inference never blocks the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { createRequire } from 'node:module';
import ort from 'onnxruntime-node';
import { defaultEnvironment, providerCandidates, unavailableReason, type ProviderName, type ProviderReport, type ProviderSetting } from './providers.ts';
import type { WorkerRequest, WorkerResponse, TensorData } from './protocol.ts';
import { disposeCaptioners, runCaptions } from './caption-runner.ts';
import { OcrLoadError, OcrRunner, type OcrModelRef, type OcrOutput } from './ocr-runner.ts';
import { FaceLoadError, FaceRunner, type FaceImage, type FaceModelRef, type FaceOptions, type FaceOutput } from './face-runner.ts';
import fs from 'node:fs';
import { errorMessage } from '../../../shared/error-message.ts';

const sessions = new Map<string, { session: ort.InferenceSession; provider: ProviderName; file: string; report: ProviderReport }>();
const require = createRequire(import.meta.url);
const ortBinDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);

function environment() {
  const backends = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
  return defaultEnvironment(backends, ortBinDir);
}

async function load(name: string, file: string, requested: ProviderSetting, threads: number): Promise<ProviderReport> {
  const env = environment();
  const fallbacks: ProviderReport['fallbacks'] = [];
  for (const provider of providerCandidates(requested, env)) {
    const unavailable = unavailableReason(provider, env);
    if (unavailable) {
      fallbacks.push({ provider, reason: unavailable });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(file, {
        executionProviders: [provider],
        ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      await sessions.get(name)?.session.release();
      const report = { requested, used: provider, fallbacks };
      sessions.set(name, { session, provider, file, report });
      return report;
    } catch (e) {
      fallbacks.push({ provider, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
    }
  }
  throw new Error(`could not start ${path.basename(file)} on any provider: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`);
}

function toTensor(t: TensorData): ort.Tensor {
  if (t.type === 'int64') return new ort.Tensor('int64', new BigInt64Array(t.data), t.dims);
  return new ort.Tensor('float32', new Float32Array(t.data), t.dims);
}

async function run(name: string, feeds: Record<string, TensorData>, output: string | undefined): Promise<TensorData> {
  const entry = sessions.get(name);
  if (!entry) throw new Error(`no session '${name}' is loaded`);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) if (entry.session.inputNames.includes(k)) inputs[k] = toTensor(v);
  const missing = entry.session.inputNames.filter((n) => !(n in inputs));
  if (missing.length) throw new Error(`the model needs inputs ${missing.join(', ')} that were not given`);
  const outName = output && entry.session.outputNames.includes(output) ? output : entry.session.outputNames[0]!;
  const results = await entry.session.run(inputs, [outName]);
  const tensor = results[outName]!;
  const data = tensor.data as Float32Array;
  const copy = new Float32Array(data); // detach from ORT's buffer so it can be transferred
  return { type: 'float32', data: copy.buffer as ArrayBuffer, dims: tensor.dims.map(Number) };
}

/** OCR on this worker's sessions: each loaded once per file, on the provider and threads the request names. */
function ocrRunner(provider: ProviderSetting, threads: number): OcrRunner {
  return new OcrRunner(
    {
      ensure: async (name, file) => {
        const have = sessions.get(name);
        return have && have.file === file ? have.report : load(name, file, provider, threads);
      },
      run: async (name, input, dims) => {
        const entry = sessions.get(name);
        if (!entry) throw new Error(`no session '${name}' is loaded`);
        const inputName = entry.session.inputNames[0]!;
        const results = await entry.session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
        const t = results[entry.session.outputNames[0]!]!;
        return { data: t.data as Float32Array, dims: t.dims.map(Number) };
      },
    },
    (file) => fs.readFileSync(file, 'utf8'),
  );
}

async function runOcr(model: OcrModelRef, images: { data: ArrayBuffer; width: number; height: number }[], provider: ProviderSetting, threads: number): Promise<{ results: OcrOutput[]; report: ProviderReport }> {
  const runner = ocrRunner(provider, threads);
  const report = await runner.load(model);
  const results: OcrOutput[] = [];
  for (const im of images) {
    try {
      results.push(await runner.read(model, { data: new Uint8Array(im.data), width: im.width, height: im.height }));
    } catch (e) {
      // One image the model cannot read is that photo's failure, not the batch's; a model that will not load is the batch's.
      if (e instanceof OcrLoadError) throw e;
      results.push({ lines: [], boxes: 0, recognized: 0, ms: { detect: 0, recognize: 0 }, error: errorMessage(e) });
    }
  }
  return { results, report };
}

/** Faces on this worker's sessions, loaded like OCR's; every output of a session is returned by name. */
async function runFaces(model: FaceModelRef, images: FaceImage[], options: FaceOptions, provider: ProviderSetting, threads: number): Promise<{ results: FaceOutput[]; report: ProviderReport }> {
  const runner = new FaceRunner({
    ensure: async (name, file) => {
      const have = sessions.get(name);
      return have && have.file === file ? have.report : load(name, file, provider, threads);
    },
    run: async (name, input, dims) => {
      const entry = sessions.get(name);
      if (!entry) throw new Error(`no session '${name}' is loaded`);
      const results = await entry.session.run({ [entry.session.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
      return Object.fromEntries(Object.entries(results).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims.map(Number) }]));
    },
  });
  const report = await runner.load(model);
  const results: FaceOutput[] = [];
  for (const im of images) {
    try {
      results.push(await runner.find(model, { data: new Uint8Array(im.data), width: im.width, height: im.height }, options, im.boxes));
    } catch (e) {
      // As with OCR: one image that cannot be read is that photo's failure; models that will not load are the batch's.
      if (e instanceof FaceLoadError) throw e;
      results.push({ faces: [], ms: { detect: 0, landmarks: 0, describe: 0 }, error: errorMessage(e) });
    }
  }
  return { results, report };
}

const testHooks = (workerData as { testHooks?: boolean } | undefined)?.testHooks === true;
let crashOnNextRun = false;

parentPort!.on('message', async (req: WorkerRequest) => {
  let res: WorkerResponse;
  try {
    switch (req.op) {
      case 'load':
        res = { id: req.id, ok: true, report: await load(req.name, req.file, req.provider, req.threads) };
        break;
      case 'run': {
        if (crashOnNextRun) process.exit(3);
        const out = await run(req.name, req.feeds, req.output);
        parentPort!.postMessage({ id: req.id, ok: true, tensor: out } satisfies WorkerResponse, [out.data]);
        return;
      }
      case 'caption': {
        if (crashOnNextRun) process.exit(3);
        const r = await runCaptions(req.model, req.images, req.options, { requested: req.provider, threads: req.threads, env: environment() });
        res = { id: req.id, ok: true, captions: r.captions, report: r.report };
        break;
      }
      case 'ocr': {
        if (crashOnNextRun) process.exit(3);
        const r = await runOcr(req.model, req.images, req.provider, req.threads);
        res = { id: req.id, ok: true, ocr: r.results, report: r.report };
        break;
      }
      case 'faces': {
        if (crashOnNextRun) process.exit(3);
        const r = await runFaces(req.model, req.images, req.options, req.provider, req.threads);
        res = { id: req.id, ok: true, faces: r.results, report: r.report };
        break;
      }
      case 'unloadCaptioners':
        await disposeCaptioners();
        res = { id: req.id, ok: true, report: { requested: 'cpu', used: 'cpu', fallbacks: [] } };
        break;
      case 'crash':
        if (testHooks) process.exit(3);
        throw new Error('crash is a test hook');
      case 'crashOnNextRun':
        if (!testHooks) throw new Error('crashOnNextRun is a test hook');
        crashOnNextRun = true;
        res = { id: req.id, ok: true, report: { requested: 'cpu', used: 'cpu', fallbacks: [] } };
        break;
    }
  } catch (e) {
    res = { id: req.id, ok: false, error: errorMessage(e) };
  }
  parentPort!.postMessage(res);
});
