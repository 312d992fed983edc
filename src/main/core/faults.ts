// A full disk: how the engine recognises one, and the seam tests inject one through.
//
// [Note: full disk] ENOSPC (or a quota's EDQUOT) from a file write and SQLITE_FULL from the catalog mean the
// disk holding the data folder is full: not the photo's fault. The pipeline then stops taking batches, leaves
// the tasks as they were (a commit that failed rolled back whole; no attempt counts, no photo is marked
// failed), says "the disk holding <data> is full" in status, and probes with a small write until there is
// space again, then goes on by itself. Every file the engine writes is written beside its target and renamed
// into place (thumbnails and previews through media/decode.ts writeAtomic, the vector index through
// search/vector-index.ts saveNow, which also walks the graph file hnswlib wrote, since hnswlib's writer does
// not report a short write), so a full disk leaves no half-written file where a reader looks.
//
// The seam: these machines cannot mount a small filesystem, so tests arm a write point (`injectDiskFull`),
// and the writers call `writeFault(point, file)` right after writing `file`: armed, it cuts the file short
// (a short write), and in 'enospc' mode throws the error a full disk gives. The catalog's point throws
// SQLITE_FULL inside the pipeline's commit, before it commits. Nothing is armed outside tests.
import fs from 'node:fs';

/** Where the engine writes: the thumbnail cache, the vector index, the catalog's commits, the space probe. */
export type WritePoint = 'cache' | 'index' | 'catalog' | 'probe';

/** 'enospc': the write fails with ENOSPC (SQLITE_FULL at the catalog); 'short': the file is cut short and nothing says so. */
export type FaultMode = 'enospc' | 'short';

const armed = new Map<WritePoint, FaultMode>();

/** Arms a write point (tests only). */
export function injectDiskFull(point: WritePoint, mode: FaultMode = 'enospc'): void {
  armed.set(point, mode);
}

/** Disarms one write point, or all of them: the space is back. */
export function clearDiskFull(point?: WritePoint): void {
  if (point) armed.delete(point);
  else armed.clear();
}

/** Whether a test has made the disk "full" at any point (the space probe then fails too). */
export function diskFullInjected(): boolean {
  return armed.size > 0;
}

/** The error Node gives a write on a full disk. */
export function enospc(syscall: string, file: string): NodeJS.ErrnoException {
  const e = new Error(`ENOSPC: no space left on device, ${syscall} '${file}'`) as NodeJS.ErrnoException;
  e.code = 'ENOSPC';
  e.errno = -28;
  e.syscall = syscall;
  e.path = file;
  return e;
}

/** The error better-sqlite3 throws when SQLite finds the disk full (an SqliteError with code SQLITE_FULL). */
export function sqliteFull(): Error {
  const e = new Error('database or disk is full') as Error & { code: string };
  e.name = 'SqliteError';
  e.code = 'SQLITE_FULL';
  return e;
}

/** Called by a writer right after it wrote `file` (see the header); does nothing unless a test armed `point`. */
export function writeFault(point: WritePoint, file?: string): void {
  const mode = armed.get(point);
  if (!mode) return;
  if (point === 'catalog') throw sqliteFull();
  if (file !== undefined) {
    try {
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    } catch {
      // nothing written yet
    }
  }
  if (mode === 'enospc') throw enospc('write', file ?? point);
}

/** Whether an error says the disk is full: ENOSPC, EDQUOT, SQLITE_FULL (also when it is the cause of another). */
export function isDiskFull(e: unknown): boolean {
  for (let x = e, depth = 0; x && typeof x === 'object' && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true;
  }
  return false;
}
