// For bench:search: a library on disk as the engine keeps it — a catalog of n photos, each embedded
// by the benchmark's CLIP model, and that model's HNSW index saved in <data>/index — written once
// straight into SQLite, then opened by fresh processes (scripts/lib/first-query.ts) to time the
// first text search after start.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Library } from '../../src/main/core/library.ts';
import { STAGE_NAMES } from '../../src/main/core/pipeline/stages.ts';
import { addToManifest } from '../../test/fixtures/models/write-fixtures.ts';
import type { ModelSpec } from '../../src/main/core/models/spec.ts';

export interface FirstQueryFigures {
  open_ms: number;
  /** The catalog's check before any write, on its worker beside the search: open to Library.writable. */
  check_ms: number;
  index_ms: number;
  text_model_load_ms: number;
  query_ms: number;
  first_query_ms: number;
  first_answer_wall_ms: number;
  hits: number;
  sync: string | null;
  deferred_check_ms: number | null;
  rss_mb: number;
}

/** A models folder holding the bench's CLIP model (linked, not copied) as the active one. */
export async function benchModels(root: string, spec: ModelSpec, modelDir: string): Promise<string> {
  const modelsDir = path.join(root, 'models');
  const link = path.join(modelsDir, ...spec.repo.split('/'));
  if (!fs.existsSync(link)) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(modelDir, link, 'dir');
  }
  await addToManifest(modelsDir, [spec], { clip: spec.id });
  return modelsDir;
}

/** Writes `n` photos with their vectors (`data`, photo i has id i + 1), every stage done, into a new catalog. */
export async function writeCatalog(dataDir: string, modelsDir: string, modelId: string, data: Float32Array, n: number, dim: number): Promise<number> {
  const t0 = performance.now();
  await Library.open({ dataDir, modelsDir }).close(); // the schema, as the engine makes it
  const db = new Database(path.join(dataDir, 'catalog.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // Embedded a day ago, before the index was saved: as in a library indexed earlier (vectors written
  // after the index's last save would be re-read and compared on open, [Note: vector index and SQLite]).
  const now = Date.now() - 86_400_000;
  db.transaction(() => {
    const folder = Number(db.prepare('INSERT INTO folders (path, added_at, online, last_scan_at) VALUES (?, ?, 1, ?)').run('/bench/Photos', now, now).lastInsertRowid);
    const photo = db.prepare(
      `INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, fingerprint, format, width, height, orientation, taken_at, added_at, updated_at)
       VALUES (?, ?, ?, ?, 3000000, ?, ?, 'jpeg', 4032, 3024, 1, ?, ?, ?)`,
    );
    const embedding = db.prepare('INSERT INTO embeddings (photo_id, model_id, dim, vector, created_at) VALUES (?, ?, ?, ?, ?)');
    const task = db.prepare(`INSERT INTO tasks (photo_id, stage, state, attempts, next_at, created_at, updated_at) VALUES (?, ?, 'done', 1, 0, ?, ?)`);
    const start = Date.UTC(2010, 0, 1);
    for (let i = 0; i < n; i++) {
      const id = i + 1;
      const taken = new Date(start + i * 450_000).toISOString().slice(0, 19);
      const name = `IMG_${String(id).padStart(7, '0')}.jpg`;
      photo.run(id, folder, `/bench/Photos/${taken.slice(0, 4)}/${name}`, name, now - i, `fp${id}`, taken, now, now);
      const v = data.subarray(i * dim, (i + 1) * dim);
      embedding.run(id, modelId, dim, Buffer.from(v.buffer, v.byteOffset, v.byteLength), now);
      for (const stage of STAGE_NAMES) task.run(id, stage, now, now);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return (performance.now() - t0) / 1000;
}

/** Times the first search after start in `runs` fresh processes; the median run by first_query_ms, and all of them. */
export function firstQueries(dataDir: string, modelsDir: string, query: string, runs: number): { median: FirstQueryFigures; all: FirstQueryFigures[] } {
  const script = path.resolve(import.meta.dirname, 'first-query.ts');
  const all: FirstQueryFigures[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, dataDir, modelsDir, query], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) throw new Error(`first-query run failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
    all.push(JSON.parse(line) as FirstQueryFigures);
  }
  const sorted = [...all].sort((a, b) => a.first_query_ms - b.first_query_ms);
  return { median: sorted[Math.floor(sorted.length / 2)]!, all };
}
