// What every CLI command gets: output streams, the resolved data and models folders, library access.
import path from 'node:path';
import { openDatabase, type Db } from '../core/catalog/db.ts';
import { openCatalog, type Repositories } from '../core/catalog/repositories.ts';
import { Library } from '../core/library.ts';
import { LibraryLockedError } from '../core/lock.ts';
import { STAGE_NAMES } from '../core/pipeline/stages.ts';
import { openReadOnly } from '../core/read-only.ts';
import { ModelStore } from '../core/models/store.ts';
import { dataPaths } from '../core/paths.ts';

/** A command used wrongly: exit 2, the message, then `usage` (the command's own lines) or the whole help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WriteStream;
}

export interface Context {
  io: Io;
  dataDir: string;
  /** --models or SHOEBOX_MODELS; undefined means <dataDir>/models. */
  modelsDir: string | undefined;
  quiet: boolean;
}

export function modelsDirOf(ctx: Context): string {
  return ctx.modelsDir ?? dataPaths(ctx.dataDir).models;
}

export function modelStore(ctx: Context): ModelStore {
  return new ModelStore(modelsDirOf(ctx));
}

/** Opens the library for writing (takes its lock), runs `fn`, and always closes it. */
export async function withLibrary<T>(ctx: Context, fn: (lib: Library) => Promise<T>): Promise<T> {
  const lib = Library.open({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir });
  try {
    return await fn(lib);
  } finally {
    await lib.close();
  }
}

/**
 * Runs a change on the library (taking its lock, always closed after), or, when another Shoebox holds the lock,
 * `onCatalog` on its catalog directly (SQLite serializes the writers; that Shoebox follows at its next read).
 */
export async function withLibraryOrCatalog<T>(
  ctx: Context,
  onLibrary: (lib: Library) => T | Promise<T>,
  onCatalog: (catalog: { db: Db; repos: Repositories }, locked: LibraryLockedError) => T,
): Promise<T> {
  let lib: Library;
  try {
    lib = Library.open({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir });
  } catch (e) {
    if (!(e instanceof LibraryLockedError)) throw e;
    const db = openDatabase(dataPaths(ctx.dataDir).catalog);
    try {
      return onCatalog({ db, repos: openCatalog(db, () => STAGE_NAMES) }, e);
    } finally {
      db.close();
    }
  }
  try {
    return await onLibrary(lib);
  } finally {
    await lib.close();
  }
}

/** Opens the catalog read-only (no lock: works beside a running app); null when there is none yet. */
export function withReader<T>(ctx: Context, fn: (r: NonNullable<ReturnType<typeof openReadOnly>>) => T): T | null {
  const r = openReadOnly(ctx.dataDir);
  if (!r) return null;
  try {
    return fn(r);
  } finally {
    r.db.close();
  }
}

export function resolved(p: string): string {
  return path.resolve(p);
}
