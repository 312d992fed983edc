// Search: text → CLIP vector → HNSW kNN, blended with full-text matches on filename, caption and
// tags, narrowed by folder, date, camera, tag, rating and label filters. Also "similar to this photo".
// The query is parsed first ([Note: query parser] in shared/query.ts): the dates, places and cameras
// it names (the library's own) become filters, and only the rest of the words are searched; when no
// words are left, the filtered photos are listed newest first.
import type { Catalog } from '../catalog/catalog.ts';
import { hasFilter } from '../catalog/browse.ts';
import type { Repositories } from '../catalog/repositories.ts';
import { dot } from '../ml/clip.ts';
import type { MlService } from '../ml/service.ts';
import { idChecksum, VectorIndex, type SearchHit as VectorHit, type SyncReport, type VectorSource } from './vector-index.ts';
import type { SearchPreview } from './preview.ts';
import { errorMessage } from '../../../shared/error-message.ts';
import type { SearchFilters, SearchHit, SearchResult } from '../../../shared/types.ts';
import { compileVocabulary, parseQuery, understood, type CompiledVocabulary, type ParsedQuery } from '../../../shared/query.ts';

export interface SearchOptions extends SearchFilters {
  limit?: number;
  /** false: take the words as typed, understand no date, place or camera in them. */
  parse?: boolean;
  /** Understood parts to keep as words, by their text or label (chips the user removed). */
  literal?: readonly string[];
}

/** How much a full-text match adds to a CLIP cosine (which spans about 0.1–0.4 for real CLIP). */
export const TEXT_WEIGHT = 0.1;

const STOPWORDS = new Set(
  'a an and are as at be by for from has have i in is it its of on or that the this to was were with photo photos picture pictures image images pic pics of something some showing shows'.split(' '),
);

/** The meaningful words of a query: lower case, two letters or more, no stopword. */
export function queryWords(text: string): string[] {
  return [
    ...new Set(
      text
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length > 1 && !STOPWORDS.has(w)),
    ),
  ];
}

/** Full-text query for FTS5: the meaningful words, each quoted (no FTS syntax from the user), OR-ed. */
export function ftsQuery(text: string): string | null {
  const words = queryWords(text);
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' OR ');
}

/**
 * How much a match on the text read in a photo adds, at full coverage of the query's words: more than the caption
 * and tags' full text, since a photo showing the very words searched for is most likely the one meant.
 */
export const PHOTO_TEXT_WEIGHT = 0.2;

function sourceFor(catalog: Catalog, db: Repositories['db'], modelId: string): VectorSource {
  return {
    count: () => catalog.embeddingCount(modelId),
    // The ids in one array rather than row by row: half the time (0.2 s rather than 0.45 s at a million
    // photos), and it stands in front of the first answer ([Note: search preview]); 8 MB for a moment.
    checksum: () => idChecksum(db.prepare('SELECT photo_id FROM embeddings WHERE model_id = ?').pluck().all(modelId) as number[]),
    ids: () => catalog.embeddingIds(modelId),
    vector: (id) => catalog.embedding(id, modelId),
    vectors: () => catalog.embeddings(modelId),
    changedSince: (sinceMs) => catalog.embeddingsChangedSince(modelId, sinceMs),
  };
}

export class SearchService {
  private indexes = new Map<string, Promise<VectorIndex>>();
  /** [Note: search preview] The preview of an index still loading, once it is known to match SQLite; dropped when the graph is ready. */
  private previews = new Map<string, SearchPreview>();
  /** Settles when a model's index can answer: its preview matched SQLite, or the graph is ready. */
  private searchables = new Map<string, Promise<'preview' | 'graph'>>();
  private dirty = new Set<string>();
  /** What the last index open did, for status and logs. */
  lastSync: SyncReport | null = null;
  /** What answered the last kNN search (the preview while the graph loads, then the graph), and in how long. */
  lastKnn: { via: 'preview' | 'graph'; ms: number } | null = null;
  /** Why the open index's saved preview could not be used, when it could not; null when it was used or not needed. */
  previewProblem: string | null = null;

  private readonly catalog: Catalog;
  private readonly db: Repositories['db'];
  private readonly browser: Repositories['browser'];
  private readonly places: Repositories['places'];
  private readonly photoTexts: Repositories['text'];

  constructor(
    repos: Pick<Repositories, 'db' | 'catalog' | 'browser' | 'places' | 'text'>,
    private readonly ml: MlService,
    private readonly indexDir: string,
  ) {
    this.catalog = repos.catalog;
    this.db = repos.db;
    this.browser = repos.browser;
    this.places = repos.places;
    this.photoTexts = repos.text;
  }

  /**
   * The model whose vectors search uses: the active one once its vectors cover at least as many
   * photos as the model it replaces; until then the previous one (re-embedding runs meanwhile).
   */
  searchModel(): string | null {
    const active = this.ml.clipSpec()?.id ?? null;
    const previous = this.catalog.setting('clip_model_previous');
    // Counting every model's vectors reads all of them (0.2–0.7 s at a million photos, in front of every
    // search): only while a switch is under way, or when the active model has none.
    if (!(previous && previous !== active) && active && this.hasEmbeddings(active)) return active;
    const counts = new Map(this.catalog.embeddingModels().map((m) => [m.modelId, m.count]));
    if (previous && previous !== active && (counts.get(previous) ?? 0) > (active ? (counts.get(active) ?? 0) : 0)) return previous;
    if (active && counts.has(active)) return active;
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? active;
  }

  /** Whether any photo has a vector of the model (one row read). */
  private hasEmbeddings(modelId: string): boolean {
    return this.db.prepare('SELECT 1 FROM embeddings WHERE model_id = ? LIMIT 1').pluck().get(modelId) !== undefined;
  }

  /**
   * The HNSW index of a model, opened once and synced with SQLite (repaired if missing or stale).
   * The file's full hash waits until after the first answer ([Note: deferred index check]).
   */
  index(modelId: string, dim: number): Promise<VectorIndex> {
    let p = this.indexes.get(modelId);
    if (!p) {
      // The preview answers while the graph loads, when it holds what SQLite holds ([Note: search preview]).
      let previewReady: () => void = () => undefined;
      const previewed = new Promise<'preview'>((resolve) => (previewReady = () => resolve('preview')));
      p = (async () => {
        const source = sourceFor(this.catalog, this.db, modelId);
        // The catalog's id checksum (0.2–0.4 s at a million photos) is computed during the load, before the
        // preview is taken (which must hold the same ids) and the graph read, and used by sync if no write came between.
        let early: { sum: string; changes: number } | null = null;
        const changes = () => this.db.prepare('SELECT total_changes()').pluck().get() as number;
        const whileLoading = () => {
          const before = changes();
          early = { sum: source.checksum(), changes: before };
        };
        const onPreview = (preview: SearchPreview) => {
          const sum = (early as { sum: string } | null)?.sum;
          if (sum !== preview.checksum) {
            this.previewProblem = 'preview does not hold the photos SQLite holds';
            preview.close();
            return;
          }
          this.previewProblem = null;
          this.previews.set(modelId, preview);
          previewReady();
        };
        try {
          const idx = await VectorIndex.open({ dir: this.indexDir, modelId, dim, verify: 'deferred', whileLoading, onPreview });
          if (idx.previewProblem && !this.previews.has(modelId)) this.previewProblem = idx.previewProblem;
          const computed = early as { sum: string; changes: number } | null;
          const checksum = source.checksum;
          this.lastSync = await idx.sync({ ...source, checksum: () => (computed && computed.changes === changes() ? computed.sum : checksum()) });
          return idx;
        } finally {
          this.previews.get(modelId)?.close();
          this.previews.delete(modelId);
        }
      })();
      p.catch(() => {
        this.indexes.delete(modelId);
        this.searchables.delete(modelId);
      });
      this.indexes.set(modelId, p);
      this.searchables.set(modelId, Promise.race([p.then(() => 'graph' as const), previewed]));
    }
    return p;
  }

  /**
   * After an answer: the deferred hash of the index it came from, in the background. A damaged file
   * is rebuilt from SQLite meanwhile searches go on (lastSync says what happened).
   */
  private verifyLater(idx: VectorIndex): void {
    if ((!idx.verificationPending && !idx.previewPending) || this.verifying.has(idx)) return;
    this.verifying.add(idx);
    setImmediate(() => {
      idx
        .verifyDeferred()
        .then((report) => {
          if (report) this.lastSync = report;
        })
        // A preview that was missing, stale or damaged is written again, for the next start ([Note: search preview]).
        .then(() => idx.ensurePreview())
        .catch(() => undefined)
        .finally(() => this.verifying.delete(idx));
    });
  }

  private verifying = new Set<VectorIndex>();

  /**
   * Settles when a kNN search of the model can be answered ([Note: search preview]): by its preview once
   * that is known to hold what SQLite holds (while the graph loads), or by the graph. Opens the index.
   */
  searchable(modelId: string, dim: number): Promise<'preview' | 'graph'> {
    void this.index(modelId, dim).catch(() => undefined);
    return this.searchables.get(modelId) ?? this.index(modelId, dim).then(() => 'graph' as const);
  }

  /** The k nearest photos to `q` by their vectors: from the graph, or from the preview while the graph loads. */
  private async knn(modelId: string, dim: number, q: Float32Array, k: number, filter?: (id: number) => boolean): Promise<VectorHit[]> {
    await this.searchable(modelId, dim);
    const preview = this.previews.get(modelId);
    const t0 = performance.now();
    if (preview) {
      const hits = preview.search(q, k, filter);
      this.lastKnn = { via: 'preview', ms: Math.round(performance.now() - t0) };
      // The deferred checks wait for the graph, then for this answer to be out.
      void this.index(modelId, dim).then(
        (idx) => this.verifyLater(idx),
        () => undefined,
      );
      return hits;
    }
    const idx = await this.index(modelId, dim);
    const hits = idx.search(q, k, filter);
    this.lastKnn = { via: 'graph', ms: Math.round(performance.now() - t0) };
    this.verifyLater(idx);
    return hits;
  }

  private textEncoders = new Map<string, Promise<void>>();

  /**
   * Loads the model's text encoder and runs it once (ONNX Runtime's first run sets up its memory, which
   * the first query would pay), once per model; what warmUp waits for beside the index.
   */
  loadTextEncoder(modelId: string): Promise<void> {
    let p = this.textEncoders.get(modelId);
    if (!p) {
      p = this.ml.clip({ vision: false, modelId }).then(async (enc) => void (await enc.embedTexts(['a photo'])));
      p.catch(() => this.textEncoders.delete(modelId));
      this.textEncoders.set(modelId, p);
    }
    return p;
  }

  /**
   * Gets the first search ready before it is asked: the search model's index opened and the text
   * encoder loaded, side by side (the app and `serve` call this once a window can search). Returns
   * how long each took; a part that cannot load says why and the search says it again when asked.
   */
  async warmUp(): Promise<{
    modelId: string | null;
    /** Until the index's graph was loaded and synced. */
    indexMs: number | null;
    /** Until a search could be answered, and by what: the preview while the graph loads, or the graph. */
    searchableMs: number | null;
    searchableVia: 'preview' | 'graph' | null;
    textModelMs: number | null;
    errors: string[];
  }> {
    const modelId = this.searchModel();
    const dim = modelId ? this.catalog.embeddingDim(modelId) : undefined;
    const errors: string[] = [];
    const t0 = performance.now();
    let searchableMs: number | null = null;
    let searchableVia: 'preview' | 'graph' | null = null;
    const searchable =
      modelId && dim
        ? this.searchable(modelId, dim).then(
            (via) => {
              searchableMs = Math.round(performance.now() - t0);
              searchableVia = via;
              // The query parser's vocabulary (the library's cameras and places: a scan of the photos) too.
              try {
                this.vocabulary();
              } catch {
                // read again by the search, which says what is wrong
              }
            },
            () => undefined,
          )
        : null;
    const timed = async (what: string, fn: () => Promise<unknown>): Promise<number | null> => {
      const t0 = performance.now();
      try {
        await fn();
        return Math.round(performance.now() - t0);
      } catch (e) {
        errors.push(`${what}: ${errorMessage(e)}`);
        return null;
      }
    };
    const unavailable = this.ml.clipUnavailable(modelId ?? undefined);
    const [indexMs, textModelMs] = await Promise.all([
      modelId && dim ? timed('index', () => this.index(modelId, dim)) : Promise.resolve(null),
      // Loaded and run once: ONNX Runtime's first run sets up its memory, which the first query would pay.
      modelId && !unavailable ? timed('text encoder', () => this.loadTextEncoder(modelId)) : Promise.resolve(null),
    ]);
    await searchable;
    return { modelId, indexMs, searchableMs, searchableVia, textModelMs, errors };
  }

  /** Keeps an open index exact as embeddings are written (the pipeline calls this). */
  onEmbedding(photoId: number, modelId: string, vector: Float32Array): void {
    const p = this.indexes.get(modelId);
    if (!p) return;
    void p.then((idx) => {
      idx.upsert(photoId, vector);
      this.dirty.add(modelId);
    });
  }

  onDeleted(ids: readonly number[]): void {
    for (const [modelId, p] of this.indexes) {
      void p.then((idx) => {
        for (const id of ids) idx.remove(id);
        this.dirty.add(modelId);
      });
    }
  }

  /** The clock relative dates in a query are read against ("last summer"); tests set it. */
  now: () => Date = () => new Date();

  /**
   * How long the vocabulary is kept after the catalog changed before it is read again. While the
   * pipeline writes, every search would otherwise read the library's cameras and places again (about 30 ms
   * at 100,000 photos, npm run bench:query); a camera or place indexed a moment ago is understood a moment later.
   */
  vocabularyRefreshMs = 2000;

  private vocab: { stamp: string; readAt: number; cameras: string; places: string; people: string; compiled: CompiledVocabulary } | null = null;

  /**
   * The library's cameras, places and named people as the parser's vocabulary ([Note: query parser]): read again when the
   * catalog changed (at most every vocabularyRefreshMs), compiled again only when they differ.
   */
  private vocabulary(): CompiledVocabulary {
    const stamp = this.browser.changeStamp();
    const old = this.vocab;
    if (old && (old.stamp === stamp || performance.now() - old.readAt < this.vocabularyRefreshMs)) return old.compiled;
    const cameras = this.browser.cameras().map(({ make, model }) => ({ make, model }));
    const places = this.places.vocabulary();
    const people = this.browser.namedPeople();
    const cameraKey = JSON.stringify(cameras);
    const placeKey = JSON.stringify(places);
    const peopleKey = JSON.stringify(people);
    const camerasPart = old?.cameras === cameraKey ? old.compiled : compileVocabulary({ cameras });
    const placesPart = old?.places === placeKey ? old.compiled : compileVocabulary({ places });
    const peoplePart = old?.people === peopleKey ? old.compiled : compileVocabulary({ people });
    const compiled: CompiledVocabulary = { compiled: true, places: placesPart.places, cameras: camerasPart.cameras, spelling: camerasPart.spelling, people: peoplePart.people };
    this.vocab = { stamp, readAt: performance.now(), cameras: cameraKey, places: placeKey, people: peopleKey, compiled };
    return compiled;
  }

  /** What a query says of time, place, camera and people, against this library's vocabulary; null with `parse: false`. */
  parse(query: string, opts: Pick<SearchOptions, 'parse' | 'literal'> = {}): ParsedQuery | null {
    if (opts.parse === false) return null;
    return parseQuery(query, { now: this.now(), vocabulary: this.vocabulary(), literal: opts.literal });
  }

  /** The filters, the explicit ones and those a query understood, as the catalog reads them. */
  private filter(f: SearchFilters, parsed: ParsedQuery | null = null) {
    return {
      folder: f.folder,
      from: f.from,
      to: f.to,
      camera: f.camera,
      minRating: f.minRating,
      label: f.label,
      tag: f.tag,
      place: f.place,
      dates: parsed?.dates.length ? parsed.dates : undefined,
      cameras: parsed?.cameras ?? undefined,
      placeIds: parsed?.placeKeys ?? undefined,
      people: f.people?.length ? f.people : undefined,
      personSets: parsed?.people.length ? parsed.people : undefined,
    };
  }

  /** Photo ids that pass the filters, or null when there are none to apply. */
  private allowed(f: SearchFilters, parsed: ParsedQuery | null = null): Set<number> | null {
    const filter = this.filter(f, parsed);
    return hasFilter(filter) ? new Set(this.browser.ids(filter)) : null;
  }

  private fullText(query: string | null, allowed: Set<number> | null, limit: number): Map<number, number> {
    const out = new Map<number, number>();
    if (!query) return out;
    const rows = this.browser.fullText(query, allowed ? Math.max(limit, 2000) : limit);
    const kept = allowed ? rows.filter((r) => allowed.has(r.id)) : rows;
    const best = kept[0]?.rank ?? 0;
    // bm25 is negative, best lowest: scale to 1 for the best match.
    for (const r of kept) out.set(r.id, best < 0 ? r.rank / best : 1);
    return out;
  }

  /** Photos whose read text holds the query's words ([Note: text in photos search]), narrowed by the filters. */
  private photoText(words: string, allowed: Set<number> | null, limit: number): Map<number, { score: number; line: string }> {
    const list = queryWords(words);
    if (list.length === 0) return new Map();
    const found = this.photoTexts.match(list, allowed ? Math.max(limit, 2000) : limit);
    if (!allowed) return found;
    return new Map([...found].filter(([id]) => allowed.has(id)));
  }

  async text(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const limit = opts.limit ?? 20;
    const parsed = this.parse(query, opts);
    const words = parsed ? parsed.text : query;
    const said = { understood: parsed ? understood(parsed) : null, text: words };
    if (parsed && parsed.parts.length > 0 && words === '') {
      // Nothing but filters: their photos, newest first.
      const ids = this.browser.orderedIds({ ...this.filter(opts, parsed), limit });
      return { query, model: null, note: null, hits: this.hydrate(ids.map((id) => ({ id, score: 0, clipScore: null, textScore: null }))), ...said };
    }
    const allowed = this.allowed(opts, parsed);
    const text = this.fullText(ftsQuery(words), allowed, 200);
    const inPhoto = this.photoText(words, allowed, 200);
    const modelId = this.searchModel();
    const clip = new Map<number, number>();
    let note: string | null = null;
    const why = this.ml.clipUnavailable(modelId ?? undefined);
    if (why || !modelId || !this.hasEmbeddings(modelId)) {
      note = `${why ?? 'no photo has been embedded yet: run `shoebox index`'}; showing filename, caption, tag and text-in-photo matches only`;
    } else {
      // The query's embedding and the index (on the first search: the model's load and the index's) side by side.
      const dim = this.catalog.embeddingDim(modelId);
      const [q] = await Promise.all([this.ml.embedText(words, modelId), dim ? this.searchable(modelId, dim) : null]);
      const k = Math.max(limit * 5, 50);
      for (const hit of await this.knn(modelId, dim ?? q.length, q, k, allowed ? (id) => allowed.has(id) : undefined)) clip.set(hit.id, hit.score);
      for (const id of [...text.keys(), ...inPhoto.keys()]) {
        if (clip.has(id)) continue;
        const v = this.catalog.embedding(id, modelId);
        if (v) clip.set(id, dot(q, v));
      }
      const active = this.ml.clipSpec()?.id;
      if (active && active !== modelId) note = `searching ${modelId}'s vectors while ${active} embeds the library`;
    }
    const ids = new Set([...clip.keys(), ...text.keys(), ...inPhoto.keys()]);
    const scored = [...ids].map((id) => {
      const c = clip.get(id) ?? 0;
      const t = text.get(id) ?? 0;
      const o = inPhoto.get(id) ?? null;
      return { id, score: c + TEXT_WEIGHT * t + PHOTO_TEXT_WEIGHT * (o?.score ?? 0), clipScore: clip.has(id) ? c : null, textScore: text.has(id) ? t : null, photoText: o };
    });
    scored.sort((a, b) => b.score - a.score || a.id - b.id);
    return { query, model: modelId, note, hits: this.hydrate(scored.slice(0, limit)), ...said };
  }

  /** Photos that look like the given one (by its own stored vector). */
  async similar(photoId: number, opts: SearchOptions = {}): Promise<SearchResult> {
    const limit = opts.limit ?? 20;
    const modelId = this.searchModel();
    const v = modelId ? this.catalog.embedding(photoId, modelId) : undefined;
    if (!modelId || !v) {
      return { query: `similar to #${photoId}`, model: modelId, note: 'this photo has no embedding yet: run `shoebox index`', hits: [] };
    }
    const allowed = this.allowed(opts);
    const hits = (await this.knn(modelId, v.length, v, limit + 1, (id) => id !== photoId && (!allowed || allowed.has(id))))
      .slice(0, limit)
      .map((h) => ({ id: h.id, score: h.score, clipScore: h.score, textScore: null }));
    return { query: `similar to #${photoId}`, model: modelId, note: null, hits: this.hydrate(hits) };
  }

  /** The hits' photos in one query for the page (unknown ids are left out), in score order. */
  private hydrate(scored: { id: number; score: number; clipScore: number | null; textScore: number | null; photoText?: { score: number; line: string } | null }[]): SearchHit[] {
    const photos = new Map(this.browser.summaries(scored.map((s) => s.id)).map((p) => [p.id, p]));
    const out: SearchHit[] = [];
    for (const s of scored) {
      const p = photos.get(s.id);
      if (!p) continue;
      out.push({
        id: p.id,
        path: p.path,
        score: +s.score.toFixed(4),
        clipScore: s.clipScore === null ? null : +s.clipScore.toFixed(4),
        textScore: s.textScore === null ? null : +s.textScore.toFixed(4),
        photoText: s.photoText ? { score: +s.photoText.score.toFixed(4), line: s.photoText.line } : null,
        caption: p.caption,
        tags: [...p.tags, ...p.suggested],
        rating: p.rating,
        label: p.label,
        takenAt: p.takenAt,
        width: p.width,
        height: p.height,
        offline: p.offline,
      });
    }
    return out;
  }

  /** Brings the search model's index on disk up to date with SQLite (after a run of the pipeline). */
  async refresh(): Promise<void> {
    const modelId = this.searchModel();
    if (!modelId) return;
    const dim = this.catalog.embeddingDim(modelId);
    if (!dim) return;
    const open = this.indexes.get(modelId);
    if (open) this.lastSync = await (await open).sync(sourceFor(this.catalog, this.db, modelId));
    else await this.index(modelId, dim);
  }

  /** Saves indexes that changed since the last save. */
  async save(): Promise<void> {
    for (const modelId of [...this.dirty]) {
      this.dirty.delete(modelId);
      await (await this.indexes.get(modelId))?.save();
    }
  }

  async close(): Promise<void> {
    await this.save().catch(() => undefined);
    for (const p of this.indexes.values()) await (await p.catch(() => null))?.close();
    this.indexes.clear();
  }
}
