// The reads of photos: the window's grid (one page, newest first, and the total its filter matches)
// and search's (the ids a filter allows, full-text matches, the hits' summaries). The one place that
// filters photos by folder, date, camera, tag, suggestion, rating and label. The page's ids are picked
// first, so the per-photo columns (caption, tags, marks) are computed for the page only, however deep
// the offset.
import path from 'node:path';
import { statementCache, type Db, type Statement } from './db.ts';
import { SUGGESTED_SQL, typedTag } from './annotations.ts';
import type { PhotoSummary, PlaceFilter } from '../../../shared/types.ts';
import { placeFilterSql, placeIdsSql, toPhotoPlace, type PlaceRow } from './places.ts';
import type { CameraName, DateConstraint, DateWindow } from '../../../shared/query.ts';
import type { OnThisDayYear } from '../../../shared/contract.ts';

/** Which present photos: every field set narrows it. */
export interface PhotoFilter {
  /** Only photos at or under this folder. */
  folder?: string;
  /** Only photos with this user tag or one under it ("Places" includes "Places|Portugal"; visible, matched without regard to ASCII case). */
  tag?: string;
  /** Only photos a model suggests this tag for (not accepted or rejected yet). */
  suggested?: string;
  /** Rated at least this (unrated counts as 0; -1 lets every photo through). */
  minRating?: number;
  /** With this colour label (ASCII case aside). */
  label?: string;
  /** Taken on or after this date ('YYYY-MM-DD' or a full ISO time). */
  from?: string;
  /** Taken on or before this date (a bare date includes the whole day). */
  to?: string;
  /** Camera make or model contains this text. */
  camera?: string;
  /** Only these photos (the map's chosen cluster: exactly its photos). */
  ids?: readonly number[];
  /** Taken in each of these (a search's understood dates: [Note: query parser]); a season by the photo's hemisphere. */
  dates?: readonly DateConstraint[];
  /** From one of these cameras, exactly (make and model as the photos record them: a search's understood camera). */
  cameras?: readonly CameraName[];
  /** Taken at this place (the one shown: the user's, else from GPS): country code, region, city, each matched without regard to case. */
  place?: PlaceFilter;
  /** Taken at any of these places ('city:2267057', 'region:PT.14', 'country:PT': PlaceCount ids; a region or country holds its cities): a search's understood places. An empty list matches nothing. */
  placeIds?: readonly string[];
  /** Showing each of these people (a face of theirs not marked "not a face"): the window's person chip, `search --person`. */
  people?: number[];
  /** Showing, for each list, one of its people: a search's understood people ("Mia and Tom": [[Mia], [Tom]]). */
  personSets?: readonly (readonly number[])[];
}

export interface BrowseQuery extends PhotoFilter {
  offset?: number;
  /** Default DEFAULT_PAGE; -1 for no limit. */
  limit?: number;
}

/** True when the filter narrows anything. */
export function hasFilter(f: PhotoFilter): boolean {
  if ((f.place && placeFilterSql(f.place)) || f.placeIds) return true;
  return !!(
    f.folder ||
    f.tag !== undefined ||
    f.from ||
    f.to ||
    f.camera ||
    f.suggested !== undefined ||
    (f.minRating ?? -1) > -1 ||
    f.label !== undefined ||
    f.dates?.length ||
    f.cameras ||
    f.ids ||
    f.people?.length ||
    f.personSets?.length
  );
}

/** A bare date ('YYYY-MM-DD', or 'MM-DD' of every year) as an upper bound includes that whole day. */
const dayEnd = (to: string) => (/^(\d{4}-)?\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59\uffff` : to);

/**
 * SQL (on `photos p`) for photos taken within a window: a span of days on taken_at (the local wall
 * time), or the same days every year on its 'MM-DD…' part (wrapping over New Year when from > to).
 */
function windowSql(w: DateWindow): { sql: string; args: string[] } {
  if (w.kind === 'range') {
    const where = ['p.taken_at IS NOT NULL'];
    const args: string[] = [];
    if (w.from !== null) {
      where.push('p.taken_at >= ?');
      args.push(w.from);
    }
    if (w.to !== null) {
      where.push('p.taken_at <= ?');
      args.push(dayEnd(w.to));
    }
    return { sql: `(${where.join(' AND ')})`, args };
  }
  const join = w.from <= w.to ? 'AND' : 'OR';
  return { sql: `(substr(p.taken_at, 6) >= ? ${join} substr(p.taken_at, 6) <= ?)`, args: [w.from, dayEnd(w.to)] };
}

/** SQL for an understood date; a season reads its southern months for photos whose GPS latitude is south of the equator. */
export function dateSql(d: DateConstraint): { sql: string; args: string[] } {
  if (d.kind !== 'season') return windowSql(d);
  const north = windowSql(d.north);
  const south = windowSql(d.south);
  return { sql: `(((p.gps_lat IS NULL OR p.gps_lat >= 0) AND ${north.sql}) OR (p.gps_lat < 0 AND ${south.sql}))`, args: [...north.args, ...south.args] };
}

/** The library's cameras with their photo counts, most photos first: grouped from the photos_camera index (migration 9). */
export const CAMERAS_SQL = `SELECT p.camera_make AS make, p.camera_model AS model, COUNT(*) AS photos FROM photos p
  WHERE p.missing_since IS NULL AND (p.camera_make IS NOT NULL OR p.camera_model IS NOT NULL)
  GROUP BY p.camera_make, p.camera_model ORDER BY photos DESC, p.camera_make IS NULL, p.camera_make, p.camera_model`;

/** SQL (on `photos p`) for photos showing one of the people in a JSON list of ids: a face of theirs, not marked "not a face". */
const PERSON_SQL = "p.id IN (SELECT f.photo_id FROM json_each(?) j JOIN faces f ON f.person_id = j.value WHERE f.state = 'face')";

/**
 * The named people the query parser knows ([Note: query parser]): named, not hidden, with a face in a present
 * photo; by id. Each person one lookup of faces_person.
 */
export const NAMED_PEOPLE_SQL = `SELECT pe.id, pe.name FROM people pe WHERE pe.name IS NOT NULL AND pe.hidden = 0
  AND EXISTS (SELECT 1 FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.person_id = pe.id AND f.state = 'face' AND p.missing_since IS NULL)
  ORDER BY pe.id`;

export interface BrowsePage {
  total: number;
  offset: number;
  photos: PhotoSummary[];
}

export const DEFAULT_PAGE = 200;

/** SQL (on `photos p`) matching the photos at or under a folder, with its arguments. */
export function underFolder(dir: string): { sql: string; args: string[] } {
  const abs = path.resolve(dir);
  const prefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
  return { sql: '(p.path = ? OR substr(p.path, 1, length(?)) = ?)', args: [abs, prefix, prefix] };
}

/**
 * The grid's order, the same as Catalog.list: date taken (newest first), then photos without one by
 * file time. The photos_grid index (migration 3) holds exactly this key for present photos.
 */
const ORDER = 'p.taken_at IS NULL, p.taken_at DESC, p.mtime_ms DESC, p.id';

/** One page of ids under a WHERE clause (which includes `p.missing_since IS NULL`); args: …where, limit, offset. */
export function pageIdsSql(where: string): string {
  return `SELECT p.id FROM photos p WHERE ${where} ORDER BY ${ORDER} LIMIT ? OFFSET ?`;
}

/**
 * "On this day"'s photos: those taken on any of the days given as a JSON list of 'YYYY-MM-DD' (one range
 * of the photos_taken index each), the newest year first, in the grid's order within a year. A date read
 * from the file's modification time is no capture date.
 */
export const ON_THIS_DAY_SQL = `SELECT p.id, substr(p.taken_at, 1, 4) AS year FROM json_each(?) d
  JOIN photos p ON p.taken_at >= d.value AND p.taken_at < d.value || char(1114111)
  WHERE p.missing_since IS NULL AND p.taken_at_source IS NOT 'mtime'
  ORDER BY year DESC, ${ORDER}`;

interface SummaryRow {
  id: number;
  path: string;
  folder: string;
  taken_at: string | null;
  width: number | null;
  height: number | null;
  online: number;
  caption: string | null;
  caption_source: 'auto' | 'user' | null;
  caption_score: number | null;
  low_confidence: number | null;
  tags: string | null;
  suggested: string | null;
  rating: number | null;
  label: string | null;
  pl_source: 'auto' | 'user' | null;
  pl_city_id: number | null;
  pl_city: string | null;
  pl_region_code: string | null;
  pl_region: string | null;
  pl_country_code: string | null;
  pl_country: string | null;
  pl_distance_km: number | null;
}

export class PhotoBrowser {
  private readonly sql: (text: string) => Statement;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  private where(q: PhotoFilter): { sql: string; args: unknown[] } {
    const where = ['p.missing_since IS NULL'];
    const args: unknown[] = [];
    if (q.folder) {
      const f = underFolder(q.folder);
      where.push(f.sql);
      args.push(...f.args);
    }
    // Tags, suggestions, ratings and labels are found from their side (an index range), not photo by photo.
    if (q.tag !== undefined) {
      // One range of tags_key ([t, t + '}') holds t, t|… and some others, which the last test drops).
      const tag = typedTag(q.tag) ?? '';
      where.push(
        `p.id IN (SELECT t.photo_id FROM tags t WHERE lower(t.tag) >= lower(?) AND lower(t.tag) < lower(?) || '}' AND t.source = 'user' AND t.hidden = 0
           AND (lower(t.tag) = lower(?) OR substr(lower(t.tag), 1, length(?) + 1) = lower(?) || '|'))`,
      );
      args.push(tag, tag, tag, tag, tag);
    }
    if (q.suggested !== undefined) {
      where.push(`p.id IN (SELECT a.photo_id FROM tags a WHERE lower(a.tag) = lower(?) AND ${SUGGESTED_SQL})`);
      args.push(typedTag(q.suggested) ?? '');
    }
    if (q.minRating !== undefined && q.minRating > 0) {
      where.push('p.id IN (SELECT m.photo_id FROM marks m WHERE m.rating >= ?)');
      args.push(q.minRating);
    } else if (q.minRating === 0) {
      // Unrated counts as 0 stars: only the rejected are left out.
      where.push('p.id NOT IN (SELECT m.photo_id FROM marks m WHERE m.rating < 0)');
    }
    if (q.label !== undefined) {
      where.push('p.id IN (SELECT m.photo_id FROM marks m WHERE lower(m.label) = lower(?))');
      args.push(q.label.trim());
    }
    if (q.from) {
      where.push('p.taken_at >= ?');
      args.push(q.from);
    }
    if (q.to) {
      // A bare date includes that whole day.
      where.push('p.taken_at <= ?');
      args.push(/^\d{4}-\d{2}-\d{2}$/.test(q.to) ? `${q.to}T23:59:59\uffff` : q.to);
    }
    if (q.camera) {
      where.push("(COALESCE(p.camera_make, '') || ' ' || COALESCE(p.camera_model, '')) LIKE ?");
      args.push(`%${q.camera}%`);
    }
    if (q.ids) {
      where.push('p.id IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(q.ids));
    }
    for (const d of q.dates ?? []) {
      const w = dateSql(d);
      where.push(w.sql);
      args.push(...w.args);
    }
    if (q.cameras) {
      // Each camera looked up in photos_camera (migration 9); an empty list matches nothing.
      where.push(
        'p.id IN (SELECT c.id FROM json_each(?) j JOIN photos c ON c.camera_make IS j.value ->> 0 AND c.camera_model IS j.value ->> 1 AND c.missing_since IS NULL)',
      );
      args.push(JSON.stringify(q.cameras.map((c) => [c.make, c.model])));
    }
    const place = q.place ? placeFilterSql(q.place) : null;
    if (place) {
      where.push(place.sql);
      args.push(...place.args);
    }
    if (q.placeIds) {
      where.push(placeIdsSql);
      const json = JSON.stringify(q.placeIds);
      args.push(json, json, json);
    }
    // People, from their side: each a range of faces_person (migration 15).
    for (const set of [...(q.people ?? []).map((id) => [id]), ...(q.personSets ?? [])]) {
      where.push(PERSON_SQL);
      args.push(JSON.stringify(set));
    }
    return { sql: where.join(' AND '), args };
  }

  /** Differs after any change to the catalog: a write on this connection, or a commit on another (PRAGMA data_version). */
  changeStamp(): string {
    return `${this.sql('PRAGMA data_version').pluck().get() as number}:${this.sql('SELECT total_changes()').pluck().get() as number}`;
  }

  /** The cameras the present photos were taken with (make and model as recorded), with their photo counts: the query parser's camera vocabulary. */
  cameras(): (CameraName & { photos: number })[] {
    return this.sql(CAMERAS_SQL).all() as (CameraName & { photos: number })[];
  }

  /** The named people with photos (not hidden): the query parser's people. */
  namedPeople(): { id: number; name: string }[] {
    return this.sql(NAMED_PEOPLE_SQL).all() as { id: number; name: string }[];
  }

  /** The WHERE clause (on `photos p`) of a filter and its arguments, as ids() and the pages use it (tests EXPLAIN it). */
  filterSql(q: PhotoFilter): { sql: string; args: unknown[] } {
    return this.where(q);
  }

  /** The ids of every present photo the filter matches, in no particular order. */
  ids(q: PhotoFilter): number[] {
    const w = this.where(q);
    return this.sql(`SELECT p.id FROM photos p WHERE ${w.sql}`).pluck().all(...w.args) as number[];
  }

  /** The ids of the present photos the filter matches, in the grid's order (select all, Shift-click ranges); `limit` -1: all from `offset`. */
  orderedIds(q: BrowseQuery = {}): number[] {
    const w = this.where(q);
    return this.sql(pageIdsSql(w.sql))
      .pluck()
      .all(...w.args, q.limit ?? -1, q.offset ?? 0) as number[];
  }

  /** The files of these photos, in the order given (unknown ids are left out). */
  paths(ids: readonly number[]): string[] {
    const rows = this.sql('SELECT id, path FROM photos WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as { id: number; path: string }[];
    const byId = new Map(rows.map((r) => [r.id, r.path]));
    return ids.map((id) => byId.get(id)).filter((p): p is string => p !== undefined);
  }

  /** Full-text matches (filename, caption, tags) of an FTS5 query, best first: bm25 ranks (negative, best lowest). */
  fullText(query: string, limit: number): { id: number; rank: number }[] {
    return this.sql('SELECT rowid AS id, bm25(photos_fts, 1.0, 2.0, 2.0) AS rank FROM photos_fts WHERE photos_fts MATCH ? ORDER BY rank LIMIT ?').all(
      query,
      limit,
    ) as { id: number; rank: number }[];
  }

  /** How many present photos match the filter. */
  count(q: Omit<BrowseQuery, 'offset' | 'limit'> = {}): number {
    const w = this.where(q);
    return this.sql(`SELECT COUNT(*) FROM photos p WHERE ${w.sql}`).pluck().get(...w.args) as number;
  }

  /** One page of the grid, with the filter's total. */
  page(q: BrowseQuery = {}): BrowsePage {
    return { total: this.count(q), offset: q.offset ?? 0, photos: this.photos(q) };
  }

  /** The photos of one page in the grid's order (`limit` -1: all of them from `offset`). */
  photos(q: BrowseQuery = {}): PhotoSummary[] {
    const w = this.where(q);
    const ids = this.sql(pageIdsSql(w.sql))
      .pluck()
      .all(...w.args, q.limit ?? DEFAULT_PAGE, q.offset ?? 0) as number[];
    return this.summaries(ids);
  }

  /** Grid summaries of these photos, in the order given (unknown and missing ids are left out: a search never shows a photo whose file is gone or put in the trash). */
  summaries(ids: readonly number[]): PhotoSummary[] {
    if (ids.length === 0) return [];
    const rows = this.sql(
      `SELECT p.id, p.path, f.path AS folder, p.taken_at, p.width, p.height, f.online,
              COALESCE((SELECT text FROM captions c WHERE c.photo_id = p.id AND c.source = 'user'),
                       (SELECT text FROM captions c WHERE c.photo_id = p.id AND c.source = 'auto')) AS caption,
              (SELECT CASE WHEN MAX(source = 'user') = 1 THEN 'user' ELSE 'auto' END FROM captions c WHERE c.photo_id = p.id) AS caption_source,
              (SELECT score FROM captions c WHERE c.photo_id = p.id AND c.source = 'auto') AS caption_score,
              (SELECT low_confidence FROM captions c WHERE c.photo_id = p.id AND c.source = 'auto') AS low_confidence,
              (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM tags t WHERE t.photo_id = p.id AND t.source = 'user' AND t.hidden = 0 ORDER BY tag)) AS tags,
              (SELECT group_concat(tag, char(31)) FROM (SELECT a.tag FROM tags a WHERE a.photo_id = p.id AND ${SUGGESTED_SQL} ORDER BY a.score DESC, a.tag)) AS suggested,
              m.rating, m.label,
              pl.source AS pl_source, pl.city_id AS pl_city_id, pl.city AS pl_city, pl.region_code AS pl_region_code, pl.region AS pl_region,
              pl.country_code AS pl_country_code, pl.country AS pl_country, pl.distance_km AS pl_distance_km
       FROM photos p JOIN folders f ON f.id = p.folder_id LEFT JOIN marks m ON m.photo_id = p.id LEFT JOIN photo_place pl ON pl.photo_id = p.id
       WHERE p.id IN (SELECT value FROM json_each(?)) AND p.missing_since IS NULL`,
    ).all(JSON.stringify(ids)) as SummaryRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: PhotoSummary[] = [];
    for (const id of ids) {
      const r = byId.get(id);
      if (r) out.push(toSummary(r));
    }
    return out;
  }

  /**
   * The map's dots: [id, lat, lon, id, lat, lon, …] of the present photos with a GPS position that the
   * filter matches, by id (those after `after`, `limit` of them: pages); degrees rounded to 1e-5 (about a
   * metre), so the answer is small as JSON and fits a Float32Array or Float64Array as it is.
   */
  positions(q: PhotoFilter = {}, page: { after?: number; limit?: number } = {}): number[] {
    const w = this.where(q);
    const rows = this.sql(
      `SELECT p.id, round(p.gps_lat, 5), round(p.gps_lon, 5) FROM photos p
       WHERE ${w.sql} AND p.gps_lat IS NOT NULL AND p.gps_lon IS NOT NULL AND p.id > ? ORDER BY p.id LIMIT ?`,
    )
      .raw()
      .all(...w.args, page.after ?? 0, page.limit ?? -1) as [number, number, number][];
    const out = new Array<number>(rows.length * 3);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i * 3] = r[0];
      out[i * 3 + 1] = r[1];
      out[i * 3 + 2] = r[2];
    }
    return out;
  }

  /**
   * "On this day": the present photos taken on `date`'s month and day in the years before it, newest year
   * first, each year's total and its first `perYear` photos in the grid's order. On 28 February of a year
   * without a 29th, the 29ths of leap years count too. A date read from the file's modification time is no
   * capture date and does not count. Each earlier year is one range of the photos_taken
   * index (taken_at is the local wall time, 'YYYY-MM-DD…'), so no photo is read that is not shown.
   */
  onThisDay(date: string, perYear: number): OnThisDayYear[] {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    if (!m) throw new Error(`onThisDay: not a date: ${JSON.stringify(date)}`);
    const year = Number(m[1]);
    const days = [`${m[2]}-${m[3]}`];
    const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (days[0] === '02-28' && !leap(year)) days.push('02-29');
    const first = this.sql("SELECT min(taken_at) FROM photos WHERE taken_at IS NOT NULL AND taken_at >= '0'").pluck().get() as string | null;
    const from = first ? Number(first.slice(0, 4)) : NaN;
    if (!Number.isInteger(from) || from >= year) return [];
    const prefixes: string[] = [];
    for (let y = year - 1; y >= from; y--) for (const d of days) prefixes.push(`${String(y).padStart(4, '0')}-${d}`);
    const rows = this.sql(ON_THIS_DAY_SQL).all(JSON.stringify(prefixes)) as { id: number; year: string }[];
    const years: { year: number; total: number; ids: number[] }[] = [];
    for (const r of rows) {
      const y = Number(r.year);
      let last = years.at(-1);
      if (last?.year !== y) years.push((last = { year: y, total: 0, ids: [] }));
      last.total++;
      if (last.ids.length < perYear) last.ids.push(r.id);
    }
    const byId = new Map(this.summaries(years.flatMap((y) => y.ids)).map((p) => [p.id, p]));
    return years.map((y) => ({ year: y.year, total: y.total, photos: y.ids.map((id) => byId.get(id)).filter((p): p is PhotoSummary => p !== undefined) }));
  }
}

function toSummary(r: SummaryRow): PhotoSummary {
  return {
    id: r.id,
    path: r.path,
    folder: r.folder,
    takenAt: r.taken_at,
    width: r.width,
    height: r.height,
    offline: r.online === 0,
    caption: r.caption,
    captionSource: r.caption ? r.caption_source : null,
    captionScore: r.caption_source === 'auto' ? r.caption_score : null,
    lowConfidence: r.caption_source === 'auto' && r.low_confidence === 1,
    tags: r.tags ? r.tags.split('\u001f') : [],
    suggested: r.suggested ? r.suggested.split('\u001f') : [],
    rating: r.rating,
    label: r.label,
    place: r.pl_source
      ? toPhotoPlace({
          source: r.pl_source,
          city_id: r.pl_city_id,
          city: r.pl_city,
          region_code: r.pl_region_code,
          region: r.pl_region,
          country_code: r.pl_country_code,
          country: r.pl_country,
          distance_km: r.pl_distance_km,
        } as PlaceRow)
      : null,
  };
}
