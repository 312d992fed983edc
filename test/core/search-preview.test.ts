// The search preview ([Note: search preview]): written at every save, handed over while the graph is
// still loading, answering with the right photos (filters included), and ignored then written again
// when it is damaged, stale or missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { SearchPreview } from '../../src/main/core/search/preview.ts';
import { VectorIndex } from '../../src/main/core/search/vector-index.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg } from '../helpers/photos.ts';
import { cosine, exactNearest, seededRandom } from '../helpers/vectors.ts';

const DIM = 32;
const MODEL = 'clip-preview-test';
const dirs: string[] = [];
const previews: SearchPreview[] = [];

afterEach(() => {
  for (const p of previews.splice(0)) p.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-preview-'));
  dirs.push(dir);
  return dir;
}

/** Clustered vectors with a common offset (as embeddings have): `n` ids from 1, 40 clusters. */
function library(n: number, seed: number): Map<number, Float32Array> {
  const r = seededRandom(seed);
  const g = () => r() + r() + r() - 1.5;
  const offset = Float32Array.from({ length: DIM }, () => 2 * g());
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: DIM }, () => 3 * g()));
  const out = new Map<number, Float32Array>();
  for (let id = 1; id <= n; id++) {
    const c = centres[Math.floor(r() * centres.length)]!;
    out.set(
      id,
      Float32Array.from({ length: DIM }, (_, j) => offset[j]! + c[j]! + 1.2 * g()),
    );
  }
  return out;
}

async function savedIndex(dir: string, rows: Map<number, Float32Array>): Promise<void> {
  const index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM });
  for (const [id, v] of rows) index.upsert(id, v);
  await index.save();
  await index.close();
}

/** Opens the index with the graph's load held until `release()`; `preview` settles with what onPreview was given. */
function openHeld(dir: string) {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let gave: (p: SearchPreview | null) => void = () => undefined;
  const preview = new Promise<SearchPreview | null>((resolve) => (gave = resolve));
  let loaded = false;
  const opening = VectorIndex.open({
    dir,
    modelId: MODEL,
    dim: DIM,
    verify: 'deferred',
    whileLoading: () => held,
    onPreview: (p) => {
      previews.push(p);
      gave(p);
    },
  }).then((idx) => {
    loaded = true;
    gave(null);
    return idx;
  });
  return { opening, preview, release, loaded: () => loaded };
}

describe('search preview', () => {
  it('answers with the right photos, filters applied, while the graph is still loading', async () => {
    const dir = tempDir();
    const rows = library(3000, 1);
    await savedIndex(dir, rows);
    const stem = path.join(dir, MODEL);
    expect(fs.statSync(`${stem}.preview`).size).toBeLessThan(fs.statSync(`${stem}.hnsw`).size / 10);

    const held = openHeld(dir);
    const preview = await held.preview;
    expect(preview).toBeInstanceOf(SearchPreview);
    expect(held.loaded()).toBe(false); // the graph has not loaded: the preview answers alone
    const queries = library(20, 2);
    let found = 0;
    for (const q of queries.values()) {
      // Re-ranking every photo: exact, scores as cosines.
      const all = preview!.search(q, 10, undefined, undefined, 3000);
      expect(all.map((h) => h.id)).toEqual(exactNearest(rows, q, 10));
      for (const h of all) expect(h.score).toBeCloseTo(cosine(q, rows.get(h.id)!), 5);
      // Re-ranking the best tenth of the estimates: nearly all of the true ten.
      const want = new Set(exactNearest(rows, q, 10));
      found += preview!.search(q, 10, undefined, undefined, 300).filter((h) => want.has(h.id)).length;
      // Filters narrow the candidates, as in the graph.
      const even = (id: number) => id % 2 === 0;
      expect(preview!.search(q, 10, even, undefined, 3000).map((h) => h.id)).toEqual(exactNearest(rows, q, 10, even));
      const few = new Set([5, 17, 2999]);
      expect(preview!.search(q, 10, (id) => few.has(id)).map((h) => h.id)).toEqual(exactNearest(rows, q, 10, (id) => few.has(id)));
    }
    // (a tenth taken at random would hold a tenth of them; 32 bits a photo is the coarsest case: 512 dimensions give 512)
    expect(found / (10 * queries.size)).toBeGreaterThanOrEqual(0.8);
    // Vectors from elsewhere (the catalog) instead of the graph file; an id without one is left out.
    const q = queries.get(1)!;
    const best = exactNearest(rows, q, 1)[0]!;
    expect(preview!.search(q, 5, undefined, (id) => (id === best ? undefined : rows.get(id))).map((h) => h.id)).not.toContain(best);

    held.release();
    const index = await held.opening;
    expect(index.previewProblem).toBeNull();
    expect(index.previewPending).toBe(false);
    expect(index.search(q, 10).map((h) => h.id)).toEqual(exactNearest(rows, q, 10));
    await index.close();
  });

  it('ignores a damaged, stale or missing preview, and writes it again', async () => {
    const dir = tempDir();
    const rows = library(800, 3);
    await savedIndex(dir, rows);
    const file = path.join(dir, `${MODEL}.preview`);
    const q = library(1, 4).get(1)!;

    // Damaged: one byte of the codes flipped.
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    let held = openHeld(dir);
    held.release();
    let index = await held.opening;
    expect(await held.preview).toBeNull();
    expect(index.previewProblem).toMatch(/CRC/);
    expect(index.previewPending).toBe(true);
    expect(await index.ensurePreview()).toBe(true);
    expect(index.previewPending).toBe(false);
    await index.close();
    held = openHeld(dir);
    const again = await held.preview;
    expect(again?.search(q, 10, undefined, undefined, 800).map((h) => h.id)).toEqual(exactNearest(rows, q, 10));
    held.release();
    await (await held.opening).close();

    // Stale: the preview of an earlier save, put back after a later one.
    const earlier = fs.readFileSync(file);
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM });
    index.upsert(801, q);
    await index.close();
    fs.writeFileSync(file, earlier);
    held = openHeld(dir);
    held.release();
    index = await held.opening;
    expect(await held.preview).toBeNull();
    expect(index.previewProblem).toMatch(/another save/);
    expect(await index.ensurePreview()).toBe(true);
    await index.close();
    held = openHeld(dir);
    expect((await held.preview)?.search(q, 1)[0]).toMatchObject({ id: 801 });
    held.release();
    await (await held.opening).close();

    // Missing, and a truncated one: the same.
    for (const harm of [() => fs.rmSync(file), () => fs.truncateSync(file, 1000)]) {
      harm();
      held = openHeld(dir);
      held.release();
      index = await held.opening;
      expect(await held.preview).toBeNull();
      expect(index.previewProblem).toMatch(/no saved preview|no preview header|bytes/);
      expect(await index.ensurePreview()).toBe(true);
      await index.close();
    }
    // Opened without a taker, only the header is checked, and a sound one is left alone.
    index = await VectorIndex.open({ dir, modelId: MODEL, dim: DIM });
    expect(index.previewPending).toBe(false);
    expect(await index.ensurePreview()).toBe(false);
    await index.close();
  });
});

describe('search preview in the search service', () => {
  let modelsDir = '';
  beforeAll(async () => {
    modelsDir = path.join(tempDir(), 'models');
    await writeFixtureModels(modelsDir);
  });

  /** The same photos with the same scores (the preview's cosines are the graph's to float precision, so near ties may swap). */
  function expectSame(a: { id: number; score: number }[], b: { id: number; score: number }[]): void {
    expect(a.map((h) => h.id).sort()).toEqual(b.map((h) => h.id).sort());
    const scores = new Map(b.map((h) => [h.id, h.score]));
    for (const h of a) expect(h.score).toBeCloseTo(scores.get(h.id)!, 3);
    expect(a[0]!.id).toBe(b[0]!.id);
  }

  /** Opens the library with every index's graph load held until `release()`. */
  function openHeldLibrary(dataDir: string) {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = VectorIndex.open;
    const spy = vi.spyOn(VectorIndex, 'open').mockImplementation((opts) =>
      original.call(VectorIndex, {
        ...opts,
        whileLoading: () => {
          void opts.whileLoading?.();
          return held;
        },
      }),
    );
    const lib = Library.open({ dataDir, modelsDir });
    return { lib, release, restore: () => spy.mockRestore() };
  }

  it('answers text searches, filters applied, before the graph is loaded, and waits for it when the preview is stale', async () => {
    const root = tempDir();
    const photos = path.join(root, 'Photos');
    const colours = { red: { r: 210, g: 30, b: 35 }, green: { r: 40, g: 190, b: 50 }, blue: { r: 30, g: 50, b: 200 }, yellow: { r: 235, g: 215, b: 40 } };
    let seed = 0;
    for (const c of Object.values(colours)) {
      await makeJpeg(path.join(photos, `IMG_${seed}.jpg`), { width: 160, height: 120, color: c, seed });
      await makeJpeg(path.join(photos, 'trip', `DSC_${seed}.jpg`), { width: 160, height: 120, color: c, seed: seed + 10 });
      seed++;
    }
    const dataDir = path.join(root, 'data');
    const first = Library.open({ dataDir, modelsDir, pipeline: { backoffMs: () => 5 } });
    await first.addFolder(photos);
    await first.index();
    const trip = path.join(photos, 'trip');
    const graphRed = (await first.searchText('red', { limit: 8 })).hits;
    const graphTrip = (await first.searchText('blue', { folder: trip, limit: 3 })).hits;
    await first.close();

    const { lib, release, restore } = openHeldLibrary(dataDir);
    try {
      const red = await lib.searchText('red', { limit: 8 });
      expect(lib.search.lastKnn?.via).toBe('preview');
      expectSame(red.hits, graphRed);
      const inTrip = await lib.searchText('blue', { folder: trip, limit: 3 });
      expect(lib.search.lastKnn?.via).toBe('preview');
      expect(inTrip.hits.every((h) => h.path.startsWith(trip + path.sep))).toBe(true);
      expectSame(inTrip.hits, graphTrip);
      release();
      await expect.poll(async () => (await lib.searchText('red', { limit: 8 }), lib.search.lastKnn?.via)).toBe('graph');
      expectSame((await lib.searchText('red', { limit: 8 })).hits, graphRed);
    } finally {
      release(); // a failed expectation must not leave close() waiting for the held load
      restore();
      await lib.close();
    }

    // A photo's vector gone from SQLite behind the index's back: the preview no longer holds what the
    // catalog holds, so the search waits for the graph (which sync repairs).
    const db = new Database(path.join(dataDir, 'catalog.sqlite'));
    db.prepare('DELETE FROM embeddings WHERE photo_id = ?').run(graphRed[0]!.id);
    db.close();
    const stale = openHeldLibrary(dataDir);
    try {
      let answered = false;
      const search = stale.lib.searchText('red', { limit: 8 }).then((r) => ((answered = true), r));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
      expect(stale.lib.search.previewProblem).toMatch(/does not hold/);
      stale.release();
      const r = await search;
      expect(stale.lib.search.lastKnn?.via).toBe('graph');
      // Its photo is still found by its file name's words, if at all, but no longer by its look.
      expect(r.hits.find((h) => h.id === graphRed[0]!.id)?.clipScore ?? null).toBeNull();
      expect(r.hits[0]!.id).toBe(graphRed[1]!.id);
      expect(stale.lib.search.lastSync).toMatchObject({ action: 'replayed', removed: 1 });
    } finally {
      stale.release();
      stale.restore();
      await stale.lib.close();
    }
  });
});
