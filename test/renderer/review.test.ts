// Unit tests for a suggestions review: the selection splits its photos into accepted and rejected, and
// the reviewSuggestions argument names only non-empty lists; the sidebar's line for a suggestion.
import { describe, expect, it } from 'vitest';
import { reviewArgs, reviewOf, splitReview, suggestionText } from '../../src/renderer/src/lib/review.ts';

const beach = { tag: 'beach', photos: 143, strong: 80, likely: 63 };

describe('review', () => {
  it('accepts the selected photos and rejects the deselected ones, in grid order', () => {
    const review = reviewOf(beach, [5, 3, 9, 1]);
    const selected = new Set([9, 5]);
    expect(splitReview(review, (id) => selected.has(id))).toEqual({ accept: [5, 9], rest: [3, 1] });
    expect(review).toEqual({ tag: 'beach', ids: [5, 3, 9, 1], strong: 80, likely: 63 });
  });

  it('names only the lists that have photos, and nothing when both are empty', () => {
    expect(reviewArgs('beach', [1, 2], [3])).toEqual({ tag: 'beach', accept: [1, 2], reject: [3] });
    expect(reviewArgs('beach', [1], [])).toEqual({ tag: 'beach', accept: [1] });
    expect(reviewArgs('beach', [], [4])).toEqual({ tag: 'beach', reject: [4] });
    expect(reviewArgs('beach', [], [])).toBeNull();
  });

  it('says a suggestion with its confidence', () => {
    expect(suggestionText(beach)).toBe('beach — 143 photos suggested (strong 80, likely 63)');
    expect(suggestionText({ tag: 'kite', photos: 1, strong: 0, likely: 1 })).toBe('kite — 1 photo suggested (strong 0, likely 1)');
  });
});
