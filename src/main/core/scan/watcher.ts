// Live watching with chokidar: adds, changes, deletes, moves, and folders that go offline and return.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Catalog } from '../catalog/catalog.ts';
import { isIgnoredDir, isIgnoredName, isScannedName } from '../media/formats.ts';
import type { Scanner } from './scanner.ts';
import { folderAvailable } from './walk.ts';
import { errorMessage } from '../../../shared/error-message.ts';

export interface WatchOptions {
  /** How long a file's size must hold still before it is read (half-copied files are never read). */
  stabilityMs: number;
  /** How long a vanished photo waits for its move's other half before it is deleted. */
  purgeGraceMs: number;
  /** How often folders are checked for going offline or coming back. */
  folderCheckMs: number;
}

export const DEFAULT_WATCH_OPTIONS: WatchOptions = { stabilityMs: 1000, purgeGraceMs: 4000, folderCheckMs: 5000 };

export type WatchEvent =
  | { type: 'photo'; outcome: string; path: string }
  | { type: 'gone'; path: string }
  | { type: 'purged'; count: number }
  | { type: 'folder'; path: string; online: boolean }
  | { type: 'error'; message: string };

export class FolderWatcher {
  private watcher: FSWatcher | null = null;
  private watched = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();
  private purgeTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly scanner: Scanner,
    /** Called after anything that may have queued work. */
    private readonly onWork: () => void,
    private readonly onEvent: (e: WatchEvent) => void = () => {},
    private readonly opts: WatchOptions = DEFAULT_WATCH_OPTIONS,
  ) {}

  /** Starts watching every online folder; resolves once chokidar is ready. */
  async start(): Promise<void> {
    const initial = this.catalog.folders().filter((f) => f.online === 1).map((f) => f.path);
    for (const p of initial) this.watched.add(p);
    const watcher = watch(initial, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      awaitWriteFinish: { stabilityThreshold: this.opts.stabilityMs, pollInterval: Math.min(100, this.opts.stabilityMs) },
      ignored: (p: string, stats?: { isFile(): boolean; isDirectory(): boolean }) => {
        if (this.watched.has(p)) return false;
        const base = path.basename(p);
        if (stats?.isDirectory()) return isIgnoredDir(base);
        if (stats?.isFile()) return !isScannedName(base);
        return isIgnoredName(base);
      },
    });
    this.watcher = watcher;
    watcher.on('add', (p) => void this.serial(() => this.ingest(p)));
    watcher.on('change', (p) => void this.serial(() => this.ingest(p)));
    watcher.on('unlink', (p) => void this.serial(async () => this.gone(p)));
    watcher.on('unlinkDir', (p) => void this.serial(async () => this.gone(p)));
    watcher.on('error', (e) => this.onEvent({ type: 'error', message: errorMessage(e) }));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.checkTimer = setInterval(() => void this.serial(() => this.checkFolders()), this.opts.folderCheckMs);
    this.checkTimer.unref?.();
  }

  /** Brings the watched set in line with the catalog's online folders (after add, remove, offline). */
  async refresh(): Promise<void> {
    if (!this.watcher) return;
    const want = new Set(this.catalog.folders().filter((f) => f.online === 1).map((f) => f.path));
    const add = [...want].filter((p) => !this.watched.has(p));
    const remove = [...this.watched].filter((p) => !want.has(p));
    for (const p of add) this.watched.add(p);
    for (const p of remove) this.watched.delete(p);
    if (remove.length) this.watcher.unwatch(remove);
    if (add.length) this.watcher.add(add);
  }

  /** Runs watcher work one item at a time, so two events for one file never race. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn).catch((e: unknown) => this.onEvent({ type: 'error', message: errorMessage(e) }));
    this.chain = next;
    return next;
  }

  private async ingest(p: string): Promise<void> {
    if (this.closed) return;
    const outcome = await this.scanner.ingestFile(p);
    if (outcome !== 'ignored' && outcome !== 'unchanged') {
      this.onEvent({ type: 'photo', outcome, path: p });
      this.onWork();
    }
  }

  private gone(p: string): void {
    if (this.closed) return;
    if (this.watched.has(p)) {
      // The library folder itself vanished: offline, never deleted.
      void this.serial(() => this.checkFolders());
      return;
    }
    this.scanner.fileGone(p);
    this.onEvent({ type: 'gone', path: p });
    this.schedulePurge();
  }

  private schedulePurge(): void {
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    this.purgeTimer = setTimeout(() => {
      this.purgeTimer = null;
      void this.serial(async () => {
        const n = await this.scanner.purgeMissing(Date.now() - this.opts.purgeGraceMs);
        if (n) this.onEvent({ type: 'purged', count: n });
        if (this.catalog.missingPhotos(Number.MAX_SAFE_INTEGER).length) this.schedulePurge();
      });
    }, this.opts.purgeGraceMs + 100);
    this.purgeTimer.unref?.();
  }

  /** Marks folders offline when they vanish, and rescans them when they return. */
  private async checkFolders(): Promise<void> {
    if (this.closed) return;
    let changed = false;
    for (const f of this.catalog.folders()) {
      const avail = await folderAvailable(f.path);
      const hasPhotos = this.catalog.hasPhotos(f.id);
      const online = avail.ok && !(avail.empty && hasPhotos);
      if (online && f.online === 0) {
        await this.scanner.scanFolder({ ...f, online: 1 });
        this.onEvent({ type: 'folder', path: f.path, online: true });
        changed = true;
      } else if (!online && f.online === 1) {
        this.catalog.setFolderOnline(f.id, false);
        this.onEvent({ type: 'folder', path: f.path, online: false });
        changed = true;
      }
    }
    if (changed) {
      await this.refresh();
      this.onWork();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    await this.chain;
    await this.watcher?.close();
    this.watcher = null;
  }
}
