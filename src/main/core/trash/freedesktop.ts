// The freedesktop.org trash (Linux and other XDG desktops), written here rather than taken from the
// `trash` package's Linux part: README "Duplicates: the trash" says why. Spec:
// https://specifications.freedesktop.org/trash-spec/latest/ — a trash folder holds files/ and
// info/<name>.trashinfo ("[Trash Info]", Path= URL-encoded, DeletionDate=YYYY-MM-DDThh:mm:ss).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { safeMove, DestinationTakenError } from './move.ts';
import { TrashError } from './item.ts';

export interface XdgContext {
  /** $XDG_DATA_HOME, else ~/.local/share. */
  dataHome: string;
  uid: number;
}

/** The spec ignores a relative $XDG_DATA_HOME. */
export function xdgContext(env: NodeJS.ProcessEnv = process.env, home = os.homedir(), uid = process.getuid?.() ?? 0): XdgContext {
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return { dataHome, uid };
}

export const homeTrash = (ctx: XdgContext): string => path.join(ctx.dataHome, 'Trash');

/** The device of `p`, or of its nearest ancestor that exists. */
async function deviceOf(p: string): Promise<{ dev: number; existing: string }> {
  let cur = path.resolve(p);
  for (;;) {
    try {
      return { dev: (await fs.promises.stat(cur)).dev, existing: cur };
    } catch (e) {
      const parent = path.dirname(cur);
      if (parent === cur) throw e;
      cur = parent;
    }
  }
}

/** The top folder of the mount that holds `p` (the highest ancestor on the same device), found without df or /proc. */
export async function topdirOf(p: string): Promise<string> {
  const { dev, existing } = await deviceOf(p);
  let cur = existing;
  for (;;) {
    const parent = path.dirname(cur);
    if (parent === cur) return cur;
    let pdev: number;
    try {
      pdev = (await fs.promises.stat(parent)).dev;
    } catch {
      return cur;
    }
    if (pdev !== dev) return cur;
    cur = parent;
  }
}

/** $topdir/.Trash/$uid when $topdir/.Trash is a real folder with the sticky bit (the spec's admin-made trash), else null. */
async function adminTrash(topdir: string, uid: number): Promise<string | null> {
  try {
    const st = await fs.promises.lstat(path.join(topdir, '.Trash'));
    if (st.isDirectory() && !st.isSymbolicLink() && (st.mode & 0o1000) !== 0) return path.join(topdir, '.Trash', String(uid));
  } catch {
    // none
  }
  return null;
}

/** Every trash folder a file that was at `original` may be in: the home trash, then its mount's two topdir trashes. */
export async function trashDirsFor(original: string, ctx: XdgContext): Promise<{ dir: string; topdir: string | null }[]> {
  const dirs: { dir: string; topdir: string | null }[] = [{ dir: homeTrash(ctx), topdir: null }];
  const topdir = await topdirOf(original).catch(() => null);
  if (topdir) {
    dirs.push({ dir: path.join(topdir, '.Trash', String(ctx.uid)), topdir }, { dir: path.join(topdir, `.Trash-${ctx.uid}`), topdir });
  }
  return dirs;
}

/** Where a file at `file` goes: the home trash when it is on the home trash's device, else its mount's topdir trash (made if need be), else the home trash. */
async function trashDirForPut(file: string, ctx: XdgContext): Promise<string> {
  const home = homeTrash(ctx);
  const [fileDev, homeDev] = await Promise.all([deviceOf(file), deviceOf(home)]);
  if (fileDev.dev === homeDev.dev) return home;
  const topdir = await topdirOf(file);
  const candidates = [await adminTrash(topdir, ctx.uid), path.join(topdir, `.Trash-${ctx.uid}`)].filter((d): d is string => d !== null);
  for (const dir of candidates) {
    try {
      await ensureTrashDir(dir, ctx.uid);
      return dir;
    } catch {
      // not writable (a read-only or foreign mount): the spec allows the home trash, across devices
    }
  }
  return home;
}

async function ensureTrashDir(dir: string, uid: number): Promise<void> {
  await fs.promises.mkdir(path.join(dir, 'files'), { recursive: true, mode: 0o700 });
  await fs.promises.mkdir(path.join(dir, 'info'), { recursive: true, mode: 0o700 });
  const st = await fs.promises.lstat(dir);
  // The spec: a topdir trash that is a link, or someone else's, must not be used.
  if (st.isSymbolicLink() || !st.isDirectory() || (process.getuid && st.uid !== uid)) throw new Error(`${dir} is not this user's trash folder`);
}

// The characters RFC 2396 lets stand unescaped in a path, as GLib's g_file_trash writes them.
const UNRESERVED = /[A-Za-z0-9\-_.!~*'()/]/;

/** A path's bytes as the spec wants them in Path=: each byte outside RFC 2396's unreserved set (and "/") as %XX. */
export function encodeTrashPath(p: string | Buffer): string {
  const bytes = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Path='s bytes: every %XX decoded, whatever it encodes (names need not be UTF-8). */
export function decodeTrashPath(value: string): Buffer {
  const src = Buffer.from(value, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25 && i + 2 < src.length && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(src[i + 1]!, src[i + 2]!))) {
      out.push(parseInt(String.fromCharCode(src[i + 1]!, src[i + 2]!), 16));
      i += 2;
    } else out.push(b);
  }
  return Buffer.from(out);
}

export interface TrashInfo {
  path: Buffer;
  /** DeletionDate as ms since the epoch (local time, as the spec says), or null when missing or malformed. */
  deletedAt: number | null;
}

/** Reads a .trashinfo file's text; null when it is not one. */
export function parseTrashInfo(text: string): TrashInfo | null {
  let inGroup = false;
  let p: string | null = null;
  let date: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inGroup = line === '[Trash Info]';
      continue;
    }
    if (!inGroup) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1);
    if (key === 'Path' && p === null) p = value;
    else if (key === 'DeletionDate' && date === null) date = value.trim();
  }
  if (p === null || p === '') return null;
  const m = date?.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/);
  const deletedAt = m ? new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!).getTime() : null;
  return { path: decodeTrashPath(p), deletedAt };
}

function formatDeletionDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One entry of a trash that claims to have been at `original`: the file in files/ and its .trashinfo. */
export interface FreedesktopCandidate {
  file: string;
  info: string;
  deletedAt: number | null;
}

/** The entries of the trashes `original` may be in whose Path is `original` (byte for byte), newest first. */
export async function freedesktopCandidates(original: string, ctx: XdgContext): Promise<FreedesktopCandidate[]> {
  const want = Buffer.from(path.resolve(original), 'utf8');
  const out: FreedesktopCandidate[] = [];
  for (const { dir, topdir } of await trashDirsFor(original, ctx)) {
    let names: Buffer[];
    try {
      names = await fs.promises.readdir(path.join(dir, 'info'), { encoding: 'buffer' });
    } catch {
      continue; // no such trash
    }
    for (const raw of names) {
      let name: string;
      try {
        name = utf8.decode(raw); // a name that is not UTF-8 was another file's: ours are UTF-8 (scan/walk.ts)
      } catch {
        continue;
      }
      if (!name.endsWith('.trashinfo')) continue;
      const info = path.join(dir, 'info', name);
      let parsed: TrashInfo | null;
      try {
        parsed = parseTrashInfo(await fs.promises.readFile(info, 'utf8'));
      } catch {
        continue;
      }
      if (!parsed) continue;
      // A topdir trash may hold paths relative to the topdir.
      const abs = parsed.path[0] === 0x2f || topdir === null ? parsed.path : Buffer.concat([Buffer.from(topdir.endsWith('/') ? topdir : `${topdir}/`), parsed.path]);
      if (!abs.equals(want)) continue;
      out.push({ file: path.join(dir, 'files', name.slice(0, -'.trashinfo'.length)), info, deletedAt: parsed.deletedAt });
    }
  }
  return out.sort((a, b) => (b.deletedAt ?? 0) - (a.deletedAt ?? 0));
}

/**
 * Puts `file` in its freedesktop trash: a name is reserved by creating info/<name>.trashinfo
 * exclusively (the spec's atomic step), written and fsynced, then the file moves to files/<name>
 * ([Note: safe move]). A kill after the .trashinfo and before the move leaves the file where it was
 * and a .trashinfo without a file, which file managers ignore. Returns where the file now lies.
 */
export async function freedesktopPut(file: string, fingerprint: string, ctx: XdgContext, now = new Date()): Promise<string> {
  const abs = path.resolve(file);
  const dir = await trashDirForPut(abs, ctx);
  try {
    await ensureTrashDir(dir, ctx.uid);
  } catch (e) {
    throw new TrashError('trash-unusable', `Cannot use the trash folder ${dir}: ${(e as Error).message}`, dir);
  }
  const ext = path.extname(abs);
  const stem = path.basename(abs, ext);
  const body = `[Trash Info]\nPath=${encodeTrashPath(abs)}\nDeletionDate=${formatDeletionDate(now)}\n`;
  for (let n = 1; n < 10_000; n++) {
    const name = n === 1 ? `${stem}${ext}` : `${stem}.${n}${ext}`;
    const info = path.join(dir, 'info', `${name}.trashinfo`);
    const dest = path.join(dir, 'files', name);
    let h: fs.promises.FileHandle;
    try {
      h = await fs.promises.open(info, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    try {
      await h.writeFile(body);
      await h.sync();
    } finally {
      await h.close();
    }
    try {
      await safeMove(abs, dest, { fingerprint });
      return dest;
    } catch (e) {
      await fs.promises.unlink(info).catch(() => undefined);
      if (e instanceof DestinationTakenError) continue; // files/<name> left by another program without its .trashinfo
      throw e;
    }
  }
  throw new TrashError('trash-unusable', `Cannot find a free name for ${abs} in ${dir}.`, dir);
}
