// Named faces written back ([Note: face regions written] in media/xmp.ts): MWG regions in the sidecar (in the image
// as stored, for an orientation-6 photo too) and `People|<Name>` tags, read with exiftool; the regions another app
// wrote kept; a rename, an unnaming and a merge rewriting the sidecars through the xmp stage; Shoebox's own regions
// and tags not read back as the user's.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExifTool } from 'exiftool-vendored';
import { XmpService, storedRegion, uprightRegion } from '../../src/main/core/media/xmp.ts';
import { Library } from '../../src/main/core/library.ts';
import { createApi } from '../../src/main/core/handlers/methods.ts';
import type { NewFace } from '../../src/main/core/catalog/faces.ts';
import { jpegTagged } from '../helpers/metadata-files.ts';
import { tempDir } from '../helpers/photos.ts';

const service = new XmpService();
const tool = new ExifTool({ maxProcs: 1 });
afterAll(async () => {
  await service.end();
  await tool.end();
});

const area = (X: number, Y: number, W: number, H: number) => ({ X, Y, W, H, Unit: 'normalized' });

/** The sidecar's MWG regions and people tags as exiftool reads them. */
async function readBack(sidecar: string) {
  const t = (await tool.readRaw(sidecar, { readArgs: ['-G0', '-struct', '-XMP-mwg-rs:RegionInfo', '-XMP-lr:HierarchicalSubject', '-XMP-dc:Subject', '-XMP-digiKam:TagsList'], useMWG: false })) as Record<string, unknown>;
  const info = (t['XMP:RegionInfo'] ?? null) as { AppliedToDimensions: Record<string, unknown>; RegionList: { Name?: string; Type?: string; Area: Record<string, number> }[] } | null;
  const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  return {
    dims: info?.AppliedToDimensions ?? null,
    regions: (info?.RegionList ?? []).map((r) => ({ name: r.Name ?? null, type: r.Type ?? null, x: +Number(r.Area.X).toFixed(4), y: +Number(r.Area.Y).toFixed(4), w: +Number(r.Area.W).toFixed(4), h: +Number(r.Area.H).toFixed(4) })),
    hierarchical: list(t['XMP:HierarchicalSubject']),
    subjects: list(t['XMP:Subject']),
    digikam: list(t['XMP:TagsList']),
  };
}

/** A face as the faces stage stores one: its box in the upright photo, 68 landmarks, the descriptor filled with `seed`. */
const storedFace = (seed: number, box = { x: 16, y: 12, width: 32, height: 24 }): NewFace => ({ box, score: 0.9, landmarks: new Array<number>(136).fill(0), descriptor: new Float32Array(128).fill(seed) });

/** A library of the folder `photos`, indexed, with sidecars on. No CLIP model here: the tags stage the sidecar waits for is marked done by hand. */
async function sidecarLibrary(dataDir: string, photos: string): Promise<Library> {
  const lib = Library.open({ dataDir });
  try {
    await lib.addFolder(photos);
    await lib.index();
    lib.setSetting('xmp', 'on');
    lib.catalog.db.prepare("UPDATE tasks SET state = 'done' WHERE stage = 'tags'").run();
    return lib;
  } catch (e) {
    await lib.close();
    throw e;
  }
}

describe('face regions written to a sidecar', () => {
  it('writes the named faces as MWG regions, keeping the regions another app wrote (in the sidecar, else the photo) that they do not replace', async () => {
    const dir = tempDir();
    const photo = await jpegTagged(tool, path.join(dir, 'p.jpg'), {}, { width: 64, height: 48 });
    const sidecar = `${photo}.xmp`;
    // digiKam's: Zoe where Shoebox found no face, a pet, "Mia" on the face Shoebox names Mia too, and "Old" (what
    // Shoebox wrote there last time, before a rename).
    await tool.write(
      sidecar,
      {
        'XMP-mwg-rs:RegionInfo': {
          AppliedToDimensions: { W: 64, H: 48, Unit: 'pixel' },
          RegionList: [
            { Name: 'Zoe', Type: 'Face', Area: area(0.8, 0.2, 0.1, 0.1), Description: 'from digiKam' },
            { Name: 'Rex', Type: 'Pet', Area: area(0.5, 0.5, 0.2, 0.2) },
            { Name: 'Mia', Type: 'Face', Area: area(0.26, 0.26, 0.2, 0.2) },
            { Name: 'Old', Type: 'Face', Area: area(0.7, 0.7, 0.2, 0.2) },
          ],
        },
        'XMP-dc:Title': 'kept',
      } as never,
      { writeArgs: ['-overwrite_original'], useMWG: false },
    );
    await service.writeSidecar(photo, {
      description: null,
      subjects: [],
      hierarchicalTags: [['People', 'Mia'], ['People', 'Tom Ünal']],
      faceRegions: {
        width: 64,
        height: 48,
        regions: [
          { name: 'Mia', x: 0.15, y: 0.15, width: 0.2, height: 0.2 },
          { name: 'Tom Ünal', x: 0.6, y: 0.6, width: 0.2, height: 0.2 },
        ],
        replaces: ['old'],
      },
    });
    const back = await readBack(sidecar);
    expect(back.dims).toEqual({ W: 64, H: 48, Unit: 'pixel' });
    expect(back.regions).toEqual([
      { name: 'Mia', type: 'Face', x: 0.25, y: 0.25, w: 0.2, h: 0.2 },
      { name: 'Tom Ünal', type: 'Face', x: 0.7, y: 0.7, w: 0.2, h: 0.2 },
      { name: 'Zoe', type: 'Face', x: 0.8, y: 0.2, w: 0.1, h: 0.1 },
      { name: 'Rex', type: 'Pet', x: 0.5, y: 0.5, w: 0.2, h: 0.2 },
    ]);
    expect(back.hierarchical).toEqual(['People|Mia', 'People|Tom Ünal']);
    expect(back.digikam).toEqual(['People/Mia', 'People/Tom Ünal']);
    expect(back.subjects).toEqual(['Mia', 'Tom Ünal']);
    // The other fields of the sidecar, and of the regions kept, are as they were.
    const kept = (await tool.readRaw(sidecar, { readArgs: ['-G0', '-struct', '-XMP-dc:Title', '-XMP-mwg-rs:RegionInfo'], useMWG: false })) as Record<string, unknown>;
    expect(kept['XMP:Title']).toBe('kept');
    expect(JSON.stringify(kept['XMP:RegionInfo'])).toContain('from digiKam');
    // The reader gives back what was written (Shoebox's and the others'), top-left.
    const meta = await service.readPhotoMetadata(photo);
    expect(meta.faceRegions.map((r) => [r.name, +r.x.toFixed(4), +r.y.toFixed(4)])).toEqual([['Mia', 0.15, 0.15], ['Tom Ünal', 0.6, 0.6], ['Zoe', 0.75, 0.15]]);

    // No named face left and the names written last time replaced: only the others' regions stay.
    await service.writeSidecar(photo, { description: null, subjects: [], hierarchicalTags: [], faceRegions: { width: 64, height: 48, regions: [], replaces: ['Mia', 'Tom Ünal'] } });
    expect((await readBack(sidecar)).regions.map((r) => r.name)).toEqual(['Zoe', 'Rex']);
    // Nothing to write, nothing to replace: the regions are not touched; without any region left, RegionInfo goes.
    await service.writeSidecar(photo, { description: null, subjects: [], faceRegions: { width: 64, height: 48, regions: [], replaces: [] } });
    expect((await readBack(sidecar)).regions.map((r) => r.name)).toEqual(['Zoe', 'Rex']);
    await service.writeSidecar(photo, { description: null, subjects: [], faceRegions: { width: 64, height: 48, regions: [{ name: 'Zoe', x: 0.75, y: 0.15, width: 0.1, height: 0.1 }], replaces: [] } });
    await service.writeSidecar(photo, { description: null, subjects: [], faceRegions: { width: 64, height: 48, regions: [], replaces: ['Zoe'] } });
    expect((await readBack(sidecar)).regions.map((r) => r.name)).toEqual(['Rex']);
    // A new sidecar gets the regions alone.
    const fresh = await jpegTagged(tool, path.join(dir, 'q.jpg'), {}, { width: 64, height: 48 });
    await service.writeSidecar(fresh, { description: null, subjects: [], faceRegions: { width: 64, height: 48, regions: [{ name: 'Ann', x: 0, y: 0, width: 0.5, height: 0.5 }], replaces: [] } });
    expect((await readBack(`${fresh}.xmp`)).regions).toEqual([{ name: 'Ann', type: 'Face', x: 0.25, y: 0.25, w: 0.5, h: 0.5 }]);
  });

  it('turns an upright region into the stored image and back for every orientation', () => {
    const r = { x: 0.1, y: 0.2, width: 0.2, height: 0.1 };
    const round = (b: typeof r) => ({ x: +b.x.toFixed(6), y: +b.y.toFixed(6), width: +b.width.toFixed(6), height: +b.height.toFixed(6) });
    for (const o of [null, 1, 2, 3, 4, 5, 6, 7, 8]) expect(round(uprightRegion(storedRegion(r, o), o))).toEqual(r);
    // Upright top-right corner of a photo turned 90° clockwise is the stored image's top-left.
    expect(round(storedRegion({ x: 0.7, y: 0.1, width: 0.1, height: 0.2 }, 6))).toEqual(r);
  });
});

describe('named faces in the library', () => {
  it("writes People tags and regions (in the stored image of an orientation-6 photo), rewrites them on a rename, an unnaming and a merge, and never reads its own back as the user's", async () => {
    const dir = tempDir();
    const photos = path.join(dir, 'Photos');
    // 64x48 as stored, turned 90° clockwise (orientation 6): 48x64 upright. A region another app wrote is kept.
    const turned = await jpegTagged(
      tool,
      path.join(photos, 'turned.jpg'),
      { 'EXIF:Orientation#': 6, 'XMP-mwg-rs:RegionInfo': { AppliedToDimensions: { W: 64, H: 48, Unit: 'pixel' }, RegionList: [{ Name: 'Zoe', Type: 'Face', Area: area(0.8, 0.8, 0.1, 0.1) }] } } as never,
      { width: 64, height: 48 },
    );
    const plain = await jpegTagged(tool, path.join(photos, 'plain.jpg'), {}, { width: 64, height: 48 });
    const lib = await sidecarLibrary(path.join(dir, 'data'), photos);
    const api = createApi(lib);
    try {
      const t = lib.catalog.photoByPath(turned)!;
      const p = lib.catalog.photoByPath(plain)!;
      expect([t.width, t.height, t.orientation]).toEqual([48, 64, 6]);
      const face = (x: number, y: number, width: number, height: number, seed: number): NewFace => storedFace(seed, { x, y, width, height });
      // Upright box x 30-42, y 8-24: in the stored 64x48 image, the top-left quarter's centre (0.25, 0.25).
      const [onTurned, hidden] = lib.faces.putPhoto(t.id, 'test-faces@1', 'ft', [face(30, 8, 12, 16, 0.1), face(2, 40, 10, 10, 0.5)]);
      const [onPlain] = lib.faces.putPhoto(p.id, 'test-faces@1', 'fp', [face(16, 12, 32, 24, 0.1)]);
      const mia = lib.faces.createPerson('auto');
      lib.faces.assign(onTurned!, mia, 'auto');
      lib.faces.assign(onPlain!, mia, 'auto');
      const stranger = lib.faces.createPerson('user', 'Stranger');
      lib.faces.assign(hidden!, stranger, 'user');
      lib.people.hide(stranger, true);

      await api.handlers.namePerson({ person: mia, name: 'Mia' });
      await lib.pipeline.run({ untilIdle: true });
      const turnedSidecar = `${turned}.xmp`;
      let back = await readBack(turnedSidecar);
      expect(back.dims).toEqual({ W: 64, H: 48, Unit: 'pixel' });
      expect(back.regions).toEqual([
        { name: 'Mia', type: 'Face', x: 0.25, y: 0.25, w: 0.25, h: 0.25 },
        { name: 'Zoe', type: 'Face', x: 0.8, y: 0.8, w: 0.1, h: 0.1 },
      ]);
      // The hidden person is not written.
      expect(back.hierarchical).toEqual(['People|Mia']);
      expect(back.subjects).toEqual(['Mia']);
      expect((await readBack(`${plain}.xmp`)).regions).toEqual([{ name: 'Mia', type: 'Face', x: 0.5, y: 0.5, w: 0.5, h: 0.5 }]);
      // Read back in (the meta stage, the next sync): no user tag People|Mia, no region "Mia" to name faces by.
      await lib.scan();
      await lib.index();
      expect(lib.annotations.userTags(t.id)).toEqual([]);
      expect(lib.faces.regions(t.id).map((r) => r.name)).toEqual(['Zoe']);

      // A rename: both photos' sidecars follow, the old name goes.
      await api.handlers.namePerson({ person: mia, name: 'Maria' });
      await lib.pipeline.run({ untilIdle: true });
      back = await readBack(turnedSidecar);
      expect(back.regions.map((r) => r.name)).toEqual(['Maria', 'Zoe']);
      expect(back.hierarchical).toEqual(['People|Maria']);
      expect(back.subjects).toEqual(['Maria']);
      expect((await readBack(`${plain}.xmp`)).hierarchical).toEqual(['People|Maria']);
      expect(lib.annotations.userTags(p.id)).toEqual([]);

      // "Not this person" on the plain photo's face: its sidecar no longer names Maria.
      await api.handlers.notThisPerson({ face: onPlain! });
      await lib.pipeline.run({ untilIdle: true });
      expect(await readBack(`${plain}.xmp`)).toMatchObject({ regions: [], hierarchical: [] });

      // A merge into another named person: the merged faces' sidecars take that name.
      const ann = lib.faces.createPerson('user', 'Ann');
      const [annFace] = lib.faces.putPhoto(p.id, 'test-faces@1', 'fp2', [face(16, 12, 32, 24, 0.3)]);
      lib.faces.assign(annFace!, ann, 'user');
      await api.handlers.mergePeople({ from: mia, into: ann });
      await lib.pipeline.run({ untilIdle: true });
      expect((await readBack(turnedSidecar)).regions.map((r) => r.name)).toEqual(['Ann', 'Zoe']);
      expect((await readBack(`${plain}.xmp`)).hierarchical).toEqual(['People|Ann']);

      // Unnamed: the regions and the tag go, the other app's region stays.
      await api.handlers.namePerson({ person: ann, name: null });
      await lib.pipeline.run({ untilIdle: true });
      back = await readBack(turnedSidecar);
      expect(back.regions.map((r) => r.name)).toEqual(['Zoe']);
      expect(back.hierarchical).toEqual([]);
      expect(fs.readFileSync(turnedSidecar, 'utf8')).not.toContain('Ann');
    } finally {
      api.close();
      await lib.close();
    }
  });

  it('gives the names back to a catalog made afresh (the old one lost): it reads the regions Shoebox wrote as naming', async () => {
    const dir = tempDir();
    const photos = path.join(dir, 'Photos');
    const a = await jpegTagged(tool, path.join(photos, 'a.jpg'), {}, { width: 64, height: 48 });
    const first = await sidecarLibrary(path.join(dir, 'data'), photos);
    try {
      const [fa] = first.faces.putPhoto(first.catalog.photoByPath(a)!.id, first.ml.facesVersion()!, 'fa', [storedFace(0.05)]);
      first.faces.assign(fa!, first.faces.createPerson('user', 'Mia'), 'user');
      first.peopleChanged([first.faces.face(fa!)!.personId!]);
      await first.pipeline.run({ untilIdle: true });
      expect((await readBack(`${a}.xmp`)).regions.map((r) => r.name)).toEqual(['Mia']);
    } finally {
      await first.close();
    }
    // The catalog is gone; the photos and their sidecars are not.
    const fresh = Library.open({ dataDir: path.join(dir, 'data-2') });
    try {
      await fresh.addFolder(photos);
      await fresh.index();
      const photo = fresh.catalog.photoByPath(a)!;
      expect(fresh.faces.regions(photo.id).map((r) => r.name)).toEqual(['Mia']);
      // The faces stage finds the face again (by hand here: the picture has no real face) and it is Mia's, as the user's.
      const [again] = fresh.faces.putPhoto(photo.id, fresh.ml.facesVersion()!, 'fa', [storedFace(0.05)]);
      expect(fresh.faces.applyRegionNames(photo.id, photo.orientation, photo.width!, photo.height!)).toBe(1);
      const face = fresh.faces.face(again!)!;
      expect(face.assigned).toBe('user');
      expect(fresh.faces.person(face.personId!)).toMatchObject({ name: 'Mia' });
    } finally {
      await fresh.close();
    }
  });

  it('names a person in the sidecar of a photo whose face the grouping put in that person after the sidecar was written', async () => {
    const dir = tempDir();
    const photos = path.join(dir, 'Photos');
    const a = await jpegTagged(tool, path.join(photos, 'a.jpg'), {}, { width: 64, height: 48 });
    const b = await jpegTagged(tool, path.join(photos, 'b.jpg'), { 'XMP-dc:Subject': ['beach'] }, { width: 64, height: 48 });
    const lib = await sidecarLibrary(path.join(dir, 'data'), photos);
    try {
      const version = lib.ml.facesVersion()!;
      const [fa] = lib.faces.putPhoto(lib.catalog.photoByPath(a)!.id, version, 'fa', [storedFace(0.05)]);
      lib.faces.putPhoto(lib.catalog.photoByPath(b)!.id, version, 'fb', [storedFace(0.0501)]);
      lib.faces.assign(fa!, lib.faces.createPerson('user', 'Mia'), 'user');
      await lib.pipeline.run({ untilIdle: true });
      expect((await readBack(`${a}.xmp`)).hierarchical).toEqual(['People|Mia']);
      expect((await readBack(`${b}.xmp`)).hierarchical).toEqual(['beach']);
      // The grouping puts b's face in Mia: b's sidecar is queued and names her.
      expect(lib.groupPeople()).toMatchObject({ assigned: 1 });
      await lib.pipeline.run({ untilIdle: true });
      expect(await readBack(`${b}.xmp`)).toMatchObject({ hierarchical: ['beach', 'People|Mia'], subjects: ['beach', 'Mia'] });
    } finally {
      await lib.close();
    }
  });
});
