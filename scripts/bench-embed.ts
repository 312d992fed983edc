// bench:embed — photos/s through the whole pipeline (2-MP JPEG files → decode once → thumbnails →
// preprocess → CLIP ViT-B/32 → SQLite and the HNSW index) against the raw ONNX Runtime throughput of
// the same model on already-preprocessed batches of the same size. Last line: one JSON object.
// Usage: npm run bench:embed [-- --photos 64] [--batch 16] [--threads N] [--provider auto|cpu|cuda|webgpu]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { Library } from '../src/main/core/library.ts';
import { writeRandomVitB32 } from '../test/fixtures/models/vit-b32.ts';
import { addToManifest } from '../test/fixtures/models/write-fixtures.ts';
import type { ProviderSetting } from '../src/main/core/ml/providers.ts';
import { ensureBenchPhotos } from './lib/photos.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '64' },
    batch: { type: 'string', default: '16' },
    threads: { type: 'string', default: '0' },
    provider: { type: 'string', default: 'auto' },
  },
});
const N = Number(values.photos);
const BATCH = Number(values.batch);
const THREADS = Number(values.threads);
const PROVIDER = values.provider as ProviderSetting;
const GOAL = 0.9;

const benchDir = path.resolve('.bench');
const modelsDir = path.join(benchDir, 'models-embed');

async function ensureModel(): Promise<string> {
  const dir = path.join(modelsDir, 'shoebox-fixtures', 'vit-b32-random');
  const file = path.join(dir, 'onnx', 'vision_model.onnx');
  if (!fs.existsSync(path.join(modelsDir, 'shoebox-models.json')) || !fs.existsSync(file)) {
    const t0 = performance.now();
    const spec = await writeRandomVitB32(dir);
    await addToManifest(modelsDir, [spec], { clip: spec.id });
    console.error(`generated the random ViT-B/32 (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return file;
}

async function rawThroughput(file: string, provider: string): Promise<{ rate: number; msPerBatch: number }> {
  const session = await ort.InferenceSession.create(file, {
    executionProviders: [provider],
    ...(THREADS > 0 ? { intraOpNumThreads: THREADS } : {}),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const input = new Float32Array(BATCH * 3 * 224 * 224);
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 0.001);
  const feed = { pixel_values: new ort.Tensor('float32', input, [BATCH, 3, 224, 224]) };
  await session.run(feed); // warm-up
  const batches = Math.max(2, Math.ceil(N / BATCH));
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) await session.run(feed);
  const ms = performance.now() - t0;
  await session.release();
  return { rate: (batches * BATCH) / (ms / 1000), msPerBatch: ms / batches };
}

async function main(): Promise<void> {
  const modelFile = await ensureModel();
  const photos = path.join(benchDir, `embed-photos-${N}`);
  await ensureBenchPhotos(photos, N);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-embed-'));
  const lib = Library.open({ dataDir, modelsDir, ml: { provider: PROVIDER, threads: THREADS, embedBatch: BATCH } });
  let pipelineMs = 0;
  let provider = 'cpu';
  let stored = 0;
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    await lib.addFolder(photos);
    // Load the model before the clock starts: the raw figure excludes session creation too.
    await lib.ml.clip();
    const t0 = performance.now();
    await lib.index();
    pipelineMs = performance.now() - t0;
    provider = lib.ml.providerReport()?.used ?? 'cpu';
    stored = lib.catalog.embeddingCount('bench-vit-b32-random');
    const indexed = (await lib.search.index('bench-vit-b32-random', 512)).size();
    if (stored !== N || indexed !== N) throw new Error(`expected ${N} vectors in SQLite and the index, got ${stored} and ${indexed}`);
  } finally {
    clearInterval(rssTimer);
    await lib.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const raw = await rawThroughput(modelFile, provider);
  const pipelineRate = N / (pipelineMs / 1000);
  const figures = {
    bench: 'embed',
    photos: N,
    photo_size: '1728x1152 JPEG',
    batch: BATCH,
    provider,
    threads: THREADS || 'auto',
    pipeline_s: +(pipelineMs / 1000).toFixed(2),
    pipeline_photos_per_s: +pipelineRate.toFixed(2),
    raw_model_photos_per_s: +raw.rate.toFixed(2),
    raw_ms_per_batch: +raw.msPerBatch.toFixed(1),
    ratio: +(pipelineRate / raw.rate).toFixed(3),
    // Wall time the pipeline adds per photo on top of the model: decode, thumbnail,
    // preprocessing, SQLite, index. On a CPU-only machine it competes with the model for the cores.
    overhead_ms_per_photo: +((1000 / pipelineRate) - 1000 / raw.rate).toFixed(1),
    goal_ratio: GOAL,
    peak_rss_mb: Math.round(peakRss / 1e6),
    cpus: os.availableParallelism(),
    node: process.version,
  };
  console.log(`pipeline:  ${figures.pipeline_photos_per_s} photos/s (${N} 2-MP JPEGs → thumbnails, embedding, SQLite, index in ${figures.pipeline_s} s, ${provider})`);
  console.log(`raw model: ${figures.raw_model_photos_per_s} photos/s (batches of ${BATCH} preprocessed, ${figures.raw_ms_per_batch} ms a batch)`);
  console.log(`ratio:     ${figures.ratio} (goal ≥ ${GOAL}); the pipeline adds ${figures.overhead_ms_per_photo} ms a photo`);
  console.log(JSON.stringify(figures));
}

await main();
