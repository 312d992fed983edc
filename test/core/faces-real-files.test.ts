// Faces in the files cameras and phones write (issue 16 on real files): a camera RAW read by its embedded preview,
// stored on its side with the EXIF orientation saying how to turn it; a RAW+JPEG pair, which is one photo; and the
// same JPEG copied to a backup folder. The faces are real ones: face-api's demo photos, which its npm package ships
// (nothing is committed); the RAW containers are made by test/helpers/raw-files.ts.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import type { FaceRow } from '../../src/main/core/catalog/faces.ts';
import { writeRawFile } from '../helpers/raw-files.ts';
import { tempDir } from '../helpers/photos.ts';

const sample = (n: number) => path.resolve('node_modules', '@vladmandic', 'face-api', 'demo', `sample${n}.jpg`);

describe('faces in the files cameras and phones write', () => {
  let root: string;
  let lib: Library;
  const file = (...p: string[]) => path.join(root, ...p);
  const facesOf = (f: string): FaceRow[] => {
    const photo = lib.catalog.photoByPath(f);
    if (!photo) throw new Error(`${f} is not a photo of the library`);
    return lib.faces.forPhoto(photo.id).sort((a, b) => a.box.x - b.box.x);
  };

  beforeAll(async () => {
    root = tempDir();
    for (const d of ['Camera', 'Reference', 'Backup']) fs.mkdirSync(file(d));
    // Sample 1 upright at 1280 px: what the RAW below should give.
    const upright = await sharp(sample(1)).resize(1280, 1280, { fit: 'inside' }).jpeg({ quality: 90 }).toBuffer();
    fs.writeFileSync(file('Reference', 'sample-1.jpg'), upright);
    // The same picture as a Nikon stores a portrait-held shot: the pixels on their side, orientation 6 to turn them.
    const sideways = await sharp(upright).rotate(270).jpeg({ quality: 90 }).toBuffer();
    const m = await sharp(sideways).metadata();
    await writeRawFile(file('Camera', 'DSC_0001.NEF'), 'nef', { width: m.width, height: m.height, orientation: 6, preview: sideways });
    // Sample 4 shot RAW+JPEG (one photo), and the JPEG also in a backup folder (the same bytes).
    const four = await sharp(sample(4)).resize(1280, 1280, { fit: 'inside' }).jpeg({ quality: 88 }).toBuffer();
    const m4 = await sharp(four).metadata();
    await writeRawFile(file('Camera', 'IMG_0002.CR2'), 'cr2', { width: m4.width, height: m4.height, preview: four });
    fs.writeFileSync(file('Camera', 'IMG_0002.JPG'), four);
    fs.writeFileSync(file('Backup', 'IMG_0002.JPG'), four);
    lib = Library.open({ dataDir: file('data'), modelsDir: file('models') });
    for (const d of ['Camera', 'Reference', 'Backup']) await lib.addFolder(file(d));
    await lib.index();
    lib.groupPeople();
  }, 240_000);
  afterAll(() => lib?.close());

  it("finds a RAW's faces in its preview, in the upright photo, where the upright JPEG has them, and groups them with its", () => {
    const raw = facesOf(file('Camera', 'DSC_0001.NEF'));
    const ref = facesOf(file('Reference', 'sample-1.jpg'));
    expect(ref.length).toBeGreaterThanOrEqual(3);
    expect(raw).toHaveLength(ref.length);
    const photo = lib.catalog.photoByPath(file('Camera', 'DSC_0001.NEF'))!;
    expect(photo.orientation).toBe(6);
    raw.forEach((f, i) => {
      const r = ref[i]!;
      // The same faces at the same places of the upright 1280 px picture (the two decodes differ a little).
      for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(f.box[k] - r.box[k]), `face ${i} ${k}`).toBeLessThan(12);
      // One person each: the RAW's face and the JPEG's are two photos of the same face.
      expect(f.personId).not.toBeNull();
      expect(f.personId).toBe(r.personId);
    });
  });

  it('reads a RAW+JPEG pair once, and makes no person of its faces and those of the same JPEG in a backup folder', () => {
    expect(lib.catalog.photoByPath(file('Camera', 'IMG_0002.CR2'))).toBeFalsy();
    const pair = facesOf(file('Camera', 'IMG_0002.JPG'));
    const copy = facesOf(file('Backup', 'IMG_0002.JPG'));
    expect(pair.length).toBeGreaterThanOrEqual(4);
    expect(copy).toHaveLength(pair.length);
    for (const f of [...pair, ...copy]) expect(f.personId).toBeNull();
    expect(lib.db.prepare('SELECT COUNT(*) FROM faces').pluck().get()).toBe(2 * (pair.length + facesOf(file('Reference', 'sample-1.jpg')).length));
  });
});
