// A photo's perceptual signature ([Note: perceptual signature]): a 64-bit pHash of the upright image, with a finer
// signature to confirm what the hash proposes (a 16 × 16 normalised greyscale thumbnail, the colour's moments and how
// much structure the image has). Pure but for the reduction, which is sharp's.
import sharp from 'sharp';
import type { RgbPixels } from './decode.ts';

// [Note: perceptual signature]
// Every photo is reduced once to HASH_EDGE × HASH_EDGE RGB, aspect ignored (a resized or lightly cropped copy reduces
// to nearly the same square), from the upright pixels the thumbnail stage decodes (or, for a photo whose thumbnail an
// older Shoebox made, from that cached thumbnail: see pipeline/phash-stage.ts). From that square:
//   - the hash: pHash by DCT, as in pHash.org and Python's imagehash: the square's luma box-filtered to 32 × 32, its
//     2-D DCT-II, the 8 × 8 lowest frequencies (the DC term replaced by (0, 8), since the DC is above the median in
//     every photo and would be a constant bit) compared with their median: 64 bits, robust to scaling, re-encoding,
//     format changes and brightness or contrast (which move coefficients together, not across the median).
//   - the fine grid: the luma box-filtered to 16 × 16, less its mean, over its standard deviation, ×32 as int8: its
//     correlation with another photo's (`gridCorrelation`, -1…1) ignores brightness and contrast and is lowered by a
//     few % of crop only slightly, but by a moved object or another scene a lot.
//   - the colour: the mean chromaticity (r, g and b over their sum), which a brightness or contrast change leaves
//     nearly as it is but which tells a blue photo from a green one with the same structure;
//   - the structure: the luma's standard deviation on the 32 × 32 grid (0…128). Below MIN_STRUCTURE an image is
//     nearly one colour: its hash is the noise of its compression and its grid amplified noise, so neither says
//     anything (core/duplicates treats such photos apart).
// No npm implementation was taken: the ones on npm (sharp-phash, imghash, blockhash-core) each decode the file
// themselves with their own resize (a second decode of every photo, and none reads HEIC or RAW through our one door
// for pixels), and none gives the finer signals; the DCT of a 32 × 32 block is 30 lines.

/** The square every photo is reduced to before hashing. */
export const HASH_EDGE = 64;
/** The signature's version: a change of the rule or its reduction recomputes every photo's signature. */
export const SIGNATURE_VERSION = 1;
/** Side of the normalised greyscale grid. */
export const GRID = 16;
/** Luma standard deviation (32 × 32 grid, 0…255 scale) under which an image counts as near-uniform. */
export const MIN_STRUCTURE = 6;

export interface PhotoSignature {
  /** The pHash, high and low 32 bits. */
  hi: number;
  lo: number;
  /** GRID × GRID luma, zero mean, unit deviation × 32, clamped to int8. */
  grid: Int8Array;
  /** Mean chromaticity r/(r+g+b), g/(r+g+b), b/(r+g+b), each 0…1. */
  chroma: [number, number, number];
  /** Luma standard deviation on the 32 × 32 grid. */
  structure: number;
}

/** Bytes of a stored signature: hash 8, grid 256, chroma 3 × 2 (×65535), structure 2 (×100). */
export const SIGNATURE_BYTES = 8 + GRID * GRID + 6 + 2;

/** The upright image reduced (antialiased, aspect ignored) to the hashing square. */
export async function reduceForHash(img: RgbPixels): Promise<RgbPixels> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(HASH_EDGE, HASH_EDGE, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { data, width: HASH_EDGE, height: HASH_EDGE };
}

/** An encoded image file or buffer (a cached thumbnail) reduced to the hashing square, upright as stored. */
export async function reduceFileForHash(input: string | Buffer): Promise<RgbPixels> {
  const data = await sharp(input)
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(HASH_EDGE, HASH_EDGE, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer();
  return { data, width: HASH_EDGE, height: HASH_EDGE };
}

/** Luma of an RGB square box-filtered to side × side. */
function lumaGrid(img: RgbPixels, side: number): Float64Array {
  const { data, width, height } = img;
  const out = new Float64Array(side * side);
  const counts = new Float64Array(side * side);
  for (let y = 0; y < height; y++) {
    const gy = Math.min(side - 1, Math.floor((y * side) / height));
    for (let x = 0; x < width; x++) {
      const gx = Math.min(side - 1, Math.floor((x * side) / width));
      const i = (y * width + x) * 3;
      out[gy * side + gx]! += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      counts[gy * side + gx]! += 1;
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! /= counts[i]! || 1;
  return out;
}

const N = 32;
/** cos((2x + 1) u π / 2N) for u < 9 (the frequencies the hash reads), x < N. */
const COS = (() => {
  const t = new Float64Array(9 * N);
  for (let u = 0; u < 9; u++) for (let x = 0; x < N; x++) t[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  return t;
})();

/** The 64 DCT coefficients the hash compares: (u, v) for u, v < 8, with (0, 8) in place of the DC. */
function lowFrequencies(luma: Float64Array): Float64Array {
  // Rows first: for each row y, its coefficients over x for v < 9.
  const rows = new Float64Array(N * 9);
  for (let y = 0; y < N; y++) {
    for (let v = 0; v < 9; v++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += luma[y * N + x]! * COS[v * N + x]!;
      rows[y * 9 + v] = s;
    }
  }
  const coef = (u: number, v: number): number => {
    let s = 0;
    for (let y = 0; y < N; y++) s += rows[y * 9 + v]! * COS[u * N + y]!;
    return s;
  };
  const out = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let v = 0; v < 8; v++) out[u * 8 + v] = u === 0 && v === 0 ? coef(0, 8) : coef(u, v);
  return out;
}

/** The signature of an image already reduced to the hashing square (any size works; HASH_EDGE is what is used). */
export function signatureOf(img: RgbPixels): PhotoSignature {
  const luma32 = lumaGrid(img, N);
  const freq = lowFrequencies(luma32);
  const median = [...freq].sort((a, b) => a - b)[32]!;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 32; i++) if (freq[i]! > median) hi |= 1 << (31 - i);
  for (let i = 0; i < 32; i++) if (freq[32 + i]! > median) lo |= 1 << (31 - i);
  let mean32 = 0;
  for (const v of luma32) mean32 += v;
  mean32 /= luma32.length;
  let var32 = 0;
  for (const v of luma32) var32 += (v - mean32) ** 2;
  const structure = Math.sqrt(var32 / luma32.length);

  const luma16 = lumaGrid(img, GRID);
  let mean = 0;
  for (const v of luma16) mean += v;
  mean /= luma16.length;
  let sd = 0;
  for (const v of luma16) sd += (v - mean) ** 2;
  sd = Math.sqrt(sd / luma16.length) || 1;
  const grid = new Int8Array(GRID * GRID);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.max(-127, Math.min(127, Math.round(((luma16[i]! - mean) / sd) * 32)));

  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < img.data.length; i += 3) {
    r += img.data[i]!;
    g += img.data[i + 1]!;
    b += img.data[i + 2]!;
  }
  const sum = r + g + b || 1;
  return { hi: hi >>> 0, lo: lo >>> 0, grid, chroma: [r / sum, g / sum, b / sum], structure };
}

/** Bits set in a 32-bit word. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Bits that differ between two hashes (0…64). */
export function hammingDistance(a: { hi: number; lo: number }, b: { hi: number; lo: number }): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0);
}

/** Pearson correlation of two normalised grids, -1…1 (int8 rounding makes a grid with itself about 1). */
export function gridCorrelation(a: Int8Array, b: Int8Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** The largest difference of two chromaticities' components. */
export function chromaDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.max(Math.abs(a[0]! - b[0]!), Math.abs(a[1]! - b[1]!), Math.abs(a[2]! - b[2]!));
}

/** The signature as stored (SIGNATURE_BYTES). */
export function encodeSignature(s: PhotoSignature): Buffer {
  const buf = Buffer.alloc(SIGNATURE_BYTES);
  buf.writeUInt32BE(s.hi, 0);
  buf.writeUInt32BE(s.lo, 4);
  Buffer.from(s.grid.buffer, s.grid.byteOffset, s.grid.byteLength).copy(buf, 8);
  let o = 8 + GRID * GRID;
  for (const c of s.chroma) {
    buf.writeUInt16BE(Math.round(Math.max(0, Math.min(1, c)) * 65535), o);
    o += 2;
  }
  buf.writeUInt16BE(Math.round(Math.min(655.35, s.structure) * 100), o);
  return buf;
}

/** A stored signature read back; throws on a blob of the wrong length. */
export function decodeSignature(buf: Uint8Array): PhotoSignature {
  if (buf.length !== SIGNATURE_BYTES) throw new Error(`a perceptual signature is ${SIGNATURE_BYTES} bytes, got ${buf.length}`);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const grid = new Int8Array(GRID * GRID);
  grid.set(new Int8Array(b.buffer, b.byteOffset + 8, GRID * GRID));
  const o = 8 + GRID * GRID;
  return {
    hi: b.readUInt32BE(0),
    lo: b.readUInt32BE(4),
    grid,
    chroma: [b.readUInt16BE(o) / 65535, b.readUInt16BE(o + 2) / 65535, b.readUInt16BE(o + 4) / 65535],
    structure: b.readUInt16BE(o + 6) / 100,
  };
}

/** The windows of one axis a crop of up to 10 % may have left: (start, length) in 0…1. */
const WINDOWS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 0.95], [0.025, 0.95], [0.05, 0.95],
  [0, 0.9], [0.05, 0.9], [0.1, 0.9],
];

/** For each window, each output cell's two source cells and the second one's weight (bilinear, cell centres). */
const TAPS = WINDOWS.map(([x0, w]) => {
  const index = new Int32Array(GRID);
  const weight = new Float64Array(GRID);
  for (let x = 0; x < GRID; x++) {
    const f = Math.max(0, Math.min(GRID - 1, (x0 + ((x + 0.5) / GRID) * w) * GRID - 0.5));
    index[x] = Math.min(GRID - 2, Math.floor(f));
    weight[x] = f - index[x]!;
  }
  return { index, weight };
});

/**
 * The best correlation of two grids over the crops either may be of the other (each axis cut by up to 10 %, from
 * either side or both), -1…1: about 1 for the same photo resized, re-encoded, adjusted or lightly cropped. It stops
 * at the first alignment reaching `enough` (a caller comparing with a threshold needs no better), the uncropped one
 * first. Separable: each grid's rows are resampled once per horizontal window, then the columns per vertical one.
 */
export function alignedCorrelation(a: Int8Array, b: Int8Array, enough = 1): number {
  const n = GRID * GRID;
  let best = gridCorrelation(a, b);
  if (best >= enough) return best;
  const rows = new Float64Array(n);
  const centred = new Float64Array(n);
  for (const [from, to] of [[a, b], [b, a]] as const) {
    // The target centred once: the correlation of a window is then Σ out·t / √((Σ out² − (Σ out)² / n) · Σ t²).
    let mean = 0;
    for (let i = 0; i < n; i++) mean += to[i]!;
    mean /= n;
    let tt = 0;
    for (let i = 0; i < n; i++) {
      centred[i] = to[i]! - mean;
      tt += centred[i]! * centred[i]!;
    }
    if (tt === 0) continue;
    for (let wx = 0; wx < TAPS.length; wx++) {
      const { index: ix, weight: dx } = TAPS[wx]!;
      for (let y = 0; y < GRID; y++) {
        const r = y * GRID;
        for (let x = 0; x < GRID; x++) rows[r + x] = from[r + ix[x]!]! * (1 - dx[x]!) + from[r + ix[x]! + 1]! * dx[x]!;
      }
      for (let wy = 0; wy < TAPS.length; wy++) {
        if (wx === 0 && wy === 0) continue; // the uncropped window: compared first
        const { index: iy, weight: dy } = TAPS[wy]!;
        let so = 0;
        let soo = 0;
        let sot = 0;
        for (let y = 0; y < GRID; y++) {
          const r0 = iy[y]! * GRID;
          const r1 = r0 + GRID;
          const w = dy[y]!;
          const o = y * GRID;
          for (let x = 0; x < GRID; x++) {
            const v = rows[r0 + x]! * (1 - w) + rows[r1 + x]! * w;
            so += v;
            soo += v * v;
            sot += v * centred[o + x]!;
          }
        }
        const var0 = soo - (so * so) / n;
        if (var0 <= 0) continue;
        const c = sot / Math.sqrt(var0 * tt);
        if (c > best) {
          best = c;
          if (best >= enough) return best;
        }
      }
    }
  }
  return best;
}
