// Moving a photo file without ever losing it: [Note: safe move].
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sha256File } from '../hash.ts';

// [Note: safe move]
// A file moves by rename when source and destination share a device, else by copy + fsync +
// verify + unlink, and the destination is never overwritten:
// - Same device: link(src, dst) then unlink(src). link fails with EEXIST when dst is taken, so a
//   file that appeared there meanwhile is never replaced. Where links are not supported (FAT,
//   exFAT, some network shares) dst is checked absent and src renamed over to it.
// - Across devices (EXDEV): the bytes are copied to a hidden partial name beside dst, fsynced,
//   read back and compared by size and SHA-256 with the fingerprint the caller holds; only then is
//   the partial renamed (no-clobber, as above) to dst, the folder fsynced, and src unlinked.
// A kill at any point leaves the file at src (a partial copy, hidden and never matched, may be
// left beside dst), or a verified copy at dst with src still there (the move is not reported, so
// the caller never counts it as moved: on a put the photo stays in the library, an extra verified
// copy lies in the trash; on a restore the original path exists again and restore says so), or
// the file at dst only. Never nowhere.

export interface MoveOptions {
  /** The content's SHA-256 (lower-case hex): a copy across devices is verified against it before src goes. */
  fingerprint: string;
  /** For tests: the rename/link calls, to make a same-device move act as one across devices. */
  fsOps?: Partial<Pick<typeof fs.promises, 'rename' | 'link'>>;
}

const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EINVAL']);

export class DestinationTakenError extends Error {
  constructor(readonly destination: string) {
    super(`${destination} already exists`);
    this.name = 'DestinationTakenError';
  }
}

/** Renames `src` to `dst` on one device, failing (DestinationTakenError) rather than replacing a file at `dst`. EXDEV passes through. */
async function renameNoClobber(src: string, dst: string, ops: MoveOptions['fsOps'] = {}): Promise<void> {
  const link = ops.link ?? fs.promises.link;
  const rename = ops.rename ?? fs.promises.rename;
  const st = await fs.promises.lstat(src);
  if (!st.isSymbolicLink()) {
    try {
      await link(src, dst);
      await fs.promises.unlink(src);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new DestinationTakenError(dst);
      if (!NO_LINKS.has(code ?? '')) throw e;
    }
  }
  if (await present(dst)) throw new DestinationTakenError(dst);
  await rename(src, dst);
}

async function present(p: string): Promise<boolean> {
  try {
    await fs.promises.lstat(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // folders cannot be opened for fsync there; NTFS journals the rename
  const h = await fs.promises.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Moves `src` to `dst` ([Note: safe move]). Throws DestinationTakenError, leaving both as they were, when `dst` exists. */
export async function safeMove(src: string, dst: string, options: MoveOptions): Promise<void> {
  try {
    await renameNoClobber(src, dst, options.fsOps);
    await fsyncDir(path.dirname(dst)).catch(() => undefined);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
  }
  const st = await fs.promises.lstat(src);
  if (!st.isFile()) throw new Error(`Cannot move ${src} to another drive: it is a link, not a file.`);
  if (await present(dst)) throw new DestinationTakenError(dst);
  const partial = path.join(path.dirname(dst), `.${path.basename(dst)}.${randomBytes(4).toString('hex')}.shoebox-partial`);
  try {
    await fs.promises.copyFile(src, partial, fs.constants.COPYFILE_EXCL);
    const out = await fs.promises.open(partial, 'r+');
    try {
      await out.sync();
    } finally {
      await out.close();
    }
    await fs.promises.utimes(partial, st.atime, st.mtime);
    const copied = await fs.promises.stat(partial);
    if (copied.size !== st.size || (await sha256File(partial)) !== options.fingerprint) {
      throw new Error(`The copy of ${src} at ${dst} did not read back the same; the file was left where it was.`);
    }
    // Same folder, so same device: a no-clobber rename.
    await renameNoClobber(partial, dst);
  } catch (e) {
    await fs.promises.rm(partial, { force: true }).catch(() => undefined);
    throw e;
  }
  await fsyncDir(path.dirname(dst)).catch(() => undefined);
  await fs.promises.unlink(src);
  await fsyncDir(path.dirname(src)).catch(() => undefined);
}
