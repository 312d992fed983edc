// Backups of the catalog: SQLite's online backup in short steps into <data>/backups/, each copy
// checked before it is kept, a JSON beside it saying what it holds, and the retention rule.
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { countCatalog, quickCheck, quickCheckOffThread, type CatalogCounts } from './integrity.ts';

// [Note: catalog backups]
// - Where: <data>/backups/catalog-<UTC stamp>.sqlite, a self-contained SQLite file (journal_mode
//   DELETE, no -wal), with catalog-<stamp>.json beside it (BackupInfo: when, why, size, schema
//   version, photos, user captions, user tags, hidden tags).
// - How: written under a name starting with ".partial-" and renamed only once whole and checked
//   (`PRAGMA quick_check` on the copy, on a worker thread); the JSON is renamed first, the copy last,
//   so a kill -9 at any moment leaves every earlier backup as it was and no half copy under a real
//   name (the next backup deletes the partial files). A copy that fails its check is deleted, not kept.
// - Steps: better-sqlite3's db.backup() copies `progress()`'s return value of pages per step, one
//   step at a time between turns of the event loop; each step is sized from the throughput measured
//   over the step before, to take STEP_TARGET_MS (20 ms, well under the 50 ms a step may hold the
//   database). Indexing and the window run between steps; the same connection's writes go into the
//   copy as it is made, so it is the state at its end.
// - Before a migration: `backupBeforeMigration` copies with VACUUM INTO, synchronously (the catalog is
//   open, nothing else runs yet), the state as it was before the first migration step.
// - Retention (`retainedBackups`): the newest backup of each of the 7 most recent local calendar
//   days that have one (daily), the newest of each of the 4 most recent ISO weeks (Monday to Sunday,
//   local time) that have one (weekly), and the newest backup made before a migration; every other
//   backup is deleted after each new one.

export const BACKUP_PREFIX = 'catalog-';
const PARTIAL_PREFIX = '.partial-';
const STEP_TARGET_MS = 20;
/** Flush the copy to disk every 8 MB copied. */
const FLUSH_BYTES = 8 * 1024 * 1024;
const FIRST_STEP_PAGES = 64;

export type BackupReason = 'manual' | 'daily' | 'index' | 'migration' | 'repair';

export interface BackupInfo extends CatalogCounts {
  /** The copy's file name in the backups folder. */
  file: string;
  /** ISO time the backup finished. */
  createdAt: string;
  reason: BackupReason;
  bytes: number;
  /** The user data's stamp when the backup started (userDataStamp), to tell when another is due. */
  userDataStamp?: string;
}

export interface BackupStats {
  ms: number;
  steps: number;
  /** The longest step, in ms (the step's own work and whatever else ran on the loop meanwhile). */
  longestStepMs: number;
  pages: number;
}

function stamp(d: Date): string {
  return d.toISOString().replaceAll(':', '-').replace('.', '-');
}

function uniqueStamp(dir: string, now: Date): string {
  let s = stamp(now);
  for (let i = 1; fs.existsSync(path.join(dir, `${BACKUP_PREFIX}${s}.sqlite`)); i++) s = `${stamp(now)}-${i}`;
  return s;
}

/** Removes what a backup killed halfway left (names starting with ".partial-"). */
export function clearPartialBackups(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) if (f.startsWith(PARTIAL_PREFIX)) fs.rmSync(path.join(dir, f), { force: true });
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync on libuv's thread pool: the main thread never waits on the disk. */
async function fsyncFileAsync(file: string): Promise<void> {
  const fh = await fs.promises.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Windows cannot open a folder for fsync; its renames are durable enough.
  }
}

/** The stamp of a catalog with nothing of the user's. */
export const EMPTY_USER_DATA_STAMP = '0:0|0:0|0:0|0:0|0';

/**
 * A stamp of the user's data, cheap to read: counts and latest times of the user's captions, tags
 * and marks, the undo log's last edit, and the count of the user's changes to people (migration 15's
 * people_stamp; 0 in a catalog from before it, as before a migration). A different stamp means the
 * user data changed.
 */
export function userDataStamp(db: Database.Database): string {
  const hasPeople = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'people_stamp'").get() !== undefined;
  const people = hasPeople ? (db.prepare('SELECT n FROM people_stamp').pluck().get() as number | undefined) ?? 0 : 0;
  const row = db
    .prepare(
      `SELECT
         (SELECT COUNT(*) || ':' || COALESCE(MAX(created_at), 0) FROM captions WHERE source = 'user') AS captions,
         (SELECT COUNT(*) || ':' || COALESCE(MAX(created_at), 0) FROM tags WHERE source = 'user') AS tags,
         (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at), 0) FROM marks) AS marks,
         (SELECT COALESCE(MAX(id), 0) || ':' || COALESCE(MAX(undone_at), 0) FROM edits) AS edits`,
    )
    .get() as Record<string, string>;
  return `${row.captions}|${row.tags}|${row.marks}|${row.edits}|${people}`;
}

function keep(dir: string, s: string, tmpDb: string, info: BackupInfo, synced = false): BackupInfo {
  const tmpJson = path.join(dir, `${PARTIAL_PREFIX}${s}.json`);
  fs.writeFileSync(tmpJson, JSON.stringify(info, null, 2) + '\n');
  fsyncFile(tmpJson);
  if (!synced) fsyncFile(tmpDb);
  fs.renameSync(tmpJson, path.join(dir, `${BACKUP_PREFIX}${s}.json`));
  fs.renameSync(tmpDb, path.join(dir, info.file));
  fsyncDir(dir);
  return info;
}

export interface BackupOptions {
  reason: BackupReason;
  /** better-sqlite3's addon for the worker that checks the copy ([Note: two ABIs]). */
  nativeBinding?: string;
  now?: () => Date;
  /** Called with each step's length in ms (tests, the bench). */
  onStep?: (ms: number, pages: number) => void;
}

/** Thrown when a copy fails its check: it was deleted, the earlier backups stand. */
export class BackupCheckError extends Error {}

/**
 * An online backup of `db` into `dir`, in steps of ~25 ms, checked off the main thread before it is
 * kept; then the retention rule. Resolves with what the backup holds and how it went.
 */
export async function backupCatalog(db: Database.Database, dir: string, opts: BackupOptions): Promise<BackupInfo & { stats: BackupStats }> {
  const now = opts.now ?? (() => new Date());
  fs.mkdirSync(dir, { recursive: true });
  clearPartialBackups(dir);
  const started = performance.now();
  const s = uniqueStamp(dir, now());
  const tmpDb = path.join(dir, `${PARTIAL_PREFIX}${s}.sqlite`);
  const userData = userDataStamp(db);
  let lastAt = performance.now();
  let lastPages = FIRST_STEP_PAGES;
  let steps = 0;
  let longest = 0;
  let first = true;
  let totalPages = 0;
  // The copy's pages are flushed to disk on the thread pool as it grows, so that the final step's
  // commit (SQLite fsyncs the copy there, on the main thread) has little left to write.
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  let flushedPages = 0;
  let flushing: Promise<void> | null = null;
  try {
    await db.backup(tmpDb, {
      progress({ totalPages: total, remainingPages }) {
        totalPages = total;
        const copied = total - remainingPages;
        if (!flushing && (copied - flushedPages) * pageSize >= FLUSH_BYTES) {
          flushedPages = copied;
          flushing = fsyncFileAsync(tmpDb)
            .catch(() => undefined)
            .finally(() => (flushing = null));
        }
        const t = performance.now();
        const ms = t - lastAt;
        let next = lastPages;
        if (!first) {
          steps++;
          longest = Math.max(longest, ms);
          opts.onStep?.(ms, lastPages);
          // Pages per ms over the last step, scaled to the target; never more than doubling at once.
          const rate = lastPages / Math.max(ms, 0.05);
          next = Math.max(16, Math.min(lastPages * 2, Math.floor(rate * STEP_TARGET_MS)));
        }
        first = false;
        lastPages = next;
        lastAt = performance.now();
        return next;
      },
    });
    steps++;
    await flushing;
    const check = await quickCheckOffThread(tmpDb, 'copy', opts.nativeBinding).result;
    if (check.problems.length || !check.counts) throw new BackupCheckError(`the backup copy failed its check: ${check.problems.join('; ')}`);
    const file = `${BACKUP_PREFIX}${s}.sqlite`;
    // The checked copy (the worker rewrote its header to journal_mode DELETE) reaches the disk off the main thread.
    await fsyncFileAsync(tmpDb);
    const info = keep(
      dir,
      s,
      tmpDb,
      { file, createdAt: now().toISOString(), reason: opts.reason, bytes: fs.statSync(tmpDb).size, userDataStamp: userData, ...check.counts },
      true,
    );
    pruneBackups(dir);
    return { ...info, stats: { ms: performance.now() - started, steps, longestStepMs: longest, pages: totalPages } };
  } finally {
    for (const f of [tmpDb, `${tmpDb}-journal`, `${tmpDb}-wal`, `${tmpDb}-shm`]) fs.rmSync(f, { force: true });
  }
}

/**
 * The catalog as it is now, before a migration changes it: VACUUM INTO a partial file, checked,
 * then kept (synchronous: the engine is still opening). Returns what it kept.
 */
export function backupBeforeMigration(db: Database.Database, dir: string, now: Date = new Date()): BackupInfo {
  fs.mkdirSync(dir, { recursive: true });
  clearPartialBackups(dir);
  const s = uniqueStamp(dir, now);
  const tmpDb = path.join(dir, `${PARTIAL_PREFIX}${s}.sqlite`);
  try {
    db.prepare('VACUUM INTO ?').run(tmpDb);
    const userData = userDataStamp(db);
    // VACUUM INTO writes a rollback-journal database; checked and counted on its own connection.
    const Ctor = db.constructor as new (file: string, o?: Database.Options) => Database.Database;
    const copy = new Ctor(tmpDb, { fileMustExist: true });
    let counts: CatalogCounts;
    try {
      copy.pragma('journal_mode = DELETE');
      const problems = quickCheck(copy);
      if (problems.length) throw new BackupCheckError(`the copy made before the migration failed its check: ${problems.join('; ')}`);
      counts = countCatalog(copy);
    } finally {
      copy.close();
    }
    const info = keep(dir, s, tmpDb, {
      file: `${BACKUP_PREFIX}${s}.sqlite`,
      createdAt: now.toISOString(),
      reason: 'migration',
      bytes: fs.statSync(tmpDb).size,
      userDataStamp: userData,
      ...counts,
    });
    pruneBackups(dir);
    return info;
  } finally {
    fs.rmSync(tmpDb, { force: true });
  }
}

/** The kept backups, newest first. A copy whose JSON is missing or unreadable is listed from its name and size. */
export function listBackups(dir: string): BackupInfo[] {
  if (!fs.existsSync(dir)) return [];
  const out: BackupInfo[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith(BACKUP_PREFIX) || !f.endsWith('.sqlite')) continue;
    const full = path.join(dir, f);
    let info: Partial<BackupInfo> = {};
    try {
      info = JSON.parse(fs.readFileSync(full.replace(/\.sqlite$/, '.json'), 'utf8')) as BackupInfo;
    } catch {
      // listed from its name
    }
    const fromName = f.slice(BACKUP_PREFIX.length).match(/^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z/);
    const createdAt = info.createdAt ?? (fromName ? `${fromName[1]}T${fromName[2]}:${fromName[3]}:${fromName[4]}.${fromName[5]}Z` : new Date(fs.statSync(full).mtimeMs).toISOString());
    out.push({
      photos: -1,
      userCaptions: -1,
      userTags: -1,
      hiddenTags: -1,
      schemaVersion: -1,
      reason: 'manual',
      ...info,
      file: f,
      createdAt,
      bytes: fs.statSync(full).size,
    });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
}

function dayKey(d: Date): string {
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** The ISO week (Monday first; the week's Thursday gives its year) of a local date, as "year-Wweek". */
function weekKey(d: Date): string {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return `${t.getUTCFullYear()}-W${Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7)}`;
}

/**
 * The retention rule ([Note: catalog backups]): which of `backups` stay. The newest of each of the 7
 * most recent local days with a backup, the newest of each of the 4 most recent ISO weeks with one,
 * and the newest backup made before a migration.
 */
export function retainedBackups<T extends { file: string; createdAt: string; reason?: string }>(backups: readonly T[]): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
  const kept = new Set<string>();
  const days = new Set<string>();
  const weeks = new Set<string>();
  let migration = false;
  for (const b of newestFirst) {
    const d = new Date(b.createdAt);
    const day = dayKey(d);
    const week = weekKey(d);
    if (!days.has(day) && days.size < 7) {
      days.add(day);
      kept.add(b.file);
    }
    if (!weeks.has(week) && weeks.size < 4) {
      weeks.add(week);
      kept.add(b.file);
    }
    if (b.reason === 'migration' && !migration) {
      migration = true;
      kept.add(b.file);
    }
  }
  return kept;
}

/** Deletes the backups the retention rule does not keep (their JSON too). */
export function pruneBackups(dir: string): string[] {
  const all = listBackups(dir);
  const kept = retainedBackups(all);
  const removed: string[] = [];
  for (const b of all) {
    if (kept.has(b.file)) continue;
    fs.rmSync(path.join(dir, b.file.replace(/\.sqlite$/, '.json')), { force: true });
    fs.rmSync(path.join(dir, b.file), { force: true });
    removed.push(b.file);
  }
  return removed;
}
