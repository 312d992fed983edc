// Unit tests for the search box's chips (issue 13): what the engine understood as removable chips, the
// words of removed chips kept as the search's `literal` (and forgotten once deleted from the box), and
// the results' heading that says what was understood. The parts come from the real parser.
import { describe, expect, it } from 'vitest';
import { parseQuery, understood, type QueryVocabulary } from '../../src/shared/query.ts';
import type { SearchResult } from '../../src/shared/types.ts';
import { chipsOf, followPerson, personLabel, pruneLiteral, removeChip, restoreLiteral, understoodPhrase } from '../../src/renderer/src/lib/query-chips.ts';
import { resultsHeading } from '../../src/renderer/src/lib/results.ts';

const NOW = new Date(2024, 6, 15, 12, 0, 0);
const VOCAB: QueryVocabulary = {
  places: [
    { name: 'Lisbon', key: 'city:2267057', within: ['country:PT'] },
    { name: 'Lisboa', key: 'city:2267057', within: ['country:PT'] },
    { name: 'Portugal', key: 'country:PT' },
    { name: 'Porto', key: 'city:2735943', within: ['country:PT'] },
  ],
  cameras: [{ make: 'Apple', model: 'iPhone 12' }],
  people: [
    { id: 1, name: 'Mia' },
    { id: 2, name: 'Tom' },
  ],
};

/** The engine's answer to a query as the window gets it: understood and the words searched. */
function answer(query: string, literal: string[] = []): SearchResult {
  const p = parseQuery(query, { now: NOW, vocabulary: VOCAB, literal });
  return { query, model: null, note: null, hits: [], understood: understood(p), text: p.text };
}

describe('chips', () => {
  it('are the understood parts in the query’s order, each a button label naming its kind', () => {
    const r = answer('beach in Portugal summer 2019 shot on iPhone');
    const chips = chipsOf(r.understood);
    expect(chips.map((c) => [c.kind, c.label, c.text])).toEqual([
      ['place', 'Portugal', 'in Portugal'],
      ['date', 'Summer 2019', 'summer 2019'],
      ['camera', 'iPhone', 'shot on iPhone'],
    ]);
    expect(chips.map((c) => c.removeLabel)).toEqual(['Remove place Portugal from the search', 'Remove date Summer 2019 from the search', 'Remove camera iPhone from the search']);
    expect(new Set(chips.map((c) => c.key)).size).toBe(3);
    expect(r.text).toBe('beach');
  });

  it('are none when nothing was understood', () => {
    expect(chipsOf(null)).toEqual([]);
    expect(chipsOf(answer('red door').understood)).toEqual([]);
  });

  it('removing one keeps its words as literal (once), and the engine then searches them as words', () => {
    const r = answer('Lisbon 2019 beach');
    const [place, year] = chipsOf(r.understood);
    let literal = removeChip([], year!);
    expect(literal).toEqual(['2019']);
    expect(removeChip(literal, year!)).toEqual(['2019']);
    // The chip is gone at once, before the engine answers again.
    expect(chipsOf(r.understood, literal).map((c) => c.label)).toEqual(['Lisbon']);
    const again = answer('Lisbon 2019 beach', literal);
    expect(chipsOf(again.understood, literal).map((c) => c.label)).toEqual(['Lisbon']);
    expect(again.text).toBe('2019 beach');
    literal = removeChip(literal, place!);
    const none = answer('Lisbon 2019 beach', literal);
    expect(none.understood).toBeNull();
    expect(none.text).toBe('Lisbon 2019 beach');
    expect(restoreLiteral(literal, '2019')).toEqual(['Lisbon']);
  });

  it('a removed chip is matched by its words, whatever their case or accents', () => {
    const r = answer('photos in Lisboa');
    expect(chipsOf(r.understood, ['IN lisboa'])).toEqual([]);
    expect(chipsOf(r.understood, ['Lisboa'])).toEqual([]);
    expect(chipsOf(r.understood, ['Lisbon'])).toHaveLength(1);
  });

  it('forgets a removed chip whose words were deleted from the box, and keeps the others', () => {
    expect(pruneLiteral('Lisbon 2019 beach', ['2019', 'Lisbon'])).toEqual(['2019', 'Lisbon']);
    expect(pruneLiteral('Lisbon beach', ['2019', 'Lisbon'])).toEqual(['Lisbon']);
    expect(pruneLiteral('in  LISBON, 2019', ['in Lisbon'])).toEqual(['in Lisbon']);
    // Word for word: "20" or "2019x" is not "2019".
    expect(pruneLiteral('Lisbon 20', ['2019'])).toEqual([]);
    expect(pruneLiteral('Lisbon 2019x', ['2019'])).toEqual([]);
    expect(pruneLiteral('', ['2019'])).toEqual([]);
  });
});

describe('the heading', () => {
  it('says what the filtered photos are when no words are left: places, then dates, then cameras', () => {
    expect(understoodPhrase(answer('summer 2019 Portugal').understood)).toBe('in Portugal, summer 2019');
    expect(resultsHeading('summer 2019 Portugal', null, null, { result: answer('summer 2019 Portugal') })).toBe('Photos in Portugal, summer 2019');
    expect(resultsHeading('Lisbon or Porto since 2019 with my iPhone', null, null, { result: answer('Lisbon or Porto since 2019 with my iPhone') })).toBe(
      'Photos in Lisbon or Porto, since 2019, shot on iPhone',
    );
    // Months keep their capital.
    expect(understoodPhrase(answer('March 2021').understood)).toBe('from March 2021');
    // A date first reads "from …", unless it says so itself.
    expect(resultsHeading('2019', null, null, { result: answer('2019') })).toBe('Photos from 2019');
    expect(resultsHeading('last summer', null, null, { result: answer('last summer') })).toBe('Photos from last summer');
    expect(resultsHeading('since 2019 iPhone photos', null, null, { result: answer('since 2019 iPhone photos') })).toBe('Photos since 2019, shot on iPhone');
  });

  it('names the words searched beside what was understood', () => {
    expect(resultsHeading('beach Lisbon 2019', null, null, { result: answer('beach Lisbon 2019') })).toBe('Results for “beach” in Lisbon, 2019');
    expect(resultsHeading('Lisbon 2019', null, 'family', { result: answer('Lisbon 2019', ['2019']), literal: ['2019'] })).toBe('Results for “2019” in Lisbon tagged family');
  });

  it('uses the plain query while the answer is to an earlier one, or when nothing was understood', () => {
    expect(resultsHeading('Lisbon 2019 be', null, null, { result: answer('Lisbon 2019') })).toBe('Results for “Lisbon 2019 be”');
    expect(resultsHeading('red', null, null, { result: answer('red') })).toBe('Results for “red”');
    expect(resultsHeading('red', 'IMG_1.jpg', null, { result: answer('Lisbon') })).toBe('Similar to IMG_1.jpg');
  });

  it('adds the place chosen in the Places facet', () => {
    expect(resultsHeading('red', null, null, { result: answer('red'), place: 'Porto, Portugal' })).toBe('Results for “red” in Porto, Portugal');
    expect(resultsHeading('2019', null, null, { result: answer('2019'), place: 'Portugal' })).toBe('Photos from 2019, in Portugal');
    expect(resultsHeading('x', 'IMG_1.jpg', 'beach', { place: 'Portugal' })).toBe('Similar to IMG_1.jpg in Portugal tagged beach');
  });
});

describe('people (issue 16)', () => {
  it('are chips of their own; removing the second of "Mia and Tom" keeps its words, "and" included', () => {
    const r = answer('Mia and Tom at the beach');
    const chips = chipsOf(r.understood);
    expect(chips.map((c) => [c.kind, c.label, c.text, c.removeLabel])).toEqual([
      ['person', 'Mia', 'Mia', 'Remove person Mia from the search'],
      ['person', 'Tom', 'and Tom', 'Remove person Tom from the search'],
    ]);
    const literal = removeChip([], chips[1]!);
    expect(literal).toEqual(['and Tom']);
    expect(chipsOf(answer('Mia and Tom at the beach', literal).understood, literal).map((c) => c.label)).toEqual(['Mia']);
  });

  it('head the phrase with "with", before the places', () => {
    expect(resultsHeading('Mia and Tom in Lisbon 2019', null, null, { result: answer('Mia and Tom in Lisbon 2019') })).toBe('Photos with Mia and Tom in Lisbon, 2019');
    expect(resultsHeading('Mia at the beach', null, null, { result: answer('Mia at the beach') })).toBe('Results for “beach” with Mia');
    expect(understoodPhrase(answer('Mia or Tom').understood)).toBe('with Mia or Tom');
    expect(understoodPhrase(answer('photos of Tom 2019').understood)).toBe('with Tom, from 2019');
  });

  it('adds the person of the person chip to the heading', () => {
    expect(resultsHeading('smiling', null, null, { result: answer('smiling'), person: 'Mia' })).toBe('Results for “smiling” with Mia');
    expect(resultsHeading('2019', null, null, { result: answer('2019'), person: 'Mia' })).toBe('Photos from 2019, with Mia');
    expect(resultsHeading('x', 'IMG_1.jpg', null, { person: 'Person 4' })).toBe('Similar to IMG_1.jpg with Person 4');
  });

  it('follows the chosen person through a rename, and lets them go when merged away', () => {
    const chip = { id: 3, name: 'Mia' };
    expect(followPerson(chip, [{ id: 3, name: 'Mia' }])).toBe(chip);
    expect(followPerson(chip, [{ id: 2, name: 'Tom' }, { id: 3, name: 'Mia Jensen' }])).toEqual({ id: 3, name: 'Mia Jensen' });
    expect(followPerson(chip, [{ id: 3, name: null }])).toEqual({ id: 3, name: null });
    expect(followPerson(chip, [{ id: 2, name: 'Tom' }])).toBeNull();
  });

  it('names a person chosen in the People view, named or not', () => {
    expect(personLabel({ id: 3, name: 'Mia' })).toBe('Mia');
    expect(personLabel({ id: 12, name: null })).toBe('Person 12');
    expect(personLabel({ id: 12, name: '  ' })).toBe('Person 12');
  });
});
