// Captions and tags of photos: the model's and the user's, kept apart so a re-run, a model change or
// a rescan never overwrites what a person wrote. Full text follows through the schema's triggers.
import { statementCache, type Db, type Statement } from './db.ts';
import type { CaptionRecord, TagRecord } from '../../../shared/types.ts';

/** Where a user caption or tag came from: typed in Shoebox, or read from the photo's metadata. */
export type UserOrigin = 'shoebox' | 'import';

export interface AutoCaption {
  text: string;
  modelId: string;
  revision: string;
  task: string | null;
  /** 'greedy', 'beam3', 'sample4', or 'greedy,beam3' when a beam recheck kept the greedy caption. */
  decoding: string;
  /** Cosine between the caption's and the photo's CLIP embeddings; null without a CLIP model. */
  score: number | null;
  lowConfidence: boolean;
}

/** A tag as typed: trimmed, inner whitespace collapsed; empty tags are dropped. */
export function cleanTag(tag: string): string {
  return tag.normalize('NFC').trim().replace(/\s+/g, ' ');
}

export class Annotations {

  /** A prepared statement, cached by its SQL text. */
  private readonly sql: (text: string) => Statement;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  // ── captions ───────────────────────────────────────────────────────────

  autoCaption(photoId: number): (AutoCaption & { createdAt: number }) | undefined {
    const r = this.sql(
      `SELECT text, model_id, model_revision, task, decoding, score, low_confidence, created_at FROM captions WHERE photo_id = ? AND source = 'auto'`,
    ).get(photoId) as
      | { text: string; model_id: string; model_revision: string; task: string | null; decoding: string | null; score: number | null; low_confidence: number; created_at: number }
      | undefined;
    if (!r) return undefined;
    return {
      text: r.text,
      modelId: r.model_id,
      revision: r.model_revision,
      task: r.task,
      decoding: r.decoding ?? 'greedy',
      score: r.score,
      lowConfidence: r.low_confidence === 1,
      createdAt: r.created_at,
    };
  }

  setAutoCaption(photoId: number, c: AutoCaption, now = Date.now()): void {
    this.sql(
      `INSERT INTO captions (photo_id, source, text, model_id, model_revision, task, decoding, score, low_confidence, created_at)
       VALUES (?, 'auto', ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (photo_id, source) DO UPDATE SET text = excluded.text, model_id = excluded.model_id,
         model_revision = excluded.model_revision, task = excluded.task, decoding = excluded.decoding, score = excluded.score,
         low_confidence = excluded.low_confidence, created_at = excluded.created_at`,
    ).run(photoId, c.text, c.modelId, c.revision, c.task, c.decoding, c.score, c.lowConfidence ? 1 : 0, now);
  }

  userCaption(photoId: number): { text: string; origin: UserOrigin; createdAt: number } | undefined {
    const r = this.sql(`SELECT text, origin, created_at FROM captions WHERE photo_id = ? AND source = 'user'`).get(photoId) as
      | { text: string; origin: string | null; created_at: number }
      | undefined;
    return r ? { text: r.text, origin: r.origin === 'import' ? 'import' : 'shoebox', createdAt: r.created_at } : undefined;
  }

  /** Sets the user's caption; an empty text removes it, so the automatic caption shows again. */
  setUserCaption(photoId: number, text: string, origin: UserOrigin = 'shoebox', now = Date.now()): void {
    const clean = text.normalize('NFC').trim();
    if (!clean) {
      this.sql(`DELETE FROM captions WHERE photo_id = ? AND source = 'user'`).run(photoId);
      return;
    }
    this.sql(
      `INSERT INTO captions (photo_id, source, text, origin, created_at) VALUES (?, 'user', ?, ?, ?)
       ON CONFLICT (photo_id, source) DO UPDATE SET text = excluded.text, origin = excluded.origin, created_at = excluded.created_at`,
    ).run(photoId, clean, origin, now);
  }

  captions(photoId: number): CaptionRecord[] {
    const rows = this.sql(
      `SELECT source, text, model_id, model_revision, task, decoding, score, low_confidence, origin, created_at
       FROM captions WHERE photo_id = ? ORDER BY source = 'user' DESC`,
    ).all(photoId) as {
      source: 'auto' | 'user';
      text: string;
      model_id: string | null;
      model_revision: string | null;
      task: string | null;
      decoding: string | null;
      score: number | null;
      low_confidence: number;
      origin: string | null;
      created_at: number;
    }[];
    return rows.map((r) => ({
      source: r.source,
      text: r.text,
      modelId: r.model_id,
      revision: r.model_revision,
      task: r.task,
      decoding: r.decoding,
      score: r.score,
      lowConfidence: r.low_confidence === 1,
      origin: r.source === 'user' ? (r.origin === 'import' ? 'import' : 'shoebox') : null,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** Automatic captions with a score, for calibrating the check threshold. */
  scoredAutoCaptions(limit = 100_000): { photoId: number; text: string; score: number }[] {
    return this.sql(
      `SELECT photo_id AS photoId, text, score FROM captions WHERE source = 'auto' AND score IS NOT NULL ORDER BY photo_id LIMIT ?`,
    ).all(limit) as { photoId: number; text: string; score: number }[];
  }

  /** Flags every scored automatic caption under the threshold; returns how many are flagged. */
  applyThreshold(threshold: number | null): number {
    if (threshold === null) {
      this.sql(`UPDATE captions SET low_confidence = 0 WHERE source = 'auto' AND low_confidence != 0`).run();
      return 0;
    }
    this.sql(
      `UPDATE captions SET low_confidence = (score IS NOT NULL AND score < ?) WHERE source = 'auto' AND low_confidence != (score IS NOT NULL AND score < ?)`,
    ).run(threshold, threshold);
    return this.sql(`SELECT COUNT(*) FROM captions WHERE source = 'auto' AND low_confidence = 1`).pluck().get() as number;
  }

  /** Photos whose automatic caption is flagged and was decoded greedily only: candidates for a beam recheck. */
  weakGreedyCaptions(): number[] {
    return this.sql(`SELECT photo_id FROM captions WHERE source = 'auto' AND low_confidence = 1 AND COALESCE(decoding, 'greedy') = 'greedy'`)
      .pluck()
      .all() as number[];
  }

  // ── tags ───────────────────────────────────────────────────────────────

  /** Every tag of a photo, hidden automatic ones included (marked), user tags first. */
  tags(photoId: number): TagRecord[] {
    const rows = this.sql(
      `SELECT tag, source, score, model_id, hidden, origin FROM tags WHERE photo_id = ? ORDER BY source = 'user' DESC, score DESC, tag`,
    ).all(photoId) as { tag: string; source: 'auto' | 'user'; score: number | null; model_id: string | null; hidden: number; origin: string | null }[];
    return rows.map((r) => ({
      tag: r.tag,
      source: r.source,
      score: r.score,
      modelId: r.model_id,
      hidden: r.hidden === 1,
      origin: r.source === 'user' ? (r.origin === 'import' ? 'import' : 'shoebox') : null,
    }));
  }

  /**
   * Adds user tags; returns the tags added. A tag already there (in any case) is kept as it is. A
   * tag the user removed comes back when typed in Shoebox, but never from an import: removing a
   * keyword in Shoebox is final even while the photo's IPTC still holds it.
   */
  addUserTags(photoId: number, tags: readonly string[], origin: UserOrigin = 'shoebox', now = Date.now()): string[] {
    const rows = this.sql(`SELECT tag, hidden FROM tags WHERE photo_id = ? AND source = 'user'`).all(photoId) as { tag: string; hidden: number }[];
    const have = new Map(rows.map((r) => [r.tag.toLowerCase(), r]));
    const ins = this.sql(`INSERT OR IGNORE INTO tags (photo_id, tag, source, hidden, origin, created_at) VALUES (?, ?, 'user', 0, ?, ?)`);
    const unhide = this.sql(`UPDATE tags SET hidden = 0, origin = ?, created_at = ? WHERE photo_id = ? AND source = 'user' AND tag = ?`);
    const added: string[] = [];
    for (const raw of tags) {
      const tag = cleanTag(raw);
      if (!tag) continue;
      const old = have.get(tag.toLowerCase());
      if (old && (old.hidden === 0 || origin === 'import')) continue;
      if (old) unhide.run(origin, now, photoId, old.tag);
      else ins.run(photoId, tag, origin, now);
      have.set(tag.toLowerCase(), { tag, hidden: 0 });
      added.push(tag);
    }
    return added;
  }

  /**
   * Removes tags, matched without regard to case. Both the user's and automatic ones are hidden, not
   * deleted, so neither a re-run nor a later import brings them back. Returns the tags that were there.
   */
  removeTags(photoId: number, tags: readonly string[]): string[] {
    const removed: string[] = [];
    for (const raw of tags) {
      const tag = cleanTag(raw);
      if (!tag) continue;
      const n = this.sql(`UPDATE tags SET hidden = 1 WHERE photo_id = ? AND hidden = 0 AND lower(tag) = lower(?)`).run(photoId, tag).changes;
      if (n > 0) removed.push(tag);
    }
    return removed;
  }

  /** What Shoebox last wrote to the photo's sidecar, if anything. */
  lastSidecarWrite(photoId: number): { path: string; description: string | null; subjects: string[] } | undefined {
    const r = this.sql(`SELECT path, description, subjects FROM sidecar_writes WHERE photo_id = ?`).get(photoId) as
      | { path: string; description: string | null; subjects: string }
      | undefined;
    return r ? { path: r.path, description: r.description, subjects: JSON.parse(r.subjects) as string[] } : undefined;
  }

  recordSidecarWrite(photoId: number, file: string, description: string | null, subjects: readonly string[], now = Date.now()): void {
    this.sql(
      `INSERT INTO sidecar_writes (photo_id, path, description, subjects, written_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (photo_id) DO UPDATE SET path = excluded.path, description = excluded.description, subjects = excluded.subjects, written_at = excluded.written_at`,
    ).run(photoId, file, description, JSON.stringify(subjects), now);
  }

  /** Visible tags for sidecars and exports: the user's, then automatic ones by score. */
  visibleTags(photoId: number): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const t of this.tags(photoId)) {
      if (t.hidden || seen.has(t.tag.toLowerCase())) continue;
      seen.add(t.tag.toLowerCase());
      out.push(t.tag);
    }
    return out;
  }

  /** Tag counts over visible tags of present photos, most used first (the app's tag list). */
  tagCounts(limit = 500): { tag: string; count: number }[] {
    return this.sql(
      `SELECT tag, COUNT(DISTINCT t.photo_id) AS count FROM tags t JOIN photos p ON p.id = t.photo_id
       WHERE t.hidden = 0 AND p.missing_since IS NULL GROUP BY lower(tag) ORDER BY count DESC, tag LIMIT ?`,
    ).all(limit) as { tag: string; count: number }[];
  }
}
