// Face regions other apps wrote ([Note: face regions read] in media/xmp.ts): MWG's (centre-based Area, Type Face) and
// Microsoft's (top-left Rectangle), in files and sidecars exiftool wrote, and turned upright by EXIF orientation.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExifTool } from 'exiftool-vendored';
import { XmpService, uprightRegion } from '../../src/main/core/media/xmp.ts';
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
