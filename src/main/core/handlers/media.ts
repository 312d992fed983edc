// Photos' images for the front doors: which file serves a photo's thumbnail, preview or original, or a face's crop.
// `shoebox serve` (/media/<kind>/<id>) and the app's shoebox-media:// protocol both ask this one
// resolver, so both serve catalogued photos only ([Note: media confinement]).
import fs from 'node:fs';
import path from 'node:path';
import type { ImageKind } from '../../../shared/contract.ts';
import { extensionOf, formatForName } from '../media/formats.ts';
import type { Library } from '../library.ts';
import { DEFAULT_MEDIA_OPTIONS, ensurePreview } from '../media/decode.ts';
import { BROWSER_IMAGE_TYPES, ensureFullSize } from '../media/full-size.ts';
import { ensureFaceCrop } from '../media/face-crop.ts';
import type { Faces } from '../catalog/faces.ts';

// [Note: media confinement]
// A door never turns a request path into a file path. It parses a kind and a whole-number id and
// asks the resolver, which answers only for photos in the catalog:
// - thumbnails and previews come from the cache, by the photo's content fingerprint (hex digits
//   only, so the name can never climb out of the cache folder);
// - an original is the catalogued path, resolved through symlinks, and served only when the file
//   it really is has a photo's extension. The scanner follows symlinks on purpose (a library may
//   link in photos from another disk), so a link to another photo is served; a link swapped in
//   for a catalogued photo that points at anything else (`IMG_1.jpg -> ~/.ssh/id_ed25519`) is not.

/** A file to serve for a photo's image. */
export interface MediaFile {
  file: string;
  contentType: string;
  /** A strong validator, unquoted (the content fingerprint); null to derive a weak one from size and time. */
  etag: string | null;
}

/** Finds the file of a photo's image; null when the id is not catalogued (or has no such image). */
export type MediaResolver = (id: number, kind: ImageKind) => MediaFile | null | Promise<MediaFile | null>;

/** The kinds of image a photo has. */
export const IMAGE_KINDS: ReadonlySet<string> = new Set<ImageKind>(['thumb', 'preview', 'original', 'face']);

/** What an id names for a kind: a face's id for 'face', else a photo's (for the doors' messages). */
export function mediaIdName(kind: string): string {
  return kind === 'face' ? 'face' : 'photo';
}

/** The doors' words for an image that is not there: "no face 12" (its crop), "no thumb for photo 12". */
export function mediaMissing(kind: string, id: number): string {
  return kind === 'face' ? `no face ${id}` : `no ${kind} for photo ${id}`;
}

/** A photo id as a door receives it: a whole number from 1, no sign, no leading zero, no exponent. */
export function parsePhotoId(text: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

const ORIGINAL_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jpe: 'image/jpeg',
  jfif: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  hif: 'image/heif',
  bmp: 'image/bmp',
  jxl: 'image/jxl',
};

/** An original's content type by its extension (raw formats and unknown ones are plain bytes). */
export function originalContentType(file: string): string {
  return ORIGINAL_TYPES[extensionOf(path.basename(file))] ?? 'application/octet-stream';
}

const FINGERPRINT = /^[0-9a-f]{16,128}$/i;

/**
 * Photos' images from a library: cached thumbnails and previews by fingerprint, originals at their
 * path (or as a full-size JPEG, for formats a browser cannot show). A preview is made from the
 * original the first time it is asked for ([Note: previews on demand]); when it cannot be (the
 * drive is unplugged, the file is gone or unreadable) the thumbnail stands in, so the photo view
 * always shows something.
 */
export function libraryMedia(lib: Pick<Library, 'catalog' | 'cache'> & { mediaOptions?: Library['mediaOptions']; faces?: Pick<Faces, 'face'> }): MediaResolver {
  const options = lib.mediaOptions ?? DEFAULT_MEDIA_OPTIONS;
  /**
   * The original itself where a browser shows its format; else (HEIC, TIFF, RAW) a full-size JPEG of
   * it, made from the file the first time it is asked for and cached by fingerprint. A JPEG made
   * before the drive went away still serves; one that cannot be made leaves the file as it is.
   */
  const original = async (file: string, fingerprint: string | null): Promise<MediaFile | null> => {
    const real = realOriginal(file);
    const type = real ? originalContentType(real) : null;
    // The original may have changed since it was fingerprinted: its validator comes from the file.
    const asIs = real && type ? { file: real, contentType: type, etag: null } : null;
    if (type && BROWSER_IMAGE_TYPES.has(type)) return asIs;
    if (!fingerprint || !FINGERPRINT.test(fingerprint)) return asIs;
    const full = lib.cache.fullSize(fingerprint);
    const converted = { file: full, contentType: 'image/jpeg', etag: `${fingerprint}-full` };
    try {
      if (!real) throw new Error('the original is not there');
      await ensureFullSize(real, full, lib.cache.tmpDir, options);
      return converted;
    } catch {
      return fs.existsSync(full) ? converted : asIs;
    }
  };
  /**
   * A face's crop ([Note: face crops]): cut from the photo's preview (made first when it is not there), else from
   * its thumbnail when the original cannot be read; null for a face that is not there, or whose photo has no image.
   */
  const face = async (faceId: number): Promise<MediaFile | null> => {
    const row = lib.faces?.face(faceId);
    if (!row) return null;
    const photo = lib.catalog.photo(row.photoId);
    if (!photo?.fingerprint || !FINGERPRINT.test(photo.fingerprint) || !photo.width || !photo.height) return null;
    const size = { width: photo.width, height: photo.height };
    const out = lib.cache.faceCrop(photo.fingerprint, row.box);
    const served = { file: out, contentType: 'image/jpeg', etag: `${photo.fingerprint}-face-${faceId}` };
    if (fs.existsSync(out)) return served;
    const targets = lib.cache.targets(photo.fingerprint);
    const real = realOriginal(photo.path);
    let source = targets.preview;
    try {
      if (!real) throw new Error('the original is not there');
      await ensurePreview(real, targets.preview, targets.tmpDir, options);
    } catch {
      if (!fs.existsSync(targets.preview)) source = targets.thumb;
    }
    if (!fs.existsSync(source)) return null;
    if (source === targets.preview) {
      await ensureFaceCrop(source, row.box, size, out, targets.tmpDir);
      return served;
    }
    // From the thumbnail: kept under another name and validator, so the preview's is made once the photo is back.
    const fromThumb = out.replace(/\.jpg$/, '-thumb.jpg');
    await ensureFaceCrop(source, row.box, size, fromThumb, targets.tmpDir);
    return { file: fromThumb, contentType: 'image/jpeg', etag: `${served.etag}-thumb` };
  };
  return async (id, kind) => {
    if (!Number.isSafeInteger(id) || id < 1 || !IMAGE_KINDS.has(kind)) return null;
    if (kind === 'face') return face(id);
    const photo = lib.catalog.photo(id);
    if (!photo) return null;
    if (kind === 'original') return original(photo.path, photo.fingerprint);
    if (!photo.fingerprint || !FINGERPRINT.test(photo.fingerprint)) return null;
    const targets = lib.cache.targets(photo.fingerprint);
    if (kind === 'thumb') return { file: targets.thumb, contentType: 'image/jpeg', etag: photo.fingerprint };
    const real = realOriginal(photo.path);
    try {
      if (!real) throw new Error('the original is not there');
      await ensurePreview(real, targets.preview, targets.tmpDir, options);
      return { file: targets.preview, contentType: 'image/jpeg', etag: photo.fingerprint };
    } catch {
      // A preview made before the drive went away still serves; else the thumbnail, if there is one.
      if (fs.existsSync(targets.preview)) return { file: targets.preview, contentType: 'image/jpeg', etag: photo.fingerprint };
      if (!fs.existsSync(targets.thumb)) return null;
      return { file: targets.thumb, contentType: 'image/jpeg', etag: `${photo.fingerprint}-thumb` };
    }
  };
}

/** The file a catalogued original really is, when that is a photo; null when it is gone or is not one. */
function realOriginal(file: string): string | null {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return null;
  }
  return formatForName(path.basename(real)) ? real : null;
}

/** One `bytes=` range of a file of `size` bytes: the inclusive span, 'unsatisfiable', or null to send it all. */
export function parseRange(header: string | null | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges or a malformed one: the whole file
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
