// What a pipeline stage is: a named, prioritised batch handler whose results commit with its task.
import type { Catalog, PhotoRow } from '../catalog/catalog.ts';
import type { Annotations } from '../catalog/annotations.ts';
import type { XmpService } from '../media/xmp.ts';
import type { MediaOptions } from '../media/decode.ts';
import type { CacheStore } from '../media/cache.ts';
import type { MlService } from '../ml/service.ts';
import type { ModelInputHandoff } from './handoff.ts';
import type { Places } from '../catalog/places.ts';
import type { Geocoder } from '../places/geocoder.ts';
import type { PhotoText } from '../catalog/photo-text.ts';
import { isDiskFull } from '../faults.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/** The outcome for one photo. `commit` runs inside the transaction that marks the task done. */
export type ItemResult = { ok: true; commit?: () => void } | { ok: false; error: string };

/**
 * One photo's failure as its ItemResult; a full disk is thrown instead (it is not the photo's fault): the
 * pipeline stops on it and leaves the batch's tasks as they were ([Note: full disk] in core/faults.ts).
 */
export function itemFailure(e: unknown): ItemResult {
  if (isDiskFull(e)) throw e;
  return { ok: false, error: errorMessage(e) };
}

/**
 * Every photo's outcome once all of them have finished (none left writing behind the batch's back); the first
 * full disk among them is thrown then (see itemFailure).
 */
export async function settleItems(items: readonly Promise<ItemResult>[]): Promise<ItemResult[]> {
  const settled = await Promise.allSettled(items);
  const thrown = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (thrown) throw thrown.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<ItemResult>).value);
}

export interface StageContext {
  signal: AbortSignal;
}

export interface Stage {
  readonly name: string;
  /** Lower runs first: embeddings before captions, so search works before captions finish. */
  readonly priority: number;
  /** Photos handed to one runBatch call. */
  readonly batchSize: number;
  /** Batches of this stage allowed in flight at once. */
  readonly concurrency: number;
  /** Stages that must be done for a photo before this one runs; their failure fails this one. */
  readonly requires?: readonly string[];
  /**
   * Why the stage cannot run now (no model installed…), or null when it can. An unavailable
   * stage's tasks wait, untouched, and do not keep `index` from finishing.
   */
  unavailable?(): string | null;
  /**
   * Backpressure: true while the stage should not start another batch because the stages that
   * consume its output are behind. Ignored when none of those can run.
   */
  blocked?(): boolean;
  /** Processes a batch. One photo's failure is its ItemResult, never a throw. */
  runBatch(photos: readonly PhotoRow[], ctx: StageContext): Promise<ItemResult[]>;
}

/** What the caption stage runs: the captioning service, which lives above the pipeline. */
export interface CaptionWork {
  /** Why captioning cannot run now (turned off, no model), or null when it can. */
  unavailable(): string | null;
  /** Captions a batch; one photo's failure is its ItemResult. */
  captionBatch(photos: readonly PhotoRow[]): Promise<ItemResult[]>;
}

/** What the stages are built from: the engine's services, wired by the library. */
export interface StageDeps {
  catalog: Catalog;
  cache: CacheStore;
  media: MediaOptions;
  ml: MlService;
  /** Decoded model input passed from the thumbnail stage to the embedding and ocr stages. */
  handoff: ModelInputHandoff;
  /** A new embedding was committed: the live vector index takes it. */
  onEmbedding?: (photoId: number, modelId: string, vector: Float32Array) => void;
  /** Captions and tags. */
  annotations: Annotations;
  /** Makes and checks captions (the captioning service in core/captions, above the pipeline). */
  captions: CaptionWork;
  /** Reads the photo's own metadata and writes XMP sidecars. */
  xmp: XmpService;
  /** Runs catalog writes in one transaction. */
  transact: <T>(fn: () => T) => T;
  /** A photo's automatic caption or tags changed (its XMP sidecar is due). */
  onAnnotated?: (photoId: number) => void;
  /** Photos' places (default: a repository over the catalog's database). */
  places?: Places;
  /** The reverse geocoder (default: the engine's one, places/geocoder.ts). */
  geocoder?: Geocoder;
  /** The text read in photos (default: a repository over the catalog's database). */
  text?: PhotoText;
  /** A photo's faces were committed: the library groups the new ones into people (core/people). */
  onFaces?: () => void;
}

/** A stage as its factory builds it: everything but the name, which the registry (stages.ts) gives it. */
export type StageBody = Omit<Stage, 'name'>;
