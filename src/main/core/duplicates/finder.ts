// The signatures in memory and the pairs they propose ([Note: duplicate candidates]): photos added one by one or all
// at once, each probed against those before it, never every pair.
import { GRID, MIN_STRUCTURE, type PhotoSignature } from '../media/phash.ts';
import { pixelScore, SAME_HASH_RADIUS, type PixelScore, type SignatureView } from './rules.ts';

// [Note: duplicate candidates]
// Multi-index hashing (Norouzi, Punjani and Fleet, 2012): the 64-bit hash is cut into four 16-bit chunks, and each
// chunk's value indexes a table of the photos with that value. Two hashes at most SAME_HASH_RADIUS (7) bits apart
// differ in at most 1 bit in one chunk at least (were every chunk 2 or more apart, they would be 8 apart), so a
// photo's candidates are the photos in the buckets within 1 bit of its own chunks: 4 × 17 buckets, each about
// n / 65,536 photos, then the full distance checked. (Radius 11 would take 4 × 137 buckets: 1.9 s at 100,000 photos
// here against 0.25; the pairs it would add are the crops, which keep their capture date and are found by it.) The
// tables are CSR arrays (per chunk: an offsets array of 65,537, and the slots with their whole hashes beside them, so
// that a bucket is read in order, not by jumping to each slot's hash) built in one pass; photos added after the build go into small per-bucket lists until
// they are a quarter of the built ones, when the tables are built again. Each photo is probed against the photos
// added before it only (slot order), so every pair is looked at once. Near-uniform photos are kept out of the tables
// (their hashes are noise; the rules pair them by capture time only). Candidates found are scored (rules.ts
// pixelScore) and kept as pairs in memory; removing a photo removes its pairs.

const CHUNKS = 4;
const BUCKETS = 1 << 16;
/** 16-bit masks with at most 1 bit set: the 17 buckets probed around a chunk's value. */
const MASKS: readonly number[] = [0, ...Array.from({ length: 16 }, (_, i) => 1 << i)];

function chunkOf(hi: number, lo: number, k: number): number {
  return (k < 2 ? hi >>> (16 * (1 - k)) : lo >>> (16 * (3 - k))) & 0xffff;
}

export interface PairScore extends PixelScore {
  /** CLIP cosine of the two photos' vectors, once read; undefined while either has none. */
  clip?: number;
}

export class SignatureFinder {
  private cap = 0;
  private n = 0;
  private slotIds = new Float64Array(0);
  private his = new Uint32Array(0);
  private los = new Uint32Array(0);
  private grids = new Int8Array(0);
  private chromas = new Float32Array(0);
  private structures = new Float32Array(0);
  private alive = new Uint8Array(0);
  private readonly fingerprints: string[] = [];
  private readonly slotOf = new Map<number, number>();
  private liveCount = 0;

  /** Slots [0, built) are in the CSR tables; later ones in `tail`. */
  private built = 0;
  private offsets: Int32Array[] = [];
  private entries: Int32Array[] = [];
  private entryHi: Uint32Array[] = [];
  private entryLo: Uint32Array[] = [];
  private tail = new Map<number, number[]>();
  private tailSize = 0;
  /** Whether the tables were built since the last bulk add (a bulk load probes once, after). */
  private indexed = false;

  /** Scored pairs, both ways: id → id → score. */
  private readonly pairs = new Map<number, Map<number, PairScore>>();

  get size(): number {
    return this.liveCount;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  /** The ids of the photos held. */
  ids(): number[] {
    return [...this.slotOf.keys()];
  }

  fingerprint(id: number): string | undefined {
    const s = this.slotOf.get(id);
    return s === undefined ? undefined : this.fingerprints[s];
  }

  private grow(min: number): void {
    if (min <= this.cap) return;
    const cap = Math.max(min, this.cap * 2, 1024);
    const grow = <T extends Float64Array | Uint32Array | Int8Array | Float32Array | Uint8Array | Int32Array>(a: T, per: number): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * per);
      b.set(a);
      return b;
    };
    this.slotIds = grow(this.slotIds, 1);
    this.his = grow(this.his, 1);
    this.los = grow(this.los, 1);
    this.grids = grow(this.grids, GRID * GRID);
    this.chromas = grow(this.chromas, 3);
    this.structures = grow(this.structures, 1);
    this.alive = grow(this.alive, 1);
    this.cap = cap;
  }

  private view(slot: number): SignatureView {
    return {
      hi: this.his[slot]!,
      lo: this.los[slot]!,
      grid: this.grids.subarray(slot * GRID * GRID, (slot + 1) * GRID * GRID),
      chroma: this.chromas.subarray(slot * 3, slot * 3 + 3),
      structure: this.structures[slot]!,
    };
  }

  /** A photo's signature as held, or undefined. */
  signature(id: number): SignatureView | undefined {
    const s = this.slotOf.get(id);
    return s === undefined ? undefined : this.view(s);
  }

  /**
   * Adds (or replaces) photos' signatures. With `probe`, each is probed against those before it now; a bulk load
   * passes false and calls `index()` once after.
   */
  add(rows: Iterable<{ id: number; fingerprint: string; signature: PhotoSignature }>, probe = true): void {
    for (const { id, fingerprint, signature } of rows) {
      this.remove(id);
      this.grow(this.n + 1);
      const s = this.n++;
      this.slotIds[s] = id;
      this.his[s] = signature.hi;
      this.los[s] = signature.lo;
      this.grids.set(signature.grid, s * GRID * GRID);
      this.chromas.set(signature.chroma, s * 3);
      this.structures[s] = signature.structure;
      this.alive[s] = 1;
      this.fingerprints[s] = fingerprint;
      this.slotOf.set(id, s);
      this.liveCount++;
      if (this.indexed) {
        this.insertTail(s);
        if (probe) this.probe(s);
      }
    }
    if (this.indexed && this.tailSize > Math.max(4096, this.built / 4)) this.build();
  }

  /** Removes a photo and its pairs. */
  remove(id: number): void {
    const s = this.slotOf.get(id);
    if (s === undefined) return;
    this.alive[s] = 0;
    this.slotOf.delete(id);
    this.liveCount--;
    const mine = this.pairs.get(id);
    if (mine) for (const other of mine.keys()) this.pairs.get(other)?.delete(id);
    this.pairs.delete(id);
  }

  /** Builds the tables over every slot and, the first time, probes every photo (the first pass). */
  index(): void {
    if (this.indexed) return;
    this.build();
    this.indexed = true;
    for (let s = 0; s < this.n; s++) if (this.alive[s]) this.probe(s);
  }

  private build(): void {
    // Compact first when many slots died (photos replaced or removed).
    if (this.n - this.liveCount > Math.max(1024, this.n / 4)) this.compact();
    const n = this.n;
    this.offsets = [];
    this.entries = [];
    this.entryHi = [];
    this.entryLo = [];
    for (let k = 0; k < CHUNKS; k++) {
      const off = new Int32Array(BUCKETS + 1);
      for (let s = 0; s < n; s++) if (this.alive[s] && this.structures[s]! >= MIN_STRUCTURE) off[chunkOf(this.his[s]!, this.los[s]!, k) + 1]!++;
      for (let b = 0; b < BUCKETS; b++) off[b + 1]! += off[b]!;
      const fill = off.slice(0, BUCKETS);
      const ent = new Int32Array(off[BUCKETS]!);
      const eh = new Uint32Array(off[BUCKETS]!);
      const el = new Uint32Array(off[BUCKETS]!);
      for (let s = 0; s < n; s++) {
        if (!this.alive[s] || this.structures[s]! < MIN_STRUCTURE) continue;
        const j = fill[chunkOf(this.his[s]!, this.los[s]!, k)]!++;
        ent[j] = s;
        eh[j] = this.his[s]!;
        el[j] = this.los[s]!;
      }
      this.offsets.push(off);
      this.entries.push(ent);
      this.entryHi.push(eh);
      this.entryLo.push(el);
    }
    this.built = n;
    this.tail.clear();
    this.tailSize = 0;
  }

  /** Moves the live slots down over the dead ones (keeping their order, so "probed against those before it" holds). */
  private compact(): void {
    let w = 0;
    for (let s = 0; s < this.n; s++) {
      if (!this.alive[s]) continue;
      if (w !== s) {
        this.slotIds[w] = this.slotIds[s]!;
        this.his[w] = this.his[s]!;
        this.los[w] = this.los[s]!;
        this.grids.copyWithin(w * GRID * GRID, s * GRID * GRID, (s + 1) * GRID * GRID);
        this.chromas.copyWithin(w * 3, s * 3, s * 3 + 3);
        this.structures[w] = this.structures[s]!;
        this.alive[w] = 1;
        this.fingerprints[w] = this.fingerprints[s]!;
        this.slotOf.set(this.slotIds[w]!, w);
      }
      w++;
    }
    this.alive.fill(0, w, this.n);
    this.fingerprints.length = w;
    this.n = w;
  }

  private insertTail(s: number): void {
    if (this.structures[s]! < MIN_STRUCTURE) return;
    for (let k = 0; k < CHUNKS; k++) {
      const key = k * BUCKETS + chunkOf(this.his[s]!, this.los[s]!, k);
      let list = this.tail.get(key);
      if (!list) this.tail.set(key, (list = []));
      list.push(s);
    }
    this.tailSize++;
  }

  /** Scores the pairs of slot `s` with the slots before it whose hash is within SAME_HASH_RADIUS. */
  private probe(s: number): void {
    if (this.structures[s]! < MIN_STRUCTURE) return;
    const { his, los } = this;
    const hi = his[s]!;
    const lo = los[s]!;
    // A pair near in two chunks is met twice: the matches (few) are deduplicated, not every slot visited.
    let near: Set<number> | null = null;
    const tailed = this.tailSize > 0;
    for (let k = 0; k < CHUNKS; k++) {
      const v = chunkOf(hi, lo, k);
      const off = this.offsets[k]!;
      const ent = this.entries[k]!;
      const eh = this.entryHi[k]!;
      const el = this.entryLo[k]!;
      for (let mi = 0; mi < MASKS.length; mi++) {
        const b = v ^ MASKS[mi]!;
        const end = off[b + 1]!;
        // Buckets hold slots in increasing order: the slots before s come first.
        for (let i = off[b]!; i < end; i++) {
          if (ent[i]! >= s) break;
          if (popcount((hi ^ eh[i]!) >>> 0) + popcount((lo ^ el[i]!) >>> 0) <= SAME_HASH_RADIUS) (near ??= new Set()).add(ent[i]!);
        }
        if (tailed) {
          const list = this.tail.get(k * BUCKETS + b);
          if (!list) continue;
          for (const t of list) {
            if (t >= s) break;
            if (popcount((hi ^ his[t]!) >>> 0) + popcount((lo ^ los[t]!) >>> 0) <= SAME_HASH_RADIUS) (near ??= new Set()).add(t);
          }
        }
      }
    }
    if (!near) return;
    const a = this.view(s);
    for (const t of near) if (this.alive[t]) this.keep(this.slotIds[s]!, this.slotIds[t]!, pixelScore(a, this.view(t)));
  }

  private keep(a: number, b: number, score: PairScore): void {
    let ma = this.pairs.get(a);
    if (!ma) this.pairs.set(a, (ma = new Map()));
    let mb = this.pairs.get(b);
    if (!mb) this.pairs.set(b, (mb = new Map()));
    ma.set(b, score);
    mb.set(a, score);
  }

  /** The pair's score: found by the tables, scored before, or scored now (and kept). Undefined when either is absent. */
  score(a: number, b: number): PairScore | undefined {
    const known = this.pairs.get(a)?.get(b);
    if (known) return known;
    const sa = this.slotOf.get(a);
    const sb = this.slotOf.get(b);
    if (sa === undefined || sb === undefined) return undefined;
    const score = pixelScore(this.view(sa), this.view(sb));
    this.keep(a, b, score);
    return score;
  }

  /** Every pair held (found by the tables or scored on request), once each. */
  *allPairs(): Iterable<[number, number, PairScore]> {
    for (const [a, m] of this.pairs) for (const [b, score] of m) if (a < b) yield [a, b, score];
  }
}

/** Bits set in a 32-bit word (media/phash.ts has it too; a local copy is inlined in the probe's loop). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
