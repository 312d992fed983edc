// The ocr stage: the text in each photo, read on the ML worker from the thumbnail stage's decode ([Note: OCR
// pipeline] in ml/ocr-runner.ts), stored with its boxes in the photo's upright pixels and the model's version.
//
// A photo is read again only when the version changes ([Note: OCR version] in ml/service.ts): requeueOcrOnNewModel
// queues the photos read with another version once per change (on open, and when the ocr_model setting changes),
// and a photo whose stored text has this version is done without reading. With the `ocr` setting off the stage is
// unavailable: its tasks wait, and the text read stays searchable.
import { itemFailure, settleItems, type ItemResult, type StageBody, type StageDeps } from './stage.ts';
import type { PhotoRow } from '../catalog/catalog.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { PhotoText, type StoredTextLine } from '../catalog/photo-text.ts';
import { readModelInputLong } from '../media/model-input.ts';
import type { RgbPixels } from '../media/decode.ts';
import { readSetting } from '../settings.ts';
import type { OcrOutput } from '../ml/ocr-runner.ts';

/** The setting that holds the OCR version the library's text was last read with. */
export const OCR_VERSION_SETTING = 'ocr_version';

/** Why the ocr stage cannot run: the setting is off, or the model is missing; null when it can. */
export function ocrUnavailable(deps: Pick<StageDeps, 'catalog' | 'ml'>): string | null {
  if (readSetting((k) => deps.catalog.setting(k), 'ocr') !== 'on') return 'reading text in photos is off (`shoebox settings set ocr on`)';
  return deps.ml.ocrUnavailable();
}

/** The long side the thumbnail stage hands OCR its input at, or null while the stage cannot run. */
export function ocrInputEdge(deps: Pick<StageDeps, 'catalog' | 'ml'>): number | null {
  return ocrUnavailable(deps) ? null : deps.ml.ocrInputEdge();
}

/** Lines in the photo's upright pixels: the input's boxes scaled by the photo's size over the input's. */
export function toStoredLines(out: OcrOutput, input: { width: number; height: number }, photo: { width: number | null; height: number | null }): StoredTextLine[] {
  const sx = (photo.width ?? input.width) / input.width;
  const sy = (photo.height ?? input.height) / input.height;
  return out.lines.map((l) => ({
    text: l.text,
    confidence: +l.confidence.toFixed(4),
    box: l.box.map(([x, y]) => [Math.round(x * sx), Math.round(y * sy)] as [number, number]),
  }));
}

export function ocrStage(deps: StageDeps, opts: { batchSize?: number } = {}): StageBody {
  const store = deps.text ?? new PhotoText(deps.catalog.db);
  return {
    // After embed (1) and tags (2), before captions (4): text is searchable before captions are made.
    priority: 3,
    batchSize: opts.batchSize ?? 4,
    // Two batches: the next one's photos are read (when not handed over) while the worker reads this one's text.
    concurrency: 2,
    requires: ['thumb'],
    unavailable: () => ocrUnavailable(deps),
    async runBatch(photos: readonly PhotoRow[]): Promise<ItemResult[]> {
      const { version, ref } = deps.ml.ocrModel();
      const results: ItemResult[] = new Array(photos.length);
      const todo: { i: number; image: RgbPixels }[] = [];
      await settleItems(
        photos.map(async (photo, i): Promise<ItemResult> => {
          // [Note: decode once] The thumbnail stage's decode, handed over; else the photo, read at the size needed.
          const handed = deps.handoff.take(photo.id, photo.fingerprint!, 'ocr');
          try {
            if (store.isCurrent(photo.id, version)) return (results[i] = { ok: true });
            todo.push({ i, image: handed ?? (await readModelInputLong(photo.path, ref.detectionLimit, deps.media)) });
            return { ok: true };
          } catch (e) {
            return (results[i] = itemFailure(e));
          }
        }),
      );
      if (todo.length === 0) return results;
      todo.sort((a, b) => a.i - b.i);
      const { results: read } = await deps.ml.ocr(
        todo.map(({ image }) => ({ data: image.data.buffer.slice(image.data.byteOffset, image.data.byteOffset + image.data.byteLength) as ArrayBuffer, width: image.width, height: image.height })),
      );
      const xmpText = readSetting((k) => deps.catalog.setting(k), 'xmp_text') === 'on';
      todo.forEach(({ i, image }, j) => {
        const out = read[j]!;
        const photo = photos[i]!;
        if (out.error) {
          results[i] = { ok: false, error: out.error };
          return;
        }
        const lines = toStoredLines(out, image, photo);
        results[i] = {
          ok: true,
          commit: () => {
            store.put(photo.id, version, lines);
            if (xmpText) deps.onAnnotated?.(photo.id);
          },
        };
      });
      return results;
    },
  };
}

/**
 * Queues the ocr stage again for the photos read with another version, when the active version is not the one the
 * library last ran with; returns how many. Once per change (a new model, a new Shoebox), not on every open.
 */
export function requeueOcrOnNewModel(catalog: Catalog, queue: TaskQueue, store: PhotoText, version: string | null, now = Date.now()): number {
  if (!version || catalog.setting(OCR_VERSION_SETTING) === version) return 0;
  return catalog.db.transaction(() => {
    const n = queue.requeuePhotos(store.staleIds(version), ['ocr'], now);
    catalog.setSetting(OCR_VERSION_SETTING, version);
    return n;
  })();
}
