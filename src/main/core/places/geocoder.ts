// Reverse geocoding offline: a GPS position to city, region and country, and place names to places (the
// picker of a hand-set place). The data is places/data.ts's, loaded once on first use.
//
// [Note: nearest-place rule] For a position:
//   1. The country is the one whose borders hold it (country-coder, at the territory level: Puerto Rico is PR,
//      Hong Kong HK, as GeoNames names them). In none (the open sea, Antarctica): no place at all.
//   2. The city is the nearest listed place (GeoNames, 1000 people or more, neighbourhoods left out) of that
//      same country within CITY_KM (30 km) on the great circle. A place across a border is never taken, however
//      near (a photo in Kehl is Kehl, Germany, not Strasbourg), and beyond 30 km there is no city: never a wrong one.
//   3. The region is the city's GeoNames first-level region. With no city, it is the region of the nearest listed
//      place of that country within REGION_KM (100 km) (a mountain or a lake between towns of one region); beyond
//      that only the country is given.
// A position that is no real one (out of range, 0,0) has no place.
import * as geokdbush from 'geokdbush';
import { foldName, placeData, placeDataVersion, type PlaceData } from './data.ts';

export { foldName, placeDataVersion, placeDataLoaded } from './data.ts';

/** The nearest listed place counts as the city within this many km. */
export const CITY_KM = 30;
/** Without a city, the region of the nearest listed place within this many km. */
export const REGION_KM = 100;

/** A place as stored and shown: the most precise level that is known, and those above it. */
export interface Place {
  /** 'city:<GeoNames id>', 'region:<admin1 code>' ("region:PT.14") or 'country:<ISO code>'. */
  id: string;
  city: string | null;
  /** GeoNames id of the city. */
  cityId: number | null;
  region: string | null;
  /** GeoNames admin1 code with the country's ("PT.14"). */
  regionCode: string | null;
  country: string | null;
  /** ISO 3166-1 alpha-2. */
  countryCode: string | null;
}

/** A reverse geocoding: the place, and how far the city's point is from the position. */
export interface GeocodedPlace extends Place {
  /** Great-circle km from the position to the city's point; null without a city. */
  distanceKm: number | null;
}

/** A place found by name (the picker), with the names it has. */
export interface PlaceMatch extends Place {
  kind: 'city' | 'region' | 'country';
  /** Its names: the shown one first, then the local and alternate ones ([Note: place names]). */
  names: string[];
  /** People living there (cities; 0 when unknown). */
  population: number;
}

/** Whether a position is a real one: in range, and not 0, 0 (what devices without a fix write). */
export function isPosition(lat: number | null | undefined, lon: number | null | undefined): boolean {
  return (
    typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) &&
    Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0)
  );
}

export class Geocoder {
  constructor(private readonly load: () => PlaceData = placeData) {}

  /** The data (loaded on first use). */
  get data(): PlaceData {
    return this.load();
  }

  /** The version stored with each place; known without loading the data. */
  get version(): string {
    return placeDataVersion();
  }

  /** The place at a position by [Note: nearest-place rule]; null where there is none (at sea, no position). */
  reverse(lat: number, lon: number): GeocodedPlace | null {
    if (!isPosition(lat, lon)) return null;
    const d = this.load();
    const code = d.coder.iso1A2Code([lon, lat], { level: 'territory' });
    if (!code) return null;
    const ci = d.countries.indexOf(code);
    const sameCountry = (i: number) => d.countryIx[i] === ci;
    const country = d.countryNames(code);
    const base: GeocodedPlace = {
      id: `country:${code}`,
      city: null,
      cityId: null,
      region: null,
      regionCode: null,
      country: country?.name ?? code,
      countryCode: code,
      distanceKm: null,
    };
    if (ci < 0) return base;
    const [near] = geokdbush.around(d.index, lon, lat, 1, REGION_KM, sameCountry);
    if (near === undefined) return base;
    const km = geokdbush.distance(lon, lat, d.lon[near]!, d.lat[near]!);
    const region = d.regionIx[near]! >= 0 ? d.regions[d.regionIx[near]!]! : null;
    const withRegion: GeocodedPlace = region ? { ...base, id: `region:${region.code}`, region: region.name, regionCode: region.code } : base;
    if (km > CITY_KM) return withRegion;
    return { ...withRegion, id: `city:${d.geonameId[near]!}`, city: this.cityName(d, near), cityId: d.geonameId[near]!, distanceKm: Math.round(km * 100) / 100 };
  }

  /** A place by its id ('city:2267057', 'region:PT.14', 'country:PT'), with its names; null when the data has none. */
  place(id: string): PlaceMatch | null {
    const d = this.load();
    const m = /^(city|region|country):(.+)$/.exec(id.trim());
    if (!m) return null;
    const [, kind, key] = m as unknown as [string, 'city' | 'region' | 'country', string];
    if (kind === 'city') {
      const i = d.byGeonameId.get(Number(key));
      return i === undefined ? null : this.cityMatch(d, i);
    }
    if (kind === 'region') {
      const r = d.byRegionCode.get(key);
      return r === undefined ? null : this.regionMatch(d, r);
    }
    return this.countryMatch(d, key.toUpperCase());
  }

  /** The names of a place (its shown name first), for the catalog's place_names; [] when unknown. */
  names(id: string): string[] {
    return this.place(id)?.names ?? [];
  }

  /**
   * Places whose name (any of them: English, local, alternate) is `text` or starts with it, ignoring case and
   * diacritics: exact names first; among as good a match, countries, then cities (bigger first), then regions. `limit` at most.
   */
  find(text: string, limit = 20): PlaceMatch[] {
    const q = foldName(text);
    if (!q) return [];
    const d = this.load();
    const scored: { match: PlaceMatch; score: number }[] = [];
    // Countries and regions: few, compared one by one.
    for (const code of d.countries) {
      const c = d.countryNames(code);
      if (!c) continue;
      const s = nameScore(c.names, q);
      if (s > 0) scored.push({ match: this.countryMatch(d, code)!, score: s * 1e12 + 2e11 });
    }
    d.regions.forEach((r, i) => {
      const s = nameScore([r.name], q);
      if (s > 0) scored.push({ match: this.regionMatch(d, i)!, score: s * 1e12 });
    });
    // Cities: every occurrence of "\u001f" + q in the folded names is a name that starts with q.
    const seen = new Set<number>();
    const needle = `\u001f${q}`;
    for (let at = d.folded.indexOf(needle); at >= 0; at = d.folded.indexOf(needle, at + 1)) {
      const i = cityAt(d.foldedStart, at);
      if (seen.has(i)) continue;
      seen.add(i);
      const end = d.folded.indexOf('\u001f', at + 1);
      const exact = (end < 0 ? d.folded.length : end) - (at + 1) === q.length;
      const own = at === d.foldedStart[i];
      const s = exact ? (own ? 4 : 3) : own ? 2 : 1;
      scored.push({ match: this.cityMatch(d, i), score: s * 1e12 + 1e11 + d.population[i]! });
    }
    scored.sort((a, b) => b.score - a.score);
    return scored.slice(0, limit).map((x) => x.match);
  }

  private cityName(d: PlaceData, i: number): string {
    return d.names.slice(d.nameStart[i]!, d.names.indexOf('\u001f', d.nameStart[i]!));
  }

  private cityMatch(d: PlaceData, i: number): PlaceMatch {
    const names = d.names.slice(d.nameStart[i]!, d.nameStart[i + 1]! - 1).split('\u001f');
    const code = d.countries[d.countryIx[i]!]!;
    const region = d.regionIx[i]! >= 0 ? d.regions[d.regionIx[i]!]! : null;
    return {
      kind: 'city',
      id: `city:${d.geonameId[i]!}`,
      city: names[0]!,
      cityId: d.geonameId[i]!,
      region: region?.name ?? null,
      regionCode: region?.code ?? null,
      country: d.countryNames(code)?.name ?? code,
      countryCode: code,
      names,
      population: d.population[i]!,
    };
  }

  private regionMatch(d: PlaceData, r: number): PlaceMatch | null {
    const region = d.regions[r]!;
    const code = region.code.split('.')[0]!;
    return {
      kind: 'region',
      id: `region:${region.code}`,
      city: null,
      cityId: null,
      region: region.name,
      regionCode: region.code,
      country: d.countryNames(code)?.name ?? code,
      countryCode: code,
      names: [region.name],
      population: 0,
    };
  }

  private countryMatch(d: PlaceData, code: string): PlaceMatch | null {
    const c = d.countryNames(code);
    if (!c) return null;
    return { kind: 'country', id: `country:${code}`, city: null, cityId: null, region: null, regionCode: null, country: c.name, countryCode: code, names: c.names, population: 0 };
  }
}

/** 4: the first name is q; 3: another name is; 2: the first starts with q; 1: another does; 0: none. */
function nameScore(names: readonly string[], q: string): number {
  let best = 0;
  names.forEach((n, i) => {
    const f = foldName(n);
    const s = f === q ? (i === 0 ? 4 : 3) : f.startsWith(q) ? (i === 0 ? 2 : 1) : 0;
    if (s > best) best = s;
  });
  return best;
}

/** The city whose folded names hold offset `at` (binary search over the starts). */
function cityAt(starts: Uint32Array, at: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The engine's one geocoder (the data is loaded once per process, whoever asks first). */
export const geocoder = new Geocoder();
