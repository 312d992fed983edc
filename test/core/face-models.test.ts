// The face models converted from face-api's weights ([Note: face model conversion]) against outputs recorded
// from face-api itself on TFJS (test/fixtures/faces, scripts/record-face-reference.ts), and the runner's
// plumbing around them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_API_MODELS } from '../../src/main/core/models/registry.ts';
import { ModelStore } from '../../src/main/core/models/store.ts';
import { convertFaceModel } from '../../src/main/core/ml/service.ts';
import { decodeWeights, FACE_INPUT, samePads, type FaceNet } from '../../src/main/core/ml/face-convert.ts';
import { descriptorDistance, FACE_DEFAULTS, FaceRunner, type FaceModelRef, type FaceSessions } from '../../src/main/core/ml/face-runner.ts';
import { chipMap, sampleAffine } from '../../src/main/core/ml/face-geometry.ts';
import { agreementInputs, drawnFace, toNchw } from '../fixtures/faces/inputs.ts';
import { ANCHORS, asRecorded, decodeReference } from '../fixtures/faces/reference.ts';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'faces');
let dir: string;
let store: ModelStore;
const sessions = new Map<FaceNet, ort.InferenceSession>();
const file = (net: FaceNet) => store.filePath(FACE_API_MODELS, FACE_API_MODELS.faces![net]);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-faces-'));
  store = new ModelStore(dir);
  convertFaceModel(FACE_API_MODELS, store.folder(FACE_API_MODELS));
  for (const net of ['detector', 'landmarks', 'recognition'] as const) sessions.set(net, await ort.InferenceSession.create(file(net), { intraOpNumThreads: 1 }));
}, 60_000);

afterAll(async () => {
  for (const s of sessions.values()) await s.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('face model conversion', () => {
  it('makes the files the registry pins, in its layout', async () => {
    expect(store.state(FACE_API_MODELS).installed).toBe(true);
    const check = await store.verify(FACE_API_MODELS);
    expect(check.problems).toEqual([]);
    expect(check.unchecked).toEqual([]);
  });

  it('writes ONNX that onnx-proto reads back: IR 8, opset 17, the inputs and outputs the runner uses', () => {
    const model = onnxProto.onnx.ModelProto.decode(fs.readFileSync(file('landmarks')));
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([17]);
    expect(model.graph!.input!.map((i) => i.name)).toEqual(['image']);
    expect(model.graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 3, 112, 112]);
    expect(model.graph!.output!.map((o) => o.name)).toEqual(['landmarks']);
    const ops = new Set(model.graph!.node!.map((n) => n.opType));
    expect(ops.has('Conv') && ops.has('Gemm') && ops.has('AveragePool')).toBe(true);
    const det = onnxProto.onnx.ModelProto.decode(fs.readFileSync(file('detector')));
    expect(det.graph!.output!.map((o) => o.name)).toEqual(['boxes', 'scores']);
  });

  it('pads as TF "same" does: one pixel at the end at stride 2 on an even size, evenly otherwise', () => {
    expect(samePads(512, 3, 2)).toEqual([0, 1]);
    expect(samePads(35, 3, 2)).toEqual([1, 1]);
    expect(samePads(56, 3, 1)).toEqual([1, 1]);
    expect(samePads(16, 1, 1)).toEqual([0, 0]);
  });

  it('refuses a weight file shorter or longer than its manifest says', () => {
    const manifest = [{ paths: ['w.bin'], weights: [{ name: 'a', shape: [2, 2], dtype: 'float32' as const, quantization: { dtype: 'uint8' as const, scale: 0.5, min: -1 } }] }];
    expect(decodeWeights(manifest, () => Uint8Array.of(0, 1, 2, 4)).get('a')!.data).toEqual(Float32Array.of(-1, -0.5, 0, 1));
    expect(() => decodeWeights(manifest, () => Uint8Array.of(0, 1, 2))).toThrow(/runs past the end/);
    expect(() => decodeWeights(manifest, () => Uint8Array.of(0, 1, 2, 3, 4))).toThrow(/1 bytes the manifest does not describe/);
  });

  it('refuses to place files that do not match the pins, and leaves nothing behind', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-faces-pin-'));
    try {
      const wrong = { ...FACE_API_MODELS, files: FACE_API_MODELS.files.map((f, i) => (i === 1 ? { ...f, sha256: '0'.repeat(64) } : f)) };
      expect(() => convertFaceModel(wrong, other)).toThrow(/face_landmark_68\.onnx: sha256 e3a8f1.*expected 0000/);
      expect(fs.readdirSync(other, { recursive: true }).filter((f) => String(f).endsWith('.onnx') || String(f).endsWith('.tmp'))).toEqual([]);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('agreement with face-api on TFJS', () => {
  // face-api's own outputs, recorded once; the graphs fold batch norms and scale layers into their convs, so
  // the last bits differ (the recording printed at most 6.6e-6 on the boxes, 1.5e-6 on the scores, 2.4e-7 on the
  // landmarks and 3.4e-7 on the descriptors).
  const tolerance: Record<string, number> = { boxes: 2e-5, scores: 1e-5, landmarks: 2e-6, descriptor: 2e-6 };

  for (const net of ['detector', 'landmarks', 'recognition'] as const) {
    it(`${net}: the same outputs to within ${net === 'detector' ? '2e-5' : '2e-6'}`, async () => {
      const ref = decodeReference(fs.readFileSync(path.join(fixtures, `reference-${net}.json`), 'utf8'));
      expect(ref.source).toMatch(/@vladmandic\/face-api 1\.7\.15/);
      const size = FACE_INPUT[net];
      const images = agreementInputs(net, size);
      expect(images).toHaveLength(ref.images);
      const out = await sessions.get(net)!.run({ image: new ort.Tensor('float32', toNchw(images), [images.length, 3, size, size]) });
      for (const [name, expected] of Object.entries(ref.outputs)) {
        const got = asRecorded(ref, name, out[name]!.data as Float32Array);
        expect(got.length).toBe(expected.length);
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
        expect(worst, `${net} ${name}`).toBeLessThan(tolerance[name]!);
      }
      if (net === 'detector') expect(ref.outputs.scores!.length).toBe(ANCHORS * images.length);
    });
  }
});

describe('the face runner', () => {
  const ref: FaceModelRef = { key: 'test', detector: 'det.onnx', landmarks: 'lm.onnx', recognition: 'rec.onnx' };

  /**
   * Real landmark and recognition sessions; a detector that answers the given boxes (ymin, xmin, ymax, xmax of the
   * 512² input), or with `views`, the boxes and scores of its nth run at its nth call (none past the last).
   */
  function sessionsWith(boxes: number[][], scores: number[], views?: Array<[number[][], number[]]>): FaceSessions & { loaded: string[]; inputs: number[][] } {
    const loaded: string[] = [];
    const inputs: number[][] = [];
    let detectorRuns = 0;
    return {
      loaded,
      inputs,
      ensure: async (name) => {
        loaded.push(name);
        return { requested: 'cpu', used: 'cpu', fallbacks: [] };
      },
      run: async (name, input, dims) => {
        inputs.push(dims);
        if (name.endsWith(':det')) {
          if (views) [boxes, scores] = views[detectorRuns] ?? [[], []];
          detectorRuns++;
          const b = new Float32Array(ANCHORS * 4);
          const s = new Float32Array(ANCHORS);
          boxes.forEach((box, i) => {
            b.set(box, i * 4);
            s[i] = scores[i]!;
          });
          return { boxes: { data: b, dims: [1, ANCHORS, 4] }, scores: { data: s, dims: [1, ANCHORS] } };
        }
        const session = sessions.get(name.endsWith(':lm') ? 'landmarks' : 'recognition')!;
        const out = await session.run({ image: new ort.Tensor('float32', input, dims) });
        return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims.map(Number) }]));
      },
    };
  }

  it("maps the detector's boxes to the image's pixels, suppresses overlaps, and describes each face in 128 numbers", async () => {
    // A 1024×768 image: the detector's 512² input holds it at half size, at the top left.
    const face = drawnFace(768, 5);
    const data = new Uint8Array(1024 * 768 * 3);
    for (let y = 0; y < 768; y++) data.set(face.data.subarray(y * 768 * 3, (y + 1) * 768 * 3), (y * 1024 + 128) * 3);
    const s = sessionsWith(
      [
        [0.1, 0.2, 0.6, 0.6], // a face
        [0.11, 0.21, 0.61, 0.6], // the same face again, scored lower: suppressed
        [0.5, 0.8, 0.9, 1.2], // a face running off the square: clipped to it, then to the image
        [0.0, 0.0, 0.1, 0.1], // under the score threshold
      ],
      [0.9, 0.8, 0.7, 0.3],
    );
    const out = await new FaceRunner(s).find(ref, { data, width: 1024, height: 768 }, { ...FACE_DEFAULTS, tiles: 'none' });
    expect(s.loaded).toEqual(['faces:test:det', 'faces:test:lm', 'faces:test:rec']);
    // Each face's crop and chip go with their mirrors, for the landmarks and the descriptor.
    expect(s.inputs).toEqual([[1, 3, 512, 512], [4, 3, 112, 112], [4, 3, 150, 150]]);
    expect(out.faces.map((f) => f.score)).toEqual([0.9, 0.7].map(Math.fround));
    const [a, b] = out.faces;
    expect(a!.box.x).toBeCloseTo(0.2 * 1024, 3);
    expect(a!.box.y).toBeCloseTo(0.1 * 1024, 3);
    expect(a!.box.width).toBeCloseTo(0.4 * 1024, 3);
    expect(a!.box.height).toBeCloseTo(0.5 * 1024, 3);
    expect(b!.box.x + b!.box.width).toBeCloseTo(1024, 3);
    expect(b!.box.y + b!.box.height).toBeCloseTo(768, 3);
    for (const f of out.faces) {
      expect(f.landmarks).toHaveLength(136);
      expect(f.descriptor).toHaveLength(128);
      expect(f.descriptor.every(Number.isFinite)).toBe(true);
    }
    // The landmarks of the first face lie around its box (the net places them on the drawn face's features).
    const xs = a!.landmarks.filter((_, i) => i % 2 === 0);
    const ys = a!.landmarks.filter((_, i) => i % 2 === 1);
    expect(Math.min(...xs)).toBeGreaterThan(a!.box.x - 0.3 * a!.box.width);
    expect(Math.max(...xs)).toBeLessThan(a!.box.x + 1.3 * a!.box.width);
    expect(Math.min(...ys)).toBeGreaterThan(a!.box.y - 0.3 * a!.box.height);
    expect(Math.max(...ys)).toBeLessThan(a!.box.y + 1.3 * a!.box.height);
  });

  it('describes a face by the mean of its chip and the chip mirrored', async () => {
    const face = drawnFace(300, 7);
    const box = [[0.05, 0.05, 0.5, 0.5]];
    const out = await new FaceRunner(sessionsWith(box, [0.9])).find(ref, face);
    const lm = out.faces[0]!.landmarks;
    // The same chip through the recognition session alone, as is and mirrored.
    const rec = sessions.get('recognition')!;
    const chip = new Float32Array(3 * 150 * 150);
    sampleAffine(face, chipMap(lm, 150, 0.25), 150, 150, chip);
    const mirrored = chip.map((_, i) => chip[i - (i % 150) + 149 - (i % 150)]!);
    const describe = async (x: Float32Array) => (await rec.run({ image: new ort.Tensor('float32', x, [1, 3, 150, 150]) })).descriptor!.data as Float32Array;
    const [a, b] = [await describe(chip), await describe(mirrored)];
    expect(descriptorDistance(a, b)).toBeGreaterThan(1e-3);
    const mean = Array.from(a, (v, i) => (v + b[i]!) / 2);
    expect(descriptorDistance(out.faces[0]!.descriptor, mean)).toBeLessThan(1e-5);
  });

  it('finds small faces in tiles of a large image, mapped to its pixels, cut faces at inner edges left out, one face found twice kept once', async () => {
    // 1024 × 768: the whole view (scale 0.5) and 2 × 2 tiles of 563 px at x 0 or 461, y 0 or 205 ([Note: face tiling]).
    const img = drawnFace(768, 5);
    const data = new Uint8Array(1024 * 768 * 3);
    for (let y = 0; y < 768; y++) data.set(img.data.subarray(y * 768 * 3, (y + 1) * 768 * 3), (y * 1024 + 128) * 3);
    const t = 563 / 512; // a tile's pixels per detector pixel
    const s = sessionsWith([], [], [
      [[[0.1, 0.2, 0.6, 0.6]], [0.9]], // the whole view: one large face
      [[[0.2, 0.4, 0.9, 1.1]], [0.8]], // tile 1: the same face, at its right edge: left out (and suppressed anyway)
      [[[0.5, 0.5, 0.55, 0.54], [0.3, 0.0, 0.36, 0.05]], [0.7, 0.75]], // tile 2: a small face; a cut one at its left edge (inner)
      [[[0.9, 0.95, 0.95, 0.995]], [0.6]], // tile 3: a small face at its right edge, an inner one: left out
      [[[0.05, 0.5, 0.1, 0.55]], [0.4]], // tile 4: under the score threshold
    ]);
    const out = await new FaceRunner(s).find(ref, { data, width: 1024, height: 768 }, { ...FACE_DEFAULTS, describe: false, tiles: 'all' });
    expect(s.inputs).toEqual(Array.from({ length: 5 }, () => [1, 3, 512, 512]));
    expect(out.views).toBe(5);
    expect(out.faces.map((f) => f.score)).toEqual([0.9, 0.7].map(Math.fround));
    const small = out.faces[1]!.box;
    expect(small.x).toBeCloseTo(461 + 0.5 * 512 * t, 3);
    expect(small.y).toBeCloseTo(0.5 * 512 * t, 3);
    expect(small.width).toBeCloseTo(0.04 * 512 * t, 3);
    expect(small.height).toBeCloseTo(0.05 * 512 * t, 3);
    // Without tiles: the whole view alone.
    const whole = sessionsWith([[0.1, 0.2, 0.6, 0.6]], [0.9]);
    expect((await new FaceRunner(whole).find(ref, { data, width: 1024, height: 768 }, { ...FACE_DEFAULTS, describe: false, tiles: 'none' })).faces).toHaveLength(1);
    expect(whole.inputs).toEqual([[1, 3, 512, 512]]);
  });

  it('stops after detection when there is no face, or when asked to', async () => {
    const none = sessionsWith([], []);
    const out = await new FaceRunner(none).find(ref, drawnFace(64, 1));
    expect(out.faces).toEqual([]);
    // The whole view, then the half-size view that nothing was found.
    expect(none.inputs).toEqual([[1, 3, 512, 512], [1, 3, 512, 512]]);
    const only = sessionsWith([[0.1, 0.1, 0.5, 0.5]], [0.95]);
    const det = await new FaceRunner(only).find(ref, drawnFace(64, 1), { minScore: 0.5, maxFaces: 10, describe: false });
    expect(det.faces).toHaveLength(1);
    expect(det.faces[0]!.descriptor).toEqual([]);
    expect(only.inputs).toHaveLength(1);
  });

  it('sees only the tiles where the whole view scored a small box under the face threshold, by default', async () => {
    const data = new Uint8Array(1024 * 768 * 3).fill(80);
    const image = { data, width: 1024, height: 768 };
    const big = [0.1, 0.05, 0.6, 0.45]; // a found face, large: no hint
    // A small box scored 0.3 at about (870, 650) in the image: only tile 4 (x 461–1024, y 205–768) holds its centre.
    const hint = [650 / 1024, 860 / 1024, 670 / 1024, 880 / 1024];
    const faint = [[0.5, 0.5, 0.52, 0.52], [0.15]]; // under the hint's score: no tile
    const s = sessionsWith([], [], [[[big, hint, faint[0] as number[]], [0.9, 0.3, 0.15]], [[[0.4, 0.4, 0.5, 0.5]], [0.8]]]);
    const out = await new FaceRunner(s).find(ref, image, { ...FACE_DEFAULTS, describe: false });
    expect(out.views).toBe(2);
    expect(out.faces.map((f) => f.score)).toEqual([0.9, 0.8].map(Math.fround));
    // The tile's face is in tile 4's pixels, moved to the image's.
    expect(out.faces[1]!.box.x).toBeCloseTo(461 + 0.4 * 563, 3);
    expect(out.faces[1]!.box.y).toBeCloseTo(205 + 0.4 * 563, 3);
    // A small box within the found face is no hint; nor is a box too big to be a small face: no tile at all.
    const over = sessionsWith([], [], [[[big, [0.12, 0.06, 0.16, 0.1]], [0.9, 0.3]]]);
    expect((await new FaceRunner(over).find(ref, image, { ...FACE_DEFAULTS, describe: false })).views).toBe(1);
    const large = sessionsWith([], [], [[[big, [0.5, 0.5, 0.9, 0.9]], [0.9, 0.3]]]);
    expect((await new FaceRunner(large).find(ref, image, { ...FACE_DEFAULTS, describe: false })).views).toBe(1);
  });

  it('looks again at half the size when the whole view finds no face, and maps what it finds back', async () => {
    // A 400 × 300 image: the whole view holds it at 512 / 400, the half-size view at 256 / 400.
    const s = sessionsWith([], [], [[[], []], [[[0.1, 0.2, 0.35, 0.5]], [0.8]]]);
    const out = await new FaceRunner(s).find(ref, { data: new Uint8Array(400 * 300 * 3).fill(90), width: 400, height: 300 }, { ...FACE_DEFAULTS, describe: false });
    expect(s.inputs).toHaveLength(2);
    expect(out.faces).toHaveLength(1);
    const box = out.faces[0]!.box;
    const k = 512 * (400 / 256);
    expect(box.x).toBeCloseTo(0.2 * k, 3);
    expect(box.y).toBeCloseTo(0.1 * k, 3);
    expect(box.width).toBeCloseTo(0.3 * k, 3);
    expect(box.height).toBeCloseTo(0.25 * k, 3);
  });

  it('says what is wrong with an image that is not one', async () => {
    await expect(new FaceRunner(sessionsWith([], [])).find(ref, { data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/not an RGB image of 4×4: 10 bytes/);
  });
});
