// The map's helpers (issue 13): Web Mercator world coordinates against d3-geo's own projection, the
// camera (screen ↔ world, zoom about a point, pan, clamping, the view's box, fitting), the clusters
// (supercluster over [id, lat, lon] triples: split as the zoom grows, every photo in exactly one dot,
// a dot's photos), the country outlines (world-atlas through topojson-client and d3-geo, drawn for a
// camera onto a recording context), and the dots' worker's client over a fake worker that runs the real
// worker's code in this thread.
import { describe, expect, it } from 'vitest';
import countries110 from 'world-atlas/countries-110m.json';
import type { Topology } from 'topojson-specification';
import {
  MAX_ZOOM,
  OUTLINE_WORLD,
  TILE,
  clampCamera,
  clusterZoom,
  dotRadius,
  fitBBox,
  formatPosition,
  latToY,
  lonToX,
  minZoom,
  panBy,
  pointsBBox,
  shortCount,
  toScreen,
  toWorld,
  viewBBox,
  worldSize,
  xToLon,
  yToLat,
  zoomAbout,
  type BBox,
} from '../../src/renderer/src/lib/map-view.ts';
import { PhotoClusters, type MapDot } from '../../src/renderer/src/lib/map-clusters.ts';
import { FINE_FROM_ZOOM, drawOutlines, outlinePaths, outlineProjection, outlineTransform, type OutlineContext } from '../../src/renderer/src/lib/map-outlines.ts';
import { MapWorker, type WorkerPort } from '../../src/renderer/src/lib/map-client.ts';
import type { MapReply, MapRequest } from '../../src/renderer/src/lib/map-protocol.ts';

const VIEW = { width: 1000, height: 600 };
const LISBON = [38.7223, -9.1393] as const;
const PORTO = [41.1579, -8.6291] as const;
const SYDNEY = [-33.8688, 151.2093] as const;

describe('Web Mercator world coordinates', () => {
  it('agree with d3-geo’s geoMercator, which projects the outlines', () => {
    const projection = outlineProjection();
    for (const [lat, lon] of [LISBON, PORTO, SYDNEY, [0, 0], [60.17, 24.94], [-54.8, -68.3], [64.1, -21.9]] as const) {
      const [px, py] = projection([lon, lat])!;
      expect(lonToX(lon) * OUTLINE_WORLD).toBeCloseTo(px, 6);
      expect(latToY(lat) * OUTLINE_WORLD).toBeCloseTo(py, 6);
      expect(xToLon(lonToX(lon))).toBeCloseTo(lon, 9);
      expect(yToLat(latToY(lat))).toBeCloseTo(lat, 9);
    }
    expect(latToY(85.0511287798066)).toBeCloseTo(0, 9);
    expect(latToY(-89)).toBeCloseTo(1, 9);
  });
});

describe('the camera', () => {
  it('maps screen to world and back; the centre of the view is the camera', () => {
    const cam = { x: lonToX(LISBON[1]), y: latToY(LISBON[0]), zoom: 6 };
    expect(toScreen(cam, VIEW, cam.x, cam.y)).toEqual([500, 300]);
    const [wx, wy] = toWorld(cam, VIEW, 123, 456);
    const [sx, sy] = toScreen(cam, VIEW, wx, wy);
    expect(sx).toBeCloseTo(123, 9);
    expect(sy).toBeCloseTo(456, 9);
    expect(worldSize(6)).toBe(TILE * 64);
  });

  it('zooms about a point, which stays under the pointer', () => {
    const cam = { x: 0.45, y: 0.4, zoom: 5 };
    const before = toWorld(cam, VIEW, 800, 150);
    const zoomed = zoomAbout(cam, VIEW, 1.5, 800, 150);
    expect(zoomed.zoom).toBe(6.5);
    const after = toWorld(zoomed, VIEW, 800, 150);
    expect(after[0]).toBeCloseTo(before[0], 9);
    expect(after[1]).toBeCloseTo(before[1], 9);
    // Never past the deepest zoom, nor further out than the whole world in view.
    expect(zoomAbout(cam, VIEW, 40, 500, 300).zoom).toBe(MAX_ZOOM);
    expect(zoomAbout(cam, VIEW, -40, 500, 300).zoom).toBeCloseTo(minZoom(VIEW), 9);
  });

  it('pans the way the world is dragged, and keeps the world in view', () => {
    const cam = { x: 0.5, y: 0.5, zoom: 4 };
    const moved = panBy(cam, VIEW, 100, -50);
    // Dragged right and up: the view looks further west and south.
    expect(moved.x).toBeCloseTo(0.5 - 100 / worldSize(4), 12);
    expect(moved.y).toBeCloseTo(0.5 + 50 / worldSize(4), 12);
    const far = panBy(cam, VIEW, 1e7, 1e7);
    expect(toWorld(far, VIEW, 0, 0)).toEqual([0, 0]);
    // A world smaller than the view is centred along that side.
    const out = clampCamera({ x: 0.1, y: 0.9, zoom: minZoom(VIEW) }, VIEW);
    expect(out).toEqual({ x: 0.5, y: 0.5, zoom: Math.log2(600 / TILE) });
    // A world wider than the view: its west edge is at the view's left at most.
    const edge = clampCamera({ x: 0.1, y: 0.5, zoom: 3 }, VIEW);
    expect(edge.x).toBeCloseTo(VIEW.width / 2 / worldSize(3), 12);
  });

  it('gives the view’s box in degrees, with a margin, inside the world', () => {
    const cam = { x: lonToX(LISBON[1]), y: latToY(LISBON[0]), zoom: 8 };
    const [w, s, e, n] = viewBBox(cam, VIEW);
    expect(w).toBeLessThan(LISBON[1]);
    expect(e).toBeGreaterThan(LISBON[1]);
    expect(s).toBeLessThan(LISBON[0]);
    expect(n).toBeGreaterThan(LISBON[0]);
    const [w2, , e2] = viewBBox(cam, VIEW, 100);
    expect(e2 - w2).toBeCloseTo(((e - w) * (VIEW.width + 200)) / VIEW.width, 6);
    const world = viewBBox(clampCamera({ x: 0.5, y: 0.5, zoom: 0 }, VIEW), VIEW, 500);
    [-180, -85.0511287798066, 180, 85.0511287798066].forEach((v, i) => expect(world[i]).toBeCloseTo(v, 9));
  });

  it('fits a box of photos (not deeper than a town for photos at one spot)', () => {
    const box: BBox = [PORTO[1] < LISBON[1] ? PORTO[1] : LISBON[1], LISBON[0], Math.max(PORTO[1], LISBON[1]), PORTO[0]];
    const cam = fitBBox(box, VIEW, 40);
    for (const [lat, lon] of [LISBON, PORTO]) {
      const [sx, sy] = toScreen(cam, VIEW, lonToX(lon), latToY(lat));
      expect(sx).toBeGreaterThanOrEqual(39.9);
      expect(sx).toBeLessThanOrEqual(VIEW.width - 39.9);
      expect(sy).toBeGreaterThanOrEqual(39.9);
      expect(sy).toBeLessThanOrEqual(VIEW.height - 39.9);
    }
    expect(fitBBox([LISBON[1], LISBON[0], LISBON[1], LISBON[0]], VIEW).zoom).toBe(12);
    expect(pointsBBox([1, LISBON[0], LISBON[1], 2, SYDNEY[0], SYDNEY[1]])).toEqual([LISBON[1], SYDNEY[0], SYDNEY[1], LISBON[0]]);
    expect(pointsBBox([])).toBeNull();
  });

  it('says the clusterer’s zoom, a dot’s size, a position and a count', () => {
    expect([0.2, 3.99, 4, 15.5, 16].map(clusterZoom)).toEqual([0, 3, 4, 15, 16]);
    expect(dotRadius(1)).toBeLessThan(dotRadius(2));
    expect(dotRadius(10)).toBeLessThan(dotRadius(10_000));
    expect(dotRadius(10_000_000)).toBe(30);
    expect(formatPosition(38.7223, -9.1393)).toBe('38.72° N, 9.14° W');
    expect(formatPosition(-33.8688, 151.2093)).toBe('33.87° S, 151.21° E');
    expect([7, 999, 1000, 1234, 9999, 35_412, 999_999, 1_234_567].map(shortCount)).toEqual(['7', '999', '1k', '1.2k', '9.9k', '35k', '999k', '1.2M']);
  });
});

/** Photos around three cities: n each, within a few hundred metres, ids from `first`. */
function cityPhotos(n: number, first = 1): number[] {
  const out: number[] = [];
  let id = first;
  for (const [lat, lon] of [LISBON, PORTO, SYDNEY]) {
    for (let i = 0; i < n; i++) out.push(id++, lat + ((i % 7) - 3) * 0.001, lon + ((i % 5) - 2) * 0.001);
  }
  return out;
}

const total = (dots: MapDot[]) => dots.reduce((n, d) => n + d.count, 0);
const WORLD: BBox = [-180, -85, 180, 85];

describe('the clusters', () => {
  it('are few far out and split as the zoom grows, every photo in exactly one dot', () => {
    const c = new PhotoClusters(cityPhotos(10));
    expect(c.count).toBe(30);
    const far = c.dots(WORLD, 2);
    expect(total(far)).toBe(30);
    // Lisbon and Porto are 270 km apart: one dot far out (with Sydney another), two from the country's zoom.
    expect(far.map((d) => d.count).sort((a, b) => a - b)).toEqual([10, 20]);
    const country = c.dots(WORLD, 7);
    expect(country.map((d) => d.count).sort((a, b) => a - b)).toEqual([10, 10, 10]);
    // In the street every photo is its own dot.
    const street = c.dots(WORLD, 16);
    expect(street).toHaveLength(30);
    expect(new Set(street.map((d) => d.key)).size).toBe(30);
    expect(street.every((d) => d.count === 1 && d.key.startsWith('p'))).toBe(true);
  });

  it('lists a dot’s photos: a cluster’s every photo, a photo itself', () => {
    const c = new PhotoClusters(cityPhotos(10, 101));
    const [iberia] = c.dots(WORLD, 2).filter((d) => d.count === 20);
    const ids = c.photos(iberia!.key);
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 101 + i));
    const one = c.dots(WORLD, 16)[0]!;
    expect(c.photos(one.key)).toEqual([Number(one.key.slice(1))]);
  });

  it('only those in the box; none without positions', () => {
    const c = new PhotoClusters(cityPhotos(5));
    const aroundSydney: BBox = [140, -40, 160, -30];
    expect(c.dots(aroundSydney, 6).map((d) => d.count)).toEqual([5]);
    const empty = new PhotoClusters([]);
    expect(empty.count).toBe(0);
    expect(empty.bbox).toBeNull();
    expect(empty.dots(WORLD, 0)).toEqual([]);
  });

  it('keeps photos taken at one spot together at every zoom (a stack to pick)', () => {
    const stack: number[] = [];
    for (let i = 1; i <= 12; i++) stack.push(i, LISBON[0], LISBON[1]);
    const c = new PhotoClusters(stack);
    expect(c.dots(WORLD, 15).map((d) => d.count)).toEqual([12]);
    expect(c.photos(c.dots(WORLD, 15)[0]!.key)).toHaveLength(12);
  });
});

describe('the outlines', () => {
  it('draw Natural Earth’s countries as SVG paths in the outline square', () => {
    const paths = outlinePaths(countries110 as unknown as Topology);
    expect(paths.land).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(paths.borders).toMatch(/^M[\d.]+,[\d.]+L/);
    const numbers = paths.land.match(/-?\d+(?:\.\d+)?/g)!.map(Number);
    expect(numbers.length).toBeGreaterThan(10_000);
    // Inside the square (a hair beyond at most: d3 clips at the square's edge); one decimal.
    expect(Math.min(...numbers)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...numbers)).toBeLessThanOrEqual(OUTLINE_WORLD + 1);
    expect(paths.land).not.toMatch(/\.\d\d/);
  });

  it('are placed by the camera: a world point of the square lands where toScreen puts it', () => {
    const cam = { x: lonToX(LISBON[1]), y: latToY(LISBON[0]), zoom: 7.3 };
    const { k, tx, ty } = outlineTransform(cam, VIEW);
    const [px, py] = outlineProjection()([PORTO[1], PORTO[0]])!;
    const [sx, sy] = toScreen(cam, VIEW, lonToX(PORTO[1]), latToY(PORTO[0]));
    expect(px * k + tx).toBeCloseTo(sx, 6);
    expect(py * k + ty).toBeCloseTo(sy, 6);
  });

  it('draw the sea, then the land filled and stroked, then the borders, in the theme’s colours; the fine ones near enough', () => {
    const calls: string[] = [];
    const ctx: OutlineContext<string> = {
      fillStyle: '',
      strokeStyle: '',
      lineWidth: 1,
      lineJoin: '',
      setTransform: (a, _b, _c, _d, e, f) => calls.push(`transform ${a.toFixed(3)} ${e.toFixed(1)} ${f.toFixed(1)}`),
      fillRect: (x, y, w, h) => calls.push(`fillRect ${x} ${y} ${w} ${h} ${String(ctx.fillStyle)}`),
      fill: (p) => calls.push(`fill ${p} ${String(ctx.fillStyle)}`),
      stroke: (p) => calls.push(`stroke ${p} ${String(ctx.strokeStyle)} ${ctx.lineWidth.toFixed(5)}`),
    };
    const colours = { sea: '#00f', land: '#ff0', border: '#888' };
    const outlines = { coarse: { land: 'land110', borders: 'borders110' }, fine: { land: 'land50', borders: 'borders50' } };
    const cam = { x: 0.5, y: 0.5, zoom: 2 };
    const t = outlineTransform(cam, VIEW);
    expect(drawOutlines(ctx, outlines, { camera: cam, width: 1000, height: 600, dpr: 2, colours })).toBe('coarse');
    expect(calls).toEqual([
      'transform 1.000 0.0 0.0',
      'fillRect 0 0 2000 1200 #00f',
      `transform ${(t.k * 2).toFixed(3)} ${(t.tx * 2).toFixed(1)} ${(t.ty * 2).toFixed(1)}`,
      'fill land110 #ff0',
      `stroke land110 #888 ${(0.6 / t.k).toFixed(5)}`,
      `stroke borders110 #888 ${(0.6 / t.k).toFixed(5)}`,
    ]);
    calls.length = 0;
    expect(drawOutlines(ctx, outlines, { camera: { ...cam, zoom: FINE_FROM_ZOOM }, width: 1000, height: 600, dpr: 1, colours })).toBe('fine');
    expect(calls.filter((c) => c.startsWith('fill ') || c.startsWith('stroke ')).map((c) => c.split(' ')[1])).toEqual(['land50', 'land50', 'borders50']);
    // Before the fine ones are made, the coarse ones at any zoom; before either, the sea alone.
    expect(drawOutlines(ctx, { ...outlines, fine: null }, { camera: { ...cam, zoom: 9 }, width: 10, height: 10, dpr: 1, colours })).toBe('coarse');
    calls.length = 0;
    expect(drawOutlines(ctx, { coarse: null, fine: null }, { camera: cam, width: 10, height: 10, dpr: 1, colours })).toBeNull();
    expect(calls).toEqual(['transform 1.000 0.0 0.0', 'fillRect 0 0 10 10 #00f']);
  });
});

describe('the dots’ worker’s client', () => {
  /** A port to map-worker.ts's own handler, run in this thread (the module sets the global onmessage). */
  async function fakeWorker(): Promise<WorkerPort<MapRequest, MapReply> & { posted: MapRequest[]; transferred: (readonly object[])[] }> {
    const scope = globalThis as unknown as { onmessage?: (e: { data: MapRequest }) => void; postMessage?: (m: MapReply) => void };
    let onReply: (r: MapReply) => void = () => {};
    scope.postMessage = (m: MapReply) => setTimeout(() => onReply(m), 0);
    await import('../../src/renderer/src/lib/map-worker.ts');
    const handler = scope.onmessage!;
    const port: WorkerPort<MapRequest, MapReply> & { posted: MapRequest[]; transferred: (readonly object[])[] } = {
      posted: [],
      transferred: [],
      post(message, transfer) {
        port.posted.push(message);
        port.transferred.push(transfer);
        setTimeout(() => handler({ data: message }), 0);
      },
      listen(reply) {
        onReply = reply;
      },
      terminate() {},
    };
    return port;
  }

  it('loads (the buffer transferred), answers dots and a dot’s photos, drops answers about an older load', async () => {
    const fake = await fakeWorker();
    const map = new MapWorker(fake);
    const points = new Float64Array(cityPhotos(4));
    const first = await map.load(points);
    expect(fake.transferred[0]).toEqual([points.buffer]);
    expect(first.count).toBe(12);
    expect(first.bbox![1]).toBeCloseTo(SYDNEY[0] - 0.003, 9);
    const dots = await map.dots(first.load, WORLD, 7);
    expect(dots.map((d) => d.count).sort()).toEqual([4, 4, 4]);
    const sydney = dots.find((d) => d.lat < 0)!;
    const ids = await map.photos(first.load, sydney.key);
    expect(ids.sort((a, b) => a - b)).toEqual([9, 10, 11, 12]);
    const second = await map.load(new Float64Array([77, LISBON[0], LISBON[1]]));
    expect(await map.dots(first.load, WORLD, 7)).toEqual([]);
    const [only, ...none] = await map.dots(second.load, WORLD, 7);
    expect(none).toEqual([]);
    expect(only).toMatchObject({ key: 'p77', count: 1 });
    expect(only!.lat).toBeCloseTo(LISBON[0], 9);
    expect(only!.lon).toBeCloseTo(LISBON[1], 9);
    map.terminate();
  });
});
