// The places stage: a photo's GPS position to its city, region and country, offline ([Note: nearest-place rule]
// in places/geocoder.ts).
//
// [Note: places stage] It runs once the meta stage has read the position (exiftool reads every file; exifr's
// reading from the thumb stage is merged in by rank whenever it comes). A place is made again only when the
// position or the data version changes: Catalog.mergeMetadata queues the stage again when a reading moves the
// position, requeuePlacesOnNewData queues it for every photo when the data's version (the packages' and the
// rule's, places/data.ts) is not the one the library last ran with, and a photo whose stored place was made from
// its position under this version is done at once, without a lookup. The data loads on the first lookup (about
// 0.1 s from the cache file, 2 s without one); then a lookup costs some microseconds. The user's hand-set place
// (annotate/edits.ts) lives in its own row and is never touched here. A changed place queues the XMP sidecar.
import { itemFailure, type ItemResult, type StageBody, type StageDeps } from './stage.ts';
import { Places } from '../catalog/places.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { geocoder as defaultGeocoder, type GeocodedPlace } from '../places/geocoder.ts';

/** The setting that holds the data version the library's places were last made with. */
export const PLACES_VERSION_SETTING = 'places_data_version';

export function placesStage(deps: StageDeps): StageBody {
  const store = deps.places ?? new Places(deps.catalog.db);
  const geo = deps.geocoder ?? defaultGeocoder;
  const known = new Set<string>();
  return {
    priority: 1,
    batchSize: 500,
    concurrency: 1,
    requires: ['meta'],
    async runBatch(photos): Promise<ItemResult[]> {
      const version = geo.version;
      return photos.map((photo): ItemResult => {
        try {
          const { gps_lat: lat, gps_lon: lon } = photo;
          const has = lat !== null && lon !== null;
          if (store.autoIsCurrent(photo.id, has ? lat : null, has ? lon : null, version)) return { ok: true };
          if (!has) {
            return {
              ok: true,
              commit: () => {
                if (store.setAuto(photo.id, null)) deps.onAnnotated?.(photo.id);
              },
            };
          }
          const place: GeocodedPlace | null = geo.reverse(lat, lon);
          return {
            ok: true,
            commit: () => {
              store.setAuto(photo.id, { lat, lon, version, place });
              if (place) store.recordNames(place, (id) => geo.names(id), known);
              deps.onAnnotated?.(photo.id);
            },
          };
        } catch (e) {
          return itemFailure(e);
        }
      });
    },
  };
}

/**
 * Queues the places stage again for the photos whose place was made from another data version, or from another
 * position, when the data's version is not the one the library last ran with; returns how many. Once per change
 * of the data (an update), not on every open.
 */
export function requeuePlacesOnNewData(catalog: Catalog, queue: TaskQueue, store: Places, version: string, now = Date.now()): number {
  if (catalog.setting(PLACES_VERSION_SETTING) === version) return 0;
  return catalog.db.transaction(() => {
    const n = queue.requeuePhotos(store.staleAuto(version), ['places'], now);
    catalog.setSetting(PLACES_VERSION_SETTING, version);
    return n;
  })();
}
