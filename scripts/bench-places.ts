// `npm run bench:places`: the offline geocoder's figures: the data's build (from the packages) and load (from the
// cache file) times and memory, and the cost of one reverse geocoding and of one name lookup. Prints figures and,
// last, one JSON line. Random positions over land and sea, seeded (the same every run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { mulberry32 } from '../src/main/core/random.ts';

const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-places-'));
// Each load in a fresh process, so the first measures the build and the second the cache file's read.
const child = `
  import { placeData, setPlaceCacheDir } from ${JSON.stringify(path.resolve('src/main/core/places/data.ts'))};
  global.gc?.(); const before = process.memoryUsage();
  setPlaceCacheDir(${JSON.stringify(cache)});
  const d = placeData(); global.gc?.(); const after = process.memoryUsage();
  console.log(JSON.stringify({ ms: d.loadMs, fromCache: d.fromCache, heapMB: (after.heapUsed - before.heapUsed) / 2 ** 20, externalMB: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / 2 ** 20, rssMB: (after.rss - before.rss) / 2 ** 20, places: d.count }));
`;
const load = () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms: number; fromCache: boolean; heapMB: number; externalMB: number; rssMB: number; places: number };
};
const built = load();
const cached = load();
const cacheBytes = fs.readdirSync(cache).reduce((n, f) => n + fs.statSync(path.join(cache, f)).size, 0);
fs.rmSync(cache, { recursive: true, force: true });

const { geocoder } = await import('../src/main/core/places/geocoder.ts');
const rand = mulberry32(13);
const N = 200_000;
const points = Array.from({ length: N }, () => [Math.asin(2 * rand() - 1) * (180 / Math.PI), rand() * 360 - 180] as const);
geocoder.reverse(38.72, -9.14); // the data loads here, outside the timing
let named = 0;
let t = performance.now();
for (const [lat, lon] of points) if (geocoder.reverse(lat, lon)?.city) named++;
const perPhotoUs = ((performance.now() - t) * 1000) / N;
// Positions where people take photos: near listed places (within a few km), where the lookup finds a city.
const d = geocoder.data;
const near = Array.from({ length: N }, () => {
  const i = Math.floor(rand() * d.count);
  return [d.lat[i]! + (rand() - 0.5) * 0.05, d.lon[i]! + (rand() - 0.5) * 0.05] as const;
});
t = performance.now();
for (const [lat, lon] of near) geocoder.reverse(lat, lon);
const nearUs = ((performance.now() - t) * 1000) / N;
const queries = ['Lisboa', 'München', 'Kyoto', 'San', 'Port', 'New York', 'Deutschland', 'Bav'];
t = performance.now();
for (let i = 0; i < 20; i++) for (const q of queries) geocoder.find(q, 20);
const findMs = (performance.now() - t) / (20 * queries.length);

const f = (x: number, n = 2) => x.toFixed(n);
console.log(`places data: ${built.places.toLocaleString('en-US')} listed places`);
console.log(`  built from the packages: ${f(built.ms, 0)} ms, heap +${f(built.heapMB, 1)} MB, buffers +${f(built.externalMB, 1)} MB, RSS +${f(built.rssMB, 1)} MB`);
console.log(`  read from the cache file (${f(cacheBytes / 2 ** 20, 1)} MB): ${f(cached.ms, 0)} ms, heap +${f(cached.heapMB, 1)} MB, buffers +${f(cached.externalMB, 1)} MB, RSS +${f(cached.rssMB, 1)} MB`);
console.log(`reverse geocoding, ${N.toLocaleString('en-US')} uniform positions (${named.toLocaleString('en-US')} got a city): ${f(perPhotoUs)} µs a photo`);
console.log(`reverse geocoding, ${N.toLocaleString('en-US')} positions near towns: ${f(nearUs)} µs a photo`);
console.log(`find by name (picker): ${f(findMs)} ms a query`);
console.log(JSON.stringify({ bench: 'places', places: built.places, buildMs: +f(built.ms, 0), buildHeapMB: +f(built.heapMB, 1), cacheMs: +f(cached.ms, 0), cacheHeapMB: +f(cached.heapMB, 1), cacheBuffersMB: +f(cached.externalMB, 1), cacheFileMB: +f(cacheBytes / 2 ** 20, 1), reverseUs: +f(perPhotoUs), reverseNearUs: +f(nearUs), findMs: +f(findMs) }));
