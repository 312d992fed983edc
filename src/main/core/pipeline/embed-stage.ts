// The embedding stage: CLIP image embeddings for batches of photos, from the thumbnail stage's decode.
import type { ItemResult, StageBody, StageDeps } from './stage.ts';
import type { PhotoRow } from '../catalog/catalog.ts';
import { modelSourceEdge, type RgbImage } from '../ml/preprocess.ts';
import { readModelInput } from '../media/model-input.ts';
import { errorMessage } from '../../../shared/error-message.ts';

export function embedStage(deps: StageDeps, opts: { batchSize: number }): StageBody {
  return {
    priority: 1,
    batchSize: opts.batchSize,
    // Two batches in flight: the next batch is decoded and preprocessed while this one runs.
    concurrency: 2,
    requires: ['thumb'],
    unavailable: () => deps.ml.clipUnavailable(),
    async runBatch(photos: readonly PhotoRow[]): Promise<ItemResult[]> {
      const enc = await deps.ml.clip();
      const modelId = enc.spec.id;
      const { cropWidth: w, cropHeight: h } = enc.processor;
      const size = 3 * w * h;
      const results: ItemResult[] = new Array(photos.length);
      const ok: number[] = [];
      const buffers: Float32Array[] = [];
      // [Note: decode once] The thumbnail stage's decode, handed over in memory; else the photo.
      const edge = modelSourceEdge(enc.processor);
      await Promise.all(
        photos.map(async (photo, i) => {
          try {
            let image: RgbImage | undefined = deps.handoff.take(photo.id, photo.fingerprint!);
            // Not handed over (an earlier run, a restart): read the photo again, at the size needed.
            image ??= await readModelInput(photo.path, edge, deps.media);
            buffers[i] = await enc.pixelsOf(image);
            ok.push(i);
          } catch (e) {
            results[i] = { ok: false, error: errorMessage(e) };
          }
        }),
      );
      if (ok.length > 0) {
        ok.sort((a, b) => a - b);
        const batch = new Float32Array(ok.length * size);
        ok.forEach((i, j) => batch.set(buffers[i]!, j * size));
        const vectors = await enc.embedPixels(batch, ok.length);
        ok.forEach((i, j) => {
          const photo = photos[i]!;
          const vector = vectors[j]!;
          results[i] = {
            ok: true,
            commit: () => {
              deps.catalog.putEmbedding(photo.id, modelId, vector);
              deps.onEmbedding?.(photo.id, modelId, vector);
            },
          };
        });
      }
      return results;
    },
  };
}
