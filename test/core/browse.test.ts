// The grid's pages: newest first, photos without a date last, read through the photos_grid index
// (a page deep in a large library must not sort the whole library).
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { CAMERAS_SQL, pageIdsSql, PhotoBrowser } from '../../src/main/core/catalog/browse.ts';
import { PLACE_LEVELS_SQL } from '../../src/main/core/catalog/places.ts';
import { parseQuery } from '../../src/shared/query.ts';


describe('PhotoBrowser pages', () => {
  it('reads pages through the photos_grid index, in the grid order, the missing left out', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO folders(id, path, added_at) VALUES (1, '/p', 0)").run();
    const insert = db.prepare(
      'INSERT INTO photos(folder_id, path, filename, size, mtime_ms, taken_at, missing_since, added_at, updated_at) VALUES (1, ?, ?, 1, ?, ?, ?, 0, 0)',
    );
    const rows: { id: number; taken: string | null; mtime: number; missing: boolean }[] = [];
    for (let i = 0; i < 300; i++) {
      const taken = i % 7 === 0 ? null : `20${String(10 + (i % 13)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}T12:00:00`;
      const mtime = (i * 7919) % 1000;
      const missing = i % 29 === 0;
      const id = Number(insert.run(`/p/${i}.jpg`, `${i}.jpg`, mtime, taken, missing ? 1 : null).lastInsertRowid);
      rows.push({ id, taken, mtime, missing });
    }
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${pageIdsSql('p.missing_since IS NULL')}`).all(200, 100) as { detail: string }[];
    expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX photos_grid/);
    expect(plan.map((r) => r.detail).join('\n')).not.toMatch(/TEMP B-TREE/);

    const expected = rows
      .filter((r) => !r.missing)
      .sort((a, b) => {
        if ((a.taken === null) !== (b.taken === null)) return a.taken === null ? 1 : -1;
        if (a.taken !== b.taken) return a.taken! < b.taken! ? 1 : -1;
        if (a.mtime !== b.mtime) return b.mtime - a.mtime;
        return a.id - b.id;
      })
      .map((r) => r.id);
    const browser = new PhotoBrowser(db);
    const got: number[] = [];
    for (let offset = 0; offset < expected.length; offset += 50) {
      const page = browser.page({ offset, limit: 50 });
      expect(page.total).toBe(expected.length);
      got.push(...page.photos.map((p) => p.id));
    }
    expect(got).toEqual(expected);
  });
});

describe('PhotoBrowser: the filters a search understood', () => {
  /** Photos with a date, a latitude and a camera, straight into the catalog. */
  function library(photos: { name: string; taken: string | null; lat?: number; make?: string; model?: string; missing?: boolean }[]) {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO folders(id, path, added_at) VALUES (1, '/p', 0)").run();
    const insert = db.prepare(
      'INSERT INTO photos(folder_id, path, filename, size, mtime_ms, taken_at, gps_lat, gps_lon, camera_make, camera_model, missing_since, added_at, updated_at) VALUES (1, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?, 0, 0)',
    );
    const ids = new Map<number, string>();
    for (const p of photos) {
      const id = Number(insert.run(`/p/${p.name}.jpg`, `${p.name}.jpg`, p.taken, p.lat ?? null, p.lat === undefined ? null : 0, p.make ?? null, p.model ?? null, p.missing ? 1 : null).lastInsertRowid);
      ids.set(id, p.name);
    }
    const browser = new PhotoBrowser(db);
    return { browser, names: (f: Parameters<PhotoBrowser['ids']>[0]) => browser.ids(f).map((id) => ids.get(id)).sort() };
  }

  it('reads a season by each photo’s hemisphere, northern without GPS', () => {
    const { names } = library([
      { name: 'lisbon-july', taken: '2018-07-10T12:00:00', lat: 38.7 },
      { name: 'lisbon-january', taken: '2018-01-10T12:00:00', lat: 38.7 },
      { name: 'sydney-january', taken: '2018-01-10T12:00:00', lat: -33.9 },
      { name: 'sydney-july', taken: '2018-07-10T12:00:00', lat: -33.9 },
      { name: 'sydney-december-2017', taken: '2017-12-31T23:00:00+11:00', lat: -33.9 },
      { name: 'nogps-august', taken: '2018-08-31T23:59:59' },
      { name: 'nogps-february', taken: '2018-02-10T12:00:00' },
      { name: 'undated', taken: null, lat: -33.9 },
    ]);
    const summer2018 = parseQuery('summer 2018', { now: new Date(2025, 5, 15) }).dates;
    expect(names({ dates: summer2018 })).toEqual(['lisbon-july', 'nogps-august', 'sydney-december-2017', 'sydney-january']);
    const everySummer = parseQuery('in summer', { now: new Date(2025, 5, 15) }).dates;
    expect(names({ dates: everySummer })).toEqual(['lisbon-july', 'nogps-august', 'sydney-december-2017', 'sydney-january']);
    const winter = parseQuery('in winter', { now: new Date(2025, 5, 15) }).dates;
    expect(names({ dates: winter })).toEqual(['lisbon-january', 'nogps-february', 'sydney-july']);
  });

  it('reads spans of days, every year’s days (across New Year) and open ends; dates and the explicit from/to all hold', () => {
    const { names } = library([
      { name: 'nye-2019', taken: '2019-12-31T22:00:00' },
      { name: 'nye-2019-small-hours', taken: '2020-01-01T02:30:00' },
      { name: 'new-year-morning', taken: '2020-01-01T09:00:00' },
      { name: 'christmas-2016', taken: '2016-12-25T10:00:00' },
      { name: 'may-2019', taken: '2019-05-31T23:59:59' },
      { name: 'june-2019', taken: '2019-06-01T00:00:00' },
      { name: 'gone-may-2019', taken: '2019-05-10T10:00:00', missing: true },
    ]);
    const q = (text: string) => parseQuery(text, { now: new Date(2025, 5, 15) }).dates;
    expect(names({ dates: q("New Year's Eve") })).toEqual(['nye-2019', 'nye-2019-small-hours']);
    expect(names({ dates: q('new year 2020') })).toEqual(['new-year-morning', 'nye-2019', 'nye-2019-small-hours']);
    expect(names({ dates: q('Christmas') })).toEqual(['christmas-2016']);
    expect(names({ dates: q('in May') })).toEqual(['may-2019']);
    expect(names({ dates: q('2019') })).toEqual(['june-2019', 'may-2019', 'nye-2019']);
    expect(names({ dates: q('since June 2019') })).toEqual(['june-2019', 'new-year-morning', 'nye-2019', 'nye-2019-small-hours']);
    expect(names({ dates: q('before 2017') })).toEqual(['christmas-2016']);
    expect(names({ dates: q('2019 in May') })).toEqual(['may-2019']);
    expect(names({ dates: q('in May'), from: '2020-01-01' })).toEqual([]);
  });

  it('lists the library’s cameras with counts and filters by them exactly', () => {
    const { browser, names } = library([
      { name: 'a', taken: null, make: 'Apple', model: 'iPhone 12 Pro' },
      { name: 'b', taken: null, make: 'Apple', model: 'iPhone 12 Pro' },
      { name: 'c', taken: null, make: 'Apple', model: 'iPhone 8' },
      { name: 'd', taken: null, make: 'Canon', model: 'Canon EOS 5D Mark IV' },
      { name: 'e', taken: null, model: 'Mystery' },
      { name: 'f', taken: null },
      { name: 'g', taken: null, make: 'Canon', model: 'Canon EOS R', missing: true },
    ]);
    expect(browser.cameras()).toEqual([
      { make: 'Apple', model: 'iPhone 12 Pro', photos: 2 },
      { make: 'Apple', model: 'iPhone 8', photos: 1 },
      { make: 'Canon', model: 'Canon EOS 5D Mark IV', photos: 1 },
      { make: null, model: 'Mystery', photos: 1 },
    ]);
    const understood = parseQuery('shot on iPhone', { now: new Date(), vocabulary: { cameras: browser.cameras() } });
    expect(names({ cameras: understood.cameras! })).toEqual(['a', 'b', 'c']);
    expect(names({ cameras: [{ make: null, model: 'Mystery' }] })).toEqual(['e']);
    expect(names({ cameras: [] })).toEqual([]);
  });

  it('reads the cameras from the photos_camera index (migration 9), not by sorting every photo', () => {
    const db = openDatabase(':memory:');
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${CAMERAS_SQL}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SCAN p USING (COVERING )?INDEX photos_camera/);
    expect(plan).not.toMatch(/TEMP B-TREE FOR GROUP BY/);
  });

  it('finds an understood camera\'s photos and the places\' levels through indexes (migration 9)', () => {
    const db = openDatabase(':memory:');
    const browser = new PhotoBrowser(db);
    const explain = (sql: string, ...args: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('\n');
    const where = browser.filterSql({ cameras: [{ make: 'Apple', model: 'iPhone 8' }] });
    const ids = explain(`SELECT p.id FROM photos p WHERE ${where.sql}`, ...where.args);
    expect(ids).toMatch(/SEARCH c USING (COVERING )?INDEX photos_camera \(camera_make=\? AND camera_model=\?\)/);
    expect(explain(PLACE_LEVELS_SQL)).toMatch(/SCAN places USING COVERING INDEX places_levels/);
  });
});
