// The faces found in photos and the people they are grouped into (migration 13): the faces stage's results, the
// grouping's assignments (core/people) and the user's own actions on them, which nothing automatic overwrites.
//
// [Note: faces kept across a new reading]
// A photo read again (a new face model, or the faces turned off and on) gets new face rows. What the user did to a
// face of the old reading goes to the new face that covers the same place: the new face whose box overlaps the old
// one's by IoU over 0.5 (the best such, each new face taken once) takes its user assignment ('user' person_id), its
// "not a face" and its "not this person" rejections. The grouping's own ('auto') assignments are not carried: the new
// descriptors are grouped again.
import type { Db } from './db.ts';
import { uprightRegion, type FaceRegion } from '../media/xmp.ts';

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A face as the faces stage stores it: in the upright photo's pixels. */
export interface NewFace {
  box: FaceBox;
  score: number;
  /** 68 points, x and y interleaved. */
  landmarks: number[];
  /** 128 floats. */
  descriptor: Float32Array;
}

export type FaceAssignment = 'auto' | 'user';
export type FaceState = 'face' | 'not_face';

export interface FaceRow {
  id: number;
  photoId: number;
  box: FaceBox;
  score: number;
  landmarks: number[];
  /** Null once face recognition was turned off. */
  descriptor: Float32Array | null;
  model: string;
  personId: number | null;
  assigned: FaceAssignment | null;
  state: FaceState;
  suggestedId: number | null;
}

/** A face as the grouping reads it. */
export interface GroupingFace {
  id: number;
  personId: number | null;
  assigned: FaceAssignment | null;
  descriptor: Float32Array;
}

export interface PersonRow {
  id: number;
  name: string | null;
  hidden: boolean;
  source: FaceAssignment;
  /** Its faces (not those marked "not a face"). */
  faces: number;
}

/** The descriptor's bytes: 128 little-endian float32 (512 bytes). */
export function encodeDescriptor(d: Float32Array): Buffer {
  if (d.length !== 128) throw new Error(`a face descriptor has 128 numbers, not ${d.length}`);
  const b = Buffer.alloc(512);
  for (let i = 0; i < 128; i++) b.writeFloatLE(d[i]!, i * 4);
  return b;
}

/** Whether this machine's floats are little-endian, as stored: a descriptor is then copied, not read number by number. */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

export function decodeDescriptor(b: Buffer): Float32Array {
  if (b.length !== 512) throw new Error(`a stored face descriptor is 512 bytes, not ${b.length}`);
  // A copy of the bytes (an engine start reads 100,000 of them: 12.8 million readFloatLE calls otherwise).
  if (LITTLE_ENDIAN) return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 512));
  const d = new Float32Array(128);
  for (let i = 0; i < 128; i++) d[i] = b.readFloatLE(i * 4);
  return d;
}

/** Intersection over union of two boxes. */
export function boxIou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

interface RawFace {
  id: number;
  photo_id: number;
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
  landmarks: string;
  descriptor: Buffer | null;
  model: string;
  person_id: number | null;
  assigned: FaceAssignment | null;
  state: FaceState;
  suggested_id: number | null;
}

function toRow(r: RawFace): FaceRow {
  return {
    id: r.id,
    photoId: r.photo_id,
    box: { x: r.x, y: r.y, width: r.width, height: r.height },
    score: r.score,
    landmarks: JSON.parse(r.landmarks) as number[],
    descriptor: r.descriptor ? decodeDescriptor(r.descriptor) : null,
    model: r.model,
    personId: r.person_id,
    assigned: r.assigned,
    state: r.state,
    suggestedId: r.suggested_id,
  };
}

export class Faces {
  constructor(private readonly db: Db) {}

  private sql(s: string) {
    return this.db.prepare(s);
  }

  /**
   * Stores a photo's reading (replacing the faces it had), keeping what the user did to the faces it had ([Note:
   * faces kept across a new reading]). Returns the new faces' ids, in the order given.
   */
  putPhoto(photoId: number, model: string, fingerprint: string, faces: readonly NewFace[], now = Date.now()): number[] {
    return this.db.transaction(() => {
      const old = this.forPhoto(photoId);
      const rejections = this.sql('SELECT face_id, person_id FROM face_rejections WHERE face_id IN (SELECT id FROM faces WHERE photo_id = ?)').all(photoId) as { face_id: number; person_id: number }[];
      // The covers chosen among them: deleting the faces clears them (the foreign key), the carried faces take them.
      const covers = this.sql('SELECT cover_id, id FROM people WHERE cover_id IN (SELECT id FROM faces WHERE photo_id = ?)').raw().all(photoId) as [number, number][];
      this.sql('DELETE FROM faces WHERE photo_id = ?').run(photoId);
      const insert = this.sql(
        `INSERT INTO faces (photo_id, x, y, width, height, score, landmarks, descriptor, model, person_id, assigned, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const taken = new Set<number>();
      const carried = new Map<number, FaceRow>();
      // Old faces the user acted on, each to its best-overlapping new face.
      for (const o of old) {
        const acted = o.assigned === 'user' || o.state === 'not_face' || rejections.some((r) => r.face_id === o.id);
        if (!acted) continue;
        let best = -1;
        let bestIou = 0.5;
        faces.forEach((f, i) => {
          const iou = boxIou(o.box, f.box);
          if (!taken.has(i) && iou > bestIou) [best, bestIou] = [i, iou];
        });
        if (best >= 0) {
          taken.add(best);
          carried.set(best, o);
        }
      }
      const ids = faces.map((f, i) => {
        const o = carried.get(i);
        const user = o?.assigned === 'user' ? o.personId : null;
        const { x, y, width, height } = f.box;
        const id = Number(
          insert.run(photoId, x, y, width, height, f.score, JSON.stringify(f.landmarks.map((v) => +v.toFixed(2))), encodeDescriptor(f.descriptor), model, user, user === null ? null : 'user', o?.state ?? 'face', now)
            .lastInsertRowid,
        );
        if (o) for (const r of rejections) if (r.face_id === o.id) this.sql('INSERT OR IGNORE INTO face_rejections (face_id, person_id) VALUES (?, ?)').run(id, r.person_id);
        if (o) for (const [cover, person] of covers) if (cover === o.id) this.sql('UPDATE people SET cover_id = ? WHERE id = ?').run(id, person);
        return id;
      });
      this.sql(
        `INSERT INTO photo_faces (photo_id, model, fingerprint, faces, read_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(photo_id) DO UPDATE SET model = excluded.model, fingerprint = excluded.fingerprint, faces = excluded.faces, read_at = excluded.read_at`,
      ).run(photoId, model, fingerprint, faces.length, now);
      this.dropEmptyPeople();
      return ids;
    })();
  }

  /** SQLite's data_version: moves on when another connection (another process: the CLI) commits a change. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Where each face the grouping reads is now: face id → its person (null: none). */
  placements(model: string): Map<number, number | null> {
    const rows = this.sql("SELECT id, person_id FROM faces WHERE model = ? AND state = 'face' AND descriptor IS NOT NULL").raw().all(model) as [number, number | null][];
    return new Map(rows);
  }

  /** Runs fn in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Faces with a descriptor. */
  descriptorCount(): number {
    return this.sql('SELECT COUNT(*) FROM faces WHERE descriptor IS NOT NULL').pluck().get() as number;
  }

  /** Whether the photo's faces were found with this version on this content. */
  isCurrent(photoId: number, model: string, fingerprint: string): boolean {
    return this.sql('SELECT 1 FROM photo_faces WHERE photo_id = ? AND model = ? AND fingerprint = ?').get(photoId, model, fingerprint) !== undefined;
  }

  /** The photos read with another version than this one. */
  staleIds(model: string): number[] {
    return this.sql('SELECT photo_id FROM photo_faces WHERE model <> ?').pluck().all(model) as number[];
  }

  /** The photos read (with any version). */
  readIds(): number[] {
    return this.sql('SELECT photo_id FROM photo_faces').pluck().all() as number[];
  }

  forPhoto(photoId: number): FaceRow[] {
    return (this.sql('SELECT * FROM faces WHERE photo_id = ? ORDER BY id').all(photoId) as RawFace[]).map(toRow);
  }

  face(id: number): FaceRow | null {
    const r = this.sql('SELECT * FROM faces WHERE id = ?').get(id) as RawFace | undefined;
    return r ? toRow(r) : null;
  }

  /** The faces of one person, not those marked "not a face". */
  ofPerson(personId: number): FaceRow[] {
    return (this.sql("SELECT * FROM faces WHERE person_id = ? AND state = 'face' ORDER BY id").all(personId) as RawFace[]).map(toRow);
  }

  /** The faces the grouping reads: found with this version, with a descriptor, not "not a face"; in id order. */
  groupingFaces(model: string): GroupingFace[] {
    const rows = this.sql("SELECT id, person_id, assigned, descriptor FROM faces WHERE model = ? AND state = 'face' AND descriptor IS NOT NULL ORDER BY id").raw().all(model) as [number, number | null, FaceAssignment | null, Buffer][];
    return rows.map(([id, personId, assigned, d]) => ({ id, personId, assigned, descriptor: decodeDescriptor(d) }));
  }

  /** The ids of the faces the grouping reads (as groupingFaces), without reading their descriptors. */
  groupingIds(model: string): number[] {
    return this.sql("SELECT id FROM faces WHERE model = ? AND state = 'face' AND descriptor IS NOT NULL ORDER BY id").pluck().all(model) as number[];
  }

  /** Those of these faces the grouping reads, in id order. */
  groupingFacesOf(model: string, ids: readonly number[]): GroupingFace[] {
    const out: GroupingFace[] = [];
    const stmt = this.sql(
      "SELECT id, person_id, assigned, descriptor FROM faces WHERE id IN (SELECT value FROM json_each(?)) AND model = ? AND state = 'face' AND descriptor IS NOT NULL ORDER BY id",
    ).raw();
    for (let i = 0; i < ids.length; i += 5000) {
      for (const [id, personId, assigned, d] of stmt.all(JSON.stringify(ids.slice(i, i + 5000)), model) as [number, number | null, FaceAssignment | null, Buffer][]) {
        out.push({ id, personId, assigned, descriptor: decodeDescriptor(d) });
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** Every face's "not this person": face id → the people it is not. */
  rejections(): Map<number, Set<number>> {
    const out = new Map<number, Set<number>>();
    for (const [f, p] of this.sql('SELECT face_id, person_id FROM face_rejections').raw().all() as [number, number][]) {
      if (!out.has(f)) out.set(f, new Set());
      out.get(f)!.add(p);
    }
    return out;
  }

  counts(): { faces: number; photos: number; people: number; named: number } {
    const faces = this.sql("SELECT COUNT(*) FROM faces WHERE state = 'face'").pluck().get() as number;
    const photos = this.sql('SELECT COUNT(*) FROM photo_faces').pluck().get() as number;
    const people = this.sql('SELECT COUNT(*) FROM people').pluck().get() as number;
    const named = this.sql('SELECT COUNT(*) FROM people WHERE name IS NOT NULL').pluck().get() as number;
    return { faces, photos, people, named };
  }

  // ── people ─

  createPerson(source: FaceAssignment, name: string | null = null, now = Date.now()): number {
    return Number(this.sql('INSERT INTO people (name, hidden, source, created_at) VALUES (?, 0, ?, ?)').run(name, source, now).lastInsertRowid);
  }

  person(id: number): PersonRow | null {
    const r = this.sql("SELECT p.id, p.name, p.hidden, p.source, (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id AND f.state = 'face') AS faces FROM people p WHERE p.id = ?").get(id) as
      | { id: number; name: string | null; hidden: number; source: FaceAssignment; faces: number }
      | undefined;
    return r ? { ...r, hidden: r.hidden === 1 } : null;
  }

  /** Every person, the most faces first. */
  people(): PersonRow[] {
    const rows = this.sql(
      "SELECT p.id, p.name, p.hidden, p.source, COUNT(f.id) AS faces FROM people p LEFT JOIN faces f ON f.person_id = p.id AND f.state = 'face' GROUP BY p.id ORDER BY faces DESC, p.id",
    ).all() as { id: number; name: string | null; hidden: number; source: FaceAssignment; faces: number }[];
    return rows.map((r) => ({ ...r, hidden: r.hidden === 1 }));
  }

  setName(personId: number, name: string | null): void {
    this.sql("UPDATE people SET name = ?, source = 'user' WHERE id = ?").run(name, personId);
  }

  /** The face chosen to show a person (null: picked by covers()' rule again). */
  setCover(personId: number, faceId: number | null): void {
    this.sql('UPDATE people SET cover_id = ? WHERE id = ?').run(faceId, personId);
  }

  setHidden(personId: number, hidden: boolean): void {
    this.sql("UPDATE people SET hidden = ?, source = 'user' WHERE id = ?").run(hidden ? 1 : 0, personId);
  }

  /** Puts a face in a person (or in none), as the grouping ('auto') or the user ('user') did. */
  assign(faceId: number, personId: number | null, assigned: FaceAssignment): void {
    this.sql('UPDATE faces SET person_id = ?, assigned = ?, suggested_id = NULL WHERE id = ?').run(personId, personId === null ? null : assigned, faceId);
  }

  /** The user confirms every face of a person as theirs, and the person as the user's (naming or merging does). */
  confirmFaces(personId: number): void {
    this.sql("UPDATE faces SET assigned = 'user' WHERE person_id = ? AND state = 'face'").run(personId);
    this.sql("UPDATE people SET source = 'user' WHERE id = ?").run(personId);
  }

  suggest(faceId: number, personId: number | null): void {
    this.sql('UPDATE faces SET suggested_id = ? WHERE id = ?').run(personId, faceId);
  }

  /**
   * The faces suggested for a person ("Is this Mia?", [Note: face suggestions] in people.ts): not in them already,
   * not "not this person" for them, not "not a face"; in id order.
   */
  suggestedFor(personId: number): FaceRow[] {
    return this.suggestedRows(personId);
  }

  /**
   * How many different photos these faces are in, by content: exact copies of a photo (one SHA-256 in two folders:
   * an export, a backup copy) count once; a photo not fingerprinted yet counts as itself.
   */
  distinctPhotos(faceIds: readonly number[]): number {
    if (faceIds.length === 0) return 0;
    return this.sql("SELECT COUNT(DISTINCT COALESCE(p.fingerprint, 'photo ' || p.id)) FROM json_each(?) j JOIN faces f ON f.id = j.value JOIN photos p ON p.id = f.photo_id")
      .pluck()
      .get(JSON.stringify(faceIds)) as number;
  }

  /** The person a face is suggested for now (as suggestedFor offers it): null when none, or it was answered. */
  openSuggestion(f: FaceRow): number | null {
    const to = f.suggestedId;
    if (to === null || f.state !== 'face' || f.personId === to) return null;
    return this.sql('SELECT 1 FROM face_rejections WHERE face_id = ? AND person_id = ?').get(f.id, to) ? null : to;
  }

  /** How many faces are suggested for each person (as suggestedFor counts them), for the people who have any. */
  suggestionCounts(): Map<number, number> {
    const rows = this.sql(
      "SELECT f.suggested_id, COUNT(*) FROM faces f WHERE f.suggested_id IS NOT NULL AND f.state = 'face' AND (f.person_id IS NULL OR f.person_id <> f.suggested_id) AND NOT EXISTS (SELECT 1 FROM face_rejections r WHERE r.face_id = f.id AND r.person_id = f.suggested_id) GROUP BY f.suggested_id",
    ).raw().all() as [number, number][];
    return new Map(rows);
  }

  private suggestedRows(personId: number): FaceRow[] {
    return (
      this.sql(
        "SELECT * FROM faces f WHERE f.suggested_id = ? AND f.state = 'face' AND (f.person_id IS NULL OR f.person_id <> ?) AND NOT EXISTS (SELECT 1 FROM face_rejections r WHERE r.face_id = f.id AND r.person_id = ?) ORDER BY f.id",
      ).all(personId, personId, personId) as RawFace[]
    ).map(toRow);
  }

  reject(faceId: number, personId: number): void {
    this.sql('INSERT OR IGNORE INTO face_rejections (face_id, person_id) VALUES (?, ?)').run(faceId, personId);
  }

  /** The user takes back a "not this person" (they named the face as that person after all). */
  unreject(faceId: number, personId: number): void {
    this.sql('DELETE FROM face_rejections WHERE face_id = ? AND person_id = ?').run(faceId, personId);
  }

  setState(faceId: number, state: FaceState): void {
    if (state === 'not_face') this.sql("UPDATE faces SET state = 'not_face', person_id = NULL, assigned = NULL, suggested_id = NULL WHERE id = ?").run(faceId);
    else this.sql("UPDATE faces SET state = 'face' WHERE id = ?").run(faceId);
  }

  /** Moves every face of `from` to `to` (keeping how each was assigned) and deletes `from`; its rejections go to `to`. */
  mergePeople(from: number, to: number): void {
    this.db.transaction(() => {
      this.sql('UPDATE faces SET person_id = ? WHERE person_id = ?').run(to, from);
      this.sql('UPDATE faces SET suggested_id = ? WHERE suggested_id = ?').run(to, from);
      this.sql('INSERT OR IGNORE INTO face_rejections (face_id, person_id) SELECT face_id, ? FROM face_rejections WHERE person_id = ?').run(to, from);
      this.sql('DELETE FROM people WHERE id = ?').run(from);
    })();
  }

  /** Every automatic assignment undone (a regroup starts from the user's own). */
  clearAutomatic(): void {
    this.sql("UPDATE faces SET person_id = NULL, assigned = NULL WHERE assigned = 'auto'").run();
    this.sql('UPDATE faces SET suggested_id = NULL').run();
    this.dropEmptyPeople();
  }

  /**
   * Each person's cover: the face that shows them, the one the user chose (while it is theirs and a face), else one
   * the user placed before the grouping's, then the best score (then the first). Person id → the face's id, photo
   * and box.
   */
  covers(): Map<number, { face: number; photo: number; box: FaceBox }> {
    // Each person's first face in faces_person's order (migration 15): one index seek a person.
    const rows = this.sql(
      `SELECT c.person_id, c.id, c.photo_id, c.x, c.y, c.width, c.height FROM people pe
       JOIN faces c ON c.id = COALESCE(
         (SELECT k.id FROM faces k WHERE k.id = pe.cover_id AND k.person_id = pe.id AND k.state = 'face'),
         (SELECT f.id FROM faces f WHERE f.person_id = pe.id AND f.state = 'face' ORDER BY f.assigned = 'user' DESC, f.score DESC, f.id LIMIT 1))`,
    ).raw().all() as [number, number, number, number, number, number, number][];
    return new Map(rows.map(([p, face, photo, x, y, width, height]) => [p, { face, photo, box: { x, y, width, height } }]));
  }

  /** Replaces the face regions read from a photo's metadata. */
  putRegions(photoId: number, regions: readonly FaceRegion[]): void {
    this.db.transaction(() => {
      this.sql('DELETE FROM face_regions WHERE photo_id = ?').run(photoId);
      const insert = this.sql('INSERT INTO face_regions (photo_id, n, name, x, y, width, height, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      regions.forEach((r, n) => insert.run(photoId, n, r.name, r.x, r.y, r.width, r.height, r.source));
    })();
  }

  regions(photoId: number): FaceRegion[] {
    return this.sql('SELECT name, x, y, width, height, source FROM face_regions WHERE photo_id = ? ORDER BY n').all(photoId) as FaceRegion[];
  }

  /**
   * The names other apps gave the photo's faces: each named region, turned upright by the photo's EXIF orientation
   * and scaled to its upright size (where the faces' boxes are), goes to the face it overlaps most by IoU over 0.3;
   * each face takes one name, the best overlaps first. Faces marked "not a face" take none.
   */
  namedRegionFaces(photoId: number, orientation: number | null, width: number, height: number): { face: number; name: string }[] {
    const faces = this.forPhoto(photoId).filter((f) => f.state === 'face');
    const pairs: { face: number; name: string; iou: number }[] = [];
    for (const r of this.regions(photoId)) {
      if (r.name === null) continue;
      const u = uprightRegion(r, orientation);
      const box = { x: u.x * width, y: u.y * height, width: u.width * width, height: u.height * height };
      for (const f of faces) {
        const iou = boxIou(box, f.box);
        if (iou > 0.3) pairs.push({ face: f.id, name: r.name, iou });
      }
    }
    pairs.sort((a, b) => b.iou - a.iou);
    const faceTaken = new Set<number>();
    const nameTaken = new Set<string>();
    const out: { face: number; name: string }[] = [];
    for (const p of pairs) {
      if (faceTaken.has(p.face) || nameTaken.has(p.name)) continue;
      faceTaken.add(p.face);
      nameTaken.add(p.name);
      out.push({ face: p.face, name: p.name });
    }
    return out.sort((a, b) => a.face - b.face);
  }

  /**
   * A photo's faces just found take the names other apps gave them (namedRegionFaces), as the user's own naming:
   * each goes to the person of that name (matched as People.name spells names, case aside), made when there is
   * none, assigned 'user'. A face the user placed already (carried from an earlier reading), or that was "not this
   * person" for that person, is left. Returns how many faces were named. Run as the faces stage stores the photo,
   * before the grouping sees its new faces (which it then takes as placed).
   */
  applyRegionNames(photoId: number, orientation: number | null, width: number, height: number, now = Date.now()): number {
    return this.db.transaction(() => {
      const matches = this.namedRegionFaces(photoId, orientation, width, height);
      if (matches.length === 0) return 0;
      const rejected = this.rejections();
      const key = (n: string) => n.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
      const named = new Map<string, number>();
      for (const [id, name] of this.sql('SELECT id, name FROM people WHERE name IS NOT NULL ORDER BY id').raw().all() as [number, string][]) if (!named.has(key(name))) named.set(key(name), id);
      let n = 0;
      for (const m of matches) {
        const face = this.face(m.face)!;
        const clean = m.name.normalize('NFC').trim().replace(/\s+/g, ' ');
        if (face.assigned === 'user' || clean === '') continue;
        let person = named.get(key(clean));
        if (person !== undefined && rejected.get(face.id)?.has(person)) continue;
        if (person === undefined) {
          person = this.createPerson('user', clean, now);
          named.set(key(clean), person);
        }
        this.assign(face.id, person, 'user');
        n++;
      }
      return n;
    })();
  }

  /** People the grouping made that no face is in any more. A person the user named, hid or made stays. */
  dropEmptyPeople(): number {
    return this.sql("DELETE FROM people WHERE source = 'auto' AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.person_id = people.id)").run().changes;
  }

  /**
   * Deletes every face descriptor and what says a photo was read (face recognition turned off): the boxes and what
   * the user did stay, and the photos are read again when it is turned on. Returns how many descriptors went.
   */
  deleteDescriptors(): number {
    return this.db.transaction(() => {
      const n = this.sql('UPDATE faces SET descriptor = NULL WHERE descriptor IS NOT NULL').run().changes;
      this.sql("UPDATE faces SET person_id = NULL, assigned = NULL WHERE assigned = 'auto'").run();
      this.sql('DELETE FROM photo_faces').run();
      this.dropEmptyPeople();
      return n;
    })();
  }
}
