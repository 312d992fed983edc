// bench:faces — the face models on the ML worker, as the app runs them (MlService.faces, converted on first use
// into .bench/faces/models): verification accuracy on ../shared/faces/lfw-dev's pairs (two folds: the Euclidean
// threshold picked on one fold, tested on the other, and the reverse), detection to descriptor photos/s on
// 12 MP photos with faces, faces/s for landmarks plus descriptors, the detector's recall by face size, and RSS.
// Needs ../shared/faces/lfw-dev (LFW: evaluation only, nothing of it is written). Last line: one JSON object.
// Usage: npm run bench:faces [-- --photos 8] [--threads 2] [--pairs 0 (all)]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { ModelStore } from '../src/main/core/models/store.ts';
import { MlService } from '../src/main/core/ml/service.ts';
import { descriptorDistance, type FaceImage, type FoundFace } from '../src/main/core/ml/face-runner.ts';
import { iou, type Box } from '../src/main/core/ml/face-geometry.ts';

const { values } = parseArgs({ options: { photos: { type: 'string', default: '8' }, threads: { type: 'string', default: '2' }, pairs: { type: 'string', default: '0' } } });
const PHOTOS = Number(values.photos);
const THREADS = Number(values.threads);
const GOALS = { verification: 0.985, photosPerSecond: 2 };
const lfw = path.resolve('..', 'shared', 'faces', 'lfw-dev');
if (!fs.existsSync(path.join(lfw, 'pairs.txt'))) {
  console.error(`bench:faces needs ${lfw} (pairs.txt and images/)`);
  process.exit(2);
}
sharp.cache(false);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const benchDir = path.resolve('.bench', 'faces');
fs.mkdirSync(benchDir, { recursive: true });

const store = new ModelStore(path.join(benchDir, 'models'));
const ml = new MlService(
  {
    active: (task) => (task === 'faces' ? store.active('faces') : undefined),
    spec: (id) => store.spec(id),
    folder: (spec) => store.location(spec),
    missingFiles: (spec) => store.state(spec).missing,
  },
  { provider: 'cpu', threads: THREADS, cacheDir: benchDir },
);
let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const rssTimer = setInterval(sampleRss, 50);
const rssBefore = process.memoryUsage().rss;

const t0 = performance.now();
ml.ensureFaceModels();
console.log(`models: ${store.active('faces').id} in ${store.folder(store.active('faces'))} (made or found in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

async function raw(pipeline: Sharp): Promise<FaceImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, width: info.width, height: info.height };
}

// ---- Verification on LFW pairs ---------------------------------------------------------------------------
const lines = fs.readFileSync(path.join(lfw, 'pairs.txt'), 'utf8').trim().split('\n');
const [folds, perFold] = lines[0]!.split(/\s+/).map(Number) as [number, number];
const imageFile = (name: string, n: string) => path.join(lfw, 'images', name, `${name}_${n.padStart(4, '0')}.jpg`);
const pairs = lines.slice(1).map((l, i) => {
  const p = l.split('\t');
  const same = p.length === 3;
  return { fold: Math.floor(i / (2 * perFold)), same, a: imageFile(p[0]!, p[1]!), b: same ? imageFile(p[0]!, p[2]!) : imageFile(p[2]!, p[3]!) };
});
const limit = Number(values.pairs);
const used = limit > 0 ? pairs.filter((_, i) => i % Math.ceil(pairs.length / limit) === 0) : pairs;
const files = [...new Set(used.flatMap((p) => [p.a, p.b]))];
const descriptors = new Map<string, number[]>();
let noFace = 0;
const tv = performance.now();
// Where the deep-funneled 250 px images hold their face (face-api's box on them is about this).
const centre: Box = { x: 76, y: 70, width: 96, height: 116 };
for (let i = 0; i < files.length; i += 8) {
  const batch = files.slice(i, i + 8);
  const images = await Promise.all(batch.map((f) => raw(sharp(f))));
  const { results } = await ml.faces(images);
  const missing: number[] = [];
  results.forEach((r, j) => {
    // The image's own face is the one at its centre; another face in it is someone else's.
    const best = r.faces.filter((f) => iou(f.box, centre) > 0.3).sort((x, y) => iou(y.box, centre) - iou(x.box, centre))[0];
    if (best) descriptors.set(batch[j]!, best.descriptor);
    else missing.push(j);
  });
  if (missing.length) {
    // Not found at minScore: described from the centre box (as a file's own face region would be), and counted.
    noFace += missing.length;
    const { results: given } = await ml.faces(missing.map((j) => ({ ...images[j]!, data: images[j]!.data, boxes: [centre] })));
    given.forEach((r, m) => r.faces[0] && descriptors.set(batch[missing[m]!]!, r.faces[0].descriptor));
  }
  sampleRss();
}
const verifySeconds = (performance.now() - tv) / 1000;
interface Scored { fold: number; same: boolean; d: number }
const scored: Scored[] = used.filter((p) => descriptors.has(p.a) && descriptors.has(p.b)).map((p) => ({ fold: p.fold, same: p.same, d: descriptorDistance(descriptors.get(p.a)!, descriptors.get(p.b)!) }));
const missed = used.length - scored.length; // pairs with a face not found count as wrong below
const accuracyAt = (xs: readonly Scored[], t: number) => xs.filter((s) => (s.d < t) === s.same).length;
const bestThreshold = (xs: readonly Scored[]) => {
  let best = { t: 0.6, right: -1 };
  for (let t = 0.3; t <= 0.9; t += 0.005) {
    const right = accuracyAt(xs, t);
    if (right > best.right) best = { t, right };
  }
  return best.t;
};
const perFoldResults = Array.from({ length: folds }, (_, f) => {
  const train = scored.filter((s) => s.fold !== f);
  const test = scored.filter((s) => s.fold === f);
  const t = bestThreshold(train);
  const total = used.filter((p) => p.fold === f).length;
  return { fold: f + 1, threshold: r3(t), accuracy: accuracyAt(test, t) / total };
});
const verification = perFoldResults.reduce((a, b) => a + b.accuracy, 0) / folds;
const overall = bestThreshold(scored);
console.log(`verification: ${files.length} images (${noFace} with no face found at the centre over the score threshold: described from the centre box), ${used.length} pairs, ${(files.length / verifySeconds).toFixed(1)} images/s`);
for (const r of perFoldResults) console.log(`  fold ${r.fold}: threshold ${r.threshold} picked on the other fold, accuracy ${(100 * r.accuracy).toFixed(2)}%`);
console.log(`  mean ${(100 * verification).toFixed(2)}% (goal ${100 * GOALS.verification}%); threshold on all pairs ${overall.toFixed(3)}; same-person distance median ${r3(median(scored.filter((s) => s.same).map((s) => s.d)))}, different ${r3(median(scored.filter((s) => !s.same).map((s) => s.d)))}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

// ---- 12 MP photos with faces -------------------------------------------------------------------------------
// Each photo: a 4000×3000 scene (a flickr8k photo upscaled when ../shared/photos is there, else a gradient) with
// four LFW faces composited in at 350–700 px, written as a JPEG (quality 90) and read back as the faces stage
// would: decoded at 2048 px on the long side by sharp (JPEG shrink-on-load), then found and described.
const faceFiles = files.slice(0, 4 * PHOTOS);
const flickr = path.resolve('..', 'shared', 'photos', 'flickr8k-200', 'images');
const backgrounds = fs.existsSync(flickr) ? fs.readdirSync(flickr).filter((f) => f.endsWith('.jpg')).sort().slice(0, PHOTOS).map((f) => path.join(flickr, f)) : [];
const photos: Buffer[] = [];
for (let p = 0; p < PHOTOS; p++) {
  const bg = backgrounds[p]
    ? sharp(backgrounds[p]!).resize(4000, 3000, { fit: 'cover' })
    : sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 90 + p * 10, g: 120, b: 150 } } });
  const faces = await Promise.all(
    [0, 1, 2, 3].map(async (k) => {
      const size = 350 + ((p * 4 + k) % 4) * 110;
      return { input: await sharp(faceFiles[(p * 4 + k) % faceFiles.length]!).resize(size, size).toBuffer(), left: 200 + k * 950, top: 400 + ((k * 700) % 1800) };
    }),
  );
  photos.push(await bg.composite(faces).jpeg({ quality: 90 }).toBuffer());
}
const passes: number[] = [];
let found = 0;
let faceMs = 0;
let facesDescribed = 0;
let detectMs = 0;
for (let pass = 0; pass < 3; pass++) {
  const start = performance.now();
  for (const jpeg of photos) {
    const image = await raw(sharp(jpeg).resize(2048, 2048, { fit: 'inside' }));
    const { results } = await ml.faces([image]);
    const r = results[0]!;
    if (pass === 0) {
      found += r.faces.length;
      faceMs += r.ms.landmarks + r.ms.describe;
      facesDescribed += r.faces.length;
      detectMs += r.ms.detect;
    }
    sampleRss();
  }
  passes.push(PHOTOS / ((performance.now() - start) / 1000));
}
const photosPerSecond = Math.max(...passes);
const facesPerSecond = facesDescribed / (faceMs / 1000);
console.log(`12 MP photos: ${PHOTOS} with 4 faces each, ${found} faces found; photos/s (decode at 2048 px, detection, landmarks, descriptors) per pass ${passes.map((x) => x.toFixed(2)).join(', ')}: best ${photosPerSecond.toFixed(2)} (goal ${GOALS.photosPerSecond}); detection ${(detectMs / PHOTOS).toFixed(0)} ms a photo; landmarks + descriptor ${facesPerSecond.toFixed(1)} faces/s`);

// ---- Smallest face found --------------------------------------------------------------------------------------
// Whole LFW images pasted into 2048×1536 scenes, scaled so their face (the centre box above, 116 px high in 250)
// is a given height, 4 a scene, 3 scenes a size, run as the 12 MP photos are: the detector sees the scene at
// 512 px, a quarter of its size. Found: a face with IoU over 0.3 against the pasted face's box.
const SIZES = [20, 40, 60, 80, 100, 120, 160, 200, 240];
const recallBySize: Record<number, number> = {};
for (const size of SIZES) {
  const scale = size / centre.height;
  const side = Math.round(250 * scale);
  let hit = 0;
  let total = 0;
  for (let scene = 0; scene < 3; scene++) {
    const placed: Box[] = [];
    const layers = await Promise.all(
      [0, 1, 2, 3].map(async (k) => {
        const f = files[(scene * 4 + k + size) % files.length]!;
        const left = 60 + k * 500;
        const top = 200 + ((k + scene) % 2) * 650;
        placed.push({ x: left + centre.x * scale, y: top + centre.y * scale, width: centre.width * scale, height: centre.height * scale });
        return { input: await sharp(f).resize(side, side).toBuffer(), left, top };
      }),
    );
    const bg = sharp({ create: { width: 2048, height: 1536, channels: 3, background: { r: 120, g: 130, b: 110 } } }).composite(layers);
    const { results } = await ml.faces([await raw(sharp(await bg.png().toBuffer()))], { minScore: 0.5, maxFaces: 100, describe: false });
    const boxes: FoundFace[] = results[0]!.faces;
    for (const p of placed) {
      total++;
      if (boxes.some((b) => iou(b.box, p) > 0.3)) hit++;
    }
  }
  recallBySize[size] = hit / total;
}
const reliable = SIZES.find((s, i) => SIZES.slice(i).every((t) => recallBySize[t]! >= 0.9)) ?? null;
console.log(`recall by face height in a 2048 px scene (the detector at 512 px): ${SIZES.map((s) => `${s} px ${(100 * recallBySize[s]!).toFixed(0)}%`).join(', ')}`);
console.log(
  `  found reliably (90% and up, at every larger size) from ${reliable ?? '—'} px in 2048 px, ${reliable ? `${reliable / 4} px at the detector: ${((reliable / 2048) * 100).toFixed(1)}% of the long side, ${Math.round((reliable / 2048) * 4000)} px in a 4000 px photo` : 'at none of the sizes'}`,
);

clearInterval(rssTimer);
sampleRss();
await ml.close();
const mb = (b: number) => Math.round(b / 1e6);
console.log(`memory: RSS ${mb(rssBefore)} MB before the models, peak ${mb(peakRss)} MB`);
console.log(
  JSON.stringify({
    verification: r3(verification),
    verificationFolds: perFoldResults,
    threshold: r3(overall),
    lfwImages: files.length,
    lfwNoFace: noFace,
    pairsMissed: missed,
    photosPerSecond12mp: r3(photosPerSecond),
    detectMsPerPhoto: Math.round(detectMs / PHOTOS),
    facesPerSecond: r3(facesPerSecond),
    facesFound12mp: found,
    facesPlaced12mp: 4 * PHOTOS,
    recallBySize,
    smallestReliableFacePx2048: reliable,
    smallestReliableFaceShare: reliable ? r3(reliable / 2048) : null,
    peakRssMB: mb(peakRss),
    threads: THREADS,
    goals: { verification: verification >= GOALS.verification, photosPerSecond: photosPerSecond >= GOALS.photosPerSecond },
  }),
);
