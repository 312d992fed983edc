// The engine's front: one object that the CLI, the HTTP server and the Electron shell all drive.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from './catalog/db.ts';
import { Catalog } from './catalog/catalog.ts';
import { TaskQueue } from './catalog/tasks.ts';
import { CacheStore } from './media/cache.ts';
import { DEFAULT_MEDIA_OPTIONS, type MediaOptions } from './media/decode.ts';
import { Pipeline, type PipelineOptions } from './pipeline/pipeline.ts';
import { createStages, CLIP_STAGES, STAGE_NAMES } from './pipeline/stages.ts';
import { ModelStore } from './models/store.ts';
import { ModelInputHandoff } from './pipeline/handoff.ts';
import { MlService, type ModelSource } from './ml/service.ts';
import type { ProviderSetting } from './ml/providers.ts';
import { SearchService, type SearchOptions } from './search/search.ts';
import { Scanner, type FolderScan, type ScanProgress } from './scan/scanner.ts';
import { FolderWatcher, DEFAULT_WATCH_OPTIONS, type WatchEvent, type WatchOptions } from './scan/watcher.ts';
import { acquireLock, type Lock } from './lock.ts';
import { dataPaths, type DataPaths } from './paths.ts';
import type { LibraryStatus, MlStatus, PhotoDetails, PhotoSummary, SearchResult } from '../../shared/types.ts';
import type { Catalog as CatalogType } from './catalog/catalog.ts';
import { Annotations } from './catalog/annotations.ts';
import { XmpService } from './media/xmp.ts';
import { endMediaExiftool } from './media/exiftool.ts';
import { calibrateCaptions, type CaptionCalibration } from './ml/caption-check.ts';
import { captionConfig } from './pipeline/caption-stage.ts';
import { readSetting } from './settings.ts';

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

/** The models a library sees: its models folder, with the 'clip_model' setting as the user's choice. */
export function modelSource(store: ModelStore, catalog: CatalogType): ModelSource {
  return {
    active: (task) => {
      try {
        return store.active(task, catalog.setting(task === 'clip' ? 'clip_model' : 'caption_model'));
      } catch {
        return undefined;
      }
    },
    spec: (id) => {
      try {
        return store.spec(id);
      } catch {
        return undefined;
      }
    },
    folder: (spec) => store.folder(spec),
    missingFiles: (spec) => store.state(spec).missing,
  };
}

export class Library {
  readonly paths: DataPaths;
  readonly db: Db;
  readonly catalog: Catalog;
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
  readonly notes: Annotations;
  /** exiftool for reading photos' own metadata and writing XMP sidecars. */
  readonly xmp: XmpService;
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
    this.notes = new Annotations(this.db);
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
    this.search = new SearchService(this.catalog, this.ml, this.paths.index);
    this.catalog.onDeleted((ids) => this.search.onDeleted(ids));
    const media = { ...DEFAULT_MEDIA_OPTIONS, ...opts.media };
    this.mediaOptions = media;
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
        notes: this.notes,
        captionThreshold: () => this.captionThreshold(),
        xmp: this.xmp,
        transact: (fn) => this.db.transaction(fn)(),
        onAnnotated: (id) => this.queue.requeuePhotos([id], ['xmp']),
      },
      { embedBatch: opts.ml?.embedBatch, captionBatch: opts.ml?.captionBatch },
    );
    this.pipeline = new Pipeline(this.db, this.queue, stages, opts.pipeline);
    this.scanner = new Scanner(this.catalog, this.cache);
    // Photos catalogued before a stage existed get its task now.
    this.queue.ensureTasks(STAGE_NAMES);
    this.followModelChoice();
    this.followCaptionChoice();
  }

  /**
   * A different captioner (model, revision or task) captions every photo again; user captions are
   * never touched, and search keeps the old automatic captions until each new one replaces it.
   */
  followCaptionChoice(): void {
    const spec = this.ml.captionSpec();
    if (!spec?.caption) return;
    const task = spec.caption.arch === 'florence2' ? captionConfig((k) => this.catalog.setting(k)).task : '';
    const key = `${spec.id}@${spec.revision}${task}`;
    const indexed = this.catalog.setting('caption_indexed');
    if (indexed === key) return;
    this.db.transaction(() => {
      if (indexed) this.queue.requeueStage(['caption']);
      this.catalog.setSetting('caption_indexed', key);
    })();
  }

  /** The caption check's threshold: the setting's number, else the active CLIP model's calibration. */
  captionThreshold(): number | null {
    const set = readSetting((k) => this.catalog.setting(k), 'caption_threshold');
    if (set !== 'auto') return Number(set);
    const cal = this.captionCalibration();
    return cal && cal.clipModel === this.ml.clipSpec()?.id ? cal.threshold : null;
  }

  captionCalibration(): CaptionCalibration | null {
    try {
      return JSON.parse(this.catalog.setting('caption_calibration') ?? 'null') as CaptionCalibration | null;
    } catch {
      return null;
    }
  }

  /**
   * [Note: caption threshold] After work: calibrates the threshold when the library has enough
   * scored captions and a quarter more than at the last calibration (or another CLIP model), flags
   * captions under it, and queues weak greedy captions for a beam-search recheck. Returns how many
   * photos were queued again.
   */
  async checkCaptions(force = false): Promise<number> {
    const clip = this.ml.clipSpec();
    if (!clip || this.ml.clipUnavailable()) return 0;
    if (readSetting((k) => this.catalog.setting(k), 'caption_threshold') === 'auto') {
      const scored = this.notes.scoredAutoCaptions();
      const cal = this.captionCalibration();
      const stale = !cal || cal.clipModel !== clip.id || scored.length >= cal.positives * 1.25;
      if (force || stale) {
        const enc = await this.ml.clip({ vision: false });
        const fresh = await calibrateCaptions({
          clipModel: clip.id,
          captions: scored,
          imageEmbedding: (id) => this.catalog.embedding(id, clip.id),
          embedTexts: (texts) => enc.embedTexts(texts),
        });
        if (fresh) this.catalog.setSetting('caption_calibration', JSON.stringify(fresh));
      }
    }
    const threshold = this.captionThreshold();
    this.notes.applyThreshold(threshold);
    if (threshold === null || captionConfig((k) => this.catalog.setting(k)).recheckBeams === 0) return 0;
    return this.queue.requeuePhotos(this.notes.weakGreedyCaptions(), ['caption']);
  }

  /**
   * [Note: model switch] When the active CLIP model differs from the one the library was embedded
   * with, every photo is queued to embed and tag again; search keeps using the old model's vectors
   * (SearchService.searchModel) until the new ones cover the library, then the old ones go.
   */
  followModelChoice(): void {
    const active = this.ml.clipSpec()?.id;
    const indexed = this.catalog.setting('clip_model_indexed');
    if (!active || indexed === active) return;
    this.db.transaction(() => {
      if (indexed && this.catalog.embeddingCount(indexed) > 0) this.catalog.setSetting('clip_model_previous', indexed);
      if (indexed) this.queue.requeueStage(CLIP_STAGES);
      this.catalog.setSetting('clip_model_indexed', active);
    })();
  }

  /** Once the active model's vectors are complete, the previous model's vectors and index go. */
  private retirePreviousModel(): void {
    const previous = this.catalog.setting('clip_model_previous');
    if (!previous || this.queue.pendingCount('embed') > 0 || this.ml.clipUnavailable()) return;
    this.db.transaction(() => {
      this.catalog.deleteEmbeddings(previous);
      this.catalog.setSetting('clip_model_previous', null);
    })();
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
    await this.processAll();
    return scans;
  }

  /** Processes every pending task until none is left, then saves the vector index. */
  async processAll(): Promise<void> {
    // A second round rechecks the captions the first calibration flagged.
    for (let round = 0; round < 2; round++) {
      await this.pipeline.run({ untilIdle: true });
      if ((await this.afterWork()) === 0) break;
    }
  }

  /** Housekeeping once the queue is empty; returns how many tasks it queued again. */
  private async afterWork(): Promise<number> {
    const requeued = await this.checkCaptions().catch(() => 0);
    this.retirePreviousModel();
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

  async searchText(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const r = await this.search.text(query, opts);
    this.recordProvider();
    return r;
  }

  async similar(photoPath: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const photo = this.catalog.photoByPath(path.resolve(photoPath));
    if (!photo) throw new Error(`not in the library: ${path.resolve(photoPath)}`);
    return this.search.similar(photo.id, opts);
  }

  /** Starts watching the folders and processing work as it arrives; `close()` stops both. */
  async watch(onEvent?: (e: WatchEvent) => void): Promise<void> {
    if (this.watcher) return;
    this.watcher = new FolderWatcher(this.catalog, this.scanner, () => this.pipeline.kick(), onEvent, {
      ...DEFAULT_WATCH_OPTIONS,
      ...this.opts.watch,
    });
    await this.watcher.start();
    this.pipeline.onProgress((stages) => {
      if (stages.every((st) => st.done >= st.total))
        void this.afterWork().then((n) => {
          if (n > 0) this.pipeline.kick();
        });
    });
    void this.pipeline.run();
  }

  /** Status, with why a stage's tasks wait (a setting is off, a model is missing). */
  status(): LibraryStatus {
    const status = readStatus(this.db, this.models);
    const why = new Map(this.pipeline.stages.map((s) => [s.name, s.unavailable?.() ?? null]));
    for (const st of status.stages) {
      const reason = why.get(st.stage);
      if (reason && st.pending > 0) st.waiting = reason;
    }
    return status;
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
    // Quitting saves the index with every embedding committed, so the next start has nothing to replay.
    if (this.unsavedEmbeddings) await this.search.refresh().catch(() => undefined);
    await this.search.close();
    await this.ml.close();
    await this.xmp.end();
    await endMediaExiftool();
    this.db.close();
    this.lock.release();
  }
}

/** Status from any open catalog handle (the engine's, or a read-only one beside a running engine). */
export function readStatus(db: Db, models?: ModelStore): LibraryStatus {
  const catalog = new Catalog(db, () => STAGE_NAMES);
  const queue = new TaskQueue(db);
  return {
    ...catalog.counts(),
    folders: catalog.folderInfos(),
    stages: queue.counts(STAGE_NAMES),
    failed: queue.failed(),
    damaged: catalog.damagedPhotos(),
    scanIssues: catalog.scanIssues(),
    skippedVideos: catalog.skippedVideos(),
    ml: models ? mlStatus(catalog, models) : null,
  };
}

function mlStatus(catalog: Catalog, models: ModelStore): MlStatus {
  const source = modelSource(models, catalog);
  const spec = source.active('clip');
  const missing = spec ? source.missingFiles(spec) : [];
  let provider: MlStatus['provider'] = null;
  try {
    provider = JSON.parse(catalog.setting('ml_provider') ?? 'null') as MlStatus['provider'];
  } catch {
    provider = null;
  }
  return {
    clipModel: spec?.id ?? null,
    clipInstalled: !!spec && missing.length === 0,
    embedded: spec ? catalog.embeddingCount(spec.id) : 0,
    previousModel: catalog.setting('clip_model_previous') ?? null,
    provider,
    providerSetting: catalog.setting('provider') ?? 'auto',
    modelsDir: models.modelsDir,
    ...captionStatus(catalog, source, spec?.id),
  };
}

function captionStatus(catalog: Catalog, source: ModelSource, clipModel: string | undefined): Pick<MlStatus, 'captionModel' | 'captionInstalled' | 'captionsOn' | 'captioned' | 'lowConfidence' | 'captionThreshold' | 'xmp'> {
  const get = (k: string) => catalog.setting(k);
  const spec = source.active('caption');
  const counts = catalog.db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(low_confidence), 0) AS low FROM captions WHERE source = 'auto'`).get() as { n: number; low: number };
  const set = readSetting(get, 'caption_threshold');
  let threshold: MlStatus['captionThreshold'] = null;
  if (set !== 'auto') threshold = { value: Number(set), source: 'setting' };
  else {
    try {
      const cal = JSON.parse(get('caption_calibration') ?? 'null') as CaptionCalibration | null;
      if (cal && cal.clipModel === clipModel) threshold = { value: cal.threshold, source: 'calibrated' };
    } catch {
      threshold = null;
    }
  }
  return {
    captionModel: spec?.id ?? null,
    captionInstalled: !!spec && source.missingFiles(spec).length === 0,
    captionsOn: readSetting(get, 'captions') === 'on',
    captioned: counts.n,
    lowConfidence: counts.low,
    captionThreshold: threshold,
    xmp: readSetting(get, 'xmp') === 'on',
  };
}

/** Opens a catalog read-only, without the lock, so status and list work while an engine runs. */
export function openReadOnly(dataDir: string, nativeBinding?: string): { catalog: Catalog; db: Db } | null {
  const file = dataPaths(dataDir).catalog;
  if (!fs.existsSync(file)) return null;
  const db = openDatabase(file, { readonly: true, nativeBinding });
  return { db, catalog: new Catalog(db, () => STAGE_NAMES) };
}

/**
 * Search without the engine lock, beside a running app or `watch`: a read-only catalog, the
 * vector index and the text encoder. Null when the library has no catalog yet.
 */
export function openSearcher(opts: Pick<LibraryOptions, 'dataDir' | 'modelsDir' | 'nativeBinding' | 'ml'>): {
  search: SearchService;
  ml: MlService;
  catalog: Catalog;
  close(): Promise<void>;
} | null {
  const ro = openReadOnly(opts.dataDir, opts.nativeBinding);
  if (!ro) return null;
  const paths = dataPaths(opts.dataDir);
  const store = new ModelStore(opts.modelsDir ?? paths.models);
  const ml = new MlService(modelSource(store, ro.catalog), {
    provider: opts.ml?.provider ?? ((ro.catalog.setting('provider') as ProviderSetting | undefined) || 'auto'),
    threads: opts.ml?.threads ?? Number(ro.catalog.setting('threads') ?? 0),
    workerFile: opts.ml?.workerFile,
    cacheDir: paths.index,
  });
  const search = new SearchService(ro.catalog, ml, paths.index);
  return {
    search,
    ml,
    catalog: ro.catalog,
    async close() {
      await search.close();
      await ml.close();
      ro.db.close();
    },
  };
}
