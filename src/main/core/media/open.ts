// Opens a photo file as an upright image, whatever its format: the one door every read of pixels goes through.
//
// [Note: image sources] sharp (libvips) reads most formats from the file itself. The others come
// through an opener of their own and hand sharp something it can read:
//   - HEIC/HEIF (HEVC) where libvips has no HEVC decoder: decoded by libheif (wasm) off the main
//     thread, already upright (heif.ts);
//   - camera RAW: the largest embedded JPEG preview, through exiftool (raw.ts);
//   - BMP: decoded in JS into raw pixels (bmp.ts).
// Every opener answers the same questions: the photo's own upright size (a RAW's, not its
// preview's), and a sharp pipeline of the upright pixels at least as large as the caller needs.
import fs from 'node:fs';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { DECODABLE, isRawName } from './formats.ts';
import type { MediaOptions } from './decode.ts';
import { MediaError } from './errors.ts';
import { isBmp, openBmp } from './bmp.ts';
import { openRaw } from './raw.ts';
import { heifDecoder, openHeif } from './heif.ts';
import { errorMessage } from '../../../shared/error-message.ts';

export interface OpenedImage {
  /** The format as catalogued: 'jpeg', 'png', 'heif', 'raw', 'bmp'… */
  format: string;
  /** The photo's own size, upright (orientation applied). */
  width: number;
  height: number;
  /** The EXIF orientation of the file (1–8), null when it has none. */
  orientation: number | null;
  /**
   * The upright image as a sharp pipeline, for a reader that needs `needLongEdge` pixels on its long
   * edge (a source with an embedded image that large may use it). The caller adds resize and output.
   * `strict` refuses a damaged file (readPixels then reads it again leniently, with `strict` false).
   */
  pixels(needLongEdge: number, strict: boolean): Promise<Sharp>;
}

const FORMAT_NAMES = 'JPEG, PNG, WebP, AVIF, TIFF, GIF, HEIC, BMP or camera RAW';

/** sharp's and libvips's errors, worded for the person who owns the photo. */
function describeSharpError(e: unknown): MediaError {
  if (e instanceof MediaError) return e;
  const msg = errorMessage(e);
  if (/unsupported image format/i.test(msg)) {
    return new MediaError(`unsupported format: not a ${FORMAT_NAMES} image this build can read`);
  }
  if (/premature end|truncated|unexpected end/i.test(msg)) return new MediaError(`corrupt image: the file is truncated (${msg.trim()})`);
  if (/pixel limit/i.test(msg)) return new MediaError(`image too large: ${msg.trim()}`);
  if (/EACCES|EPERM/.test(msg)) return new MediaError(`cannot read the file: permission denied`);
  if (/ENOENT/.test(msg)) return new MediaError(`the file disappeared while it was read`);
  return new MediaError(`corrupt image: ${msg.trim()}`);
}

/** Refuses an image whose pixel count is over the limit, before anything decodes it. */
export function checkPixelLimit(width: number, height: number, options: MediaOptions): void {
  if (!width || !height) throw new MediaError('corrupt image: the header gives no size');
  const pixels = width * height;
  if (pixels > options.maxPixels) {
    throw new MediaError(
      `image too large: ${width}×${height} is ${(pixels / 1e6).toFixed(0)} megapixels, over the limit of ${(options.maxPixels / 1e6).toFixed(0)}; not decoded`,
    );
  }
}

/** Width and height after an EXIF orientation: 5–8 turn the image a quarter. */
export function upright(width: number, height: number, orientation: number | null): { width: number; height: number } {
  const swap = orientation !== null && orientation >= 5 && orientation <= 8;
  return swap ? { width: height, height: width } : { width, height };
}

async function statOrThrow(file: string): Promise<fs.Stats> {
  const st = await fs.promises.stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new MediaError(e.code === 'ENOENT' ? 'the file disappeared' : `cannot read the file: ${e.code ?? e.message}`);
  });
  if (st.size === 0) throw new MediaError('empty file (0 bytes)');
  return st;
}

/**
 * Runs `finish` on the image's pixels. A file the decoder complains about (corrupt segments, a
 * missing end marker, a cut-off file) is read again leniently and comes back with the decoder's
 * words as its `damaged` note: the photo is shown, marked damaged. (A strict read first, because
 * libvips drops its warnings on the shrink-on-load path, so a lenient read alone would not say.)
 * A JPEG cut off before its first scan has no pixels of its own, only the decoder's grey: that
 * stays a failure, as does anything the lenient read cannot decode.
 */
export async function readPixels<T>(
  file: string,
  img: OpenedImage,
  needLongEdge: number,
  finish: (pixels: Sharp) => Promise<T>,
): Promise<{ result: T; damaged: string | null }> {
  try {
    return { result: await finish(await img.pixels(needLongEdge, true)), damaged: null };
  } catch (e) {
    if (e instanceof MediaError || !(e instanceof Error) || /pixel limit|EACCES|EPERM|ENOENT/.test(e.message)) throw describeSharpError(e);
    let words = e.message.trim();
    if (img.format === 'jpeg' && !(await hasJpegScan(file))) throw new MediaError(`corrupt image: the file ends before any image data (${words})`);
    // libvips keeps one error buffer for all threads: with decodes running side by side, sharp
    // sometimes finds it empty and says only this. The decoder's own words come from a full lenient
    // read, whose warnings sharp does pass on (a damaged photo only: rare, and worth saying why).
    if (!words || /warning treated as error/i.test(words)) words = (await complaints(img, needLongEdge)) ?? (await cutOffJpeg(file, img.format)) ?? 'the decoder reported damage but not what it was';
    try {
      return { result: await finish(await img.pixels(needLongEdge, false)), damaged: words };
    } catch (again) {
      throw describeSharpError(again);
    }
  }
}

/** What the decoder warns about while reading the whole image leniently, or null when it says nothing. */
async function complaints(img: OpenedImage, needLongEdge: number): Promise<string | null> {
  const said: string[] = [];
  try {
    const pixels = await img.pixels(needLongEdge, false);
    pixels.on('warning', (w: unknown) => {
      const text = String(w).trim();
      if (text && !/^read gave \d+ warnings?$/.test(text) && !said.includes(text)) said.push(text);
    });
    await pixels.raw().toBuffer();
  } catch {
    return null;
  }
  return said.length ? said.join('; ') : null;
}

/**
 * A JPEG's damage said from its bytes when the decoder's words were lost (the warnings of decodes
 * running side by side reach the wrong read): one cut off ends without its end-of-image marker
 * (FF D9; trailing zero padding allowed, and entropy-coded data never holds FF D9). Null otherwise.
 */
export async function cutOffJpeg(file: string, format: string): Promise<string | null> {
  if (format !== 'jpeg') return null;
  const data = await fs.promises.readFile(file);
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  if (end >= 2 && data[end - 2] === 0xff && data[end - 1] === 0xd9) return null;
  return 'Premature end of JPEG file (it ends without its end-of-image marker)';
}

/** True when the file starts with a JPEG's start-of-image marker. */
async function isJpeg(file: string): Promise<boolean> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await fd.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0xff && buffer[1] === 0xd8;
  } finally {
    await fd.close();
  }
}

/** True when a JPEG has a start-of-scan marker followed by data. */
async function hasJpegScan(file: string): Promise<boolean> {
  const data = await fs.promises.readFile(file);
  for (let i = 2; i + 4 < data.length; i++) {
    if (data[i] === 0xff && data[i + 1] === 0xda) return data.length - i > 16;
  }
  return false;
}

/** The first bytes of a file, for formats libvips cannot name. */
async function sniff(file: string): Promise<'bmp' | 'jxl' | null> {
  const head = Buffer.alloc(32);
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  if (isBmp(head)) return 'bmp';
  // A bare JPEG XL codestream starts FF 0A; the container with the box "JXL " and its signature.
  if ((head[0] === 0xff && head[1] === 0x0a) || head.subarray(0, 12).equals(JXL_CONTAINER)) return 'jxl';
  return null;
}

const JXL_CONTAINER = Buffer.from([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a]);

/**
 * How strict the first read of each format is. A JPEG fails on any warning of libjpeg's (corrupt data,
 * a premature end), which then marks it damaged. Other formats keep the level they always had, failing
 * only when cut off: libtiff, for one, warns about harmless things (an unknown private tag from a
 * scanner) that must not mark a good photo damaged.
 */
const STRICT: Record<string, 'warning' | 'truncated'> = { jpeg: 'warning' };

/** Reads the header (format and size) and refuses oversize images; opens the file with the opener its format needs. */
export async function openImage(file: string, options: MediaOptions): Promise<OpenedImage> {
  await statOrThrow(file);
  // Before sharp's probe, which reads NEF, DNG and CR2 as TIFFs: their first, tiny image ([Note: RAW previews]).
  if (isRawName(file)) return openRaw(file, options);
  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (e) {
    // Formats libvips has no loader for: recognised by their first bytes.
    const sniffed = /unsupported image format/i.test(e instanceof Error ? e.message : '') ? await sniff(file) : null;
    if (sniffed === 'bmp') return openBmp(file, options);
    if (sniffed === 'jxl') throw new MediaError('unsupported format: JPEG XL (.jxl); Shoebox has no JPEG XL decoder yet');
    // A JPEG cut off inside its header: said from the bytes, since libvips's own words may be empty
    // when decodes run side by side (its one error buffer, see readPixels).
    if (!sniffed && (await isJpeg(file)) && !(await hasJpegScan(file))) {
      throw new MediaError(`corrupt image: the file ends before any image data (${errorMessage(e).trim() || 'the header is cut off'})`);
    }
    throw describeSharpError(e);
  }
  const format = meta.format ?? 'unknown';
  if (!DECODABLE.has(format)) throw new MediaError(`unsupported format: ${format.toUpperCase()} (Shoebox reads ${FORMAT_NAMES})`);
  if (format === 'heif' && meta.compression === 'hevc' && (await heifDecoder()).decoder === 'libheif-js') return openHeif(file, meta, options);
  const orientation = meta.orientation ?? null;
  checkPixelLimit(meta.width ?? 0, meta.height ?? 0, options);
  const size = upright(meta.width!, meta.height!, orientation);
  return {
    format,
    ...size,
    orientation,
    pixels: async (_need, strict) =>
      sharp(file, { limitInputPixels: options.maxPixels, failOn: strict ? STRICT[format] ?? 'truncated' : 'none', sequentialRead: true }).rotate(),
  };
}
