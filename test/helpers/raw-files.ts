// Camera RAW files made on the fly, laid out as the cameras lay them out, so that exiftool recognises
// each as its format and finds its embedded previews where it finds a real file's.
//
// Most RAW formats are TIFF containers: a TIFF writer (IFDs, sub-IFDs, EXIF and GPS IFDs, maker
// notes with their own offset bases, image data by offset) builds CR2, NEF, NRW, DNG, ARW, SR2, PEF,
// ORF, RW2, SRW and ERF. RAF (Fujifilm's header with a JPEG at an offset), CR3 (ISO-BMFF boxes with
// TIFF blocks inside), CRW (Canon's CIFF heaps), MRW (Minolta's blocks around a TIFF) and X3F
// (Sigma's sections) have writers of their own. Each layout follows exiftool's own parsing rules
// (lib/Image/ExifTool/*.pm) and the structure of the maker's files; each writer's comment says where
// its previews are. What is not real: the sensor data is a few placeholder bytes (nothing here, nor
// Shoebox, decodes it), maker notes hold only the tags that matter here, and the pictures are
// coloured quadrants. IIQ (Phase One) and 3FR (Hasselblad) are not written: their preview layouts
// could not be checked against a real file here.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

// ---- bytes -------------------------------------------------------------------------------------

/** A growing byte buffer with the endianness of the structure being written. */
class Bytes {
  private buf = Buffer.alloc(1024);
  length = 0;
  constructor(readonly le: boolean) {}

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  append(data: Buffer | string): number {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    const at = this.length;
    this.room(b.length);
    b.copy(this.buf, at);
    this.length += b.length;
    return at;
  }
  align(n: number): void {
    while (this.length % n) this.append(Buffer.alloc(1));
  }
  u8(v: number): number {
    return this.append(Buffer.from([v & 0xff]));
  }
  u16(v: number): number {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return this.append(b);
  }
  u32(v: number): number {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return this.append(b);
  }
  patch16(at: number, v: number): void {
    if (this.le) this.buf.writeUInt16LE(v, at);
    else this.buf.writeUInt16BE(v, at);
  }
  patch32(at: number, v: number): void {
    if (this.le) this.buf.writeUInt32LE(v >>> 0, at);
    else this.buf.writeUInt32BE(v >>> 0, at);
  }
  /** Overwrites bytes already written (values already in this byte order). */
  put(at: number, data: Buffer): void {
    data.copy(this.buf, at);
  }
  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

function u32be(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
function u32le(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}
function u16le(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}

// ---- TIFF --------------------------------------------------------------------------------------

const BYTE = 1;
const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const UNDEFINED = 7;

/** One IFD: its entries, and the IFD chained after it (IFD0 → IFD1 → IFD2). */
export interface Ifd {
  entries: Entry[];
  next?: Ifd;
}

type Entry =
  | { tag: number; type: number; count: number; data: (w: Bytes) => void }
  /** Offsets of other IFDs (SubIFDs, ExifIFD, GPS, Canon's and Nikon's sub-directories). */
  | { tag: number; ifds: Ifd[] }
  /** Offset of a block of bytes (image data), with its length under `lengthTag`. */
  | { tag: number; lengthTag: number; blob: Buffer }
  /** A maker note: `prefix` then an IFD, inline in the EXIF IFD; offsets from `base` ('tiff' or the note's own start). */
  | { tag: number; makerNote: { prefix: Buffer; ifd: Ifd; base: 'tiff' | 'note' } };

export const t = {
  byte: (tag: number, ...v: number[]): Entry => ({ tag, type: BYTE, count: v.length, data: (w) => v.forEach((x) => w.u8(x)) }),
  short: (tag: number, ...v: number[]): Entry => ({ tag, type: SHORT, count: v.length, data: (w) => v.forEach((x) => w.u16(x)) }),
  long: (tag: number, ...v: number[]): Entry => ({ tag, type: LONG, count: v.length, data: (w) => v.forEach((x) => w.u32(x)) }),
  ascii: (tag: number, s: string): Entry => ({ tag, type: ASCII, count: Buffer.byteLength(s, 'latin1') + 1, data: (w) => w.append(`${s}\0`) }),
  rational: (tag: number, ...v: [number, number][]): Entry => ({
    tag,
    type: RATIONAL,
    count: v.length,
    data: (w) => v.forEach(([n, d]) => (w.u32(n), w.u32(d))),
  }),
  undef: (tag: number, b: Buffer): Entry => ({ tag, type: UNDEFINED, count: b.length, data: (w) => w.append(b) }),
  ifds: (tag: number, ...ifds: Ifd[]): Entry => ({ tag, ifds }),
  blob: (tag: number, lengthTag: number, blob: Buffer): Entry => ({ tag, lengthTag, blob }),
  makerNote: (prefix: Buffer, ifd: Ifd, base: 'tiff' | 'note' = 'tiff'): Entry => ({ tag: 0x927c, makerNote: { prefix, ifd, base } }),
};

/** Value bytes of a plain entry, in the writer's byte order. */
function valueBytes(w: Bytes, e: Extract<Entry, { data: unknown }>): Buffer {
  const v = new Bytes(w.le);
  e.data(v);
  return v.bytes();
}

/**
 * Writes `ifd` (and everything it points to) at the end of `w`; returns its offset from `base`.
 * Every offset inside is relative to `base` (the TIFF header's position; a maker note's start for
 * Olympus-style notes). `where` records each IFD's offset, for headers that point at one (CR2).
 */
function writeIfd(w: Bytes, ifd: Ifd, base: number, where: Map<Ifd, number>): number {
  w.align(2);
  const at = w.length;
  where.set(ifd, at - base);
  // Length tags are filled in with their blobs; an entry's value bytes come right after the table.
  const expanded: { tag: number; entry: Entry }[] = [];
  for (const e of ifd.entries) {
    expanded.push({ tag: e.tag, entry: e });
    if ('blob' in e) expanded.push({ tag: e.lengthTag, entry: t.long(e.lengthTag, e.blob.length) });
  }
  expanded.sort((a, b) => a.tag - b.tag);
  w.u16(expanded.length);
  const slots = expanded.map(() => {
    const slot = w.length;
    w.append(Buffer.alloc(12));
    return slot;
  });
  const nextSlot = w.u32(0);
  const later: (() => void)[] = [];
  expanded.forEach(({ entry: e }, i) => {
    const slot = slots[i]!;
    w.patch16(slot, e.tag);
    if ('data' in e) {
      w.patch16(slot + 2, e.type);
      w.patch32(slot + 4, e.count);
      const bytes = valueBytes(w, e);
      if (bytes.length <= 4) {
        w.put(slot + 8, bytes);
      } else {
        later.push(() => {
          w.align(2);
          const off = w.append(bytes);
          w.patch32(slot + 8, off - base);
        });
      }
    } else if ('ifds' in e) {
      w.patch16(slot + 2, LONG);
      w.patch32(slot + 4, e.ifds.length);
      later.push(() => {
        const offsets = e.ifds.map((sub) => writeIfd(w, sub, base, where));
        if (offsets.length === 1) w.patch32(slot + 8, offsets[0]!);
        else {
          w.align(2);
          const list = w.length;
          offsets.forEach((o) => w.u32(o));
          w.patch32(slot + 8, list - base);
        }
      });
    } else if ('blob' in e) {
      w.patch16(slot + 2, LONG);
      w.patch32(slot + 4, 1);
      later.push(() => {
        w.align(2);
        w.patch32(slot + 8, w.append(e.blob) - base);
      });
    } else {
      w.patch16(slot + 2, UNDEFINED);
      later.push(() => {
        w.align(2);
        const start = w.append(e.makerNote.prefix);
        writeIfd(w, e.makerNote.ifd, e.makerNote.base === 'tiff' ? base : start, where);
        w.patch32(slot + 4, w.length - start);
        w.patch32(slot + 8, start - base);
      });
    }
  });
  for (const run of later) run();
  if (ifd.next) w.patch32(nextSlot, writeIfd(w, ifd.next, base, where));
  return at - base;
}

export interface TiffLayout {
  /** 'II' (Intel, little-endian) or 'MM' (Motorola). */
  byteOrder: 'II' | 'MM';
  /** The 16-bit identifier after the byte order: 42 for TIFF, 0x4f52 "RO" for ORF, 0x55 "U" for RW2. */
  magic?: number;
  /** Bytes between the 8-byte header and IFD0 (CR2's "CR" signature, RW2's 16-byte magic). */
  extraHeader?: Buffer;
  /** Called with the finished file and each IFD's offset, to patch a header that points at an IFD. */
  finish?: (w: Bytes, where: Map<Ifd, number>) => void;
}

/** A whole TIFF file: header, IFD0 right after it, then everything IFD0 leads to. */
export function encodeTiff(ifd0: Ifd, layout: TiffLayout = { byteOrder: 'II' }): Buffer {
  const w = new Bytes(layout.byteOrder === 'II');
  w.append(layout.byteOrder);
  w.u16(layout.magic ?? 42);
  const ifdOffset = w.u32(0);
  if (layout.extraHeader) w.append(layout.extraHeader);
  const where = new Map<Ifd, number>();
  w.patch32(ifdOffset, writeIfd(w, ifd0, 0, where));
  layout.finish?.(w, where);
  return w.bytes();
}

// ---- the pictures inside ------------------------------------------------------------------------

/** The preview's four quadrants, so a test can tell how it was turned: top-left, top-right, bottom-left, bottom-right. */
export const QUADRANTS = {
  tl: { r: 220, g: 30, b: 30 },
  tr: { r: 30, g: 200, b: 40 },
  bl: { r: 30, g: 60, b: 220 },
  br: { r: 240, g: 220, b: 30 },
} as const;
export type Corner = keyof typeof QUADRANTS;

/** The colour of a camera's small thumbnails here: never the preview's colours, so picking one shows. */
export const THUMBNAIL_COLOUR = { r: 255, g: 0, b: 255 } as const;

/**
 * A JPEG of four coloured quadrants (QUADRANTS), as a camera writes its preview: no EXIF, unless
 * `orientation` (the preview's own EXIF Orientation) or `exif` (a full EXIF block, as RAF, RW2
 * and X3F previews carry) is given.
 */
export async function quadrantJpeg(
  width: number,
  height: number,
  opts: { orientation?: number; exif?: Record<string, Record<string, string>>; quality?: number } = {},
): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  const hw = Math.floor(width / 2);
  const hh = Math.floor(height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = QUADRANTS[y < hh ? (x < hw ? 'tl' : 'tr') : x < hw ? 'bl' : 'br'];
      const i = (y * width + x) * 3;
      px[i] = c.r;
      px[i + 1] = c.g;
      px[i + 2] = c.b;
    }
  }
  let img = sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: opts.quality ?? 85 });
  if (opts.exif) img = img.withExif(opts.exif);
  if (opts.orientation) img = img.withMetadata({ orientation: opts.orientation });
  return img.toBuffer();
}

/** A small solid JPEG in THUMBNAIL_COLOUR, as the 160×120 thumbnails cameras embed. */
export function thumbnailJpeg(width = 160, height = 120): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: THUMBNAIL_COLOUR } }).jpeg({ quality: 80 }).toBuffer();
}

/** Uncompressed 8-bit RGB pixels in THUMBNAIL_COLOUR, as NEF's and DNG's IFD0 thumbnails. */
function rgbPixels(width: number, height: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) px.set([THUMBNAIL_COLOUR.r, THUMBNAIL_COLOUR.g, THUMBNAIL_COLOUR.b], i * 3);
  return px;
}

/** Stand-in for the sensor data: nothing decodes it (a real one is tens of megabytes). */
const RAW_DATA = Buffer.alloc(512, 0x5a);

// ---- the RAW files ------------------------------------------------------------------------------

export const RAW_FORMATS = ['cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'sr2', 'raf', 'orf', 'rw2', 'pef', 'dng', 'srw', 'mrw', 'x3f', 'erf'] as const;
export type RawFormat = (typeof RAW_FORMATS)[number];

export interface RawSpec {
  /** The photo's own size as the camera records it, before its orientation is applied. */
  width?: number;
  height?: number;
  /** The RAW's own orientation (EXIF 1–8; CRW and X3F store it as a rotation, converted here); null writes none. Default 1. */
  orientation?: number | null;
  make?: string;
  model?: string;
  /** 'YYYY:MM:DD HH:MM:SS' */
  takenAt?: string;
  gps?: { lat: number; lon: number };
  /** The embedded JPEG preview; null for a RAW without one. Default: a quadrant JPEG a quarter of the photo's size. */
  preview?: Buffer | null;
  /** The camera's small thumbnail (160×120 or so, in THUMBNAIL_COLOUR); default true. */
  thumbnail?: boolean;
}

/** Each format's camera and photo size, as a real camera of that make writes them. */
export const RAW_CAMERAS: Record<RawFormat, { make: string; model: string; width: number; height: number }> = {
  cr2: { make: 'Canon', model: 'Canon EOS 5D Mark III', width: 5760, height: 3840 },
  cr3: { make: 'Canon', model: 'Canon EOS R', width: 6720, height: 4480 },
  crw: { make: 'Canon', model: 'Canon EOS 300D DIGITAL', width: 3072, height: 2048 },
  nef: { make: 'NIKON CORPORATION', model: 'NIKON D700', width: 3040, height: 2014 },
  nrw: { make: 'NIKON', model: 'COOLPIX P7000', width: 3648, height: 2736 },
  arw: { make: 'SONY', model: 'ILCE-7M3', width: 6048, height: 4024 },
  sr2: { make: 'SONY', model: 'DSC-R1', width: 3872, height: 2592 },
  raf: { make: 'FUJIFILM', model: 'X-T3', width: 6240, height: 4160 },
  orf: { make: 'OLYMPUS IMAGING CORP.', model: 'E-M5', width: 4640, height: 3472 },
  rw2: { make: 'Panasonic', model: 'DMC-GH4', width: 4608, height: 3456 },
  pef: { make: 'PENTAX', model: 'PENTAX K-5', width: 4928, height: 3264 },
  dng: { make: 'Leica Camera AG', model: 'LEICA M (Typ 240)', width: 3516, height: 2328 },
  srw: { make: 'SAMSUNG', model: 'NX300', width: 5472, height: 3648 },
  mrw: { make: 'Minolta Co., Ltd.', model: 'DiMAGE A2', width: 3272, height: 2456 },
  x3f: { make: 'SIGMA', model: 'SIGMA DP2 Merrill', width: 4704, height: 3136 },
  erf: { make: 'SEIKO EPSON CORP.', model: 'R-D1', width: 3008, height: 2000 },
};

interface Resolved {
  width: number;
  height: number;
  orientation: number | null;
  make: string;
  model: string;
  takenAt: string;
  gps?: { lat: number; lon: number };
  preview: Buffer | null;
  thumbnail: boolean;
}

async function resolve(format: RawFormat, spec: RawSpec): Promise<Resolved> {
  const cam = RAW_CAMERAS[format];
  const width = spec.width ?? cam.width;
  const height = spec.height ?? cam.height;
  return {
    width,
    height,
    orientation: spec.orientation === undefined ? 1 : spec.orientation,
    make: spec.make ?? cam.make,
    model: spec.model ?? cam.model,
    takenAt: spec.takenAt ?? '2021:06:05 14:30:00',
    gps: spec.gps,
    preview: spec.preview === undefined ? await quadrantJpeg(Math.round(width / 4), Math.round(height / 4)) : spec.preview,
    thumbnail: spec.thumbnail ?? true,
  };
}

function dms(v: number): [number, number][] {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  const s = Math.round(((a - d) * 60 - m) * 60 * 100);
  return [
    [d, 1],
    [m, 1],
    [s, 100],
  ];
}

function gpsIfd(gps: { lat: number; lon: number }): Ifd {
  return {
    entries: [
      t.byte(0x0000, 2, 3, 0, 0),
      t.ascii(0x0001, gps.lat >= 0 ? 'N' : 'S'),
      t.rational(0x0002, ...dms(gps.lat)),
      t.ascii(0x0003, gps.lon >= 0 ? 'E' : 'W'),
      t.rational(0x0004, ...dms(gps.lon)),
    ],
  };
}

/** The EXIF IFD: dates, exposure, and (CR2, MRW, ERF) the photo's size, a maker note. */
function exifIfd(r: Resolved, extra: Entry[] = []): Ifd {
  return {
    entries: [
      t.rational(0x829a, [1, 250]),
      t.rational(0x829d, [56, 10]),
      t.short(0x8827, 400),
      t.undef(0x9000, Buffer.from('0230')),
      t.ascii(0x9003, r.takenAt),
      t.ascii(0x9004, r.takenAt),
      t.rational(0x920a, [50, 1]),
      ...extra,
    ],
  };
}

/** IFD0's description of the camera and the photo, shared by the TIFF-based formats. */
function cameraTags(r: Resolved, exif: Entry[] = []): Entry[] {
  const tags = [
    t.ascii(0x010f, r.make),
    t.ascii(0x0110, r.model),
    ...(r.orientation === null ? [] : [t.short(0x0112, r.orientation)]),
    t.rational(0x011a, [300, 1]),
    t.rational(0x011b, [300, 1]),
    t.short(0x0128, 2),
    t.ascii(0x0132, r.takenAt),
    t.ifds(0x8769, exifIfd(r, exif)),
  ];
  if (r.gps) tags.push(t.ifds(0x8825, gpsIfd(r.gps)));
  return tags;
}

/** An IFD of uncompressed 8-bit RGB (the small thumbnails in NEF's and DNG's IFD0). */
function rgbImage(width: number, height: number, subfileType = 1): Entry[] {
  return [
    t.long(0x00fe, subfileType),
    t.long(0x0100, width),
    t.long(0x0101, height),
    t.short(0x0102, 8, 8, 8),
    t.short(0x0103, 1),
    t.short(0x0106, 2),
    t.blob(0x0111, 0x0117, rgbPixels(width, height)),
    t.short(0x0115, 3),
    t.long(0x0116, height),
    t.short(0x011c, 1),
  ];
}

/** The sensor data's IFD: full resolution (NewSubfileType 0), a colour filter array, the camera's compression. */
function rawImage(width: number, height: number, compression: number, bits = 14): Entry[] {
  return [
    t.long(0x00fe, 0),
    t.long(0x0100, width),
    t.long(0x0101, height),
    t.short(0x0102, bits),
    t.short(0x0103, compression),
    t.short(0x0106, 32803),
    t.blob(0x0111, 0x0117, RAW_DATA),
    t.short(0x0115, 1),
    t.long(0x0116, height),
    t.short(0x011c, 1),
    t.short(0x828d, 2, 2),
    t.byte(0x828e, 0, 1, 1, 2),
  ];
}

/** A JPEG by JPEGInterchangeFormat (old-style JPEG, Compression 6): previews in NEF SubIFDs, ARW IFD0, PEF IFD2, IFD1 thumbnails. */
function jpegByOffset(jpeg: Buffer, subfileType = 1): Entry[] {
  return [t.long(0x00fe, subfileType), t.short(0x0103, 6), t.rational(0x011a, [300, 1]), t.rational(0x011b, [300, 1]), t.short(0x0128, 2), t.blob(0x0201, 0x0202, jpeg), t.short(0x0213, 2)];
}

async function jpegSize(jpeg: Buffer): Promise<{ width: number; height: number }> {
  const m = await sharp(jpeg).metadata();
  return { width: m.width!, height: m.height! };
}

/** CR2: TIFF with "CR\2\0" and the raw IFD's offset after the header; IFD0 the full JPEG preview (StripOffsets), IFD1 a thumbnail, IFD2 a small RGB image, IFD3 the raw data. */
async function cr2(r: Resolved): Promise<Buffer> {
  const ifd3: Ifd = { entries: [t.short(0x0103, 6), t.blob(0x0111, 0x0117, RAW_DATA), t.short(0xc5d8, 1), t.short(0xc640, 1, 2880, 2880)] };
  const ifd2: Ifd = { entries: rgbImage(96, 64, 0).filter((e) => e.tag !== 0x00fe), next: ifd3 };
  const ifd1: Ifd = { entries: r.thumbnail ? jpegByOffset(await thumbnailJpeg(160, 120)).filter((e) => e.tag !== 0x00fe) : [t.short(0x0103, 6)], next: ifd2 };
  const preview = r.preview ? await jpegSize(r.preview) : { width: 0, height: 0 };
  const ifd0: Ifd = {
    entries: [
      t.long(0x0100, preview.width),
      t.long(0x0101, preview.height),
      t.short(0x0102, 8, 8, 8),
      t.short(0x0103, 6),
      ...(r.preview ? [t.blob(0x0111, 0x0117, r.preview)] : []),
      ...cameraTags(r, [t.long(0xa002, r.width), t.long(0xa003, r.height)]),
    ],
    next: ifd1,
  };
  // bytes 8–15: "CR", version 2.0, then the raw IFD's offset (patched once it is laid out)
  const extraHeader = Buffer.from([0x43, 0x52, 2, 0, 0, 0, 0, 0]);
  return encodeTiff(ifd0, { byteOrder: 'II', extraHeader, finish: (w, where) => w.patch32(12, where.get(ifd3)!) });
}

/** NEF: Motorola TIFF; IFD0 a 160-px RGB thumbnail (what a TIFF reader sees), SubIFD0 the JpgFromRaw, SubIFD1 the raw data. NRW: the same with a JPEG thumbnail in IFD0. */
async function nef(r: Resolved, nrw: boolean): Promise<Buffer> {
  const subs: Ifd[] = [];
  if (r.preview) subs.push({ entries: jpegByOffset(r.preview) });
  subs.push({ entries: rawImage(r.width, r.height, nrw ? 1 : 34713, 12) });
  const tw = 160;
  const th = Math.round((160 * r.height) / r.width);
  const thumb: Entry[] = !r.thumbnail
    ? [t.long(0x00fe, 1)]
    : nrw
      ? [t.long(0x00fe, 1), t.short(0x0103, 6), t.blob(0x0201, 0x0202, await thumbnailJpeg(tw, th))]
      : rgbImage(tw, th);
  return encodeTiff({ entries: [...thumb, ...cameraTags(r), t.ifds(0x014a, ...subs)] }, { byteOrder: 'MM' });
}

/** DNG: IFD0 a small RGB thumbnail with DNGVersion; SubIFD0 the raw data with its default crop, SubIFD1 a JPEG preview (Compression 7, YCbCr). */
async function dng(r: Resolved): Promise<Buffer> {
  // The raw image carries a few border pixels around the default crop, as real sensors do.
  const raw = rawImage(r.width + 12, r.height + 12, 7, 16).filter((e) => e.tag !== 0x0106);
  const subs: Ifd[] = [{ entries: [...raw, t.short(0x0106, 32803), t.long(0xc61f, 6, 6), t.long(0xc620, r.width, r.height)] }];
  if (r.preview) {
    const p = await jpegSize(r.preview);
    subs.push({
      entries: [
        t.long(0x00fe, 1),
        t.long(0x0100, p.width),
        t.long(0x0101, p.height),
        t.short(0x0102, 8, 8, 8),
        t.short(0x0103, 7),
        t.short(0x0106, 6),
        t.blob(0x0111, 0x0117, r.preview),
        t.short(0x0115, 3),
        t.long(0x0116, p.height),
        t.short(0x011c, 1),
        t.long(0xc71a, 2),
      ],
    });
  }
  const thumb = r.thumbnail ? rgbImage(256, Math.round((256 * r.height) / r.width)) : [t.long(0x00fe, 1)];
  return encodeTiff(
    {
      entries: [...thumb, ...cameraTags(r), t.ifds(0x014a, ...subs), t.byte(0xc612, 1, 4, 0, 0), t.byte(0xc613, 1, 1, 0, 0), t.ascii(0xc614, r.model)],
    },
    { byteOrder: 'II' },
  );
}

/** ARW/SR2: IFD0 the JPEG preview (JPEGInterchangeFormat, which exiftool calls PreviewImage there), SubIFD the raw data, IFD1 a thumbnail. */
async function arw(r: Resolved): Promise<Buffer> {
  const ifd1: Ifd | undefined = r.thumbnail ? { entries: jpegByOffset(await thumbnailJpeg(160, 120)).filter((e) => e.tag !== 0x00fe) } : undefined;
  return encodeTiff(
    {
      entries: [
        ...(r.preview ? jpegByOffset(r.preview) : [t.long(0x00fe, 1), t.short(0x0103, 6)]),
        ...cameraTags(r),
        t.ifds(0x014a, { entries: rawImage(r.width, r.height, 32767, 12) }),
      ],
      next: ifd1,
    },
    { byteOrder: 'II' },
  );
}

/** PEF: Motorola TIFF; IFD0 the raw data, IFD1 a thumbnail, IFD2 the full-size JpgFromRaw. */
async function pef(r: Resolved): Promise<Buffer> {
  const ifd2: Ifd | undefined = r.preview ? { entries: jpegByOffset(r.preview) } : undefined;
  const ifd1: Ifd = { entries: r.thumbnail ? jpegByOffset(await thumbnailJpeg(160, 120)) : [t.long(0x00fe, 1)], next: ifd2 };
  return encodeTiff({ entries: [...rawImage(r.width, r.height, 65535, 12), ...cameraTags(r)], next: ifd1 }, { byteOrder: 'MM' });
}

/** SRW: IFD0 the raw data, its SubIFD the JPEG preview (JpgFromRaw). */
async function srw(r: Resolved): Promise<Buffer> {
  const subs: Ifd[] = r.preview ? [{ entries: jpegByOffset(r.preview) }] : [];
  const ifd1: Ifd | undefined = r.thumbnail ? { entries: jpegByOffset(await thumbnailJpeg(160, 120)).filter((e) => e.tag !== 0x00fe) } : undefined;
  return encodeTiff({ entries: [...rawImage(r.width, r.height, 32770, 12), ...cameraTags(r), ...(subs.length ? [t.ifds(0x014a, ...subs)] : [])], next: ifd1 }, { byteOrder: 'II' });
}

/**
 * ORF: "IIRO" instead of TIFF's 42; IFD0 the raw data; the previews live in the Olympus maker note
 * ("OLYMPUS\0II\3\0", offsets from the note's start): ThumbnailImage (0x0100) and the
 * CameraSettings IFD's PreviewImageValid/Start/Length (0x2020 → 0x0100–0x0102).
 */
async function orf(r: Resolved): Promise<Buffer> {
  const note: Entry[] = [t.undef(0x0000, Buffer.from('0100'))];
  if (r.thumbnail) note.push(t.undef(0x0100, await thumbnailJpeg(160, 120)));
  const settings: Entry[] = [t.undef(0x0000, Buffer.from('0100'))];
  if (r.preview) settings.push(t.long(0x0100, 1), t.blob(0x0101, 0x0102, r.preview));
  note.push(t.ifds(0x2020, { entries: settings }));
  const makerNote = t.makerNote(Buffer.from('OLYMPUS\0II\x03\0', 'latin1'), { entries: note }, 'note');
  return encodeTiff({ entries: [...rawImage(r.width, r.height, 1, 12), ...cameraTags(r, [makerNote])] }, { byteOrder: 'II', magic: 0x4f52 });
}

/**
 * RW2: "IIU\0", IFD0 at 0x18 after a 16-byte signature; Panasonic's own IFD0 tags (sensor size and
 * borders), and the JpgFromRaw (0x002e) holding the preview JPEG itself, which carries the photo's
 * full EXIF (camera, date, orientation) as Panasonic's does.
 */
async function rw2(r: Resolved): Promise<Buffer> {
  const magic = Buffer.from('88e774d8f8251d4d947a6e77822b5d6a', 'hex');
  const entries: Entry[] = [
    t.undef(0x0001, Buffer.from('0200')),
    t.short(0x0002, r.width + 16),
    t.short(0x0003, r.height + 8),
    t.short(0x0004, 4),
    t.short(0x0005, 8),
    t.short(0x0006, r.height + 4),
    t.short(0x0007, r.width + 8),
    t.short(0x0009, 1),
    t.short(0x000a, 12),
    t.ascii(0x010f, r.make),
    t.ascii(0x0110, r.model),
    t.blob(0x0111, 0x0117, RAW_DATA),
    ...(r.orientation === null ? [] : [t.short(0x0112, r.orientation)]),
    t.short(0x0116, r.height),
  ];
  if (r.preview) entries.push(t.undef(0x002e, r.preview));
  return encodeTiff({ entries }, { byteOrder: 'II', magic: 0x55, extraHeader: magic });
}

/** ERF: IFD0 a small RGB thumbnail, SubIFD the raw data; the preview in the Epson maker note ("EPSON\0\1\0", tag 0x0280). */
async function erf(r: Resolved): Promise<Buffer> {
  const note: Entry[] = [t.undef(0x0000, Buffer.from('0100')), t.long(0x020b, r.width), t.long(0x020c, r.height)];
  if (r.preview) note.push(t.undef(0x0280, r.preview));
  const makerNote = t.makerNote(Buffer.from('EPSON\0\x01\0', 'latin1'), { entries: note }, 'tiff');
  const thumb = r.thumbnail ? rgbImage(160, Math.round((160 * r.height) / r.width)) : [t.long(0x00fe, 1)];
  return encodeTiff({ entries: [...thumb, ...cameraTags(r, [makerNote]), t.ifds(0x014a, { entries: rawImage(r.width, r.height, 32769, 12) })] }, { byteOrder: 'II' });
}

/** Replaces a JPEG's APP1 EXIF (or adds one) by a TIFF block: how RAF and X3F previews carry the photo's EXIF. */
function withExifBlock(jpeg: Buffer, tiff: Buffer): Buffer {
  const parts: Buffer[] = [jpeg.subarray(0, 2)];
  const app1 = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(app1.length + 2);
  parts.push(Buffer.from([0xff, 0xe1]), len, app1);
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff && jpeg[i + 1]! >= 0xe0 && jpeg[i + 1]! <= 0xef) {
    const seg = jpeg.readUInt16BE(i + 2);
    const isExif = jpeg[i + 1] === 0xe1 && jpeg.subarray(i + 4, i + 10).toString('latin1') === 'Exif\0\0';
    if (!isExif) parts.push(jpeg.subarray(i, i + 2 + seg));
    i += 2 + seg;
  }
  parts.push(jpeg.subarray(i));
  return Buffer.concat(parts);
}

/** The photo's EXIF as a TIFF block (IFD0 → ExifIFD, GPS), for previews that carry it. */
function exifTiff(r: Resolved): Buffer {
  return encodeTiff({ entries: cameraTags(r, [t.long(0xa002, r.width), t.long(0xa003, r.height)]) }, { byteOrder: 'MM' });
}

/**
 * RAF: Fujifilm's header ("FUJIFILMCCD-RAW 0201", camera id and name, firmware), then the offsets of
 * the JPEG preview (0x54), the RAF directory (0x5c: sensor and crop sizes) and the CFA data (0x64).
 * The preview JPEG carries the photo's whole EXIF, as Fujifilm's does; exiftool reads the camera,
 * date and orientation from it.
 */
async function raf(r: Resolved): Promise<Buffer> {
  const head = Buffer.alloc(0x94);
  head.write('FUJIFILMCCD-RAW 0201FF383501', 0, 'latin1');
  head.write(r.model, 0x1c, 'latin1');
  head.write('0100', 0x3c, 'latin1');
  const jpeg = r.preview ? withExifBlock(r.preview, exifTiff(r)) : Buffer.alloc(0);
  // RAF directory: entry count, then (tag, length, value) big-endian
  const dirEntries: [number, Buffer][] = [
    [0x100, Buffer.from([(r.height + 22) >> 8, (r.height + 22) & 0xff, (r.width + 144) >> 8, (r.width + 144) & 0xff])],
    [0x110, Buffer.from([0, 11, 0, 72])],
    [0x111, Buffer.from([r.height >> 8, r.height & 0xff, r.width >> 8, r.width & 0xff])],
    [0x130, Buffer.from([0x00, 0x00, 0x00, 0x00])],
  ];
  const dir = Buffer.concat([u32be(dirEntries.length), ...dirEntries.map(([tag, v]) => Buffer.concat([Buffer.from([tag >> 8, tag & 0xff, v.length >> 8, v.length & 0xff]), v]))]);
  const jpegAt = head.length;
  const dirAt = jpegAt + jpeg.length;
  const cfaAt = dirAt + dir.length;
  head.set(u32be(r.preview ? jpegAt : 0), 0x54);
  head.set(u32be(jpeg.length), 0x58);
  head.set(u32be(dirAt), 0x5c);
  head.set(u32be(dir.length), 0x60);
  head.set(u32be(cfaAt), 0x64);
  head.set(u32be(RAW_DATA.length), 0x68);
  return Buffer.concat([head, jpeg, dir, RAW_DATA]);
}

/** An ISO-BMFF box. */
function box(type: string, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([u32be(body.length + 8), Buffer.from(type, 'latin1'), body]);
}

/**
 * CR3: ISO-BMFF ("ftyp crx "); moov holds Canon's uuid box with CNCV, CMT1 (a TIFF with IFD0:
 * camera, size, orientation), CMT2 (the EXIF IFD), CMT4 (GPS) and THMB (160×120 thumbnail); a
 * top-level uuid box holds PRVW, the 1620-px preview. The full-size JPEG and the raw data would sit
 * in mdat behind trak boxes, which exiftool does not extract from; a placeholder mdat stands in.
 */
async function cr3(r: Resolved): Promise<Buffer> {
  const ifd0 = encodeTiff(
    { entries: [t.long(0x0100, r.width), t.long(0x0101, r.height), t.ascii(0x010f, r.make), t.ascii(0x0110, r.model), ...(r.orientation === null ? [] : [t.short(0x0112, r.orientation)]), t.rational(0x011a, [72, 1]), t.rational(0x011b, [72, 1]), t.short(0x0128, 2), t.ascii(0x0132, r.takenAt)] },
    { byteOrder: 'II' },
  );
  const exif = encodeTiff(exifIfd(r), { byteOrder: 'II' });
  const canon: Buffer[] = [box('CNCV', Buffer.from('CanonCR3_001/00.09.00/00.00.00', 'latin1')), box('CMT1', ifd0), box('CMT2', exif)];
  if (r.gps) canon.push(box('CMT4', encodeTiff(gpsIfd(r.gps), { byteOrder: 'II' })));
  if (r.thumbnail) {
    const thumb = await thumbnailJpeg(160, 120);
    const h = Buffer.alloc(16);
    h.writeUInt16BE(160, 4);
    h.writeUInt16BE(120, 6);
    h.writeUInt32BE(thumb.length, 8);
    h.writeUInt16BE(1, 12);
    canon.push(box('THMB', h, thumb));
  }
  const canonUuid = Buffer.from('85c0b687820f11e08111f4ce462b6a48', 'hex');
  const mvhd = box('mvhd', Buffer.alloc(100));
  const parts = [box('ftyp', Buffer.from('crx ', 'latin1'), u32be(1), Buffer.from('crx isom', 'latin1')), box('moov', box('uuid', canonUuid, ...canon), mvhd)];
  if (r.preview) {
    const p = await jpegSize(r.preview);
    const prvw = Buffer.alloc(16);
    prvw.writeUInt16BE(1, 4);
    prvw.writeUInt16BE(p.width, 6);
    prvw.writeUInt16BE(p.height, 8);
    prvw.writeUInt16BE(1, 10);
    prvw.writeUInt32BE(r.preview.length, 12);
    const previewUuid = Buffer.from('eaf42b5e1c984b88b9fbb7dc406e4d16', 'hex');
    parts.push(box('uuid', previewUuid, Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), box('PRVW', prvw, r.preview)));
  }
  parts.push(box('mdat', RAW_DATA));
  return Buffer.concat(parts);
}

/** CIFF records: a heap's data, then its table (count, 10-byte entries), then the table's offset. */
type CiffRecord = { tag: number; data: Buffer } | { tag: number; heap: CiffRecord[] };

function ciffHeap(records: CiffRecord[]): Buffer {
  const chunks: Buffer[] = [];
  const table: Buffer[] = [];
  let at = 0;
  for (const rec of records) {
    const data = 'data' in rec ? rec.data : ciffHeap(rec.heap);
    const e = Buffer.alloc(10);
    e.writeUInt16LE(rec.tag, 0);
    e.writeUInt32LE(data.length, 2);
    e.writeUInt32LE(at, 6);
    table.push(e);
    chunks.push(data);
    at += data.length;
    if (at % 2) {
      chunks.push(Buffer.alloc(1));
      at++;
    }
  }
  return Buffer.concat([...chunks, u16le(records.length), ...table, u32le(at)]);
}

/** A rotation in degrees, as CRW and X3F record it, from an EXIF orientation (1, 3, 6, 8 only). */
function rotationOf(orientation: number | null): number {
  return ({ 1: 0, 3: 180, 6: 90, 8: 270 } as Record<number, number>)[orientation ?? 1] ?? 0;
}

/**
 * CRW: Canon's CIFF ("II", header length, "HEAPCCDR"); the root heap holds the raw data, the
 * JpgFromRaw (0x2007) and the thumbnail (0x2008), and the ImageProps heap the camera (MakeModel),
 * the time stamp and ImageInfo (size and rotation).
 */
async function crw(r: Resolved): Promise<Buffer> {
  const makeModel = Buffer.from(`${r.make}\0${r.model}\0`, 'latin1');
  const [d, tm] = r.takenAt.split(' ');
  const [y, mo, da] = d!.split(':').map(Number);
  const [h, mi, s] = tm!.split(':').map(Number);
  const stamp = Buffer.alloc(12);
  stamp.writeUInt32LE(Date.UTC(y!, mo! - 1, da!, h!, mi!, s!) / 1000, 0);
  const info = Buffer.alloc(28);
  info.writeUInt32LE(r.width, 0);
  info.writeUInt32LE(r.height, 4);
  info.writeFloatLE(1, 8);
  info.writeInt32LE(rotationOf(r.orientation), 12);
  info.writeUInt32LE(12, 16);
  info.writeUInt32LE(8, 20);
  const root: CiffRecord[] = [{ tag: 0x2005, data: RAW_DATA }];
  if (r.preview) root.push({ tag: 0x2007, data: r.preview });
  if (r.thumbnail) root.push({ tag: 0x2008, data: await thumbnailJpeg(160, 120) });
  root.push({
    tag: 0x300a,
    heap: [
      { tag: 0x2807, heap: [{ tag: 0x080a, data: makeModel }] },
      { tag: 0x300b, heap: [{ tag: 0x1810, data: info }, { tag: 0x180e, data: stamp }] },
    ],
  });
  const header = Buffer.alloc(26);
  header.write('II', 0, 'latin1');
  header.writeUInt32LE(26, 2);
  header.write('HEAPCCDR', 6, 'latin1');
  header.writeUInt32LE(0x00010002, 14);
  return Buffer.concat([header, ciffHeap(root)]);
}

/**
 * MRW: "\0MRM" and the length of its blocks: PRD (sensor and image size), TTW (a TIFF: IFD0 with the
 * thumbnail, the EXIF IFD with Minolta's maker note holding the 640×480 PreviewImage), WBG; then the
 * raw data.
 */
async function mrw(r: Resolved): Promise<Buffer> {
  const prd = Buffer.alloc(24);
  prd.write('21810002', 0, 'latin1');
  prd.writeUInt16BE(r.height + 8, 8);
  prd.writeUInt16BE(r.width + 16, 10);
  prd.writeUInt16BE(r.height, 12);
  prd.writeUInt16BE(r.width, 14);
  prd.writeUInt8(12, 16);
  prd.writeUInt8(12, 17);
  prd.writeUInt8(0x59, 18);
  const note: Entry[] = [t.undef(0x0000, Buffer.from('MLT0'))];
  if (r.preview) note.push(t.blob(0x0088, 0x0089, r.preview));
  const ifd0: Entry[] = [t.long(0x0100, r.width), t.long(0x0101, r.height), ...cameraTags(r, [t.makerNote(Buffer.alloc(0), { entries: note }, 'tiff')])];
  if (r.thumbnail) ifd0.push(t.blob(0x0201, 0x0202, await thumbnailJpeg(160, 120)));
  const ttw = encodeTiff({ entries: ifd0 }, { byteOrder: 'MM' });
  const block = (tag: string, data: Buffer) => Buffer.concat([Buffer.from(tag, 'latin1'), u32be(data.length), data]);
  const blocks = Buffer.concat([block('\0PRD', prd), block('\0TTW', ttw), block('\0WBG', Buffer.from([0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0]))]);
  return Buffer.concat([Buffer.from('\0MRM', 'latin1'), u32be(blocks.length), blocks, RAW_DATA]);
}

/**
 * X3F (version 2.3): "FOVb", the header with the image size and rotation, the extended header; an
 * IMA2 section with the JPEG preview (type 2, format 18) which carries EXIF, so exiftool calls it
 * JpgFromRaw and reads the camera from it, as from a real DP2; an IMA2 raw section; the SECd
 * directory at the end.
 */
async function x3f(r: Resolved): Promise<Buffer> {
  const header = Buffer.alloc(104 + 160);
  header.write('FOVb', 0, 'latin1');
  header.writeUInt32LE(0x00020003, 4);
  header.writeUInt32LE(r.width, 28);
  header.writeUInt32LE(r.height, 32);
  header.writeUInt32LE(rotationOf(r.orientation), 36);
  header.write('Auto', 40, 'latin1');
  const sections: { type: string; data: Buffer }[] = [];
  const imageSection = (type: number, format: number, w: number, h: number, data: Buffer) => {
    const s = Buffer.alloc(28);
    s.write('SECi', 0, 'latin1');
    s.writeUInt32LE(0x00020000, 4);
    s.writeUInt32LE(type, 8);
    s.writeUInt32LE(format, 12);
    s.writeUInt32LE(w, 16);
    s.writeUInt32LE(h, 20);
    s.writeUInt32LE(0, 24);
    return Buffer.concat([s, data]);
  };
  if (r.preview) {
    const p = await jpegSize(r.preview);
    sections.push({ type: 'IMA2', data: imageSection(2, 18, p.width, p.height, withExifBlock(r.preview, exifTiff(r))) });
  }
  sections.push({ type: 'IMA2', data: imageSection(3, 30, r.width, r.height, RAW_DATA) });
  const parts: Buffer[] = [header];
  let at = header.length;
  const dir: Buffer[] = [];
  for (const s of sections) {
    const e = Buffer.alloc(12);
    e.writeUInt32LE(at, 0);
    e.writeUInt32LE(s.data.length, 4);
    e.write(s.type, 8, 'latin1');
    dir.push(e);
    parts.push(s.data);
    at += s.data.length;
  }
  const secd = Buffer.alloc(12);
  secd.write('SECd', 0, 'latin1');
  secd.writeUInt32LE(0x00020000, 4);
  secd.writeUInt32LE(sections.length, 8);
  parts.push(secd, ...dir, u32le(at));
  return Buffer.concat(parts);
}

const WRITERS: Record<RawFormat, (r: Resolved) => Promise<Buffer>> = {
  cr2,
  cr3,
  crw,
  nef: (r) => nef(r, false),
  nrw: (r) => nef(r, true),
  arw,
  sr2: arw,
  raf,
  orf,
  rw2,
  pef,
  dng,
  srw,
  mrw,
  x3f,
  erf,
};

/**
 * Writes a RAW file of `format` to `file`: the camera (RAW_CAMERAS) and size unless `spec` says
 * otherwise, an embedded JPEG preview (quadrants, a quarter of the photo's size, by default) and a
 * small thumbnail. Returns the path.
 */
export async function writeRawFile(file: string, format: RawFormat, spec: RawSpec = {}): Promise<string> {
  const r = await resolve(format, spec);
  // RW2 and RAF previews carry the photo's EXIF, which is where exiftool finds their camera and date.
  if (format === 'rw2' && r.preview) r.preview = withExifBlock(r.preview, exifTiff(r));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await WRITERS[format](r));
  return file;
}

let benchTexture: Buffer | undefined;

/**
 * A 12-megapixel RAW as a benchmark meets it: a 4032×3024 photo whose full-size preview (a JPEG
 * of photo-like content: gradient, a disc, grain; 2–3 MB) is embedded as Nikon (JpgFromRaw) and
 * Canon (IFD0) do, beside the camera's small thumbnail. `seed` varies the picture.
 */
export async function writeBenchRaw(file: string, seed: number, format: 'nef' | 'cr2' = seed % 2 ? 'cr2' : 'nef'): Promise<string> {
  const W = 4032;
  const H = 3024;
  benchTexture ??= await sharp({ create: { width: W, height: H, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 24 } } } as never)
    .raw()
    .toBuffer();
  const svg = `<svg width="${W}" height="${H}"><defs><linearGradient id="g" x1="0" x2="1" y1="0" y2="1"><stop offset="0" stop-color="hsl(${(seed * 47) % 360},70%,60%)"/><stop offset="1" stop-color="hsl(${(seed * 47 + 120) % 360},60%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${800 + ((seed * 197) % 2400)}" cy="${700 + ((seed * 113) % 1600)}" r="${300 + (seed % 5) * 90}" fill="hsl(${(seed * 91) % 360},80%,50%)"/></svg>`;
  const preview = await sharp(Buffer.from(svg))
    .composite([{ input: benchTexture, raw: { width: W, height: H, channels: 3 }, blend: 'soft-light' }])
    .jpeg({ quality: 90 })
    .toBuffer();
  return writeRawFile(file, format, { width: W, height: H, preview, takenAt: `2022:0${1 + (seed % 9)}:1${seed % 10} 12:00:00` });
}

/**
 * A RAW file (DNG unless `format` says otherwise) whose embedded preview is `jpeg` itself: the same
 * picture, with the JPEG's stored size and orientation as the RAW's own, as a camera that shoots
 * RAW+JPEG writes both. For benchmarks that compare formats on the same photos.
 */
export async function writeRawFromJpeg(jpeg: string | Buffer, out: string, format: RawFormat = 'dng'): Promise<string> {
  const data = typeof jpeg === 'string' ? fs.readFileSync(jpeg) : jpeg;
  const m = await sharp(data).metadata();
  return writeRawFile(out, format, { width: m.width, height: m.height, orientation: m.orientation ?? 1, preview: data });
}
