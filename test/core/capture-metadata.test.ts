// Dates, time zones, cameras and positions as real files carry them, read by exiftool (the meta
// stage) and exifr (the thumb stage) and merged in the catalog: each date source and the source
// recorded, files exifr cannot parse, files whose pixels cannot be decoded, camera boilerplate.
import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/main/core/catalog/catalog.ts';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { Library } from '../../src/main/core/library.ts';
import { readExif } from '../../src/main/core/media/decode.ts';
import { XmpService } from '../../src/main/core/media/xmp.ts';
import { jpegTagged, jpegWithDamagedExif, jpegWithGarbagePixels, quickTimeMovie, undecodableHeic } from '../helpers/metadata-files.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

const LISBON = { lat: 38.7223, lon: -9.1393 };
const service = new XmpService();
const writer = new ExifTool({ maxProcs: 1 });
const open: Library[] = [];

afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
afterAll(async () => {
  await Promise.all([service.end(), writer.end()]);
});

describe('the date exiftool reads, by source', () => {
  it.each<[string, Record<string, string>, { takenAt: string; takenAtSource: string; timeZone?: string | null }]>([
    [
      'EXIF DateTimeOriginal with SubSecTimeOriginal and OffsetTimeOriginal',
      { 'EXIF:DateTimeOriginal': '2019:04:12 15:30:00', 'EXIF:SubSecTimeOriginal': '25', 'EXIF:OffsetTimeOriginal': '+01:00', 'XMP-photoshop:DateCreated': '2001:01:01' },
      { takenAt: '2019-04-12T15:30:00.25+01:00', takenAtSource: 'exif' },
    ],
    ['XMP photoshop:DateCreated', { 'XMP-photoshop:DateCreated': '2012-08-01T10:20:30+02:00', 'XMP-xmp:CreateDate': '2001:01:01' }, { takenAt: '2012-08-01T10:20:30+02:00', takenAtSource: 'xmp' }],
    ['XMP xmp:CreateDate', { 'XMP-xmp:CreateDate': '2012:08:01 10:20:30', 'IPTC:DateCreated': '2001:01:01' }, { takenAt: '2012-08-01T10:20:30', takenAtSource: 'xmp' }],
    ['IPTC DateCreated and TimeCreated', { 'IPTC:DateCreated': '2018:01:02', 'IPTC:TimeCreated': '10:11:12+02:00', 'EXIF:CreateDate': '2001:01:01 00:00:00' }, { takenAt: '2018-01-02T10:11:12+02:00', takenAtSource: 'iptc' }],
    ['EXIF DateTimeDigitized (a scanner)', { 'EXIF:CreateDate': '2003:03:03 03:03:03', 'EXIF:ModifyDate': '2020:01:01 00:00:00' }, { takenAt: '2003-03-03T03:03:03', takenAtSource: 'exif-digitized' }],
    [
      'the GPS clock, local at its position',
      {
        'EXIF:GPSDateStamp': '2019:07:01',
        'EXIF:GPSTimeStamp': '14:30:00',
        'EXIF:GPSLatitude': String(LISBON.lat),
        'EXIF:GPSLatitudeRef': 'N',
        'EXIF:GPSLongitude': String(-LISBON.lon),
        'EXIF:GPSLongitudeRef': 'W',
        'EXIF:ModifyDate': '2020:01:01 00:00:00',
      },
      { takenAt: '2019-07-01T15:30:00+01:00', takenAtSource: 'gps', timeZone: 'Europe/Lisbon' },
    ],
    // An old camera (EXIF 2.1): DateTime only, DateTimeOriginal a blank the camera left.
    ['EXIF DateTime of an old camera, the placeholder original rejected', { 'EXIF:DateTimeOriginal': '0000:00:00 00:00:00', 'EXIF:ModifyDate': '2002:02:02 02:02:02' }, { takenAt: '2002-02-02T02:02:02', takenAtSource: 'exif-modified' }],
  ])('%s', async (_name, tags, expected) => {
    const file = await jpegTagged(writer, path.join(tempDir(), 'DSC_0001.jpg'), tags);
    const { facts } = await service.readPhotoMetadata(file);
    expect(facts).toMatchObject({ timeZone: null, ...expected });
  });

  it('reads QuickTime: Apple’s CreationDate with its offset, else CreateDate as the UTC the format defines', async () => {
    const dir = tempDir();
    const utc = quickTimeMovie(path.join(dir, 'utc.mov'), new Date(Date.UTC(2019, 3, 12, 14, 30, 0)));
    expect((await service.readPhotoMetadata(utc)).facts).toMatchObject({ takenAt: '2019-04-12T14:30:00+00:00', takenAtSource: 'quicktime' });
    const apple = quickTimeMovie(path.join(dir, 'apple.mov'), new Date(Date.UTC(2019, 3, 12, 14, 30, 0)));
    await writer.write(apple, { 'Keys:CreationDate': '2019:04:12 15:30:00+01:00' } as Record<string, string>, { writeArgs: ['-overwrite_original'], useMWG: false });
    expect((await service.readPhotoMetadata(apple)).facts).toMatchObject({ takenAt: '2019-04-12T15:30:00+01:00', takenAtSource: 'quicktime' });
  });

  it('takes the camera, lens and position from XMP when EXIF has none, and a sidecar’s date before the file’s XMP', async () => {
    const dir = tempDir();
    const file = await jpegTagged(writer, path.join(dir, 'scan.jpg'), {
      'XMP-tiff:Make': 'Epson',
      'XMP-tiff:Model': 'Perfection V600',
      'XMP-exifEX:LensModel': 'Flatbed',
      'XMP-exif:GPSLatitude': '35.6812',
      'XMP-exif:GPSLongitude': '139.7671',
      'XMP-photoshop:DateCreated': '1987-06-01',
    });
    expect((await service.readPhotoMetadata(file)).facts).toMatchObject({
      takenAt: '1987-06-01',
      takenAtSource: 'xmp',
      cameraMake: 'Epson',
      cameraModel: 'Perfection V600',
      lens: 'Flatbed',
      gpsLat: 35.6812,
      gpsLon: 139.7671,
    });
    await writer.write(`${file}.xmp`, { 'XMP-photoshop:DateCreated': '1986-12-24T18:00:00' } as Record<string, string>, { useMWG: false });
    expect((await service.readPhotoMetadata(file)).facts).toMatchObject({ takenAt: '1986-12-24T18:00:00', takenAtSource: 'xmp' });
  });

  it('reads EXIF that exifr cannot parse', async () => {
    const file = await jpegWithDamagedExif(path.join(tempDir(), 'damaged.jpg'), { takenAt: '2005:06:07 08:09:10', make: 'SANYO', model: 'VPC-E1', gps: LISBON });
    expect(await readExif(file)).toMatchObject({ takenAt: null, cameraMake: null, gpsLat: null }); // exifr gives up on the block
    expect((await service.readPhotoMetadata(file)).facts).toMatchObject({
      takenAt: '2005-06-07T08:09:10',
      takenAtSource: 'exif',
      cameraMake: 'SANYO',
      cameraModel: null, // the damaged entry
      gpsLat: LISBON.lat,
      gpsLon: LISBON.lon,
    });
  });
});

describe('readers merged in the catalog', () => {
  it('give the same facts whichever stage commits first (meta before thumb, and after)', async () => {
    const dir = tempDir();
    const files = [
      await makeJpeg(path.join(dir, 'exif-gps.jpg'), { takenAt: '2019:07:01 15:30:00', make: 'FUJIFILM', model: 'X100V', gps: LISBON }),
      await jpegWithDamagedExif(path.join(dir, 'damaged.jpg'), { takenAt: '2005:06:07 08:09:10', make: 'SANYO', model: 'VPC-E1' }),
      await jpegTagged(writer, path.join(dir, 'IMG_20190412_153000.jpg'), { 'EXIF:ModifyDate': '2020:01:01 00:00:00', 'XMP-tiff:Make': 'Apple' }),
      await jpegTagged(writer, path.join(dir, 'sub.jpg'), { 'EXIF:DateTimeOriginal': '2019:04:12 15:30:00', 'EXIF:SubSecTimeOriginal': '5', 'EXIF:OffsetTimeOriginal': '-03:00', 'EXIF:Make': 'Canon' }),
      await jpegTagged(writer, path.join(dir, 'xmp-only.jpg'), { 'XMP-photoshop:DateCreated': '2012-08-01', 'EXIF:Make': 'NIKON', 'EXIF:GPSLatitude': '35.6812', 'EXIF:GPSLatitudeRef': 'N', 'EXIF:GPSLongitude': '139.7671', 'EXIF:GPSLongitudeRef': 'E' }),
    ];
    const db = openDatabase(':memory:');
    const catalog = new Catalog(db, () => []);
    db.prepare("INSERT INTO folders (id, path, added_at, online) VALUES (1, ?, 0, 1)").run(dir);
    const row = (file: string, copy: string) =>
      catalog.insertPhoto({ folderId: 1, path: path.join(dir, copy, path.basename(file)), size: 1, mtimeMs: fs.statSync(file).mtimeMs, fingerprint: null });
    const pixels = { format: 'jpeg', width: 64, height: 48, orientation: null, damaged: null };
    const columns = (id: number) => {
      const { taken_at, taken_at_source, time_zone, camera_make, camera_model, lens, gps_lat, gps_lon, gps_alt } = catalog.photo(id)!;
      return { taken_at, taken_at_source, time_zone, camera_make, camera_model, lens, gps_lat, gps_lon, gps_alt };
    };
    const results: Record<string, ReturnType<typeof columns>> = {};
    for (const file of files) {
      const [exifr, meta] = [await readExif(file), await service.readPhotoMetadata(file)];
      const thumbFirst = row(file, 'a');
      catalog.setFacts(thumbFirst, { ...pixels, ...exifr });
      catalog.mergeMetadata(thumbFirst, meta.facts, 'exiftool');
      const metaFirst = row(file, 'b');
      catalog.mergeMetadata(metaFirst, meta.facts, 'exiftool');
      catalog.setFacts(metaFirst, { ...pixels, ...exifr });
      expect(columns(metaFirst), path.basename(file)).toEqual(columns(thumbFirst));
      results[path.basename(file)] = columns(thumbFirst);
    }
    expect(results['exif-gps.jpg']).toMatchObject({ taken_at: '2019-07-01T15:30:00', taken_at_source: 'exif', time_zone: 'Europe/Lisbon', camera_model: 'X100V' });
    expect(results['damaged.jpg']).toMatchObject({ taken_at: '2005-06-07T08:09:10', taken_at_source: 'exif', camera_make: 'SANYO' });
    expect(results['IMG_20190412_153000.jpg']).toMatchObject({ taken_at: '2019-04-12T15:30:00', taken_at_source: 'filename', camera_make: 'Apple' });
    expect(results['sub.jpg']).toMatchObject({ taken_at: '2019-04-12T15:30:00.5-03:00', taken_at_source: 'exif', time_zone: null });
    expect(results['xmp-only.jpg']).toMatchObject({ taken_at: '2012-08-01', taken_at_source: 'xmp', time_zone: 'Asia/Tokyo', camera_make: 'NIKON' });
    db.close();
  });
});

describe('a library indexing real-world files', () => {
  it('records each photo’s date with its source and zone, reads the metadata of files it cannot decode, and imports no boilerplate', async () => {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    const at = (name: string) => path.join(folder, name);
    await makeJpeg(at('exif-gps.jpg'), { takenAt: '2019:07:01 15:30:00', make: 'FUJIFILM', model: 'X100V', gps: LISBON });
    await jpegTagged(writer, at('offset.jpg'), { 'EXIF:DateTimeOriginal': '2019:07:01 15:30:00', 'EXIF:OffsetTimeOriginal': '+02:00' }, { gps: LISBON });
    await jpegTagged(writer, at('xmp-only.jpg'), { 'XMP-photoshop:DateCreated': '2012-08-01T10:20:30' });
    await jpegTagged(writer, at('iptc-only.jpg'), { 'IPTC:DateCreated': '2018:01:02', 'IPTC:TimeCreated': '10:11:12+02:00' });
    await jpegTagged(writer, at('gps-clock.jpg'), { 'EXIF:GPSDateStamp': '2019:01:01', 'EXIF:GPSTimeStamp': '14:30:00' }, { gps: LISBON });
    await makeJpeg(at('IMG_20190412_153000.jpg'));
    await makeJpeg(at('DSC_0001.jpg'));
    const mtime = new Date(Date.UTC(2016, 4, 5, 6, 7, 8));
    fs.utimesSync(at('DSC_0001.jpg'), mtime, mtime);
    await jpegTagged(writer, at('old-camera.jpg'), { 'EXIF:DateTimeOriginal': '0000:00:00 00:00:00', 'EXIF:ModifyDate': '2002:02:02 02:02:02', 'EXIF:ExifVersion': '0210' });
    await jpegWithDamagedExif(at('damaged-exif.jpg'), { takenAt: '2005:06:07 08:09:10', make: 'SANYO', model: 'VPC-E1', gps: LISBON });
    await jpegWithGarbagePixels(at('garbage-pixels.jpg'), { takenAt: '2004:05:06 07:08:09', make: 'NIKON CORPORATION', model: 'NIKON D70', gps: LISBON });
    await undecodableHeic(at('IMG_4321.heic'), { make: 'Apple', model: 'iPhone 12', takenAt: '2021:06:01 12:00:00', offset: '+02:00' });
    await jpegTagged(writer, at('sanyo.jpg'), { 'EXIF:ImageDescription': 'SANYO DIGITAL CAMERA', 'EXIF:Make': 'SANYO Electric Co.,Ltd.', 'EXIF:Model': 'VPC-E1' });
    await jpegTagged(writer, at('samsung.jpg'), { 'EXIF:ImageDescription': '<Digimax i50 MP3, Samsung #1 MP3>', 'EXIF:Make': 'SAMSUNG TECHWIN', 'EXIF:Model': 'Digimax i50 MP3' });
    await jpegTagged(writer, at('model.jpg'), { 'EXIF:ImageDescription': 'Canon PowerShot A95', 'EXIF:Make': 'Canon', 'EXIF:Model': 'Canon PowerShot A95' });
    await jpegTagged(writer, at('blank.jpg'), { 'EXIF:ImageDescription': '      ', 'IPTC:Caption-Abstract': ' ' });
    await jpegTagged(writer, at('fuji.jpg'), { 'XMP-dc:Description': '富士山の夕焼け', 'EXIF:ImageDescription': 'OLYMPUS DIGITAL CAMERA' });

    const lib = Library.open({ dataDir: path.join(root, 'data'), pipeline: { backoffMs: () => 5 } });
    open.push(lib);
    await lib.addFolder(folder);
    await lib.index();
    const status = lib.status();
    const photo = (name: string) => lib.photo(lib.catalog.photoByPath(at(name))!.id)!;
    const date = (name: string) => {
      const p = photo(name);
      return { takenAt: p.takenAt, takenAtSource: p.takenAtSource, timeZone: p.timeZone };
    };

    expect(date('exif-gps.jpg')).toEqual({ takenAt: '2019-07-01T15:30:00', takenAtSource: 'exif', timeZone: 'Europe/Lisbon' });
    expect(date('offset.jpg')).toEqual({ takenAt: '2019-07-01T15:30:00+02:00', takenAtSource: 'exif', timeZone: null });
    expect(date('xmp-only.jpg')).toEqual({ takenAt: '2012-08-01T10:20:30', takenAtSource: 'xmp', timeZone: null });
    expect(date('iptc-only.jpg')).toEqual({ takenAt: '2018-01-02T10:11:12+02:00', takenAtSource: 'iptc', timeZone: null });
    expect(date('gps-clock.jpg')).toEqual({ takenAt: '2019-01-01T14:30:00+00:00', takenAtSource: 'gps', timeZone: 'Europe/Lisbon' });
    expect(date('IMG_20190412_153000.jpg')).toEqual({ takenAt: '2019-04-12T15:30:00', takenAtSource: 'filename', timeZone: null });
    expect(date('DSC_0001.jpg')).toMatchObject({ takenAtSource: 'mtime', timeZone: null });
    expect(new Date(date('DSC_0001.jpg').takenAt!).getTime()).toBe(mtime.getTime());
    expect(date('old-camera.jpg')).toEqual({ takenAt: '2002-02-02T02:02:02', takenAtSource: 'exif-modified', timeZone: null });
    // EXIF exifr cannot parse: date, camera and position from exiftool, the zone from the position.
    expect(date('damaged-exif.jpg')).toEqual({ takenAt: '2005-06-07T08:09:10', takenAtSource: 'exif', timeZone: 'Europe/Lisbon' });
    expect(photo('damaged-exif.jpg')).toMatchObject({ cameraMake: 'SANYO', gps: { lat: expect.closeTo(LISBON.lat, 4), lon: expect.closeTo(LISBON.lon, 4) } });

    // Pixels that cannot be decoded: failed once, in the thumb stage, and catalogued with date, camera and position.
    for (const name of ['garbage-pixels.jpg', 'IMG_4321.heic']) {
      expect(status.failed.filter((f) => f.path === at(name)).map((f) => f.stage), name).toEqual(['thumb']);
    }
    expect(photo('garbage-pixels.jpg')).toMatchObject({
      takenAt: '2004-05-06T07:08:09',
      takenAtSource: 'exif',
      timeZone: 'Europe/Lisbon',
      cameraMake: 'NIKON CORPORATION',
      cameraModel: 'NIKON D70',
      gps: { lat: expect.closeTo(LISBON.lat, 4), lon: expect.closeTo(LISBON.lon, 4) },
      width: null,
    });
    expect(photo('IMG_4321.heic')).toMatchObject({ takenAt: '2021-06-01T12:00:00+02:00', takenAtSource: 'exif', cameraMake: 'Apple', cameraModel: 'iPhone 12' });

    // Camera boilerplate, blanks and make/model repeats are no caption; a real one, in any language, is.
    for (const name of ['sanyo.jpg', 'samsung.jpg', 'model.jpg', 'blank.jpg']) expect(photo(name).caption, name).toBeNull();
    expect(photo('fuji.jpg')).toMatchObject({ caption: '富士山の夕焼け', captionSource: 'user' });
    expect(photo('sanyo.jpg').cameraModel).toBe('VPC-E1');
  });
});
