// `shoebox repair` (and the app's Repair button): the newest backup that passes the check put back
// in place of a damaged catalog, the damaged file kept beside it, exported user data reapplied,
// the folders scanned again, and a report of what came back and what may be lost.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { acquireLock } from './lock.ts';
import { dataPaths } from './paths.ts';
import { listBackups, type BackupInfo } from './catalog/backup.ts';
import { inspectCatalogFiles, quickCheck, removeWalLeftovers, walFilesBefore } from './catalog/integrity.ts';
import { importUserData, newestUserDataSince, type ImportResult } from './annotate/user-data.ts';
import { Library, type LibraryOptions } from './library.ts';
import type { FolderScan } from './scan/scanner.ts';
import { errorMessage } from '../../shared/error-message.ts';

export interface RepairReport {
  /** What was wrong with the catalog (null: it was missing). */
  problem: string | null;
  /** Where the damaged catalog went (null when there was no file). */
  damagedKeptAs: string | null;
  restored: BackupInfo;
  /** Backups skipped because they failed the check, newest first. */
  skipped: { file: string; why: string }[];
  /** The export reapplied (a copy in backups/ made after the backup), if any. */
  userData: { file: string; result: ImportResult } | null;
  scans: FolderScan[];
  /** Sidecars on: edits after the backup come back from them as photos are read again. */
  xmp: boolean;
  /** What may be lost, in words (empty when nothing). */
  lost: string[];
}

/** There is nothing to repair: the catalog opens and passes the check. */
export class NothingToRepairError extends Error {}

/** Why the catalog cannot be used, or null when it passes the whole check (the CLI's repair runs it in-thread). */
export function diagnoseCatalog(file: string, nativeBinding?: string): string | null {
  if (!fs.existsSync(file)) return null;
  const shape = inspectCatalogFiles(file);
  if (shape) return shape;
  const before = walFilesBefore(file);
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
    try {
      const problems = quickCheck(db);
      return problems.length ? `the integrity check failed: ${problems.slice(0, 3).join('; ')}` : null;
    } finally {
      db.close();
    }
  } catch (e) {
    return errorMessage(e);
  } finally {
    removeWalLeftovers(file, before);
  }
}

function backupProblem(file: string, nativeBinding?: string): string | null {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
    try {
      const problems = quickCheck(db);
      return problems.length ? problems.slice(0, 3).join('; ') : null;
    } finally {
      db.close();
    }
  } catch (e) {
    return errorMessage(e);
  }
}

function fileStamp(d: Date): string {
  return d.toISOString().replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
}

/**
 * Repairs the library in `opts.dataDir`: throws NothingToRepairError when the catalog is whole (and
 * present), an Error when no backup passes the check (then nothing was changed).
 */
export async function repairLibrary(opts: LibraryOptions, onLine: (line: string) => void = () => {}): Promise<RepairReport> {
  const paths = dataPaths(opts.dataDir);
  const file = paths.catalog;
  const lock = acquireLock(paths.lock);
  let restored: BackupInfo | undefined;
  let damagedKeptAs: string | null = null;
  let problem: string | null = null;
  const skipped: { file: string; why: string }[] = [];
  try {
    const present = fs.existsSync(file);
    problem = present ? diagnoseCatalog(file, opts.nativeBinding) : null;
    if (present && !problem) throw new NothingToRepairError(`the catalog ${file} is not damaged: it opens and passes the integrity check; nothing to repair`);
    for (const b of listBackups(paths.backups)) {
      const why = backupProblem(path.join(paths.backups, b.file), opts.nativeBinding);
      if (!why) {
        restored = b;
        break;
      }
      skipped.push({ file: b.file, why });
      onLine(`backup ${b.file} fails the check (${why}); trying an older one`);
    }
    if (!restored) {
      throw new Error(`no backup in ${paths.backups} passes the check; nothing was changed (the catalog ${file} stays as it is)`);
    }
    if (present) {
      damagedKeptAs = `${file}.damaged-${fileStamp(new Date())}`;
      for (const suffix of ['', '-wal', '-shm']) {
        if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, damagedKeptAs + suffix);
      }
    } else {
      // A -wal or -shm without its catalog belongs to no database: moved aside with the stamp too.
      for (const suffix of ['-wal', '-shm']) {
        if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, `${file}.orphan-${fileStamp(new Date())}${suffix}`);
      }
    }
    const tmp = `${file}.restoring`;
    fs.copyFileSync(path.join(paths.backups, restored.file), tmp);
    fs.renameSync(tmp, file);
    onLine(`restored the backup of ${restored.createdAt} (${restored.photos} photos, ${restored.userCaptions} captions and ${restored.userTags} tags of yours)`);
  } finally {
    lock.release();
  }

  const lib = Library.open(opts);
  try {
    // The user data exported since the backup was taken (each export leaves a copy in backups/).
    let userData: RepairReport['userData'] = null;
    const since = newestUserDataSince(opts.dataDir, Date.parse(restored.createdAt));
    if (since) {
      const result = importUserData(lib.repos, since.file);
      userData = { file: since.file, result };
      onLine(`reapplied your data exported at ${new Date(since.exportedAt).toISOString()}: ${result.summary}`);
    }
    onLine('scanning the folders again, so photos added since the backup come back…');
    const scans = await lib.scan();
    const xmp = lib.catalog.setting('xmp') === 'on';
    const lost: string[] = [];
    const after = since ? new Date(since.exportedAt).toISOString() : restored.createdAt;
    if (!xmp) {
      lost.push(
        `captions, tags, ratings and labels you made after ${after} (XMP sidecars are off, so the catalog held the only copy)`,
      );
    } else {
      lost.push(`XMP sidecars are on: your captions, tags, ratings and labels since ${after} are in the sidecars beside the photos; hidden tags and the undo log since then are lost`);
    }
    return { problem, damagedKeptAs, restored, skipped, userData, scans, xmp, lost };
  } finally {
    await lib.close();
  }
}
