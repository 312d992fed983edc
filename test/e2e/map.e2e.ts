// The Map view and "On this day" (issue 13), in a real browser against `shoebox serve`, on generated
// JPEGs with EXIF GPS positions and dates: On this day's years and photos (today's month and day in
// earlier years, as the engine answers for the window's today), the map's clusters splitting as it
// zooms in, a cluster picked filtering the grid to exactly its photos, a search with date filters
// narrowing the dots, the keyboard, the dark theme, accessible names, and no request leaving the machine.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeJpeg } from '../helpers/photos.ts';
import { latToY, lonToX, toScreen, type Camera } from '../../src/renderer/src/lib/map-view.ts';
import { SCREENSHOTS, openBrowser, startE2eFixture, waitIndexed, type E2eFixture } from './serve-fixture.ts';
import { grid, photoDialog, results, unnamedControls, view } from './page-helpers.ts';

const LISBON = { lat: 38.7223, lon: -9.1393 };
const PORTO = { lat: 41.1579, lon: -8.6291 };
const SYDNEY = { lat: -33.8688, lon: 151.2093 };
const TOKYO = { lat: 35.6762, lon: 139.6503 };

const pad = (n: number) => String(n).padStart(2, '0');
const today = new Date();
/** Today's month and day, and another day of the year 40·k days on (never today's), as EXIF writes them. */
const md = `${pad(today.getMonth() + 1)}:${pad(today.getDate())}`;
function otherDay(k: number): string {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 40 * k);
  const s = `${pad(d.getMonth() + 1)}:${pad(d.getDate())}`;
  return s === '02:29' ? '03:01' : s;
}

/**
 * Nine photos: three around Lisbon (symmetric, so their cluster's centre is Lisbon's), two in Porto, two
 * in Sydney, one in Tokyo, one without GPS. On today's month and day: two in Lisbon in 2020, one in
 * Sydney and the one without GPS in 2016 (leap years both, so a 29 February works too).
 */
const PHOTOS = [
  { name: 'lisbon-a', gps: { lat: LISBON.lat + 0.001, lon: LISBON.lon }, takenAt: `2020:${md} 10:00:00` },
  { name: 'lisbon-b', gps: { lat: LISBON.lat - 0.001, lon: LISBON.lon }, takenAt: `2020:${md} 18:00:00` },
  { name: 'lisbon-c', gps: LISBON, takenAt: `2021:${otherDay(1)} 12:00:00` },
  { name: 'porto-a', gps: PORTO, takenAt: `2020:${otherDay(2)} 12:00:00` },
  { name: 'porto-b', gps: { lat: PORTO.lat + 0.0005, lon: PORTO.lon }, takenAt: `2020:${otherDay(3)} 12:00:00` },
  { name: 'sydney-a', gps: SYDNEY, takenAt: `2016:${md} 10:00:00` },
  { name: 'sydney-b', gps: { lat: SYDNEY.lat, lon: SYDNEY.lon + 0.001 }, takenAt: `2018:${otherDay(4)} 12:00:00` },
  { name: 'tokyo-a', gps: TOKYO, takenAt: `2022:${otherDay(5)} 12:00:00` },
  { name: 'home-a', takenAt: `2016:${md} 12:00:00` },
];
/** With the fixture's one GPS photo (Brighton). */
const ON_MAP = 9;

let fx: E2eFixture;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const offMachine: string[] = [];
const ids = new Map<string, number>();

const shot = (name: string) => path.join(SCREENSHOTS, `${name}.png`);
const dots = () => page.locator('svg g.dot');
const mapStatus = () => page.getByTestId('map-status').innerText();

async function dotCounts(): Promise<number[]> {
  return dots().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
}

/** The dot whose accessible name starts so. */
function dot(label: string): Locator {
  return page.getByRole('button', { name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
}

async function cellIds(): Promise<number[]> {
  return grid(page)
    .locator('[data-photo-id]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
}

/** The colour the map shows at a place, as the screen has it: where the camera puts it on the map's surface, read from a screenshot. */
async function colourAt(lat: number, lon: number): Promise<[number, number, number]> {
  const surface = page.getByRole('application');
  const camera = JSON.parse((await surface.getAttribute('data-camera'))!) as Camera;
  const box = (await surface.boundingBox())!;
  const size = (await surface.evaluate((e) => [e.clientWidth, e.clientHeight])) as [number, number];
  const border = (box.width - size[0]) / 2;
  const [sx, sy] = toScreen(camera, { width: size[0], height: size[1] }, lonToX(lon), latToY(lat));
  const png = await page.screenshot({ clip: { x: box.x + border + sx - 1, y: box.y + border + sy - 1, width: 3, height: 3 } });
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * 3;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}
/** Inland Algeria and the Indian Ocean: no border, coast or dot near either. */
const LAND = [27, 3] as const;
const SEA = [-20, 75] as const;

function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture();
  const dir = path.join(fx.root, 'travels');
  let seed = 100;
  for (const p of PHOTOS) await makeJpeg(path.join(dir, `${p.name}.jpg`), { width: 160, height: 120, color: { r: 60 + seed, g: 120, b: 200 - seed }, takenAt: p.takenAt, gps: p.gps, seed: seed++ });
  await fx.served.api('addFolder', { path: fx.photosDir });
  await fx.served.api('addFolder', { path: dir });
  await waitIndexed(fx.served, 10 + PHOTOS.length);
  const all = await fx.served.api<{ photos: { id: number; path: string }[] }>('listPhotos', { limit: 100 });
  for (const p of all.photos) ids.set(path.basename(p.path, '.jpg'), p.id);
  ({ browser, page } = await openBrowser(consoleErrors));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== fx.served.origin && u.protocol !== 'data:') offMachine.push(r.url());
  });
  await page.goto(fx.served.url);
  await grid(page).getByRole('button').first().waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('On this day', () => {
  it('shows the earlier years’ photos of today’s month and day, grouped by year, as the engine answers', async () => {
    const expected = await fx.served.api<{ date: string; years: { year: number; total: number; photos: { id: number }[] }[] }>('onThisDay', { date: localDay(today) });
    const years = expected.years.map((y) => y.year);
    // Ours at least (the fixture's colour photos are of 10–19 June 2023: on those days they are there too).
    expect(years).toEqual(expect.arrayContaining([2020, 2016]));
    const y2020 = expected.years.find((y) => y.year === 2020)!;
    expect(y2020.photos.map((p) => p.id).sort()).toEqual([ids.get('lisbon-a'), ids.get('lisbon-b')].sort());
    const section = page.getByRole('region', { name: 'On this day' });
    await section.waitFor({ timeout: 15_000 });
    // A group per year (the <details> around them is a group too, without a name).
    const groups = section.getByRole('group', { name: /^\d{4}, / });
    await expect.poll(() => groups.count()).toBe(years.length);
    const labels = await groups.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(labels).toEqual(expected.years.map((y) => `${y.year}, ${today.getFullYear() - y.year} years ago`));
    const g2016 = section.getByRole('group', { name: /^2016,/ });
    expect(await g2016.getByRole('button').count()).toBe(expected.years.find((y) => y.year === 2016)!.photos.length);
    expect(await g2016.innerText()).toMatch(/2016\s+\d+ years ago · 2 photos/);
    await expect.poll(() => section.locator('img').count(), { timeout: 15_000 }).toBe(expected.years.reduce((n, y) => n + y.photos.length, 0));
    await page.screenshot({ path: shot('map-on-this-day') });
    await section.screenshot({ path: shot('map-on-this-day-section') });
  });

  it('opens a photo in the photo view, which walks every photo shown', async () => {
    const section = page.getByRole('region', { name: 'On this day' });
    const shown = (await fx.served.api<{ years: { photos: { id: number }[] }[] }>('onThisDay', { date: localDay(today) })).years.flatMap((y) => y.photos);
    await section.getByRole('group', { name: /^2016,/ }).getByRole('button').first().click();
    const dialog = photoDialog(page);
    await dialog.waitFor({ timeout: 15_000 });
    const at = shown.findIndex((p) => p.id === ids.get('home-a') || p.id === ids.get('sydney-a'));
    await expect.poll(() => dialog.getByTestId('position').innerText()).toBe(`${at + 1} of ${shown.length}`);
    // 2016's photos, newest first: the one without GPS (12:00), then Sydney's (10:00).
    expect(path.basename((await dialog.getByTestId('fact-File').innerText()).trim())).toBe('home-a.jpg');
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => path.basename((await dialog.getByTestId('fact-File').innerText()).trim())).toBe('sydney-a.jpg');
    await page.keyboard.press('Escape');
    await expect.poll(() => photoDialog(page).count()).toBe(0);
  });

  it('folds away, and stays folded after a reload that day', async () => {
    const section = page.getByRole('region', { name: 'On this day' });
    const year = () => page.getByRole('region', { name: 'On this day' }).getByRole('group', { name: /^2020, / });
    await section.locator('summary').click();
    await expect.poll(() => year().isVisible()).toBe(false);
    // Remembered for the day (the toggle event comes a moment after the click).
    await expect.poll(() => page.evaluate("localStorage.getItem('shoebox.onThisDay.folded')")).toBe(localDay(today));
    await page.reload();
    await page.getByRole('region', { name: 'On this day' }).waitFor({ timeout: 15_000 });
    expect(await year().isVisible()).toBe(false);
    await page.getByRole('region', { name: 'On this day' }).locator('summary').click();
    await expect.poll(() => year().isVisible()).toBe(true);
  });
});

describe('the map', () => {
  it('draws the country outlines and every photo with GPS as clustered dots', async () => {
    await page.getByRole('button', { name: 'Map', exact: true }).click();
    await expect.poll(mapStatus, { timeout: 15_000 }).toMatch(new RegExp(`^${ON_MAP} photos with a GPS position`));
    await expect.poll(async () => (await dotCounts()).reduce((a, b) => a + b, 0), { timeout: 15_000 }).toBe(ON_MAP);
    // Far out, Lisbon and Porto (and maybe Brighton) are one dot, the largest.
    expect(Math.max(...(await dotCounts()))).toBeGreaterThanOrEqual(5);
    // The outlines' worker drew them, in the light theme's colours.
    await expect.poll(() => page.getByRole('application').getAttribute('data-outlines'), { timeout: 15_000 }).toMatch(/^(coarse|fine)$/);
    await expect.poll(() => colourAt(...LAND), { timeout: 10_000 }).toEqual([244, 241, 234]);
    await expect.poll(() => colourAt(...SEA), { timeout: 10_000 }).toEqual([219, 231, 240]);
    await page.screenshot({ path: shot('map-world') });
  });

  it('splits the clusters as it zooms in, until Lisbon’s three photos are one dot', async () => {
    const before = await dotCounts();
    // The wheel over the biggest dot (Europe's), until Lisbon's photos are a dot of their own.
    for (let i = 0; i < 20 && (await dot('3 photos near 38.72° N, 9.14° W').count()) === 0; i++) {
      const counts = await dotCounts();
      const box = (await dots().nth(counts.indexOf(Math.max(...counts))).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -250);
      await page.waitForTimeout(150);
    }
    await dot('3 photos near 38.72° N, 9.14° W').waitFor({ timeout: 10_000 });
    // This near, the 50m outlines.
    await expect.poll(() => page.getByRole('application').getAttribute('data-outlines'), { timeout: 15_000 }).toBe('fine');
    const after = await dotCounts();
    expect(Math.max(...after)).toBeLessThan(Math.max(...before));
    // Lisbon and Porto are apart now: a dot each.
    expect(await dot('2 photos near 41.16° N, 8.63° W').count()).toBe(1);
    await page.screenshot({ path: shot('map-zoomed') });
  });

  it('filters the grid to exactly the photos of the dot picked', async () => {
    await dot('3 photos near 38.72° N, 9.14° W').click();
    await expect.poll(() => page.getByRole('region', { name: 'Map' }).count()).toBe(0);
    expect((await page.getByTestId('map-area').innerText()).trim()).toMatch(/^On the map: 3 photos near 38\.72° N, 9\.14° W/);
    await expect.poll(() => grid(page).getByRole('button').count(), { timeout: 15_000 }).toBe(3);
    expect((await cellIds()).sort()).toEqual(['lisbon-a', 'lisbon-b', 'lisbon-c'].map((n) => ids.get(n)).sort());
    expect(await grid(page).getAttribute('aria-label')).toBe('Photos picked on the map');
    // No On this day over a picked area: it is about the whole library.
    expect(await page.getByRole('region', { name: 'On this day' }).count()).toBe(0);
    await page.screenshot({ path: shot('map-picked-grid') });
    // Back to the map, the camera where it was; then every photo again.
    await page.getByRole('button', { name: 'Back to the map' }).click();
    await dot('3 photos near 38.72° N, 9.14° W').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Map', exact: true }).click();
    await page.getByRole('button', { name: 'Show all photos, not only those picked on the map' }).click();
    await expect.poll(() => grid(page).getAttribute('aria-label'), { timeout: 15_000 }).toBe('Photos');
    expect(await page.getByTestId('map-area').count()).toBe(0);
    await expect.poll(() => grid(page).getByRole('button').count(), { timeout: 15_000 }).toBeGreaterThan(3);
  });

  it('shows only the dots of a search’s results, narrowed by its filters', async () => {
    await page.getByLabel('Search photos').fill('photo');
    await page.getByRole('textbox', { name: 'From', exact: true }).fill('2020-01-01');
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('2020-12-31');
    await expect.poll(() => results(page).getByRole('button').count(), { timeout: 15_000 }).toBe(4);
    await page.getByRole('button', { name: 'Map', exact: true }).click();
    await expect.poll(mapStatus, { timeout: 15_000 }).toMatch(/^4 photos with a GPS position/);
    await expect.poll(async () => (await dotCounts()).reduce((a, b) => a + b, 0), { timeout: 10_000 }).toBe(4);
    await page.screenshot({ path: shot('map-search-2020') });
    // A dot picked narrows the results the same way.
    await dot('2 photos near 38.72° N, 9.14° W').click();
    await expect.poll(() => results(page).getByRole('button').count(), { timeout: 15_000 }).toBe(2);
    const hitIds = await results(page)
      .locator('[data-photo-id]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
    expect(hitIds.sort()).toEqual([ids.get('lisbon-a'), ids.get('lisbon-b')].sort());
    await page.getByRole('button', { name: 'Show all photos, not only those picked on the map' }).click();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Search photos').fill('');
  });

  it('pans with the arrow keys and zooms with + and −; 0 shows every dot again', async () => {
    await page.getByRole('button', { name: 'Map', exact: true }).click();
    await expect.poll(mapStatus, { timeout: 15_000 }).toMatch(new RegExp(`^${ON_MAP} photos`));
    const surface = page.getByRole('application');
    const camera = async () => JSON.parse((await surface.getAttribute('data-camera'))!) as Camera;
    await surface.focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const c0 = await camera();
    await page.keyboard.press('ArrowLeft');
    const c1 = await camera();
    // The world moved right by 120 px: the view looks further west.
    expect((c0.x - c1.x) * 256 * 2 ** c1.zoom).toBeCloseTo(120, 3);
    expect(c1.zoom).toBe(c0.zoom);
    await page.keyboard.press('+');
    expect((await camera()).zoom).toBeCloseTo(c1.zoom + 1, 9);
    await page.keyboard.press('-');
    expect((await camera()).zoom).toBeCloseTo(c1.zoom, 9);
    await page.keyboard.press('0');
    await expect.poll(async () => (await dotCounts()).reduce((a, b) => a + b, 0)).toBe(ON_MAP);
    // The dots are reached with Tab and picked with Enter.
    await page.keyboard.press('Tab');
    const focused = (await page.evaluate("document.activeElement?.getAttribute('aria-label') ?? ''")) as string;
    expect(focused).toMatch(/^\d+ photos? (near|at) /);
    expect(await unnamedControls(page)).toEqual([]);
  });

  it('follows the dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(async () => JSON.parse((await page.getByRole('application').getAttribute('data-colours')) ?? '{}')).toEqual({ sea: '#15202b', land: '#2e2a27', border: '#5d564f' });
    // The colours are known at once; the outlines are drawn again in them on the next frames (a worker's, on a busy
    // machine later than a fixed wait: CI once read the sea's colour where the land is).
    await expect.poll(() => colourAt(...LAND), { timeout: 10_000 }).toEqual([46, 42, 39]);
    await expect.poll(() => colourAt(...SEA), { timeout: 10_000 }).toEqual([21, 32, 43]);
    await page.screenshot({ path: shot('map-dark') });
    await page.getByRole('button', { name: 'Map', exact: true }).click();
    await page.getByRole('region', { name: 'On this day' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('map-on-this-day-dark') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('asked nothing of any other machine, and logged no errors', async () => {
    expect(offMachine).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // The views are all still there.
    await view(page, 'Library').click();
  });
});
