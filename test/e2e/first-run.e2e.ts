// First run in a real browser: a new library whose models are not installed yet. Add a folder
// (photos are catalogued and thumbnailed without models), point Settings at a hub mirror, download
// the search model with a progress bar, import the captioner from a folder, and search.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { SCREENSHOTS, startE2eFixture, startSlowHub, waitIndexed, type E2eFixture, type E2eStatus, type SlowHub, openBrowser } from './serve-fixture.ts';
import { grid, resultNames, view } from './page-helpers.ts';

const CLIP = 'Tiny colour CLIP (test fixture)';
const CAPTIONER = 'Tiny colour captioner (test fixture)';

let fx: E2eFixture;
let hub: SlowHub;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

function shot(name: string): string {
  return path.join(SCREENSHOTS, `${name}.png`);
}

function setup() {
  return page.getByRole('region', { name: 'Models to install' });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture({ models: 'missing', env: { HF_ENDPOINT: '' } });
  // The hub sends 1 KB every 50 ms: the tiny CLIP's 80 KB take a few seconds.
  hub = await startSlowHub(fx.modelSourceDir, { chunk: 1024, everyMs: 50 });
  ({ browser, page } = await openBrowser(consoleErrors));
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
  await hub?.stop();
});

describe('first run, models not installed', () => {
  it('offers to add a folder and to install the models; photos are catalogued before any model is there', async () => {
    await page.goto(fx.served.url);
    await setup().waitFor({ timeout: 30_000 });
    expect(await setup().getByRole('button', { name: 'Download models' }).isVisible()).toBe(true);
    expect(await setup().getByLabel(`Import ${CLIP} from a folder`).isVisible()).toBe(true);
    expect(await setup().getByLabel(`Import ${CAPTIONER} from a folder`).isVisible()).toBe(true);
    await page.getByLabel('Folder path').fill(fx.photosDir);
    await page.getByRole('button', { name: 'Add folder', exact: true }).click();
    await expect.poll(() => grid(page).getByRole('button').count(), { timeout: 60_000 }).toBe(10);
    await page.screenshot({ path: shot('first-run') });
    // Thumbnails and EXIF without models; embedding, tags and captions wait for them (not "work left").
    const status = await waitIndexed(fx.served, 10, 60_000);
    expect(status.stages.find((s) => s.stage === 'embed')).toMatchObject({ done: 0, pending: 10 });
    await view(page, 'Indexing').click();
    await page.getByRole('region', { name: 'Indexing' }).getByText('All photos are indexed').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('row', { name: /^embed/ }).innerText()).toMatch(/waits for the search model \(fixture-clip\)/);
  });

  it('uses the hub mirror set in Settings', async () => {
    await view(page, 'Settings').click();
    const mirror = page.getByLabel('Model hub (mirror)');
    await mirror.fill(hub.endpoint);
    await mirror.press('Enter');
    await expect.poll(async () => (await fx.served.api<{ key: string; value: string }[]>('settings')).find((s) => s.key === 'hub_endpoint')?.value).toBe(hub.endpoint);
  });

  it('downloads the search model with a progress bar', async () => {
    await view(page, 'Library').click();
    await setup().getByRole('button', { name: `Download ${CLIP}` }).click();
    const bar = setup().getByRole('progressbar', { name: `Downloading ${CLIP}` });
    await bar.waitFor({ timeout: 15_000 });
    const value = async () => Number(await bar.getAttribute('value'));
    const first = await value();
    await expect.poll(value, { timeout: 15_000 }).toBeGreaterThan(first);
    expect(Number(await bar.getAttribute('max'))).toBeGreaterThan(await value());
    expect(await setup().innerText()).toMatch(/of .*B ·/);
    await setup().screenshot({ path: shot('first-run-download') });
    // Done: the search model leaves the list; the captioner is still offered.
    await expect.poll(() => setup().getByText(CLIP, { exact: true }).count(), { timeout: 60_000 }).toBe(0);
    expect(await setup().getByText(CAPTIONER, { exact: true }).count()).toBe(1);
    expect(hub.requested.length).toBeGreaterThan(0);
    await expect.poll(async () => (await fx.served.api<E2eStatus>('status')).ml?.clipInstalled).toBe(true);
  });

  it('imports the captioner from a folder, and says what is wrong with a folder that is not one', async () => {
    const field = setup().getByLabel(`Import ${CAPTIONER} from a folder`);
    await field.fill(path.join(fx.root, 'no-such-folder'));
    await setup().getByRole('button', { name: `Import ${CAPTIONER}` }).click();
    await setup().getByRole('alert').waitFor({ timeout: 15_000 });
    await field.fill(path.join(fx.modelSourceDir, 'shoebox-fixtures', 'tiny-florence'));
    await setup().getByRole('button', { name: `Import ${CAPTIONER}` }).click();
    // Everything is installed: the panel goes away.
    await expect.poll(() => setup().count(), { timeout: 30_000 }).toBe(0);
    expect((await fx.served.api<E2eStatus>('status')).ml?.captionInstalled).toBe(true);
  });

  it('then embeds and captions the library, and search finds the red photos', async () => {
    await waitIndexed(fx.served, 10);
    const box = page.getByLabel('Search photos');
    await box.fill('red');
    await box.press('Enter');
    await expect.poll(async () => (await resultNames(page)).slice(0, 3), { timeout: 30_000 }).toEqual(Array(3).fill('a photo of something red'));
  });

  it('logged no errors in the page but the refused import (HTTP 404)', () => {
    expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 404 (Not Found)']);
  });
});
