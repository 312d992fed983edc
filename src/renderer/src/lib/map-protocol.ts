// The messages between the Map view (map-client.ts) and its two workers. The dots' worker (map-worker.ts):
// every request has a sequence number its reply carries; dots and photos name the load they were asked
// of, so an answer about photos loaded before the last load is recognised (and dropped). The outlines'
// worker (outline-worker.ts): a canvas once, then frames; it says what it drew.
import type { MapDot } from './map-clusters.ts';
import type { OutlineFrame } from './map-outlines.ts';
import type { BBox } from './map-view.ts';

export type MapRequest =
  /** Clusters these [id, lat, lon, …] triples (the buffer is transferred). */
  | { type: 'load'; seq: number; points: Float64Array }
  | { type: 'dots'; seq: number; load: number; bbox: BBox; zoom: number }
  /** The photo ids of a dot. */
  | { type: 'photos'; seq: number; load: number; key: string };

export type MapReply =
  | { type: 'loaded'; seq: number; count: number; bbox: BBox | null; ms: number }
  | { type: 'dots'; seq: number; load: number; dots: MapDot[] }
  | { type: 'photos'; seq: number; ids: number[] }
  | { type: 'error'; seq: number; message: string };

/** An OffscreenCanvas as the protocol sees it (typed loosely: the tests typecheck without the DOM's types). */
export interface TransferredCanvas {
  width: number;
  height: number;
}

export type OutlineRequest =
  /** The view's canvas, transferred (transferControlToOffscreen): the worker draws on it from now on. */
  | { type: 'canvas'; canvas: TransferredCanvas }
  | { type: 'frame'; frame: OutlineFrame };

export type OutlineReply = { type: 'drawn'; detail: 'coarse' | 'fine'; ms: number } | { type: 'error'; message: string };
