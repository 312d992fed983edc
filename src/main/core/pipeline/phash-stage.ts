// The phash stage: each photo's perceptual signature ([Note: perceptual signature] in media/phash.ts), which
// core/duplicates groups photos by. Made from the square the thumbnail stage reduced from its decode and handed over
// ([Note: decode once]); for a photo whose thumbnail an older Shoebox made (the thumbnail stage then decodes nothing),
// from that cached thumbnail; only when neither is there, from the photo read again.
//
// A photo is hashed again only when its content or the signature's version changes: requeueHashesOnNewVersion queues
// the photos hashed with another version once per change, and a photo whose stored signature is current is done
// without reading.
import fs from 'node:fs';
import { itemFailure, settleItems, type ItemResult, type StageBody, type StageDeps } from './stage.ts';
import type { Catalog, PhotoRow } from '../catalog/catalog.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import { PhotoHashes, type SignatureSource } from '../catalog/photo-hashes.ts';
import { encodeSignature, reduceFileForHash, reduceForHash, signatureOf, SIGNATURE_VERSION } from '../media/phash.ts';
import { readModelInput } from '../media/model-input.ts';
import type { RgbPixels } from '../media/decode.ts';

/** The setting that holds the signature version the library's photos were last hashed with. */
export const PHASH_VERSION_SETTING = 'phash_version';

/** The short edge a photo is read at when neither the decode nor its thumbnail is there. */
const READ_EDGE = 256;

export function phashStage(deps: StageDeps, store: PhotoHashes = new PhotoHashes(deps.catalog.db)): StageBody {
  return {
    // Right after the thumbnail: cheap (a 64 × 64 square, about 0.1 ms of hashing), and it frees the hand-off.
    priority: 1,
    batchSize: 32,
    concurrency: 1,
    requires: ['thumb'],
    async runBatch(photos: readonly PhotoRow[]): Promise<ItemResult[]> {
      return settleItems(
        photos.map(async (photo): Promise<ItemResult> => {
          const fp = photo.fingerprint!;
          // [Note: decode once] The thumbnail stage's square, handed over; else its thumbnail; else the photo.
          const handed = deps.handoff.take(photo.id, fp, 'hash');
          try {
            if (store.isCurrent(photo.id, SIGNATURE_VERSION, fp)) return { ok: true };
            let square: RgbPixels;
            let source: SignatureSource;
            if (handed) {
              square = handed;
              source = 'decode';
            } else {
              const thumb = await fs.promises.readFile(deps.cache.targets(fp).thumb).catch(() => null);
              if (thumb) {
                square = await reduceFileForHash(thumb);
                source = 'thumbnail';
              } else {
                square = await reduceForHash(await readModelInput(photo.path, READ_EDGE, deps.media));
                source = 'original';
              }
            }
            const signature = encodeSignature(signatureOf(square));
            return { ok: true, commit: () => store.put(photo.id, SIGNATURE_VERSION, fp, signature, source) };
          } catch (e) {
            return itemFailure(e);
          }
        }),
      );
    },
  };
}

/**
 * Queues the phash stage again for the photos hashed with another signature version, when the library last ran with
 * another; returns how many. Once per change, not on every open.
 */
export function requeueHashesOnNewVersion(catalog: Catalog, queue: TaskQueue, store: PhotoHashes, now = Date.now()): number {
  const version = String(SIGNATURE_VERSION);
  if (catalog.setting(PHASH_VERSION_SETTING) === version) return 0;
  return catalog.db.transaction(() => {
    const n = queue.requeuePhotos(store.staleIds(SIGNATURE_VERSION), ['phash'], now);
    catalog.setSetting(PHASH_VERSION_SETTING, version);
    return n;
  })();
}
