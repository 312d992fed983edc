// The stage registry: the one place that lists the pipeline's stages, in order, with their names.
import os from 'node:os';
import type { Stage, StageBody, StageDeps } from './stage.ts';
import { thumbStage } from './thumb-stage.ts';
import { embedStage } from './embed-stage.ts';
import { tagsStage } from './tags-stage.ts';
import { captionStage } from './caption-stage.ts';
import { metaStage, xmpStage } from './metadata-stages.ts';
import { placesStage } from './places-stage.ts';
import { ocrStage } from './ocr-stage.ts';
import { phashStage } from './phash-stage.ts';
import { facesStage } from './faces-stage.ts';

export interface StageOptions {
  embedBatch?: number;
  captionBatch?: number;
}

interface Entry {
  readonly name: string;
  /** The stage's results depend on the active CLIP model: a model switch requeues it. */
  readonly clip?: boolean;
  readonly build: (deps: StageDeps, opts: StageOptions) => StageBody;
}

const REGISTRY = [
  { name: 'thumb', build: (deps) => thumbStage(deps, { concurrency: Math.max(2, os.availableParallelism()) }) },
  { name: 'phash', build: (deps) => phashStage(deps) },
  { name: 'meta', build: (deps) => metaStage(deps) },
  { name: 'places', build: (deps) => placesStage(deps) },
  { name: 'embed', clip: true, build: (deps, opts) => embedStage(deps, { batchSize: opts.embedBatch ?? 16 }) },
  { name: 'tags', clip: true, build: (deps) => tagsStage(deps) },
  { name: 'ocr', build: (deps) => ocrStage(deps) },
  { name: 'faces', build: (deps) => facesStage(deps) },
  { name: 'caption', clip: true, build: (deps, opts) => captionStage(deps, { batchSize: opts.captionBatch }) },
  { name: 'xmp', build: (deps) => xmpStage(deps) },
] as const satisfies readonly Entry[];

export type StageName = (typeof REGISTRY)[number]['name'];

/** Stage names in registry order, known without building the stages (new photos are queued for each). */
export const STAGE_NAMES: readonly StageName[] = REGISTRY.map((e) => e.name);

/**
 * Stages whose results depend on the active CLIP model: a model switch requeues them. The caption
 * stage keeps its captions then and only scores them again with the new model.
 */
export const CLIP_STAGES: readonly StageName[] = REGISTRY.filter((e) => 'clip' in e && e.clip).map((e) => e.name);

export function createStages(deps: StageDeps, opts: StageOptions = {}): Stage[] {
  const stages: Stage[] = REGISTRY.map((e) => Object.assign(e.build(deps, opts), { name: e.name }));
  return stages.sort((a, b) => a.priority - b.priority);
}
