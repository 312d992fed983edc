// bench:edit — edits of many photos at once on a 100,000-photo library: a selection of 10,000 and all of them get a
// tag added, the tag removed, a rating, and the rating undone; each is one transaction (annotate/edits.ts).
// Usage: npm run bench:edit [-- --n 100000] [--select 10000] [--runs 3] [--keep]
// Last line: one JSON object with the figures and their ratios to the goal.
//
// The library is written straight into a fresh catalog (the engine's own schema and migrations) in a
// temporary data folder, as bench:ui's is: photos with dates over fifteen years, an automatic caption and
// 2–4 automatic tags (suggestions) each, camera facts, every stage done. The edits run through Edits, what
// the window's handlers and the CLI call, on the catalog file (WAL, synchronous=NORMAL), timed end to end:
// finding the photos each would change, the undo snapshot, the set-based writes (full text follows through
// the triggers), and one queued xmp task per changed photo. The selection of `--select` photos is a range of
// the grid (what Shift-click or a month gives); "all" is every photo (select all).
//
// Goal: an edit of 10,000 photos in under 2 s (the issue asks it of "these machines"); the same figures for
// the whole library are shown against it too. Also printed: what a selection costs to read (photoIds of
// the whole library, selectionTags of the selection) and the vocabulary (tagCounts, suggestions).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/main/core/catalog/db.ts';
import { openCatalog } from '../src/main/core/catalog/repositories.ts';
import { Edits } from '../src/main/core/annotate/edits.ts';
import { STAGE_NAMES } from '../src/main/core/pipeline/stages.ts';
import { mulberry32 } from '../src/main/core/random.ts';
import { writeBenchCatalog } from './lib/bench-catalog.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    select: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number.parseInt(values.n, 10);
const SELECT = Math.min(N, Number.parseInt(values.select, 10));
const RUNS = Math.max(1, Number.parseInt(values.runs, 10));
const GOAL_MS = 2000;

const rand = mulberry32(20240611);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const TAGS = ['beach', 'sunset', 'dog', 'cat', 'family', 'children', 'birthday', 'wedding', 'snow', 'mountain', 'lake', 'forest', 'city', 'street', 'food', 'cake', 'car', 'boat', 'bicycle', 'garden', 'flowers', 'sky', 'clouds', 'night', 'party', 'portrait', 'landscape', 'sea', 'river', 'bridge'];
const SUBJECTS = ['a dog', 'two children', 'a woman', 'an old man', 'a cat', 'a family', 'a bicycle', 'a red car', 'a sailing boat', 'a birthday cake'];
const PLACES = ['on a beach', 'in a park', 'in the snow', 'at sunset', 'in a kitchen', 'on a mountain', 'by a lake', 'in a garden'];

/** Writes N photos into <dataDir>/catalog.sqlite; returns the seconds it took. */
function buildLibrary(dataDir: string): number {
  const t0 = performance.now();
  const start = Date.UTC(2010, 0, 1);
  const span = Date.UTC(2025, 0, 1) - start;
  writeBenchCatalog(dataDir, '/bench/Photos', N, (i) => {
    const taken = new Date(start + Math.floor(rand() * span));
    const y = taken.getUTCFullYear();
    const takenAt = `${y}-${pad(taken.getUTCMonth() + 1)}-${pad(taken.getUTCDate())}T${pad(taken.getUTCHours())}:${pad(taken.getUTCMinutes())}:00`;
    const text = `${pick(SUBJECTS)} ${pick(PLACES)}`;
    const nTags = 2 + Math.floor(rand() * 3);
    const tags = Array.from({ length: nTags }, () => ({ tag: pick(TAGS), score: 0.1 + rand() * 0.8 }));
    return {
      path: `/bench/Photos/${y}/IMG_${pad(i + 1, 6)}.jpg`,
      size: 3_000_000,
      mtimeMs: taken.getTime(),
      fingerprint: i.toString(16).padStart(64, '0'),
      width: 4032,
      height: 3024,
      takenAt,
      cameraMake: 'Apple',
      cameraModel: 'iPhone 12',
      caption: { text, modelId: 'bench', score: 0.3, lowConfidence: false },
      tags,
    };
  });
  return (performance.now() - t0) / 1000;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Wall time, and the process's CPU time (user + system: what other work on a shared machine does not inflate). */
function time<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, value };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-edit-'));
const buildSeconds = buildLibrary(dataDir);
const db = openDatabase(path.join(dataDir, 'catalog.sqlite'));
const repos = openCatalog(db, () => STAGE_NAMES);
const edits = new Edits(repos);
const pendingXmp = () => db.prepare("SELECT COUNT(*) FROM tasks WHERE stage = 'xmp' AND state = 'pending'").pluck().get() as number;
const clearXmp = () => db.prepare("UPDATE tasks SET state = 'done' WHERE stage = 'xmp' AND state = 'pending'").run();

const loadBefore = os.loadavg()[0]!;
console.log(
  `bench:edit — ${N.toLocaleString('en-US')} photos built in ${buildSeconds.toFixed(1)} s (${dataDir}); ${os.cpus().length} CPUs (load ${loadBefore.toFixed(1)}), ${RUNS} runs, median shown`,
);

const reads = {
  photoIdsAll: median(Array.from({ length: RUNS }, () => time(() => edits.photoIds()).ms)),
};
const all = edits.photoIds();
const start = Math.floor((N - SELECT) / 2);
const selections = { [String(SELECT)]: all.slice(start, start + SELECT), ...(SELECT < N ? { [String(N)]: all } : {}) };
Object.assign(reads, {
  selectionTags: median(Array.from({ length: RUNS }, () => time(() => edits.selectionTags(selections[String(SELECT)]!)).ms)),
  tagCounts: median(Array.from({ length: RUNS }, () => time(() => edits.tagCounts()).ms)),
  suggestions: median(Array.from({ length: RUNS }, () => time(() => edits.suggestions()).ms)),
});

type Op = 'add' | 'remove' | 'rate' | 'undo';
const OPS: Op[] = ['add', 'remove', 'rate', 'undo'];
const results: Record<string, Record<Op, number>> = {};
const cpu: Record<string, Record<Op, number>> = {};
const checks: string[] = [];
for (const [size, ids] of Object.entries(selections)) {
  const ms: Record<Op, number[]> = { add: [], remove: [], rate: [], undo: [] };
  const cpuMs: Record<Op, number[]> = { add: [], remove: [], rate: [], undo: [] };
  for (let run = 0; run < RUNS; run++) {
    const tag = `Bench ${size} run ${run + 1}`;
    const step = (op: Op, fn: () => { photos: number } | null) => {
      clearXmp();
      const editsBefore = edits.history().length;
      const r = time(fn);
      ms[op].push(r.ms);
      cpuMs[op].push(r.cpuMs);
      if (r.value?.photos !== ids.length) checks.push(`${op} on ${size}: changed ${r.value?.photos ?? 0} photos, not ${ids.length}`);
      if (pendingXmp() !== ids.length) checks.push(`${op} on ${size}: ${pendingXmp()} xmp tasks queued, not ${ids.length}`);
      if (op !== 'undo' && edits.history().length !== Math.min(editsBefore + 1, 20)) checks.push(`${op} on ${size}: not one edit in the log`);
    };
    step('add', () => edits.editPhotos(ids, { addTags: [tag] }));
    step('remove', () => edits.editPhotos(ids, { removeTags: [tag] }));
    step('rate', () => edits.editPhotos(ids, { rating: (run % 5) + 1 }));
    step('undo', () => edits.undo());
  }
  results[size] = Object.fromEntries(OPS.map((op) => [op, +median(ms[op]).toFixed(1)])) as Record<Op, number>;
  cpu[size] = Object.fromEntries(OPS.map((op) => [op, +median(cpuMs[op]).toFixed(1)])) as Record<Op, number>;
}

const ratio = (x: number) => +(x / GOAL_MS).toFixed(3);
console.log('');
console.log(`${'edit'.padEnd(22)}${Object.keys(results).map((s) => `${Number(s).toLocaleString('en-US')} photos`.padStart(34)).join('')}`);
for (const op of OPS) {
  const label = { add: 'add a tag', remove: 'remove the tag', rate: 'rate', undo: 'undo (the rating)' }[op];
  console.log(
    `${label.padEnd(22)}${Object.entries(results)
      .map(([size, r]) => `${r[op].toFixed(0)} ms (${ratio(r[op]).toFixed(2)}×), cpu ${cpu[size]![op].toFixed(0)}`.padStart(34))
      .join('')}`,
  );
}
console.log(`(× = the time over the ${GOAL_MS / 1000} s goal for an edit of ${SELECT.toLocaleString('en-US')} photos; cpu = ms of this process's CPU time)`);
console.log('');
console.log(`reads: photoIds of all ${N.toLocaleString('en-US')} ${reads.photoIdsAll.toFixed(0)} ms, selectionTags of ${SELECT.toLocaleString('en-US')} ${(reads as Record<string, number>).selectionTags!.toFixed(0)} ms, tagCounts ${(reads as Record<string, number>).tagCounts!.toFixed(0)} ms, suggestions ${(reads as Record<string, number>).suggestions!.toFixed(0)} ms`);
for (const c of checks) console.log(`CHECK FAILED: ${c}`);
const worst = Math.max(...OPS.map((op) => results[String(SELECT)]![op]));
const pass = worst < GOAL_MS && checks.length === 0;
console.log(pass ? `ok: every edit of ${SELECT.toLocaleString('en-US')} photos under ${GOAL_MS / 1000} s (worst ${worst.toFixed(0)} ms)` : `GOAL MISSED: worst edit of ${SELECT.toLocaleString('en-US')} photos ${worst.toFixed(0)} ms`);

db.close();
if (!values.keep) fs.rmSync(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'edit',
    photos: N,
    select: SELECT,
    runs: RUNS,
    cpus: os.cpus().length,
    // Other work on the machine: the 1-minute load average before and after (figures from a busy machine run slower).
    load: [+loadBefore.toFixed(2), +os.loadavg()[0]!.toFixed(2)],
    buildSeconds: +buildSeconds.toFixed(1),
    goalMs: GOAL_MS,
    ms: results,
    cpuMs: cpu,
    ratioToGoal: Object.fromEntries(Object.entries(results).map(([s, r]) => [s, Object.fromEntries(OPS.map((op) => [op, ratio(r[op])]))])),
    readsMs: Object.fromEntries(Object.entries(reads).map(([k, v]) => [k, +v.toFixed(1)])),
    checks,
    pass,
  }),
);
