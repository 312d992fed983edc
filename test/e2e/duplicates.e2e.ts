// The Duplicates view (issue 15), in a real browser against `shoebox serve` with SHOEBOX_TRASH_DIR pointed at a
// temporary folder: generated scenes (real structure, test/core/duplicates-variants.ts) with exact copies in a
// backup folder and a resized, re-encoded copy; the three kinds with their counts, the groups with the keeper
// marked and why; the arrow keys, Space and Enter; one group resolved (its file in the trash folder and gone from
// its folder, gone from the library grid), undone from the history (the file back, the group back); every exact
// group accepted after the confirmation, and undone from the toast; light and dark; screenshots of each.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { TRANSFORMS, cameraJpeg, scene } from '../core/duplicates-variants.ts';
import { SCREENSHOTS, openBrowser, startE2eFixture, waitIndexed, type E2eFixture } from './serve-fixture.ts';
import { focusedLabel, grid, pageBackground, unnamedControls, view } from './page-helpers.ts';

interface Group {
  id: string;
  kind: 'exact' | 'same' | 'similar';
  keeper: number;
  reasons: string[];
  photos: { id: number; path: string }[];
}

let fx: E2eFixture;
let browser: Browser;
let page: Page;
let trashDir = '';
let dups = '';
const consoleErrors: string[] = [];
const ids = new Map<string, number>();

const shot = (name: string) => path.join(SCREENSHOTS, `${name}.png`);
const file = (rel: string) => path.join(dups, rel);
const tab = (name: string) => page.getByRole('tab', { name: new RegExp(`^${name} \\d+$`) });
const groupsShown = () => page.locator('section.group');
const group = (id: string) => page.locator(`section.group[data-group="${id}"]`);
const toast = () => page.getByTestId('dup-toast');
/** The trash folder's photo files (their records left out). */
const trashed = () => (fs.existsSync(trashDir) ? fs.readdirSync(trashDir).filter((n) => !n.endsWith('.shoebox-trash.json')).sort() : []);

async function groupsOf(kind: Group['kind']): Promise<Group[]> {
  return fx.served.api<Group[]>('duplicates', { kind });
}

/** Every thumbnail of the view loaded (so a screenshot shows them). */
async function thumbsLoaded(): Promise<void> {
  await expect
    .poll(
      () =>
        page
          .locator('section.group img')
          .evaluateAll((els) => els.every((e) => (e as unknown as { complete: boolean; naturalWidth: number }).complete && (e as unknown as { naturalWidth: number }).naturalWidth > 0)),
      { timeout: 15_000 },
    )
    .toBe(true);
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  trashDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-e2e-trash-'));
  fx = await startE2eFixture({ env: { SHOEBOX_TRASH_DIR: trashDir } });
  dups = path.join(fx.root, 'trips');
  fs.mkdirSync(path.join(dups, 'backup'), { recursive: true });
  // Three scenes a day apart (never a burst): two copied byte for byte into backup/, one resized and re-encoded.
  const scenes = [
    { name: 'market', seed: 11, takenAt: '2022:04:01 10:00:00' },
    { name: 'garden', seed: 12, takenAt: '2022:04:02 10:00:00' },
    { name: 'harbour', seed: 13, takenAt: '2022:04:03 10:00:00' },
  ];
  for (const s of scenes) {
    const exif = { takenAt: s.takenAt, make: 'Canon', model: 'EOS 80D' };
    const jpeg = await cameraJpeg(await scene(s.seed, 960, 720), exif);
    fs.writeFileSync(file(`${s.name}.jpg`), jpeg);
    if (s.name === 'harbour') fs.writeFileSync(file('harbour-small.jpg'), await TRANSFORMS.find((t) => t.name === 'resized')!.make(jpeg, exif));
    else fs.copyFileSync(file(`${s.name}.jpg`), file(`backup/${s.name}.jpg`));
  }
  await fx.served.api('addFolder', { path: fx.photosDir });
  await fx.served.api('addFolder', { path: dups });
  await waitIndexed(fx.served, 16);
  const all = await fx.served.api<{ photos: { id: number; path: string }[] }>('listPhotos', { limit: 100 });
  for (const p of all.photos) ids.set(path.relative(dups, p.path), p.id);
  ({ browser, page } = await openBrowser(consoleErrors));
  await page.goto(fx.served.url);
  await grid(page).getByRole('button').first().waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
  if (trashDir) fs.rmSync(trashDir, { recursive: true, force: true });
});

describe('the Duplicates view', () => {
  it('names the three kinds with their counts, and shows each group side by side with the keeper marked and why', async () => {
    // The engine's groups first: two exact pairs, one same photo (the resized copy), no similar shots.
    const exact = await groupsOf('exact');
    expect(exact.map((g) => g.photos.map((p) => path.relative(dups, p.path)).sort()).sort()).toEqual([
      ['backup/garden.jpg', 'garden.jpg'],
      ['backup/market.jpg', 'market.jpg'],
    ]);
    expect((await groupsOf('same')).map((g) => g.photos.map((p) => path.relative(dups, p.path)).sort())).toEqual([['harbour-small.jpg', 'harbour.jpg']]);
    expect(await groupsOf('similar')).toEqual([]);

    await view(page, 'Duplicates').click();
    await expect.poll(() => groupsShown().count(), { timeout: 15_000 }).toBe(2);
    expect(await tab('Exact copies').getAttribute('aria-selected')).toBe('true');
    expect(await tab('Exact copies').innerText()).toMatch(/Exact copies\s*2/);
    expect(await tab('Same photo').innerText()).toMatch(/Same photo\s*1/);
    expect(await tab('Similar shots').innerText()).toMatch(/Similar shots\s*0/);
    expect(await page.getByRole('tabpanel').locator('.explain').innerText()).toMatch(/byte for byte/);
    expect(await page.getByTestId('dup-summary').innerText()).toMatch(/^2 groups, 4 photos · resolving them as chosen frees [\d.]+ KB$/);

    for (const g of exact) {
      const el = group(g.id);
      expect(await el.locator('label.card').count()).toBe(2);
      // The keeper marked (the engine's), kept by default; the other one goes to the trash.
      const keeper = el.locator(`label.card[data-photo-id="${g.keeper}"]`);
      expect(await keeper.locator('.badge').innerText()).toBe('Suggested');
      expect(await keeper.locator('input').isChecked()).toBe(true);
      expect(await el.locator('label.card:not(.keeper) input').isChecked()).toBe(false);
      expect(await el.locator('.why').innerText()).toContain(g.reasons.join(', '));
      expect(await el.getByRole('button', { name: 'Keep 1, put 1 in the trash' }).isEnabled()).toBe(true);
      // Each photo's facts: name and folder, size, pixels, format, date, camera, GPS, edits.
      const facts = await keeper.locator('.facts').innerText();
      expect(facts).toMatch(/Size\s+[\d.]+ KB/);
      expect(facts).toMatch(/Size in pixels\s+960 × 720/);
      expect(facts).toMatch(/Format\s+JPEG/);
      expect(facts).toMatch(/Taken\s+\d+ Apr 2022, 10:00/);
      expect(facts).toMatch(/Camera\s+Canon EOS 80D/);
      expect(facts).toMatch(/GPS\s+no/);
      expect(facts).toMatch(/Your edits\s+no/);
    }
    expect(await unnamedControls(page)).toEqual([]);
    await thumbsLoaded();
    await page.screenshot({ path: shot('duplicates-light') });
  });

  it('moves with the arrow keys between photos and groups, and Space keeps or puts away the focused photo', async () => {
    const [first, second] = await groupsOf('exact');
    const firstEl = group(first!.id);
    await firstEl.locator('input').first().focus();
    const label1 = await focusedLabel(page);
    expect(label1).toMatch(/, suggested keeper: keep$/);
    await page.keyboard.press('ArrowRight');
    expect(await focusedLabel(page)).toMatch(/^[a-z]+\.jpg: put in the trash$/);
    await page.keyboard.press('Space');
    expect(await focusedLabel(page)).toMatch(/^[a-z]+\.jpg: keep$/);
    expect(await firstEl.locator('button.resolve').innerText()).toBe('Keep all 2: nothing to put away');
    expect(await firstEl.locator('button.resolve').isDisabled()).toBe(true);
    await page.keyboard.press('Space');
    expect(await firstEl.locator('button.resolve').innerText()).toBe('Keep 1, put 1 in the trash');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement?.closest("section.group")?.dataset.group')).toBe(second!.id);
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate('document.activeElement?.closest("section.group")?.dataset.group')).toBe(first!.id);
    // The tabs: arrows move between the kinds.
    await tab('Exact copies').focus();
    await page.keyboard.press('ArrowRight');
    expect(await tab('Same photo').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => groupsShown().count()).toBe(1);
  });

  it('resolves a group with Enter: the copy lands in the trash folder, leaves its folder and the library grid', async () => {
    const [same] = await groupsOf('same');
    const keeper = same!.photos.find((p) => p.id === same!.keeper)!;
    expect(path.relative(dups, keeper.path)).toBe('harbour.jpg');
    const el = group(same!.id);
    expect(await el.locator('.why').innerText()).toMatch(/Suggested keeper: harbour\.jpg — .*largest/);
    await thumbsLoaded();
    await el.locator(`label.card[data-photo-id="${keeper.id}"] input`).focus();
    await page.keyboard.press('Enter');
    await toast().waitFor({ timeout: 15_000 });
    expect(await toast().innerText()).toMatch(/trash/);
    expect(trashed()).toEqual(['harbour-small.jpg']);
    expect(fs.existsSync(file('harbour-small.jpg'))).toBe(false);
    expect(fs.existsSync(file('harbour.jpg'))).toBe(true);
    await expect.poll(() => groupsShown().count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => tab('Same photo').innerText()).toMatch(/Same photo\s*0/);
    const history = page.getByRole('complementary', { name: 'Resolutions you can undo' });
    await expect.poll(() => history.getByRole('listitem').count()).toBe(1);
    await page.screenshot({ path: shot('duplicates-resolved') });

    await view(page, 'Library').click();
    await grid(page).getByRole('button').first().waitFor({ timeout: 15_000 });
    const inGrid = () =>
      grid(page)
        .locator('[data-photo-id]')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
    await expect.poll(async () => (await inGrid()).length, { timeout: 15_000 }).toBe(15);
    expect(await inGrid()).not.toContain(ids.get('harbour-small.jpg'));
    expect(await inGrid()).toContain(ids.get('harbour.jpg'));
    // The header's count leaves the photo in the trash out too (its row is kept only for undo).
    await expect.poll(() => page.locator('header .summary').innerText(), { timeout: 15_000 }).toMatch(/^15 photos/);
  });

  it('undoes the resolution from its history: the file is back at its path, and the group is back', async () => {
    await view(page, 'Duplicates').click();
    const history = page.getByRole('complementary', { name: 'Resolutions you can undo' });
    await history.getByRole('listitem').first().waitFor({ timeout: 15_000 });
    await history.getByRole('button', { name: /^Undo: / }).click();
    await expect.poll(() => fs.existsSync(file('harbour-small.jpg')), { timeout: 15_000 }).toBe(true);
    // A no-clobber move links, then unlinks: both names exist for a moment.
    await expect.poll(trashed).toEqual([]);
    await expect.poll(() => tab('Same photo').innerText(), { timeout: 15_000 }).toMatch(/Same photo\s*1/);
    expect(await toast().innerText()).toMatch(/^Und/);
    await expect.poll(() => history.getByRole('listitem').count()).toBe(0);
    expect((await groupsOf('same')).length).toBe(1);
  });

  it('looks right in the dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await tab('Exact copies').click();
    await expect.poll(() => groupsShown().count()).toBe(2);
    expect(await pageBackground(page)).toBe('rgb(28, 25, 23)');
    await thumbsLoaded();
    await page.screenshot({ path: shot('duplicates-dark') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('accepts every exact suggestion after a confirmation that names the files and bytes, and undoes it from the toast', async () => {
    const exact = await groupsOf('exact');
    const away = exact.flatMap((g) => g.photos.filter((p) => p.id !== g.keeper).map((p) => p.path));
    await page.getByRole('button', { name: 'Accept all suggestions' }).click();
    const dialog = page.getByRole('dialog', { name: 'Put 2 files in the trash?' });
    await dialog.waitFor({ timeout: 5_000 });
    expect(await dialog.innerText()).toMatch(/each of the 2 exact groups and puts the other 2 files \([\d.]+ KB\) in the trash/);
    // Modal, over a dimmed window.
    expect(await page.evaluate(`getComputedStyle(document.querySelector('dialog[open]'), '::backdrop').backgroundColor`)).toBe('rgba(0, 0, 0, 0.5)');
    await page.screenshot({ path: shot('duplicates-confirm') });
    // Cancel first: nothing moves.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.count()).toBe(0);
    expect(trashed()).toEqual([]);
    await page.getByRole('button', { name: 'Accept all suggestions' }).click();
    await dialog.getByRole('button', { name: /^Put 2 in the trash/ }).click();
    await expect.poll(trashed, { timeout: 15_000 }).toEqual(away.map((p) => path.basename(p)).sort());
    for (const p of away) expect(fs.existsSync(p)).toBe(false);
    await expect.poll(() => groupsShown().count(), { timeout: 15_000 }).toBe(0);
    expect(await page.getByTestId('dup-summary').innerText()).toBe('No exact copies in the library.');
    await toast().waitFor();
    await page.screenshot({ path: shot('duplicates-all-exact') });

    await toast().getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => away.every((p) => fs.existsSync(p)), { timeout: 15_000 }).toBe(true);
    await expect.poll(trashed).toEqual([]);
    await expect.poll(() => groupsShown().count(), { timeout: 15_000 }).toBe(2);
  });

  it('reads the groups again when indexing changes the library, keeping the choices of the groups that did not change', async () => {
    const market = (await groupsOf('exact')).find((g) => g.photos.some((p) => p.path === file('market.jpg')))!;
    const garden = (await groupsOf('exact')).find((g) => g.photos.some((p) => p.path === file('garden.jpg')))!;
    // Both market.jpg copies kept: a choice of the user's.
    await group(market.id).locator('label.card:not(.keeper) input').check();
    expect(await group(market.id).locator('button.resolve').innerText()).toBe('Keep all 2: nothing to put away');
    // A third copy of garden.jpg arrives in a new folder.
    const more = path.join(fx.root, 'more');
    fs.mkdirSync(more);
    fs.copyFileSync(file('garden.jpg'), path.join(more, 'garden.jpg'));
    await fx.served.api('addFolder', { path: more });
    await waitIndexed(fx.served, 17);
    await expect.poll(() => group(garden.id).locator('label.card').count(), { timeout: 20_000 }).toBe(3);
    expect(await group(garden.id).locator('button.resolve').innerText()).toBe('Keep 1, put 2 in the trash');
    expect(await group(market.id).locator('button.resolve').innerText()).toBe('Keep all 2: nothing to put away');
    expect(consoleErrors).toEqual([]);
  });
});
