// The people grouping's graph saved between engine starts ([Note: people graph saved] in core/people/graph-store.ts):
// a start reads it back and groups exactly as the session that saved it would have; a torn, tampered, stale or other
// model's file is detected and the graph built again; what the user did since the save (also elsewhere) is kept.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { Faces, type NewFace } from '../../src/main/core/catalog/faces.ts';
import { GraphStore } from '../../src/main/core/people/graph-store.ts';
import { GROUPING_DEFAULTS } from '../../src/main/core/people/grouping.ts';
import { People } from '../../src/main/core/people/people.ts';
import { mulberry32 } from '../../src/main/core/random.ts';
import { Library } from '../../src/main/core/library.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

const rand = mulberry32(11);
const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
const centre = () => Float32Array.from({ length: 128 }, () => gauss() * 0.0625);
const faceOf = (c: Float32Array, spread = 0.3) => Float32Array.from(c, (v) => v + gauss() * (spread / 16));
const face = (descriptor: Float32Array, x = 10): NewFace => ({ box: { x, y: 10, width: 100, height: 100 }, score: 0.9, landmarks: Array.from({ length: 136 }, (_, i) => i), descriptor });

/** A catalog with `people` synthetic people of `perPerson` faces, one photo each, and a graph store beside it. */
function library(people = 6, perPerson = 6) {
  const dir = tempDir();
  const db = openDatabase(path.join(dir, 'catalog.sqlite'));
  db.exec("INSERT INTO folders (id, path, added_at) VALUES (1, '/p', 0)");
  const faces = new Faces(db);
  let photo = 0;
  const put = (d: Float32Array): number => {
    photo++;
    db.prepare('INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, ?, 1, 0, 0, 0)').run(photo, `/p/${photo}.jpg`, `${photo}.jpg`);
    return faces.putPhoto(photo, 'v1', `f${photo}`, [face(d)])[0]!;
  };
  const centres = Array.from({ length: people }, centre);
  const ids: number[] = [];
  for (let i = 0; i < perPerson; i++) for (const c of centres) ids.push(put(faceOf(c)));
  const store = new GraphStore(path.join(dir, 'index', 'faces'));
  return { db, faces, put, centres, ids, store, dir };
}

/** Each face's person, by face id. */
const assignments = (faces: Faces, ids: readonly number[]) => ids.map((id) => faces.face(id)!.personId);

/** A later batch of faces: some of each person's, and strangers'. */
function batch(lib: ReturnType<typeof library>, seed: number) {
  const r = mulberry32(seed);
  return Array.from({ length: 30 }, (_, i) => (i % 5 === 4 ? centre() : faceOf(lib.centres[Math.floor(r() * lib.centres.length)]!)));
}

describe('the people graph saved between starts', () => {
  it('is read back at the next start, which groups new faces exactly as the session that saved it', async () => {
    // Two copies of one catalog: one keeps its session going, the other restarts from the saved graph.
    const a = library();
    const people = new People(a.faces, GROUPING_DEFAULTS, a.store);
    await people.prepare('v1');
    expect(people.lastLoad).toBe('no saved graph');
    people.group('v1');
    expect(people.save()).toBe(true);
    expect(people.save()).toBe(false); // nothing new since
    expect(fs.existsSync(a.store.hnswFile) && fs.existsSync(a.store.metaFile)).toBe(true);
    const copy = path.join(tempDir(), 'copy.sqlite');
    await a.db.backup(copy);
    const restartedFaces = new Faces(openDatabase(copy));

    const later = batch(a, 3);
    const continuedIds = later.map((d) => a.put(d));
    people.group('v1');

    const restarted = new People(restartedFaces, GROUPING_DEFAULTS, a.store);
    await restarted.prepare('v1');
    expect(restarted.lastLoad).toBe('saved');
    // The faces of the saved graph are placed already: only the new ones are grouped.
    const db2 = (restartedFaces as unknown as { db: ReturnType<typeof openDatabase> }).db;
    let photo = a.ids.length;
    const restartedIds = later.map((d) => {
      photo++;
      db2.prepare('INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, ?, 1, 0, 0, 0)').run(photo, `/p/${photo}.jpg`, `${photo}.jpg`);
      return restartedFaces.putPhoto(photo, 'v1', `f${photo}`, [face(d)])[0]!;
    });
    expect(restarted.group('v1')).toMatchObject({ grouped: later.length });
    expect(restartedIds).toEqual(continuedIds);
    expect(assignments(restartedFaces, [...a.ids, ...restartedIds])).toEqual(assignments(a.faces, [...a.ids, ...continuedIds]));
  });

  it('builds the graph again from a torn or tampered file, another model\'s, or one whose faces are mostly gone', async () => {
    const lib = library();
    const people = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    people.group('v1');
    expect(people.save()).toBe(true);
    const good = { meta: fs.readFileSync(lib.store.metaFile), hnsw: fs.readFileSync(lib.store.hnswFile) };
    const restore = () => {
      fs.writeFileSync(lib.store.metaFile, good.meta);
      fs.writeFileSync(lib.store.hnswFile, good.hnsw);
    };
    const loadWith = async (damage: () => void): Promise<string | null> => {
      restore();
      damage();
      const p = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
      await p.prepare('v1');
      // Built again or not, the grouping after it is the catalog's.
      const before = assignments(lib.faces, lib.ids);
      p.group('v1');
      expect(assignments(lib.faces, lib.ids)).toEqual(before);
      return p.lastLoad;
    };
    expect(await loadWith(() => undefined)).toBe('saved');
    // Torn: the save stopped part-way through the meta file.
    expect(await loadWith(() => fs.truncateSync(lib.store.metaFile, good.meta.length - 100))).toMatch(/torn/);
    // A byte of a descriptor changed.
    expect(await loadWith(() => {
      const m = Buffer.from(good.meta);
      m[m.length - 200]! ^= 0xff;
      fs.writeFileSync(lib.store.metaFile, m);
    })).toMatch(/torn/);
    // The graph file replaced by a newer save's while the meta file is still the old one (a crash between the renames).
    expect(await loadWith(() => {
      const h = Buffer.from(good.hnsw);
      h[Math.floor(h.length / 2)]! ^= 0xff;
      fs.writeFileSync(lib.store.hnswFile, h);
    })).toMatch(/torn save/);
    expect(await loadWith(() => fs.rmSync(lib.store.hnswFile))).toMatch(/no graph file/);
    expect(await loadWith(() => fs.writeFileSync(lib.store.metaFile, 'not a graph'))).toMatch(/is not one/);
    // Another model's faces.
    restore();
    const other = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    await other.prepare('v2');
    expect(other.lastLoad).toMatch(/found with v1, not v2/);
    // Most faces gone (their photos deleted).
    restore();
    lib.db.prepare('DELETE FROM photos WHERE id > 6').run();
    const few = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    await few.prepare('v1');
    expect(few.lastLoad).toMatch(/30 of its 36 faces gone/);
  });

  it('drops a slot whose face is gone or holds another descriptor under the same id, and keeps what the user did since', async () => {
    const lib = library();
    const people = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    people.group('v1');
    people.save();
    // Since the save (in another process, the CLI): a face moved to a person of its own and named; the last
    // photo read again, its new face under the same id with another person's descriptor.
    const other = new People(lib.faces);
    const moved = lib.ids[0]!;
    const own = other.moveFace(moved, 'new');
    other.name(own, 'Mia');
    const last = lib.ids.at(-1)!;
    const lastPhoto = lib.faces.face(last)!.photoId;
    const stranger = centre();
    const [reused] = lib.faces.putPhoto(lastPhoto, 'v1', 'again', [face(stranger)]);
    expect(reused).toBe(last);
    const restarted = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    await restarted.prepare('v1');
    expect(restarted.lastLoad).toBe('saved');
    // The reused id is grouped again as the new face it is; the moved face stays where the user put it.
    expect(restarted.group('v1')).toMatchObject({ grouped: 1 });
    expect(lib.faces.face(moved)!.personId).toBe(own);
    expect(lib.faces.face(last)!.personId).toBeNull();
    // A face of the moved face's old person still joins that person, not Mia (the groups are the catalog's).
    const was = lib.faces.face(lib.ids[6]!)!.personId;
    const next = lib.put(faceOf(lib.centres[0]!));
    restarted.group('v1');
    expect(lib.faces.face(next)!.personId).toBe(was);
    // The new save holds the dead slot as gone; the start after it reads it.
    expect(restarted.save()).toBe(true);
    const again = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    await again.prepare('v1');
    expect(again.lastLoad).toBe('saved');
    expect(again.group('v1')).toMatchObject({ grouped: 0 });
  });

  it('is deleted by a regroup and by face recognition turned off (forget)', () => {
    const lib = library(2, 3);
    const people = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    people.group('v1');
    people.save();
    people.regroup('v1');
    expect(fs.existsSync(lib.store.metaFile)).toBe(false);
    expect(people.save()).toBe(true);
    people.forget();
    expect(fs.existsSync(lib.store.metaFile) || fs.existsSync(lib.store.hnswFile)).toBe(false);
  });

  it('is saved by the library when it closes and read back when it opens again', async () => {
    const dir = tempDir();
    const photos = path.join(dir, 'photos');
    for (const n of ['a', 'b', 'c']) await makeJpeg(path.join(photos, `${n}.jpg`), { width: 40, height: 30 });
    const data = path.join(dir, 'data');
    let lib = Library.open({ dataDir: data });
    const c = centre();
    try {
      await lib.addFolder(photos);
      await lib.scan();
      lib.setSetting('faces', 'on');
      const version = lib.ml.facesVersion()!;
      for (const n of ['a', 'b']) lib.faces.putPhoto(lib.catalog.photoByPath(path.join(photos, `${n}.jpg`))!.id, version, n, [face(faceOf(c))]);
      expect(lib.groupPeople()).toMatchObject({ grouped: 2, created: 1 });
    } finally {
      await lib.close();
    }
    expect(fs.existsSync(path.join(data, 'index', 'faces', 'faces.graph'))).toBe(true);
    lib = Library.open({ dataDir: data });
    try {
      const version = lib.ml.facesVersion()!;
      await lib.people.prepare(version);
      expect(lib.people.lastLoad).toBe('saved');
      const [f] = lib.faces.putPhoto(lib.catalog.photoByPath(path.join(photos, 'c.jpg'))!.id, version, 'c', [face(faceOf(c))]);
      expect(lib.groupPeople()).toMatchObject({ grouped: 1, assigned: 1 });
      expect(lib.faces.person(lib.faces.face(f!)!.personId!)!.faces).toBe(3);
    } finally {
      await lib.close();
    }
  });

  it('saves after a grouping only once the last save is old enough', () => {
    const lib = library(2, 3);
    const people = new People(lib.faces, GROUPING_DEFAULTS, lib.store);
    people.group('v1');
    expect(people.saveIfDue()).toBe(false);
    expect(people.saveIfDue(Date.now() + 6 * 60_000)).toBe(true);
    expect(fs.existsSync(lib.store.metaFile)).toBe(true);
  });
});
