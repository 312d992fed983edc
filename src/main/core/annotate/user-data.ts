// What only the user made, out of the catalog and back: `shoebox export --user-data FILE` and
// `shoebox import --user-data FILE` (issue 12), and the copies `shoebox repair` reapplies.
//
// [Note: user data file] A versioned JSON file ({"format": "shoebox-user-data", "version": 1, ...}) with one
// entry per photo that has anything of the user's: the user caption (typed in Shoebox or imported from the
// photo's metadata, with that origin), the user's visible tags (paths joined by '|'), the hidden tags (the
// user's removed ones, and rejected suggestions: automatic rows hidden), the rating and the label. Each entry
// is keyed by the photo's content fingerprint (SHA-256 of its bytes, media/fingerprint.ts), with its path and
// file name as hints; a photo never fingerprinted (unreadable at scan) has null there. It is written beside
// its target and renamed into place, and a copy goes to <data>/backups/user-data-<stamp>.json (the newest
// USER_DATA_COPIES kept), which `newestUserDataSince` finds for `shoebox repair`.
//
// Import re-attaches by fingerprint, so moves and renames do not matter: an entry goes to the photos of the
// library with its fingerprint (several with the same content: the one at the entry's path, else those with
// its file name, else all of them). Only an entry whose fingerprint no photo has (or that has none) falls back
// to its path. Entries that find no photo are reported, not an error. Import merges and never deletes:
//   - the caption: the file's is set where the photo has no user caption, or has one imported from its
//     metadata while the file's was typed in Shoebox. A caption typed in Shoebox is never overwritten by an
//     import (as the metadata import keeps it: sidecar-sync.ts [Note: metadata import]);
//   - tags: the file's visible tags are added (origin as in the file), except one the user removed in this
//     library (hidden), which stays removed, as for every import; a removed tag of the file is recorded
//     hidden where the photo does not have it, so no later import brings it back; a rejected suggestion is
//     hidden (or recorded hidden, for the model's next run to leave out: Catalog.setAutoTags);
//   - the rating and the label: the file's fills one the photo does not have; one set in Shoebox here wins,
//     one imported from the photo's metadata gives way to the file's set in Shoebox;
//   - the place set by hand (id, levels and names as the places data gave them: [Note: nearest-place rule]), as
//     the rating: the file's fills a photo without one, and one set in Shoebox here wins. Places from GPS are
//     not user data: the places stage makes them again from the photos. (An entry without "place", from an
//     older Shoebox, has none.)
// The whole import is one transaction and one edit of the undo log (every changed photo's caption, tags and
// marks recorded first: [Note: undo log]), and queues each changed photo's XMP sidecar. A file that is not
// such a file, or of a version this Shoebox does not read, is refused before anything changes.
import fs from 'node:fs';
import path from 'node:path';
import type { Repositories } from '../catalog/repositories.ts';
import { keyOf, typedTag, type UserOrigin } from '../catalog/annotations.ts';
import { normalizeTag } from '../../../shared/vocabulary.ts';
import { geocoder } from '../places/geocoder.ts';
import { Places, placeIdOf, type PlaceRow } from '../catalog/places.ts';

export const USER_DATA_FORMAT = 'shoebox-user-data';
export const USER_DATA_VERSION = 1;
/** How many copies of exports <data>/backups keeps (the newest). */
export const USER_DATA_COPIES = 10;
/** Photos per step of an import. */
const CHUNK = 1000;

export interface UserDataCaption {
  text: string;
  origin: UserOrigin;
}

export interface UserDataTag {
  tag: string;
  origin: UserOrigin;
}

export interface UserDataHiddenTag {
  tag: string;
  /** 'user': a tag the user removed; 'auto': a suggestion rejected. */
  source: 'user' | 'auto';
}

/** A place the user set by hand: the places data's id and its levels' names then (the id is what import uses). */
export interface UserDataPlace {
  id: string;
  city: string | null;
  region: string | null;
  country: string | null;
  countryCode: string | null;
  origin: UserOrigin;
}

/** One photo's user data. */
export interface UserDataEntry {
  /** Hex SHA-256 of the photo's content; null when it was never read. */
  fingerprint: string | null;
  /** Where the photo was, and its file name: hints for a photo whose fingerprint is unknown. */
  path: string;
  name: string;
  caption: UserDataCaption | null;
  tags: UserDataTag[];
  hiddenTags: UserDataHiddenTag[];
  rating: number | null;
  label: string | null;
  /** Whether the rating and label were set in Shoebox or imported from the photo; null without them. */
  marksOrigin: UserOrigin | null;
  /** The place set by hand; null without one. */
  place: UserDataPlace | null;
}

export interface UserDataFile {
  format: typeof USER_DATA_FORMAT;
  version: typeof USER_DATA_VERSION;
  exportedAt: string;
  photos: UserDataEntry[];
}

/** A file that cannot be imported (not a user-data file, an unknown version, a malformed entry): nothing was changed. */
export class UserDataError extends Error {
  override readonly name = 'UserDataError';
}

/** How much user data: photos, and what they hold (exported, or put on them by an import). */
export interface UserDataCounts {
  photos: number;
  captions: number;
  tags: number;
  hiddenTags: number;
  ratings: number;
  labels: number;
  /** Places set by hand. */
  places: number;
}

export interface ExportResult extends UserDataCounts {
  file: string;
  /** The copy kept in <data>/backups; null when there is no data folder to keep one in, or it could not be written. */
  copy: string | null;
  /** Why the copy could not be written (the export itself was). */
  copyError: string | null;
}

/** `photos`: photos changed; the other counts: what was put on them. */
export interface ImportResult extends UserDataCounts {
  /** Entries in the file. */
  entries: number;
  matchedByFingerprint: number;
  matchedByPath: number;
  /** Entries that found no photo of this library: where they were. */
  notFound: { path: string; fingerprint: string | null }[];
  /** The edit in the undo log; null when nothing changed. */
  editId: number | null;
  summary: string;
  /** The photos changed (ascending): their sidecars are queued. */
  ids: number[];
}

type Repos = Pick<Repositories, 'db' | 'annotations' | 'queue' | 'edits'>;

// ── export ─────────────────────────────────────────────────────────────

interface PhotoKey {
  id: number;
  path: string;
  filename: string;
  fingerprint: string | null;
}

/** Every photo's user data (photos with none are left out), in path order. */
export function collectUserData(repos: Pick<Repositories, 'db'>): UserDataEntry[] {
  const db = repos.db;
  const photos = db.prepare('SELECT id, path, filename, fingerprint FROM photos ORDER BY path').all() as PhotoKey[];
  const captions = new Map(
    (db.prepare(`SELECT photo_id, text, origin FROM captions WHERE source = 'user'`).all() as { photo_id: number; text: string; origin: string | null }[]).map((r) => [
      r.photo_id,
      { text: r.text, origin: originOf(r.origin) },
    ]),
  );
  const tags = new Map<number, UserDataTag[]>();
  const hidden = new Map<number, UserDataHiddenTag[]>();
  for (const r of db
    .prepare(`SELECT photo_id, tag, source, hidden, origin FROM tags WHERE source = 'user' OR hidden = 1 ORDER BY photo_id, tag`)
    .all() as { photo_id: number; tag: string; source: 'user' | 'auto'; hidden: number; origin: string | null }[]) {
    if (r.hidden) push(hidden, r.photo_id, { tag: r.tag, source: r.source });
    else push(tags, r.photo_id, { tag: r.tag, origin: originOf(r.origin) });
  }
  const marks = new Map(
    (db.prepare('SELECT photo_id, rating, label, origin FROM marks WHERE rating IS NOT NULL OR label IS NOT NULL').all() as {
      photo_id: number;
      rating: number | null;
      label: string | null;
      origin: string;
    }[]).map((r) => [r.photo_id, r]),
  );
  const places = new Map(
    (db.prepare(`SELECT photo_id, city_id, city, region_code, region, country_code, country, origin FROM places WHERE source = 'user'`).all() as Pick<
      PlaceRow,
      'photo_id' | 'city_id' | 'city' | 'region_code' | 'region' | 'country_code' | 'country' | 'origin'
    >[]).map((r): [number, UserDataPlace | null] => {
      const id = placeIdOf(r);
      return [r.photo_id, id ? { id, city: r.city, region: r.region, country: r.country, countryCode: r.country_code, origin: originOf(r.origin) } : null];
    }),
  );
  const out: UserDataEntry[] = [];
  for (const p of photos) {
    const m = marks.get(p.id);
    const e: UserDataEntry = {
      fingerprint: p.fingerprint,
      path: p.path,
      name: p.filename,
      caption: captions.get(p.id) ?? null,
      tags: tags.get(p.id) ?? [],
      hiddenTags: hidden.get(p.id) ?? [],
      rating: m?.rating ?? null,
      label: m?.label ?? null,
      marksOrigin: m ? originOf(m.origin) : null,
      place: places.get(p.id) ?? null,
    };
    if (e.caption || e.tags.length || e.hiddenTags.length || m || e.place) out.push(e);
  }
  return out;
}

/** The file's text for these entries. */
export function userDataText(photos: readonly UserDataEntry[], now = Date.now()): string {
  const head = `{"format":${JSON.stringify(USER_DATA_FORMAT)},"version":${USER_DATA_VERSION},"exportedAt":${JSON.stringify(new Date(now).toISOString())},"photos":[`;
  return `${head}${photos.map((p) => `\n${JSON.stringify(p)}`).join(',')}\n]}\n`;
}

/**
 * Writes what only the user made to `file` (see [Note: user data file]), atomically, and keeps a copy in
 * `backupsDir` (default: <data>/backups beside the catalog file; null keeps none).
 */
export function exportUserData(repos: Pick<Repositories, 'db'>, file: string, opts: { backupsDir?: string | null; now?: number } = {}): ExportResult {
  const now = opts.now ?? Date.now();
  // One read transaction: a consistent picture while an engine writes beside us.
  const photos = repos.db.transaction(() => collectUserData(repos))();
  const text = userDataText(photos, now);
  const target = path.resolve(file);
  writeFileAtomic(target, text);
  const backupsDir = opts.backupsDir === undefined ? defaultBackupsDir(repos.db.name) : opts.backupsDir;
  let copy: string | null = null;
  let copyError: string | null = null;
  if (backupsDir) {
    const name = path.join(backupsDir, `user-data-${stampOf(now)}.json`);
    try {
      fs.mkdirSync(backupsDir, { recursive: true });
      writeFileAtomic(name, text);
      copy = name;
      pruneCopies(backupsDir);
    } catch (e) {
      copyError = (e as Error).message;
    }
  }
  return {
    file: target,
    photos: photos.length,
    captions: photos.filter((p) => p.caption).length,
    tags: photos.reduce((n, p) => n + p.tags.length, 0),
    hiddenTags: photos.reduce((n, p) => n + p.hiddenTags.length, 0),
    ratings: photos.filter((p) => p.rating !== null).length,
    labels: photos.filter((p) => p.label !== null).length,
    places: photos.filter((p) => p.place !== null).length,
    copy,
    copyError,
  };
}

/**
 * The newest copy of an export in <dataDir>/backups made at or after `ms` (ms since the epoch), for `shoebox
 * repair` to reapply after restoring a backup taken at `ms`; null when there is none.
 */
export function newestUserDataSince(dataDir: string, ms: number): { file: string; exportedAt: number } | null {
  const best = listCopies(path.join(dataDir, 'backups')).find((c) => c.exportedAt >= ms);
  return best ?? null;
}

/** The export copies in a backups folder, newest first. */
function listCopies(dir: string): { file: string; exportedAt: number }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: { file: string; exportedAt: number }[] = [];
  for (const n of names) {
    const m = /^user-data-(\d{8}T\d{9}Z)\.json$/.exec(n);
    if (!m) continue;
    const t = parseStamp(m[1]!);
    if (t !== null) out.push({ file: path.join(dir, n), exportedAt: t });
  }
  return out.sort((a, b) => b.exportedAt - a.exportedAt);
}

function pruneCopies(dir: string): void {
  for (const old of listCopies(dir).slice(USER_DATA_COPIES)) fs.rmSync(old.file, { force: true });
}

/** "20240102T030405678Z": the time to the millisecond, safe in a file name, sorting as it reads. */
export function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}

function parseStamp(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(s);
  if (!m) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
  return Number.isFinite(t) ? t : null;
}

function defaultBackupsDir(dbFile: string): string | null {
  if (!dbFile || dbFile === ':memory:' || !path.isAbsolute(dbFile)) return null;
  return path.join(path.dirname(dbFile), 'backups');
}

/** Writes `text` beside `file`, flushes it and renames it into place: a reader sees the old file or the whole new one. */
function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'w');
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dir = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  } catch {
    // Directories cannot be opened on Windows; the rename is still atomic there.
  }
}

// ── reading a file ─────────────────────────────────────────────────────

/** Reads and checks a user-data file; throws UserDataError saying what is wrong with it. */
export function readUserData(file: string): UserDataFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserDataError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserDataError(`${file} is not a Shoebox user-data file: not valid JSON (${(e as Error).message})`);
  }
  return parseUserData(json, file);
}

/** Checks a parsed user-data file; throws UserDataError. */
export function parseUserData(json: unknown, file = 'the file'): UserDataFile {
  const bad = (why: string) => new UserDataError(`${file} is not a Shoebox user-data file: ${why}`);
  if (!isObject(json)) throw bad('it holds no JSON object');
  if (json.format !== USER_DATA_FORMAT) throw bad(`its "format" is ${JSON.stringify(json.format ?? null)}, not "${USER_DATA_FORMAT}"`);
  if (json.version !== USER_DATA_VERSION) {
    const v = json.version;
    throw new UserDataError(
      typeof v === 'number' && v > USER_DATA_VERSION
        ? `${file} is a user-data file of version ${v}, newer than this Shoebox reads (${USER_DATA_VERSION}): update Shoebox to import it`
        : `${file} is a user-data file of version ${JSON.stringify(v ?? null)}, which this Shoebox does not read (it reads version ${USER_DATA_VERSION})`,
    );
  }
  if (!Array.isArray(json.photos)) throw bad('"photos" is not a list');
  const photos = json.photos.map((p: unknown, i: number) => parseEntry(p, (why) => bad(`photo ${i + 1}: ${why}`)));
  return { format: USER_DATA_FORMAT, version: USER_DATA_VERSION, exportedAt: typeof json.exportedAt === 'string' ? json.exportedAt : '', photos };
}

function parseEntry(p: unknown, bad: (why: string) => UserDataError): UserDataEntry {
  if (!isObject(p)) throw bad('not an object');
  const fp = p.fingerprint;
  if (fp !== null && !(typeof fp === 'string' && /^[0-9a-f]{64}$/i.test(fp))) throw bad('"fingerprint" is neither null nor a SHA-256 in hex');
  if (typeof p.path !== 'string' || p.path === '') throw bad('"path" is missing');
  const origin = (v: unknown, what: string): UserOrigin => {
    if (v === 'shoebox' || v === 'import') return v;
    throw bad(`${what} must be "shoebox" or "import"`);
  };
  let caption: UserDataCaption | null = null;
  if (p.caption !== null && p.caption !== undefined) {
    if (!isObject(p.caption) || typeof p.caption.text !== 'string') throw bad('"caption" has no text');
    caption = { text: p.caption.text, origin: origin(p.caption.origin, 'the caption\'s "origin"') };
  }
  const list = (v: unknown, what: string): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw bad(`"${what}" is not a list`);
    return v;
  };
  const tagText = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || typedTag(v) === null) throw bad(`${what} is not a tag: ${JSON.stringify(v)}`);
    return v;
  };
  const tags = list(p.tags, 'tags').map((t) => {
    if (!isObject(t)) throw bad('a tag is not an object');
    return { tag: tagText(t.tag, 'a tag'), origin: origin(t.origin, 'a tag\'s "origin"') };
  });
  const hiddenTags = list(p.hiddenTags, 'hiddenTags').map((t) => {
    if (!isObject(t) || (t.source !== 'user' && t.source !== 'auto')) throw bad('a hidden tag needs a "source" of "user" or "auto"');
    return { tag: tagText(t.tag, 'a hidden tag'), source: t.source as 'user' | 'auto' };
  });
  const rating = p.rating ?? null;
  if (rating !== null && !(Number.isInteger(rating) && (rating as number) >= -1 && (rating as number) <= 5)) throw bad('"rating" is not a whole number from -1 to 5');
  const label = p.label ?? null;
  if (label !== null && (typeof label !== 'string' || normalizeTag(label) === null)) throw bad('"label" is not a label');
  const marksOrigin = p.marksOrigin === undefined || p.marksOrigin === null ? 'shoebox' : origin(p.marksOrigin, '"marksOrigin"');
  let place: UserDataPlace | null = null;
  if (p.place !== null && p.place !== undefined) {
    const pl = p.place;
    if (!isObject(pl) || typeof pl.id !== 'string' || !/^(city|region|country):\S+$/.test(pl.id)) throw bad('"place" has no id like "city:2267057"');
    const textOf = (v: unknown, what: string): string | null => {
      if (v === null || v === undefined) return null;
      if (typeof v !== 'string') throw bad(`the place's "${what}" is not text`);
      return v;
    };
    place = {
      id: pl.id,
      city: textOf(pl.city, 'city'),
      region: textOf(pl.region, 'region'),
      country: textOf(pl.country, 'country'),
      countryCode: textOf(pl.countryCode, 'countryCode'),
      origin: origin(pl.origin ?? 'shoebox', 'the place\'s "origin"'),
    };
  }
  return {
    fingerprint: fp === null || fp === undefined ? null : (fp as string).toLowerCase(),
    path: p.path,
    name: typeof p.name === 'string' ? p.name : path.basename(p.path),
    caption,
    tags,
    hiddenTags,
    rating: rating as number | null,
    label: label as string | null,
    marksOrigin: rating === null && label === null ? null : marksOrigin,
    place,
  };
}

// ── import ─────────────────────────────────────────────────────────────

/** What an import does to one photo, worked out before anything is written. */
interface Plan {
  caption: UserDataCaption | null;
  addTags: Map<string, UserDataTag>;
  hideUser: Map<string, string>;
  hideAuto: Map<string, string>;
  rating: number | null | undefined;
  label: string | null | undefined;
  marksOrigin: UserOrigin;
  place: UserDataPlace | null;
}

/** Reads `file` and merges it into the library ([Note: user data file]); throws UserDataError for a bad file (nothing changed). */
export function importUserData(repos: Repos, file: string, opts: { now?: number } = {}): ImportResult {
  return applyUserData(repos, readUserData(file), opts);
}

/** Merges a parsed user-data file into the library: one transaction, one edit of the undo log. */
export function applyUserData(repos: Repos, data: UserDataFile, opts: { now?: number } = {}): ImportResult {
  const { db, edits: log, queue } = repos;
  return db
    .transaction((): ImportResult => {
      const now = opts.now ?? Date.now();
      const all = db.prepare('SELECT id, path, filename, fingerprint FROM photos').all() as PhotoKey[];
      const byFp = new Map<string, PhotoKey[]>();
      const byPath = new Map<string, PhotoKey>();
      for (const p of all) {
        if (p.fingerprint) push(byFp, p.fingerprint, p);
        byPath.set(p.path, p);
      }
      const result: ImportResult = {
        entries: data.photos.length,
        matchedByFingerprint: 0,
        matchedByPath: 0,
        notFound: [],
        photos: 0,
        captions: 0,
        tags: 0,
        hiddenTags: 0,
        ratings: 0,
        labels: 0,
        places: 0,
        editId: null,
        summary: '',
        ids: [],
      };
      // Which photos each entry goes to; entries for one photo are merged.
      const targets = new Map<number, UserDataEntry[]>();
      for (const e of data.photos) {
        const same = e.fingerprint ? byFp.get(e.fingerprint) : undefined;
        let to: PhotoKey[];
        if (same?.length) {
          const atPath = same.filter((p) => p.path === e.path);
          const named = same.filter((p) => p.filename === e.name);
          to = atPath.length ? atPath : named.length ? named : same;
          result.matchedByFingerprint++;
        } else {
          const p = byPath.get(e.path);
          if (!p) {
            result.notFound.push({ path: e.path, fingerprint: e.fingerprint });
            continue;
          }
          to = [p];
          result.matchedByPath++;
        }
        for (const p of to) push(targets, p.id, e);
      }
      const sql = statements(db);
      const plans = new Map<number, Plan>();
      for (const [id, entries] of targets) {
        const plan = planPhoto(repos, sql, id, entries);
        if (plan) plans.set(id, plan);
      }
      const ids = [...plans.keys()].sort((a, b) => a - b);
      if (ids.length === 0) {
        result.summary = 'Imported user data: nothing to change';
        return result;
      }
      const editId = log.begin(now);
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        log.snapshot(editId, chunk, ['caption', 'tags', 'marks', 'place']);
        for (const id of chunk) applyPlan(repos, sql, id, plans.get(id)!, result, now);
        queue.requeuePhotos(chunk, ['xmp'], now);
      }
      result.photos = ids.length;
      result.ids = ids;
      result.summary = `Imported user data onto ${ids.length.toLocaleString('en-US')} photo${ids.length === 1 ? '' : 's'}`;
      log.finish(editId, result.summary, ids.length);
      result.editId = editId;
      return result;
    })
    .immediate();
}

/** What the entries would change on the photo; null when nothing. */
function planPhoto({ annotations }: Repos, sql: Statements, id: number, entries: readonly UserDataEntry[]): Plan | null {
  const plan: Plan = { caption: null, addTags: new Map(), hideUser: new Map(), hideAuto: new Map(), rating: undefined, label: undefined, marksOrigin: 'shoebox', place: null };
  const userPlace = sql.userPlace.get(id) as Pick<PlaceRow, 'city_id' | 'region_code' | 'country_code' | 'origin'> | undefined;
  let placeOrigin: UserOrigin | null = userPlace ? originOf(userPlace.origin) : null;
  const placeId = userPlace ? placeIdOf(userPlace) : null;
  const rows = sql.tags.all(id) as { tag: string; source: 'user' | 'auto'; hidden: number }[];
  const user = new Map(rows.filter((r) => r.source === 'user').map((r) => [keyOf(r.tag), r]));
  const auto = new Map(rows.filter((r) => r.source === 'auto').map((r) => [keyOf(r.tag), r]));
  let caption = annotations.userCaption(id);
  const marks = annotations.marks(id);
  let rating = marks?.rating ?? null;
  let label = marks?.label ?? null;
  let marksOrigin = marks?.origin ?? null;
  for (const e of entries) {
    if (e.caption) {
      const text = e.caption.text.normalize('NFC').trim();
      const yields = !caption || (caption.origin === 'import' && e.caption.origin === 'shoebox');
      if (text && yields && caption?.text !== text) {
        plan.caption = { text, origin: e.caption.origin };
        caption = { text, origin: e.caption.origin, createdAt: 0 };
      }
    }
    for (const t of e.tags) {
      const tag = typedTag(t.tag)!;
      const key = keyOf(tag);
      if (user.has(key) || plan.addTags.has(key) || plan.hideUser.has(key)) continue;
      plan.addTags.set(key, { tag, origin: t.origin });
    }
    for (const t of e.hiddenTags) {
      const tag = typedTag(t.tag)!;
      const key = keyOf(tag);
      if (t.source === 'user') {
        if (user.has(key) || plan.addTags.has(key) || plan.hideUser.has(key)) continue;
        plan.hideUser.set(key, tag);
      } else {
        const a = auto.get(key);
        if ((a && a.hidden) || plan.hideAuto.has(key)) continue;
        plan.hideAuto.set(key, a?.tag ?? tag);
      }
    }
    if (e.rating !== null || e.label !== null) {
      const origin = e.marksOrigin ?? 'shoebox';
      // The library's marks give way only when they came from the photo's metadata and the file's were set in Shoebox.
      const replaceable = marksOrigin === 'import' && origin === 'shoebox';
      let took = false;
      if (e.rating !== null && rating !== e.rating && (rating === null || replaceable)) {
        plan.rating = rating = e.rating;
        took = true;
      }
      const l = e.label === null ? null : normalizeTag(e.label);
      if (l !== null && label !== l && (label === null || replaceable)) {
        plan.label = label = l;
        took = true;
      }
      if (took) marksOrigin = plan.marksOrigin = marksOrigin === 'shoebox' || origin === 'shoebox' ? 'shoebox' : 'import';
    }
    if (e.place && e.place.id !== placeId) {
      // As marks: the file's fills a photo without one; one set in Shoebox here wins.
      const replaceable = placeOrigin === null || (placeOrigin === 'import' && e.place.origin === 'shoebox');
      if (replaceable) {
        plan.place = e.place;
        placeOrigin = e.place.origin;
      }
    }
  }
  const changes =
    plan.caption || plan.addTags.size || plan.hideUser.size || plan.hideAuto.size || plan.rating !== undefined || plan.label !== undefined || plan.place;
  return changes ? plan : null;
}

type Statements = ReturnType<typeof statements>;

function statements(db: Repos['db']) {
  return {
    db,
    tags: db.prepare('SELECT tag, source, hidden FROM tags WHERE photo_id = ?'),
    ins: db.prepare(
      `INSERT INTO tags (photo_id, tag, source, hidden, origin, created_at) VALUES (?, ?, 'user', ?, ?, ?)
       ON CONFLICT (photo_id, tag, source) DO NOTHING`,
    ),
    hideAuto: db.prepare(`UPDATE tags SET hidden = 1 WHERE photo_id = ? AND source = 'auto' AND hidden = 0 AND lower(tag) = lower(?)`),
    addHiddenAuto: db.prepare(`INSERT OR IGNORE INTO tags (photo_id, tag, source, hidden, created_at) VALUES (?, ?, 'auto', 1, ?)`),
    userPlace: db.prepare(`SELECT city_id, region_code, country_code, origin FROM places WHERE photo_id = ? AND source = 'user'`),
    setPlace: db.prepare(
      `INSERT INTO places (photo_id, source, city_id, city, region_code, region, country_code, country, origin, created_at) VALUES (?, 'user', ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (photo_id, source) DO UPDATE SET city_id = excluded.city_id, city = excluded.city, region_code = excluded.region_code, region = excluded.region,
         country_code = excluded.country_code, country = excluded.country, origin = excluded.origin, created_at = excluded.created_at`,
    ),
  };
}

function applyPlan({ annotations }: Repos, sql: Statements, id: number, plan: Plan, result: ImportResult, now: number): void {
  if (plan.caption) {
    annotations.setUserCaption(id, plan.caption.text, plan.caption.origin, now);
    result.captions++;
  }
  const ins = sql.ins;
  for (const t of plan.addTags.values()) {
    if (ins.run(id, annotations.spell(t.tag, true)!, 0, t.origin, now).changes) result.tags++;
  }
  for (const tag of plan.hideUser.values()) {
    if (ins.run(id, annotations.spell(tag, true)!, 1, 'shoebox', now).changes) result.hiddenTags++;
  }
  for (const tag of plan.hideAuto.values()) {
    const hid = sql.hideAuto.run(id, tag).changes;
    const added = hid ? 0 : sql.addHiddenAuto.run(id, tag, now).changes;
    if (hid || added) result.hiddenTags++;
  }
  if (plan.rating !== undefined || plan.label !== undefined) {
    annotations.setMarks(id, { rating: plan.rating, label: plan.label }, plan.marksOrigin, now);
    if (plan.rating !== undefined) result.ratings++;
    if (plan.label !== undefined) result.labels++;
  }
  if (plan.place) {
    // The places data names it now (a newer version may spell it anew); the file's names where it has none.
    const p = plan.place;
    const known = geocoder.place(p.id);
    const levels = known ?? { ...p, cityId: p.id.startsWith('city:') ? Number(p.id.slice(5)) : null, regionCode: p.id.startsWith('region:') ? p.id.slice(7) : null };
    sql.setPlace.run(id, levels.cityId, levels.city, levels.regionCode, levels.region, levels.countryCode, levels.country, p.origin, now);
    if (known) new Places(sql.db).recordNames(known, (x) => geocoder.names(x));
    result.places++;
  }
}

function originOf(o: string | null): UserOrigin {
  return o === 'import' ? 'import' : 'shoebox';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
