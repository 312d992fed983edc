// The SQL behind edits of many photos at once (annotate/edits.ts): set-based statements over a chunk of
// photo ids (a JSON array, one statement for the whole chunk, never one per photo), and the undo log.
//
// [Note: undo log] Every edit is a row of `edits`; before it changes a photo, the photo's state goes to
// `edit_before`, as JSON, of each part the edit changes (EditPart): its user caption row, every tag row
// (the user's and the automatic ones, hidden or not), its marks row. Undo puts those parts back: the
// user caption, user tags and marks exactly as they were; automatic rows get back the hidden flag they
// had (a re-run of the model since keeps its newer scores; a hidden row it dropped comes back hidden, so
// a rejection stays one). A part the edit did not touch is left as it is now (a rating undone leaves the
// tags an import added since). The last KEEP_EDITS edits are kept. Photos deleted since are left out
// (their rows cascade away).
import { statementCache, type Db, type Statement } from './db.ts';
import type { StoredPlace } from './places.ts';

/** How many edits the undo log keeps. */
export const KEEP_EDITS = 20;

export interface EditRecord {
  id: number;
  summary: string;
  photos: number;
  createdAt: number;
  undoneAt: number | null;
}

/** The parts of a photo an edit may change, and its undo snapshot records. */
export type EditPart = 'caption' | 'tags' | 'marks' | 'place';

/** The parts an edit of these fields changes. */
export function partsOf(e: ChunkEdit): EditPart[] {
  const parts: EditPart[] = [];
  if (e.caption !== undefined) parts.push('caption');
  if (e.addTags?.length || e.removeTags?.length) parts.push('tags');
  if (e.rating !== undefined || e.label !== undefined) parts.push('marks');
  if (e.place !== undefined) parts.push('place');
  return parts;
}

/** Each part's JSON, built as text (json_group_array and json_object give valid JSON; no parse and print again). */
const PART_JSON: Record<EditPart, string> = {
  caption: `'"caption":' || COALESCE((SELECT json_object('text', c.text, 'origin', c.origin, 'created_at', c.created_at) FROM captions c WHERE c.photo_id = p.id AND c.source = 'user'), 'null')`,
  tags: `'"tags":' || (SELECT json_group_array(json_object('tag', t.tag, 'source', t.source, 'score', t.score, 'model_id', t.model_id, 'hidden', t.hidden,
           'origin', t.origin, 'created_at', t.created_at)) FROM tags t WHERE t.photo_id = p.id)`,
  marks: `'"marks":' || COALESCE((SELECT json_object('rating', m.rating, 'label', m.label, 'origin', m.origin, 'updated_at', m.updated_at) FROM marks m WHERE m.photo_id = p.id), 'null')`,
  place: `'"place":' || COALESCE((SELECT json_object('city_id', u.city_id, 'city', u.city, 'region_code', u.region_code, 'region', u.region, 'country_code', u.country_code,
           'country', u.country, 'origin', u.origin, 'created_at', u.created_at) FROM places u WHERE u.photo_id = p.id AND u.source = 'user'), 'null')`,
};

/** What one edit of many photos sets (tags as stored, see [Note: tags in the catalog]). */
export interface ChunkEdit {
  addTags?: readonly string[];
  removeTags?: readonly string[];
  /** The user's caption; '' removes it. */
  caption?: string;
  rating?: number | null;
  label?: string | null;
  /** The user's place; null removes it (the one from GPS shows again). */
  place?: StoredPlace | null;
}

const IDS = 'SELECT value FROM json_each(@ids)';
/** The snapshot rows of one edit for a chunk of photos. */
const SNAP = `SELECT b.photo_id, b.state FROM edit_before b WHERE b.edit_id = @edit AND b.photo_id IN (${IDS})`;
/** Their tag rows, one per row of the JSON. */
const SNAP_TAGS = `SELECT b.photo_id, j.value ->> '$.tag' AS tag, j.value ->> '$.source' AS source, j.value ->> '$.score' AS score,
    j.value ->> '$.model_id' AS model_id, j.value ->> '$.hidden' AS hidden, j.value ->> '$.origin' AS origin, j.value ->> '$.created_at' AS created_at
  FROM edit_before b, json_each(b.state, '$.tags') j WHERE b.edit_id = @edit AND b.photo_id IN (${IDS})`;

export class EditLog {
  private readonly sql: (text: string) => Statement;

  constructor(readonly db: Db) {
    this.sql = statementCache(db);
  }

  // ── the log ────────────────────────────────────────────────────────────

  /** Starts an edit (its summary comes with finish); returns its id. */
  begin(now = Date.now()): number {
    return Number(this.sql(`INSERT INTO edits (summary, photos, created_at) VALUES ('', 0, ?)`).run(now).lastInsertRowid);
  }

  /** Ends an edit: with photos changed it stays in the log (the oldest beyond KEEP_EDITS go), without it goes. */
  finish(id: number, summary: string, photos: number): void {
    if (photos === 0) {
      this.sql('DELETE FROM edits WHERE id = ?').run(id);
      return;
    }
    this.sql('UPDATE edits SET summary = ?, photos = ? WHERE id = ?').run(summary, photos, id);
    this.sql('DELETE FROM edits WHERE id <= (SELECT id FROM edits ORDER BY id DESC LIMIT 1 OFFSET ?)').run(KEEP_EDITS);
  }

  /** The latest edit not undone yet, if any. */
  lastUndoable(): EditRecord | undefined {
    const r = this.sql('SELECT id, summary, photos, created_at, undone_at FROM edits WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1').get() as
      | { id: number; summary: string; photos: number; created_at: number; undone_at: number | null }
      | undefined;
    return r ? { id: r.id, summary: r.summary, photos: r.photos, createdAt: r.created_at, undoneAt: r.undone_at } : undefined;
  }

  /** The edits in the log, newest first. */
  list(): EditRecord[] {
    const rows = this.sql('SELECT id, summary, photos, created_at, undone_at FROM edits ORDER BY id DESC').all() as {
      id: number;
      summary: string;
      photos: number;
      created_at: number;
      undone_at: number | null;
    }[];
    return rows.map((r) => ({ id: r.id, summary: r.summary, photos: r.photos, createdAt: r.created_at, undoneAt: r.undone_at }));
  }

  markUndone(id: number, now = Date.now()): void {
    this.sql('UPDATE edits SET undone_at = ? WHERE id = ?').run(now, id);
  }

  /**
   * Records these parts of these photos before edit `edit` changes them (a photo already recorded keeps its first
   * state: every step of one edit changes the same parts).
   */
  snapshot(edit: number, ids: readonly number[], parts: readonly EditPart[]): void {
    if (ids.length === 0 || parts.length === 0) return;
    const state = `'{' || ${parts.map((p) => PART_JSON[p]).join(` || ',' || `)} || '}'`;
    this.sql(`INSERT OR IGNORE INTO edit_before (edit_id, photo_id, state) SELECT @edit, p.id, ${state} FROM photos p WHERE p.id IN (${IDS})`).run({
      edit,
      ids: JSON.stringify(ids),
    });
  }

  /** The photos an edit recorded that are still in the library, in id order. */
  recordedPhotos(edit: number): number[] {
    return this.sql('SELECT photo_id FROM edit_before WHERE edit_id = ? ORDER BY photo_id').pluck().all(edit) as number[];
  }

  /** The user tags an edit recorded for these photos (their spellings, for tag_spellings). */
  recordedUserTags(edit: number, ids: readonly number[]): string[] {
    return this.sql(`SELECT DISTINCT tag FROM (${SNAP_TAGS}) WHERE source = 'user'`)
      .pluck()
      .all({ edit, ids: JSON.stringify(ids) }) as string[];
  }

  /** Puts these photos back as edit `edit` recorded them ([Note: undo log]); only rows that differ are written. */
  restore(edit: number, ids: readonly number[]): void {
    if (ids.length === 0) return;
    const a = { edit, ids: JSON.stringify(ids) };
    // The user's caption (where the edit recorded it: json_type is NULL for a part it did not).
    this.sql(
      `DELETE FROM captions WHERE source = 'user' AND photo_id IN (SELECT photo_id FROM (${SNAP}) WHERE json_type(state, '$.caption') = 'null')`,
    ).run(a);
    this.sql(
      `INSERT INTO captions (photo_id, source, text, origin, created_at)
       SELECT s.photo_id, 'user', s.state ->> '$.caption.text', s.state ->> '$.caption.origin', s.state ->> '$.caption.created_at' FROM (${SNAP}) s
       WHERE s.state ->> '$.caption.text' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM captions c WHERE c.photo_id = s.photo_id AND c.source = 'user'
         AND c.text = s.state ->> '$.caption.text' AND c.origin IS s.state ->> '$.caption.origin' AND c.created_at = s.state ->> '$.caption.created_at')
       ON CONFLICT (photo_id, source) DO UPDATE SET text = excluded.text, origin = excluded.origin, created_at = excluded.created_at`,
    ).run(a);
    // The user's tags: exactly the recorded rows.
    // (Correlated on the row's own photo: a subquery naming the chunk's ids would be read again for every row.)
    this.sql(
      `DELETE FROM tags WHERE source = 'user'
         AND photo_id IN (SELECT b.photo_id FROM edit_before b WHERE b.edit_id = @edit AND b.photo_id IN (${IDS}) AND json_type(b.state, '$.tags') IS NOT NULL)
         AND NOT EXISTS (SELECT 1 FROM edit_before b, json_each(b.state, '$.tags') j WHERE b.edit_id = @edit AND b.photo_id = tags.photo_id
           AND j.value ->> '$.source' = 'user' AND j.value ->> '$.tag' = tags.tag)`,
    ).run(a);
    this.sql(
      `INSERT INTO tags (photo_id, tag, source, score, model_id, hidden, origin, created_at)
       SELECT s.photo_id, s.tag, 'user', s.score, s.model_id, s.hidden, s.origin, s.created_at FROM (${SNAP_TAGS}) s
       WHERE s.source = 'user' AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.photo_id = s.photo_id AND t.tag = s.tag AND t.source = 'user'
         AND t.hidden = s.hidden AND t.origin IS s.origin AND t.created_at = s.created_at)
       ON CONFLICT (photo_id, tag, source) DO UPDATE SET hidden = excluded.hidden, origin = excluded.origin, created_at = excluded.created_at,
         score = excluded.score, model_id = excluded.model_id`,
    ).run(a);
    // Automatic rows: the hidden flag they had; a hidden one the model dropped since comes back hidden.
    this.sql(
      `UPDATE tags SET hidden = 1 - hidden WHERE source = 'auto' AND photo_id IN (${IDS})
         AND EXISTS (SELECT 1 FROM edit_before b, json_each(b.state, '$.tags') j WHERE b.edit_id = @edit AND b.photo_id = tags.photo_id
           AND j.value ->> '$.source' = 'auto' AND j.value ->> '$.tag' = tags.tag AND j.value ->> '$.hidden' != tags.hidden)`,
    ).run(a);
    this.sql(
      `INSERT OR IGNORE INTO tags (photo_id, tag, source, score, model_id, hidden, origin, created_at)
       SELECT s.photo_id, s.tag, 'auto', s.score, s.model_id, 1, s.origin, s.created_at FROM (${SNAP_TAGS}) s WHERE s.source = 'auto' AND s.hidden = 1`,
    ).run(a);
    // Ratings and labels.
    this.sql(`DELETE FROM marks WHERE photo_id IN (SELECT photo_id FROM (${SNAP}) WHERE json_type(state, '$.marks') = 'null')`).run(a);
    this.sql(
      `INSERT INTO marks (photo_id, rating, label, origin, updated_at)
       SELECT s.photo_id, s.state ->> '$.marks.rating', s.state ->> '$.marks.label', s.state ->> '$.marks.origin', s.state ->> '$.marks.updated_at'
       FROM (${SNAP}) s WHERE s.state ->> '$.marks.updated_at' IS NOT NULL
       ON CONFLICT (photo_id) DO UPDATE SET rating = excluded.rating, label = excluded.label, origin = excluded.origin, updated_at = excluded.updated_at`,
    ).run(a);
    // The user's place.
    this.sql(`DELETE FROM places WHERE source = 'user' AND photo_id IN (SELECT photo_id FROM (${SNAP}) WHERE json_type(state, '$.place') = 'null')`).run(a);
    this.sql(
      `INSERT INTO places (photo_id, source, city_id, city, region_code, region, country_code, country, origin, created_at)
       SELECT s.photo_id, 'user', s.state ->> '$.place.city_id', s.state ->> '$.place.city', s.state ->> '$.place.region_code', s.state ->> '$.place.region',
         s.state ->> '$.place.country_code', s.state ->> '$.place.country', s.state ->> '$.place.origin', s.state ->> '$.place.created_at'
       FROM (${SNAP}) s WHERE s.state ->> '$.place.created_at' IS NOT NULL
       ON CONFLICT (photo_id, source) DO UPDATE SET city_id = excluded.city_id, city = excluded.city, region_code = excluded.region_code, region = excluded.region,
         country_code = excluded.country_code, country = excluded.country, origin = excluded.origin, created_at = excluded.created_at`,
    ).run(a);
  }

  // ── set-based edits of a chunk of photos ───────────────────────────────

  /** Which of these photos the edit would change (the rest already are as it says), in id order. */
  wouldChange(ids: readonly number[], e: ChunkEdit): number[] {
    const or: string[] = [];
    const args: Record<string, unknown> = { ids: JSON.stringify(ids) };
    if (e.addTags?.length) {
      or.push(`EXISTS (SELECT 1 FROM json_each(@add) a WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.photo_id = p.id AND t.source = 'user' AND t.hidden = 0 AND lower(t.tag) = lower(a.value)))`);
      args.add = JSON.stringify(e.addTags);
    }
    if (e.removeTags?.length) {
      or.push(`EXISTS (SELECT 1 FROM tags t WHERE t.photo_id = p.id AND t.hidden = 0 AND lower(t.tag) IN (SELECT lower(value) FROM json_each(@remove)))`);
      args.remove = JSON.stringify(e.removeTags);
    }
    if (e.caption !== undefined) {
      or.push(
        e.caption === ''
          ? `EXISTS (SELECT 1 FROM captions c WHERE c.photo_id = p.id AND c.source = 'user')`
          : `NOT EXISTS (SELECT 1 FROM captions c WHERE c.photo_id = p.id AND c.source = 'user' AND c.text = @caption)`,
      );
      if (e.caption !== '') args.caption = e.caption;
    }
    if (e.rating !== undefined) {
      or.push(`(SELECT m.rating FROM marks m WHERE m.photo_id = p.id) IS NOT @rating`);
      args.rating = e.rating;
    }
    if (e.label !== undefined) {
      or.push(`(SELECT m.label FROM marks m WHERE m.photo_id = p.id) IS NOT @label`);
      args.label = e.label;
    }
    if (e.place === null) or.push(`EXISTS (SELECT 1 FROM places u WHERE u.photo_id = p.id AND u.source = 'user')`);
    else if (e.place !== undefined) {
      or.push(
        `NOT EXISTS (SELECT 1 FROM places u WHERE u.photo_id = p.id AND u.source = 'user' AND u.city_id IS @pCityId AND u.city IS @pCity
           AND u.region_code IS @pRegionCode AND u.region IS @pRegion AND u.country_code IS @pCountryCode AND u.country IS @pCountry)`,
      );
      Object.assign(args, {
        pCityId: e.place.cityId,
        pCity: e.place.city,
        pRegionCode: e.place.regionCode,
        pRegion: e.place.region,
        pCountryCode: e.place.countryCode,
        pCountry: e.place.country,
      });
    }
    if (or.length === 0) return [];
    return this.sql(`SELECT p.id FROM photos p WHERE p.id IN (${IDS}) AND (${or.join(' OR ')}) ORDER BY p.id`)
      .pluck()
      .all(args) as number[];
  }

  /** Applies the edit to these photos (those wouldChange gave). */
  apply(ids: readonly number[], e: ChunkEdit, now = Date.now()): void {
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    if (e.addTags?.length) {
      this.sql(
        `INSERT INTO tags (photo_id, tag, source, hidden, origin, created_at)
         SELECT c.value, a.value, 'user', 0, 'shoebox', @now FROM json_each(@ids) c, json_each(@add) a
         WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.photo_id = c.value AND t.source = 'user' AND t.hidden = 0 AND lower(t.tag) = lower(a.value))
         ON CONFLICT (photo_id, tag, source) DO UPDATE SET hidden = 0, origin = 'shoebox', created_at = excluded.created_at`,
      ).run({ ids: json, add: JSON.stringify(e.addTags), now });
    }
    if (e.removeTags?.length) {
      this.sql(
        `UPDATE tags SET hidden = 1 WHERE photo_id IN (${IDS}) AND hidden = 0 AND lower(tag) IN (SELECT lower(value) FROM json_each(@remove))`,
      ).run({ ids: json, remove: JSON.stringify(e.removeTags) });
    }
    if (e.caption === '') this.sql(`DELETE FROM captions WHERE source = 'user' AND photo_id IN (${IDS})`).run({ ids: json });
    else if (e.caption !== undefined) {
      this.sql(
        `INSERT INTO captions (photo_id, source, text, origin, created_at)
         SELECT c.value, 'user', @text, 'shoebox', @now FROM json_each(@ids) c
         WHERE NOT EXISTS (SELECT 1 FROM captions o WHERE o.photo_id = c.value AND o.source = 'user' AND o.text = @text)
         ON CONFLICT (photo_id, source) DO UPDATE SET text = excluded.text, origin = excluded.origin, created_at = excluded.created_at`,
      ).run({ ids: json, text: e.caption, now });
    }
    if (e.rating !== undefined || e.label !== undefined) {
      const set: string[] = [];
      const differs: string[] = [];
      if (e.rating !== undefined) {
        set.push('rating = excluded.rating');
        differs.push('(SELECT m.rating FROM marks m WHERE m.photo_id = c.value) IS NOT @rating');
      }
      if (e.label !== undefined) {
        set.push('label = excluded.label');
        differs.push('(SELECT m.label FROM marks m WHERE m.photo_id = c.value) IS NOT @label');
      }
      this.sql(
        `INSERT INTO marks (photo_id, rating, label, origin, updated_at)
         SELECT c.value, @rating, @label, 'shoebox', @now FROM json_each(@ids) c WHERE ${differs.join(' OR ')}
         ON CONFLICT (photo_id) DO UPDATE SET ${set.join(', ')}, origin = 'shoebox', updated_at = excluded.updated_at`,
      ).run({ ids: json, rating: e.rating ?? null, label: e.label ?? null, now });
    }
    if (e.place === null) this.sql(`DELETE FROM places WHERE source = 'user' AND photo_id IN (${IDS})`).run({ ids: json });
    else if (e.place !== undefined) {
      const pl = e.place;
      this.sql(
        `INSERT INTO places (photo_id, source, city_id, city, region_code, region, country_code, country, origin, created_at)
         SELECT value, 'user', @cityId, @city, @regionCode, @region, @countryCode, @country, 'shoebox', @now FROM json_each(@ids) WHERE 1
         ON CONFLICT (photo_id, source) DO UPDATE SET city_id = excluded.city_id, city = excluded.city, region_code = excluded.region_code, region = excluded.region,
           country_code = excluded.country_code, country = excluded.country, origin = excluded.origin, created_at = excluded.created_at`,
      ).run({ ids: json, cityId: pl.cityId, city: pl.city, regionCode: pl.regionCode, region: pl.region, countryCode: pl.countryCode, country: pl.country, now });
    }
  }

  // ── tags library-wide ──────────────────────────────────────────────────

  /** The spellings of the user's tags that are `tag` or lie under it ("Places", "Places|Portugal"…), with hidden rows. */
  userSpellingsWithin(tag: string): string[] {
    return this.sql(
      // One range of tags_key ([t, t + '}') holds t, t|… and some others, which the last test drops).
      `SELECT DISTINCT tag FROM tags WHERE lower(tag) >= lower(@t) AND lower(tag) < lower(@t) || '}' AND source = 'user'
         AND (lower(tag) = lower(@t) OR substr(lower(tag), 1, length(@t) + 1) = lower(@t) || '|')`,
    )
      .pluck()
      .all({ t: tag }) as string[];
  }

  /** Photos with a user row of exactly this spelling (visible ones only, unless `hiddenToo`), in id order. */
  photosWithUserTag(spelling: string, hiddenToo = false): number[] {
    return this.sql(`SELECT photo_id FROM tags WHERE source = 'user' AND hidden IN (${hiddenToo ? '0, 1' : '0'}) AND tag = ? ORDER BY photo_id`)
      .pluck()
      .all(spelling) as number[];
  }

  /**
   * On these photos, the user's `from` becomes `to` (a stored spelling): `to` is added (or shown again) with
   * `from`'s origin, `from` hidden, as a removal is, so an import does not bring it back.
   */
  moveUserTag(ids: readonly number[], from: string, to: string): void {
    if (ids.length === 0) return;
    const a = { ids: JSON.stringify(ids), from, to };
    this.sql(
      `INSERT INTO tags (photo_id, tag, source, hidden, origin, created_at)
       SELECT photo_id, @to, 'user', 0, origin, created_at FROM tags WHERE tag = @from AND source = 'user' AND hidden = 0 AND photo_id IN (${IDS})
       ON CONFLICT (photo_id, tag, source) DO UPDATE SET hidden = 0`,
    ).run(a);
    this.sql(`UPDATE tags SET hidden = 1 WHERE tag = @from AND source = 'user' AND hidden = 0 AND photo_id IN (${IDS})`).run({ ids: a.ids, from });
  }

  /** On these photos, every row of spelling `from` is spelt `to` (the same tag: only letter case differs). */
  respellUserTag(ids: readonly number[], from: string, to: string): void {
    if (ids.length === 0) return;
    this.sql(`UPDATE OR IGNORE tags SET tag = @to WHERE tag = @from AND source = 'user' AND photo_id IN (${IDS})`).run({ ids: JSON.stringify(ids), from, to });
  }

  /** On these photos, the user's rows of this spelling are hidden (removed, for good). */
  hideUserTag(ids: readonly number[], spelling: string): void {
    if (ids.length === 0) return;
    this.sql(`UPDATE tags SET hidden = 1 WHERE tag = @t AND source = 'user' AND hidden = 0 AND photo_id IN (${IDS})`).run({ ids: JSON.stringify(ids), t: spelling });
  }

  // ── suggestions ────────────────────────────────────────────────────────

  /** Which of these photos have `tag` as a suggestion (an automatic row, visible, no user row of the tag), in id order. */
  suggestedAmong(ids: readonly number[], tag: string): number[] {
    return this.sql(
      `SELECT DISTINCT a.photo_id FROM tags a WHERE a.photo_id IN (${IDS}) AND lower(a.tag) = lower(@t) AND a.source = 'auto' AND a.hidden = 0
         AND NOT EXISTS (SELECT 1 FROM tags u WHERE u.photo_id = a.photo_id AND u.source = 'user' AND lower(u.tag) = lower(a.tag))
       ORDER BY a.photo_id`,
    )
      .pluck()
      .all({ ids: JSON.stringify(ids), t: tag }) as number[];
  }

  /** On these photos, the suggestion `tag` becomes the user's (spelt `spelling`, typed in Shoebox) and its automatic row is hidden. */
  acceptSuggestion(ids: readonly number[], tag: string, spelling: string, now = Date.now()): void {
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    this.sql(
      `INSERT INTO tags (photo_id, tag, source, hidden, origin, created_at) SELECT value, @s, 'user', 0, 'shoebox', @now FROM json_each(@ids) WHERE 1
       ON CONFLICT (photo_id, tag, source) DO UPDATE SET hidden = 0, origin = 'shoebox', created_at = excluded.created_at`,
    ).run({ ids: json, s: spelling, now });
    this.rejectSuggestion(ids, tag);
  }

  /** On these photos, the automatic rows of `tag` are hidden (rejected: never suggested again). */
  rejectSuggestion(ids: readonly number[], tag: string): void {
    if (ids.length === 0) return;
    this.sql(`UPDATE tags SET hidden = 1 WHERE photo_id IN (${IDS}) AND source = 'auto' AND hidden = 0 AND lower(tag) = lower(@t)`).run({
      ids: JSON.stringify(ids),
      t: tag,
    });
  }
}
