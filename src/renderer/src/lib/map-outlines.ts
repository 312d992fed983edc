// The map's country outlines: Natural Earth's admin-0 countries from the world-atlas package (TopoJSON),
// decoded with topojson-client and projected once with d3-geo's Web Mercator into SVG path data in a
// square of OUTLINE_WORLD units; then drawn for each camera onto a canvas with one transform, so a pan or
// zoom never projects again. The outline worker (outline-worker.ts) does both, on an OffscreenCanvas the
// Map view hands it: no outline point is ever touched on the window's thread. Pure, so the tests run it.
import { geoMercator, geoPath } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { OUTLINE_WORLD, worldSize, type Camera, type Size } from './map-view.ts';

/** SVG path data of the land (every country, filled) and of the borders between countries (stroked). */
export interface OutlinePaths {
  land: string;
  borders: string;
}

/** d3-geo's Web Mercator scaled to the OUTLINE_WORLD square (x and y from 0 to OUTLINE_WORLD; its own clip at ±85.05°). */
export function outlineProjection() {
  return geoMercator()
    .scale(OUTLINE_WORLD / (2 * Math.PI))
    .translate([OUTLINE_WORLD / 2, OUTLINE_WORLD / 2]);
}

/** The outlines of a world-atlas topology (its `countries` object), coordinates to one decimal (1/40,960 of the world's width). */
export function outlinePaths(topology: Topology): OutlinePaths {
  const countries = topology.objects.countries as GeometryCollection;
  const path = geoPath(outlineProjection()).digits(1);
  return {
    land: path(feature(topology, countries)) ?? '',
    borders: path(mesh(topology, countries, (a, b) => a !== b)) ?? '',
  };
}

/** The outlines' square onto the screen for a camera: scale k, then translate (tx, ty), in CSS pixels. */
export function outlineTransform(cam: Camera, view: Size): { k: number; tx: number; ty: number } {
  const size = worldSize(cam.zoom);
  return { k: size / OUTLINE_WORLD, tx: view.width / 2 - cam.x * size, ty: view.height / 2 - cam.y * size };
}

/** The theme's colours of the map (CSS colours). */
export interface OutlineColours {
  sea: string;
  land: string;
  border: string;
}

/** What one drawing of the outlines needs: the camera, the view's size in CSS pixels, the device pixel ratio, the colours. */
export interface OutlineFrame {
  camera: Camera;
  width: number;
  height: number;
  dpr: number;
  colours: OutlineColours;
}

/** The 110m outlines far out, the 50m ones from this zoom (where they differ on screen). */
export const FINE_FROM_ZOOM = 3;

/** The part of a 2D context the drawing uses (a canvas's, an OffscreenCanvas's, a test's). */
export interface OutlineContext<P> {
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  fill(path: P): void;
  stroke(path: P): void;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  lineJoin: unknown;
}

/** Draws the sea, the land (filled, its coast stroked) and the borders for a frame; the fine outlines when near enough and ready. */
export function drawOutlines<P>(ctx: OutlineContext<P>, outlines: { coarse: { land: P; borders: P } | null; fine: { land: P; borders: P } | null }, f: OutlineFrame): 'coarse' | 'fine' | null {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = f.colours.sea;
  ctx.fillRect(0, 0, Math.round(f.width * f.dpr), Math.round(f.height * f.dpr));
  const detail = f.camera.zoom >= FINE_FROM_ZOOM && outlines.fine ? 'fine' : outlines.coarse ? 'coarse' : outlines.fine ? 'fine' : null;
  if (!detail) return null;
  const paths = outlines[detail]!;
  const { k, tx, ty } = outlineTransform(f.camera, f);
  ctx.setTransform(k * f.dpr, 0, 0, k * f.dpr, tx * f.dpr, ty * f.dpr);
  ctx.fillStyle = f.colours.land;
  ctx.fill(paths.land);
  ctx.strokeStyle = f.colours.border;
  ctx.lineJoin = 'round';
  // 0.6 CSS pixels whatever the zoom.
  ctx.lineWidth = 0.6 / k;
  ctx.stroke(paths.land);
  ctx.stroke(paths.borders);
  return detail;
}
