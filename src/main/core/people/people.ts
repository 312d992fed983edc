// People: the faces stage's faces grouped into people ([Note: people grouping] in grouping.ts), and what the user does
// to them. What the user does is user data, never overwritten by grouping or regrouping:
// - naming a person, merging two, moving a face to a person, confirm those faces as the person's ('user');
// - "not this person" records a rejection: the face never joins that person again (and the person's other faces
//   are confirmed: the user looked at them);
// - hiding a person and "not a face" are kept on the person and the face.
// A regroup undoes only the grouping's own ('auto') assignments and groups again around the user's; a new model's
// faces keep what the user did ([Note: faces kept across a new reading] in catalog/faces.ts).
// A group of one face is no person yet: its face stays without a person until a second face joins it.
import type { Faces } from '../catalog/faces.ts';
import { Grouper, GROUPING_DEFAULTS, type GroupingOptions } from './grouping.ts';
import type { GraphStore } from './graph-store.ts';

/** A grouping's graph is saved after a grouping at most this often ([Note: people graph saved]); and at close. */
export const SAVE_EVERY_MS = 5 * 60_000;

export interface GroupingResult {
  /** Faces grouped by this call. */
  grouped: number;
  /** Faces put in a person by it. */
  assigned: number;
  /** People it made. */
  created: number;
}

// [Note: naming a face]
// The photo view names one face at a time (nameFace), and what one name given to one face means is decided here:
// 1. A person of that name exists (matched as the CLI and face regions match names: NFC, spaces folded, case aside;
//    hidden people too, since hiding someone from the People view is not forgetting them): the face joins them, as
//    the user's, and a "not this person" the user said for them is taken back (the latest word wins).
// 2. Else, the face is in a person nobody named (the grouping's): that person takes the name, and its other faces
//    with it, all the user's from then on. Apple Photos and Google Photos do the same: naming one face of an unnamed
//    group names the group, which is what the grouping's precision-first rule is for.
// 3. Else (the face is in no person, or in one of another name): a new person of that name holds it alone. The other
//    person keeps its name and other faces: the user said this face is someone else, not that the other is.
// A name two people already share is refused rather than guessed (which of them is meant is not known; merging them
// first is the user's to do), and so is a face marked "not a face". The renderer says which of 1–3 will happen
// before the user commits (renderer lib/faces.ts namingOutcome, tested against this).

/** A name as people keep it: NFC, trimmed, inner spaces one. */
export function cleanName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** Two names are the same person's when they match so, case aside (as the CLI and face regions match them). */
export function nameKey(name: string): string {
  return cleanName(name).toLowerCase();
}

/** What nameFace did: the person the face is in now, and the person it left (null: none, or the same). */
export interface FaceNamed {
  person: number;
  left: number | null;
  /** 'joined': the face went to the person already of that name; 'named': its unnamed person took the name, its
   *  other faces with it; 'new': a new person of that name was made for it alone. */
  how: 'joined' | 'named' | 'new';
}

export class People {
  private grouper: Grouper | null = null;
  private model: string | null = null;
  /** Moves on at every change made outside a grouping: a grouping loaded beside it is then out of date. */
  private changes = 0;

  /** The grouper last saved and its size then (null: none saved by this process). */
  private saved: { grouper: Grouper; size: number } | null = null;
  private savedAt = Date.now();
  /** SQLite's data_version when the grouping last matched the catalog: another process's change moves it on. */
  private seenVersion: number | null = null;
  /** How the last prepare() got its graph: 'saved' (read back), else why it was built ([Note: people graph saved]). */
  lastLoad: string | null = null;

  constructor(
    private readonly faces: Faces,
    private readonly opts: GroupingOptions = GROUPING_DEFAULTS,
    /** Where the grouping's graph is saved between starts; none: built at every start. */
    private readonly store: GraphStore | null = null,
  ) {}

  /**
   * Groups the faces found with `model` that are not grouped yet (all of them after a model change or a restart,
   * the faces the user or an earlier grouping placed first, fixed). Faces gone since are taken out.
   */
  group(model: string): GroupingResult {
    try {
      return this.faces.transaction(() => this.groupNow(model));
    } catch (e) {
      // The grouping in memory no longer matches what was rolled back: read again next time.
      this.forget();
      throw e;
    }
  }

  /**
   * Loads the faces already placed into a new grouping, so that the group() after it only places the new faces: the
   * saved graph when there is one that fits the catalog ([Note: people graph saved]), then the placed faces it lacks
   * (all of them without one), a chunk at a time, giving the event loop back between chunks (building the graph is
   * the long part: 46 s at 100,000 faces, README "People"). Kept only when nothing changed meanwhile; else group()
   * loads them itself.
   */
  async prepare(model: string, chunk = 2000): Promise<void> {
    if (this.model === model && this.grouper) return;
    const at = this.changes;
    const version = this.faces.dataVersion();
    const all = this.faces.groupingFaces(model);
    // The saved graph when it still fits the catalog ([Note: people graph saved]); its faces are placed already.
    const loaded = this.store?.load(model, all, this.opts) ?? { grouper: null, reason: 'no saved graph' };
    this.lastLoad = loaded.grouper ? 'saved' : loaded.reason;
    const grouper = loaded.grouper ?? new Grouper(this.opts);
    if (loaded.grouper) this.saved = { grouper, size: grouper.size };
    const rows = all.filter((r) => r.personId !== null && !grouper.has(r.id));
    for (let i = 0; i < rows.length; i += chunk) {
      for (const r of rows.slice(i, i + chunk)) grouper.addFixed(r.id, r.descriptor, r.personId!);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.changes !== at) return;
    }
    if (this.changes !== at || (this.model === model && this.grouper)) return;
    this.grouper = grouper;
    this.model = model;
    this.seenVersion = version;
  }

  private groupNow(model: string): GroupingResult {
    this.changes++;
    const version = this.faces.dataVersion();
    if (this.model !== model) {
      this.grouper = new Grouper(this.opts);
      this.model = model;
    } else if (this.seenVersion !== null && version !== this.seenVersion) {
      // Another process changed the catalog (the CLI named, merged or split people beside the app): the groups are
      // made again from where the catalog says the faces are, on the same graph ([Note: people graph saved]).
      const at = this.faces.placements(model);
      this.grouper!.resync((faceId) => (at.has(faceId) ? at.get(faceId)! : undefined));
    }
    this.seenVersion = version;
    const grouper = this.grouper!;
    // Only the faces not grouped yet are read with their descriptors (at 100,000 faces, reading them all is 0.1 s
    // or more at every commit of the faces stage).
    const ids = this.faces.groupingIds(model);
    const present = new Set(ids);
    for (const [, members] of grouper.groupList()) for (const f of [...members]) if (!present.has(f)) grouper.remove(f);
    const named = new Set(this.faces.people().filter((p) => p.name !== null).map((p) => p.id));
    for (const id of named) grouper.setNamed(id, true);
    const fresh = this.faces.groupingFacesOf(model, ids.filter((id) => !grouper.has(id)));
    for (const r of fresh) if (r.personId !== null) grouper.addFixed(r.id, r.descriptor, r.personId);
    const pending = fresh.filter((r) => r.personId === null);
    if (pending.length === 0) return { grouped: 0, assigned: 0, created: 0 };
    const rejections = this.faces.rejections();
    let assigned = 0;
    let created = 0;
    const db = this.faces;
    const placed = pending.map((r) => grouper.add(r.id, r.descriptor, rejections.get(r.id)));
    // New groups whose faces are in two photos or more become people: two different photos, so that a stranger in
    // one photo and its copies (an export beside the original, the same file in two folders) is nobody's face yet, as
    // two faces of one photo are. Their faces and the faces that joined people are stored.
    for (const p of placed) {
      let group = p.group;
      if (group < 0) {
        const members = grouper.groupList().get(group);
        if (!members || members.length < 2 || db.distinctPhotos(members) < 2) {
          if (p.suggested !== null) db.suggest(p.faceId, p.suggested);
          continue;
        }
        const person = db.createPerson('auto');
        created++;
        grouper.merge(group, person);
        group = person;
        for (const f of grouper.groupList().get(person)!) if (f !== p.faceId) {
          db.assign(f, person, 'auto');
          assigned++;
        }
      }
      db.assign(p.faceId, group, 'auto');
      assigned++;
      if (p.suggested !== null) db.suggest(p.faceId, p.suggested);
    }
    return { grouped: pending.length, assigned, created };
  }

  /** Groups every face again around what the user did (the grouping's own assignments undone). */
  regroup(model: string): GroupingResult {
    this.store?.clear();
    this.faces.clearAutomatic();
    this.grouper = null;
    this.model = null;
    return this.group(model);
  }

  /** The in-memory grouping is dropped (face recognition turned off): the next group() reads the catalog again. */
  forget(): void {
    this.changes++;
    this.grouper = null;
    this.model = null;
    this.store?.clear();
  }

  /** Saves the grouping's graph when it holds faces the saved one lacks ([Note: people graph saved]); true when it did. */
  save(): boolean {
    const grouper = this.grouper;
    if (!this.store || !grouper || this.model === null) return false;
    if (this.saved?.grouper === grouper && this.saved.size === grouper.size) return false;
    this.store.save(this.model, grouper);
    this.saved = { grouper, size: grouper.size };
    this.savedAt = Date.now();
    return true;
  }

  /** save() when the last save is SAVE_EVERY_MS old (after a grouping); a failed save is only a slower next start. */
  saveIfDue(now = Date.now()): boolean {
    if (now - this.savedAt < SAVE_EVERY_MS) return false;
    try {
      return this.save();
    } catch {
      this.savedAt = now;
      return false;
    }
  }

  private requirePerson(id: number) {
    const p = this.faces.person(id);
    if (!p) throw new Error(`there is no person ${id}`);
    return p;
  }

  private requireFace(id: number) {
    const f = this.faces.face(id);
    if (!f) throw new Error(`there is no face ${id}`);
    return f;
  }

  /** Names a person (null takes the name away); its faces become the user's. */
  name(personId: number, name: string | null): void {
    this.changes++;
    this.requirePerson(personId);
    const clean = name === null ? null : name.normalize('NFC').trim().replace(/\s+/g, ' ');
    if (clean === '') throw new Error('a name cannot be empty');
    this.faces.setName(personId, clean);
    if (clean !== null) this.faces.confirmFaces(personId);
    this.grouper?.setNamed(personId, clean !== null);
    if (clean !== null) this.suggestNear(personId);
  }

  /**
   * A person just named (or merged into a named one): the faces already grouped elsewhere that are near them but not
   * within the named threshold are suggested for them, as a face arriving then would be ([Note: face suggestions]).
   * A face the user placed, one already suggested for someone, and one rejected for them are left.
   */
  private suggestNear(personId: number): void {
    if (!this.grouper) return;
    const rejections = this.faces.rejections();
    for (const f of this.grouper.nearGroup(personId, (id) => rejections.get(id)?.has(personId) ?? false)) {
      const row = this.faces.face(f);
      if (!row || row.state !== 'face' || row.assigned === 'user' || row.suggestedId !== null) continue;
      this.faces.suggest(f, personId);
    }
  }

  hide(personId: number, hidden: boolean): void {
    this.changes++;
    this.requirePerson(personId);
    this.faces.setHidden(personId, hidden);
  }

  /**
   * The face that shows a person in People ("Use as cover"): one of theirs, not marked not a face. Choosing it says
   * it is them, so it becomes the user's (no regrouping moves it, a new reading keeps it and the choice).
   */
  setCover(personId: number, faceId: number): void {
    this.changes++;
    this.requirePerson(personId);
    const face = this.requireFace(faceId);
    if (face.personId !== personId || face.state !== 'face') throw new Error(`face ${faceId} is not a face of person ${personId}`);
    this.faces.assign(faceId, personId, 'user');
    this.faces.setCover(personId, faceId);
  }

  /** Merges `from` into `to`: every face of both becomes the user's, in `to`; a name `to` lacks is taken from `from`. */
  merge(from: number, to: number): void {
    this.changes++;
    if (from === to) throw new Error('a person cannot be merged with itself');
    const a = this.requirePerson(from);
    const b = this.requirePerson(to);
    this.faces.mergePeople(from, to);
    if (b.name === null && a.name !== null) this.faces.setName(to, a.name);
    else this.faces.setName(to, b.name);
    this.faces.confirmFaces(to);
    this.grouper?.merge(from, to);
    if (this.faces.person(to)!.name !== null) {
      this.grouper?.setNamed(to, true);
      this.suggestNear(to);
    }
  }

  /** Moves a face to a person, or to a new person of its own ('new'); returns the person. */
  moveFace(faceId: number, to: number | 'new'): number {
    this.changes++;
    const face = this.requireFace(faceId);
    if (face.state === 'not_face') throw new Error(`face ${faceId} is marked not a face`);
    const person = to === 'new' ? this.faces.createPerson('user') : this.requirePerson(to).id;
    this.faces.assign(faceId, person, 'user');
    if (this.grouper?.has(faceId)) this.grouper.move(faceId, person);
    this.faces.dropEmptyPeople();
    return person;
  }

  /** The people already named `name` (case aside), hidden ones too. */
  peopleNamed(name: string): number[] {
    const key = nameKey(name);
    return this.faces.people().filter((p) => p.name !== null && nameKey(p.name) === key).map((p) => p.id).sort((a, b) => a - b);
  }

  /**
   * Names one face, as the photo view does ([Note: naming a face]):
   * - a person of that name exists (hidden ones too: hiding is not forgetting): the face goes to them, the user's,
   *   and a "not this person" for them is taken back;
   * - else the face's person is unnamed: that person takes the name, its other faces with it, as Apple's and
   *   Google's photo apps do (one name given, the whole group named);
   * - else (no person, or one of another name): a new person of that name holds the face alone.
   * A name two people share is refused (which of them is meant is not known), as is a face marked "not a face".
   */
  nameFace(faceId: number, name: string): FaceNamed {
    const face = this.requireFace(faceId);
    if (face.state === 'not_face') throw new Error(`face ${faceId} is marked not a face`);
    const clean = cleanName(name);
    if (clean === '') throw new Error('a name cannot be empty');
    const named = this.peopleNamed(clean);
    if (named.length > 1) throw new Error(`${named.length} people are named ${JSON.stringify(clean)} (${named.join(', ')}): merge them first, or move the face to one of them`);
    const was = face.personId;
    try {
      return this.faces.transaction(() => this.nameFaceNow(faceId, clean, named[0] ?? null, was));
    } catch (e) {
      // The grouping in memory no longer matches what was rolled back: read again next time.
      this.forget();
      throw e;
    }
  }

  private nameFaceNow(faceId: number, clean: string, existing: number | null, was: number | null): FaceNamed {
    this.changes++;
    if (existing !== null) {
      this.faces.unreject(faceId, existing);
      if (was === existing) {
        this.faces.assign(faceId, existing, 'user');
        return { person: existing, left: null, how: 'joined' };
      }
      this.moveFace(faceId, existing);
      return { person: existing, left: was, how: 'joined' };
    }
    if (was !== null && this.faces.person(was)!.name === null) {
      this.name(was, clean);
      return { person: was, left: null, how: 'named' };
    }
    const person = this.faces.createPerson('user', clean);
    this.moveFace(faceId, person);
    this.grouper?.setNamed(person, true);
    return { person, left: was, how: 'new' };
  }

  /** "Not this person": the face leaves its person and never joins it again. */
  notThisPerson(faceId: number): void {
    this.changes++;
    const face = this.requireFace(faceId);
    if (face.personId === null) return;
    this.faces.reject(faceId, face.personId);
    this.faces.assign(faceId, null, 'user');
    // The user looked at this person: its other faces are confirmed, and it outlives a new model's reading.
    this.faces.confirmFaces(face.personId);
    // A face of another reading (a model being replaced) or not grouped yet is in no grouping to leave.
    if (this.grouper?.has(faceId)) this.grouper.remove(faceId);
    this.faces.dropEmptyPeople();
  }

  /**
   * [Note: face suggestions]
   * A face the grouping found near a named person but not within the stricter named threshold has that person as its
   * suggestion (suggested_id; grouping.ts); the person's page asks "Is this Mia?" of each. The user answers any
   * number at once: yes moves the face to the person as the user's own (moveFace), no is "not this person" for that
   * person (a rejection, so the grouping never suggests or joins it there again) and leaves the face where it is.
   * Every face answered must be one suggested for the person now (else nothing is done), and none both yes and no.
   * Returns the people the yes faces left. Naming a person (or merging one into a named person) suggests the faces
   * grouped before that are near them in the same way (suggestNear), so a name given late still asks.
   */
  answerSuggestions(personId: number, yes: readonly number[], no: readonly number[]): { left: number[] } {
    this.requirePerson(personId);
    const both = yes.filter((f) => no.includes(f));
    if (both.length > 0) throw new Error(`face ${both[0]} cannot be answered both yes and no`);
    const offered = new Map(this.faces.suggestedFor(personId).map((f) => [f.id, f]));
    for (const f of [...yes, ...no]) if (!offered.has(f)) throw new Error(`face ${f} is not suggested for person ${personId}`);
    try {
      return this.faces.transaction(() => {
        this.changes++;
        const left = new Set<number>();
        for (const f of new Set(yes)) {
          const was = offered.get(f)!.personId;
          if (was !== null) left.add(was);
          this.moveFace(f, personId);
        }
        for (const f of new Set(no)) {
          this.faces.reject(f, personId);
          this.faces.suggest(f, null);
        }
        return { left: [...left] };
      });
    } catch (e) {
      // The grouping in memory no longer matches what was rolled back: read again next time.
      this.forget();
      throw e;
    }
  }

  /** "Not a face" (or a face again): marked so, it is in no person and never grouped. */
  notAFace(faceId: number, notFace = true): void {
    this.changes++;
    this.requireFace(faceId);
    this.faces.setState(faceId, notFace ? 'not_face' : 'face');
    if (notFace && this.grouper?.has(faceId)) this.grouper.remove(faceId);
    this.faces.dropEmptyPeople();
  }
}
