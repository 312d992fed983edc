// Catalog backups: stepped, checked, described; taken before a migration; the retention rule; and
// kill -9 in the middle of one leaves the earlier backups and the library as they were.
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { backupCatalog, listBackups, retainedBackups } from '../../src/main/core/catalog/backup.ts';
import { migrate, openDatabase } from '../../src/main/core/catalog/db.ts';
import { migrations } from '../../src/main/core/catalog/migrations.ts';
import { Library } from '../../src/main/core/library.ts';
import { dataPaths } from '../../src/main/core/paths.ts';
import { tempDir } from '../helpers/photos.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/shoebox.js');
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** A catalog of `n` photos, each with a vector of `vectorBytes`, and a user caption on every tenth. */
function fillCatalog(db: Database.Database, n: number, vectorBytes = 512): void {
  db.transaction(() => {
    db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0)").run();
    const photo = db.prepare('INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, fingerprint, added_at, updated_at) VALUES (?, 1, ?, ?, 1, 0, ?, 0, 0)');
    const vec = db.prepare("INSERT INTO embeddings (photo_id, model_id, dim, vector, created_at) VALUES (?, 'clip', ?, ?, 0)");
    const cap = db.prepare("INSERT INTO captions (photo_id, source, text, origin, created_at) VALUES (?, 'user', ?, 'shoebox', ?)");
    const tag = db.prepare("INSERT INTO tags (photo_id, tag, source, origin, created_at) VALUES (?, 'Family', 'user', 'shoebox', 0)");
    for (let i = 1; i <= n; i++) {
      photo.run(i, `/photos/${i}.jpg`, `${i}.jpg`, crypto.createHash('sha256').update(String(i)).digest('hex'));
      vec.run(i, vectorBytes / 4, crypto.randomBytes(vectorBytes));
      if (i % 10 === 0) cap.run(i, `caption ${i}`, i);
      if (i % 20 === 0) tag.run(i);
    }
  })();
}

describe('backupCatalog', () => {
  it('copies in many short steps into backups/, checks the copy, and writes what it holds beside it', async () => {
    const dir = tempDir();
    const db = openDatabase(path.join(dir, 'catalog.sqlite'));
    fillCatalog(db, 3000);
    const steps: number[] = [];
    const b = await backupCatalog(db, path.join(dir, 'backups'), { reason: 'manual', onStep: (_ms, pages) => steps.push(pages) });
    expect(b.stats.steps).toBeGreaterThan(1);
    expect(steps.length).toBe(b.stats.steps - 1);
    expect(b).toMatchObject({ reason: 'manual', photos: 3000, userCaptions: 300, userTags: 150, hiddenTags: 0, schemaVersion: migrations.at(-1)!.version });
    const files = fs.readdirSync(path.join(dir, 'backups')).sort();
    expect(files).toEqual([b.file.replace(/\.sqlite$/, '.json'), b.file]);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'backups', files[0]!), 'utf8'));
    expect(json).toMatchObject({ file: b.file, photos: 3000, userCaptions: 300, userTags: 150, bytes: fs.statSync(path.join(dir, 'backups', b.file)).size });
    // A self-contained copy: no -wal, and it opens on its own with the same rows.
    const copy = new Database(path.join(dir, 'backups', b.file), { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.prepare("SELECT COUNT(*) FROM captions WHERE source = 'user'").pluck().get()).toBe(300);
    copy.close();
    expect(listBackups(path.join(dir, 'backups')).map((x) => x.file)).toEqual([b.file]);
    db.close();
  });

  it('backs an existing catalog up before a migration changes it (the pre-migration state)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'catalog.sqlite');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(old, migrations.filter((m) => m.version <= 6));
    fillCatalog(old, 50);
    old.close();
    const db = openDatabase(file, { backupsDir: path.join(dir, 'backups') });
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    db.close();
    const [b] = listBackups(path.join(dir, 'backups'));
    expect(b).toMatchObject({ reason: 'migration', schemaVersion: 6, photos: 50, userCaptions: 5 });
    const copy = new Database(path.join(dir, 'backups', b!.file), { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(6);
    expect(copy.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'embeddings_changed'").pluck().get()).toBe(0);
    copy.close();
    // A new catalog has nothing to back up.
    const fresh = tempDir();
    openDatabase(path.join(fresh, 'catalog.sqlite'), { backupsDir: path.join(fresh, 'backups') }).close();
    expect(listBackups(path.join(fresh, 'backups'))).toEqual([]);
  });
});

describe('retention', () => {
  const at = (iso: string, reason = 'daily') => ({ file: `catalog-${iso}.sqlite`, createdAt: new Date(iso).toISOString(), reason });

  it('keeps the newest of each of the last 7 days and of each of the last 4 ISO weeks, and the newest pre-migration copy', () => {
    // Two backups a day (09:00 and 18:00 local) from Monday 2024-01-01 to Sunday 2024-02-25, and one before a migration.
    const all = [at('2024-01-03T12:00:00', 'migration')];
    for (let d = new Date(2024, 0, 1); d <= new Date(2024, 1, 25); d.setDate(d.getDate() + 1)) {
      for (const h of [9, 18]) all.push(at(new Date(d.getFullYear(), d.getMonth(), d.getDate(), h).toISOString()));
    }
    const kept = retainedBackups(all);
    const local = (f: string) => {
      const d = new Date(all.find((b) => b.file === f)!.createdAt);
      return `${d.getMonth() + 1}-${d.getDate()} ${d.getHours()}`;
    };
    expect([...kept].map(local).sort()).toEqual(
      [
        // the last 7 days, each its newest (18:00)
        '2-19 18', '2-20 18', '2-21 18', '2-22 18', '2-23 18', '2-24 18', '2-25 18',
        // the last 4 weeks (Mon-Sun), each its newest: Sundays 2-25 (already kept), 2-18, 2-11, 2-4
        '2-18 18', '2-11 18', '2-4 18',
        // the newest copy made before a migration
        '1-3 12',
      ].sort(),
    );
  });

  it('keeps everything while there are fewer than 7 days and 4 weeks of backups, and one a day', () => {
    const kept = retainedBackups([at('2024-05-01T08:00:00'), at('2024-05-01T20:00:00'), at('2024-05-02T08:00:00')]);
    expect([...kept].sort()).toEqual([at('2024-05-01T20:00:00').file, at('2024-05-02T08:00:00').file].sort());
  });
});

describe('kill -9 during a backup', () => {
  it('leaves every earlier backup intact, no half copy under a real name, and the library opens', async () => {
    const dataDir = tempDir();
    const paths = dataPaths(dataDir);
    const lib = Library.open({ dataDir });
    fillCatalog(lib.db, 40_000, 1024);
    // Two earlier backups, on two days (retention keeps both).
    await backupCatalog(lib.db, paths.backups, { reason: 'manual', now: () => new Date(Date.now() - 2 * 86_400_000) });
    await lib.backup('manual');
    await lib.close();
    const earlier = Object.fromEntries(fs.readdirSync(paths.backups).map((f) => [f, sha(path.join(paths.backups, f))]));
    expect(Object.keys(earlier)).toHaveLength(4);

    const child = spawn(process.execPath, [CLI, '--data', dataDir, 'backup'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const end = Date.now() + 60_000;
    const partial = () => fs.readdirSync(paths.backups).some((f) => f.startsWith('.partial-') && f.endsWith('.sqlite') && fs.statSync(path.join(paths.backups, f)).size > 0);
    while (!partial() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    expect(partial()).toBe(true); // killed mid-copy, not after

    const now = fs.readdirSync(paths.backups);
    expect(now.filter((f) => !f.startsWith('.partial-')).sort()).toEqual(Object.keys(earlier).sort());
    for (const [f, h] of Object.entries(earlier)) expect(sha(path.join(paths.backups, f))).toBe(h);
    // The library opens (the half copy is cleared), and its earlier backups list as before.
    const again = Library.open({ dataDir });
    expect(again.backups()).toHaveLength(2);
    expect(fs.readdirSync(paths.backups).filter((f) => f.startsWith('.partial-'))).toEqual([]);
    expect(again.catalog.list({ limit: 1 })).toHaveLength(1);
    await again.close();
  }, 120_000);
});
