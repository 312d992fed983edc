// BMP (Windows bitmaps: old scanners, screenshots, Paint): libvips has no BMP loader, so bmp-ts decodes it into raw pixels for sharp.
//
// bmp-js (MIT, the decoder jimp used for years, ~9M downloads a month): 1, 4, 8, 16, 24 and 32 bits,
// RLE4/RLE8 and bit fields, bottom-up and top-down rows. Its TS port bmp-ts was tried first and
// dropped: with its RGBA option it scrambles palettised and RLE pixels. bmp-js writes ABGR in every
// path, turned into RGB(A) here. It is pure JS on the caller's thread; a BMP is mostly a copy (a 12 MP
// bitmap takes ~0.1 s), and the pixel limit is checked from the header before it runs.
import fs from 'node:fs';
import sharp from 'sharp';
import bmp from 'bmp-js';
import { MediaError } from './errors.ts';
import type { MediaOptions } from './decode.ts';
import { checkPixelLimit, type OpenedImage } from './open.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/** True for the bytes a BMP file starts with. */
export function isBmp(head: Buffer): boolean {
  return head.length >= 26 && head[0] === 0x42 && head[1] === 0x4d;
}

/** Width and height from a BMP's info header (height is negative for top-down rows). */
function bmpSize(buf: Buffer): { width: number; height: number } {
  const headerSize = buf.readUInt32LE(14);
  // BITMAPCOREHEADER (OS/2 1.x) has 16-bit sizes; every later header 32-bit signed ones.
  if (headerSize === 12) return { width: buf.readUInt16LE(18), height: buf.readUInt16LE(20) };
  return { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) };
}

export async function openBmp(file: string, options: MediaOptions): Promise<OpenedImage> {
  const buf = await fs.promises.readFile(file);
  if (!isBmp(buf)) throw new MediaError('unsupported format: not a BMP file');
  const { width, height } = bmpSize(buf);
  checkPixelLimit(width, height, options);
  return {
    format: 'bmp',
    width,
    height,
    orientation: null,
    pixels: async () => {
      let decoded: ReturnType<typeof bmp.decode>;
      try {
        decoded = bmp.decode(buf);
      } catch (e) {
        throw new MediaError(`corrupt image: the BMP cannot be read (${errorMessage(e)})`);
      }
      const abgr = decoded.data;
      if (decoded.width !== width || decoded.height !== height || abgr.length < width * height * 4) {
        throw new MediaError('corrupt image: the BMP is shorter than its header says');
      }
      // Only 32-bit bitmaps can carry alpha, and many write 0 there for "unused": opaque unless some pixel says otherwise.
      let alpha = false;
      if (decoded.bitPP === 32) {
        for (let i = 0; i < abgr.length; i += 4) {
          if (abgr[i] !== 0) {
            alpha = true;
            break;
          }
        }
      }
      const channels = alpha ? 4 : 3;
      const out = Buffer.allocUnsafe(width * height * channels);
      for (let i = 0, o = 0; i < width * height * 4; i += 4, o += channels) {
        out[o] = abgr[i + 3]!;
        out[o + 1] = abgr[i + 2]!;
        out[o + 2] = abgr[i + 1]!;
        if (alpha) out[o + 3] = abgr[i]!;
      }
      return sharp(out, { raw: { width, height, channels } });
    },
  };
}
