// The map's geometry, as pure functions (the Map view, its worker and the tests share them): Web
// Mercator "world" coordinates (x and y from 0 to 1, as supercluster and d3-geo's geoMercator use
// them), the camera (the world point at the view's centre and a fractional zoom: the world is
// TILE × 2^zoom pixels wide), screen ↔ world, zooming about a point, panning, clamping so the world
// stays in view, the view's bounding box in degrees, fitting a camera to the photos' bounds, and the
// clustering zoom and dot size. No DOM: it runs in the window, in the worker and under Node.

/** The world's width in pixels at zoom 0 (and the clusterer's extent, so its radius is in screen pixels). */
export const TILE = 256;
/** The deepest zoom the clusterer computes: beyond it every photo is its own dot (photos taken at one spot stay a stack). */
export const MAX_CLUSTER_ZOOM = 15;
/**
 * The deepest zoom the map goes to: a few streets across (about 2 m a pixel), far past what the 1:50m
 * outlines know, and where the canvas's single-precision transform still places them within a pixel.
 */
export const MAX_ZOOM = 16;
/** Dots closer than this many screen pixels are one cluster. */
export const CLUSTER_RADIUS_PX = 44;
/** Latitude Web Mercator stops at (the world is a square). */
export const MAX_LAT = 85.0511287798066;
/** The size of the world in the outlines' path coordinates (d3-geo writes them once, in this square). */
export const OUTLINE_WORLD = 4096;

export interface Size {
  width: number;
  height: number;
}

/** What the map shows: the world point at the view's centre (0–1 each way) and the zoom. */
export interface Camera {
  x: number;
  y: number;
  zoom: number;
}

/** West, south, east, north, in degrees (supercluster's and GeoJSON's order). */
export type BBox = [number, number, number, number];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function lonToX(lon: number): number {
  return lon / 360 + 0.5;
}

export function latToY(lat: number): number {
  const s = Math.sin((clamp(lat, -MAX_LAT, MAX_LAT) * Math.PI) / 180);
  return 0.5 - (0.25 * Math.log((1 + s) / (1 - s))) / Math.PI;
}

export function xToLon(x: number): number {
  return (x - 0.5) * 360;
}

export function yToLat(y: number): number {
  return (360 * Math.atan(Math.exp((1 - 2 * y) * Math.PI))) / Math.PI - 90;
}

/** The world's width in screen pixels at a zoom. */
export function worldSize(zoom: number): number {
  return TILE * 2 ** zoom;
}

/** The zoom at which the whole world just fits the view (the map goes no further out). */
export function minZoom(view: Size): number {
  return Math.log2(Math.max(1, Math.min(view.width, view.height)) / TILE);
}

/** The camera with its zoom in range and its centre where the world fills the view (centred along a side the world does not fill). */
export function clampCamera(cam: Camera, view: Size): Camera {
  const zoom = clamp(cam.zoom, minZoom(view), MAX_ZOOM);
  const size = worldSize(zoom);
  const along = (c: number, extent: number) => {
    const half = extent / 2 / size;
    return half >= 0.5 ? 0.5 : clamp(c, half, 1 - half);
  };
  return { x: along(cam.x, view.width), y: along(cam.y, view.height), zoom };
}

/** Where a world point is on the screen. */
export function toScreen(cam: Camera, view: Size, x: number, y: number): [number, number] {
  const size = worldSize(cam.zoom);
  return [(x - cam.x) * size + view.width / 2, (y - cam.y) * size + view.height / 2];
}

/** The world point under a screen point. */
export function toWorld(cam: Camera, view: Size, sx: number, sy: number): [number, number] {
  const size = worldSize(cam.zoom);
  return [cam.x + (sx - view.width / 2) / size, cam.y + (sy - view.height / 2) / size];
}

/** Zooms by `dz` keeping the world point under (sx, sy) where it is (the wheel, a double click); clamped. */
export function zoomAbout(cam: Camera, view: Size, dz: number, sx: number, sy: number): Camera {
  const [wx, wy] = toWorld(cam, view, sx, sy);
  const zoom = clamp(cam.zoom + dz, minZoom(view), MAX_ZOOM);
  const size = worldSize(zoom);
  return clampCamera({ x: wx - (sx - view.width / 2) / size, y: wy - (sy - view.height / 2) / size, zoom }, view);
}

/** Moves the world by (dx, dy) screen pixels (a drag to the right shows what is further west); clamped. */
export function panBy(cam: Camera, view: Size, dx: number, dy: number): Camera {
  const size = worldSize(cam.zoom);
  return clampCamera({ x: cam.x - dx / size, y: cam.y - dy / size, zoom: cam.zoom }, view);
}

/** The part of the world in view, in degrees, with a margin of `marginPx` around it (dots half in view), clamped to the world. */
export function viewBBox(cam: Camera, view: Size, marginPx = 0): BBox {
  const [x0, y0] = toWorld(cam, view, -marginPx, -marginPx);
  const [x1, y1] = toWorld(cam, view, view.width + marginPx, view.height + marginPx);
  return [xToLon(clamp(x0, 0, 1)), yToLat(clamp(y1, 0, 1)), xToLon(clamp(x1, 0, 1)), yToLat(clamp(y0, 0, 1))];
}

/**
 * The camera that shows a bounding box (in degrees) with `paddingPx` to spare on each side, no deeper
 * than `maxZoom` (one photo, or photos taken at one spot, show their town rather than a street).
 */
export function fitBBox(b: BBox, view: Size, paddingPx = 40, maxZoom = 12): Camera {
  const x0 = lonToX(b[0]);
  const x1 = lonToX(b[2]);
  const y0 = latToY(b[3]);
  const y1 = latToY(b[1]);
  const w = Math.max(view.width - 2 * paddingPx, 1);
  const h = Math.max(view.height - 2 * paddingPx, 1);
  const spanX = Math.max(x1 - x0, 1e-9);
  const spanY = Math.max(y1 - y0, 1e-9);
  const zoom = Math.min(Math.log2(w / TILE / spanX), Math.log2(h / TILE / spanY), maxZoom);
  return clampCamera({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, zoom }, view);
}

/** The bounding box of flat [id, lat, lon, …] triples; null when there are none. */
export function pointsBBox(points: ArrayLike<number>): BBox | null {
  if (points.length < 3) return null;
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (let i = 0; i + 2 < points.length; i += 3) {
    const lat = points[i + 1]!;
    const lon = points[i + 2]!;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
    if (lon < w) w = lon;
    if (lon > e) e = lon;
  }
  return [w, s, e, n];
}

/** The clusterer's whole zoom for the map's fractional one (the radius stays between 1× and 2× CLUSTER_RADIUS_PX on screen). */
export function clusterZoom(zoom: number): number {
  return clamp(Math.floor(zoom), 0, MAX_CLUSTER_ZOOM + 1);
}

/** A dot's radius in pixels: one photo small, a cluster growing with the logarithm of its count. */
export function dotRadius(count: number): number {
  return count <= 1 ? 6 : Math.min(30, 11 + 4.5 * Math.log10(count));
}

/** A position in words for a dot's accessible name: "38.72° N, 9.14° W". */
export function formatPosition(lat: number, lon: number): string {
  const f = (v: number, pos: string, neg: string) => `${Math.abs(v).toFixed(2)}° ${v >= 0 ? pos : neg}`;
  return `${f(lat, 'N', 'S')}, ${f(lon, 'E', 'W')}`;
}

/** A cluster's count on its dot: 999, 1.2k, 35k, 1.1M. */
export function shortCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(Math.floor(n / 100) / 10).toString()}k`;
  if (n < 1_000_000) return `${Math.floor(n / 1000)}k`;
  return `${(Math.floor(n / 100_000) / 10).toString()}M`;
}
