// Search with a query that names times, places and cameras ([Note: query parser]): what is understood narrows the
// results, the rest of the words are searched, nothing left lists the filtered photos newest first, a
// season reads each photo's hemisphere, and parsing can be turned off or a part kept as words. On the
// fixture models (a colour "CLIP") and generated photos with EXIF dates, GPS positions and cameras.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import type { SearchResult } from '../../src/shared/types.ts';

const RED = { r: 210, g: 30, b: 35 };
const BLUE = { r: 30, g: 50, b: 200 };
const LISBON = { lat: 38.7223, lon: -9.1393 };
const SYDNEY = { lat: -33.8688, lon: 151.2093 };

const PHOTOS = [
  { name: 'red-lisbon-2019-07', color: RED, takenAt: '2019:07:14 12:00:00', gps: LISBON, make: 'Apple', model: 'iPhone 12 Pro' },
  { name: 'blue-lisbon-2019-03', color: BLUE, takenAt: '2019:03:02 12:00:00', gps: LISBON, make: 'Canon', model: 'Canon EOS 5D Mark IV' },
  { name: 'red-2018-07', color: RED, takenAt: '2018:07:01 12:00:00', make: 'Canon', model: 'Canon EOS 5D Mark IV' },
  { name: 'blue-sydney-2018-01', color: BLUE, takenAt: '2018:01:20 12:00:00', gps: SYDNEY, make: 'Apple', model: 'iPhone 8' },
  { name: 'red-sydney-2018-07', color: RED, takenAt: '2018:07:20 12:00:00', gps: SYDNEY },
  { name: 'blue-2020-12-25', color: BLUE, takenAt: '2020:12:25 09:00:00' },
];

let lib: Library;
beforeAll(async () => {
  const root = tempDir();
  const modelsDir = path.join(root, 'models');
  await writeFixtureModels(modelsDir);
  let seed = 1;
  for (const p of PHOTOS) await makeJpeg(path.join(root, 'Photos', `${p.name}.jpg`), { ...p, width: 160, height: 120, seed: seed++ });
  lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir, pipeline: { backoffMs: () => 5 } });
  await lib.addFolder(path.join(root, 'Photos'));
  await lib.index();
  lib.search.now = () => new Date(2025, 5, 15, 12);
  lib.search.vocabularyRefreshMs = 0;
}, 120_000);
afterAll(async () => {
  await lib?.close();
});

const names = (r: SearchResult) => r.hits.map((h) => path.basename(h.path, '.jpg'));

describe('search understands times and cameras', () => {
  it('"2019": the year\'s photos, newest first, nothing searched', async () => {
    const r = await lib.searchText('2019');
    expect(names(r)).toEqual(['red-lisbon-2019-07', 'blue-lisbon-2019-03']);
    expect(r.text).toBe('');
    expect(r.model).toBeNull();
    expect(r.hits.every((h) => h.score === 0 && h.clipScore === null)).toBe(true);
    expect(r.understood).toMatchObject({ from: '2019-01-01', to: '2019-12-31', place: null, camera: null });
    expect(r.understood?.parts).toMatchObject([{ kind: 'date', label: '2019', start: 0, end: 4 }]);
  });

  it('"red 2019": the year narrows, the word "red" ranks', async () => {
    const r = await lib.searchText('red 2019', { limit: 10 });
    expect(r.text).toBe('red');
    expect(r.model).toBe('fixture-clip');
    expect(names(r)).toEqual(['red-lisbon-2019-07', 'blue-lisbon-2019-03']);
    // The same words without the year rank every photo.
    expect((await lib.searchText('red', { limit: 10 })).hits).toHaveLength(PHOTOS.length);
  });

  it('"shot on iPhone": the library\'s iPhones, whatever their model', async () => {
    const r = await lib.searchText('shot on iPhone');
    expect(names(r)).toEqual(['red-lisbon-2019-07', 'blue-sydney-2018-01']);
    expect(r.understood).toMatchObject({ camera: 'iPhone' });
    const canon = await lib.searchText('blue with my Canon');
    expect(canon.text).toBe('blue');
    expect(names(canon)).toEqual(['blue-lisbon-2019-03', 'red-2018-07']);
    // A camera no photo was taken with stays words.
    const nikon = await lib.searchText('shot on Nikon');
    expect(nikon.understood).toBeNull();
    expect(nikon.text).toBe('shot on Nikon');
  });

  it('"summer 2018": June to August in the north (and without GPS), December to February in Sydney', async () => {
    const r = await lib.searchText('summer 2018');
    expect(names(r).sort()).toEqual(['blue-sydney-2018-01', 'red-2018-07']);
    expect(r.understood?.season).toMatchObject({ season: 'summer', year: 2018 });
    // With the place: Sydney's summer of 2018 is its January.
    const sydney = await lib.searchText('Sydney summer 2018');
    expect(sydney.understood).toMatchObject({ place: 'Sydney', season: { season: 'summer', year: 2018 } });
    expect(names(sydney)).toEqual(['blue-sydney-2018-01']);
    const last = await lib.searchText('last winter');
    expect(names(last)).toEqual([]);
    const winter = await lib.searchText('in winter');
    expect(names(winter).sort()).toEqual(['blue-2020-12-25', 'red-sydney-2018-07']);
  });

  it('Christmas, ranges and the explicit filters together', async () => {
    expect(names(await lib.searchText('Christmas'))).toEqual(['blue-2020-12-25']);
    expect(names(await lib.searchText('2018 to 2019')).sort()).toEqual(['blue-lisbon-2019-03', 'blue-sydney-2018-01', 'red-2018-07', 'red-lisbon-2019-07', 'red-sydney-2018-07']);
    expect(names(await lib.searchText('between March and July 2019'))).toEqual(['red-lisbon-2019-07', 'blue-lisbon-2019-03']);
    expect(names(await lib.searchText('2019', { camera: 'canon' }))).toEqual(['blue-lisbon-2019-03']);
  });

  it('takes the words as typed with parse: false, and keeps a removed chip\'s words with literal', async () => {
    const off = await lib.searchText('red 2019', { parse: false, limit: 10 });
    expect(off.understood).toBeNull();
    expect(off.text).toBe('red 2019');
    expect(off.hits).toHaveLength(PHOTOS.length);
    const kept = await lib.searchText('red 2019 shot on iPhone', { literal: ['2019'], limit: 10 });
    expect(kept.understood?.parts.map((p) => p.label)).toEqual(['iPhone']);
    expect(kept.text).toBe('red 2019');
    expect(names(kept)).toEqual(['red-lisbon-2019-07', 'blue-sydney-2018-01']);
  });

  it('reads a new camera after the library changed', async () => {
    const before = await lib.searchText('shot on Pentax');
    expect(before.understood).toBeNull();
    const file = path.join(path.dirname(lib.catalog.photo(1)!.path), 'pentax.jpg');
    await makeJpeg(file, { color: RED, takenAt: '2017:05:05 12:00:00', make: 'PENTAX', model: 'PENTAX K-1', width: 160, height: 120, seed: 99 });
    await lib.scan();
    await lib.index();
    const after = await lib.searchText('shot on Pentax');
    expect(after.understood?.camera).toBe('Pentax');
    expect(names(after)).toEqual(['pentax']);
  });
});
