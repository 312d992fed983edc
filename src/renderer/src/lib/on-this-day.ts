// "On this day" in words and in order: the window's today as the engine takes it ('YYYY-MM-DD', the
// local calendar day), the day's name ("15 June"), how long ago a year was, and the photos of every
// year in one list the photo view walks (newest year first, as shown). Pure functions.
import type { OnThisDay } from '../../../shared/contract.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A time's local calendar day, 'YYYY-MM-DD'. */
export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** '2025-06-15' → "15 June". */
export function dayName(date: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(date);
  const month = m ? MONTHS[Number(m[1]) - 1] : undefined;
  return m && month ? `${Number(m[2])} ${month}` : date;
}

/** How long before `date`'s year a year was: "1 year ago", "6 years ago". */
export function yearsAgo(year: number, date: string): string {
  const n = Number(date.slice(0, 4)) - year;
  return n === 1 ? '1 year ago' : `${n} years ago`;
}

/** What the section's heading says beside "On this day": "15 June · 3 years, 14 photos". */
export function summary(day: OnThisDay): string {
  const photos = day.years.reduce((n, y) => n + y.total, 0);
  const years = day.years.length;
  return `${dayName(day.date)} · ${years === 1 ? '1 year' : `${years} years`}, ${photos === 1 ? '1 photo' : `${photos} photos`}`;
}

/** Every photo shown, in the order shown (the photo view's list), and where each year's first one is in it. */
export function flatten(day: OnThisDay): { ids: number[]; starts: number[] } {
  const ids: number[] = [];
  const starts: number[] = [];
  for (const y of day.years) {
    starts.push(ids.length);
    for (const p of y.photos) ids.push(p.id);
  }
  return { ids, starts };
}
