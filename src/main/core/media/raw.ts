// Camera RAW files (CR2, CR3, NEF, ARW, RAF, DNG, …), opened through the JPEG preview the camera embeds.
//
// [Note: RAW previews]
// Shoebox does not develop sensor data. Every camera embeds a JPEG rendering of the photo in its RAW
// file, and that is what the grid, the search model and the photo view are shown:
//   - Which image. exiftool lists the embedded images under the names it gives them (JpgFromRaw,
//     PreviewImage, OtherImage, ThumbnailImage…, in whichever IFD, maker note or box the format keeps
//     them) with their sizes in bytes; the largest JPEG is extracted (a second request) and used. One
//     whose long edge is under the grid thumbnail's size is a thumbnail, not a preview: a RAW with
//     nothing larger (old cameras, files stripped by converters) fails its thumbnail stage with "no
//     embedded preview" and what was found, and is catalogued all the same. It is never shown from a
//     160-pixel thumbnail blown up, and never from the small uncompressed image a TIFF reader finds
//     first in NEF and DNG files.
//   - Its orientation. Cameras write the photo's orientation in the RAW (IFD0, CR3's CMT1, CRW's and
//     X3F's rotation); the preview usually carries none, and where it does (RAF, RW2 and X3F embed a
//     whole EXIF block) it says the same. When they disagree, the RAW's wins: it is what raw developers
//     honour and what tools change when a photo is turned (exiftool -Orientation, Lightroom writing
//     to a DNG), while the preview inside is left as the camera wrote it. The preview's own orientation
//     is used only when the RAW has none. Either way, the preview's EXIF block is replaced by one that
//     holds just the chosen orientation, and sharp applies that once (`rotate()`), as for any JPEG.
//   - Its size. The catalog records the photo's size, not the preview's: DNG's DefaultCropSize, the
//     X3F header's size, else exiftool's Composite:ImageSize (which already knows each format: CR2's
//     ExifImageWidth, RAF's cropped size, RW2's sensor borders, the full-resolution IFD of NEF, ARW,
//     PEF…), turned upright. Only when exiftool gives none is the preview's size used.
// The pixel limit applies to the preview, which is what is decoded.
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { MediaOptions } from './decode.ts';
import { MediaError } from './errors.ts';
import { exiftoolExtract, exiftoolRead } from './exiftool.ts';
import { checkPixelLimit, upright, type OpenedImage } from './open.ts';

/** The names exiftool gives embedded images across formats. */
const IMAGE_TAGS = ['JpgFromRaw', 'JpgFromRaw2', 'PreviewImage', 'PreviewImage1', 'PreviewImage2', 'OtherImage', 'ZoomedPreviewImage', 'PreviewImageData', 'ThumbnailImage'];
/** exiftool's FileType for camera RAW files (any other means a file with a RAW name that is something else). */
const RAW_FILE_TYPES = new Set([
  '3FR', 'ARI', 'ARQ', 'ARW', 'CR2', 'CR3', 'CRM', 'CRW', 'CS1', 'DCR', 'DNG', 'ERF', 'FFF', 'GPR', 'IIQ', 'K25', 'KDC', 'MEF',
  'MOS', 'MRW', 'NEF', 'NRW', 'ORF', 'ORI', 'PEF', 'RAF', 'RAW', 'RW2', 'RWL', 'SR2', 'SRF', 'SRW', 'X3F',
]);
const IMAGE_TAG = new RegExp(`^([A-Za-z0-9-]+):(${IMAGE_TAGS.join('|')})$`);

/**
 * The first request: -G3:1 names each value "<group>:<tag>" and prefixes embedded documents
 * ("Doc1:"), -a keeps duplicates from other groups, -n gives numbers; each embedded image comes as
 * "(Binary data N bytes…)", and the largest are then extracted one by one.
 */
const READ_ARGS = [
  '-G3:1',
  '-a',
  '-n',
  '-FileType',
  '-Warning',
  '-Orientation',
  '-Rotation',
  '-ImageSize',
  '-DefaultCropSize',
  '-ImageWidth',
  '-ImageHeight',
  ...IMAGE_TAGS.map((t) => `-${t}`),
];

interface Embedded {
  /** exiftool's "<group>:<tag>", e.g. "SubIFD:JpgFromRaw". */
  name: string;
  data: Buffer;
  format: string | undefined;
  width: number;
  height: number;
  orientation: number | null;
}

/** Opens a RAW file: its embedded preview, the photo's own size and orientation ([Note: RAW previews]). */
export async function openRaw(file: string, options: MediaOptions): Promise<OpenedImage> {
  const tags = await exiftoolRead(file, READ_ARGS, 'the RAW file');
  const kind = typeof tags['File:FileType'] === 'string' ? (tags['File:FileType'] as string) : 'RAW file';
  // The largest first (in bytes, which is what exiftool tells without extracting): the first JPEG
  // large enough is the preview; smaller ones are only read to say what the file holds.
  const listed = embeddedImages(tags);
  const seen: Embedded[] = [];
  let best: Embedded | undefined;
  for (const { name, tag } of listed) {
    const image = await readEmbedded(file, name, tag);
    seen.push(image);
    if (image.format === 'jpeg' && Math.max(image.width, image.height) >= options.thumbSize) {
      best = image;
      break;
    }
  }
  if (!best) {
    const warning = typeof tags['ExifTool:Warning'] === 'string' ? ` (exiftool: ${(tags['ExifTool:Warning'] as string).replace(/^\[minor\]\s*/, '')})` : '';
    if (!RAW_FILE_TYPES.has(kind)) throw new MediaError(`not a camera RAW file: exiftool reads it as ${kind === 'RAW file' ? 'nothing it knows' : `a ${kind} file`}${warning}`);
    const jpegs = seen.filter((i) => i.format === 'jpeg');
    const found = jpegs.length
      ? `only ${jpegs.map((i) => `a ${i.width}×${i.height} ${Math.max(i.width, i.height) < 200 ? 'thumbnail' : 'image'} (${tagOf(i.name)})`).join(', ')}, too small to show`
      : seen.length
        ? `no JPEG image (${seen.map((i) => tagOf(i.name)).join(', ')} ${seen.length === 1 ? 'is' : 'are'} not one sharp reads)`
        : 'no JPEG preview at all';
    throw new MediaError(
      `no embedded preview: this ${kind} holds ${found}${warning}; Shoebox shows camera RAW files from the JPEG preview the camera embeds, at least ${options.thumbSize} px on its long edge`,
    );
  }
  checkPixelLimit(best.width, best.height, options);
  const orientation = rawOrientation(tags) ?? best.orientation;
  const own = photoSize(tags) ?? { width: best.width, height: best.height };
  const jpeg = withOrientation(best.data, orientation);
  return {
    format: 'raw',
    ...upright(own.width, own.height, orientation),
    orientation,
    // A preview is a JPEG: a strict read fails on libjpeg's warnings, and readPixels reads it again leniently.
    pixels: async (_need, strict): Promise<Sharp> => sharp(jpeg, { limitInputPixels: options.maxPixels, failOn: strict ? 'warning' : 'none' }).rotate(),
  };
}

function tagOf(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1);
}

/**
 * The main document's embedded images, largest first: exiftool's "<group>:<tag>", its size in bytes,
 * and the name to extract it by — the bare tag name unless another group has one of that name.
 * (Asking for a CRW's image by "CanonRaw:JpgFromRaw" makes exiftool 13 drop that tag's conversion
 * for the rest of the process's life: later reads get its bytes as text. The bare name does not.)
 */
function embeddedImages(tags: Record<string, unknown>): { name: string; bytes: number; tag: string }[] {
  const out: { name: string; bytes: number; tag: string }[] = [];
  for (const [name, value] of Object.entries(tags)) {
    if (typeof value !== 'string' || !IMAGE_TAG.test(name)) continue;
    // "(Binary data N bytes, use -b option to extract)"; the bytes themselves from a process in that state.
    const bytes = /^\(Binary data (\d+) bytes/.exec(value)?.[1];
    out.push({ name, bytes: bytes ? Number(bytes) : value.length, tag: name });
  }
  for (const image of out) {
    const bare = tagOf(image.name);
    if (out.filter((o) => tagOf(o.name) === bare).length === 1) image.tag = bare;
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

/** One embedded image's bytes, with what sharp reads of its header (nothing, for what is not an image it reads). */
async function readEmbedded(file: string, name: string, tag: string): Promise<Embedded> {
  const data = await exiftoolExtract(file, tag, 'the RAW file');
  let meta: Metadata | undefined;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    meta = undefined; // a raw-pixel thumbnail, a damaged preview
  }
  return { name, data, format: meta?.format, width: meta?.width ?? 0, height: meta?.height ?? 0, orientation: meta?.orientation ?? null };
}

function int(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.round(n) : null;
}

/** The RAW's own orientation (1–8): its IFD0's, else another of the main document's, else CRW's and X3F's rotation in degrees. */
function rawOrientation(tags: Record<string, unknown>): number | null {
  const valid = (v: unknown) => {
    const n = int(v);
    return n !== null && n >= 1 && n <= 8 ? n : null;
  };
  const main = Object.keys(tags).filter((k) => /^[A-Za-z0-9-]+:Orientation$/.test(k));
  const ifd0 = valid(tags['IFD0:Orientation']);
  if (ifd0 !== null) return ifd0;
  for (const k of main) {
    const o = valid(tags[k]);
    if (o !== null) return o;
  }
  // Canon CRW (ImageInfo) and Sigma X3F (header) record how far the camera was turned, clockwise.
  const degrees = int(tags['CanonRaw:Rotation'] ?? tags['SigmaRaw:Rotation']);
  if (degrees === null) return null;
  return { 0: 1, 90: 6, 180: 3, 270: 8 }[((degrees % 360) + 360) % 360] ?? null;
}

/** The photo's own size as stored (before orientation): see [Note: RAW previews]. */
function photoSize(tags: Record<string, unknown>): { width: number; height: number } | null {
  const pair = (v: unknown) => {
    if (typeof v !== 'string') return null;
    const [w, h] = v.trim().split(/[\sx]+/).map(int);
    return w && h && w > 0 && h > 0 ? { width: w, height: h } : null;
  };
  const crop = Object.keys(tags).find((k) => /^[A-Za-z0-9-]+:DefaultCropSize$/.test(k));
  const sigmaW = int(tags['SigmaRaw:ImageWidth']);
  const sigmaH = int(tags['SigmaRaw:ImageHeight']);
  return (
    (crop ? pair(tags[crop]) : null) ??
    (sigmaW && sigmaH ? { width: sigmaW, height: sigmaH } : null) ??
    pair(tags['Composite:ImageSize'])
  );
}

/**
 * The JPEG with its EXIF block replaced by one that holds only `orientation` (none at all for null
 * or 1), so sharp's rotate() applies exactly that, once. Other segments (ICC profile, XMP) are kept.
 */
export function withOrientation(jpeg: Buffer, orientation: number | null): Buffer {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return jpeg;
  const parts: Buffer[] = [jpeg.subarray(0, 2)];
  if (orientation !== null && orientation !== 1) parts.push(orientationApp1(orientation));
  let i = 2;
  // Header segments up to the first that is not an APPn/COM/DQT/… with a length: the scan follows.
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xff) {
      i++; // a fill byte before a marker
      continue;
    }
    if (marker === 0xda || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) break;
    const len = jpeg.readUInt16BE(i + 2);
    const isExif = marker === 0xe1 && jpeg.subarray(i + 4, i + 10).toString('latin1') === 'Exif\0\0';
    if (!isExif) parts.push(jpeg.subarray(i, i + 2 + len));
    i += 2 + len;
  }
  parts.push(jpeg.subarray(i));
  return Buffer.concat(parts);
}

/** A minimal APP1 EXIF segment: a big-endian TIFF whose IFD0 holds Orientation alone. */
function orientationApp1(orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // count
  tiff.writeUInt16BE(orientation, 18); // value, left-justified in its 4 bytes
  tiff.writeUInt32BE(0, 22); // no next IFD
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}
