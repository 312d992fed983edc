// The Windows Recycle Bin: <drive>\$Recycle.Bin\<SID>\ holds a pair per item, $R<id><ext> (the file)
// and $I<id><ext> (where it was). The $I file, little-endian:
//   version 1 (Vista to 8.1): int64 header = 1, int64 size, FILETIME deletion time, then the path
//     as 260 UTF-16 code units, NUL-padded (544 bytes in all);
//   version 2 (Windows 10 and later): int64 header = 2, int64 size, FILETIME deletion time, int32
//     path length in UTF-16 code units counting its NUL, then the path.
// Folders of other users' SIDs cannot be listed and are skipped, so no SID lookup is needed.
import fs from 'node:fs';
import path from 'node:path';

export interface RecycleInfo {
  version: 1 | 2;
  size: number;
  /** Deletion time, ms since the epoch. */
  deletedAt: number;
  original: string;
}

const FILETIME_EPOCH_MS = 11_644_473_600_000n; // 1601-01-01 to 1970-01-01

/** Parses a $I file's bytes; null when they are not one. */
export function parseRecycleInfo(buf: Buffer): RecycleInfo | null {
  if (buf.length < 24) return null;
  const version = buf.readBigInt64LE(0);
  const size = Number(buf.readBigInt64LE(8));
  const deletedAt = Number(buf.readBigUInt64LE(16) / 10_000n - FILETIME_EPOCH_MS);
  let raw: Buffer;
  if (version === 1n) {
    if (buf.length < 24 + 2) return null;
    raw = buf.subarray(24, Math.min(buf.length, 24 + 520));
  } else if (version === 2n) {
    if (buf.length < 28) return null;
    const units = buf.readInt32LE(24);
    if (units <= 0 || 28 + units * 2 > buf.length) return null;
    raw = buf.subarray(28, 28 + units * 2);
  } else return null;
  let end = 0;
  while (end + 1 < raw.length && (raw[end] !== 0 || raw[end + 1] !== 0)) end += 2;
  const original = raw.subarray(0, end).toString('utf16le');
  if (!original || size < 0) return null;
  return { version: version === 1n ? 1 : 2, size, deletedAt, original };
}

/** Writes a $I file's bytes (tests lay out a Recycle Bin with it, as Windows does). */
export function formatRecycleInfo(info: Omit<RecycleInfo, 'deletedAt'> & { deletedAt: number }): Buffer {
  const p = Buffer.from(`${info.original}\0`, 'utf16le');
  const head = Buffer.alloc(info.version === 1 ? 24 : 28);
  head.writeBigInt64LE(BigInt(info.version), 0);
  head.writeBigInt64LE(BigInt(info.size), 8);
  head.writeBigUInt64LE((BigInt(info.deletedAt) + FILETIME_EPOCH_MS) * 10_000n, 16);
  if (info.version === 2) {
    head.writeInt32LE(p.length / 2, 24);
    return Buffer.concat([head, p]);
  }
  const fixed = Buffer.alloc(520);
  p.copy(fixed, 0, 0, Math.min(p.length, 518));
  return Buffer.concat([head, fixed]);
}

export interface WindowsContext {
  /** The Recycle Bin of the drive a path is on; by default <root of the path>\$Recycle.Bin. */
  binOf?: (original: string) => string;
  /** Whether two paths name the same file: case-insensitive, as NTFS names are, by default. */
  samePath?: (a: string, b: string) => boolean;
}

const defaultBinOf = (original: string) => path.win32.join(path.win32.parse(original).root, '$Recycle.Bin');
const defaultSamePath = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export interface RecycleCandidate {
  file: string;
  info: string;
  deletedAt: number;
}

/** The $R files whose $I says they were at `original` and were `size` bytes, newest first. */
export async function windowsCandidates(original: string, size: number, ctx: WindowsContext = {}): Promise<RecycleCandidate[]> {
  const bin = (ctx.binOf ?? defaultBinOf)(original);
  const same = ctx.samePath ?? defaultSamePath;
  let sids: string[];
  try {
    sids = await fs.promises.readdir(bin);
  } catch {
    return [];
  }
  const out: RecycleCandidate[] = [];
  for (const sid of sids) {
    const dir = path.join(bin, sid);
    let names: string[];
    try {
      names = await fs.promises.readdir(dir); // another user's folder: EPERM, skipped
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith('$I')) continue;
      const info = path.join(dir, name);
      let parsed: RecycleInfo | null;
      try {
        parsed = parseRecycleInfo(await fs.promises.readFile(info));
      } catch {
        continue;
      }
      if (!parsed || parsed.size !== size || !same(parsed.original, original)) continue;
      out.push({ file: path.join(dir, `$R${name.slice(2)}`), info, deletedAt: parsed.deletedAt });
    }
  }
  return out.sort((a, b) => b.deletedAt - a.deletedAt);
}
