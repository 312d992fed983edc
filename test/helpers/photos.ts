// Test fixtures made on the fly with sharp: photos with EXIF, and the broken inputs a library meets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { mulberry32 } from '../../src/main/core/random.ts';

const made: string[] = [];

/** Removes the folders tempDir made (test/setup.ts calls it after each test file). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'shoebox-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface PhotoSpec {
  width?: number;
  height?: number;
  color?: { r: number; g: number; b: number };
  /** EXIF orientation 1–8. */
  orientation?: number;
  takenAt?: string; // 'YYYY:MM:DD HH:MM:SS'
  make?: string;
  model?: string;
  gps?: { lat: number; lon: number };
  /** Random noise so two photos never share content. */
  seed?: number;
}

/** A JPEG with the given size, colour and EXIF. Distinct `seed`s give distinct content. */
export async function makeJpeg(file: string, spec: PhotoSpec = {}): Promise<string> {
  const width = spec.width ?? 64;
  const height = spec.height ?? 48;
  const { r, g, b } = spec.color ?? { r: 200, g: 60, b: 40 };
  const px = Buffer.alloc(width * height * 3);
  const rng = crypto.createHash('sha256').update(String(spec.seed ?? file)).digest();
  for (let i = 0; i < width * height; i++) {
    const n = rng[i % rng.length]! % 16;
    px[i * 3] = Math.min(255, r + n);
    px[i * 3 + 1] = Math.min(255, g + n);
    px[i * 3 + 2] = Math.min(255, b + n);
  }
  let img = sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 });
  const ifd0: Record<string, string> = {};
  const ifd2: Record<string, string> = {};
  if (spec.make) ifd0.Make = spec.make;
  if (spec.model) ifd0.Model = spec.model;
  if (spec.takenAt) ifd2.DateTimeOriginal = spec.takenAt;
  const exif: Record<string, Record<string, string>> = {};
  if (Object.keys(ifd0).length) exif.IFD0 = ifd0;
  if (Object.keys(ifd2).length) exif.IFD2 = ifd2;
  if (spec.gps) {
    const dms = (v: number) => {
      const a = Math.abs(v);
      const d = Math.floor(a);
      const m = Math.floor((a - d) * 60);
      const s = Math.round(((a - d) * 60 - m) * 60 * 100);
      return `${d}/1 ${m}/1 ${s}/100`;
    };
    exif.IFD3 = {
      GPSLatitudeRef: spec.gps.lat >= 0 ? 'N' : 'S',
      GPSLatitude: dms(spec.gps.lat),
      GPSLongitudeRef: spec.gps.lon >= 0 ? 'E' : 'W',
      GPSLongitude: dms(spec.gps.lon),
    };
  }
  if (Object.keys(exif).length) img = img.withExifMerge(exif);
  if (spec.orientation) img = img.withMetadata({ orientation: spec.orientation });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await img.toFile(file);
  return file;
}

export async function makePng(file: string, opts: { width?: number; height?: number; sixteenBit?: boolean; seed?: number } = {}): Promise<string> {
  const width = opts.width ?? 40;
  const height = opts.height ?? 30;
  const px = crypto.createHash('sha512').update(String(opts.seed ?? file)).digest();
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = px[i % px.length]!;
  let img = sharp(raw, { raw: { width, height, channels: 3 } });
  if (opts.sixteenBit) img = img.toColourspace('rgb16');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await img.png().toFile(file);
  return file;
}

/** A small PNG whose header claims the given size: a few rows of zero pixels, then the end. */
export function pngBombHeader(width: number, height: number): Buffer {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8; // bit depth
  data[9] = 2; // truecolour
  const type = Buffer.from('IHDR');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0);
  // Four rows of zeros (filter byte + RGB), compressed: what a real bomb starts with.
  const rows = zlib.deflateSync(Buffer.alloc((width * 3 + 1) * 4));
  const idatType = Buffer.from('IDAT');
  const idatLen = Buffer.alloc(4);
  idatLen.writeUInt32BE(rows.length);
  const idatCrc = Buffer.alloc(4);
  idatCrc.writeUInt32BE(crc32(Buffer.concat([idatType, rows])) >>> 0);
  const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  return Buffer.concat([sig, len, type, data, crc, idatLen, idatType, rows, idatCrc, iend]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c;
}

/**
 * Bytes that are no file format, the same on every run: seeded noise after two bytes no format starts
 * with. (crypto.randomBytes made flaky tests: about one draw in 60 starts with an MPEG frame sync, and
 * exiftool reads it as an MP3.)
 */
export function noiseBytes(n: number, seed = 1): Buffer {
  const next = mulberry32(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  out.write('~#', 0, 'latin1');
  return out;
}

/** The broken inputs of the engine issue, written into `dir`; returns name → expected error pattern (null: it decodes). */
export async function makeBrokenInputs(dir: string): Promise<Record<string, RegExp | null>> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'zero-bytes.jpg'), Buffer.alloc(0));
  const good = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg()
    .toBuffer();
  // Half a JPEG decodes (the rest is the decoder's grey): shown, marked damaged. Cut inside its
  // header, before the first scan, it has no pixels at all.
  fs.writeFileSync(path.join(dir, 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 2)));
  fs.writeFileSync(path.join(dir, 'cut-in-header.jpg'), good.subarray(0, 200));
  fs.writeFileSync(path.join(dir, 'random-bytes.jpg'), noiseBytes(4096));
  fs.writeFileSync(path.join(dir, 'text.png'), 'this is not a picture\n'.repeat(20));
  fs.writeFileSync(path.join(dir, 'bomb.png'), pngBombHeader(30000, 30000));
  await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(path.join(dir, 'one-pixel.png'));
  await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .toColourspace('cmyk')
    .jpeg()
    .toFile(path.join(dir, 'cmyk.jpg'));
  await makePng(path.join(dir, 'sixteen-bit.png'), { sixteenBit: true });
  return {
    'zero-bytes.jpg': /empty file/,
    'truncated.jpg': null,
    'cut-in-header.jpg': /corrupt image: the file (is truncated|ends before any image data)/,
    'random-bytes.jpg': /unsupported format/,
    'text.png': /unsupported format/,
    'bomb.png': /too large.*30000×30000/,
    'one-pixel.png': null,
    'cmyk.jpg': null,
    'sixteen-bit.png': null,
  };
}
