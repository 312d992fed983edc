// The thumbnail stage: decode once, store the photo's facts (size, EXIF), write thumb and preview.
import { itemFailure, settleItems, type ItemResult, type StageBody, type StageDeps } from './stage.ts';
import { MediaError, processPhoto } from '../media/decode.ts';
import { fingerprintFile } from '../media/fingerprint.ts';
import { isRawName } from '../media/formats.ts';
import { ocrInputEdge } from './ocr-stage.ts';
import { FACE_INPUT_EDGE, facesUnavailable } from './faces-stage.ts';

export function thumbStage(deps: StageDeps, opts: { concurrency: number }): StageBody {
  // The photos being read now, by content: an exact copy (the same bytes at another path, in this batch or one
  // running beside it) waits for its twin, then finds its thumbnail made instead of decoding the file again.
  const reading = new Map<string, Promise<unknown>>();
  return {
    priority: 0,
    batchSize: 4,
    concurrency: opts.concurrency,
    // Wait while the embedding (or ocr, faces, phash) stage has not taken what this stage decoded for it.
    blocked: () => deps.handoff.full(),
    async runBatch(photos): Promise<ItemResult[]> {
      const modelShortEdge = deps.ml.modelSourceEdge() ?? undefined;
      const ocrEdge = ocrInputEdge(deps);
      // The faces stage takes OCR's reduction (one reduction for both), made for it alone when OCR does not run.
      const faces = facesUnavailable(deps) === null;
      const ocrLongEdge = ocrEdge ?? (faces ? FACE_INPUT_EDGE : undefined);
      return settleItems(
        photos.map(async (photo): Promise<ItemResult> => {
          try {
            // A file unreadable at scan time has no fingerprint yet; reading it here records why.
            const fp = photo.fingerprint ?? (await fingerprintFile(photo.path).catch((e: NodeJS.ErrnoException) => {
              throw new MediaError(`cannot read the file: ${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : (e.code ?? e.message)}`);
            }));
            // A RAW an older Shoebox read as a TIFF has a thumbnail of its tiny first image: made again (migration 5).
            const replaceThumb = photo.format === 'tiff' && isRawName(photo.path);
            const twin = reading.get(fp);
            if (twin) await twin.catch(() => undefined);
            const run = processPhoto(photo.path, deps.cache.targets(fp), deps.media, { modelShortEdge, ocrLongEdge, replaceThumb, hash: true });
            reading.set(fp, run);
            const done = () => {
              if (reading.get(fp) === run) reading.delete(fp);
            };
            void run.then(done, done);
            const { ocrImage, hashImage, ...facts } = await run;
            return {
              ok: true,
              commit: () => {
                if (fp !== photo.fingerprint) deps.catalog.setFingerprint(photo.id, fp);
                deps.catalog.setFacts(photo.id, facts);
                if (facts.modelImage) deps.handoff.put(photo.id, fp, facts.modelImage);
                if (ocrImage && ocrEdge !== null) deps.handoff.put(photo.id, fp, ocrImage, 'ocr');
                if (ocrImage && faces) deps.handoff.put(photo.id, fp, ocrImage, 'faces');
                if (hashImage) deps.handoff.put(photo.id, fp, hashImage, 'hash');
              },
            };
          } catch (e) {
            return itemFailure(e);
          }
        }),
      );
    },
  };
}
