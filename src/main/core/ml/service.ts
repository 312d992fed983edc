// The engine's ML front: which CLIP model is active, whether it is installed, the worker that runs
// it, the zero-shot label embeddings, and the execution provider report for status and the app.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelSpec } from '../models/spec.ts';
import { ClipEncoder, normalize } from './clip.ts';
import { loadProcessorConfig, modelSourceEdge } from './preprocess.ts';
import { LABELS, PROMPTS, promptsFor } from './labels.ts';
import { MlWorker } from './worker-client.ts';
import type { ProviderReport, ProviderSetting } from './providers.ts';
import type { CaptionImage, CaptionModelRef, CaptionOutput, CaptionRequestOptions } from './caption-runner.ts';

/** What the ML service needs to know about models (the ModelStore provides it). */
export interface ModelSource {
  active(task: 'clip' | 'caption'): ModelSpec | undefined;
  spec(id: string): ModelSpec | undefined;
  folder(spec: ModelSpec): string;
  /** Files of the spec missing from its folder (empty when installed). */
  missingFiles(spec: ModelSpec): string[];
}

export interface MlOptions {
  provider: ProviderSetting;
  threads: number;
  workerFile?: string;
  testHooks?: boolean;
  /** Folder for derived ML caches (label embeddings). */
  cacheDir: string;
}

export interface LabelMatrix {
  labels: readonly string[];
  /** labels.length × dim, row-major, unit rows. */
  matrix: Float32Array;
  dim: number;
}

export class NoModelError extends Error {}

export class MlService {
  readonly worker: MlWorker;
  private encoders = new Map<string, Promise<ClipEncoder>>();
  private labelCache = new Map<string, Promise<LabelMatrix>>();
  private textCache = new Map<string, Float32Array>();

  constructor(
    private readonly models: ModelSource,
    private readonly opts: MlOptions,
  ) {
    this.worker = new MlWorker({ provider: opts.provider, threads: opts.threads, workerFile: opts.workerFile, testHooks: opts.testHooks });
  }

  clipSpec(): ModelSpec | undefined {
    return this.models.active('clip');
  }

  /** Why CLIP cannot run (what to do about it), or null when its model is installed. */
  clipUnavailable(modelId?: string): string | null {
    const spec = modelId ? this.models.spec(modelId) : this.clipSpec();
    if (!spec) return modelId ? `no model ${modelId} is known` : 'no CLIP model is configured';
    const missing = this.models.missingFiles(spec);
    if (missing.length === 0) return null;
    return `the CLIP model ${spec.id} is not installed (${missing.length} file${missing.length > 1 ? 's' : ''} missing). Download it with \`shoebox models download ${spec.id}\`, or import a folder you already have with \`shoebox models import ${spec.id} <folder>\``;
  }

  captionSpec(): ModelSpec | undefined {
    return this.models.active('caption');
  }

  /** Why captioning cannot run (what to do about it), or null when its model is installed. */
  captionUnavailable(): string | null {
    const spec = this.captionSpec();
    if (!spec) return 'no caption model is configured';
    if (!spec.caption) return `${spec.id} does not say how to run it as a captioner`;
    const missing = this.models.missingFiles(spec);
    if (missing.length === 0) return null;
    return `the caption model ${spec.id} is not installed (${missing.length} file${missing.length > 1 ? 's' : ''} missing). Download it with \`shoebox models download ${spec.id}\`, or import a folder you already have with \`shoebox models import ${spec.id} <folder>\``;
  }

  /** The active captioner as the worker loads it; throws NoModelError saying what to do when it is missing. */
  captionModel(): { spec: ModelSpec; ref: CaptionModelRef } {
    const why = this.captionUnavailable();
    if (why) throw new NoModelError(why);
    const spec = this.captionSpec()!;
    return { spec, ref: { key: `${spec.id}@${spec.revision}`, folder: path.resolve(this.models.folder(spec)), runtime: spec.caption! } };
  }

  /** Captions decoded images on the worker with the active captioner. */
  async caption(images: readonly CaptionImage[], options: CaptionRequestOptions): Promise<{ spec: ModelSpec; captions: CaptionOutput[] }> {
    const { spec, ref } = this.captionModel();
    const { captions, report } = await this.worker.caption(ref, images, options);
    this.lastCaptionReport = report;
    return { spec, captions };
  }

  /** Where the captioner runs, once it has started. */
  captionProviderReport(): ProviderReport | undefined {
    return this.lastCaptionReport;
  }

  private lastCaptionReport: ProviderReport | undefined;

  private edgeCache: { id: string; edge: number } | null = null;

  private captionEdges = new Map<string, number>();

  /**
   * The longest side the active captioner's processor resizes to: what a photo is reduced to
   * first. Throws when the captioner is missing or its preprocessor_config.json cannot be read.
   */
  captionSourceEdge(): number {
    const { ref } = this.captionModel();
    let edge = this.captionEdges.get(ref.folder);
    if (edge === undefined) {
      const cfg = loadProcessorConfig(ref.folder);
      edge = Math.max(cfg.shortestEdge, cfg.cropWidth, cfg.cropHeight);
      this.captionEdges.set(ref.folder, edge);
    }
    return edge;
  }

  /** The shortest edge decoded images are reduced to for the active model, or null without one. */
  modelSourceEdge(): number | null {
    if (this.clipUnavailable()) return null;
    const spec = this.clipSpec()!;
    if (this.edgeCache?.id !== spec.id) {
      try {
        this.edgeCache = { id: spec.id, edge: modelSourceEdge(loadProcessorConfig(this.models.folder(spec))) };
      } catch {
        return null;
      }
    }
    return this.edgeCache.edge;
  }

  /**
   * A CLIP encoder (the active model, or `modelId`), opened once. Throws NoModelError saying what to
   * do when its files are missing.
   */
  clip(opts: { vision?: boolean; modelId?: string } = {}): Promise<ClipEncoder> {
    const why = this.clipUnavailable(opts.modelId);
    if (why) return Promise.reject(new NoModelError(why));
    const spec = opts.modelId ? this.models.spec(opts.modelId)! : this.clipSpec()!;
    const key = `${spec.id}:${opts.vision === false ? 'text' : 'full'}`;
    let p = this.encoders.get(key) ?? (opts.vision === false ? this.encoders.get(`${spec.id}:full`) : undefined);
    if (!p) {
      p = ClipEncoder.open(this.worker, spec, this.models.folder(spec), opts);
      p.then(
        (enc) => (this.lastReport = enc.provider() ?? this.lastReport),
        () => this.encoders.delete(key),
      );
      this.encoders.set(key, p);
    }
    return p;
  }

  /** Where inference runs, once a session has started. */
  providerReport(): ProviderReport | undefined {
    return this.lastReport;
  }

  private lastReport: ProviderReport | undefined;

  /** Text embeddings, cached per model and text (search types the same words again and again). */
  async embedText(text: string, modelId?: string): Promise<Float32Array> {
    const enc = await this.clip({ vision: false, modelId });
    const key = `${enc.spec.id}\u0000${text}`;
    const hit = this.textCache.get(key);
    if (hit) return hit;
    const [v] = await enc.embedTexts([text]);
    this.lastReport = enc.provider();
    if (this.textCache.size > 500) this.textCache.delete(this.textCache.keys().next().value!);
    this.textCache.set(key, v!);
    return v!;
  }

  /** The zero-shot classifier: each label's prompt-ensemble embedding, cached on disk per model. */
  labelMatrix(enc: ClipEncoder): Promise<LabelMatrix> {
    let p = this.labelCache.get(enc.spec.id);
    if (!p) {
      p = this.computeLabels(enc);
      p.catch(() => this.labelCache.delete(enc.spec.id));
      this.labelCache.set(enc.spec.id, p);
    }
    return p;
  }

  private async computeLabels(enc: ClipEncoder): Promise<LabelMatrix> {
    const dim = enc.dim;
    const key = `${LABELS.length}-${PROMPTS.length}-${hashStrings([...LABELS, ...PROMPTS])}`;
    const file = path.join(this.opts.cacheDir, `labels-${enc.spec.id.replace(/[^a-zA-Z0-9._-]/g, '_')}-${key}.f32`);
    const matrix = new Float32Array(LABELS.length * dim);
    if (fs.existsSync(file)) {
      const buf = fs.readFileSync(file);
      if (buf.byteLength === matrix.byteLength) {
        new Uint8Array(matrix.buffer).set(buf);
        return { labels: LABELS, matrix, dim };
      }
    }
    const BATCH = 64;
    const texts = LABELS.flatMap((l) => promptsFor(l));
    const vecs: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) vecs.push(...(await enc.embedTexts(texts.slice(i, i + BATCH))));
    LABELS.forEach((_, li) => {
      const row = new Float32Array(dim);
      for (let p = 0; p < PROMPTS.length; p++) {
        const v = vecs[li * PROMPTS.length + p]!;
        for (let d = 0; d < dim; d++) row[d]! += v[d]!;
      }
      matrix.set(normalize(row), li * dim);
    });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(matrix.buffer));
    fs.renameSync(tmp, file);
    return { labels: LABELS, matrix, dim };
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}

function hashStrings(items: readonly string[]): string {
  let h = 2166136261;
  for (const s of items) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}
