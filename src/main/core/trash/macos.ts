// The macOS trash: ~/.Trash for the boot volume, /Volumes/<name>/.Trashes/<uid> for others. The
// system keeps no record of where an item came from that we can read (Finder's "Put Back" lives
// in a binary .DS_Store), and it renames an item whose name is taken ("name 12-34-56.jpg",
// "name 2.jpg"; the `trash` package's fallback writes "name.jpg 1"), so a candidate is any file
// of the trash's top level with the photo's size, the likeliest names first; the caller confirms
// each by SHA-256.
import fs from 'node:fs';
import path from 'node:path';

export interface MacContext {
  home: string;
  uid: number;
  /** Where volumes are mounted: /Volumes; a test's temporary folder. */
  volumes: string;
}

/** The trash folders a file that was at `original` may be in. */
export function macTrashDirs(original: string, ctx: MacContext): string[] {
  const dirs = [path.join(ctx.home, '.Trash')];
  const rel = path.relative(ctx.volumes, original);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    const volume = rel.split(path.sep)[0]!;
    if (rel !== volume) dirs.unshift(path.join(ctx.volumes, volume, '.Trashes', String(ctx.uid)));
  }
  return dirs;
}

/** How likely `name` is the trashed `base`: 0 the same name, 1 a renamed one ("stem …ext", "base …"), 2 any other. */
export function nameRank(name: string, base: string): number {
  if (name === base) return 0;
  const ext = path.extname(base);
  const stem = path.basename(base, ext);
  if ((name.startsWith(`${stem} `) && name.endsWith(ext)) || name.startsWith(`${base} `)) return 1;
  return 2;
}

/** Files in the trash folders of `original` that have `size` bytes, likeliest first. */
export async function macCandidates(original: string, size: number, ctx: MacContext): Promise<string[]> {
  const base = path.basename(original);
  const found: { file: string; rank: number }[] = [];
  for (const dir of macTrashDirs(original, ctx)) {
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      // macOS asks for Full Disk Access before an app may list ~/.Trash.
      throw new Error(`Cannot read the trash ${dir} (${code ?? (e as Error).message}); on macOS, give Shoebox Full Disk Access in System Settings > Privacy & Security.`, { cause: e });
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        const st = await fs.promises.stat(file);
        if (st.isFile() && st.size === size) found.push({ file, rank: nameRank(name, base) });
      } catch {
        // gone meanwhile
      }
    }
  }
  return found.sort((a, b) => a.rank - b.rank).map((f) => f.file);
}
