// Decoding photos with sharp: header probe, decompression-bomb guard, EXIF, and the two cached sizes.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import exifr from 'exifr';
import { MediaError } from './errors.ts';
import { openImage, readPixels } from './open.ts';
import { readReduced } from './model-input.ts';
import { dateFields, exifLater, exifOriginal, firstDate, type MetadataFacts } from './facts.ts';
import { validPosition } from './timezone.ts';
import { writeFault } from '../faults.ts';
import { reduceForHash } from './phash.ts';

export { MediaError };

export interface MediaOptions {
  /** Refuse images with more pixels than this, before decoding them. */
  maxPixels: number;
  /** Long edge of the grid thumbnail. */
  thumbSize: number;
  /** Long edge of the large preview. */
  previewSize: number;
}

export const DEFAULT_MEDIA_OPTIONS: MediaOptions = {
  maxPixels: 200_000_000,
  thumbSize: 384,
  previewSize: 1600,
};

/** What decoding learned about a photo: its pixels' facts, and the metadata exifr read ([Note: merged facts]). */
export interface PhotoFacts extends MetadataFacts {
  format: string;
  /** Display size, after the EXIF orientation is applied. */
  width: number;
  height: number;
  orientation: number | null;
  /**
   * The decoder's words when the file is damaged but was shown anyway; null when it decoded cleanly;
   * absent when nothing was decoded (the thumbnail was already there).
   */
  damaged?: string | null;
}

interface Probe {
  format: string;
  width: number;
  height: number;
  orientation: number | null;
}

/** Reads only the header: format and upright size, so oversize images are refused before any decode. */
export async function probe(file: string, options: MediaOptions): Promise<Probe> {
  const img = await openImage(file, options);
  return { format: img.format, width: img.width, height: img.height, orientation: img.orientation };
}

function clean(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const t = s.replace(/\0/g, '').trim();
  return t ? t : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The tags the fast path asks exifr for: dates with their sub-seconds and offsets, camera, lens, GPS. */
const EXIFR_PICK = [
  'DateTimeOriginal', 'SubSecTimeOriginal', 'OffsetTimeOriginal',
  'CreateDate', 'SubSecTimeDigitized', 'OffsetTimeDigitized',
  'ModifyDate', 'SubSecTime', 'OffsetTime',
  'Make', 'Model', 'LensModel',
  'GPSLatitude', 'GPSLatitudeRef', 'GPSLongitude', 'GPSLongitudeRef', 'GPSAltitude', 'GPSAltitudeRef', 'GPSDateStamp', 'GPSTimeStamp',
  'latitude', 'longitude',
];

/**
 * The fast path: EXIF (and its GPS block) through exifr, without the thumbnail IFD, XMP, IPTC or
 * ICC. Values are kept as written (no revival into Dates: dates.ts reads them, and rejects the
 * blanks that exifr would turn into 1899). A file exifr cannot parse gives no facts, not an error:
 * the meta stage reads it with exiftool ([Note: merged facts]).
 */
export async function readExif(file: string): Promise<MetadataFacts> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await exifr.parse(file, {
      tiff: true,
      exif: true,
      gps: true,
      ifd1: false,
      interop: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      translateValues: false,
      reviveValues: false,
      pick: EXIFR_PICK,
    });
  } catch {
    tags = undefined; // no or unreadable EXIF is not an error for the photo
  }
  const t = tags ?? {};
  let lat = num(t.latitude);
  let lon = num(t.longitude);
  if (!validPosition(lat, lon)) lat = lon = null;
  const alt = num(t.GPSAltitude);
  const later = exifLater(t, { lat, lon });
  const date = firstDate([exifOriginal(t), later.digitized, later.gps, later.modified]);
  return {
    ...dateFields(date),
    cameraMake: clean(t.Make),
    cameraModel: clean(t.Model),
    lens: clean(t.LensModel),
    gpsLat: lat,
    gpsLon: lon,
    gpsAlt: lat !== null && lon !== null && alt !== null ? (t.GPSAltitudeRef === 1 ? -alt : alt) : null,
  };
}

let tmpSeq = 0;

/** Writes `file` through a temporary file in `tmpDir` and a rename, so a reader never sees a partial one. */
export async function writeAtomic(file: string, data: Buffer, tmpDir: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.mkdir(tmpDir, { recursive: true });
  // Thumbnail and preview share a name (the fingerprint) in different folders: the temporary
  // name must be unique to this write.
  const tmp = path.join(tmpDir, `${path.basename(file)}.${process.pid}.${(tmpSeq++).toString(36)}.tmp`);
  try {
    await fs.promises.writeFile(tmp, data);
    writeFault('cache', tmp);
    await fs.promises.rename(tmp, file);
  } catch (e) {
    // A full disk leaves the partial file here, never at `file`: removed now, so it gives its space back.
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

export interface CacheTargets {
  thumb: string;
  preview: string;
  /** Where partial files are written before the rename; on the same disk, emptied at start. */
  tmpDir: string;
}

async function exists(file: string): Promise<boolean> {
  return fs.promises.access(file).then(
    () => true,
    () => false,
  );
}

/** 8-bit RGB pixels in memory. */
export interface RgbPixels {
  data: Buffer;
  width: number;
  height: number;
}

/** Reduces an image (antialiased, lanczos) so its shortest edge is `shortEdge`, if it is larger. */
export async function reduceToShortEdge(img: RgbPixels, shortEdge: number): Promise<RgbPixels> {
  if (Math.min(img.width, img.height) <= shortEdge) return img;
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(shortEdge, shortEdge, { fit: 'outside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Reduces an image (antialiased, lanczos) so its longest edge is `longEdge`, if it is larger. */
export async function reduceToLongEdge(img: RgbPixels, longEdge: number): Promise<RgbPixels> {
  if (Math.max(img.width, img.height) <= longEdge) return img;
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(longEdge, longEdge, { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Probes, reads EXIF and writes the grid thumbnail from one decode (orientation applied, sRGB,
 * JPEG). The decode is only as large as the thumbnail and the model need, so a JPEG is decoded
 * at 1/2, 1/4 or 1/8 scale straight from its DCT (libjpeg's shrink-on-load): about a third of the
 * CPU of a full decode for a 2-MP photo. The large preview is made when first shown
 * (`ensurePreview`), not here ([Note: previews on demand]). A thumbnail that already exists is
 * kept: it is keyed by the content fingerprint, so a rerun after a crash or a move writes nothing.
 *
 * `replaceThumb` makes the thumbnail (and drops the preview) even when one is cached: for a photo
 * whose cached images came from the wrong source (a RAW read as a TIFF by an older Shoebox).
 *
 * With `modelShortEdge`, it also returns the decoded image reduced to that shortest edge, so the
 * embedding stage can use this decode instead of reading the photo again ([Note: decode once]); with
 * `ocrLongEdge`, the image reduced to that longest edge for the ocr stage, from the same decode; with `hash`, the
 * square the phash stage hashes ([Note: perceptual signature] in phash.ts), from the same decode.
 */
export async function processPhoto(
  file: string,
  targets: CacheTargets,
  options: MediaOptions,
  want: { modelShortEdge?: number; ocrLongEdge?: number; replaceThumb?: boolean; hash?: boolean } = {},
): Promise<PhotoFacts & { modelImage?: RgbPixels; ocrImage?: RgbPixels; hashImage?: RgbPixels }> {
  const img = await openImage(file, options);
  const head = { format: img.format, width: img.width, height: img.height, orientation: img.orientation };
  const exif = await readExif(file);
  // Whether it is damaged was found when the thumbnail was made; a rerun leaves that as it is.
  if (!want.replaceThumb && (await exists(targets.thumb))) return { ...head, ...exif };
  // A preview made from the same wrong source goes with it; it is made again when next shown.
  if (want.replaceThumb) await fs.promises.rm(targets.preview, { force: true });
  // The shortest edge that serves both: the thumbnail's long edge fits, the model's short edge is met.
  const short = Math.min(head.width, head.height);
  const long = Math.max(head.width, head.height);
  const ocrShortEdge = want.ocrLongEdge ? Math.ceil((want.ocrLongEdge * short) / long) : 0;
  const edge = Math.min(short, Math.max(Math.ceil((options.thumbSize * short) / long), want.modelShortEdge ?? 0, ocrShortEdge));
  const { result: decoded, damaged } = await readReduced(file, img, edge);
  const raw = { raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels } };
  // No Huffman optimisation pass: it took 60 % of the encode time for 8 % smaller files.
  const thumbJpeg = await sharp(decoded.data, raw)
    .resize(options.thumbSize, options.thumbSize, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80, optimiseCoding: false })
    .toBuffer();
  await writeAtomic(targets.thumb, thumbJpeg, targets.tmpDir);
  if (decoded.info.channels !== 3) return { ...head, ...exif, damaged };
  const pixels = { data: decoded.data, width: decoded.info.width, height: decoded.info.height };
  const modelImage = want.modelShortEdge ? await reduceToShortEdge(pixels, want.modelShortEdge) : undefined;
  const ocrImage = want.ocrLongEdge ? await reduceToLongEdge(pixels, want.ocrLongEdge) : undefined;
  const hashImage = want.hash ? await reduceForHash(pixels) : undefined;
  return { ...head, ...exif, damaged, ...(modelImage ? { modelImage } : {}), ...(ocrImage ? { ocrImage } : {}), ...(hashImage ? { hashImage } : {}) };
}

// [Note: previews on demand]
// The 1600 px preview of the photo view is made the first time the photo is shown, then cached by
// fingerprint like the thumbnail. Making it while indexing cost more CPU than the thumbnail and
// the model's input together (a full-size decode, a 1600 px resize and encode: 43 → 18 ms a 2-MP
// photo without it), on every photo, most of which are never opened. An offline photo that was
// never opened shows its thumbnail instead (core/handlers/media.ts).

const making = new Map<string, Promise<void>>();

/** Writes the photo's large preview to `preview` unless it is there; one write per file at a time. */
export function ensurePreview(file: string, preview: string, tmpDir: string, options: MediaOptions): Promise<void> {
  const running = making.get(preview);
  if (running) return running;
  const job = (async () => {
    if (await exists(preview)) return;
    const img = await openImage(file, options);
    const { result: jpeg } = await readPixels<Buffer>(file, img, options.previewSize, (pixels) =>
      pixels
        .resize(options.previewSize, options.previewSize, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .jpeg({ quality: 82, optimiseCoding: false })
        .toBuffer(),
    );
    await writeAtomic(preview, jpeg, tmpDir);
  })().finally(() => making.delete(preview));
  making.set(preview, job);
  return job;
}
