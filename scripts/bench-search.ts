// bench:search — build time, memory, kNN latency and recall@10 of the vector index on synthetic clustered 512-dim embeddings.
// Usage: npm run bench:search [-- --n 100000 | --million] [--dim 512] [--queries 1000] [--clusters N] [--noise 1.5]
//        [--decay 1] [--ef-search 100,200,400 (default: what the app uses at this size)] [--M 32] [--ef-construction 128] [--recall-queries 200] [--no-text]
//        [--keep (leave the generated library in the temp folder: scripts/lib/first-query.ts can time it again)]
//        [--library DIR (a library kept by --keep, made with the same --n/--seed/data options: its vectors are made
//         again for the exact answers, its index is opened instead of built, and its first search timed again)]
// Last line: one JSON object with the figures and their ratios to the goals.
//
// The data imitates a photo library's image embeddings: `--clusters` random unit centers (events,
// scenes; 2000 by default), each photo = center + Gaussian noise of norm `--noise` (default 1.5),
// normalized. The noise is anisotropic, since learned embeddings have a decaying spectrum and a
// low intrinsic dimension: the variance of axis j falls as (j + 1)^-decay (`--decay`, default 1:
// about 28 effective dimensions), the spectrum shifted per cluster. A photo's cosine to its
// center is then ≈ 0.55 and clusters overlap along shared directions, so the ten nearest
// neighbours of a query are not trivial: at 100k, efSearch 20 finds 79 % of them, 64 finds 94 %.
// `--decay 0` gives isotropic noise in all 512 dimensions: a worst case (neighbours are nearly
// equidistant, the clusters nearly orthogonal islands) that photo embeddings do not resemble.
// "lost" counts the sample queries that found under half of their true ten.
// Queries imitate text queries: a cluster center perturbed by fresh noise of the same law, never
// a database point. Recall is measured against exact brute force: a blocked Float32Array
// dot-product loop on worker threads (one per core, up to 4) over the shared vectors.
// The search preview ([Note: search preview]), which answers while the graph loads after start, is measured
// the same way: recall@10 of its answers against the exact ones, its latency, its file's size and write time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ensureSearchModel, measureTextQueries } from './lib/text-query.ts';
import { benchModels, firstQueries, writeCatalog, type FirstQueryFigures } from './lib/open-library.ts';
import { autoEfSearch, DEFAULT_EF_CONSTRUCTION, DEFAULT_M, VectorIndex, type IndexMeta } from '../src/main/core/search/vector-index.ts';
import { SearchPreview } from '../src/main/core/search/preview.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    million: { type: 'boolean', default: false },
    dim: { type: 'string', default: '512' },
    queries: { type: 'string', default: '1000' },
    clusters: { type: 'string' },
    noise: { type: 'string', default: '1.5' },
    decay: { type: 'string', default: '1' },
    'ef-search': { type: 'string' },
    M: { type: 'string' },
    'ef-construction': { type: 'string' },
    'recall-queries': { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    'no-text': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    library: { type: 'string' },
  },
});

const n = values.million ? 1_000_000 : Number.parseInt(values.n, 10);
const dim = Number.parseInt(values.dim, 10);
const nQueries = Number.parseInt(values.queries, 10);
const clusters = values.clusters ? Number.parseInt(values.clusters, 10) : Math.min(2000, Math.max(1, Math.round(n / 10)));
const noise = Number.parseFloat(values.noise);
const decay = Number.parseFloat(values.decay);
const M = values.M ? Number.parseInt(values.M, 10) : DEFAULT_M;
const efConstruction = values['ef-construction'] ? Number.parseInt(values['ef-construction'], 10) : DEFAULT_EF_CONSTRUCTION;
const efList = values['ef-search'] ? values['ef-search'].split(',').map((s) => Number.parseInt(s, 10)) : [autoEfSearch(n)]; // what the app uses for this many photos
const nRecall = Math.min(Number.parseInt(values['recall-queries'], 10), nQueries);
const K = 10;
const RECALL_GOAL = 0.98;
const P95_GOAL_MS = n <= 100_000 ? 5 : 10;
/** The first text search after opening the library (the text encoder's own load left out): 0.5 s at 100k, 1.5 s at 1M. */
const FIRST_QUERY_GOAL_MS = n <= 100_000 ? 500 : 1500;
const FIRST_QUERY_RUNS = 3;

// ---------------------------------------------------------------------------------------------
// Seeded random numbers: sfc32 and Box–Muller.

function sfc32(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

const uniform = sfc32(Number.parseInt(values.seed, 10));
let spare: number | undefined;
function gauss(): number {
  if (spare !== undefined) {
    const s = spare;
    spare = undefined;
    return s;
  }
  const u = 1 - uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

function normalize(a: Float32Array, off: number): void {
  let ss = 0;
  for (let j = 0; j < dim; j++) ss += a[off + j]! * a[off + j]!;
  const inv = 1 / Math.sqrt(ss);
  for (let j = 0; j < dim; j++) a[off + j]! *= inv;
}

// The noise spectrum: variance of axis j ∝ (j + 1)^-decay, summing to 1 (0 = isotropic). Each
// cluster shifts the spectrum by its own offset, so clusters are shaped differently.
const spectrum = Float64Array.from({ length: dim }, (_, j) => (j + 1) ** -decay);
{
  const total = spectrum.reduce((a, b) => a + b, 0);
  for (let j = 0; j < dim; j++) spectrum[j] = Math.sqrt(spectrum[j]! / total);
}
const effectiveDim = (() => {
  let s1 = 0;
  let s2 = 0;
  for (const w of spectrum) {
    s1 += w * w;
    s2 += w ** 4;
  }
  return (s1 * s1) / s2; // participation ratio of the variances
})();

/** out[off..] = normalize(center + Gaussian noise of norm ≈ sigma, shaped by the spectrum). */
function perturb(out: Float32Array, off: number, centers: Float32Array, c: number, sigma: number): void {
  const co = c * dim;
  const shift = shifts[c]!;
  for (let j = 0; j < dim; j++) out[off + j] = centers[co + j]! + sigma * spectrum[(j + shift) % dim]! * gauss();
  normalize(out, off);
}
let shifts = new Int32Array(0);

// ---------------------------------------------------------------------------------------------
// Exact kNN: each worker scans a slice of the rows against all sample queries and keeps a top-K
// per query; the slices' lists are merged here.

const BRUTE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { data, queries, dim, nq, k, from, to } = workerData;
const X = new Float32Array(data), Q = new Float32Array(queries);
const ids = new Int32Array(nq * k).fill(-1), sc = new Float32Array(nq * k).fill(-Infinity);
const floor = new Float32Array(nq).fill(-Infinity);
for (let i = from; i < to; i++) {
  const xo = i * dim;
  for (let q = 0; q < nq; q++) {
    const qo = q * dim;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < dim; j += 4) {
      s0 += X[xo + j] * Q[qo + j]; s1 += X[xo + j + 1] * Q[qo + j + 1];
      s2 += X[xo + j + 2] * Q[qo + j + 2]; s3 += X[xo + j + 3] * Q[qo + j + 3];
    }
    const s = (s0 + s1) + (s2 + s3);
    if (s <= floor[q]) continue;
    // insert into the sorted (descending) list of query q
    const base = q * k;
    let p = k - 1;
    while (p > 0 && sc[base + p - 1] < s) { sc[base + p] = sc[base + p - 1]; ids[base + p] = ids[base + p - 1]; p--; }
    sc[base + p] = s; ids[base + p] = i;
    floor[q] = sc[base + k - 1];
  }
}
parentPort.postMessage({ ids, sc });
`;

async function exactKnn(data: Float32Array, queries: Float32Array, nq: number, workers: number): Promise<Int32Array[]> {
  const shared = new Float32Array(new SharedArrayBuffer(queries.byteLength));
  shared.set(queries);
  const step = Math.ceil(n / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const worker = new Worker(BRUTE_WORKER, {
        eval: true,
        workerData: { data: data.buffer, queries: shared.buffer, dim, nq, k: K, from: w * step, to: Math.min(n, (w + 1) * step) },
      });
      return new Promise<{ ids: Int32Array; sc: Float32Array }>((resolve, reject) => {
        worker.once('message', (m: { ids: Int32Array; sc: Float32Array }) => {
          resolve(m);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  const out: Int32Array[] = [];
  for (let q = 0; q < nq; q++) {
    const cand: { id: number; s: number }[] = [];
    for (const p of parts) for (let r = 0; r < K; r++) if (p.ids[q * K + r]! >= 0) cand.push({ id: p.ids[q * K + r]!, s: p.sc[q * K + r]! });
    cand.sort((a, b) => b.s - a.s);
    out.push(Int32Array.from(cand.slice(0, K), (c) => c.id));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const mb = (bytes: number) => Math.round(bytes / (1 << 20));
const round = (x: number, d = 3) => +x.toFixed(d);

async function main(): Promise<void> {
  console.log(`bench:search  n=${n} dim=${dim} clusters=${clusters} noise=${noise} decay=${decay} (effective dim ${effectiveDim.toFixed(0)}) M=${M} efConstruction=${efConstruction} efSearch=${efList.join(',')} cpus=${os.availableParallelism()}`);

  // Data: one big (shared, for the brute-force workers) Float32Array; photo i has id i + 1.
  const tGen = performance.now();
  shifts = Int32Array.from({ length: clusters }, () => Math.floor(uniform() * dim));
  const centers = new Float32Array(clusters * dim);
  for (let c = 0; c < clusters; c++) {
    for (let j = 0; j < dim; j++) centers[c * dim + j] = gauss();
    normalize(centers, c * dim);
  }
  const data = new Float32Array(new SharedArrayBuffer(n * dim * 4));
  for (let i = 0; i < n; i++) perturb(data, i * dim, centers, Math.floor(uniform() * clusters), noise);
  const queries = new Float32Array(nQueries * dim);
  for (let q = 0; q < nQueries; q++) perturb(queries, q * dim, centers, Math.floor(uniform() * clusters), noise);
  const genS = (performance.now() - tGen) / 1000;
  console.log(`generated:       ${round(genS, 1)} s  (${mb(data.byteLength)} MB of vectors)`);

  // Exact answers for the recall sample, computed before the index exists (memory stays lower).
  const tExact = performance.now();
  const truth = await exactKnn(data, queries.subarray(0, nRecall * dim), nRecall, Math.max(1, Math.min(4, os.availableParallelism())));
  const exactS = (performance.now() - tExact) / 1000;
  console.log(`exact kNN:       ${round(exactS, 1)} s  (${nRecall} queries, brute force)`);

  // Build through the engine's own path: upsert one photo at a time, into the index folder of a
  // library on disk (its catalog is written after, for the first-search-after-start figures).
  const textModel = values['no-text'] || dim !== 512 ? null : await ensureSearchModel(path.resolve('.bench'));
  const kept = values.library ? path.resolve(values.library) : null;
  const root = kept ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-search-'));
  const dataDir = path.join(root, 'data');
  const dir = path.join(dataDir, 'index');
  const keptMeta = kept ? fs.readdirSync(dir).find((f) => f.endsWith('.meta.json')) : undefined;
  if (kept && !keptMeta) throw new Error(`${dir} holds no saved index`);
  const modelId = keptMeta ? (JSON.parse(fs.readFileSync(path.join(dir, keptMeta), 'utf8')) as IndexMeta).modelId : (textModel?.spec.id ?? 'bench');
  try {
    const rss0 = process.memoryUsage().rss;
    const tBuild = performance.now();
    const index = await VectorIndex.open({ dir, modelId, dim, M, efConstruction, efSearch: efList[0], initialCapacity: 1024, verify: !kept });
    if (kept) {
      // The kept library must hold these very vectors: photo i's own vector finds it first.
      const probe = [0, Math.floor(n / 2), n - 1].map((i) => index.search(data.subarray(i * dim, (i + 1) * dim), 1)[0]);
      if (index.size() !== n || probe.some((h, j) => h?.id !== [1, Math.floor(n / 2) + 1, n][j] || h!.score < 0.999)) {
        throw new Error(`${kept} was not made with these options (n=${n}, seed ${values.seed}, clusters ${clusters}, noise ${noise}, decay ${decay})`);
      }
      console.log(`opened:          ${kept} (${index.size()} photos) in ${round((performance.now() - tBuild) / 1000, 1)} s`);
    }
    let lastLog = tBuild;
    for (let i = 0; i < n && !kept; i++) {
      index.upsert(i + 1, data.subarray(i * dim, (i + 1) * dim));
      if ((i & 4095) === 0 && performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        const s = (lastLog - tBuild) / 1000;
        console.error(`  … ${i}/${n} after ${s.toFixed(0)} s (${Math.round(i / s)}/s)`);
      }
    }
    const buildS = (performance.now() - tBuild) / 1000;
    const rssBuilt = process.memoryUsage().rss;
    if (!kept) console.log(`build:           ${round(buildS, 1)} s  (${Math.round(n / buildS)} vectors/s, capacity ${index.capacity()})`);

    const sweep: { ef: number; recall_at_10: number; lost_queries: number; p50_ms: number; p95_ms: number; p99_ms: number; mean_ms: number }[] = [];
    for (const ef of efList) sweep.push(measure(index, ef, queries, truth));
    const main = sweep[0]!;

    // The full query: tokenizer + a full-size CLIP ViT-B/32 text encoder (random weights) on the
    // ML worker, then the kNN search, as `shoebox search` runs it.
    const text = values['no-text'] || dim !== 512 ? null : await measureTextQueries(path.resolve('.bench'), (v) => void index.search(v, K));

    const tSave = performance.now();
    if (kept) await index.ensurePreview(); // written again only when it does not belong to the saved graph
    else await index.save(); // the graph, then its preview
    const saveS = (performance.now() - tSave) / 1000;
    const previewWrite = index.lastPreviewWrite;
    const fileBytes = fs.statSync(index.file).size;
    const preview = await measurePreview(index, queries, truth);
    await index.close();
    const tOpen = performance.now();
    const reopened = await VectorIndex.open({ dir, modelId, dim });
    const openS = (performance.now() - tOpen) / 1000;
    const reopenedOk = reopened.openReport.action === 'loaded' && reopened.size() === n;
    await reopened.close();

    // The first text search after start: a fresh process opens the library (catalog + this index)
    // and answers one query, FIRST_QUERY_RUNS times (warm page cache, as after any earlier run).
    let first: { median: FirstQueryFigures; all: FirstQueryFigures[] } | null = null;
    let catalogS: number | null = null;
    if (textModel) {
      const modelsDir = kept ? path.join(root, 'models') : await benchModels(root, textModel.spec, textModel.dir);
      if (!kept) {
        catalogS = await writeCatalog(dataDir, modelsDir, modelId, data, n, dim);
        console.log(`catalog:         ${round(catalogS, 1)} s to write ${n} photos with their vectors`);
      }
      first = firstQueries(dataDir, modelsDir, 'kids on a beach at sunset', FIRST_QUERY_RUNS);
    }
    /** The fields first-query.ts adds for the preview. */
    const firstPreview = (r: FirstQueryFigures | undefined) => r as (FirstQueryFigures & { answered_by?: string; searchable_via?: string; graph_ms?: number; load?: string }) | undefined;

    const figures = {
      bench: 'search',
      n,
      dim,
      clusters,
      noise,
      decay,
      effective_dim: Math.round(effectiveDim),
      M,
      ef_construction: efConstruction,
      ef_search: main.ef,
      k: K,
      queries: nQueries,
      recall_queries: nRecall,
      generate_s: round(genS, 1),
      exact_knn_s: round(exactS, 1),
      build_s: kept ? null : round(buildS, 1),
      build_rate: kept ? null : Math.round(n / buildS),
      rss_delta_mb: mb(rssBuilt - rss0),
      index_file_mb: mb(fileBytes),
      save_s: kept ? null : round(saveS, 2),
      library: kept,
      preview_recall_at_10: preview.recall_at_10,
      preview_lost_queries: preview.lost_queries,
      preview_p50_ms: preview.p50_ms,
      preview_p95_ms: preview.p95_ms,
      preview_candidates: preview.candidates,
      preview_file_mb: mb(preview.bytes),
      preview_write_s: previewWrite ? round(previewWrite.ms / 1000, 2) : null,
      first_query_answered_by: firstPreview(first?.median)?.answered_by ?? null,
      first_query_searchable_via: firstPreview(first?.median)?.searchable_via ?? null,
      graph_load_ms: firstPreview(first?.median)?.graph_ms ?? null,
      first_query_best_ms: first ? Math.min(...first.all.map((r) => r.first_query_ms)) : null,
      first_query_loadavg: first ? first.all.map((r) => firstPreview(r)?.load ?? null) : null,
      open_s: round(openS, 2),
      reopen_loaded: reopenedOk,
      recall_at_10: main.recall_at_10,
      lost_queries: main.lost_queries,
      p50_ms: main.p50_ms,
      p95_ms: main.p95_ms,
      p99_ms: main.p99_ms,
      mean_ms: main.mean_ms,
      text_encoder_ms_p50: text?.text_encoder_ms_p50 ?? null,
      text_encoder_ms_p95: text?.text_encoder_ms_p95 ?? null,
      full_query_ms_p50: text?.full_query_ms_p50 ?? null,
      full_query_ms_p95: text?.full_query_ms_p95 ?? null,
      text_provider: text?.text_provider ?? null,
      open_ms: first?.median.open_ms ?? null,
      catalog_check_ms: first?.median.check_ms ?? null,
      index_open_ms: first?.median.index_ms ?? null,
      first_query_ms: first?.median.first_query_ms ?? null,
      first_answer_wall_ms: first?.median.first_answer_wall_ms ?? null,
      text_model_load_ms: first?.median.text_model_load_ms ?? null,
      deferred_check_ms: first?.median.deferred_check_ms ?? null,
      first_query_runs: first?.all.map((r) => r.first_query_ms) ?? null,
      first_query_goal_ms: FIRST_QUERY_GOAL_MS,
      first_query_ratio_to_goal: first ? round(first.median.first_query_ms / FIRST_QUERY_GOAL_MS, 3) : null,
      catalog_write_s: catalogS === null ? null : round(catalogS, 1),
      recall_goal: RECALL_GOAL,
      p95_goal_ms: P95_GOAL_MS,
      recall_ratio_to_goal: round(main.recall_at_10 / RECALL_GOAL, 3),
      p95_ratio_to_goal: round(main.p95_ms / P95_GOAL_MS, 3),
      goals_met: main.recall_at_10 >= RECALL_GOAL && main.p95_ms <= P95_GOAL_MS && (!first || first.median.first_query_ms <= FIRST_QUERY_GOAL_MS),
      sweep: sweep.length > 1 ? sweep : undefined,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      cpus: os.availableParallelism(),
      node: process.version,
    };
    console.log(`memory:          RSS +${figures.rss_delta_mb} MB for the index, file ${figures.index_file_mb} MB, peak RSS ${figures.peak_rss_mb} MB`);
    console.log(`save / open:     ${figures.save_s} s / ${figures.open_s} s (verified; reopened ${reopenedOk ? 'loaded' : 'NOT loaded'})`);
    for (const s of sweep) console.log(`efSearch ${String(s.ef).padEnd(6)}  recall@10 ${s.recall_at_10.toFixed(4)} (${s.lost_queries} lost)  p50 ${s.p50_ms} ms  p95 ${s.p95_ms} ms  p99 ${s.p99_ms} ms`);
    console.log(
      `preview:         recall@10 ${preview.recall_at_10.toFixed(4)} (${preview.lost_queries} lost) re-ranking the best ${preview.candidates} estimates, p50 ${preview.p50_ms} ms, p95 ${preview.p95_ms} ms; ` +
        `file ${mb(preview.bytes)} MB${previewWrite ? `, written in ${round(previewWrite.ms / 1000, 2)} s` : ' (already current)'}`,
    );
    if (text) {
      console.log(
        `text query:      p50 ${text.full_query_ms_p50} ms, p95 ${text.full_query_ms_p95} ms end to end (text encoder p50 ${text.text_encoder_ms_p50} ms on ${text.text_provider}, then kNN)`,
      );
    } else console.log('text query:      not measured (--no-text, or --dim is not 512)');
    if (first) {
      const f = first.median;
      console.log(
        `first search:    ${f.first_query_ms} ms after opening the library (goal ${FIRST_QUERY_GOAL_MS} ms, ratio ${figures.first_query_ratio_to_goal}): ` +
          `open ${f.open_ms} ms + index ${f.index_ms} ms + query ${f.query_ms} ms; median of ${first.all.length} fresh processes (${first.all.map((r) => r.first_query_ms).join(', ')} ms)`,
      );
      console.log(
        `                 text encoder's first load ${f.text_model_load_ms} ms (in parallel with the index, left out); wall clock to the answer ${f.first_answer_wall_ms} ms; ` +
          `the catalog's check before any write ${f.check_ms} ms after the open, beside the search; the index file's deferred hash ${f.deferred_check_ms ?? '–'} ms after the answer`,
      );
      console.log(
        `                 answered by the ${firstPreview(f)?.answered_by ?? '?'} (searchable by the ${firstPreview(f)?.searchable_via ?? '?'} after ${f.index_ms} ms; the graph loaded after ${firstPreview(f)?.graph_ms ?? '?'} ms); ` +
          `best run ${figures.first_query_best_ms} ms; load average ${first.all.map((r) => firstPreview(r)?.load ?? '?').join(' | ')}`,
      );
    }
    console.log(
      `goals:           recall@10 ${main.recall_at_10.toFixed(4)} ≥ ${RECALL_GOAL} (ratio ${figures.recall_ratio_to_goal}), ` +
        `p95 ${main.p95_ms} ms ≤ ${P95_GOAL_MS} ms (ratio ${figures.p95_ratio_to_goal})` +
        (first ? `, first search ${first.median.first_query_ms} ms ≤ ${FIRST_QUERY_GOAL_MS} ms` : '') +
        `: ${figures.goals_met ? 'met' : 'NOT met'}`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    if (values.keep && !kept) console.error(`kept the library (catalog, index, models) in ${root}`);
    else if (!kept) fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The saved preview of `index` searched for every sample query: recall@10 against the exact answers, and its latency. */
async function measurePreview(index: VectorIndex, queries: Float32Array, truth: Int32Array[]) {
  const meta = JSON.parse(fs.readFileSync(index.metaFile, 'utf8')) as IndexMeta;
  const preview = await SearchPreview.read(index.previewFile, { dim, savedAt: meta.savedAt, graphSha256: meta.fileSha256, checksum: meta.checksum });
  if (typeof preview === 'string') throw new Error(`the preview cannot be read: ${preview}`);
  preview.useGraphFile(index.file);
  try {
    const times: number[] = [];
    let hit = 0;
    let lost = 0;
    // The search service asks for max(5·limit, 50) = 100 neighbours, so it re-ranks max(2000, 20·100) candidates.
    const candidates = 2000;
    for (let q = 0; q < truth.length; q++) {
      const query = queries.subarray(q * dim, (q + 1) * dim);
      const t0 = performance.now();
      const hits = preview.search(query, K, undefined, undefined, candidates);
      times.push(performance.now() - t0);
      const want = new Set(Array.from(truth[q]!, (i) => i + 1));
      let found = 0;
      for (const h of hits) if (want.has(h.id)) found++;
      hit += found;
      if (found < K / 2) lost++;
    }
    times.sort((a, b) => a - b);
    return { recall_at_10: round(hit / (truth.length * K), 4), lost_queries: lost, p50_ms: round(pct(times, 50), 1), p95_ms: round(pct(times, 95), 1), candidates, bytes: preview.bytes };
  } finally {
    preview.close();
  }
}

/** Latency over all queries (one at a time, after a warm-up) and recall@10 over the exact sample, at one efSearch. */
function measure(index: VectorIndex, ef: number, queries: Float32Array, truth: Int32Array[]) {
  index.setEfSearch(ef);
  for (let q = 0; q < Math.min(50, nQueries); q++) index.search(queries.subarray(q * dim, (q + 1) * dim), K);
  const times: number[] = [];
  let hit = 0;
  let lost = 0; // sample queries that found fewer than half of their true ten: the search missed their cluster
  for (let q = 0; q < nQueries; q++) {
    const query = queries.subarray(q * dim, (q + 1) * dim);
    const t0 = performance.now();
    const hits = index.search(query, K);
    times.push(performance.now() - t0);
    if (q < truth.length) {
      const want = new Set(Array.from(truth[q]!, (i) => i + 1));
      let found = 0;
      for (const h of hits) if (want.has(h.id)) found++;
      hit += found;
      if (found < K / 2) lost++;
    }
  }
  times.sort((a, b) => a - b);
  return {
    ef: Math.max(2 * K, ef), // what the index uses: max(2k, efSearch)
    recall_at_10: round(hit / (truth.length * K), 4),
    lost_queries: lost,
    p50_ms: round(pct(times, 50)),
    p95_ms: round(pct(times, 95)),
    p99_ms: round(pct(times, 99)),
    mean_ms: round(times.reduce((a, b) => a + b, 0) / times.length),
  };
}

await main();
