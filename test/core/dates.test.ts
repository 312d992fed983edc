// Capture dates as cameras write them: the sources and their order, dates in file names, time
// zones from GPS, and the merge of what the two readers found, whatever order they commit in.
import { describe, expect, it } from 'vitest';
import {
  DATE_SOURCES,
  bestDate,
  dateFromFilename,
  exifDate,
  gpsStamp,
  iptcDate,
  metadataDate,
  mtimeDate,
  parseMetadataDate,
  utcDate,
  zoneOffset,
} from '../../src/main/core/media/dates.ts';
import { NO_METADATA, mergeFacts, type FactsReader, type MetadataFacts } from '../../src/main/core/media/facts.ts';
import { zoneAt } from '../../src/main/core/media/timezone.ts';

const LISBON = { lat: 38.7223, lon: -9.1393 };

describe('dates in file names', () => {
  const NEXT_YEAR = new Date().getFullYear() + 1;
  it.each([
    ['IMG_20190412_153000.jpg', '2019-04-12T15:30:00'],
    ['VID_20190412_153000.mp4', '2019-04-12T15:30:00'],
    ['IMG_20190412_153000_HDR.jpg', '2019-04-12T15:30:00'],
    ['MVIMG_20190412_153000.jpg', '2019-04-12T15:30:00'],
    ['PXL_20210101_123456789.jpg', '2021-01-01T12:34:56'],
    ['PXL_20210101_123456789.MP.jpg', '2021-01-01T12:34:56'],
    ['20190412_153000.jpg', '2019-04-12T15:30:00'], // Samsung
    ['IMG-20190412-WA0001.jpg', '2019-04-12'], // WhatsApp: a date, no time
    ['VID-20190412-WA0001.mp4', '2019-04-12'],
    ['Screenshot_20210304-153000_Chrome.jpg', '2021-03-04T15:30:00'],
    ['Screenshot_2021-03-04-15-30-00.png', '2021-03-04T15:30:00'],
    ['Screenshot 2021-03-04 at 15.30.00.png', '2021-03-04T15:30:00'], // macOS
    ['Screen Shot 2019-04-12 at 3.30.00 PM.png', '2019-04-12T15:30:00'], // older macOS, 12-hour
    ['Screenshot 2023-01-02 at 9.05.07\u202fAM.png', '2023-01-02T09:05:07'], // macOS 13: narrow no-break space
    ['Screen Shot 2019-04-12 at 12.01.00 AM.png', '2019-04-12T00:01:00'],
    ['Screenshot from 2021-03-04 15-30-00.png', '2021-03-04T15:30:00'], // GNOME
    ['Screenshot 2024-01-02 153000.png', '2024-01-02T15:30:00'], // Windows 11
    ['Photo 2019-04-12 15 30 00.jpg', '2019-04-12T15:30:00'],
    ['2019-04-12 15.30.00.jpg', '2019-04-12T15:30:00'], // Dropbox camera uploads
    ['WIN_20190412_15_30_00_Pro.jpg', '2019-04-12T15:30:00'], // Windows Camera
    ['signal-2021-01-01-123456.jpg', '2021-01-01T12:34:56'],
    ['signal-2023-01-01-12-34-56-789.jpg', '2023-01-01T12:34:56'],
    ['photo_2021-03-04_15-30-00.jpg', '2021-03-04T15:30:00'], // Telegram
    ['BURST20190412153000123.jpg', '2019-04-12T15:30:00'],
    ['Grandma 1965-04-12.jpg', '1965-04-12'], // a scan named by hand
    ['/photos/2018/IMG_20190412_153000.jpg', '2019-04-12T15:30:00'], // the name, not the folder
    ['IMG_20190412_1530.jpg', '2019-04-12'], // hours and minutes only: not a time we read
    ['IMG_20190412_256100.jpg', '2019-04-12'], // an impossible time leaves the date
  ])('%s → %s', (name, expected) => {
    expect(dateFromFilename(name)).toBe(expected);
  });

  it.each([
    'DSC_0001.JPG', // camera counters have no date
    'IMG_1234.jpg',
    'P1010001.JPG',
    'DSCF1234.JPG',
    '100_1234.JPG',
    'FB_IMG_1554123456789.jpg', // Unix time in ms: not read
    'IMG_12345678.jpg', // 1234-56-78
    'IMG_20191332_120000.jpg', // month 13
    'IMG_20190230_120000.jpg', // 30 February
    'holiday 2019.jpg',
    '12-04-2019.jpg', // day first: ambiguous
    '18991231_120000.jpg', // compact dates before 1990 are counters
    `${NEXT_YEAR + 1}0101_120000.jpg`, // the future
    '/photos/2019-04-12/DSC_0001.jpg', // a folder's date is not the photo's
  ])('%s has no date', (name) => {
    expect(dateFromFilename(name)).toBeNull();
  });
});

describe('metadata dates', () => {
  it('reads EXIF dates with their sub-seconds and offsets, and old cameras’ odd separators', () => {
    expect(exifDate('2019:04:12 15:30:00')).toBe('2019-04-12T15:30:00');
    expect(exifDate('2019:04:12 15:30:00', '12', '+01:00')).toBe('2019-04-12T15:30:00.12+01:00');
    expect(exifDate('2019:04:12 15:30:00\0', ' 345 ', '-05:30')).toBe('2019-04-12T15:30:00.345-05:30');
    expect(exifDate('2005/06/07 8:09:10')).toBe('2005-06-07T08:09:10');
    expect(exifDate('2005-06-07 08:09:10')).toBe('2005-06-07T08:09:10');
    expect(exifDate('2005.06.07 08.09.10')).toBe('2005-06-07T08:09:10');
  });

  it.each([
    ['0000:00:00 00:00:00'],
    ['    :  :     :  :  '],
    [''],
    ['2019:13:01 10:00:00'],
    ['2019:02:30 10:00:00'],
    ['2019:04:12 25:00:00'],
    ['2019:04:12 10:61:00'],
    ['1800:01:01 10:00:00'],
    ['2999:01:01 10:00:00'],
    ['2019:04:12'], // an EXIF date-time needs its time
    ['yesterday'],
  ])('rejects %j as an EXIF date', (value) => {
    expect(exifDate(value)).toBeNull();
  });

  it('keeps XMP’s precision and offsets, IPTC’s time with its offset', () => {
    expect(metadataDate('2019:04:12 15:30:00+01:00')).toBe('2019-04-12T15:30:00+01:00');
    expect(metadataDate('2019-04-12T15:30+01:00')).toBe('2019-04-12T15:30:00+01:00');
    expect(metadataDate('2019-04-12T15:30:00Z')).toBe('2019-04-12T15:30:00+00:00');
    expect(metadataDate('2019:04:12')).toBe('2019-04-12');
    expect(metadataDate('1965-04')).toBe('1965-04');
    expect(metadataDate('1965')).toBe('1965');
    expect(metadataDate('0000-00-00')).toBeNull();
    expect(iptcDate('2018:01:02', '10:11:12+02:00')).toBe('2018-01-02T10:11:12+02:00');
    expect(iptcDate('20180102', '101112')).toBe('2018-01-02T10:11:12');
    expect(iptcDate('2018:01:02', undefined)).toBe('2018-01-02');
    expect(iptcDate('2018:01:02', '99:99:99')).toBe('2018-01-02');
    expect(iptcDate('0000:00:00', '10:11:12')).toBeNull();
    expect(parseMetadataDate('2019:04:12 15:30:00.5-0330')).toEqual({ local: '2019-04-12T15:30:00.5', offset: '-03:30', hasTime: true });
  });

  it('turns the GPS clock (UTC) into local time at the GPS position, with its offset', () => {
    expect(zoneAt(LISBON.lat, LISBON.lon)).toBe('Europe/Lisbon');
    expect(zoneAt(35.6812, 139.7671)).toBe('Asia/Tokyo');
    expect(zoneAt(0, 0)).toBeNull(); // what devices without a fix write
    expect(zoneAt(null, null)).toBeNull();
    // Lisbon is UTC+1 in summer, UTC+0 in winter.
    expect(utcDate(gpsStamp('2019:07:01', '14:30:00'), 'Europe/Lisbon')).toBe('2019-07-01T15:30:00+01:00');
    expect(utcDate(gpsStamp('2019:01:01', [14, 30, 0]), 'Europe/Lisbon')).toBe('2019-01-01T14:30:00+00:00');
    expect(utcDate(gpsStamp('2019:07:01', [23, 30, 7.5]), 'Asia/Tokyo')).toBe('2019-07-02T08:30:07.500+09:00');
    // No zone known: the instant, in UTC, said so.
    expect(utcDate(gpsStamp('2019:07:01', '14:30:00'), null)).toBe('2019-07-01T14:30:00+00:00');
    expect(gpsStamp('2019:07:01', '25:00:00')).toBeNull();
    expect(gpsStamp('2019:07:01', undefined)).toBeNull();
    expect(zoneOffset('America/New_York', Date.UTC(2019, 6, 1))).toBe('-04:00');
    expect(zoneOffset('No/Such_Zone', 0)).toBeNull();
  });

  it('gives the modification time in this computer’s zone with its offset', () => {
    const ms = Date.UTC(2021, 2, 4, 15, 30, 0);
    const text = mtimeDate(ms)!;
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(new Date(text).getTime()).toBe(ms);
    expect(mtimeDate(-1)).toBeNull();
  });

  it('ranks the sources as photo managers do', () => {
    expect(DATE_SOURCES).toEqual(['exif', 'xmp', 'iptc', 'quicktime', 'exif-digitized', 'gps', 'filename', 'exif-modified', 'mtime']);
    const all = DATE_SOURCES.map((source, i) => ({ takenAt: `20${10 + i}-01-01`, source }));
    for (let i = 0; i < all.length; i++) expect(bestDate(all.slice(i).reverse())?.source).toBe(DATE_SOURCES[i]);
    expect(bestDate([null, undefined])).toBeNull();
  });
});

describe('merged facts', () => {
  const facts = (f: Partial<MetadataFacts>): MetadataFacts => ({ ...NO_METADATA, ...f });
  const file = { fileName: 'DSC_0001.jpg', mtimeMs: Date.UTC(2022, 5, 1, 12, 0, 0) };
  const merge = (readings: [MetadataFacts, FactsReader][], f = file) => readings.reduce((stored, [m, reader]) => mergeFacts(stored, m, reader, f), NO_METADATA);

  // What exifr (fast path) and exiftool (the meta stage) read of the same files.
  const cases: { name: string; exifr: MetadataFacts; exiftool: MetadataFacts; expected: Partial<MetadataFacts>; file?: typeof file }[] = [
    {
      name: 'damaged EXIF: exifr reads nothing, exiftool the date and model',
      exifr: NO_METADATA,
      exiftool: facts({ takenAt: '2005-06-07T08:09:10', takenAtSource: 'exif', cameraModel: 'VPC-E1' }),
      expected: { takenAt: '2005-06-07T08:09:10', takenAtSource: 'exif', cameraMake: null, cameraModel: 'VPC-E1' },
    },
    {
      name: 'both read EXIF: exiftool’s sub-seconds and offset are kept',
      exifr: facts({ takenAt: '2019-04-12T15:30:00', takenAtSource: 'exif', cameraMake: 'Canon', cameraModel: 'Canon EOS 5D', ...{ gpsLat: 38.72230001, gpsLon: -9.13929999 } }),
      exiftool: facts({ takenAt: '2019-04-12T15:30:00.12+01:00', takenAtSource: 'exif', cameraMake: 'Canon', cameraModel: 'Canon EOS 5D', gpsLat: 38.7223, gpsLon: -9.1393 }),
      expected: { takenAt: '2019-04-12T15:30:00.12+01:00', takenAtSource: 'exif', timeZone: null, gpsLat: 38.7223, gpsLon: -9.1393 },
    },
    {
      name: 'a date only in XMP beats exifr’s EXIF DateTime (an edit date)',
      exifr: facts({ takenAt: '2020-01-01T10:00:00', takenAtSource: 'exif-modified', cameraMake: 'NIKON' }),
      exiftool: facts({ takenAt: '2012-08-01', takenAtSource: 'xmp', cameraMake: 'NIKON CORPORATION', lens: '50mm' }),
      expected: { takenAt: '2012-08-01', takenAtSource: 'xmp', cameraMake: 'NIKON CORPORATION', lens: '50mm' },
    },
    {
      name: 'an EXIF original exifr read beats exiftool’s XMP (exiftool missed it)',
      exifr: facts({ takenAt: '2019-04-12T15:30:00', takenAtSource: 'exif' }),
      exiftool: facts({ takenAt: '2012-08-01', takenAtSource: 'xmp' }),
      expected: { takenAt: '2019-04-12T15:30:00', takenAtSource: 'exif' },
    },
    {
      name: 'no metadata date: the file name beats the modification time',
      exifr: NO_METADATA,
      exiftool: NO_METADATA,
      file: { fileName: 'IMG_20190412_153000.jpg', mtimeMs: file.mtimeMs },
      expected: { takenAt: '2019-04-12T15:30:00', takenAtSource: 'filename' },
    },
    {
      name: 'EXIF ModifyDate only: the file name ranks before it',
      exifr: facts({ takenAt: '2020-01-01T10:00:00', takenAtSource: 'exif-modified' }),
      exiftool: facts({ takenAt: '2020-01-01T10:00:00', takenAtSource: 'exif-modified' }),
      file: { fileName: 'IMG-20190412-WA0001.jpg', mtimeMs: file.mtimeMs },
      expected: { takenAt: '2019-04-12', takenAtSource: 'filename' },
    },
    {
      name: 'a local time without offset gets the zone at its GPS position; exifr’s position fills exiftool’s gap',
      exifr: facts({ takenAt: '2019-07-01T15:30:00', takenAtSource: 'exif', gpsLat: LISBON.lat, gpsLon: LISBON.lon, gpsAlt: 12 }),
      exiftool: facts({ takenAt: '2019-07-01T15:30:00', takenAtSource: 'exif', cameraModel: 'X100' }),
      expected: { takenAt: '2019-07-01T15:30:00', timeZone: 'Europe/Lisbon', gpsLat: LISBON.lat, gpsAlt: 12, cameraModel: 'X100' },
    },
    {
      name: 'the GPS clock keeps the zone it was converted in',
      exifr: facts({ takenAt: '2019-07-01T15:30:00+01:00', takenAtSource: 'gps', timeZone: 'Europe/Lisbon', gpsLat: LISBON.lat, gpsLon: LISBON.lon }),
      exiftool: facts({ takenAt: '2019-07-01T15:30:00+01:00', takenAtSource: 'gps', timeZone: 'Europe/Lisbon', gpsLat: LISBON.lat, gpsLon: LISBON.lon }),
      expected: { takenAt: '2019-07-01T15:30:00+01:00', takenAtSource: 'gps', timeZone: 'Europe/Lisbon' },
    },
  ];

  it.each(cases)('$name, in either order', ({ exifr, exiftool, expected, file: f }) => {
    const thumbFirst = merge([[exifr, 'exifr'], [exiftool, 'exiftool']], f);
    const metaFirst = merge([[exiftool, 'exiftool'], [exifr, 'exifr']], f);
    expect(thumbFirst).toEqual(metaFirst);
    expect(thumbFirst).toMatchObject(expected);
    // A stage run again changes nothing.
    expect(merge([[exiftool, 'exiftool'], [exifr, 'exifr'], [exiftool, 'exiftool'], [exifr, 'exifr']], f)).toEqual(thumbFirst);
  });

  it('always has a date once a stage committed: the modification time, with its offset and no zone', () => {
    const m = merge([[NO_METADATA, 'exifr']]);
    expect(m.takenAtSource).toBe('mtime');
    expect(new Date(m.takenAt!).getTime()).toBe(file.mtimeMs);
    expect(m.timeZone).toBeNull();
  });

  it('replaces a date without a source (an older catalog, a changed file), even by the file name', () => {
    const stored = facts({ takenAt: '2001-01-01T00:00:00', takenAtSource: null });
    expect(mergeFacts(stored, NO_METADATA, 'exifr', { fileName: 'IMG_20190412_153000.jpg', mtimeMs: 0 })).toMatchObject({ takenAt: '2019-04-12T15:30:00', takenAtSource: 'filename' });
    expect(mergeFacts(stored, NO_METADATA, 'exifr', { fileName: 'x.jpg', mtimeMs: 0 })).toMatchObject({ takenAt: '2001-01-01T00:00:00', takenAtSource: null });
  });

  it('drops positions that are none (0, 0, out of range)', () => {
    expect(merge([[facts({ gpsLat: 0, gpsLon: 0, gpsAlt: 5 }), 'exiftool']])).toMatchObject({ gpsLat: null, gpsLon: null, gpsAlt: null });
    expect(merge([[facts({ gpsLat: 91, gpsLon: 10 }), 'exifr']])).toMatchObject({ gpsLat: null, gpsLon: null });
  });
});
