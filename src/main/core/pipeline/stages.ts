// The stage registry: the one place that lists the pipeline's stages, in order.
import os from 'node:os';
import type { Stage } from './stage.ts';
import { thumbStage } from './thumb-stage.ts';
import { embedStage } from './embed-stage.ts';
import { tagsStage } from './tags-stage.ts';
import { captionStage } from './caption-stage.ts';
import type { Annotations } from '../catalog/annotations.ts';
import type { XmpService } from '../media/xmp.ts';
import { metaStage, xmpStage } from './metadata-stages.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { MediaOptions } from '../media/decode.ts';
import type { CacheStore } from '../media/cache.ts';
import type { MlService } from '../ml/service.ts';
import type { ModelInputHandoff } from './handoff.ts';

export interface StageDeps {
  catalog: Catalog;
  cache: CacheStore;
  media: MediaOptions;
  ml: MlService;
  /** Decoded model input passed from the thumbnail stage to the embedding stage. */
  handoff: ModelInputHandoff;
  /** A new embedding was committed: the live vector index takes it. */
  onEmbedding?: (photoId: number, modelId: string, vector: Float32Array) => void;
  /** Captions and tags. */
  notes: Annotations;
  /** The caption check's threshold now (calibrated or set), or null before there is one. */
  captionThreshold: () => number | null;
  /** Reads the photo's own metadata and writes XMP sidecars. */
  xmp: XmpService;
  /** Runs catalog writes in one transaction. */
  transact: <T>(fn: () => T) => T;
  /** A photo's automatic caption or tags changed (its XMP sidecar is due). */
  onAnnotated?: (photoId: number) => void;
}

/** Stage names in registry order, known without building the stages (new photos are queued for each). */
export const STAGE_NAMES = ['thumb', 'meta', 'embed', 'tags', 'caption', 'xmp'] as const;

/**
 * Stages whose results depend on the active CLIP model: a model switch requeues them. The caption
 * stage keeps its captions then and only scores them again with the new model.
 */
export const CLIP_STAGES = ['embed', 'tags', 'caption'] as const;

export function createStages(deps: StageDeps, opts: { embedBatch?: number; captionBatch?: number } = {}): Stage[] {
  const cpus = Math.max(1, os.availableParallelism());
  const stages = [
    thumbStage(deps, { concurrency: Math.max(2, cpus) }),
    metaStage(deps),
    embedStage(deps, { batchSize: opts.embedBatch ?? 16 }),
    tagsStage(deps),
    captionStage(deps, { batchSize: opts.captionBatch }),
    xmpStage(deps),
  ];
  const names = stages.map((s) => s.name);
  if (names.join() !== STAGE_NAMES.join()) throw new Error(`stage registry out of step: ${names.join()} vs ${STAGE_NAMES.join()}`);
  return stages.sort((a, b) => a.priority - b.priority);
}
