// People in the search box (issue 16), in a real browser against `shoebox serve`, on real faces (face-api's demo
// photos: test/e2e/face-photos.ts): sample 4 and its mirrored and cropped copies give four people in three photos
// each, sample 2 and its crop three people in two. Two people are named through the API as the People view would
// ("Mia" of sample 4, "Tom" and "Ann" of sample 2); then a name typed in the box shows a person chip and only
// that person's photos, "Tom and Ann" both, "Mia and Tom" none (never in one photo), "Mia or Tom" either; a removed
// person chip searches its words as words; a name given a moment ago is understood; a person's "Photos" in the
// People view opens the Library with that person's chip, narrowing the grid and a search, until it is removed.
// Screenshots of each.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FaceInfo, PersonSummary } from '../../src/shared/contract.ts';
import { writeFacePhotos } from './face-photos.ts';
import { SCREENSHOTS, openBrowser, startE2eFixture, waitIndexed, type E2eFixture } from './serve-fixture.ts';
import { chipNames as pageChipNames, grid, queryChips, shownFiles, results, view } from './page-helpers.ts';

const PHOTOS = ['people-1.jpg', 'people-2.jpg', 'people-2-crop.jpg', 'people-4.jpg', 'people-4-mirrored.jpg', 'people-4-crop.jpg'];
/** With the fixture's ten colour photos. */
const ALL = 10 + PHOTOS.length;

let fx: E2eFixture;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const nameOf = new Map<number, string>();
const person: Record<string, number> = {};
/** Each named person's photos, by file name, sorted. */
const photosOf: Record<string, string[]> = {};

const shot = (name: string) => path.join(SCREENSHOTS, `${name}.png`);
const api = <T>(method: string, args?: unknown): Promise<T> => fx.served.api<T>(method, args);
const box = () => page.getByRole('searchbox', { name: 'Search photos' });
const chips = () => queryChips(page);
const heading = () => page.locator('#results-title').innerText();

const chipNames = () => pageChipNames(page);
/** The search results' photos, by file name, sorted. */
const resultFiles = () => shownFiles(results(page), nameOf);

/** Searches as a person types, and waits for the answer to this query. */
async function search(text: string): Promise<void> {
  await box().fill(text);
  await expect.poll(() => page.locator('section.results').getAttribute('data-answered'), { timeout: 15_000 }).toBe(text);
  await expect.poll(() => page.getByTestId('result-count').innerText(), { timeout: 15_000 }).toMatch(/^(\d+ photos?|No photos)/);
}

/** The photos a person's faces are in, by file name, sorted. */
async function filesOf(id: number): Promise<string[]> {
  const faces = await api<FaceInfo[]>('personFaces', { person: id });
  return [...new Set(faces.map((f) => nameOf.get(f.photo)!))].sort();
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fx = await startE2eFixture();
  const dir = path.join(fx.root, 'faces');
  await writeFacePhotos(dir, PHOTOS);
  await fx.served.api('addFolder', { path: fx.photosDir });
  await fx.served.api('addFolder', { path: dir });
  await waitIndexed(fx.served, ALL, 240_000);
  // The grouping runs after the faces stage's commits: wait for sample 4's four people and sample 2's three.
  let people: PersonSummary[] = [];
  for (let until = Date.now() + 90_000; ; ) {
    people = await api<PersonSummary[]>('people');
    if (people.filter((p) => p.faces === 3).length === 4 && people.filter((p) => p.faces === 2).length === 3) break;
    if (Date.now() > until) throw new Error(`the people were not grouped: ${JSON.stringify(people)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const all = await api<{ photos: { id: number; path: string }[] }>('listPhotos', { limit: 100 });
  for (const p of all.photos) nameOf.set(p.id, path.basename(p.path));
  const threes = people.filter((p) => p.faces === 3);
  const twos = people.filter((p) => p.faces === 2);
  for (const [name, p] of [
    ['Mia', threes[0]!],
    ['Tom', twos[0]!],
    ['Ann', twos[1]!],
  ] as const) {
    await api('namePerson', { person: p.id, name });
    person[name] = p.id;
    photosOf[name] = await filesOf(p.id);
  }
  ({ browser, page } = await openBrowser(consoleErrors));
  await page.goto(fx.served.url);
  await page.locator('button.cell').first().waitFor({ timeout: 30_000 });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('people in the search box', () => {
  it('the grouping put each named person in the photos of their sample', () => {
    expect(photosOf.Mia).toEqual(['people-4-crop.jpg', 'people-4-mirrored.jpg', 'people-4.jpg']);
    expect(photosOf.Tom).toEqual(['people-2-crop.jpg', 'people-2.jpg']);
    expect(photosOf.Ann).toEqual(['people-2-crop.jpg', 'people-2.jpg']);
  });

  it('"Mia": a person chip and exactly her photos, newest first', async () => {
    await search('Mia');
    expect(await chipNames()).toEqual(['Remove person Mia from the search']);
    expect((await chips().getByRole('button').allInnerTexts()).map((t) => t.replace(/\s+/g, ''))).toEqual(['Mia×']);
    expect(await heading()).toBe('Photos with Mia');
    expect(await page.getByTestId('search-words').innerText()).toBe('every such photo, newest first');
    expect(await resultFiles()).toEqual(photosOf.Mia);
    await page.screenshot({ path: shot('people-search-mia') });
    await page.locator('.toolbar').screenshot({ path: shot('people-search-mia-toolbar') });
  });

  it('"Tom and Ann": both chips, the photos with both; "Mia and Tom": none; "Mia or Tom": either', async () => {
    await search('Tom and Ann');
    expect(await chipNames()).toEqual(['Remove person Tom from the search', 'Remove person Ann from the search']);
    expect(await heading()).toBe('Photos with Tom and Ann');
    expect(await resultFiles()).toEqual(photosOf.Tom);
    await page.locator('.toolbar').screenshot({ path: shot('people-search-and-toolbar') });
    await search('Mia and Tom');
    expect(await chipNames()).toEqual(['Remove person Mia from the search', 'Remove person Tom from the search']);
    expect(await resultFiles()).toEqual([]);
    await search('Mia or Tom');
    expect(await heading()).toBe('Photos with Mia or Tom');
    expect(await resultFiles()).toEqual([...photosOf.Mia!, ...photosOf.Tom!].sort());
    await page.screenshot({ path: shot('people-search-or') });
  });

  it('"photos of Mia in 2024": the person and the year; the words left are searched among her photos', async () => {
    await search('photos of Mia in 2024');
    expect(await chipNames()).toEqual(['Remove person Mia from the search', 'Remove date 2024 from the search']);
    expect(await resultFiles()).toEqual(photosOf.Mia);
    await search('Mia smiling');
    expect(await chipNames()).toEqual(['Remove person Mia from the search']);
    expect(await page.getByTestId('search-words').innerText()).toBe('searching for “smiling”');
    expect(await heading()).toBe('Results for “smiling” with Mia');
    const got = await resultFiles();
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((f) => photosOf.Mia!.includes(f))).toBe(true);
  });

  it('a removed person chip searches the name as words; a person named a moment ago is understood', async () => {
    await search('Tom and Ann');
    await chips().getByRole('button', { name: 'Remove person Ann from the search' }).click();
    await expect.poll(() => chipNames()).toEqual(['Remove person Tom from the search', 'Understand “and Ann” again']);
    expect(await box().inputValue()).toBe('Tom and Ann');
    await chips().getByRole('button', { name: 'Understand “and Ann” again' }).click();
    await expect.poll(() => chipNames()).toEqual(['Remove person Tom from the search', 'Remove person Ann from the search']);

    await search('Zoe');
    expect(await chipNames()).toEqual([]);
    const unnamed = (await api<PersonSummary[]>('people')).find((p) => p.faces === 3 && p.name === null)!;
    await api('namePerson', { person: unnamed.id, name: 'Zoe' });
    // The vocabulary is read again after the change (at most every 2 s): the same words typed again.
    await expect
      .poll(
        async () => {
          await box().fill('');
          await search('Zoe');
          return chipNames();
        },
        { timeout: 20_000, interval: 2500 },
      )
      .toEqual(['Remove person Zoe from the search']);
    expect(await resultFiles()).toEqual(await filesOf(unnamed.id));
    await page.screenshot({ path: shot('people-search-zoe') });
  });

  it('a person\'s "Photos" in the People view: the Library with their chip, only their photos, a search among them', async () => {
    const gridFiles = () => shownFiles(grid(page), nameOf);
    await box().fill('');
    await view(page, 'People').click();
    await page.getByRole('button', { name: 'Open Mia, 3 faces' }).click();
    await page.getByRole('button', { name: 'Photos', exact: true }).click();
    const chip = page.getByTestId('person-filter');
    await chip.waitFor({ timeout: 15_000 });
    expect(await chip.getAttribute('aria-label')).toBe("Remove person Mia: show anyone's photos");
    expect(await page.getByRole('grid', { name: 'Photos of Mia' }).count()).toBe(1);
    await expect.poll(() => gridFiles(), { timeout: 15_000 }).toEqual(photosOf.Mia);
    await page.screenshot({ path: shot('people-search-person-chip') });
    // A search typed now is among her photos; the chip stays.
    await search('smiling');
    expect(await chip.count()).toBe(1);
    expect(await heading()).toBe('Results for “smiling” with Mia');
    const got = await resultFiles();
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((f) => photosOf.Mia!.includes(f))).toBe(true);
    await page.locator('.toolbar').screenshot({ path: shot('people-search-person-chip-toolbar') });
    // Removed: everyone's photos again.
    await box().fill('');
    await chip.click();
    await expect.poll(() => page.getByTestId('person-filter').count()).toBe(0);
    await expect.poll(async () => (await gridFiles()).length, { timeout: 15_000 }).toBe(ALL);
  });

  it('logged no errors in the console', () => {
    expect(consoleErrors).toEqual([]);
  });
});
