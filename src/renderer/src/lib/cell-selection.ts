// The mouse and keyboard on a photo cell, the same in the library grid and in search results (as
// Google Photos and Immich do it): while nothing is selected a click opens the photo, and the check
// circle on a cell (or Ctrl/Cmd-click, Shift-click, Space) starts a selection; once something is
// selected a click toggles the photo and Shift-click selects the range from the anchor. Enter opens.

import type { Selection } from './selection.ts';

/** The square at a cell's top left where a click is on its check circle (6 px in, 26 px wide, a little slack). */
export const CHECK_HIT = 36;

/** Whether a click landed on the cell's check circle (its ::before, top left; CHECK_HIT px square). */
export function onCheckCircle(e: MouseEvent): boolean {
  const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
  return e.clientX - r.left < CHECK_HIT && e.clientY - r.top < CHECK_HIT;
}

/** A click on the cell of photo `id` at grid index `index`; `focusIndex` is where the keyboard focus was. */
export function clickCell(
  selection: Selection,
  e: MouseEvent,
  index: number,
  id: number,
  focusIndex: number,
  open: (index: number) => void,
): void {
  const onCheck = onCheckCircle(e);
  if (e.shiftKey) void selection.extendTo(index, focusIndex);
  else if (e.ctrlKey || e.metaKey || onCheck || selection.size > 0) void selection.toggle(index, id);
  else open(index);
}

/**
 * Space and Enter on the cell at grid index `index`: Space toggles it (Shift+Space selects the range to
 * here) and Enter opens it, never the button's own click. `idAt` gives the cell's photo id when it is
 * known. Returns whether the key was one of the two (handled); the caller deals with the others.
 */
export function cellKey(
  selection: Selection,
  e: KeyboardEvent,
  index: number,
  idAt: (index: number) => number | undefined,
  open: (index: number) => void,
): boolean {
  if (e.key === ' ') {
    e.preventDefault();
    const id = idAt(index);
    if (e.repeat || id === undefined) return true;
    if (e.shiftKey) void selection.extendTo(index, index);
    else void selection.toggle(index, id);
    return true;
  }
  if (e.key === 'Enter') {
    e.preventDefault();
    if (!e.shiftKey) open(index);
    return true;
  }
  return false;
}
