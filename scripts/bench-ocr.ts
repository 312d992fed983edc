// bench:ocr — reading text in photos with the bundled PaddleOCR models on the ML worker: photos/s without text
// (the detector alone) and with text, peak RSS, word recall and character error rate at text heights of 12, 20,
// 40 and 80 px on a 1600 px photo and on a document page and a screenshot, and the whole pipeline's photos/s
// with OCR as its only model. Photos are generated (test/helpers/text-photos.ts), the input handed to OCR is the
// photo at 960 px on its long side, as the thumbnail stage hands it over. Last line: one JSON object.
// Usage: npm run bench:ocr [-- --photos 12] [--seeds 4] [--threads N] [--provider auto|cpu|cuda|webgpu]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ModelStore } from '../src/main/core/models/store.ts';
import { MlService } from '../src/main/core/ml/service.ts';
import { Library } from '../src/main/core/library.ts';
import type { ProviderSetting } from '../src/main/core/ml/providers.ts';
import type { OcrImage, OcrOutput } from '../src/main/core/ml/ocr-runner.ts';
import { foldedWords, withinOneEdit, GLUED_MIN_LENGTH, FUZZY_MIN_LENGTH } from '../src/main/core/catalog/photo-text.ts';
import { characterErrorRate, documentPhoto, photoBackground, screenshotPhoto, signPhoto, wordRecall, type TextPhoto } from '../test/helpers/text-photos.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '12' },
    seeds: { type: 'string', default: '4' },
    threads: { type: 'string', default: '0' },
    provider: { type: 'string', default: 'cpu' },
  },
});
const N = Number(values.photos);
const SEEDS = Number(values.seeds);
const THREADS = Number(values.threads);
const PROVIDER = values.provider as ProviderSetting;
const HEIGHTS = [12, 20, 40, 80];
const BATCH = 4; // the ocr stage's batch
const GOALS = { withoutText: 3, withText: 1, recall: 0.9 };

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const PASSES = 3;
sharp.cache(false);

const benchDir = path.resolve('.bench', 'ocr');
fs.mkdirSync(benchDir, { recursive: true });

async function input(jpeg: Buffer, long = 960): Promise<OcrImage> {
  const { data, info } = await sharp(jpeg).resize(long, long, { fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, width: info.width, height: info.height };
}

/** The share of the truth's words search finds in what was read: as a word, inside a longer one, or with one error. */
function searchableRecall(truth: readonly string[], read: readonly string[]): number {
  const want = truth.flatMap((l) => foldedWords(l)).filter((w) => w.length > 1);
  const have = read.flatMap((l) => foldedWords(l));
  const found = (w: string) =>
    have.some((h) => h === w || h.startsWith(w) || (w.length >= GLUED_MIN_LENGTH && h.includes(w)) || (w.length >= FUZZY_MIN_LENGTH && withinOneEdit(h, w)));
  return want.length ? want.filter(found).length / want.length : 1;
}

const ml = (() => {
  const store = new ModelStore(path.join(benchDir, 'models'));
  return new MlService(
    { active: (t) => store.active(t), spec: (id) => store.spec(id), folder: (s) => store.location(s), missingFiles: (s) => store.state(s).missing },
    { provider: PROVIDER, threads: THREADS, cacheDir: path.join(benchDir, 'cache') },
  );
})();

/** The process's resident memory, sampled every 50 ms while OCR reads (the worker thread's included). */
let rssPeak = 0;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 50);
sampler.unref();

async function readOnce(images: OcrImage[]): Promise<{ outs: OcrOutput[]; seconds: number }> {
  const outs: OcrOutput[] = [];
  const t0 = performance.now();
  for (let i = 0; i < images.length; i += BATCH) outs.push(...(await ml.ocr(images.slice(i, i + BATCH))).results);
  return { outs, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Reads the images `passes` times and keeps the fastest pass: the machine is shared, and another process's burst
 * must not be counted as OCR's cost (every pass's time is printed too).
 */
async function readAll(images: OcrImage[], passes = 1): Promise<{ outs: OcrOutput[]; seconds: number; all: number[] }> {
  let best: { outs: OcrOutput[]; seconds: number } | null = null;
  const all: number[] = [];
  for (let p = 0; p < passes; p++) {
    const r = await readOnce(images);
    all.push(r2(r.seconds));
    if (!best || r.seconds < best.seconds) best = r;
  }
  return { ...best!, all };
}


/** The real photos beside the project, when there: ../shared/photos/flickr8k-200 (see its README). */
const REAL_DIR = path.resolve('..', 'shared', 'photos', 'flickr8k-200');

/**
 * OCR over real photos nobody here made (Flickr8k, 150-500 px, mostly people and dogs): photos/s, how many it read
 * text in, and what, beside the photo's human captions, so a reader can judge what it found and what it made up.
 */
async function realPhotos(): Promise<{ photos: number; photosPerSecond: number; withText: number; lines: number; read: { image: string; text: string[]; caption: string }[] } | null> {
  const dir = path.join(REAL_DIR, 'images');
  if (!fs.existsSync(dir)) {
    console.log(`real photos: ${REAL_DIR} is not there; skipped`);
    return null;
  }
  const captions = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(REAL_DIR, 'captions.csv'), 'utf8').split('\n').slice(1)) {
    const comma = line.indexOf(',');
    if (comma > 0 && !captions.has(line.slice(0, comma))) captions.set(line.slice(0, comma), line.slice(comma + 1).replace(/^"|"$/g, ''));
  }
  const names = fs.readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
  const images = await Promise.all(names.map(async (f) => input(fs.readFileSync(path.join(dir, f)))));
  const { outs, seconds, all } = await readAll(images, 1);
  const read = names.flatMap((image, i) => (outs[i]!.lines.length ? [{ image, text: outs[i]!.lines.map((l) => `${l.text} (${l.confidence.toFixed(2)})`), caption: captions.get(image) ?? '' }] : []));
  const lines = outs.reduce((n, o) => n + o.lines.length, 0);
  const rate = names.length / seconds;
  console.log(`real photos (${names.length} of flickr8k-200, 150-500 px): ${rate.toFixed(2)} photos/s (pass ${all.join(', ')} s), detector ${mean(outs.map((o) => o.ms.detect)).toFixed(0)} ms a photo; text read in ${read.length}, ${lines} lines:`);
  for (const r of read) console.log(`  ${r.image}: ${r.text.join(' | ')}  — "${r.caption}"`);
  return { photos: names.length, photosPerSecond: r2(rate), withText: read.length, lines, read };
}

async function main(): Promise<void> {
  console.log(`bench:ocr — ${ml.ocrVersion()}, ${PROVIDER} provider, threads ${THREADS || 'ORT default'}, ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // Every input first, so that making them (sharp) is not in the memory figure; then the worker starts and loads
  // the detector, classifier and recognizer once.
  const plain = await Promise.all(Array.from({ length: N }, async (_, i) => input(await sharp(await photoBackground(1600, 1200, 1000 + i)).jpeg({ quality: 88 }).toBuffer())));
  const signs = await Promise.all(Array.from({ length: N }, (_, i) => signPhoto(2000 + i, [28, 32, 40][i % 3]!, 3)));
  const signInputs = await Promise.all(signs.map((p) => input(p.jpeg)));
  const baseRssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
  rssPeak = 0;
  const warm = await signPhoto(99, 40, 1);
  const tw = performance.now();
  await ml.ocr([await input(warm.jpeg)]);
  const warmUpMs = performance.now() - tw;

  // Without text: photo-like backgrounds (gradients, soft shapes, grain).
  const without = await readAll(plain, PASSES);
  const falseBoxes = without.outs.filter((o) => o.boxes > 0).length;
  const recognizerCalls = without.outs.filter((o) => o.recognized > 0).length;
  const withoutRate = N / without.seconds;
  console.log(
    `without text: ${N} photos in ${without.seconds.toFixed(2)} s = ${withoutRate.toFixed(2)} photos/s (goal ${GOALS.withoutText}: ${(withoutRate / GOALS.withoutText).toFixed(2)}×); ` +
      `detector ${mean(without.outs.map((o) => o.ms.detect)).toFixed(0)} ms a photo; photos with a box: ${falseBoxes}, with a recognizer call: ${recognizerCalls} (fastest of passes of ${without.all.join(', ')} s)`,
  );

  // With text: three signs of 28-40 px on a 1600 px photo.
  const withText = await readAll(signInputs, PASSES);
  const readRssMb = Math.round(rssPeak / 2 ** 20);
  const withRate = N / withText.seconds;
  console.log(
    `with text (3 signs, 28-40 px): ${N} photos in ${withText.seconds.toFixed(2)} s = ${withRate.toFixed(2)} photos/s (goal ${GOALS.withText}: ${(withRate / GOALS.withText).toFixed(2)}×); ` +
      `detector ${mean(withText.outs.map((o) => o.ms.detect)).toFixed(0)} ms, classifier + recognizer ${mean(withText.outs.map((o) => o.ms.recognize)).toFixed(0)} ms a photo, ${mean(withText.outs.map((o) => o.boxes)).toFixed(1)} lines (fastest of passes of ${withText.all.join(', ')} s)`,
  );

  // Quality by text height, on a 1600 × 1200 photo read at 960 px.
  const byHeight: Record<string, { recall: number; searchable: number; cer: number; msPerPhoto: number }> = {};
  for (const h of HEIGHTS) {
    const photos: TextPhoto[] = await Promise.all(Array.from({ length: SEEDS }, (_, s) => signPhoto(3000 + s, h, 3)));
    const { outs, seconds } = await readAll(await Promise.all(photos.map((p) => input(p.jpeg))));
    const read = outs.map((o) => o.lines.map((l) => l.text));
    byHeight[h] = {
      recall: r3(mean(photos.map((p, i) => wordRecall(p.lines, read[i]!)))),
      searchable: r3(mean(photos.map((p, i) => searchableRecall(p.lines, read[i]!)))),
      cer: r3(mean(photos.map((p, i) => characterErrorRate(p.lines, read[i]!)))),
      msPerPhoto: Math.round((seconds * 1000) / SEEDS),
    };
    const b = byHeight[h]!;
    console.log(
      `text ${String(h).padStart(2)} px high on 1600 px (${Math.round((h * 960) / 1600)} px at 960): word recall ${b.recall.toFixed(2)}` +
        `${h >= 20 ? ` (goal ${GOALS.recall}: ${(b.recall / GOALS.recall).toFixed(2)}×)` : ''}, found by search ${b.searchable.toFixed(2)}, CER ${b.cer.toFixed(3)}, ${b.msPerPhoto} ms a photo`,
    );
  }

  // A document page (A4 at 150 dpi, 30 px body text) and a screenshot (1440 × 900, 16-18 px UI text), each read at
  // 960 px on its long side as any photo is.
  const pages: Record<string, { recall: number; searchable: number; cer: number; ms: number; lines: number }> = {};
  for (const [name, make] of [['document', documentPhoto], ['screenshot', screenshotPhoto]] as const) {
    const photos = await Promise.all(Array.from({ length: Math.max(1, Math.ceil(SEEDS / 2)) }, (_, s) => make(4000 + s)));
    const { outs, seconds } = await readAll(await Promise.all(photos.map((p) => input(p.jpeg))));
    const read = outs.map((o) => o.lines.map((l) => l.text));
    pages[name] = {
      recall: r3(mean(photos.map((p, i) => wordRecall(p.lines, read[i]!)))),
      searchable: r3(mean(photos.map((p, i) => searchableRecall(p.lines, read[i]!)))),
      cer: r3(mean(photos.map((p, i) => characterErrorRate(p.lines, read[i]!)))),
      ms: Math.round((seconds * 1000) / photos.length),
      lines: r2(mean(outs.map((o) => o.lines.length))),
    };
    const p = pages[name]!;
    console.log(`${name}: word recall ${p.recall.toFixed(2)}, found by search ${p.searchable.toFixed(2)}, CER ${p.cer.toFixed(3)}, ${p.lines} lines, ${p.ms} ms a page`);
  }
  const real = await realPhotos();
  await ml.close();
  console.log(`RSS: ${baseRssMb} MB with the photos made, before the worker; at most ${readRssMb} MB while reading photos with and without text (the worker thread's sessions included: +${readRssMb - baseRssMb} MB)`);

  // The whole pipeline with OCR as its only model (no CLIP, no captioner installed): thumbnails, metadata, places
  // and OCR from the thumbnail stage's decode, for N photos without text and N with.
  const lib = path.join(benchDir, 'library');
  fs.rmSync(lib, { recursive: true, force: true });
  fs.mkdirSync(path.join(lib, 'photos'), { recursive: true });
  for (let i = 0; i < N; i++) {
    fs.writeFileSync(path.join(lib, 'photos', `plain-${i}.jpg`), await sharp(await photoBackground(1600, 1200, 5000 + i)).jpeg({ quality: 88 }).toBuffer());
    fs.writeFileSync(path.join(lib, 'photos', `sign-${i}.jpg`), (await signPhoto(6000 + i, 32, 3)).jpeg);
  }
  const library = Library.open({ dataDir: path.join(lib, 'data'), modelsDir: path.join(lib, 'models'), ml: { provider: PROVIDER, threads: THREADS } });
  await library.addFolder(path.join(lib, 'photos'));
  const t0 = performance.now();
  await library.index();
  const pipelineSeconds = (performance.now() - t0) / 1000;
  const ocr = library.status().ml?.ocr;
  await library.close();
  const pipelineRate = (2 * N) / pipelineSeconds;
  console.log(`pipeline (thumb, meta, places, ocr; no CLIP): ${2 * N} photos (half with text) in ${pipelineSeconds.toFixed(1)} s = ${pipelineRate.toFixed(2)} photos/s; ${ocr?.withText}/${ocr?.read} read with text`);

  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`peak RSS of the whole run (documents, the pipeline and making the photos included): ${peakRssMb} MB`);
  console.log(
    JSON.stringify({
      bench: 'ocr',
      model: ml.ocrVersion(),
      provider: PROVIDER,
      threads: THREADS,
      cores: os.availableParallelism(),
      load: r2(os.loadavg()[0]!),
      photos: N,
      warmUpMs: Math.round(warmUpMs),
      passes: PASSES,
      withoutText: { photosPerSecond: r2(withoutRate), passSeconds: without.all, goal: GOALS.withoutText, ratio: r2(withoutRate / GOALS.withoutText), detectMs: Math.round(mean(without.outs.map((o) => o.ms.detect))), photosWithBoxes: falseBoxes, photosWithRecognizerCalls: recognizerCalls },
      withText: { photosPerSecond: r2(withRate), passSeconds: withText.all, goal: GOALS.withText, ratio: r2(withRate / GOALS.withText), detectMs: Math.round(mean(withText.outs.map((o) => o.ms.detect))), recognizeMs: Math.round(mean(withText.outs.map((o) => o.ms.recognize))) },
      byHeight,
      recallGoal: GOALS.recall,
      pages,
      real,
      pipeline: { photos: 2 * N, seconds: r2(pipelineSeconds), photosPerSecond: r2(pipelineRate) },
      rssMb: { beforeWorker: baseRssMb, whileReading: readRssMb, ocr: readRssMb - baseRssMb, wholeRun: peakRssMb },
    }),
  );
}

void main();
