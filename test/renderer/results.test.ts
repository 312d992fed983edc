// Unit tests for how the Library view narrows results by the chosen tag and the photos picked on the map, and heads them.
import { describe, expect, it } from 'vitest';
import type { SearchHit, SearchResult } from '../../src/shared/types.ts';
import { narrowByIds, narrowByTag, resultsHeading } from '../../src/renderer/src/lib/results.ts';

const hit = (id: number, tags: string[]): SearchHit => ({
  id,
  path: `/p/${id}.jpg`,
  score: 1 - id / 10,
  clipScore: null,
  textScore: null,
  caption: null,
  rating: null,
  label: null,
  tags,
  takenAt: null,
  width: 10,
  height: 10,
  offline: false,
});
const result: SearchResult = { query: 'dog', model: 'm', note: 'n', hits: [hit(1, ['Beach', 'dog']), hit(2, ['park']), hit(3, ['beach'])] };

describe('results', () => {
  it('keeps only the hits among the photos picked on the map, in their order', () => {
    expect(narrowByIds(result, [3, 1, 99])!.hits.map((h) => h.id)).toEqual([1, 3]);
    expect(narrowByIds(result, [])!.hits).toEqual([]);
    expect(narrowByIds(result, null)).toBe(result);
    expect(narrowByIds(null, [1])).toBeNull();
    expect(narrowByIds(narrowByTag(result, 'beach'), [3])!.hits.map((h) => h.id)).toEqual([3]);
  });

  it('keeps only the hits with the chosen tag, in their order, ignoring case', () => {
    expect(narrowByTag(result, 'beach')!.hits.map((h) => h.id)).toEqual([1, 3]);
    expect(narrowByTag(result, 'BEACH')!.hits.map((h) => h.id)).toEqual([1, 3]);
    expect(narrowByTag(result, 'snow')!.hits).toEqual([]);
    expect(narrowByTag(result, 'beach')).toMatchObject({ query: 'dog', model: 'm', note: 'n' });
  });

  it('keeps the hits tagged under a chosen parent tag too', () => {
    const places: SearchResult = { ...result, hits: [hit(1, ['Places|Portugal|Porto']), hit(2, ['Placesque']), hit(3, ['places']), hit(4, ['Other|Places'])] };
    expect(narrowByTag(places, 'Places')!.hits.map((h) => h.id)).toEqual([1, 3]);
    expect(narrowByTag(places, 'Places|Portugal')!.hits.map((h) => h.id)).toEqual([1]);
    expect(resultsHeading('red', null, 'Places|Portugal')).toBe('Results for “red” tagged Places › Portugal');
  });

  it('leaves results alone without a tag, and nothing stays nothing', () => {
    expect(narrowByTag(result, null)).toBe(result);
    expect(narrowByTag(null, 'beach')).toBeNull();
  });

  it('heads results by query or photo, and names the tag', () => {
    expect(resultsHeading('  red door ', null, null)).toBe('Results for “red door”');
    expect(resultsHeading('ignored', 'IMG_1.jpg', null)).toBe('Similar to IMG_1.jpg');
    expect(resultsHeading('red', null, 'front door')).toBe('Results for “red” tagged front door');
  });
});
