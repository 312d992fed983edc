// Unit tests for the grid's month grouping: keys, headers, runs.
import { describe, expect, it } from 'vitest';
import { NO_DATE, monthKey, monthLabel, monthRuns } from '../../src/renderer/src/lib/months.ts';

describe('monthKey', () => {
  it('takes the year and month of a date taken, with or without time and offset', () => {
    expect(monthKey('2024-03-05T10:00:00')).toBe('2024-03');
    expect(monthKey('2024-12-31T23:59:59+01:00')).toBe('2024-12');
    expect(monthKey('1999-01-01')).toBe('1999-01');
  });

  it('puts photos without a (sensible) date in the no-date group', () => {
    expect(monthKey(null)).toBe(NO_DATE);
    expect(monthKey(undefined)).toBe(NO_DATE);
    expect(monthKey('')).toBe(NO_DATE);
    expect(monthKey('garbage')).toBe(NO_DATE);
    expect(monthKey('2024-13-01')).toBe(NO_DATE);
  });
});

describe('monthLabel', () => {
  it('reads as "March 2024"', () => {
    expect(monthLabel('2024-03')).toBe('March 2024');
    expect(monthLabel('2023-12')).toBe('December 2023');
    expect(monthLabel('2000-01')).toBe('January 2000');
  });

  it('names the no-date group', () => {
    expect(monthLabel(NO_DATE)).toBe('No date');
  });
});

describe('monthRuns', () => {
  it('folds consecutive photos of a month into one run, keeping order', () => {
    const photos = ['2024-03-09', '2024-03-01', '2024-02-28', null, null].map((takenAt) => ({ takenAt }));
    expect(monthRuns(photos)).toEqual([
      { key: '2024-03', count: 2 },
      { key: '2024-02', count: 1 },
      { key: NO_DATE, count: 2 },
    ]);
    expect(monthRuns([])).toEqual([]);
  });
});
