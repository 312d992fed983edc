// Search and the grid with people (issue 16, [Note: query parser]): the library's named people in a query narrow
// the photos ("Mia", "Mia and Tom", "photos of Tom in 2019", "Mia at the beach": the rest searched), the explicit
// people filter (the window's person chip) does too, for the grid as well; hidden people, faces marked "not a face"
// and names given a moment ago are as they should be. No face images are committed, so the faces are synthetic
// rows placed through the engine's own API (Faces.putPhoto as the faces stage stores them, People as the user
// names them); no CLIP model either: what is left of a query is matched on file names. The photos are scanned, not
// indexed (indexing would read their faces again), so the date the meta stage would read is written as it would be.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import type { NewFace } from '../../src/main/core/catalog/faces.ts';
import type { SearchResult } from '../../src/shared/types.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

function face(x: number, seed: number): NewFace {
  const descriptor = new Float32Array(128).map((_, i) => Math.sin(seed * 7 + i));
  return { box: { x, y: 10, width: 20, height: 24 }, score: 0.95, landmarks: Array.from({ length: 136 }, (_, i) => x + (i % 20)), descriptor };
}

/** Each photo, when it was taken, and whose faces it shows. */
const PHOTOS: { name: string; takenAt: string; faces: string[] }[] = [
  { name: 'mia-beach', takenAt: '2019:07:14 12:00:00', faces: ['mia'] },
  { name: 'mia-tom-beach', takenAt: '2019:08:01 12:00:00', faces: ['mia', 'tom'] },
  { name: 'tom-garden', takenAt: '2019:03:02 12:00:00', faces: ['tom'] },
  { name: 'tom-2018', takenAt: '2018:05:05 12:00:00', faces: ['tom', 'ghost'] },
  { name: 'rose-beach', takenAt: '2020:01:01 12:00:00', faces: ['rose', 'hidden'] },
  { name: 'nobody-beach', takenAt: '2020:02:02 12:00:00', faces: [] },
  { name: 'notaface-beach', takenAt: '2020:03:03 12:00:00', faces: ['mia'] },
];

let lib: Library;
const person: Record<string, number> = {};
beforeAll(async () => {
  const root = tempDir();
  const dir = path.join(root, 'Photos');
  let seed = 1;
  for (const p of PHOTOS) await makeJpeg(path.join(dir, `${p.name}.jpg`), { seed: seed++, width: 160, height: 120 });
  lib = Library.open({ dataDir: path.join(root, 'data') });
  await lib.addFolder(dir);
  await lib.scan();
  lib.search.vocabularyRefreshMs = 0;
  lib.search.now = () => new Date(2025, 5, 15, 12);
  let n = 0;
  for (const p of PHOTOS) {
    const id = lib.catalog.photoByPath(path.join(dir, `${p.name}.jpg`))!.id;
    lib.catalog.db.prepare("UPDATE photos SET taken_at = ?, taken_at_source = 'exif' WHERE id = ?").run(p.takenAt.replace(/^(\d{4}):(\d{2}):(\d{2}) /, '$1-$2-$3T'), id);
    const faces = lib.faces.putPhoto(id, 'test-faces@1', `fp-${p.name}`, p.faces.map((_, i) => face(10 + 40 * i, ++n)));
    p.faces.forEach((who, i) => {
      person[who] = person[who] === undefined ? lib.people.moveFace(faces[i]!, 'new') : lib.people.moveFace(faces[i]!, person[who]!);
    });
    if (p.name === 'notaface-beach') lib.people.notAFace(faces[0]!);
  }
  lib.people.name(person.mia!, 'Mia');
  lib.people.name(person.tom!, 'Tom');
  lib.people.name(person.rose!, 'Rose');
  lib.people.name(person.hidden!, 'Hilda');
  lib.people.hide(person.hidden!, true);
}, 60_000);
afterAll(async () => {
  await lib?.close();
});

const names = (r: SearchResult) => r.hits.map((h) => path.basename(h.path, '.jpg')).sort();

describe('search understands people', () => {
  it('"Mia": her photos, newest first, nothing searched; a face marked "not a face" does not count', async () => {
    const r = await lib.searchText('Mia');
    expect(r.hits.map((h) => path.basename(h.path, '.jpg'))).toEqual(['mia-tom-beach', 'mia-beach']);
    expect(r.text).toBe('');
    expect(r.understood).toMatchObject({ people: 'Mia', place: null });
    expect(r.understood?.parts).toMatchObject([{ kind: 'person', name: 'Mia', ids: [person.mia], start: 0, end: 3 }]);
  });

  it('"Mia and Tom", "Mia & Tom": both must be in the photo; "Mia or Tom": either', async () => {
    expect(names(await lib.searchText('Mia and Tom'))).toEqual(['mia-tom-beach']);
    expect(names(await lib.searchText('Mia & Tom'))).toEqual(['mia-tom-beach']);
    expect(names(await lib.searchText('Mia or Tom'))).toEqual(['mia-beach', 'mia-tom-beach', 'tom-2018', 'tom-garden']);
  });

  it('"photos of Tom in 2019": the person and the year; "Tom at the beach": the rest searched among his photos', async () => {
    const r = await lib.searchText('photos of Tom in 2019');
    expect(names(r)).toEqual(['mia-tom-beach', 'tom-garden']);
    expect(r.understood).toMatchObject({ people: 'Tom', from: '2019-01-01', to: '2019-12-31' });
    const beach = await lib.searchText('Tom at the beach');
    expect(beach.text).toBe('beach');
    expect(names(beach)).toEqual(['mia-tom-beach']);
  });

  it('knows no hidden person, and an everyday name only with its capital', async () => {
    const hidden = await lib.searchText('Hilda');
    expect(hidden.understood).toBeNull();
    expect(hidden.text).toBe('Hilda');
    expect(names(await lib.searchText('Rose at the beach'))).toEqual(['rose-beach']);
    const flower = await lib.searchText('rose beach');
    expect(flower.understood).toBeNull();
    expect(flower.text).toBe('rose beach');
    expect(names(flower)).toEqual(['mia-beach', 'mia-tom-beach', 'nobody-beach', 'notaface-beach', 'rose-beach']);
  });

  it('narrows by the explicit people filter, all of them, for searches and the grid', async () => {
    expect(names(await lib.searchText('beach', { people: [person.tom!] }))).toEqual(['mia-tom-beach']);
    expect(names(await lib.searchText('2019', { people: [person.mia!, person.tom!] }))).toEqual(['mia-tom-beach']);
    // A hidden person is still a filter when asked for by id (the People view shows hidden people).
    expect(names(await lib.searchText('beach', { people: [person.hidden!] }))).toEqual(['rose-beach']);
    const grid = lib.browser.page({ people: [person.tom!] });
    expect(grid.total).toBe(3);
    expect(grid.photos.map((p) => path.basename(p.path, '.jpg'))).toEqual(['mia-tom-beach', 'tom-garden', 'tom-2018']);
    expect(lib.browser.count({ people: [person.mia!, person.tom!] })).toBe(1);
  });

  it('reads a name given a moment ago, and forgets one taken away', async () => {
    expect((await lib.searchText('Gus at the beach')).understood).toBeNull();
    lib.people.name(person.ghost!, 'Gus');
    const r = await lib.searchText('Gus');
    expect(r.understood?.people).toBe('Gus');
    expect(names(r)).toEqual(['tom-2018']);
    lib.people.name(person.ghost!, null);
    expect((await lib.searchText('Gus')).understood).toBeNull();
  });

  it('looks people up by the faces_person index', () => {
    const w = lib.browser.filterSql({ people: [person.mia!], personSets: [[person.tom!, person.rose!]] });
    const plan = (lib.catalog.db.prepare(`EXPLAIN QUERY PLAN SELECT p.id FROM photos p WHERE ${w.sql}`).all(...w.args) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/faces_person/);
    expect(plan).not.toMatch(/SCAN f\b/);
  });
});
