// The tag vocabulary's rules: one tag whatever its case, whitespace or Unicode form; hierarchical paths in
// Lightroom's "|" and digiKam's "/" fields and back; typed tags; the CLI's quoted tag lists.
import { describe, expect, it } from 'vitest';
import {
  ancestorsOf,
  flatKeywords,
  formatHierarchy,
  formatTagList,
  formatTypedTag,
  isWithin,
  leafOf,
  mergePaths,
  mergeTags,
  normalizePath,
  normalizeTag,
  parseHierarchy,
  parseTagList,
  parseTypedTag,
  pathKey,
  samePath,
  sameTag,
  subjectNames,
  tagKey,
  TagListError,
} from '../../src/shared/vocabulary.ts';

const composed = 'Caf\u00e9'; // é as one code point
const decomposed = 'Cafe\u0301'; // e + combining acute

describe('tag normalization', () => {
  it('is NFC, trimmed, with inner whitespace one space and control characters dropped; empty is no tag', () => {
    expect(composed).not.toBe(decomposed);
    expect(normalizeTag(decomposed)).toBe(composed);
    expect(normalizeTag(composed)).toBe(composed);
    expect(normalizeTag('  Summer \t\n in\u00a0 Porto\u3000 ')).toBe('Summer in Porto');
    expect(normalizeTag('beach\u0000\u0000')).toBe('beach');
    expect(normalizeTag('line\u0085break')).toBe('line break');
    expect(normalizeTag('')).toBeNull();
    expect(normalizeTag(' \t\u00a0\n')).toBeNull();
    expect(normalizeTag('\u0000')).toBeNull();
  });

  it('keys tags case-insensitively, so "Beach", "beach " and "beach" are one tag', () => {
    expect(tagKey('Beach')).toBe('beach');
    expect(tagKey('beach ')).toBe('beach');
    expect(tagKey(decomposed.toUpperCase())).toBe(tagKey(composed));
    expect(sameTag('Beach', ' beach')).toBe(true);
    expect(sameTag('Summer  in Porto', 'summer in porto')).toBe(true);
    expect(sameTag(composed, decomposed)).toBe(true);
    expect(sameTag('beach', 'beaches')).toBe(false);
    expect(sameTag('', ' ')).toBe(false);
    expect(tagKey('  ')).toBe('');
  });

  it('merges lists keeping the first spelling and the order first met, blanks dropped', () => {
    expect(mergeTags(['Beach', 'family', ''], ['beach ', 'BEACH', ' Family', 'sea'], [decomposed, composed.toLowerCase()])).toEqual(['Beach', 'family', 'sea', composed]);
    expect(mergeTags()).toEqual([]);
    expect(mergeTags(['  ', '\t'])).toEqual([]);
  });
});

describe('hierarchical tags', () => {
  it('reads Lightroom\'s "|" and digiKam\'s "/" fields into one path', () => {
    expect(parseHierarchy('Places|Portugal|Porto', 'lightroom')).toEqual(['Places', 'Portugal', 'Porto']);
    expect(parseHierarchy('Places/Portugal/Porto', 'digikam')).toEqual(['Places', 'Portugal', 'Porto']);
    expect(pathKey(parseHierarchy('places | PORTUGAL |porto', 'lightroom')!)).toBe(pathKey(parseHierarchy('Places/Portugal/Porto', 'digikam')!));
    // Each separator means something in its own field only.
    expect(parseHierarchy('Music|AC/DC', 'lightroom')).toEqual(['Music', 'AC/DC']);
    expect(parseHierarchy('Music/AC|DC', 'digikam')).toEqual(['Music', 'AC|DC']);
    expect(parseHierarchy('beach', 'lightroom')).toEqual(['beach']);
  });

  it('drops blank segments, normalizes each one, and gives null for a path with none', () => {
    expect(parseHierarchy('Places||  |Porto|', 'lightroom')).toEqual(['Places', 'Porto']);
    expect(parseHierarchy('/Places//Porto/', 'digikam')).toEqual(['Places', 'Porto']);
    expect(parseHierarchy(`Places|  ${decomposed}   Central `, 'lightroom')).toEqual(['Places', `${composed} Central`]);
    expect(parseHierarchy('', 'lightroom')).toBeNull();
    expect(parseHierarchy(' / // ', 'digikam')).toBeNull();
    expect(normalizePath([' ', 'a', '', ' b  c '])).toEqual(['a', 'b c']);
    expect(normalizePath([])).toBeNull();
  });

  it('formats a path back for each field, and round trips', () => {
    const path = ['Places', 'Portugal', 'Porto'];
    expect(formatHierarchy(path, 'lightroom')).toBe('Places|Portugal|Porto');
    expect(formatHierarchy(path, 'digikam')).toBe('Places/Portugal/Porto');
    for (const field of ['lightroom', 'digikam'] as const) {
      for (const p of [path, ['beach'], ['Family', 'Mia'], [composed, 'Été 2019'], ['Music', field === 'lightroom' ? 'AC/DC' : 'AC|DC']]) {
        expect(parseHierarchy(formatHierarchy(p, field)!, field)).toEqual(p);
      }
      const text = field === 'lightroom' ? 'Places|Portugal|Porto' : 'Places/Portugal/Porto';
      expect(formatHierarchy(parseHierarchy(text, field)!, field)).toBe(text);
    }
    // Lightroom to digiKam and back.
    expect(formatHierarchy(parseHierarchy('Family|Mia', 'lightroom')!, 'digikam')).toBe('Family/Mia');
    // Formatting normalizes; a blank path has no text.
    expect(formatHierarchy([' Places ', '', decomposed], 'digikam')).toBe(`Places/${composed}`);
    expect(formatHierarchy(['', ' '], 'lightroom')).toBeNull();
  });

  it('leaves out of a field the path it cannot spell: a segment holding that field\'s separator', () => {
    expect(formatHierarchy(['Music', 'AC/DC'], 'digikam')).toBeNull();
    expect(formatHierarchy(['Music', 'AC/DC'], 'lightroom')).toBe('Music|AC/DC');
    expect(formatHierarchy(['Music', 'AC|DC'], 'lightroom')).toBeNull();
    expect(formatHierarchy(['Music', 'AC|DC'], 'digikam')).toBe('Music/AC|DC');
  });

  it('gives a path\'s leaf, its ancestors, and whether it lies under another', () => {
    const porto = ['Places', 'Portugal', 'Porto'];
    expect(leafOf(porto)).toBe('Porto');
    expect(leafOf(['beach'])).toBe('beach');
    expect(leafOf(['Places', ' '])).toBe('Places');
    expect(leafOf([])).toBe('');
    expect(ancestorsOf(porto)).toEqual([['Places'], ['Places', 'Portugal']]);
    expect(ancestorsOf(['beach'])).toEqual([]);
    expect(isWithin(porto, ['places', 'PORTUGAL'])).toBe(true);
    expect(isWithin(porto, porto)).toBe(true);
    expect(isWithin(porto, ['Places', 'Port'])).toBe(false);
    expect(isWithin(['Places'], porto)).toBe(false);
    expect(isWithin(porto, [])).toBe(false);
  });

  it('merges paths case-insensitively keeping the first spelling; a plain tag is a path of one segment', () => {
    expect(
      mergePaths(
        [['Places', 'Portugal', 'Porto'], ['beach']],
        [parseHierarchy('places/portugal/PORTO', 'digikam')!, ['Beach '], ['Places', 'Portugal', 'Lisbon'], ['Porto'], [' ', '']],
      ),
    ).toEqual([['Places', 'Portugal', 'Porto'], ['beach'], ['Places', 'Portugal', 'Lisbon'], ['Porto']]);
    expect(samePath(['Porto'], ['Places', 'Portugal', 'Porto'])).toBe(false);
    expect(samePath([' porto'], ['Porto'])).toBe(true);
    expect(pathKey(['beach'])).toBe(tagKey('Beach'));
    // A segment holding "|" is not the two segments it would read as in Lightroom's field.
    expect(samePath(['Music', 'AC|DC'], ['Music', 'AC', 'DC'])).toBe(false);
  });

  it('names the dc:subject entries (the leaves), and tells the flat copies of paths from flat tags', () => {
    const paths = [['Places', 'Portugal', 'Porto'], ['Family', 'Mia'], ['beach'], ['Trips', 'porto']];
    expect(subjectNames(paths)).toEqual(['Porto', 'Mia', 'beach']);
    // Lightroom's dc:subject holds the ancestors too; a keyword that names no segment is a tag of its own.
    expect(flatKeywords(['Porto', 'Portugal', 'Places', 'Mia', 'Family', 'beach', 'sunset', 'Sunset ', 'Trips'], paths)).toEqual(['sunset']);
    expect(flatKeywords(['beach', 'sea'], [])).toEqual(['beach', 'sea']);
  });
});

describe('typed tags', () => {
  it('take "|" as the only level separator: a typed "/" is a character', () => {
    expect(parseTypedTag('Places|Portugal|Porto')).toEqual(['Places', 'Portugal', 'Porto']);
    expect(parseTypedTag(' Places | Portugal | Porto ')).toEqual(['Places', 'Portugal', 'Porto']);
    expect(parseTypedTag('AC/DC')).toEqual(['AC/DC']);
    expect(parseTypedTag('Places/Portugal/Porto')).toEqual(['Places/Portugal/Porto']);
    expect(parseTypedTag('24/7')).toEqual(['24/7']);
    expect(parseTypedTag('  ')).toBeNull();
    expect(formatTypedTag(['Places', 'Portugal', 'Porto'])).toBe('Places|Portugal|Porto');
    expect(parseTypedTag(formatTypedTag(['Music', 'AC/DC'])!)).toEqual(['Music', 'AC/DC']);
    expect(formatTypedTag(['Music', 'AC|DC'])).toBeNull();
  });
});

describe('CLI tag lists', () => {
  it('split at commas unless quoted, "" inside quotes being one quote', () => {
    expect(parseTagList('"Smith, John", beach')).toEqual(['Smith, John', 'beach']);
    expect(parseTagList('beach,sea ,  sunset')).toEqual(['beach', 'sea', 'sunset']);
    expect(parseTagList('  "a, b"  ,"c,d,e",f')).toEqual(['a, b', 'c,d,e', 'f']);
    expect(parseTagList('"The ""Big"" One", x')).toEqual(['The "Big" One', 'x']);
    expect(parseTagList('5" print, 4x6')).toEqual(['5" print', '4x6']);
    expect(parseTagList('"Smith, John" Jr, beach')).toEqual(['Smith, John Jr', 'beach']);
    expect(parseTagList('Places|Portugal|Porto, AC/DC')).toEqual(['Places|Portugal|Porto', 'AC/DC']);
  });

  it('normalize and merge the tags, drop blanks, and refuse a quote left open', () => {
    expect(parseTagList('Beach, beach ,  BEACH, ,,"", sea')).toEqual(['Beach', 'sea']);
    expect(parseTagList(`${decomposed}, ${composed}`)).toEqual([composed]);
    expect(parseTagList('')).toEqual([]);
    expect(parseTagList(' , ')).toEqual([]);
    expect(() => parseTagList('"Smith, John, beach')).toThrow(TagListError);
    expect(() => parseTagList('beach, "open')).toThrow(/quote is not closed/);
  });

  it('round trip through formatTagList', () => {
    const tags = ['Smith, John', 'beach', '"quoted" start', 'mid "quote"', 'Places|Portugal|Porto'];
    expect(formatTagList(tags)).toBe('"Smith, John", beach, """quoted"" start", mid "quote", Places|Portugal|Porto');
    expect(parseTagList(formatTagList(tags))).toEqual(tags);
  });
});
