// What the browser tests look for on the page, by role and accessible name as a person (or a screen reader) finds it.
import type { Locator, Page } from 'playwright-core';

/** A top-level view switch: the nav buttons "Library", "Indexing", "Settings". */
export function view(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true });
}

/** The library grid (or captions list). */
export function grid(page: Page): Locator {
  return page.getByRole('grid').first();
}

export function results(page: Page): Locator {
  return page.getByRole('list', { name: 'Search results' });
}

export function photoDialog(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Photo' });
}

/** The aria-labels of the search results, in order. */
export async function resultNames(page: Page): Promise<(string | null)[]> {
  return results(page)
    .getByRole('button')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
}

/** The search box's chips: what the search understood. */
export function queryChips(page: Page): Locator {
  return page.getByRole('group', { name: 'What the search understood' });
}

/** The chips' buttons' names ("Remove place Lisbon from the search"), in order; [] with no chip. */
export async function chipNames(page: Page): Promise<(string | null)[]> {
  if ((await queryChips(page).count()) === 0) return [];
  return queryChips(page)
    .getByRole('button')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
}

/** The photos a list (the results, the grid) shows, by the names `nameOf` gives their ids ('#<id>' for one it lacks), sorted. */
export async function shownFiles(list: Locator, nameOf: ReadonlyMap<number, string>): Promise<string[]> {
  const got = await list
    .locator('[data-photo-id]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
  return got.map((i) => nameOf.get(i) ?? `#${i}`).sort();
}

/**
 * Every visible control (button, link, field, switch) without an accessible name, described by a
 * bit of its markup. A name comes from aria-label, aria-labelledby, a <label>, the control's own
 * text, an image's alt, or a title — the sources a screen reader uses. (Browser-side code as text:
 * the tests compile without the DOM's types.)
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(UNNAMED_CONTROLS) as Promise<string[]>;
}

const UNNAMED_CONTROLS = `(() => {
  const text = (el) => (el?.textContent ?? '').replace(/\\s+/g, ' ').trim();
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const nameOf = (el) => {
    const aria = el.getAttribute('aria-label')?.trim();
    if (aria) return aria;
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const t = by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
      if (t) return t;
    }
    if (el.id) {
      const forLabel = document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
      if (text(forLabel)) return text(forLabel);
    }
    const wrap = el.closest('label');
    if (wrap && text(wrap)) return text(wrap);
    if (!el.matches('input, select, textarea')) {
      const own = text(el);
      if (own) return own;
      const alt = el.querySelector('img[alt]')?.getAttribute('alt')?.trim();
      if (alt) return alt;
    }
    return el.getAttribute('title')?.trim() ?? '';
  };
  const controls = document.querySelectorAll(
    'button, a[href], input:not([type="hidden"]), select, textarea, [role="button"], [role="switch"], [role="tab"], [tabindex="0"]',
  );
  const out = [];
  for (const el of controls) {
    if (!visible(el) || el.matches('dialog, [role="grid"], [role="dialog"]')) continue;
    if (!nameOf(el)) out.push(el.outerHTML.slice(0, 160));
  }
  return out;
})()`;

/** The focused element's data-index (a grid cell), or null. */
export async function focusedIndex(page: Page): Promise<string | null> {
  return page.evaluate('document.activeElement?.dataset?.index ?? null') as Promise<string | null>;
}

/** The focused element's aria-label, or null. */
export async function focusedLabel(page: Page): Promise<string | null> {
  return page.evaluate("document.activeElement?.getAttribute('aria-label') ?? null") as Promise<string | null>;
}

/** The page's background colour as computed (the theme in use). */
export async function pageBackground(page: Page): Promise<string> {
  return page.evaluate('getComputedStyle(document.documentElement).backgroundColor') as Promise<string>;
}
