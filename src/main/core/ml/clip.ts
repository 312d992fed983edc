// A CLIP model on the ML worker: images and texts in, unit-length embeddings in one shared space out.
import path from 'node:path';
import type { ModelSpec } from '../models/spec.ts';
import { clipPixelValues, loadProcessorConfig, readRgb, type ProcessorConfig, type RgbImage } from './preprocess.ts';
import { loadTokenizer, type TextTokenizer } from './tokenizer.ts';
import type { MlWorker } from './worker-client.ts';
import type { ProviderReport } from './providers.ts';

export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function split(data: ArrayBuffer, n: number, dim: number): Float32Array[] {
  const all = new Float32Array(data);
  if (all.length !== n * dim) throw new Error(`the model returned ${all.length} values for ${n}×${dim}`);
  return Array.from({ length: n }, (_, i) => normalize(all.slice(i * dim, (i + 1) * dim)));
}

export class ClipEncoder {
  private tokenizer: TextTokenizer | null = null;
  private textReady: Promise<void> | null = null;
  private constructor(
    private readonly worker: MlWorker,
    readonly spec: ModelSpec,
    readonly folder: string,
    readonly processor: ProcessorConfig,
    readonly visionReport: ProviderReport | null,
  ) {}

  get dim(): number {
    return this.spec.clip!.dim;
  }

  private get visionSession(): string {
    return `${this.spec.id}:vision`;
  }

  private get textSession(): string {
    return `${this.spec.id}:text`;
  }

  /** Opens a CLIP model folder; `vision: false` skips the image encoder (search-only use). */
  static async open(worker: MlWorker, spec: ModelSpec, folder: string, opts: { vision?: boolean } = {}): Promise<ClipEncoder> {
    if (!spec.clip) throw new Error(`${spec.id} is not a CLIP model`);
    const processor = loadProcessorConfig(folder);
    const report = opts.vision === false ? null : await worker.load(`${spec.id}:vision`, path.join(folder, spec.clip.vision));
    return new ClipEncoder(worker, spec, folder, processor, report);
  }

  /** Where the sessions run: the vision session's report, else the text session's. */
  provider(): ProviderReport | undefined {
    return this.visionReport ?? this.worker.report(this.textSession);
  }

  /** Reads and preprocesses images into one batch of pixel_values. */
  async pixels(files: readonly (string | Buffer)[]): Promise<Float32Array> {
    const { cropWidth: w, cropHeight: h } = this.processor;
    const out = new Float32Array(files.length * 3 * w * h);
    await Promise.all(files.map(async (f, i) => clipPixelValues(await readRgb(f), this.processor, out, i * 3 * w * h)));
    return out;
  }

  /** Preprocesses one decoded image into pixel_values (3×H×W). */
  pixelsOf(image: RgbImage): Promise<Float32Array> {
    return clipPixelValues(image, this.processor);
  }

  async embedPixels(batch: Float32Array, n: number): Promise<Float32Array[]> {
    const { cropWidth: w, cropHeight: h } = this.processor;
    const t = await this.worker.run(this.visionSession, { pixel_values: { type: 'float32', data: batch.buffer as ArrayBuffer, dims: [n, 3, h, w] } }, 'image_embeds');
    return split(t.data, n, this.dim);
  }

  /** Loads the text encoder's session and the tokenizer, once (concurrent callers share the load). */
  loadText(): Promise<void> {
    this.textReady ??= (async () => {
      await this.worker.load(this.textSession, path.join(this.folder, this.spec.clip!.text));
      this.tokenizer ??= loadTokenizer(this.folder);
    })();
    this.textReady.catch(() => (this.textReady = null));
    return this.textReady;
  }

  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    await this.loadText();
    this.tokenizer ??= loadTokenizer(this.folder);
    const L = this.spec.clip!.maxTokens;
    const { ids, mask } = this.tokenizer.encode(texts, L);
    const t = await this.worker.run(
      this.textSession,
      {
        input_ids: { type: 'int64', data: ids.buffer as ArrayBuffer, dims: [texts.length, L] },
        attention_mask: { type: 'int64', data: mask.buffer as ArrayBuffer, dims: [texts.length, L] },
      },
      'text_embeds',
    );
    return split(t.data, texts.length, this.dim);
  }
}
