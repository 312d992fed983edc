// Unit tests for how ratings and colour labels are shown and set: words, badges, the rating keys.
import { describe, expect, it } from 'vitest';
import { RATING_FILTERS, labelColour, ratingBadge, ratingForKey, ratingWords } from '../../src/renderer/src/lib/ratings.ts';

describe('ratings', () => {
  it('says a rating in words and as a badge (xmp:Rating: 0–5, -1 rejected, null never rated)', () => {
    expect([null, 0, 1, 3, -1].map(ratingWords)).toEqual(['Not rated', 'Not rated', '1 star', '3 stars', 'Rejected']);
    expect([null, 0, 2, 5, -1].map(ratingBadge)).toEqual(['', '', '★★', '★★★★★', '✕']);
  });

  it('rates with the keys 0 to 5 only', () => {
    expect(['0', '3', '5', '6', 'a', 'F1', ' '].map(ratingForKey)).toEqual([0, 3, 5, null, null, null, null]);
  });

  it('offers the filter from any rating to five stars', () => {
    expect(RATING_FILTERS.map((f) => f.text)).toEqual(['Any', '★≥1', '★≥2', '★≥3', '★≥4', '★≥5']);
  });

  it("colours Lightroom's labels in any case, and another program's label grey", () => {
    expect(labelColour('red')).toBe('#dc2626');
    expect(labelColour('Purple')).toBe('#9333ea');
    expect(labelColour('To print')).toBe('#78716c');
    expect(labelColour(null)).toBeNull();
  });
});
