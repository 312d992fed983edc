// The map's and "On this day"'s reads (issue 13): PhotoBrowser.positions (the dots: [id, lat, lon] of a
// view's photos with GPS), the grid's `ids` filter (a clicked cluster), and PhotoBrowser.onThisDay (the
// photos of a month and day in earlier years, grouped by year, through the photos_taken index); then
// both through the window's contract over a real Library on generated JPEGs with EXIF GPS and dates,
// its clock (the injected search.now) giving "today".
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/catalog/db.ts';
import { ON_THIS_DAY_SQL, PhotoBrowser } from '../../src/main/core/catalog/browse.ts';
import { Library } from '../../src/main/core/library.ts';
import { createApi, type Api } from '../../src/main/core/handlers/methods.ts';
import { callApi } from '../../src/main/core/handlers/errors.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

interface Row {
  name: string;
  taken?: string | null;
  source?: string;
  gps?: [number, number];
  missing?: boolean;
  folder?: 1 | 2;
}

/** Photos straight into a fresh catalog; names by id. */
function library(rows: Row[]): { db: Db; browser: PhotoBrowser; id: (name: string) => number; name: (id: number) => string } {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO folders(id, path, added_at) VALUES (1, '/p', 0), (2, '/q', 0)").run();
  const insert = db.prepare(
    `INSERT INTO photos(folder_id, path, filename, size, mtime_ms, taken_at, taken_at_source, gps_lat, gps_lon, missing_since, added_at, updated_at)
     VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?, ?, 0, 0)`,
  );
  const ids = new Map<string, number>();
  for (const r of rows) {
    const folder = r.folder ?? 1;
    const dir = folder === 1 ? '/p' : '/q';
    const id = Number(
      insert.run(folder, `${dir}/${r.name}.jpg`, `${r.name}.jpg`, r.taken ?? null, r.source ?? 'exif', r.gps?.[0] ?? null, r.gps?.[1] ?? null, r.missing ? 1 : null).lastInsertRowid,
    );
    ids.set(r.name, id);
  }
  const byId = new Map([...ids].map(([n, i]) => [i, n]));
  return { db, browser: new PhotoBrowser(db), id: (n) => ids.get(n)!, name: (i) => byId.get(i)! };
}

/** [id, lat, lon] triples of a flat positions list, by name, sorted. */
function triples(flat: number[], name: (id: number) => string): [string, number, number][] {
  expect(flat.length % 3).toBe(0);
  const out: [string, number, number][] = [];
  for (let i = 0; i < flat.length; i += 3) out.push([name(flat[i]!), flat[i + 1]!, flat[i + 2]!]);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('PhotoBrowser.positions: the map’s dots', () => {
  const rows: Row[] = [
    { name: 'lisbon', taken: '2019-07-14T12:00:00', gps: [38.722_345_678, -9.139_312_345] },
    { name: 'sydney', taken: '2018-01-20T12:00:00', gps: [-33.8688, 151.2093] },
    { name: 'no-gps', taken: '2018-01-21T12:00:00' },
    { name: 'gone', taken: '2018-01-22T12:00:00', gps: [10, 10], missing: true },
    { name: 'fiji', taken: '2017-05-01T12:00:00', gps: [-17.7134, 179.9999], folder: 2 },
  ];

  it('lists [id, lat, lon] of the present photos with GPS, degrees rounded to 1e-5', () => {
    const { browser, name } = library(rows);
    expect(triples(browser.positions(), name)).toEqual([
      ['fiji', -17.7134, 179.9999],
      ['lisbon', 38.72235, -9.13931],
      ['sydney', -33.8688, 151.2093],
    ]);
    // A Float32Array keeps the ids exactly and the degrees to within a metre or so.
    const f32 = new Float32Array(browser.positions());
    expect(Math.abs(f32[1]! - 38.72235) + Math.abs(f32[2]! + 9.13931)).toBeLessThan(1e-5);
  });

  it('pages by id: `limit` after `after`', () => {
    const { browser, id, name } = library(rows);
    const all = browser.positions();
    expect(all.filter((_, i) => i % 3 === 0)).toEqual([id('lisbon'), id('sydney'), id('fiji')]);
    const first = browser.positions({}, { limit: 2 });
    expect(triples(first, name).map((t) => t[0])).toEqual(['lisbon', 'sydney']);
    expect(triples(browser.positions({}, { after: first[3]!, limit: 2 }), name).map((t) => t[0])).toEqual(['fiji']);
    expect(browser.positions({}, { after: id('fiji') })).toEqual([]);
  });

  it('narrows by the grid’s view: the folder, and given ids (a cluster) exactly', () => {
    const { browser, id, name } = library(rows);
    expect(triples(browser.positions({ folder: '/q' }), name).map((t) => t[0])).toEqual(['fiji']);
    expect(triples(browser.positions({ ids: [id('sydney'), id('no-gps'), id('gone')] }), name).map((t) => t[0])).toEqual(['sydney']);
    // The same ids filter the grid's pages and counts, and its ids in grid order.
    const cluster = [id('lisbon'), id('sydney'), id('no-gps'), id('gone'), 9999];
    expect(browser.page({ ids: cluster }).photos.map((p) => name(p.id))).toEqual(['lisbon', 'no-gps', 'sydney']);
    expect(browser.count({ ids: cluster })).toBe(3);
    expect(browser.orderedIds({ ids: cluster, folder: '/p' }).map(name)).toEqual(['lisbon', 'no-gps', 'sydney']);
    expect(browser.count({ ids: [id('fiji')], folder: '/p' })).toBe(0);
  });
});

describe('PhotoBrowser.onThisDay', () => {
  const rows: Row[] = [
    { name: '2024-a', taken: '2024-06-15T09:00:00' },
    { name: '2024-b', taken: '2024-06-15T18:30:00+01:00' },
    { name: '2024-next-day', taken: '2024-06-16T00:00:00' },
    { name: '2024-day-before', taken: '2024-06-14T23:59:59' },
    { name: '2021', taken: '2021-06-15T12:00:00', folder: 2 },
    { name: '2019-gone', taken: '2019-06-15T12:00:00', missing: true },
    { name: '2018-file-time', taken: '2018-06-15T12:00:00', source: 'mtime' },
    { name: '2015', taken: '2015-06-15' },
    { name: 'this-year', taken: '2025-06-15T08:00:00' },
    { name: 'undated', taken: null },
    { name: '2020-02-29', taken: '2020-02-29T10:00:00' },
    { name: '2021-02-28', taken: '2021-02-28T10:00:00' },
    { name: '2016-02-29', taken: '2016-02-29T10:00:00' },
  ];

  it('groups the earlier years’ photos of the day by year, newest first, in the grid’s order within each', () => {
    const { browser, name } = library(rows);
    const years = browser.onThisDay('2025-06-15', 12);
    expect(years.map((y) => [y.year, y.total, y.photos.map((p) => name(p.id))])).toEqual([
      [2024, 2, ['2024-b', '2024-a']],
      [2021, 1, ['2021']],
      [2015, 1, ['2015']],
    ]);
    // The summaries are the grid's (folder, date).
    expect(years[1]!.photos[0]).toMatchObject({ folder: '/q', takenAt: '2021-06-15T12:00:00' });
  });

  it('keeps the first photos of each year and counts them all', () => {
    const { browser, name } = library(rows);
    const years = browser.onThisDay('2026-06-15', 1);
    expect(years.map((y) => [y.year, y.total, y.photos.map((p) => name(p.id))])).toEqual([
      [2025, 1, ['this-year']],
      [2024, 2, ['2024-b']],
      [2021, 1, ['2021']],
      [2015, 1, ['2015']],
    ]);
  });

  it('is empty on a day no earlier year has photos of, and before the library’s first year', () => {
    const { browser } = library(rows);
    expect(browser.onThisDay('2025-06-17', 12)).toEqual([]);
    expect(browser.onThisDay('2015-06-15', 12)).toEqual([]);
    expect(library([]).browser.onThisDay('2025-06-15', 12)).toEqual([]);
  });

  it('on 28 February of a year without a 29th, takes the leap years’ 29ths too', () => {
    const { browser, name } = library(rows);
    const names = (d: string) => browser.onThisDay(d, 12).flatMap((y) => y.photos.map((p) => name(p.id)));
    expect(names('2025-02-28')).toEqual(['2021-02-28', '2020-02-29', '2016-02-29']);
    // In a leap year the 28th is only the 28th, and the 29th finds the 29ths.
    expect(names('2024-02-28')).toEqual(['2021-02-28']);
    expect(names('2024-02-29')).toEqual(['2020-02-29', '2016-02-29']);
  });

  it('reads one range of a capture-time index per earlier year', () => {
    const { db } = library(rows);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${ON_THIS_DAY_SQL}`).all('["2024-06-15", "2023-06-15"]') as { detail: string }[];
    // photos_taken, or since migration 11 photos_capture (present photos with a date, their date's source beside it).
    expect(plan.map((r) => r.detail).join('\n')).toMatch(/SEARCH p USING (COVERING )?INDEX photos_(taken|capture) \(taken_at>\? AND taken_at<\?\)/);
  });
});

describe('the map and On this day through the contract', () => {
  const LISBON = { lat: 38.7223, lon: -9.1393 };
  const PORTO = { lat: 41.1579, lon: -8.6291 };
  const SYDNEY = { lat: -33.8688, lon: 151.2093 };
  const PHOTOS = [
    { name: 'lisbon-2019-06-15', takenAt: '2019:06:15 12:00:00', gps: LISBON },
    { name: 'porto-2019-06-15', takenAt: '2019:06:15 15:00:00', gps: PORTO },
    { name: 'sydney-2018-06-15', takenAt: '2018:06:15 10:00:00', gps: SYDNEY },
    { name: 'home-2020-03-01', takenAt: '2020:03:01 10:00:00' },
    { name: 'lisbon-2024-06-15', takenAt: '2024:06:15 10:00:00', gps: LISBON },
  ];
  let lib: Library;
  let api: Api;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    const root = tempDir();
    const modelsDir = path.join(root, 'models');
    await writeFixtureModels(modelsDir);
    let seed = 1;
    for (const p of PHOTOS) await makeJpeg(path.join(root, 'Photos', `${p.name}.jpg`), { ...p, width: 96, height: 64, seed: seed++ });
    lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir, pipeline: { backoffMs: () => 5 } });
    await lib.addFolder(path.join(root, 'Photos'));
    await lib.index();
    lib.search.now = () => new Date(2024, 5, 15, 20);
    api = createApi(lib);
    for (const p of (await api.handlers.listPhotos({})).photos) ids.set(path.basename(p.path, '.jpg'), p.id);
  }, 120_000);
  afterAll(async () => {
    api?.close();
    await lib?.close();
  });

  const nameOf = (id: number) => [...ids].find(([, i]) => i === id)![0];

  it('mapPoints: the positions the EXIF GPS gave, for the view', async () => {
    const { points } = await api.handlers.mapPoints({});
    expect(triples(points, nameOf).map(([n, lat, lon]) => [n, Math.round(lat * 1000) / 1000, Math.round(lon * 1000) / 1000])).toEqual([
      ['lisbon-2019-06-15', 38.722, -9.139],
      ['lisbon-2024-06-15', 38.722, -9.139],
      ['porto-2019-06-15', 41.158, -8.629],
      ['sydney-2018-06-15', -33.869, 151.209],
    ]);
    const two = [ids.get('lisbon-2019-06-15')!, ids.get('porto-2019-06-15')!, ids.get('home-2020-03-01')!];
    expect(triples((await api.handlers.mapPoints({ ids: two })).points, nameOf).map((t) => t[0])).toEqual(['lisbon-2019-06-15', 'porto-2019-06-15']);
    // A clicked cluster filters the grid to its photos.
    const page = await api.handlers.listPhotos({ ids: two });
    expect(page.total).toBe(3);
    expect(page.photos.map((p) => nameOf(p.id))).toEqual(['home-2020-03-01', 'porto-2019-06-15', 'lisbon-2019-06-15']);
    expect((await api.handlers.photoIds({ ids: two })).map(nameOf)).toEqual(['home-2020-03-01', 'porto-2019-06-15', 'lisbon-2019-06-15']);
    expect(await callApi(api.handlers, 'mapPoints', { ids: [] })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    // In pages: `next` is the last id of a full page, null after the last.
    expect((await api.handlers.mapPoints({})).next).toBeNull();
    const pages: number[][] = [];
    let after: number | undefined;
    for (;;) {
      const page = await api.handlers.mapPoints({ after, limit: 3 });
      pages.push(page.points.filter((_, i) => i % 3 === 0));
      if (page.next === null) break;
      after = page.next;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 1]);
    expect(pages.flat().sort((a, b) => a - b)).toEqual(points.filter((_, i) => i % 3 === 0).sort((a, b) => a - b));
    const exact = await api.handlers.mapPoints({ limit: 4 });
    expect(exact.points.length).toBe(12);
    expect((await api.handlers.mapPoints({ after: exact.next!, limit: 4 })).points).toEqual([]);
  });

  it('onThisDay: today by the engine’s clock, or the date given', async () => {
    const today = await api.handlers.onThisDay({});
    expect(today.date).toBe('2024-06-15');
    expect(today.years.map((y) => [y.year, y.total, y.photos.map((p) => nameOf(p.id))])).toEqual([
      [2019, 2, ['porto-2019-06-15', 'lisbon-2019-06-15']],
      [2018, 1, ['sydney-2018-06-15']],
    ]);
    const later = await api.handlers.onThisDay({ date: '2030-06-15', limit: 1 });
    expect(later.years.map((y) => [y.year, y.total, y.photos.length])).toEqual([
      [2024, 1, 1],
      [2019, 2, 1],
      [2018, 1, 1],
    ]);
    expect(await api.handlers.onThisDay({ date: '2024-03-02' })).toEqual({ date: '2024-03-02', years: [] });
    expect((await api.handlers.onThisDay({ date: '2021-03-01' })).years.map((y) => y.year)).toEqual([2020]);
  });
});
