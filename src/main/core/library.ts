// The engine's front: one object that the CLI, the HTTP server and the Electron shell all drive.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from './catalog/db.ts';
import { backupCatalog, clearPartialBackups, listBackups, userDataStamp, type BackupInfo, type BackupReason, type BackupStats } from './catalog/backup.ts';
import { CatalogDamagedError, quickCheckOffThread, type RunningCheck } from './catalog/integrity.ts';
import type { Catalog } from './catalog/catalog.ts';
import type { TaskQueue } from './catalog/tasks.ts';
import type { PhotoBrowser } from './catalog/browse.ts';
import { openCatalog, type Repositories } from './catalog/repositories.ts';
import { CacheStore } from './media/cache.ts';
import { DEFAULT_MEDIA_OPTIONS, type MediaOptions } from './media/decode.ts';
import { Pipeline, type PipelineOptions } from './pipeline/pipeline.ts';
import { createStages, STAGE_NAMES } from './pipeline/stages.ts';
import { ModelStore } from './models/store.ts';
import { modelSource } from './models/source.ts';
import { ModelInputHandoff } from './pipeline/handoff.ts';
import { MlService } from './ml/service.ts';
import type { ProviderSetting } from './ml/providers.ts';
import { SearchService, type SearchOptions } from './search/search.ts';
import { Scanner, type FolderScan, type ScanProgress } from './scan/scanner.ts';
import { FolderWatcher, DEFAULT_WATCH_OPTIONS, type WatchEvent, type WatchOptions } from './scan/watcher.ts';
import { acquireLock, type Lock } from './lock.ts';
import { dataPaths, type DataPaths } from './paths.ts';
import type { LibraryStatus, PhotoDetails, PhotoSummary, SearchResult, StageProgress } from '../../shared/types.ts';
import type { Annotations } from './catalog/annotations.ts';
import { XmpService } from './media/xmp.ts';
import { endMediaExiftool } from './media/exiftool.ts';
import type { CaptionCalibration } from './captions/check.ts';
import { Captioner } from './captions/captioner.ts';
import { captionThreshold, checkCaptions, storedCalibration } from './captions/calibration.ts';
import { followCaptionChoice, followModelChoice, retirePreviousModel } from './model-switch.ts';
import { diskFullStatus, readStatus, withWaiting } from './status.ts';
import { diskFullInjected, enospc, isDiskFull } from './faults.ts';
import { changeSetting, type SettingChange } from './setting-change.ts';
import { checkFolder } from './folder-error.ts';
import { NotInLibraryError } from './annotate/editor.ts';
import { Edits, type EditOutcome, type EditProgress, type PhotoEdit, type PhotoView } from './annotate/edits.ts';
import { readSetting } from './settings.ts';
import type { SuggestionCount, TagCount } from '../../shared/contract.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface LibraryOptions {
  dataDir: string;
  media?: Partial<MediaOptions>;
  pipeline?: PipelineOptions;
  watch?: Partial<WatchOptions>;
  /** better-sqlite3 addon for Electron's ABI; see [Note: two ABIs]. */
  nativeBinding?: string;
  /** The models folder (--models, SHOEBOX_MODELS); default <dataDir>/models. */
  modelsDir?: string;
  ml?: {
    /** Overrides the 'provider' setting. */
    provider?: ProviderSetting;
    /** Overrides the 'threads' setting. */
    threads?: number;
    /** The bundled ML worker script (the Electron build). */
    workerFile?: string;
    testHooks?: boolean;
    embedBatch?: number;
    captionBatch?: number;
  };
}

export class Library {
  readonly paths: DataPaths;
  readonly db: Db;
  /** The catalog's repositories, built once (catalog, queue, annotations, browser are its members). */
  readonly repos: Repositories;
  readonly catalog: Catalog;
  readonly browser: PhotoBrowser;
  readonly queue: TaskQueue;
  readonly cache: CacheStore;
  /** Thumbnail and preview sizes, the decode limit. */
  readonly mediaOptions: MediaOptions;
  /** Embeddings were committed since the index was last brought up to date and saved. */
  private unsavedEmbeddings = false;
  readonly pipeline: Pipeline;
  readonly scanner: Scanner;
  readonly models: ModelStore;
  readonly ml: MlService;
  readonly search: SearchService;
  readonly annotations: Annotations;
  /** Edits of one or many photos, the tag vocabulary, suggestions and undo ([annotate/edits.ts]). */
  readonly edits: Edits;
  /** exiftool for reading photos' own metadata and writing XMP sidecars. */
  readonly xmp: XmpService;
  private watcher: FolderWatcher | null = null;
  private closed = false;
  /** The backup in progress (one at a time). */
  private backingUp: Promise<BackupInfo & { stats: BackupStats }> | null = null;
  private backupTimer: NodeJS.Timeout | null = null;
  private fullCheck: RunningCheck | null = null;
  /** Set when the full check after open found damage: the engine then writes nothing more. */
  damage: CatalogDamagedError | null = null;
  private damageListeners = new Set<(e: CatalogDamagedError) => void>();

  private constructor(
    private readonly opts: LibraryOptions,
    private readonly lock: Lock,
  ) {
    this.paths = dataPaths(opts.dataDir);
    try {
      this.db = openDatabase(this.paths.catalog, { nativeBinding: opts.nativeBinding, backupsDir: this.paths.backups });
      clearPartialBackups(this.paths.backups);
    } catch (e) {
      lock.release();
      throw e;
    }
    this.repos = openCatalog(this.db, () => STAGE_NAMES);
    ({ catalog: this.catalog, queue: this.queue, annotations: this.annotations, browser: this.browser } = this.repos);
    this.edits = new Edits(this.repos);
    this.xmp = new XmpService();
    this.cache = new CacheStore(this.paths.thumbs, this.paths.previews, this.paths.cacheTmp);
    this.cache.clearPartial();
    this.models = new ModelStore(opts.modelsDir ?? this.paths.models);
    const source = modelSource(this.models, this.catalog);
    this.ml = new MlService(source, {
      provider: opts.ml?.provider ?? ((this.catalog.setting('provider') as ProviderSetting | undefined) || 'auto'),
      threads: opts.ml?.threads ?? Number(this.catalog.setting('threads') ?? 0),
      workerFile: opts.ml?.workerFile,
      testHooks: opts.ml?.testHooks,
      cacheDir: this.paths.index,
    });
    this.search = new SearchService(this.repos, this.ml, this.paths.index);
    this.catalog.onDeleted((ids) => this.search.onDeleted(ids));
    const media = { ...DEFAULT_MEDIA_OPTIONS, ...opts.media };
    this.mediaOptions = media;
    const onAnnotated = (id: number): void => {
      this.queue.requeuePhotos([id], ['xmp']);
    };
    const stages = createStages(
      {
        catalog: this.catalog,
        cache: this.cache,
        media,
        ml: this.ml,
        handoff: new ModelInputHandoff(),
        onEmbedding: (id, model, v) => {
          this.unsavedEmbeddings = true;
          this.search.onEmbedding(id, model, v);
        },
        annotations: this.annotations,
        captions: new Captioner({
          catalog: this.catalog,
          cache: this.cache,
          media,
          ml: this.ml,
          annotations: this.annotations,
          threshold: () => this.captionThreshold(),
          onAnnotated,
        }),
        xmp: this.xmp,
        transact: (fn) => this.db.transaction(fn)(),
        onAnnotated,
      },
      { embedBatch: opts.ml?.embedBatch, captionBatch: opts.ml?.captionBatch },
    );
    this.pipeline = new Pipeline(this.db, this.queue, stages, { probeSpace: () => this.probeSpace(), ...opts.pipeline });
    this.scanner = new Scanner(this.catalog, this.cache);
    // Photos catalogued before a stage existed get its task now: once per change of the stage list
    // (an update), not on every open, where it reads every photo (0.2 s at 100k, 2 s at a million).
    const stageList = STAGE_NAMES.join(',');
    if (this.catalog.setting('pipeline_stages') !== stageList) {
      this.db.transaction(() => {
        this.queue.ensureTasks(STAGE_NAMES);
        this.catalog.setSetting('pipeline_stages', stageList);
      })();
    }
    this.followModelChoice();
    this.followCaptionChoice();
  }

  /** A different captioner (model, revision or task) captions every photo again ([model-switch.ts]). */
  followCaptionChoice(): void {
    followCaptionChoice(this);
  }

  /** The caption check's threshold: the setting's number, else the active CLIP model's calibration. */
  captionThreshold(): number | null {
    return captionThreshold(this);
  }

  captionCalibration(): CaptionCalibration | null {
    return storedCalibration((k) => this.catalog.setting(k));
  }

  /** Calibrates and applies the caption threshold ([Note: caption threshold]); returns how many photos were queued again. */
  checkCaptions(force = false): Promise<number> {
    return checkCaptions(this, force);
  }

  /** A new active CLIP model queues embed and tags again ([Note: model switch]). */
  followModelChoice(): void {
    followModelChoice(this);
  }

  /**
   * Validates and stores a setting and runs its reactions ([setting-change.ts]); throws
   * SettingError for an unknown setting or a value it does not take. The window and the CLI both
   * change settings through here.
   */
  setSetting(key: string, value: string): SettingChange {
    return changeSetting(this.catalog, this.models, {
      followModelChoice: () => this.followModelChoice(),
      followCaptionChoice: () => this.followCaptionChoice(),
      checkCaptions: () => this.checkCaptions(),
      kick: () => this.pipeline.kick(),
    }, key, value);
  }

  // ── indexing, for the front doors (the pipeline stays the engine's own) ─

  /** Whether indexing is paused (paused, it takes no new batches). */
  get paused(): boolean {
    return this.pipeline.isPaused;
  }

  pause(): void {
    this.pipeline.pause();
  }

  resume(): void {
    this.pipeline.resume();
  }

  /** New work was queued (an edit, a model installed): indexing looks again now. */
  kick(): void {
    this.pipeline.kick();
  }

  onProgress(listener: (stages: StageProgress[]) => void): () => void {
    return this.pipeline.onProgress(listener);
  }

  /** Queues failed tasks again (one stage's, or all): how many tasks, and of how many photos. */
  retryFailed(stage?: string): { retried: number; photos: number } {
    const photos = this.queue.failedPhotoCount(stage);
    const retried = this.queue.retryFailed(stage);
    if (retried > 0) this.pipeline.kick();
    return { retried, photos };
  }

  /** Opens a library for writing: takes the data folder's lock (one engine per library). */
  static open(opts: LibraryOptions): Library {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const lock = acquireLock(dataPaths(opts.dataDir).lock);
    return new Library(opts, lock);
  }

  /** Adds a folder to the library; throws FolderError when it is not there, not a folder or unreadable. */
  async addFolder(dir: string): Promise<{ path: string; added: boolean }> {
    const abs = path.resolve(dir);
    await checkFolder(abs);
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
    this.checkInBackground();
    const scans = await this.scan(progress);
    await this.processAll();
    await this.backupIfChanged('index').catch(() => undefined);
    return scans;
  }

  /** Processes every pending task until none is left, then saves the vector index. */
  async processAll(): Promise<void> {
    // A second round rechecks the captions the first calibration flagged.
    for (let round = 0; round < 2; ) {
      // While the disk is full this waits for space ([Note: full disk] in faults.ts), then goes on.
      await this.pipeline.run({ untilIdle: true });
      let requeued: number;
      try {
        requeued = await this.afterWork();
      } catch (e) {
        if (!isDiskFull(e)) throw e;
        continue; // afterWork told the pipeline; the next run waits for space, then this saves again
      }
      if (requeued === 0) break;
      round++;
    }
  }

  /** Housekeeping once the queue is empty; returns how many tasks it queued again. */
  private async afterWork(): Promise<number> {
    try {
      return await this.afterWorkNow();
    } catch (e) {
      // The index or the catalog could not be written: indexing waits for space, and this runs again after.
      if (isDiskFull(e)) this.pipeline.noteDiskFull(e);
      throw e;
    }
  }

  private async afterWorkNow(): Promise<number> {
    const requeued = await this.checkCaptions().catch(() => 0);
    retirePreviousModel(this);
    this.recordProvider();
    this.unsavedEmbeddings = false;
    await this.search.refresh();
    await this.search.save();
    return requeued;
  }

  private recordProvider(): void {
    const report = this.ml.providerReport();
    if (report) this.catalog.setSetting('ml_provider', JSON.stringify(report));
  }

  /** Searching only reads: the provider a search's text encoder ran on shows in status() from the live report. */
  async searchText(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    return this.search.text(query, opts);
  }

  /**
   * Readies the first search (the index opened, the text encoder loaded) in the background, so the
   * first keystroke is not also the model's load. The app and `serve` call it once they are open;
   * the encoder then stays loaded while they run. Resolves with what took how long, never rejects.
   */
  warmUp(): Promise<Awaited<ReturnType<SearchService['warmUp']>>> {
    return this.search.warmUp();
  }

  /** The photos most like the one at `photoPath` (resolved against the working folder). */
  async similar(photoPath: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const photo = this.catalog.photoByPath(path.resolve(photoPath));
    if (!photo) throw new NotInLibraryError(`not in the library: ${path.resolve(photoPath)}`);
    return this.searchSimilar(photo.id, opts);
  }

  /** The photos most like the catalogued photo `id`, by its own stored vector. */
  async searchSimilar(id: number, opts: SearchOptions = {}): Promise<SearchResult> {
    return this.search.similar(id, opts);
  }

  // ── edits of many photos, the vocabulary, suggestions, undo ([annotate/edits.ts]) ─

  /** An edit queued the sidecars of the photos it changed: with sidecars on, the xmp stage writes them now. */
  private edited<T extends EditOutcome | null>(r: T): T {
    if (r && r.photos > 0 && readSetting((k) => this.catalog.setting(k), 'xmp') === 'on') this.pipeline.kick();
    return r;
  }

  /** One edit of many photos (tags added and removed, caption, rating, label), in one transaction, undoable. */
  editPhotos(ids: readonly number[], edit: PhotoEdit, onProgress?: EditProgress): EditOutcome {
    return this.edited(this.edits.editPhotos(ids, edit, onProgress));
  }

  /** Undoes the last edit not undone yet; null when there is none. */
  undo(onProgress?: EditProgress): EditOutcome | null {
    return this.edited(this.edits.undo(onProgress));
  }

  /** Accepts a suggested tag on some photos (it becomes the user's) and rejects it on others (hidden for good). */
  reviewSuggestions(tag: string, review: { accept?: readonly number[]; reject?: readonly number[] }, onProgress?: EditProgress): EditOutcome {
    return this.edited(this.edits.reviewSuggestions(tag, review, onProgress));
  }

  /** Renames (moves, merges) a tag library-wide, its children following. */
  renameTag(from: string, to: string, onProgress?: EditProgress): EditOutcome {
    return this.edited(this.edits.renameTag(from, to, onProgress));
  }

  /** Merges tags into one library-wide (the union). */
  mergeTags(from: readonly string[], into: string, onProgress?: EditProgress): EditOutcome {
    return this.edited(this.edits.mergeTags(from, into, onProgress));
  }

  /** Removes a tag, and the tags under it, from every photo. */
  deleteTag(tag: string, onProgress?: EditProgress): EditOutcome {
    return this.edited(this.edits.deleteTag(tag, onProgress));
  }

  /** Every photo id of a grid view, in the grid's order. */
  photoIds(view: PhotoView = {}): number[] {
    return this.edits.photoIds(view);
  }

  /** The user's tags of a selection with how many of its photos have each. */
  selectionTags(ids: readonly number[]): TagCount[] {
    return this.edits.selectionTags(ids);
  }

  /** The files of a selection, in the order given. */
  photoPaths(ids: readonly number[]): string[] {
    return this.edits.photoPaths(ids);
  }

  /** Suggested tags with counts (strong and likely), most photos first. */
  suggestions(limit?: number): SuggestionCount[] {
    return this.edits.suggestions(limit);
  }

  /** The user's tags with counts and suggestions, most used first. */
  tagCounts(limit?: number): TagCount[] {
    return this.edits.tagCounts(limit);
  }

  /** Starts watching the folders and processing work as it arrives; `close()` stops both. */
  async watch(onEvent?: (e: WatchEvent) => void): Promise<void> {
    if (this.watcher) return;
    this.watcher = new FolderWatcher(this.catalog, this.scanner, () => this.pipeline.kick(), onEvent, {
      ...DEFAULT_WATCH_OPTIONS,
      ...this.opts.watch,
    });
    this.checkInBackground();
    this.startDailyBackups();
    await this.watcher.start();
    this.pipeline.onProgress((stages) => {
      if (stages.every((st) => st.done >= st.total))
        void this.afterWork().then(async (n) => {
          if (n > 0) this.pipeline.kick();
          else await this.backupIfChanged('index');
        }).catch(() => undefined);
    });
    void this.pipeline.run();
  }

  // ── backups and the full integrity check ([Note: catalog backups], [Note: catalog damage]) ─

  /** Backs the catalog up now (in ~25 ms steps, checked, then the retention rule); one at a time. */
  backup(reason: BackupReason = 'manual'): Promise<BackupInfo & { stats: BackupStats }> {
    if (this.damage) return Promise.reject(this.damage);
    if (this.backingUp) return this.backingUp;
    const run = backupCatalog(this.db, this.paths.backups, { reason, nativeBinding: this.opts.nativeBinding }).finally(() => {
      this.backingUp = null;
    });
    this.backingUp = run;
    return run;
  }

  /** The kept backups, newest first. */
  backups(): BackupInfo[] {
    return listBackups(this.paths.backups);
  }

  /** A backup when the user's data changed since the newest one (or there is none); null when none was due. */
  async backupIfChanged(reason: BackupReason): Promise<(BackupInfo & { stats: BackupStats }) | null> {
    if (this.closed || this.damage) return null;
    const newest = this.backups()[0];
    if (newest && newest.userDataStamp === userDataStamp(this.db)) return null;
    // A library with no user data yet has nothing to lose.
    if (!newest && userDataStamp(this.db) === '0:0|0:0|0:0|0:0') return null;
    return this.backup(reason);
  }

  /** Backs up at least daily while the engine runs (checked hourly; the timer keeps no process alive). */
  private startDailyBackups(): void {
    if (this.backupTimer) return;
    const due = () => {
      const newest = this.backups()[0];
      if (!newest || Date.now() - Date.parse(newest.createdAt) >= DAY_MS) {
        void (newest ? this.backup('daily') : this.backupIfChanged('daily')).catch(() => undefined);
      }
    };
    this.backupTimer = setInterval(due, HOUR_MS);
    this.backupTimer.unref();
    due();
  }

  /** Listens for damage found after open (the full check); returns the unsubscriber. */
  onDamage(listener: (e: CatalogDamagedError) => void): () => void {
    this.damageListeners.add(listener);
    return () => this.damageListeners.delete(listener);
  }

  /**
   * The whole quick_check, off the main thread, after open; on damage the engine stops writing
   * (the connection becomes query_only, indexing pauses) and its listeners are told.
   */
  private checkInBackground(): void {
    if (this.fullCheck || this.closed) return;
    const check = quickCheckOffThread(this.paths.catalog, 'live', this.opts.nativeBinding);
    this.fullCheck = check;
    check.result
      .then((r) => {
        if (this.closed || r.problems.length === 0) return;
        this.stopWriting(new CatalogDamagedError(this.paths.catalog, `the integrity check failed: ${r.problems.slice(0, 3).join('; ')}`));
      })
      .catch(() => undefined);
  }

  private stopWriting(e: CatalogDamagedError): void {
    if (this.damage) return;
    this.damage = e;
    this.pipeline.pause();
    void this.pipeline.cancel().finally(() => this.db.pragma('query_only = ON'));
    for (const l of this.damageListeners) l(e);
  }

  /**
   * Status, with why a stage's tasks wait (a setting is off, a model is missing), and the execution
   * provider this engine's worker runs on (the stored ml_provider, written after work, until it has one).
   */
  status(): LibraryStatus {
    const status = withWaiting(readStatus(this.repos, this.models, this.ml.providerReport()), this.pipeline.stages);
    return { ...status, diskFull: diskFullStatus(this.paths.root, this.pipeline.diskFull) };
  }

  /** Set while indexing waits for space on a full disk ([Note: full disk] in faults.ts); null otherwise. */
  get diskFull(): ReturnType<typeof diskFullStatus> {
    return this.pipeline.diskFull ? diskFullStatus(this.paths.root, this.pipeline.diskFull) : null;
  }

  /**
   * Whether the disk holding the data has space again: a small file written and flushed in the data folder,
   * and the catalog grown by a blob in a transaction that is rolled back. False only on a full disk.
   */
  private async probeSpace(): Promise<boolean> {
    const file = path.join(this.paths.root, `space-probe.${process.pid}.tmp`);
    try {
      if (diskFullInjected()) throw enospc('write', file);
      const fh = await fs.promises.open(file, 'w');
      try {
        await fh.write(Buffer.alloc(256 * 1024));
        await fh.sync();
      } finally {
        await fh.close();
      }
      const rollback = new Error('rolled back');
      try {
        this.db.transaction(() => {
          this.db.prepare(`INSERT OR REPLACE INTO settings (key, value) VALUES ('space_probe', zeroblob(262144))`).run();
          throw rollback;
        })();
      } catch (e) {
        if (e !== rollback) throw e;
      }
      return true;
    } catch (e) {
      return !isDiskFull(e);
    } finally {
      await fs.promises.rm(file, { force: true });
    }
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
    if (this.backupTimer) clearInterval(this.backupTimer);
    this.fullCheck?.stop();
    await this.watcher?.close();
    await this.pipeline.cancel();
    // Quitting saves the index with every embedding committed, so the next start has nothing to replay.
    if (this.unsavedEmbeddings) await this.search.refresh().catch(() => undefined);
    await this.search.close();
    await this.ml.close();
    await this.xmp.end();
    await endMediaExiftool();
    // A backup in flight finishes first (its steps are short; the copy must not lose its source).
    await this.backingUp?.catch(() => undefined);
    this.db.close();
    this.lock.release();
  }
}
