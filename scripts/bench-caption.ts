// bench:caption — captioning photos/s on a FULL-SIZE Florence-2-base with random weights (the default
// captioner's architecture: DaViT vision encoder, 577 image tokens at 768×768, BART-base encoder and
// merged decoder, vocab 51289), run through @huggingface/transformers exactly as the app runs it
// (Florence2ForConditionalGeneration + AutoProcessor from a local folder, CPU, fp32).
//
// The model is generated once by test/fixtures/models/florence2-base.ts (seeded; 231.5 M parameters,
// about 1.1 GB, 15–30 s; in a child process, so its memory stays out of the peak RSS) into
// <cache>/shoebox-fixtures/florence2-base-random/ (default cache .bench/models-caption/, with a
// shoebox-models.json naming it the active captioner), and reused on later runs. Photos are N
// 2-megapixel JPEGs (1728×1152) made with sharp under .bench/caption-photos-N/.
//
// It reports: load time; photos/s for the <CAPTION> task with greedy decoding, one photo per
// generate() call (JPEG decode + preprocessing + generation); time to first token (vision encoder +
// text encoder + first decoder step, from a streamer's timestamps) and mean time per later token;
// time per ONNX session; the same photos in batches of --batch per generate() call (and whether the
// batched captions equal the one-photo ones); beam search with --beams beams on fewer photos
// (Shoebox's own loop over the cached model steps, since transformers.js 4.3.1's generate keeps a
// single beam), and how many beam captions differ from greedy; peak RSS (process.resourceUsage().maxRSS, and RSS sampled every 50 ms per phase), the
// resident memory the loaded model adds, file sizes and parameter count. Random weights rarely emit
// </s>, and the config's forced_eos_token_id forces </s> as the last allowed token, so every
// caption runs to max_new_tokens: the tokens actually generated are counted and reported.
// Last line: one JSON object with all figures.
//
// Usage: npm run bench:caption [-- --photos 8] [--max-tokens 20] [--beams 3] [--batch 4]
//        [--threads N] [--spin 0|1] [--cache DIR]      (--beams 0 or --batch 0 skips that pass;
//        --spin 0 turns off ONNX Runtime's thread spinning, which helps when the cores are shared)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import type * as TransformersModule from '@huggingface/transformers';
import type { RawImage, Tensor } from '@huggingface/transformers';
import { FLORENCE2_FILES, writeRandomFlorence2Base } from '../test/fixtures/models/florence2-base.ts';
import { addToManifest } from '../test/fixtures/models/write-fixtures.ts';
import { beamSearch, type StepModel, type TensorCtor } from '../src/main/core/ml/beam-search.ts';
import { ensureBenchPhotos } from './lib/photos.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '8' },
    'max-tokens': { type: 'string', default: '20' },
    beams: { type: 'string', default: '3' },
    batch: { type: 'string', default: '4' },
    threads: { type: 'string', default: '0' },
    spin: { type: 'string', default: '1' },
    cache: { type: 'string', default: path.join('.bench', 'models-caption') },
    /** Internal: generate the model and exit (run in a child process, so its memory stays out of the peak RSS). */
    generate: { type: 'boolean', default: false },
  },
});
const N = Number(values.photos);
const MAX_TOKENS = Number(values['max-tokens']);
const BEAMS = Number(values.beams);
const BATCH = Math.min(Number(values.batch), N);
const THREADS = Number(values.threads);
/** ONNX Runtime's intra-op thread spinning (session.intra_op.allow_spinning); 1 is its default. */
const SPIN = values.spin === '0' ? '0' : '1';
const TASK = '<CAPTION>';
const BEAM_PHOTOS = Math.min(N, 2);
for (const [k, v] of Object.entries({ photos: N, 'max-tokens': MAX_TOKENS, beams: BEAMS, batch: BATCH, threads: THREADS })) {
  if (!Number.isInteger(v) || v < 0 || ((k === 'photos' || k === 'max-tokens') && v < 1)) throw new Error(`bad --${k}`);
}

const benchDir = path.resolve('.bench');
const modelsDir = path.resolve(values.cache);
const modelDir = path.join(modelsDir, 'shoebox-fixtures', 'florence2-base-random');
/** Bump when the generator changes, so a cached model is rebuilt. */
const FIXTURE_VERSION = 1;
const infoFile = path.join(modelsDir, 'florence2-base-random.json');

interface FixtureInfo {
  version: number;
  params: { vision: number; language: number; total: number };
  generate_s: number;
}

function cachedModel(): FixtureInfo | null {
  const files = Object.values(FLORENCE2_FILES).map((f) => path.join(modelDir, f));
  if (!fs.existsSync(infoFile) || !files.every((f) => fs.existsSync(f))) return null;
  const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as FixtureInfo;
  return info.version === FIXTURE_VERSION ? info : null;
}

/** The cached model, generated first in a child process when missing or stale. */
function ensureModel(): FixtureInfo & { generated: boolean } {
  const cached = cachedModel();
  if (cached) return { ...cached, generated: false };
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--generate', '--cache', modelsDir], { stdio: 'inherit' });
  const info = cachedModel();
  if (child.status !== 0 || !info) throw new Error(`generating the model failed (exit ${child.status ?? child.signal})`);
  return { ...info, generated: true };
}

async function generateModel(): Promise<void> {
  fs.rmSync(infoFile, { force: true });
  fs.rmSync(modelDir, { recursive: true, force: true });
  fs.mkdirSync(modelsDir, { recursive: true });
  console.error('generating the random Florence-2-base (about 1.1 GB) …');
  const t0 = performance.now();
  const { spec, params } = await writeRandomFlorence2Base(modelDir);
  await addToManifest(modelsDir, [spec], { caption: spec.id });
  const info: FixtureInfo = { version: FIXTURE_VERSION, params, generate_s: +((performance.now() - t0) / 1000).toFixed(1) };
  fs.writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`);
  console.error(`generated it in ${info.generate_s} s`);
}

type Transformers = typeof TransformersModule;
interface Model {
  generate(args: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<unknown>;
  sessions: Record<string, { run: (...args: unknown[]) => Promise<unknown> }>;
}
type Processor = ((images: unknown, text?: unknown) => Promise<Record<string, unknown>>) & {
  batch_decode(ids: unknown, opts: { skip_special_tokens: boolean }): string[];
  post_process_generation(text: string, task: string, size: [number, number]): Record<string, unknown>;
};

/** Time spent in each ONNX session (wraps session.run on the loaded model; measurement only). */
const sessionMs: Record<string, number> = {};
const sessionCalls: Record<string, number> = {};
function instrument(model: Model): void {
  for (const [name, session] of Object.entries(model.sessions)) {
    const run = session.run.bind(session);
    session.run = async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return await run(...args);
      } finally {
        sessionMs[name] = (sessionMs[name] ?? 0) + performance.now() - t0;
        sessionCalls[name] = (sessionCalls[name] ?? 0) + 1;
      }
    };
  }
}
function resetSessionTimes(): void {
  for (const k of Object.keys(sessionMs)) delete sessionMs[k];
  for (const k of Object.keys(sessionCalls)) delete sessionCalls[k];
}

/** Decodes a JPEG to packed RGB, as the app hands images to the captioner. */
async function readPhoto(t: Transformers, file: string): Promise<RawImage> {
  const { data, info } = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new t.RawImage(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, 3);
}

function rows(sequences: unknown): number[][] {
  const s = sequences as Tensor;
  const [n, len] = s.dims as [number, number];
  const data = s.data as BigInt64Array;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * len, (i + 1) * len), Number));
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const r1 = (x: number): number => +x.toFixed(1);
const r2 = (x: number): number => +x.toFixed(2);
const r3 = (x: number): number => +x.toFixed(3);
const mb = (bytes: number): number => Math.round(bytes / 1e6);

async function main(): Promise<void> {
  const fixture = ensureModel();
  const photos = await ensureBenchPhotos(path.join(benchDir, `caption-photos-${N}`), N);
  const imageTokens = (JSON.parse(fs.readFileSync(path.join(modelDir, 'preprocessor_config.json'), 'utf8')) as { image_seq_length: number }).image_seq_length;
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;

  // Load.
  const rssBefore = process.memoryUsage().rss;
  const tl = performance.now();
  const model = (await t.Florence2ForConditionalGeneration.from_pretrained(modelDir, {
    local_files_only: true,
    device: 'cpu',
    dtype: 'fp32',
    session_options: {
      ...(THREADS > 0 ? { intraOpNumThreads: THREADS } : {}),
      interOpNumThreads: 1,
      ...(SPIN === '0' ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    },
  } as never)) as unknown as Model;
  const processor = (await t.AutoProcessor.from_pretrained(modelDir, { local_files_only: true })) as unknown as Processor;
  const loadMs = performance.now() - tl;
  const rssLoaded = process.memoryUsage().rss;
  instrument(model);
  const EOS = 2;
  // Resident memory sampled per phase (maxRSS covers the whole process life only).
  const phasePeak: Record<string, number> = {};
  let phase = 'warmup';
  const sampleRss = (): void => {
    phasePeak[phase] = Math.max(phasePeak[phase] ?? 0, process.memoryUsage().rss);
  };
  const rssTimer = setInterval(sampleRss, 50);
  const enter = (name: string): void => {
    sampleRss();
    phase = name;
  };

  /** A streamer that timestamps each put(): the first is the decoder start token, then one per step. */
  class Clock extends t.BaseStreamer {
    stamps: number[] = [];
    override put(): void {
      this.stamps.push(performance.now());
    }
    override end(): void {}
  }

  // Warm-up: one short caption (first runs allocate ONNX Runtime's arenas).
  const tw = performance.now();
  {
    const img = await readPhoto(t, photos[0]!);
    await model.generate({ ...(await processor(img, TASK)), max_new_tokens: 2, num_beams: 1, do_sample: false });
  }
  const warmupMs = performance.now() - tw;
  resetSessionTimes();

  // Greedy, one photo per generate() call.
  enter('single');
  const single: number[][] = [];
  const texts: string[] = [];
  const prepMs: number[] = [];
  const ttftMs: number[] = [];
  const perTokenMs: number[] = [];
  const tokens: number[] = [];
  let naturalEos = 0;
  let encoderTokens = 0;
  const tg = performance.now();
  for (const file of photos) {
    const t0 = performance.now();
    const img = await readPhoto(t, file);
    const inputs = await processor(img, TASK);
    encoderTokens = imageTokens + (inputs['input_ids'] as Tensor).dims[1]!;
    const clock = new Clock();
    const t1 = performance.now();
    const out = await model.generate({ ...inputs, max_new_tokens: MAX_TOKENS, num_beams: 1, do_sample: false, streamer: clock });
    prepMs.push(t1 - t0);
    const seq = rows(out)[0]!;
    single.push(seq);
    const generated = seq.length - 1; // after the decoder start token
    tokens.push(generated);
    const eosAt = seq.indexOf(EOS, 1);
    if (eosAt > 0 && eosAt < MAX_TOKENS) naturalEos++; // an </s> before the forced last one
    const s = clock.stamps; // s[0]: start token, s[k]: after k decoder steps
    ttftMs.push(s[1]! - t1);
    if (s.length > 2) perTokenMs.push((s[s.length - 1]! - s[1]!) / (s.length - 2));
    const text = processor.batch_decode(out, { skip_special_tokens: false })[0]!;
    texts.push(String(processor.post_process_generation(text, TASK, [img.height, img.width])[TASK]));
  }
  const greedyMs = performance.now() - tg;
  const sessions = Object.fromEntries(
    Object.entries(sessionMs).map(([k, v]) => [k, { ms_per_photo: r1(v / N), calls_per_photo: r1(sessionCalls[k]! / N), ms_per_call: r1(v / sessionCalls[k]!) }]),
  );

  // Greedy, --batch photos per generate() call.
  let batch: { photos_per_s: number; s: number; matches_single: number } | null = null;
  if (BATCH > 1) {
    enter('batch');
    const tb = performance.now();
    let matches = 0;
    for (let i = 0; i < N; i += BATCH) {
      const chunk = photos.slice(i, i + BATCH);
      const imgs = await Promise.all(chunk.map((f) => readPhoto(t, f)));
      const inputs = await processor(imgs, imgs.map(() => TASK));
      const out = rows(await model.generate({ ...inputs, max_new_tokens: MAX_TOKENS, num_beams: 1, do_sample: false }));
      out.forEach((seq, j) => {
        if (seq.join(',') === single[i + j]!.join(',')) matches++;
      });
    }
    const ms = performance.now() - tb;
    batch = { photos_per_s: r3(N / (ms / 1000)), s: r2(ms / 1000), matches_single: matches };
  }

  // Beam search with --beams beams on fewer photos.
  let beam: { photos: number; photos_per_s: number; s: number; equals_greedy: number } | null = null;
  if (BEAMS > 1) {
    enter('beam');
    const tb = performance.now();
    let same = 0;
    for (let i = 0; i < BEAM_PHOTOS; i++) {
      const img = await readPhoto(t, photos[i]!);
      // Shoebox's beam search (src/main/core/ml/beam-search.ts), as the caption stage runs it.
      const [ids] = await beamSearch(model as unknown as StepModel, t.Tensor as unknown as TensorCtor, await processor(img, TASK), {
        numBeams: BEAMS,
        maxNewTokens: MAX_TOKENS,
        eos: new Set([2]),
      });
      const out = ids!.map(Number);
      if (out.join(',') === single[i]!.join(',')) same++;
    }
    const ms = performance.now() - tb;
    beam = { photos: BEAM_PHOTOS, photos_per_s: r3(BEAM_PHOTOS / (ms / 1000)), s: r2(ms / 1000), equals_greedy: same };
  }
  enter('done');
  clearInterval(rssTimer);
  await model.dispose();

  const fileSizes = Object.fromEntries(Object.values(FLORENCE2_FILES).map((f) => [path.basename(f, '.onnx'), mb(fs.statSync(path.join(modelDir, f)).size)]));
  const totalTokens = tokens.reduce((a, b) => a + b, 0);
  const figures = {
    bench: 'caption',
    model: 'Florence-2-base architecture, random weights (fp32)',
    task: TASK,
    photos: N,
    photo_size: '1728x1152 JPEG',
    max_new_tokens: MAX_TOKENS,
    encoder_tokens: encoderTokens,
    threads: THREADS || 'auto',
    spin: SPIN === '1',
    provider: 'cpu',
    params_m: r1(fixture.params.total / 1e6),
    params_vision_m: r1(fixture.params.vision / 1e6),
    params_language_m: r1(fixture.params.language / 1e6),
    file_mb: fileSizes,
    files_total_mb: Object.values(fileSizes).reduce((a, b) => a + b, 0),
    model_generated_now: fixture.generated,
    model_generate_s: fixture.generate_s,
    load_s: r2(loadMs / 1000),
    warmup_s: r2(warmupMs / 1000),
    greedy_photos_per_s: r3(N / (greedyMs / 1000)),
    greedy_s_per_photo: r2(greedyMs / 1000 / N),
    tokens_generated: totalTokens,
    tokens_per_caption: r1(totalTokens / N),
    captions_at_max_tokens: tokens.filter((n) => n >= MAX_TOKENS).length,
    captions_natural_eos: naturalEos,
    decode_preprocess_ms: r1(mean(prepMs)),
    ttft_ms: r1(mean(ttftMs)),
    ms_per_token_after_first: r1(mean(perTokenMs)),
    tokens_per_s_after_first: r1(1000 / mean(perTokenMs)),
    sessions,
    batch: batch && { size: BATCH, ...batch },
    beam: beam && { num_beams: BEAMS, ...beam },
    rss_model_mb: mb(rssLoaded - rssBefore),
    peak_rss_single_mb: mb(phasePeak['single'] ?? 0),
    peak_rss_batch_mb: batch ? mb(phasePeak['batch'] ?? 0) : null,
    peak_rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6),
    cpus: os.availableParallelism(),
    node: process.version,
  };
  console.log(`model:    Florence-2-base (DaViT + BART-base), random weights, ${figures.params_m} M parameters, ${figures.files_total_mb} MB of ONNX (${Object.entries(fileSizes).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  console.log(`load:     ${figures.load_s} s (+${figures.rss_model_mb} MB resident); warm-up caption ${figures.warmup_s} s`);
  console.log(`greedy:   ${figures.greedy_photos_per_s} photos/s (${figures.greedy_s_per_photo} s a photo; ${N} photos, ${TASK}, max_new_tokens ${MAX_TOKENS})`);
  console.log(`          ${figures.tokens_per_caption} tokens a caption; ${figures.captions_at_max_tokens}/${N} ran to max_new_tokens (random weights seldom say </s>; the config forces it as the last token), ${naturalEos} ended early`);
  console.log(`          first token ${figures.ttft_ms} ms (vision encoder + text encoder + first decoder step), then ${figures.ms_per_token_after_first} ms a token; decode + preprocess ${figures.decode_preprocess_ms} ms a photo`);
  console.log(`          per session: ${Object.entries(sessions).map(([k, v]) => `${k} ${v.ms_per_call} ms × ${v.calls_per_photo}`).join(', ')}`);
  if (batch) console.log(`batch ${BATCH}:  ${batch.photos_per_s} photos/s; ${batch.matches_single}/${N} captions identical to the one-photo runs`);
  if (beam) console.log(`beams ${BEAMS}:  ${beam.photos_per_s} photos/s on ${beam.photos} photos; ${beam.equals_greedy}/${beam.photos} identical to greedy (Shoebox's beam search)`);
  console.log(
    `memory:   peak RSS ${figures.peak_rss_mb} MB; sampled peaks: one photo at a time ${figures.peak_rss_single_mb} MB${batch ? `, batches of ${BATCH} ${figures.peak_rss_batch_mb} MB` : ''}`,
  );
  console.log(JSON.stringify(figures));
  for (const [i, text] of texts.slice(0, 2).entries()) console.error(`caption ${i}: ${JSON.stringify(text)}`);
}

if (values.generate) await generateModel();
else await main();
