// [Note: face model conversion]
// The face models are face-api's three nets (the npm package @vladmandic/face-api), rebuilt as ONNX graphs from
// its weight files so they run on the ONNX Runtime Shoebox already has, with no TFJS. face-api builds each net in
// code (src/ssdMobilenetv1, src/faceLandmarkNet + src/faceFeatureExtractor, src/faceRecognitionNet in its
// package) from a flat weight file and a TFJS weights manifest of names, shapes and quantization. Here:
// - each weight is read in manifest order, dequantized as TFJS does (value = q·scale + min, uint8 or uint16);
// - conv filters go from TF's HWIO to ONNX's OIHW; a depthwise filter [kh,kw,C,1] becomes a grouped conv
//   (group = C, [C,1,kh,kw]);
// - TF "same" padding is computed per conv from its input size: at stride 2 on an even size it pads one pixel at
//   the bottom and right only (asymmetric pads), as TF does;
// - the SSD's batch norms (depthwise convs) and the recognition net's scale layers fold into their convs
//   (W·s, b·s + t);
// - the recognition net's down-sampling residual blocks concatenate zeros to the pooled shortcut (channels) and
//   to the conv branch (one row and column when the sizes differ): both are Pad nodes;
// - the SSD's box decoding against its 5,118 anchors is in the graph (boxes [N,5118,4] as ymin, xmin, ymax, xmax
//   of the 512 px input, 0–1, and scores [N,5118]); non-maximum suppression stays in code (face-geometry.ts).
// Inputs are RGB pixels 0–255, NCHW, with each net's own normalization in the graph: the detector 512×512
// (x/127.5 − 1), the landmark net 112×112 and the recognition net 150×150 ((x − mean RGB)/255).
// test/core/face-models.test.ts checks the graphs against outputs recorded from face-api on TFJS.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OnnxGraph } from './face-onnx.ts';

/** The three nets, by the file names face-api gives their weights. */
export const FACE_API_NETS = {
  detector: 'ssd_mobilenetv1_model',
  landmarks: 'face_landmark_68_model',
  recognition: 'face_recognition_model',
} as const;
export type FaceNet = keyof typeof FACE_API_NETS;

/** Fixed input sizes of the converted graphs. */
export const FACE_INPUT = { detector: 512, landmarks: 112, recognition: 150 } as const;

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16'; scale: number; min: number };
}
type Manifest = Array<{ paths: string[]; weights: ManifestWeight[] }>;

export interface Weight {
  data: Float32Array;
  shape: number[];
}

/** Decodes a TFJS weights manifest and its weight files (read by `read`, relative to the manifest) into named float arrays. */
export function decodeWeights(manifest: Manifest, read: (file: string) => Uint8Array): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const group of manifest) {
    const parts = group.paths.map(read);
    const buf = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      const q = w.quantization;
      if (q) {
        const bytes = q.dtype === 'uint8' ? 1 : q.dtype === 'uint16' ? 2 : 0;
        if (!bytes) throw new Error(`weight ${w.name}: quantization ${String(q.dtype)} is not supported`);
        if (at + n * bytes > buf.length) throw new Error(`weight ${w.name} runs past the end of the weight file`);
        for (let i = 0; i < n; i++) data[i] = (bytes === 1 ? buf[at + i]! : view.getUint16(at + 2 * i, true)) * q.scale + q.min;
        at += n * bytes;
      } else {
        if (at + n * 4 > buf.length) throw new Error(`weight ${w.name} runs past the end of the weight file`);
        for (let i = 0; i < n; i++) data[i] = w.dtype === 'int32' ? view.getInt32(at + 4 * i, true) : view.getFloat32(at + 4 * i, true);
        at += n * 4;
      }
      out.set(w.name, { data, shape: w.shape });
    }
    if (at !== buf.length) throw new Error(`the weight file has ${buf.length - at} bytes the manifest does not describe`);
  }
  return out;
}

/** Reads one of face-api's nets from its model folder (`<name>-weights_manifest.json` and the files it names). */
export function readFaceApiWeights(modelDir: string, net: FaceNet): Map<string, Weight> {
  const manifestFile = path.join(modelDir, `${FACE_API_NETS[net]}-weights_manifest.json`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  return decodeWeights(manifest, (f) => new Uint8Array(fs.readFileSync(path.join(modelDir, f))));
}

/** A value in the graph with its NCHW size (batch symbolic). */
interface V {
  name: string;
  c: number;
  h: number;
  w: number;
}

/** TF's "same" padding for one axis: [before, after]. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** HWIO [kh,kw,ci,co] → OIHW [co,ci,kh,kw]. */
function hwioToOihw(w: Weight): { data: Float32Array; dims: number[] } {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + i) * co + o]!;
  return { data: out, dims: [co, ci, kh, kw] };
}

/** Depthwise [kh,kw,C,1] → grouped OIHW [C,1,kh,kw]. */
function depthwiseToOihw(w: Weight): { data: Float32Array; dims: number[] } {
  const [kh, kw, c, m] = w.shape as [number, number, number, number];
  if (m !== 1) throw new Error(`depthwise filter with multiplier ${m} is not supported`);
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < c; i++) out[(i * kh + y) * kw + x] = w.data[(y * kw + x) * c + i]!;
  return { data: out, dims: [c, 1, kh, kw] };
}

/** Multiplies each output channel's filter by s[o] (folding a per-channel scale into a conv). */
function scaleFilters(f: { data: Float32Array; dims: number[] }, s: Float32Array): void {
  const per = f.data.length / f.dims[0]!;
  for (let o = 0; o < f.dims[0]!; o++) for (let k = 0; k < per; k++) f.data[o * per + k] = f.data[o * per + k]! * s[o]!;
}

class Builder {
  readonly g: OnnxGraph;

  constructor(
    name: string,
    private readonly weights: Map<string, Weight>,
  ) {
    this.g = new OnnxGraph(name);
  }

  take(name: string): Weight {
    const w = this.weights.get(name);
    if (!w) throw new Error(`face-api's weights have no ${name}`);
    return w;
  }

  /**
   * A conv with TF padding. `filter` is OIHW (group > 1 for depthwise); `bias` optional; pads "same" or "valid".
   */
  conv(x: V, filter: { data: Float32Array; dims: number[] }, bias: Float32Array | null, stride: number, padding: 'same' | 'valid', group = 1): V {
    const [co, , kh, kw] = filter.dims as [number, number, number, number];
    let pads = [0, 0, 0, 0];
    let h: number;
    let w: number;
    if (padding === 'same') {
      const [t, b] = samePads(x.h, kh, stride);
      const [l, r] = samePads(x.w, kw, stride);
      pads = [t, l, b, r];
      h = Math.ceil(x.h / stride);
      w = Math.ceil(x.w / stride);
    } else {
      h = Math.floor((x.h - kh) / stride) + 1;
      w = Math.floor((x.w - kw) / stride) + 1;
    }
    const inputs = [x.name, this.g.weight('W', filter.data, filter.dims)];
    if (bias) inputs.push(this.g.weight('B', bias, [co]));
    const name = this.g.op('Conv', inputs, { kernel_shape: [kh, kw], strides: [stride, stride], pads, group, dilations: [1, 1] });
    return { name, c: co, h, w };
  }

  unary(type: string, x: V, attrs: Record<string, number | { f: number } | number[]> = {}): V {
    return { ...x, name: this.g.op(type, [x.name], attrs) };
  }

  binary(type: string, a: V, b: V | string): V {
    return { ...a, name: this.g.op(type, [a.name, typeof b === 'string' ? b : b.name]) };
  }

  scalar(v: number): string {
    return this.g.weight('k', Float32Array.of(v), []);
  }

  clip6(x: V): V {
    return { ...x, name: this.g.op('Clip', [x.name, this.scalar(0), this.scalar(6)]) };
  }

  /** (x − mean RGB) / 255, as face-api's normalize then div. */
  normalizeMeanRgb(x: V): V {
    const mean = this.g.weight('mean_rgb', Float32Array.of(122.782, 117.001, 104.298), [1, 3, 1, 1]);
    return this.binary('Div', this.binary('Sub', x, mean), this.scalar(255));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SSD MobileNetV1 (src/ssdMobilenetv1 of face-api)

const SSD_BN_EPSILON = 0.0010000000474974513;

function ssdPointwise(b: Builder, x: V, prefix: string, stride: number): V {
  const filter = hwioToOihw(b.take(`${prefix}/weights`));
  return b.clip6(b.conv(x, filter, b.take(`${prefix}/convolution_bn_offset`).data, stride, 'same'));
}

function ssdDepthwise(b: Builder, x: V, idx: number, stride: number): V {
  const p = `MobilenetV1/Conv2d_${idx}_depthwise`;
  const filter = depthwiseToOihw(b.take(`${p}/depthwise_weights`));
  const gamma = b.take(`${p}/BatchNorm/gamma`).data;
  const beta = b.take(`${p}/BatchNorm/beta`).data;
  const mean = b.take(`${p}/BatchNorm/moving_mean`).data;
  const variance = b.take(`${p}/BatchNorm/moving_variance`).data;
  const c = gamma.length;
  const s = new Float32Array(c);
  const bias = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    s[i] = gamma[i]! / Math.sqrt(variance[i]! + SSD_BN_EPSILON);
    bias[i] = beta[i]! - mean[i]! * s[i]!;
  }
  scaleFilters(filter, s);
  return b.clip6(b.conv(x, filter, bias, stride, 'same', c));
}

/** A box predictor's outputs in TF's order (row, column, anchor): [N, H·W·A, k]. */
function ssdPredictor(b: Builder, x: V, prefix: string, k: number): string {
  const y = b.conv(x, hwioToOihw(b.take(`${prefix}/weights`)), b.take(`${prefix}/biases`).data, 1, 'valid');
  const nhwc = b.g.op('Transpose', [y.name], { perm: [0, 2, 3, 1] });
  return b.g.op('Reshape', [nhwc, b.g.ints([0, -1, k])]);
}

export function buildDetector(weights: Map<string, Weight>): OnnxGraph {
  const b = new Builder('ssd_mobilenetv1', weights);
  const size = FACE_INPUT.detector;
  const input: V = { name: b.g.input('image', ['N', 3, size, size]), c: 3, h: size, w: size };
  const x = b.binary('Sub', b.binary('Div', input, b.scalar(127.5)), b.scalar(1));

  let out = ssdPointwise(b, x, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: V | null = null;
  for (let i = 1; i <= 13; i++) {
    out = ssdDepthwise(b, out, i, [2, 4, 6, 12].includes(i) ? 2 : 1);
    out = ssdPointwise(b, out, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
    if (i === 11) conv11 = out;
  }
  const p = (i: number, v: V, stride: number) => ssdPointwise(b, v, `Prediction/Conv2d_${i}_pointwise`, stride);
  const c0 = p(0, out, 1);
  const c1 = p(1, c0, 2);
  const c2 = p(2, c1, 1);
  const c3 = p(3, c2, 2);
  const c4 = p(4, c3, 1);
  const c5 = p(5, c4, 2);
  const c6 = p(6, c5, 1);
  const c7 = p(7, c6, 2);
  const maps = [conv11!, out, c1, c3, c5, c7];
  const enc = b.g.op('Concat', maps.map((m, i) => ssdPredictor(b, m, `Prediction/BoxPredictor_${i}/BoxEncodingPredictor`, 4)), { axis: 1 });
  const cls = b.g.op('Concat', maps.map((m, i) => ssdPredictor(b, m, `Prediction/BoxPredictor_${i}/ClassPredictor`, 3)), { axis: 1 });

  // Box decoding (face-api's outputLayer.ts) against the anchors, whose sizes and centres are constants,
  // computed in float32 step by step as TFJS computes them.
  const anchors = b.take('Output/extra_dim');
  const n = anchors.shape[1]!;
  const f = Math.fround;
  const [s0, s1, m0, m1] = [0, 1, 2, 3].map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const a = anchors.data.subarray(i * 4, i * 4 + 4);
    s0![i] = f(a[2]! - a[0]!);
    s1![i] = f(a[3]! - a[1]!);
    m0![i] = f(a[0]! + f(s0![i]! / 2));
    m1![i] = f(a[1]! + f(s1![i]! / 2));
  }
  const k = (d: Float32Array) => b.g.weight('anchor', d, [1, n, 1]);
  const [S0, S1, M0, M1] = [k(s0!), k(s1!), k(m0!), k(m1!)];
  const part = (i: number) => b.g.op('Slice', [enc, b.g.ints([i]), b.g.ints([i + 1]), b.g.ints([2])]);
  const [e0, e1, e2, e3] = [0, 1, 2, 3].map(part);
  const op = (t: string, a: string, c: string) => b.g.op(t, [a, c]);
  const half0 = op('Div', op('Mul', b.g.op('Exp', [op('Div', e2!, b.scalar(5))]), S0), b.scalar(2));
  const cen0 = op('Add', op('Mul', op('Div', e0!, b.scalar(10)), S0), M0);
  const half1 = op('Div', op('Mul', b.g.op('Exp', [op('Div', e3!, b.scalar(5))]), S1), b.scalar(2));
  const cen1 = op('Add', op('Mul', op('Div', e1!, b.scalar(10)), S1), M1);
  b.g.op('Concat', [op('Sub', cen0, half0), op('Sub', cen1, half1), op('Add', cen0, half0), op('Add', cen1, half1)], { axis: 2 }, 'boxes');
  const face = b.g.op('Sigmoid', [b.g.op('Slice', [cls, b.g.ints([1]), b.g.ints([2]), b.g.ints([2])])]);
  b.g.op('Reshape', [face, b.g.ints([0, -1])], {}, 'scores');
  b.g.output('boxes', ['N', n, 4]);
  b.g.output('scores', ['N', n]);
  return b.g;
}

// ---------------------------------------------------------------------------------------------------------------
// The 68-point landmark net (src/faceLandmarkNet, src/faceFeatureExtractor of face-api)

function separable(b: Builder, x: V, prefix: string, stride: number): V {
  const dw = depthwiseToOihw(b.take(`${prefix}/depthwise_filter`));
  const d = b.conv(x, dw, null, stride, 'same', x.c);
  return b.conv(d, hwioToOihw(b.take(`${prefix}/pointwise_filter`)), b.take(`${prefix}/bias`).data, 1, 'same');
}

function denseBlock4(b: Builder, x: V, prefix: string, first: boolean): V {
  const conv0 = first
    ? b.conv(x, hwioToOihw(b.take(`${prefix}/conv0/filters`)), b.take(`${prefix}/conv0/bias`).data, 2, 'same')
    : separable(b, x, `${prefix}/conv0`, 2);
  const out1 = b.unary('Relu', conv0);
  const out2 = separable(b, out1, `${prefix}/conv1`, 1);
  const in3 = b.unary('Relu', b.binary('Add', out1, out2));
  const out3 = separable(b, in3, `${prefix}/conv2`, 1);
  const in4 = b.unary('Relu', b.binary('Add', out1, b.binary('Add', out2, out3)));
  const out4 = separable(b, in4, `${prefix}/conv3`, 1);
  return b.unary('Relu', b.binary('Add', out1, b.binary('Add', out2, b.binary('Add', out3, out4))));
}

export function buildLandmarks(weights: Map<string, Weight>): OnnxGraph {
  const b = new Builder('face_landmark_68', weights);
  const size = FACE_INPUT.landmarks;
  const input: V = { name: b.g.input('image', ['N', 3, size, size]), c: 3, h: size, w: size };
  let out = b.normalizeMeanRgb(input);
  for (let i = 0; i < 4; i++) out = denseBlock4(b, out, `dense${i}`, i === 0);
  const pooled = b.g.op('AveragePool', [out.name], { kernel_shape: [7, 7], strides: [2, 2], pads: [0, 0, 0, 0] });
  const flat = b.g.op('Flatten', [pooled], { axis: 1 });
  const fc = b.take('fc/weights');
  const bias = b.take('fc/bias');
  b.g.op('Gemm', [flat, b.g.weight('fc', fc.data, fc.shape), b.g.weight('fc_b', bias.data, bias.shape)], {}, 'landmarks');
  b.g.output('landmarks', ['N', 136]);
  return b.g;
}

// ---------------------------------------------------------------------------------------------------------------
// FaceRecognitionNet (src/faceRecognitionNet of face-api: dlib's ResNet-29 face recognition model)

/** conv + bias, then the scale layer (x·w + b), folded into one conv. */
function recConv(b: Builder, x: V, prefix: string, stride: number, padding: 'same' | 'valid', relu: boolean): V {
  const filter = hwioToOihw(b.take(`${prefix}/conv/filters`));
  const bias = b.take(`${prefix}/conv/bias`).data;
  const sw = b.take(`${prefix}/scale/weights`).data;
  const sb = b.take(`${prefix}/scale/biases`).data;
  scaleFilters(filter, sw);
  const folded = new Float32Array(bias.length);
  for (let i = 0; i < bias.length; i++) folded[i] = bias[i]! * sw[i]! + sb[i]!;
  const y = b.conv(x, filter, folded, stride, padding);
  return relu ? b.unary('Relu', y) : y;
}

function residual(b: Builder, x: V, prefix: string): V {
  const out = recConv(b, recConv(b, x, `${prefix}/conv1`, 1, 'same', true), `${prefix}/conv2`, 1, 'same', false);
  return b.unary('Relu', b.binary('Add', out, x));
}

function residualDown(b: Builder, x: V, prefix: string): V {
  let out = recConv(b, recConv(b, x, `${prefix}/conv1`, 2, 'valid', true), `${prefix}/conv2`, 1, 'same', false);
  const pooledName = b.g.op('AveragePool', [x.name], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] });
  let pooled: V = { name: pooledName, c: x.c, h: Math.floor(x.h / 2), w: Math.floor(x.w / 2) };
  if (pooled.h !== out.h || pooled.w !== out.w) {
    // face-api concatenates one row, then one column, of zeros to the conv branch.
    if (pooled.h !== out.h + 1 || pooled.w !== out.w + 1) throw new Error(`${prefix}: unexpected sizes ${out.h}×${out.w} against ${pooled.h}×${pooled.w}`);
    out = { ...out, name: b.g.op('Pad', [out.name, b.g.ints([0, 0, 0, 0, 0, 0, 1, 1])]), h: out.h + 1, w: out.w + 1 };
  }
  if (pooled.c !== out.c) {
    // …and zeros to the shortcut's channels, as many as it has.
    if (out.c !== 2 * pooled.c) throw new Error(`${prefix}: unexpected channels ${pooled.c} → ${out.c}`);
    pooled = { ...pooled, name: b.g.op('Pad', [pooled.name, b.g.ints([0, 0, 0, 0, 0, pooled.c, 0, 0])]), c: out.c };
  }
  return b.unary('Relu', b.binary('Add', pooled, out));
}

export function buildRecognition(weights: Map<string, Weight>): OnnxGraph {
  const b = new Builder('face_recognition', weights);
  const size = FACE_INPUT.recognition;
  const input: V = { name: b.g.input('image', ['N', 3, size, size]), c: 3, h: size, w: size };
  let out = recConv(b, b.normalizeMeanRgb(input), 'conv32_down', 2, 'valid', true);
  out = { ...out, name: b.g.op('MaxPool', [out.name], { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 0, 0] }), h: Math.floor((out.h - 3) / 2) + 1, w: Math.floor((out.w - 3) / 2) + 1 };
  for (const name of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(b, out, name);
  out = residualDown(b, out, 'conv64_down');
  for (const name of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(b, out, name);
  out = residualDown(b, out, 'conv128_down');
  for (const name of ['conv128_1', 'conv128_2']) out = residual(b, out, name);
  out = residualDown(b, out, 'conv256_down');
  for (const name of ['conv256_1', 'conv256_2']) out = residual(b, out, name);
  out = residualDown(b, out, 'conv256_down_out');
  const mean = b.g.op('ReduceMean', [out.name], { axes: [2, 3], keepdims: 0 });
  const fc = b.take('fc');
  b.g.op('MatMul', [mean, b.g.weight('fc', fc.data, fc.shape)], {}, 'descriptor');
  b.g.output('descriptor', ['N', 128]);
  return b.g;
}

const BUILDERS: Record<FaceNet, (w: Map<string, Weight>) => OnnxGraph> = {
  detector: buildDetector,
  landmarks: buildLandmarks,
  recognition: buildRecognition,
};

/** One net of face-api's model folder as an encoded ONNX model. */
export function convertFaceNet(modelDir: string, net: FaceNet, source: string): Uint8Array {
  const graph = BUILDERS[net](readFaceApiWeights(modelDir, net));
  return graph.encode(`${FACE_API_NETS[net]} from ${source}, converted by Shoebox ([Note: face model conversion])`);
}

export interface ConvertedFile {
  /** Path inside the model folder. */
  path: string;
  size: number;
  sha256: string;
}

/**
 * Converts the nets into `folder` at the given paths. Each file is written next to its destination and renamed
 * into place only when every file matches its pin (`expect`, when given): a mismatch places nothing.
 */
export function writeFaceModels(modelDir: string, source: string, folder: string, files: Record<FaceNet, string>, expect?: (file: ConvertedFile) => string | null): ConvertedFile[] {
  const staged: Array<{ tmp: string; dest: string; file: ConvertedFile }> = [];
  try {
    for (const net of Object.keys(files) as FaceNet[]) {
      const bytes = convertFaceNet(modelDir, net, source);
      const file = { path: files[net], size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      const problem = expect?.(file);
      if (problem) throw new Error(`converting ${FACE_API_NETS[net]} gave a file that is not the expected ${file.path}: ${problem}`);
      const dest = path.join(folder, ...file.path.split('/'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, bytes);
      staged.push({ tmp, dest, file });
    }
  } catch (e) {
    for (const s of staged) fs.rmSync(s.tmp, { force: true });
    throw e;
  }
  for (const s of staged) fs.renameSync(s.tmp, s.dest);
  return staged.map((s) => s.file);
}
