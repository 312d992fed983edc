// Selecting and tagging many photos in a real browser against `shoebox serve` (issue 11): a Shift-click
// range across a month boundary tagged from the selection bar and still tagged after a reload; selection
// with the keyboard alone; rating with the keys (and undo); a suggestions review accepted with the wrong
// photo deselected; a tag renamed from the tag list's menu. A screenshot of each in test-results/e2e/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { SCREENSHOTS, makeColourPhotos, openBrowser, startE2eFixture, waitIndexed, type E2eFixture } from './serve-fixture.ts';
import { focusedIndex, grid, photoDialog, unnamedControls } from './page-helpers.ts';

let fx: E2eFixture;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

interface Summary {
  id: number;
  path: string;
  tags: string[];
  suggested: string[];
  rating: number | null;
}
interface Page_ {
  total: number;
  photos: Summary[];
}

function shot(name: string): string {
  return path.join(SCREENSHOTS, `${name}.png`);
}

/** The grid's photos as the engine lists them (newest first, the grid's order). */
async function listed(args: Record<string, unknown> = {}): Promise<Page_> {
  return fx.served.api<Page_>('listPhotos', { limit: 100, ...args });
}

const selectedCells = () => grid(page).locator('[role="gridcell"][aria-selected="true"]');
const selectedIndexes = () => selectedCells().locator('button.cell').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
const cell = (i: number) => grid(page).locator(`button.cell[data-index="${i}"]`);
const tagList = () => page.getByRole('navigation', { name: 'Tags' });
const selectionBar = () => page.getByRole('region', { name: 'Selection' });
const toast = () => page.getByTestId('edit-toast');

async function clearSelection(): Promise<void> {
  if ((await selectedCells().count()) > 0) {
    await page.keyboard.press('Escape');
    await expect.poll(() => selectedCells().count()).toBe(0);
  }
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture();
  // Ten photos from June 2023 and two from March 2022: two month groups in the grid.
  const more = path.join(fx.root, 'more');
  await makeColourPhotos(more, { order: ['red', 'green'], first: 11, month: '2022:03' });
  await fx.served.api('addFolder', { path: fx.photosDir });
  await fx.served.api('addFolder', { path: more });
  await waitIndexed(fx.served, 12);
  ({ browser, page } = await openBrowser(consoleErrors));
  await page.goto(fx.served.url);
  await grid(page).locator('button.cell[data-index="11"]').waitFor({ timeout: 30_000 });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && page) {
    await page.screenshot({ path: shot(`selection-failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`) }).catch(() => {});
    if (await photoDialog(page).isVisible()) await page.keyboard.press('Escape');
  }
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('selecting many photos', () => {
  it('selects a range with Shift-click across a month boundary, tags it from the selection bar, and the tags are there after a reload', async () => {
    // June 2023 holds indexes 0–9, March 2022 10–11. A click on the 9th photo's check circle (top left)
    // selects it, where a click elsewhere on it would open it; then Shift-click the 12th.
    await cell(8).click({ position: { x: 18, y: 18 } });
    await expect.poll(selectedIndexes).toEqual([8]);
    expect(await photoDialog(page).count()).toBe(0);
    await cell(11).click({ modifiers: ['Shift'] });
    await expect.poll(selectedIndexes).toEqual([8, 9, 10, 11]);
    expect(await grid(page).getAttribute('aria-multiselectable')).toBe('true');
    expect(await selectionBar().getByTestId('selection-count').innerText()).toBe('4 selected');
    // March 2022's heading checkbox is checked (both its photos are selected), June's is mixed.
    expect(await page.getByRole('checkbox', { name: 'Select all of March 2022' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Select all of June 2023' }).evaluate((e) => (e as unknown as { indeterminate: boolean }).indeterminate)).toBe(true);
    await page.screenshot({ path: shot('selection-range') });

    const box = selectionBar().getByLabel('Tags to add to the selected photos');
    await box.fill('Trips|Brighton, seaside');
    await selectionBar().getByRole('button', { name: 'Add tag' }).click();
    await toast().waitFor({ timeout: 15_000 });
    expect(await toast().getByRole('button', { name: 'Undo' }).count()).toBe(1);
    await page.screenshot({ path: shot('selection-tagged') });

    const ids = (await listed()).photos.slice(8, 12).map((p) => p.id);
    const tagged = await listed({ tag: 'Trips' });
    expect(tagged.photos.map((p) => p.id).sort()).toEqual([...ids].sort());
    expect(tagged.photos.every((p) => p.tags.includes('Trips|Brighton') && p.tags.includes('seaside'))).toBe(true);

    await page.reload();
    await expect.poll(() => grid(page).getByRole('button').count(), { timeout: 30_000 }).toBe(12);
    // The tag list: "Trips" holds "Brighton" (4 photos); choosing the parent shows its child's photos.
    const trips = tagList().getByRole('button', { name: 'Trips, 4 photos', exact: true });
    await trips.waitFor({ timeout: 10_000 });
    await tagList().getByRole('button', { name: 'Show the tags under Trips' }).click();
    await tagList().getByRole('button', { name: 'Trips › Brighton, 4 photos', exact: true }).waitFor();
    await trips.click();
    await expect.poll(() => grid(page).getByRole('button').count()).toBe(4);
    expect(await grid(page).getAttribute('aria-label')).toBe('Photos tagged Trips');
    await page.screenshot({ path: shot('selection-tag-tree') });
    await tagList().getByRole('button', { name: 'All photos' }).click();
    await expect.poll(() => grid(page).getByRole('button').count()).toBe(12);
  });

  it('selects with the keyboard alone: arrows move, Space toggles, Shift+arrows extend, Ctrl+A all, Escape clears', async () => {
    await cell(0).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    expect(await focusedIndex(page)).toBe('1');
    await expect.poll(selectedIndexes).toEqual([1]);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(selectedIndexes).toEqual([1, 2, 3]);
    // Arrows alone move the focus and keep the selection; Space there adds it, Shift+Left takes the range back to it.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await expect.poll(selectedIndexes).toEqual([1, 2, 3, 5]);
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(selectedIndexes).toEqual([1, 2, 3, 4, 5]);
    // Space on a selected photo deselects it; Enter still opens the focused one.
    await page.keyboard.press('Space');
    await expect.poll(selectedIndexes).toEqual([1, 2, 3, 5]);
    await page.screenshot({ path: shot('selection-keyboard') });
    await page.keyboard.press('Enter');
    await photoDialog(page).waitFor({ timeout: 15_000 });
    await expect.poll(() => photoDialog(page).getByTestId('position').innerText()).toBe('5 of 12');
    await page.keyboard.press('Escape');
    await expect.poll(() => photoDialog(page).count()).toBe(0);
    await page.keyboard.press('Control+a');
    await expect.poll(() => selectedCells().count()).toBe(12);
    expect(await selectionBar().getByTestId('selection-count').innerText()).toBe('12 selected');
    // Every control of the selection bar (and its panels) has an accessible name.
    const missing: Record<string, string[]> = { bar: await unnamedControls(page) };
    for (const panel of ['Remove tag ▾', 'Caption ▾', 'Export ▾']) {
      await selectionBar().getByRole('button', { name: panel }).click();
      missing[panel] = await unnamedControls(page);
      await selectionBar().getByRole('button', { name: panel }).click();
    }
    expect(missing).toEqual({ bar: [], 'Remove tag ▾': [], 'Caption ▾': [], 'Export ▾': [] });
    await cell(0).focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => selectedCells().count()).toBe(0);
    expect(await selectionBar().count()).toBe(0);
  });

  it('rates the focused photo and the selection with the keys 0–5, shows the stars, filters by rating, and undoes with Ctrl+Z', async () => {
    await clearSelection();
    await cell(0).focus();
    await page.keyboard.press('5');
    await expect.poll(async () => (await listed()).photos[0]!.rating, { timeout: 10_000 }).toBe(5);
    await expect.poll(() => cell(0).locator('.badges').innerText()).toBe('★★★★★');
    // Two photos selected: a key rates both.
    await cell(2).click({ modifiers: ['Control'] });
    await cell(3).click({ modifiers: ['Control'] });
    await page.keyboard.press('3');
    await expect.poll(async () => (await listed()).photos.slice(0, 4).map((p) => p.rating ?? 0), { timeout: 10_000 }).toEqual([5, 0, 3, 3]);
    await page.keyboard.press('Escape');
    // The photo view shows the stars and takes the keys too.
    await cell(0).dblclick();
    const dialog = photoDialog(page);
    await dialog.waitFor({ timeout: 15_000 });
    await expect.poll(() => dialog.getByRole('button', { name: 'Rate 5 stars' }).getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('4');
    await expect.poll(() => dialog.getByRole('button', { name: 'Rate 4 stars' }).getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    await dialog.screenshot({ path: shot('selection-photo-rating') });
    await page.keyboard.press('Escape');
    // Ctrl+Z undoes the last edit (5 stars again).
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await listed()).photos[0]!.rating, { timeout: 10_000 }).toBe(5);
    await page.getByLabel('Rating', { exact: true }).selectOption('4');
    await expect.poll(() => grid(page).getByRole('button').count()).toBe(1);
    await page.screenshot({ path: shot('selection-rating-filter') });
    await page.getByLabel('Rating', { exact: true }).selectOption('');
    await expect.poll(() => grid(page).getByRole('button').count()).toBe(12);
  });
});

describe('suggestions and the vocabulary', () => {
  it('reviews a suggested tag: all selected at first, one deselected, the rest accepted and that one rejected', async () => {
    await clearSelection();
    const review = tagList().getByRole('button', { name: /^Review: / }).first();
    await review.waitFor({ timeout: 15_000 });
    const name = (await review.getAttribute('aria-label'))!;
    const m = /^Review: (.+) — (\d+) photos? suggested/.exec(name);
    expect(m, name).not.toBeNull();
    const [tag, n] = [m![1]!, Number(m![2])];
    await review.click();
    const bar = page.getByRole('region', { name: 'Review suggestions' });
    await bar.waitFor();
    await expect.poll(() => grid(page).getByRole('button').count()).toBe(n);
    await expect.poll(() => selectedCells().count()).toBe(n);
    const suggested = await listed({ suggested: tag });
    expect(suggested.total).toBe(n);
    let rejected: number | null = null;
    if (n > 1) {
      // A click in a selection toggles: the first photo is deselected.
      await cell(0).click();
      await expect.poll(() => selectedCells().count()).toBe(n - 1);
      rejected = suggested.photos[0]!.id;
    }
    await page.screenshot({ path: shot('selection-review') });
    expect(await unnamedControls(page)).toEqual([]);
    const accept = bar.getByRole('button', { name: rejected ? `Accept ${n - 1}, reject 1` : `Accept all ${n}` });
    await accept.click();
    await toast().waitFor({ timeout: 15_000 });
    await expect.poll(() => bar.count()).toBe(0);
    const accepted = await listed({ tag });
    expect(accepted.total).toBe(rejected ? n - 1 : n);
    expect((await listed({ suggested: tag })).total).toBe(0);
    if (rejected !== null) {
      const p = await fx.served.api<Summary>('photo', { id: rejected });
      expect(p.tags).not.toContain(tag);
      expect(p.suggested).not.toContain(tag);
    }
    const escaped = tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await tagList().getByRole('button', { name: new RegExp(`^${escaped}, ${accepted.total} photos?`) }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('selection-review-accepted') });
  });

  it('renames a tag from the tag list, and renaming onto an existing tag merges the two', async () => {
    await clearSelection();
    await tagList().getByRole('button', { name: 'Actions for tag seaside' }).click();
    await page.getByRole('menuitem', { name: 'Rename…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename “seaside”' });
    await dialog.waitFor();
    await dialog.getByLabel('New name').fill('Coast');
    await page.screenshot({ path: shot('selection-rename') });
    expect(await unnamedControls(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await toast().waitFor({ timeout: 15_000 });
    await tagList().getByRole('button', { name: 'Coast, 4 photos', exact: true }).waitFor({ timeout: 10_000 });
    expect(await tagList().getByRole('button', { name: /^seaside,/ }).count()).toBe(0);
    expect((await listed({ tag: 'Coast' })).total).toBe(4);

    // Renamed onto an existing tag (any case): the dialog says they merge, and one tag is left.
    await tagList().getByRole('button', { name: 'Actions for tag Coast' }).click();
    await page.getByRole('menuitem', { name: 'Rename…' }).click();
    const again = page.getByRole('dialog', { name: 'Rename “Coast”' });
    await again.getByLabel('New name').fill('trips|brighton');
    await again.getByText('exists already').waitFor();
    await again.getByRole('button', { name: 'Merge', exact: true }).click();
    await toast().waitFor({ timeout: 15_000 });
    await expect.poll(() => tagList().getByRole('button', { name: /^Coast,/ }).count(), { timeout: 10_000 }).toBe(0);
    expect((await listed({ tag: 'Trips|Brighton' })).total).toBe(4);
    await page.screenshot({ path: shot('selection-renamed') });
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
