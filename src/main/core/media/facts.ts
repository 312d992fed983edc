// What a photo's metadata says about when, where and with what it was taken, and how what two
// readers found is merged ([Note: merged facts]).
import { bestDate, dateFromFilename, dateRank, exifDate, gpsStamp, hasOffset, mtimeDate, utcDate, type DateCandidate, type DateSource } from './dates.ts';
import { validPosition, zoneAt } from './timezone.ts';

export interface MetadataFacts {
  /** The capture date as `taken_at` text ([Note: capture date]); null when no source had one. */
  takenAt: string | null;
  takenAtSource: DateSource | null;
  /** The IANA zone the local time `takenAt` is in, when the GPS position tells it and the file has no offset. */
  timeZone: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  gpsAlt: number | null;
}

export const NO_METADATA: MetadataFacts = {
  takenAt: null,
  takenAtSource: null,
  timeZone: null,
  cameraMake: null,
  cameraModel: null,
  lens: null,
  gpsLat: null,
  gpsLon: null,
  gpsAlt: null,
};

/**
 * Who read the facts: exifr (the thumb stage's fast path: EXIF only) or exiftool (the meta stage:
 * EXIF, XMP, IPTC, QuickTime, the sidecar, and files exifr cannot parse).
 */
export type FactsReader = 'exifr' | 'exiftool';

/** A candidate's facts as MetadataFacts fields (null when there is none). */
export function dateFields(c: DateCandidate | null): Pick<MetadataFacts, 'takenAt' | 'takenAtSource' | 'timeZone'> {
  return c ? { takenAt: c.takenAt, takenAtSource: c.source, timeZone: c.timeZone ?? null } : { takenAt: null, takenAtSource: null, timeZone: null };
}

// [Note: merged facts]
// Two stages read a photo's metadata and may commit in either order: `thumb` with exifr (fast,
// EXIF only, and only for a photo that decodes) and `meta` with exiftool (every photo, every
// metadata block, damaged EXIF too). The catalog merges each reading into what it holds, so the
// result does not depend on the order:
//   - the date: a reading's best date replaces the stored one when its source ranks better
//     (DATE_SOURCES), exiftool's also when it ranks the same (it reads sub-seconds and offsets that
//     exifr's EXIF may have lost); the file name and modification time are candidates of every
//     merge, so a photo always has a date once either stage has committed;
//   - camera, lens and GPS: exiftool's values win where it has them; exifr's fill what is empty
//     (the GPS position as one: latitude, longitude and altitude together);
//   - the time zone follows from the merged date and position: the date's own (the GPS time was
//     converted at its position), none when the date carries the file's offset, else the zone at
//     the photo's GPS position.
// New content (Catalog.updatePhotoFile) drops camera and position and makes the stored date the
// worst-ranked, so the readings of the new file replace them.

/** The merge of one reading into what is stored ([Note: merged facts]). Pure but for the zone lookup. */
export function mergeFacts(
  stored: MetadataFacts,
  incoming: MetadataFacts,
  reader: FactsReader,
  file: { fileName: string; mtimeMs: number },
): MetadataFacts {
  const strong = reader === 'exiftool';
  const pick = <T>(old: T | null, neu: T | null): T | null => (strong ? (neu ?? old) : (old ?? neu));

  const storedGps = validPosition(stored.gpsLat, stored.gpsLon);
  const incomingGps = validPosition(incoming.gpsLat, incoming.gpsLon);
  const gpsFrom = strong ? (incomingGps ? incoming : storedGps ? stored : null) : storedGps ? stored : incomingGps ? incoming : null;

  // A stored date without a source (a catalog from before sources were kept, or a changed file's) ranks last.
  let date: { takenAt: string; source: DateSource | null; timeZone: string | null } | null = stored.takenAt
    ? { takenAt: stored.takenAt, source: stored.takenAtSource, timeZone: stored.timeZone }
    : null;
  const storedRank = date ? dateRank(date.source) : Infinity;
  const fresh = bestDate([
    incoming.takenAt && incoming.takenAtSource ? { takenAt: incoming.takenAt, source: incoming.takenAtSource, timeZone: incoming.timeZone } : null,
    filenameCandidate(file.fileName),
    mtimeCandidate(file.mtimeMs),
  ]);
  if (fresh && (strong ? dateRank(fresh.source) <= storedRank : dateRank(fresh.source) < storedRank)) {
    date = { takenAt: fresh.takenAt, source: fresh.source, timeZone: fresh.timeZone ?? null };
  }

  const gpsLat = gpsFrom?.gpsLat ?? null;
  const gpsLon = gpsFrom?.gpsLon ?? null;
  // The zone a reader converted an instant with (GPS time, QuickTime's UTC CreateDate) stays with it.
  const ownZone = date && (date.source === 'gps' || date.source === 'quicktime') ? date.timeZone : null;
  const timeZone = !date ? null : ownZone ? ownZone : hasOffset(date.takenAt) ? null : zoneAt(gpsLat, gpsLon);
  const out: MetadataFacts = {
    takenAt: date?.takenAt ?? null,
    takenAtSource: date?.source ?? null,
    timeZone,
    cameraMake: pick(stored.cameraMake, incoming.cameraMake),
    cameraModel: pick(stored.cameraModel, incoming.cameraModel),
    lens: pick(stored.lens, incoming.lens),
    gpsLat,
    gpsLon,
    gpsAlt: gpsFrom ? gpsFrom.gpsAlt : null,
  };
  return out;
}

function filenameCandidate(fileName: string): DateCandidate | null {
  const d = dateFromFilename(fileName);
  return d ? { takenAt: d, source: 'filename' } : null;
}

function mtimeCandidate(mtimeMs: number): DateCandidate | null {
  const d = mtimeDate(mtimeMs);
  return d ? { takenAt: d, source: 'mtime' } : null;
}

/** The EXIF tags the date sources read, by their exifr/exiftool names. */
export interface ExifDateTags {
  DateTimeOriginal?: unknown;
  SubSecTimeOriginal?: unknown;
  OffsetTimeOriginal?: unknown;
  CreateDate?: unknown;
  SubSecTimeDigitized?: unknown;
  OffsetTimeDigitized?: unknown;
  ModifyDate?: unknown;
  SubSecTime?: unknown;
  OffsetTime?: unknown;
  /** 'YYYY:MM:DD' */
  GPSDateStamp?: unknown;
  /** 'HH:MM:SS' or [h, m, s] */
  GPSTimeStamp?: unknown;
}

/** A source's date, computed only when no better source had one. */
export type LazyDate = () => DateCandidate | null;

/** The first date of candidates given best first (each computed only if the ones before had none). */
export function firstDate(candidates: readonly LazyDate[]): DateCandidate | null {
  for (const c of candidates) {
    const d = c();
    if (d) return d;
  }
  return null;
}

/** EXIF's DateTimeOriginal (rank 'exif'), as the first of a reader's candidates. */
export function exifOriginal(t: ExifDateTags): LazyDate {
  return () => dated(exifDate(t.DateTimeOriginal, t.SubSecTimeOriginal, t.OffsetTimeOriginal), 'exif');
}

/** EXIF's other dates, best first: DateTimeDigitized, the GPS stamp (local at the position), DateTime. */
export function exifLater(t: ExifDateTags, gps: { lat: number | null; lon: number | null }): { digitized: LazyDate; gps: LazyDate; modified: LazyDate } {
  return {
    digitized: () => dated(exifDate(t.CreateDate, t.SubSecTimeDigitized, t.OffsetTimeDigitized), 'exif-digitized'),
    gps: () => {
      const stamp = gpsStamp(t.GPSDateStamp, t.GPSTimeStamp);
      if (!stamp) return null;
      const zone = zoneAt(gps.lat, gps.lon);
      return dated(utcDate(stamp, zone), 'gps', zone);
    },
    modified: () => dated(exifDate(t.ModifyDate, t.SubSecTime, t.OffsetTime), 'exif-modified'),
  };
}

export function dated(takenAt: string | null, source: DateSource, timeZone?: string | null): DateCandidate | null {
  return takenAt ? { takenAt, source, timeZone: timeZone ?? null } : null;
}
