// `shoebox search` with places, dates and cameras in the words ([Note: query parser]): "in <city>" is that
// city's photos, "<country> <year>" intersects both, "shot on <camera>" filters, a place or camera the
// library does not have stays words, --literal takes the words as typed, and what was understood is one
// line of the plain output and `understood` in --json. On the fixture models and generated photos with
// EXIF dates, GPS positions (named by the offline geocoder when indexed) and cameras.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { shoebox } from '../helpers/cli.ts';
import type { SearchResult } from '../../src/shared/types.ts';

const RED = { r: 210, g: 30, b: 35 };
const BLUE = { r: 30, g: 50, b: 200 };
const LISBON = { lat: 38.7223, lon: -9.1393 };
const PORTO = { lat: 41.1579, lon: -8.6291 };
const KYOTO = { lat: 35.0116, lon: 135.7681 };

const PHOTOS = [
  { name: 'red-lisbon-2019', color: RED, takenAt: '2019:07:14 12:00:00', gps: LISBON, make: 'Apple', model: 'iPhone 12 Pro' },
  { name: 'blue-porto-2019', color: BLUE, takenAt: '2019:03:02 12:00:00', gps: PORTO, make: 'Canon', model: 'Canon EOS 5D Mark IV' },
  { name: 'red-lisbon-2018', color: RED, takenAt: '2018:08:01 12:00:00', gps: LISBON, make: 'Canon', model: 'Canon EOS 5D Mark IV' },
  { name: 'blue-kyoto-2018', color: BLUE, takenAt: '2018:04:20 12:00:00', gps: KYOTO, make: 'Apple', model: 'iPhone 8' },
  { name: 'red-undated', color: RED },
];

let data = '';
let models = '';
const search = (...args: string[]) => shoebox(['--data', data, '--models', models, 'search', ...args]);
const json = async (...args: string[]) => {
  const r = await search(...args, '--json');
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as SearchResult;
};
const names = (r: SearchResult) => r.hits.map((h) => path.basename(h.path, '.jpg'));

beforeAll(async () => {
  const root = tempDir();
  models = path.join(root, 'models');
  data = path.join(root, 'data');
  await writeFixtureModels(models);
  let seed = 1;
  for (const p of PHOTOS) await makeJpeg(path.join(root, 'Photos', `${p.name}.jpg`), { ...p, width: 160, height: 120, seed: seed++ });
  expect((await shoebox(['--data', data, '--models', models, 'add', path.join(root, 'Photos')])).code).toBe(0);
  const index = await shoebox(['--data', data, '--models', models, 'index', '--quiet']);
  expect(index.code, index.err).toBe(0);
}, 120_000);

describe('shoebox search understands places, dates and cameras', () => {
  it('"in <city>" is exactly that city\'s photos; "<country> <year>" intersects both', async () => {
    const lisbon = await json('in Lisbon');
    expect(names(lisbon)).toEqual(['red-lisbon-2019', 'red-lisbon-2018']);
    expect(lisbon.understood).toMatchObject({ place: 'Lisbon', from: null, to: null });
    expect(lisbon.understood?.parts).toMatchObject([{ kind: 'place', text: 'in Lisbon', label: 'Lisbon', start: 0, end: 9 }]);
    // The local name finds it too, in any case.
    expect(names(await json('lisboa'))).toEqual(['red-lisbon-2019', 'red-lisbon-2018']);
    const portugal2019 = await json('Portugal 2019');
    expect(names(portugal2019)).toEqual(['red-lisbon-2019', 'blue-porto-2019']);
    expect(portugal2019.understood).toMatchObject({ place: 'Portugal', from: '2019-01-01', to: '2019-12-31' });
    expect(names(await json('Portugal 2018'))).toEqual(['red-lisbon-2018']);
    // Two places: photos in either; the words left are searched among them.
    const two = await json('blue Porto or Kyoto');
    expect(two.text).toBe('blue');
    expect(names(two).sort()).toEqual(['blue-kyoto-2018', 'blue-porto-2019']);
    const plain = await search('beach in Kyoto');
    expect(plain.out.split('\n')[0]).toBe('understood where: Kyoto; searching for "beach"');
  });

  it('"<year>" intersects: only that year\'s photos, ranked by the other words', async () => {
    const r = await json('red 2019');
    expect(names(r)).toEqual(['red-lisbon-2019', 'blue-porto-2019']);
    expect(r.text).toBe('red');
    expect(r.understood).toMatchObject({ from: '2019-01-01', to: '2019-12-31', place: null, camera: null });
    expect(Object.keys(r).slice(0, 3)).toEqual(['query', 'understood', 'text']);
    const all = await json('red', '--limit', '10');
    expect(all.hits).toHaveLength(PHOTOS.length);
    expect(all.understood).toBeNull();
    // The year alone lists its photos newest first.
    expect(names(await json('2018'))).toEqual(['red-lisbon-2018', 'blue-kyoto-2018']);
  });

  it('"shot on <camera>" filters by the library\'s camera', async () => {
    const iphone = await json('shot on iPhone');
    expect(names(iphone)).toEqual(['red-lisbon-2019', 'blue-kyoto-2018']);
    expect(iphone.understood).toMatchObject({ camera: 'iPhone', from: null, to: null });
    const canon2018 = await json('red with my Canon 2018');
    expect(names(canon2018)).toEqual(['red-lisbon-2018']);
    expect(canon2018.understood).toMatchObject({ camera: 'Canon', from: '2018-01-01' });
    expect(canon2018.text).toBe('red');
  });

  it('leaves a place or camera the library does not have as search words', async () => {
    const paris = await json('red in Paris', '--limit', '10');
    expect(paris.understood).toBeNull();
    expect(paris.text).toBe('red in Paris');
    expect(paris.hits).toHaveLength(PHOTOS.length);
    const r = await json('red in Atlantis 2019');
    expect(r.understood?.parts.map((p) => p.kind)).toEqual(['date']);
    expect(r.understood?.place).toBeNull();
    expect(r.text).toBe('red in Atlantis');
    expect(names(r)).toEqual(['red-lisbon-2019', 'blue-porto-2019']);
    const nikon = await json('shot on Nikon', '--limit', '10');
    expect(nikon.understood).toBeNull();
    expect(nikon.hits).toHaveLength(PHOTOS.length);
  });

  it('says in one line what it understood; --literal takes the words as typed', async () => {
    const plain = await search('red 2019');
    expect(plain.code, plain.err).toBe(0);
    const lines = plain.out.trimEnd().split('\n');
    expect(lines[0]).toBe('understood when: 2019 (2019-01-01 to 2019-12-31); searching for "red"');
    expect(lines.slice(1).map((l) => path.basename(l.trim().split(/\s+/)[2]!, '.jpg'))).toEqual(['red-lisbon-2019', 'blue-porto-2019']);
    const listing = await search('shot on iPhone in 2019');
    expect(listing.out.split('\n')[0]).toBe('understood camera: iPhone, when: 2019 (2019-01-01 to 2019-12-31); listing those photos, newest first');
    const words = await search('red 2019', '--literal', '--limit', '10');
    expect(words.out).not.toMatch(/understood/);
    expect(words.out.trimEnd().split('\n')).toHaveLength(PHOTOS.length);
    const literal = await json('red 2019', '--literal');
    expect(literal).toMatchObject({ understood: null, text: 'red 2019' });
    expect((await search('red', '--literal', '--nope')).code).toBe(2);
  });
});
