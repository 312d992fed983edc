// `shoebox search` with people (issue 16, [Note: query parser]): a named person in the words narrows the photos
// and is said in the plain output's "understood" line and in --json, "Mia and Tom" both, --person by id or name
// (again for more) the same as an explicit filter, a name nobody has refused with the ids to pick from. No face
// images are committed: the faces are synthetic rows placed through the engine's own API (Faces.putPhoto as the
// faces stage stores them, People as the user names them), as in people-cli.test.ts.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import type { NewFace } from '../../src/main/core/catalog/faces.ts';
import type { SearchResult } from '../../src/shared/types.ts';
import { shoebox } from '../helpers/cli.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

function face(x: number, seed: number): NewFace {
  const descriptor = new Float32Array(128).map((_, i) => Math.sin(seed * 7 + i));
  return { box: { x, y: 10, width: 20, height: 24 }, score: 0.95, landmarks: Array.from({ length: 136 }, (_, i) => x + (i % 20)), descriptor };
}

const PHOTOS: { name: string; faces: string[] }[] = [
  { name: 'mia-beach', faces: ['mia'] },
  { name: 'mia-tom-beach', faces: ['mia', 'tom'] },
  { name: 'tom-garden', faces: ['tom'] },
  { name: 'ann-one', faces: ['ann1'] },
  { name: 'ann-two', faces: ['ann2'] },
  { name: 'nobody-beach', faces: [] },
];

let data = '';
const person: Record<string, number> = {};
const search = (...args: string[]) => shoebox(['--data', data, 'search', ...args]);
const names = (r: SearchResult) => r.hits.map((h) => path.basename(h.path, '.jpg')).sort();

beforeAll(async () => {
  const root = tempDir();
  const dir = path.join(root, 'Photos');
  data = path.join(root, 'data');
  let seed = 1;
  for (const p of PHOTOS) await makeJpeg(path.join(dir, `${p.name}.jpg`), { seed: seed++, width: 120, height: 80 });
  const lib = Library.open({ dataDir: data });
  await lib.addFolder(dir);
  await lib.scan();
  let n = 0;
  for (const p of PHOTOS) {
    const id = lib.catalog.photoByPath(path.join(dir, `${p.name}.jpg`))!.id;
    const faces = lib.faces.putPhoto(id, 'test-faces@1', `fp-${p.name}`, p.faces.map((_, i) => face(10 + 40 * i, ++n)));
    p.faces.forEach((who, i) => {
      person[who] = person[who] === undefined ? lib.people.moveFace(faces[i]!, 'new') : lib.people.moveFace(faces[i]!, person[who]!);
    });
  }
  lib.people.name(person.mia!, 'Mia');
  lib.people.name(person.tom!, 'Tom');
  // Two people the user called Ann, not merged.
  lib.people.name(person.ann1!, 'Ann');
  lib.people.name(person.ann2!, 'Ann');
  await lib.close();
}, 60_000);

describe('shoebox search understands people', () => {
  it('says who it understood and lists their photos; "Mia and Tom" both', async () => {
    const r = await search('Mia at the beach');
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toBe('understood who: Mia; searching for "beach"');
    expect(r.out).toMatch(/mia-beach\.jpg/);
    expect(r.out).toMatch(/mia-tom-beach\.jpg/);
    expect(r.out).not.toMatch(/nobody-beach|tom-garden/);
    const both = await search('Mia and Tom');
    expect(both.out.split('\n')[0]).toBe('understood who: Mia and Tom; listing those photos, newest first');
    expect(both.out.trim().split('\n')).toHaveLength(2);
    expect(both.out).toMatch(/mia-tom-beach\.jpg/);
  });

  it('gives the people in --json, and takes the words as typed with --literal', async () => {
    const r = JSON.parse((await search('photos of Tom', '--json')).out) as SearchResult;
    expect(r.understood).toMatchObject({ people: 'Tom', parts: [{ kind: 'person', name: 'Tom', ids: [person.tom], text: 'photos of Tom', join: null }] });
    expect(r.text).toBe('');
    expect(names(r)).toEqual(['mia-tom-beach', 'tom-garden']);
    // Two people of one name: either is "Ann".
    expect(names(JSON.parse((await search('Ann', '--json')).out) as SearchResult)).toEqual(['ann-one', 'ann-two']);
    const literal = JSON.parse((await search('Mia', '--literal', '--json')).out) as SearchResult;
    expect(literal.understood).toBeNull();
  });

  it('narrows by --person, an id or a name, each of them', async () => {
    const byName = JSON.parse((await search('beach', '--person', 'tom', '--json')).out) as SearchResult;
    expect(names(byName)).toEqual(['mia-tom-beach']);
    const byBoth = JSON.parse((await search('beach', '--person', String(person.mia), '--person', 'Tom', '--json')).out) as SearchResult;
    expect(names(byBoth)).toEqual(['mia-tom-beach']);
    const unknown = await search('beach', '--person', 'Zed');
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/no person is named "Zed"/);
    const two = await search('beach', '--person', 'Ann');
    expect(two.code).not.toBe(0);
    expect(two.err).toMatch(new RegExp(`2 people are named "Ann": give an id \\(${person.ann1}, ${person.ann2}\\)`));
  });
});
