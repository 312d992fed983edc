// The duplicate groups of a library ([Note: duplicate kinds] in rules.ts): exact copies from the content
// fingerprints, same photos and similar shots from the perceptual signatures the phash stage stores, with the
// suggested keeper of each group and why.
//
// [Note: duplicates kept up to date]
// What is stored is only each photo's signature (photo_hashes, committed with its phash task, so a kill loses at
// most the batches in flight); the pairs and the groups are computed, in memory, by whoever asks. The first call
// reads every signature and finds the candidate pairs once (multi-index hashing, [Note: duplicate candidates]);
// every later call reads only the signatures written since (photo_hashes.seq), probes those, and drops the photos
// whose signature went (their photo was removed). The capture-time pairs (bursts, and the copies that keep their
// date) are read each call from the photos sorted by capture time — a window of SIMILAR_WINDOW_S, at most
// TIME_NEIGHBOURS photos on — with their pixel scores cached. The times, facts and edits used to classify pairs and
// choose keepers are read at the call, so a date the meta stage reads after the hash counts at once. Nothing in
// memory needs saving: a new engine starts with the first call's pass again.
import type { DuplicateGroup, DuplicateKind, DuplicatePhoto } from '../../../shared/types.ts';
import type { GroupedPhotoFacts, PhotoHashes } from '../catalog/photo-hashes.ts';
import { decodeSignature, SIGNATURE_VERSION } from '../media/phash.ts';
import { SignatureFinder, type PairScore } from './finder.ts';
import { captureTime, chooseKeeper, pixelsSame, pixelsSimilar, SIMILAR_CLIP, SIMILAR_WINDOW_S, timeRelation, timesAgree, type CaptureTime } from './rules.ts';

/** Photos after one, in capture-time order, that a photo is compared with at most (a thousand shots in one second…). */
const TIME_NEIGHBOURS = 64;

export interface DuplicateSources {
  hashes: PhotoHashes;
  /** The active CLIP model's vector of a photo, when it has one (similar shots read it for pairs the pixels reject). */
  vector?: (photoId: number) => Float32Array | undefined;
}

export interface DuplicateQuery {
  kind?: DuplicateKind;
}

/** Timings of the last call, for the bench. */
export interface DuplicateTimings {
  syncMs: number;
  timesMs: number;
  groupMs: number;
  signatures: number;
  pairs: number;
}

class UnionFind {
  private readonly parent = new Map<number, number>();
  find(x: number): number {
    if (!this.parent.has(x)) this.parent.set(x, x);
    let r = x;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    while (x !== r) {
      const next = this.parent.get(x)!;
      this.parent.set(x, r);
      x = next;
    }
    return r;
  }
  union(a: number, b: number): number {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
    return ra;
  }
  components(): number[][] {
    const by = new Map<number, number[]>();
    for (const x of this.parent.keys()) {
      const r = this.find(x);
      let list = by.get(r);
      if (!list) by.set(r, (list = []));
      list.push(x);
    }
    return [...by.values()].filter((c) => c.length > 1);
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}

const KIND_ORDER: Record<DuplicateKind, number> = { exact: 0, same: 1, similar: 2 };

export class Duplicates {
  private readonly finder = new SignatureFinder();
  private seq = 0;
  /** Capture times parsed, by photo, with the text they were parsed from. */
  private readonly parsed = new Map<number, { takenAt: string; source: string | null; time: CaptureTime | null }>();
  /** The last call's timings. */
  timings: DuplicateTimings = { syncMs: 0, timesMs: 0, groupMs: 0, signatures: 0, pairs: 0 };

  constructor(private readonly src: DuplicateSources) {}

  /** Brings the signatures in memory up to date with the catalog: those written since the last look, those gone. */
  sync(): void {
    const rows: { id: number; fingerprint: string; signature: ReturnType<typeof decodeSignature> }[] = [];
    for (const r of this.src.hashes.since(this.seq, SIGNATURE_VERSION)) {
      rows.push({ id: r.photoId, fingerprint: r.fingerprint, signature: decodeSignature(r.signature) });
      this.seq = Math.max(this.seq, r.seq);
    }
    this.finder.add(rows);
    this.finder.index();
    if (this.src.hashes.count(SIGNATURE_VERSION) !== this.finder.size) {
      const live = new Set(this.src.hashes.ids(SIGNATURE_VERSION));
      for (const id of this.finder.ids()) if (!live.has(id)) this.finder.remove(id);
    }
  }

  /** The groups of one kind, or of every kind: exact first, then same photos, then similar shots; larger savings first. */
  groups(query: DuplicateQuery = {}): DuplicateGroup[] {
    const t0 = performance.now();
    const want = (k: DuplicateKind) => !query.kind || query.kind === k;
    const needPairs = want('same') || want('similar');
    if (needPairs) this.sync();
    const t1 = performance.now();

    const times = new Map<number, CaptureTime>();
    const samePairs: [number, number, PairScore][] = [];
    const similarPairs: [number, number][] = [];
    let pairs = 0;
    if (needPairs) {
      const timed: { id: number; t: CaptureTime }[] = [];
      for (const [id, takenAt, source] of this.src.hashes.times()) {
        if (!this.finder.has(id)) continue;
        // Parsed once per photo while its date stays the same.
        let known = this.parsed.get(id);
        if (!known || known.takenAt !== takenAt || known.source !== source) this.parsed.set(id, (known = { takenAt, source, time: captureTime(takenAt, source) }));
        if (known.time) {
          times.set(id, known.time);
          timed.push({ id, t: known.time });
        }
      }
      // In taken_at order already, which is time order but for offsets' text and sub-seconds' digits: sorting is cheap then.
      timed.sort((a, b) => a.t.seconds - b.t.seconds);
      const seen = new Set<string>();
      const classify = (a: number, b: number, score: PairScore): void => {
        pairs++;
        const rel = timeRelation(times.get(a) ?? null, times.get(b) ?? null);
        if (timesAgree(rel)) {
          if (pixelsSame(score, rel)) samePairs.push([a, b, score]);
          return;
        }
        if (rel !== 'near') return;
        if (pixelsSimilar(score) || this.clip(a, b, score) >= SIMILAR_CLIP) similarPairs.push([a, b]);
      };
      for (const [a, b, score] of this.finder.allPairs()) {
        seen.add(a < b ? `${a},${b}` : `${b},${a}`);
        classify(a, b, score);
      }
      // Photos within the window of each other (floor of the seconds: one of them may lack sub-seconds).
      for (let i = 0; i < timed.length; i++) {
        const a = timed[i]!;
        for (let j = i + 1; j < timed.length && j <= i + TIME_NEIGHBOURS; j++) {
          const b = timed[j]!;
          if (Math.floor(b.t.seconds) - Math.floor(a.t.seconds) > SIMILAR_WINDOW_S) break;
          const key = a.id < b.id ? `${a.id},${b.id}` : `${b.id},${a.id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const score = this.finder.score(a.id, b.id);
          if (score) classify(a.id, b.id, score);
        }
      }
    }
    const t2 = performance.now();

    const found: { kind: DuplicateKind; ids: number[] }[] = [];
    const exact = this.src.hashes.exactCopies();
    if (want('exact')) for (const ids of exact) found.push({ kind: 'exact', ids });
    if (want('same')) {
      // Strongest pairs first; a component never holds two photos whose known capture times differ.
      const uf = new UnionFind();
      const rootTime = new Map<number, CaptureTime | null>();
      const timeOf = (r: number) => (rootTime.has(r) ? rootTime.get(r)! : (times.get(r) ?? null));
      const join = (a: number, b: number): void => {
        const ra = uf.find(a);
        const rb = uf.find(b);
        if (ra === rb) return;
        const ta = timeOf(ra);
        const tb = timeOf(rb);
        if (ta && tb && !timesAgree(timeRelation(ta, tb))) return;
        rootTime.set(uf.union(ra, rb), ta ?? tb);
      };
      for (const ids of exact) for (const id of ids.slice(1)) if (this.finder.has(id) && this.finder.has(ids[0]!)) join(ids[0]!, id);
      samePairs.sort((x, y) => (y[2].correlation || 1) - (x[2].correlation || 1) || x[2].hamming - y[2].hamming);
      for (const [a, b] of samePairs) join(a, b);
      for (const ids of uf.components()) found.push({ kind: 'same', ids });
    }
    if (want('similar')) {
      const uf = new UnionFind();
      for (const [a, b] of similarPairs) uf.union(a, b);
      for (const ids of uf.components()) found.push({ kind: 'similar', ids });
    }

    const facts = this.src.hashes.facts([...new Set(found.flatMap((g) => g.ids))]);
    const groups: DuplicateGroup[] = [];
    for (const { kind, ids } of found) {
      const members = ids
        .map((id) => facts.get(id))
        .filter((p): p is GroupedPhotoFacts => !!p && (kind === 'exact' || p.fingerprint === this.finder.fingerprint(p.id)));
      if (members.length < 2) continue;
      // A same-photo group is of different bytes: copies of one file alone are an exact group.
      if (kind === 'same' && new Set(members.map((m) => m.fingerprint)).size < 2) continue;
      groups.push(this.group(kind, members));
    }
    groups.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.bytesFreed - a.bytesFreed || a.photos.length - b.photos.length || (a.id < b.id ? -1 : 1));
    const t3 = performance.now();
    this.timings = { syncMs: t1 - t0, timesMs: t2 - t1, groupMs: t3 - t2, signatures: this.finder.size, pairs };
    return groups;
  }

  /** CLIP cosine of two photos, read once both have a vector; -1 while either has none. */
  private clip(a: number, b: number, score: PairScore): number {
    if (score.clip !== undefined) return score.clip;
    const va = this.src.vector?.(a);
    const vb = va && this.src.vector?.(b);
    if (!va || !vb) return -1;
    score.clip = cosine(va, vb);
    return score.clip;
  }

  private group(kind: DuplicateKind, members: GroupedPhotoFacts[]): DuplicateGroup {
    const { keeper, reasons } = chooseKeeper(members);
    const photos: DuplicatePhoto[] = members
      .map((p) => ({
        id: p.id,
        path: p.path,
        size: p.size,
        width: p.width,
        height: p.height,
        format: p.format,
        takenAt: p.takenAt,
        camera: [p.cameraMake, p.cameraModel].filter(Boolean).join(' ') || null,
        hasGps: p.hasGps,
        hasEdits: p.hasEdits,
        mtimeMs: p.mtimeMs,
        keeper: p.id === keeper.id,
      }))
      .sort((a, b) => Number(b.keeper) - Number(a.keeper) || a.id - b.id);
    const smallest = Math.min(...members.map((m) => m.id));
    return {
      id: `${kind}-${smallest}`,
      kind,
      photos,
      keeper: keeper.id,
      reasons,
      bytesFreed: members.reduce((s, m) => s + (m.id === keeper.id ? 0 : m.size), 0),
    };
  }
}
