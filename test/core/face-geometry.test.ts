import { describe, expect, it } from 'vitest';
import {
  ALIGN_POINTS,
  applyAffine,
  chipMap,
  chipTemplate,
  clearOfInnerEdges,
  detectorTiles,
  detectorView,
  iou,
  LANDMARK_MIRROR,
  landmarkView,
  meanFacePoint,
  nonMaxSuppression,
  sampleAffine,
  similarityTransform,
  type Affine,
  type RgbImage,
} from '../../src/main/core/ml/face-geometry.ts';

function image(width: number, height: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = f(x, y, c);
  return { data, width, height };
}

describe('similarity transform', () => {
  it('recovers a rotation, scale and shift from points it moved', () => {
    const angle = 0.3;
    const s = 1.7;
    const m: Affine = [s * Math.cos(angle), -s * Math.sin(angle), 12, s * Math.sin(angle), s * Math.cos(angle), -5];
    const from: Array<[number, number]> = [[0, 0], [10, 0], [3, 7], [-4, 9]];
    const to = from.map(([x, y]) => applyAffine(m, x, y));
    const got = similarityTransform(from, to);
    got.forEach((v, i) => expect(v).toBeCloseTo(m[i]!, 10));
  });

  it('is the least-squares fit when the points do not fit exactly', () => {
    // A square stretched in x: the best similarity scales by the mean stretch and does not rotate.
    const from: Array<[number, number]> = [[-1, -1], [1, -1], [1, 1], [-1, 1]];
    const to: Array<[number, number]> = [[-3, -1], [3, -1], [3, 1], [-3, 1]];
    const [a, b, c, d, e, f] = similarityTransform(from, to);
    expect(a).toBeCloseTo(2, 10);
    expect(e).toBeCloseTo(2, 10);
    expect(b).toBeCloseTo(0, 10);
    expect(d).toBeCloseTo(0, 10);
    expect(c).toBeCloseTo(0, 10);
    expect(f).toBeCloseTo(0, 10);
  });

  it('never reflects: a mirrored point set gets the best rotation instead', () => {
    const from: Array<[number, number]> = [[0, 0], [1, 0], [0, 1]];
    const to: Array<[number, number]> = [[0, 0], [-1, 0], [0, 1]];
    const [a, b, , d, e] = similarityTransform(from, to);
    expect(a * e - b * d).toBeGreaterThanOrEqual(0);
  });

  it('refuses too few or coincident points', () => {
    expect(() => similarityTransform([[0, 0]], [[1, 1]])).toThrow(/at least 2/);
    expect(() => similarityTransform([[1, 1], [1, 1]], [[0, 0], [2, 2]])).toThrow(/not all the same/);
  });
});

describe('face alignment', () => {
  it('uses the nose, eyes and upper lip of the 68 points', () => {
    expect(ALIGN_POINTS).toHaveLength(51 - 10 - 8);
    expect(ALIGN_POINTS).toContain(30); // nose tip
    expect(ALIGN_POINTS).toContain(36); // an eye's corner
    expect(ALIGN_POINTS).not.toContain(8); // the chin
    expect(ALIGN_POINTS).not.toContain(19); // an eyebrow
    expect(ALIGN_POINTS).not.toContain(57); // the lower lip
  });

  it('maps the chip template onto landmarks that are the template moved, and the eyes level in the chip', () => {
    const template = chipTemplate(150, 0.25);
    // Landmarks: the template turned by 20°, halved and moved, for the points used; the rest anywhere.
    const angle = (20 * Math.PI) / 180;
    const move: Affine = [0.5 * Math.cos(angle), -0.5 * Math.sin(angle), 300, 0.5 * Math.sin(angle), 0.5 * Math.cos(angle), 200];
    const lm = new Array<number>(136).fill(0);
    ALIGN_POINTS.forEach((p, i) => {
      const [x, y] = applyAffine(move, template[i]![0], template[i]![1]);
      lm[2 * p] = x;
      lm[2 * p + 1] = y;
    });
    const m = chipMap(lm, 150, 0.25);
    m.forEach((v, i) => expect(v).toBeCloseTo(move[i]!, 9));
    // In the template the outer eye corners (36, 45) are level and inside the chip, the nose below them.
    const at = (p: number) => template[ALIGN_POINTS.indexOf(p)]!;
    expect(at(36)[1]).toBeCloseTo(at(45)[1], 6);
    expect(at(30)[1]).toBeGreaterThan(at(36)[1]);
    for (const [x, y] of template) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(150);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(150);
    }
  });

  it("pairs each landmark with its mirror: an involution that takes dlib's mean face onto itself mirrored", () => {
    expect(LANDMARK_MIRROR).toHaveLength(68);
    for (let i = 0; i < 68; i++) expect(LANDMARK_MIRROR[LANDMARK_MIRROR[i]!]).toBe(i);
    // The mean face is symmetric about the nose's ridge (x 0.490127): the mirror of a point is its partner.
    const ridge = meanFacePoint(27)[0];
    for (let i = 17; i < 68; i++) {
      const [x, y] = meanFacePoint(i);
      const [mx, my] = meanFacePoint(LANDMARK_MIRROR[i]!);
      expect(Math.abs(2 * ridge - x - mx)).toBeLessThan(0.01);
      expect(Math.abs(y - my)).toBeLessThan(0.01);
    }
    // The jaw, which the mean face leaves out: its ends swap, its middle (the chin) stays.
    expect(LANDMARK_MIRROR[0]).toBe(16);
    expect(LANDMARK_MIRROR[8]).toBe(8);
  });

  it('refuses landmarks that are not 68 points', () => {
    expect(() => chipMap(new Array(10).fill(0), 150, 0.25)).toThrow(/68 landmarks/);
  });
});

describe('non-maximum suppression', () => {
  const box = (x: number, y: number, w = 10, h = 10) => ({ x, y, width: w, height: h });

  it('keeps the best of overlapping boxes and every separate one, best first', () => {
    const boxes = [box(0, 0), box(1, 1), box(50, 50), box(2, 0)];
    const scores = [0.8, 0.9, 0.7, 0.6];
    expect(nonMaxSuppression(boxes, scores, { minScore: 0.5, maxIou: 0.5, maxResults: 10 })).toEqual([1, 2]);
  });

  it('keeps boxes that overlap by no more than the threshold', () => {
    // IoU of these two: 50 / 150 = 1/3.
    const boxes = [box(0, 0), box(5, 0)];
    expect(iou(boxes[0]!, boxes[1]!)).toBeCloseTo(1 / 3, 10);
    expect(nonMaxSuppression(boxes, [0.9, 0.8], { minScore: 0.5, maxIou: 0.5, maxResults: 10 })).toEqual([0, 1]);
    expect(nonMaxSuppression(boxes, [0.9, 0.8], { minScore: 0.5, maxIou: 0.3, maxResults: 10 })).toEqual([0]);
  });

  it('drops scores at or under the minimum and stops at maxResults', () => {
    const boxes = [box(0, 0), box(20, 0), box(40, 0), box(60, 0)];
    expect(nonMaxSuppression(boxes, [0.5, 0.6, 0.95, 0.7], { minScore: 0.5, maxIou: 0.5, maxResults: 2 })).toEqual([2, 3]);
  });
});

describe('sampling', () => {
  it('copies an image exactly through the identity', () => {
    const src = image(4, 3, (x, y, c) => x * 40 + y * 7 + c);
    const out = new Float32Array(3 * 4 * 3);
    sampleAffine(src, [1, 0, 0, 0, 1, 0], 4, 3, out);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 3; c++) expect(out[c * 12 + y * 4 + x]).toBeCloseTo(x * 40 + y * 7 + c, 4);
  });

  it('averages a 2× reduction over each output pixel footprint, without aliasing a checkerboard', () => {
    const src = image(8, 8, (x, y) => ((x + y) % 2 ? 255 : 0));
    const out = new Float32Array(3 * 16);
    sampleAffine(src, [2, 0, 0, 0, 2, 0], 4, 4, out);
    for (const v of out) expect(v).toBeCloseTo(127.5, 3);
  });

  it('reads outside the image as black, and writes at the offset of a batch slot', () => {
    const src = image(2, 2, () => 200);
    const out = new Float32Array(2 * 3 * 4).fill(-1);
    sampleAffine(src, [1, 0, 1.5, 0, 1, 0], 2, 2, out, 12);
    expect(out.slice(0, 12).every((v) => v === -1)).toBe(true);
    // Shifted 1.5 px: the first column falls halfway between the last pixel and black, the second on black.
    expect(out[12]).toBeCloseTo(100, 3);
    expect(out[13]).toBeCloseTo(0, 3);
  });

  it('places the detector view at the top left at the long side, and pads a face box to a centred square', () => {
    const v = detectorView(4000, 3000, 512);
    expect(v.scale).toBeCloseTo(512 / 4000, 12);
    expect(applyAffine(v.map, 512, 384)).toEqual([4000, 3000]);
    const m = landmarkView({ x: 100, y: 50, width: 40, height: 80 }, 112);
    expect(applyAffine(m, 0, 0)).toEqual([80, 50]);
    expect(applyAffine(m, 112, 112)).toEqual([160, 130]);
  });
});

describe('sampling without rotation', () => {
  it('gives what the general path gives, for reductions, enlargements and shifts', () => {
    const src = image(97, 61, (x, y, c) => (x * 13 + y * 29 + c * 71 + ((x * y) % 17) * 5) % 256);
    const turned = (m: [number, number, number, number, number, number]): [number, number, number, number, number, number] => [m[0], 1e-300, m[2], 0, m[4], m[5]];
    for (const m of [[97 / 32, 0, 0, 0, 97 / 32, 0], [0.37, 0, 3.2, 0, 0.41, -2.5], [1, 0, 10.5, 0, 1.5, 4], [4.2, 0, -7, 0, 3.9, 2]] as const) {
      const fast = new Float32Array(3 * 40 * 30);
      const general = new Float32Array(3 * 40 * 30);
      sampleAffine(src, [...m], 40, 30, fast);
      // A rotation too small to matter sends the same map down the general path.
      sampleAffine(src, turned([...m]), 40, 30, general);
      for (let i = 0; i < fast.length; i++) expect(Math.abs(fast[i]! - general[i]!)).toBeLessThan(1e-3);
    }
  });
});

describe('tiles', () => {
  const rule = { minSide: 768, share: 0.55, overlap: 0.15 };

  it('cuts the 960 × 720 input into 2 × 2 overlapping square tiles the detector sees at about their size', () => {
    const tiles = detectorTiles(960, 720, 512, rule);
    expect(tiles.map((t) => t.region)).toEqual([
      { x: 0, y: 0, width: 528, height: 528 },
      { x: 432, y: 0, width: 528, height: 528 },
      { x: 0, y: 192, width: 528, height: 528 },
      { x: 432, y: 192, width: 528, height: 528 },
    ]);
    for (const t of tiles) {
      expect(t.scale).toBeCloseTo(512 / 528, 12);
      // The detector's square maps onto the tile, from its top left corner.
      expect(applyAffine(t.map, 0, 0)).toEqual([t.region.x, t.region.y]);
      const [x, y] = applyAffine(t.map, 512, 512);
      expect(x).toBeCloseTo(t.region.x + 528, 9);
      expect(y).toBeCloseTo(t.region.y + 528, 9);
    }
    // Together they cover the image, neighbours overlapping by at least 15% of a tile.
    expect(432 + 528).toBe(960);
    expect(528 - 432).toBeGreaterThanOrEqual(0.15 * 528);
  });

  it('keeps a short side shorter than a tile whole, and tiles nothing under the minimum side', () => {
    const wide = detectorTiles(2000, 500, 512, rule);
    expect(wide.map((t) => t.region.x)).toEqual([0, 900]);
    expect(wide.every((t) => t.region.y === 0 && t.region.height === 500 && t.region.width === 1100)).toBe(true);
    for (let i = 1; i < wide.length; i++) expect(wide[i - 1]!.region.x + 1100 - wide[i]!.region.x).toBeGreaterThanOrEqual(0.15 * 1100);
    expect(detectorTiles(767, 700, 512, rule)).toEqual([]);
    expect(detectorTiles(700, 767, 512, rule)).toEqual([]);
    expect(detectorTiles(768, 300, 512, rule)).toHaveLength(2);
  });

  it('leaves out a box at a tile edge inside the image, not one at the image border', () => {
    const region = { x: 432, y: 0, width: 528, height: 528 };
    // Inner edges: the left (x 432) and the bottom (y 528); the top and right are the image's.
    expect(clearOfInnerEdges({ x: 440, y: 100, width: 50, height: 50 }, region, 960, 720, 5)).toBe(true);
    expect(clearOfInnerEdges({ x: 434, y: 100, width: 50, height: 50 }, region, 960, 720, 5)).toBe(false);
    expect(clearOfInnerEdges({ x: 600, y: 480, width: 50, height: 46 }, region, 960, 720, 5)).toBe(false);
    expect(clearOfInnerEdges({ x: 900, y: 0, width: 60, height: 60 }, region, 960, 720, 5)).toBe(true);
  });
});
