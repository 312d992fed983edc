// Decoding photos with sharp: header probe, decompression-bomb guard, EXIF, and the two cached sizes.
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import exifr from 'exifr';
import { DECODABLE } from './formats.ts';

/** An error about one photo, worded for the person who owns it. */
export class MediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaError';
  }
}

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

export interface PhotoFacts {
  format: string;
  /** Display size, after the EXIF orientation is applied. */
  width: number;
  height: number;
  orientation: number | null;
  takenAt: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  gpsAlt: number | null;
}

const FORMAT_NAMES = 'JPEG, PNG, WebP, AVIF, TIFF, GIF or HEIC';

function describeSharpError(e: unknown): MediaError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/unsupported image format/i.test(msg)) {
    return new MediaError(`unsupported format: not a ${FORMAT_NAMES} image this build can read`);
  }
  if (/premature end|truncated|unexpected end/i.test(msg)) return new MediaError(`corrupt image: the file is truncated (${msg.trim()})`);
  if (/pixel limit/i.test(msg)) return new MediaError(`image too large: ${msg.trim()}`);
  if (/EACCES|EPERM/.test(msg)) return new MediaError(`cannot read the file: permission denied`);
  if (/ENOENT/.test(msg)) return new MediaError(`the file disappeared while it was read`);
  return new MediaError(`corrupt image: ${msg.trim()}`);
}

interface Probe {
  format: string;
  width: number;
  height: number;
  orientation: number | null;
}

/** Reads only the header: format and size, so oversize images are refused before any decode. */
export async function probe(file: string, options: MediaOptions): Promise<Probe> {
  const st = await fs.promises.stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new MediaError(e.code === 'ENOENT' ? 'the file disappeared' : `cannot read the file: ${e.code ?? e.message}`);
  });
  if (st.size === 0) throw new MediaError('empty file (0 bytes)');
  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw describeSharpError(e);
  }
  const format = meta.format ?? 'unknown';
  if (!DECODABLE.has(format)) throw new MediaError(`unsupported format: ${format.toUpperCase()} (Shoebox reads ${FORMAT_NAMES})`);
  if (format === 'heif' && meta.compression === 'hevc' && !hevcSupported()) {
    throw new MediaError('unsupported format: HEIC (HEVC) needs a libvips built with an HEVC decoder, which this one lacks');
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new MediaError('corrupt image: the header gives no size');
  const pixels = width * height;
  if (pixels > options.maxPixels) {
    throw new MediaError(
      `image too large: ${width}×${height} is ${(pixels / 1e6).toFixed(0)} megapixels, over the limit of ${(options.maxPixels / 1e6).toFixed(0)}; not decoded`,
    );
  }
  const orientation = meta.orientation ?? null;
  const swap = orientation !== null && orientation >= 5 && orientation <= 8;
  return { format, width: swap ? height : width, height: swap ? width : height, orientation };
}

let hevc: boolean | undefined;
function hevcSupported(): boolean {
  // libvips reports HEIF input support without saying which codecs; sharp's prebuilt libvips has
  // AV1 (AVIF) only. A system libvips with libde265 sets SHOEBOX_HEVC=1 to try anyway.
  hevc ??= process.env.SHOEBOX_HEVC === '1';
  return hevc;
}

function clean(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const t = s.replace(/\0/g, '').trim();
  return t ? t : null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** EXIF date → 'YYYY-MM-DDTHH:MM:SS' wall-clock time, with the offset when EXIF records one. */
function formatExifDate(d: unknown, offset: unknown): string | null {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) return null;
  // exifr revives EXIF's zone-less wall time as a local Date, so the local getters give it back.
  const s = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const off = clean(offset);
  return off && /^[+-]\d\d:\d\d$/.test(off) ? s + off : s;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export async function readExif(file: string): Promise<Omit<PhotoFacts, 'format' | 'width' | 'height' | 'orientation'>> {
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
      pick: ['DateTimeOriginal', 'CreateDate', 'DateTime', 'OffsetTimeOriginal', 'Make', 'Model', 'LensModel', 'GPSLatitude', 'GPSLatitudeRef', 'GPSLongitude', 'GPSLongitudeRef', 'GPSAltitude', 'GPSAltitudeRef', 'latitude', 'longitude'],
    });
  } catch {
    tags = undefined; // no or unreadable EXIF is not an error for the photo
  }
  const t = tags ?? {};
  const lat = num(t.latitude);
  const lon = num(t.longitude);
  const alt = num(t.GPSAltitude);
  return {
    takenAt: formatExifDate(t.DateTimeOriginal ?? t.CreateDate ?? t.DateTime, t.OffsetTimeOriginal),
    cameraMake: clean(t.Make),
    cameraModel: clean(t.Model),
    lens: clean(t.LensModel),
    gpsLat: lat,
    gpsLon: lon,
    gpsAlt: lat !== null && lon !== null && alt !== null ? (t.GPSAltitudeRef === 1 ? -alt : alt) : null,
  };
}

let tmpSeq = 0;

async function writeAtomic(file: string, data: Buffer, tmpDir: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.mkdir(tmpDir, { recursive: true });
  // Thumbnail and preview share a name (the fingerprint) in different folders: the temporary
  // name must be unique to this write.
  const tmp = path.join(tmpDir, `${path.basename(file)}.${process.pid}.${(tmpSeq++).toString(36)}.tmp`);
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
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

/**
 * Probes, reads EXIF and writes the grid thumbnail from one decode (orientation applied, sRGB,
 * JPEG). The decode is only as large as the thumbnail and the model need, so a JPEG is decoded
 * at 1/2, 1/4 or 1/8 scale straight from its DCT (libjpeg's shrink-on-load): about a third of the
 * CPU of a full decode for a 2-MP photo. The large preview is made when first shown
 * (`ensurePreview`), not here ([Note: previews on demand]). A thumbnail that already exists is
 * kept: it is keyed by the content fingerprint, so a rerun after a crash or a move writes nothing.
 *
 * With `modelShortEdge`, it also returns the decoded image reduced to that shortest edge, so the
 * embedding stage can use this decode instead of reading the photo again ([Note: decode once]).
 */
export async function processPhoto(
  file: string,
  targets: CacheTargets,
  options: MediaOptions,
  want: { modelShortEdge?: number } = {},
): Promise<PhotoFacts & { modelImage?: RgbPixels }> {
  const head = await probe(file, options);
  const exif = await readExif(file);
  if (await exists(targets.thumb)) return { ...head, ...exif };
  // The shortest edge that serves both: the thumbnail's long edge fits, the model's short edge is met.
  const short = Math.min(head.width, head.height);
  const long = Math.max(head.width, head.height);
  const edge = Math.min(short, Math.max(Math.ceil((options.thumbSize * short) / long), want.modelShortEdge ?? 0));
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(file, { limitInputPixels: options.maxPixels, failOn: 'truncated', sequentialRead: true })
      .rotate()
      .resize(edge, edge, { fit: 'outside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw describeSharpError(e);
  }
  const raw = { raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels } };
  // No Huffman optimisation pass: it took 60 % of the encode time for 8 % smaller files.
  const thumbJpeg = await sharp(decoded.data, raw)
    .resize(options.thumbSize, options.thumbSize, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80, optimiseCoding: false })
    .toBuffer();
  await writeAtomic(targets.thumb, thumbJpeg, targets.tmpDir);
  if (want.modelShortEdge && decoded.info.channels === 3) {
    const modelImage = await reduceToShortEdge({ data: decoded.data, width: decoded.info.width, height: decoded.info.height }, want.modelShortEdge);
    return { ...head, ...exif, modelImage };
  }
  return { ...head, ...exif };
}

// [Note: previews on demand]
// The 1600 px preview of the photo view is made the first time the photo is shown, then cached by
// fingerprint like the thumbnail. Making it while indexing cost more CPU than the thumbnail and
// the model's input together (a full-size decode, a 1600 px resize and encode: 43 → 18 ms a 2-MP
// photo without it), on every photo, most of which are never opened. An offline photo that was
// never opened shows its thumbnail instead (core/api/media.ts).

const making = new Map<string, Promise<void>>();

/** Writes the photo's large preview to `preview` unless it is there; one write per file at a time. */
export function ensurePreview(file: string, preview: string, tmpDir: string, options: MediaOptions): Promise<void> {
  const running = making.get(preview);
  if (running) return running;
  const job = (async () => {
    if (await exists(preview)) return;
    let jpeg: Buffer;
    try {
      jpeg = await sharp(file, { limitInputPixels: options.maxPixels, failOn: 'truncated', sequentialRead: true })
        .rotate()
        .resize(options.previewSize, options.previewSize, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .jpeg({ quality: 82, optimiseCoding: false })
        .toBuffer();
    } catch (e) {
      throw describeSharpError(e);
    }
    await writeAtomic(preview, jpeg, tmpDir);
  })().finally(() => making.delete(preview));
  making.set(preview, job);
  return job;
}
