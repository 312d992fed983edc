// Checks the generated fixture models: tiny colour CLIP (ONNX + tokenizer), manifest writing, random ViT builder.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, type ModelSpec, type ModelsManifest } from '../src/main/core/models/spec.ts';
import { CLIP_MEAN, CLIP_STD, TINY_CLIP_DIM, writeTinyClip } from './fixtures/models/tiny-clip.ts';
import { buildRandomVit, writeRandomVitB32 } from './fixtures/models/vit-b32.ts';
import { writeFixtureModels } from './fixtures/models/write-fixtures.ts';
import { expectSpecFiles, sha256 } from './helpers/model-files.ts';

const SIDE = 224;

/** pixel_values for solid colours (0..255 RGB), normalized as CLIP's processor does. */
function solidPixels(colours: Array<[number, number, number]>): ort.Tensor {
  const plane = SIDE * SIDE;
  const data = new Float32Array(colours.length * 3 * plane);
  colours.forEach((rgb, n) => {
    for (let c = 0; c < 3; c++) {
      const value = (rgb[c]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
      data.fill(value, (n * 3 + c) * plane, (n * 3 + c + 1) * plane);
    }
  });
  return new ort.Tensor('float32', data, [colours.length, 3, SIDE, SIDE]);
}

/** Rows of an [N,D] output, L2-normalized. */
function normalizedRows(t: ort.Tensor): number[][] {
  const [n, d] = t.dims as [number, number];
  const data = t.data as Float32Array;
  return Array.from({ length: n }, (_, i) => {
    const row = Array.from(data.subarray(i * d, (i + 1) * d));
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm);
  });
}

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('tiny colour CLIP fixture', () => {
  let root: string;
  let dir: string;
  let spec: ModelSpec;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'shoebox-fixture-clip-'));
    dir = path.join(root, 'tiny-clip');
    spec = await writeTinyClip(dir);
    env.allowRemoteModels = false;
    env.localModelPath = root;
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const loadTokenizer = () => AutoTokenizer.from_pretrained('tiny-clip');
  const tokenize = async (texts: string[]): Promise<ort.Tensor> => {
    const tokenizer = await loadTokenizer();
    const { input_ids } = tokenizer(texts, { padding: 'max_length', max_length: 77, truncation: true });
    return new ort.Tensor('int64', input_ids.data as BigInt64Array, input_ids.dims as number[]);
  };

  it('matches red, green and blue images to their colour words', async () => {
    const vision = await ort.InferenceSession.create(path.join(dir, spec.clip!.vision));
    const text = await ort.InferenceSession.create(path.join(dir, spec.clip!.text));
    expect(vision.inputNames).toEqual(['pixel_values']);
    expect(vision.outputNames).toEqual(['image_embeds']);
    expect(text.inputNames).toEqual(['input_ids']);
    expect(text.outputNames).toEqual(['text_embeds']);

    const { image_embeds } = await vision.run({ pixel_values: solidPixels([[255, 0, 0], [0, 255, 0], [0, 0, 255]]) });
    const { text_embeds } = await text.run({ input_ids: await tokenize(['a photo of something red', 'green', 'a blue photo']) });
    expect(image_embeds!.dims).toEqual([3, TINY_CLIP_DIM]);
    expect(text_embeds!.dims).toEqual([3, TINY_CLIP_DIM]);

    const images = normalizedRows(image_embeds!);
    const texts = normalizedRows(text_embeds!);
    const sim = images.map((img) => texts.map((txt) => dot(img, txt)));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        expect(sim[i]![i]!, `image ${i} vs text ${j}`).toBeGreaterThan(sim[i]![j]!);
        expect(sim[i]![i]!, `text ${i} vs image ${j}`).toBeGreaterThan(sim[j]![i]!);
      }
      expect(sim[i]![i]!).toBeGreaterThan(0.9);
    }

    // A text without colour words is not the zero vector.
    const { text_embeds: plain } = await text.run({ input_ids: await tokenize(['a photo of something']) });
    expect(Math.hypot(...(plain!.data as Float32Array))).toBeGreaterThan(0);
  });

  it('tokenizes like CLIP: bos first, eos then eos padding to 77, colour words as single tokens', async () => {
    const tokenizer = await loadTokenizer();
    const bos = tokenizer.convert_tokens_to_ids('<|startoftext|>');
    const eos = tokenizer.convert_tokens_to_ids('<|endoftext|>');
    const red = tokenizer.convert_tokens_to_ids('red</w>');
    expect(tokenizer.bos_token_id).toBe(bos);
    expect(tokenizer.eos_token_id).toBe(eos);
    expect(tokenizer.pad_token_id).toBe(eos);
    expect(eos).toBe(bos + 1);
    expect(tokenizer.get_vocab().size).toBe(eos + 1);
    const { input_ids } = tokenizer('A photo of something RED', { padding: 'max_length', max_length: 77, truncation: true });
    const ids = Array.from(input_ids.data as BigInt64Array, Number);
    expect(input_ids.dims).toEqual([1, 77]);
    expect(ids[0]).toBe(bos);
    expect(tokenizer.decode(ids.slice(1, 6)).trim()).toBe('a photo of something red');
    expect(ids[5]).toBe(red);
    expect(ids.slice(6)).toEqual(new Array(71).fill(eos));
    for (const word of ['red', 'green', 'blue', 'grey', 'gray', 'photo', 'something']) {
      const { input_ids: one } = tokenizer(word);
      expect(Array.from(one.data as BigInt64Array, Number), word).toEqual([bos, tokenizer.convert_tokens_to_ids(`${word}</w>`), eos]);
    }
    // Long texts are cut to 77 tokens. As with the real CLIP tokenizer in transformers.js, the cut
    // drops the final eos (it is not re-added).
    const long = tokenizer('red '.repeat(100), { padding: 'max_length', max_length: 77, truncation: true });
    const longIds = Array.from(long.input_ids.data as BigInt64Array, Number);
    expect(longIds).toEqual([bos, ...new Array(76).fill(red)]);
  });

  it('returns a spec whose sizes and hashes match the files', async () => {
    expect(spec).toMatchObject({
      id: 'fixture-clip',
      task: 'clip',
      repo: 'shoebox-fixtures/tiny-clip',
      revision: 'main',
      clip: { vision: 'onnx/vision_model_quantized.onnx', text: 'onnx/text_model_quantized.onnx', dim: 16, maxTokens: 77 },
    });
    await expectSpecFiles(dir, spec.files, [
      'config.json',
      'merges.txt',
      'onnx/text_model_quantized.onnx',
      'onnx/vision_model_quantized.onnx',
      'preprocessor_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.json',
    ], { anyOrder: true });
    const pre = JSON.parse(await readFile(path.join(dir, 'preprocessor_config.json'), 'utf8'));
    expect(pre).toMatchObject({ size: { shortest_edge: 224 }, crop_size: { height: 224, width: 224 }, resample: 3 });
    expect(pre.image_mean).toEqual([...CLIP_MEAN]);
    expect(pre.image_std).toEqual([...CLIP_STD]);
  });
});

describe('writeFixtureModels', () => {
  it('writes the tiny CLIP and merges it into an existing manifest as the active clip model', async () => {
    const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-fixture-models-'));
    try {
      const other: ModelSpec = { id: 'someone-else', task: 'caption', title: 'x', repo: 'a/b', revision: 'r', files: [] };
      const stale: ModelSpec = { ...other, id: 'fixture-clip', task: 'clip', title: 'stale' };
      await writeFile(path.join(modelsDir, MANIFEST_FILE), JSON.stringify({ models: [other, stale], active: { caption: 'someone-else' } }));
      const manifest = await writeFixtureModels(modelsDir);
      const onDisk = JSON.parse(await readFile(path.join(modelsDir, MANIFEST_FILE), 'utf8')) as ModelsManifest;
      expect(onDisk).toEqual(manifest);
      expect(manifest.models.map((m) => m.id)).toEqual(['someone-else', 'fixture-clip', 'fixture-caption']);
      expect(manifest.models[1]!.title).toBe('Tiny colour CLIP (test fixture)');
      expect(manifest.active).toEqual({ caption: 'fixture-caption', clip: 'fixture-clip' });
      const config = await readFile(path.join(modelsDir, 'shoebox-fixtures', 'tiny-clip', 'onnx', 'vision_model_quantized.onnx'));
      expect(config.byteLength).toBeGreaterThan(0);
    } finally {
      await rm(modelsDir, { recursive: true, force: true });
    }
  });
});

describe('random ViT-B/32 generator', () => {
  const narrow = { layers: 1, width: 64, heads: 4, mlp: 256 };

  it('builds a narrow one-layer variant that runs and gives [2,512] finite embeddings', async () => {
    const session = await ort.InferenceSession.create(buildRandomVit(narrow, 7));
    expect(session.inputNames).toEqual(['pixel_values']);
    expect(session.outputNames).toEqual(['image_embeds']);
    const { image_embeds } = await session.run({ pixel_values: solidPixels([[200, 30, 30], [20, 20, 220]]) });
    expect(image_embeds!.dims).toEqual([2, 512]);
    const data = image_embeds!.data as Float32Array;
    expect(data.every(Number.isFinite)).toBe(true);
    expect(Math.hypot(...data)).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and writes a spec with matching hashes', async () => {
    expect(buildRandomVit(narrow, 3).equals(buildRandomVit(narrow, 3))).toBe(true);
    expect(buildRandomVit(narrow, 3).equals(buildRandomVit(narrow, 4))).toBe(false);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-fixture-vit-'));
    try {
      const spec = await writeRandomVitB32(dir, { seed: 3, shape: { ...narrow, projectionDim: 32 } });
      expect(spec).toMatchObject({ id: 'bench-vit-b32-random', repo: 'shoebox-fixtures/vit-b32-random', clip: { vision: 'onnx/vision_model.onnx', text: '', dim: 32 } });
      expect(spec.files.map((f) => f.path)).toEqual(['config.json', 'onnx/vision_model.onnx', 'preprocessor_config.json']);
      for (const f of spec.files) expect(await sha256(path.join(dir, f.path)), f.path).toBe(f.sha256);
      const session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'vision_model.onnx'));
      const { image_embeds } = await session.run({ pixel_values: solidPixels([[0, 0, 0]]) });
      expect(image_embeds!.dims).toEqual([1, 32]);
      const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
      expect(config.vision_config).toMatchObject({ hidden_size: 768, num_hidden_layers: 12, patch_size: 32, projection_dim: 512 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
