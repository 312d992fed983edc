// The faces stage (issue 16) in a library: each photo read once from the thumbnail stage's decode, stored with the
// version even with no face, read again only when the version or the content changes, waiting while face
// recognition is off, and turning it off deletes every descriptor. Real faces are not committed: the photos here
// have none; ../shared/faces/lfw-dev, when present, gives the stage real faces to find and group.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { createApi } from '../../src/main/core/handlers/methods.ts';
import { FACES_CHANGED_INTERVAL_MS } from '../../src/main/core/handlers/events.ts';
import type { ApiEvents } from '../../src/shared/contract.ts';
import { FACES_VERSION_SETTING, requeueFacesOnNewModel, toStoredFaces } from '../../src/main/core/pipeline/faces-stage.ts';
import type { FaceOutput } from '../../src/main/core/ml/face-runner.ts';
import { tempDir } from '../helpers/photos.ts';
import { photoBackground } from '../helpers/text-photos.ts';

describe('faces in the upright photo', () => {
  it('scales boxes and landmarks from the input to the photo, and leaves out faces without a descriptor', () => {
    const out: FaceOutput = {
      faces: [
        { box: { x: 96, y: 48, width: 96, height: 120 }, score: 0.91234, landmarks: [96, 48, 192, 168], descriptor: Array.from({ length: 128 }, (_, i) => i / 128) },
        { box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.6, landmarks: [], descriptor: [] },
      ],
      ms: { detect: 0, landmarks: 0, describe: 0 },
    };
    const [face, ...rest] = toStoredFaces(out, { width: 960, height: 720 }, { width: 4000, height: 3000 });
    expect(rest).toEqual([]);
    expect(face!.box).toEqual({ x: 400, y: 200, width: 400, height: 500 });
    expect(face!.landmarks).toEqual([400, 200, 800, 700]);
    expect(face!.score).toBe(0.9123);
    expect(face!.descriptor).toHaveLength(128);
  });
});

describe('the faces stage', () => {
  let root: string;
  let lib: Library;
  const file = (n: string) => path.join(root, 'Photos', n);
  beforeAll(async () => {
    root = tempDir();
    fs.mkdirSync(path.join(root, 'Photos'));
    await sharp(await photoBackground(1600, 1200, 5)).jpeg().toFile(file('plain.jpg'));
    await sharp(await photoBackground(1200, 900, 8)).jpeg().toFile(file('other.jpg'));
    lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
    await lib.addFolder(path.join(root, 'Photos'));
    await lib.index();
  }, 120_000);
  afterAll(() => lib.close());

  it('reads every photo with the models made on first use, and records a photo with no face', () => {
    const version = lib.ml.facesVersion()!;
    expect(version).toMatch(/^face-api-ssd-resnet128@.+\/p\d+$/);
    expect(lib.status().stages.find((s) => s.stage === 'faces')).toMatchObject({ done: 2, pending: 0, failed: 0 });
    const ids = ['plain.jpg', 'other.jpg'].map((n) => lib.catalog.photoByPath(file(n))!.id);
    for (const id of ids) expect(lib.faces.isCurrent(id, version, lib.catalog.photo(id)!.fingerprint!)).toBe(true);
    expect(lib.faces.forPhoto(ids[0]!)).toEqual([]);
    expect(lib.status().ml?.faces).toMatchObject({ model: 'face-api-ssd-resnet128', installed: true, on: true, version, photos: 2, faces: 0, people: 0 });
  });

  it('reads again only when the version changes, and waits while it is turned off, deleting every descriptor', async () => {
    const before = lib.db.prepare('SELECT photo_id, read_at FROM photo_faces ORDER BY photo_id').all();
    lib.queue.requeueStage(['faces']);
    await lib.processAll();
    expect(lib.db.prepare('SELECT photo_id, read_at FROM photo_faces ORDER BY photo_id').all()).toEqual(before);
    lib.db.prepare("UPDATE photo_faces SET model = 'face-api-ssd-resnet128@0/p0'").run();
    lib.catalog.setSetting(FACES_VERSION_SETTING, 'face-api-ssd-resnet128@0/p0');
    expect(requeueFacesOnNewModel(lib.catalog, lib.queue, lib.faces, lib.ml.facesVersion())).toBe(2);
    expect(requeueFacesOnNewModel(lib.catalog, lib.queue, lib.faces, lib.ml.facesVersion())).toBe(0);
    await lib.processAll();
    expect(lib.db.prepare('SELECT DISTINCT model FROM photo_faces').pluck().all()).toEqual([lib.ml.facesVersion()]);

    // A face stored on a photo (as the stage would), grouped, then face recognition turned off.
    const id = lib.catalog.photoByPath(file('plain.jpg'))!.id;
    const descriptor = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) / 10);
    lib.faces.putPhoto(id, lib.ml.facesVersion()!, lib.catalog.photo(id)!.fingerprint!, [{ box: { x: 1, y: 2, width: 30, height: 40 }, score: 0.9, landmarks: [], descriptor }]);
    expect(lib.faces.descriptorCount()).toBe(1);
    lib.setSetting('faces', 'off');
    expect(lib.faces.descriptorCount()).toBe(0);
    expect(lib.db.prepare('SELECT COUNT(*) FROM faces').pluck().get()).toBe(1);
    lib.queue.requeueStage(['faces']);
    expect(lib.status().stages.find((s) => s.stage === 'faces')).toMatchObject({ pending: 2, waiting: expect.stringMatching(/face recognition is off/) });
    expect(lib.status().ml?.faces).toMatchObject({ on: false, photos: 0 });
    expect(lib.groupPeople()).toEqual({ grouped: 0, assigned: 0, created: 0 });
    // On again: every photo is read again.
    lib.setSetting('faces', 'on');
    await lib.processAll();
    expect(lib.status().stages.find((s) => s.stage === 'faces')).toMatchObject({ done: 2, pending: 0 });
    expect(lib.status().ml?.faces).toMatchObject({ on: true, photos: 2 });
  });

  it("tells the window when indexing read photos' faces and grouped them (a 'people' change), a burst folded", async () => {
    const api = createApi(lib);
    const changes: ApiEvents['changed'][] = [];
    api.events.on('changed', (c) => changes.push(c));
    try {
      // Read again, the faces get new ids: the photo view and People must read them again, as no user action said so.
      lib.queue.requeueStage(['faces']);
      await lib.processAll();
      await expect.poll(() => changes.filter((c) => c.what === 'people').length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, FACES_CHANGED_INTERVAL_MS + 200));
      const people = changes.filter((c) => c.what === 'people');
      // At most one at once and one after the interval; no ids (the sidecars are not queued for it).
      expect(people.length).toBeLessThanOrEqual(2);
      expect(people.every((c) => c.ids === undefined)).toBe(true);
    } finally {
      api.close();
    }
    // Closed: nothing more is said.
    const before = changes.length;
    lib.queue.requeueStage(['faces']);
    await lib.processAll();
    await new Promise((r) => setTimeout(r, 100));
    expect(changes.length).toBe(before);
  });
});

const lfw = path.resolve('..', 'shared', 'faces', 'lfw-dev', 'images');

// Real faces, only where ../shared is (npm test must pass without it).
describe.skipIf(!fs.existsSync(lfw))('the faces stage on real faces (../shared/faces/lfw-dev)', () => {
  it('finds the faces of LFW images pasted into photos, in the photo\'s pixels, and groups one person\'s into one person', async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'Photos'));
    const person = fs.readdirSync(lfw).sort().find((p) => fs.readdirSync(path.join(lfw, p)).length >= 4)!;
    const images = fs.readdirSync(path.join(lfw, person)).sort().slice(0, 4);
    for (const [i, img] of images.entries()) {
      // Each face pasted at 500 px into a 2000 × 1500 photo, at (300 + 200 i, 400).
      const face = await sharp(path.join(lfw, person, img)).resize(500, 500).toBuffer();
      await sharp({ create: { width: 2000, height: 1500, channels: 3, background: { r: 110, g: 130, b: 120 } } }).composite([{ input: face, left: 300 + 200 * i, top: 400 }]).jpeg().toFile(path.join(root, 'Photos', `${i}.jpg`));
    }
    const lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
    try {
      await lib.addFolder(path.join(root, 'Photos'));
      await lib.index();
      const found = images.map((_, i) => lib.faces.forPhoto(lib.catalog.photoByPath(path.join(root, 'Photos', `${i}.jpg`))!.id));
      found.forEach((faces, i) => {
        expect(faces.length, `photo ${i}`).toBeGreaterThanOrEqual(1);
        const f = faces[0]!;
        // The face is inside the pasted square, in the 2000 px photo's pixels (not the 960 px input's).
        expect(f.box.x).toBeGreaterThan(300 + 200 * i);
        expect(f.box.x + f.box.width).toBeLessThan(800 + 200 * i);
        expect(f.box.y).toBeGreaterThan(400);
        expect(f.descriptor).toHaveLength(128);
        expect(f.landmarks).toHaveLength(136);
      });
      lib.groupPeople();
      const people = new Set(found.map((faces) => lib.faces.face(faces[0]!.id)!.personId));
      expect(people.size).toBe(1);
      expect([...people][0]).not.toBeNull();
    } finally {
      await lib.close();
    }
  }, 120_000);
});
