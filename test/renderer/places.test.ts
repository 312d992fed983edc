// Unit tests for places as the window shows them (issue 13): a photo's place in words, the picker's
// matches, and the Places facet's tree (country → region → city), its filters, names and arrow keys.
import { describe, expect, it } from 'vitest';
import type { CountryPlaces, PlaceMatch } from '../../src/shared/types.ts';
import { filterLabel, findNode, foldName, matchView, placeLine, placeTree, sameFilter, treeKey, visibleNodes } from '../../src/renderer/src/lib/places.ts';

const count = (id: string, name: string, photos: number) => ({ id, name, names: [name], photos });

/** As placesInLibrary answers: Portugal (Lisbon district: Lisbon, Sintra; Porto district: Porto), Germany (Bavaria: Munich), and a country photo at sea off Spain. */
const LIBRARY: CountryPlaces[] = [
  {
    ...count('country:PT', 'Portugal', 6),
    countryCode: 'PT',
    regions: [
      { ...count('region:PT.14', 'Lisbon', 4), region: 'Lisbon', cities: [count('city:2267057', 'Lisbon', 3), count('city:2262963', 'Sintra', 1)] },
      { ...count('region:PT.17', 'Porto', 2), region: 'Porto', cities: [count('city:2735943', 'Porto', 1)] },
    ],
  },
  { ...count('country:DE', 'Germany', 1), countryCode: 'DE', regions: [{ ...count('region:DE.02', 'Bavaria', 1), region: 'Bavaria', cities: [count('city:2867714', 'Munich', 1)] }] },
  { ...count('country:ES', 'Spain', 2), countryCode: 'ES', regions: [{ ...count('region:ES:', '', 2), region: null, names: [], cities: [count('city:1', 'Ceuta', 1)] }] },
];

describe('a photo’s place in words', () => {
  it('is city, region, country, a repeated name once', () => {
    expect(placeLine({ city: 'Munich', region: 'Bavaria', country: 'Germany' })).toBe('Munich, Bavaria, Germany');
    expect(placeLine({ city: 'Lisbon', region: 'Lisbon', country: 'Portugal' })).toBe('Lisbon, Portugal');
    expect(placeLine({ city: null, region: null, country: 'Portugal' })).toBe('Portugal');
    expect(placeLine({ city: null, region: null, country: null })).toBeNull();
    expect(placeLine(null)).toBeNull();
    expect(placeLine(undefined)).toBeNull();
  });

  it('folds names as the engine matches them', () => {
    expect(foldName(' München ')).toBe('munchen');
    expect(foldName('Kyōto')).toBe('kyoto');
  });
});

describe('the picker’s matches', () => {
  const lisbon: PlaceMatch = { id: 'city:2267057', kind: 'city', city: 'Lisbon', region: 'Lisbon', country: 'Portugal', countryCode: 'PT', names: ['Lisbon', 'Lisboa', 'Lissabon'], population: 517802 };
  const bavaria: PlaceMatch = { id: 'region:DE.02', kind: 'region', city: null, region: 'Bavaria', country: 'Germany', countryCode: 'DE', names: ['Bavaria', 'Bayern'], population: 0 };
  const japan: PlaceMatch = { id: 'country:JP', kind: 'country', city: null, region: null, country: 'Japan', countryCode: 'JP', names: ['Japan', '日本'], population: 0 };

  it('names the place, where it lies and what it is', () => {
    expect(matchView(lisbon, 'Lisb')).toEqual({ name: 'Lisbon', also: null, where: 'Portugal', kind: 'town or city', label: 'Lisbon, Portugal, town or city' });
    expect(matchView(bavaria).label).toBe('Bavaria, Germany, region');
    expect(matchView(japan).label).toBe('Japan, country');
  });

  it('shows the alternate name that was typed', () => {
    expect(matchView(lisbon, 'lisboa')).toMatchObject({ name: 'Lisbon', also: 'Lisboa', label: 'Lisbon (Lisboa), Portugal, town or city' });
    expect(matchView(bavaria, 'bay').also).toBe('Bayern');
    expect(matchView(lisbon, 'nowhere').also).toBeNull();
  });
});

describe('the Places facet', () => {
  const tree = placeTree(LIBRARY);

  it('is country → region → city with the engine’s counts and order, each with its filter', () => {
    expect(tree.map((n) => [n.name, n.photos])).toEqual([
      ['Portugal', 6],
      ['Germany', 1],
      ['Spain', 2],
    ]);
    const pt = tree[0]!;
    expect(pt.filter).toEqual({ countryCode: 'PT' });
    expect(pt.children.map((r) => [r.kind, r.name, r.photos, r.filter])).toEqual([
      ['region', 'Lisbon', 4, { countryCode: 'PT', region: 'Lisbon' }],
      ['region', 'Porto', 2, { countryCode: 'PT', region: 'Porto' }],
    ]);
    expect(pt.children[0]!.children.map((c) => [c.id, c.name, c.photos, c.filter])).toEqual([
      ['city:2267057', 'Lisbon', 3, { countryCode: 'PT', region: 'Lisbon', city: 'Lisbon' }],
      ['city:2262963', 'Sintra', 1, { countryCode: 'PT', region: 'Lisbon', city: 'Sintra' }],
    ]);
  });

  it('hangs the cities of an unknown region on the country', () => {
    const es = tree[2]!;
    expect(es.children.map((c) => [c.kind, c.name, c.filter])).toEqual([['city', 'Ceuta', { countryCode: 'ES', city: 'Ceuta' }]]);
  });

  it('finds the node a filter picks, whatever the case, and names it with its country', () => {
    expect(sameFilter({ countryCode: 'pt', region: 'LISBON' }, { countryCode: 'PT', region: 'Lisbon' })).toBe(true);
    expect(sameFilter({ countryCode: 'PT' }, { countryCode: 'PT', region: 'Lisbon' })).toBe(false);
    expect(sameFilter(undefined, null)).toBe(true);
    expect(sameFilter({ countryCode: 'PT' }, undefined)).toBe(false);
    const found = findNode(tree, { countryCode: 'PT', region: 'Porto', city: 'porto' })!;
    expect(found.node.id).toBe('city:2735943');
    expect(found.path.map((p) => p.id)).toEqual(['country:PT', 'region:PT.17']);
    expect(findNode(tree, { countryCode: 'FR' })).toBeNull();
    expect(findNode(tree, undefined)).toBeNull();
    expect(filterLabel({ countryCode: 'PT', region: 'Porto', city: 'Porto' }, tree)).toBe('Porto, Portugal');
    expect(filterLabel({ countryCode: 'DE', region: 'Bavaria' }, tree)).toBe('Bavaria, Germany');
    expect(filterLabel({ countryCode: 'PT' }, tree)).toBe('Portugal');
    // A place no longer in the library: the filter's own words.
    expect(filterLabel({ countryCode: 'FR', city: 'Paris' }, tree)).toBe('Paris');
    expect(filterLabel({ countryCode: 'FR' }, [])).toBe('FR');
  });

  it('walks the visible places with the arrow keys, as a tree view', () => {
    const open = { 'country:PT': true };
    expect(visibleNodes(tree, open).map((v) => v.node.id)).toEqual(['country:PT', 'region:PT.14', 'region:PT.17', 'country:DE', 'country:ES']);
    expect(treeKey(tree, open, 'country:PT', 'ArrowDown')).toEqual({ focus: 'region:PT.14' });
    expect(treeKey(tree, open, 'region:PT.17', 'ArrowDown')).toEqual({ focus: 'country:DE' });
    expect(treeKey(tree, open, 'country:DE', 'ArrowUp')).toEqual({ focus: 'region:PT.17' });
    expect(treeKey(tree, open, 'country:PT', 'ArrowUp')).toBeNull();
    expect(treeKey(tree, open, 'country:ES', 'ArrowDown')).toBeNull();
    expect(treeKey(tree, open, 'region:PT.17', 'Home')).toEqual({ focus: 'country:PT' });
    expect(treeKey(tree, open, 'country:PT', 'End')).toEqual({ focus: 'country:ES' });
    // Right opens a closed place, then goes to its first child; a city has nothing to open.
    expect(treeKey(tree, open, 'region:PT.14', 'ArrowRight')).toEqual({ open: 'region:PT.14', value: true });
    expect(treeKey(tree, open, 'country:PT', 'ArrowRight')).toEqual({ focus: 'region:PT.14' });
    const deeper = { ...open, 'region:PT.14': true };
    expect(treeKey(tree, deeper, 'city:2262963', 'ArrowRight')).toBeNull();
    // Left goes up from a child, and closes an open place.
    expect(treeKey(tree, deeper, 'city:2262963', 'ArrowLeft')).toEqual({ focus: 'region:PT.14' });
    expect(treeKey(tree, deeper, 'region:PT.14', 'ArrowLeft')).toEqual({ open: 'region:PT.14', value: false });
    expect(treeKey(tree, open, 'country:DE', 'ArrowLeft')).toBeNull();
    expect(treeKey(tree, open, 'country:PT', 'a')).toBeNull();
    expect(treeKey(tree, open, 'city:2262963', 'ArrowDown')).toBeNull();
  });
});
