// The engine's front: one object that the CLI, the HTTP server and the Electron shell all drive.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from './catalog/db.ts';
import { Catalog } from './catalog/catalog.ts';
import { TaskQueue } from './catalog/tasks.ts';
import { CacheStore } from './media/cache.ts';
import { DEFAULT_MEDIA_OPTIONS, type MediaOptions } from './media/decode.ts';
import { Pipeline, type PipelineOptions } from './pipeline/pipeline.ts';
import { createStages, STAGE_NAMES } from './pipeline/stages.ts';
import { Scanner, type FolderScan, type ScanProgress } from './scan/scanner.ts';
import { FolderWatcher, DEFAULT_WATCH_OPTIONS, type WatchEvent, type WatchOptions } from './scan/watcher.ts';
import { acquireLock, type Lock } from './lock.ts';
import { dataPaths, type DataPaths } from './paths.ts';
import type { LibraryStatus, PhotoDetails, PhotoSummary } from '../../shared/types.ts';

export interface LibraryOptions {
  dataDir: string;
  media?: Partial<MediaOptions>;
  pipeline?: PipelineOptions;
  watch?: Partial<WatchOptions>;
  /** better-sqlite3 addon for Electron's ABI; see [Note: two ABIs]. */
  nativeBinding?: string;
}

export class Library {
  readonly paths: DataPaths;
  readonly db: Db;
  readonly catalog: Catalog;
  readonly queue: TaskQueue;
  readonly cache: CacheStore;
  readonly pipeline: Pipeline;
  readonly scanner: Scanner;
  private watcher: FolderWatcher | null = null;
  private closed = false;

  private constructor(
    private readonly opts: LibraryOptions,
    private readonly lock: Lock,
  ) {
    this.paths = dataPaths(opts.dataDir);
    try {
      this.db = openDatabase(this.paths.catalog, { nativeBinding: opts.nativeBinding });
    } catch (e) {
      lock.release();
      throw e;
    }
    this.catalog = new Catalog(this.db, () => STAGE_NAMES);
    this.queue = new TaskQueue(this.db);
    this.cache = new CacheStore(this.paths.thumbs, this.paths.previews, this.paths.cacheTmp);
    this.cache.clearPartial();
    const media = { ...DEFAULT_MEDIA_OPTIONS, ...opts.media };
    this.pipeline = new Pipeline(this.db, this.queue, createStages({ catalog: this.catalog, cache: this.cache, media }), opts.pipeline);
    this.scanner = new Scanner(this.catalog, this.cache);
  }

  /** Opens a library for writing: takes the data folder's lock (one engine per library). */
  static open(opts: LibraryOptions): Library {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const lock = acquireLock(dataPaths(opts.dataDir).lock);
    return new Library(opts, lock);
  }

  async addFolder(dir: string): Promise<{ path: string; added: boolean }> {
    const abs = path.resolve(dir);
    const st = await fs.promises.stat(abs).catch(() => null);
    if (!st) throw new Error(`no such folder: ${abs}`);
    if (!st.isDirectory()) throw new Error(`not a folder: ${abs}`);
    const { folder, added } = this.catalog.addFolder(abs);
    await this.watcher?.refresh();
    return { path: folder.path, added };
  }

  async removeFolder(dir: string): Promise<boolean> {
    const { removed, fingerprints } = this.catalog.removeFolder(dir);
    this.cache.remove(this.catalog.unusedFingerprints(fingerprints));
    await this.watcher?.refresh();
    this.pipeline.kick();
    return removed;
  }

  async scan(progress?: ScanProgress): Promise<FolderScan[]> {
    const result = await this.scanner.scanAll(progress);
    this.pipeline.kick();
    return result;
  }

  /** Scans, then processes every pending task until none is left. */
  async index(progress?: ScanProgress): Promise<FolderScan[]> {
    const scans = await this.scan(progress);
    await this.pipeline.run({ untilIdle: true });
    return scans;
  }

  /** Starts watching the folders and processing work as it arrives; `close()` stops both. */
  async watch(onEvent?: (e: WatchEvent) => void): Promise<void> {
    if (this.watcher) return;
    this.watcher = new FolderWatcher(this.catalog, this.scanner, () => this.pipeline.kick(), onEvent, {
      ...DEFAULT_WATCH_OPTIONS,
      ...this.opts.watch,
    });
    await this.watcher.start();
    void this.pipeline.run();
  }

  status(): LibraryStatus {
    return readStatus(this.db);
  }

  list(opts: { folder?: string; limit?: number; offset?: number } = {}): PhotoSummary[] {
    return this.catalog.list(opts);
  }

  photo(id: number): PhotoDetails | undefined {
    return this.catalog.details(id);
  }

  /** Stops watching, lets batches in flight commit, closes the catalog and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.close();
    await this.pipeline.cancel();
    this.db.close();
    this.lock.release();
  }
}

/** Status from any open catalog handle (the engine's, or a read-only one beside a running engine). */
export function readStatus(db: Db): LibraryStatus {
  const catalog = new Catalog(db, () => STAGE_NAMES);
  const queue = new TaskQueue(db);
  return {
    ...catalog.counts(),
    folders: catalog.folderInfos(),
    stages: queue.counts(STAGE_NAMES),
    failed: queue.failed(),
    scanIssues: catalog.scanIssues(),
  };
}

/** Opens a catalog read-only, without the lock, so status and list work while an engine runs. */
export function openReadOnly(dataDir: string, nativeBinding?: string): { catalog: Catalog; db: Db } | null {
  const file = dataPaths(dataDir).catalog;
  if (!fs.existsSync(file)) return null;
  const db = openDatabase(file, { readonly: true, nativeBinding });
  return { db, catalog: new Catalog(db, () => STAGE_NAMES) };
}
