// The map's dots: photos' positions clustered per zoom level with supercluster (a hierarchical greedy
// clustering on a KD-tree, every zoom precomputed at load, so a pan or zoom only reads an index). The
// Map view runs this in its worker (map-worker.ts): loading 100,000 positions takes a few hundred
// milliseconds there, off the window's thread; a view's clusters then take a millisecond or so.
import Supercluster, { type ClusterProperties, type PointFeature } from 'supercluster';
import { CLUSTER_RADIUS_PX, MAX_CLUSTER_ZOOM, TILE, pointsBBox, type BBox } from './map-view.ts';

/** One dot: a cluster of photos, or one photo. */
export interface MapDot {
  /** Stable within one load: 'c<cluster id>' or 'p<photo id>'. */
  key: string;
  lat: number;
  lon: number;
  /** Photos it stands for. */
  count: number;
}

interface PhotoProps {
  photo: number;
}

export class PhotoClusters {
  readonly count: number;
  /** The photos' bounding box; null when none has a position. */
  readonly bbox: BBox | null;
  private readonly index: Supercluster<PhotoProps, Record<string, never>>;

  /** From flat [id, lat, lon, …] triples, as mapPoints sends them. */
  constructor(points: ArrayLike<number>) {
    const features: PointFeature<PhotoProps>[] = [];
    for (let i = 0; i + 2 < points.length; i += 3) {
      features.push({ type: 'Feature', properties: { photo: points[i]! }, geometry: { type: 'Point', coordinates: [points[i + 2]!, points[i + 1]!] } });
    }
    this.count = features.length;
    this.bbox = pointsBBox(points);
    this.index = new Supercluster<PhotoProps, Record<string, never>>({ radius: CLUSTER_RADIUS_PX, extent: TILE, maxZoom: MAX_CLUSTER_ZOOM, minPoints: 2 }).load(features);
  }

  /** The dots within a bounding box (degrees) at a whole zoom. */
  dots(bbox: BBox, zoom: number): MapDot[] {
    return this.index.getClusters(bbox, zoom).map((f) => {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const p = f.properties as Partial<ClusterProperties> & Partial<PhotoProps>;
      return p.cluster ? { key: `c${p.cluster_id!}`, lat, lon, count: p.point_count! } : { key: `p${p.photo!}`, lat, lon, count: 1 };
    });
  }

  /** The photo ids a dot stands for (every photo of a cluster, at any depth). */
  photos(key: string): number[] {
    const n = Number(key.slice(1));
    if (key.startsWith('p')) return [n];
    return this.index.getLeaves(n, Infinity).map((f) => f.properties.photo);
  }
}
