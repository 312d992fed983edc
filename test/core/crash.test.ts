// kill -9 in the middle of `shoebox index`, then `shoebox index` again: nothing lost, nothing twice.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/shoebox.js');
const N = 120;

function thumbsDone(dataDir: string): number {
  const file = path.join(dataDir, 'catalog.sqlite');
  if (!fs.existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare("SELECT COUNT(*) FROM tasks WHERE stage = 'thumb' AND state = 'done'").pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // schema not there yet
  }
}

describe('crash recovery', () => {
  it('finishes the work after kill -9 mid-index without duplicates', async () => {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    for (let i = 0; i < N; i++) await makeJpeg(path.join(folder, `img${String(i).padStart(3, '0')}.jpg`), { seed: i, width: 1200, height: 900 });
    const dataDir = path.join(root, 'data');
    // With the fixture CLIP active, the kill also lands in embedding and tagging.
    const models = path.join(root, 'models');
    await writeFixtureModels(models);
    process.env.SHOEBOX_MODELS = models;
    const add = spawnSync(process.execPath, [CLI, '--data', dataDir, 'add', folder], { encoding: 'utf8' });
    expect(add.status, add.stderr).toBe(0);

    for (const killAfter of [5, 40]) {
      const child = spawn(process.execPath, [CLI, '--data', dataDir, 'index', '--quiet'], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      // A deadline, not a speed goal: on a busy machine the thumbnails share the cores with OCR and faces.
      const end = Date.now() + 90_000;
      while (thumbsDone(dataDir) < killAfter && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      await exited;
    }
    const partial = thumbsDone(dataDir);
    expect(partial).toBeGreaterThanOrEqual(40);
    expect(partial).toBeLessThan(N);
    // The killed engine's lock is stale; the next run takes it over and finishes.
    const rerun = spawnSync(process.execPath, [CLI, '--data', dataDir, 'index', '--quiet'], { encoding: 'utf8' });
    expect(rerun.status, rerun.stderr).toBe(0);
    const db = new Database(path.join(dataDir, 'catalog.sqlite'), { readonly: true });
    const photos = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT path) AS paths, COUNT(DISTINCT fingerprint) AS fps FROM photos').get();
    const tasks = db.prepare('SELECT stage, state, COUNT(*) AS n FROM tasks GROUP BY stage, state ORDER BY stage').all();
    const embeddings = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT photo_id) AS photos FROM embeddings').get();
    const captions = db.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT photo_id) AS photos FROM captions WHERE source = 'auto'").get();
    db.close();
    delete process.env.SHOEBOX_MODELS;
    expect(photos).toEqual({ n: N, paths: N, fps: N });
    expect(tasks).toEqual([
      { stage: 'caption', state: 'done', n: N },
      { stage: 'embed', state: 'done', n: N },
      { stage: 'faces', state: 'done', n: N },
      { stage: 'meta', state: 'done', n: N },
      { stage: 'ocr', state: 'done', n: N },
      { stage: 'phash', state: 'done', n: N },
      { stage: 'places', state: 'done', n: N },
      { stage: 'tags', state: 'done', n: N },
      { stage: 'thumb', state: 'done', n: N },
      // XMP sidecars are off by default: their tasks wait.
      { stage: 'xmp', state: 'pending', n: N },
    ]);
    expect(embeddings).toEqual({ n: N, photos: N });
    expect(captions).toEqual({ n: N, photos: N });
    const partialDir = path.join(dataDir, 'cache', 'partial');
    expect(fs.existsSync(partialDir) ? fs.readdirSync(partialDir) : []).toEqual([]);
    const thumbs = fs.readdirSync(path.join(dataDir, 'cache', 'thumbs'), { recursive: true }).filter((f) => String(f).endsWith('.jpg'));
    expect(thumbs).toHaveLength(N);
    // The ocr and faces stages read every one of the 120 photos at 960 px (their detectors: about 0.25 and 0.15 s a
    // photo on two cores), in the killed runs and the last: more than the default 60 s on a busy machine.
  }, 360_000);
});
