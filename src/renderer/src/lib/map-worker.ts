// The Map view's worker: the photos' clusters (supercluster, map-clusters.ts) and the country outlines
// (world-atlas through topojson-client and d3-geo, map-outlines.ts), so neither loading 100,000
// positions nor projecting the outlines is a long task on the window's thread. Messages: map-protocol.ts.
import countries110 from 'world-atlas/countries-110m.json';
import countries50 from 'world-atlas/countries-50m.json';
import type { Topology } from 'topojson-specification';
import { PhotoClusters } from './map-clusters.ts';
import { outlinePaths } from './map-outlines.ts';
import type { MapReply, MapRequest } from './map-protocol.ts';

const scope = self as unknown as { onmessage: ((e: MessageEvent<MapRequest>) => void) | null; postMessage(m: MapReply): void };

let clusters: PhotoClusters | null = null;
let loadedSeq = -1;

scope.onmessage = (e) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'load': {
        const t0 = performance.now();
        clusters = new PhotoClusters(m.points);
        loadedSeq = m.seq;
        scope.postMessage({ type: 'loaded', seq: m.seq, count: clusters.count, bbox: clusters.bbox, ms: performance.now() - t0 });
        break;
      }
      case 'dots':
        // Dots asked of an older load than the last are of no use; an empty list keeps the view consistent.
        scope.postMessage({ type: 'dots', seq: m.seq, load: loadedSeq, dots: clusters && m.load === loadedSeq ? clusters.dots(m.bbox, m.zoom) : [] });
        break;
      case 'photos':
        scope.postMessage({ type: 'photos', seq: m.seq, ids: clusters && m.load === loadedSeq ? clusters.photos(m.key) : [], zoom: clusters?.expansionZoom(m.key) ?? null });
        break;
      case 'outlines': {
        const coarse = outlinePaths(countries110 as unknown as Topology);
        scope.postMessage({ type: 'outlines', seq: m.seq, detail: 'coarse', paths: coarse });
        const fine = outlinePaths(countries50 as unknown as Topology);
        scope.postMessage({ type: 'outlines', seq: m.seq, detail: 'fine', paths: fine });
        break;
      }
    }
  } catch (err) {
    scope.postMessage({ type: 'error', seq: m.seq, message: err instanceof Error ? err.message : String(err) });
  }
};
