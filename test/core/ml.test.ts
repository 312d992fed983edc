// ML plumbing: preprocessing parity with transformers.js, the real CLIP tokenizer, execution
// provider choice, and a worker that survives crashes.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AutoProcessor, RawImage, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipPixelValues, loadProcessorConfig, readRgb, resizeTarget } from '../../src/main/core/ml/preprocess.ts';
import { loadTokenizer } from '../../src/main/core/ml/tokenizer.ts';
import { providerCandidates, unavailableReason, type Environment } from '../../src/main/core/ml/providers.ts';
import { MlWorker } from '../../src/main/core/ml/worker-client.ts';
import { writeTinyClip } from '../fixtures/models/tiny-clip.ts';
import { tempDir } from '../helpers/photos.ts';

const SHARED = path.resolve(import.meta.dirname, '../../../shared');
const SHARED_CLIP = path.join(SHARED, 'models', 'clip-vit-base-patch32');
const SHARED_PHOTOS = path.join(SHARED, 'photos', 'flickr8k-200', 'images');

let modelDir = '';
beforeAll(async () => {
  modelDir = path.join(tempDir(), 'tiny-clip');
  await writeTinyClip(modelDir);
});

/** Photo-like test images: smooth gradients, texture and edges, in several sizes and shapes. */
async function photoLike(file: string, width: number, height: number, seed: number): Promise<string> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const n = Math.sin(x * 0.37 + seed) * Math.cos(y * 0.21 - seed) * 40;
      px[i] = Math.max(0, Math.min(255, (x / width) * 200 + n + 20));
      px[i + 1] = Math.max(0, Math.min(255, (y / height) * 180 + ((x * 7 + y * 13 + seed) % 50)));
      px[i + 2] = (x > width / 3 && x < width / 2) || (y > height / 2 && y < height / 1.6) ? 230 : Math.max(0, Math.min(255, 120 - n));
    }
  }
  await sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toFile(file);
  return file;
}

async function maxDiff(processorDir: string, file: string): Promise<number> {
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(processorDir);
  const proc = await AutoProcessor.from_pretrained(path.basename(processorDir));
  const ref = (await proc(await RawImage.read(file))).pixel_values.data as Float32Array;
  const mine = await clipPixelValues(await readRgb(file), loadProcessorConfig(processorDir));
  expect(mine.length).toBe(ref.length);
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]! - mine[i]!));
  return m;
}

describe('CLIP preprocessing', () => {
  it('matches transformers.js CLIPImageProcessor within 1e-3 on photo-like images of many shapes', async () => {
    const dir = tempDir();
    for (const [w, h, seed] of [
      [640, 480, 1],
      [480, 640, 2],
      [1600, 900, 3],
      [224, 224, 4],
      [300, 180, 5],
      [150, 100, 6], // smaller than the crop: upscaled
      [2000, 333, 7], // a panorama
    ] as const) {
      const file = await photoLike(path.join(dir, `${w}x${h}.jpg`), w, h, seed);
      expect(await maxDiff(modelDir, file), `${w}x${h}`).toBeLessThan(1e-3);
    }
  });

  it.skipIf(!fs.existsSync(SHARED_PHOTOS))('matches transformers.js on real photos (../shared/photos, when present)', async () => {
    for (const f of fs.readdirSync(SHARED_PHOTOS).slice(0, 12)) expect(await maxDiff(modelDir, path.join(SHARED_PHOTOS, f)), f).toBeLessThan(1e-3);
  });

  it('computes the shortest-edge size the way transformers.js rounds it', () => {
    expect(resizeTarget(640, 480, 224)).toEqual([298, 224]);
    expect(resizeTarget(480, 640, 224)).toEqual([224, 298]);
    expect(resizeTarget(224, 224, 224)).toEqual([224, 224]);
  });
});

describe('CLIP tokenizer', () => {
  it.skipIf(!fs.existsSync(SHARED_CLIP))('gives the known ids for the real CLIP tokenizer files (../shared/models)', () => {
    const { ids, mask } = loadTokenizer(SHARED_CLIP).encode(['a photo of a cat'], 77);
    expect(Array.from(ids.subarray(0, 7), Number)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(Array.from(ids.subarray(7), Number).every((id) => id === 49407)).toBe(true);
    expect(ids.length).toBe(77);
    expect(Array.from(mask.subarray(0, 8), Number)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('pads the fixture tokenizer the same way', () => {
    const { ids } = loadTokenizer(modelDir).encode(['red', 'a photo of something green'], 77);
    expect(ids.length).toBe(154);
    expect(ids[0]).toBe(ids[77]); // both start with the start token
    expect(ids[76]).toBe(ids[2]); // "red" is followed by end tokens to the end
  });
});

describe('execution providers', () => {
  const envFor = (platform: NodeJS.Platform, files: string[] = [], cudaBundled = false): Environment => ({
    platform,
    backends: [
      { name: 'cpu', bundled: true },
      { name: 'webgpu', bundled: true },
      { name: 'cuda', bundled: cudaBundled },
      { name: 'dml', bundled: true },
      { name: 'coreml', bundled: true },
    ],
    exists: (f) => files.includes(f),
    ortBinDir: '/ort',
  });

  it('picks the GPU provider the platform has, and always ends with the CPU', () => {
    expect(providerCandidates('auto', envFor('linux'))).toEqual(['cpu']);
    expect(providerCandidates('auto', envFor('linux', ['/ort/libonnxruntime_providers_cuda.so']))).toEqual(['cuda', 'cpu']);
    expect(providerCandidates('auto', envFor('linux', ['/dev/nvidia0']))).toEqual(['webgpu', 'cpu']);
    expect(providerCandidates('auto', envFor('linux', ['/dev/nvidia0', '/ort/libonnxruntime_providers_cuda.so']))).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(providerCandidates('auto', envFor('win32'))).toEqual(['dml', 'cpu']);
    expect(providerCandidates('auto', envFor('darwin'))).toEqual(['coreml', 'cpu']);
    expect(providerCandidates('webgpu', envFor('linux'))).toEqual(['webgpu', 'cpu']);
    expect(providerCandidates('cpu', envFor('win32'))).toEqual(['cpu']);
  });

  it('knows CUDA cannot start when its libraries were never installed, without asking ONNX Runtime', () => {
    expect(unavailableReason('cuda', envFor('linux'))).toMatch(/libonnxruntime_providers_cuda\.so is missing/);
    expect(unavailableReason('cuda', envFor('win32'))).toMatch(/onnxruntime_providers_cuda\.dll is missing/);
    expect(unavailableReason('cuda', envFor('linux', ['/ort/libonnxruntime_providers_cuda.so']))).toBeNull();
    expect(unavailableReason('cuda', envFor('linux', [], true))).toBeNull();
    expect(unavailableReason('webgpu', envFor('linux'))).toBeNull();
  });

  it('falls back to the CPU and says why when the requested provider cannot start', async () => {
    const worker = new MlWorker({ provider: 'cuda', threads: 1 });
    try {
      const report = await worker.load('vision', path.join(modelDir, 'onnx', 'vision_model_quantized.onnx'));
      expect(report.used).toBe('cpu');
      expect(report.fallbacks.map((f) => f.provider)).toEqual(['cuda']);
      // Known before ORT is asked (which would print a native "Failed to load library" error): the fix named.
      expect(report.fallbacks[0]!.reason).toMatch(/CUDA provider is not installed .*ONNXRUNTIME_NODE_INSTALL=cuda12/);
    } finally {
      await worker.close();
    }
  });
});

describe('ML worker', () => {
  let worker: MlWorker;
  afterAll(async () => worker?.close());

  it('runs off the main thread, and survives a crash by restarting and retrying', async () => {
    worker = new MlWorker({ provider: 'cpu', threads: 1, testHooks: true });
    await worker.load('vision', path.join(modelDir, 'onnx', 'vision_model_quantized.onnx'));
    const pixels = () => {
      const p = new Float32Array(2 * 3 * 224 * 224);
      return { type: 'float32' as const, data: p.buffer, dims: [2, 3, 224, 224] };
    };
    const before = await worker.run('vision', { pixel_values: pixels() }, 'image_embeds');
    expect(before.dims).toEqual([2, 16]);
    await worker.crashForTest();
    const after = await worker.run('vision', { pixel_values: pixels() }, 'image_embeds');
    expect(Array.from(new Float32Array(after.data))).toEqual(Array.from(new Float32Array(before.data)));

    // A crash while a request runs: the request is retried on a fresh worker.
    await worker.crashForTest('next-run');
    const retried = await worker.run('vision', { pixel_values: pixels() }, 'image_embeds');
    expect(Array.from(new Float32Array(retried.data))).toEqual(Array.from(new Float32Array(before.data)));
    expect(worker.restarts).toBe(1);
  });
});
