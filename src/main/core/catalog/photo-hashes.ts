// Photos' perceptual signatures (the phash stage's results, migration 11) and the reads core/duplicates makes to
// group photos: the signatures written since it last looked, the capture times, the byte-identical copies, and each
// grouped photo's facts for choosing a keeper.
import { statementCache, type Db, type Statement } from './db.ts';

/** What a signature was made from ([Note: perceptual signature] in media/phash.ts). */
export type SignatureSource = 'decode' | 'thumbnail' | 'original';

export interface SignatureRow {
  photoId: number;
  version: number;
  fingerprint: string;
  signature: Buffer;
  seq: number;
}

/** What choosing a keeper reads of a grouped photo. */
export interface GroupedPhotoFacts {
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
  fingerprint: string | null;
  format: string | null;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  takenAtSource: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
  hasGps: boolean;
  /** The user's caption, visible tags, rating or label, or hand-set place. */
  hasEdits: boolean;
}

export class PhotoHashes {
  private readonly sql: (text: string) => Statement;

  constructor(readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** Stores a photo's signature, replacing the one it had: the row gets a new seq. */
  put(photoId: number, version: number, fingerprint: string, signature: Buffer, source: SignatureSource): void {
    this.sql('INSERT OR REPLACE INTO photo_hashes (photo_id, version, fingerprint, signature, source) VALUES (?, ?, ?, ?, ?)').run(photoId, version, fingerprint, signature, source);
  }

  /** Whether the photo has a signature of this version for this content. */
  isCurrent(photoId: number, version: number, fingerprint: string): boolean {
    return this.sql('SELECT 1 FROM photo_hashes WHERE photo_id = ? AND version = ? AND fingerprint = ?').pluck().get(photoId, version, fingerprint) === 1;
  }

  /** Where a photo's signature came from, or undefined when it has none. */
  source(photoId: number): SignatureSource | undefined {
    return this.sql('SELECT source FROM photo_hashes WHERE photo_id = ?').pluck().get(photoId) as SignatureSource | undefined;
  }

  /** Photos whose signature has another version. */
  staleIds(version: number): number[] {
    return this.sql('SELECT photo_id FROM photo_hashes WHERE version != ?').pluck().all(version) as number[];
  }

  /** Signatures of this version written after `seq`, in seq order. */
  *since(seq: number, version: number): Iterable<SignatureRow> {
    const rows = this.sql('SELECT photo_id, version, fingerprint, signature, seq FROM photo_hashes WHERE seq > ? AND version = ? ORDER BY seq').raw().iterate(seq, version) as Iterable<[number, number, string, Buffer, number]>;
    for (const [photoId, v, fingerprint, signature, s] of rows) yield { photoId, version: v, fingerprint, signature, seq: s };
  }

  /** How many signatures of this version are stored. */
  count(version: number): number {
    return this.sql('SELECT COUNT(*) FROM photo_hashes WHERE version = ?').pluck().get(version) as number;
  }

  /** Every photo with a signature of this version. */
  ids(version: number): number[] {
    return this.sql('SELECT photo_id FROM photo_hashes WHERE version = ?').pluck().all(version) as number[];
  }

  /**
   * Capture times of the photos in the library now (not missing) that have one, signed or not (the caller filters),
   * in order of taken_at, from migration 11's covering index: [id, taken_at, taken_at_source].
   */
  times(): [number, string, string | null][] {
    return this.sql(
      'SELECT id, taken_at, taken_at_source FROM photos INDEXED BY photos_capture WHERE missing_since IS NULL AND taken_at IS NOT NULL ORDER BY taken_at',
    ).raw().all() as [number, string, string | null][];
  }

  /** Photos in the library now sharing their content fingerprint with another: lists of ids, each sorted. */
  exactCopies(): number[][] {
    const rows = this.sql(
      `SELECT group_concat(id) FROM (
         SELECT id, fingerprint FROM photos WHERE missing_since IS NULL AND fingerprint IN (
           SELECT fingerprint FROM photos WHERE missing_since IS NULL AND fingerprint IS NOT NULL GROUP BY fingerprint HAVING COUNT(*) > 1)
         ORDER BY fingerprint, id)
       GROUP BY fingerprint`,
    ).pluck().all() as string[];
    return rows.map((s) => s.split(',').map(Number).sort((a, b) => a - b));
  }

  /** The facts of these photos that are in the library now (missing ones left out), by id. */
  facts(ids: readonly number[]): Map<number, GroupedPhotoFacts> {
    const rows = this.sql(
      `SELECT p.id, p.path, p.size, p.mtime_ms, p.fingerprint, p.format, p.width, p.height, p.taken_at, p.taken_at_source,
         p.camera_make, p.camera_model, (p.gps_lat IS NOT NULL AND p.gps_lon IS NOT NULL) AS has_gps,
         (EXISTS (SELECT 1 FROM captions c WHERE c.photo_id = p.id AND c.source = 'user')
           OR EXISTS (SELECT 1 FROM tags t WHERE t.photo_id = p.id AND t.source = 'user' AND t.hidden = 0)
           OR EXISTS (SELECT 1 FROM marks m WHERE m.photo_id = p.id AND (m.rating IS NOT NULL OR m.label IS NOT NULL))
           OR EXISTS (SELECT 1 FROM places pl WHERE pl.photo_id = p.id AND pl.source = 'user')) AS has_edits
       FROM photos p WHERE p.id IN (SELECT value FROM json_each(?)) AND p.missing_since IS NULL`,
    ).all(JSON.stringify(ids)) as {
      id: number; path: string; size: number; mtime_ms: number; fingerprint: string | null; format: string | null; width: number | null; height: number | null;
      taken_at: string | null; taken_at_source: string | null; camera_make: string | null; camera_model: string | null; has_gps: number; has_edits: number;
    }[];
    const out = new Map<number, GroupedPhotoFacts>();
    for (const r of rows) {
      out.set(r.id, {
        id: r.id, path: r.path, size: r.size, mtimeMs: r.mtime_ms, fingerprint: r.fingerprint, format: r.format, width: r.width, height: r.height,
        takenAt: r.taken_at, takenAtSource: r.taken_at_source, cameraMake: r.camera_make, cameraModel: r.camera_model,
        hasGps: r.has_gps === 1, hasEdits: r.has_edits === 1,
      });
    }
    return out;
  }
}
