// For bench:search: the full latency of a text query — tokenizer, CLIP text encoder on the ML
// worker, then the kNN search — with a random-weight full-size CLIP ViT-B/32 text encoder.
import fs from 'node:fs';
import path from 'node:path';
import { ClipEncoder } from '../../src/main/core/ml/clip.ts';
import { MlWorker } from '../../src/main/core/ml/worker-client.ts';
import type { ProviderSetting } from '../../src/main/core/ml/providers.ts';
import type { ModelSpec } from '../../src/main/core/models/spec.ts';
import { writeRandomClipB32 } from '../../test/fixtures/models/clip-text.ts';

const QUERIES = [
  'kids on a beach at sunset',
  'a dog playing in the snow',
  'birthday cake with candles',
  'mountain lake in autumn',
  'city street at night',
  'grandma in the kitchen',
  'a red bicycle',
  'wedding dance',
  'cat sleeping on a sofa',
  'fireworks over the harbor',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface TextQueryFigures {
  text_encoder_ms_p50: number;
  text_encoder_ms_p95: number;
  full_query_ms_p50: number;
  full_query_ms_p95: number;
  text_provider: string;
}

/** The full-size random CLIP ViT-B/32 (text and vision), generated once under `benchDir`. */
export async function ensureSearchModel(benchDir: string): Promise<{ spec: ModelSpec; dir: string }> {
  const dir = path.join(benchDir, 'models-search', 'clip-b32-random');
  const specFile = path.join(dir, 'spec.json');
  let spec: ModelSpec;
  if (fs.existsSync(specFile)) spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as ModelSpec;
  else {
    spec = await writeRandomClipB32(dir);
    fs.writeFileSync(specFile, JSON.stringify(spec));
  }
  return { spec, dir };
}

/** Times `rounds` queries through the bench's text encoder (after a warm-up). */
export async function measureTextQueries(
  benchDir: string,
  search: (query: Float32Array) => void,
  opts: { rounds?: number; provider?: ProviderSetting } = {},
): Promise<TextQueryFigures> {
  const { spec, dir } = await ensureSearchModel(benchDir);
  const worker = new MlWorker({ provider: opts.provider ?? 'auto', threads: 0 });
  try {
    const enc = await ClipEncoder.open(worker, spec, dir, { vision: false });
    await enc.embedTexts(['warm-up']);
    const text: number[] = [];
    const full: number[] = [];
    const rounds = opts.rounds ?? 30;
    for (let i = 0; i < rounds; i++) {
      const q = QUERIES[i % QUERIES.length]!;
      const t0 = performance.now();
      const [v] = await enc.embedTexts([q]);
      const t1 = performance.now();
      search(v!);
      const t2 = performance.now();
      text.push(t1 - t0);
      full.push(t2 - t0);
    }
    text.sort((a, b) => a - b);
    full.sort((a, b) => a - b);
    return {
      text_encoder_ms_p50: +percentile(text, 50).toFixed(1),
      text_encoder_ms_p95: +percentile(text, 95).toFixed(1),
      full_query_ms_p50: +percentile(full, 50).toFixed(1),
      full_query_ms_p95: +percentile(full, 95).toFixed(1),
      text_provider: worker.report(`${spec.id}:text`)?.used ?? 'cpu',
    };
  } finally {
    await worker.close();
  }
}
