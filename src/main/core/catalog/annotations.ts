// Captions, tags, ratings and colour labels of photos: the model's and the user's, kept apart so a
// re-run, a model change or a rescan never overwrites what a person wrote. Full text follows through
// the schema's triggers.
//
// [Note: tags in the catalog] A tag is stored as src/shared/vocabulary.ts keeps it: normalized, a
// hierarchical one as its path joined by '|' ("Places|Portugal|Porto"; a typed '/' is a character).
// The user's tags (source 'user') have one spelling library-wide, the first met: tag_spellings maps
// each tag's key (lowercased) to it, so "beach" typed on a photo when another has "Beach" stores
// "Beach". Automatic tags (source 'auto') keep the model's label as it is, so a re-run matches the
// rows the user hid. SQL compares tags with lower() (ASCII case, SQLite's own); the spellings make the
// user's rows agree in every other letter too.
//
// Automatic tags are suggestions: visible (hidden = 0) automatic rows of a photo with no user row of
// the same tag, visible or not. Accepting one adds the user's row and hides the automatic one;
// rejecting one hides it. Either way it never comes back as a suggestion: the hidden row survives
// re-runs and model switches (Catalog.setAutoTags keeps hidden rows and does not re-add them), and a
// user row, even a removed (hidden) one, keeps the label from being suggested again.
import { statementCache, type Db, type Statement } from './db.ts';
import type { CaptionRecord, TagRecord } from '../../../shared/types.ts';
import type { SuggestionCount, TagCount } from '../../../shared/contract.ts';
import { normalizeTag, parseTypedTag, tagKey } from '../../../shared/vocabulary.ts';

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

/** A tag's text as Shoebox keeps it (vocabulary.ts normalizeTag); '' for a text that is no tag. */
export function cleanTag(tag: string): string {
  return normalizeTag(tag) ?? '';
}

/** A tag the user typed (or a program wrote), as stored: its path's segments normalized, joined by '|'; null when blank. */
export function typedTag(text: string): string | null {
  return parseTypedTag(text)?.join('|') ?? null;
}

/** A stored tag's key: what makes two tags one (vocabulary.ts tagKey). */
export const keyOf = tagKey;

/** A rating and a colour label, as the marks table holds them. */
export interface Marks {
  /** Stars 0-5, -1 rejected; null when none. */
  rating: number | null;
  label: string | null;
  origin: UserOrigin;
}

/** What Shoebox last wrote to a photo's sidecar. */
export interface SidecarWrite {
  path: string;
  description: string | null;
  subjects: string[];
  /** The hierarchical tags written (paths); null for a write made before Shoebox wrote them (nor ratings, nor labels). */
  hierarchical: string[][] | null;
  rating: number | null;
  label: string | null;
}

/** The setting that says which suggestions are strong: a zero-shot probability, with per-tag overrides. */
export const SUGGESTION_STRONG_SETTING = 'suggestion_strong';
export const DEFAULT_SUGGESTION_STRONG = 0.5;

/** How sure a suggestion must be to count as strong: one threshold, and some tags' own. */
export interface StrongThresholds {
  default: number;
  /** By tag key. */
  tags: Map<string, number>;
}

/**
 * Reads the suggestion_strong setting: "0.5" (every tag), or with per-tag thresholds,
 * "0.5; sunset=0.3; clear blue sky=0.7" (entries separated by ';' or newlines, a tag's threshold after '=';
 * a bare number is the threshold of every other tag). Thresholds are probabilities from 0 to 1. Throws an
 * Error saying what is wrong.
 */
export function parseStrongThresholds(text: string): StrongThresholds {
  const out: StrongThresholds = { default: DEFAULT_SUGGESTION_STRONG, tags: new Map() };
  const number = (v: string, what: string) => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new Error(`${what} must be a number from 0 to 1, not ${JSON.stringify(v.trim())}`);
    return n;
  };
  let defaults = 0;
  for (const entry of text.split(/[;\n]/)) {
    if (entry.trim() === '') continue;
    const eq = entry.lastIndexOf('=');
    if (eq < 0) {
      out.default = number(entry, 'suggestion_strong');
      if (++defaults > 1) throw new Error('suggestion_strong has one bare number (the threshold of every tag), then tag=number entries');
      continue;
    }
    const tag = normalizeTag(entry.slice(0, eq));
    if (tag === null) throw new Error(`suggestion_strong: a tag is missing before "=" in ${JSON.stringify(entry.trim())}`);
    out.tags.set(keyOf(tag), number(entry.slice(eq + 1), `suggestion_strong's threshold for "${tag}"`));
  }
  return out;
}

/** The thresholds as the setting stores them: "0.5; clear blue sky=0.7; sunset=0.3". */
export function formatStrongThresholds(t: StrongThresholds): string {
  return [String(t.default), ...[...t.tags].sort(([a], [b]) => (a < b ? -1 : 1)).map(([tag, n]) => `${tag}=${n}`)].join('; ');
}

/** SQL (on `tags a`): the automatic row is a suggestion, no user row of its tag on its photo. */
export const SUGGESTED_SQL = `a.source = 'auto' AND a.hidden = 0
  AND NOT EXISTS (SELECT 1 FROM tags u WHERE u.photo_id = a.photo_id AND u.source = 'user' AND lower(u.tag) = lower(a.tag))`;

export class Annotations {

  /** A prepared statement, cached by its SQL text. */
  private readonly sql: (text: string) => Statement;

  constructor(readonly db: Db) {
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
   * The spelling a user tag is stored under (see [Note: tags in the catalog]): each level's first spelling,
   * the typed text where there is none yet. With `register`, new spellings are recorded (the tag is being
   * written). Null when the text is no tag.
   */
  spell(text: string, register = false): string | null {
    const path = parseTypedTag(text);
    if (path === null) return null;
    const get = this.sql('SELECT tag FROM tag_spellings WHERE key = ?').pluck();
    const put = this.sql('INSERT OR IGNORE INTO tag_spellings (key, tag) VALUES (?, ?)');
    let spelled = '';
    for (const segment of path) {
      const candidate = spelled === '' ? segment : `${spelled}|${segment}`;
      const key = keyOf(candidate);
      const known = get.get(key) as string | undefined;
      if (known !== undefined) spelled = known;
      else {
        spelled = candidate;
        if (register) put.run(key, candidate);
      }
    }
    return spelled;
  }

  /** Records `tag` as the spelling of its key and of its levels (a rename chose it), replacing the ones there. */
  respell(tag: string): void {
    const path = parseTypedTag(tag) ?? [];
    const put = this.sql('INSERT INTO tag_spellings (key, tag) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tag = excluded.tag');
    for (let i = 1; i <= path.length; i++) {
      const prefix = path.slice(0, i).join('|');
      put.run(keyOf(prefix), prefix);
    }
  }

  /** Records these stored tags' spellings where their keys have none (an undo puts old rows back). */
  rememberSpellings(tags: readonly string[]): void {
    const put = this.sql('INSERT OR IGNORE INTO tag_spellings (key, tag) VALUES (?, ?)');
    for (const tag of tags) {
      const path = tag.split('|');
      for (let i = 1; i <= path.length; i++) {
        const prefix = path.slice(0, i).join('|');
        put.run(keyOf(prefix), prefix);
      }
    }
  }

  /**
   * Adds user tags; returns the tags added (as stored). A tag already there (in any case) is kept as it is. A
   * tag the user removed comes back when typed in Shoebox, but never from an import: removing a
   * keyword in Shoebox is final even while the photo's IPTC still holds it. Typed tags are paths ("|").
   */
  addUserTags(photoId: number, tags: readonly string[], origin: UserOrigin = 'shoebox', now = Date.now()): string[] {
    const rows = this.sql(`SELECT tag, hidden FROM tags WHERE photo_id = ? AND source = 'user'`).all(photoId) as { tag: string; hidden: number }[];
    const have = new Map(rows.map((r) => [keyOf(r.tag), r]));
    const ins = this.sql(`INSERT OR IGNORE INTO tags (photo_id, tag, source, hidden, origin, created_at) VALUES (?, ?, 'user', 0, ?, ?)`);
    const unhide = this.sql(`UPDATE tags SET hidden = 0, origin = ?, created_at = ? WHERE photo_id = ? AND source = 'user' AND tag = ?`);
    const added: string[] = [];
    for (const raw of tags) {
      const typed = typedTag(raw);
      if (typed === null) continue;
      const key = keyOf(typed);
      const old = have.get(key);
      if (old && (old.hidden === 0 || origin === 'import')) continue;
      let tag: string;
      if (old) {
        unhide.run(origin, now, photoId, old.tag);
        tag = old.tag;
      } else {
        tag = this.spell(typed, true)!;
        ins.run(photoId, tag, origin, now);
      }
      have.set(key, { tag, hidden: 0 });
      added.push(tag);
    }
    return added;
  }

  /**
   * Removes tags, matched without regard to case. Both the user's and automatic ones are hidden, not
   * deleted, so neither a re-run nor a later import brings them back. Returns the tags that were there (as given).
   */
  removeTags(photoId: number, tags: readonly string[]): string[] {
    const removed: string[] = [];
    for (const raw of tags) {
      const tag = typedTag(raw);
      if (tag === null) continue;
      const n = this.sql(`UPDATE tags SET hidden = 1 WHERE photo_id = ? AND hidden = 0 AND lower(tag) = lower(?)`).run(photoId, this.spell(tag) ?? tag).changes;
      if (n > 0) removed.push(cleanTag(raw));
    }
    return removed;
  }

  /** The user's visible tags of a photo (sorted), and its suggestions (most likely first). */
  photoTags(photoId: number): { tags: string[]; suggested: string[] } {
    const tags = this.sql(`SELECT tag FROM tags WHERE photo_id = ? AND source = 'user' AND hidden = 0 ORDER BY tag`).pluck().all(photoId) as string[];
    const suggested = this.sql(`SELECT a.tag FROM tags a WHERE a.photo_id = ? AND ${SUGGESTED_SQL} ORDER BY a.score DESC, a.tag`)
      .pluck()
      .all(photoId) as string[];
    return { tags, suggested };
  }

  /** The user's visible tags (what a sidecar gets: automatic ones are suggestions, never written). */
  userTags(photoId: number): string[] {
    return this.photoTags(photoId).tags;
  }

  // ── ratings and colour labels ──────────────────────────────────────────

  marks(photoId: number): Marks | undefined {
    const r = this.sql('SELECT rating, label, origin FROM marks WHERE photo_id = ?').get(photoId) as { rating: number | null; label: string | null; origin: string } | undefined;
    return r ? { rating: r.rating, label: r.label, origin: r.origin === 'import' ? 'import' : 'shoebox' } : undefined;
  }

  /** Sets a photo's rating and/or label (undefined leaves one as it is, null clears it), from `origin`. */
  setMarks(photoId: number, m: { rating?: number | null; label?: string | null }, origin: UserOrigin = 'shoebox', now = Date.now()): void {
    const old = this.marks(photoId);
    const rating = m.rating === undefined ? (old?.rating ?? null) : m.rating;
    const label = m.label === undefined ? (old?.label ?? null) : m.label === null ? null : (normalizeTag(m.label) ?? null);
    this.sql(
      `INSERT INTO marks (photo_id, rating, label, origin, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (photo_id) DO UPDATE SET rating = excluded.rating, label = excluded.label, origin = excluded.origin, updated_at = excluded.updated_at`,
    ).run(photoId, rating, label, origin, now);
  }

  // ── sidecars ───────────────────────────────────────────────────────────

  /** What Shoebox last wrote to the photo's sidecar, if anything. */
  lastSidecarWrite(photoId: number): SidecarWrite | undefined {
    const r = this.sql(`SELECT path, description, subjects, hierarchical, rating, label FROM sidecar_writes WHERE photo_id = ?`).get(photoId) as
      | { path: string; description: string | null; subjects: string; hierarchical: string | null; rating: number | null; label: string | null }
      | undefined;
    if (!r) return undefined;
    return {
      path: r.path,
      description: r.description,
      subjects: JSON.parse(r.subjects) as string[],
      hierarchical: r.hierarchical === null ? null : (JSON.parse(r.hierarchical) as string[][]),
      rating: r.rating,
      label: r.label,
    };
  }

  recordSidecarWrite(photoId: number, w: Omit<SidecarWrite, 'hierarchical'> & { hierarchical: readonly (readonly string[])[] }, now = Date.now()): void {
    this.sql(
      `INSERT INTO sidecar_writes (photo_id, path, description, subjects, hierarchical, rating, label, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (photo_id) DO UPDATE SET path = excluded.path, description = excluded.description, subjects = excluded.subjects,
         hierarchical = excluded.hierarchical, rating = excluded.rating, label = excluded.label, written_at = excluded.written_at`,
    ).run(photoId, w.path, w.description, JSON.stringify(w.subjects), JSON.stringify(w.hierarchical), w.rating, w.label, now);
  }

  // ── the vocabulary ─────────────────────────────────────────────────────

  /**
   * The user's tags over present photos with how many photos have each, and how many more a model suggests
   * it for; most used first (the tag list, autocomplete). A suggestion's label that is no user tag is listed
   * with count 0.
   */
  tagCounts(limit = 500): TagCount[] {
    const missing = this.missingPhotosTags();
    const user = new Map<string, number>();
    for (const r of this.sql(`SELECT tag, COUNT(*) AS n FROM tags WHERE source = 'user' AND hidden = 0 GROUP BY tag`).all() as { tag: string; n: number }[]) {
      user.set(r.tag, r.n);
    }
    for (const r of missing) if (r.source === 'user' && r.hidden === 0) user.set(r.tag, (user.get(r.tag) ?? 1) - 1);
    const suggested = this.suggestionCounts(missing);
    return mergeCounts(
      [...user].map(([tag, n]) => ({ tag, n })).filter((r) => r.n > 0),
      suggested.map((s) => ({ tag: s.tag, n: s.photos })),
      limit,
    );
  }

  /** The thresholds the suggestion_strong setting gives (its default when unset or unreadable). */
  strongThresholds(): StrongThresholds {
    const v = this.sql('SELECT value FROM settings WHERE key = ?').pluck().get(SUGGESTION_STRONG_SETTING) as string | undefined;
    try {
      return parseStrongThresholds(v ?? String(DEFAULT_SUGGESTION_STRONG));
    } catch {
      return { default: DEFAULT_SUGGESTION_STRONG, tags: new Map() };
    }
  }

  /** Suggested tags over present photos, most photos first, each split into strong and likely by its threshold. */
  suggestions(limit = 500): SuggestionCount[] {
    return this.suggestionCounts(this.missingPhotosTags())
      .sort((a, b) => b.photos - a.photos || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
      .slice(0, limit)
      .map((s) => ({ tag: s.tag, photos: s.photos, strong: s.strong, likely: s.photos - s.strong }));
  }

  /** The tag rows of photos that are missing (their files gone for now): left out of the counts. */
  private missingPhotosTags(): { photo_id: number; tag: string; source: string; hidden: number; score: number | null }[] {
    return this.sql(
      `SELECT t.photo_id, t.tag, t.source, t.hidden, t.score FROM photos p CROSS JOIN tags t ON t.photo_id = p.id WHERE p.missing_since IS NOT NULL`,
    ).all() as { photo_id: number; tag: string; source: string; hidden: number; score: number | null }[];
  }

  /**
   * Photos and strong ones per suggested tag (by spelling), over present photos. Every visible automatic row is
   * counted from the tags_source index alone, then the few that are no suggestion are taken off: those with a user
   * row of their tag (found from the user's rows) and those of missing photos. A scan of every automatic row with
   * its own lookup costs a second at 100,000 photos; this, a few tens of milliseconds.
   */
  private suggestionCounts(missing: readonly { photo_id: number; tag: string; source: string; hidden: number; score: number | null }[]): { tag: string; photos: number; strong: number }[] {
    const t = this.strongThresholds();
    const threshold = (tag: string) => t.tags.get(keyOf(tag)) ?? t.default;
    const counts = new Map<string, { tag: string; photos: number; strong: number }>();
    for (const r of this.sql(`SELECT tag, COUNT(*) AS n, SUM(score >= ?) AS strong FROM tags WHERE source = 'auto' AND hidden = 0 GROUP BY tag`).all(t.default) as {
      tag: string;
      n: number;
      strong: number;
    }[]) {
      let strong = r.strong;
      if (t.tags.has(keyOf(r.tag))) {
        strong = this.sql(`SELECT COUNT(*) FROM tags WHERE source = 'auto' AND hidden = 0 AND tag = ? AND score >= ?`).pluck().get(r.tag, threshold(r.tag)) as number;
      }
      counts.set(r.tag, { tag: r.tag, photos: r.n, strong });
    }
    const overlap = this.sql(
      `SELECT DISTINCT a.photo_id, a.tag, a.score FROM tags u CROSS JOIN tags a ON lower(a.tag) = lower(u.tag) AND a.source = 'auto' AND a.photo_id = u.photo_id
       WHERE u.source = 'user' AND a.hidden = 0`,
    ).all() as { photo_id: number; tag: string; score: number | null }[];
    const off = new Map<string, { tag: string; score: number | null }>();
    for (const r of overlap) off.set(`${r.photo_id}\u001f${r.tag}`, r);
    for (const r of missing) if (r.source === 'auto' && r.hidden === 0) off.set(`${r.photo_id}\u001f${r.tag}`, r);
    for (const r of off.values()) {
      const c = counts.get(r.tag);
      if (!c) continue;
      c.photos--;
      if ((r.score ?? -1) >= threshold(r.tag)) c.strong--;
    }
    return [...counts.values()].filter((c) => c.photos > 0);
  }

  /** The user's tags of some photos with how many of them have each, and suggestions among them; most first. */
  selectionTags(ids: readonly number[]): TagCount[] {
    const json = JSON.stringify(ids);
    const user = this.sql(
      `SELECT t.tag, COUNT(*) AS n FROM tags t WHERE t.photo_id IN (SELECT value FROM json_each(?)) AND t.source = 'user' AND t.hidden = 0 GROUP BY t.tag`,
    ).all(json) as { tag: string; n: number }[];
    const suggested = this.sql(
      `SELECT a.tag, COUNT(*) AS n FROM tags a WHERE a.photo_id IN (SELECT value FROM json_each(?)) AND ${SUGGESTED_SQL} GROUP BY a.tag`,
    ).all(json) as { tag: string; n: number }[];
    return mergeCounts(user, suggested, Number.MAX_SAFE_INTEGER);
  }
}

/** User and suggestion counts merged by tag key (the user's spelling first), most used first. */
function mergeCounts(user: readonly { tag: string; n: number }[], suggested: readonly { tag: string; n: number }[], limit: number): TagCount[] {
  const by = new Map<string, TagCount>();
  for (const r of user) {
    const key = keyOf(r.tag);
    const c = by.get(key);
    if (c) c.count += r.n;
    else by.set(key, { tag: r.tag, count: r.n, suggested: 0 });
  }
  for (const r of suggested) {
    const key = keyOf(r.tag);
    const c = by.get(key);
    if (c) c.suggested += r.n;
    else by.set(key, { tag: r.tag, count: 0, suggested: r.n });
  }
  return [...by.values()]
    .sort((a, b) => b.count - a.count || b.suggested - a.suggested || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .slice(0, limit);
}
