// The vector index: exact kNN on small data, removal and re-adding, filters, growth, persistence, and repair against SQLite-like sources.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { autoEfSearch, DEFAULT_EF_SEARCH, DEFAULT_M, IdChecksum, idChecksum, indexFileStem, VectorIndex, type VectorSource } from '../../src/main/core/search/vector-index.ts';
import { cosine, exactNearest, seededRandom } from '../helpers/vectors.ts';

const DIM = 24;
const MODEL = 'clip-test';
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-vi-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Seeded vectors, roughly Gaussian. */
function randomVectors(ids: number[], seed: number, dim = DIM): Map<number, Float32Array> {
  const r = seededRandom(seed);
  const out = new Map<number, Float32Array>();
  for (const id of ids) out.set(id, Float32Array.from({ length: dim }, () => r() + r() + r() - 1.5));
  return out;
}

/** An in-memory stand-in for the embeddings table. */
class MemorySource implements VectorSource {
  /** When each id's vector was last written, for `changedSince`. */
  written = new Map<number, number>();
  changedSince?: (sinceMs: number) => Iterable<number>;
  constructor(public rows: Map<number, Float32Array>) {}
  count(): number {
    return this.rows.size;
  }
  checksum(): string {
    return idChecksum(this.rows.keys());
  }
  ids(): Iterable<number> {
    return this.rows.keys();
  }
  vector(id: number): Float32Array | undefined {
    return this.rows.get(id);
  }
  *vectors() {
    for (const [id, vector] of this.rows) yield { id, vector };
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);

async function expectExact(index: VectorIndex, rows: Map<number, Float32Array>, seed: number): Promise<void> {
  const queries = randomVectors(range(0, 10), seed, index.dim);
  for (const q of queries.values()) expect(index.search(q, 10).map((h) => h.id)).toEqual(exactNearest(rows, q, 10));
}

describe('VectorIndex', () => {
  it('returns the exact nearest ids, best first, with cosine scores', async () => {
    const rows = randomVectors(range(1, 301), 1);
    const index = await VectorIndex.open({ dir: tempDir(), modelId: MODEL, dim: DIM });
    for (const [id, v] of rows) index.upsert(id, v);
    expect(index.size()).toBe(300);
    expect(index.has(7)).toBe(true);
    expect(index.has(301)).toBe(false);
    for (const [qid, q] of randomVectors(range(0, 20), 2)) {
      const hits = index.search(q, 10);
      expect(hits.map((h) => h.id), `query ${qid}`).toEqual(exactNearest(rows, q, 10));
      for (const h of hits) expect(h.score).toBeCloseTo(cosine(q, rows.get(h.id)!), 5);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    }
    // Length does not matter: vectors are normalized on insert and on query.
    const v5 = rows.get(5)!;
    expect(index.search(v5.map((x) => x * 40), 1)[0]).toMatchObject({ id: 5 });
    expect(index.search(v5, 1)[0]!.score).toBeCloseTo(1, 5);
    expect(index.search(v5, 0)).toEqual([]);
    expect(index.search(v5, 1000)).toHaveLength(300);
    await index.close();
  });

  it('forgets removed ids, takes them back, and reuses their slots', async () => {
    const rows = randomVectors(range(1, 201), 3);
    const index = await VectorIndex.open({ dir: tempDir(), modelId: MODEL, dim: DIM, initialCapacity: 200 });
    for (const [id, v] of rows) index.upsert(id, v);
    const q = rows.get(42)!;
    expect(index.search(q, 1)[0]!.id).toBe(42);

    expect(index.remove(42)).toBe(true);
    expect(index.remove(42)).toBe(false);
    expect(index.has(42)).toBe(false);
    expect(index.size()).toBe(199);
    rows.delete(42);
    expect(index.search(q, 199).map((h) => h.id)).not.toContain(42);
    expect(index.search(q, 10).map((h) => h.id)).toEqual(exactNearest(rows, q, 10));

    // Back with a new vector: found by the new one.
    const [fresh] = randomVectors([42], 99).values();
    index.upsert(42, fresh!);
    rows.set(42, fresh!);
    expect(index.has(42)).toBe(true);
    expect(index.search(fresh!, 1)[0]).toMatchObject({ id: 42 });
    await expectExact(index, rows, 4);

    // A new id takes a deleted slot: capacity stays at 200.
    index.remove(7);
    rows.delete(7);
    const [v201] = randomVectors([201], 5).values();
    index.upsert(201, v201!);
    rows.set(201, v201!);
    expect(index.capacity()).toBe(200);
    expect(index.size()).toBe(200);
    expect(sorted(index.ids())).toEqual(sorted(rows.keys()));
    await expectExact(index, rows, 6);

    // Updating a live id replaces its vector.
    const [moved] = randomVectors([3], 77).values();
    index.upsert(3, moved!);
    rows.set(3, moved!);
    expect(index.search(moved!, 1)[0]).toMatchObject({ id: 3 });
    expect(index.size()).toBe(200);
    await index.close();
  });

  it('filters candidates inside the search', async () => {
    const rows = randomVectors(range(1, 301), 7);
    const index = await VectorIndex.open({ dir: tempDir(), modelId: MODEL, dim: DIM });
    for (const [id, v] of rows) index.upsert(id, v);
    const even = (id: number) => id % 2 === 0;
    for (const q of randomVectors(range(0, 10), 8).values()) {
      const hits = index.search(q, 10, even);
      expect(hits.map((h) => h.id)).toEqual(exactNearest(rows, q, 10, even));
    }
    await index.close();
  });

  it('grows past its initial capacity', async () => {
    const rows = randomVectors(range(1, 3001), 9);
    const index = await VectorIndex.open({ dir: tempDir(), modelId: MODEL, dim: DIM, initialCapacity: 16 });
    const before = index.capacity();
    for (const [id, v] of rows) index.upsert(id, v);
    expect(before).toBeLessThan(3000);
    expect(index.capacity()).toBeGreaterThanOrEqual(3000);
    expect(index.size()).toBe(3000);
    for (const id of [1, 1500, 3000]) expect(index.search(rows.get(id)!, 1)[0]!.id).toBe(id);
    await index.close();
  });

  it('rejects bad input', async () => {
    const index = await VectorIndex.open({ dir: tempDir(), modelId: MODEL, dim: DIM });
    const [v] = randomVectors([1], 1).values();
    expect(() => index.upsert(0, v!)).toThrow(RangeError);
    expect(() => index.upsert(1.5, v!)).toThrow(RangeError);
    expect(() => index.upsert(2 ** 32, v!)).toThrow(RangeError);
    expect(() => index.upsert(1, new Float32Array(DIM - 1))).toThrow(RangeError);
    expect(() => index.upsert(1, new Float32Array(DIM))).toThrow(RangeError);
    expect(() => index.search(new Float32Array(DIM + 1), 3)).toThrow(RangeError);
    expect(index.search(v!, 3)).toEqual([]);
    await index.close();
    expect(() => index.upsert(1, v!)).toThrow(/closed/);
  });

  it('saves atomically and reopens as loaded, deletions included', async () => {
    const dir = tempDir();
    const rows = randomVectors(range(1, 501), 10);
    const source = new MemorySource(rows);
    const first = await VectorIndex.open({ dir, modelId: 'org/clip:v1', dim: DIM, source });
    expect(first.openReport).toMatchObject({ action: 'rebuilt', added: 500, removed: 0, reason: 'no saved index' });
    for (const id of [3, 30, 300]) {
      first.remove(id);
      rows.delete(id);
    }
    await first.save();
    const stem = indexFileStem('org/clip:v1');
    expect(fs.readdirSync(dir).sort()).toEqual([`${stem}.hnsw`, `${stem}.meta.json`, `${stem}.preview`]);
    const meta = JSON.parse(fs.readFileSync(first.metaFile, 'utf8'));
    expect(meta).toMatchObject({ version: 1, modelId: 'org/clip:v1', dim: DIM, count: 497, slots: 500, checksum: source.checksum(), M: DEFAULT_M });
    expect(sorted(meta.deleted)).toEqual([3, 30, 300]);
    await first.close();

    const again = await VectorIndex.open({ dir, modelId: 'org/clip:v1', dim: DIM, source });
    expect(again.openReport).toMatchObject({ action: 'loaded', added: 0, removed: 0 });
    expect(again.size()).toBe(497);
    expect(again.has(30)).toBe(false);
    expect(again.checksum()).toBe(source.checksum());
    await expectExact(again, rows, 11);
    // A deleted id still in the graph comes back after a reload.
    again.upsert(30, randomVectors([30], 12).get(30)!);
    expect(again.has(30)).toBe(true);
    await again.close();
  });

  it('round-trips an empty library', async () => {
    const dir = tempDir();
    const source = new MemorySource(new Map());
    await (await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source })).close();
    const index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'loaded', added: 0, removed: 0 });
    const [v] = randomVectors([9], 27).values();
    expect(index.search(v!, 5)).toEqual([]);
    index.upsert(9, v!);
    expect(index.search(v!, 5)).toEqual([{ id: 9, score: expect.closeTo(1, 5) }]);
    await index.close();
  });

  it('rebuilds a corrupt, truncated or half-missing index', async () => {
    const dir = tempDir();
    const rows = randomVectors(range(1, 401), 13);
    const source = new MemorySource(rows);
    await (await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source })).close();
    const file = path.join(dir, `${MODEL}.hnsw`);
    const metaFile = path.join(dir, `${MODEL}.meta.json`);

    // Garbage in the middle, same size.
    const bytes = fs.readFileSync(file);
    bytes.fill(0xa5, 200, 4000);
    fs.writeFileSync(file, bytes);
    let index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', added: 400 });
    expect(index.openReport.reason).toMatch(/SHA-256/);
    await expectExact(index, rows, 14);
    await index.close();

    // Truncated.
    fs.truncateSync(file, 1000);
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', added: 400 });
    expect(index.openReport.reason).toMatch(/bytes/);
    await index.close();

    // Garbage header, with the sidecar's hash check off: the header check still refuses it.
    const saved = fs.readFileSync(file);
    saved.fill(0xff, 0, 96);
    fs.writeFileSync(file, saved);
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source, verify: false });
    expect(index.openReport).toMatchObject({ action: 'rebuilt' });
    expect(index.openReport.reason).toMatch(/header/);
    await index.close();

    // Sidecar unreadable, then missing; graph file missing.
    fs.writeFileSync(metaFile, '{"version": 1, "modelId"');
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', reason: 'index sidecar is unreadable' });
    await index.close();
    fs.rmSync(metaFile);
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', reason: 'index sidecar is missing' });
    await index.close();
    fs.rmSync(file);
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', reason: 'index file is missing' });
    await expectExact(index, rows, 15);
    await index.close();

    // Leftover temporary files of a killed save are cleared.
    fs.writeFileSync(`${file}.tmp-1-deadbeef`, 'partial');
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport.action).toBe('loaded');
    expect(fs.existsSync(`${file}.tmp-1-deadbeef`)).toBe(false);
    await index.close();
  });

  it('defers the hash check until after open, and rebuilds when it finds damage', async () => {
    const dir = tempDir();
    const rows = randomVectors(range(1, 401), 21);
    const source = new MemorySource(rows);
    await (await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source })).close();
    const file = path.join(dir, `${MODEL}.hnsw`);
    const marker = path.join(dir, `${MODEL}.unverified`);

    // A sound file: loaded without hashing, the marker there until the check ran, then gone.
    let index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source, verify: 'deferred' });
    expect(index.openReport.action).toBe('loaded');
    expect(index.verificationPending).toBe(true);
    expect(fs.existsSync(marker)).toBe(true);
    expect(await index.verifyDeferred()).toBeNull();
    expect(index.verificationPending).toBe(false);
    expect(fs.existsSync(marker)).toBe(false);
    await index.close();

    // Damage inside the vectors, same size: the cheap checks pass, the deferred hash finds it and rebuilds.
    const bytes = fs.readFileSync(file);
    const vectorsAt = bytes.readUInt32LE(40) + 96; // the first element's vector: its offsetData after the 96-byte header
    bytes.fill(0xa5, vectorsAt, vectorsAt + 16);
    fs.writeFileSync(file, bytes);
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source, verify: 'deferred' });
    expect(index.openReport.action).toBe('loaded');
    const report = await index.verifyDeferred();
    expect(report).toMatchObject({ action: 'rebuilt', added: 400 });
    expect(report!.reason).toMatch(/SHA-256/);
    expect(fs.existsSync(marker)).toBe(false);
    await expectExact(index, rows, 22);
    await index.close();

    // A process that died with an unchecked file in use left its marker: the next open hashes first.
    fs.writeFileSync(file, bytes);
    fs.writeFileSync(marker, '12345\n');
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source, verify: 'deferred' });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', added: 400 });
    expect(index.openReport.reason).toMatch(/SHA-256/);
    expect(index.verificationPending).toBe(false);
    expect(fs.existsSync(marker)).toBe(false);
    await index.close();

    // A save before the check checks the file it replaces: damage is not written out as sound.
    fs.writeFileSync(file, bytes);
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, verify: 'deferred' });
    await index.sync(source);
    expect(index.verificationPending).toBe(true);
    source.rows.set(401, randomVectors([401], 23).get(401)!); // written to SQLite first, as the pipeline does
    index.upsert(401, source.rows.get(401)!);
    await index.save();
    expect(index.verificationPending).toBe(false);
    expect(index.openReport.reason).toMatch(/SHA-256/);
    expect(index.size()).toBe(401);
    await index.close();
  });

  it('replays a few differences from the source, exactly', async () => {
    const dir = tempDir();
    const all = randomVectors(range(1, 701), 16);
    const rows = new Map([...all].filter(([id]) => id <= 600));
    await (await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source: new MemorySource(rows) })).close();

    // SQLite moved on without the index: 40 photos gone, 100 new.
    for (let id = 1; id <= 40; id++) rows.delete(id);
    for (let id = 601; id <= 700; id++) rows.set(id, all.get(id)!);
    const source = new MemorySource(rows);
    const index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'replayed', added: 100, removed: 40, updated: 0 });
    expect(index.openReport.reason).toMatch(/100 missing, 40 extra/);
    expect(sorted(index.ids())).toEqual(sorted(rows.keys()));
    expect(index.checksum()).toBe(source.checksum());
    await expectExact(index, rows, 17);
    await index.close();

    // The repair was saved.
    const again = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(again.openReport.action).toBe('loaded');
    await again.close();
  });

  it('rebuilds when most ids differ', async () => {
    const dir = tempDir();
    await (await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source: new MemorySource(randomVectors(range(1, 301), 18)) })).close();
    const rows = randomVectors(range(1001, 2301), 19);
    const index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source: new MemorySource(rows) });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', added: 1300, removed: 300 });
    expect(index.openReport.reason).toMatch(/1300 missing, 300 extra/);
    expect(sorted(index.ids())).toEqual(sorted(rows.keys()));
    await index.close();
  });

  it('rebuilds when the model dimension changed', async () => {
    const dir = tempDir();
    await (await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source: new MemorySource(randomVectors(range(1, 101), 20)) })).close();
    const rows = randomVectors(range(1, 101), 21, 32);
    const index = await VectorIndex.open({ dir, modelId: MODEL, dim: 32, source: new MemorySource(rows) });
    expect(index.openReport).toMatchObject({ action: 'rebuilt', added: 100, reason: 'index has 24 dimensions, the model 32' });
    await expectExact(index, rows, 22);
    await index.close();
  });

  it('updates vectors re-embedded since the last save, when the source says which', async () => {
    const dir = tempDir();
    const rows = randomVectors(range(1, 201), 23);
    const source = new MemorySource(rows);
    source.changedSince = function* (since: number) {
      for (const [id, at] of source.written) if (at >= since) yield id;
    };
    await (await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source })).close();

    // Photo 5 re-embedded (same id), photo 6 rewritten with the same vector; the index never heard.
    const [changed] = randomVectors([5], 24).values();
    rows.set(5, changed!);
    source.written.set(5, Date.now());
    source.written.set(6, Date.now());
    const index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source });
    expect(index.openReport).toMatchObject({ action: 'replayed', added: 0, removed: 0, updated: 1 });
    expect(index.search(changed!, 1)[0]).toMatchObject({ id: 5 });
    await index.close();
  });

  it('lets mutations made during a save wait, then applies them', async () => {
    const dir = tempDir();
    const rows = randomVectors(range(1, 301), 25);
    const index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source: new MemorySource(rows) });
    const saving = index.save();
    const [v] = randomVectors([301], 26).values();
    index.upsert(301, v!);
    index.remove(1);
    expect(index.has(301)).toBe(true);
    expect(index.has(1)).toBe(false);
    expect(index.size()).toBe(300);
    expect(index.search(rows.get(1)!, 300).map((h) => h.id)).not.toContain(1);
    await saving;
    expect(index.search(v!, 1)[0]).toMatchObject({ id: 301 });
    rows.delete(1);
    rows.set(301, v!);
    await index.close();
    const again = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM, source: new MemorySource(rows) });
    expect(again.openReport.action).toBe('loaded');
    await again.close();
  });

  it('keeps serving searches during a rebuild and applies mutations made meanwhile', async () => {
    const rows = randomVectors(range(1, 301), 28);
    const index = await VectorIndex.open({ dir: tempDir(), modelId: MODEL, dim: DIM, source: new MemorySource(rows) });
    const slow: VectorSource = {
      count: () => rows.size,
      checksum: () => idChecksum(rows.keys()),
      ids: () => rows.keys(),
      vector: (id) => rows.get(id),
      async *vectors() {
        for (const [id, vector] of [...rows]) {
          await new Promise((resolve) => setImmediate(resolve));
          yield { id, vector };
        }
      },
    };
    const rebuilding = index.sync(slow, { rebuild: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(index.search(rows.get(10)!, 1)[0]).toMatchObject({ id: 10 });
    const [v] = randomVectors([301], 29).values();
    rows.set(301, v!);
    index.upsert(301, v!);
    rows.delete(2);
    index.remove(2);
    expect(await rebuilding).toMatchObject({ action: 'rebuilt', reason: 'rebuild requested' });
    expect(index.has(301)).toBe(true);
    expect(index.has(2)).toBe(false);
    expect(sorted(index.ids())).toEqual(sorted(rows.keys()));
    await expectExact(index, rows, 30);
    await index.close();
  });
});

describe('autoEfSearch', () => {
  it('searches 100 wide up to 500k photos, then widens with the library, at most 400', () => {
    expect(autoEfSearch(0)).toBe(DEFAULT_EF_SEARCH);
    expect(autoEfSearch(100_000)).toBe(100);
    expect(autoEfSearch(500_000)).toBe(100);
    expect(autoEfSearch(500_001)).toBe(101);
    expect(autoEfSearch(1_000_000)).toBe(200);
    expect(autoEfSearch(5_000_000)).toBe(400);
  });
});

describe('idChecksum', () => {
  it('ignores order, counts ids, and updates incrementally', () => {
    const ids = range(1, 1001);
    const shuffled = [...ids].sort(() => 0.5 - Math.random());
    expect(idChecksum(shuffled)).toBe(idChecksum(ids));
    expect(idChecksum(ids)).toMatch(/^1000:[0-9a-f]{16}$/);
    expect(idChecksum(range(1, 1000))).not.toBe(idChecksum(ids));
    expect(idChecksum([...range(1, 1000), 1001])).not.toBe(idChecksum(ids));
    const sum = new IdChecksum();
    for (const id of range(1, 1101)) sum.add(id);
    for (const id of range(1001, 1101)) sum.remove(id);
    expect(sum.toString()).toBe(idChecksum(ids));
    expect(sum.count).toBe(1000);
    expect(idChecksum([])).toBe('0:0000000000000000');
  });

  it('names files safely', () => {
    expect(indexFileStem('clip-vit-b32-q8')).toBe('clip-vit-b32-q8');
    expect(indexFileStem('org/clip:v1')).toMatch(/^org_clip_v1-[0-9a-f]{8}$/);
    expect(indexFileStem('org_clip_v1')).not.toBe(indexFileStem('org/clip:v1'));
    expect(indexFileStem('../x')).toMatch(/^_\/?/);
    expect(indexFileStem('../x')).not.toContain('/');
  });
});
