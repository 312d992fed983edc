// CLIP image preprocessing from preprocessor_config.json, done exactly as transformers.js does it in
// Node (sharp bicubic affine to the shortest edge, center crop, rescale, normalize), so a model sees
// the same pixel_values here as under transformers.js.
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';

export interface ProcessorConfig {
  shortestEdge: number;
  cropWidth: number;
  cropHeight: number;
  /** PIL resample code: 0 nearest, 2 bilinear, 3 bicubic. */
  resample: number;
  doResize: boolean;
  doCenterCrop: boolean;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  mean: [number, number, number];
  std: [number, number, number];
}

type Json = Record<string, unknown>;

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function triple(v: unknown, fallback: [number, number, number]): [number, number, number] {
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')) return v as [number, number, number];
  if (typeof v === 'number') return [v, v, v];
  return fallback;
}

/** Reads preprocessor_config.json in its several historical spellings (size as int or object). */
export function parseProcessorConfig(json: Json): ProcessorConfig {
  const size = json.size as number | { shortest_edge?: number; height?: number; width?: number } | undefined;
  const shortestEdge = typeof size === 'number' ? size : num(size?.shortest_edge, num(size?.height, 224));
  const crop = json.crop_size as number | { height?: number; width?: number } | undefined;
  const cropWidth = typeof crop === 'number' ? crop : num(crop?.width, shortestEdge);
  const cropHeight = typeof crop === 'number' ? crop : num(crop?.height, shortestEdge);
  return {
    shortestEdge,
    cropWidth,
    cropHeight,
    resample: num(json.resample, 3),
    doResize: json.do_resize !== false,
    doCenterCrop: json.do_center_crop !== false,
    doRescale: json.do_rescale !== false,
    rescaleFactor: num(json.rescale_factor, 1 / 255),
    doNormalize: json.do_normalize !== false,
    mean: triple(json.image_mean, [0.48145466, 0.4578275, 0.40821073]),
    std: triple(json.image_std, [0.26862954, 0.26130258, 0.27577711]),
  };
}

export function loadProcessorConfig(modelDir: string): ProcessorConfig {
  const file = path.join(modelDir, 'preprocessor_config.json');
  return parseProcessorConfig(JSON.parse(fs.readFileSync(file, 'utf8')) as Json);
}

const INTERPOLATORS: Record<number, 'nearest' | 'bilinear' | 'bicubic'> = { 0: 'nearest', 2: 'bilinear', 3: 'bicubic', 4: 'bilinear', 5: 'bilinear' };

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The shortest-edge size transformers.js computes (same rounding). */
export function resizeTarget(width: number, height: number, shortestEdge: number): [number, number] {
  const f = Math.max(shortestEdge / width, shortestEdge / height);
  return [Math.floor(Number((width * f).toFixed(2))), Math.floor(Number((height * f).toFixed(2)))];
}

async function toRgb(img: Sharp): Promise<RgbImage> {
  const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** Decodes a file (orientation applied) to 8-bit RGB. */
export async function readRgb(file: string | Buffer): Promise<RgbImage> {
  return toRgb(sharp(file).rotate());
}

/**
 * [Note: decode once] The image a CLIP model sees is the photo reduced (antialiased) to twice the
 * model's shortest edge, then preprocessed exactly as transformers.js does. The reduction comes
 * from the thumbnail stage's decode when it is still in memory, else from the cached preview.
 * Antialiasing first keeps the bicubic step from aliasing, as PIL's bicubic (which CLIP was trained
 * with) does not alias either; transformers.js's own Node path would resize 4000 px to 224 directly.
 */
export function modelSourceEdge(cfg: ProcessorConfig): number {
  return 2 * Math.max(cfg.shortestEdge, cfg.cropWidth, cfg.cropHeight);
}

/**
 * pixel_values for one image, channels first (3×H×W), written into `out` at `offset` when given.
 */
export async function clipPixelValues(image: RgbImage, cfg: ProcessorConfig, out?: Float32Array, offset = 0): Promise<Float32Array> {
  let img: RgbImage = image;
  const raw = (i: RgbImage) => sharp(i.data, { raw: { width: i.width, height: i.height, channels: 3 } });
  if (cfg.doResize) {
    const [w, h] = resizeTarget(img.width, img.height, cfg.shortestEdge);
    if (w !== img.width || h !== img.height) {
      img = await toRgb(raw(img).affine([w / img.width, 0, 0, h / img.height], { interpolator: INTERPOLATORS[cfg.resample] ?? 'bicubic' }));
    }
  }
  if (cfg.doCenterCrop && (img.width !== cfg.cropWidth || img.height !== cfg.cropHeight)) {
    const dx = (img.width - cfg.cropWidth) / 2;
    const dy = (img.height - cfg.cropHeight) / 2;
    if (dx >= 0 && dy >= 0) {
      img = await toRgb(raw(img).extract({ left: Math.floor(dx), top: Math.floor(dy), width: cfg.cropWidth, height: cfg.cropHeight }));
    } else {
      // Smaller than the crop on some side: pad with black, as transformers.js does.
      const padded = raw(img).extend({
        top: Math.max(0, Math.floor(-dy)),
        left: Math.max(0, Math.floor(-dx)),
        bottom: Math.max(0, Math.ceil(-dy)),
        right: Math.max(0, Math.ceil(-dx)),
        background: { r: 0, g: 0, b: 0 },
      });
      const p = await toRgb(padded);
      img = await toRgb(
        raw(p).extract({ left: Math.max(0, Math.floor((p.width - cfg.cropWidth) / 2)), top: Math.max(0, Math.floor((p.height - cfg.cropHeight) / 2)), width: cfg.cropWidth, height: cfg.cropHeight }),
      );
    }
  }
  const { width, height, data } = img;
  const plane = width * height;
  const target = out ?? new Float32Array(3 * plane);
  const scale = cfg.doRescale ? cfg.rescaleFactor : 1;
  for (let c = 0; c < 3; c++) {
    const mean = cfg.doNormalize ? cfg.mean[c]! : 0;
    const std = cfg.doNormalize ? cfg.std[c]! : 1;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) target[base + i] = (data[i * 3 + c]! * scale - mean) / std;
  }
  return target;
}
