// Checks the random CLIP B/32 text encoder builder (narrow variants only) against a plain-TS reference, and the random CLIP B/32 folder writer.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/main/core/models/spec.ts';
import { buildRandomClipText, CLIP_TEXT_B32_SHAPE, type ClipTextShape, writeRandomClipB32 } from './fixtures/models/clip-text.ts';
import { expectSpecFiles } from './helpers/model-files.ts';

const L = 77;
const NARROW_TEXT: Partial<ClipTextShape> = { layers: 2, width: 64, heads: 4, mlp: 256, projectionDim: 32 };
const NARROW_VISION = { layers: 1, width: 64, heads: 4, mlp: 256, projectionDim: 32 };

interface Encoded {
  ids: BigInt64Array;
  mask: BigInt64Array;
}

const feeds = (batch: Encoded[]): Record<string, ort.Tensor> => {
  const ids = new BigInt64Array(batch.length * L);
  const mask = new BigInt64Array(batch.length * L);
  batch.forEach((e, i) => {
    ids.set(e.ids, i * L);
    mask.set(e.mask, i * L);
  });
  return { input_ids: new ort.Tensor('int64', ids, [batch.length, L]), attention_mask: new ort.Tensor('int64', mask, [batch.length, L]) };
};

const rows = (t: ort.Tensor): Float32Array[] => {
  const [n, d] = t.dims as [number, number];
  const data = t.data as Float32Array;
  return Array.from({ length: n }, (_, i) => data.slice(i * d, (i + 1) * d));
};

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** The model's float initializers by name. */
function initializers(model: Buffer): Map<string, { data: Float32Array; dims: number[] }> {
  const decoded = onnxProto.onnx.ModelProto.decode(model);
  const out = new Map<string, { data: Float32Array; dims: number[] }>();
  for (const t of decoded.graph!.initializer!) {
    if (t.dataType !== 1) continue;
    const raw = t.rawData!;
    const data = new Float32Array(raw.byteLength / 4);
    new Uint8Array(data.buffer).set(raw);
    out.set(t.name!, { data, dims: t.dims!.map(Number) });
  }
  return out;
}

/** HF CLIPTextModelWithProjection's forward for one sequence, in plain TS (double precision), from the model's weights. */
function referenceForward(model: Buffer, s: ClipTextShape, ids: ArrayLike<bigint>, mask: ArrayLike<bigint>): Float64Array {
  const w = initializers(model);
  const get = (name: string): Float32Array => {
    const t = w.get(name);
    if (!t) throw new Error(`no initializer ${name}`);
    return t.data;
  };
  const W = s.width;
  const d = W / s.heads;
  const layerNorm = (x: Float64Array[], prefix: string): Float64Array[] => {
    const gamma = get(`${prefix}.weight`);
    const beta = get(`${prefix}.bias`);
    return x.map((row) => {
      const mean = row.reduce((a, b) => a + b, 0) / W;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / W;
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[i]! + beta[i]!);
    });
  };
  const linear = (x: Float64Array[], prefix: string, inDim: number, outDim: number, bias = true): Float64Array[] => {
    const m = get(`${prefix}.weight`); // [in, out]
    const b = bias ? get(`${prefix}.bias`) : new Float32Array(outDim);
    return x.map((row) => {
      const out = Float64Array.from(b);
      for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) out[o]! += row[i]! * m[i * outDim + o]!;
      return out;
    });
  };
  const tok = get('text_model.embeddings.token_embedding.weight');
  const pos = get('text_model.embeddings.position_embedding.weight');
  let x: Float64Array[] = Array.from({ length: L }, (_, t) => {
    const id = Number(ids[t]);
    return Float64Array.from({ length: W }, (_, i) => tok[id * W + i]! + pos[t * W + i]!);
  });
  for (let l = 0; l < s.layers; l++) {
    const p = `text_model.encoder.layers.${l}`;
    const h = layerNorm(x, `${p}.layer_norm1`);
    const q = linear(h, `${p}.self_attn.q_proj`, W, W);
    const k = linear(h, `${p}.self_attn.k_proj`, W, W);
    const v = linear(h, `${p}.self_attn.v_proj`, W, W);
    const ctx = Array.from({ length: L }, () => new Float64Array(W));
    for (let head = 0; head < s.heads; head++) {
      for (let i = 0; i < L; i++) {
        const keys = Array.from({ length: i + 1 }, (_, j) => j).filter((j) => mask[j] !== 0n);
        const scores = keys.map((j) => {
          let dot = 0;
          for (let c = head * d; c < (head + 1) * d; c++) dot += q[i]![c]! * k[j]![c]!;
          return dot / Math.sqrt(d);
        });
        const top = Math.max(...scores);
        const e = scores.map((v) => Math.exp(v - top));
        const sum = e.reduce((a, b) => a + b, 0);
        keys.forEach((j, n) => {
          for (let c = head * d; c < (head + 1) * d; c++) ctx[i]![c]! += (e[n]! / sum) * v[j]![c]!;
        });
      }
    }
    const attnOut = linear(ctx, `${p}.self_attn.out_proj`, W, W);
    x = x.map((row, t) => row.map((val, i) => val + attnOut[t]![i]!));
    const f1 = linear(layerNorm(x, `${p}.layer_norm2`), `${p}.mlp.fc1`, W, s.mlp);
    const act = f1.map((row) => row.map((val) => val / (1 + Math.exp(-1.702 * val))));
    const f2 = linear(act, `${p}.mlp.fc2`, s.mlp, W);
    x = x.map((row, t) => row.map((val, i) => val + f2[t]![i]!));
  }
  x = layerNorm(x, 'text_model.final_layer_norm');
  let eos = 0;
  for (let t = 1; t < L; t++) if (ids[t]! > ids[eos]!) eos = t;
  return linear([x[eos]!], 'text_projection', W, s.projectionDim, false)[0]!;
}

describe('random CLIP B/32 folder and text encoder (narrow variants)', () => {
  let dir: string;
  let spec: ModelSpec;
  let tokenizer: PreTrainedTokenizer;
  let text: ort.InferenceSession;
  const encode = (s: string): Encoded => {
    const enc = tokenizer(s, { padding: 'max_length', max_length: L, truncation: true });
    return { ids: Int64(enc.input_ids.data), mask: Int64(enc.attention_mask.data) };
  };
  const Int64 = (data: unknown): BigInt64Array => BigInt64Array.from(data as BigInt64Array);
  const eosId = (): bigint => BigInt(tokenizer.eos_token_id as number);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-fixture-clip-b32-'));
    spec = await writeRandomClipB32(dir, { seed: 5, textShape: NARROW_TEXT, visionShape: NARROW_VISION });
    const read = async (name: string) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Record<string, unknown>;
    tokenizer = new PreTrainedTokenizer(await read('tokenizer.json'), await read('tokenizer_config.json'));
    text = await ort.InferenceSession.create(path.join(dir, spec.clip!.text));
  });
  afterAll(async () => {
    await text?.release();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the folder with a spec whose sizes and hashes match, and B/32 configs', async () => {
    expect(spec).toMatchObject({
      id: 'bench-clip-b32-random',
      task: 'clip',
      title: 'CLIP ViT-B/32, random weights (benchmark fixture)',
      repo: 'shoebox-fixtures/clip-b32-random',
      revision: 'main',
      clip: { vision: 'onnx/vision_model.onnx', text: 'onnx/text_model.onnx', dim: 32, maxTokens: 77 },
    });
    await expectSpecFiles(dir, spec.files, [
      'config.json',
      'merges.txt',
      'onnx/text_model.onnx',
      'onnx/vision_model.onnx',
      'preprocessor_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.json',
    ]);
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
    expect(config.text_config).toMatchObject({ hidden_size: 512, num_hidden_layers: 12, num_attention_heads: 8, vocab_size: 49408, max_position_embeddings: 77 });
    expect(config.vision_config).toMatchObject({ hidden_size: 768, patch_size: 32 });
    expect(CLIP_TEXT_B32_SHAPE).toEqual({ vocabSize: 49408, contextLength: 77, width: 512, layers: 12, heads: 8, mlp: 2048, projectionDim: 512 });

    const vision = await ort.InferenceSession.create(path.join(dir, spec.clip!.vision));
    const { image_embeds } = await vision.run({ pixel_values: new ort.Tensor('float32', new Float32Array(3 * 224 * 224), [1, 3, 224, 224]) });
    expect(image_embeds!.dims).toEqual([1, 32]);
    await vision.release();
  });

  it('takes input_ids and attention_mask [batch,77] and gives [N,projection] finite, text-dependent embeddings', async () => {
    expect(text.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(text.outputNames).toEqual(['text_embeds']);
    const a = encode('a photo of a red car');
    const b = encode('a green tree at night');
    expect(Number(a.ids[0])).toBe(tokenizer.bos_token_id);
    const { text_embeds } = await text.run(feeds([a, b]));
    expect(text_embeds!.dims).toEqual([2, 32]);
    const [ea, eb] = rows(text_embeds!) as [Float32Array, Float32Array];
    expect(ea.every(Number.isFinite) && eb.every(Number.isFinite)).toBe(true);
    expect(Math.hypot(...ea)).toBeGreaterThan(0);
    expect(maxAbsDiff(ea, eb)).toBeGreaterThan(1e-3);
    // Symbolic batch: one row alone, and three rows, give the same embeddings as in the batch of two.
    const { text_embeds: one } = await text.run(feeds([b]));
    expect(maxAbsDiff(rows(one!)[0]!, eb)).toBeLessThan(1e-5);
    const { text_embeds: three } = await text.run(feeds([b, a, b]));
    expect(three!.dims).toEqual([3, 32]);
    expect(maxAbsDiff(rows(three!)[1]!, ea)).toBeLessThan(1e-5);
  });

  it('pools at the EOS: ids and mask after it do not matter, tokens before it do', async () => {
    const base = encode('a photo of a dog on the beach');
    const eos = base.ids.indexOf(eosId());
    expect(eos).toBeGreaterThan(1);
    expect(base.ids.slice(eos + 1).every((id) => id === eosId())).toBe(true);
    expect(base.mask.slice(eos + 1).every((m) => m === 0n)).toBe(true);

    // Other ids after the EOS (all below the EOS id, so argmax still finds it), the same with an all-ones mask.
    const scrambled: Encoded = { ids: base.ids.slice(), mask: base.mask.slice() };
    for (let t = eos + 1; t < L; t++) scrambled.ids[t] = BigInt((t * 37) % Number(eosId()));
    const unmasked: Encoded = { ids: scrambled.ids.slice(), mask: new BigInt64Array(L).fill(1n) };
    // A different token before the EOS.
    const changed: Encoded = { ids: base.ids.slice(), mask: base.mask.slice() };
    changed.ids[eos - 1] = changed.ids[eos - 1] === 5n ? 6n : 5n;

    const out = rows((await text.run(feeds([base, scrambled, unmasked, changed]))).text_embeds!);
    expect(maxAbsDiff(out[0]!, out[1]!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(out[0]!, out[2]!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(out[0]!, out[3]!)).toBeGreaterThan(1e-3);
  });

  it('computes what HF CLIP text model computes (plain-TS reference on a tiny variant)', async () => {
    const shape: ClipTextShape = { ...CLIP_TEXT_B32_SHAPE, layers: 2, width: 16, heads: 2, mlp: 32, projectionDim: 8 };
    const model = buildRandomClipText(shape, 11);
    const session = await ort.InferenceSession.create(model);
    const inputs = [encode('a red apple'), encode('something blue and something grey in the snow')];
    const out = rows((await session.run(feeds(inputs))).text_embeds!);
    await session.release();
    inputs.forEach((e, i) => {
      const ref = referenceForward(model, shape, e.ids, e.mask);
      const scale = Math.max(...ref.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      expect(maxAbsDiff(out[i]!, ref) / scale, `text ${i}`).toBeLessThan(1e-4);
    });
  });

  it('is deterministic for a seed', () => {
    const tiny = { layers: 1, width: 16, heads: 2, mlp: 32, vocabSize: 1000 };
    expect(buildRandomClipText(tiny, 3).equals(buildRandomClipText(tiny, 3))).toBe(true);
    expect(buildRandomClipText(tiny, 3).equals(buildRandomClipText(tiny, 4))).toBe(false);
    expect(() => buildRandomClipText({ width: 30, heads: 4 })).toThrow(/multiple of heads/);
  });
});
