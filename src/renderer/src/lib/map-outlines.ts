// The map's country outlines: Natural Earth's admin-0 countries from the world-atlas package (TopoJSON),
// decoded with topojson-client and projected once with d3-geo's Web Mercator into SVG path data in a
// square of OUTLINE_WORLD units (the Map view scales that square to its camera with one transform, so a
// pan or zoom never projects again). Run in the map's worker; pure, so the tests run it under Node.
import { geoMercator, geoPath } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { OUTLINE_WORLD } from './map-view.ts';

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
