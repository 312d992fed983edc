// What a trash holds and how a candidate is confirmed: the types every trash shares, its errors,
// and the one check (size, then SHA-256) that keeps the wrong file from ever being restored.
import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from '../hash.ts';
import { DestinationTakenError, safeMove } from './move.ts';

/** A photo file put in a trash: what restore needs to find it and to know it is the same file. */
export interface TrashedFile {
  /** The absolute path it had, and gets back on restore. */
  readonly original: string;
  /** Its size in bytes when it was put away. */
  readonly size: number;
  /** Lower-case hex SHA-256 of its content (core/hash.ts sha256File), the catalog's fingerprint. */
  readonly fingerprint: string;
  /** When it was put away (ms since the epoch): a hint to prefer among candidates, never a proof. */
  readonly trashedAt: number;
  /**
   * Where it lies in the trash when that is known (the folder trash, the freedesktop put); null
   * where the system does not say (the `trash` package on macOS and Windows, Electron's
   * shell.trashItem): restore then finds it by `original`, size and fingerprint.
   */
  readonly location: string | null;
}

/** What `put` may be told to expect: a file that no longer matches is refused, not put away. */
export interface PutExpectation {
  size?: number;
  fingerprint?: string;
}

export interface Trash {
  readonly kind: 'system' | 'folder';
  /** Moves `file` into the trash and says what it was; refuses (TrashError, nothing moved) when it cannot. */
  put(file: string, expect?: PutExpectation): Promise<TrashedFile>;
  /** Moves the file back to `item.original`; refuses (TrashError, nothing moved) when the path is taken or the file is gone from the trash. */
  restore(item: TrashedFile): Promise<void>;
  /** Where the file lies in the trash now (confirmed by size and SHA-256), or null when it is not there. */
  locate(item: TrashedFile): Promise<string | null>;
}

export type TrashErrorCode =
  | 'not-found' // put: nothing at that path
  | 'not-a-file' // put: a folder or something else that is not a photo file
  | 'changed' // put: the file is not the one expected (size or fingerprint)
  | 'not-taken' // put: the system trash returned but the file is still there
  | 'original-exists' // restore: something is at the original path again
  | 'not-in-trash' // restore: no file in the trash is this one (emptied, or restored already)
  | 'trash-unusable'; // the trash folder cannot be made or read

export class TrashError extends Error {
  constructor(
    readonly code: TrashErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'TrashError';
  }
}

/** A regular file's size, or null when `file` is missing or not a regular file. */
export async function fileSize(file: string): Promise<number | null> {
  try {
    const st = await fs.promises.stat(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** True when `file` is `item`'s content: the size first (a stat), then the SHA-256 (a read). */
export async function isSameFile(file: string, item: Pick<TrashedFile, 'size' | 'fingerprint'>): Promise<boolean> {
  if ((await fileSize(file)) !== item.size) return false;
  try {
    return (await sha256File(file)) === item.fingerprint;
  } catch {
    return false;
  }
}

/** The first of `candidates` that is `item`'s content, tried in order; null when none is. */
export async function firstSame(candidates: Iterable<string>, item: Pick<TrashedFile, 'size' | 'fingerprint'>): Promise<string | null> {
  for (const c of candidates) if (await isSameFile(c, item)) return c;
  return null;
}

/** True when something (a file, a folder, a dangling link) is at `p`. */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.lstat(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** What `put` checks before anything moves: a regular file (or a link to one), as expected; its size and fingerprint. */
export async function describeForPut(file: string, expect: PutExpectation = {}): Promise<{ size: number; fingerprint: string }> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new TrashError('not-found', `Cannot put away ${file}: there is no file there.`, file);
    throw e;
  }
  if (!st.isFile()) throw new TrashError('not-a-file', `Cannot put away ${file}: it is not a file.`, file);
  if (expect.size !== undefined && st.size !== expect.size) {
    throw new TrashError('changed', `Not putting away ${file}: it is ${st.size} bytes now, not the ${expect.size} the library knows; scan it again first.`, file);
  }
  const fingerprint = await sha256File(file);
  if (expect.fingerprint !== undefined && fingerprint !== expect.fingerprint.toLowerCase()) {
    throw new TrashError('changed', `Not putting away ${file}: its content changed since the library read it; scan it again first.`, file);
  }
  return { size: st.size, fingerprint };
}

/** A trashed file found: where it lies, and its record beside it (a .trashinfo, a $I file, a JSON record) to remove once it is back. */
export interface Found {
  file: string;
  record: string | null;
}

/**
 * Restore, the same for every trash: refused when the original path is taken or the file is not
 * found (nothing moved either way); else the file moves back ([Note: safe move], no-clobber), its
 * parent folder made again if it was removed, and its record goes.
 */
export async function restoreFound(item: TrashedFile, find: () => Promise<Found | null>): Promise<void> {
  const taken = () => new TrashError('original-exists', `Cannot put ${item.original} back: something is at that path again. Move it away first.`, item.original);
  if (await exists(item.original)) throw taken();
  let found: Found | null;
  try {
    found = await find();
  } catch (e) {
    throw new TrashError('trash-unusable', (e as Error).message, item.original);
  }
  if (!found) throw new TrashError('not-in-trash', `Cannot put ${item.original} back: it is no longer in the trash (emptied, or restored already).`, item.original);
  await fs.promises.mkdir(path.dirname(item.original), { recursive: true });
  try {
    await safeMove(found.file, item.original, { fingerprint: item.fingerprint });
  } catch (e) {
    if (e instanceof DestinationTakenError) throw taken();
    throw e;
  }
  if (found.record) await fs.promises.rm(found.record, { force: true });
}
