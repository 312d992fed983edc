// OCR's tensors: the detector's input, a text line's crop rectified into the classifier's and the recognizer's
// inputs, and the recognizer's CTC output decoded over its dictionary, as PaddleOCR's predict_system does them
// ([Note: OCR pipeline] in ocr-runner.ts). Pure: pixels and numbers in, numbers and text out.
import type { Point, Quad } from './ocr-geometry.ts';

export interface RgbImage {
  /** Packed RGB, 8 bits per channel. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** PaddleOCR's models were trained on OpenCV's BGR images: channel 0 of every input is blue. */
const BGR = [2, 1, 0] as const;

/** The detector's input size: the long side at most `limit` (never enlarged), each side a multiple of 32 (DetResizeForTest). */
export function detectionSize(width: number, height: number, limit: number): { width: number; height: number } {
  const ratio = Math.max(width, height) > limit ? limit / Math.max(width, height) : 1;
  const side = (v: number) => Math.max(Math.round(Math.trunc(v * ratio) / 32) * 32, 32);
  return { width: side(width), height: side(height) };
}

/**
 * The detector's input x [1,3,H,W]: the image resized to width × height (area-averaged when it shrinks,
 * bilinear when it grows), BGR, (v/255 − mean) / std with ImageNet's mean and std.
 */
export function detectionInput(img: RgbImage, width: number, height: number): Float32Array {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const out = new Float32Array(3 * width * height);
  const plane = width * height;
  const sx = img.width / width;
  const sy = img.height / height;
  const nx = Math.max(1, Math.min(4, Math.ceil(sx)));
  const ny = Math.max(1, Math.min(4, Math.ceil(sy)));
  if (nx === 1 && ny === 1) {
    bilinearInput(img, width, height, out, mean, std);
    return out;
  }
  const sample = sampler(img);
  const px = new Float32Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      px.fill(0);
      for (let j = 0; j < ny; j++) {
        const fy = (y + (j + 0.5) / ny) * sy - 0.5;
        for (let i = 0; i < nx; i++) sample((x + (i + 0.5) / nx) * sx - 0.5, fy, px, 1 / (nx * ny));
      }
      const o = y * width + x;
      for (let c = 0; c < 3; c++) out[c * plane + o] = (px[BGR[c]!]! / 255 - mean[c]!) / std[c]!;
    }
  }
  return out;
}

/**
 * detectionInput's common case, an image about the input's size (the thumbnail stage hands over 960 px, the input
 * is that rounded to multiples of 32): one bilinear read per pixel, its columns' weights computed once.
 */
function bilinearInput(img: RgbImage, width: number, height: number, out: Float32Array, mean: readonly number[], std: readonly number[]): void {
  const { data, width: iw, height: ih } = img;
  const plane = width * height;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) * (iw / width) - 0.5, 0), iw - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x]! + 1, iw - 1);
    fxs[x] = fx - x0s[x]!;
  }
  // Per channel (BGR order): (v / 255 - mean) / std = v * a + b.
  const a = [0, 1, 2].map((c) => 1 / (255 * std[c]!));
  const b = [0, 1, 2].map((c) => -mean[c]! / std[c]!);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * (ih / height) - 0.5, 0), ih - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, ih - 1);
    const wy = fy - y0;
    const r0 = y0 * iw * 3;
    const r1 = y1 * iw * 3;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const i00 = r0 + x0s[x]! * 3;
      const i10 = r0 + x1s[x]! * 3;
      const i01 = r1 + x0s[x]! * 3;
      const i11 = r1 + x1s[x]! * 3;
      const wx = fxs[x]!;
      const w00 = (1 - wx) * (1 - wy);
      const w10 = wx * (1 - wy);
      const w01 = (1 - wx) * wy;
      const w11 = wx * wy;
      for (let c = 0; c < 3; c++) {
        const k = BGR[c]!;
        const v = data[i00 + k]! * w00 + data[i10 + k]! * w10 + data[i01 + k]! * w01 + data[i11 + k]! * w11;
        out[c * plane + o + x] = v * a[c]! + b[c]!;
      }
    }
  }
}

/** Bilinear reads of an image with edge replication (OpenCV's BORDER_REPLICATE): adds weight × RGB to `acc`. */
function sampler(img: RgbImage): (x: number, y: number, acc: Float32Array, weight: number) => void {
  const { data, width, height } = img;
  return (x, y, acc, weight) => {
    const cx = Math.min(Math.max(x, 0), width - 1);
    const cy = Math.min(Math.max(y, 0), height - 1);
    const x0 = Math.floor(cx);
    const y0 = Math.floor(cy);
    const x1 = Math.min(x0 + 1, width - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const fx = cx - x0;
    const fy = cy - y0;
    const w00 = (1 - fx) * (1 - fy) * weight;
    const w10 = fx * (1 - fy) * weight;
    const w01 = (1 - fx) * fy * weight;
    const w11 = fx * fy * weight;
    const i00 = (y0 * width + x0) * 3;
    const i10 = (y0 * width + x1) * 3;
    const i01 = (y1 * width + x0) * 3;
    const i11 = (y1 * width + x1) * 3;
    for (let c = 0; c < 3; c++) acc[c]! += data[i00 + c]! * w00 + data[i10 + c]! * w10 + data[i01 + c]! * w01 + data[i11 + c]! * w11;
  };
}

/**
 * A text line's crop, as the corners it is read from: upright and left to right, turned a quarter when the box
 * is at least 1.5 times taller than wide (a vertical line, get_rotate_crop_image's rot90), half a turn when the
 * classifier said so. Returns the corners and the crop's size.
 */
export function lineCrop(quad: Quad, turned: boolean): { corners: Quad; width: number; height: number } {
  const d = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  let corners: Quad = quad;
  let width = Math.max(d(quad[0], quad[1]), d(quad[3], quad[2]));
  let height = Math.max(d(quad[0], quad[3]), d(quad[1], quad[2]));
  if (height >= 1.5 * width) {
    // np.rot90 of the crop: its top-right corner becomes the top-left.
    corners = [quad[1], quad[2], quad[3], quad[0]];
    [width, height] = [height, width];
  }
  if (turned) corners = [corners[2], corners[3], corners[0], corners[1]];
  return { corners, width: Math.max(1, width), height: Math.max(1, height) };
}

/**
 * Writes a line's crop into a [3,48,W] slot of a batch: resized to `height` rows and width
 * min(ceil(height × aspect), maxWidth) columns, (v/255 − 0.5) / 0.5, zeros to the right up to slotWidth
 * (resize_norm_img). The crop is sampled straight from the image through the corners (the rectification,
 * warpPerspective's, for a rectangle), averaged over several samples per pixel where it shrinks.
 */
export function writeLine(img: RgbImage, crop: { corners: Quad; width: number; height: number }, out: Float32Array, offset: number, height: number, slotWidth: number, maxWidth = slotWidth): number {
  const ratio = crop.width / crop.height;
  const w = Math.max(1, Math.min(maxWidth, slotWidth, Math.ceil(height * ratio)));
  const [p0, p1, , p3] = crop.corners;
  const ax = p1[0] - p0[0];
  const ay = p1[1] - p0[1];
  const bx = p3[0] - p0[0];
  const by = p3[1] - p0[1];
  const sample = sampler(img);
  const nu = Math.max(1, Math.min(4, Math.ceil(crop.width / w)));
  const nv = Math.max(1, Math.min(4, Math.ceil(crop.height / height)));
  const plane = height * slotWidth;
  const px = new Float32Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < w; x++) {
      px.fill(0);
      for (let j = 0; j < nv; j++) {
        const v = (y + (j + 0.5) / nv) / height;
        for (let i = 0; i < nu; i++) {
          const u = (x + (i + 0.5) / nu) / w;
          sample(p0[0] + u * ax + v * bx, p0[1] + u * ay + v * by, px, 1 / (nu * nv));
        }
      }
      const o = offset + y * slotWidth + x;
      for (let c = 0; c < 3; c++) out[o + c * plane] = (px[BGR[c]!]! / 255 - 0.5) / 0.5;
    }
  }
  return w;
}

/** A recognizer's dictionary as its output indexes it: the CTC blank at 0, the file's characters, then a space. */
export function parseDictionary(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return ['', ...lines, ' '];
}

/**
 * Greedy CTC decoding of one line ([T, C] probabilities): the best class at each step, repeats merged, blanks
 * dropped; the confidence is the mean probability of the characters kept (PaddleOCR's CTCLabelDecode).
 */
export function ctcDecode(probs: Float32Array, offset: number, steps: number, classes: number, dictionary: readonly string[]): CtcText {
  const chars: string[] = [];
  const at: number[] = [];
  let sum = 0;
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    const base = offset + t * classes;
    let best = 0;
    let bestP = probs[base]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[base + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      chars.push(dictionary[best] ?? '');
      at.push(t);
      sum += bestP;
    }
    prev = best;
  }
  return { text: chars.join(''), chars, at, confidence: chars.length === 0 ? 0 : sum / chars.length };
}

/** A decoded line: its text, each character with the output step it was read at, and the mean probability. */
export interface CtcText {
  text: string;
  chars: string[];
  /** The step of each character (a step is input width / steps pixels of the line). */
  at: number[];
  confidence: number;
}

/**
 * The gaps between words in a recognizer input line (channels first, [3, height, slotWidth] at `offset`, `width`
 * columns of it the line's): runs of columns with no ink at least `gapShare` of the text's height wide (the rows
 * its ink spans: about a font size), as [start, end) column pairs. Ink is the minority side of the line's Otsu
 * threshold (dark text on light, or light on dark alike).
 */
/** How far from the background toward the ink a pixel must be to count as ink. */
const INK_LEVEL = 0.5;
/** A word's gap is at least this many times the line's median gap. */
const GAP_OVER_MEDIAN = 3;

export function wordGaps(input: Float32Array, offset: number, height: number, slotWidth: number, width: number, gapShare: number): [number, number][] {
  const plane = height * slotWidth;
  const y0 = 0;
  const y1 = height;
  const gray = new Float32Array((y1 - y0) * width);
  const hist = new Uint32Array(64);
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < width; x++) {
      const o = offset + y * slotWidth + x;
      const g = (input[o]! + input[o + plane]! + input[o + 2 * plane]!) / 3; // -1..1
      gray[(y - y0) * width + x] = g;
      hist[Math.min(63, Math.max(0, Math.floor((g + 1) * 32)))]!++;
    }
  }
  // Otsu's threshold over the histogram.
  const total = gray.length;
  let sumAll = 0;
  for (let i = 0; i < 64; i++) sumAll += i * hist[i]!;
  let wB = 0;
  let sumB = 0;
  let best = -1;
  let cut = 32;
  for (let i = 0; i < 64; i++) {
    wB += hist[i]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += i * hist[i]!;
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      cut = i;
    }
  }
  const otsu = (cut + 1) / 32 - 1;
  let below = 0;
  let sumBelow = 0;
  let sumAbove = 0;
  for (let i = 0; i < gray.length; i++) {
    if (gray[i]! < otsu) {
      below++;
      sumBelow += gray[i]!;
    } else sumAbove += gray[i]!;
  }
  const inkIsDark = below <= total / 2;
  const darkMean = below ? sumBelow / below : otsu;
  const lightMean = total - below ? sumAbove / (total - below) : otsu;
  // Ink is a pixel most of the way from the background's mean to the ink's: the blur of a small text upscaled to
  // 48 px fills the gaps between words with grey, which must not count.
  const threshold = inkIsDark ? lightMean + INK_LEVEL * (darkMean - lightMean) : darkMean + INK_LEVEL * (lightMean - darkMean);
  const isInk = (i: number) => (inkIsDark ? gray[i]! < threshold : gray[i]! > threshold);
  // The text's rows: where ink covers more than 2 % of the line but not most of it (a sign's edge, a rule, a
  // neighbouring line cut by the box cover a row from end to end and are no text).
  const textRow = new Uint8Array(y1 - y0);
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < y1 - y0; y++) {
    let n = 0;
    for (let x = 0; x < width; x++) if (isInk(y * width + x)) n++;
    if (n > width * 0.02 && n < width * 0.8) {
      textRow[y] = 1;
      if (top < 0) top = y;
      bottom = y;
    }
  }
  if (top < 0) return [];
  // Every run of inkless columns between the first ink and the last.
  const runs: [number, number][] = [];
  let start = -1;
  let seenInk = false;
  for (let x = 0; x < width; x++) {
    let ink = false;
    for (let y = top; y <= bottom && !ink; y++) if (textRow[y] && isInk(y * width + x)) ink = true;
    if (!ink) {
      if (start < 0) start = x;
    } else {
      if (start >= 0 && seenInk) runs.push([start, x]);
      start = -1;
      seenInk = true;
    }
  }
  if (runs.length === 0) return [];
  // A word's gap is wide for the text's height, and wide among the line's gaps: the letters of a monospaced font
  // stand further apart than a proportional font's words would.
  const widths = runs.map(([a, b]) => b - a).sort((a, b) => a - b);
  const median = widths[Math.floor(widths.length / 2)]!;
  const minGap = Math.max(2, gapShare * (bottom - top + 1), GAP_OVER_MEDIAN * median);
  return runs.filter(([a, b]) => b - a >= minGap);
}

/**
 * The decoded text with a space put back wherever a word gap of the line lies between two characters that have
 * none between them: the bundled Chinese and English recognizer often reads "wine shop" as "wineshop". Gaps at
 * the line's ends (its margins) are never spaces.
 */
export function withWordSpaces(read: CtcText, gaps: readonly [number, number][], columnsPerStep: number): string {
  if (gaps.length === 0 || read.chars.length < 2) return read.text;
  const col = (i: number) => (read.at[i]! + 0.5) * columnsPerStep;
  let out = read.chars[0]!;
  for (let i = 1; i < read.chars.length; i++) {
    const a = col(i - 1);
    const b = col(i);
    const gap = gaps.some(([s, e]) => {
      const mid = (s + e) / 2;
      return mid > a && mid < b;
    });
    if (gap && read.chars[i - 1] !== ' ' && read.chars[i] !== ' ') out += ' ';
    out += read.chars[i]!;
  }
  return out;
}
