// The caption stage: an adapter that hands batches to the captioning service (core/captions,
// wired in by the library as StageDeps.captions), which makes, checks and rechecks the captions.
import type { StageBody, StageDeps } from './stage.ts';

export function captionStage(deps: StageDeps, opts: { batchSize?: number } = {}): StageBody {
  return {
    priority: 4,
    batchSize: opts.batchSize ?? 4,
    concurrency: 1,
    // The check needs the photo's CLIP embedding; the image is read from the photo.
    requires: ['thumb', 'embed'],
    unavailable: () => deps.captions.unavailable(),
    runBatch: (photos) => deps.captions.captionBatch(photos),
  };
}
