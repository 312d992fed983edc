// Resolved duplicates in the catalog (migration 12): each resolution, its groups with the keeper's user data before
// and after the merge, and every photo put away with the trash's record of it ([Note: resolving duplicates] in
// core/duplicates/resolve.ts). Also the keeper's reads and writes the merge makes, and the one question the rest of
// the engine asks: which photos are put away while their resolution can still be undone (the scanner's purge leaves
// them; Edits.undo refuses to undo an edit older than such a resolution).
import { statementCache, type Db, type Statement } from './db.ts';
import type { EditLog } from './edit-log.ts';
import type { PlaceRow } from './places.ts';

/** How long a resolution can be undone (days): its put-away photos' rows are kept that long, then purged as missing. */
export const UNDO_DAYS = 30;
export const UNDO_MS = UNDO_DAYS * 24 * 60 * 60 * 1000;

export type ResolutionState = 'pending' | 'done' | 'failed' | 'undone';
export type PutAwayState = 'moving' | 'trashed' | 'kept' | 'restored' | 'unrestored';

export interface ResolutionRow {
  id: number;
  summary: string;
  state: ResolutionState;
  createdAt: number;
  finishedAt: number | null;
  undoneAt: number | null;
}

/** A GPS position as photos.gps_* hold it. */
export interface Position {
  lat: number;
  lon: number;
  alt: number | null;
}

/** The keeper's user data as a resolution records it: the undo log's part JSON ([Note: undo log]) and the position. */
export interface KeeperState {
  /** The undo log's snapshot of the caption, tags and place, parsed. */
  parts: { caption: unknown; tags: { tag: string; source: string; hidden: number }[]; place: unknown };
  gps: Position | null;
}

export interface ResolutionGroupRow {
  resolutionId: number;
  groupId: string;
  kind: string;
  keeper: number;
  kept: number[];
  before: KeeperState;
  after: KeeperState;
  /** What was merged (ResolveMerge in shared/contract.ts). */
  merged: unknown;
}

export interface PutAwayRow {
  resolutionId: number;
  photoId: number;
  groupId: string;
  path: string;
  size: number;
  fingerprint: string;
  /** The trash's record (TrashedFile), once the trash took the file. */
  trashed: unknown;
  state: PutAwayState;
  error: string | null;
}

/** The parts of the keeper a resolution records and undoes (the undo log's). */
export const KEEPER_PARTS = ['caption', 'tags', 'place'] as const;

export class Resolutions {
  private readonly sql: (text: string) => Statement;

  constructor(readonly db: Db) {
    this.sql = statementCache(db);
  }

  // ── resolutions ────────────────────────────────────────────────────────

  create(summary: string, now = Date.now()): number {
    return Number(this.sql("INSERT INTO resolutions (summary, state, created_at) VALUES (?, 'pending', ?)").run(summary, now).lastInsertRowid);
  }

  setSummary(id: number, summary: string): void {
    this.sql('UPDATE resolutions SET summary = ? WHERE id = ?').run(summary, id);
  }

  finish(id: number, state: 'done' | 'failed', now = Date.now()): void {
    this.sql('UPDATE resolutions SET state = ?, finished_at = ? WHERE id = ?').run(state, now, id);
  }

  markUndone(id: number, now = Date.now()): void {
    this.sql("UPDATE resolutions SET state = 'undone', undone_at = ? WHERE id = ?").run(now, id);
  }

  get(id: number): ResolutionRow | undefined {
    const r = this.sql('SELECT * FROM resolutions WHERE id = ?').get(id) as RawResolution | undefined;
    return r && toResolution(r);
  }

  /** Newest first. */
  list(limit = 200): ResolutionRow[] {
    return (this.sql('SELECT * FROM resolutions ORDER BY id DESC LIMIT ?').all(limit) as RawResolution[]).map(toResolution);
  }

  /** Resolutions a kill left part way. */
  pending(): ResolutionRow[] {
    return (this.sql("SELECT * FROM resolutions WHERE state = 'pending' ORDER BY id").all() as RawResolution[]).map(toResolution);
  }

  /** The newest resolution that can still be undone (done, within UNDO_DAYS), if any. */
  newestUndoable(now = Date.now()): ResolutionRow | undefined {
    const r = this.sql("SELECT * FROM resolutions WHERE state IN ('done', 'pending') AND created_at > ? ORDER BY id DESC LIMIT 1").get(now - UNDO_MS) as
      | RawResolution
      | undefined;
    return r && toResolution(r);
  }

  // ── groups ─────────────────────────────────────────────────────────────

  addGroup(g: ResolutionGroupRow): void {
    this.sql(
      'INSERT INTO resolution_groups (resolution_id, group_id, kind, keeper, kept, before, after, merged) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(g.resolutionId, g.groupId, g.kind, g.keeper, JSON.stringify(g.kept), JSON.stringify(g.before), JSON.stringify(g.after), JSON.stringify(g.merged));
  }

  groups(resolutionId: number): ResolutionGroupRow[] {
    const rows = this.sql('SELECT * FROM resolution_groups WHERE resolution_id = ? ORDER BY rowid').all(resolutionId) as {
      resolution_id: number; group_id: string; kind: string; keeper: number; kept: string; before: string; after: string; merged: string;
    }[];
    return rows.map((r) => ({
      resolutionId: r.resolution_id, groupId: r.group_id, kind: r.kind, keeper: r.keeper, kept: JSON.parse(r.kept) as number[],
      before: JSON.parse(r.before) as KeeperState, after: JSON.parse(r.after) as KeeperState, merged: JSON.parse(r.merged) as unknown,
    }));
  }

  // ── photos put away ────────────────────────────────────────────────────

  addPutAway(p: Omit<PutAwayRow, 'trashed' | 'state' | 'error'>): void {
    this.sql("INSERT INTO put_away (resolution_id, photo_id, group_id, path, size, fingerprint, state) VALUES (?, ?, ?, ?, ?, ?, 'moving')").run(
      p.resolutionId, p.photoId, p.groupId, p.path, p.size, p.fingerprint,
    );
  }

  setPutAway(resolutionId: number, photoId: number, state: PutAwayState, trashed: unknown, error: string | null): void {
    this.sql('UPDATE put_away SET state = ?, trashed = COALESCE(?, trashed), error = ? WHERE resolution_id = ? AND photo_id = ?').run(
      state, trashed === undefined || trashed === null ? null : JSON.stringify(trashed), error, resolutionId, photoId,
    );
  }

  putAway(resolutionId: number): PutAwayRow[] {
    const rows = this.sql('SELECT * FROM put_away WHERE resolution_id = ? ORDER BY rowid').all(resolutionId) as {
      resolution_id: number; photo_id: number; group_id: string; path: string; size: number; fingerprint: string; trashed: string | null; state: PutAwayState; error: string | null;
    }[];
    return rows.map((r) => ({
      resolutionId: r.resolution_id, photoId: r.photo_id, groupId: r.group_id, path: r.path, size: r.size, fingerprint: r.fingerprint,
      trashed: r.trashed === null ? null : (JSON.parse(r.trashed) as unknown), state: r.state, error: r.error,
    }));
  }

  /**
   * Photos put away (or being put away) by a resolution that can still be undone: their rows stay while they are in
   * the trash, so the scanner's purge of missing photos leaves them ([Note: resolving duplicates]).
   */
  protectedIds(now = Date.now()): Set<number> {
    return new Set(
      this.sql(
        `SELECT a.photo_id FROM put_away a JOIN resolutions r ON r.id = a.resolution_id
         WHERE a.state IN ('moving', 'trashed') AND r.state IN ('pending', 'done') AND r.created_at > ?`,
      ).pluck().all(now - UNDO_MS) as number[],
    );
  }

  // ── the photos' rows ───────────────────────────────────────────────────

  /** Marks photos put away missing (the grid, search and duplicate groups leave them out). */
  markMissing(ids: readonly number[], now = Date.now()): void {
    this.sql('UPDATE photos SET missing_since = ? WHERE id IN (SELECT value FROM json_each(?)) AND missing_since IS NULL').run(now, JSON.stringify(ids));
  }

  /** A photo back at its path: present again, with the file's modification time now (a move across drives may change it). */
  markPresent(id: number, mtimeMs: number | null): void {
    this.sql('UPDATE photos SET missing_since = NULL, mtime_ms = COALESCE(?, mtime_ms) WHERE id = ?').run(mtimeMs, id);
  }

  /** What a put-away photo's file is catalogued as; undefined when the photo is not in the catalog. */
  file(id: number): { path: string; size: number; fingerprint: string | null; missing: boolean; companions: number } | undefined {
    const r = this.sql(
      `SELECT path, size, fingerprint, missing_since IS NOT NULL AS missing, (SELECT COUNT(*) FROM photo_files f WHERE f.photo_id = p.id) AS companions
       FROM photos p WHERE id = ?`,
    ).get(id) as { path: string; size: number; fingerprint: string | null; missing: number; companions: number } | undefined;
    return r && { path: r.path, size: r.size, fingerprint: r.fingerprint, missing: r.missing === 1, companions: r.companions };
  }

  // ── what the merge reads and writes of a keeper ────────────────────────

  /** The user's visible tags of a photo, as stored. */
  userTags(id: number): string[] {
    return this.sql("SELECT tag FROM tags WHERE photo_id = ? AND source = 'user' AND hidden = 0 ORDER BY created_at, tag").pluck().all(id) as string[];
  }

  userCaption(id: number): string | null {
    return (this.sql("SELECT text FROM captions WHERE photo_id = ? AND source = 'user'").pluck().get(id) as string | undefined) ?? null;
  }

  userPlace(id: number): PlaceRow | undefined {
    return this.sql("SELECT * FROM places WHERE photo_id = ? AND source = 'user'").get(id) as PlaceRow | undefined;
  }

  gps(id: number): Position | null {
    const r = this.sql('SELECT gps_lat, gps_lon, gps_alt FROM photos WHERE id = ?').get(id) as { gps_lat: number | null; gps_lon: number | null; gps_alt: number | null } | undefined;
    return r && r.gps_lat !== null && r.gps_lon !== null ? { lat: r.gps_lat, lon: r.gps_lon, alt: r.gps_alt } : null;
  }

  setGps(id: number, p: Position | null, now = Date.now()): void {
    this.sql('UPDATE photos SET gps_lat = ?, gps_lon = ?, gps_alt = ?, updated_at = ? WHERE id = ?').run(p?.lat ?? null, p?.lon ?? null, p?.alt ?? null, now, id);
  }

  /** The keeper's caption, tags and place as the undo log records them, parsed, with its position. */
  keeperState(log: EditLog, id: number): KeeperState {
    // The undo log builds the JSON; a scratch edit holds it for the read, then goes (an edit of no photos is not kept).
    const scratch = log.begin();
    log.snapshot(scratch, [id], KEEPER_PARTS);
    const state = this.sql('SELECT state FROM edit_before WHERE edit_id = ? AND photo_id = ?').pluck().get(scratch, id) as string;
    this.sql('DELETE FROM edit_before WHERE edit_id = ?').run(scratch);
    log.finish(scratch, '', 0);
    return { parts: JSON.parse(state) as KeeperState['parts'], gps: this.gps(id) };
  }

  /** Puts these parts of the keeper back as `state` recorded them, through the undo log's restore ([Note: undo log]). */
  restoreKeeper(log: EditLog, id: number, parts: Partial<KeeperState['parts']>): void {
    if (Object.keys(parts).length === 0) return;
    const scratch = log.begin();
    this.sql('INSERT INTO edit_before (edit_id, photo_id, state) VALUES (?, ?, ?)').run(scratch, id, JSON.stringify(parts));
    log.restore(scratch, [id]);
    this.sql('DELETE FROM edit_before WHERE edit_id = ?').run(scratch);
    log.finish(scratch, '', 0);
  }
}

interface RawResolution {
  id: number;
  summary: string;
  state: ResolutionState;
  created_at: number;
  finished_at: number | null;
  undone_at: number | null;
}

function toResolution(r: RawResolution): ResolutionRow {
  return { id: r.id, summary: r.summary, state: r.state, createdAt: r.created_at, finishedAt: r.finished_at, undoneAt: r.undone_at };
}
