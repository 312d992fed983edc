// The Map view's worker for the dots: the photos' positions clustered with supercluster (map-clusters.ts),
// so loading 100,000 of them is no long task on the window's thread, and each view's dots are read from
// the index here. The outlines have a worker of their own (outline-worker.ts). Messages: map-protocol.ts.
import { PhotoClusters } from './map-clusters.ts';
import type { MapReply, MapRequest } from './map-protocol.ts';

// The worker's global scope (self), typed by what this file uses of it.
const scope = globalThis as unknown as { onmessage: ((e: { data: MapRequest }) => void) | null; postMessage(m: MapReply): void };

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
        scope.postMessage({ type: 'photos', seq: m.seq, ids: clusters && m.load === loadedSeq ? clusters.photos(m.key) : [] });
        break;
    }
  } catch (err) {
    scope.postMessage({ type: 'error', seq: m.seq, message: err instanceof Error ? err.message : String(err) });
  }
};
