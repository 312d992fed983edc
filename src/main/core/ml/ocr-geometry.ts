// The geometry of OCR's text detection: a DB probability map to text boxes, as PaddleOCR's DBPostProcess does it
// (threshold, regions, minimum-area rectangles, box score, unclip), with connected regions and rotating
// calipers in place of OpenCV's findContours and minAreaRect ([Note: OCR pipeline] in ocr-runner.ts).

export type Point = [number, number];
/** Four corners: top-left, top-right, bottom-right, bottom-left (PaddleOCR's order). */
export type Quad = [Point, Point, Point, Point];

export interface DbOptions {
  /** A pixel is text where its probability is over this (PaddleOCR: det_db_thresh 0.3). */
  threshold: number;
  /** A box is kept when its mean probability is at least this (det_db_box_thresh 0.6). */
  boxThreshold: number;
  /** How far a box grows: area × ratio / perimeter on every side (det_db_unclip_ratio 1.5). */
  unclipRatio: number;
  /** Regions looked at, at most (max_candidates 1000). */
  maxCandidates: number;
  /** The shorter side a box needs before unclipping, in map pixels (min_size 3). */
  minSize: number;
}

export const DB_DEFAULTS: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, maxCandidates: 1000, minSize: 3 };

interface Rect {
  cx: number;
  cy: number;
  /** Side lengths along u and along v. */
  w: number;
  h: number;
  /** Unit vector of the w side. */
  ux: number;
  uy: number;
}

/**
 * The regions of `map > threshold`, 8-connected, each as the leftmost and rightmost pixel of every row it spans
 * (what its convex hull is made of), in the order a raster scan meets them.
 */
export function regionExtremes(map: Float32Array, width: number, height: number, threshold: number, maxRegions: number): Int32Array[] {
  const seen = new Uint8Array(width * height);
  const out: Int32Array[] = [];
  const stack = new Int32Array(width * height);
  const rowMin = new Int32Array(height).fill(-1);
  const rowMax = new Int32Array(height);
  const rows: number[] = [];
  for (let start = 0; start < map.length && out.length < maxRegions; start++) {
    if (seen[start] || !(map[start]! > threshold)) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    rows.length = 0;
    while (top > 0) {
      const p = stack[--top]!;
      const y = (p / width) | 0;
      const x = p - y * width;
      if (rowMin[y] === -1) {
        rowMin[y] = x;
        rowMax[y] = x;
        rows.push(y);
      } else {
        if (x < rowMin[y]!) rowMin[y] = x;
        if (x > rowMax[y]!) rowMax[y] = x;
      }
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (!seen[q] && map[q]! > threshold) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    const pts = new Int32Array(rows.length * 4);
    rows.forEach((y, i) => {
      pts[i * 4] = rowMin[y]!;
      pts[i * 4 + 1] = y;
      pts[i * 4 + 2] = rowMax[y]!;
      pts[i * 4 + 3] = y;
      rowMin[y] = -1;
    });
    out.push(pts);
  }
  return out;
}

/** The convex hull of points given as x,y pairs (Andrew's monotone chain), counter-clockwise in image axes. */
export function convexHull(xy: ArrayLike<number>): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i + 1 < xy.length; i += 2) pts.push([xy[i]!, xy[i + 1]!]);
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const uniq = pts.filter((p, i) => i === 0 || p[0] !== pts[i - 1]![0] || p[1] !== pts[i - 1]![1]);
  if (uniq.length < 3) return uniq;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of uniq) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = uniq.length - 1; i >= 0; i--) {
    const p = uniq[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** The rectangle of least area around a convex hull (rotating calipers: one of its sides lies on a hull edge). */
export function minAreaRect(hull: readonly Point[]): Rect {
  if (hull.length === 0) return { cx: 0, cy: 0, w: 0, h: 0, ux: 1, uy: 0 };
  if (hull.length === 1) return { cx: hull[0]![0], cy: hull[0]![1], w: 0, h: 0, ux: 1, uy: 0 };
  let best: Rect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len;
    const uy = (b[1] - a[1]) / len;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy;
      const v = -p[0] * uy + p[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, w: maxU - minU, h: maxV - minV, ux, uy };
    }
  }
  return best!;
}

/** A rectangle's corners in PaddleOCR's order (get_mini_boxes: sorted by x, then each side's pair by y). */
export function rectCorners(r: Rect): Quad {
  const hx = (r.w / 2) * r.ux;
  const hy = (r.w / 2) * r.uy;
  const vx = (-r.h / 2) * r.uy;
  const vy = (r.h / 2) * r.ux;
  const pts: Point[] = [
    [r.cx - hx - vx, r.cy - hy - vy],
    [r.cx + hx - vx, r.cy + hy - vy],
    [r.cx + hx + vx, r.cy + hy + vy],
    [r.cx - hx + vx, r.cy - hy + vy],
  ];
  pts.sort((a, b) => a[0] - b[0]);
  const [i1, i4] = pts[1]![1] > pts[0]![1] ? [0, 1] : [1, 0];
  const [i2, i3] = pts[3]![1] > pts[2]![1] ? [2, 3] : [3, 2];
  return [pts[i1]!, pts[i2]!, pts[i3]!, pts[i4]!];
}

/** The mean of `map` over the pixels inside a convex quad (box_score_fast: the quad filled within its bounding box). */
export function boxScore(map: Float32Array, width: number, height: number, quad: Quad): number {
  const clampX = (v: number) => Math.min(Math.max(v, 0), width - 1);
  const clampY = (v: number) => Math.min(Math.max(v, 0), height - 1);
  const xs = quad.map((p) => p[0]);
  const ys = quad.map((p) => p[1]);
  const x0 = clampX(Math.floor(Math.min(...xs)));
  const x1 = clampX(Math.ceil(Math.max(...xs)));
  const y0 = clampY(Math.floor(Math.min(...ys)));
  const y1 = clampY(Math.ceil(Math.max(...ys)));
  // Inside when on the same side of every edge (either winding), with half a pixel of slack as a filled polygon has.
  const edges = quad.map((p, i) => {
    const q = quad[(i + 1) % 4]!;
    const len = Math.hypot(q[0] - p[0], q[1] - p[1]) || 1;
    return { px: p[0], py: p[1], nx: -(q[1] - p[1]) / len, ny: (q[0] - p[0]) / len };
  });
  const area = polygonArea(quad);
  const sign = area >= 0 ? 1 : -1;
  let sum = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let inside = true;
      for (const e of edges) {
        if (sign * ((x - e.px) * e.nx + (y - e.py) * e.ny) < -0.5) {
          inside = false;
          break;
        }
      }
      if (inside) {
        sum += map[y * width + x]!;
        n++;
      }
    }
  }
  return n === 0 ? 0 : sum / n;
}

function polygonArea(pts: readonly Point[]): number {
  let a = 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    const q = pts[(i + 1) % pts.length]!;
    a += p[0] * q[1] - q[0] * p[1];
  }
  return a / 2;
}

/**
 * Text boxes from a DB probability map (width × height, values 0–1), in the coordinates of an image of
 * destWidth × destHeight (the map's own image may have been resized to multiples of 32 first), with each box's
 * score (its mean probability).
 */
export function dbBoxes(map: Float32Array, width: number, height: number, destWidth: number, destHeight: number, opts: DbOptions = DB_DEFAULTS): { quad: Quad; score: number }[] {
  const out: { quad: Quad; score: number }[] = [];
  for (const extremes of regionExtremes(map, width, height, opts.threshold, opts.maxCandidates)) {
    const rect = minAreaRect(convexHull(extremes));
    if (Math.min(rect.w, rect.h) < opts.minSize) continue;
    const quad = rectCorners(rect);
    const score = boxScore(map, width, height, quad);
    if (score < opts.boxThreshold) continue;
    // Unclip: DB's shrunk kernel grown back by area × ratio / perimeter. The offset of a rectangle by d, its
    // rounded corners included, has as its least-area rectangle the same one with every side d further out.
    const d = (rect.w * rect.h * opts.unclipRatio) / (2 * (rect.w + rect.h));
    const grown: Rect = { ...rect, w: rect.w + 2 * d, h: rect.h + 2 * d };
    if (Math.min(grown.w, grown.h) < opts.minSize + 2) continue;
    const sx = destWidth / width;
    const sy = destHeight / height;
    const scaled = rectCorners(grown).map(([x, y]) => [
      Math.min(Math.max(Math.round(x * sx), 0), destWidth),
      Math.min(Math.max(Math.round(y * sy), 0), destHeight),
    ]) as Quad;
    out.push({ quad: scaled, score });
  }
  return out;
}

/** The lengths a quad's crop gets: the longer of each pair of opposite sides (get_rotate_crop_image). */
export function quadSize(q: Quad): { width: number; height: number } {
  const d = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  return { width: Math.max(d(q[0], q[1]), d(q[3], q[2])), height: Math.max(d(q[0], q[3]), d(q[1], q[2])) };
}

/** Boxes in reading order: top to bottom, and left to right within 10 pixels of a line (sorted_boxes). */
export function readingOrder<T extends { quad: Quad }>(boxes: readonly T[]): T[] {
  const out = [...boxes].sort((a, b) => a.quad[0][1] - b.quad[0][1] || a.quad[0][0] - b.quad[0][0]);
  for (let i = 0; i < out.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const a = out[j]!;
      const b = out[j + 1]!;
      if (Math.abs(b.quad[0][1] - a.quad[0][1]) < 10 && b.quad[0][0] < a.quad[0][0]) {
        out[j] = b;
        out[j + 1] = a;
      } else break;
    }
  }
  return out;
}
