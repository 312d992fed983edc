// A library as people have one: a phone's HEIC Live Photo, a camera's RAW+JPEG pair, a lone RAW and one
// without a preview, a screenshot, a scan, an old camera's JPEG with its boilerplate text, dates only in
// XMP, a damaged JPEG, a name that is not UTF-8 and a video of its own — indexed in one go, the way a
// photographer expects.
import fs from 'node:fs';
import path from 'node:path';
import bmp from 'bmp-js';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import type { PhotoDetails } from '../../src/shared/types.ts';
import { makeJpeg, makePng, tempDir } from '../helpers/photos.ts';
import { jpegTagged } from '../helpers/metadata-files.ts';
import { writeRawFile } from '../helpers/raw-files.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/media');
const tool = new ExifTool({ maxProcs: 1 });
const open: Library[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
afterAll(() => tool.end());

describe('a real phone-and-camera library', () => {
  it('indexes every kind of file people have, with the right faces, dates, files and reasons', async () => {
    const root = tempDir();
    const lib = Library.open({ dataDir: path.join(root, 'data'), pipeline: { backoffMs: () => 5 } });
    open.push(lib);
    const dir = path.join(root, 'Pictures');
    const phone = path.join(dir, 'iPhone');
    const camera = path.join(dir, 'Camera', '2019-08 Lisbon');
    fs.mkdirSync(phone, { recursive: true });
    fs.mkdirSync(camera, { recursive: true });

    // The phone: a portrait HEIC (turned by its container, EXIF saying the same) with its Live Photo video.
    fs.copyFileSync(path.join(FIXTURES, 'rotated.heic'), path.join(phone, 'IMG_4501.HEIC'));
    fs.writeFileSync(path.join(phone, 'IMG_4501.MOV'), 'live photo video\n'.repeat(64));
    // A screenshot: no EXIF, its date in its name.
    await makePng(path.join(phone, 'Screenshot_2021-03-04-15-30-00.png'), { width: 90, height: 160, seed: 3 });
    // A video of its own.
    fs.writeFileSync(path.join(phone, 'VID_20210101_120000.mp4'), 'a video\n'.repeat(64));

    // The camera: RAW+JPEG of one shot, a lone NEF, and an ORF holding only a thumbnail.
    await writeRawFile(path.join(camera, 'IMG_0042.CR2'), 'cr2', { takenAt: '2019:08:02 19:45:10', gps: { lat: 38.7139, lon: -9.1394 } });
    await makeJpeg(path.join(camera, 'IMG_0042.JPG'), { width: 600, height: 400, seed: 42, takenAt: '2019:08:02 19:45:10', make: 'Canon', model: 'Canon EOS 5D Mark III', gps: { lat: 38.7139, lon: -9.1394 } });
    await writeRawFile(path.join(camera, 'DSC_0100.NEF'), 'nef', { takenAt: '2019:08:03 10:00:00' });
    await writeRawFile(path.join(camera, 'P8040001.ORF'), 'orf', { takenAt: '2019:08:04 11:00:00', preview: null });

    // An old camera's JPEG: only EXIF DateTime, and the camera's own text as its description.
    const old = path.join(dir, 'Old', 'PICT0001.JPG');
    fs.mkdirSync(path.dirname(old), { recursive: true });
    await jpegTagged(tool, old, { 'EXIF:ModifyDate': '1998:07:14 16:20:00', 'EXIF:ImageDescription': 'OLYMPUS DIGITAL CAMERA', 'EXIF:Make': 'OLYMPUS OPTICAL CO.,LTD', 'EXIF:Model': 'C900Z,D400Z' });
    // Scans: one whose date a person wrote in XMP, with a caption; a bitmap from an old scanner, dated by its name.
    const scan = path.join(dir, 'Scans', 'grandma.jpg');
    fs.mkdirSync(path.dirname(scan), { recursive: true });
    const abgr = Buffer.alloc(64 * 48 * 4, 0x80);
    fs.writeFileSync(path.join(dir, 'Scans', 'scan 1998-07-14.bmp'), bmp.encode({ data: abgr, width: 64, height: 48 }).data);
    await jpegTagged(tool, scan, { 'XMP-photoshop:DateCreated': '1965:04:12 10:00:00', 'XMP-dc:Description': 'Grandma at the lake' });
    // A JPEG that lost its last bytes, and one whose name is not UTF-8.
    const whole = fs.readFileSync(await makeJpeg(path.join(root, 'whole.jpg'), { width: 400, height: 300, seed: 7 }));
    fs.writeFileSync(path.join(dir, 'Old', 'cut-off.jpg'), whole.subarray(0, whole.length - 300));
    fs.writeFileSync(Buffer.from(path.join(dir, 'Old', 'caf\xe9.jpg'), 'latin1'), whole);

    await lib.addFolder(dir);
    await lib.index();
    const status = lib.status();
    const byName = new Map(lib.list().map((p) => [path.basename(p.path), p.id]));
    const photo = (name: string): PhotoDetails => lib.photo(byName.get(name)!)!;

    // What is a photo: the pair is one, the Live Photo is one, the lone video and the bad name are not.
    expect([...byName.keys()].sort()).toEqual(
      ['DSC_0100.NEF', 'IMG_0042.JPG', 'IMG_4501.HEIC', 'P8040001.ORF', 'PICT0001.JPG', 'Screenshot_2021-03-04-15-30-00.png', 'cut-off.jpg', 'grandma.jpg', 'scan 1998-07-14.bmp'].sort(),
    );
    expect(status.skippedVideos).toBe(1);
    expect(status.scanIssues.map((i) => i.reason)).toEqual([expect.stringMatching(/not valid UTF-8/)]);
    // Only the ORF without a preview fails, with what it holds; the cut-off JPEG is shown, damaged.
    expect(status.failed.map((f) => [path.basename(f.path), f.stage])).toEqual([['P8040001.ORF', 'thumb']]);
    expect(status.failed[0]!.error).toMatch(/no embedded preview/);
    expect(status.damaged.map((d) => path.basename(d.path))).toEqual(['cut-off.jpg']);

    const heic = photo('IMG_4501.HEIC');
    expect([heic.format, heic.width, heic.height]).toEqual(['heif', 48, 64]);
    expect(heic.files.map((f) => f.role)).toEqual(['photo', 'video']);

    const pair = photo('IMG_0042.JPG');
    expect(pair.files.map((f) => [path.basename(f.path), f.role])).toEqual([['IMG_0042.JPG', 'photo'], ['IMG_0042.CR2', 'raw']]);
    expect([pair.takenAt, pair.takenAtSource, pair.timeZone]).toEqual(['2019-08-02T19:45:10', 'exif', 'Europe/Lisbon']);
    expect(pair.gps).toMatchObject({ lat: expect.closeTo(38.7139, 3), lon: expect.closeTo(-9.1394, 3) });

    const nef = photo('DSC_0100.NEF');
    // The NIKON D700's own size, not its 160×106 TIFF thumbnail's.
    expect([nef.format, nef.width, nef.height, nef.cameraModel]).toEqual(['raw', 3040, 2014, 'NIKON D700']);
    const orf = photo('P8040001.ORF');
    expect([orf.takenAt, orf.cameraMake]).toEqual(['2019-08-04T11:00:00', 'OLYMPUS IMAGING CORP.']);

    expect(photo('Screenshot_2021-03-04-15-30-00.png')).toMatchObject({ takenAt: '2021-03-04T15:30:00', takenAtSource: 'filename' });
    const old1998 = photo('PICT0001.JPG');
    expect([old1998.takenAt, old1998.takenAtSource, old1998.caption]).toEqual(['1998-07-14T16:20:00', 'exif-modified', null]);
    expect(photo('grandma.jpg')).toMatchObject({ takenAt: '1965-04-12T10:00:00', takenAtSource: 'xmp', caption: 'Grandma at the lake', captionSource: 'user' });
    expect(photo('cut-off.jpg').damaged).toMatch(/premature end of JPEG/i);
    expect(photo('scan 1998-07-14.bmp')).toMatchObject({ format: 'bmp', width: 64, height: 48, takenAt: '1998-07-14', takenAtSource: 'filename' });

    // Thumbnails exist for everything shown.
    for (const name of byName.keys()) {
      if (name === 'P8040001.ORF') continue;
      expect(fs.existsSync(lib.cache.targets(photo(name).fingerprint!).thumb), name).toBe(true);
    }
  });
});
