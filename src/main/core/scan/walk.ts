// Walks a library folder: photos only, no hidden or temp files, symlink loops and bad names survived.
import fs from 'node:fs';
import path from 'node:path';
import type { ScanIssue } from '../../../shared/types.ts';
import { isIgnoredDir, isScannedName } from '../media/formats.ts';

export interface FileEntry {
  path: string;
  size: number;
  /** Whole milliseconds, as stored in the catalog. */
  mtimeMs: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(raw: Buffer): string | null {
  try {
    return utf8.decode(raw);
  } catch {
    return null;
  }
}

const STAT_BATCH = 64;

/**
 * Yields every photo and video file under `root`, depth first. Directory symlinks are followed once: a
 * directory already visited (same device and inode) is skipped, so loops end. Problems with one
 * entry (unreadable directory, name that is not UTF-8) go to `issues` and the walk goes on.
 */
export async function* walkPhotos(root: string, issues: ScanIssue[]): AsyncGenerator<FileEntry[]> {
  const visited = new Set<string>();
  const stack: string[] = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let dirStat: fs.Stats;
    let entries: fs.Dirent<Buffer>[];
    try {
      dirStat = await fs.promises.stat(dir);
      const key = `${dirStat.dev}:${dirStat.ino}`;
      if (visited.has(key)) continue;
      visited.add(key);
      entries = await fs.promises.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      issues.push({ path: dir, reason: `cannot read this folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    const files: string[] = [];
    const subdirs: string[] = [];
    const links: string[] = [];
    for (const ent of entries) {
      const name = decodeName(ent.name);
      if (name === null) {
        if (ent.isDirectory() || isScannedName(ent.name.toString('latin1'))) {
          issues.push({ path: path.join(dir, ent.name.toString('utf8')), reason: 'the name is not valid UTF-8; rename it to include it in the library' });
        }
        continue;
      }
      if (ent.isDirectory()) {
        if (!isIgnoredDir(name)) subdirs.push(path.join(dir, name));
      } else if (ent.isSymbolicLink()) {
        if (!name.startsWith('.')) links.push(path.join(dir, name));
      } else if (ent.isFile() && isScannedName(name)) {
        files.push(path.join(dir, name));
      }
    }
    for (const link of links) {
      try {
        const st = await fs.promises.stat(link);
        if (st.isDirectory()) subdirs.push(link);
        else if (st.isFile() && isScannedName(path.basename(link))) files.push(link);
      } catch {
        // a dangling link is not a photo
      }
    }
    for (let i = 0; i < files.length; i += STAT_BATCH) {
      const batch = files.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map((f) => fs.promises.stat(f).catch((e: NodeJS.ErrnoException) => e)));
      const out: FileEntry[] = [];
      stats.forEach((st, j) => {
        const file = batch[j]!;
        if (st instanceof Error) {
          if (st.code !== 'ENOENT') issues.push({ path: file, reason: `cannot read this file: ${st.code ?? st.message}` });
        } else {
          out.push({ path: file, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
        }
      });
      if (out.length) yield out;
    }
    // Reverse so the walk visits subfolders in name order.
    subdirs.sort().reverse();
    stack.push(...subdirs);
  }
}

/** A folder is available when it exists, is a directory and can be listed. */
export async function folderAvailable(dir: string): Promise<{ ok: boolean; empty: boolean }> {
  try {
    const st = await fs.promises.stat(dir);
    if (!st.isDirectory()) return { ok: false, empty: true };
    const handle = await fs.promises.opendir(dir);
    const first = await handle.read();
    await handle.close();
    return { ok: true, empty: first === null };
  } catch {
    return { ok: false, empty: true };
  }
}
