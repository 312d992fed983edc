// When a photo was taken: the sources photo managers read, in the order they trust them, and the
// date a photo's file name carries. Pure functions; the readers (exifr in decode.ts, exiftool in
// xmp.ts) hand their raw values here. See [Note: capture date].
//
// [Note: capture date]
// A photo's `taken_at` is the local wall time where it was taken, 'YYYY-MM-DDTHH:MM:SS' (with the
// sub-seconds when the file has them, e.g. '…:SS.12'), followed by the UTC offset when the file
// records one ('…+01:00'). A date without a time ('YYYY-MM-DD', or 'YYYY'/'YYYY-MM' from an XMP
// date of reduced precision) stays without one: no midnight is made up. A local time is never
// shifted: with no offset in the file the time zone, when the GPS position tells it, goes beside it
// (photos.time_zone), not into it.
//
// The sources, best first (DATE_SOURCES; a reader's candidates are ranked by it, and the catalog
// merges what the two readers found by it, [Note: merged facts]):
//   1. exif            EXIF DateTimeOriginal, with SubSecTimeOriginal and OffsetTimeOriginal;
//   2. xmp             XMP photoshop:DateCreated, then exif:DateTimeOriginal, then xmp:CreateDate —
//                      the sidecar's before the file's own;
//   3. iptc            IPTC DateCreated with TimeCreated (which carries its offset);
//   4. quicktime       QuickTime/HEIF: Apple's CreationDate (local, with offset), then CreateDate,
//                      which the QuickTime format defines as UTC;
//   5. exif-digitized  EXIF DateTimeDigitized (CreateDate): on a camera the same as the original,
//                      on a scanner the scan — real, but not when the picture was taken, so after
//                      what people and the tools they use wrote;
//   6. gps             the GPS date and time stamp (UTC), turned into local time with the zone at
//                      the GPS position (the offset is then appended: it is exact);
//   7. filename        a date in the file name (dateFromFilename);
//   8. exif-modified   EXIF DateTime (ModifyDate): what old cameras (EXIF 2.1) wrote as their only
//                      date, but also what every editor rewrites on save — so after the file name,
//                      and only before the file's own modification time;
//   9. mtime           the file's modification time, in this computer's zone with its offset.
// Impossible dates are rejected wherever they come from: '0000:00:00 00:00:00' and other blanks a
// camera writes when its clock was never set, month 13, 30 February, 25:00, years before 1826
// (the first photograph) or after next year.

export const DATE_SOURCES = ['exif', 'xmp', 'iptc', 'quicktime', 'exif-digitized', 'gps', 'filename', 'exif-modified', 'mtime'] as const;
export type DateSource = (typeof DATE_SOURCES)[number];

/** 0 for the best source, higher for worse ones; unknown or null ranks after every source. */
export function dateRank(source: string | null | undefined): number {
  const i = DATE_SOURCES.indexOf(source as DateSource);
  return i < 0 ? DATE_SOURCES.length : i;
}

/** A capture date one source offers: the `taken_at` text, and the zone when the source itself gave it. */
export interface DateCandidate {
  takenAt: string;
  source: DateSource;
  /** The IANA zone the source fixed (only the GPS time, converted at the GPS position). */
  timeZone?: string | null;
}

/** The best-ranked candidate, or null. Among equals the first given wins. */
export function bestDate(candidates: readonly (DateCandidate | null | undefined)[]): DateCandidate | null {
  let best: DateCandidate | null = null;
  for (const c of candidates) if (c && (!best || dateRank(c.source) < dateRank(best.source))) best = c;
  return best;
}

const FIRST_PHOTO_YEAR = 1826;

function lastYear(): number {
  return new Date().getFullYear() + 1;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validTime(h: number, min: number, s: number): boolean {
  return h >= 0 && h <= 23 && min >= 0 && min <= 59 && s >= 0 && s <= 59;
}

/** '+01:00', '-0530', 'Z' → '+01:00', '-05:30', '+00:00'; null when it is no offset. */
export function normalizeOffset(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const t = text.replace(/\0/g, '').trim();
  if (/^z$/i.test(t)) return '+00:00';
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(t);
  if (!m) return null;
  const h = Number(m[2]);
  const min = Number(m[3]);
  if (h > 14 || min > 59) return null;
  return `${m[1]}${m[2]}:${m[3]}`;
}

export interface ParsedDate {
  /** 'YYYY-MM-DDTHH:MM:SS[.fff]', 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'. */
  local: string;
  /** '+HH:MM' when the value carries an offset (or 'Z'), else null. */
  offset: string | null;
  /** True when it has a time of day. */
  hasTime: boolean;
}

/**
 * A date as EXIF, XMP, IPTC and QuickTime write it (and exiftool prints it): 'YYYY:MM:DD HH:MM:SS',
 * 'YYYY-MM-DDTHH:MM:SS.sss+01:00', a date alone, and XMP's 'YYYY-MM' and 'YYYY'. Old cameras'
 * odd separators ('2005/06/07 8:09:10', '2005.06.07') are read too. Null for blanks and impossible
 * dates ('0000:00:00 00:00:00', '    :  :     :  :  ', month 13…). With `partial` false a date
 * must have at least its day.
 */
export function parseMetadataDate(value: unknown, opts: { partial?: boolean } = {}): ParsedDate | null {
  if (typeof value !== 'string') return null;
  const t = value.replace(/\0/g, '').trim();
  const m =
    /^(\d{4})(?:[:\-/.](\d{1,2})(?:[:\-/.](\d{1,2})(?:(?:[T ]+)(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d+))?)?)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (!m) return null;
  const y = Number(m[1]);
  if (y < FIRST_PHOTO_YEAR || y > lastYear()) return null;
  if (m[2] === undefined) return opts.partial === false ? null : { local: pad(y, 4), offset: null, hasTime: false };
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return null;
  if (m[3] === undefined) return opts.partial === false ? null : { local: `${pad(y, 4)}-${pad(mo)}`, offset: null, hasTime: false };
  const d = Number(m[3]);
  if (!validDay(y, mo, d)) return null;
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (m[4] === undefined) return { local: date, offset: null, hasTime: false };
  const h = Number(m[4]);
  const min = Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (!validTime(h, min, s)) return null;
  const frac = m[7] ? `.${m[7].slice(0, 3)}` : '';
  return { local: `${date}T${pad(h)}:${pad(min)}:${pad(s)}${frac}`, offset: m[8] ? normalizeOffset(m[8]) : null, hasTime: true };
}

/** EXIF SubSecTime* ('12', ' 345 ') → '12', or null when it is not digits. */
function subSeconds(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string') return null;
  const t = value.replace(/\0/g, '').trim();
  return /^\d+$/.test(t) ? t.slice(0, 3) : null;
}

/**
 * An EXIF date ('YYYY:MM:DD HH:MM:SS') with its SubSecTime* and OffsetTime* tags as one
 * `taken_at`; null when the date is a blank or impossible. A date written with a time of day only.
 */
export function exifDate(dateTime: unknown, subSec?: unknown, offset?: unknown): string | null {
  const p = parseMetadataDate(dateTime, { partial: false });
  if (!p || !p.hasTime) return null;
  const sub = p.local.includes('.') ? null : subSeconds(subSec);
  return `${p.local}${sub ? `.${sub}` : ''}${p.offset ?? normalizeOffset(offset) ?? ''}`;
}

/** An XMP or QuickTime date (any precision XMP allows) as a `taken_at`, offset kept. */
export function metadataDate(value: unknown): string | null {
  const p = parseMetadataDate(value);
  return p ? p.local + (p.hasTime ? (p.offset ?? '') : '') : null;
}

/** IPTC DateCreated ('YYYY:MM:DD' or 'YYYYMMDD') with TimeCreated ('HH:MM:SS+HH:MM'), as a `taken_at`. */
export function iptcDate(date: unknown, time: unknown): string | null {
  if (typeof date !== 'string') return null;
  const dt = date.replace(/\0/g, '').trim().replace(/^(\d{4})(\d{2})(\d{2})$/, '$1:$2:$3');
  const day = parseMetadataDate(dt, { partial: false });
  if (!day || day.hasTime) return null;
  if (typeof time !== 'string') return day.local;
  const tm = /^(\d{2}):?(\d{2}):?(\d{2})(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(time.replace(/\0/g, '').trim());
  if (!tm || !validTime(Number(tm[1]), Number(tm[2]), Number(tm[3]))) return day.local;
  return `${day.local}T${tm[1]}:${tm[2]}:${tm[3]}${tm[4] ? (normalizeOffset(tm[4]) ?? '') : ''}`;
}

/** The UTC offset of an IANA zone at an instant, '+HH:MM'; null for an unknown zone. */
export function zoneOffset(timeZone: string, utcMs: number): string | null {
  let name: string | undefined;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(utcMs))
      .find((p) => p.type === 'timeZoneName')?.value;
  } catch {
    return null;
  }
  if (!name) return null;
  if (name === 'GMT' || name === 'UTC') return '+00:00';
  return normalizeOffset(name.replace(/^(GMT|UTC)/, ''));
}

/** An instant as local wall time with its offset: 'YYYY-MM-DDTHH:MM:SS[.fff]+HH:MM'. */
function atOffset(utcMs: number, offset: string, keepMs: boolean): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const d = new Date(utcMs + minutes * 60_000);
  const ms = keepMs && d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : '';
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${ms}${offset}`;
}

/** A UTC date and time (parsed) as milliseconds; null when it has no time or an offset of its own that is not UTC. */
function utcMillis(p: ParsedDate): number | null {
  if (!p.hasTime) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(p.local)!;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const base = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  if (!p.offset || p.offset === '+00:00') return base;
  const sign = p.offset.startsWith('-') ? -1 : 1;
  return base - sign * (Number(p.offset.slice(1, 3)) * 60 + Number(p.offset.slice(4, 6))) * 60_000;
}

/**
 * A UTC instant ('YYYY:MM:DD HH:MM:SS[.s]', 'Z' or not: GPS stamps and QuickTime CreateDate) as
 * a `taken_at` local to `timeZone` (its offset appended), or in UTC ('+00:00') when no zone is known.
 */
export function utcDate(value: unknown, timeZone: string | null): string | null {
  const p = parseMetadataDate(value, { partial: false });
  const ms = p ? utcMillis(p) : null;
  if (ms === null) return null;
  const offset = (timeZone ? zoneOffset(timeZone, ms) : null) ?? '+00:00';
  return atOffset(ms, offset, true);
}

/**
 * EXIF's GPSDateStamp ('YYYY:MM:DD') and GPSTimeStamp ('HH:MM:SS', or exifr's [h, m, s]) as
 * the UTC text utcDate reads; null when either is missing or impossible.
 */
export function gpsStamp(date: unknown, time: unknown): string | null {
  if (typeof date !== 'string') return null;
  let hms: number[] | null = null;
  if (Array.isArray(time) && time.length === 3 && time.every((n) => typeof n === 'number' && Number.isFinite(n))) hms = time as number[];
  else if (typeof time === 'string') {
    const m = /^(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(time.replace(/\0/g, '').trim());
    if (m) hms = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  if (!hms) return null;
  const [h, min, s] = hms as [number, number, number];
  const whole = Math.floor(s);
  if (!Number.isInteger(h) || !Number.isInteger(min) || !validTime(h, min, whole)) return null;
  const frac = s - whole > 0 ? `.${Math.round((s - whole) * 1000).toString().padStart(3, '0').replace(/0+$/, '')}` : '';
  return `${date.replace(/\0/g, '').trim()} ${pad(h)}:${pad(min)}:${pad(whole)}${frac}Z`;
}

/** The file's modification time as a `taken_at` in this computer's zone, with its offset. */
export function mtimeDate(mtimeMs: number): string | null {
  if (!Number.isFinite(mtimeMs) || mtimeMs <= 0) return null;
  const d = new Date(Math.floor(mtimeMs / 1000) * 1000);
  const y = d.getFullYear();
  if (y < FIRST_PHOTO_YEAR || y > lastYear()) return null;
  const off = -d.getTimezoneOffset();
  const offset = `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return atOffset(d.getTime(), offset, false);
}

// ── dates in file names ───────────────────────────────────────────────────

// [Note: dates in file names]
// Phones, messengers and screenshot tools name files after the moment they were made. One rule
// reads them all: a date, year first — 'YYYYMMDD', or 'YYYY-MM-DD' with '-', '_' or '.' — that
// no other digit touches, then, after a space, '_', '-', 'T' or ' at ', a time — 'HHMMSS'
// (optionally milliseconds: PXL_…_123456789) or 'HH.MM.SS' with one separator ('.', '-', '_', ':'
// or a space), an 'AM'/'PM' allowing a one-digit hour. Fourteen digits in a row
// ('YYYYMMDDHHMMSS', BURST…) are read as a date and time too. Examples, all read:
//   IMG_20190412_153000.jpg, VID_20190412_153000.mp4, PXL_20210101_123456789.jpg (Android, Pixel)
//   20190412_153000.jpg (Samsung), IMG-20190412-WA0001.jpg (WhatsApp: a date, no time)
//   Screenshot_20210304-153000_Chrome.jpg, Screenshot_2021-03-04-15-30-00.png (Android)
//   Screenshot 2021-03-04 at 15.30.00.png, Screen Shot 2019-04-12 at 3.30.00 PM.png (macOS)
//   Screenshot from 2021-03-04 15-30-00.png (GNOME), Screenshot 2024-01-02 153000.png (Windows)
//   Photo 2019-04-12 15 30 00.jpg, 2019-04-12 15.30.00.jpg (Dropbox), WIN_20190412_15_30_00_Pro.jpg
//   signal-2021-01-01-123456.jpg, photo_2021-03-04_15-30-00.jpg (Telegram)
// Not read: camera counters (DSC_0001, IMG_1234, P1010001, DSCF1234, 100_1234 — no date in
// them), Unix-time names (FB_IMG_1554123456789: thirteen digits, too easily a counter), dates in
// folder names, and day-first or month-first dates ('12-04-2019' is ambiguous). A date that does
// not exist (20191332, 1234-56-78) or lies outside the years photos can have is no date; an
// impossible time (25:61:00) leaves the date alone. A name with a date and no time gives the date
// alone ('2019-04-12'): no midnight is made up. Without separators the year must be 1990 or later
// (digital cameras: a long counter is more likely than an older date); with them, 1826 or later,
// so 'Grandma 1965-04-12.jpg', a scan named by hand, keeps its date.

const COMPACT_DATE = /(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)/g;
const SEPARATED_DATE = /(?<!\d)(\d{4})([-_.])(\d{2})\2(\d{2})(?!\d)/g;
const FOURTEEN = /(?<!\d)(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{0,3})(?!\d)/g;
const TIME_COMPACT = /^(?:[ _T-]|\s+at\s+)(\d{2})(\d{2})(\d{2})(?:\d{3})?(?!\d)/i;
const TIME_SEPARATED = /^(?:[ _T-]|\s+at\s+)(\d{1,2})([-_.: ])(\d{2})\2(\d{2})(?:[.,]\d{1,3})?(?:[\s\u202f]*([AaPp][Mm])\b)?(?!\d)/;

/** The date and time a file name carries (see [Note: dates in file names]), as a `taken_at`; null when none. */
export function dateFromFilename(fileName: string): string | null {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const found: { at: number; text: string }[] = [];
  const add = (at: number, text: string | null) => {
    if (text) found.push({ at, text });
  };
  for (const m of base.matchAll(FOURTEEN)) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    if (y >= 1990 && y <= lastYear() && validDay(y, mo, d) && validTime(h, mi, s)) add(m.index, `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`);
  }
  for (const m of base.matchAll(COMPACT_DATE)) add(m.index, withTime(base, m, Number(m[1]), Number(m[2]), Number(m[3]), 1990));
  for (const m of base.matchAll(SEPARATED_DATE)) add(m.index, withTime(base, m, Number(m[1]), Number(m[3]), Number(m[4]), FIRST_PHOTO_YEAR));
  found.sort((a, b) => a.at - b.at);
  return found[0]?.text ?? null;
}

function withTime(base: string, m: RegExpMatchArray, y: number, mo: number, d: number, minYear: number): string | null {
  if (y < minYear || y > lastYear() || !validDay(y, mo, d)) return null;
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  const rest = base.slice(m.index! + m[0].length);
  const c = TIME_COMPACT.exec(rest);
  if (c) {
    const [h, mi, s] = [Number(c[1]), Number(c[2]), Number(c[3])];
    return validTime(h, mi, s) ? `${date}T${pad(h)}:${pad(mi)}:${pad(s)}` : date;
  }
  const t = TIME_SEPARATED.exec(rest);
  if (t) {
    let h = Number(t[1]);
    const [mi, s] = [Number(t[3]), Number(t[4])];
    const ampm = t[5]?.toLowerCase();
    if (ampm) {
      if (h < 1 || h > 12) return date;
      h = (h % 12) + (ampm === 'pm' ? 12 : 0);
    } else if (t[1]!.length !== 2) return date;
    return validTime(h, mi, s) ? `${date}T${pad(h)}:${pad(mi)}:${pad(s)}` : date;
  }
  return date;
}

/** Whether a `taken_at` ends in a UTC offset (the file recorded its zone, or the time is an instant). */
export function hasOffset(takenAt: string | null | undefined): boolean {
  return !!takenAt && /[+-]\d{2}:\d{2}$/.test(takenAt);
}
