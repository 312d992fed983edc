// The trash a duplicate put away goes to, and how it comes back: createTrash picks the folder trash
// (SHOEBOX_TRASH_DIR) or the system's. Files are never deleted outright.
import os from 'node:os';
import path from 'node:path';
import { describeForPut, exists, firstSame, restoreFound, TrashError, type Found, type PutExpectation, type Trash, type TrashedFile } from './item.ts';
import { FolderTrash } from './folder.ts';
import { freedesktopCandidates, freedesktopPut, xdgContext, type XdgContext } from './freedesktop.ts';
import { macCandidates, type MacContext } from './macos.ts';
import { windowsCandidates, type WindowsContext } from './windows.ts';

export { FolderTrash } from './folder.ts';
export { TrashError, type PutExpectation, type Trash, type TrashedFile, type TrashErrorCode } from './item.ts';

export interface SystemTrashOptions {
  platform?: NodeJS.Platform;
  /** Where the trash folders are, for the freedesktop trash ($XDG_DATA_HOME) and the macOS one. */
  env?: NodeJS.ProcessEnv;
  home?: string;
  uid?: number;
  /** macOS: where volumes are mounted (/Volumes). */
  volumes?: string;
  windows?: WindowsContext;
  /**
   * Moves a file to the system trash without saying where it went: Electron's shell.trashItem in
   * the app. By default the freedesktop put of freedesktop.ts on Linux and other XDG systems, and
   * the `trash` package on macOS and Windows.
   */
  put?: (file: string) => Promise<void>;
}

/** The `trash` package (macOS: its macos-trash helper; Windows: its recycle-bin helper), loaded only where used. */
async function trashPackage(file: string): Promise<void> {
  const { default: trash } = await import('trash');
  // glob: false — a photo named "a[1].jpg" is that file, not a pattern.
  await trash(file, { glob: false });
}

export class SystemTrash implements Trash {
  readonly kind = 'system' as const;
  private readonly platform: NodeJS.Platform;
  private readonly xdg: XdgContext;
  private readonly mac: MacContext;
  private readonly win: WindowsContext;
  private readonly putFn: ((file: string) => Promise<void>) | undefined;

  constructor(o: SystemTrashOptions = {}) {
    this.platform = o.platform ?? process.platform;
    const home = o.home ?? os.homedir();
    this.xdg = xdgContext(o.env ?? process.env, home, o.uid);
    const uid = this.xdg.uid;
    this.mac = { home, uid, volumes: o.volumes ?? '/Volumes' };
    this.win = o.windows ?? {};
    this.putFn = o.put;
  }

  async put(file: string, expect?: PutExpectation): Promise<TrashedFile> {
    const abs = path.resolve(file);
    const { size, fingerprint } = await describeForPut(abs, expect);
    const trashedAt = Date.now();
    let location: string | null = null;
    if (this.putFn) await this.putFn(abs);
    else if (this.platform === 'darwin' || this.platform === 'win32') await trashPackage(abs);
    else location = await freedesktopPut(abs, fingerprint, this.xdg, new Date(trashedAt));
    if (await exists(abs)) throw new TrashError('not-taken', `The system trash did not take ${abs}: it is still there.`, abs);
    return { original: abs, size, fingerprint, trashedAt, location };
  }

  async locate(item: TrashedFile): Promise<string | null> {
    return (await this.find(item))?.file ?? null;
  }

  restore(item: TrashedFile): Promise<void> {
    return restoreFound(item, () => this.find(item));
  }

  /** The trash entries that say they were at item.original (macOS: the files of its size), the known location first, then the nearest in time; the first with its content wins. */
  private async find(item: TrashedFile): Promise<Found | null> {
    const rank = (c: { file: string; deletedAt: number | null }) =>
      c.file === item.location ? -1 : c.deletedAt === null ? Number.MAX_SAFE_INTEGER : Math.abs(c.deletedAt - item.trashedAt);
    const byTime = <T extends { file: string; deletedAt: number | null }>(list: T[]) => [...list].sort((a, b) => rank(a) - rank(b));
    if (this.platform === 'win32') {
      const cands = byTime(await windowsCandidates(item.original, item.size, this.win));
      const file = await firstSame(cands.map((c) => c.file), item);
      return file ? { file, record: cands.find((c) => c.file === file)!.info } : null;
    }
    if (this.platform === 'darwin') {
      const cands = await macCandidates(item.original, item.size, this.mac);
      const ordered = item.location && cands.includes(item.location) ? [item.location, ...cands.filter((c) => c !== item.location)] : cands;
      const file = await firstSame(ordered, item);
      return file ? { file, record: null } : null;
    }
    const cands = byTime(await freedesktopCandidates(item.original, this.xdg));
    const file = await firstSame(cands.map((c) => c.file), item);
    return file ? { file, record: cands.find((c) => c.file === file)!.info } : null;
  }
}

export type CreateTrashOptions = Omit<SystemTrashOptions, 'env'>;

/** SHOEBOX_TRASH_DIR names a folder trash; else the system trash. The CLI, serve and the app each call this. */
export function createTrash(env: NodeJS.ProcessEnv = process.env, options: CreateTrashOptions = {}): Trash {
  const dir = env.SHOEBOX_TRASH_DIR?.trim();
  if (dir) return new FolderTrash(path.resolve(dir));
  return new SystemTrash({ ...options, env });
}
