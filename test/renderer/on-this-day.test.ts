// "On this day" as the Library view says it: the window's local day, the day's name, years ago, the
// heading's summary, and the one list of the photos shown that the photo view walks.
import { describe, expect, it } from 'vitest';
import type { OnThisDay } from '../../src/shared/contract.ts';
import type { PhotoSummary } from '../../src/shared/types.ts';
import { dayName, flatten, localDay, summary, yearsAgo } from '../../src/renderer/src/lib/on-this-day.ts';

const photo = (id: number): PhotoSummary => ({
  id,
  path: `/p/${id}.jpg`,
  folder: '/p',
  takenAt: null,
  width: 10,
  height: 10,
  offline: false,
  caption: null,
  captionSource: null,
  captionScore: null,
  lowConfidence: false,
  tags: [],
  suggested: [],
  rating: null,
  label: null,
});

describe('On this day', () => {
  it('takes the local calendar day, and names it', () => {
    expect(localDay(new Date(2025, 5, 15, 23, 59))).toBe('2025-06-15');
    expect(localDay(new Date(2025, 0, 1, 0, 0))).toBe('2025-01-01');
    expect(localDay(new Date(987, 11, 31))).toBe('0987-12-31');
    expect(dayName('2025-06-15')).toBe('15 June');
    expect(dayName('2024-02-29')).toBe('29 February');
    expect(dayName('nonsense')).toBe('nonsense');
  });

  it('says how long ago, and sums up the day', () => {
    expect(yearsAgo(2024, '2025-06-15')).toBe('1 year ago');
    expect(yearsAgo(2019, '2025-06-15')).toBe('6 years ago');
    const day: OnThisDay = {
      date: '2025-06-15',
      years: [
        { year: 2024, total: 14, photos: [photo(5), photo(4)] },
        { year: 2019, total: 1, photos: [photo(9)] },
      ],
    };
    expect(summary(day)).toBe('15 June · 2 years, 15 photos');
    expect(summary({ date: '2025-06-15', years: [{ year: 2019, total: 1, photos: [photo(9)] }] })).toBe('15 June · 1 year, 1 photo');
    expect(flatten(day)).toEqual({ ids: [5, 4, 9], starts: [0, 2] });
  });
});
