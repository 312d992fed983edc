// The engine's front: one object that the CLI, the HTTP server and the Electron shell all drive.
import fs from 'node:fs';
import path from 'node:path';
import { openCatalogFile, type Db } from './catalog/db.ts';
import type { BackupInfo, BackupReason } from './catalog/backup.ts';
import { CatalogDamagedError, checksOnOpen } from './catalog/integrity.ts';
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
import { isDiskFull } from './faults.ts';
import { Backups, type BackupRun } from './backups.ts';
import { DamageWatch } from './damage.ts';
import { Emitter, type Unsubscribe } from './emitter.ts';
import { probeSpace } from './disk-space.ts';
import { changeSetting, type SettingChange } from './setting-change.ts';
import { checkFolder } from './folder-error.ts';
import { NotInLibraryError } from './annotate/editor.ts';
import { Edits, type EditOutcome, type EditProgress, type PhotoEdit, type PhotoView } from './annotate/edits.ts';
import { readSetting } from './settings.ts';
import type { SuggestionCount, TagCount } from '../../shared/contract.ts';
import type { CountryPlaces, PlaceMatch } from '../../shared/types.ts';
import { geocoder } from './places/geocoder.ts';
import { setPlaceCacheDir } from './places/data.ts';
import { requeuePlacesOnNewData } from './pipeline/places-stage.ts';
import { requeueOcrOnNewModel } from './pipeline/ocr-stage.ts';
import { requeueHashesOnNewVersion } from './pipeline/phash-stage.ts';
import { requeueFacesOnNewModel } from './pipeline/faces-stage.ts';
import { Faces } from './catalog/faces.ts';
import { People, type GroupingResult } from './people/people.ts';
import { GraphStore } from './people/graph-store.ts';
import { peoplePhotos, photosNamingFaces, unplacedFaces } from './annotate/sidecar-sync.ts';
import { GROUPING_DEFAULTS } from './people/grouping.ts';
import { PhotoHashes } from './catalog/photo-hashes.ts';
import { Duplicates, type DuplicateQuery } from './duplicates/duplicates.ts';
import type { DuplicateGroup } from '../../shared/types.ts';
import { Resolver } from './duplicates/resolve.ts';
import type { Trash } from './trash/trash.ts';
import type { ResolutionInfo, ResolveResult, UndoResolveResult } from '../../shared/contract.ts';

export interface LibraryOptions {
  dataDir: string;
  media?: Partial<MediaOptions>;
  pipeline?: PipelineOptions;
  watch?: Partial<WatchOptions>;
  /** better-sqlite3 addon for Electron's ABI; see [Note: two ABIs]. */
  nativeBinding?: string;
  /** The models folder (--models, SHOEBOX_MODELS); default <dataDir>/models. */
  modelsDir?: string;
  /**
   * Run the catalog's check before any write off the main thread, so that the first search need
   * not wait for it (the app and `serve`); until it passes nothing is written, and `writable`
   * tells when it has. Default: the check runs inside `open` (the CLI's commands).
   */
  checkInBackground?: boolean;
  /**
   * Where resolving duplicates puts the photos it does not keep: `createTrash(process.env)` from the CLI and
   * serve, `createAppTrash(shell, process.env)` in the app. Without one, resolving is refused.
   */
  trash?: Trash;
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

/** The check before any write (`checkInBackground`) starts this long after warmUp() settled, when no search came first. */
const CHECK_AFTER_WARM_UP_MS = 250;
/** …and at the latest this long after open, when nothing warms up. */
const CHECK_AT_THE_LATEST_MS = 5000;

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
  /** The faces found in photos ([catalog/faces.ts]) and the people they are grouped into ([people/people.ts]). */
  readonly faces: Faces;
  readonly people: People;
  /** A grouping of new faces is scheduled (after the faces stage committed some). */
  private groupingDue = false;
  /** Said after the faces stage committed faces and they were grouped: the views showing faces or people read them again. */
  private readonly facesGrouped = new Emitter<void>();
  /** exiftool for reading photos' own metadata and writing XMP sidecars. */
  readonly xmp: XmpService;
  private watcher: FolderWatcher | null = null;
  private closed = false;
  /** Backups while the engine runs: after work, daily, on demand ([backups.ts]). */
  private readonly backupper: Backups;
  /** The full integrity check after open and the engine's reaction to damage ([damage.ts]). */
  private readonly damageWatch: DamageWatch;
  /**
   * Resolves once the catalog passed its check before any write and may be written; rejects with
   * the CatalogDamagedError when it failed. Already resolved unless `checkInBackground`. The
   * engine's own writers wait for it; the front doors' writes do too (handlers/methods.ts).
   */
  readonly writable: Promise<void>;
  private isWritable = false;
  private startCheck: () => void = () => undefined;

  private constructor(
    private readonly opts: LibraryOptions,
    private readonly lock: Lock,
  ) {
    this.paths = dataPaths(opts.dataDir);
    let opened: ReturnType<typeof openCatalogFile>;
    try {
      opened = openCatalogFile(this.paths.catalog, { nativeBinding: opts.nativeBinding, backupsDir: this.paths.backups, deferCheck: opts.checkInBackground });
      this.db = opened.db;
      this.backupper = new Backups(this.db, this.paths.backups, opts.nativeBinding, () => this.damage);
    } catch (e) {
      lock.release();
      throw e;
    }
    this.repos = openCatalog(this.db, () => STAGE_NAMES);
    ({ catalog: this.catalog, queue: this.queue, annotations: this.annotations, browser: this.browser } = this.repos);
    this.edits = new Edits(this.repos);
    this.faces = new Faces(this.db);
    // The grouping's graph is saved in index/faces/ and read back at the next start ([Note: people graph saved]).
    this.people = new People(this.faces, GROUPING_DEFAULTS, new GraphStore(path.join(this.paths.index, 'faces')));
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
        places: this.repos.places,
        text: this.repos.text,
        onFaces: () => this.groupPeopleSoon(),
      },
      { embedBatch: opts.ml?.embedBatch, captionBatch: opts.ml?.captionBatch },
    );
    this.pipeline = new Pipeline(this.db, this.queue, stages, {
      probeSpace: () => probeSpace(this.paths.root, this.db),
      catalogDamage: (e) => this.noticeError(e) instanceof CatalogDamagedError,
      ...opts.pipeline,
    });
    this.damageWatch = new DamageWatch(this.paths.catalog, opts.nativeBinding, this.db, this.pipeline);
    this.scanner = new Scanner(this.catalog, this.cache);
    this.resolver = new Resolver({
      db: this.db,
      queue: this.queue,
      log: this.repos.edits,
      stages: () => STAGE_NAMES,
      groups: (kind) => this.duplicateGroups({ kind }),
      trash: () => {
        if (!opts.trash) throw new Error('no trash to put duplicates in: this front door opened the library without one');
        return opts.trash;
      },
    });
    if (opened.checkPending) {
      // On two cores the check (0.4 s of CPU at 100k photos, 4 s at a million) beside the index's load
      // would slow the first answer it must not stand in front of: it starts once the first search has
      // answered, or a moment after warmUp() settled with no search, or CHECK_AT_THE_LATEST_MS after open.
      const startCheck = new Promise<void>((resolve) => (this.startCheck = resolve));
      setTimeout(this.startCheck, CHECK_AT_THE_LATEST_MS).unref();
      this.writable = startCheck
        .then(() => this.damageWatch.checkBeforeWrites(checksOnOpen(this.db), opened.repairHint))
        .then(() => this.openForWriting());
      this.writable.catch(() => undefined);
    } else {
      this.openForWriting();
      this.writable = Promise.resolve();
    }
  }

  /** The writes of an open, once the catalog may be written. */
  private openForWriting(): void {
    if (this.closed) return;
    // Photos catalogued before a stage existed get its task now: once per change of the stage list
    // (an update), not on every open, where it reads every photo (0.2 s at 100k, 2 s at a million).
    const stageList = STAGE_NAMES.join(',');
    if (this.catalog.setting('pipeline_stages') !== stageList) {
      this.db.transaction(() => {
        this.queue.ensureTasks(STAGE_NAMES);
        this.catalog.setSetting('pipeline_stages', stageList);
      })();
    }
    // The places data is kept built in the cache folder; a new version of it makes every place again.
    setPlaceCacheDir(path.join(this.paths.root, 'cache', 'places'));
    requeuePlacesOnNewData(this.catalog, this.queue, this.repos.places, geocoder.version);
    requeueHashesOnNewVersion(this.catalog, this.queue, new PhotoHashes(this.db));
    this.followModelChoice();
    this.followCaptionChoice();
    this.followOcrChoice();
    this.followFacesChoice();
    this.isWritable = true;
    // A resolution a kill left part way is settled before the resolver does anything else ([Note: resolving duplicates]).
    this.resolver.recover().catch(() => undefined);
  }

  /** Starts the check before any write now rather than after the first search (`checkInBackground`); a no-op once it runs. */
  checkNow(): void {
    this.startCheck();
  }

  /** Whether the catalog passed its check before any write (at once unless `checkInBackground`). */
  get checkedOnOpen(): boolean {
    return this.isWritable;
  }

  /**
   * Throws when the catalog cannot be written now: its damage, or that its check is still running
   * (the front doors wait for `writable` first, so only a caller that did not meets the latter).
   */
  requireWritable(): void {
    if (this.damage) throw this.damage;
    if (!this.isWritable) throw new Error('the catalog is still being checked; nothing can be changed until the check has passed (wait for Library.writable)');
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

  /** A new OCR model (or a new reading of it) reads the photos read with another version again ([Note: OCR version]). */
  followOcrChoice(): void {
    requeueOcrOnNewModel(this.catalog, this.queue, this.repos.text, this.ml.ocrVersion());
  }

  /**
   * Face recognition off: every face descriptor is deleted (here too when another process turned it off while this
   * one was closed). On: a new face model reads the photos read with another version again ([Note: face version]).
   */
  followFacesChoice(): void {
    if (readSetting((k) => this.catalog.setting(k), 'faces') !== 'on') {
      if (this.faces.descriptorCount() > 0) this.faces.deleteDescriptors();
      this.people.forget();
      return;
    }
    requeueFacesOnNewModel(this.catalog, this.queue, this.faces, this.ml.facesVersion());
  }

  /** The `faces` setting changed: off deletes every descriptor; on reads every photo's faces again. */
  private followFacesSetting(): void {
    const on = readSetting((k) => this.catalog.setting(k), 'faces') === 'on';
    if (on) this.queue.requeueStage(['faces']);
    this.followFacesChoice();
  }

  /** Groups the faces not grouped yet into people ([Note: people grouping]); nothing while face recognition is off. */
  groupPeople(): GroupingResult {
    const version = this.ml.facesVersion();
    if (!version || readSetting((k) => this.catalog.setting(k), 'faces') !== 'on') return { grouped: 0, assigned: 0, created: 0 };
    // A face the grouping puts in a named person names them in its photo's sidecar too ([Note: face regions written]):
    // the xmp stage may have written that sidecar before the photo's faces were found.
    const xmp = readSetting((k) => this.catalog.setting(k), 'xmp') === 'on';
    const unplaced = xmp ? unplacedFaces(this.annotations, version) : [];
    const r = this.people.group(version);
    if (xmp && r.assigned > 0) {
      const photos = photosNamingFaces(this.annotations, unplaced);
      if (photos.length) {
        this.queue.requeuePhotos(photos, ['xmp']);
        this.pipeline.kick();
      }
    }
    return r;
  }

  /**
   * People changed (named, merged, unnamed, hidden, a face moved): the sidecars of the photos that name them, or
   * should now, are queued for the xmp stage, and written now with sidecars on ([Note: face regions written]).
   */
  peopleChanged(personIds: readonly number[]): number {
    if (!this.isWritable) return 0;
    const ids = peoplePhotos(this.annotations, personIds);
    if (ids.length) {
      this.queue.requeuePhotos(ids, ['xmp']);
      if (readSetting((k) => this.catalog.setting(k), 'xmp') === 'on') this.pipeline.kick();
    }
    return ids.length;
  }

  /** Groups new faces once the current work yields (many commits, one grouping). */
  private groupPeopleSoon(): void {
    if (this.groupingDue) return;
    this.groupingDue = true;
    setTimeout(() => {
      const version = this.ml.facesVersion();
      // The faces already placed are loaded a chunk at a time first; the grouping itself is then short.
      void (version ? this.people.prepare(version) : Promise.resolve())
        .then(() => {
          this.groupingDue = false;
          if (!this.closed && this.isWritable) {
            this.groupPeople();
            this.people.saveIfDue();
          }
          // Faces were committed (new, or read again with new ids) even when none was placed.
          if (!this.closed) this.facesGrouped.emit();
        })
        .catch((e: unknown) => {
          this.groupingDue = false;
          this.noticeError(e);
        });
    }, 0);
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
    this.requireWritable();
    return changeSetting(this.catalog, this.models, {
      followModelChoice: () => this.followModelChoice(),
      followCaptionChoice: () => this.followCaptionChoice(),
      followOcrChoice: () => this.followOcrChoice(),
      requeueTextSidecars: () => this.queue.requeuePhotos(this.repos.text.idsWithText(), ['xmp']),
      followFacesSetting: () => this.followFacesSetting(),
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
    this.requireWritable();
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
    await this.writable;
    const abs = path.resolve(dir);
    await checkFolder(abs);
    const { folder, added } = this.catalog.addFolder(abs);
    await this.watcher?.refresh();
    return { path: folder.path, added };
  }

  async removeFolder(dir: string): Promise<boolean> {
    await this.writable;
    const { removed, fingerprints } = this.catalog.removeFolder(dir);
    this.cache.remove(this.catalog.unusedFingerprints(fingerprints));
    await this.watcher?.refresh();
    this.pipeline.kick();
    return removed;
  }

  async scan(progress?: ScanProgress): Promise<FolderScan[]> {
    await this.writable;
    const result = await this.scanner.scanAll(progress);
    this.pipeline.kick();
    return result;
  }

  /** Scans, then processes every pending task until none is left. */
  async index(progress?: ScanProgress): Promise<FolderScan[]> {
    await this.writable;
    this.damageWatch.checkInBackground();
    const scans = await this.scan(progress);
    await this.processAll();
    await this.backupIfChanged('index').catch(() => undefined);
    return scans;
  }

  /** Processes every pending task until none is left, then saves the vector index. */
  async processAll(): Promise<void> {
    await this.writable;
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
    try {
      return await this.search.text(query, opts);
    } finally {
      this.startCheck();
    }
  }

  /**
   * Readies the first search (the index opened, the text encoder loaded) in the background, so the
   * first keystroke is not also the model's load. The app and `serve` call it once they are open;
   * the encoder then stays loaded while they run. Resolves with what took how long, never rejects.
   */
  warmUp(): Promise<Awaited<ReturnType<SearchService['warmUp']>>> {
    return this.search.warmUp().finally(() => setTimeout(this.startCheck, CHECK_AFTER_WARM_UP_MS).unref());
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
    this.requireWritable();
    return this.edited(this.edits.editPhotos(ids, edit, onProgress));
  }

  /** Undoes the last edit not undone yet; null when there is none. */
  undo(onProgress?: EditProgress): EditOutcome | null {
    this.requireWritable();
    return this.edited(this.edits.undo(onProgress));
  }

  /** Accepts a suggested tag on some photos (it becomes the user's) and rejects it on others (hidden for good). */
  reviewSuggestions(tag: string, review: { accept?: readonly number[]; reject?: readonly number[] }, onProgress?: EditProgress): EditOutcome {
    this.requireWritable();
    return this.edited(this.edits.reviewSuggestions(tag, review, onProgress));
  }

  /** Renames (moves, merges) a tag library-wide, its children following. */
  renameTag(from: string, to: string, onProgress?: EditProgress): EditOutcome {
    this.requireWritable();
    return this.edited(this.edits.renameTag(from, to, onProgress));
  }

  /** Merges tags into one library-wide (the union). */
  mergeTags(from: readonly string[], into: string, onProgress?: EditProgress): EditOutcome {
    this.requireWritable();
    return this.edited(this.edits.mergeTags(from, into, onProgress));
  }

  /** Removes a tag, and the tags under it, from every photo. */
  deleteTag(tag: string, onProgress?: EditProgress): EditOutcome {
    this.requireWritable();
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

  // ── places ([Note: nearest-place rule] in places/geocoder.ts) ─

  /** Places of the data whose name (English, local or alternate) is or starts with `text`: the picker of a hand-set place. */
  findPlaces(text: string, limit = 20): PlaceMatch[] {
    return geocoder.find(text, limit).map(({ cityId: _c, regionCode: _r, ...m }) => m);
  }

  /** The places the library's photos show, country → region → city, with counts and every name. */
  placesInLibrary(): CountryPlaces[] {
    return this.repos.places.inLibrary();
  }

  /** Sets the user's place ('city:…', 'region:…', 'country:…', from findPlaces) on photos, or clears it (null): one undoable edit. */
  setPlace(ids: readonly number[], place: string | null, onProgress?: EditProgress): EditOutcome {
    return this.editPhotos(ids, { place }, onProgress);
  }

  /** Starts watching the folders and processing work as it arrives; `close()` stops both. */
  async watch(onEvent?: (e: WatchEvent) => void): Promise<void> {
    await this.writable;
    if (this.watcher) return;
    this.watcher = new FolderWatcher(this.catalog, this.scanner, () => this.pipeline.kick(), onEvent, {
      ...DEFAULT_WATCH_OPTIONS,
      ...this.opts.watch,
    });
    this.damageWatch.checkInBackground();
    this.backupper.startDaily();
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
  async backup(reason: BackupReason = 'manual'): Promise<BackupRun> {
    await this.writable;
    return this.backupper.backup(reason);
  }

  /** The kept backups, newest first. */
  backups(): BackupInfo[] {
    return this.backupper.list();
  }

  /** A backup when the user's data changed since the newest one (or there is none); null when none was due. */
  async backupIfChanged(reason: BackupReason): Promise<BackupRun | null> {
    await this.writable;
    return this.backupper.ifChanged(reason);
  }

  /** Set when the full check after open found damage: the engine then writes nothing more. */
  get damage(): CatalogDamagedError | null {
    return this.damageWatch.damage;
  }

  /**
   * An error met while reading or writing the catalog: SQLite's damage (SQLITE_CORRUPT,
   * SQLITE_NOTADB) stops the engine's writes and comes back as the CatalogDamagedError to throw;
   * any other error comes back unchanged.
   */
  noticeError(e: unknown): unknown {
    return this.damageWatch.notice(e);
  }

  /**
   * Called after indexing committed faces and grouped them (at most once per grouping, which folds many commits):
   * nothing else says that a photo's faces or the people changed, as no user action did it.
   */
  onFacesGrouped(listener: () => void): Unsubscribe {
    return this.facesGrouped.on(listener);
  }

  /** Listens for damage found after open (the checks, or SQLite in the middle of a session); returns the unsubscriber. */
  onDamage(listener: (e: CatalogDamagedError) => void): () => void {
    return this.damageWatch.onDamage(listener);
  }

  /**
   * Status, with why a stage's tasks wait (a setting is off, a model is missing), and the execution
   * provider this engine's worker runs on (the stored ml_provider, written after work, until it has one).
   */
  status(): LibraryStatus {
    const status = withWaiting(readStatus(this.repos, this.models, this.ml.providerReport()), this.pipeline.stages);
    const catalog = { checking: !this.isWritable && !this.damage, damage: this.damage?.message ?? null };
    return { ...status, diskFull: diskFullStatus(this.paths.root, this.pipeline.diskFull), catalog };
  }

  /** Set while indexing waits for space on a full disk ([Note: full disk] in faults.ts); null otherwise. */
  get diskFull(): ReturnType<typeof diskFullStatus> {
    return this.pipeline.diskFull ? diskFullStatus(this.paths.root, this.pipeline.diskFull) : null;
  }

  list(opts: { folder?: string; limit?: number; offset?: number } = {}): PhotoSummary[] {
    return this.catalog.list(opts);
  }

  photo(id: number): PhotoDetails | undefined {
    return this.catalog.details(id);
  }

  private duplicates: Duplicates | null = null;

  /**
   * The library's duplicate groups (exact copies, same photos, similar shots: [Note: duplicate kinds] in
   * duplicates/rules.ts), each with its suggested keeper and why. The first call finds every pair; later ones
   * read only what changed ([Note: duplicates kept up to date] in duplicates/duplicates.ts).
   */
  duplicateGroups(query: DuplicateQuery = {}): DuplicateGroup[] {
    this.duplicates ??= new Duplicates({
      hashes: new PhotoHashes(this.db),
      vector: (id) => {
        const model = this.ml.clipSpec()?.id;
        return model ? this.catalog.embedding(id, model) : undefined;
      },
    });
    return this.duplicates.groups(query);
  }

  /** Resolves duplicate groups and undoes it ([Note: resolving duplicates] in duplicates/resolve.ts). */
  private readonly resolver: Resolver;

  /**
   * Keeps `keep` of a duplicate group (the first gains the others' user tags, caption, GPS and place where it has
   * none) and puts its other photos in the trash. `seen`: the group's photos as the caller was shown them.
   */
  async resolveDuplicates(group: string, keep: readonly number[], seen?: readonly number[]): Promise<ResolveResult> {
    await this.writable;
    this.requireWritable();
    return this.resolved(await this.resolver.resolve(group, keep, seen));
  }

  /** Accepts the suggested keeper of every exact group, in one resolution (one undo). */
  async resolveAllExact(): Promise<ResolveResult> {
    await this.writable;
    this.requireWritable();
    return this.resolved(await this.resolver.resolveAllExact());
  }

  /** Undoes a resolution (the newest undoable one when none is named) while its files are in the trash. */
  async undoResolve(resolution?: number): Promise<UndoResolveResult> {
    await this.writable;
    this.requireWritable();
    const r = await this.resolver.undo(resolution);
    this.pipeline.kick();
    return r;
  }

  /** The resolutions, newest first. */
  resolutions(): ResolutionInfo[] {
    return this.resolver.history();
  }

  /** Settles a resolution a kill left part way (done on open too); how many it settled. */
  async recoverResolutions(): Promise<number> {
    await this.writable;
    return this.resolver.recover();
  }

  /** The keepers' sidecars and places were queued: indexing looks again. */
  private resolved(r: ResolveResult): ResolveResult {
    if (r.resolution !== null) this.pipeline.kick();
    return r;
  }

  /** Stops watching, lets batches in flight commit, closes the catalog and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.resolver.settled();
    this.backupper.stop();
    this.damageWatch.stop();
    await this.watcher?.close();
    await this.pipeline.cancel();
    // Quitting saves the index with every embedding committed, so the next start has nothing to replay.
    if (this.unsavedEmbeddings) await this.search.refresh().catch(() => undefined);
    await this.search.close();
    await this.ml.close();
    // The people grouping's graph, so the next start reads it instead of building it ([Note: people graph saved]).
    if (this.isWritable) {
      try {
        this.people.save();
      } catch {
        // Only the next start is slower: the graph is built again.
      }
    }
    await this.xmp.end();
    await endMediaExiftool();
    // A backup in flight finishes first (its steps are short; the copy must not lose its source).
    await this.backupper.settled();
    this.db.close();
    this.lock.release();
  }
}
