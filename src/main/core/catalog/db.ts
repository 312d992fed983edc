// Opens the catalog database: WAL mode, foreign keys, and the versioned migrations.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations.ts';

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
}

export function openDatabase(file: string, options: OpenDbOptions = {}): Db {
  if (!options.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // A 64 MB page cache (SQLite's default is 2 MB): an edit of 10,000 photos dirties more pages than 2 MB
  // holds, and spilling them to the WAL in the middle of the transaction doubled its system time.
  db.pragma('cache_size = -65536');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable against process crashes (kill -9); only an OS crash can
    // lose the last transactions, never corrupt the database.
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations);
  } else {
    const version = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations.at(-1)?.version ?? 0;
    if (version > latest) throw new Error(`catalog ${file} has schema ${version}, newer than this Shoebox (${latest})`);
  }
  return db;
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
