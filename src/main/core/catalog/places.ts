// Photos' places in the catalog (migration 8): the one from the GPS position ('auto', made by the places stage)
// and the one the user set ('user', which wins), the names of the places photos have, and the library's places
// with counts (country → region → city) for the Places facet and the query parser.
import { statementCache, type Db, type Statement } from './db.ts';
import type { CountryPlaces, PhotoPlace, PlaceCount, PlaceFilter, RegionPlaces } from '../../../shared/types.ts';
import type { PlaceName } from '../../../shared/query.ts';
import type { Place } from '../places/geocoder.ts';

/** The place as a sidecar holds it (photoshop:City, State, Country, Iptc4xmpCore:CountryCode). */
export interface SidecarLocationWrite {
  city: string | null;
  state: string | null;
  country: string | null;
  countryCode: string | null;
}

/** A place as the catalog stores it (the levels and their ids): the geocoder's Place. */
export type StoredPlace = Place;

/** What the places stage made of a position: the position, the data version, the place (null: none there). */
export interface AutoPlace {
  lat: number;
  lon: number;
  version: string;
  place: (StoredPlace & { distanceKm: number | null }) | null;
}

export interface PlaceRow {
  photo_id: number;
  source: 'auto' | 'user';
  city_id: number | null;
  city: string | null;
  region_code: string | null;
  region: string | null;
  country_code: string | null;
  country: string | null;
  lat: number | null;
  lon: number | null;
  distance_km: number | null;
  data_version: string | null;
  origin: string | null;
  created_at: number;
}

/** The ids of a place's levels ('city:…', 'region:…', 'country:…'). */
export function placeLevels(p: { cityId: number | null; regionCode: string | null; countryCode: string | null }): string[] {
  const out: string[] = [];
  if (p.cityId !== null) out.push(`city:${p.cityId}`);
  if (p.regionCode !== null) out.push(`region:${p.regionCode}`);
  if (p.countryCode !== null) out.push(`country:${p.countryCode}`);
  return out;
}

/** The words of a place: "Lisbon, Portugal", "Bavaria, Germany", "Japan". */
export function placeLabel(p: { city: string | null; region: string | null; country: string | null }): string {
  return [p.city, p.city ? null : p.region, p.country].filter((x): x is string => !!x).join(', ');
}

/** The place's id from its row: its most precise level. */
export function placeIdOf(r: Pick<PlaceRow, 'city_id' | 'region_code' | 'country_code'>): string | null {
  if (r.city_id !== null) return `city:${r.city_id}`;
  if (r.region_code !== null) return `region:${r.region_code}`;
  if (r.country_code !== null) return `country:${r.country_code}`;
  return null;
}

export function toPhotoPlace(r: PlaceRow): PhotoPlace | null {
  const id = placeIdOf(r);
  if (id === null) return null;
  return { id, city: r.city, region: r.region, country: r.country, countryCode: r.country_code, source: r.source, distanceKm: r.source === 'auto' ? r.distance_km : null };
}

/** SQL (on `photos p`) for photos whose shown place matches the filter, with its arguments; null when the filter names nothing. */
export function placeFilterSql(f: PlaceFilter): { sql: string; args: string[] } | null {
  const where: string[] = [];
  const args: string[] = [];
  if (f.countryCode !== undefined) {
    where.push('pp.country_code = upper(?)');
    args.push(f.countryCode.trim());
  }
  if (f.region !== undefined) {
    where.push('lower(pp.region) = lower(?)');
    args.push(f.region.trim());
  }
  if (f.city !== undefined) {
    where.push('lower(pp.city) = lower(?)');
    args.push(f.city.trim());
  }
  if (where.length === 0) return null;
  return { sql: `p.id IN (SELECT pp.photo_id FROM photo_place pp WHERE ${where.join(' AND ')})`, args };
}

/**
 * SQL (on `photos p`) for photos whose shown place is at any of the places of a JSON list of ids (given three times):
 * 'city:<id>' that city, 'region:<code>' and 'country:<code>' everything in them.
 */
export const placeIdsSql = `p.id IN (SELECT pp.photo_id FROM photo_place pp WHERE 'city:' || pp.city_id IN (SELECT value FROM json_each(?))
    OR 'region:' || pp.region_code IN (SELECT value FROM json_each(?)) OR 'country:' || pp.country_code IN (SELECT value FROM json_each(?)))`;

/** The levels of the places photos have, from the places_levels index (migration 9). */
export const PLACE_LEVELS_SQL = 'SELECT DISTINCT country_code, region_code, city_id FROM places ORDER BY 1, 2, 3';

export class Places {
  private readonly sql: (text: string) => Statement;

  constructor(readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** The place the photo shows (the user's, else from its position); null when none. */
  shown(photoId: number): PhotoPlace | null {
    const r = this.sql('SELECT * FROM photo_place WHERE photo_id = ?').get(photoId) as PlaceRow | undefined;
    return r ? toPhotoPlace(r) : null;
  }

  /** The rows of a photo: its place from GPS and the user's. */
  rows(photoId: number): { auto: PlaceRow | null; user: PlaceRow | null } {
    const rows = this.sql('SELECT * FROM places WHERE photo_id = ?').all(photoId) as PlaceRow[];
    return { auto: rows.find((r) => r.source === 'auto') ?? null, user: rows.find((r) => r.source === 'user') ?? null };
  }

  /** The row from GPS, when it was made from this position and data version (the places stage then has nothing to do). */
  autoIsCurrent(photoId: number, lat: number | null, lon: number | null, version: string): boolean {
    const r = this.sql("SELECT lat, lon, data_version FROM places WHERE photo_id = ? AND source = 'auto'").get(photoId) as
      | { lat: number | null; lon: number | null; data_version: string | null }
      | undefined;
    if (lat === null || lon === null) return r === undefined;
    return r !== undefined && r.lat === lat && r.lon === lon && r.data_version === version;
  }

  /** Stores what the places stage made of a position (null: the photo has none, the row goes); true when the shown place may have changed. */
  setAuto(photoId: number, auto: AutoPlace | null, now = Date.now()): boolean {
    if (auto === null) return this.sql("DELETE FROM places WHERE photo_id = ? AND source = 'auto'").run(photoId).changes > 0;
    const p = auto.place;
    this.sql(
      `INSERT INTO places (photo_id, source, city_id, city, region_code, region, country_code, country, lat, lon, distance_km, data_version, origin, created_at)
       VALUES (?, 'auto', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
       ON CONFLICT (photo_id, source) DO UPDATE SET city_id = excluded.city_id, city = excluded.city, region_code = excluded.region_code,
         region = excluded.region, country_code = excluded.country_code, country = excluded.country, lat = excluded.lat, lon = excluded.lon,
         distance_km = excluded.distance_km, data_version = excluded.data_version, created_at = excluded.created_at`,
    ).run(photoId, p?.cityId ?? null, p?.city ?? null, p?.regionCode ?? null, p?.region ?? null, p?.countryCode ?? null, p?.country ?? null, auto.lat, auto.lon, p?.distanceKm ?? null, auto.version, now);
    return true;
  }

  /** What Shoebox last wrote of the place to the photo's sidecar; null when nothing (or before it wrote places). */
  lastSidecarLocation(photoId: number): SidecarLocationWrite | null {
    const v = this.sql('SELECT location FROM sidecar_writes WHERE photo_id = ?').pluck().get(photoId) as string | null | undefined;
    return v ? (JSON.parse(v) as SidecarLocationWrite) : null;
  }

  /** Records what Shoebox wrote of the place (null: it removed the fields), after the sidecar write's row is recorded. */
  recordSidecarLocation(photoId: number, location: SidecarLocationWrite | null): void {
    this.sql('UPDATE sidecar_writes SET location = ? WHERE photo_id = ?').run(location ? JSON.stringify(location) : null, photoId);
  }

  /** Records the names of places ('city:…', 'region:…', 'country:…'), the shown one first. */
  putNames(entries: Iterable<[string, readonly string[]]>): void {
    const put = this.sql('INSERT INTO place_names (place, names) VALUES (?, ?) ON CONFLICT (place) DO UPDATE SET names = excluded.names WHERE names != excluded.names');
    for (const [place, names] of entries) if (names.length) put.run(place, JSON.stringify(names));
  }

  /**
   * Records the names of a place's levels that the catalog does not have yet, from `namesOf` (the geocoder's);
   * `known`: ids already recorded by this caller, not asked again.
   */
  recordNames(place: Parameters<typeof placeLevels>[0], namesOf: (id: string) => string[], known?: Set<string>): void {
    const levels = placeLevels(place).filter((id) => !known?.has(id));
    if (levels.length === 0) return;
    this.putNames(this.missingNames(levels).map((id): [string, string[]] => [id, namesOf(id)]));
    for (const id of levels) known?.add(id);
  }

  /** Every place's recorded names, by id ('city:…', 'region:…', 'country:…'), the shown one first. */
  private allNames(): Map<string, string[]> {
    return new Map(
      (this.sql('SELECT place, names FROM place_names').all() as { place: string; names: string }[]).map((r) => [r.place, JSON.parse(r.names) as string[]]),
    );
  }

  /** Which of these place ids have no names recorded yet. */
  missingNames(ids: readonly string[]): string[] {
    if (ids.length === 0) return [];
    return this.sql('SELECT value FROM json_each(?) WHERE value NOT IN (SELECT place FROM place_names)').pluck().all(JSON.stringify(ids)) as string[];
  }

  /** The photos whose GPS position changed since their place was made from it, or that have none made yet. */
  staleAuto(version: string): number[] {
    return this.sql(
      `SELECT p.id FROM photos p LEFT JOIN places a ON a.photo_id = p.id AND a.source = 'auto'
       WHERE (p.gps_lat IS NOT NULL AND (a.photo_id IS NULL OR a.lat IS NOT p.gps_lat OR a.lon IS NOT p.gps_lon OR a.data_version IS NOT ?))
          OR (p.gps_lat IS NULL AND a.photo_id IS NOT NULL)`,
    )
      .pluck()
      .all(version) as number[];
  }

  /**
   * Every name of the places photos have, each city within its region and country, each region within its
   * country: the query parser's place vocabulary ([Note: query parser]). Read from the place rows as they are
   * (so a place only a missing photo has, or one a user's place overrides, is in it too: it then finds fewer
   * photos or none), without inLibrary's shown places and counts: a tenth of its time at 100,000 photos.
   */
  vocabulary(): PlaceName[] {
    const levels = this.sql(PLACE_LEVELS_SQL).all() as {
      country_code: string | null;
      region_code: string | null;
      city_id: number | null;
    }[];
    const names = this.allNames();
    const out: PlaceName[] = [];
    const seen = new Set<string>();
    const add = (id: string, within: string[]) => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const name of names.get(id) ?? []) out.push({ name, key: id, within });
    };
    for (const l of levels) {
      const country = l.country_code !== null ? `country:${l.country_code}` : null;
      const region = l.region_code !== null ? `region:${l.region_code}` : null;
      if (country) add(country, []);
      if (region) add(region, country ? [country] : []);
      if (l.city_id !== null) add(`city:${l.city_id}`, [region, country].filter((x): x is string => x !== null));
    }
    return out;
  }

  /** The places shown by present photos, country → region → city, with counts, most photos first, with every name. */
  inLibrary(): CountryPlaces[] {
    const rows = this.sql(
      `SELECT pp.country_code AS cc, pp.country, pp.region_code AS rc, pp.region, pp.city_id AS cid, pp.city, COUNT(*) AS n
       FROM photo_place pp JOIN photos p ON p.id = pp.photo_id
       WHERE p.missing_since IS NULL AND pp.country_code IS NOT NULL
       GROUP BY pp.country_code, pp.region_code, pp.region, pp.city_id, pp.city`,
    ).all() as { cc: string; country: string | null; rc: string | null; region: string | null; cid: number | null; city: string | null; n: number }[];
    const names = this.allNames();
    const named = (id: string, name: string): string[] => {
      const list = names.get(id) ?? [];
      return list[0] === name ? list : [name, ...list.filter((x) => x !== name)];
    };
    const countries = new Map<string, CountryPlaces>();
    for (const r of rows) {
      let c = countries.get(r.cc);
      if (!c) {
        const name = r.country ?? r.cc;
        c = { id: `country:${r.cc}`, countryCode: r.cc, name, names: named(`country:${r.cc}`, name), photos: 0, regions: [] };
        countries.set(r.cc, c);
      }
      c.photos += r.n;
      const rid = r.rc ? `region:${r.rc}` : r.region ? `region:${r.cc}:${r.region}` : `region:${r.cc}:`;
      let region = c.regions.find((x) => x.id === rid);
      if (!region) {
        const name = r.region ?? '';
        region = { id: rid, region: r.region, name, names: r.region ? named(rid, name) : [], photos: 0, cities: [] };
        c.regions.push(region);
      }
      region.photos += r.n;
      if (r.city !== null) {
        const cid = r.cid !== null ? `city:${r.cid}` : `city:${r.cc}:${r.city}`;
        const city: PlaceCount | undefined = region.cities.find((x) => x.id === cid);
        if (city) city.photos += r.n;
        else region.cities.push({ id: cid, name: r.city, names: named(cid, r.city), photos: r.n });
      }
    }
    const byCount = <T extends PlaceCount>(xs: T[]): T[] => xs.sort((a, b) => b.photos - a.photos || a.name.localeCompare(b.name));
    return byCount([...countries.values()]).map((c) => ({
      ...c,
      regions: byCount(c.regions).map((r): RegionPlaces => ({ ...r, cities: byCount(r.cities) })),
    }));
  }
}
