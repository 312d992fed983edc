// The messages between the Map view (map-client.ts) and its worker (map-worker.ts). Every request has a
// sequence number its reply carries; dots and photos name the load they were asked of, so an answer
// about photos loaded before the last load is recognised (and dropped).
import type { MapDot } from './map-clusters.ts';
import type { OutlinePaths } from './map-outlines.ts';
import type { BBox } from './map-view.ts';

export type MapRequest =
  /** Clusters these [id, lat, lon, …] triples (the buffer is transferred). */
  | { type: 'load'; seq: number; points: Float64Array }
  | { type: 'dots'; seq: number; load: number; bbox: BBox; zoom: number }
  /** The photo ids of a dot, and the zoom at which its cluster splits. */
  | { type: 'photos'; seq: number; load: number; key: string }
  /** The country outlines: a coarse reply first (110m, at once), then the fine one (50m). */
  | { type: 'outlines'; seq: number };

export type MapReply =
  | { type: 'loaded'; seq: number; count: number; bbox: BBox | null; ms: number }
  | { type: 'dots'; seq: number; load: number; dots: MapDot[] }
  | { type: 'photos'; seq: number; ids: number[]; zoom: number | null }
  | { type: 'outlines'; seq: number; detail: 'coarse' | 'fine'; paths: OutlinePaths }
  | { type: 'error'; seq: number; message: string };
