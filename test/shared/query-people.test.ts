// The query parser's people ([Note: query parser] in src/shared/query.ts, issue 16): the library's named
// people in a query ("Mia at the beach", "Mia and Tom", "photos of Tom in 2019"), whole names longest
// first, first names, the capital rule for names that are everyday words, "and"/"&"/","/"or", the
// prepositions that go with a person, names that are also dates or places, and the chips' spans.
import { describe, expect, it } from 'vitest';
import { compileVocabulary, describeUnderstood, parseQuery, understood, withoutPart, type QueryVocabulary } from '../../src/shared/query.ts';

const NOW = new Date(2025, 5, 15, 12, 0, 0);

const VOCABULARY: QueryVocabulary = {
  people: [
    { id: 1, name: 'Mia' },
    { id: 2, name: 'Tom' },
    { id: 3, name: 'Mary Ann' },
    { id: 4, name: 'Mary' },
    { id: 5, name: 'Rose' },
    { id: 6, name: 'June' },
    { id: 7, name: 'Florence' },
    { id: 8, name: 'Ben Jensen' },
    { id: 9, name: 'Summer' },
    // Two people the user gave one name (not merged): either is "Lena".
    { id: 10, name: 'Lena' },
    { id: 11, name: 'lena' },
    { id: 12, name: 'Bill' },
  ],
  places: [
    { name: 'Florence', key: 'IT/Tuscany/Florence', within: ['IT/Tuscany', 'IT'] },
    { name: 'Lisbon', key: 'PT/Lisbon/Lisbon', within: ['PT/Lisbon', 'PT'] },
  ],
  cameras: [{ make: 'Apple', model: 'iPhone 12' }],
};
const vocabulary = compileVocabulary(VOCABULARY);
const parse = (q: string, literal?: string[]) => parseQuery(q, { now: NOW, vocabulary, literal });
const said = (q: string) => {
  const p = parse(q);
  return { people: p.people, text: p.text, parts: p.parts.map((x) => `${x.kind}:${x.text}`) };
};

/** Query → the people filter (one list per person, any of its ids), the words left, and the parts' words. */
const TABLE: [query: string, people: number[][], rest: string, parts: string[]][] = [
  ['Mia', [[1]], '', ['person:Mia']],
  ['mia', [[1]], '', ['person:mia']],
  ['MIA AT THE BEACH', [[1]], 'BEACH', ['person:MIA']],
  ['Mia at the beach', [[1]], 'beach', ['person:Mia']],
  ['Mia and Tom', [[1], [2]], '', ['person:Mia', 'person:and Tom']],
  ['Mia & Tom', [[1], [2]], '', ['person:Mia', 'person:& Tom']],
  ['Mia, Tom', [[1], [2]], '', ['person:Mia', 'person:, Tom']],
  ['Mia, Tom and Bill at the lake', [[1], [2], [12]], 'lake', ['person:Mia', 'person:, Tom', 'person:and Bill']],
  ['Mia or Tom', [[1, 2]], '', ['person:Mia', 'person:or Tom']],
  ['photos of Tom in 2019', [[2]], '', ['person:photos of Tom', 'date:in 2019']],
  ['pictures of Tom', [[2]], '', ['person:pictures of Tom']],
  ['dog with Tom', [[2]], 'dog', ['person:with Tom']],
  ['portrait of Mia', [[1]], 'portrait', ['person:of Mia']],
  ["Mia's birthday", [[1]], 'birthday', ["person:Mia's"]],
  // whole names, longest first; a first name alone for the people whose names start with it
  ['Mary Ann on a bike', [[3]], 'bike', ['person:Mary Ann']],
  ['Mary on a bike', [[4]], 'bike', ['person:Mary']],
  ['Ben at the beach', [[8]], 'beach', ['person:Ben']],
  ['Ben Jensen', [[8]], '', ['person:Ben Jensen']],
  ['Lena', [[10, 11]], '', ['person:Lena']],
  ['Tomato soup', [], 'Tomato soup', []],
  // everyday words: a capital, and at the start followed by "and", "at"… or the whole query
  ['rose garden', [], 'rose garden', []],
  ['Rose petals', [], 'Rose petals', []],
  ['cake with rose petals', [], 'cake with rose petals', []],
  ['Rose at the beach', [[5]], 'beach', ['person:Rose']],
  ['Rose', [[5]], '', ['person:Rose']],
  ['Mia and Rose', [[1], [5]], '', ['person:Mia', 'person:and Rose']],
  ['Mia and rose petals', [[1]], 'rose petals', ['person:Mia']],
  ['beach with Rose', [[5]], 'beach', ['person:with Rose']],
  ['pay the bill', [], 'pay the bill', []],
  ['Bill at work', [[12]], 'work', ['person:Bill']],
  ['Summer at the lake', [[9]], 'lake', ['person:Summer']],
  ['Rose Garden', [], 'Rose Garden', []],
  // where case says nothing, an everyday name only as the whole query or after "with", "of" or a person
  ['ROSE AT THE BEACH', [], 'ROSE AT THE BEACH', []],
  ['Rose At The Beach', [], 'Rose At The Beach', []],
  ['Beach With Rose', [[5]], 'Beach', ['person:With Rose']],
  ['ROSE', [[5]], '', ['person:ROSE']],
  // names that are dates: the date, unless a person's preposition or a person before says otherwise
  ['June 2019', [], '', ['date:June 2019']],
  ['in June', [], '', ['date:in June']],
  ['summer 2019', [], '', ['date:summer 2019']],
  ['with June', [[6]], '', ['person:with June']],
  ['Mia and June', [[1], [6]], '', ['person:Mia', 'person:and June']],
  ['with Summer in 2019', [[9]], '', ['person:with Summer', 'date:in 2019']],
  // names that are places: after a place's preposition the place, else the person
  ['in Florence', [], '', ['place:in Florence']],
  ['Florence at the beach', [[7]], 'beach', ['person:Florence']],
  ['photos of Florence', [[7]], '', ['person:photos of Florence']],
  ['Mia in Florence', [[1]], '', ['person:Mia', 'place:in Florence']],
  // with everything else
  ['Mia and Tom at the beach in Lisbon summer 2019 shot on iPhone', [[1], [2]], 'beach', ['person:Mia', 'person:and Tom', 'place:in Lisbon', 'date:summer 2019', 'camera:shot on iPhone']],
];

describe('people', () => {
  it.each(TABLE)('%j', (query, people, rest, parts) => {
    expect(said(query)).toEqual({ people, text: rest, parts });
  });

  it('labels each person by the library’s spelling of the name, and says the people in one phrase', () => {
    const p = parse('mia and tom at the beach');
    expect(p.parts.map((x) => x.label)).toEqual(['Mia', 'Tom']);
    const u = understood(p)!;
    expect(u.people).toBe('Mia and Tom');
    expect(understood(parse('Mia or Tom'))!.people).toBe('Mia or Tom');
    expect(understood(parse('Ben on a bike'))!.people).toBe('Ben');
    expect(understood(parse('beach in Lisbon'))!.people).toBeNull();
    expect(describeUnderstood(u, p.text)).toBe('understood who: Mia and Tom; searching for "beach"');
    expect(describeUnderstood(understood(parse('photos of Tom in 2019')), '')).toBe(
      'understood who: Tom, when: 2019 (2019-01-01 to 2019-12-31); listing those photos, newest first',
    );
  });

  it('spans a joined person with its connective, so removing a chip takes the right words out', () => {
    const q = 'Mia and Tom at the beach';
    const p = parse(q);
    const [mia, tom] = p.parts;
    expect([mia!.start, mia!.end, tom!.start, tom!.end]).toEqual([0, 3, 4, 11]);
    expect(withoutPart(q, tom!)).toBe('Mia beach');
    expect(withoutPart(q, mia!)).toBe('Tom at the beach');
    const amp = parse('Mia & Tom');
    expect(amp.parts[1]!.text).toBe('& Tom');
    expect(withoutPart('Mia & Tom', amp.parts[0]!)).toBe('Tom');
    expect(withoutPart('Mia & Tom', amp.parts[1]!)).toBe('Mia');
  });

  it('keeps a removed person chip’s words as words (literal)', () => {
    const p = parse('Mia and Tom at the beach', ['and Tom']);
    expect(p.people).toEqual([[1]]);
    expect(p.text).toBe('Tom at the beach');
    const q = parse('Rose at the beach', ['Rose']);
    expect(q.people).toEqual([]);
    expect(q.text).toBe('Rose at the beach');
  });

  it('knows nobody without people in the vocabulary, and leaves out blank names', () => {
    const none = parseQuery('Mia at the beach', { now: NOW, vocabulary: { places: VOCABULARY.places } });
    expect(none.people).toEqual([]);
    expect(none.text).toBe('Mia at the beach');
    const blank = compileVocabulary({ people: [{ id: 1, name: '  ' }, { id: 2, name: '!!' }] });
    expect(blank.people.size).toBe(0);
  });

  it('is the same compiled or not', () => {
    const plain = parseQuery('Mia and Tom in Lisbon', { now: NOW, vocabulary: VOCABULARY });
    expect(plain).toEqual(parse('Mia and Tom in Lisbon'));
  });
});
