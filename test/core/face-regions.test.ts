// Face regions other apps wrote ([Note: face regions read] in media/xmp.ts): MWG's (centre-based Area, Type Face) and
// Microsoft's (top-left Rectangle), in files and sidecars exiftool wrote, and turned upright by EXIF orientation.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExifTool } from 'exiftool-vendored';
import { XmpService, uprightRegion } from '../../src/main/core/media/xmp.ts';
import { Library } from '../../src/main/core/library.ts';
import type { NewFace } from '../../src/main/core/catalog/faces.ts';
import { jpegTagged } from '../helpers/metadata-files.ts';
import { tempDir } from '../helpers/photos.ts';

const service = new XmpService();
const tool = new ExifTool({ maxProcs: 1 });
afterAll(async () => {
  await service.end();
  await tool.end();
});

const mwg = (list: Record<string, unknown>[]) => ({ AppliedToDimensions: { W: 64, H: 48, Unit: 'pixel' }, RegionList: list });
const area = (X: number, Y: number, W: number, H: number, Unit = 'normalized') => ({ X, Y, W, H, Unit });

describe('face regions read from XMP', () => {
  it("reads MWG face regions (names, the centre made the corner), leaving out other types, other units and boxes outside", async () => {
    const dir = tempDir();
    const file = await jpegTagged(tool, path.join(dir, 'a.jpg'), {
      'XMP-mwg-rs:RegionInfo': mwg([
        { Name: 'Ann Smith', Type: 'Face', Area: area(0.25, 0.5, 0.2, 0.3) },
        { Type: 'Face', Area: area(0.7, 0.5, 0.1, 0.1) },
        { Name: 'Rex', Type: 'Pet', Area: area(0.5, 0.5, 0.2, 0.2) },
        { Name: 'Pixels', Type: 'Face', Area: area(10, 10, 5, 5, 'pixel') },
        { Name: 'Outside', Type: 'Face', Area: area(1.4, 0.5, 0.2, 0.2) },
      ]),
    } as never);
    const meta = await service.readPhotoMetadata(file);
    expect(meta.faceRegions.map((r) => ({ ...r, x: +r.x.toFixed(6), y: +r.y.toFixed(6), width: +r.width.toFixed(6), height: +r.height.toFixed(6) }))).toEqual([
      { name: 'Ann Smith', x: 0.15, y: 0.35, width: 0.2, height: 0.3, source: 'mwg' },
      { name: null, x: 0.65, y: 0.45, width: 0.1, height: 0.1, source: 'mwg' },
    ]);
    // A file without regions has none; the other metadata is read as before.
    const plain = await jpegTagged(tool, path.join(dir, 'b.jpg'), { 'XMP-dc:Subject': ['beach'] } as never);
    expect(await service.readPhotoMetadata(plain)).toMatchObject({ faceRegions: [], keywords: ['beach'] });
  });

  it("reads Microsoft's regions (PersonDisplayName, a top-left Rectangle), and a sidecar's regions before the photo's", async () => {
    const dir = tempDir();
    const file = await jpegTagged(tool, path.join(dir, 'c.jpg'), {
      'XMP-MP:RegionInfoMP': { Regions: [{ PersonDisplayName: 'Bob', Rectangle: '0.1, 0.2, 0.3, 0.4' }, { Rectangle: 'nonsense' }] },
    } as never);
    expect((await service.readPhotoMetadata(file)).faceRegions).toEqual([{ name: 'Bob', x: 0.1, y: 0.2, width: 0.3, height: 0.4, source: 'microsoft' }]);
    const sidecar = path.join(dir, 'c.xmp');
    await tool.write(sidecar, { 'XMP-mwg-rs:RegionInfo': mwg([{ Name: 'Cleo', Type: 'Face', Area: area(0.5, 0.5, 0.5, 0.5) }]) } as never, { writeArgs: ['-overwrite_original'], useMWG: false });
    expect((await service.readPhotoMetadata(file)).faceRegions).toEqual([{ name: 'Cleo', x: 0.25, y: 0.25, width: 0.5, height: 0.5, source: 'mwg' }]);
  });

  it('turns a stored-image region upright for each EXIF orientation', () => {
    // A box in the stored image's top-left quarter, off its diagonal.
    const r = { x: 0.1, y: 0.2, width: 0.2, height: 0.1 };
    const round = (b: typeof r) => ({ x: +b.x.toFixed(6), y: +b.y.toFixed(6), width: +b.width.toFixed(6), height: +b.height.toFixed(6) });
    expect(round(uprightRegion(r, 1))).toEqual(r);
    expect(round(uprightRegion(r, null))).toEqual(r);
    expect(round(uprightRegion(r, 2))).toEqual({ x: 0.7, y: 0.2, width: 0.2, height: 0.1 });
    expect(round(uprightRegion(r, 3))).toEqual({ x: 0.7, y: 0.7, width: 0.2, height: 0.1 });
    expect(round(uprightRegion(r, 4))).toEqual({ x: 0.1, y: 0.7, width: 0.2, height: 0.1 });
    // Rotated a quarter turn, width and height swap: 90° clockwise (6) takes the top-left corner to the top-right.
    expect(round(uprightRegion(r, 6))).toEqual({ x: 0.7, y: 0.1, width: 0.1, height: 0.2 });
    expect(round(uprightRegion(r, 8))).toEqual({ x: 0.2, y: 0.7, width: 0.1, height: 0.2 });
    expect(round(uprightRegion(r, 5))).toEqual({ x: 0.2, y: 0.1, width: 0.1, height: 0.2 });
    expect(round(uprightRegion(r, 7))).toEqual({ x: 0.7, y: 0.7, width: 0.1, height: 0.2 });
  });
});

describe('face regions in the library', () => {
  it('keeps the regions the meta stage read, and gives each name to the face under it in the upright photo', async () => {
    const dir = tempDir();
    const photos = path.join(dir, 'Photos');
    // 64x48 as stored, turned 90° clockwise (orientation 6): 48x64 upright. Ann's region is in the stored image's
    // top-left quarter, so in the upright photo's top-right; Bob's in the stored bottom-right, so upright bottom-left.
    const file = await jpegTagged(
      tool,
      path.join(photos, 'turned.jpg'),
      {
        'EXIF:Orientation#': 6,
        'XMP-mwg-rs:RegionInfo': mwg([
          { Name: 'Ann', Type: 'Face', Area: area(0.25, 0.25, 0.25, 0.25) },
          { Name: 'Bob', Type: 'Face', Area: area(0.75, 0.75, 0.25, 0.25) },
          { Type: 'Face', Area: area(0.75, 0.25, 0.2, 0.2) },
        ]),
      } as never,
      { width: 64, height: 48 },
    );
    const lib = Library.open({ dataDir: path.join(dir, 'data') });
    try {
      await lib.addFolder(photos);
      await lib.index();
      const photo = lib.catalog.photoByPath(file)!;
      expect([photo.width, photo.height, photo.orientation]).toEqual([48, 64, 6]);
      expect(lib.faces.regions(photo.id).map((r) => r.name)).toEqual(['Ann', 'Bob', null]);
      const face = (x: number, y: number, w: number, h: number): NewFace => ({ box: { x, y, width: w, height: h }, score: 0.9, landmarks: new Array<number>(136).fill(0), descriptor: new Float32Array(128) });
      // Upright: Ann's region is x 48·(1-0.375)=30 to 42, y 64·0.125=8 to 24; Bob's x 3 to 15, y 40 to 56.
      // A face elsewhere, and one beside Ann's region (IoU 0.14), take no name.
      const [onAnn, onBob] = lib.faces.putPhoto(photo.id, 'test-faces@1', 'fp', [face(31, 9, 11, 15), face(4, 41, 12, 14), face(20, 28, 8, 8), face(36, 16, 12, 16)]);
      expect(lib.faces.namedRegionFaces(photo.id, photo.orientation, photo.width!, photo.height!)).toEqual([
        { face: onAnn, name: 'Ann' },
        { face: onBob, name: 'Bob' },
      ]);
      // Read as if it were not turned, the same boxes miss the regions (the orientation matters).
      expect(lib.faces.namedRegionFaces(photo.id, 1, photo.width!, photo.height!)).toEqual([]);
      // Applied as the faces stage does on storing them: the user's names, people made for them.
      expect(lib.faces.applyRegionNames(photo.id, photo.orientation, photo.width!, photo.height!)).toBe(2);
      const ann = lib.faces.face(onAnn!)!.personId!;
      expect(lib.faces.person(ann)).toMatchObject({ name: 'Ann', source: 'user', faces: 1 });
      expect(lib.faces.face(onAnn!)!.assigned).toBe('user');
      expect(lib.faces.person(lib.faces.face(onBob!)!.personId!)).toMatchObject({ name: 'Bob', source: 'user' });
      // Read again (a new model): the faces carried keep their people, nothing is named twice, no second Ann.
      const again = lib.faces.putPhoto(photo.id, 'test-faces@2', 'fp', [face(31, 9, 11, 15), face(4, 41, 12, 14)]);
      expect(lib.faces.applyRegionNames(photo.id, photo.orientation, photo.width!, photo.height!)).toBe(0);
      expect(lib.faces.face(again[0]!)!.personId).toBe(ann);
      expect(lib.faces.people().filter((p) => p.name === 'Ann')).toHaveLength(1);
      // Another photo's region "ann" (case aside) joins the same person; a face "not this person" for Ann stays out.
      const other = await jpegTagged(tool, path.join(photos, 'other.jpg'), { 'XMP-mwg-rs:RegionInfo': mwg([{ Name: ' ann ', Type: 'Face', Area: area(0.5, 0.5, 0.5, 0.5) }]) } as never, { width: 64, height: 48 });
      await lib.scan();
      await lib.index();
      const o = lib.catalog.photoByPath(other)!;
      const [of] = lib.faces.putPhoto(o.id, 'test-faces@2', 'fo', [face(16, 12, 32, 24)]);
      expect(lib.faces.applyRegionNames(o.id, o.orientation, o.width!, o.height!)).toBe(1);
      expect(lib.faces.face(of!)!.personId).toBe(ann);
      expect(lib.faces.person(ann)!.faces).toBe(2);
      // What "not this person" stores (People.notThisPerson, without a grouping loaded here).
      lib.faces.reject(of!, ann);
      lib.faces.assign(of!, null, 'user');
      const [read] = lib.faces.putPhoto(o.id, 'test-faces@3', 'fo', [face(16, 12, 32, 24)]);
      expect(lib.faces.applyRegionNames(o.id, o.orientation, o.width!, o.height!)).toBe(0);
      expect(lib.faces.face(read!)!.personId).toBeNull();
      // The file's regions read again replace the kept ones.
      await tool.write(file, { 'XMP-mwg-rs:RegionInfo': mwg([{ Name: 'Cleo', Type: 'Face', Area: area(0.5, 0.5, 0.2, 0.2) }]) } as never, { writeArgs: ['-overwrite_original'], useMWG: false });
      await lib.scan();
      await lib.index();
      expect(lib.faces.regions(lib.catalog.photoByPath(file)!.id).map((r) => r.name)).toEqual(['Cleo']);
    } finally {
      await lib.close();
    }
  }, 60_000);
});
