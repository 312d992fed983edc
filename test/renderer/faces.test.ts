// The photo view's faces (lib/faces.ts): where the boxes go, the names offered, and what naming will do, which must
// be what the engine then does (People.nameFace), checked against it on a real catalog.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FaceInfo, PersonSummary } from '../../src/shared/contract.ts';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { Faces } from '../../src/main/core/catalog/faces.ts';
import { People, cleanName as engineClean, nameKey as engineKey } from '../../src/main/core/people/people.ts';
import { boxPlace, cleanName, drawnFaces, faceLabel, nameChoices, nameKey, namingOutcome, outcomeText, type NamingOutcome } from '../../src/renderer/src/lib/faces.ts';
import { tempDir } from '../helpers/photos.ts';

const box = { x: 0, y: 0, width: 10, height: 10 };
const faceInfo = (id: number, person: FaceInfo['person'], extra: Partial<FaceInfo> = {}): FaceInfo => ({ id, photo: 1, box, score: 0.9, person, byUser: false, notAFace: false, suggested: null, ...extra });
const person = (id: number, name: string | null, faces: number, hidden = false): PersonSummary => ({ id, name, faces, hidden, byUser: name !== null, cover: null });

describe('face boxes over the preview', () => {
  it('places a box in per cent of the upright photo, cut at the edges', () => {
    expect(boxPlace({ x: 400, y: 300, width: 200, height: 150 }, 4000, 3000)).toEqual({ left: 10, top: 10, width: 5, height: 5 });
    expect(boxPlace({ x: -50, y: 2900, width: 150, height: 200 }, 4000, 3000)).toEqual({ left: 0, top: (2900 / 3000) * 100, width: 2.5, height: (100 / 3000) * 100 });
    expect(() => boxPlace(box, 0, 10)).toThrow(/positive/);
  });

  it('draws "not a face" only when asked, left to right', () => {
    const a = faceInfo(1, null, { box: { ...box, x: 300 } });
    const b = faceInfo(2, null, { box: { ...box, x: 100 }, notAFace: true });
    const c = faceInfo(3, null, { box: { ...box, x: 200 } });
    expect(drawnFaces([a, b, c], false).map((f) => f.id)).toEqual([3, 1]);
    expect(drawnFaces([a, b, c], true).map((f) => f.id)).toEqual([2, 3, 1]);
  });

  it('calls a face by its person, else by what it is', () => {
    expect(faceLabel(faceInfo(1, { id: 4, name: 'Mia' }))).toBe('Mia');
    expect(faceLabel(faceInfo(1, { id: 4, name: null }))).toBe('Unnamed person');
    expect(faceLabel(faceInfo(1, null))).toBe('Unknown');
    expect(faceLabel(faceInfo(1, null, { notAFace: true }))).toBe('Not a face');
    // A face suggested for a named person is asked about, unless it is in a named person already.
    const asked = { suggested: { id: 7, name: 'Mia' } };
    expect(faceLabel(faceInfo(1, null, asked))).toBe('Mia?');
    expect(faceLabel(faceInfo(1, { id: 3, name: null }, asked))).toBe('Mia?');
    expect(faceLabel(faceInfo(1, { id: 3, name: null }, asked), false)).toBe('Unnamed person');
    expect(faceLabel(faceInfo(1, { id: 4, name: 'Ann' }, asked))).toBe('Ann');
  });
});

describe('the names offered', () => {
  const people = [person(1, 'Tom Berg', 9), person(2, 'Mia', 3), person(3, 'Ann Tomlin', 12), person(4, null, 40), person(5, 'Tomas', 2, true), person(6, 'mia', 1)];
  it('offers the named, not hidden, names starting with the text first, then a word of them, most faces first, each once', () => {
    expect(nameChoices(people, 'tom', null).map((p) => p.name)).toEqual(['Tom Berg', 'Ann Tomlin']);
    expect(nameChoices(people, '  MI ', null).map((p) => p.name)).toEqual(['Mia']);
    expect(nameChoices(people, '', null).map((p) => p.name)).toEqual(['Ann Tomlin', 'Tom Berg', 'Mia']);
    expect(nameChoices(people, '', null, 2)).toHaveLength(2);
  });
  it("leaves out the face's own person", () => {
    expect(nameChoices(people, 'tom', faceInfo(1, { id: 1, name: 'Tom Berg' })).map((p) => p.name)).toEqual(['Ann Tomlin']);
  });
  it("spells and matches names as the engine does", () => {
    for (const s of ['  Mia  Lee ', 'Ｍｉａ', 'e\u0301mile', 'ÉMILE', '\tAnn\n']) {
      expect(cleanName(s)).toBe(engineClean(s));
      expect(nameKey(s)).toBe(engineKey(s));
    }
  });
});

describe('what naming a face will do', () => {
  it('says it in words', () => {
    const said = (o: NamingOutcome) => outcomeText(o);
    expect(said({ kind: 'name-person', name: 'Mia', others: 4 })).toBe('Names this person Mia: the 4 other faces grouped with this one too.');
    expect(said({ kind: 'name-person', name: 'Mia', others: 1 })).toMatch(/the 1 other face grouped/);
    expect(said({ kind: 'join', person: person(2, 'Mia', 3, true) })).toBe('This face joins Mia (hidden in People).');
    expect(said({ kind: 'shared', name: 'Sam', count: 2 })).toBe('2 people are named Sam: merge them in People first.');
    expect(said({ kind: 'new', name: 'Bo' })).toBe('A new person, Bo, with this face.');
    expect(said({ kind: 'empty' })).toMatch(/Type a name/);
  });

  it('foretells what the engine does, on a real catalog, for every kind of face and name', () => {
    const db = openDatabase(path.join(tempDir(), 'catalog.sqlite'));
    db.exec("INSERT INTO folders (id, path, added_at) VALUES (1, '/p', 0)");
    db.prepare("INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/p/1.jpg', '1.jpg', 1, 0, 0, 0)").run();
    const faces = new Faces(db);
    const d = (v: number) => new Float32Array(128).fill(v);
    const ids = faces.putPhoto(1, 'v1', 'f', [0, 1, 2, 3, 4, 5, 6].map((i) => ({ box: { x: i * 50, y: 0, width: 40, height: 40 }, score: 0.9, landmarks: [], descriptor: d(i / 10) })));
    const [unnamedA, unnamedB, miaA, miaB, lone, samA, samB] = ids as [number, number, number, number, number, number, number];
    const unnamed = faces.createPerson('auto');
    faces.assign(unnamedA, unnamed, 'auto');
    faces.assign(unnamedB, unnamed, 'auto');
    const mia = faces.createPerson('user', 'Mia');
    faces.assign(miaA, mia, 'user');
    faces.assign(miaB, mia, 'user');
    const sam1 = faces.createPerson('user', 'Sam');
    faces.assign(samA, sam1, 'user');
    const sam2 = faces.createPerson('user', 'sam');
    faces.assign(samB, sam2, 'user');
    const people = new People(faces);
    const summaries = (): PersonSummary[] => faces.people().map((p) => person(p.id, p.name, p.faces, p.hidden));
    const info = (id: number): FaceInfo => {
      const f = faces.face(id)!;
      const p = f.personId === null ? null : faces.person(f.personId)!;
      return faceInfo(id, p ? { id: p.id, name: p.name } : null);
    };
    const engineKind = { joined: ['join', 'same'], named: ['name-person'], new: ['new'] } as const;
    const cases: [number, string][] = [
      [miaA, 'mia'], // same
      [unnamedA, 'Mia'], // join
      [unnamedB, 'Zoe'], // its (still unnamed) person takes the name
      [lone, 'Bo'], // no person: new
      [miaB, 'Cy'], // Mia's: new
      [lone, 'SAM'], // shared
    ];
    for (const [id, name] of cases) {
      const foretold = namingOutcome(info(id), name, summaries());
      if (foretold.kind === 'shared') {
        expect(() => people.nameFace(id, name)).toThrow(/2 people are named/);
        continue;
      }
      const done = people.nameFace(id, name);
      expect(engineKind[done.how] as readonly string[], `${id} ${name}`).toContain(foretold.kind);
      if (foretold.kind === 'name-person') expect(foretold.others).toBe(faces.person(done.person)!.faces - 1);
    }
    expect(faces.person(unnamed)).toMatchObject({ name: 'Zoe' });
  });
});
