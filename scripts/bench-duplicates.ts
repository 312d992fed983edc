// `npm run bench:duplicates`: how right and how fast duplicate finding is (issue 15). Prints figures and, last, one
// JSON line.
//
// Accuracy: every photo of ../shared/photos/flickr8k-200 (else generated scenes, test/core/duplicates-variants.ts)
// is an original with a camera's EXIF (a capture time each, minutes apart), and every "same photo" transformation of
// it is made with sharp (TRANSFORMS: resized, a messenger's copy, JPEG quality 10, PNG, WebP, AVIF, stripped, EXIF
// rotation, 3 % and 5 % crops, brighter, more contrast). Bursts are added, generated: the same scene with a shape
// moved 3 % and 6 %, a second apart. Each file's signature is made as the thumbnail stage makes it (media/decode.ts
// processPhoto's reduction, then media/phash.ts), and the capture times are those the file's EXIF carries (a
// transformation that strips it has none). Precision: of the pairs inside "same photo" groups, the share that are of
// one original; recall: the share of transformed copies grouped with their original; both per transformation.
//
// Scale: a catalog of --photos (100,000) photos whose signatures are the real ones above planted among synthetic
// ones (random hashes and grids, capture times over ten years, a fifth of them in bursts of 3 to 6 a second apart);
// the first pass (a new engine's first duplicateGroups call: every signature read, every candidate found, the
// groups made) and the incremental one (1,000 photos added — half of them near copies of existing ones — and the
// groups asked for again) are timed, best of --runs, with the process's peak RSS and heap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import Database from 'better-sqlite3';
import { migrate } from '../src/main/core/catalog/db.ts';
import { migrations } from '../src/main/core/catalog/migrations.ts';
import { PhotoHashes } from '../src/main/core/catalog/photo-hashes.ts';
import { DEFAULT_MEDIA_OPTIONS, processPhoto } from '../src/main/core/media/decode.ts';
import { encodeSignature, GRID, signatureOf, SIGNATURE_VERSION } from '../src/main/core/media/phash.ts';
import { Duplicates } from '../src/main/core/duplicates/duplicates.ts';
import { mulberry32 } from '../src/main/core/random.ts';
import { cameraJpeg, scene, TRANSFORMS, type CameraExif } from '../test/core/duplicates-variants.ts';
import type { DuplicateGroup } from '../src/shared/types.ts';

const { values: args } = parseArgs({
  options: {
    photos: { type: 'string', default: '100000' },
    limit: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
  },
});
const TOTAL = Number(args.photos);
const LIMIT = Number(args.limit);
const RUNS = Number(args.runs);

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timer = setInterval(sample, 20);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-dupes-'));
const flickr = path.resolve('../shared/photos/flickr8k-200/images');
const sourceFiles = fs.existsSync(flickr) ? fs.readdirSync(flickr).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, LIMIT) : [];
const fromFlickr = sourceFiles.length > 0;

interface Item {
  name: string;
  /** The original it was made from ('' for none: a burst frame is its own). */
  origin: string;
  transform: string;
  takenAt: string | null;
  size: number;
  signature: Buffer;
}

/** A file's signature as the thumbnail stage makes it. */
async function signatureOfFile(file: string): Promise<Buffer> {
  const dir = path.join(work, 'cache');
  const r = await processPhoto(file, { thumb: path.join(dir, 't', `${path.basename(file)}.jpg`), preview: path.join(dir, 'p', `${path.basename(file)}.jpg`), tmpDir: path.join(dir, 'tmp') }, DEFAULT_MEDIA_OPTIONS, { hash: true });
  if (!r.hashImage) throw new Error(`no hash square for ${file}`);
  return encodeSignature(signatureOf(r.hashImage));
}

const isoOf = (exif: CameraExif) => `${exif.takenAt.slice(0, 10).replaceAll(':', '-')}T${exif.takenAt.slice(11)}${exif.subSec ? `.${exif.subSec}` : ''}`;

const tBuild = performance.now();
const items: Item[] = [];
const originals = fromFlickr ? sourceFiles.length : Math.min(LIMIT, 60);
for (let i = 0; i < originals; i++) {
  const minutes = i * 7;
  const exif: CameraExif = { takenAt: `2021:06:${String(1 + Math.floor(minutes / 1440)).padStart(2, '0')} ${String(Math.floor((minutes % 1440) / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`, subSec: '20' };
  const pixels = fromFlickr ? fs.readFileSync(path.join(flickr, sourceFiles[i]!)) : await scene(1000 + i, 1000, 750);
  const orig = await cameraJpeg(await sharp(pixels).rotate().toBuffer(), exif);
  const name = `o${i}`;
  const put = async (file: string, data: Buffer, transform: string, takenAt: string | null) => {
    fs.writeFileSync(file, data);
    items.push({ name: path.basename(file), origin: name, transform, takenAt, size: data.length, signature: await signatureOfFile(file) });
  };
  await put(path.join(work, `${name}.jpg`), orig, 'original', isoOf(exif));
  for (const t of TRANSFORMS) await put(path.join(work, `${name}-${t.name}.${t.ext}`), await t.make(orig, exif), t.name, t.keepsDate ? isoOf(exif) : null);
}
const BURSTS = fromFlickr ? 20 : 10;
for (let b = 0; b < BURSTS; b++) {
  for (const [k, shift] of [0, 0.03, 0.06].entries()) {
    const exif: CameraExif = { takenAt: `2022:03:0${1 + (b % 9)} 1${b % 10}:00:0${k}`, subSec: `${k}5` };
    const file = path.join(work, `b${b}-${k}.jpg`);
    const data = await cameraJpeg(await scene(5000 + b, 1000, 750, shift), exif);
    fs.writeFileSync(file, data);
    items.push({ name: path.basename(file), origin: `burst${b}-${k}`, transform: 'burst', takenAt: isoOf(exif), size: data.length, signature: await signatureOfFile(file) });
  }
}
const buildS = (performance.now() - tBuild) / 1000;

/** A catalog at its latest migration with these photos and signatures (ids from 1 in order). */
function catalogOf(rows: { takenAt: string | null; size: number; signature: Buffer }[], file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/bench', 0)").run();
  insert(db, rows, 1);
  return db;
}

function insert(db: Database.Database, rows: { takenAt: string | null; size: number; signature: Buffer }[], firstId: number): void {
  const photo = db.prepare(
    `INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, fingerprint, format, width, height, taken_at, taken_at_source, camera_make, added_at, updated_at)
     VALUES (?, 1, ?, ?, ?, ?, ?, 'jpeg', 1000, 750, ?, ?, 'Canon', 0, 0)`,
  );
  const hashes = new PhotoHashes(db);
  db.transaction(() => {
    rows.forEach((r, i) => {
      const id = firstId + i;
      photo.run(id, `/bench/${id}.jpg`, `${id}.jpg`, r.size, id, `fp${id}`, r.takenAt, r.takenAt ? 'exif' : null);
      hashes.put(id, SIGNATURE_VERSION, `fp${id}`, r.signature, 'decode');
    });
  })();
}

/** Precision and recall of "same photo" over the real items, ids 1…items.length. */
function accuracy(groups: DuplicateGroup[]) {
  const byId = (id: number) => items[id - 1];
  let pairs = 0;
  let wrong = 0;
  const groupOf = new Map<number, number>();
  groups.filter((g) => g.kind === 'same').forEach((g, gi) => {
    const real = g.photos.map((p) => p.id).filter((id) => id <= items.length);
    for (const id of real) groupOf.set(id, gi);
    for (let i = 0; i < g.photos.length; i++) {
      for (let j = i + 1; j < g.photos.length; j++) {
        const a = byId(g.photos[i]!.id);
        const b = byId(g.photos[j]!.id);
        if (!a && !b) continue; // two synthetic photos: not this measure's
        pairs++;
        if (!a || !b || a.origin !== b.origin) wrong++;
      }
    }
  });
  const perTransform: Record<string, { found: number; of: number }> = {};
  const originalId = new Map<string, number>();
  items.forEach((it, i) => it.transform === 'original' && originalId.set(it.origin, i + 1));
  items.forEach((it, i) => {
    if (it.transform === 'original' || it.transform === 'burst') return;
    const r = (perTransform[it.transform] ??= { found: 0, of: 0 });
    r.of++;
    const g = groupOf.get(i + 1);
    if (g !== undefined && g === groupOf.get(originalId.get(it.origin)!)) r.found++;
  });
  const found = Object.values(perTransform).reduce((s, r) => s + r.found, 0);
  const of = Object.values(perTransform).reduce((s, r) => s + r.of, 0);
  const burstsAsSame = items.filter((it, i) => it.transform === 'burst' && groupOf.has(i + 1)).length;
  const similarBursts = groups.filter((g) => g.kind === 'similar' && g.photos.some((p) => byId(p.id)?.transform === 'burst')).length;
  return { precision: pairs ? (pairs - wrong) / pairs : 1, pairs, wrong, recall: of ? found / of : 1, perTransform, burstsAsSame, similarBursts };
}

// ── accuracy, on the real items alone ──
const small = catalogOf(items, path.join(work, 'small.sqlite'));
const smallGroups = new Duplicates({ hashes: new PhotoHashes(small) }).groups();
const acc = accuracy(smallGroups);
small.close();

// ── scale: the real items planted among synthetic ones ──
const rnd = mulberry32(42);
const u32 = () => Math.floor(rnd() * 2 ** 32) >>> 0;
function syntheticSignature(near?: Buffer): Buffer {
  if (near) {
    const b = Buffer.from(near);
    for (let k = 0; k < 4; k++) b[Math.floor(rnd() * 8)]! ^= 1 << Math.floor(rnd() * 8);
    return b;
  }
  const grid = new Int8Array(GRID * GRID);
  // A smooth random field (a few cosines), as photos' grids are.
  const f = Array.from({ length: 4 }, () => [rnd() * 3, rnd() * 3, rnd() * 6]);
  for (let y = 0; y < GRID; y++) for (let x = 0; x < GRID; x++) grid[y * GRID + x] = Math.round(f.reduce((s, [a, b, c]) => s + Math.cos(a! * x / 3 + b! * y / 3 + c!), 0) * 20);
  const c = [0.3 + rnd() * 0.06, 0.3 + rnd() * 0.06];
  return encodeSignature({ hi: u32(), lo: u32(), grid, chroma: [c[0]!, c[1]!, 1 - c[0]! - c[1]!], structure: 20 + rnd() * 40 });
}
const start = Date.UTC(2014, 0, 1) / 1000;
const synth: { takenAt: string | null; size: number; signature: Buffer }[] = [];
const iso = (s: number) => new Date(s * 1000).toISOString().slice(0, 19);
while (items.length + synth.length < TOTAL) {
  const t = start + Math.floor(rnd() * 10 * 365 * 86400);
  const burst = rnd() < 0.2 ? 3 + Math.floor(rnd() * 4) : 1;
  for (let k = 0; k < burst && items.length + synth.length < TOTAL; k++) synth.push({ takenAt: rnd() < 0.1 ? null : iso(t + k), size: 2_000_000 + Math.floor(rnd() * 3_000_000), signature: syntheticSignature() });
}
const all = [...items, ...synth];
const added = Array.from({ length: 1000 }, (_, i) => {
  const near = i % 2 ? all[Math.floor(rnd() * all.length)]!.signature : undefined;
  return { takenAt: iso(start + Math.floor(rnd() * 10 * 365 * 86400)), size: 1_000_000, signature: syntheticSignature(near) };
});

const first: number[] = [];
const incremental: number[] = [];
let big: { groups: DuplicateGroup[]; kinds: Record<string, number>; timings: Duplicates['timings']; incTimings: Duplicates['timings'] } | undefined;
for (let r = 0; r < RUNS; r++) {
  const file = path.join(work, `big-${r}.sqlite`);
  const db = catalogOf(all, file);
  global.gc?.();
  const dupes = new Duplicates({ hashes: new PhotoHashes(db) });
  let t = performance.now();
  const groups = dupes.groups();
  first.push(performance.now() - t);
  const timings = dupes.timings;
  sample();
  insert(db, added, all.length + 1);
  t = performance.now();
  const after = dupes.groups();
  incremental.push(performance.now() - t);
  sample();
  const kinds: Record<string, number> = {};
  for (const g of after) kinds[g.kind] = (kinds[g.kind] ?? 0) + 1;
  big = { groups, kinds, timings, incTimings: dupes.timings };
  db.close();
  fs.rmSync(file, { force: true });
}
clearInterval(timer);
sample();
const accBig = accuracy(big!.groups);
fs.rmSync(work, { recursive: true, force: true });

const f = (x: number, n = 0) => x.toFixed(n);
const best = (a: number[]) => Math.min(...a);
console.log(`set: ${originals} originals ${fromFlickr ? 'from flickr8k-200' : '(generated scenes)'} × ${TRANSFORMS.length} transformations, ${BURSTS} generated bursts of 3; ${items.length} files signed in ${f(buildS, 1)} s`);
console.log(`same photo, the set alone: precision ${f(acc.precision, 4)} (${acc.pairs - acc.wrong}/${acc.pairs} pairs), recall ${f(acc.recall, 4)}; burst frames in "same photo": ${acc.burstsAsSame}; bursts found as similar shots: ${acc.similarBursts}/${BURSTS}`);
for (const [t, r] of Object.entries(acc.perTransform)) console.log(`  ${t.padEnd(12)} ${r.found}/${r.of}`);
console.log(`same photo at ${TOTAL.toLocaleString('en-US')} photos: precision ${f(accBig.precision, 4)} (${accBig.pairs - accBig.wrong}/${accBig.pairs}), recall ${f(accBig.recall, 4)}`);
console.log(`first pass over ${TOTAL.toLocaleString('en-US')} photos: ${f(best(first))} ms (runs ${first.map((x) => f(x)).join(', ')}; read and probe ${f(big!.timings.syncMs)} ms, pairs ${f(big!.timings.timesMs)} ms, groups ${f(big!.timings.groupMs)} ms)`);
console.log(`1,000 photos added: ${f(best(incremental))} ms (runs ${incremental.map((x) => f(x)).join(', ')}; read and probe ${f(big!.incTimings.syncMs)} ms, pairs ${f(big!.incTimings.timesMs)} ms, groups ${f(big!.incTimings.groupMs)} ms); groups then: ${JSON.stringify(big!.kinds)}`);
console.log(`memory: peak RSS ${f(peakRss / 2 ** 20)} MB, peak heap ${f(peakHeap / 2 ** 20)} MB`);
console.log(`goals: precision 1.0 ${accBig.precision === 1 && acc.precision === 1 ? 'met' : 'NOT met'}, recall ≥ 0.98 ${acc.recall >= 0.98 ? 'met' : 'NOT met'}, first pass < 10 s ${best(first) < 10_000 ? 'met' : 'NOT met'}, 1,000 added < 1 s ${best(incremental) < 1000 ? 'met' : 'NOT met'}`);
console.log(
  JSON.stringify({
    bench: 'duplicates',
    source: fromFlickr ? 'flickr8k-200' : 'generated',
    originals,
    files: items.length,
    precision: +f(acc.precision, 4),
    recall: +f(acc.recall, 4),
    recallByTransform: Object.fromEntries(Object.entries(acc.perTransform).map(([t, r]) => [t, +f(r.found / r.of, 4)])),
    burstsAsSame: acc.burstsAsSame,
    similarBursts: acc.similarBursts,
    photos: TOTAL,
    precisionAtScale: +f(accBig.precision, 4),
    recallAtScale: +f(accBig.recall, 4),
    firstPassMs: +f(best(first)),
    incremental1000Ms: +f(best(incremental)),
    peakRssMB: +f(peakRss / 2 ** 20),
    peakHeapMB: +f(peakHeap / 2 ** 20),
  }),
);
