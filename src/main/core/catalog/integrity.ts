// Is the catalog whole? The checks made before the engine writes to it ([Note: catalog damage]),
// the full check run off the main thread, and the error a damaged catalog opens with.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

// [Note: catalog damage]
// What SQLite can and cannot tell, and what Shoebox checks before it writes a byte:
// - Before SQLite opens the file (`inspectCatalogFiles`): the header (a file of zeros, or anything
//   else, is "not a database"), the page size, and the file's length against the page count its
//   header gives (a truncated file), and the write-ahead log: a `-shm` whose wal-index says the log
//   holds frames not yet copied into the file while the `-wal` is gone or shorter than those frames
//   (deleted, or cut: SQLite would open the older state silently and lose those commits). A `-wal`
//   and `-shm` both gone leave no trace: the catalog is then simply older, and only a backup or an
//   export knows what it lost.
// - Once open, before any write (`checksOnOpen`, on a connection held query_only): up to
//   8192 pages (32 MB) the whole `PRAGMA quick_check`; above, `PRAGMA quick_check(<table>)` of every
//   table except `embeddings` — every b-tree page of the
//   user's data (photos, captions, tags, marks, the undo log), the queue and the full-text tables is
//   read and checked (cell layout, key order, overflow chains, NOT NULL and CHECK constraints, index
//   entries against their rows). Same power as quick_check over the pages it reads; what it leaves
//   out is the vectors (85% of the pages at 100k photos, derived data the embed stage can redo) and
//   the file-wide page accounting (a page used twice, a page lost). The CLI's commands run it inside
//   the open (`quickCheckOnOpen`). The app and `serve` open with `checkInBackground`: the same
//   pragmas run on a worker thread (`DamageWatch.checkBeforeWrites`) while the first search, the
//   grid and status read, since a check of ~0.4 s at 100k photos (4 s at a million) must not
//   stand in front of the first answer; on two cores it must not even run beside the index's
//   load, so it starts once the first search has answered (or 250 ms after warmUp, at the latest
//   5 s after open). Until it has passed, the connection stays query_only:
//   writers wait for `Library.writable` (the handlers' writes, scan, index, watch, backups) or
//   are refused with a message (a sync caller that did not wait), so a damaged catalog is still
//   never written. A catalog that needs a migration (or is new) is checked inside the open.
// - After open, off the main thread (`quickCheckOffThread`): the whole `PRAGMA quick_check`. A
//   failure there stops the engine's writes (`query_only`) and says so, as a failure on open does.
// - Errors SQLite raises on a read later (SQLITE_CORRUPT, SQLITE_NOTADB) become CatalogDamagedError
//   where the engine opens the catalog (`asCatalogDamage`).

/** The catalog cannot be used: what is wrong, and what to run. Nothing was written to it. */
export class CatalogDamagedError extends Error {
  readonly code = 'catalog-damaged';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly hint: string = 'Run `shoebox repair` to restore the newest good backup (the damaged file is kept beside it).',
  ) {
    super(`the catalog ${file} is damaged: ${problem}. Nothing was written to it. ${hint}`);
  }
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function readHead(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The checks of the files themselves, before SQLite opens them: null when they look whole (or there
 * is no catalog yet), else what is wrong. Reads the first bytes of the catalog, its -wal and -shm.
 */
export function inspectCatalogFiles(file: string): string | null {
  if (!fs.existsSync(file)) return null;
  const size = fs.statSync(file).size;
  const wal = `${file}-wal`;
  const shm = `${file}-shm`;
  if (size === 0) {
    // SQLite would take an empty file for a new database; it is one only when nothing else is there.
    return fs.existsSync(wal) || fs.existsSync(shm) ? 'the catalog file is empty (0 bytes) but has a write-ahead log' : null;
  }
  const head = readHead(file, 100);
  if (head.length < 100) return `the file is too short to be a database (${size} bytes)`;
  if (!head.subarray(0, 16).equals(MAGIC)) {
    const zeros = head.every((b) => b === 0);
    return `file is not a database (its first bytes are ${zeros ? 'all zeros' : 'not the SQLite header'})`;
  }
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `the header gives an impossible page size (${raw})`;
  if (size % pageSize !== 0) return `the file is truncated: ${size} bytes is not a whole number of ${pageSize}-byte pages`;
  const pages = head.readUInt32BE(28);
  const changeCounter = head.readUInt32BE(24);
  const validFor = head.readUInt32BE(92);
  if (pages > 0 && validFor === changeCounter && size < pages * pageSize) {
    return `the file is truncated: it holds ${size / pageSize} pages, its header says ${pages}`;
  }
  return inspectWal(wal, shm);
}

/** The wal-index header (the -shm's first 136 bytes, in the machine's byte order) against the -wal. */
function inspectWal(wal: string, shm: string): string | null {
  if (!fs.existsSync(shm)) return null;
  const head = readHead(shm, 136);
  if (head.length < 136) return null;
  const le = os.endianness() === 'LE';
  const u32 = (at: number) => (le ? head.readUInt32LE(at) : head.readUInt32BE(at));
  const isInit = head[12] === 1;
  const pageSize = le ? head.readUInt16LE(14) : head.readUInt16BE(14);
  const mxFrame = u32(16);
  const nBackfill = u32(96);
  if (!isInit || mxFrame <= nBackfill) return null;
  const name = path.basename(wal);
  if (!fs.existsSync(wal)) return `its write-ahead log (${name}) is missing, and it held ${mxFrame - nBackfill} pages of commits not yet in the file`;
  const frameBytes = 24 + (pageSize === 1 ? 65536 : pageSize);
  const need = 32 + mxFrame * frameBytes;
  const walSize = fs.statSync(wal).size;
  if (walSize < need) return `its write-ahead log (${name}) is cut short: ${walSize} bytes, but it held ${mxFrame} pages (${need} bytes)`;
  return null;
}

/** Which of the catalog's -wal and -shm exist now (before a connection that may create them). */
export function walFilesBefore(file: string): { wal: boolean; shm: boolean } {
  return { wal: fs.existsSync(`${file}-wal`), shm: fs.existsSync(`${file}-shm`) };
}

/**
 * After a connection that found damage (or only read) has closed: removes the empty -wal and its
 * -shm that opening a WAL database made where there were none, so that the files are as they were.
 */
export function removeWalLeftovers(file: string, before: { wal: boolean; shm: boolean }): void {
  const wal = `${file}-wal`;
  const shm = `${file}-shm`;
  try {
    if (!before.wal && fs.existsSync(wal) && fs.statSync(wal).size === 0) fs.rmSync(wal);
    if (!before.shm && fs.existsSync(shm) && !fs.existsSync(wal)) fs.rmSync(shm);
  } catch {
    // in use again by now: left as SQLite keeps them
  }
}

/** A SQLite error that means damage (SQLITE_CORRUPT*, SQLITE_NOTADB) as CatalogDamagedError; anything else unchanged. */
export function asCatalogDamage(e: unknown, file: string): unknown {
  if (e instanceof CatalogDamagedError) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    return new CatalogDamagedError(file, (e as Error).message);
  }
  return e;
}

/** Up to this many pages (32 MB of 4 KB pages, ~5,000 photos) the check on open is the whole quick_check. */
const FULL_CHECK_PAGES = 8192;

/** Tables the check on open leaves to the full check: derived data most of the file is made of. */
const LEFT_TO_FULL_CHECK = new Set(['embeddings']);

/**
 * The pragmas of the check before any write ([Note: catalog damage]): the whole `quick_check` of a
 * small catalog, else `quick_check(<table>)` of every table but the vectors. Virtual tables are
 * checked through their shadow tables; reading the schema here checks sqlite_schema's pages.
 */
export function checksOnOpen(db: Database.Database): string[] {
  // A small catalog gets the whole check: a few tens of ms at most.
  if ((db.pragma('page_count', { simple: true }) as number) <= FULL_CHECK_PAGES) return ['quick_check(10)'];
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string; sql: string | null }[];
  return tables
    .filter((t) => !LEFT_TO_FULL_CHECK.has(t.name) && !/^CREATE VIRTUAL TABLE/i.test(t.sql ?? ''))
    .map((t) => `quick_check("${t.name.replaceAll('"', '""')}")`);
}

/** Runs `checksOnOpen` on this connection: the problems found (empty when none), at most 10. */
export function quickCheckOnOpen(db: Database.Database): string[] {
  const problems: string[] = [];
  for (const pragma of checksOnOpen(db)) {
    for (const r of db.pragma(pragma) as { quick_check: string }[]) if (r.quick_check !== 'ok') problems.push(r.quick_check);
    if (problems.length >= 10) break;
  }
  return problems.slice(0, 10);
}

/** The whole `PRAGMA quick_check` on this connection: the problems found (empty when none). */
export function quickCheck(db: Database.Database): string[] {
  return (db.pragma('quick_check(10)') as { quick_check: string }[]).map((r) => r.quick_check).filter((s) => s !== 'ok');
}

/** What a backup copy holds, counted by the worker that checked it. */
export interface CatalogCounts {
  photos: number;
  userCaptions: number;
  userTags: number;
  hiddenTags: number;
  schemaVersion: number;
}

export function countCatalog(db: Database.Database): CatalogCounts {
  const n = (sql: string) => db.prepare(sql).pluck().get() as number;
  return {
    photos: n('SELECT COUNT(*) FROM photos'),
    userCaptions: n("SELECT COUNT(*) FROM captions WHERE source = 'user'"),
    userTags: n("SELECT COUNT(*) FROM tags WHERE source = 'user' AND hidden = 0"),
    hiddenTags: n('SELECT COUNT(*) FROM tags WHERE hidden = 1'),
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
  };
}

export interface OffThreadCheck {
  problems: string[];
  /** Only for a copy (mode 'copy'), when it passed. */
  counts: CatalogCounts | null;
}

// Plain CommonJS, so that it runs as an eval'd worker under Node and in the Electron bundle alike
// (no entry of its own to build). better-sqlite3 is required by the path resolved here.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const { file, nativeBinding, mode, pragmas } = workerData;
try {
  const db = new Database(file, { readonly: mode === 'live', fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    db.pragma('busy_timeout = 5000');
    // A copy is made self-contained (no -wal, -shm) before it is checked and kept.
    if (mode === 'copy') db.pragma('journal_mode = DELETE');
    const problems = [];
    for (const pragma of pragmas) {
      for (const r of db.pragma(pragma)) if (r.quick_check !== 'ok') problems.push(r.quick_check);
      if (problems.length >= 10) break;
    }
    let counts = null;
    if (mode === 'copy' && problems.length === 0) {
      const n = (sql) => db.prepare(sql).pluck().get();
      counts = {
        photos: n('SELECT COUNT(*) FROM photos'),
        userCaptions: n("SELECT COUNT(*) FROM captions WHERE source = 'user'"),
        userTags: n("SELECT COUNT(*) FROM tags WHERE source = 'user' AND hidden = 0"),
        hiddenTags: n('SELECT COUNT(*) FROM tags WHERE hidden = 1'),
        schemaVersion: db.pragma('user_version', { simple: true }),
      };
    }
    parentPort.postMessage({ problems, counts });
  } finally {
    db.close();
  }
} catch (e) {
  parentPort.postMessage({ problems: [String(e && e.message || e)], counts: null });
}
`;

const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');

/** A running off-thread check; `stop()` ends it (its promise then rejects). */
export interface RunningCheck {
  result: Promise<OffThreadCheck>;
  stop(): void;
}

/**
 * The whole `PRAGMA quick_check` of `file` (or the `pragmas` given: `checksOnOpen`'s) on a worker
 * thread, so that a second of checking at 100k photos stalls neither the first search, indexing nor
 * the window. 'live': the catalog in use, read-only beside the engine's connection; 'copy': a
 * backup copy, made self-contained first, then counted.
 */
export function quickCheckOffThread(
  file: string,
  mode: 'live' | 'copy',
  nativeBinding?: string,
  pragmas: readonly string[] = ['quick_check(10)'],
): RunningCheck {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, mode, nativeBinding, pragmas, module: sqliteModule } });
  worker.unref();
  let stopped = false;
  const result = new Promise<OffThreadCheck>((resolve, reject) => {
    worker.once('message', (m: OffThreadCheck) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(stopped ? 'the check was stopped' : `the check's worker exited (${code})`)));
  });
  result.catch(() => undefined);
  return {
    result,
    stop() {
      stopped = true;
      void worker.terminate();
    },
  };
}
