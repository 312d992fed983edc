// Photos with real faces for the browser tests of people (issue 16), made from the six group photos that the
// @vladmandic/face-api npm package ships in its demo folder (1920 px wide, 3–5 adult faces each). Nothing is
// committed: the package is a runtime dependency, so the files are always there. Each source photo appears once,
// made smaller; sample 4 twice more (mirrored, and cropped and re-encoded) and sample 2 once more (cropped), so the
// people in those appear in two or three photos and the grouping puts their faces in one person.
// What the library makes of them (measured with the faces stage and the grouping, 5–32 s to index on 2 shared cores):
// 33 faces in the 9 photos; the 4 people of sample 4 with 3 faces each and the 3 of sample 2 with 2; the faces of
// samples 1, 3, 5 and 6 alone, so in no person (a group of one face is no person yet: core/people/people.ts), but
// for one face of sample 1 and one of sample 3, 0.41 apart (under the grouping's 0.45), an eighth person of 2 once
// the grouping has seen both. No face is between 0.4 and 0.45 of another person, so no suggestion comes of them.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ROOT } from './serve-fixture.ts';

/** Where the face-api package keeps its demo photos. */
export const FACE_SAMPLES_DIR = path.join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');

/** One fixture photo: its file name, which sample it is made from, and how. */
export interface FacePhoto {
  name: string;
  sample: number;
  /** 'copy': the sample made smaller; 'mirror': flipped left to right; 'crop': its middle, cut out and made smaller. */
  kind: 'copy' | 'mirror' | 'crop';
}

/** The nine photos: samples 1–6, sample 4 mirrored and cropped, sample 2 cropped. */
export const FACE_PHOTOS: readonly FacePhoto[] = [
  { name: 'people-1.jpg', sample: 1, kind: 'copy' },
  { name: 'people-2.jpg', sample: 2, kind: 'copy' },
  { name: 'people-3.jpg', sample: 3, kind: 'copy' },
  { name: 'people-4.jpg', sample: 4, kind: 'copy' },
  { name: 'people-5.jpg', sample: 5, kind: 'copy' },
  { name: 'people-6.jpg', sample: 6, kind: 'copy' },
  { name: 'people-4-mirrored.jpg', sample: 4, kind: 'mirror' },
  { name: 'people-4-crop.jpg', sample: 4, kind: 'crop' },
  { name: 'people-2-crop.jpg', sample: 2, kind: 'crop' },
];

/** What the library makes of all of FACE_PHOTOS (see the header): for tests that wait for the grouping. */
export const FACE_PHOTOS_MAKE = { photos: 9, faces: 33, people: 8 } as const;

/** The long side of the copies: small enough to index quickly, large enough that every face is found. */
const LONG_SIDE = 1280;

/** The path of face-api's sample `n` (1–6); a clear error when the package is not installed. */
export function faceSample(n: number): string {
  const file = path.join(FACE_SAMPLES_DIR, `sample${n}.jpg`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the people e2e uses the demo photos of @vladmandic/face-api; run npm install`);
  return file;
}

/**
 * Writes FACE_PHOTOS (or the ones `only` names) into `dir` (made if missing) as JPEGs and returns their paths in
 * FACE_PHOTOS' order. Each has a distinct DateTimeOriginal (1–9 May 2024), so the library's order is fixed.
 */
export async function writeFacePhotos(dir: string, only?: readonly string[]): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const [i, p] of FACE_PHOTOS.entries()) {
    if (only && !only.includes(p.name)) continue;
    const src = faceSample(p.sample);
    let img = sharp(src);
    if (p.kind === 'mirror') img = img.flop();
    if (p.kind === 'crop') {
      const meta = await sharp(src).metadata();
      const w = meta.width!;
      const h = meta.height!;
      // The middle 90 % across: the faces stay whole, at a new scale and position.
      img = img.extract({ left: Math.round(w * 0.05), top: 0, width: Math.round(w * 0.9), height: h });
    }
    const file = path.join(dir, p.name);
    await img
      .resize(p.kind === 'crop' ? 1100 : LONG_SIDE, p.kind === 'crop' ? 1100 : LONG_SIDE, { fit: 'inside' })
      .withExif({ IFD0: { DateTime: `2024:05:0${i + 1} 10:00:00` }, IFD2: { DateTimeOriginal: `2024:05:0${i + 1} 10:00:00` } })
      .jpeg({ quality: p.kind === 'crop' ? 80 : 88 })
      .toFile(file);
    out.push(file);
  }
  return out;
}
