// The window point by point, in a real browser against `shoebox serve`: the grid by month, keyboard
// use, search as you type with filters and "similar", tags with counts, the photo view (arrow keys,
// EXIF, map link, tags edited in place), captions with the low-confidence marker, the Indexing panel
// (pause across a reload, failed photos, retry), Settings, light and dark themes, accessible names.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import {
  GPS_PHOTO,
  SCREENSHOTS,
  makeColourPhotos,
  startE2eFixture,
  waitIndexed,
  type E2eFixture,
  type E2eStatus,
  openBrowser,
} from './serve-fixture.ts';
import { focusedIndex as focusedCell, focusedLabel, grid, pageBackground, photoDialog, resultNames, results, unnamedControls, view } from './page-helpers.ts';

const RED = 'a photo of something red';

let fx: E2eFixture;
let browser: Browser;
let page: Page;
let moreDir: string;
const consoleErrors: string[] = [];
const searches: string[] = [];
/** Method calls the engine refused with HTTP 400 (a setting the test types wrong on purpose): chromium logs each as an error. */
const refused: string[] = [];

function shot(name: string): string {
  return path.join(SCREENSHOTS, `${name}.png`);
}

/** The photo view's "N of M". */
function position(): Promise<string> {
  return photoDialog(page).getByTestId('position').innerText();
}

/** The file name the photo view shows in its Details. */
async function openFileName(): Promise<string> {
  const file = await photoDialog(page).getByTestId('fact-File').innerText();
  return path.basename(file.trim());
}

function focusedIndex(): Promise<string | null> {
  return focusedCell(page);
}

async function backToLibrary(): Promise<void> {
  if (await photoDialog(page).isVisible()) await page.keyboard.press('Escape');
  await view(page, 'Library').click();
  const back = page.getByRole('button', { name: 'Back to library' });
  if (await back.isVisible()) await back.click();
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture();
  // A second folder: a red and a green portrait photo from March 2022, so the grid has two months,
  // portrait cells, and the folder filter something to narrow.
  moreDir = path.join(fx.root, 'more');
  await makeColourPhotos(moreDir, { order: ['red', 'green'], first: 11, month: '2022:03', portrait: true });
  // The GPS photo was shot RAW+JPEG as a Live Photo: its RAW and its video belong to it (no extra photos).
  const stem = path.join(fx.photosDir, GPS_PHOTO.name.replace(/\.jpg$/, ''));
  fs.writeFileSync(`${stem}.CR2`, 'raw sensor data\n'.repeat(100));
  fs.writeFileSync(`${stem}.MOV`, 'live photo video\n'.repeat(100));
  await fx.served.api('addFolder', { path: fx.photosDir });
  await fx.served.api('addFolder', { path: moreDir });
  await waitIndexed(fx.served, 12);
  ({ browser, page } = await openBrowser(consoleErrors));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/search') searches.push(r.postData() ?? '');
  });
  page.on('response', (r) => {
    if (r.status() === 400 && new URL(r.url()).pathname.startsWith('/api/')) refused.push(new URL(r.url()).pathname);
  });
  await page.goto(fx.served.url);
});

// A test that failed half-way leaves no photo view open over the next one.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && page && (await photoDialog(page).isVisible())) await page.keyboard.press('Escape');
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the library grid', () => {
  it('groups photos by month, newest first', async () => {
    await expect.poll(() => grid(page).getByRole('button').count(), { timeout: 30_000 }).toBe(12);
    const headers = await grid(page).getByRole('columnheader').allInnerTexts();
    expect(headers.map((h) => h.trim())).toEqual(['June 2023', 'March 2022']);
    // Every cell keeps the row's height, portrait thumbnails too, so rows never overlap.
    await expect.poll(() => grid(page).locator('img').count(), { timeout: 30_000 }).toBe(12);
    const heights = await grid(page).getByRole('button').evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().height));
    expect(new Set(heights.map((h) => Math.round(h)))).toEqual(new Set([150]));
  });

  it('moves between cells with the arrow keys and opens one with Enter', async () => {
    await page.keyboard.press('/');
    await expect.poll(() => focusedLabel(page)).toBe('Search photos');
    await grid(page).getByRole('button').first().focus();
    await page.keyboard.press('ArrowRight');
    expect(await focusedIndex()).toBe('1');
    await page.keyboard.press('End');
    expect(await focusedIndex()).toBe('11');
    await page.keyboard.press('Home');
    expect(await focusedIndex()).toBe('0');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await photoDialog(page).waitFor({ timeout: 15_000 });
    await expect.poll(position).toBe('2 of 12');
  });
});

describe('the photo view', () => {
  it('walks the photos with the arrow keys, to the last and back, and Escape returns focus to the grid', async () => {
    await expect.poll(openFileName).toBe('IMG_0009.jpg');
    await page.keyboard.press('ArrowRight');
    await expect.poll(position).toBe('3 of 12');
    await expect.poll(openFileName).toBe('IMG_0008.jpg');
    // Through Next-button clicks too, to the end, where Next is disabled: the keys keep working.
    for (let i = 3; i < 12; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(position).toBe('12 of 12');
    await photoDialog(page).getByRole('button', { name: 'Previous photo' }).click();
    await expect.poll(position).toBe('11 of 12');
    await photoDialog(page).getByRole('button', { name: 'Next photo' }).click();
    await expect.poll(position).toBe('12 of 12');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(position).toBe('11 of 12');
    await page.keyboard.press('Escape');
    await expect.poll(() => photoDialog(page).count()).toBe(0);
    await expect.poll(focusedIndex).toBe('10');
  });

  it('shows the EXIF facts and a map link for a photo with GPS, and none without', async () => {
    // IMG_0002 was taken on 11 June 2023: the ninth photo, newest first.
    await grid(page).locator('button.cell[data-index="8"]').click();
    const dialog = photoDialog(page);
    await expect.poll(openFileName).toBe(GPS_PHOTO.name);
    expect(await dialog.getByTestId('fact-Camera').innerText()).toBe('FUJIFILM X-T4');
    expect(await dialog.getByTestId('fact-Date').innerText()).toBe('11 Jun 2023, 12:00');
    // Its RAW and its Live Photo video are listed with it.
    const others = dialog.getByRole('list', { name: 'Other files of this photo' });
    expect(await others.innerText()).toMatch(/IMG_0002\.CR2\s+camera RAW, [\d.]+ KB\s+\S*IMG_0002\.MOV\s+Live Photo video, [\d.]+ KB/);
    const map = dialog.getByRole('link', { name: /map/i });
    const href = await map.getAttribute('href');
    expect(href).toMatch(/^https:\/\/www\.openstreetmap\.org\/\?mlat=50\.822\d*&mlon=-0\.137\d*/);
    await dialog.screenshot({ path: shot('window-photo-gps') });
    await page.keyboard.press('ArrowLeft');
    await expect.poll(openFileName).toBe('IMG_0003.jpg');
    expect(await dialog.getByTestId('fact-Camera').innerText()).toBe('Canon EOS R5');
    expect(await dialog.getByRole('link', { name: /map/i }).count()).toBe(0);
  });

  it('adds and removes a tag in place; the tag list counts it and filters the grid by it', async () => {
    const dialog = photoDialog(page);
    await dialog.getByLabel('Add tag').fill('front door, Brighton');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => dialog.getByRole('button', { name: 'Remove tag front door' }).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Remove tag Brighton' }).click();
    await expect.poll(() => dialog.getByRole('button', { name: 'Remove tag Brighton' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    const tags = page.getByRole('navigation', { name: 'Tags' });
    const tag = tags.getByRole('button', { name: 'front door, 1 photo', exact: true });
    await tag.waitFor({ timeout: 10_000 });
    expect(await tags.getByRole('button', { name: /^Brighton,/ }).count()).toBe(0);
    await tag.click();
    await expect.poll(() => grid(page).getByRole('button').count()).toBe(1);
    expect(await grid(page).getAttribute('aria-label')).toBe('Photos tagged front door');
    await tags.getByRole('button', { name: 'All photos' }).click();
    await expect.poll(() => grid(page).getByRole('button').count()).toBe(12);
  });
});

describe('search', () => {
  it('answers as you type, after a pause, with a score bar per result', async () => {
    const before = searches.length;
    const box = page.getByLabel('Search photos');
    await box.click();
    await box.pressSequentially('blue', { delay: 40 });
    await expect.poll(() => results(page).getByRole('button').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // One request for the word, not one per key.
    const typed = searches.slice(before).map((b) => (JSON.parse(b) as { query: string }).query);
    expect(typed).toEqual(['blue']);
    const names = await resultNames(page);
    expect(names.slice(0, 3)).toEqual(Array(3).fill('a photo of something blue'));
    expect(await results(page).locator('.score .fill').count()).toBe(names.length);
    // Enter searches at once, without waiting for a pause: pressed on the same words, it asks again
    // (once the window has settled: edits just before refresh results on their own).
    let asked = -1;
    await expect.poll(async () => {
      const before = searches.length;
      await page.waitForTimeout(2000);
      return before === searches.length ? (asked = before) : -1;
    }, { timeout: 20_000 }).toBeGreaterThan(0);
    await box.press('Enter');
    await expect.poll(() => searches.length, { timeout: 1000 }).toBe(asked + 1);
    await page.screenshot({ path: shot('window-search-blue') });
  });

  it('narrows results by camera, date and folder', async () => {
    const box = page.getByLabel('Search photos');
    await box.fill('red');
    await box.press('Enter');
    const count = page.getByTestId('result-count');
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('12 photos');
    await page.getByLabel('Camera', { exact: true }).fill('fuji');
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('6 photos');
    expect((await resultNames(page)).slice(0, 2)).toEqual([RED, RED]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('12 photos');
    await page.getByLabel('From', { exact: true }).fill('2023-06-15');
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('5 photos');
    await page.getByLabel('To', { exact: true }).fill('2023-06-16');
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('2 photos');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('12 photos');
    await page.getByLabel('Folder', { exact: true }).selectOption(moreDir);
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('2 photos');
    expect((await resultNames(page))[0]).toBe(RED);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => count.innerText(), { timeout: 15_000 }).toBe('12 photos');
    // The tag list narrows results too: IMG_0002 is the one tagged "front door".
    const tags = page.getByRole('navigation', { name: 'Tags' });
    await tags.getByRole('button', { name: 'front door, 1 photo', exact: true }).click();
    await expect.poll(() => count.innerText()).toBe('1 photo');
    expect(await page.getByRole('heading', { name: 'Results for “red” tagged front door' }).count()).toBe(1);
    await tags.getByRole('button', { name: 'All photos' }).click();
    await expect.poll(() => count.innerText()).toBe('12 photos');
  });

  it('offers "similar to this photo": the other red photos come first', async () => {
    await results(page).getByRole('button').first().click();
    const dialog = photoDialog(page);
    await expect.poll(() => dialog.getByLabel('Caption', { exact: true }).inputValue(), { timeout: 15_000 }).toBe(RED);
    await dialog.getByRole('button', { name: 'Similar photos' }).click();
    await expect.poll(() => photoDialog(page).count()).toBe(0);
    await expect.poll(() => page.getByRole('heading', { name: /^Similar to / }).count()).toBe(1);
    await expect.poll(() => results(page).getByRole('button').count(), { timeout: 15_000 }).toBe(11);
    expect((await resultNames(page)).slice(0, 3)).toEqual([RED, RED, RED]);
    await page.screenshot({ path: shot('window-similar') });
    await backToLibrary();
  });
});

describe('captions', () => {
  it('lists captions beside thumbnails with the low-confidence marker', async () => {
    // A threshold above every score flags every automatic caption low-confidence.
    await view(page, 'Settings').click();
    const threshold = page.getByLabel('Low-confidence threshold');
    await threshold.fill('1');
    await threshold.press('Enter');
    await expect.poll(() => threshold.inputValue()).toBe('1');
    await view(page, 'Library').click();
    await page.getByRole('button', { name: 'Captions' }).click();
    await expect.poll(() => grid(page).getByText(RED).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => grid(page).getByRole('img', { name: 'Low confidence' }).count(), { timeout: 15_000 }).toBe(12);
    await page.screenshot({ path: shot('window-captions') });
    await page.getByRole('button', { name: 'Captions' }).click();
    await view(page, 'Settings').click();
    await threshold.fill('auto');
    await threshold.press('Enter');
    await expect.poll(() => threshold.inputValue()).toBe('auto');
  });
});

describe('the indexing panel', () => {
  it('pauses and resumes, and stays paused across a reload', async () => {
    await view(page, 'Indexing').click();
    const panel = page.getByRole('region', { name: 'Indexing' });
    await panel.getByRole('button', { name: 'Pause indexing' }).click();
    await panel.getByText('Paused.').waitFor({ timeout: 10_000 });
    await page.reload();
    await view(page, 'Indexing').click();
    await panel.getByText('Paused.').waitFor({ timeout: 10_000 });
    expect(await panel.getByRole('button', { name: 'Resume indexing' }).isEnabled()).toBe(true);
    await panel.getByRole('button', { name: 'Resume indexing' }).click();
    await panel.getByText('All photos are indexed').waitFor({ timeout: 10_000 });
  });

  it('lists a photo that cannot be read with its reason, and retries it', async () => {
    const panel = page.getByRole('region', { name: 'Indexing' });
    fs.writeFileSync(path.join(fx.photosDir, 'IMG_9999.jpg'), fs.readFileSync(fx.photos.red[0]!).subarray(0, 300));
    const failed = page.getByRole('list', { name: 'Failed photos' });
    await failed.getByText('IMG_9999.jpg').waitFor({ timeout: 60_000 });
    expect(await failed.innerText()).toMatch(/truncated|corrupt|premature|unexpected end/i);
    // A JPEG that lost its last bytes is shown, listed as damaged with the decoder's words.
    const whole = fs.readFileSync(fx.photos.blue[0]!);
    fs.writeFileSync(path.join(fx.photosDir, 'IMG_9998.jpg'), whole.subarray(0, whole.length - 400));
    const damaged = page.getByRole('list', { name: 'Damaged photos' });
    await damaged.getByText('IMG_9998.jpg').waitFor({ timeout: 60_000 });
    expect(await damaged.innerText()).toMatch(/premature end of JPEG/i);
    expect(await panel.getByTestId('skipped-videos').count()).toBe(0); // the Live Photo's video is not a skipped one
    await panel.screenshot({ path: shot('window-indexing-failed') });
    await panel.getByRole('button', { name: 'Retry failed' }).click();
    await panel.getByText('One photo will be tried again.').waitFor({ timeout: 10_000 });
    // Still broken: it fails again, and stays listed.
    await expect.poll(async () => (await fx.served.api<E2eStatus>('status')).failed.length, { timeout: 60_000 }).toBe(1);
    await failed.getByText('IMG_9999.jpg').waitFor({ timeout: 20_000 });
  });
});

describe('settings', () => {
  it('shows the models and the execution provider, and saves threads, captions, caption kind, XMP and the hub mirror', async () => {
    await view(page, 'Settings').click();
    const inference = page.getByRole('region', { name: 'Search, captions and text' });
    await expect.poll(() => inference.innerText()).toMatch(/Search model\s+fixture-clip · installed/);
    expect(await inference.innerText()).toMatch(/Runs on\s+CPU/);
    // The bundled OCR model, and what it read of these photos (coloured squares: nothing).
    expect(await inference.innerText()).toMatch(/Text in photos\s+ppocr-v4-ch · installed · reading on · \d+ read, 0 with text\s+Reads Chinese, English/);
    expect(await page.getByLabel('Text reading model').inputValue()).toBe('ppocr-v4-ch');
    await page.getByRole('switch', { name: 'Read text in photos', exact: true }).uncheck();
    await expect.poll(async () => (await fx.served.api<E2eStatus>('status')).ml?.ocr?.on).toBe(false);
    await expect.poll(() => inference.innerText()).toMatch(/reading off/);
    await page.getByRole('switch', { name: 'Read text in photos', exact: true }).check();
    await expect.poll(async () => (await fx.served.api<E2eStatus>('status')).ml?.ocr?.on).toBe(true);

    const threads = page.getByLabel('Inference threads');
    await threads.fill('2');
    await threads.press('Enter');
    await page.getByText('Saved; restart Shoebox to use it.').first().waitFor({ timeout: 10_000 });

    await page.getByRole('switch', { name: 'XMP sidecars', exact: true }).check();
    await expect.poll(async () => (await fx.served.api<E2eStatus>('status')).ml?.xmp).toBe(true);
    await page.getByRole('switch', { name: 'XMP sidecars', exact: true }).uncheck();
    await expect.poll(async () => (await fx.served.api<E2eStatus>('status')).ml?.xmp).toBe(false);

    await page.getByLabel('Caption kind').selectOption('detailed');
    await page.getByRole('switch', { name: 'Captions', exact: true }).uncheck();

    const hub = page.getByLabel('Model hub (mirror)');
    await hub.fill('not a url');
    await hub.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'hub_endpoint must be a URL' }).waitFor({ timeout: 10_000 });
    await hub.fill('https://hf-mirror.example.org/');
    await hub.press('Enter');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'hub_endpoint' }).count()).toBe(0);

    type Setting = { key: string; value: string };
    const settings = await fx.served.api<Setting[]>('settings');
    const value = (k: string) => settings.find((s) => s.key === k)?.value;
    expect([value('threads'), value('xmp'), value('caption_task'), value('captions'), value('hub_endpoint')]).toEqual([
      '2',
      'off',
      'detailed',
      'off',
      'https://hf-mirror.example.org',
    ]);
    await page.reload();
    await view(page, 'Settings').click();
    await expect.poll(() => page.getByLabel('Caption kind').inputValue()).toBe('detailed');
    expect(await page.getByRole('switch', { name: 'Captions', exact: true }).isChecked()).toBe(false);
    await page.screenshot({ path: shot('window-settings'), fullPage: true });
    await page.getByRole('switch', { name: 'Captions', exact: true }).check();
    await page.getByLabel('Caption kind').selectOption('caption');
  });
});

describe('everywhere', () => {
  it('follows the system theme, light and dark', async () => {
    const bg = () => pageBackground(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await bg()).toBe('rgb(28, 25, 23)');
    await view(page, 'Library').click();
    // The grid's first page is in before the picture (it is asked for again when the view comes back).
    await grid(page).locator('button.cell img').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: shot('window-dark') });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await bg()).toBe('rgb(250, 250, 249)');
  });

  it('gives every control an accessible name, in every view and the photo view', async () => {
    const missing: Record<string, string[]> = {};
    for (const v of ['Library', 'Indexing', 'Settings']) {
      await view(page, v).click();
      await page.waitForTimeout(300);
      missing[v] = await unnamedControls(page);
    }
    await view(page, 'Library').click();
    await page.getByRole('button', { name: 'Captions' }).click();
    missing.captions = await unnamedControls(page);
    await page.getByRole('button', { name: 'Captions' }).click();
    await grid(page).getByRole('button').first().click();
    await photoDialog(page).waitFor();
    missing.photo = await unnamedControls(page);
    await page.keyboard.press('Escape');
    expect(missing).toEqual({ Library: [], Indexing: [], Settings: [], captions: [], photo: [] });
  });

  it('logged no errors in the page but the refused settings the test typed', () => {
    expect(new Set(refused)).toEqual(new Set(['/api/setSetting']));
    const expected = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';
    expect(consoleErrors.filter((e) => e !== expected)).toEqual([]);
    expect(consoleErrors.length).toBe(refused.length);
  });
});
