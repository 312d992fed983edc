// Month grouping of the library grid: a photo's month key from its date taken, and the header a person reads.

/** The key of the group of photos without a date; it sorts last (the engine lists them last). */
export const NO_DATE = 'no-date';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** 'YYYY-MM' of a date taken ('2024-03-05T10:00:00', with or without an offset), else NO_DATE. */
export function monthKey(takenAt: string | null | undefined): string {
  if (!takenAt) return NO_DATE;
  const m = /^(\d{4})-(\d{2})/.exec(takenAt);
  if (!m) return NO_DATE;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? `${m[1]}-${m[2]}` : NO_DATE;
}

/** The header of a month group: "March 2024", or "No date". */
export function monthLabel(key: string): string {
  if (key === NO_DATE) return 'No date';
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  const name = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && name ? `${name} ${m[1]}` : key;
}

/** A run of consecutive photos in the same month. */
export interface MonthRun {
  key: string;
  count: number;
}

/** Consecutive photos of one month collapsed into runs, in order. */
export function monthRuns(photos: readonly { takenAt: string | null }[]): MonthRun[] {
  const runs: MonthRun[] = [];
  for (const p of photos) {
    const key = monthKey(p.takenAt);
    const last = runs[runs.length - 1];
    if (last && last.key === key) last.count++;
    else runs.push({ key, count: 1 });
  }
  return runs;
}
