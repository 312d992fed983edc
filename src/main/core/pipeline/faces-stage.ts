// The faces stage: the faces in each photo, found and described on the ML worker ([Note: face pipeline] in
// ml/face-runner.ts) from the thumbnail stage's decode, stored with their boxes and landmarks in the photo's upright
// pixels, their descriptors and the models' version (catalog/faces.ts); grouped into people after (core/people,
// through StageDeps.onFaces).
//
// The input is the decode the thumbnail stage reduces for OCR, 960 px on the long side (the hand-off's `faces`
// kind, the same pixels as `ocr`'s: one reduction for both). The detector sees it whole at 512 px and, where the
// whole view saw a hint of a small face, in overlapping tiles of 528 px at about their size ([Note: face tiling]
// in ml/face-geometry.ts), so faces down to about 3% of the photo's long side are found (README "People"); the
// landmarks and the 150 px aligned chip are sampled from the 960 px pixels. A larger input would let more tiles
// find smaller faces still, at one more detector run a tile: with all four tiles of the 960 px input a 12 MP
// photo already costs about a CPU second, under the 2 photos/s the two cores are to give.
//
// A photo is read again only when the version ([Note: face version]) or its content changes: requeueFacesOnNewModel
// queues the photos read with another version once per change, and a photo whose reading is current is done
// without reading. With the `faces` setting off the stage is unavailable: its tasks wait, and no descriptor is kept.
import { itemFailure, settleItems, type ItemResult, type StageBody, type StageDeps } from './stage.ts';
import type { Catalog, PhotoRow } from '../catalog/catalog.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import { Faces, type NewFace } from '../catalog/faces.ts';
import { readModelInputLong } from '../media/model-input.ts';
import type { RgbPixels } from '../media/decode.ts';
import { readSetting } from '../settings.ts';
import type { FaceOutput } from '../ml/face-runner.ts';

/** The setting that holds the face version the library's photos were last read with. */
export const FACES_VERSION_SETTING = 'faces_version';

/** The long side a photo is read at when the thumbnail stage's decode was not handed over (OCR's input's). */
export const FACE_INPUT_EDGE = 960;

/** Why the faces stage cannot run: the setting is off, or the models cannot be had; null when it can. */
export function facesUnavailable(deps: Pick<StageDeps, 'catalog' | 'ml'>): string | null {
  if (readSetting((k) => deps.catalog.setting(k), 'faces') !== 'on') return 'face recognition is off (`shoebox settings set faces on`)';
  return deps.ml.facesUnavailable();
}

/** The faces in the photo's upright pixels: the input's boxes and landmarks scaled by the photo's size over the input's. */
export function toStoredFaces(out: FaceOutput, input: { width: number; height: number }, photo: { width: number | null; height: number | null }): NewFace[] {
  const sx = (photo.width ?? input.width) / input.width;
  const sy = (photo.height ?? input.height) / input.height;
  const r = (v: number) => Math.round(v * 10) / 10;
  return out.faces
    .filter((f) => f.descriptor.length > 0)
    .map((f) => ({
      box: { x: r(f.box.x * sx), y: r(f.box.y * sy), width: r(f.box.width * sx), height: r(f.box.height * sy) },
      score: +f.score.toFixed(4),
      landmarks: f.landmarks.map((v, i) => r(v * (i % 2 === 0 ? sx : sy))),
      descriptor: Float32Array.from(f.descriptor),
    }));
}

export function facesStage(deps: StageDeps, store: Faces = new Faces(deps.catalog.db), opts: { batchSize?: number } = {}): StageBody {
  return {
    // After embed (1), tags (2) and ocr (3), before captions (4): people are there before captions finish.
    priority: 3.5,
    batchSize: opts.batchSize ?? 4,
    // Two batches: the next one's photos are read (when not handed over) while the worker finds this one's faces.
    concurrency: 2,
    requires: ['thumb'],
    unavailable: () => facesUnavailable(deps),
    async runBatch(photos: readonly PhotoRow[]): Promise<ItemResult[]> {
      const version = deps.ml.facesVersion();
      if (!version) throw new Error('no face model is configured');
      const results: ItemResult[] = new Array(photos.length);
      const todo: { i: number; image: RgbPixels }[] = [];
      await settleItems(
        photos.map(async (photo, i): Promise<ItemResult> => {
          // [Note: decode once] The thumbnail stage's decode, handed over; else the photo, read at the size needed.
          const handed = deps.handoff.take(photo.id, photo.fingerprint!, 'faces');
          try {
            if (store.isCurrent(photo.id, version, photo.fingerprint!)) return (results[i] = { ok: true });
            todo.push({ i, image: handed ?? (await readModelInputLong(photo.path, FACE_INPUT_EDGE, deps.media)) });
            return { ok: true };
          } catch (e) {
            return (results[i] = itemFailure(e));
          }
        }),
      );
      if (todo.length === 0) return results;
      todo.sort((a, b) => a.i - b.i);
      const { results: found, version: used } = await deps.ml.faces(
        todo.map(({ image }) => ({ data: image.data.buffer.slice(image.data.byteOffset, image.data.byteOffset + image.data.byteLength) as ArrayBuffer, width: image.width, height: image.height })),
      );
      todo.forEach(({ i, image }, j) => {
        const out = found[j]!;
        const photo = photos[i]!;
        if (out.error) {
          results[i] = { ok: false, error: out.error };
          return;
        }
        const faces = toStoredFaces(out, image, photo);
        results[i] = {
          ok: true,
          commit: () => {
            // Turned off while this batch ran: its descriptors are not kept (turning it on reads every photo again).
            if (readSetting((k) => deps.catalog.setting(k), 'faces') !== 'on') return;
            store.putPhoto(photo.id, used, photo.fingerprint!, faces);
            // The names other apps gave these faces in the photo's XMP ([Note: face regions read]) are the user's.
            if (photo.width && photo.height) store.applyRegionNames(photo.id, photo.orientation, photo.width, photo.height);
            deps.onFaces?.();
          },
        };
      });
      return results;
    },
  };
}

/**
 * Queues the faces stage again for the photos read with another version, when the active version is not the one
 * the library last ran with; returns how many. Once per change (a new model, a new Shoebox), not on every open.
 */
export function requeueFacesOnNewModel(catalog: Catalog, queue: TaskQueue, store: Faces, version: string | null, now = Date.now()): number {
  if (!version || catalog.setting(FACES_VERSION_SETTING) === version) return 0;
  return catalog.db.transaction(() => {
    const n = queue.requeuePhotos(store.staleIds(version), ['faces'], now);
    catalog.setSetting(FACES_VERSION_SETTING, version);
    return n;
  })();
}
