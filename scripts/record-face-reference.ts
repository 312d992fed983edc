// Records the face models' reference outputs from face-api on TFJS (its own bundled TFJS, CPU backend), once:
// test/fixtures/faces/reference-<net>.json, which test/core/face-models.test.ts checks the converted ONNX graphs
// against. TFJS is used here only: it ships inside @vladmandic/face-api's browser build (dist/face-api.esm.js),
// which this script loads with a stand-in `window` so that the bundle takes its browser platform (its Node
// platform needs a util module the bundle does not carry). The app never loads it.
//
//   npx tsx scripts/record-face-reference.ts            writes the fixtures
//   npx tsx scripts/record-face-reference.ts --lfw [n]  also prints the ONNX graphs' agreement on n real faces of
//                                                       ../shared/faces/lfw-dev (nothing of them is written)
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { bundledFolder } from '../src/main/core/models/store.ts';
import { convertFaceNet, FACE_API_NETS, FACE_INPUT, type FaceNet } from '../src/main/core/ml/face-convert.ts';
import { agreementInputs, toNchw, type RgbPixels } from '../test/fixtures/faces/inputs.ts';
import { encodeReference, sampledAnchors, type Reference } from '../test/fixtures/faces/reference.ts';

const pkgDir = bundledFolder('@vladmandic/face-api');
if (!pkgDir) throw new Error('@vladmandic/face-api is not installed: run npm ci');
const modelDir = path.join(pkgDir, 'model');
const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;

(globalThis as { window?: unknown }).window = { document: {} };
const faceapi = (await import(path.join(pkgDir, 'dist', 'face-api.esm.js'))) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

function loadNet(net: FaceNet) {
  const name = FACE_API_NETS[net];
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, `${name}-weights_manifest.json`), 'utf8'));
  const bin = fs.readFileSync(path.join(modelDir, manifest[0].paths[0]));
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest.flatMap((g: { weights: unknown[] }) => g.weights));
  const instance = net === 'detector' ? new faceapi.SsdMobilenetv1() : net === 'landmarks' ? new faceapi.FaceLandmark68Net() : new faceapi.FaceRecognitionNet();
  instance.loadFromWeightMap(map);
  return instance;
}

/** face-api's raw outputs for same-size square images (no resize or padding happens inside face-api then). */
async function tfOutputs(net: FaceNet, instance: any, images: readonly RgbPixels[]): Promise<Record<string, Float32Array>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const tensors = images.map((im) => tf.tensor3d(Float32Array.from(im.data), [im.height, im.width, 3]));
  const input = await faceapi.toNetInput(tensors);
  try {
    if (net === 'detector') {
      const { boxes, scores } = instance.forwardInput(input);
      const out = { boxes: new Float32Array(boxes.flatMap((b: any) => Array.from(b.dataSync() as Float32Array))), scores: new Float32Array(scores.flatMap((s: any) => Array.from(s.dataSync() as Float32Array))) }; // eslint-disable-line @typescript-eslint/no-explicit-any
      [...boxes, ...scores].forEach((t) => t.dispose());
      return out;
    }
    const t = net === 'landmarks' ? instance.runNet(input) : instance.forwardInput(input);
    const data = Float32Array.from(t.dataSync() as Float32Array);
    t.dispose();
    return { [net === 'landmarks' ? 'landmarks' : 'descriptor']: data };
  } finally {
    tensors.forEach((t) => t.dispose());
  }
}

async function onnxOutputs(session: ort.InferenceSession, net: FaceNet, images: readonly RgbPixels[]): Promise<Record<string, Float32Array>> {
  const size = FACE_INPUT[net];
  const out = await session.run({ image: new ort.Tensor('float32', toNchw(images), [images.length, 3, size, size]) });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const fixtures = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'faces');
const sessions = new Map<FaceNet, ort.InferenceSession>();
for (const net of ['detector', 'landmarks', 'recognition'] as const) {
  const instance = loadNet(net);
  const images = agreementInputs(net, FACE_INPUT[net]);
  const outputs = await tfOutputs(net, instance, images);
  const ref: Reference = {
    net,
    source: `@vladmandic/face-api ${version} (${FACE_API_NETS[net]}) on TFJS ${tf.version_core} (${tf.getBackend()} backend)`,
    images: images.length,
    outputs,
  };
  if (net === 'detector') ref.anchors = sampledAnchors(outputs.scores!, images.length);
  fs.writeFileSync(path.join(fixtures, `reference-${net}.json`), encodeReference(ref));
  const session = await ort.InferenceSession.create(convertFaceNet(modelDir, net, `@vladmandic/face-api ${version}`), { intraOpNumThreads: 1 });
  sessions.set(net, session);
  const mine = await onnxOutputs(session, net, images);
  console.log(`${net}: recorded ${Object.entries(outputs).map(([k, v]) => `${k} ${v.length}`).join(', ')}; ONNX max |diff| ${Object.keys(outputs).map((k) => `${k} ${maxDiff(outputs[k]!, mine[k]!).toExponential(2)}`).join(', ')}`);
  if (process.argv.includes('--lfw')) {
    const n = Number(process.argv[process.argv.indexOf('--lfw') + 1]) || 20;
    const root = path.join(import.meta.dirname, '..', '..', 'shared', 'faces', 'lfw-dev', 'images');
    const files = fs.readdirSync(root).sort().slice(0, n).map((d) => path.join(root, d, fs.readdirSync(path.join(root, d)).sort()[0]!));
    let worst: Record<string, number> = {};
    for (const f of files) {
      const size = FACE_INPUT[net];
      // The central part of the deep-funneled 250 px image holds the face; the detector sees it whole.
      const img = sharp(f).removeAlpha();
      const pipeline = net === 'detector' ? img.resize(size, size) : img.extract({ left: 55, top: 55, width: 140, height: 140 }).resize(size, size);
      const data = new Uint8Array(await pipeline.raw().toBuffer());
      const ims = [{ data, width: size, height: size }];
      const a = await tfOutputs(net, instance, ims);
      const b = await onnxOutputs(session, net, ims);
      for (const k of Object.keys(a)) worst[k] = Math.max(worst[k] ?? 0, maxDiff(a[k]!, b[k]!));
    }
    console.log(`  on ${files.length} LFW faces: max |diff| ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
    worst = {};
  }
}
