// Photos whose metadata is written the ways real cameras and tools write it: by exiftool into copies
// of fresh JPEGs, and the broken files the capture-date issue met (damaged EXIF that exifr cannot
// parse, pixels that cannot be decoded, a HEIC this build cannot decode, a QuickTime movie).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ExifTool } from 'exiftool-vendored';
import { makeJpeg, noiseBytes, type PhotoSpec } from './photos.ts';

/** A fresh JPEG (distinct content) with these tags written into it by exiftool. */
export async function jpegTagged(tool: ExifTool, file: string, tags: Record<string, string | string[] | number>, spec: PhotoSpec = {}): Promise<string> {
  await makeJpeg(file, spec);
  if (Object.keys(tags).length) await tool.write(file, tags, { writeArgs: ['-overwrite_original'], useMWG: false });
  return file;
}

/** The JPEG's segments before its image data: [marker, offset, length]. */
function segments(buf: Buffer): { marker: number; at: number; length: number }[] {
  const out: { marker: number; at: number; length: number }[] = [];
  let i = 2;
  while (i + 4 <= buf.length && buf[i] === 0xff) {
    const marker = buf[i + 1]!;
    const length = buf.readUInt16BE(i + 2);
    out.push({ marker, at: i, length });
    if (marker === 0xda) break;
    i += 2 + length;
  }
  return out;
}

/**
 * A JPEG whose EXIF is intact but whose pixels are not there: everything from the frame header
 * (SOF) on is random bytes. sharp refuses it; exiftool reads its EXIF.
 */
export async function jpegWithGarbagePixels(file: string, spec: PhotoSpec): Promise<string> {
  await makeJpeg(file, spec);
  const buf = fs.readFileSync(file);
  const sof = segments(buf).find((s) => s.marker === 0xc0);
  if (!sof) throw new Error('no SOF in the fixture');
  fs.writeFileSync(file, Buffer.concat([buf.subarray(0, sof.at), noiseBytes(2000, 4)]));
  return file;
}

/**
 * A JPEG whose EXIF block is damaged the way old firmware and careless editors damage it: the
 * Model entry of IFD0 (the second: exiftool gives up on a directory whose first entry is bad) has
 * a type that does not exist (99). exifr gives up on the whole block; exiftool skips that entry
 * and reads the rest (Make, the dates, GPS).
 */
export async function jpegWithDamagedExif(file: string, spec: PhotoSpec): Promise<string> {
  await makeJpeg(file, spec);
  const buf = fs.readFileSync(file);
  const tiff = buf.indexOf(Buffer.from('Exif\0\0')) + 6;
  const le = buf.toString('latin1', tiff, tiff + 2) === 'II';
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const ifd0 = tiff + u32(tiff + 4);
  for (let k = 0; k < u16(ifd0); k++) {
    const entry = ifd0 + 2 + k * 12;
    if (u16(entry) === 0x0110) {
      if (le) buf.writeUInt16LE(99, entry + 2);
      else buf.writeUInt16BE(99, entry + 2);
    }
  }
  fs.writeFileSync(file, buf);
  return file;
}

/**
 * A HEIC with EXIF whose image is marked HEVC but carries no HEVC configuration: what a build
 * without an HEVC decoder meets. Made as an AV1 HEIF (sharp's prebuilt libvips writes no HEVC),
 * then its image item's type renamed 'hvc1'. Neither sharp nor libheif can decode it, and exifr
 * cannot read its EXIF; exiftool can.
 */
export async function undecodableHeic(file: string, exif: { make: string; model: string; takenAt: string; offset?: string }): Promise<string> {
  const ifd2: Record<string, string> = { DateTimeOriginal: exif.takenAt };
  if (exif.offset) ifd2.OffsetTimeOriginal = exif.offset;
  const buf = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 120, b: 200 } } })
    .withExifMerge({ IFD0: { Make: exif.make, Model: exif.model }, IFD2: ifd2 })
    .heif({ compression: 'av1' })
    .toBuffer();
  const at = buf.indexOf(Buffer.from('av01'));
  if (at < 0) throw new Error('no av01 item in the fixture');
  buf.write('hvc1', at, 'latin1');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buf);
  return file;
}

/** A minimal QuickTime movie: a movie header whose creation time (UTC, as the format defines it) is `utc`. */
export function quickTimeMovie(file: string, utc: Date): string {
  const box = (type: string, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  const seconds = Math.round((utc.getTime() - Date.UTC(1904, 0, 1)) / 1000);
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(seconds, 4); // creation time
  mvhd.writeUInt32BE(seconds, 8); // modification time
  mvhd.writeUInt32BE(600, 12); // time scale
  mvhd.writeUInt32BE(0x10000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x100, 24); // volume 1.0
  [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].forEach((v, i) => mvhd.writeUInt32BE(v, 36 + i * 4));
  mvhd.writeUInt32BE(2, 96); // next track id
  const ftyp = box('ftyp', Buffer.from('qt  '), Buffer.from([0, 0, 2, 0]), Buffer.from('qt  '));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([ftyp, box('moov', box('mvhd', mvhd))]));
  return file;
}
