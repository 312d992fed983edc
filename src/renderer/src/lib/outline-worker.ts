// The Map view's second worker: the country outlines (map-outlines.ts) projected once and drawn onto the
// OffscreenCanvas the view hands over, for each camera it sends; frames that come while one is drawn are
// folded into the latest. The 110m outlines first (drawn at once), then the 50m ones. Messages: map-protocol.ts.
import countries110 from 'world-atlas/countries-110m.json';
import countries50 from 'world-atlas/countries-50m.json';
import type { Topology } from 'topojson-specification';
import { drawOutlines, outlinePaths, type OutlineFrame } from './map-outlines.ts';
import type { OutlineReply, OutlineRequest } from './map-protocol.ts';

// The worker's global scope (self), typed by what this file uses of it.
const scope = globalThis as unknown as { onmessage: ((e: { data: OutlineRequest }) => void) | null; postMessage(m: OutlineReply): void };

type Paths = { land: Path2D; borders: Path2D };
const outlines: { coarse: Paths | null; fine: Paths | null } = { coarse: null, fine: null };
let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;
let frame: OutlineFrame | null = null;
let scheduled = false;

function paths(topology: unknown): Paths {
  const p = outlinePaths(topology as Topology);
  return { land: new Path2D(p.land), borders: new Path2D(p.borders) };
}

function draw(): void {
  scheduled = false;
  if (!canvas || !ctx || !frame) return;
  const t0 = performance.now();
  const w = Math.max(1, Math.round(frame.width * frame.dpr));
  const h = Math.max(1, Math.round(frame.height * frame.dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const detail = drawOutlines(ctx, outlines, frame);
  if (detail) scope.postMessage({ type: 'drawn', detail, ms: performance.now() - t0 });
}

function soon(): void {
  if (scheduled) return;
  scheduled = true;
  // After the messages waiting now: a burst of frames is drawn once, at its last camera.
  setTimeout(draw, 0);
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.type === 'frame') {
      frame = m.frame;
      soon();
      return;
    }
    canvas = m.canvas as OffscreenCanvas;
    ctx = canvas.getContext('2d');
    outlines.coarse = paths(countries110);
    draw();
    // The fine outlines after the frames that came meanwhile have been drawn with the coarse ones.
    setTimeout(() => {
      outlines.fine = paths(countries50);
      draw();
    }, 0);
  } catch (err) {
    scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
