// Places and the query in the window (issue 13), in a real browser against `shoebox serve`, on generated
// JPEGs with EXIF GPS positions, dates and cameras: "<city> <year>" typed shows its chips and exactly
// that city's photos of that year; a chip removed searches its words as words (the box keeps them) and
// can be understood again, also from the keyboard; the Places facet (country → region → city with counts)
// filters the grid and the search results, with the mouse and the arrow keys; a place set by hand on a
// photo without GPS (the photo view's facts) and on a selection (the selection bar), marked as set by
// hand, undone, cleared; the dark theme and accessible names; screenshots of each.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeJpeg } from '../helpers/photos.ts';
import { SCREENSHOTS, openBrowser, startE2eFixture, waitIndexed, type E2eFixture } from './serve-fixture.ts';
import { chipNames as pageChipNames, grid, photoDialog, queryChips, shownFiles, results, unnamedControls } from './page-helpers.ts';

const LISBON = { lat: 38.7223, lon: -9.1393 };
const PORTO = { lat: 41.1579, lon: -8.6291 };
const MUNICH = { lat: 48.1374, lon: 11.5755 };
const IPHONE = { make: 'Apple', model: 'iPhone 12' };

/** Two photos in Lisbon in 2019 (one on an iPhone), one in 2021, one in Porto in 2019 (an iPhone), one in Munich, two without GPS. */
const PHOTOS = [
  { name: 'lisbon-2019-a', gps: LISBON, takenAt: '2019:07:10 12:00:00', ...IPHONE },
  { name: 'lisbon-2019-b', gps: { lat: LISBON.lat + 0.001, lon: LISBON.lon }, takenAt: '2019:08:02 12:00:00', make: 'Canon', model: 'Canon EOS R5' },
  { name: 'lisbon-2021', gps: { lat: LISBON.lat, lon: LISBON.lon + 0.001 }, takenAt: '2021:05:01 12:00:00' },
  { name: 'porto-2019', gps: PORTO, takenAt: '2019:07:20 12:00:00', ...IPHONE },
  { name: 'munich-2019', gps: MUNICH, takenAt: '2019:12:24 12:00:00' },
  { name: 'home-2019', takenAt: '2019:03:03 12:00:00' },
  { name: 'home-2018', takenAt: '2018:04:04 12:00:00' },
];
/** With the fixture's ten colour photos (one of them in Brighton). */
const ALL = 10 + PHOTOS.length;

let fx: E2eFixture;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const ids = new Map<string, number>();
const id = (name: string) => ids.get(name)!;
const nameOf = new Map<number, string>();

const shot = (name: string) => path.join(SCREENSHOTS, `${name}.png`);
const box = () => page.getByRole('searchbox', { name: 'Search photos' });
const chips = () => queryChips(page);
const places = () => page.getByRole('navigation', { name: 'Places' });
const toast = () => page.getByTestId('edit-toast');
const selectionBar = () => page.getByRole('region', { name: 'Selection' });
const heading = () => page.locator('#results-title').innerText();

/** Whether the element has the focus (browser-side code as text: the tests compile without the DOM's types). */
function hasFocus(l: Locator): Promise<boolean> {
  return l.evaluate((e) => (e as unknown as { matches(selector: string): boolean }).matches(':focus'));
}

const chipNames = () => pageChipNames(page);
/** The search results' photos, by file name, sorted. */
const resultFiles = () => shownFiles(results(page), nameOf);

const gridFiles = () => shownFiles(grid(page), nameOf);

/** Searches as a person types, and waits for the answer to this query (the results say which they answer). */
async function search(text: string): Promise<void> {
  await box().fill(text);
  await expect.poll(() => page.locator('section.results').getAttribute('data-answered'), { timeout: 15_000 }).toBe(text);
  await expect.poll(() => page.getByTestId('result-count').innerText(), { timeout: 15_000 }).toMatch(/^\d+ photos?$/);
}

async function backToLibrary(): Promise<void> {
  await box().fill('');
  await grid(page).waitFor({ timeout: 15_000 });
}

const place = (name: string, photos: number) => places().getByRole('button', { name: `${name}, ${photos} ${photos === 1 ? 'photo' : 'photos'}`, exact: true });

/** Opens a photo of the grid in the photo view (a click, while nothing is selected). */
async function openPhoto(name: string): Promise<void> {
  await grid(page).locator(`button.cell[data-photo-id="${id(name)}"]`).click();
  await photoDialog(page).waitFor({ timeout: 15_000 });
  await expect.poll(async () => path.basename((await photoDialog(page).getByTestId('fact-File').innerText()).trim())).toBe(`${name}.jpg`);
}

async function closePhoto(): Promise<void> {
  await page.keyboard.press('Escape');
  await expect.poll(() => photoDialog(page).count()).toBe(0);
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture();
  const dir = path.join(fx.root, 'trips');
  let seed = 300;
  for (const p of PHOTOS) {
    const { name, ...spec } = p;
    await makeJpeg(path.join(dir, `${name}.jpg`), { width: 160, height: 120, color: { r: 40 + (seed % 7) * 25, g: 140, b: 90 }, seed: seed++, ...spec });
  }
  await fx.served.api('addFolder', { path: fx.photosDir });
  await fx.served.api('addFolder', { path: dir });
  await waitIndexed(fx.served, ALL);
  const all = await fx.served.api<{ photos: { id: number; path: string }[] }>('listPhotos', { limit: 100 });
  for (const p of all.photos) {
    ids.set(path.basename(p.path, '.jpg'), p.id);
    nameOf.set(p.id, path.basename(p.path, '.jpg'));
  }
  ({ browser, page } = await openBrowser(consoleErrors));
  await page.goto(fx.served.url);
  await grid(page).getByRole('button').first().waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the search box’s chips', () => {
  it('shows "Lisbon 2019" understood as a place and a year, and exactly those photos, by date', async () => {
    await search('Lisbon 2019');
    expect(await chipNames()).toEqual(['Remove place Lisbon from the search', 'Remove date 2019 from the search']);
    expect((await chips().getByRole('button').allInnerTexts()).map((t) => t.replace(/\s+/g, ''))).toEqual(['Lisbon×', '2019×']);
    expect(await heading()).toBe('Photos in Lisbon, 2019');
    expect(await page.getByTestId('search-words').innerText()).toBe('every such photo, newest first');
    expect(await resultFiles()).toEqual(['lisbon-2019-a', 'lisbon-2019-b']);
    // Newest first: August before July.
    const order = await results(page)
      .locator('[data-photo-id]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
    expect(order).toEqual([id('lisbon-2019-b'), id('lisbon-2019-a')]);
    // A listing, not a ranking: no score bars, the dates instead.
    expect(await results(page).locator('.when').count()).toBe(2);
    await page.screenshot({ path: shot('places-chips') });
    await page.locator('.toolbar').screenshot({ path: shot('places-chips-toolbar') });
  });

  it('removing a chip searches its words as words; the box keeps every word; the chip comes back', async () => {
    await chips().getByRole('button', { name: 'Remove date 2019 from the search' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe('Results for “2019” in Lisbon');
    expect(await box().inputValue()).toBe('Lisbon 2019');
    expect(await chipNames()).toEqual(['Remove place Lisbon from the search', 'Understand “2019” again']);
    expect(await page.getByTestId('search-words').innerText()).toBe('searching for “2019”');
    // Every Lisbon photo, whatever its year: "2019" is words now, not a filter.
    await expect.poll(resultFiles, { timeout: 15_000 }).toEqual(['lisbon-2019-a', 'lisbon-2019-b', 'lisbon-2021']);
    // Focus moved to the chip left, not lost with the one removed.
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Understand “2019” again');
    await page.screenshot({ path: shot('places-chip-removed') });
    await chips().getByRole('button', { name: 'Understand “2019” again' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe('Photos in Lisbon, 2019');
    await expect.poll(resultFiles).toEqual(['lisbon-2019-a', 'lisbon-2019-b']);
  });

  it('removes the last chip with Backspace at the start of the box, and forgets it once its words are deleted', async () => {
    await box().focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Backspace');
    await expect.poll(chipNames).toEqual(['Remove place Lisbon from the search', 'Understand “2019” again']);
    expect(await box().inputValue()).toBe('Lisbon 2019');
    await page.keyboard.press('Backspace');
    await expect.poll(chipNames).toEqual(['Understand “2019” again', 'Understand “Lisbon” again']);
    await expect.poll(heading, { timeout: 15_000 }).toBe('Results for “Lisbon 2019”');
    // The words deleted from the box: typed again, they are understood again.
    await page.keyboard.press('End');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Backspace');
    await expect.poll(chipNames).toEqual(['Understand “Lisbon” again']);
    await page.keyboard.type(' 2019');
    await expect.poll(chipNames, { timeout: 15_000 }).toEqual(['Remove date 2019 from the search', 'Understand “Lisbon” again']);
    await chips().getByRole('button', { name: 'Understand “Lisbon” again' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe('Photos in Lisbon, 2019');
  });

  it('understands a country, a year and a camera together, beside the words searched', async () => {
    await search('Portugal 2019 shot on iPhone');
    await expect.poll(chipNames).toEqual(['Remove place Portugal from the search', 'Remove date 2019 from the search', 'Remove camera iPhone from the search']);
    expect(await heading()).toBe('Photos in Portugal, 2019, shot on iPhone');
    expect(await resultFiles()).toEqual(['lisbon-2019-a', 'porto-2019']);
    await search('red Portugal 2019');
    await expect.poll(chipNames).toEqual(['Remove place Portugal from the search', 'Remove date 2019 from the search']);
    expect(await heading()).toBe('Results for “red” in Portugal, 2019');
    expect(await page.getByTestId('search-words').innerText()).toBe('searching for “red”');
    expect(await resultFiles()).toEqual(['lisbon-2019-a', 'lisbon-2019-b', 'porto-2019']);
    // A place not in the library stays words: no chip.
    await search('Kyoto');
    expect(await chipNames()).toEqual([]);
    expect(await heading()).toBe('Results for “Kyoto”');
    await backToLibrary();
  });
});

describe('the Places facet', () => {
  it('lists country → region → city with the engine’s counts', async () => {
    const expected = await fx.served.api<{ name: string; photos: number; regions: { name: string; photos: number; cities: { name: string; photos: number }[] }[] }[]>('placesInLibrary');
    const countries = expected.map((c) => `${c.name}, ${c.photos} ${c.photos === 1 ? 'photo' : 'photos'}`);
    expect(countries).toEqual(expect.arrayContaining(['Portugal, 4 photos', 'Germany, 1 photo']));
    await expect.poll(() => places().locator('button.place').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))), { timeout: 15_000 }).toEqual(countries);
    await places().getByRole('button', { name: 'Show the places in Portugal' }).click();
    const pt = expected.find((c) => c.name === 'Portugal')!;
    for (const r of pt.regions) expect(await place(r.name, r.photos).count()).toBeGreaterThanOrEqual(1);
    expect(pt.regions.map((r) => r.name).sort()).toEqual(['Lisbon', 'Porto']);
  });

  it('filters the grid to a country, then a city chosen with the arrow keys', async () => {
    await place('Portugal', 4).click();
    await expect.poll(gridFiles, { timeout: 15_000 }).toEqual(['lisbon-2019-a', 'lisbon-2019-b', 'lisbon-2021', 'porto-2019']);
    expect(await grid(page).getAttribute('aria-label')).toBe('Photos in Portugal');
    expect(await place('Portugal', 4).getAttribute('aria-pressed')).toBe('true');
    // On this day is about the whole library: not over a place.
    expect(await page.getByRole('region', { name: 'On this day' }).count()).toBe(0);
    await page.screenshot({ path: shot('places-facet-country') });
    // The keyboard: Down to the Lisbon district, Right opens it, Right again goes in, Enter chooses the city.
    await place('Portugal', 4).focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Lisbon, 3 photos');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => places().getByRole('button', { name: 'Hide the places in Lisbon' }).count()).toBe(1);
    await page.keyboard.press('ArrowRight');
    const city = places().locator('button.place[data-place-id^="city:"]').first();
    await expect.poll(() => hasFocus(city)).toBe(true);
    expect(await city.getAttribute('aria-label')).toBe('Lisbon, 3 photos');
    await page.keyboard.press('Enter');
    await expect.poll(() => grid(page).getAttribute('aria-label'), { timeout: 15_000 }).toBe('Photos in Lisbon, Portugal');
    await expect.poll(gridFiles).toEqual(['lisbon-2019-a', 'lisbon-2019-b', 'lisbon-2021']);
    expect(await city.getAttribute('aria-pressed')).toBe('true');
    // Only one place is in the Tab order: the one with the focus.
    expect(await places().locator('button.place[tabindex="0"]').count()).toBe(1);
    // Left goes back up to the district, and closes it.
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Lisbon, 3 photos');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => places().getByRole('button', { name: 'Show the places in Lisbon' }).count()).toBe(1);
    // Closed, the district's city stays chosen.
    expect(await grid(page).getAttribute('aria-label')).toBe('Photos in Lisbon, Portugal');
    await page.screenshot({ path: shot('places-facet-city') });
  });

  it('narrows the search results too, and says so', async () => {
    await search('2019');
    expect(await heading()).toBe('Photos from 2019, in Lisbon, Portugal');
    expect(await resultFiles()).toEqual(['lisbon-2019-a', 'lisbon-2019-b']);
    await places().getByRole('button', { name: 'Any place: stop filtering by Lisbon, Portugal' }).click();
    await expect.poll(resultFiles, { timeout: 15_000 }).toEqual(['home-2019', 'lisbon-2019-a', 'lisbon-2019-b', 'munich-2019', 'porto-2019']);
    expect(await heading()).toBe('Photos from 2019');
    await backToLibrary();
    await expect.poll(() => grid(page).getByRole('button').count(), { timeout: 15_000 }).toBe(ALL);
    expect(await grid(page).getAttribute('aria-label')).toBe('Photos');
  });
});

describe('a place set by hand', () => {
  it('on a photo without GPS, from the photo view: picked by name, marked, undone, set again, cleared', async () => {
    await openPhoto('home-2019');
    const dialog = photoDialog(page);
    expect(await dialog.getByTestId('fact-Place').innerText()).toBe('No place');
    await dialog.getByRole('button', { name: 'Set place…' }).click();
    const picker = dialog.getByRole('combobox', { name: 'Place of this photo' });
    await expect.poll(() => hasFocus(picker)).toBe(true);
    await picker.pressSequentially('Kyoto');
    const kyoto = dialog.getByRole('option', { name: 'Kyoto, Japan, town or city' });
    await kyoto.waitFor({ timeout: 15_000 });
    expect(await kyoto.getAttribute('aria-selected')).toBe('true');
    expect(await dialog.getByRole('option', { name: 'Kyoto, Japan, region' }).count()).toBe(1);
    await dialog.screenshot({ path: shot('places-picker') });
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.getByTestId('fact-Place').innerText(), { timeout: 15_000 }).toBe('Kyoto, Japan');
    expect(await dialog.getByTestId('fact-PlaceSource').innerText()).toBe('set by hand');
    expect(await toast().innerText()).toMatch(/Set the place of 1 photo to “Kyoto, Japan”/);
    await dialog.screenshot({ path: shot('places-photo-by-hand') });
    await toast().getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => dialog.getByTestId('fact-Place').innerText(), { timeout: 15_000 }).toBe('No place');
    // An alternate name finds it too, and a click picks it.
    await dialog.getByRole('button', { name: 'Set place…' }).click();
    await picker.pressSequentially('Lisboa');
    await dialog.getByRole('option', { name: 'Lisbon (Lisboa), Portugal, town or city' }).click();
    await expect.poll(() => dialog.getByTestId('fact-Place').innerText(), { timeout: 15_000 }).toBe('Lisbon, Portugal');
    // Escape in the picker closes the picker, not the photo view.
    await dialog.getByRole('button', { name: 'Change place…' }).click();
    await picker.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => picker.count()).toBe(0);
    expect(await photoDialog(page).count()).toBe(1);
    await closePhoto();
    // The facet counts it.
    await place('Portugal', 5).waitFor({ timeout: 15_000 });
    await openPhoto('home-2019');
    await photoDialog(page).getByRole('button', { name: 'Clear place set by hand' }).click();
    await expect.poll(() => photoDialog(page).getByTestId('fact-Place').innerText(), { timeout: 15_000 }).toBe('No place');
    expect(await toast().innerText()).toMatch(/Cleared the place of 1 photo/);
    await closePhoto();
    await place('Portugal', 4).waitFor({ timeout: 15_000 });
  });

  it('on a selection, from the selection bar; the GPS place shows beside a hand-set one', async () => {
    await grid(page).locator(`button.cell[data-photo-id="${id('lisbon-2021')}"]`).click({ position: { x: 18, y: 18 } });
    await grid(page).locator(`button.cell[data-photo-id="${id('home-2018')}"]`).click({ modifiers: ['Control'] });
    await expect.poll(() => selectionBar().getByTestId('selection-count').innerText()).toBe('2 selected');
    await selectionBar().getByRole('button', { name: 'Place ▾' }).click();
    const picker = selectionBar().getByRole('combobox', { name: 'Place for the selected photos' });
    await expect.poll(() => hasFocus(picker)).toBe(true);
    await picker.pressSequentially('Munich');
    await selectionBar().getByRole('option', { name: 'Munich, Bavaria, Germany, town or city' }).waitFor({ timeout: 15_000 });
    expect(await unnamedControls(page)).toEqual([]);
    await page.screenshot({ path: shot('places-selection-picker') });
    await page.keyboard.press('Enter');
    await expect.poll(() => toast().innerText(), { timeout: 15_000 }).toMatch(/Set the place of 2 photos to “Munich, Germany”/);
    await place('Germany', 3).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: shot('places-selection-set') });
    await page.keyboard.press('Escape');
    await openPhoto('lisbon-2021');
    const dialog = photoDialog(page);
    expect(await dialog.getByTestId('fact-Place').innerText()).toBe('Munich, Bavaria, Germany');
    expect(await dialog.getByTestId('fact-PlaceSource').innerText()).toBe('set by hand');
    expect(await dialog.getByTestId('fact-GpsPlace').innerText()).toBe('Its GPS position says Lisbon, Portugal');
    await dialog.locator('aside').screenshot({ path: shot('places-photo-gps-and-hand') });
    await closePhoto();
    // Cleared from the selection bar: the GPS place is back, the photo without GPS has none.
    await grid(page).locator(`button.cell[data-photo-id="${id('lisbon-2021')}"]`).click({ position: { x: 18, y: 18 } });
    await grid(page).locator(`button.cell[data-photo-id="${id('home-2018')}"]`).click({ modifiers: ['Control'] });
    await selectionBar().getByRole('button', { name: 'Place ▾' }).click();
    await selectionBar().getByRole('button', { name: 'Clear places set by hand' }).click();
    await expect.poll(() => toast().innerText(), { timeout: 15_000 }).toMatch(/Cleared the place of 2 photos/);
    await place('Germany', 1).waitFor({ timeout: 15_000 });
    await place('Portugal', 4).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');
  });
});

describe('the window', () => {
  it('follows the dark theme, and every control has a name', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const show = places().getByRole('button', { name: 'Show the places in Portugal' });
    if ((await show.count()) > 0) await show.click();
    await search('Lisbon 2019');
    await chips().getByRole('button', { name: 'Remove date 2019 from the search' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe('Results for “2019” in Lisbon');
    expect(await unnamedControls(page)).toEqual([]);
    await page.screenshot({ path: shot('places-dark') });
    await backToLibrary();
    await openPhoto('lisbon-2019-a');
    await photoDialog(page).locator('aside').screenshot({ path: shot('places-photo-dark') });
    await closePhoto();
    await page.emulateMedia({ colorScheme: 'light' });
    expect(consoleErrors).toEqual([]);
  });
});
