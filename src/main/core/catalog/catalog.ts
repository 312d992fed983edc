// The catalog repository: folders, photos and their derived rows, settings and embeddings. Every SQL statement of the engine lives in catalog/ (repositories.ts builds them together).
import path from 'node:path';
import { statementCache, type Db, type Statement } from './db.ts';
import type { DamagedPhoto, FolderInfo, PhotoDetails, PhotoFile, PhotoSummary, ScanIssue } from '../../../shared/types.ts';
import type { PhotoFacts } from '../media/decode.ts';
import { mergeFacts, type FactsReader, type MetadataFacts } from '../media/facts.ts';
import type { DateSource } from '../media/dates.ts';
import { Annotations, cleanTag, keyOf } from './annotations.ts';
import { PhotoBrowser, underFolder } from './browse.ts';
import { TaskQueue } from './tasks.ts';
import { Places, toPhotoPlace } from './places.ts';
import { PhotoText } from './photo-text.ts';
import type { KnownFile, NewFile, PhotoRow, FolderRow } from './rows.ts';

export type { FolderRow, KnownFile, NewFile, PhotoRow } from './rows.ts';

export function blobToVector(blob: Buffer): Float32Array {
  // Copy: SQLite's buffer may not be 4-byte aligned.
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

/** True when `child` is `parent` or lies inside it. */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class Catalog {

  constructor(
    readonly db: Db,
    /** Stages every new or changed photo is queued for, in registry order. */
    private readonly stages: () => readonly string[],
    /** The repositories it works with (openCatalog shares them; a bare catalog makes its own). */
    repos: { queue?: TaskQueue; annotations?: Annotations; browser?: PhotoBrowser; places?: Places } = {},
  ) {
    this.sql = statementCache(db);
    this.places = repos.places ?? new Places(db);
    this.queue = repos.queue ?? new TaskQueue(db);
    this.annotations = repos.annotations ?? new Annotations(db);
    this.browser = repos.browser ?? new PhotoBrowser(db);
  }

  /** Where a new or changed photo's tasks go. */
  private readonly queue: TaskQueue;
  private readonly annotations: Annotations;
  private readonly browser: PhotoBrowser;
  private readonly places: Places;

  /** A prepared statement, cached by its SQL text. */
  private readonly sql: (text: string) => Statement;


  // ── folders ────────────────────────────────────────────────────────────

  folders(): FolderRow[] {
    return this.sql('SELECT id, path, online, last_scan_at FROM folders ORDER BY path').all() as FolderRow[];
  }

  folderInfos(): FolderInfo[] {
    const rows = this.sql(
        `SELECT f.id, f.path, f.online, f.last_scan_at, COUNT(p.id) AS photos
         FROM folders f LEFT JOIN photos p ON p.folder_id = f.id GROUP BY f.id ORDER BY f.path`,
      )
      .all() as (FolderRow & { photos: number })[];
    return rows.map((r) => ({ id: r.id, path: r.path, online: r.online === 1, photos: r.photos, lastScanAt: r.last_scan_at }));
  }

  folderFor(file: string): FolderRow | undefined {
    return this.folders().find((f) => isInside(file, f.path));
  }

  /**
   * Adds a library folder. A folder inside an existing one is already covered; a folder that
   * contains existing ones absorbs them, keeping their photos and everything derived from them.
   */
  addFolder(dir: string, now = Date.now()): { folder: FolderRow; added: boolean } {
    const abs = path.resolve(dir);
    return this.db.transaction(() => {
      const existing = this.folders();
      const cover = existing.find((f) => isInside(abs, f.path));
      if (cover) return { folder: cover, added: false };
      const info = this.sql('INSERT INTO folders (path, added_at, online) VALUES (?, ?, 1)').run(abs, now);
      const id = Number(info.lastInsertRowid);
      for (const child of existing.filter((f) => isInside(f.path, abs))) {
        this.sql('UPDATE photos SET folder_id = ? WHERE folder_id = ?').run(id, child.id);
        this.sql('UPDATE scan_issues SET folder_id = ? WHERE folder_id = ?').run(id, child.id);
        this.sql('DELETE FROM folders WHERE id = ?').run(child.id);
      }
      return { folder: { id, path: abs, online: 1, last_scan_at: null }, added: true };
    })();
  }

  /** Removes a library folder and every photo in it; returns the fingerprints that lost a photo. */
  removeFolder(dir: string): { removed: boolean; fingerprints: string[] } {
    const abs = path.resolve(dir);
    return this.db.transaction(() => {
      const folder = this.folders().find((f) => f.path === abs);
      if (!folder) return { removed: false, fingerprints: [] };
      const ids = this.sql('SELECT id FROM photos WHERE folder_id = ?').pluck().all(folder.id) as number[];
      const fps = this.deletePhotos(ids);
      this.sql('DELETE FROM folders WHERE id = ?').run(folder.id);
      return { removed: true, fingerprints: fps };
    })();
  }

  setFolderOnline(id: number, online: boolean): void {
    this.sql('UPDATE folders SET online = ? WHERE id = ?').run(online ? 1 : 0, id);
  }

  markScanned(id: number, now = Date.now()): void {
    this.sql('UPDATE folders SET last_scan_at = ? WHERE id = ?').run(now, id);
  }

  // ── photos: what the scanner and watcher need ─────────────────────────

  /** Path → size, mtime, fingerprint for every photo of a folder: the rescan's comparison table. */
  knownFiles(folderId: number): Map<string, KnownFile> {
    const map = new Map<string, KnownFile>();
    const stmt = this.sql('SELECT path, id, size, mtime_ms, fingerprint, missing_since FROM photos WHERE folder_id = ?');
    for (const row of stmt.iterate(folderId) as Iterable<KnownFile & { path: string }>) {
      map.set(row.path, { id: row.id, size: row.size, mtime_ms: row.mtime_ms, fingerprint: row.fingerprint, missing_since: row.missing_since });
    }
    return map;
  }

  hasPhotos(folderId: number): boolean {
    return this.sql('SELECT 1 FROM photos WHERE folder_id = ? LIMIT 1').get(folderId) !== undefined;
  }

  photoByPath(file: string): PhotoRow | undefined {
    return this.sql('SELECT * FROM photos WHERE path = ?').get(file) as PhotoRow | undefined;
  }

  photo(id: number): PhotoRow | undefined {
    return this.sql('SELECT * FROM photos WHERE id = ?').get(id) as PhotoRow | undefined;
  }

  setFingerprint(id: number, fingerprint: string): void {
    this.sql('UPDATE photos SET fingerprint = ? WHERE id = ?').run(fingerprint, id);
  }

  /** Photos with this fingerprint, candidates for a move's source. */
  photosByFingerprint(fp: string): PhotoRow[] {
    return this.sql('SELECT * FROM photos WHERE fingerprint = ? ORDER BY missing_since IS NULL, id').all(fp) as PhotoRow[];
  }

  insertPhoto(f: NewFile, now = Date.now()): number {
    const info = this.sql(
        `INSERT INTO photos (folder_id, path, filename, size, mtime_ms, fingerprint, added_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(f.folderId, f.path, path.basename(f.path), f.size, f.mtimeMs, f.fingerprint, now, now);
    const id = Number(info.lastInsertRowid);
    this.queue.enqueueAll(id, this.stages(), now);
    return id;
  }

  /** The same photo at a new path (a move or rename): its id and derived data stay. */
  relinkPhoto(id: number, f: NewFile, now = Date.now()): void {
    this.sql(
        `UPDATE photos SET folder_id = ?, path = ?, filename = ?, size = ?, mtime_ms = ?, missing_since = NULL, updated_at = ?
         WHERE id = ?`,
      )
      .run(f.folderId, f.path, path.basename(f.path), f.size, f.mtimeMs, now, id);
  }

  /** The file at a known path changed. New content requeues every stage and drops automatic results. */
  updatePhotoFile(id: number, size: number, mtimeMs: number, fingerprint: string | null, now = Date.now()): boolean {
    const old = this.photo(id);
    const contentChanged = fingerprint === null || old?.fingerprint !== fingerprint;
    this.sql('UPDATE photos SET size = ?, mtime_ms = ?, fingerprint = ?, missing_since = NULL, updated_at = ? WHERE id = ?')
      .run(size, mtimeMs, fingerprint, now, id);
    if (contentChanged) {
      this.sql('DELETE FROM embeddings WHERE photo_id = ?').run(id);
      this.sql("DELETE FROM captions WHERE photo_id = ? AND source = 'auto'").run(id);
      this.sql("DELETE FROM tags WHERE photo_id = ? AND source = 'auto' AND hidden = 0").run(id);
      // The new content's readings replace the old ones ([Note: merged facts]); the date stays shown until then.
      this.sql(
        `UPDATE photos SET taken_at_source = NULL, time_zone = NULL, camera_make = NULL, camera_model = NULL, lens = NULL,
           gps_lat = NULL, gps_lon = NULL, gps_alt = NULL WHERE id = ?`,
      ).run(id);
      this.queue.enqueueAll(id, this.stages(), now);
    }
    return contentChanged;
  }

  // ── files that belong to a photo ([Note: file pairs]) ─────────────────

  /** The photo a companion file (the RAW of a pair, a Live Photo's video) belongs to, if it is one. */
  companionOwner(file: string): { photoId: number; role: 'raw' | 'video' } | undefined {
    const r = this.sql('SELECT photo_id, role FROM photo_files WHERE path = ?').get(file) as { photo_id: number; role: 'raw' | 'video' } | undefined;
    return r ? { photoId: r.photo_id, role: r.role } : undefined;
  }

  /** Records a companion file of a photo (or moves it to another photo). */
  putCompanion(file: string, photoId: number, role: 'raw' | 'video', size: number, mtimeMs: number): void {
    this.sql(
      `INSERT INTO photo_files (path, photo_id, role, size, mtime_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET photo_id = excluded.photo_id, role = excluded.role, size = excluded.size, mtime_ms = excluded.mtime_ms`,
    ).run(file, photoId, role, size, mtimeMs);
  }

  /** Companion paths at or under a directory. */
  companionPathsUnder(dir: string): string[] {
    const { sql, args } = underFolder(dir);
    return this.sql(`SELECT path FROM photo_files p WHERE ${sql}`).pluck().all(...args) as string[];
  }

  removeCompanions(files: Iterable<string>): void {
    const del = this.sql('DELETE FROM photo_files WHERE path = ?');
    for (const f of files) del.run(f);
  }

  /**
   * A photo row takes another file as its own (a pair's face arrived for a RAW that was a photo of
   * its own, or the face went and the RAW is the photo now): the id and the user's work stay, the
   * file's facts are unknown until the scan fingerprints it (size -1), which then requeues every stage.
   */
  retargetPhoto(id: number, file: string, now = Date.now()): void {
    this.sql(
      `UPDATE photos SET path = ?, filename = ?, size = -1, mtime_ms = -1, fingerprint = NULL, missing_since = NULL, updated_at = ? WHERE id = ?`,
    ).run(file, path.basename(file), now, id);
    this.removeCompanions([file]);
  }

  /**
   * Folds photo `fromId` into photo `intoId` (a RAW catalogued on its own before its JPEG was seen as
   * its pair): the user's caption moves when `intoId` has none, the user's tags and hidden tags move, its rating and label when `intoId` has none,
   * then `fromId` is deleted. Returns the fingerprints that lost a photo.
   */
  absorbPhoto(fromId: number, intoId: number): string[] {
    return this.db.transaction(() => {
      this.sql(
        `INSERT OR IGNORE INTO captions (photo_id, source, text, model_id, model_revision, score, low_confidence, created_at, task, decoding, origin)
         SELECT ?, source, text, model_id, model_revision, score, low_confidence, created_at, task, decoding, origin FROM captions WHERE photo_id = ? AND source = 'user'`,
      ).run(intoId, fromId);
      this.sql(
        `INSERT OR IGNORE INTO tags (photo_id, tag, source, score, model_id, hidden, created_at, origin)
         SELECT ?, tag, source, score, model_id, hidden, created_at, origin FROM tags WHERE photo_id = ? AND (source = 'user' OR hidden = 1)`,
      ).run(intoId, fromId);
      this.sql(
        `INSERT OR IGNORE INTO marks (photo_id, rating, label, origin, updated_at) SELECT ?, rating, label, origin, updated_at FROM marks WHERE photo_id = ?`,
      ).run(intoId, fromId);
      return this.deletePhotos([fromId]);
    })();
  }

  setSkippedVideos(folderId: number, count: number): void {
    this.sql('UPDATE folders SET skipped_videos = ? WHERE id = ?').run(count, folderId);
  }

  markPresent(id: number): void {
    this.sql('UPDATE photos SET missing_since = NULL WHERE id = ? AND missing_since IS NOT NULL').run(id);
  }

  markMissing(ids: Iterable<number>, now = Date.now()): void {
    const stmt = this.sql('UPDATE photos SET missing_since = ? WHERE id = ? AND missing_since IS NULL');
    this.db.transaction(() => {
      for (const id of ids) stmt.run(now, id);
    })();
  }

  /** Marks every photo under a directory missing (a directory was deleted or moved away). */
  markMissingUnder(dir: string, now = Date.now()): number {
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    return this.sql("UPDATE photos SET missing_since = ? WHERE missing_since IS NULL AND substr(path, 1, length(?)) = ?")
      .run(now, prefix, prefix).changes;
  }

  /** Missing photos of online folders, missing since `before` or earlier: the ones a purge may delete. */
  missingPhotos(before: number): PhotoRow[] {
    return this.sql(
        `SELECT p.* FROM photos p JOIN folders f ON f.id = p.folder_id
         WHERE p.missing_since IS NOT NULL AND p.missing_since <= ? AND f.online = 1`,
      )
      .all(before) as PhotoRow[];
  }

  private readonly deleteListeners = new Set<(ids: readonly number[]) => void>();

  /** Called after photos are deleted (derived indexes drop them). */
  onDeleted(fn: (ids: readonly number[]) => void): () => void {
    this.deleteListeners.add(fn);
    return () => this.deleteListeners.delete(fn);
  }

  /** Deletes photos with everything derived from them; returns the fingerprints that lost a photo. */
  deletePhotos(ids: readonly number[]): string[] {
    const fps = new Set<string>();
    const get = this.sql('SELECT fingerprint FROM photos WHERE id = ?').pluck();
    const del = this.sql('DELETE FROM photos WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) {
        const fp = get.get(id) as string | null | undefined;
        if (fp) fps.add(fp);
        del.run(id);
      }
    })();
    if (ids.length) for (const fn of this.deleteListeners) fn(ids);
    return [...fps];
  }

  /** Fingerprints from the list that no photo uses any more: their cached files can go. */
  unusedFingerprints(fps: readonly string[]): string[] {
    const stmt = this.sql('SELECT 1 FROM photos WHERE fingerprint = ? LIMIT 1').pluck();
    return fps.filter((fp) => stmt.get(fp) === undefined);
  }

  /** Stores what decoding learned about a photo: its pixels' facts, and exifr's metadata merged by rank. */
  setFacts(id: number, f: PhotoFacts, now = Date.now()): void {
    // Absent `damaged`: nothing was decoded this time, and what the last decode found stands.
    this.mergeMetadata(id, f, 'exifr', now, { format: f.format, width: f.width, height: f.height, orientation: f.orientation, ...(f.damaged !== undefined ? { damaged: f.damaged } : {}) });
  }

  /**
   * Merges one reading of a photo's metadata (date, camera, lens, position) into what the catalog holds, by
   * source rank, so the thumb and meta stages may commit in either order ([Note: merged facts]). The file name
   * and modification time are the last candidates for the date. `pixels` are the decoder's facts, written as
   * they are. One UPDATE, and none when nothing changed (most meta readings of photos exifr read well).
   */
  mergeMetadata(
    id: number,
    m: MetadataFacts,
    reader: FactsReader,
    now = Date.now(),
    pixels?: { format: string; width: number; height: number; orientation: number | null; damaged?: string | null },
  ): void {
    const p = this.photo(id);
    if (!p) return;
    const stored: MetadataFacts = {
      takenAt: p.taken_at,
      takenAtSource: p.taken_at_source as DateSource | null,
      timeZone: p.time_zone,
      cameraMake: p.camera_make,
      cameraModel: p.camera_model,
      lens: p.lens,
      gpsLat: p.gps_lat,
      gpsLon: p.gps_lon,
      gpsAlt: p.gps_alt,
    };
    const f = mergeFacts(stored, m, reader, { fileName: p.filename, mtimeMs: p.mtime_ms });
    const px = { format: p.format, width: p.width, height: p.height, orientation: p.orientation, damaged: p.damaged, ...pixels };
    const same =
      (Object.keys(stored) as (keyof MetadataFacts)[]).every((k) => stored[k] === f[k]) &&
      px.format === p.format && px.width === p.width && px.height === p.height && px.orientation === p.orientation && px.damaged === p.damaged;
    if (same) return;
    this.sql(
        `UPDATE photos SET taken_at = ?, taken_at_source = ?, time_zone = ?, camera_make = ?, camera_model = ?, lens = ?,
           gps_lat = ?, gps_lon = ?, gps_alt = ?, format = ?, width = ?, height = ?, orientation = ?, damaged = ?, updated_at = ? WHERE id = ?`,
      )
      .run(f.takenAt, f.takenAtSource, f.timeZone, f.cameraMake, f.cameraModel, f.lens, f.gpsLat, f.gpsLon, f.gpsAlt, px.format, px.width, px.height, px.orientation, px.damaged, now, id);
    // A new position makes the photo's place again ([Note: places stage] in pipeline/places-stage.ts); a result
    // being made from the old one is dropped (its task was requeued meanwhile).
    if ((stored.gpsLat !== f.gpsLat || stored.gpsLon !== f.gpsLon) && this.stages().includes('places')) this.queue.requeuePhotos([id], ['places'], now);
  }

  // ── embeddings (the source of truth for the vector index) ─────────────

  putEmbedding(photoId: number, modelId: string, vector: Float32Array, now = Date.now()): void {
    this.sql(
      `INSERT INTO embeddings (photo_id, model_id, dim, vector, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (photo_id, model_id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector, created_at = excluded.created_at`,
    ).run(photoId, modelId, vector.length, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), now);
  }

  embedding(photoId: number, modelId: string): Float32Array | undefined {
    const blob = this.sql('SELECT vector FROM embeddings WHERE photo_id = ? AND model_id = ?').pluck().get(photoId, modelId) as Buffer | undefined;
    return blob ? blobToVector(blob) : undefined;
  }

  /** The vector length of a model's embeddings; undefined when it has none. */
  embeddingDim(modelId: string): number | undefined {
    return this.sql('SELECT dim FROM embeddings WHERE model_id = ? LIMIT 1').pluck().get(modelId) as number | undefined;
  }

  /** Every present photo, by path (what `shoebox export` lists). */
  presentPhotosByPath(): IterableIterator<{ id: number; path: string; taken_at: string | null }> {
    return this.sql('SELECT id, path, taken_at FROM photos WHERE missing_since IS NULL ORDER BY path').iterate() as IterableIterator<{
      id: number;
      path: string;
      taken_at: string | null;
    }>;
  }

  embeddingCount(modelId: string): number {
    return this.sql('SELECT COUNT(*) FROM embeddings WHERE model_id = ?').pluck().get(modelId) as number;
  }

  embeddingIds(modelId: string): Iterable<number> {
    return this.sql('SELECT photo_id FROM embeddings WHERE model_id = ?').pluck().iterate(modelId) as Iterable<number>;
  }

  *embeddings(modelId: string): Iterable<{ id: number; vector: Float32Array }> {
    for (const row of this.sql('SELECT photo_id, vector FROM embeddings WHERE model_id = ?').iterate(modelId) as Iterable<{ photo_id: number; vector: Buffer }>) {
      yield { id: row.photo_id, vector: blobToVector(row.vector) };
    }
  }

  /** Photos whose embedding was (re)written at or after `sinceMs`. */
  embeddingsChangedSince(modelId: string, sinceMs: number): Iterable<number> {
    return this.sql('SELECT photo_id FROM embeddings WHERE model_id = ? AND created_at >= ?').pluck().iterate(modelId, sinceMs) as Iterable<number>;
  }

  /** Model ids that have embeddings, with their counts. */
  embeddingModels(): { modelId: string; count: number }[] {
    return this.sql('SELECT model_id AS modelId, COUNT(*) AS count FROM embeddings GROUP BY model_id').all() as { modelId: string; count: number }[];
  }

  deleteEmbeddings(modelId: string): void {
    this.sql('DELETE FROM embeddings WHERE model_id = ?').run(modelId);
  }

  /** Automatic captions, and how many of them the caption check flagged low-confidence. */
  autoCaptionCounts(): { captioned: number; lowConfidence: number } {
    const r = this.sql(`SELECT COUNT(*) AS n, COALESCE(SUM(low_confidence), 0) AS low FROM captions WHERE source = 'auto'`).get() as { n: number; low: number };
    return { captioned: r.n, lowConfidence: r.low };
  }

  // ── automatic tags ─────────────────────────────────────────────────────

  /**
   * Replaces a photo's automatic tags (suggestions, [Note: tags in the catalog]); tags the user hid stay hidden
   * (accepted or rejected suggestions, whichever model made them), the user's own are untouched.
   */
  setAutoTags(photoId: number, modelId: string, tags: readonly { tag: string; score: number }[], now = Date.now()): void {
    const hidden = new Set((this.sql("SELECT tag FROM tags WHERE photo_id = ? AND source = 'auto' AND hidden = 1").pluck().all(photoId) as string[]).map(keyOf));
    this.sql("DELETE FROM tags WHERE photo_id = ? AND source = 'auto' AND hidden = 0").run(photoId);
    const ins = this.sql(
      `INSERT INTO tags (photo_id, tag, source, score, model_id, hidden, created_at) VALUES (?, ?, 'auto', ?, ?, 0, ?)
       ON CONFLICT (photo_id, tag, source) DO UPDATE SET score = excluded.score, model_id = excluded.model_id`,
    );
    for (const t of tags) {
      const tag = cleanTag(t.tag);
      if (tag && !hidden.has(keyOf(tag))) ins.run(photoId, tag, t.score, modelId, now);
    }
  }

  // ── settings ───────────────────────────────────────────────────────────

  setting(key: string): string | undefined {
    return this.sql('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) this.sql('DELETE FROM settings WHERE key = ?').run(key);
    else this.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // ── scan issues ────────────────────────────────────────────────────────

  replaceScanIssues(folderId: number, issues: readonly ScanIssue[], now = Date.now()): void {
    this.db.transaction(() => {
      this.sql('DELETE FROM scan_issues WHERE folder_id = ?').run(folderId);
      const ins = this.sql('INSERT OR REPLACE INTO scan_issues (path, folder_id, reason, seen_at) VALUES (?, ?, ?, ?)');
      for (const i of issues) ins.run(i.path, folderId, i.reason, now);
    })();
  }

  scanIssues(): ScanIssue[] {
    return this.sql('SELECT path, reason FROM scan_issues ORDER BY path').all() as ScanIssue[];
  }

  // ── reading ────────────────────────────────────────────────────────────

  /**
   * Photos in the library, and how many of them are in offline folders. A photo a duplicates resolution put in the
   * trash is not counted: its row stays only so that undo can bring it back (catalog/resolutions.ts). Counted as a
   * difference, not row by row, so that it costs one small lookup per put-away photo.
   */
  counts(): { photos: number; offline: number } {
    const row = this.sql(
      `SELECT COUNT(*) - (SELECT COUNT(DISTINCT a.photo_id) FROM put_away a JOIN photos q ON q.id = a.photo_id WHERE a.state IN ('moving', 'trashed')) AS photos,
         COALESCE(SUM(f.online = 0), 0) AS offline FROM photos p JOIN folders f ON f.id = p.folder_id`,
    ).get() as { photos: number; offline: number };
    return row;
  }

  /** Present photos in the grid's order (the window's pages, without their total). */
  list(opts: { folder?: string; limit?: number; offset?: number } = {}): PhotoSummary[] {
    return this.browser.photos({ ...opts, limit: opts.limit ?? -1 });
  }

  details(id: number): PhotoDetails | undefined {
    const p = this.photo(id);
    if (!p) return undefined;
    const summary = this.sql('SELECT f.path AS folder, f.online FROM folders f WHERE f.id = ?')
      .get(p.folder_id) as { folder: string; online: number };
    const annotations = this.annotations;
    const captions = annotations.captions(id);
    const shown = captions[0];
    const { tags, suggested } = annotations.photoTags(id);
    const marks = annotations.marks(id);
    return {
      id: p.id,
      path: p.path,
      folder: summary.folder,
      takenAt: p.taken_at,
      width: p.width,
      height: p.height,
      offline: summary.online === 0,
      caption: shown?.text ?? null,
      captionSource: shown?.source ?? null,
      captionScore: shown?.source === 'auto' ? shown.score : null,
      lowConfidence: shown?.source === 'auto' && shown.lowConfidence,
      tags,
      suggested,
      rating: marks?.rating ?? null,
      label: marks?.label ?? null,
      captions,
      tagDetails: annotations.tags(id),
      size: p.size,
      mtimeMs: p.mtime_ms,
      fingerprint: p.fingerprint,
      format: p.format,
      orientation: p.orientation,
      cameraMake: p.camera_make,
      cameraModel: p.camera_model,
      lens: p.lens,
      gps: p.gps_lat !== null && p.gps_lon !== null ? { lat: p.gps_lat, lon: p.gps_lon, alt: p.gps_alt } : null,
      damaged: p.damaged,
      takenAtSource: p.taken_at_source,
      timeZone: p.time_zone,
      files: [{ path: p.path, role: 'photo', size: p.size }, ...this.companions(id)],
      place: this.places.shown(id),
      gpsPlace: (() => {
        const auto = this.places.rows(id).auto;
        return auto ? toPhotoPlace(auto) : null;
      })(),
      text: (() => {
        const read = new PhotoText(this.db).get(id);
        return read ? { model: read.model, readAt: new Date(read.readAt).toISOString(), lines: read.lines } : null;
      })(),
    };
  }

  /** The files that belong to a photo besides its own (photo_files), RAW first. */
  companions(photoId: number): PhotoFile[] {
    return this.sql("SELECT path, role, size FROM photo_files WHERE photo_id = ? ORDER BY role = 'video', path").all(photoId) as PhotoFile[];
  }

  /** Photos shown although their decoder complained, with its words. */
  damagedPhotos(): DamagedPhoto[] {
    return this.sql('SELECT id, path, damaged AS reason FROM photos WHERE damaged IS NOT NULL ORDER BY path').all() as DamagedPhoto[];
  }

  /** Videos the last scans saw that belong to no photo. */
  skippedVideos(): number {
    return this.sql('SELECT COALESCE(SUM(skipped_videos), 0) FROM folders').pluck().get() as number;
  }
}
