// Two stages around the photo's own metadata: 'meta' reads it with exiftool — descriptions,
// keywords, hierarchical tags, ratings and labels imported as user data ([Note: metadata import]),
// date, camera and position merged into the photo's facts — and 'xmp' writes the caption, the
// user's tags (suggestions never), rating and label to the XMP sidecar when the user turned that on.
import { itemFailure, type ItemResult, type StageBody, type StageDeps } from './stage.ts';
import { importMetadata, syncSidecar } from '../annotate/sidecar-sync.ts';
import { readSetting } from '../settings.ts';
import { PhotoText } from '../catalog/photo-text.ts';
import { UnreadableFileError } from '../media/xmp.ts';
import { errorMessage } from '../../../shared/error-message.ts';

export function metaStage(deps: StageDeps): StageBody {
  return {
    priority: 0,
    batchSize: 8,
    concurrency: 1,
    // Needs no other stage: a photo whose pixels cannot be decoded still has its date, camera and
    // position read here ([Note: merged facts]).
    async runBatch(photos): Promise<ItemResult[]> {
      return Promise.all(
        photos.map(async (photo): Promise<ItemResult> => {
          try {
            const meta = await deps.xmp.readPhotoMetadata(photo.path, pairedRaw(deps, photo.id));
            return {
              ok: true,
              commit: () => {
                deps.catalog.mergeMetadata(photo.id, meta.facts, 'exiftool');
                importMetadata(deps.annotations, photo.id, meta);
              },
            };
          } catch (e) {
            // exiftool says the file is not one it can read (empty, not an image, gone): nothing to
            // import. Whether it is a photo at all is the thumbnail stage's to say, and it fails it
            // once, with its reason, instead of a second failure here.
            if (e instanceof UnreadableFileError) return { ok: true };
            return { ok: false, error: errorMessage(e) };
          }
        }),
      );
    },
  };
}

export function xmpStage(deps: StageDeps): StageBody {
  return {
    priority: 5,
    batchSize: 8,
    concurrency: 1,
    // Written once the photo's tags are in; a caption arriving later queues it again.
    requires: ['meta', 'tags'],
    unavailable: () =>
      readSetting((k) => deps.catalog.setting(k), 'xmp') === 'on' ? null : 'XMP sidecars are off (shoebox settings set xmp on)',
    async runBatch(photos): Promise<ItemResult[]> {
      const results: ItemResult[] = [];
      // One at a time: each write reads the sidecar, merges and renames it into place.
      for (const photo of photos) {
        try {
          await syncSidecar(deps.xmp, deps.annotations, { id: photo.id, path: photo.path, raw: pairedRaw(deps, photo.id) }, deps.transact, transcriptOf(deps, photo.id));
          results.push({ ok: true });
        } catch (e) {
          results.push(itemFailure(e));
        }
      }
      return results;
    },
  };
}

/** The text read in the photo for its sidecar's transcript when the xmp_text setting is on; undefined (left as it is) when off. */
function transcriptOf(deps: StageDeps, photoId: number): string | null | undefined {
  if (readSetting((k) => deps.catalog.setting(k), 'xmp_text') !== 'on') return undefined;
  return (deps.text ?? new PhotoText(deps.catalog.db)).texts([photoId]).get(photoId) ?? null;
}

/** The RAW of a RAW+JPEG pair, whose sidecar the pair shares ([Note: file pairs]). */
function pairedRaw(deps: StageDeps, photoId: number): string | undefined {
  return deps.catalog.companions(photoId).find((f) => f.role === 'raw')?.path;
}
