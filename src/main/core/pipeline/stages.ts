// The stage registry: the one place that lists the pipeline's stages, in order.
import os from 'node:os';
import type { Stage } from './stage.ts';
import { thumbStage } from './thumb-stage.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { MediaOptions } from '../media/decode.ts';
import type { CacheStore } from '../media/cache.ts';

export interface StageDeps {
  catalog: Catalog;
  cache: CacheStore;
  media: MediaOptions;
}

/** Stage names in registry order, known without building the stages (new photos are queued for each). */
export const STAGE_NAMES = ['thumb'] as const;

export function createStages(deps: StageDeps): Stage[] {
  const cpus = Math.max(1, os.availableParallelism());
  const stages = [thumbStage(deps, { concurrency: Math.max(2, cpus) })];
  const names = stages.map((s) => s.name);
  if (names.join() !== STAGE_NAMES.join()) throw new Error(`stage registry out of step: ${names.join()} vs ${STAGE_NAMES.join()}`);
  return stages.sort((a, b) => a.priority - b.priority);
}
