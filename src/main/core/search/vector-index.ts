// The vector index of one embedding model: an HNSW graph (hnswlib-node, cosine) over photo ids, saved atomically beside a JSON sidecar and kept in step with SQLite.
//
// [Note: vector index and SQLite] The `embeddings` table is the source of truth; the index is a
// cache of it that may be missing, corrupt or stale after a crash, and `sync` repairs it:
//
// - Loaded only if the sidecar matches (format version, model id, dim, space), the file has the
//   size and SHA-256 the sidecar recorded, the graph header agrees with the sidecar, and the ids
//   read back hash to the sidecar's id checksum. Anything else rebuilds from all vectors.
// - Id sets are compared by `idChecksum`: the count plus two order-independent sums (mod 2^32) of
//   a 32-bit mix of each id. The catalog computes the same value by streaming
//   `SELECT photo_id FROM embeddings WHERE model_id = ?` through `idChecksum`, or keeps an
//   `IdChecksum` up to date as rows come and go (`add`/`remove` are exact inverses), so a
//   matching library is confirmed without reading any ids. When the checksums differ, the ids are
//   diffed; a few differences are replayed (remove extras, add missing), many rebuild.
// - A photo re-embedded under the same id (its file changed) does not change the id set. If the
//   source implements `changedSince`, sync re-reads the ids written since the last save (minus a
//   margin) and updates those whose vector differs; without it, the caller must `save()` after
//   such updates to be safe against a crash.
// - Moves keep the photo id and its vector, so they never touch the index.
//
// [Note: deferred index check] Hashing the whole file (2.2 GB at a million photos, ~3 s) must not
// stand in front of the first search after start. With `verify: 'deferred'` the open runs the cheap
// checks only — sidecar, size, graph header, element count, and the id checksum against SQLite,
// which together catch every truncation, stale file and torn save — and `verifyDeferred()` hashes
// the file afterwards (the search service runs it after the first answer). hnswlib trusts the
// links it reads, so a file damaged inside (a bad sector in the link lists) can crash a search
// before the check: a marker `<stem>.unverified` exists while an unchecked file is in use, and an
// open that finds one left behind (the process died) hashes first, so such a crash happens at most
// once and the next start rebuilds. A save first checks the file it is about to replace, since a
// damaged graph would otherwise be written out as sound.
//
// [Note: search preview] (search/preview.ts): every save also writes `<stem>.preview`, a compact copy of
// the vectors that answers searches while the graph is read; `onPreview` hands it over during the load.
//
// Deleted ids are marked deleted in the graph (hnswlib `markDelete`); their slots are reused by
// new ids (`allowReplaceDeleted`), and a deleted id that comes back is unmarked and updated in
// place. The capacity doubles (by at most 2^20 slots a step) when every slot is in use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import hnswlib from 'hnswlib-node';
import type { HierarchicalNSW } from 'hnswlib-node';
import { fingerprintFile } from '../media/fingerprint.ts';
import { enospc, writeFault } from '../faults.ts';
import { previewHeaderMatches, SearchPreview, writePreview, type PreviewOf } from './preview.ts';

/**
 * Graph parameters, chosen with `npm run bench:search` (512-dim clustered vectors, 2 cores).
 * At 1M, M = 16 / efConstruction = 100 plateaued at recall@10 0.957 however wide the search
 * (efSearch 400 and 800 alike: a graph that misses some neighbours); M = 32 / efConstruction = 128
 * reaches 0.9835 at efSearch 200 (p95 1.9 ms) and 0.9985 at 400, for 6 % more memory (about
 * dim·4 + 8·M + 16 bytes a photo: ≈ 2.3 KB at 512 dims, 2.3 GB for 1M photos) and a build about
 * 1.4× as long. A loaded index keeps the parameters it was built with.
 */
export const DEFAULT_M = 32;
export const DEFAULT_EF_CONSTRUCTION = 128;
/** The smallest search breadth; `autoEfSearch` widens it as the library grows. */
export const DEFAULT_EF_SEARCH = 100;

/**
 * The search breadth for an index of `count` photos when none is set: 100 up to 500k photos, then
 * one more per 5,000 photos (200 at 1M), at most 400 — recall stays ≥ 0.98 as the graph grows,
 * and latency stays a few milliseconds.
 */
export function autoEfSearch(count: number): number {
  return Math.min(400, Math.max(DEFAULT_EF_SEARCH, Math.ceil(count / 5000)));
}
/** Sidecar format; a different version rebuilds. */
export const INDEX_FORMAT_VERSION = 1;
/** Sync replays at most this many differences, or this fraction of the library, whichever is more; beyond it rebuilds. */
export const REPLAY_MAX = 1000;
export const REPLAY_MAX_FRACTION = 0.2;
/** `changedSince` is asked from this long before the last save: clocks step, batches take time. */
export const CHANGED_SINCE_MARGIN_MS = 60_000;

const MAX_LABEL = 0xffff_ffff; // hnswlib-node labels are uint32
const HEADER_BYTES = 96; // hnswlib's saveIndex header: 11 size_t/double fields, an int and a uint32

// ---------------------------------------------------------------------------------------------
// Id checksum

function mix32(x: number): number {
  // murmur3's fmix32: a bijection on 32 bits with good avalanche.
  x ^= x >>> 16;
  x = Math.imul(x, 0x85eb_ca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2_ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * An order-independent checksum of a set of ids, updatable one id at a time. `toString()` is
 * `<count>:<16 hex digits>`; two sets agree on it only if they have the same size and (but for a
 * 2^-64 chance) the same ids. Ids are integers in 1..2^32-1 (the index's label range).
 */
export class IdChecksum {
  private n = 0;
  private a = 0;
  private b = 0;

  add(id: number): void {
    const x = id >>> 0;
    this.n++;
    this.a = (this.a + mix32(x ^ 0x9e37_79b9)) >>> 0;
    this.b = (this.b + mix32(Math.imul(x, 0x2545_f491) ^ 0x7f4a_7c15)) >>> 0;
  }

  remove(id: number): void {
    const x = id >>> 0;
    this.n--;
    this.a = (this.a - mix32(x ^ 0x9e37_79b9)) >>> 0;
    this.b = (this.b - mix32(Math.imul(x, 0x2545_f491) ^ 0x7f4a_7c15)) >>> 0;
  }

  get count(): number {
    return this.n;
  }

  toString(): string {
    return `${this.n}:${this.a.toString(16).padStart(8, '0')}${this.b.toString(16).padStart(8, '0')}`;
  }
}

/** The checksum of a set of ids (each once), in any order: what `VectorSource.checksum()` returns. */
export function idChecksum(ids: Iterable<number>): string {
  const sum = new IdChecksum();
  for (const id of ids) sum.add(id);
  return sum.toString();
}

// ---------------------------------------------------------------------------------------------
// Types

export interface VectorRow {
  id: number;
  vector: Float32Array;
}

/**
 * What sync needs from SQLite: the ids that have a vector for this model, and the vectors. The
 * iterables may be sync or async; sync yields to the event loop between batches, so a source on a
 * shared better-sqlite3 connection should page (keyset on photo_id) rather than hold one
 * statement open across the whole walk.
 */
export interface VectorSource {
  /** How many ids have a vector (sizes a rebuilt index). */
  count(): number;
  /** `idChecksum` of those ids. */
  checksum(): string;
  /** Every id that has a vector, each once, any order. */
  ids(): Iterable<number> | AsyncIterable<number>;
  /** One id's vector, or undefined when it has none. */
  vector(id: number): Float32Array | undefined;
  /** Every id with its vector, any order: a full rebuild. */
  vectors(): Iterable<VectorRow> | AsyncIterable<VectorRow>;
  /**
   * Optional: ids whose vector was written at or after `sinceMs` (ms since the epoch, e.g.
   * `embeddings.created_at`), so a re-embedded photo the last save missed is updated.
   */
  changedSince?(sinceMs: number): Iterable<number> | AsyncIterable<number>;
}

export interface SyncReport {
  /** loaded: the saved index was current; replayed: differences applied; rebuilt: built from all vectors. */
  action: 'loaded' | 'replayed' | 'rebuilt';
  /** Ids added to the index. */
  added: number;
  /** Ids removed from the index. */
  removed: number;
  /** Ids whose vector was replaced (see `VectorSource.changedSince`). */
  updated: number;
  /** Why it was not simply loaded. */
  reason?: string;
  ms: number;
}

export interface SearchHit {
  id: number;
  /** Cosine similarity, 1 best. */
  score: number;
}

export interface VectorIndexOptions {
  /** Folder of the index files (created if missing). */
  dir: string;
  modelId: string;
  dim: number;
  /** When given, open syncs with it (repairing a missing, corrupt or stale index) and saves any repair. */
  source?: VectorSource;
  /** Graph parameters of a new or rebuilt index; a loaded index keeps its own. */
  M?: number;
  efConstruction?: number;
  /** Search breadth; each search uses max(2k, efSearch). Default: `autoEfSearch` of the index's size. */
  efSearch?: number;
  /** Slots of a new index before it first grows (default 1024). */
  initialCapacity?: number;
  /**
   * Hash the file on open and compare with the sidecar (default true; about 1.5 s per GB). 'deferred': the
   * cheap checks only on open, the hash later by `verifyDeferred()` ([Note: deferred index check]).
   */
  verify?: boolean | 'deferred';
  /**
   * Work for the main thread while the graph file is read on a worker thread (hnswlib's
   * readIndex): the search service computes the catalog's id checksum there, which sync needs next.
   * With `onPreview`, the read starts only after this and the preview's hand-over (the preview needs
   * the checksum; on two cores the read would slow both).
   * A promise it returns is awaited with the read (the load is not done before it settles).
   */
  whileLoading?: () => void | Promise<void>;
  /**
   * Called during the load, after `whileLoading`'s synchronous part and before the graph is read, with
   * the saved preview ([Note: search preview]) when it matches the sidecar, reading the graph file for
   * its re-ranking. It is not kept by the index: the taker calls its `close()` when done with it.
   */
  onPreview?: (preview: SearchPreview) => void;
  /** Write the preview at every save (default true). */
  preview?: boolean;
}

export interface IndexMeta {
  version: number;
  modelId: string;
  dim: number;
  space: 'cosine';
  /** Live ids. */
  count: number;
  /** Elements in the graph, deleted ones included. */
  slots: number;
  capacity: number;
  /** `idChecksum` of the live ids. */
  checksum: string;
  /** Ids in the graph marked deleted (their slots await reuse). */
  deleted: number[];
  M: number;
  efConstruction: number;
  fileBytes: number;
  fileSha256: string;
  /** When the saved state was taken, ms since the epoch. */
  savedAt: number;
}

interface Graph {
  hnsw: HierarchicalNSW;
  live: Set<number>;
  sum: IdChecksum;
  M: number;
  efConstruction: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** The file name stem for a model id: itself when already safe, else cleaned plus a short hash. */
export function indexFileStem(modelId: string): string {
  if (!modelId) throw new Error('model id is empty');
  const clean = modelId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 80);
  if (clean === modelId) return clean;
  return `${clean}-${crypto.createHash('sha256').update(modelId).digest('hex').slice(0, 8)}`;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_LABEL) throw new RangeError(`vector index ids are integers in 1..${MAX_LABEL}, got ${id}`);
}

/** The vector scaled to unit length, as the plain array hnswlib-node takes. */
function unitArray(v: Float32Array, dim: number): number[] {
  if (v.length !== dim) throw new RangeError(`vector has ${v.length} dimensions, the index ${dim}`);
  let ss = 0;
  for (let i = 0; i < dim; i++) ss += v[i]! * v[i]!;
  const norm = Math.sqrt(ss);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError('vector is zero or not finite');
  const out = new Array<number>(dim);
  for (let i = 0; i < dim; i++) out[i] = v[i]! / norm;
  return out;
}

function newGraph(dim: number, capacity: number, M: number, efConstruction: number): Graph {
  const hnsw = new hnswlib.HierarchicalNSW('cosine', dim);
  hnsw.initIndex({ maxElements: Math.max(16, capacity), m: M, efConstruction, randomSeed: 100, allowReplaceDeleted: true });
  return { hnsw, live: new Set(), sum: new IdChecksum(), M, efConstruction };
}

async function fsyncPath(p: string, flags: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(p, flags);
    await fh.sync();
  } catch (err) {
    // Directories cannot be opened on Windows; the rename is still atomic there.
    if (flags === 'r+') throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Hashes an hnswlib graph file and walks its structure as it goes (one read): the header, the level-0 block of
 * `count` elements, then each element's upper-level link list (a uint32 size, then that many bytes). `problem`
 * says what is wrong when the file ends before its last element or goes on after it.
 */
async function hashAndWalkGraph(file: string): Promise<{ bytes: number; sha256: string; problem: string | null }> {
  const hash = crypto.createHash('sha256');
  const header = Buffer.alloc(HEADER_BYTES);
  const size = Buffer.alloc(4);
  let headerHave = 0;
  let sizeHave = 0;
  let skip = 0;
  let left = 0;
  let count = 0;
  let problem: string | null = null;
  const fh = await fsp.open(file, 'r');
  let bytes = 0;
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      bytes += bytesRead;
      for (let i = 0; i < chunk.length && !problem; ) {
        if (headerHave < HEADER_BYTES) {
          const n = Math.min(HEADER_BYTES - headerHave, chunk.length - i);
          chunk.copy(header, headerHave, i, i + n);
          headerHave += n;
          i += n;
          if (headerHave === HEADER_BYTES) {
            count = Number(header.readBigUInt64LE(16));
            skip = count * Number(header.readBigUInt64LE(24));
            left = count;
          }
        } else if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
        } else if (left === 0) {
          problem = `bytes after its last element at ${bytes - chunk.length + i}`;
        } else {
          const n = Math.min(4 - sizeHave, chunk.length - i);
          chunk.copy(size, sizeHave, i, i + n);
          sizeHave += n;
          i += n;
          if (sizeHave === 4) {
            skip = size.readUInt32LE(0);
            sizeHave = 0;
            left--;
          }
        }
      }
    }
  } finally {
    await fh.close();
  }
  if (!problem && headerHave < HEADER_BYTES) problem = `${bytes} bytes, shorter than its header`;
  else if (!problem && (skip > 0 || left > 0 || sizeHave > 0)) problem = `${bytes} bytes, ending before element ${count - left} of ${count}`;
  return { bytes, sha256: hash.digest('hex'), problem };
}

/** Reads hnswlib's file header and checks it against the sidecar and the dimension. */
async function checkHeader(file: string, meta: IndexMeta, dim: number): Promise<string | undefined> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEADER_BYTES, 0);
    if (bytesRead < HEADER_BYTES) return 'index file is shorter than its header';
    const u = (at: number) => Number(buf.readBigUInt64LE(at));
    const [offsetLevel0, maxElements, count, sizePerElement, labelOffset, offsetData] = [0, 8, 16, 24, 32, 40].map(u) as [number, number, number, number, number, number];
    const maxLevel = buf.readInt32LE(48);
    const maxM0 = u(64);
    const M = u(72);
    const linksBytes = maxM0 * 4 + 4;
    const ok =
      offsetLevel0 === 0 &&
      count === meta.slots &&
      maxElements === meta.capacity &&
      M === meta.M &&
      maxM0 === 2 * M &&
      offsetData === linksBytes &&
      labelOffset === linksBytes + dim * 4 &&
      sizePerElement === linksBytes + dim * 4 + 8 &&
      maxLevel >= -1 &&
      maxLevel < 64;
    return ok ? undefined : 'index file header does not match its sidecar';
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The index

export class VectorIndex {
  readonly modelId: string;
  readonly dim: number;
  readonly dir: string;
  /** The graph file, `<stem>.hnsw`. */
  readonly file: string;
  /** The sidecar, `<stem>.meta.json`. */
  readonly metaFile: string;
  /** The search preview, `<stem>.preview` ([Note: search preview]). */
  readonly previewFile: string;
  /** Why the saved preview could not be used when the index was loaded or last saved; null when it could. */
  previewProblem: string | null = null;
  /** The last preview written: its size and how long it took. */
  lastPreviewWrite: { bytes: number; ms: number } | null = null;
  /** What open did: loaded, replayed or rebuilt, and why. */
  openReport: SyncReport = { action: 'loaded', added: 0, removed: 0, updated: 0, ms: 0 };

  private graph: Graph;
  /** Set breadth, or null for `autoEfSearch`. */
  private efSearch: number | null;
  private readonly M: number;
  private readonly efConstruction: number;
  private readonly initialCapacity: number;
  private ef = 0;
  /** Why the loaded state cannot be trusted; sync rebuilds. */
  private invalid: string | undefined;
  private savedAt = 0;
  /** The SHA-256 the loaded file must have, while its deferred check has not run ([Note: deferred index check]). */
  private unverified: string | null = null;
  /** The source of the last sync: what a failed deferred check rebuilds from. */
  private source: VectorSource | undefined;
  /** `<stem>.unverified`: present while an index loaded without its hash is in use. */
  private readonly markerFile: string;
  private dirty = false;
  private closed = false;
  /** While a save or sync runs, mutations wait here (last write per id wins); null = a removal. */
  private pending = new Map<number, number[] | null>();
  private deferring = 0;
  private lock: Promise<void> = Promise.resolve();
  private readonly whileLoading: VectorIndexOptions['whileLoading'];
  private readonly onPreview: VectorIndexOptions['onPreview'];
  private readonly writesPreview: boolean;
  /** Whether `<stem>.preview` belongs to the saved graph. */
  private previewCurrent = false;

  private constructor(opts: VectorIndexOptions) {
    if (!Number.isInteger(opts.dim) || opts.dim < 1) throw new RangeError(`dim must be a positive integer, got ${opts.dim}`);
    this.modelId = opts.modelId;
    this.dim = opts.dim;
    this.dir = opts.dir;
    const stem = indexFileStem(opts.modelId);
    this.file = path.join(opts.dir, `${stem}.hnsw`);
    this.metaFile = path.join(opts.dir, `${stem}.meta.json`);
    this.markerFile = path.join(opts.dir, `${stem}.unverified`);
    this.previewFile = path.join(opts.dir, `${stem}.preview`);
    this.onPreview = opts.onPreview;
    this.writesPreview = opts.preview !== false;
    this.M = opts.M ?? DEFAULT_M;
    this.efConstruction = opts.efConstruction ?? DEFAULT_EF_CONSTRUCTION;
    this.efSearch = opts.efSearch ?? null;
    this.initialCapacity = opts.initialCapacity ?? 1024;
    this.whileLoading = opts.whileLoading;
    this.graph = newGraph(this.dim, this.initialCapacity, this.M, this.efConstruction);
  }

  /**
   * Opens the index of `modelId` in `dir`. With a source, a missing, corrupt or stale index is
   * repaired and saved before this resolves (`openReport` says what happened); without one, a bad
   * index opens empty with `openReport.action === 'rebuilt'` and the reason.
   */
  static async open(opts: VectorIndexOptions): Promise<VectorIndex> {
    const t0 = performance.now();
    const index = new VectorIndex(opts);
    await fsp.mkdir(opts.dir, { recursive: true });
    await index.removeTempFiles();
    // A marker left behind: the last process used this file unchecked and died before its check ended
    // (perhaps because of what the file holds), so this time the hash comes first.
    const deferred = opts.verify === 'deferred' && !fs.existsSync(index.markerFile);
    const problem = await index.load(deferred ? 'deferred' : opts.verify !== false);
    if (!deferred || problem) await fsp.rm(index.markerFile, { force: true });
    if (problem) {
      index.invalid = problem;
      index.dirty = true;
    }
    if (opts.source) {
      index.openReport = await index.sync(opts.source);
    } else {
      index.openReport = problem
        ? { action: 'rebuilt', added: 0, removed: 0, updated: 0, reason: `${problem}; no source given: opened empty`, ms: 0 }
        : { action: 'loaded', added: 0, removed: 0, updated: 0, ms: 0 };
      index.invalid = undefined;
    }
    index.openReport.ms = Math.round(performance.now() - t0);
    return index;
  }

  // ----- queries -----

  /** Live ids. */
  size(): number {
    let n = this.graph.live.size;
    for (const [id, v] of this.pending) {
      const had = this.graph.live.has(id);
      if (v && !had) n++;
      else if (!v && had) n--;
    }
    return n;
  }

  has(id: number): boolean {
    const p = this.pending.get(id);
    if (p !== undefined) return p !== null;
    return this.graph.live.has(id);
  }

  /** Slots allocated; grows as the library grows. */
  capacity(): number {
    return this.graph.hnsw.getMaxElements();
  }

  /** `idChecksum` of the live ids (mutations waiting on a save included once applied). */
  checksum(): string {
    return this.graph.sum.toString();
  }

  /** The live ids, any order. */
  ids(): IterableIterator<number> {
    return this.graph.live.values();
  }

  /**
   * The k nearest ids by cosine similarity, best first. `filter` narrows the candidates inside the
   * graph search (a very selective filter may return fewer than k). Ids removed while a save runs
   * are already left out; ids added then appear once it ends.
   */
  search(query: Float32Array, k: number, filter?: (id: number) => boolean): SearchHit[] {
    this.checkOpen();
    const q = unitArray(query, this.dim);
    const { hnsw, live } = this.graph;
    let dropped: Set<number> | undefined;
    for (const [id, v] of this.pending) if (v === null && live.has(id)) (dropped ??= new Set()).add(id);
    const want = Math.min(Math.floor(k) + (dropped?.size ?? 0), live.size);
    if (!(want > 0)) return [];
    const ef = Math.max(want * 2, this.efSearch ?? autoEfSearch(live.size));
    if (ef !== this.ef) {
      hnsw.setEf(ef);
      this.ef = ef;
    }
    const accept = dropped ? (id: number) => !dropped.has(id) && (!filter || filter(id)) : filter;
    const { neighbors, distances } = accept ? hnsw.searchKnn(q, want, accept) : hnsw.searchKnn(q, want);
    const hits: SearchHit[] = [];
    for (let i = 0; i < neighbors.length && hits.length < k; i++) hits.push({ id: neighbors[i]!, score: Math.min(1, 1 - distances[i]!) });
    return hits;
  }

  /** Changes the search breadth (each search uses max(2k, efSearch)); null goes back to `autoEfSearch`. */
  setEfSearch(ef: number | null): void {
    if (ef !== null && (!Number.isInteger(ef) || ef < 1)) throw new RangeError(`efSearch must be a positive integer, got ${ef}`);
    this.efSearch = ef;
  }

  // ----- mutations -----

  /** Adds or replaces the vector of `id` (normalized to unit length). */
  upsert(id: number, vector: Float32Array): void {
    this.checkOpen();
    checkId(id);
    const v = unitArray(vector, this.dim);
    this.dirty = true;
    if (this.deferring > 0) this.pending.set(id, v);
    else this.put(this.graph, id, v, false);
  }

  /** Removes `id`; false when it was not there. */
  remove(id: number): boolean {
    this.checkOpen();
    if (!this.has(id)) return false;
    this.dirty = true;
    if (this.deferring > 0) this.pending.set(id, null);
    else this.drop(this.graph, id);
    return true;
  }

  // ----- persistence -----

  /**
   * Writes `<stem>.hnsw` and `<stem>.meta.json`, each to a temporary file that is flushed and
   * renamed over the old one. The graph is written off the main thread; searches go on meanwhile
   * and mutations wait until it ends.
   */
  async save(): Promise<void> {
    this.checkOpen();
    await this.exclusive(() => this.saveNow());
  }

  /** Saves if anything changed, then releases the index. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      if (this.dirty || !fs.existsSync(this.metaFile)) await this.saveNow();
    });
    if (this.dirty) await this.exclusive(() => this.saveNow()); // mutations that waited on the save
    this.closed = true;
  }

  /**
   * Brings the index in step with the source (see [Note: vector index and SQLite]) and saves it
   * when anything changed. Searches keep working meanwhile; mutations wait until it ends.
   */
  async sync(source: VectorSource, opts: { rebuild?: boolean } = {}): Promise<SyncReport> {
    this.checkOpen();
    this.source = source;
    return this.exclusive(async () => {
      const t0 = performance.now();
      const report = await this.syncNow(source, opts.rebuild ? 'rebuild requested' : undefined);
      if (report.action !== 'loaded' || this.dirty) await this.saveNow();
      report.ms = Math.round(performance.now() - t0);
      return report;
    });
  }

  /** Whether the saved preview does not belong to the saved graph, and `ensurePreview()` would write it. */
  get previewPending(): boolean {
    return this.writesPreview && !this.previewCurrent;
  }

  /** Whether the loaded file still awaits its deferred hash check. */
  get verificationPending(): boolean {
    return this.unverified !== null;
  }

  /**
   * The deferred check of an index opened with `verify: 'deferred'`: hashes the file (off the main
   * thread's critical path: the hash streams, yielding between chunks) and compares it with the
   * sidecar. On a mismatch the graph is rebuilt from `source` (or the last sync's) and saved, and
   * the report says so; null when the file was sound or there was nothing to check.
   */
  async verifyDeferred(source?: VectorSource): Promise<SyncReport | null> {
    this.checkOpen();
    if (source) this.source = source;
    if (!this.unverified) return null;
    return this.exclusive(async () => {
      const report = await this.verifyNow();
      if (report) await this.saveNow();
      return report;
    });
  }

  // ----- internals -----

  /** [Note: deferred index check] the hash of the loaded file; a mismatch rebuilds from the source (or empties the graph without one). */
  private async verifyNow(): Promise<SyncReport | null> {
    const expected = this.unverified;
    if (!expected) return null;
    const t0 = performance.now();
    const actual = await fingerprintFile(this.file).catch((e: Error) => `unreadable: ${e.message}`);
    this.unverified = null;
    await fsp.rm(this.markerFile, { force: true });
    if (actual === expected) return null;
    const reason = 'index file content does not match its sidecar (SHA-256), found by the check after open';
    let report: SyncReport;
    if (this.source) report = await this.rebuild(this.source, reason);
    else {
      const previous = this.graph.live.size;
      this.graph = newGraph(this.dim, this.initialCapacity, this.M, this.efConstruction);
      this.ef = 0;
      this.invalid = reason;
      this.dirty = true;
      report = { action: 'rebuilt', added: 0, removed: previous, updated: 0, reason: `${reason}; no source given: emptied`, ms: 0 };
    }
    report.ms = Math.round(performance.now() - t0);
    this.openReport = report;
    return report;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`vector index ${this.modelId} is closed`);
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(async () => {
      this.deferring++;
      try {
        return await fn();
      } finally {
        this.deferring--;
        if (this.deferring === 0) this.flushPending();
      }
    });
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private flushPending(): void {
    const pending = this.pending;
    this.pending = new Map();
    for (const [id, v] of pending) {
      if (v) this.put(this.graph, id, v, false);
      else if (this.graph.live.has(id)) this.drop(this.graph, id);
    }
    if (pending.size) this.dirty = true;
  }

  /**
   * Adds or updates one unit vector. An id in the graph but deleted is unmarked and updated in
   * place; a new id takes a deleted slot if any, else a new one (growing the capacity).
   * With `skipSame`, a live id whose stored vector already equals `v` is left alone.
   */
  private put(g: Graph, id: number, v: number[], skipSame: boolean): 'added' | 'updated' | 'same' {
    const { hnsw } = g;
    if (g.live.has(id)) {
      if (skipSame) {
        const old = hnsw.getPoint(id);
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += v[i]! * old[i]!;
        if (dot > 1 - 1e-6) return 'same';
      }
      hnsw.addPoint(v, id, false);
      return 'updated';
    }
    const slots = hnsw.getCurrentCount();
    const free = slots - g.live.size; // deleted elements still in the graph
    let inGraph = false;
    if (free > 0) {
      try {
        hnsw.unmarkDelete(id); // throws unless `id` is one of them
        inGraph = true;
      } catch {
        inGraph = false;
      }
    }
    if (inGraph) {
      hnsw.addPoint(v, id, false);
    } else {
      const cap = hnsw.getMaxElements();
      if (free === 0 && slots >= cap) hnsw.resizeIndex(cap + Math.max(1024, Math.min(cap, 1 << 20)));
      hnsw.addPoint(v, id, free > 0);
    }
    g.live.add(id);
    g.sum.add(id);
    return 'added';
  }

  private drop(g: Graph, id: number): void {
    g.hnsw.markDelete(id);
    g.live.delete(id);
    g.sum.remove(id);
  }

  private async removeTempFiles(): Promise<void> {
    const prefixes = [`${path.basename(this.file)}.tmp-`, `${path.basename(this.metaFile)}.tmp-`, `${path.basename(this.previewFile)}.tmp-`];
    for (const name of await fsp.readdir(this.dir)) {
      if (prefixes.some((p) => name.startsWith(p))) await fsp.rm(path.join(this.dir, name), { force: true });
    }
  }

  /** Loads the saved index; returns why it cannot be used, or undefined when loaded. */
  private async load(verify: boolean | 'deferred'): Promise<string | undefined> {
    let raw: string;
    try {
      raw = await fsp.readFile(this.metaFile, 'utf8');
    } catch {
      return fs.existsSync(this.file) ? 'index sidecar is missing' : 'no saved index';
    }
    let meta: IndexMeta;
    try {
      meta = JSON.parse(raw) as IndexMeta;
    } catch {
      return 'index sidecar is unreadable';
    }
    if (meta.version !== INDEX_FORMAT_VERSION) return `index format ${meta.version}, expected ${INDEX_FORMAT_VERSION}`;
    if (meta.modelId !== this.modelId) return `index belongs to model ${meta.modelId}`;
    if (meta.dim !== this.dim) return `index has ${meta.dim} dimensions, the model ${this.dim}`;
    if (meta.space !== 'cosine' || !Array.isArray(meta.deleted) || typeof meta.checksum !== 'string') return 'index sidecar is malformed';
    let stat: fs.Stats;
    try {
      stat = await fsp.stat(this.file);
    } catch {
      return 'index file is missing';
    }
    if (stat.size !== meta.fileBytes) return `index file has ${stat.size} bytes, its sidecar says ${meta.fileBytes}`;
    const header = await checkHeader(this.file, meta, this.dim);
    if (header) return header;
    // The preview is read beside the graph (both on libuv's threads) and handed over once it passes its checks;
    // without a taker only its header is checked, to know whether the next save-free moment must write it.
    const of: PreviewOf = { dim: this.dim, savedAt: meta.savedAt, graphSha256: meta.fileSha256, checksum: meta.checksum };
    const previewing: Promise<SearchPreview | string | undefined> = (this.onPreview ? SearchPreview.read(this.previewFile, of) : previewHeaderMatches(this.previewFile, of)).catch(
      (e: Error) => `preview file is unreadable: ${e.message}`,
    );
    if (verify === true && (await fingerprintFile(this.file)) !== meta.fileSha256) return 'index file content does not match its sidecar (SHA-256)';
    // A fresh object: after a failed read it is thrown away, never used.
    const hnsw = new hnswlib.HierarchicalNSW('cosine', this.dim);
    try {
      // With a taker for the preview, the graph's read starts once the preview is handed over (or found
      // unusable): on two cores the read (seconds of copying at a million photos) would otherwise slow the
      // checksum and the preview that the first answer waits for.
      let reading = this.onPreview ? undefined : hnsw.readIndex(this.file, true);
      try {
        const held = this.whileLoading?.();
        await this.takePreview(previewing);
        reading ??= hnsw.readIndex(this.file, true);
        await held;
      } finally {
        await reading;
      }
    } catch (err) {
      return `index file is unreadable: ${(err as Error).message}`;
    }
    if (hnsw.getCurrentCount() !== meta.slots) return 'index file element count does not match its sidecar';
    const deleted = new Set(meta.deleted);
    const g: Graph = { hnsw, live: new Set(), sum: new IdChecksum(), M: meta.M, efConstruction: meta.efConstruction };
    // Half a second of work at a million ids: in steps, so that searches (answered by the preview) go on.
    const due = pacer();
    for (const id of hnsw.getIdsList()) {
      if (!deleted.has(id)) {
        g.live.add(id);
        g.sum.add(id);
      }
      if (due()) await nextTick();
    }
    if (g.sum.toString() !== meta.checksum) return 'index ids do not match its sidecar checksum';
    if (verify === 'deferred') {
      await fsp.writeFile(this.markerFile, `${process.pid}\n`);
      this.unverified = meta.fileSha256;
    }
    this.graph = g;
    this.ef = 0;
    this.savedAt = meta.savedAt;
    return undefined;
  }

  /** [Note: search preview] What the load found of the saved preview; hands it to `onPreview` when it can be used. */
  private async takePreview(previewing: Promise<SearchPreview | string | undefined>): Promise<void> {
    const p = await previewing;
    this.previewCurrent = typeof p !== 'string';
    this.previewProblem = typeof p === 'string' ? p : null;
    if (p instanceof SearchPreview) {
      try {
        p.useGraphFile(this.file);
      } catch (e) {
        this.previewProblem = `preview cannot read the graph file: ${(e as Error).message}`;
        return;
      }
      try {
        this.onPreview?.(p);
      } catch {
        // the taker's trouble; the graph loads all the same
      }
    }
  }

  /** Writes the preview of the graph just saved (`meta`); a failure leaves no preview, and says why. */
  private async savePreview(meta: IndexMeta, live: ReadonlySet<number>): Promise<void> {
    const of: PreviewOf = { dim: this.dim, savedAt: meta.savedAt, graphSha256: meta.fileSha256, checksum: meta.checksum };
    try {
      this.lastPreviewWrite = await writePreview(this.file, this.previewFile, of, live);
      this.previewCurrent = true;
      this.previewProblem = null;
    } catch (err) {
      this.previewProblem = `preview not written: ${(err as Error).message}`;
      await fsp.rm(this.previewFile, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Writes the preview when the saved one does not belong to the saved graph (missing, stale or
   * damaged when the index was loaded), as a save would; true when it did. The search service runs it
   * after the first answer.
   */
  async ensurePreview(): Promise<boolean> {
    this.checkOpen();
    if (!this.writesPreview || this.previewCurrent) return false;
    return this.exclusive(async () => {
      if (this.previewCurrent) return false;
      if (this.unverified) await this.verifyNow(); // the file it is made from must be sound
      if (this.dirty || !fs.existsSync(this.metaFile)) await this.saveNow();
      else await this.savePreview(JSON.parse(await fsp.readFile(this.metaFile, 'utf8')) as IndexMeta, this.graph.live);
      return this.previewCurrent;
    });
  }

  private async saveNow(): Promise<void> {
    // The file about to be replaced is the only witness of what was loaded: check it first.
    if (this.unverified) await this.verifyNow();
    const g = this.graph;
    const savedAt = Date.now();
    const slots = g.hnsw.getCurrentCount();
    const deleted: number[] = [];
    if (slots > g.live.size) for (const id of g.hnsw.getIdsList()) if (!g.live.has(id)) deleted.push(id);
    const base = {
      version: INDEX_FORMAT_VERSION,
      modelId: this.modelId,
      dim: this.dim,
      space: 'cosine' as const,
      count: g.live.size,
      slots,
      capacity: g.hnsw.getMaxElements(),
      checksum: g.sum.toString(),
      M: g.M,
      efConstruction: g.efConstruction,
      savedAt,
    };
    this.dirty = false;
    const tag = `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    const tmp = this.file + tag;
    const metaTmp = this.metaFile + tag;
    let written: IndexMeta | undefined;
    try {
      await g.hnsw.writeIndex(tmp);
      writeFault('index', tmp);
      // hnswlib writes through a std::ofstream and never says when a write failed (a full disk): the file is
      // walked as it is hashed, and one shorter than its own structure is not saved ([Note: full disk]).
      const { bytes: fileBytes, sha256: fileSha256, problem } = await hashAndWalkGraph(tmp);
      if (problem) {
        const e = enospc('write', tmp);
        e.message = `the vector index was written short (${problem}): the disk holding ${this.dir} is full`;
        throw e;
      }
      const meta: IndexMeta = { ...base, fileBytes, fileSha256, deleted };
      written = meta;
      await fsyncPath(tmp, 'r+');
      await fsp.writeFile(metaTmp, JSON.stringify(meta));
      await fsyncPath(metaTmp, 'r+');
      // The graph first: a crash between the renames leaves a sidecar that no longer matches,
      // which the next open treats as corrupt and rebuilds. The old preview belongs to the old graph.
      this.previewCurrent = false;
      await fsp.rename(tmp, this.file);
      await fsp.rename(metaTmp, this.metaFile);
      await fsyncPath(this.dir, 'r');
      this.savedAt = savedAt;
    } catch (err) {
      this.dirty = true;
      await fsp.rm(tmp, { force: true });
      await fsp.rm(metaTmp, { force: true });
      throw err;
    }
    if (this.writesPreview && written) await this.savePreview(written, g.live);
  }

  private async syncNow(source: VectorSource, force: string | undefined): Promise<SyncReport> {
    const reason = force ?? this.invalid;
    if (reason) return this.rebuild(source, reason);
    const g = this.graph;
    const report: SyncReport = { action: 'loaded', added: 0, removed: 0, updated: 0, ms: 0 };
    const notes: string[] = [];
    const fresh = new Set<number>();
    const due = pacer();
    if (source.checksum() !== g.sum.toString()) {
      const want = new Set<number>();
      await drain(source.ids(), (id) => want.add(id));
      const extra: number[] = [];
      for (const id of g.live) if (!want.has(id)) extra.push(id);
      const missing: number[] = [];
      for (const id of want) if (!g.live.has(id)) missing.push(id);
      const diff = extra.length + missing.length;
      const stale = `stale: ${missing.length} missing, ${extra.length} extra`;
      if (diff > Math.max(REPLAY_MAX, REPLAY_MAX_FRACTION * want.size)) return this.rebuild(source, `${stale} (rebuilding is cheaper)`);
      for (const id of extra) {
        this.drop(g, id);
        report.removed++;
      }
      let skipped = 0;
      for (const id of missing) {
        const v = source.vector(id);
        const unit = v && this.tryUnit(v);
        if (unit) {
          this.put(g, id, unit, false);
          fresh.add(id);
          report.added++;
        } else skipped++;
        if (due()) await nextTick();
      }
      notes.push(stale);
      if (skipped) notes.push(`${skipped} vectors missing or malformed`);
    }
    if (source.changedSince && this.savedAt > 0) {
      await drain(source.changedSince(this.savedAt - CHANGED_SINCE_MARGIN_MS), (id) => {
        if (fresh.has(id) || !g.live.has(id)) return;
        const v = source.vector(id);
        const unit = v && this.tryUnit(v);
        if (unit && this.put(g, id, unit, true) === 'updated') report.updated++;
      });
      if (report.updated) notes.push(`${report.updated} vectors changed since the last save`);
    }
    if (report.added || report.removed || report.updated) {
      report.action = 'replayed';
      this.dirty = true;
      this.flushPending(); // changes the catalog made meanwhile, before comparing with it
      if (g.sum.toString() !== source.checksum()) return this.rebuild(source, `${notes.join('; ')}; replay did not converge`);
    }
    if (notes.length) report.reason = notes.join('; ');
    return report;
  }

  private async rebuild(source: VectorSource, reason: string): Promise<SyncReport> {
    const previous = this.graph.live.size;
    const count = source.count();
    const g = newGraph(this.dim, Math.max(this.initialCapacity, Math.ceil(count * 1.1) + 16), this.M, this.efConstruction);
    let skipped = 0;
    await drain(source.vectors(), ({ id, vector }) => {
      const unit = Number.isInteger(id) && id >= 1 && id <= MAX_LABEL ? this.tryUnit(vector) : undefined;
      if (unit) this.put(g, id, unit, false);
      else skipped++;
    });
    this.graph = g;
    this.ef = 0;
    this.invalid = undefined;
    this.dirty = true;
    this.flushPending();
    const notes = [reason];
    if (skipped) notes.push(`${skipped} vectors malformed, left out`);
    if (g.sum.toString() !== source.checksum()) notes.push('the source checksum does not match its vectors');
    return { action: 'rebuilt', added: g.live.size, removed: previous, updated: 0, reason: notes.join('; '), ms: 0 };
  }

  private tryUnit(v: Float32Array): number[] | undefined {
    try {
      return unitArray(v, this.dim);
    } catch {
      return undefined;
    }
  }
}

/** True about every 20 ms of work: time to yield to the event loop, so a long sync does not stall the engine. */
function pacer(): () => boolean {
  let last = performance.now();
  let n = 0;
  return () => {
    if (++n % 32 !== 0) return false;
    const now = performance.now();
    if (now - last < 20) return false;
    last = now;
    return true;
  };
}

function isAsync<T>(items: Iterable<T> | AsyncIterable<T>): items is AsyncIterable<T> {
  return Symbol.asyncIterator in items;
}

/** Feeds every item to `fn`, yielding to the event loop now and then. */
async function drain<T>(items: Iterable<T> | AsyncIterable<T>, fn: (item: T) => void): Promise<void> {
  const due = pacer();
  if (isAsync(items)) {
    for await (const item of items) {
      fn(item);
      if (due()) await nextTick();
    }
  } else {
    for (const item of items) {
      fn(item);
      if (due()) await nextTick();
    }
  }
}
