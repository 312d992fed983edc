// The query parser ([Note: query parser] in src/shared/query.ts), table by table: every phrase of issue
// 13 (years, months, seasons by hemisphere, relative times, ranges, holidays, places, cameras), the
// ambiguous and negative cases, two places in one query, spans and chips, literal parts, against a
// fixed now: Sunday 15 June 2025, noon local time.
import { describe, expect, it } from 'vitest';
import {
  compileVocabulary,
  describeUnderstood,
  parseQuery,
  understood,
  withoutPart,
  type AnnualRange,
  type DateConstraint,
  type DateRange,
  type QueryVocabulary,
} from '../../src/shared/query.ts';

const NOW = new Date(2025, 5, 15, 12, 0, 0);

const VOCABULARY: QueryVocabulary = {
  places: [
    { name: 'Lisbon', key: 'PT/Lisbon/Lisbon', within: ['PT/Lisbon', 'PT'] },
    { name: 'Lisboa', key: 'PT/Lisbon/Lisbon', within: ['PT/Lisbon', 'PT'] },
    { name: 'Lisbon', key: 'PT/Lisbon', within: ['PT'] },
    { name: 'Porto', key: 'PT/Porto/Porto', within: ['PT/Porto', 'PT'] },
    { name: 'Portugal', key: 'PT' },
    { name: 'Kyoto', key: 'JP/Kyoto/Kyoto', within: ['JP/Kyoto', 'JP'] },
    { name: 'München', key: 'DE/Bavaria/Munich', within: ['DE/Bavaria', 'DE'] },
    { name: 'Munich', key: 'DE/Bavaria/Munich', within: ['DE/Bavaria', 'DE'] },
    { name: 'Nice', key: 'FR/PACA/Nice', within: ['FR/PACA', 'FR'] },
    { name: 'Reading', key: 'GB/England/Reading', within: ['GB/England', 'GB'] },
    { name: 'New York', key: 'US/NY/New York', within: ['US/NY', 'US'] },
    { name: 'York', key: 'GB/England/York', within: ['GB/England', 'GB'] },
    { name: 'Long Beach', key: 'US/CA/Long Beach', within: ['US/CA', 'US'] },
    { name: 'Sydney', key: 'AU/NSW/Sydney', within: ['AU/NSW', 'AU'] },
  ],
  cameras: [
    { make: 'Apple', model: 'iPhone 12 Pro' },
    { make: 'Apple', model: 'iPhone 8' },
    { make: 'Canon', model: 'Canon EOS 5D Mark IV' },
    { make: 'NIKON CORPORATION', model: 'NIKON D750' },
  ],
};
const vocabulary = compileVocabulary(VOCABULARY);
const parse = (q: string, literal?: string[]) => parseQuery(q, { now: NOW, vocabulary, literal });

const days = (from: string | null, to: string | null): DateRange => ({ kind: 'range', from, to });
const every = (from: string, to: string): AnnualRange => ({ kind: 'annual', from, to });

/** Query → the rest left for search, and the one date it understood (with its chip's label and words). */
const DATES: [query: string, rest: string, label: string, words: string, date: DateConstraint][] = [
  // years
  ['2019', '', '2019', '2019', days('2019-01-01', '2019-12-31')],
  ['beach 2019', 'beach', '2019', '2019', days('2019-01-01', '2019-12-31')],
  ['dogs in 2019', 'dogs', '2019', 'in 2019', days('2019-01-01', '2019-12-31')],
  ['2019 photos', '', '2019', '2019', days('2019-01-01', '2019-12-31')],
  ['1990s', '', '1990s', '1990s', days('1990-01-01', '1999-12-31')],
  ['2019-05-04', '', '4 May 2019', '2019-05-04', days('2019-05-04', '2019-05-04')],
  ['2019-05', '', 'May 2019', '2019-05', days('2019-05-01', '2019-05-31')],
  // months
  ['March 2021', '', 'March 2021', 'March 2021', days('2021-03-01', '2021-03-31')],
  ['snow march 2021', 'snow', 'March 2021', 'march 2021', days('2021-03-01', '2021-03-31')],
  ['february 2024', '', 'February 2024', 'february 2024', days('2024-02-01', '2024-02-29')],
  ['in May', '', 'May', 'in May', every('05-01', '05-31')],
  ['beach in may', 'beach', 'May', 'in may', every('05-01', '05-31')],
  ['may', '', 'May', 'may', every('05-01', '05-31')],
  ['photos from May', '', 'May', 'from May', every('05-01', '05-31')],
  ['snow january', 'snow', 'January', 'january', every('01-01', '01-31')],
  ['in February', '', 'February', 'in February', every('02-01', '02-29')],
  ['May 4, 2019', '', 'May 4, 2019', 'May 4, 2019', days('2019-05-04', '2019-05-04')],
  ['4 May 2019', '', '4 May 2019', '4 May 2019', days('2019-05-04', '2019-05-04')],
  ['5th of may', '', '5 May', '5th of may', every('05-05', '05-05')],
  ['May of 2019', '', 'May 2019', 'May of 2019', days('2019-05-01', '2019-05-31')],
  ['dogs may run in March', 'dogs may run', 'March', 'in March', every('03-01', '03-31')],
  // seasons (the northern reading here; the southern one in the next table)
  ['summer 2018', '', 'Summer 2018', 'summer 2018', { kind: 'season', season: 'summer', year: 2018, north: days('2018-06-01', '2018-08-31'), south: days('2017-12-01', '2018-02-28') }],
  ['beach summer of 2018', 'beach', 'Summer 2018', 'summer of 2018', { kind: 'season', season: 'summer', year: 2018, north: days('2018-06-01', '2018-08-31'), south: days('2017-12-01', '2018-02-28') }],
  ['winter 2020', '', 'Winter 2020', 'winter 2020', { kind: 'season', season: 'winter', year: 2020, north: days('2019-12-01', '2020-02-29'), south: days('2020-06-01', '2020-08-31') }],
  ['fall 2019', '', 'Autumn 2019', 'fall 2019', { kind: 'season', season: 'autumn', year: 2019, north: days('2019-09-01', '2019-11-30'), south: days('2019-03-01', '2019-05-31') }],
  ['spring 2021', '', 'Spring 2021', 'spring 2021', { kind: 'season', season: 'spring', year: 2021, north: days('2021-03-01', '2021-05-31'), south: days('2021-09-01', '2021-11-30') }],
  ['in the summer', '', 'Summer', 'in the summer', { kind: 'season', season: 'summer', year: null, north: every('06-01', '08-31'), south: every('12-01', '02-29') }],
  // relative times, against Sunday 15 June 2025
  ['today', '', 'Today', 'today', days('2025-06-15', '2025-06-15')],
  ['yesterday', '', 'Yesterday', 'yesterday', days('2025-06-14', '2025-06-14')],
  ['last week', '', 'Last week', 'last week', days('2025-06-02', '2025-06-08')],
  ['this week', '', 'This week', 'this week', days('2025-06-09', '2025-06-15')],
  ['last weekend', '', 'Last weekend', 'last weekend', days('2025-06-07', '2025-06-08')],
  ['last month', '', 'Last month', 'last month', days('2025-05-01', '2025-05-31')],
  ['last year', '', 'Last year', 'last year', days('2024-01-01', '2024-12-31')],
  ['this year', '', 'This year', 'this year', days('2025-01-01', '2025-12-31')],
  ['last summer', '', 'Last summer', 'last summer', { kind: 'season', season: 'summer', year: null, north: days('2024-06-01', '2024-08-31'), south: days('2024-12-01', '2025-02-28') }],
  ['last winter', '', 'Last winter', 'last winter', { kind: 'season', season: 'winter', year: null, north: days('2024-12-01', '2025-02-28'), south: days('2024-06-01', '2024-08-31') }],
  ['last May', '', 'Last May', 'last May', days('2025-05-01', '2025-05-31')],
  ['last June', '', 'Last June', 'last June', days('2024-06-01', '2024-06-30')],
  ['last Christmas', '', 'Last Christmas', 'last Christmas', days('2024-12-24', '2024-12-26')],
  ['3 years ago', '', '3 years ago', '3 years ago', days('2022-01-01', '2022-12-31')],
  ['a year ago', '', 'A year ago', 'a year ago', days('2024-01-01', '2024-12-31')],
  ['two months ago', '', 'Two months ago', 'two months ago', days('2025-04-01', '2025-04-30')],
  ['2 weeks ago', '', '2 weeks ago', '2 weeks ago', days('2025-05-26', '2025-06-01')],
  ['3 days ago', '', '3 days ago', '3 days ago', days('2025-06-12', '2025-06-12')],
  ['past 3 months', '', 'Past 3 months', 'past 3 months', days('2025-03-16', '2025-06-15')],
  ['in the last 10 days', '', 'Last 10 days', 'in the last 10 days', days('2025-06-06', '2025-06-15')],
  // ranges
  ['2016 to 2018', '', '2016–2018', '2016 to 2018', days('2016-01-01', '2018-12-31')],
  ['2016-2018', '', '2016–2018', '2016-2018', days('2016-01-01', '2018-12-31')],
  ['from 2016 to 2018', '', '2016–2018', 'from 2016 to 2018', days('2016-01-01', '2018-12-31')],
  ['between 2016 and 2018', '', '2016–2018', 'between 2016 and 2018', days('2016-01-01', '2018-12-31')],
  ['between May and July 2019', '', 'May–July 2019', 'between May and July 2019', days('2019-05-01', '2019-07-31')],
  ['December to February 2019', '', 'December–February 2019', 'December to February 2019', days('2018-12-01', '2019-02-28')],
  ['May 2018 to July', '', 'May 2018–July', 'May 2018 to July', days('2018-05-01', '2018-07-31')],
  ['may to july', '', 'May–July', 'may to july', every('05-01', '07-31')],
  ['November to February', '', 'November–February', 'November to February', every('11-01', '02-29')],
  ['since 2019', '', 'Since 2019', 'since 2019', days('2019-01-01', null)],
  ['after 2015', '', 'After 2015', 'after 2015', days('2016-01-01', null)],
  ['before 2010', '', 'Before 2010', 'before 2010', days(null, '2009-12-31')],
  ['until March 2012', '', 'Until March 2012', 'until March 2012', days(null, '2012-03-31')],
  // holidays
  ['Christmas', '', 'Christmas', 'Christmas', every('12-24', '12-26')],
  ['at christmas', '', 'Christmas', 'at christmas', every('12-24', '12-26')],
  ['Christmas 2019', '', 'Christmas 2019', 'Christmas 2019', days('2019-12-24', '2019-12-26')],
  ['xmas tree', 'tree', 'Christmas', 'xmas', every('12-24', '12-26')],
  ['Christmas Eve 2020', '', 'Christmas Eve 2020', 'Christmas Eve 2020', days('2020-12-24', '2020-12-24')],
  ["New Year's Eve", '', "New Year's Eve", "New Year's Eve", every('12-31', '01-01T05:59:59')],
  ['new years eve 2019 fireworks', 'fireworks', "New Year's Eve 2019", 'new years eve 2019', days('2019-12-31', '2020-01-01T05:59:59')],
  ['New Year’s Eve', '', "New Year's Eve", 'New Year’s Eve', every('12-31', '01-01T05:59:59')],
  ['NYE', '', "New Year's Eve", 'NYE', every('12-31', '01-01T05:59:59')],
  ["New Year's Day", '', "New Year's Day", "New Year's Day", every('01-01', '01-01')],
  ['new year 2020', '', 'New Year 2020', 'new year 2020', days('2019-12-31', '2020-01-01')],
  ['halloween 2021', '', 'Halloween 2021', 'halloween 2021', days('2021-10-31', '2021-10-31')],
];

describe('dates', () => {
  it.each(DATES)('%j → rest %j, %s', (query, rest, label, words, date) => {
    const p = parse(query);
    expect(p.text).toBe(rest);
    expect(p.parts).toHaveLength(1);
    expect(p.parts[0]).toMatchObject({ kind: 'date', label, text: words });
    expect(p.dates).toEqual([date]);
    const part = p.parts[0]!;
    expect(query.slice(part.start, part.end)).toBe(words);
  });
});

/** Words that are no date: the whole query stays search text. */
const NOT_DATES: [query: string, why: string][] = [
  ['dogs may run', '"may" the verb'],
  ['you may', '"may" the verb, even at the end'],
  ['soldiers march', '"march" the verb'],
  ['march of the penguins', '"march" the noun'],
  ['photos of jan', 'a lone abbreviation (Jan the person)'],
  ['3 dogs', 'a number that is no year'],
  ['route 66', 'a number that is no year'],
  ['room 2019', 'a four-digit number after "room"'],
  ['flight 1999', 'a four-digit number after "flight"'],
  ['2000 people', 'a count'],
  ['#2019', 'a hashtag-like number'],
  ['1000 lanterns', 'too early for a photo'],
  ['2077', 'after next year'],
  ['IMG_2019.jpg', 'part of a file name'],
  ['summer', 'a lone season: CLIP knows what summer looks like'],
  ['summer dress', 'a season word describing a thing'],
  ['dogs fall', '"fall" the verb'],
  ['waterfall', 'no word of its own'],
  ['next week', 'the future: no photos yet'],
  ['2000 years ago', 'no photo is that old, and not a year either'],
];

describe('words that are no date', () => {
  it.each(NOT_DATES)('%j stays words (%s)', (query) => {
    const p = parse(query);
    expect(p.parts).toEqual([]);
    expect(p.dates).toEqual([]);
    expect(p.text).toBe(query);
    expect(understood(p)).toBeNull();
  });
});

/** Query → rest, the places understood (label, words) and the place filter's keys. */
const PLACES: [query: string, rest: string, parts: [label: string, words: string][], keys: string[]][] = [
  ['in Lisbon', '', [['Lisbon', 'in Lisbon']], ['PT/Lisbon/Lisbon']],
  ['Portugal', '', [['Portugal', 'Portugal']], ['PT']],
  ['at Kyoto', '', [['Kyoto', 'at Kyoto']], ['JP/Kyoto/Kyoto']],
  ['temple kyoto', 'temple', [['Kyoto', 'kyoto']], ['JP/Kyoto/Kyoto']],
  ['lisboa tram', 'tram', [['Lisboa', 'lisboa']], ['PT/Lisbon/Lisbon']],
  ['beer in Munchen', 'beer', [['München', 'in Munchen']], ['DE/Bavaria/Munich']],
  ['Munich', '', [['Munich', 'Munich']], ['DE/Bavaria/Munich']],
  ['in New York', '', [['New York', 'in New York']], ['US/NY/New York']],
  ['york minster', 'minster', [['York', 'york']], ['GB/England/York']],
  ['in Nice', '', [['Nice', 'in Nice']], ['FR/PACA/Nice']],
  ['beach Nice', 'beach', [['Nice', 'Nice']], ['FR/PACA/Nice']],
  ['promenade at Nice', 'promenade', [['Nice', 'at Nice']], ['FR/PACA/Nice']],
  ['station in Reading', 'station', [['Reading', 'in Reading']], ['GB/England/Reading']],
  ['sunset Long Beach', 'sunset', [['Long Beach', 'Long Beach']], ['US/CA/Long Beach']],
  ['LISBON BEACH', 'BEACH', [['Lisbon', 'LISBON']], ['PT/Lisbon/Lisbon']],
  ['In Nice', '', [['Nice', 'In Nice']], ['FR/PACA/Nice']],
  // Two places: photos in any of them; a place within another named one is the filter.
  ['Lisbon and Porto', '', [['Lisbon', 'Lisbon'], ['Porto', 'Porto']], ['PT/Lisbon/Lisbon', 'PT/Porto/Porto']],
  ['beach Lisbon or Kyoto', 'beach', [['Lisbon', 'Lisbon'], ['Kyoto', 'Kyoto']], ['PT/Lisbon/Lisbon', 'JP/Kyoto/Kyoto']],
  ['Porto, Portugal', '', [['Porto', 'Porto'], ['Portugal', 'Portugal']], ['PT/Porto/Porto']],
  ['Portugal trip to Porto', 'trip', [['Portugal', 'Portugal'], ['Porto', 'to Porto']], ['PT/Porto/Porto']],
];

describe('places: only the library’s', () => {
  it.each(PLACES)('%j → rest %j', (query, rest, parts, keys) => {
    const p = parse(query);
    expect(p.text).toBe(rest);
    expect(p.parts.map((x) => [x.kind, x.label, x.text])).toEqual(parts.map(([label, words]) => ['place', label, words]));
    expect(p.placeKeys).toEqual(keys);
  });

  const NOT_PLACES: [query: string, why: string][] = [
    ['a nice day', 'an everyday word in lower case'],
    ['Nice day', 'capitalised only as the first word'],
    ['A Nice Day', 'Title Case tells nothing, and no preposition'],
    ['reading a book', '"reading" the verb'],
    ['Reading a book', 'capitalised only as the first word'],
    ['in reading glasses', 'lower case after "in"'],
    ['beach in the nice weather', 'lower case after "in the"'],
    ['long beach sunset', 'everyday words in lower case'],
    ['in Paris', 'no photo of the library is in Paris'],
    ['Madrid 2019', 'not in the library (the year still is understood)'],
  ];
  it.each(NOT_PLACES)('%j has no place (%s)', (query) => {
    const p = parse(query);
    expect(p.parts.filter((x) => x.kind === 'place')).toEqual([]);
    expect(p.placeKeys).toBeNull();
  });

  it('leaves a place not in the library as search text', () => {
    const p = parse('beach in Paris');
    expect(p.text).toBe('beach in Paris');
    const madrid = parse('Madrid 2019');
    expect(madrid.text).toBe('Madrid');
    expect(madrid.dates).toEqual([days('2019-01-01', '2019-12-31')]);
  });

  it('knows no place without a vocabulary', () => {
    expect(parseQuery('in Lisbon', { now: NOW }).parts).toEqual([]);
    expect(parseQuery('in Lisbon 2019', { now: NOW, vocabulary: { places: [] } }).text).toBe('in Lisbon');
  });
});

/** Query → rest, camera label, words, the cameras. */
const CAMERAS: [query: string, rest: string, label: string, words: string, models: string[]][] = [
  ['shot on iPhone', '', 'iPhone', 'shot on iPhone', ['iPhone 12 Pro', 'iPhone 8']],
  ['with my Canon', '', 'Canon', 'with my Canon', ['Canon EOS 5D Mark IV']],
  ['dog shot on my iphone 8', 'dog', 'iPhone 8', 'shot on my iphone 8', ['iPhone 8']],
  ['taken with a Nikon D750', '', 'Nikon D750', 'taken with a Nikon D750', ['NIKON D750']],
  ['sunset with the canon camera', 'sunset', 'Canon', 'with the canon camera', ['Canon EOS 5D Mark IV']],
  ['iphone photos of the cat', 'photos of the cat', 'iPhone', 'iphone', ['iPhone 12 Pro', 'iPhone 8']],
  ['Canon 5D photos', '', 'Canon 5D', 'Canon 5D', ['Canon EOS 5D Mark IV']],
  ['with my apple', '', 'Apple', 'with my apple', ['iPhone 12 Pro', 'iPhone 8']],
  ['using nikon', '', 'Nikon', 'using nikon', ['NIKON D750']],
];

describe('cameras: only the library’s', () => {
  it.each(CAMERAS)('%j → rest %j', (query, rest, label, words, models) => {
    const p = parse(query);
    expect(p.text).toBe(rest);
    expect(p.parts).toMatchObject([{ kind: 'camera', label, text: words }]);
    expect(p.cameras?.map((c) => c.model)).toEqual(models);
  });

  it.each([
    ['boy with apple', 'an everyday word after a plain "with"'],
    ['shot on my phone', 'no camera of the library'],
    ['shot on Pixel', 'no Pixel in the library'],
    ['iPhone 12', 'a camera name without "shot on", "with my" or "photos"'],
    ['on the beach', 'no camera'],
  ])('%j has no camera (%s)', (query) => {
    const p = parse(query);
    expect(p.cameras).toBeNull();
    expect(p.text).toBe(query);
  });
});

describe('queries of several parts', () => {
  it('reads "the beach in Portugal, summer 2019": a place, a season, and "beach"', () => {
    const p = parse('the beach in Portugal, summer 2019');
    expect(p.text).toBe('beach');
    expect(p.parts.map((x) => [x.kind, x.label])).toEqual([
      ['place', 'Portugal'],
      ['date', 'Summer 2019'],
    ]);
    expect(p.placeKeys).toEqual(['PT']);
    expect(understood(p)).toMatchObject({ place: 'Portugal', from: '2019-06-01', to: '2019-08-31', camera: null, every: null, season: { season: 'summer', year: 2019 } });
  });

  it('reads "dog in Lisbon 2019 shot on iPhone": place, year, camera; the rest "dog"', () => {
    const p = parse('dog in Lisbon 2019 shot on iPhone');
    expect(p.text).toBe('dog');
    expect(p.parts.map((x) => [x.kind, x.text])).toEqual([
      ['place', 'in Lisbon'],
      ['date', '2019'],
      ['camera', 'shot on iPhone'],
    ]);
    expect(understood(p)).toMatchObject({ place: 'Lisbon', from: '2019-01-01', to: '2019-12-31', camera: 'iPhone' });
  });

  it('keeps every date: they all hold ("2019 in May" is May 2019)', () => {
    const p = parse('2019 in May');
    expect(p.dates).toEqual([days('2019-01-01', '2019-12-31'), every('05-01', '05-31')]);
    expect(understood(p)).toMatchObject({ from: '2019-01-01', to: '2019-12-31', every: { from: '05-01', to: '05-31' } });
  });

  it('lists by date when only filler words are left ("photos taken in Kyoto in 2019")', () => {
    const p = parse('photos taken in Kyoto in 2019');
    expect(p.text).toBe('');
    expect(p.parts).toHaveLength(2);
  });

  it('says in one line what it understood', () => {
    const p = parse('beach in Lisbon summer 2019');
    expect(describeUnderstood(understood(p), p.text)).toBe(
      'understood where: Lisbon, when: Summer 2019 (2019-06-01 to 2019-08-31; south of the equator 2018-12-01 to 2019-02-28); searching for "beach"',
    );
    const q = parse('2019');
    expect(describeUnderstood(understood(q), q.text)).toBe('understood when: 2019 (2019-01-01 to 2019-12-31); listing those photos, newest first');
    expect(describeUnderstood(understood(parse('beach')), 'beach')).toBeNull();
  });
});

describe('chips', () => {
  it('spans each part with its preposition, so a chip can be removed from the text', () => {
    const q = 'dogs in Lisbon, summer 2019 shot on iPhone';
    const p = parse(q);
    expect(p.parts.map((x) => q.slice(x.start, x.end))).toEqual(['in Lisbon', 'summer 2019', 'shot on iPhone']);
    expect(withoutPart(q, p.parts[0]!)).toBe('dogs summer 2019 shot on iPhone');
    expect(withoutPart(q, p.parts[1]!)).toBe('dogs in Lisbon shot on iPhone');
    expect(withoutPart(q, p.parts[2]!)).toBe('dogs in Lisbon, summer 2019');
    // The text without a chip parses to the other chips.
    expect(parse(withoutPart(q, p.parts[1]!)).parts.map((x) => x.label)).toEqual(['Lisbon', 'iPhone']);
  });

  it('keeps a removed chip’s words as words (literal), and reads them as nothing else', () => {
    const q = 'beach Portugal summer 2019';
    expect(parse(q, ['Portugal']).parts.map((x) => x.label)).toEqual(['Summer 2019']);
    expect(parse(q, ['Portugal']).text).toBe('beach Portugal');
    // "summer 2019" kept as words does not turn into the year 2019.
    const kept = parse(q, ['Summer 2019']);
    expect(kept.parts.map((x) => x.label)).toEqual(['Portugal']);
    expect(kept.text).toBe('beach summer 2019');
    expect(kept.dates).toEqual([]);
    // By the chip's words or its label, in any case.
    expect(parse('dog in Lisbon', ['IN LISBON']).parts).toEqual([]);
    expect(parse('dog in Lisbon', ['lisbon']).text).toBe('dog in Lisbon');
  });
});

describe('the vocabulary', () => {
  it('is the same compiled or not; a name of a city and its region is the city, of two places both', () => {
    const raw = parseQuery('Lisbon 2019', { now: NOW, vocabulary: VOCABULARY });
    expect(raw).toEqual(parse('Lisbon 2019'));
    expect(raw.placeKeys).toEqual(['PT/Lisbon/Lisbon']);
    const portland = compileVocabulary({
      places: [
        { name: 'Portland', key: 'US/OR/Portland', within: ['US/OR', 'US'] },
        { name: 'Portland', key: 'US/ME/Portland', within: ['US/ME', 'US'] },
        { name: 'United States', key: 'US' },
      ],
    });
    expect(parseQuery('Portland', { now: NOW, vocabulary: portland }).placeKeys).toEqual(['US/OR/Portland', 'US/ME/Portland']);
    expect(parseQuery('Portland, United States', { now: NOW, vocabulary: portland }).placeKeys).toEqual(['US/OR/Portland', 'US/ME/Portland']);
  });

  it('ignores blank names and cameras without make or model', () => {
    const v = compileVocabulary({ places: [{ name: '  ', key: 'x' }], cameras: [{ make: null, model: null }] });
    expect(v.places.size).toBe(0);
    expect(v.cameras).toEqual([]);
  });
});
