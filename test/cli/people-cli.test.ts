// `shoebox people` (list, name, merge, split) and `shoebox faces <photo>`, in process. No face images are committed
// (no LFW in the repository), so the faces are synthetic rows placed through the engine's own API: Faces.putPhoto
// stores them as the faces stage does (a box, a score, 68 landmarks, a 128-float descriptor) and People.moveFace
// puts them in people, as a grouping or the user would.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import type { NewFace } from '../../src/main/core/catalog/faces.ts';
import { shoebox } from '../helpers/cli.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

function face(x: number, y: number, seed: number): NewFace {
  const descriptor = new Float32Array(128).map((_, i) => Math.sin(seed * 7 + i));
  return { box: { x, y, width: 20, height: 24 }, score: 0.9 + seed / 100, landmarks: Array.from({ length: 136 }, (_, i) => x + (i % 20)), descriptor };
}

/** Three photos: a with faces 1 and 2, b with face 3, c with none read; faces of a[0] and b[0] one person, a[1] another. */
async function library() {
  const dir = tempDir();
  const photos = path.join(dir, 'photos');
  for (const [n, seed] of [['a', 1], ['b', 2], ['c', 3]] as const) await makeJpeg(path.join(photos, `${n}.jpg`), { seed, width: 120, height: 80 });
  const data = path.join(dir, 'data');
  const lib = Library.open({ dataDir: data });
  await lib.addFolder(photos);
  await lib.scan();
  const ids = Object.fromEntries(['a', 'b', 'c'].map((n) => [n, lib.catalog.photoByPath(path.join(photos, `${n}.jpg`))!.id]));
  const id = (n: string) => ids[n]!;
  const [a1, a2] = lib.faces.putPhoto(id('a'), 'test-faces@1', 'fp-a', [face(10, 12, 1), face(70, 20, 2)]);
  const [b1] = lib.faces.putPhoto(id('b'), 'test-faces@1', 'fp-b', [face(30, 30, 3)]);
  const ann = lib.people.moveFace(a1!, 'new');
  lib.people.moveFace(b1!, ann);
  const other = lib.people.moveFace(a2!, 'new');
  await lib.close();
  return { data, photos, ann, other, faces: { a1: a1!, a2: a2!, b1: b1! }, ids: { a: ids.a!, b: ids.b!, c: ids.c! }, sb: (...args: string[]) => shoebox(['--data', data, ...args]) };
}

interface JsonPerson {
  id: number;
  name: string | null;
  hidden: boolean;
  faceCount: number;
  faces: { id: number; photo: number; path: string; box: { x: number; y: number; width: number; height: number } }[];
}

describe('shoebox people and faces', () => {
  it('lists the people with their faces, as text and JSON', async () => {
    const l = await library();
    const text = await l.sb('people');
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(new RegExp(`^ +${l.ann}  unnamed, 2 faces\\n +face ${l.faces.a1}  .*a\\.jpg  20x24 at 10,12\\n +face ${l.faces.b1}  .*b\\.jpg  20x24 at 30,30\\n +${l.other}  unnamed, 1 face\\n`));
    const json = JSON.parse((await l.sb('people', '--json')).out) as JsonPerson[];
    expect(json.map((p) => [p.id, p.name, p.faceCount, p.hidden])).toEqual([
      [l.ann, null, 2, false],
      [l.other, null, 1, false],
    ]);
    expect(json[0]!.faces).toEqual([
      { id: l.faces.a1, photo: l.ids.a, path: path.join(l.photos, 'a.jpg'), box: { x: 10, y: 12, width: 20, height: 24 } },
      { id: l.faces.b1, photo: l.ids.b, path: path.join(l.photos, 'b.jpg'), box: { x: 30, y: 30, width: 20, height: 24 } },
    ]);
  });

  it('names, merges and splits people, by id and by name, refusing what it cannot do', async () => {
    const l = await library();
    const named = await l.sb('people', 'name', String(l.ann), '  Ann   Smith ');
    expect(named.code, named.err).toBe(0);
    expect(named.out).toBe(`Person ${l.ann} is now “Ann Smith”.\n`);
    // A name is a person too (case-insensitive).
    const merged = await l.sb('people', 'merge', String(l.other), 'ann smith');
    expect(merged.code, merged.err).toBe(0);
    expect(merged.out).toBe(`Merged person ${l.other} into ${l.ann} (“Ann Smith”): 1 face moved, 3 in all.\n`);
    let json = JSON.parse((await l.sb('people', '--json')).out) as JsonPerson[];
    expect(json.map((p) => [p.id, p.name, p.faceCount])).toEqual([[l.ann, 'Ann Smith', 3]]);

    const split = await l.sb('people', 'split', 'Ann Smith', String(l.faces.a2), String(l.faces.b1));
    expect(split.code, split.err).toBe(0);
    const to = Number(/into a new person (\d+)\./.exec(split.out)![1]);
    json = JSON.parse((await l.sb('people', '--json')).out) as JsonPerson[];
    expect(json.map((p) => [p.id, p.name, p.faces.map((f) => f.id)])).toEqual([
      [to, null, [l.faces.a2, l.faces.b1]],
      [l.ann, 'Ann Smith', [l.faces.a1]],
    ]);

    const bad = [
      [['people', 'split', String(l.ann), String(l.faces.a1)], /every face of person/],
      [['people', 'split', String(l.ann), String(l.faces.b1)], /is not person \d+'s/],
      [['people', 'merge', String(l.ann), String(l.ann)], /cannot be merged with itself/],
      [['people', 'name', '9999', 'Bob'], /there is no person 9999/],
      [['people', 'name', 'Nobody', 'Bob'], /no person is named "Nobody"/],
      [['people', 'name', String(l.ann), '   '], /a name cannot be empty/],
    ] as const;
    for (const [args, message] of bad) {
      const r = await l.sb(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(message);
    }
    // Nothing was changed by the refusals.
    expect((JSON.parse((await l.sb('people', '--json')).out) as JsonPerson[]).map((p) => [p.id, p.name, p.faceCount])).toEqual([
      [to, null, 2],
      [l.ann, 'Ann Smith', 1],
    ]);
    // The cover: a face of theirs, by id; one of another person's is refused.
    const cover = await l.sb('people', 'cover', 'Ann Smith', String(l.faces.a1));
    expect(cover.code, cover.err).toBe(0);
    expect(cover.out).toBe(`Face ${l.faces.a1} now shows person ${l.ann} in People.\n`);
    const refused = await l.sb('people', 'cover', String(l.ann), String(l.faces.b1));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`face ${l.faces.b1} is not a face of person ${l.ann}`));
    expect((await l.sb('people', 'cover', String(l.ann))).code).toBe(2);
    const lib = Library.open({ dataDir: l.data });
    try {
      expect(lib.faces.covers().get(l.ann)?.face).toBe(l.faces.a1);
    } finally {
      await lib.close();
    }
    const usage = await l.sb('people', 'split', String(l.ann), 'x');
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/a face is a number/);
    expect((await l.sb('people', 'rename')).code).toBe(2);
  });

  it('names and merges people beside a running app, whose grouping follows the change at its next grouping', async () => {
    const l = await library();
    // The "app": the library open (its lock held), its grouping of the test model loaded.
    const app = Library.open({ dataDir: l.data });
    try {
      await app.people.prepare('test-faces@1');
      // As if every sidecar were written: what the change queues is seen alone.
      app.catalog.db.prepare("UPDATE tasks SET state = 'done' WHERE stage = 'xmp'").run();
      const named = await l.sb('people', 'name', String(l.ann), 'Ann');
      expect(named.code, named.err).toBe(0);
      expect(named.out).toBe(`Person ${l.ann} is now “Ann”.\n`);
      expect(named.err).toMatch(/has this library open: the change is in the catalog; it regroups with it at its next grouping/);
      expect(app.faces.person(l.ann)!.name).toBe('Ann');
      // The sidecars of Ann's photos are queued for the app's xmp stage.
      const xmp = app.catalog.db.prepare("SELECT photo_id FROM tasks WHERE stage = 'xmp' AND state = 'pending' ORDER BY photo_id").pluck().all();
      expect(xmp).toEqual([l.ids.a, l.ids.b].sort((x, y) => x - y));
      // Merged beside the app: the app's grouping still had the merged person as a group of its own.
      const merged = await l.sb('people', 'merge', String(l.other), 'Ann');
      expect(merged.code, merged.err).toBe(0);
      expect(app.faces.person(l.other)).toBeNull();
      // A new face with a2's descriptor: the app groups it against the catalog's people, not the one merged away.
      const [fresh] = app.faces.putPhoto(l.ids.c, 'test-faces@1', 'fp-c', [face(40, 20, 2)]);
      expect(() => app.people.group('test-faces@1')).not.toThrow();
      const person = app.faces.face(fresh!)!.personId;
      expect(person === null || app.faces.person(person) !== null).toBe(true);
      expect(app.faces.person(l.ann)!.faces).toBe(3);
    } finally {
      await app.close();
    }
  });

  it("prints a photo's faces with box, score and person; a photo not read and one not in the library", async () => {
    const l = await library();
    await l.sb('people', 'name', String(l.ann), 'Ann');
    const text = await l.sb('faces', path.join(l.photos, 'a.jpg'));
    expect(text.code, text.err).toBe(0);
    expect(text.out).toBe(
      `${path.join(l.photos, 'a.jpg')}\n  face ${l.faces.a1}  20x24 at 10,12  score 0.91  person ${l.ann} (Ann)\n  face ${l.faces.a2}  20x24 at 70,20  score 0.92  person ${l.other} (unnamed)\n`,
    );
    const json = JSON.parse((await l.sb('faces', String(l.ids.b), '--json')).out) as { path: string; model: string; faces: unknown[] };
    expect(json).toMatchObject({ path: path.join(l.photos, 'b.jpg'), model: 'test-faces@1', faces: [{ id: l.faces.b1, box: { x: 30, y: 30, width: 20, height: 24 }, score: 0.93, notAFace: false, person: { id: l.ann, name: 'Ann' }, suggested: null }] });
    // A face the grouping found near Ann, but not near enough: "maybe Ann?".
    const lib = Library.open({ dataDir: l.data });
    try {
      lib.faces.suggest(l.faces.a2, l.ann);
    } finally {
      await lib.close();
    }
    expect((await l.sb('faces', path.join(l.photos, 'a.jpg'))).out).toMatch(new RegExp(`face ${l.faces.a2}  20x24 at 70,20  score 0.92  person ${l.other} \\(unnamed\\), maybe Ann\\? \\(person ${l.ann}\\)\n`));
    expect((await l.sb('faces', String(l.ids.c))).out).toMatch(/faces not read yet/);
    const missing = await l.sb('faces', path.join(l.photos, 'nope.jpg'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not in the library/);
  });
});
