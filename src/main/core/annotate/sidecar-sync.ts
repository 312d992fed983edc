// Captions and tags between Shoebox and the photo's metadata: imports what the user (or Lightroom,
// digiKam…) already wrote as user data, and writes Shoebox's to the XMP sidecar, merging both ways.
import type { Annotations } from '../catalog/annotations.ts';
import type { PhotoMetadata, XmpService } from '../media/xmp.ts';

const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));

/**
 * [Note: metadata import] Descriptions and keywords found in a photo's sidecar, XMP, IPTC or EXIF
 * are the user's: a description becomes the user caption when the user has not typed one in
 * Shoebox, keywords become user tags (origin 'import'). What Shoebox itself last wrote to the
 * sidecar is not imported back (its own captions would otherwise turn into user captions), and a
 * tag the user removed in Shoebox stays removed. Returns what was imported.
 */
export function importMetadata(annotations: Annotations, photoId: number, meta: PhotoMetadata): { caption: boolean; tags: string[] } {
  const last = annotations.lastSidecarWrite(photoId);
  const ours = lower(last?.subjects ?? []);
  const tags = annotations.addUserTags(
    photoId,
    meta.keywords.filter((k) => !ours.has(k.toLowerCase())),
    'import',
  );
  let caption = false;
  const typed = annotations.userCaption(photoId);
  const d = meta.description?.trim();
  if (d && d !== last?.description && typed?.origin !== 'shoebox' && typed?.text !== d) {
    annotations.setUserCaption(photoId, d, 'import');
    caption = true;
  }
  return { caption, tags };
}

/** The caption a sidecar gets: the user's, else the automatic one. */
export function sidecarDescription(annotations: Annotations, photoId: number): string | null {
  return annotations.userCaption(photoId)?.text ?? annotations.autoCaption(photoId)?.text ?? null;
}

/**
 * Writes a photo's caption and visible tags to its XMP sidecar (for a RAW+JPEG pair, `raw` names the RAW: the
 * sidecar is the one RAW editors read, see findSidecar). Edits made elsewhere since
 * Shoebox's last write are imported first (so they are kept, not overwritten); every other field
 * of the sidecar is kept by the writer. `db` work runs in `transact`; returns the sidecar path.
 */
export async function syncSidecar(
  xmp: XmpService,
  annotations: Annotations,
  photo: { id: number; path: string; raw?: string },
  transact: <T>(fn: () => T) => T,
): Promise<string> {
  const meta = await xmp.readPhotoMetadata(photo.path, photo.raw);
  const { description, subjects } = transact(() => {
    importMetadata(annotations, photo.id, meta);
    return { description: sidecarDescription(annotations, photo.id), subjects: annotations.visibleTags(photo.id) };
  });
  const file = await xmp.writeSidecar(photo.path, { description, subjects }, photo.raw);
  transact(() => annotations.recordSidecarWrite(photo.id, file, description, subjects));
  return file;
}
