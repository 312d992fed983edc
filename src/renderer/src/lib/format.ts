// How the window writes numbers, sizes, rates, times, dates, file names and map links: pure functions.

const counter = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return counter.format(n);
}

/** "photo" for one, else "photos": the noun after a count ("1 photo", "12 photos"). */
export function photoNoun(n: number): string {
  return n === 1 ? 'photo' : 'photos';
}

/** Bytes as a person reads them: 0 B, 980 B, 1.2 KB, 151 MB, 1.4 GB (powers of 1000, as file managers show). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : 1;
  return `${v.toFixed(digits).replace(/\.0$/, '')} ${units[u]}`;
}

/** A per-second rate: "12.5/s", "0.3/s", "—" when nothing moves. */
export function formatRate(perSecond: number, unit = ''): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '—';
  const digits = perSecond >= 100 ? 0 : 1;
  return `${perSecond.toFixed(digits)}${unit}/s`;
}

/** A transfer rate: "850 KB/s", "12.5 MB/s", "—" when nothing moves. */
export function formatByteRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Time left: "45 s left", "12 min left", "2 h 5 min left", "—" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s left`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min left`;
  const h = Math.floor(seconds / 3600);
  const min = Math.round((seconds - h * 3600) / 60);
  return min === 0 ? `${h} h left` : `${h} h ${min} min left`;
}

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date taken as it was on the camera's clock, never shifted to this machine's zone:
 * '2024-03-05T14:03:09+01:00' → "5 Mar 2024, 14:03". Null when there is none.
 */
export function formatTakenAt(takenAt: string | null): string | null {
  if (!takenAt) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(takenAt);
  if (!m) return takenAt;
  const month = MONTHS_SHORT[Number(m[2]) - 1];
  if (!month) return takenAt;
  const day = `${Number(m[3])} ${month} ${m[1]}`;
  return m[4] ? `${day}, ${m[4]}:${m[5]}` : day;
}

const DATE_SOURCES: Record<string, string> = {
  exif: 'date from the camera (EXIF)',
  xmp: 'date from XMP',
  iptc: 'date from IPTC',
  quicktime: 'date from QuickTime metadata',
  'exif-digitized': 'date digitized (EXIF)',
  gps: 'date from the GPS clock',
  filename: 'date from the file name',
  'exif-modified': 'date the file was last saved (EXIF)',
  mtime: 'date the file was last modified',
};

/** Where a photo's date came from, in words ("date from the file name"); null when unknown. */
export function formatDateSource(source: string | null | undefined): string | null {
  return source ? (DATE_SOURCES[source] ?? `date from ${source}`) : null;
}

/**
 * The zone a date taken is local to: the IANA zone the GPS position gave ('Europe/Lisbon'; the
 * nautical 'Etc/GMT+1' as 'UTC−01:00'), else the offset the file recorded ('UTC+01:00'); null
 * when neither is known.
 */
export function formatTimeZone(takenAt: string | null, timeZone: string | null | undefined): string | null {
  const etc = timeZone ? /^Etc\/(?:GMT|UTC)(?:([+-])(\d{1,2}))?$/.exec(timeZone) : null;
  if (etc) return etc[1] ? `UTC${etc[1] === '+' ? '−' : '+'}${etc[2]!.padStart(2, '0')}:00` : 'UTC';
  if (timeZone) return timeZone.replace(/_/g, ' ');
  const m = takenAt ? /([+-])(\d{2}):(\d{2})$/.exec(takenAt) : null;
  if (!m || !takenAt?.includes('T')) return null;
  return `UTC${m[1] === '-' ? '−' : '+'}${m[2]}:${m[3]}`;
}

/** The last part of a path, with either separator. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

/** What a photo is called on screen and by screen readers: its caption, else its file name. */
export function photoLabel(caption: string | null | undefined, path: string): string {
  const c = caption?.trim();
  return c ? c : fileName(path);
}

/** A search score for a bar: 0..1, whatever the blend produced (it can exceed 1 or go negative). */
export function clampScore(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.min(1, Math.max(0, score));
}

/** The OpenStreetMap page centred on a point. */
export function osmUrl(lat: number, lon: number, zoom = 15): string {
  const la = lat.toFixed(6);
  const lo = lon.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=${zoom}/${la}/${lo}`;
}

/** The Reveal button as the system names its file manager: Finder on macOS, File Explorer on Windows. */
export function revealLabel(platform: string): string {
  const p = platform.toLowerCase();
  if (p.startsWith('mac') || p === 'darwin') return 'Show in Finder';
  if (p.startsWith('win')) return 'Show in File Explorer';
  return 'Show in file manager';
}

/** Width × height, or null when either is unknown. */
export function formatDimensions(width: number | null, height: number | null): string | null {
  return width && height ? `${width} × ${height}` : null;
}

/** Camera make and model, without the make twice ("Canon Canon EOS R5" → "Canon EOS R5"). */
export function formatCamera(make: string | null, model: string | null): string | null {
  const mk = make?.trim() ?? '';
  const md = model?.trim() ?? '';
  if (!mk && !md) return null;
  if (!mk) return md;
  if (!md) return mk;
  return md.toLowerCase().startsWith(mk.toLowerCase()) ? md : `${mk} ${md}`;
}

/** The message of anything thrown across the contract (Error, ApiError-like object, string): the shared helper. */
export { errorMessage } from '../../../shared/error-message.ts';

/** Language codes as names in English ("zh", "en" → "Chinese, English"); a code the platform does not know stays as it is. */
export function formatLanguages(codes: readonly string[]): string {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(['en'], { type: 'language' });
  } catch {
    names = null;
  }
  return codes
    .map((c) => {
      try {
        return names?.of(c) ?? c;
      } catch {
        return c;
      }
    })
    .join(', ');
}
