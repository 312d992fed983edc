// The photos the duplicates tests and bench are built from: generated scenes with real structure (a gradient, soft
// blobs, grain, shapes and text), every "same photo" transformation of issue 15 made with sharp, bursts (the same
// scene with an object moved a little, a second apart) and photos of one colour.
import sharp, { type Sharp } from 'sharp';
import { mulberry32 } from '../../src/main/core/random.ts';
import { photoBackground } from '../helpers/text-photos.ts';

/** EXIF a camera writes: make, model, the capture time with its sub-seconds. */
export interface CameraExif {
  takenAt: string; // 'YYYY:MM:DD HH:MM:SS'
  subSec?: string;
  make?: string;
  model?: string;
}

export function exifOf(e: CameraExif): Record<string, Record<string, string>> {
  return {
    IFD0: { Make: e.make ?? 'Canon', Model: e.model ?? 'EOS 80D' },
    IFD2: { DateTimeOriginal: e.takenAt, ...(e.subSec ? { SubSecTimeOriginal: e.subSec } : {}) },
  };
}

/** A scene: the seeded background with a few shapes and a word; `shift` moves the last shape right by that share of the width. */
export async function scene(seed: number, width = 1200, height = 900, shift = 0): Promise<Buffer> {
  const rnd = mulberry32(seed * 7919 + 1);
  const bg = await photoBackground(width, height, seed);
  const shapes: string[] = [];
  for (let i = 0; i < 4; i++) {
    const x = rnd() * width * 0.8;
    const y = rnd() * height * 0.8;
    const s = (0.08 + rnd() * 0.12) * width;
    const fill = `hsl(${Math.floor(rnd() * 360)},${50 + rnd() * 40}%,${25 + rnd() * 50}%)`;
    const dx = i === 3 ? shift * width : 0;
    shapes.push(i % 2 ? `<rect x="${x + dx}" y="${y}" width="${s}" height="${s * 0.7}" fill="${fill}"/>` : `<circle cx="${x + dx}" cy="${y}" r="${s / 2}" fill="${fill}"/>`);
  }
  const word = ['harbour', 'market', 'garden', 'station', 'bridge', 'festival'][seed % 6]!;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}<text x="${width * 0.1}" y="${height * 0.9}" font-size="${height / 10}" font-family="DejaVu Sans" fill="#fafafa">${word}</text></svg>`;
  return sharp(bg).composite([{ input: Buffer.from(svg) }]).png().toBuffer();
}

/** A photo as its camera wrote it: a JPEG of the pixels with the camera's EXIF. */
export function cameraJpeg(pixels: Buffer, exif: CameraExif): Promise<Buffer> {
  return sharp(pixels).jpeg({ quality: 92 }).withExifMerge(exifOf(exif)).toBuffer();
}

export interface Transform {
  name: string;
  /** File extension of the result. */
  ext: string;
  /** Whether the result keeps the original's EXIF (its capture date). */
  keepsDate: boolean;
  make: (jpeg: Buffer, exif: CameraExif) => Promise<Buffer>;
}

const crop = async (jpeg: Buffer, l: number, t: number, r: number, b: number): Promise<Sharp> => {
  const m = await sharp(jpeg).metadata();
  const left = Math.round(m.width * l);
  const top = Math.round(m.height * t);
  return sharp(jpeg).extract({ left, top, width: m.width - left - Math.round(m.width * r), height: m.height - top - Math.round(m.height * b) });
};

/** Every "same photo" transformation of issue 15. */
export const TRANSFORMS: readonly Transform[] = [
  { name: 'resized', ext: 'jpg', keepsDate: true, make: (j, e) => sharp(j).resize({ width: 600 }).jpeg({ quality: 85 }).withExifMerge(exifOf(e)).toBuffer() },
  { name: 'messenger', ext: 'jpg', keepsDate: false, make: (j) => sharp(j).resize({ width: 320 }).jpeg({ quality: 60 }).toBuffer() },
  { name: 'quality-10', ext: 'jpg', keepsDate: true, make: (j, e) => sharp(j).jpeg({ quality: 10 }).withExifMerge(exifOf(e)).toBuffer() },
  { name: 'png', ext: 'png', keepsDate: false, make: (j) => sharp(j).png().toBuffer() },
  { name: 'webp', ext: 'webp', keepsDate: false, make: (j) => sharp(j).webp({ quality: 50 }).toBuffer() },
  { name: 'avif', ext: 'avif', keepsDate: false, make: (j) => sharp(j).avif({ quality: 45 }).toBuffer() },
  { name: 'stripped', ext: 'jpg', keepsDate: false, make: (j) => sharp(j).jpeg({ quality: 90 }).toBuffer() },
  {
    // Stored on its side with EXIF orientation 6 (display: rotate 90° clockwise): upright it is the original.
    name: 'exif-rotated',
    ext: 'jpg',
    keepsDate: true,
    make: async (j, e) => sharp(await sharp(j).rotate(-90).toBuffer()).jpeg({ quality: 90 }).withExifMerge(exifOf(e)).withMetadata({ orientation: 6 }).toBuffer(),
  },
  { name: 'crop-3', ext: 'jpg', keepsDate: true, make: async (j, e) => (await crop(j, 0.03, 0.03, 0.03, 0.03)).jpeg({ quality: 90 }).withExifMerge(exifOf(e)).toBuffer() },
  { name: 'crop-5-side', ext: 'jpg', keepsDate: true, make: async (j, e) => (await crop(j, 0.05, 0, 0, 0.02)).jpeg({ quality: 90 }).withExifMerge(exifOf(e)).toBuffer() },
  { name: 'brighter', ext: 'jpg', keepsDate: true, make: (j, e) => sharp(j).modulate({ brightness: 1.15 }).jpeg({ quality: 90 }).withExifMerge(exifOf(e)).toBuffer() },
  { name: 'contrast', ext: 'jpg', keepsDate: true, make: (j, e) => sharp(j).linear(1.2, -25).jpeg({ quality: 90 }).withExifMerge(exifOf(e)).toBuffer() },
];

/** A photo of nearly one colour (grain only), as a JPEG. */
export async function oneColour(r: number, g: number, b: number, seed: number, exif?: CameraExif): Promise<Buffer> {
  const rnd = mulberry32(seed);
  const px = Buffer.alloc(800 * 600 * 3);
  for (let i = 0; i < px.length; i += 3) {
    const n = (rnd() - 0.5) * 8;
    px[i] = Math.max(0, Math.min(255, Math.round(r + n)));
    px[i + 1] = Math.max(0, Math.min(255, Math.round(g + n)));
    px[i + 2] = Math.max(0, Math.min(255, Math.round(b + n)));
  }
  const img = sharp(px, { raw: { width: 800, height: 600, channels: 3 } }).jpeg({ quality: 90 });
  return exif ? img.withExifMerge(exifOf(exif)).toBuffer() : img.toBuffer();
}
