// End to end in a real browser: add a folder through the window, wait for indexing, search "red", edit a caption, reload, and the edit is still there.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { SCREENSHOTS, startE2eFixture, type E2eFixture, openBrowser } from './serve-fixture.ts';

const EDIT = 'Mia at the red door, first day of school';
/** How long the tiny models may take to index ten photos on a busy two-core machine. */
const INDEXING_MS = 150_000;

let fx: E2eFixture;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

function shot(name: string): string {
  return path.join(SCREENSHOTS, `${name}.png`);
}

/** A top-level view switch: the nav buttons (or tabs) "Library", "Indexing", "Settings". */
function view(name: string): Locator {
  return page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name, exact: true })
    .or(page.getByRole('tab', { name, exact: true }));
}

function grid(): Locator {
  return page.getByRole('grid').first();
}

function results(): Locator {
  return page.getByRole('list', { name: 'Search results' });
}

function photoDialog(): Locator {
  return page.getByRole('dialog', { name: 'Photo' });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture();
  ({ browser, page } = await openBrowser(consoleErrors));
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the window served by `shoebox serve`, in chromium', () => {
  it('opens on the first-run panel and adds the photo folder typed into "Folder path"', async () => {
    await page.goto(fx.served.url);
    const field = page.getByLabel('Folder path');
    await field.waitFor({ timeout: 30_000 });
    await field.fill(fx.photosDir);
    await page.getByRole('button', { name: 'Add folder', exact: true }).click();
    // All ten photos reach the grid (thumbnails may still be on the way).
    await expect.poll(() => grid().getByRole('button').count(), { timeout: 60_000 }).toBe(10);
  });

  it('indexes every photo: the engine has nothing left to run and the Indexing view says so', async () => {
    // The engine first: every stage done for all ten photos (xmp waits while sidecars are off).
    type Status = { photos: number; stages: { stage: string; done: number; pending: number; failed: number }[]; ml: { xmp: boolean } | null };
    const left = (s: Status) =>
      s.stages.filter((x) => x.failed > 0 || (x.pending > 0 && !(x.stage === 'xmp' && s.ml?.xmp === false))).map((x) => `${x.stage} ${x.pending} pending, ${x.failed} failed`);
    let status: Status | null = null;
    await expect
      .poll(
        async () => {
          status = await fx.served.api<Status>('status');
          return status.photos === 10 ? left(status) : [`${status.photos} photos`];
        },
        { timeout: INDEXING_MS, interval: 1000 },
      )
      .toEqual([]);
    expect(status!.stages.filter((x) => x.stage !== 'xmp').every((x) => x.done === 10)).toBe(true);

    await view('Indexing').click();
    const panel = page.getByRole('region', { name: 'Indexing' });
    const said = await panel
      .getByText('All photos are indexed')
      .waitFor({ timeout: 20_000 })
      .then(() => true, () => false);
    await panel.screenshot({ path: shot('indexing') });
    expect(said, `the Indexing view should say "All photos are indexed"; it shows:\n${await panel.innerText()}`).toBe(true);
  });

  it('shows the grid with captions as the cells’ names and thumbnails loaded', async () => {
    await view('Library').click();
    await expect.poll(() => grid().getByRole('button').count(), { timeout: 30_000 }).toBe(10);
    await expect.poll(() => grid().getByRole('button', { name: 'a photo of something red' }).count(), { timeout: 30_000 }).toBe(3);
    // Every thumbnail has loaded (no file-name stand-ins, every <img> decoded).
    await expect
      .poll(() => grid().locator('img').evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length), {
        timeout: 30_000,
      })
      .toBe(10);
    await page.screenshot({ path: shot('grid') });
  });

  it('searches "red" and puts a red photo first', async () => {
    const box = page.getByLabel('Search photos');
    await box.fill('red');
    await box.press('Enter');
    const first = results().getByRole('button').first();
    await first.waitFor({ timeout: 30_000 });
    await expect.poll(() => first.getAttribute('aria-label')).toMatch(/red/);
    const hits = await results().getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    // The three red photos lead the results.
    expect(hits.slice(0, 3)).toEqual(Array(3).fill('a photo of something red'));
    // The same first hit over the API, and it is one of the red files.
    const api = await fx.served.api<{ hits: { path: string }[] }>('search', { query: 'red' });
    expect(fx.photos.red).toContain(api.hits[0]!.path);
    await page.screenshot({ path: shot('search-red') });
  });

  it('opens the first result, edits its caption and saves it', async () => {
    await results().getByRole('button').first().click();
    const dialog = photoDialog();
    await dialog.waitFor({ timeout: 15_000 });
    const caption = dialog.getByLabel('Caption', { exact: true });
    await expect.poll(() => caption.inputValue(), { timeout: 15_000 }).toBe('a photo of something red');
    await dialog.locator('img').first().evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode().catch(() => undefined));
    await page.screenshot({ path: shot('photo-view') });

    await caption.fill(EDIT);
    const save = dialog.getByRole('button', { name: 'Save caption' });
    await save.click();
    // Saved: the editor is clean again (Save disabled) and shows the new caption as the user's.
    await expect.poll(() => save.isDisabled(), { timeout: 15_000 }).toBe(true);
    expect(await caption.inputValue()).toBe(EDIT);
    await page.screenshot({ path: shot('photo-view-edited') });
  });

  it('keeps the edit after a reload', async () => {
    await page.reload();
    const cell = grid().getByRole('button', { name: EDIT });
    await cell.waitFor({ timeout: 30_000 });
    await cell.click();
    const dialog = photoDialog();
    await dialog.waitFor({ timeout: 15_000 });
    await expect.poll(() => dialog.getByLabel('Caption', { exact: true }).inputValue(), { timeout: 15_000 }).toBe(EDIT);
    // And the engine stored it as the user's caption.
    const list = await fx.served.api<{ photos: { id: number; caption: string | null; captionSource: string | null }[] }>('listPhotos', {});
    const mine = list.photos.filter((p) => p.caption === EDIT);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.captionSource).toBe('user');
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
