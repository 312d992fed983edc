// Text in photos in the window (issue 14), in a real browser against `shoebox serve`: photos with text are
// indexed by the bundled OCR model beside the fixture CLIP; a search for words on a sign shows that photo first
// with its "text in photo" label; the photo view lists the lines read and draws their boxes over the preview on
// hover and focus, scaled with the view. Screenshots of each.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { drawText, photoBackground } from '../helpers/text-photos.ts';
import { SCREENSHOTS, openBrowser, startE2eFixture, waitIndexed, type E2eFixture } from './serve-fixture.ts';
import { photoDialog, results } from './page-helpers.ts';

let fx: E2eFixture;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const shot = (name: string) => path.join(SCREENSHOTS, `${name}.png`);
const box = () => page.getByRole('searchbox', { name: 'Search photos' });

async function search(text: string): Promise<void> {
  await box().fill(text);
  await expect.poll(() => page.locator('section.results').getAttribute('data-answered'), { timeout: 15_000 }).toBe(text);
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture();
  const dir = path.join(fx.root, 'signs');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'shop.jpg'),
    await drawText(await photoBackground(1600, 1200, 41), [
      { text: 'Wine Shop', x: 240, y: 360, size: 110, plate: '#f3ecd9' },
      { text: 'open daily', x: 300, y: 760, size: 64, plate: '#1d2b3a', fill: '#f8f8f8' },
    ]),
  );
  fs.writeFileSync(path.join(dir, 'station.jpg'), await drawText(await photoBackground(1600, 1200, 42), [{ text: 'Central Station', x: 200, y: 600, size: 90, plate: '#0b3d91', fill: '#ffffff' }]));
  await fx.served.api('addFolder', { path: fx.photosDir });
  await fx.served.api('addFolder', { path: dir });
  await waitIndexed(fx.served, 12);
  ({ browser, page } = await openBrowser(consoleErrors));
  await page.goto(fx.served.url);
  await page.locator('button.cell').first().waitFor({ timeout: 30_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('text in photos', () => {
  it('finds the sign by its words, first, labelled "text in photo"', async () => {
    await search('wine shop');
    const first = results(page).locator('button.cell').first();
    await expect.poll(() => first.getAttribute('aria-label'), { timeout: 15_000 }).toMatch(/; text in photo: Wine Shop$/);
    expect(await first.getByTestId('photo-text').innerText()).toBe('text in photo Wine Shop');
    // The other photos are CLIP's matches only: no label.
    expect(await results(page).getByTestId('photo-text').count()).toBe(1);
    await page.screenshot({ path: shot('ocr-results') });
  });

  it('lists the lines read in the photo view and draws their boxes over the preview on hover and focus', async () => {
    await results(page).locator('button.cell').first().dblclick();
    const dialog = photoDialog(page);
    await dialog.waitFor({ timeout: 15_000 });
    const lines = dialog.getByRole('list', { name: 'Lines of text read in the photo' });
    await lines.waitFor({ timeout: 15_000 });
    expect((await lines.getByRole('listitem').allInnerTexts()).map((t) => t.trim())).toEqual(['Wine Shop', 'open daily']);
    const boxes = dialog.getByTestId('text-boxes');
    // Not until asked. The double click left the pointer where the preview now is, and hovering the
    // preview shows them: the pointer goes to the corner first.
    await page.mouse.move(2, 2);
    await expect.poll(() => boxes.count()).toBe(0);
    const preview = dialog.locator('.stage img');
    await expect.poll(() => preview.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), { timeout: 15_000 }).toBe(true);

    await lines.getByRole('listitem').nth(1).hover();
    await boxes.waitFor({ timeout: 5_000 });
    expect(await boxes.locator('polygon').count()).toBe(2);
    expect(await boxes.locator('polygon.current').count()).toBe(1);
    // Over the preview exactly: the boxes' frame is the image's, and the hovered line's box lies where it was drawn
    // (the lower sign, about 55–70 % of the way down).
    const img = (await preview.boundingBox())!;
    const svg = (await boxes.boundingBox())!;
    expect(Math.abs(svg.x - img.x) + Math.abs(svg.y - img.y) + Math.abs(svg.width - img.width) + Math.abs(svg.height - img.height)).toBeLessThan(3);
    const current = (await boxes.locator('polygon.current').boundingBox())!;
    expect((current.y - img.y) / img.height).toBeGreaterThan(0.5);
    expect((current.y + current.height - img.y) / img.height).toBeLessThan(0.72);
    await page.screenshot({ path: shot('ocr-photo-view-boxes') });

    // Keyboard: a line with the focus shows its box too.
    await page.mouse.move(2, 2);
    await expect.poll(() => boxes.count()).toBe(0);
    await lines.getByRole('listitem').first().focus();
    await boxes.waitFor({ timeout: 5_000 });
    const top = (await boxes.locator('polygon.current').boundingBox())!;
    expect((top.y - img.y) / img.height).toBeLessThan(0.35);

    // A smaller window: the boxes scale with the preview.
    await page.setViewportSize({ width: 900, height: 700 });
    await expect.poll(async () => Math.round((await boxes.boundingBox())!.width)).toBe(Math.round((await preview.boundingBox())!.width));
    await page.screenshot({ path: shot('ocr-photo-view-small') });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.keyboard.press('Escape');
    expect(consoleErrors).toEqual([]);
  });
});
