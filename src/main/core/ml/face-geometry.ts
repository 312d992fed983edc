// The geometry of finding and aligning faces (ml/face-runner.ts), apart from the models: sampling an image
// through an affine map (the detector's input, the landmark net's crop, the aligned chip), non-maximum
// suppression of the detector's boxes, and the similarity transform that aligns a face's landmarks to a template.

/** Packed RGB, 8 bits a channel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** An axis-aligned box in pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A 2-D affine map, [a, b, c, d, e, f]: (u, v) → (a·u + b·v + c, d·u + e·v + f). Here it maps an output
 * image's pixel coordinates to the source image's.
 */
export type Affine = [number, number, number, number, number, number];

export function applyAffine(m: Affine, u: number, v: number): [number, number] {
  return [m[0] * u + m[1] * v + m[2], m[3] * u + m[4] * v + m[5]];
}

/**
 * Samples `src` through `m` into a float NCHW slot of `out` (RGB 0–255) of size `width`×`height`, at `offset`.
 * Each output pixel averages k×k bilinear samples over its footprint, k the map's scale rounded up (at most 4),
 * so a large reduction does not alias. Outside the source reads as 0, the zero padding face-api uses.
 */
export function sampleAffine(src: RgbImage, m: Affine, width: number, height: number, out: Float32Array, offset = 0): void {
  const scale = Math.max(Math.hypot(m[0], m[3]), Math.hypot(m[1], m[4]));
  const k = Math.min(4, Math.max(1, Math.ceil(scale - 1e-9)));
  if (m[1] === 0 && m[3] === 0) return sampleScaled(src, m, k, width, height, out, offset);
  const plane = width * height;
  const { data, width: sw, height: sh } = src;
  const px = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= sw || y >= sh ? 0 : data[(y * sw + x) * 3 + c]!);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < k; i++) {
          // The sample's position in source pixel centres.
          const [sx, sy] = applyAffine(m, u + (i + 0.5) / k, v + (j + 0.5) / k);
          const fx = sx - 0.5;
          const fy = sy - 0.5;
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const ax = fx - x0;
          const ay = fy - y0;
          const w00 = (1 - ax) * (1 - ay);
          const w10 = ax * (1 - ay);
          const w01 = (1 - ax) * ay;
          const w11 = ax * ay;
          r += w00 * px(x0, y0, 0) + w10 * px(x0 + 1, y0, 0) + w01 * px(x0, y0 + 1, 0) + w11 * px(x0 + 1, y0 + 1, 0);
          g += w00 * px(x0, y0, 1) + w10 * px(x0 + 1, y0, 1) + w01 * px(x0, y0 + 1, 1) + w11 * px(x0 + 1, y0 + 1, 1);
          b += w00 * px(x0, y0, 2) + w10 * px(x0 + 1, y0, 2) + w01 * px(x0, y0 + 1, 2) + w11 * px(x0 + 1, y0 + 1, 2);
        }
      }
      const n = k * k;
      const o = offset + v * width + u;
      out[o] = r / n;
      out[o + plane] = g / n;
      out[o + 2 * plane] = b / n;
    }
  }
}

/** One axis of an axis-aligned map as taps: for each output index, the source indices and weights it sums. */
function axisTaps(size: number, scale: number, shift: number, k: number, srcSize: number): { index: Int32Array; weight: Float32Array; start: Int32Array } {
  const index: number[] = [];
  const weight: number[] = [];
  const start = new Int32Array(size + 1);
  for (let u = 0; u < size; u++) {
    start[u] = index.length;
    for (let i = 0; i < k; i++) {
      const f = scale * (u + (i + 0.5) / k) + shift - 0.5;
      const x0 = Math.floor(f);
      const a = f - x0;
      for (const [x, w] of [[x0, (1 - a) / k], [x0 + 1, a / k]] as const) {
        if (x < 0 || x >= srcSize || w === 0) continue;
        const at = index.lastIndexOf(x, index.length - 1);
        if (at >= start[u]!) weight[at]! += w;
        else {
          index.push(x);
          weight.push(w);
        }
      }
    }
  }
  start[size] = index.length;
  return { index: Int32Array.from(index), weight: Float32Array.from(weight), start };
}

/**
 * sampleAffine for a map without rotation: the same k×k bilinear samples, summed one axis at a time (bilinear
 * sampling on a grid is separable), about 15 times faster on a photo reduced to the detector's input.
 */
function sampleScaled(src: RgbImage, m: Affine, k: number, width: number, height: number, out: Float32Array, offset: number): void {
  const xs = axisTaps(width, m[0], m[2], k, src.width);
  const ys = axisTaps(height, m[4], m[5], k, src.height);
  const plane = width * height;
  const { data, width: sw } = src;
  const row = new Float32Array(width * 3);
  const acc = new Float32Array(width * 3);
  // Each source row is filtered across once per output row that reads it; rows are few per output row.
  for (let v = 0; v < height; v++) {
    acc.fill(0);
    for (let t = ys.start[v]!; t < ys.start[v + 1]!; t++) {
      const y = ys.index[t]!;
      const wy = ys.weight[t]!;
      const base = y * sw * 3;
      for (let u = 0; u < width; u++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let q = xs.start[u]!; q < xs.start[u + 1]!; q++) {
          const o = base + xs.index[q]! * 3;
          const w = xs.weight[q]!;
          r += w * data[o]!;
          g += w * data[o + 1]!;
          b += w * data[o + 2]!;
        }
        row[u * 3] = r;
        row[u * 3 + 1] = g;
        row[u * 3 + 2] = b;
      }
      for (let i = 0; i < width * 3; i++) acc[i]! += wy * row[i]!;
    }
    const o = offset + v * width;
    for (let u = 0; u < width; u++) {
      out[o + u] = acc[u * 3]!;
      out[o + u + plane] = acc[u * 3 + 1]!;
      out[o + u + 2 * plane] = acc[u * 3 + 2]!;
    }
  }
}

/**
 * The detector's view of an image: scaled so its long side is `size`, at the top left of a `size`² square, the
 * rest black (face-api pads at the bottom and right). Returns the map from input to image pixels and the scale.
 */
export function detectorView(width: number, height: number, size: number): { map: Affine; scale: number } {
  const scale = size / Math.max(width, height);
  return { map: [1 / scale, 0, 0, 0, 1 / scale, 0], scale };
}

/** A view the detector sees: the map from its input's pixels to the image's, the scale, and the part of the image it covers. */
export interface DetectorView {
  map: Affine;
  scale: number;
  region: Box;
}

/**
 * [Note: face tiling] How an image is cut into tiles for the detector, besides its whole view: square tiles of
 * `share` of the long side (the short side's length when that is shorter), laid so neighbours overlap by at least
 * `overlap` of a tile, for images whose long side is at least `minSide`. A 960 × 720 input gets 2 × 2 tiles of
 * 528 px, which the detector sees at 0.97 times their size instead of the whole view's 0.53: smaller faces are
 * found. A face cut by a tile's inner edge is left to the tile that holds it whole, or to the whole view. Each tile
 * is one more detector run, as long as the whole view's, so the runner (face-runner.ts, TILE_HINT) sees only the
 * tiles where the whole view scored a small box under the face threshold: where a small face may be.
 */
export interface TileRule {
  minSide: number;
  share: number;
  overlap: number;
}

/** Where tiles of `tile` px lie along an axis of `length` px, overlapping by at least `overlap` px: their starts. */
function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const n = Math.ceil((length - tile) / Math.max(1, tile - overlap)) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - tile)) / (n - 1)));
}

/** The tiles of an image ([Note: face tiling]) as detector views of `size`² (each at the top left, as the whole view); none under `minSide`. */
export function detectorTiles(width: number, height: number, size: number, rule: TileRule): DetectorView[] {
  const long = Math.max(width, height);
  if (long < rule.minSide) return [];
  const side = Math.round(long * rule.share);
  const views: DetectorView[] = [];
  for (const y of tileStarts(height, side, side * rule.overlap)) {
    for (const x of tileStarts(width, side, side * rule.overlap)) {
      const region = { x, y, width: Math.min(side, width - x), height: Math.min(side, height - y) };
      const scale = size / Math.max(region.width, region.height);
      views.push({ map: [1 / scale, 0, x, 0, 1 / scale, y], scale, region });
    }
  }
  return views;
}

/**
 * Whether a box found in a tile stays clear of the tile's inner edges (those inside the image) by `margin` px: a
 * box touching one may be a face cut in two, found whole by the neighbouring tile or the whole view.
 */
export function clearOfInnerEdges(box: Box, region: Box, width: number, height: number, margin: number): boolean {
  if (region.x > 0 && box.x < region.x + margin) return false;
  if (region.y > 0 && box.y < region.y + margin) return false;
  if (region.x + region.width < width && box.x + box.width > region.x + region.width - margin) return false;
  if (region.y + region.height < height && box.y + box.height > region.y + region.height - margin) return false;
  return true;
}

/**
 * The landmark net's view of a face box: the box, padded to a square about its centre (face-api pads the short
 * side equally on both sides), scaled to `size`².
 */
export function landmarkView(box: Box, size: number): Affine {
  const side = Math.max(box.width, box.height);
  const x0 = box.x - (side - box.width) / 2;
  const y0 = box.y - (side - box.height) / 2;
  return [side / size, 0, x0, 0, side / size, y0];
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression, as face-api's SSD does it: candidates over `minScore`, best first, each kept
 * unless it overlaps a kept one by more than `maxIou`; at most `maxResults`. Returns the kept indices.
 */
export function nonMaxSuppression(boxes: readonly Box[], scores: ArrayLike<number>, opts: { minScore: number; maxIou: number; maxResults: number }): number[] {
  const order = Array.from({ length: boxes.length }, (_, i) => i)
    .filter((i) => scores[i]! > opts.minScore)
    .sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= opts.maxResults) break;
    if (kept.every((j) => iou(boxes[i]!, boxes[j]!) <= opts.maxIou)) kept.push(i);
  }
  return kept;
}

/**
 * The least-squares similarity transform (rotation, uniform scale, translation; no reflection) taking `from`
 * points onto `to` points (Umeyama's method in 2-D), as an Affine.
 */
export function similarityTransform(from: ReadonlyArray<readonly [number, number]>, to: ReadonlyArray<readonly [number, number]>): Affine {
  const n = from.length;
  if (n < 2 || to.length !== n) throw new Error(`a similarity transform needs at least 2 point pairs, got ${n} and ${to.length}`);
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]![0];
    fy += from[i]![1];
    tx += to[i]![0];
    ty += to[i]![1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  // With complex numbers p = from − mean, q = to − mean: the best q ≈ z·p has z = Σ conj(p)·q / Σ |p|².
  let re = 0;
  let im = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]![0] - fx;
    const py = from[i]![1] - fy;
    const qx = to[i]![0] - tx;
    const qy = to[i]![1] - ty;
    re += px * qx + py * qy;
    im += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('a similarity transform needs points that are not all the same');
  const a = re / norm;
  const b = im / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

/**
 * dlib's mean face (get_face_chip_details in dlib/image_transforms/interpolation.h): points 17–67 of the 68-point
 * layout, 0–1 across the face. dlib's face recognition model was trained on chips aligned to it.
 */
const MEAN_FACE_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
  0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
  0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
  0.553364, 0.490127, 0.42689,
];
const MEAN_FACE_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
  0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
  0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
  0.784792, 0.824182, 0.831803, 0.824182,
];

/**
 * The 68-point layout mirrored left to right: point i of a face is point LANDMARK_MIRROR[i] of its mirror image (the
 * jaw, brows, eyes, nostrils and lips swap sides; the nose's ridge and the middle points stay).
 */
export const LANDMARK_MIRROR: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const swap = (a: number, b: number) => {
    m[a] = b;
    m[b] = a;
  };
  for (let i = 0; i < 8; i++) swap(i, 16 - i); // jaw
  for (let i = 0; i < 5; i++) swap(17 + i, 26 - i); // brows
  for (const [a, b] of [[31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67]] as const) swap(a, b);
  return m;
})();

/** A point of dlib's mean face, 0–1 across the face, for indices 17–67. */
export function meanFacePoint(i: number): [number, number] {
  if (i < 17 || i > 67) throw new Error(`dlib's mean face has points 17–67, not ${i}`);
  return [MEAN_FACE_X[i - 17]!, MEAN_FACE_Y[i - 17]!];
}

/**
 * The landmarks the alignment uses, as dlib does: the nose, the eyes and the outer and upper lip (27–54 and
 * 60–64); not the jaw (it moves with the pose), the eyebrows (with the expression) nor the lower lip (with the
 * mouth's opening).
 */
export const ALIGN_POINTS: readonly number[] = Array.from({ length: 68 }, (_, i) => i).filter((i) => i >= 27 && !(i >= 55 && i <= 59) && !(i >= 65 && i <= 67));

/** Where ALIGN_POINTS go in a `size`² chip with `padding` (a share of the face's width on each side; dlib's example 0.25). */
export function chipTemplate(size: number, padding: number): Array<[number, number]> {
  return ALIGN_POINTS.map((i) => [((padding + MEAN_FACE_X[i - 17]!) / (1 + 2 * padding)) * size, ((padding + MEAN_FACE_Y[i - 17]!) / (1 + 2 * padding)) * size]);
}

/** The map from a `size`² aligned chip's pixels to the image's, from 68 landmarks (x, y interleaved, image pixels). */
export function chipMap(landmarks: ArrayLike<number>, size: number, padding: number): Affine {
  if (landmarks.length !== 136) throw new Error(`expected 68 landmarks (136 numbers), got ${landmarks.length}`);
  const to = ALIGN_POINTS.map((i) => [landmarks[2 * i]!, landmarks[2 * i + 1]!] as [number, number]);
  return similarityTransform(chipTemplate(size, padding), to);
}
