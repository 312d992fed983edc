// The time zone at a GPS position, offline: geo-tz's polygons of the IANA zones (timezone-boundary-
// builder, the "1970" dataset: zones that agree since 1970 are merged, so the answer is a zone every
// system's tz database has). Loaded on the first lookup (~50 ms, the index), then a small cache of
// the decoded polygons near the positions asked for.
import { createRequire } from 'node:module';

interface GeoTz {
  find(lat: number, lon: number): string[];
  setCache(options: { store: { get(key: string): unknown; set(key: string, value: unknown): void } }): void;
}

let geoTz: GeoTz | undefined;

/** At most this many decoded polygon tiles stay in memory (each a few kB to a few hundred kB). */
const TILE_CACHE = 48;

function load(): GeoTz {
  if (geoTz) return geoTz;
  const g = createRequire(import.meta.url)('geo-tz') as GeoTz;
  // geo-tz keeps every tile it ever decoded; a library spread over the world would keep them all.
  const tiles = new Map<string, unknown>();
  g.setCache({
    store: {
      get: (key) => tiles.get(key),
      set: (key, value) => {
        if (tiles.size >= TILE_CACHE) tiles.delete(tiles.keys().next().value!);
        tiles.set(key, value);
      },
    },
  });
  geoTz = g;
  return g;
}

/** Whether a position is a real one: in range, and not 0, 0 (what devices without a fix write). */
export function validPosition(lat: number | null | undefined, lon: number | null | undefined): lat is number {
  return (
    typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) &&
    Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0)
  );
}

/**
 * The IANA time zone at a position ('Europe/Lisbon'); at sea, the nautical zone ('Etc/GMT+1').
 * Null for a position that is not one, or when the lookup fails.
 */
export function zoneAt(lat: number | null | undefined, lon: number | null | undefined): string | null {
  if (!validPosition(lat, lon)) return null;
  try {
    return load().find(lat, lon as number)[0] ?? null;
  } catch {
    return null;
  }
}
