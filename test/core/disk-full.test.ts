// A full disk (issue 12, [Note: full disk] in src/main/core/faults.ts), injected where the engine writes, since
// these machines cannot mount a small filesystem: ENOSPC from the thumbnail cache writer, a short write of the
// vector index (what hnswlib's writer does on a full disk, silently), SQLITE_FULL in the catalog's commit.
// Each time: indexing stops with "the disk holding <data> is full" in status, nothing is torn (no partial
// thumbnail, the saved index as it was, the tasks as they were), no photo is marked failed, and once the fault
// is lifted indexing goes on by itself and finishes.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { Library } from '../../src/main/core/library.ts';
import { clearDiskFull, injectDiskFull, isDiskFull } from '../../src/main/core/faults.ts';

let root = '';
let models = '';
const opened: Library[] = [];

beforeAll(async () => {
  root = tempDir();
  models = path.join(root, 'models');
  await writeFixtureModels(models);
});

afterEach(async () => {
  clearDiskFull();
  for (const lib of opened.splice(0)) await lib.close();
});

/** A library of `n` new photos, scanned, nothing processed yet; the disk-full probe retried every few ms. */
async function library(name: string, n: number): Promise<{ lib: Library; data: string; folder: string }> {
  const data = path.join(root, name, 'data');
  const folder = path.join(root, name, 'photos');
  for (let i = 0; i < n; i++) await makeJpeg(path.join(folder, `p${i}.jpg`), { seed: 1000 * name.length + i, width: 120, height: 90, color: { r: 40 * i, g: 200 - 30 * i, b: 90 } });
  const lib = Library.open({ dataDir: data, modelsDir: models, pipeline: { diskFullRetryMs: 5 } });
  opened.push(lib);
  await lib.addFolder(folder);
  await lib.scan();
  return { lib, data, folder };
}

/** Waits (without a deadline of its own: the test's timeout is the limit) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

function tasks(lib: Library) {
  return lib.db.prepare('SELECT stage, state, attempts, error FROM tasks').all() as { stage: string; state: string; attempts: number; error: string | null }[];
}

function filesUnder(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name)) : [];
}

function expectNothingFailed(lib: Library): void {
  expect(lib.status().failed).toEqual([]);
  expect(tasks(lib).filter((t) => t.state === 'failed' || t.error !== null)).toEqual([]);
}

describe('a full disk', () => {
  it('ENOSPC from the thumbnail cache writer: no partial thumbnail, no photo failed, and indexing resumes', async () => {
    const { lib, data } = await library('cache', 4);
    injectDiskFull('cache');
    const done = lib.processAll();
    await until(() => lib.status().diskFull != null);
    expect(lib.status().diskFull).toMatchObject({ message: `the disk holding ${data} is full`, path: data });
    expect(lib.diskFull?.since).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Nothing written where a reader looks, and the partial files are gone.
    expect(filesUnder(lib.paths.thumbs)).toEqual([]);
    expect(filesUnder(lib.paths.cacheTmp)).toEqual([]);
    expect(tasks(lib).filter((t) => t.stage === 'thumb').every((t) => t.state === 'pending' && t.attempts === 0)).toBe(true);
    expectNothingFailed(lib);

    clearDiskFull();
    await done;
    expect(lib.status().diskFull).toBeNull();
    const thumbs = filesUnder(lib.paths.thumbs);
    expect(thumbs).toHaveLength(4);
    for (const t of thumbs) expect((await sharp(t).metadata()).format).toBe('jpeg');
    expect(tasks(lib).filter((t) => t.stage === 'thumb').every((t) => t.state === 'done')).toBe(true);
    expectNothingFailed(lib);
  });

  it('a short write of the vector index: the saved index stays as it was, and the next save after space is back is whole', async () => {
    const { lib, folder } = await library('index', 3);
    await lib.processAll();
    const indexFiles = () => new Map(filesUnder(lib.paths.index).filter((f) => /\.(hnsw|meta\.json)$/.test(f)).map((f) => [f, fs.readFileSync(f)]));
    const before = indexFiles();
    const meta = [...before.keys()].find((f) => f.endsWith('.meta.json'))!;
    expect(JSON.parse(before.get(meta)!.toString()).count).toBe(3);

    for (let i = 3; i < 5; i++) await makeJpeg(path.join(folder, `p${i}.jpg`), { seed: 5000 + i, width: 120, height: 90 });
    await lib.scan();
    injectDiskFull('index', 'short');
    const done = lib.processAll();
    await until(() => lib.status().diskFull != null);
    // The embeddings are committed; only the save failed, and it left the saved files as they were.
    expect(lib.db.prepare('SELECT COUNT(*) FROM embeddings').pluck().get()).toBe(5);
    expect(indexFiles()).toEqual(before);
    expect(filesUnder(lib.paths.index).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expectNothingFailed(lib);

    clearDiskFull();
    await done;
    const after = indexFiles();
    expect(JSON.parse(after.get(meta)!.toString()).count).toBe(5);
    expect(lib.status().diskFull).toBeNull();
    const hits = await lib.searchText('red', { limit: 10 });
    expect(hits.hits.length).toBeGreaterThan(0);
  });

  it('SQLITE_FULL in the catalog commit: the transaction rolls back whole, no attempt counts, and indexing resumes', async () => {
    const { lib, data } = await library('catalog', 3);
    injectDiskFull('catalog');
    const done = lib.processAll();
    await until(() => lib.status().diskFull != null);
    expect(lib.status().diskFull?.message).toBe(`the disk holding ${data} is full`);
    // Nothing of a result was kept: no facts, every task pending as it was.
    expect(lib.db.prepare('SELECT COUNT(*) FROM photos WHERE width IS NOT NULL').pluck().get()).toBe(0);
    expect(tasks(lib).every((t) => t.state === 'pending' && t.attempts === 0)).toBe(true);
    expectNothingFailed(lib);
    expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');

    clearDiskFull();
    await done;
    expect(lib.db.prepare('SELECT COUNT(*) FROM photos WHERE width IS NOT NULL').pluck().get()).toBe(3);
    expect(tasks(lib).filter((t) => t.stage === 'thumb' || t.stage === 'embed').every((t) => t.state === 'done')).toBe(true);
    expectNothingFailed(lib);
  });

  it('knows a full disk when it sees one', () => {
    const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect([isDiskFull(sqlite), isDiskFull(Object.assign(new Error('x'), { code: 'ENOSPC' })), isDiskFull(new Error('x', { cause: sqlite }))]).toEqual([true, true, true]);
    expect([isDiskFull(new Error('x')), isDiskFull(Object.assign(new Error('x'), { code: 'EACCES' })), isDiskFull(null)]).toEqual([false, false, false]);
  });
});
