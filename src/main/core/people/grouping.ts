// Grouping faces into people, incrementally, as faces arrive ([Note: people grouping]).
//
// [Note: people grouping]
// A face joins the group whose faces are closest to it on average (average linkage: the mean Euclidean distance
// from the face to each face of the group), when that mean is under THRESHOLD (0.45); else it starts a group of its
// own. A group the user named attracts within the stricter NAMED_THRESHOLD (0.4): a face nearer it than THRESHOLD but
// not than that is only suggested for it ("Is this Mia?") and otherwise grouped as if the named group were not there.
// Why these: on LFW (7,701 faces, issue 16), average linkage at 0.45 gave BCubed precision 0.986 and recall 0.81, at
// 0.5 precision 0.94: the goal is precision first (two people must almost never share a group, ≥ 0.98) with
// recall ≥ 0.8, which 0.45 meets and 0.5 does not. A wrong face in a named person is worse than a missed one (the
// user named it), hence the stricter line there; a missed one is still suggested.
// The candidates: a group can have a mean under the threshold only if one of its faces is nearer than it (the mean is
// at least the nearest), so the K nearest faces (an HNSW graph, hnswlib-node, over every face grouped) name the
// groups to weigh, and each of those is weighed exactly over all its faces. Memory is linear: the descriptors (512
// bytes a face) and the graph (about 200 bytes a face), never a distance matrix. A face the user rejected from a
// group ("not this person") never joins it; faces the user placed are fixed (added to their group, never moved).
import hnswlib from 'hnswlib-node';
import type { HierarchicalNSW } from 'hnswlib-node';

export const THRESHOLD = 0.45;
export const NAMED_THRESHOLD = 0.4;
/** Nearest faces looked at for a new face's candidate groups. */
const K = 24;
const DIM = 128;

export interface GroupingOptions {
  threshold: number;
  namedThreshold: number;
}

export const GROUPING_DEFAULTS: GroupingOptions = { threshold: THRESHOLD, namedThreshold: NAMED_THRESHOLD };

/** Where a face went: its group (a key the caller gives: a person's id, or a new key the grouper made) or a suggestion. */
export interface Placement {
  faceId: number;
  group: number;
  /** A named group the face was near but not within the named threshold of. */
  suggested: number | null;
}

interface Group {
  members: number[];
  named: boolean;
}

/** The incremental grouper: faces in, a group each. Groups are keyed by numbers; new ones get keys from `newKey`. */
export class Grouper {
  private index: HierarchicalNSW;
  private capacity = 1024;
  private readonly slotOf = new Map<number, number>();
  private vectors = new Float32Array(1024 * DIM);
  private faceOfSlot: number[] = [];
  private readonly groupOfFace = new Map<number, number>();
  private readonly groups = new Map<number, Group>();
  /** Groups no face joins by the rule: faces taken out of grouping. */
  private readonly closed = new Set<number>();
  private nextKey: number;

  constructor(
    private readonly opts: GroupingOptions = GROUPING_DEFAULTS,
    /** Keys for new groups: below every key the caller uses (people ids are positive, new groups negative). */
    firstNewKey = -1,
  ) {
    this.nextKey = firstNewKey;
    this.index = new hnswlib.HierarchicalNSW('l2', DIM);
    this.index.initIndex({ maxElements: this.capacity, m: 16, efConstruction: 100, randomSeed: 100 });
    this.index.setEf(64);
  }

  get size(): number {
    return this.faceOfSlot.length;
  }

  has(faceId: number): boolean {
    return this.slotOf.has(faceId);
  }

  groupOf(faceId: number): number | undefined {
    return this.groupOfFace.get(faceId);
  }

  /** Marks a group as named (it attracts within the stricter threshold), or not. */
  setNamed(group: number, named: boolean): void {
    this.groupFor(group).named = named;
  }

  /** The groups and their faces. */
  groupList(): Map<number, readonly number[]> {
    const out = new Map<number, readonly number[]>();
    for (const [k, g] of this.groups) if (g.members.length && !this.closed.has(k)) out.set(k, g.members);
    return out;
  }

  private groupFor(key: number): Group {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { members: [], named: false }));
    return g;
  }

  private store(faceId: number, d: Float32Array): void {
    if (d.length !== DIM) throw new Error(`a face descriptor has ${DIM} numbers, not ${d.length}`);
    if (this.slotOf.has(faceId)) throw new Error(`face ${faceId} is grouped already`);
    const slot = this.faceOfSlot.length;
    if (slot >= this.capacity) {
      this.capacity *= 2;
      this.index.resizeIndex(this.capacity);
      const v = new Float32Array(this.capacity * DIM);
      v.set(this.vectors);
      this.vectors = v;
    }
    this.vectors.set(d, slot * DIM);
    this.faceOfSlot.push(faceId);
    this.slotOf.set(faceId, slot);
    this.index.addPoint(Array.from(d), slot);
  }

  private join(faceId: number, key: number): void {
    this.groupFor(key).members.push(faceId);
    this.groupOfFace.set(faceId, key);
  }

  /** Adds a face to a given group, without the rule (the user placed it there, or the catalog says so). */
  addFixed(faceId: number, descriptor: Float32Array, group: number): void {
    this.store(faceId, descriptor);
    this.join(faceId, group);
  }

  /** The mean distance from a descriptor to a group's faces. */
  meanDistance(d: Float32Array, group: number): number {
    const g = this.groups.get(group);
    if (!g || g.members.length === 0) return Infinity;
    let sum = 0;
    for (const f of g.members) {
      const o = this.slotOf.get(f)! * DIM;
      let s = 0;
      for (let i = 0; i < DIM; i++) {
        const t = d[i]! - this.vectors[o + i]!;
        s += t * t;
      }
      sum += Math.sqrt(s);
    }
    return sum / g.members.length;
  }

  /** Adds a face by the rule ([Note: people grouping]); `rejected` are the groups it must not join. */
  add(faceId: number, descriptor: Float32Array, rejected?: ReadonlySet<number>): Placement {
    const candidates = new Set<number>();
    const n = this.faceOfSlot.length;
    if (n > 0) {
      const { neighbors, distances } = this.index.searchKnn(Array.from(descriptor), Math.min(K, n));
      // hnswlib's l2 is the squared distance.
      neighbors.forEach((slot, i) => {
        if (distances[i]! < this.opts.threshold ** 2) candidates.add(this.groupOfFace.get(this.faceOfSlot[slot]!)!);
      });
    }
    let best: number | null = null;
    let bestMean = this.opts.threshold;
    let suggested: number | null = null;
    let suggestedMean = this.opts.threshold;
    for (const key of candidates) {
      if (rejected?.has(key) || this.closed.has(key)) continue;
      const mean = this.meanDistance(descriptor, key);
      if (this.groups.get(key)!.named && mean >= this.opts.namedThreshold) {
        if (mean < suggestedMean) [suggested, suggestedMean] = [key, mean];
        continue;
      }
      if (mean < bestMean) [best, bestMean] = [key, mean];
    }
    const group = best ?? this.nextKey--;
    this.store(faceId, descriptor);
    this.join(faceId, group);
    return { faceId, group, suggested: best === null || this.groups.get(best)?.named !== true ? suggested : null };
  }

  /**
   * The faces outside `group` whose mean distance to it is at least the named threshold and under the threshold:
   * what would have been suggested for it had it been named when they came ([Note: face suggestions] in people.ts).
   * The candidates are each member's K nearest faces; faces taken out of grouping, and those `skip` names, are left
   * out. In face id order.
   */
  nearGroup(group: number, skip: (faceId: number) => boolean = () => false): number[] {
    const g = this.groups.get(group);
    if (!g || g.members.length === 0) return [];
    const k = Math.min(K, this.faceOfSlot.length);
    const done = new Set<number>();
    const out: number[] = [];
    for (const m of g.members) {
      const slot = this.slotOf.get(m);
      if (slot === undefined) continue;
      const { neighbors, distances } = this.index.searchKnn(Array.from(this.vectors.subarray(slot * DIM, (slot + 1) * DIM)), k);
      neighbors.forEach((s, i) => {
        const f = this.faceOfSlot[s];
        // hnswlib's l2 is the squared distance; a face far from this member may be near another.
        if (f === undefined || f < 0 || done.has(f) || distances[i]! >= this.opts.threshold ** 2) return;
        done.add(f);
        const key = this.groupOfFace.get(f);
        if (key === undefined || key === group || this.closed.has(key) || skip(f)) return;
        const mean = this.meanDistance(this.vectors.subarray(s * DIM, (s + 1) * DIM), group);
        if (mean >= this.opts.namedThreshold && mean < this.opts.threshold) out.push(f);
      });
    }
    return out.sort((a, b) => a - b);
  }

  /** Moves a grouped face to another group (the user moved it). */
  move(faceId: number, group: number): void {
    const from = this.groupOfFace.get(faceId);
    if (from === undefined) throw new Error(`face ${faceId} is not grouped`);
    const g = this.groups.get(from)!;
    g.members.splice(g.members.indexOf(faceId), 1);
    if (g.members.length === 0 && !g.named) this.groups.delete(from);
    this.join(faceId, group);
  }

  /** Joins every face of one group to another (the user merged two people). */
  merge(from: number, to: number): void {
    const g = this.groups.get(from);
    if (!g) return;
    for (const f of [...g.members]) this.move(f, to);
    this.groups.delete(from);
  }

  /** Takes a face out of grouping (not a face): it stays in the graph, in a group of its own that no one joins. */
  remove(faceId: number): void {
    const key = this.nextKey--;
    this.closed.add(key);
    this.move(faceId, key);
  }

  /**
   * What a saved grouping holds ([Note: people graph saved] in graph-store.ts): the graph, and per slot its face
   * (-1: a slot whose face is gone) and descriptor. The groups are not in it: the catalog holds them.
   */
  snapshot(): { index: HierarchicalNSW; faces: readonly number[]; vectors: Float32Array } {
    return { index: this.index, faces: this.faceOfSlot, vectors: this.vectors.subarray(0, this.faceOfSlot.length * DIM) };
  }

  /**
   * A grouping from a saved graph (`index`, read back, with its slots' faces and descriptors). `place` says where
   * each slot's face is now: a group key (its person), null (grouped, in no person: a group of its own) or undefined
   * (gone, or not the face saved there: the slot is marked deleted, never a neighbour again).
   */
  static restore(
    opts: GroupingOptions,
    index: HierarchicalNSW,
    faces: readonly number[],
    vectors: Float32Array,
    place: (faceId: number, slot: number) => number | null | undefined,
  ): Grouper {
    if (vectors.length !== faces.length * DIM) throw new Error(`a saved face graph has ${faces.length} faces but ${vectors.length / DIM} descriptors`);
    if (index.getCurrentCount() !== faces.length) throw new Error(`a saved face graph holds ${index.getCurrentCount()} points, its list ${faces.length} faces`);
    const g = new Grouper(opts);
    g.index = index;
    g.index.setEf(64);
    g.capacity = Math.max(index.getMaxElements(), faces.length, 1);
    g.vectors = new Float32Array(g.capacity * DIM);
    g.vectors.set(vectors);
    faces.forEach((faceId, slot) => {
      // -1: gone when the graph was saved, marked deleted in it already.
      const group = faceId < 0 || g.slotOf.has(faceId) ? undefined : place(faceId, slot);
      if (group === undefined) {
        g.faceOfSlot.push(-1);
        g.deadSlots.add(slot);
        if (faceId >= 0) index.markDelete(slot);
        return;
      }
      g.faceOfSlot.push(faceId);
      g.slotOf.set(faceId, slot);
      g.join(faceId, group ?? g.nextKey--);
    });
    return g;
  }

  /**
   * Every group made again from where the catalog says each face is now (another process changed people: the CLI
   * merged, split or named beside the app), keeping the graph: `place` as in restore. A face taken out of grouping
   * ("not this person") is in a group of its own afterwards, as after a restart.
   */
  resync(place: (faceId: number, slot: number) => number | null | undefined): void {
    this.groups.clear();
    this.groupOfFace.clear();
    this.closed.clear();
    this.faceOfSlot.forEach((faceId, slot) => {
      if (faceId < 0) return;
      const group = place(faceId, slot);
      if (group === undefined) {
        this.faceOfSlot[slot] = -1;
        this.slotOf.delete(faceId);
        this.deadSlots.add(slot);
        this.index.markDelete(slot);
        return;
      }
      this.join(faceId, group ?? this.nextKey--);
    });
  }

  /** Slots whose face is gone (restored from a saved graph): marked deleted in the graph. */
  private readonly deadSlots = new Set<number>();

  /** How many of the graph's slots hold no face any more. */
  get deadCount(): number {
    return this.deadSlots.size;
  }

  /** Bytes held: the descriptors and hnswlib's graph (its vectors and links, about 4·128 + 2·16·4 + 16 a face). */
  bytes(): number {
    return this.vectors.byteLength + this.capacity * (DIM * 4 + 16 * 2 * 4 + 16);
  }
}
