// bench:ui — the window's speed on a 100,000-photo library in chromium: first grid paint, long tasks while scrolling end to end, keystroke to rendered results, select all and tag.
// Usage: npm run bench:ui [-- --n 100000] [--runs 3] [--queries 8] [--only map] [--keep] [--headed]
// Last line: one JSON object with the figures and their ratios to the goals.
//
// The library is written straight into a fresh catalog (the engine's own schema and migrations)
// in a temporary data folder: photos with dates spread over fifteen years, automatic captions,
// 2–4 tags each, camera facts and every stage done; 64 small thumbnails shared by fingerprint, so
// /media answers for every photo. No model is installed, so `search` is answered by full text alone
// (filename, caption, tags): what is timed is the window and the HTTP door, not CLIP. `shoebox
// serve --no-index` serves it; Debian's chromium (or $CHROMIUM_PATH) opens it via playwright-core.
//
// Figures (goals in brackets):
// - first grid paint: navigation start → the first frame in which a grid cell's thumbnail has
//   decoded (median of --runs fresh browser contexts) [< 1500 ms];
// - scroll: the grid's scroller moved from top to bottom a little more than a screenful per frame,
//   (the grid renders the view only while it jumps over a screenful per frame, and fetches once it
//   settles), then 40 jumps to random places, then 12 stretches of wheel-speed scrolling (150 px a
//   frame: overscan rendered, pages loading), while a PerformanceObserver records long tasks
//   [none > 50 ms];
// - keystroke → results: the query is typed, Enter is pressed (the window searches at once; typing
//   alone waits 150 ms for a pause), and the time from Enter's keydown to the frame after the
//   results reached the DOM is taken, minus the server's time: its Server-Timing header when it
//   sends one, else the /api/search round trip measured in the page [< 100 ms, median; p95 shown];
// - select all and tag: Ctrl+A in the grid until the selection bar says "100,000 selected" (the
//   window asks photoIds for every id), then a tag typed into the bar and Enter until the toast says
//   it was added (one editPhotos of 100,000 ids), then Ctrl+Z until the toast says it was undone;
//   each timed from the keydown to the frame after the DOM showed it, with the server's part (the
//   request sent to its answer's headers, measured in the page) apart, and every long task from Ctrl+A to a second
//   after the undo's toast (the grid and tag list refetch after each) [none > 50 ms];
// - map: in a fresh page, the Map button pressed with every photo carrying a GPS position
//   (clustered around 60 places, a tenth scattered), until the dots and the outlines are drawn
//   (mapPoints answered, the positions clustered in the map's worker), then 24 wheel steps into the
//   densest dot, 6 drags, the keyboard's − and arrows, "Show all", and the biggest dot picked until the
//   grid shows its photos; every long task from the click to a second after the grid [none > 50 ms].
// Also printed: the server's own times for what the window asks (status, listPhotos pages,
// tagCounts, search), where the first paint's time went, and a warning when Enter did not search
// at once. Screenshots go to test-results/bench-ui/ (the grid before and after the scroll, results, the map).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, chromiumPath, ensureRendererBuilt, startServe, type Served } from '../test/e2e/serve-fixture.ts';
import { mulberry32 } from '../src/main/core/random.ts';
import { writeBenchCatalog } from './lib/bench-catalog.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    queries: { type: 'string', default: '8' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false },
  },
});
const N = Number.parseInt(values.n, 10);
const RUNS = Number.parseInt(values.runs, 10);
const N_QUERIES = Number.parseInt(values.queries, 10);
const GOAL = { firstPaintMs: 1500, longTaskMs: 50, keystrokeMs: 100 };
const VIEWPORT = { width: 1440, height: 900 };
/** Screenshots of the grid before and after the scroll, and of search results. */
const SHOTS = path.join(ROOT, 'test-results', 'bench-ui');

// ---------------------------------------------------------------------------------------------
// A seeded generator (mulberry32), so every run builds the same library.

const rand = mulberry32(20240601);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
/** The positions' own generator, so the rest of the library is the same as before the map pass existed. */
const randGps = mulberry32(20250613);

const SUBJECTS = ['a dog', 'two children', 'a woman', 'an old man', 'a cat', 'a family', 'a group of friends', 'a bicycle', 'a red car', 'a sailing boat', 'a birthday cake', 'a horse', 'a bride and groom', 'a baby', 'a lighthouse', 'a mountain hut', 'a plate of pasta', 'a street market', 'a tram', 'a kite'];
const ACTIONS = ['standing', 'playing', 'sitting', 'running', 'smiling', 'resting', 'waiting', 'walking'];
const PLACES = ['on a beach', 'in a park', 'in the snow', 'at sunset', 'in a kitchen', 'on a mountain', 'by a lake', 'in a garden', 'on a city street', 'at a party', 'in a forest', 'by the sea', 'in a living room', 'at a wedding'];
const TAGS = ['beach', 'sunset', 'dog', 'cat', 'family', 'children', 'birthday', 'wedding', 'snow', 'mountain', 'lake', 'forest', 'city', 'street', 'food', 'cake', 'car', 'boat', 'bicycle', 'garden', 'flowers', 'sky', 'clouds', 'night', 'party', 'portrait', 'landscape', 'sea', 'river', 'bridge', 'horse', 'market', 'kitchen', 'holiday', 'christmas', 'autumn', 'summer', 'winter', 'spring', 'tram', 'kite', 'baby', 'friends', 'picnic', 'hiking', 'camping', 'museum', 'concert', 'train', 'airport'];
const CAMERAS = [
  ['Apple', 'iPhone 12'],
  ['Apple', 'iPhone 15 Pro'],
  ['Canon', 'Canon EOS 80D'],
  ['FUJIFILM', 'X-T3'],
  ['SONY', 'ILCE-7M3'],
  ['Google', 'Pixel 7'],
] as const;
const SIZES = [
  [4032, 3024],
  [3024, 4032],
  [6000, 4000],
  [4000, 6000],
  [1920, 1080],
  [4000, 4000],
] as const;
const N_THUMBS = 64;
/** Places photos are taken around (seeded): where most of the library's positions cluster. */
const PLACES_GPS = Array.from({ length: 60 }, () => ({ lat: -45 + randGps() * 105, lon: -125 + randGps() * 275 }));

/** A photo's position (every photo has one, so the map shows --n of them): 10% anywhere, else near one of PLACES_GPS (the first ones far more often), within a few km. */
function gpsOf(): { lat: number; lon: number } {
  if (randGps() < 0.1) return { lat: -60 + randGps() * 130, lon: -180 + randGps() * 360 };
  const place = PLACES_GPS[Math.floor(PLACES_GPS.length * randGps() ** 2.5)]!;
  const spread = randGps() < 0.7 ? 0.03 : 0.4;
  const gauss = () => (randGps() + randGps() + randGps() - 1.5) * spread;
  return { lat: Math.max(-84, Math.min(84, place.lat + gauss())), lon: ((place.lon + gauss() + 540) % 360) - 180 };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

// ---------------------------------------------------------------------------------------------
// The library.

async function writeThumbnails(dataDir: string): Promise<string[]> {
  const fps: string[] = [];
  for (let i = 0; i < N_THUMBS; i++) {
    const fp = (i.toString(16).padStart(2, '0') + 'b'.repeat(62)).slice(0, 64);
    const [w, h] = i % 3 === 0 ? [288, 384] : [384, 288];
    const hue = Math.round((360 * i) / N_THUMBS);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360},60%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${w / 2}" cy="${h / 2}" r="${h / 4}" fill="hsl(${(hue + 180) % 360},50%,70%)"/></svg>`;
    const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
    for (const kind of ['thumbs', 'previews']) {
      const file = path.join(dataDir, 'cache', kind, fp.slice(0, 2), `${fp}.jpg`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, jpeg);
    }
    fps.push(fp);
  }
  return fps;
}

/** Writes N photos with captions and tags into <dataDir>/catalog.sqlite; returns the seconds it took. */
async function buildLibrary(dataDir: string, photosDir: string): Promise<number> {
  const t0 = performance.now();
  const fps = await writeThumbnails(dataDir);
  fs.mkdirSync(photosDir, { recursive: true });
  const start = Date.UTC(2010, 0, 1);
  const span = Date.UTC(2025, 0, 1) - start;
  writeBenchCatalog(dataDir, photosDir, N, (i) => {
    const taken = new Date(start + Math.floor(rand() * span));
    const y = taken.getUTCFullYear();
    const m = pad(taken.getUTCMonth() + 1);
    const takenAt = `${y}-${m}-${pad(taken.getUTCDate())}T${pad(taken.getUTCHours())}:${pad(taken.getUTCMinutes())}:${pad(taken.getUTCSeconds())}`;
    const [w, h] = pick(SIZES);
    const [make, model] = pick(CAMERAS);
    const size = 2_000_000 + Math.floor(rand() * 4_000_000);
    const score = 0.2 + rand() * 0.15;
    const text = `${pick(SUBJECTS)} ${pick(ACTIONS)} ${pick(PLACES)}`;
    const nTags = 2 + Math.floor(rand() * 3);
    const tags = Array.from({ length: nTags }, () => ({ tag: pick(TAGS), score: 0.2 + rand() * 0.7 }));
    return {
      path: path.join(photosDir, String(y), `${y}-${m}`, `IMG_${pad(i + 1, 6)}.jpg`),
      size,
      mtimeMs: taken.getTime(),
      fingerprint: fps[i % N_THUMBS]!,
      width: w,
      height: h,
      takenAt,
      cameraMake: make,
      cameraModel: model,
      gps: gpsOf(),
      caption: { text, modelId: 'florence-2-base-ft-q8', score, lowConfidence: score < 0.23 },
      tags,
    };
  });
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------------------------------------
// In-page instruments, as source text (the page has the DOM; this file is typechecked for Node).

/** Installed before the window's own scripts: first-paint watch, long tasks, keydown and /api/search timing. */
const INSTRUMENTS = `(() => {
  const b = (window.__bench = { firstCell: null, firstThumb: null, longTasks: [], keydowns: [], searches: [], calls: [], lastInput: null });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  document.addEventListener('keydown', (e) => b.keydowns.push({ key: e.key, t: e.timeStamp }), true);
  document.addEventListener('input', (e) => { b.lastInput = e.timeStamp; }, true);
  const fetch0 = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const call = new RegExp('/api/(photoIds|editPhotos|undo)$').exec(url);
    if (call) {
      const rec = { method: call[1], start: performance.now(), headers: null, end: null };
      b.calls.push(rec);
      const res = await fetch0(input, init);
      rec.headers = performance.now();
      res.clone().arrayBuffer().then(() => { rec.end = performance.now(); }, () => {});
      return res;
    }
    if (!url.includes('/api/search')) return fetch0(input, init);
    const rec = { start: performance.now(), headers: null, end: null, serverMs: null };
    b.searches.push(rec);
    const res = await fetch0(input, init);
    rec.headers = performance.now();
    const st = res.headers.get('server-timing');
    if (st) {
      let sum = 0;
      for (const m of st.matchAll(/dur=([0-9.]+)/g)) sum += Number(m[1]);
      rec.serverMs = sum;
    }
    const copy = res.clone();
    copy.arrayBuffer().then(() => { rec.end = performance.now(); }, () => {});
    return res;
  };
  // The first frame with a grid cell, and the first with a decoded thumbnail in a grid cell.
  const watch = (t) => {
    const cell = document.querySelector('[role="grid"] button');
    if (cell && b.firstCell === null) b.firstCell = t;
    if (b.firstThumb === null) {
      for (const img of document.querySelectorAll('[role="grid"] button img')) {
        if (img.complete && img.naturalWidth > 0) { b.firstThumb = t; break; }
      }
    }
    if (b.firstThumb === null) requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
})();`;

interface BenchState {
  firstCell: number | null;
  firstThumb: number | null;
  longTasks: { start: number; duration: number }[];
  keydowns: { key: string; t: number }[];
  lastInput: number | null;
  searches: { start: number; headers: number | null; end: number | null; serverMs: number | null }[];
  /** photoIds, editPhotos and undo: sent, answered (headers: the server's part is over), body read. */
  calls: { method: string; start: number; headers: number | null; end: number | null }[];
}

const state = (page: Page): Promise<BenchState> => page.evaluate('window.__bench') as Promise<BenchState>;

/** Polls an expression in the page until it is true (waitForFunction would compile it, which the window's CSP forbids). */
async function until(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Where the first paint's time went: DOMContentLoaded, the first grid page's and the first thumbnail's response ends. */
const TIMELINE = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const end = (re) => { const e = res.find((r) => re.test(r.name)); return e ? e.responseEnd : NaN; };
  return { dcl: nav ? nav.domContentLoadedEventEnd : NaN, firstList: end(/\\/api\\/listPhotos/), firstThumb: end(/\\/media\\/thumb\\//) };
})()`;

interface Timeline {
  dcl: number;
  firstList: number;
  firstThumb: number;
}

/** Scrolls the grid's scroller from top to bottom, then jumps around; returns frame figures. */
const SCROLL = `(async () => {
  const grid = document.querySelector('[role="grid"]');
  let s = grid;
  while (s && !(s.scrollHeight > s.clientHeight + 10 && /(auto|scroll)/.test(getComputedStyle(s).overflowY))) s = s.parentElement;
  if (!s) throw new Error('no scrolling container around the grid');
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  const step = Math.max(s.clientHeight * 1.2, (s.scrollHeight - s.clientHeight) / 1500);
  const gaps = [];
  let last = await frame();
  const t0 = last;
  s.scrollTop = 0;
  while (s.scrollTop + s.clientHeight < s.scrollHeight - 1) {
    s.scrollTop = s.scrollTop + step;
    const t = await frame();
    gaps.push(t - last);
    last = t;
  }
  const sweepMs = last - t0;
  const sweepFrames = gaps.length;
  let seed = 7;
  const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const jumpGaps = [];
  for (let i = 0; i < 40; i++) {
    s.scrollTop = r() * (s.scrollHeight - s.clientHeight);
    const t = await frame();
    jumpGaps.push(t - last);
    last = t;
    const t2 = await frame();
    jumpGaps.push(t2 - last);
    last = t2;
  }
  // Wheel-speed scrolling (150 px a frame, slower than the view's height, so every row is rendered
  // with its overscan and pages load as they come into view), in stretches across the library.
  const wheelGaps = [];
  for (let i = 0; i < 12; i++) {
    s.scrollTop = r() * (s.scrollHeight - s.clientHeight - 150 * 90);
    for (let j = 0; j < 90; j++) {
      s.scrollTop = s.scrollTop + 150;
      const t = await frame();
      wheelGaps.push(t - last);
      last = t;
    }
  }
  const endedAt = last;
  await new Promise((r) => setTimeout(r, 500));
  const cells = document.querySelectorAll('[role="grid"] button').length;
  return { height: s.scrollHeight, viewport: s.clientHeight, step, sweepMs, sweepFrames, maxGap: Math.max(...gaps), jumpMaxGap: Math.max(...jumpGaps), wheelMaxGap: Math.max(...wheelGaps), wheelFrames: wheelGaps.length, cellsInDom: cells, startedAt: t0, endedAt };
})()`;

interface ScrollFigures {
  height: number;
  viewport: number;
  step: number;
  sweepMs: number;
  sweepFrames: number;
  maxGap: number;
  jumpMaxGap: number;
  wheelMaxGap: number;
  wheelFrames: number;
  cellsInDom: number;
  startedAt: number;
  endedAt: number;
}

/** Waits for the search results list to hold buttons, then for the next frame; returns that frame's time and the time the DOM got them. */
const AWAIT_RESULTS = `new Promise((resolve) => {
  let domAt = null;
  const check = () => {
    const list = document.querySelector('[aria-label="Search results"]');
    return !!list && list.querySelector('button') !== null;
  };
  const done = () => requestAnimationFrame((t) => resolve({ domAt, frameAt: t }));
  if (check()) { domAt = performance.now(); done(); return; }
  const mo = new MutationObserver(() => {
    if (domAt === null && check()) { domAt = performance.now(); mo.disconnect(); done(); }
  });
  mo.observe(document.body, { subtree: true, childList: true });
})`;

/**
 * Resolves once `test` (an expression over document, as source text) is true after the DOM changes, with
 * the time the DOM showed it and the next frame's time.
 */
const awaitDom = (test: string): string => `new Promise((resolve) => {
  const check = () => { try { return !!(${test}); } catch { return false; } };
  const done = (domAt) => requestAnimationFrame((t) => resolve({ domAt, frameAt: t }));
  if (check()) { done(performance.now()); return; }
  const mo = new MutationObserver(() => { if (check()) { mo.disconnect(); done(performance.now()); } });
  mo.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})`;

// ---------------------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] ?? NaN;
}
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const ratio = (x: number, goal: number): string => `${(x / goal).toFixed(2)}× the goal of ${goal} ms`;

interface BulkFigures {
  selectMs: number;
  photoIdsMs: number;
  tagMs: number;
  editMs: number;
  progressShown: boolean;
  undoMs: number;
  undoServerMs: number;
  /** Photos the tag reached, as the engine counts them afterwards (before the undo). */
  tagged: number;
  longTasks: number;
  longestTaskMs: number;
}

const BULK_TAG = 'bench bulk tag';

/** Ctrl+A over the whole library, a tag added from the selection bar, Ctrl+Z: times and long tasks. */
async function selectAllAndTag(page: Page, served: Served): Promise<BulkFigures> {
  const box = page.getByLabel('Search photos');
  await box.fill('');
  await until(page, '!!document.querySelector(\'[role="grid"] button.cell\')', 30_000);
  await page.waitForTimeout(1500); // the grid's refetch after the search, and any long task of it, are over
  await page.evaluate('document.querySelector(\'[role="grid"] button.cell\').focus(); window.__bench.keydowns.length = 0; window.__bench.calls.length = 0');
  const count = N.toLocaleString('en-US');
  const selected = page.evaluate(awaitDom(`document.querySelector('[data-testid="selection-count"]')?.textContent.trim() === '${count} selected'`)) as Promise<{ domAt: number; frameAt: number }>;
  await page.keyboard.press('Control+a');
  const sel = await selected;
  let b = await state(page);
  const ctrlA = b.keydowns.find((k) => k.key === 'a');
  const ids = b.calls.find((c) => c.method === 'photoIds');
  if (!ctrlA || !ids || ids.headers === null) throw new Error('select all: no Ctrl+A keydown or photoIds call was seen');
  await page.screenshot({ path: path.join(SHOTS, 'select-all.png') });

  const tagBox = page.getByLabel('Tags to add to the selected photos');
  await tagBox.fill(BULK_TAG);
  await page.evaluate('window.__bench.keydowns.length = 0; window.__bench.progressSeen = false; new MutationObserver(() => { if (document.querySelector(\'[data-testid="edit-progress"]\')) window.__bench.progressSeen = true; }).observe(document.body, { subtree: true, childList: true })');
  const toasted = page.evaluate(awaitDom(`!!document.querySelector('[data-testid="edit-toast"]')`)) as Promise<{ domAt: number; frameAt: number }>;
  await tagBox.press('Enter');
  const tag = await toasted;
  b = await state(page);
  const enter = b.keydowns.find((k) => k.key === 'Enter');
  const edit = b.calls.find((c) => c.method === 'editPhotos');
  if (!enter || !edit || edit.headers === null) throw new Error('add a tag: no Enter keydown or editPhotos call was seen');
  const progressShown = (await page.evaluate('window.__bench.progressSeen')) as boolean;
  await page.screenshot({ path: path.join(SHOTS, 'select-all-tagged.png') });
  const tagged = (await served.api<{ total: number }>('listPhotos', { tag: BULK_TAG, limit: 1 })).total;
  console.log(`  the toast after adding: ${JSON.stringify((await page.getByTestId('edit-toast').innerText()).trim())}`);

  // Undo, from the grid (not the tag box: a field keeps Ctrl+Z for its own text).
  await page.evaluate('document.querySelector(\'[role="grid"] button.cell\').focus(); window.__bench.keydowns.length = 0');
  const added = (await page.getByTestId('edit-toast').innerText()).trim();
  const undone = page.evaluate(
    awaitDom(`((t) => t !== '' && t !== ${JSON.stringify(added)})((document.querySelector('[data-testid="edit-toast"]')?.innerText ?? '').trim())`),
  ) as Promise<{ domAt: number; frameAt: number }>;
  await page.keyboard.press('Control+z');
  const undo = await undone;
  b = await state(page);
  const z = b.keydowns.find((k) => k.key === 'z');
  const undoCall = b.calls.find((c) => c.method === 'undo');
  if (!z || !undoCall || undoCall.headers === null) throw new Error('undo: no Ctrl+Z keydown or undo call was seen');
  await page.waitForTimeout(1000);
  const longTasks = (await state(page)).longTasks.filter((t) => t.start >= ctrlA.t && t.start <= undo.frameAt + 1000);
  return {
    selectMs: sel.frameAt - ctrlA.t,
    photoIdsMs: ids.headers - ids.start,
    tagMs: tag.frameAt - enter.t,
    editMs: edit.headers - edit.start,
    progressShown,
    undoMs: undo.frameAt - z.t,
    undoServerMs: undoCall.headers - undoCall.start,
    tagged,
    longTasks: longTasks.length,
    longestTaskMs: longTasks.reduce((m, t) => Math.max(m, t.duration), 0),
  };
}

interface MapFigures {
  /** Photos with a position (what the map says it shows). */
  photos: number;
  /** Click → the frame after the dots and the outlines were in the DOM. */
  readyMs: number;
  /** The worker's time to cluster the positions (supercluster's load, every zoom). */
  clusterMs: number | null;
  dotsAtStart: number;
  dotsZoomedIn: number;
  /** The biggest dot picked → the frame after the grid showed its first photos; and how many it held. */
  pickMs: number;
  picked: number;
  longTasks: number;
  longestTaskMs: number;
  /** The long tasks by the step they started in (open, wheel, drag, keys, pick). */
  byPhase: Record<string, number[]>;
}

/** The Map view over the whole library, in a fresh page: opened, zoomed, dragged, keyed, a dot picked; long tasks throughout. */
async function mapPass(browser: Browser, served: Served, withGps: number): Promise<MapFigures> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(INSTRUMENTS);
  const page = await context.newPage();
  try {
    await page.goto(served.url);
    await until(page, '!!window.__bench && window.__bench.firstThumb !== null', 60_000);
    await page.waitForTimeout(2000); // the grid's first pages, the tag list and On this day are in: not the map's
    const count = withGps.toLocaleString('en-US');
    const shown = page.evaluate(
      awaitDom(
        `(document.querySelector('[data-testid="map-status"]')?.textContent ?? '').includes('${count} photos with a GPS position') && document.querySelectorAll('svg g.dot').length > 0 && !!document.querySelector('[data-outlines]')`,
      ),
    ) as Promise<{ domAt: number; frameAt: number }>;
    const t0 = (await page.evaluate('performance.now()')) as number;
    await page.getByRole('button', { name: 'Map', exact: true }).click();
    const ready = await shown;
    const phases: [string, number][] = [['open', t0]];
    const mark = async (name: string) => phases.push([name, (await page.evaluate('performance.now()')) as number]);
    await page.waitForTimeout(500);
    const clusterMs = (await page.evaluate(`Number(document.querySelector('[aria-label="Map"]')?.dataset.clusterMs ?? NaN)`)) as number;
    const dotCounts = () => page.locator('svg g.dot').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    const dotsAtStart = (await dotCounts()).length;
    await page.screenshot({ path: path.join(SHOTS, 'map.png') });

    // Into the densest dot with the wheel, a step a frame or so.
    await mark('wheel');
    for (let i = 0; i < 24; i++) {
      const counts = await dotCounts();
      const box = await page.locator('svg g.dot').nth(counts.indexOf(Math.max(...counts))).boundingBox();
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(40);
    }
    await page.waitForTimeout(300);
    const dotsZoomedIn = (await dotCounts()).length;
    await page.screenshot({ path: path.join(SHOTS, 'map-zoomed.png') });
    // Drags across the view, and the keyboard.
    await mark('drag');
    const surface = (await page.getByRole('application').boundingBox())!;
    for (let i = 0; i < 6; i++) {
      const x = surface.x + surface.width * (0.3 + 0.1 * (i % 3));
      const y = surface.y + surface.height * 0.5;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + (i % 2 ? -250 : 250), y + (i % 2 ? 120 : -120), { steps: 15 });
      await page.mouse.up();
    }
    await mark('keys');
    await page.getByRole('application').focus();
    for (const key of ['-', '-', '-', 'ArrowLeft', 'ArrowLeft', 'ArrowUp', 'ArrowRight', 'ArrowDown', '-', '-', '-', '0']) {
      await page.keyboard.press(key);
      await page.waitForTimeout(30);
    }
    await page.waitForTimeout(500);
    // The biggest dot picked: the grid shows its photos.
    const counts = await dotCounts();
    const picked = Math.max(...counts);
    const gridShown = page.evaluate(
      awaitDom(`!!document.querySelector('[data-testid="map-area"]') && !!document.querySelector('[role="grid"] button.cell img')`),
    ) as Promise<{ domAt: number; frameAt: number }>;
    const t1 = (await page.evaluate('performance.now()')) as number;
    phases.push(['pick', t1]);
    await page.locator('svg g.dot').nth(counts.indexOf(picked)).click();
    const grid = await gridShown;
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(SHOTS, 'map-picked.png') });
    const tasks = (await state(page)).longTasks.filter((t) => t.start >= t0 && t.start <= grid.frameAt + 1000);
    const byPhase: Record<string, number[]> = {};
    for (const t of tasks) {
      const phase = phases.filter(([, at]) => at <= t.start).at(-1)![0];
      (byPhase[phase] ??= []).push(Number(t.duration.toFixed(0)));
    }
    return {
      byPhase,
      photos: withGps,
      readyMs: ready.frameAt - t0,
      clusterMs: Number.isFinite(clusterMs) ? clusterMs : null,
      dotsAtStart,
      dotsZoomedIn,
      pickMs: grid.frameAt - t1,
      picked,
      longTasks: tasks.length,
      longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
    };
  } finally {
    await context.close();
  }
}

function printMap(map: MapFigures): void {
  console.log(
    `  map: ${map.photos.toLocaleString('en')} positions; Map → dots and outlines drawn ${ms(map.readyMs)} (clustered in the worker in ${map.clusterMs === null ? '?' : ms(map.clusterMs)}), ` +
      `${map.dotsAtStart} dots, ${map.dotsZoomedIn} after 24 wheel steps in; the biggest dot (${map.picked.toLocaleString('en')} photos) picked → grid ${ms(map.pickMs)}`,
  );
  const phases = Object.entries(map.byPhase).map(([p, ds]) => `${p}: ${ds.join(', ')} ms`);
  console.log(`  long tasks from the Map click to a second after the picked grid: ${map.longTasks} (longest ${ms(map.longestTaskMs)})${phases.length ? `; by step: ${phases.join('; ')}` : ''}`);
}

function mapJson(map: MapFigures, mapBytes: number): Record<string, unknown> {
  return {
    positions: map.photos,
    mapPointsBytes: mapBytes,
    readyMs: Number(map.readyMs.toFixed(1)),
    clusterMs: map.clusterMs,
    dotsAtStart: map.dotsAtStart,
    dotsZoomedIn: map.dotsZoomedIn,
    pickedPhotos: map.picked,
    pickToGridMs: Number(map.pickMs.toFixed(1)),
    longTasks: map.longTasks,
    longestTaskMs: Number(map.longestTaskMs.toFixed(1)),
    longTasksByStep: map.byPhase,
    goalMs: GOAL.longTaskMs,
    ratio: Number((map.longestTaskMs / GOAL.longTaskMs).toFixed(3)),
  };
}

async function main(): Promise<void> {
  const executablePath = chromiumPath();
  ensureRendererBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-ui-'));
  try {
    await run(executablePath, root);
  } finally {
    if (values.keep) console.error(`kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
}

async function run(executablePath: string, root: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dataDir = path.join(root, 'data');
  const photosDir = path.join(root, 'photos');
  console.log(`bench:ui: ${N.toLocaleString('en')} photos in ${root}`);
  const buildS = await buildLibrary(dataDir, photosDir);
  console.log(`library written in ${buildS.toFixed(1)} s`);

  const served = await startServe({ dataDir, args: ['--no-index'], startTimeoutMs: 120_000 });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: !values.headed });
  try {
    const status = await served.api<{ photos: number }>('status');
    if (status.photos !== N) throw new Error(`serve reports ${status.photos} photos, expected ${N}`);

    // 0. The server's side of what the window asks for, timed from here (HTTP round trips, median of 5).
    const server: Record<string, number> = {};
    const calls: [string, string, unknown][] = [
      ['status', 'status', undefined],
      ['listPhotos offset 0', 'listPhotos', { offset: 0, limit: 200 }],
      [`listPhotos offset ${N >> 1}`, 'listPhotos', { offset: N >> 1, limit: 200 }],
      [`listPhotos offset ${Math.max(0, N - 200)}`, 'listPhotos', { offset: Math.max(0, N - 200), limit: 200 }],
      ['tagCounts', 'tagCounts', {}],
      ['search "beach"', 'search', { query: 'beach', limit: 200 }],
      ['mapPoints', 'mapPoints', {}],
    ];
    for (const [label, method, args] of calls) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await served.api(method, args);
        times.push(performance.now() - t0);
      }
      server[label] = Number(median(times).toFixed(1));
    }
    console.log(`  server (HTTP round trips, median of 5): ${Object.entries(server).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
    const positions = (await served.api<{ points: number[] }>('mapPoints', {})).points;
    const withGps = positions.length / 3;
    const mapBytes = JSON.stringify({ ok: true, value: { points: positions } }).length;
    console.log(`  mapPoints: ${withGps.toLocaleString('en')} positions, ${(mapBytes / 1e6).toFixed(2)} MB of JSON`);
    if (values.only === 'map') {
      // The map pass alone (--only map): its figures and their JSON line.
      const map = await mapPass(browser, served, withGps);
      printMap(map);
      console.log('');
      console.log(`map                ${ms(map.longestTaskMs)} longest task (${map.longTasks} over 50 ms; ${ratio(map.longestTaskMs, GOAL.longTaskMs)})`);
      console.log(JSON.stringify({ bench: 'ui', only: 'map', photos: N, chromium: browser.version(), libraryBuildS: Number(buildS.toFixed(1)), serverMs: server, map: mapJson(map, mapBytes), pass: map.longestTaskMs <= GOAL.longTaskMs }));
      return;
    }
    if (values.only !== undefined) throw new Error(`--only takes "map", got ${JSON.stringify(values.only)}`);

    // 1. First grid paint, in fresh contexts (cold HTTP cache); the first run also warms the server.
    const firstThumb: number[] = [];
    const firstCell: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      await context.addInitScript(INSTRUMENTS);
      const page = await context.newPage();
      await page.goto(served.url);
      await until(page, '!!window.__bench && window.__bench.firstThumb !== null', 60_000);
      const b = await state(page);
      const t = (await page.evaluate(TIMELINE)) as Timeline;
      if (run > 0) {
        firstThumb.push(b.firstThumb!);
        firstCell.push(b.firstCell!);
      }
      console.log(
        `  first paint ${run === 0 ? '(warm-up)' : `run ${run}`}: DOMContentLoaded ${ms(t.dcl)}, first listPhotos answered ${ms(t.firstList)}, ` +
          `cell ${ms(b.firstCell!)}, first thumbnail answered ${ms(t.firstThumb)}, decoded thumbnail painted ${ms(b.firstThumb!)}`,
      );
      await context.close();
    }
    const firstPaint = median(firstThumb);

    // 2. Scroll end to end (one page, kept for the search figures).
    const context = await browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript(INSTRUMENTS);
    const page = await context.newPage();
    await page.goto(served.url);
    await until(page, '!!window.__bench && window.__bench.firstThumb !== null', 60_000);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, 'grid.png') });
    const scroll = (await page.evaluate(SCROLL)) as ScrollFigures;
    await page.waitForTimeout(300); // long-task entries arrive after the task
    await page.screenshot({ path: path.join(SHOTS, 'after-scroll.png') });
    const tasks = (await state(page)).longTasks.filter((t) => t.start >= scroll.startedAt && t.start <= scroll.endedAt);
    const longest = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
    console.log(
      `  scroll: ${scroll.height.toLocaleString('en')} px in ${scroll.sweepFrames} frames (${(scroll.sweepMs / 1000).toFixed(1)} s, ${Math.round(scroll.step)} px a frame), ` +
        `longest frame ${ms(scroll.maxGap)}, 40 jumps: longest frame ${ms(scroll.jumpMaxGap)}; wheel speed (150 px a frame, ${scroll.wheelFrames} frames): longest frame ${ms(scroll.wheelMaxGap)}; ${scroll.cellsInDom} cells in the DOM half a second after`,
    );
    console.log(`  long tasks while scrolling: ${tasks.length} (longest ${ms(longest)})`);

    // 3. Keystroke → rendered results, full-text queries (no model is installed).
    const box = page.getByLabel('Search photos');
    const words = ['beach', 'sunset dog', 'birthday cake', 'snow', 'lighthouse', 'kitchen', 'wedding', 'tram', 'mountain hut', 'picnic', 'red car', 'kite'];
    const total: number[] = [];
    const serverMs: number[] = [];
    const client: number[] = [];
    const domOnly: number[] = [];
    const toRequest: number[] = [];
    const afterResponse: number[] = [];
    let serverSource = 'round trip';
    let raced = 0;
    let afterPause = 0;
    for (let i = 0; i <= N_QUERIES; i++) {
      const q = words[i % words.length]!;
      await box.fill('');
      await until(page, '!document.querySelector(\'[aria-label="Search results"] button\')', 10_000);
      await page.waitForTimeout(250);
      await page.evaluate('window.__bench.keydowns.length = 0; window.__bench.searches.length = 0');
      await box.fill(q);
      const waiting = page.evaluate(AWAIT_RESULTS) as Promise<{ domAt: number; frameAt: number }>;
      await box.press('Enter');
      const { domAt, frameAt } = await waiting;
      if (i === 1) await page.screenshot({ path: path.join(SHOTS, 'search.png') });
      const b = await state(page);
      const enter = b.keydowns.find((k) => k.key === 'Enter');
      const search = b.searches.at(-1);
      if (!enter || !search || search.headers === null) throw new Error(`query ${JSON.stringify(q)}: no Enter keydown or /api/search call was seen`);
      // The search that runs after a pause in typing beat Enter (a slow machine): not a sample.
      if (b.searches.some((s) => s.start < enter.t) || domAt < enter.t) {
        raced++;
        continue;
      }
      const searchMs = search.serverMs ?? search.headers - search.start;
      if (search.serverMs !== null) serverSource = 'Server-Timing';
      if (i === 0) continue; // warm-up
      toRequest.push(search.start - enter.t);
      // Enter should search at once; a request that leaves only after the typing pause means it did not.
      if (search.start - enter.t > 50 && b.lastInput !== null && search.start - b.lastInput >= 140) afterPause++;
      afterResponse.push(domAt - (search.end ?? search.headers));
      total.push(frameAt - enter.t);
      domOnly.push(domAt - enter.t);
      serverMs.push(searchMs);
      client.push(frameAt - enter.t - searchMs);
    }
    const keystroke = median(client);
    console.log(
      `  keystroke → results (${client.length} full-text queries): ${ms(median(total))} in all (DOM ${ms(median(domOnly))}), ` +
        `server ${ms(median(serverMs))} (${serverSource}), window ${ms(keystroke)} median, ${ms(p95(client))} p95` +
        (raced ? `; ${raced} dropped (the typing pause fired before Enter)` : ''),
    );
    console.log(`    Enter → request sent ${ms(median(toRequest))}, response read → results in the DOM ${ms(median(afterResponse))} (medians)`);
    if (afterPause > 0) {
      console.log(`    warning: in ${afterPause} of ${client.length} queries Enter did not search at once: the request left after the 150 ms typing pause`);
    }

    // 4. Select all of the library and add a tag, then undo it (the same page, back in the grid).
    const bulk = await selectAllAndTag(page, served);
    console.log(
      `  select all: Ctrl+A → "${N.toLocaleString('en')} selected" ${ms(bulk.selectMs)} (photoIds round trip ${ms(bulk.photoIdsMs)}, window ${ms(bulk.selectMs - bulk.photoIdsMs)}); ` +
        `add a tag: Enter → toast ${ms(bulk.tagMs)} (editPhotos round trip ${ms(bulk.editMs)}, window ${ms(bulk.tagMs - bulk.editMs)}, progress shown: ${bulk.progressShown}); ` +
        `undo: Ctrl+Z → toast ${ms(bulk.undoMs)} (undo round trip ${ms(bulk.undoServerMs)})`,
    );
    console.log(`  long tasks from Ctrl+A to a second after the undo: ${bulk.longTasks} (longest ${ms(bulk.longestTaskMs)})`);
    await context.close();

    // 5. The map, in a fresh page.
    const map = await mapPass(browser, served, withGps);
    printMap(map);

    console.log('');
    console.log(`first grid paint   ${ms(firstPaint)}  (${ratio(firstPaint, GOAL.firstPaintMs)})`);
    console.log(`longest long task  ${ms(longest)}  (${tasks.length} over 50 ms while scrolling; ${ratio(longest, GOAL.longTaskMs)})`);
    console.log(`keystroke→results  ${ms(keystroke)}  (excluding the server's ${ms(median(serverMs))}; ${ratio(keystroke, GOAL.keystrokeMs)})`);
    console.log(`select all + tag   ${ms(bulk.longestTaskMs)} longest task (${bulk.longTasks} over 50 ms; ${ratio(bulk.longestTaskMs, GOAL.longTaskMs)})`);
    console.log(`map                ${ms(map.longestTaskMs)} longest task (${map.longTasks} over 50 ms; ${ratio(map.longestTaskMs, GOAL.longTaskMs)})`);
    console.log(
      JSON.stringify({
        bench: 'ui',
        photos: N,
        chromium: browser.version(),
        libraryBuildS: Number(buildS.toFixed(1)),
        serverMs: server,
        firstPaint: { medianMs: Number(firstPaint.toFixed(1)), firstCellMs: Number(median(firstCell).toFixed(1)), runsMs: firstThumb.map((x) => Number(x.toFixed(1))), goalMs: GOAL.firstPaintMs, ratio: Number((firstPaint / GOAL.firstPaintMs).toFixed(3)) },
        scroll: {
          heightPx: scroll.height,
          frames: scroll.sweepFrames,
          sweepMs: Math.round(scroll.sweepMs),
          longestFrameMs: Number(scroll.maxGap.toFixed(1)),
          jumpLongestFrameMs: Number(scroll.jumpMaxGap.toFixed(1)),
          wheelLongestFrameMs: Number(scroll.wheelMaxGap.toFixed(1)),
          longTasks: tasks.length,
          longestTaskMs: Number(longest.toFixed(1)),
          goalMs: GOAL.longTaskMs,
          ratio: Number((longest / GOAL.longTaskMs).toFixed(3)),
        },
        keystroke: {
          medianMs: Number(keystroke.toFixed(1)),
          p95Ms: Number(p95(client).toFixed(1)),
          totalMedianMs: Number(median(total).toFixed(1)),
          serverMedianMs: Number(median(serverMs).toFixed(1)),
          serverFrom: serverSource,
          enterToRequestMs: Number(median(toRequest).toFixed(1)),
          enterWaitedForTypingPause: afterPause,
          responseToDomMs: Number(median(afterResponse).toFixed(1)),
          queries: client.length,
          goalMs: GOAL.keystrokeMs,
          ratio: Number((keystroke / GOAL.keystrokeMs).toFixed(3)),
        },
        selectAllAndTag: {
          photos: N,
          selectMs: Number(bulk.selectMs.toFixed(1)),
          photoIdsRoundTripMs: Number(bulk.photoIdsMs.toFixed(1)),
          tagMs: Number(bulk.tagMs.toFixed(1)),
          editPhotosRoundTripMs: Number(bulk.editMs.toFixed(1)),
          progressShown: bulk.progressShown,
          undoMs: Number(bulk.undoMs.toFixed(1)),
          undoRoundTripMs: Number(bulk.undoServerMs.toFixed(1)),
          tagged: bulk.tagged,
          longTasks: bulk.longTasks,
          longestTaskMs: Number(bulk.longestTaskMs.toFixed(1)),
          goalMs: GOAL.longTaskMs,
          ratio: Number((bulk.longestTaskMs / GOAL.longTaskMs).toFixed(3)),
        },
        map: mapJson(map, mapBytes),
        pass:
          firstPaint < GOAL.firstPaintMs &&
          longest <= GOAL.longTaskMs &&
          keystroke < GOAL.keystrokeMs &&
          bulk.longestTaskMs <= GOAL.longTaskMs &&
          map.longestTaskMs <= GOAL.longTaskMs,
      }),
    );
  } finally {
    await browser.close();
    await served.stop();
  }
}

await main();
