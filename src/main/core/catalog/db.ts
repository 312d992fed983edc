// Opens the catalog database: WAL mode, foreign keys, and the versioned migrations.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations.ts';
import { asCatalogDamage, CatalogDamagedError, inspectCatalogFiles, quickCheckOnOpen, removeWalLeftovers, walFilesBefore } from './integrity.ts';
import { backupBeforeMigration, listBackups } from './backup.ts';

export type Db = Database.Database;
export type Statement = Database.Statement;

/** Prepared statements of one connection, cached by their SQL text. */
export function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}

export interface OpenDbOptions {
  /** Open without writing: no migrations, query-only. */
  readonly?: boolean;
  /**
   * A better-sqlite3 addon built for another ABI (Electron's). See [Note: two ABIs] in
   * src/main/core/native.ts.
   */
  nativeBinding?: string;
  /**
   * The backups folder: a writable open backs the catalog up there before a migration, and refuses
   * to start an empty catalog where the file is gone but backups exist.
   */
  backupsDir?: string;
  /**
   * Leave the check before any write to the caller (`openCatalog`'s `checkPending`): the connection
   * stays query_only until `checksOnOpen` has passed off the main thread and `finishOpen` ran, so
   * that the first search need not wait for it. A catalog that needs a migration (or is new) is
   * checked and migrated now all the same.
   */
  deferCheck?: boolean;
}

/** An open catalog; with `checkPending`, query_only until `finishOpen` ([Note: catalog damage]). */
export interface OpenedCatalog {
  db: Db;
  /** The check before any write is the caller's to run (off the main thread); until then nothing can be written. */
  checkPending: boolean;
  /** What to run when a check finds damage (for a CatalogDamagedError's hint). */
  repairHint: string | undefined;
}

/** What to run, given the backups there are. */
export function repairHint(backupsDir: string | undefined): string | undefined {
  if (!backupsDir) return undefined;
  const newest = listBackups(backupsDir)[0];
  if (!newest) return 'There is no backup to restore: move the damaged file aside to start a new catalog, then `shoebox import --user-data FILE` an export if you have one.';
  return `Run \`shoebox repair\` to restore the newest good backup (the one of ${newest.createdAt} holds ${newest.userCaptions} captions of yours); the damaged file is kept beside it.`;
}

/**
 * Opens the catalog. A writable open checks it before writing a byte ([Note: catalog damage]):
 * CatalogDamagedError when it is damaged, and then nothing was written.
 */
export function openDatabase(file: string, options: Omit<OpenDbOptions, 'deferCheck'> = {}): Db {
  return openCatalogFile(file, options).db;
}

/**
 * Opens the catalog as `openDatabase` does; with `deferCheck`, a catalog at the current schema
 * opens query_only with its check still to run (`checkPending`), and `finishOpen` makes it
 * writable once the check has passed.
 */
export function openCatalogFile(file: string, options: OpenDbOptions = {}): OpenedCatalog {
  const readonly = options.readonly ?? false;
  const problem = inspectCatalogFiles(file);
  if (problem) throw new CatalogDamagedError(file, problem, repairHint(options.backupsDir));
  if (!readonly && options.backupsDir && !fs.existsSync(file) && listBackups(options.backupsDir).length > 0) {
    throw new CatalogDamagedError(file, 'the catalog file is missing, but there are backups of it', repairHint(options.backupsDir));
  }
  if (!readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
  const walBefore = walFilesBefore(file);
  let db: Db;
  try {
    db = new Database(file, {
      readonly,
      fileMustExist: readonly,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (e) {
    throw withHint(asCatalogDamage(e, file), options.backupsDir);
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // A 64 MB page cache (SQLite's default is 2 MB): an edit of 10,000 photos dirties more pages than 2 MB
    // holds, and spilling them to the WAL in the middle of the transaction doubled its system time.
    db.pragma('cache_size = -65536');
    // Statement journals in memory instead of temp files: a third less system time in an edit of 10,000 photos.
    db.pragma('temp_store = MEMORY');
    if (!readonly) {
      // Nothing is written until the check on open has passed.
      db.pragma('query_only = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      const latest = migrations.at(-1)?.version ?? 0;
      if (options.deferCheck && version === latest && latest > 0) return { db, checkPending: true, repairHint: repairHint(options.backupsDir) };
      const problems = quickCheckOnOpen(db);
      if (problems.length) throw new CatalogDamagedError(file, `the integrity check failed: ${problems.slice(0, 3).join('; ')}`, repairHint(options.backupsDir));
      finishOpen(db);
      // An existing catalog is copied as it is before the first migration step changes it.
      if (options.backupsDir && version > 0 && version < latest) backupBeforeMigration(db, options.backupsDir);
      migrate(db, migrations);
    } else {
      const version = db.pragma('user_version', { simple: true }) as number;
      const latest = migrations.at(-1)?.version ?? 0;
      if (version > latest) throw new Error(`catalog ${file} has schema ${version}, newer than this Shoebox (${latest})`);
    }
  } catch (e) {
    db.close();
    const error = withHint(asCatalogDamage(e, file), options.backupsDir);
    if (error instanceof CatalogDamagedError) removeWalLeftovers(file, walBefore);
    throw error;
  }
  return { db, checkPending: false, repairHint: repairHint(options.backupsDir) };
}

/** The catalog passed its check: writable, in WAL mode. */
export function finishOpen(db: Db): void {
  db.pragma('query_only = OFF');
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode is durable against process crashes (kill -9); only an OS crash can
  // lose the last transactions, never corrupt the database.
  db.pragma('synchronous = NORMAL');
}

function withHint(e: unknown, backupsDir: string | undefined): unknown {
  if (e instanceof CatalogDamagedError && backupsDir && e.hint !== repairHint(backupsDir)) {
    return new CatalogDamagedError(e.file, e.problem, repairHint(backupsDir));
  }
  return e;
}

export function migrate(db: Db, list: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = list.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`the catalog has schema version ${current}, newer than this Shoebox understands (${latest}); update Shoebox`);
  }
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.run?.(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
