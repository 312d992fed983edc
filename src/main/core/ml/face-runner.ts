// Inside the ML worker: finding faces in a photo and describing them with the converted face-api models
// ([Note: face model conversion] in face-convert.ts) on the worker's ONNX Runtime sessions.
//
// [Note: face pipeline]
// 1. Detection. The image is scaled so its long side is 512 px, at the top left of a 512² square (black
//    elsewhere, as face-api pads it), and the SSD gives 5,118 decoded boxes with a face score each. An image of
//    768 px and more is seen again in overlapping tiles ([Note: face tiling] in face-geometry.ts: 2 × 2 on the
//    faces stage's 960 px input), which finds smaller faces: those tiles that hold a hint of a small face in the
//    whole view (TILE_HINT: a small box scored over 0.2, not within a face found); boxes a tile cut at its inner
//    edges are dropped. When no view finds a face, the image is seen once more at half the size (256 px on the 512² square):
//    the detector misses a face that fills most of its view. Boxes over minScore (face-api's 0.5) from every view
//    are kept best first unless they overlap a kept one by IoU over 0.5 (face-api's NMS), at most maxFaces; they
//    are clipped to their view and scaled to the image's pixels.
// 2. Landmarks. Each box is padded to a square about its centre and scaled to 112², and the landmark net gives
//    68 points for it and for its mirror image; the mean of the two (the mirror's points mirrored back and paired
//    by LANDMARK_MIRROR), mapped back to the image's pixels.
// 3. Alignment (face-geometry.ts). The least-squares similarity transform from dlib's mean face (nose, eyes,
//    upper lip) to the landmarks places the face in a 150² chip with dlib's 0.25 padding, the chips dlib's
//    recognition model was trained on.
// 4. Description. The recognition net describes the chip and the chip mirrored; the descriptor is their mean, 128
//    numbers. Two faces of one person lie within about 0.6 of each other (Euclidean), as dlib says of its model
//    (bench:faces measures it on LFW; README "Faces (models)" has what each of these choices gave).
// Steps 2–4 run in batches of the photo's faces.
import { chipMap, clearOfInnerEdges, detectorTiles, detectorView, LANDMARK_MIRROR, landmarkView, nonMaxSuppression, sampleAffine, applyAffine, type Box, type DetectorView, type RgbImage, type TileRule } from './face-geometry.ts';
import { FACE_INPUT } from './face-convert.ts';
import type { ProviderReport } from './providers.ts';

/** Which face models to run, as the worker loads them (on first use, and again after a restart). */
export interface FaceModelRef {
  /** The models' version ([Note: face version] in service.ts): the sessions' cache key. */
  key: string;
  /** Absolute paths of the three ONNX files. */
  detector: string;
  landmarks: string;
  recognition: string;
}

export interface FaceImage {
  /** Packed RGB, 8 bits a channel; transferred, not copied. */
  data: ArrayBuffer;
  width: number;
  height: number;
  /** Face boxes to describe instead of detecting (a file's own face regions, say), in the image's pixels. */
  boxes?: Box[];
}

export interface FaceOptions {
  /** Faces the detector scores under this are dropped (face-api's minConfidence 0.5). */
  minScore: number;
  /** At most this many faces a photo (face-api's maxResults 100). */
  maxFaces: number;
  /** Whether to find landmarks and descriptors (false: detection only). */
  describe: boolean;
  /**
   * Which of the image's tiles the detector also sees when it is large enough ([Note: face tiling]): those where
   * the whole view saw a possible small face ('hinted', the default), all, or none.
   */
  tiles?: 'hinted' | 'all' | 'none';
}

export const FACE_DEFAULTS: FaceOptions = { minScore: 0.5, maxFaces: 100, describe: true };

/** The tiles the detector sees besides the whole image ([Note: face tiling] in face-geometry.ts): 2 × 2 on the faces stage's 960 px input. */
export const TILES: TileRule = { minSide: 768, share: 0.55, overlap: 0.15 };

/**
 * A hint of a small face in the whole view, which sends the tiles holding it to the detector: a box scored over
 * `score` (under the face threshold) and under `share` of the image's long side high, its centre not in a face found.
 */
export const TILE_HINT = { score: 0.2, share: 0.12 };

/** The aligned chip: its side in pixels and dlib's padding around the mean face. */
export const CHIP_SIZE = FACE_INPUT.recognition;
export const CHIP_PADDING = 0.25;

export interface FoundFace {
  /** In the input image's pixels. */
  box: Box;
  /** The detector's score, 0–1. */
  score: number;
  /** 68 points, x and y interleaved, in the input image's pixels (empty when not described). */
  landmarks: number[];
  /** The descriptor (empty when not described). */
  descriptor: number[];
}

export interface FaceOutput {
  faces: FoundFace[];
  /** Milliseconds for detection (the input, the detector and NMS), landmarks and descriptors (alignment included). */
  ms: { detect: number; landmarks: number; describe: number };
  /** Why this image could not be read (the others of its request were). */
  error?: string;
  /** How many views the detector saw (the whole image, tiles, the half-size view). */
  views?: number;
}

/** The worker's sessions, as the runner uses them: loaded by name from a file, run on one float input. */
export interface FaceSessions {
  ensure(name: string, file: string): Promise<ProviderReport>;
  run(name: string, input: Float32Array, dims: number[]): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
}

/** A model file that will not load: the model's problem, never a photo's. */
export class FaceLoadError extends Error {}

const BATCH = 16;

export class FaceRunner {
  constructor(private readonly sessions: FaceSessions) {}

  private names(ref: FaceModelRef) {
    return { det: `faces:${ref.key}:det`, lm: `faces:${ref.key}:lm`, rec: `faces:${ref.key}:rec` };
  }

  /** Loads the three sessions (once each); returns where the detector runs. */
  async load(ref: FaceModelRef): Promise<ProviderReport> {
    const n = this.names(ref);
    try {
      const report = await this.sessions.ensure(n.det, ref.detector);
      await this.sessions.ensure(n.lm, ref.landmarks);
      await this.sessions.ensure(n.rec, ref.recognition);
      return report;
    } catch (e) {
      throw new FaceLoadError(e instanceof Error ? e.message : String(e));
    }
  }

  /** The faces of one image: found by the detector, or the `given` boxes (their score is 1). */
  async find(ref: FaceModelRef, image: RgbImage, opts: FaceOptions = FACE_DEFAULTS, given?: readonly Box[]): Promise<FaceOutput> {
    if (image.width < 1 || image.height < 1 || image.data.length < image.width * image.height * 3) {
      throw new Error(`not an RGB image of ${image.width}×${image.height}: ${image.data.length} bytes`);
    }
    await this.load(ref);
    const n = this.names(ref);
    const t0 = performance.now();
    const found = given
      ? { faces: given.map((b) => ({ box: clipBox(b, { x: 0, y: 0, width: image.width, height: image.height }), score: 1 })).filter((f) => f.box.width >= 1 && f.box.height >= 1), views: 0 }
      : await this.detect(n.det, image, opts);
    const boxes = found.faces;
    const views = found.views;
    const t1 = performance.now();
    if (!opts.describe || boxes.length === 0) {
      return { faces: boxes.map((b) => ({ ...b, landmarks: [], descriptor: [] })), ms: { detect: t1 - t0, landmarks: 0, describe: 0 }, views };
    }
    const landmarks = await this.landmarks(n.lm, image, boxes.map((b) => b.box));
    const t2 = performance.now();
    const descriptors = await this.describe(n.rec, image, landmarks);
    const t3 = performance.now();
    return {
      faces: boxes.map((b, i) => ({ ...b, landmarks: Array.from(landmarks[i]!), descriptor: Array.from(descriptors[i]!) })),
      ms: { detect: t1 - t0, landmarks: t2 - t1, describe: t3 - t2 },
      views,
    };
  }

  private async detect(session: string, image: RgbImage, opts: FaceOptions): Promise<{ faces: Array<{ box: Box; score: number }>; views: number }> {
    const size = FACE_INPUT.detector;
    const all: Box = { x: 0, y: 0, width: image.width, height: image.height };
    const boxes: Box[] = [];
    const scores: number[] = [];
    const input = new Float32Array(3 * size * size);
    let views = 0;
    /** Runs the detector on a view; keeps its faces, and returns its boxes over `least` with their scores. */
    const see = async (view: DetectorView, tile: boolean, least = opts.minScore) => {
      views++;
      input.fill(0);
      sampleAffine(image, view.map, size, size, input);
      const out = await this.sessions.run(session, input, [1, 3, size, size]);
      const raw = out.boxes!.data;
      const score = out.scores!.data;
      const seen: Array<{ box: Box; score: number }> = [];
      // Faces cut at a tile's inner edges are left to the view that holds them whole; a margin of 1% of the tile.
      const margin = 0.01 * Math.max(view.region.width, view.region.height);
      for (let i = 0; i < score.length; i++) {
        if (!(score[i]! > least)) continue;
        // ymin, xmin, ymax, xmax of the 512² square, clipped to it as face-api does, then to the view's region.
        const [x0, y0] = applyAffine(view.map, Math.max(0, raw[i * 4 + 1]!) * size, Math.max(0, raw[i * 4]!) * size);
        const [x1, y1] = applyAffine(view.map, Math.min(1, raw[i * 4 + 3]!) * size, Math.min(1, raw[i * 4 + 2]!) * size);
        const box = clipBox({ x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) }, view.region);
        if (tile && !clearOfInnerEdges(box, view.region, image.width, image.height, margin)) continue;
        seen.push({ box, score: score[i]! });
        if (score[i]! > opts.minScore) {
          boxes.push(box);
          scores.push(score[i]!);
        }
      }
      return seen;
    };
    const mode = opts.tiles ?? 'hinted';
    const wholeSeen = await see({ ...detectorView(image.width, image.height, size), region: all }, false, Math.min(opts.minScore, TILE_HINT.score));
    if (mode !== 'none') {
      const tiles = detectorTiles(image.width, image.height, size, TILES);
      // [Note: face tiling] 'hinted': only the tiles holding the centre of a box the whole view scored under the
      // face threshold but over the hint's, small, and not within a face it found: where a small face may be.
      const long = Math.max(image.width, image.height);
      const inside = (b: Box, r: Box) => b.x + b.width / 2 >= r.x && b.x + b.width / 2 < r.x + r.width && b.y + b.height / 2 >= r.y && b.y + b.height / 2 < r.y + r.height;
      const hints = wholeSeen.filter((h) => h.score <= opts.minScore && h.box.height < TILE_HINT.share * long && !boxes.some((f) => inside(h.box, f)));
      for (const tile of tiles) if (mode === 'all' || hints.some((h) => inside(h.box, tile.region))) await see(tile, true);
    }
    // Nothing found: once more with the image at half the size, for a face that fills most of it (the detector
    // misses one over about 45% of its view: 146 of lfw-dev's 1,583 close-cropped faces, found this way).
    if (boxes.length === 0) await see({ ...detectorView(image.width, image.height, size / 2), region: all }, false);
    // One NMS over every view's boxes: a face found by the whole view and by a tile is kept once, at its best score.
    const kept = nonMaxSuppression(boxes, scores, { minScore: opts.minScore, maxIou: 0.5, maxResults: opts.maxFaces });
    return { faces: kept.map((i) => ({ box: boxes[i]!, score: scores[i]! })).filter((f) => f.box.width >= 1 && f.box.height >= 1), views };
  }

  /**
   * 68 landmarks per box, in the image's pixels: the mean of the net's points on the box's crop and, mirrored back,
   * on the crop mirrored left to right (LANDMARK_MIRROR pairs the points).
   */
  private async landmarks(session: string, image: RgbImage, boxes: readonly Box[]): Promise<Float64Array[]> {
    const size = FACE_INPUT.landmarks;
    const slot = 3 * size * size;
    const out: Float64Array[] = [];
    for (let s = 0; s < boxes.length; s += BATCH) {
      const batch = boxes.slice(s, s + BATCH);
      const maps = batch.map((b) => landmarkView(b, size));
      const input = new Float32Array(2 * batch.length * slot);
      maps.forEach((m, j) => {
        sampleAffine(image, m, size, size, input, 2 * j * slot);
        mirrorInto(input, 2 * j * slot, (2 * j + 1) * slot, size);
      });
      const res = (await this.sessions.run(session, input, [2 * batch.length, 3, size, size])).landmarks!.data;
      maps.forEach((m, j) => {
        const own = 2 * j * 136;
        const mirrored = (2 * j + 1) * 136;
        const pts = new Float64Array(136);
        for (let p = 0; p < 68; p++) {
          const q = LANDMARK_MIRROR[p]!;
          // The mirrored crop's point q is this face's point p, at size − x in the crop.
          const u = (res[own + 2 * p]! * size + size - res[mirrored + 2 * q]! * size) / 2;
          const v = ((res[own + 2 * p + 1]! + res[mirrored + 2 * q + 1]!) * size) / 2;
          const [x, y] = applyAffine(m, u, v);
          pts[2 * p] = x;
          pts[2 * p + 1] = y;
        }
        out.push(pts);
      });
    }
    return out;
  }

  /**
   * A descriptor per face: the mean of its aligned chip's and the chip mirrored left to right (dlib's own
   * "jittering" takes the same mirror; measured in bench:faces, README "People").
   */
  private async describe(session: string, image: RgbImage, landmarks: readonly Float64Array[]): Promise<Float32Array[]> {
    const slot = 3 * CHIP_SIZE * CHIP_SIZE;
    const out: Float32Array[] = [];
    for (let s = 0; s < landmarks.length; s += BATCH) {
      const batch = landmarks.slice(s, s + BATCH);
      const input = new Float32Array(2 * batch.length * slot);
      batch.forEach((lm, j) => {
        sampleAffine(image, chipMap(lm, CHIP_SIZE, CHIP_PADDING), CHIP_SIZE, CHIP_SIZE, input, 2 * j * slot);
        mirrorInto(input, 2 * j * slot, (2 * j + 1) * slot, CHIP_SIZE);
      });
      const res = await this.sessions.run(session, input, [2 * batch.length, 3, CHIP_SIZE, CHIP_SIZE]);
      const d = res.descriptor!;
      const dim = d.dims[1]!;
      batch.forEach((_, j) => {
        const a = d.data.subarray(2 * j * dim, (2 * j + 1) * dim);
        const b = d.data.subarray((2 * j + 1) * dim, (2 * j + 2) * dim);
        out.push(Float32Array.from(a, (v, k) => (v + b[k]!) / 2));
      });
    }
    return out;
  }
}

/** Writes the NCHW image of `size`² at `from` mirrored left to right at `to`. */
function mirrorInto(data: Float32Array, from: number, to: number, size: number): void {
  for (let row = 0; row < 3 * size; row++) {
    const a = from + row * size;
    const b = to + row * size;
    for (let x = 0; x < size; x++) data[b + x] = data[a + size - 1 - x]!;
  }
}

/** The part of `b` inside `region` (the image, or a tile of it). */
function clipBox(b: Box, region: Box): Box {
  const x0 = Math.max(region.x, Math.min(region.x + region.width, b.x));
  const y0 = Math.max(region.y, Math.min(region.y + region.height, b.y));
  const x1 = Math.max(region.x, Math.min(region.x + region.width, b.x + b.width));
  const y1 = Math.max(region.y, Math.min(region.y + region.height, b.y + b.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The Euclidean distance between two descriptors. */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`descriptors of different lengths: ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
