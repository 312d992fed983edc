// Face crops ([Note: face crops] in media/face-crop.ts): the square's geometry, and the crops libraryMedia serves
// for a face id, from a real library's photos (one stored turned, EXIF orientation 6; one gone from its folder, cut
// from the thumbnail): the face in the middle,
// 160 px, cached by fingerprint and box, removed with the photo's other cached files, none for an unknown face.
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { libraryMedia, type MediaResolver } from '../../src/main/core/handlers/media.ts';
import { FACE_CROP_SIZE, faceSquare } from '../../src/main/core/media/face-crop.ts';
import { createMediaHandler } from '../../src/main/app/media-protocol.ts';
import type { NewFace } from '../../src/main/core/catalog/faces.ts';
import { tempDir } from '../helpers/photos.ts';

const GREY = { r: 128, g: 128, b: 128 };
const RED = { r: 220, g: 20, b: 20 };

/** An upright 800×600 grey picture with a red 100×100 square at (300, 200), as raw RGB. */
async function picture(): Promise<Sharp> {
  const square = await sharp({ create: { width: 100, height: 100, channels: 3, background: RED } }).png().toBuffer();
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: GREY } })
    .composite([{ input: square, left: 300, top: 200 }])
    .png()
    .toBuffer();
  return sharp(png);
}

function face(box: NewFace['box']): NewFace {
  return { box, score: 0.99, landmarks: Array.from({ length: 136 }, () => box.x), descriptor: new Float32Array(128).fill(0.1) };
}

async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

const near = (p: number[], c: { r: number; g: number; b: number }) => Math.abs(p[0]! - c.r) < 30 && Math.abs(p[1]! - c.g) < 30 && Math.abs(p[2]! - c.b) < 30;

let lib: Library;
let photos: string;
let resolve: MediaResolver;
const faceIds: Record<string, number> = {};

beforeAll(async () => {
  const root = tempDir();
  photos = path.join(root, 'photos');
  fs.mkdirSync(photos, { recursive: true });
  await (await picture()).jpeg({ quality: 95 }).toFile(path.join(photos, 'upright.jpg'));
  // Another encoding: another fingerprint than upright.jpg's, whose cached files a test removes.
  await (await picture()).jpeg({ quality: 90 }).toFile(path.join(photos, 'offline.jpg'));
  // Stored turned a quarter anticlockwise, with orientation 6 (turn it clockwise to show it): upright it is the same.
  await (await picture()).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(path.join(photos, 'turned.jpg'));
  lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
  await lib.addFolder(photos);
  await lib.index();
  for (const name of ['upright', 'turned', 'offline']) {
    const photo = lib.catalog.photoByPath(path.join(photos, `${name}.jpg`))!;
    faceIds[name] = lib.faces.putPhoto(photo.id, 'test-faces@1', `fp-${name}`, [face({ x: 300, y: 200, width: 100, height: 100 })])[0]!;
  }
  resolve = libraryMedia(lib);
}, 120_000);

afterAll(async () => {
  await lib?.close();
});

describe('faceSquare', () => {
  it('pads the box by 30 % of its longer side each way, centred, and scales it to the image', () => {
    expect(faceSquare({ x: 300, y: 200, width: 100, height: 100 }, { width: 800, height: 600 }, { width: 800, height: 600 })).toEqual({ x: 270, y: 170, width: 160, height: 160 });
    // The same box in a half-size image.
    expect(faceSquare({ x: 300, y: 200, width: 100, height: 100 }, { width: 800, height: 600 }, { width: 400, height: 300 })).toEqual({ x: 135, y: 85, width: 80, height: 80 });
    // A tall box: the longer side decides.
    expect(faceSquare({ x: 300, y: 200, width: 50, height: 100 }, { width: 800, height: 600 }, { width: 800, height: 600 })).toEqual({ x: 245, y: 170, width: 160, height: 160 });
  });

  it('moves the square inside the image at its edges, and shrinks it only to the image', () => {
    expect(faceSquare({ x: 0, y: 0, width: 100, height: 100 }, { width: 800, height: 600 }, { width: 800, height: 600 })).toEqual({ x: 0, y: 0, width: 160, height: 160 });
    expect(faceSquare({ x: 750, y: 560, width: 50, height: 40 }, { width: 800, height: 600 }, { width: 800, height: 600 })).toEqual({ x: 720, y: 520, width: 80, height: 80 });
    expect(faceSquare({ x: 10, y: 10, width: 90, height: 90 }, { width: 100, height: 100 }, { width: 100, height: 100 })).toEqual({ x: 0, y: 0, width: 100, height: 100 });
  });
});

describe('a face crop from libraryMedia', () => {
  for (const name of ['upright', 'turned']) {
    it(`is the face, in the middle of a ${FACE_CROP_SIZE} px square (${name})`, async () => {
      const found = await resolve(faceIds[name]!, 'face');
      expect(found).not.toBeNull();
      expect(found!.contentType).toBe('image/jpeg');
      const meta = await sharp(found!.file).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', FACE_CROP_SIZE, FACE_CROP_SIZE]);
      // 100 of 160 px are the face: the middle is red, the corners grey (the padding).
      expect(near(await pixel(found!.file, 80, 80), RED)).toBe(true);
      expect(near(await pixel(found!.file, 40, 40), RED)).toBe(true);
      expect(near(await pixel(found!.file, 8, 8), GREY)).toBe(true);
      expect(near(await pixel(found!.file, 152, 152), GREY)).toBe(true);
      expect(near(await pixel(found!.file, 80, 8), GREY)).toBe(true);
    });
  }

  it('is cached by the photo and the box, and removed with the photo’s cached files', async () => {
    const first = await resolve(faceIds.upright!, 'face');
    const mtime = fs.statSync(first!.file).mtimeMs;
    const again = await resolve(faceIds.upright!, 'face');
    expect(again!.file).toBe(first!.file);
    expect(fs.statSync(again!.file).mtimeMs).toBe(mtime);
    const photo = lib.catalog.photoByPath(path.join(photos, 'upright.jpg'))!;
    expect(first!.file).toBe(lib.cache.faceCrop(photo.fingerprint!, { x: 300, y: 200, width: 100, height: 100 }));
    // The face read again elsewhere is another crop.
    const [moved] = lib.faces.putPhoto(photo.id, 'test-faces@1', 'fp-moved', [face({ x: 100, y: 100, width: 80, height: 80 })]);
    const other = await resolve(moved!, 'face');
    expect(other!.file).not.toBe(first!.file);
    expect(near(await pixel(other!.file, 80, 80), GREY)).toBe(true);
    lib.cache.remove([photo.fingerprint!]);
    expect(fs.existsSync(first!.file)).toBe(false);
    expect(fs.existsSync(other!.file)).toBe(false);
    faceIds.upright = moved!;
  });

  it('is cut from the thumbnail when the original cannot be read (and no preview was made), under another name', async () => {
    const photo = lib.catalog.photoByPath(path.join(photos, 'offline.jpg'))!;
    fs.rmSync(photo.path);
    const found = await resolve(faceIds.offline!, 'face');
    expect(found!.file).toBe(lib.cache.faceCrop(photo.fingerprint!, { x: 300, y: 200, width: 100, height: 100 }).replace(/\.jpg$/, '-thumb.jpg'));
    expect(found!.etag).toMatch(/-thumb$/);
    const meta = await sharp(found!.file).metadata();
    expect([meta.width, meta.height]).toEqual([FACE_CROP_SIZE, FACE_CROP_SIZE]);
    expect(near(await pixel(found!.file, 80, 80), RED)).toBe(true);
    expect(near(await pixel(found!.file, 8, 8), GREY)).toBe(true);
    expect(fs.existsSync(lib.cache.faceCrop(photo.fingerprint!, { x: 300, y: 200, width: 100, height: 100 }))).toBe(false);
  });

  it('is none for a face that is not there, and a 404 saying so through the app’s protocol', async () => {
    expect(await resolve(999_999, 'face')).toBeNull();
    const handler = createMediaHandler(resolve);
    const missing = await handler({ url: 'shoebox-media://face/999999', method: 'GET', headers: new Headers() });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('no face 999999\n');
    const ok = await handler({ url: `shoebox-media://face/${faceIds.turned}`, method: 'GET', headers: new Headers() });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
  });
});
