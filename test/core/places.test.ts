// Places in the library: the places stage names photos with GPS (and reruns only when the position or the data
// version changes), a hand-set place wins and survives a reindex and an undo takes it back, the library's places
// with counts, the grid's and search's place filter, and the place in a user-data export and import.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { migrate } from '../../src/main/core/catalog/db.ts';
import { migrations } from '../../src/main/core/catalog/migrations.ts';
import { PLACES_VERSION_SETTING } from '../../src/main/core/pipeline/places-stage.ts';
import { exportUserData, importUserData } from '../../src/main/core/annotate/user-data.ts';
import { createApi } from '../../src/main/core/handlers/methods.ts';
import { callApi } from '../../src/main/core/handlers/errors.ts';
import { syncSidecar } from '../../src/main/core/annotate/sidecar-sync.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

const open: Library[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function openLib(dataDir: string): Library {
  const lib = Library.open({ dataDir, pipeline: { backoffMs: () => 5 } });
  open.push(lib);
  return lib;
}

const SPOTS = {
  lisbon: { lat: 38.7223, lon: -9.1393 },
  lisbon2: { lat: 38.7139, lon: -9.1334 },
  munich: { lat: 48.1374, lon: 11.5755 },
  kehl: { lat: 48.5727, lon: 7.8155 },
  ocean: { lat: 30, lon: -40 },
};

async function library() {
  const dir = tempDir();
  const photos = path.join(dir, 'photos');
  const files: Record<string, string> = {};
  let seed = 1;
  for (const [name, gps] of Object.entries(SPOTS)) files[name] = await makeJpeg(path.join(photos, `${name}.jpg`), { gps, takenAt: '2019:07:01 12:00:00', seed: seed++ });
  files.nogps = await makeJpeg(path.join(photos, 'nogps.jpg'), { seed: seed++ });
  const lib = openLib(path.join(dir, 'data'));
  await lib.addFolder(photos);
  await lib.index();
  const id = (name: string) => lib.catalog.photoByPath(files[name]!)!.id;
  return { dir, lib, files, id };
}

describe('the places stage', () => {
  it('names the photos with GPS, offline, and lists the library places with counts', async () => {
    const { lib, id } = await library();
    expect(lib.status().stages.find((s) => s.stage === 'places')).toMatchObject({ pending: 0, failed: 0 });
    expect(lib.photo(id('lisbon'))!.place).toMatchObject({ city: 'Lisbon', region: 'Lisbon', country: 'Portugal', countryCode: 'PT', source: 'auto' });
    expect(lib.photo(id('munich'))!.place).toMatchObject({ city: 'Munich', region: 'Bavaria', countryCode: 'DE' });
    expect(lib.photo(id('kehl'))!.place).toMatchObject({ city: 'Kehl', countryCode: 'DE' });
    expect(lib.photo(id('ocean'))!.place).toBeNull();
    expect(lib.photo(id('nogps'))!.place).toBeNull();
    // The grid's summaries (list --json) carry it too.
    expect(lib.list().find((p) => p.id === id('lisbon'))!.place).toMatchObject({ city: 'Lisbon', countryCode: 'PT' });

    const places = lib.placesInLibrary();
    expect(places.map((c) => [c.countryCode, c.photos])).toEqual([
      ['DE', 2],
      ['PT', 2],
    ]);
    const pt = places.find((c) => c.countryCode === 'PT')!;
    expect(pt.names).toEqual(expect.arrayContaining(['Portugal']));
    expect(pt.regions).toHaveLength(1);
    expect(pt.regions[0]!.cities).toEqual([expect.objectContaining({ id: 'city:2267057', name: 'Lisbon', photos: 2, names: expect.arrayContaining(['Lisbon', 'Lisboa']) })]);
    const de = places.find((c) => c.countryCode === 'DE')!;
    expect(de.regions.map((r) => r.name).sort()).toEqual(['Baden-Wurttemberg', 'Bavaria']);
    const munich = de.regions.find((r) => r.name === 'Bavaria')!.cities[0]!;
    expect(munich.names).toEqual(expect.arrayContaining(['Munich', 'München']));
  });

  it('filters the grid and search by place: country code, region, city, without regard to case', async () => {
    const { lib, id } = await library();
    const ids = (place: object) => lib.browser.ids({ place }).sort((a, b) => a - b);
    expect(ids({ countryCode: 'pt' })).toEqual([id('lisbon'), id('lisbon2')].sort((a, b) => a - b));
    expect(ids({ countryCode: 'DE', region: 'bavaria' })).toEqual([id('munich')]);
    expect(ids({ city: 'Kehl' })).toEqual([id('kehl')]);
    expect(ids({ city: 'Nowhere' })).toEqual([]);
    expect(lib.browser.page({ place: { countryCode: 'DE' } }).total).toBe(2);
    expect(lib.photoIds({ place: { city: 'Lisbon' } } as never)).toHaveLength(2);
    const search = await lib.searchText('lisbon', { place: { countryCode: 'DE' } });
    expect(search.hits.every((h) => [id('munich'), id('kehl')].includes(h.id))).toBe(true);
  });

  it('geocodes again only when the position or the data version changes', async () => {
    const { lib, id } = await library();
    const row = (n: string) => lib.db.prepare("SELECT * FROM places WHERE photo_id = ? AND source = 'auto'").get(id(n)) as { created_at: number; lat: number; city: string };
    const before = row('lisbon');
    // Another index run: nothing queued, nothing made again.
    await lib.index();
    expect(row('lisbon').created_at).toBe(before.created_at);
    // A task run again by hand finds its place current and does no lookup (the row stays as it was).
    lib.queue.requeuePhotos([id('lisbon')], ['places']);
    await lib.processAll();
    expect(row('lisbon').created_at).toBe(before.created_at);
    // A new position (a later reading of the metadata) queues it again and moves it.
    lib.catalog.mergeMetadata(id('lisbon'), { gpsLat: 48.1374, gpsLon: 11.5755 } as never, 'exiftool');
    expect(lib.catalog.photo(id('lisbon'))).toMatchObject({ gps_lat: 48.1374, gps_lon: 11.5755 });
    expect(lib.queue.pendingCount('places')).toBe(1);
    await lib.processAll();
    expect(row('lisbon')).toMatchObject({ city: 'Munich', lat: 48.1374 });
    // A data version the library did not run with makes the places again on the next open.
    lib.catalog.setSetting(PLACES_VERSION_SETTING, 'an older version');
    lib.db.prepare("UPDATE places SET data_version = 'an older version'").run();
    const dataDir = lib.paths.root;
    await open.pop()!.close();
    const again = openLib(dataDir);
    expect(again.queue.pendingCount('places')).toBe(5); // every photo with a position, the one at sea too
    await again.processAll();
    expect(again.db.prepare("SELECT COUNT(*) FROM places WHERE data_version = 'an older version'").pluck().get()).toBe(0);
    expect(again.catalog.setting(PLACES_VERSION_SETTING)).toBe(again.db.prepare('SELECT data_version FROM places LIMIT 1').pluck().get());
  });
});

describe('hand-set places', () => {
  it('sets a place picked by name on photos without GPS, wins over GPS, survives a reindex, and undoes', async () => {
    const { lib, id } = await library();
    const [kyoto] = lib.findPlaces('Kyoto', 5).filter((m) => m.kind === 'city');
    expect(kyoto).toMatchObject({ city: 'Kyoto', countryCode: 'JP' });
    const r = lib.setPlace([id('nogps'), id('lisbon')], kyoto!.id);
    expect(r).toMatchObject({ photos: 2, summary: 'Set the place of 2 photos to “Kyoto, Japan”' });
    expect(lib.photo(id('nogps'))!.place).toMatchObject({ city: 'Kyoto', region: 'Kyoto', country: 'Japan', countryCode: 'JP', source: 'user', distanceKm: null });
    const lisbon = lib.photo(id('lisbon'))!;
    expect(lisbon.place).toMatchObject({ city: 'Kyoto', source: 'user' });
    expect(lisbon.gpsPlace).toMatchObject({ city: 'Lisbon', source: 'auto' });
    // Setting it again changes nothing; a country alone is a place too.
    expect(lib.setPlace([id('nogps')], kyoto!.id).photos).toBe(0);
    expect(lib.setPlace([id('munich')], 'country:PT')).toMatchObject({ photos: 1 });
    expect(lib.photo(id('munich'))!.place).toMatchObject({ city: null, region: null, country: 'Portugal', id: 'country:PT' });
    expect(() => lib.setPlace([id('munich')], 'city:1')).toThrow(/no place "city:1"/);

    // The Places facet and the query parser see the hand-set places, with their names.
    const jp = lib.placesInLibrary().find((c) => c.countryCode === 'JP')!;
    expect(jp.photos).toBe(2);
    expect(jp.regions[0]!.cities[0]!.names).toEqual(expect.arrayContaining(['Kyoto', '京都市']));

    // A reindex (the stage run again) leaves the user's place alone.
    lib.queue.requeueStage(['places']);
    await lib.processAll();
    expect(lib.photo(id('nogps'))!.place).toMatchObject({ city: 'Kyoto', source: 'user' });

    // Undo takes back the last edit (the country), then the city; clearing shows the GPS place again.
    expect(lib.undo()!.summary).toMatch(/^Undid: Set the place of 1 photo to “Portugal”/);
    expect(lib.photo(id('munich'))!.place).toMatchObject({ city: 'Munich', source: 'auto' });
    expect(lib.setPlace([id('lisbon')], null)).toMatchObject({ photos: 1, summary: 'Cleared the place of 1 photo' });
    expect(lib.photo(id('lisbon'))!.place).toMatchObject({ city: 'Lisbon', source: 'auto' });
    lib.undo();
    expect(lib.photo(id('lisbon'))!.place).toMatchObject({ city: 'Kyoto', source: 'user' });
  });

  it('goes out with export --user-data and comes back with import --user-data, onto a fresh index', async () => {
    const { dir, lib, id, files } = await library();
    lib.setPlace([id('nogps')], 'city:2867714');
    lib.setPlace([id('kehl')], 'region:FR.44');
    const file = path.join(dir, 'mine.json');
    const out = exportUserData(lib.repos, file);
    expect(out.places).toBe(2);

    // A fresh library of the same photos: the GPS places come from the stage, the hand-set ones from the file.
    const fresh = openLib(path.join(dir, 'data2'));
    await fresh.addFolder(path.dirname(files.nogps!));
    await fresh.index();
    const fid = (n: string) => fresh.catalog.photoByPath(files[n]!)!.id;
    expect(fresh.photo(fid('nogps'))!.place).toBeNull();
    const r = importUserData(fresh.repos, file);
    expect(r).toMatchObject({ places: 2, photos: 2 });
    expect(fresh.photo(fid('nogps'))!.place).toMatchObject({ city: 'Munich', countryCode: 'DE', source: 'user' });
    expect(fresh.photo(fid('kehl'))!.place).toMatchObject({ city: null, region: 'Grand Est', countryCode: 'FR', source: 'user' });
    // Imported again: nothing to change. One undo takes the import back.
    expect(importUserData(fresh.repos, file).places).toBe(0);
    fresh.undo();
    expect(fresh.photo(fid('kehl'))!.place).toMatchObject({ city: 'Kehl', source: 'auto' });
  });
});

describe('the window contract', () => {
  it('finds places by name, sets one on photos and lists the library places', async () => {
    const { lib, id } = await library();
    const api = createApi(lib);
    try {
      const found = await api.handlers.findPlaces({ text: 'Lisboa', limit: 3 });
      expect(found[0]).toMatchObject({ id: 'city:2267057', kind: 'city', city: 'Lisbon', countryCode: 'PT' });
      expect(await api.handlers.setPlace({ ids: [id('nogps')], place: found[0]!.id })).toMatchObject({ photos: 1 });
      expect((await api.handlers.photo({ id: id('nogps') })).place).toMatchObject({ city: 'Lisbon', source: 'user' });
      const places = await api.handlers.placesInLibrary(undefined);
      expect(places.find((c) => c.countryCode === 'PT')!.photos).toBe(3);
      expect((await api.handlers.listPhotos({ place: { city: 'lisbon' } })).total).toBe(3);
      const unknown = await callApi(api.handlers, 'setPlace', { ids: [id('nogps')], place: 'city:1' });
      expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/no place "city:1"/) } });
    } finally {
      api.close();
    }
  });
});

describe('XMP sidecars', () => {
  it('get the place as photoshop:City/State/Country and Iptc4xmpCore:CountryCode, unless the file has a location of its own', async () => {
    const { lib, id, files } = await library();
    const sync = (n: string) => syncSidecar(lib.xmp, lib.annotations, { id: id(n), path: files[n]! }, (f) => lib.db.transaction(f)());
    await sync('lisbon');
    expect((await lib.xmp.readPhotoMetadata(files.lisbon!)).location).toEqual({ city: 'Lisbon', state: 'Lisbon', country: 'Portugal', countryCode: 'PT' });
    // The place changes (set by hand): Shoebox's own location follows it.
    lib.setPlace([id('lisbon')], 'city:2867714');
    await sync('lisbon');
    expect((await lib.xmp.readPhotoMetadata(files.lisbon!)).location).toEqual({ city: 'Munich', state: 'Bavaria', country: 'Germany', countryCode: 'DE' });
    // A location the user wrote elsewhere stays as it is.
    await lib.xmp.writeSidecar(files.munich!, { description: null, subjects: [], location: { city: 'Freising', state: null, country: null, countryCode: null } });
    await sync('munich');
    expect((await lib.xmp.readPhotoMetadata(files.munich!)).location).toEqual({ city: 'Freising', state: null, country: null, countryCode: null });
  });
});

describe('migration 8', () => {
  it('adds the places, their names and the sidecar location, and the shown place prefers the user', () => {
    const db = new Database(path.join(tempDir(), 'catalog.sqlite'));
    expect(migrate(db, migrations.filter((m) => m.version <= 8))).toBe(8);
    db.prepare("INSERT INTO folders (path, added_at) VALUES ('/p', 0)").run();
    db.prepare("INSERT INTO photos (folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (1, '/p/a.jpg', 'a.jpg', 1, 0, 0, 0)").run();
    db.prepare("INSERT INTO places (photo_id, source, city, country_code, created_at) VALUES (1, 'auto', 'Lisbon', 'PT', 0)").run();
    expect(db.prepare('SELECT city FROM photo_place').pluck().all()).toEqual(['Lisbon']);
    db.prepare("INSERT INTO places (photo_id, source, city, country_code, created_at) VALUES (1, 'user', 'Porto', 'PT', 0)").run();
    expect(db.prepare('SELECT city FROM photo_place').pluck().all()).toEqual(['Porto']);
    expect(db.prepare('SELECT location FROM sidecar_writes').all()).toEqual([]);
    db.prepare('DELETE FROM photos').run();
    expect(db.prepare('SELECT COUNT(*) FROM places').pluck().get()).toBe(0);
    db.close();
  });
});
