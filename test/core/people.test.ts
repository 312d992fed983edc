// People (issue 16): the grouping rule on synthetic descriptors, and the user's actions surviving grouping, a regroup
// and a new model's reading.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../../src/main/core/catalog/db.ts';
import { migrations } from '../../src/main/core/catalog/migrations.ts';
import { Faces, boxIou, decodeDescriptor, encodeDescriptor, type NewFace } from '../../src/main/core/catalog/faces.ts';
import { Grouper, THRESHOLD } from '../../src/main/core/people/grouping.ts';
import { People } from '../../src/main/core/people/people.ts';
import { mulberry32 } from '../../src/main/core/random.ts';
import { EMPTY_USER_DATA_STAMP, userDataStamp } from '../../src/main/core/catalog/backup.ts';
import { tempDir } from '../helpers/photos.ts';

const rand = mulberry32(7);
const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
/** A person's centre: about 1.0 from another's. */
const centre = () => Float32Array.from({ length: 128 }, () => gauss() * 0.0625);
/** A face of that person: about `spread` from another of theirs. */
const faceOf = (c: Float32Array, spread = 0.3) => Float32Array.from(c, (v) => v + gauss() * (spread / 16));
const dist = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]!));

function catalog() {
  const db = openDatabase(path.join(tempDir(), 'catalog.sqlite'));
  db.exec("INSERT INTO folders (id, path, added_at) VALUES (1, '/p', 0)");
  const addPhoto = (id: number) => db.prepare('INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, ?, 1, 0, 0, 0)').run(id, `/p/${id}.jpg`, `${id}.jpg`);
  return { db, faces: new Faces(db), addPhoto };
}

const face = (descriptor: Float32Array, x = 10): NewFace => ({ box: { x, y: 10, width: 100, height: 100 }, score: 0.9, landmarks: Array.from({ length: 136 }, (_, i) => i), descriptor });

describe('the grouping rule', () => {
  it('keeps the synthetic people apart and together: one group each', () => {
    const centres = Array.from({ length: 6 }, centre);
    expect(dist(centres[0]!, centres[1]!)).toBeGreaterThan(0.8);
    const g = new Grouper();
    let id = 0;
    const truth = new Map<number, number>();
    for (let round = 0; round < 8; round++) centres.forEach((c, p) => {
      truth.set(++id, p);
      g.add(id, faceOf(c));
    });
    const groups = [...g.groupList().values()];
    expect(groups).toHaveLength(6);
    for (const members of groups) expect(new Set(members.map((f) => truth.get(f))).size).toBe(1);
  });

  it('joins by the mean distance to the group, not the nearest face', () => {
    const g = new Grouper();
    const c = centre();
    const a = faceOf(c, 0.1);
    g.add(1, a);
    g.addFixed(2, faceOf(c, 0.1), g.groupOf(1)!);
    // A face near one member's side but, on average, past the threshold: a group of its own.
    const far = Float32Array.from(a, (v, i) => v + (i === 0 ? THRESHOLD * 1.05 : 0));
    expect(g.meanDistance(far, g.groupOf(1)!)).toBeGreaterThan(THRESHOLD);
    expect(g.add(3, far).group).not.toBe(g.groupOf(1));
    const near = Float32Array.from(a, (v, i) => v + (i === 0 ? THRESHOLD * 0.5 : 0));
    expect(g.add(4, near).group).toBe(g.groupOf(1));
  });

  it('holds a named group to the stricter threshold, suggesting it for a face between the two', () => {
    const g = new Grouper();
    const c = centre();
    g.addFixed(1, c, 5);
    g.setNamed(5, true);
    const between = Float32Array.from(c, (v, i) => v + (i === 0 ? 0.42 : 0));
    const p = g.add(2, between);
    expect(p.group).not.toBe(5);
    expect(p.suggested).toBe(5);
    expect(g.add(3, Float32Array.from(c, (v, i) => v - (i === 0 ? 0.3 : 0)))).toMatchObject({ group: 5, suggested: null });
  });

  it('never puts a face in a group it was rejected from', () => {
    const g = new Grouper();
    const c = centre();
    g.addFixed(1, faceOf(c), 9);
    expect(g.add(2, faceOf(c), new Set([9])).group).not.toBe(9);
  });
});

describe('stored faces', () => {
  it('round-trips descriptors in 512 bytes and refuses another length', () => {
    const d = faceOf(centre());
    expect(encodeDescriptor(d)).toHaveLength(512);
    expect(decodeDescriptor(encodeDescriptor(d))).toEqual(d);
    expect(() => encodeDescriptor(new Float32Array(127))).toThrow(/128 numbers/);
    expect(boxIou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(1 / 3);
  });

  it('says a photo is current only for its version and content, with no face too', () => {
    const { faces, addPhoto } = catalog();
    addPhoto(1);
    faces.putPhoto(1, 'v1', 'fp', []);
    expect(faces.isCurrent(1, 'v1', 'fp')).toBe(true);
    expect(faces.isCurrent(1, 'v2', 'fp')).toBe(false);
    expect(faces.isCurrent(1, 'v1', 'other')).toBe(false);
    expect(faces.staleIds('v2')).toEqual([1]);
  });

  it('counts and finds the covers of people from faces_person alone, a seek a person, in the cover order', () => {
    const { db, faces, addPhoto } = catalog();
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    const peopleSql = "SELECT p.id, COUNT(f.id) FROM people p LEFT JOIN faces f ON f.person_id = p.id AND f.state = 'face' GROUP BY p.id";
    expect(plan(peopleSql)).toMatch(/SEARCH f USING COVERING INDEX faces_person \(person_id=\? AND state=\?\)/);
    const coverSql = "SELECT f.id FROM faces f WHERE f.person_id = 1 AND f.state = 'face' ORDER BY f.assigned = 'user' DESC, f.score DESC, f.id LIMIT 1";
    expect(plan(coverSql)).toMatch(/COVERING INDEX faces_person/);
    expect(plan(coverSql)).not.toMatch(/TEMP B-TREE/);
    // The cover: a face the user placed first, then the best score, then the lowest id; faces not a face aside.
    for (const id of [1, 2]) addPhoto(id);
    const f = (score: number) => ({ ...face(centre()), score });
    const [a, b, c] = faces.putPhoto(1, 'v1', 'f1', [f(0.7), f(0.9), f(0.9)]);
    const [d] = faces.putPhoto(2, 'v1', 'f2', [f(0.99)]);
    const p = faces.createPerson('auto');
    for (const id of [a, b, c, d]) faces.assign(id!, p, 'auto');
    faces.setState(d!, 'not_face');
    faces.assign(d!, p, 'auto');
    expect(faces.covers().get(p)?.face).toBe(b);
    faces.assign(a!, p, 'user');
    expect(faces.covers().get(p)?.face).toBe(a);
    expect(faces.people()).toMatchObject([{ id: p, faces: 3 }]);
  });

  it('shows a person by the face chosen as cover, kept through a new reading of its photo, and by the rule once it is not theirs', () => {
    const { faces, addPhoto } = catalog();
    for (const id of [1, 2]) addPhoto(id);
    const f = (score: number, x = 10) => ({ ...face(centre(), x), score });
    const [a, b] = faces.putPhoto(1, 'v1', 'f1', [f(0.6), f(0.9, 300)]);
    const [c] = faces.putPhoto(2, 'v1', 'f2', [f(0.7)]);
    const p = faces.createPerson('auto');
    const q = faces.createPerson('user', 'Other');
    for (const id of [a, b, c]) faces.assign(id!, p, 'auto');
    const people = new People(faces);
    expect(faces.covers().get(p)?.face).toBe(b);
    people.setCover(p, a!);
    expect(faces.covers().get(p)?.face).toBe(a);
    // Chosen, it is the user's: the grouping never moves it.
    expect(faces.face(a!)).toMatchObject({ personId: p, assigned: 'user' });
    // A new reading of photo 1 (a new model): the face over the same place takes the choice.
    const [a2, b2] = faces.putPhoto(1, 'v2', 'f1', [f(0.65), f(0.95, 300)]);
    expect(faces.face(a2!)).toMatchObject({ personId: p, assigned: 'user' });
    expect(faces.covers().get(p)?.face).toBe(a2);
    // Moved to another person, or marked not a face: the rule picks again (the user's faces first).
    faces.assign(b2!, p, 'auto');
    faces.assign(a2!, q, 'user');
    expect(faces.covers().get(p)?.face).toBe(b2);
    faces.assign(a2!, p, 'user');
    expect(faces.covers().get(p)?.face).toBe(a2);
    faces.setState(a2!, 'not_face');
    expect(faces.covers().get(p)?.face).not.toBe(a2);
    // Only a face of theirs.
    expect(() => people.setCover(q, c!)).toThrow(/face \d+ is not a face of person \d+/);
  });

  it('migrates a catalog of schema 14 with people and faces to 15: counts, covers, a cover chosen and the stamp work on it', () => {
    const file = path.join(tempDir(), 'catalog.sqlite');
    const old = new Database(file);
    migrate(old, migrations.filter((m) => m.version <= 14));
    old.exec("INSERT INTO folders (id, path, added_at) VALUES (1, '/p', 0)");
    old.exec("INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/p/1.jpg', '1.jpg', 1, 0, 0, 0), (2, 1, '/p/2.jpg', '2.jpg', 1, 0, 0, 0)");
    old.exec("INSERT INTO people (id, name, hidden, source, created_at) VALUES (7, 'Mia', 0, 'user', 0)");
    const put = old.prepare("INSERT INTO faces (id, photo_id, x, y, width, height, score, landmarks, descriptor, model, person_id, assigned, state, created_at) VALUES (?, ?, 0, 0, 10, 10, ?, '[]', NULL, 'v1', 7, ?, 'face', 0)");
    put.run(1, 1, 0.9, 'auto');
    put.run(2, 2, 0.6, 'user');
    old.close();
    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
      const faces = new Faces(db);
      expect(faces.people()).toMatchObject([{ id: 7, name: 'Mia', faces: 2 }]);
      // The face the user placed, before the better score.
      expect(faces.covers().get(7)?.face).toBe(2);
      const before = userDataStamp(db);
      new People(faces).setCover(7, 1);
      expect(faces.covers().get(7)?.face).toBe(1);
      expect(userDataStamp(db)).not.toBe(before);
    } finally {
      db.close();
    }
  });

  it("moves the user data's stamp at each change the user makes to people, not at the grouping's, so a backup follows", () => {
    const { db, faces, addPhoto } = catalog();
    const people = new People(faces);
    for (const id of [1, 2]) addPhoto(id);
    const stamp = () => userDataStamp(db);
    const empty = stamp();
    expect(empty).toBe(EMPTY_USER_DATA_STAMP);
    // The grouping's own work: faces stored, an automatic person, its faces placed, a suggestion.
    const c = centre();
    const [a] = faces.putPhoto(1, 'v1', 'f1', [face(faceOf(c))]);
    const [b] = faces.putPhoto(2, 'v1', 'f2', [face(faceOf(c))]);
    const auto = faces.createPerson('auto');
    faces.assign(a!, auto, 'auto');
    faces.assign(b!, auto, 'auto');
    faces.suggest(a!, auto);
    expect(stamp()).toBe(empty);
    // Each of the user's: it moves.
    const steps: [string, () => void][] = [
      ['name', () => people.name(auto, 'Mia')],
      ['rename', () => people.name(auto, 'Mia Lee')],
      ['hide', () => people.hide(auto, true)],
      ['cover', () => people.setCover(auto, b!)],
      ['not this person', () => people.notThisPerson(a!)],
      ['move to a new person', () => void people.moveFace(a!, 'new')],
      ['not a face', () => people.notAFace(b!, true)],
    ];
    let last = stamp();
    for (const [what, step] of steps) {
      step();
      const now = stamp();
      expect(now, what).not.toBe(last);
      last = now;
    }
  });

  it('finds the faces suggested to a person by an index, as a person deleted does (its foreign key), and clears them', () => {
    const { db, faces, addPhoto } = catalog();
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1) as { detail: string }[]).map((r) => r.detail).join('\n');
    // What SQLite runs for ON DELETE SET NULL on faces.suggested_id, and the suggestions of one person.
    expect(plan('UPDATE faces SET suggested_id = NULL WHERE suggested_id = ?')).toMatch(/USING (COVERING )?INDEX faces_suggested/);
    expect(plan('SELECT id FROM faces f WHERE f.suggested_id = ? ORDER BY f.id')).toMatch(/faces_suggested/);
    addPhoto(1);
    const [a] = faces.putPhoto(1, 'v1', 'fp', [face(centre())]);
    const mia = faces.createPerson('user', 'Mia');
    faces.suggest(a!, mia);
    expect(faces.face(a!)!.suggestedId).toBe(mia);
    db.prepare('DELETE FROM people WHERE id = ?').run(mia);
    expect(faces.face(a!)!.suggestedId).toBeNull();
  });
});

describe('people and what the user does', () => {
  function library(people = 3, perPerson = 4) {
    const c = catalog();
    const centres = Array.from({ length: people }, centre);
    let photo = 0;
    const faceIds: number[][] = centres.map(() => []);
    for (let i = 0; i < perPerson; i++) centres.forEach((cen, p) => {
      c.addPhoto(++photo);
      faceIds[p]!.push(...c.faces.putPhoto(photo, 'v1', `f${photo}`, [face(faceOf(cen))]));
    });
    return { ...c, centres, faceIds, people: new People(c.faces) };
  }

  it('groups new faces into people, a person of one face only once a second joins it', () => {
    const { faces, people, faceIds, addPhoto, centres } = library();
    expect(people.group('v1')).toMatchObject({ grouped: 12, assigned: 12, created: 3 });
    const persons = faceIds.map((ids) => new Set(ids.map((id) => faces.face(id)!.personId)));
    for (const s of persons) expect(s.size).toBe(1);
    expect(new Set(persons.map((s) => [...s][0])).size).toBe(3);
    // Incremental: a new face of person 0 joins; a stranger's stays without a person.
    addPhoto(100);
    const [known, stranger] = faces.putPhoto(100, 'v1', 'x', [face(faceOf(centres[0]!)), face(faceOf(centre()), 300)]);
    expect(people.group('v1')).toMatchObject({ grouped: 2, assigned: 1, created: 0 });
    expect(faces.face(known!)!.personId).toBe(faces.face(faceIds[0]![0]!)!.personId);
    expect(faces.face(stranger!)!.personId).toBeNull();
  });

  it('makes a person of faces in two different photos: not of one photo and its exact copies, nor of two faces in one photo', () => {
    const { db, faces, people, addPhoto } = library(1, 2);
    people.group('v1');
    const fingerprint = db.prepare('UPDATE photos SET fingerprint = ? WHERE id = ?');
    // A stranger in a photo, the same file in two more folders (one SHA-256), and a poster of them in the photo too.
    const stranger = centre();
    const copies = [200, 201, 202].flatMap((id) => {
      addPhoto(id);
      fingerprint.run('same-bytes', id);
      return faces.putPhoto(id, 'v1', 'same-bytes', [face(faceOf(stranger, 0.05)), face(faceOf(stranger, 0.05), 300)]);
    });
    expect(people.group('v1')).toMatchObject({ grouped: 6, created: 0 });
    for (const id of copies) expect(faces.face(id)!.personId).toBeNull();
    expect(faces.distinctPhotos(copies)).toBe(1);
    // The stranger in another photo: now a person, with every face of theirs.
    addPhoto(203);
    fingerprint.run('other-bytes', 203);
    const [other] = faces.putPhoto(203, 'v1', 'other-bytes', [face(faceOf(stranger, 0.05))]);
    expect(people.group('v1')).toMatchObject({ grouped: 1, created: 1 });
    const person = faces.face(other!)!.personId;
    expect(person).not.toBeNull();
    for (const id of copies) expect(faces.face(id)!.personId).toBe(person);
  });

  it('keeps names, merges, moves, rejections, hidden people and "not a face" through a regroup', () => {
    const { faces, people, faceIds } = library();
    people.group('v1');
    const personOf = (id: number) => faces.face(id)!.personId!;
    const [mia, tom, ann] = faceIds.map((ids) => personOf(ids[0]!));
    people.name(mia!, '  Mia ');
    expect(faces.person(mia!)).toMatchObject({ name: 'Mia', source: 'user', faces: 4 });
    // Tom's faces merged into Ann: one person, the user's.
    people.merge(tom!, ann!);
    expect(faces.person(tom!)).toBeNull();
    expect(faces.person(ann!)!.faces).toBe(8);
    people.hide(ann!, true);
    // One of Mia's faces moved to a new person, one "not this person", one "not a face".
    const moved = people.moveFace(faceIds[0]![1]!, 'new');
    people.notThisPerson(faceIds[0]![2]!);
    people.notAFace(faceIds[0]![3]!);
    expect(() => people.moveFace(faceIds[0]![3]!, mia!)).toThrow(/not a face/);
    expect(() => people.merge(mia!, mia!)).toThrow(/itself/);
    expect(() => people.name(mia!, ' ')).toThrow(/empty/);

    const check = () => {
      expect(faces.person(mia!)).toMatchObject({ name: 'Mia', faces: 1 });
      expect(faces.person(ann!)).toMatchObject({ hidden: true, faces: 8 });
      expect(personOf(faceIds[0]![1]!)).toBe(moved);
      expect(faces.face(faceIds[0]![2]!)!.personId).not.toBe(mia);
      expect(faces.face(faceIds[0]![3]!)).toMatchObject({ state: 'not_face', personId: null });
    };
    check();
    people.regroup('v1');
    check();
    // A second grouping in another process (a restart) changes nothing the user did either.
    new People(faces).group('v1');
    check();
  });

  it('keeps what the user did when a new model reads the photos again, and groups the new faces', () => {
    const { faces, people, faceIds, centres } = library(2, 3);
    people.group('v1');
    const mia = faces.face(faceIds[0]![0]!)!.personId!;
    people.name(mia, 'Mia');
    const rejected = faceIds[1]![0]!;
    const tom = faces.face(rejected)!.personId!;
    people.notThisPerson(rejected);
    expect(faces.rejections().get(rejected)).toEqual(new Set([tom]));
    // Every photo read again with v2: a face a little moved (IoU over 0.5) takes what the user did.
    const newIds = new Map<number, number>();
    for (const photo of [1, 2, 3, 4, 5, 6]) {
      const old = faces.forPhoto(photo)[0]!;
      const p = centres[(photo - 1) % 2]!;
      const [id] = faces.putPhoto(photo, 'v2', `f${photo}`, [face(faceOf(p), old.box.x + 5)]);
      newIds.set(old.id, id!);
    }
    expect(faces.face(newIds.get(faceIds[0]![0]!)!)).toMatchObject({ personId: mia, assigned: 'user', model: 'v2' });
    expect(faces.rejections().get(newIds.get(rejected)!)).toEqual(new Set([tom]));
    people.group('v2');
    expect(faces.person(mia)).toMatchObject({ name: 'Mia', faces: 3 });
    expect(faces.face(newIds.get(rejected)!)!.personId).not.toBe(tom);
  });

  it('loads the placed faces ahead a chunk at a time, so that the grouping after places only the new ones', async () => {
    const { faces, faceIds, addPhoto, centres } = library();
    new People(faces).group('v1');
    const people = new People(faces);
    await people.prepare('v1', 5);
    addPhoto(200);
    const [id] = faces.putPhoto(200, 'v1', 'y', [face(faceOf(centres[1]!))]);
    // Only the new face is placed: the others were loaded by prepare.
    expect(people.group('v1')).toMatchObject({ grouped: 1, assigned: 1 });
    expect(faces.face(id!)!.personId).toBe(faces.face(faceIds[1]![0]!)!.personId);
  });

  it('deletes every descriptor when face recognition is turned off, keeping names', () => {
    const { faces, people, faceIds, db } = library();
    people.group('v1');
    const mia = faces.face(faceIds[0]![0]!)!.personId!;
    people.name(mia, 'Mia');
    expect(faces.deleteDescriptors()).toBe(12);
    expect(db.prepare('SELECT COUNT(*) FROM faces WHERE descriptor IS NOT NULL').pluck().get()).toBe(0);
    expect(faces.readIds()).toEqual([]);
    expect(faces.person(mia)).toMatchObject({ name: 'Mia', faces: 4 });
    expect(faces.groupingFaces('v1')).toEqual([]);
  });
});

describe('naming a face (the photo view)', () => {
  /** Two grouped people of three faces each (unnamed), and one stranger's face alone. */
  function grouped() {
    const c = catalog();
    const centres = [centre(), centre(), centre()];
    const ids: number[][] = [[], []];
    let photo = 0;
    for (let i = 0; i < 3; i++) for (const p of [0, 1]) {
      c.addPhoto(++photo);
      ids[p]!.push(...c.faces.putPhoto(photo, 'v1', `f${photo}`, [face(faceOf(centres[p]!))]));
    }
    c.addPhoto(++photo);
    const [stranger] = c.faces.putPhoto(photo, 'v1', `f${photo}`, [face(faceOf(centres[2]!))]);
    const people = new People(c.faces);
    people.group('v1');
    const personOf = (id: number) => c.faces.face(id)!.personId;
    return { ...c, people, centres, ids, stranger: stranger!, personOf, next: () => ++photo };
  }

  it("names the face's unnamed person, its other faces coming along as the user's", () => {
    const { faces, people, ids, personOf } = grouped();
    const p = personOf(ids[0]![0]!)!;
    expect(people.nameFace(ids[0]![1]!, '  Mia  Lee ')).toEqual({ person: p, left: null, how: 'named' });
    expect(faces.person(p)).toMatchObject({ name: 'Mia Lee', source: 'user', faces: 3 });
    expect(faces.ofPerson(p).every((f) => f.assigned === 'user')).toBe(true);
    // The other person is untouched.
    expect(faces.person(personOf(ids[1]![0]!)!)).toMatchObject({ name: null, faces: 3 });
  });

  it('moves the face to the person already of that name, case aside, hidden too, taking back a "not this person"', () => {
    const { faces, people, ids, personOf } = grouped();
    const mia = personOf(ids[0]![0]!)!;
    const other = personOf(ids[1]![0]!)!;
    people.name(mia, 'Mia');
    people.hide(mia, true);
    // A face of Mia's taken out ("not this person"), then named Mia in the photo view: back in, the rejection gone.
    people.notThisPerson(ids[0]![2]!);
    expect(faces.rejections().get(ids[0]![2]!)).toEqual(new Set([mia]));
    expect(people.nameFace(ids[0]![2]!, 'mia')).toEqual({ person: mia, left: null, how: 'joined' });
    expect(faces.rejections().get(ids[0]![2]!)).toBeUndefined();
    // A face of the other (unnamed) person named Mia: it alone moves; that person keeps its other two.
    expect(people.nameFace(ids[1]![0]!, 'MIA')).toEqual({ person: mia, left: other, how: 'joined' });
    expect(faces.face(ids[1]![0]!)).toMatchObject({ personId: mia, assigned: 'user' });
    expect(faces.person(mia)).toMatchObject({ name: 'Mia', hidden: true, faces: 4 });
    expect(faces.person(other)).toMatchObject({ name: null, faces: 2 });
    // Named again as who it is: nothing moves, the face is the user's.
    expect(people.nameFace(ids[0]![0]!, 'Mia')).toEqual({ person: mia, left: null, how: 'joined' });
    expect(faces.person(mia)!.faces).toBe(4);
  });

  it('gives a face of a person of another name, or of no person, a new person of that name alone', () => {
    const { faces, people, ids, personOf, stranger } = grouped();
    const ann = personOf(ids[0]![0]!)!;
    people.name(ann, 'Ann');
    const r = people.nameFace(ids[0]![1]!, 'Beth');
    expect(r).toMatchObject({ left: ann, how: 'new' });
    expect(faces.person(r.person)).toMatchObject({ name: 'Beth', source: 'user', faces: 1 });
    expect(faces.person(ann)).toMatchObject({ name: 'Ann', faces: 2 });
    expect(personOf(stranger)).toBeNull();
    const z = people.nameFace(stranger, 'Zoe');
    expect(z).toMatchObject({ left: null, how: 'new' });
    expect(faces.face(stranger)).toMatchObject({ personId: z.person, assigned: 'user' });
  });

  it('lets the person it made attract new faces of theirs, and keeps it through a regroup', () => {
    const { faces, people, stranger, centres, addPhoto, next } = grouped();
    const zoe = people.nameFace(stranger, 'Zoe').person;
    const photo = next();
    addPhoto(photo);
    const [again] = faces.putPhoto(photo, 'v1', 'z', [face(faceOf(centres[2]!, 0.2))]);
    people.group('v1');
    expect(faces.face(again!)!.personId).toBe(zoe);
    people.regroup('v1');
    expect(faces.person(zoe)).toMatchObject({ name: 'Zoe', faces: 2 });
    expect(faces.face(stranger)).toMatchObject({ personId: zoe, assigned: 'user' });
  });

  it('refuses a name two people share, a face marked not a face, an empty name and an unknown face, changing nothing', () => {
    const { faces, people, ids, personOf } = grouped();
    const [a, b] = [personOf(ids[0]![0]!)!, personOf(ids[1]![0]!)!];
    people.name(a, 'Sam');
    people.name(b, 'sam');
    expect(people.peopleNamed(' SAM ')).toEqual([a, b].sort((x, y) => x - y));
    people.notAFace(ids[0]![2]!);
    const before = JSON.stringify([faces.people(), faces.forPhoto(1), faces.forPhoto(2)]);
    expect(() => people.nameFace(ids[0]![0]!, 'Sam')).toThrow(/2 people are named "Sam"/);
    expect(() => people.nameFace(ids[0]![2]!, 'Tom')).toThrow(/marked not a face/);
    expect(() => people.nameFace(ids[0]![0]!, '   ')).toThrow(/empty/);
    expect(() => people.nameFace(9999, 'Tom')).toThrow(/no face 9999/);
    expect(JSON.stringify([faces.people(), faces.forPhoto(1), faces.forPhoto(2)])).toBe(before);
  });
});

describe('suggestions ("Is this Mia?", answered in bulk)', () => {
  /** Mia, named, of two faces at one centre; three faces 0.42 from both (within THRESHOLD, not the named 0.4), each on its own axis. */
  function suggested() {
    const c = catalog();
    const mia0 = centre();
    c.addPhoto(1);
    const miaFaces = c.faces.putPhoto(1, 'v1', 'f1', [face(mia0), face(Float32Array.from(mia0), 300)]);
    const people = new People(c.faces);
    const mia = people.moveFace(miaFaces[0]!, 'new');
    people.moveFace(miaFaces[1]!, mia);
    people.name(mia, 'Mia');
    people.group('v1');
    const near: number[] = [];
    for (const axis of [0, 1, 2]) {
      c.addPhoto(10 + axis);
      near.push(...c.faces.putPhoto(10 + axis, 'v1', `n${axis}`, [face(Float32Array.from(mia0, (v, i) => v + (i === axis ? 0.42 : 0)))]));
    }
    people.group('v1');
    return { ...c, people, mia, miaFaces, near };
  }

  it('lists the faces near a named person but not within its threshold, in no person', () => {
    const { faces, mia, near } = suggested();
    expect(faces.suggestedFor(mia).map((f) => f.id)).toEqual(near);
    for (const id of near) expect(faces.face(id)).toMatchObject({ personId: null, suggestedId: mia });
    expect(faces.person(mia)).toMatchObject({ faces: 2 });
  });

  it('moves the yes faces to the person as the user\'s, and never suggests the no faces there again, through a regroup', () => {
    const { faces, people, mia, near } = suggested();
    const [yes, no, later] = near as [number, number, number];
    expect(people.answerSuggestions(mia, [yes], [no])).toEqual({ left: [] });
    expect(faces.face(yes)).toMatchObject({ personId: mia, assigned: 'user', suggestedId: null });
    expect(faces.face(no)).toMatchObject({ personId: null, suggestedId: null });
    expect(faces.rejections().get(no)).toEqual(new Set([mia]));
    expect(faces.suggestedFor(mia).map((f) => f.id)).toEqual([later]);
    people.regroup('v1');
    expect(faces.face(yes)).toMatchObject({ personId: mia, assigned: 'user' });
    expect(faces.face(no)!.personId).not.toBe(mia);
    expect(faces.suggestedFor(mia).map((f) => f.id)).not.toContain(no);
    expect(faces.person(mia)).toMatchObject({ name: 'Mia', faces: 3 });
  });

  it('takes a yes face out of the grouping\'s person it was in, and says which', () => {
    const { faces, people, mia, near } = suggested();
    const other = faces.createPerson('auto');
    faces.assign(near[0]!, other, 'auto');
    faces.assign(near[1]!, other, 'auto');
    faces.suggest(near[0]!, mia);
    expect(people.answerSuggestions(mia, [near[0]!], [])).toEqual({ left: [other] });
    expect(faces.person(other)).toMatchObject({ faces: 1 });
    expect(faces.face(near[0]!)!.personId).toBe(mia);
  });

  it('refuses a face not suggested for the person, or answered both ways, changing nothing', () => {
    const { faces, people, mia, miaFaces, near } = suggested();
    const before = JSON.stringify([faces.people(), near.map((id) => faces.face(id)), [...faces.rejections()]]);
    expect(() => people.answerSuggestions(mia, [near[0]!, miaFaces[0]!], [])).toThrow(new RegExp(`face ${miaFaces[0]} is not suggested for person ${mia}`));
    expect(() => people.answerSuggestions(mia, [near[0]!], [near[1]!, 9999])).toThrow(/face 9999 is not suggested/);
    expect(() => people.answerSuggestions(mia, [near[0]!], [near[0]!])).toThrow(/both yes and no/);
    expect(() => people.answerSuggestions(9999, [], [])).toThrow(/no person 9999/);
    expect(JSON.stringify([faces.people(), near.map((id) => faces.face(id)), [...faces.rejections()]])).toBe(before);
  });
});

describe('suggestions when a person is named', () => {
  it('suggests the faces grouped before that are near the person now named, but not within the named threshold', () => {
    const c = catalog();
    const mia0 = centre();
    const along = (d: number) => Float32Array.from(mia0, (v, i) => v + (i === 0 ? d : 0));
    const people = new People(c.faces);
    for (const id of [1, 2, 4]) c.addPhoto(id);
    const [m1] = c.faces.putPhoto(1, 'v1', 'f1', [face(mia0)]);
    const [m2] = c.faces.putPhoto(4, 'v1', 'f4', [face(Float32Array.from(mia0), 300)]);
    // 0.47 from both: alone.
    const [x] = c.faces.putPhoto(2, 'v1', 'f2', [face(along(0.47))]);
    people.group('v1');
    const mia = c.faces.face(m1!)!.personId!;
    expect(c.faces.face(m2!)!.personId).toBe(mia);
    expect(c.faces.face(x!)!.personId).toBeNull();
    // A third face of Mia towards x: x is 0.437 from her on average now, but stays where it is.
    c.addPhoto(3);
    c.faces.putPhoto(3, 'v1', 'f3', [face(along(0.1))]);
    people.group('v1');
    expect(c.faces.face(x!)).toMatchObject({ personId: null, suggestedId: null });
    people.name(mia, 'Mia');
    expect(c.faces.suggestedFor(mia).map((f) => f.id)).toEqual([x]);
    // Answered no, naming again asks nothing.
    people.answerSuggestions(mia, [], [x!]);
    people.name(mia, 'Mia Lee');
    expect(c.faces.suggestedFor(mia)).toEqual([]);
  });
});
