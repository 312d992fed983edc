// The People view's logic (lib/people.ts): the order, the labels, a selection's merges, the toasts' words.
import { describe, expect, it } from 'vitest';
import type { PersonSummary } from '../../src/shared/contract.ts';
import { answeredText, cleanName, facesLabel, keepOptions, mergePlan, mergeQuestion, orderPeople, personLabel, suggestionQuestion, toggled } from '../../src/renderer/src/lib/people.ts';

const person = (id: number, name: string | null, faces: number, hidden = false): PersonSummary => ({ id, name, faces, hidden, byUser: name !== null, cover: null });

describe('orderPeople', () => {
  const all = [person(1, null, 9), person(2, 'Mia', 3), person(3, 'Tom', 12), person(4, null, 9), person(5, 'Ann', 3), person(6, 'Zed', 40, true), person(7, null, 50, true), person(8, 'Bo', 0), person(9, null, 0)];

  it('puts the named first, then the unnamed, each the most faces first and then by id, hidden people and people of no face left out', () => {
    const { named, unnamed } = orderPeople(all, false);
    expect(named.map((p) => p.id)).toEqual([3, 2, 5]);
    expect(unnamed.map((p) => p.id)).toEqual([1, 4]);
  });

  it('shows the hidden people too when asked, in their place', () => {
    const { named, unnamed } = orderPeople(all, true);
    expect(named.map((p) => p.id)).toEqual([6, 3, 2, 5]);
    expect(unnamed.map((p) => p.id)).toEqual([7, 1, 4]);
  });
});

describe('labels', () => {
  it('names people and counts faces', () => {
    expect(personLabel({ name: 'Mia' })).toBe('Mia');
    expect(personLabel({ name: null })).toBe('Unnamed person');
    expect(facesLabel(1)).toBe('1 face');
    expect(facesLabel(0)).toBe('0 faces');
    expect(facesLabel(1200)).toMatch(/^1.200 faces$/);
    expect(suggestionQuestion({ name: 'Mia' })).toBe('Is this Mia?');
  });

  it('cleans a typed name, and finds nothing in spaces', () => {
    expect(cleanName('  Mia   Lee ')).toBe('Mia Lee');
    expect(cleanName('   ')).toBeNull();
    expect(cleanName('Zoe\u0301')).toBe('Zoé');
  });

  it('says what answering suggestions did', () => {
    expect(answeredText('Mia', 3, 0)).toBe('3 faces added to Mia.');
    expect(answeredText('Mia', 1, 2)).toBe('1 face added to Mia, 2 faces marked not Mia.');
    expect(answeredText('Mia', 0, 1)).toBe('1 face marked not Mia.');
    expect(answeredText(null, 0, 0)).toBe('Nothing was changed.');
  });
});

describe('merging', () => {
  it('merges every other person into the one kept, once each', () => {
    expect(mergePlan([4, 2, 9, 2], 2)).toEqual([
      { from: 4, into: 2 },
      { from: 9, into: 2 },
    ]);
    expect(() => mergePlan([1, 2], 3)).toThrow(/person 3 is not among/);
  });

  it('offers each name once (case aside), the named before the unnamed, most faces first', () => {
    const opts = keepOptions([person(1, null, 5), person(2, 'Mia', 2), person(3, 'mia', 7), person(4, 'Tom', 1), person(5, null, 9)]);
    expect(opts).toEqual([
      { id: 3, label: 'mia (7 faces)' },
      { id: 4, label: 'Tom (1 face)' },
      { id: 5, label: 'Unnamed (9 faces)' },
      { id: 1, label: 'Unnamed (5 faces)' },
    ]);
  });

  it('asks before a merge by drag, saying whose name stays', () => {
    expect(mergeQuestion(person(1, null, 2), person(2, 'Mia', 5))).toBe('Merge Unnamed person (2 faces) into Mia (5 faces)? They will be one person, Mia, with 7 faces.');
    expect(mergeQuestion(person(1, 'Tom', 2), person(2, null, 1))).toBe('Merge Tom (2 faces) into Unnamed person (1 face)? They will be one person, Tom, with 3 faces.');
    expect(mergeQuestion(person(1, null, 2), person(2, null, 1))).toBe('Merge Unnamed person (2 faces) into Unnamed person (1 face)? They will be one person with 3 faces.');
  });

  it('toggles a selection into a new set', () => {
    const a = new Set([1, 2]);
    const b = toggled(a, 2);
    expect([...b]).toEqual([1]);
    expect([...a]).toEqual([1, 2]);
    expect([...toggled(b, 5)]).toEqual([1, 5]);
  });
});
