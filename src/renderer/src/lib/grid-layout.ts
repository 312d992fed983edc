// The virtual window of the library grid: month groups → rows of fixed height, which rows are visible,
// where a photo sits, how arrow keys move, and how to keep the view still when pages load above it.
import { monthLabel, type MonthRun } from './months.ts';

/** The key of a stretch whose photos have not been fetched yet: it has no header until they are. */
export const UNKNOWN = '?';

export interface GridMetrics {
  /** Cells per row (1 in the captions list). */
  cols: number;
  rowHeight: number;
  headerHeight: number;
}

export interface Group {
  key: string;
  /** Index of its first photo in the whole list. */
  start: number;
  count: number;
  /** Pixels from the top of the grid to the group's header (or first row when it has none). */
  top: number;
  headerHeight: number;
  rows: number;
  /** Rows before this group, headers included (for aria-rowindex). */
  rowBase: number;
}

export interface Layout {
  groups: Group[];
  total: number;
  height: number;
  metrics: GridMetrics;
}

export type VisibleItem =
  | { kind: 'header'; id: string; top: number; label: string; rowIndex: number }
  | { kind: 'row'; id: string; top: number; start: number; end: number; rowIndex: number };

/**
 * The month runs of the whole list, page by page. A fetched page brings its own runs; a page not
 * fetched yet continues the run before it (so no header appears until its photos are known).
 */
export function listRuns(total: number, pageSize: number, pageRuns: (page: number) => readonly MonthRun[] | undefined): MonthRun[] {
  const runs: MonthRun[] = [];
  const push = (key: string, count: number): void => {
    if (count <= 0) return;
    const last = runs[runs.length - 1];
    if (last && last.key === key) last.count += count;
    else runs.push({ key, count });
  };
  const pages = Math.ceil(total / pageSize);
  for (let p = 0; p < pages; p++) {
    const len = Math.min(pageSize, total - p * pageSize);
    const known = pageRuns(p);
    if (!known) {
      push(runs[runs.length - 1]?.key ?? UNKNOWN, len);
      continue;
    }
    // A page fetched before the list grew or shrank may not fill its slot exactly: fit it.
    let left = len;
    for (const r of known) {
      const n = Math.min(r.count, left);
      push(r.key, n);
      left -= n;
      if (left === 0) break;
    }
    if (left > 0) push(runs[runs.length - 1]?.key ?? UNKNOWN, left);
  }
  return runs;
}

/** Groups with their pixel positions. */
export function layoutGroups(runs: readonly MonthRun[], metrics: GridMetrics): Layout {
  const cols = Math.max(1, Math.floor(metrics.cols));
  const m = { ...metrics, cols };
  const groups: Group[] = [];
  let top = 0;
  let start = 0;
  let rowBase = 0;
  for (const r of runs) {
    const headerHeight = r.key === UNKNOWN ? 0 : m.headerHeight;
    const rows = Math.ceil(r.count / cols);
    groups.push({ key: r.key, start, count: r.count, top, headerHeight, rows, rowBase });
    top += headerHeight + rows * m.rowHeight;
    start += r.count;
    rowBase += rows + (headerHeight > 0 ? 1 : 0);
  }
  return { groups, total: start, height: top, metrics: m };
}

/** How many cells fit in a row of this width. */
export function columnsFor(width: number, minCell: number, gap: number): number {
  if (!(width > 0)) return 1;
  return Math.max(1, Math.floor((width + gap) / (minCell + gap)));
}

/** The last group whose value of `at` is ≤ x (groups are sorted by both start and top). */
function findGroup(groups: readonly Group[], x: number, at: (g: Group) => number): number {
  let lo = 0;
  let hi = groups.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (at(groups[mid]!) <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The headers and rows that intersect [scrollTop - overscan, scrollTop + viewHeight + overscan]. */
export function visibleItems(layout: Layout, scrollTop: number, viewHeight: number, overscan = 0): VisibleItem[] {
  const { groups, metrics } = layout;
  const items: VisibleItem[] = [];
  if (groups.length === 0) return items;
  const y0 = Math.max(0, scrollTop - overscan);
  const y1 = scrollTop + viewHeight + overscan;
  for (let gi = findGroup(groups, y0, (g) => g.top); gi < groups.length; gi++) {
    const g = groups[gi]!;
    if (g.top >= y1) break;
    if (g.headerHeight > 0 && g.top + g.headerHeight > y0) {
      items.push({ kind: 'header', id: `h${g.start}`, top: g.top, label: monthLabel(g.key), rowIndex: g.rowBase + 1 });
    }
    const rowsTop = g.top + g.headerHeight;
    const r0 = Math.max(0, Math.floor((y0 - rowsTop) / metrics.rowHeight));
    const r1 = Math.min(g.rows - 1, Math.floor((y1 - rowsTop) / metrics.rowHeight));
    const headerRows = g.headerHeight > 0 ? 1 : 0;
    for (let r = r0; r <= r1; r++) {
      const start = g.start + r * metrics.cols;
      const end = Math.min(g.start + g.count, start + metrics.cols);
      items.push({ kind: 'row', id: `r${start}`, top: rowsTop + r * metrics.rowHeight, start, end, rowIndex: g.rowBase + headerRows + r + 1 });
    }
  }
  return items;
}

/** The first and last photo index among visible rows, or null when none. */
export function indexRange(items: readonly VisibleItem[]): { first: number; last: number } | null {
  let first = Infinity;
  let last = -Infinity;
  for (const it of items) {
    if (it.kind !== 'row') continue;
    first = Math.min(first, it.start);
    last = Math.max(last, it.end - 1);
  }
  return first <= last ? { first, last } : null;
}

/** Where photo `index` sits: its row's top, and its column. */
export function positionOf(layout: Layout, index: number): { top: number; col: number; group: number } | null {
  const { groups, metrics } = layout;
  if (index < 0 || index >= layout.total || groups.length === 0) return null;
  const gi = findGroup(groups, index, (g) => g.start);
  const g = groups[gi]!;
  const offset = index - g.start;
  const row = Math.floor(offset / metrics.cols);
  return { top: g.top + g.headerHeight + row * metrics.rowHeight, col: offset % metrics.cols, group: gi };
}

/**
 * The scrollTop that brings photo `index` into a view of `viewHeight` pixels with the least movement
 * (unchanged when it is already in view). A photo at the top of its group brings its header too.
 */
export function scrollToShow(layout: Layout, index: number, scrollTop: number, viewHeight: number): number {
  const pos = positionOf(layout, index);
  if (!pos) return scrollTop;
  const g = layout.groups[pos.group]!;
  const rowTop = pos.top === g.top + g.headerHeight ? g.top : pos.top;
  const rowBottom = pos.top + layout.metrics.rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewHeight) return Math.max(0, rowBottom - viewHeight);
  return scrollTop;
}

/**
 * The month whose photos fill the top of the view once its own header has scrolled away (for a
 * floating label), or null while a header is in sight at the top or the stretch is not known yet.
 */
export function monthAtTop(layout: Layout, scrollTop: number): string | null {
  const { groups } = layout;
  if (groups.length === 0 || scrollTop <= 0) return null;
  const g = groups[findGroup(groups, scrollTop, (x) => x.top)]!;
  if (g.key === UNKNOWN || scrollTop < g.top + g.headerHeight) return null;
  return monthLabel(g.key);
}

/** What the view is looking at: the first photo of the row at the top, and how far past that row's top. */
export interface Anchor {
  index: number;
  offset: number;
}

export function anchorAt(layout: Layout, scrollTop: number): Anchor | null {
  const { groups, metrics } = layout;
  if (groups.length === 0 || layout.total === 0) return null;
  const g = groups[findGroup(groups, scrollTop, (x) => x.top)]!;
  const rowsTop = g.top + g.headerHeight;
  const row = Math.min(g.rows - 1, Math.max(0, Math.floor((scrollTop - rowsTop) / metrics.rowHeight)));
  const rowTop = rowsTop + row * metrics.rowHeight;
  return { index: g.start + row * metrics.cols, offset: scrollTop - rowTop };
}

/** The scrollTop that keeps an anchor where it was after the layout changed (pages loaded, resize). */
export function scrollForAnchor(layout: Layout, anchor: Anchor): number | null {
  const pos = positionOf(layout, Math.min(anchor.index, layout.total - 1));
  return pos ? Math.max(0, pos.top + anchor.offset) : null;
}

/**
 * The photo a key moves focus to, or null when the key does not move it. Up and Down keep the
 * column, across month headers too (clamped to the shorter last row); `page` is rows per PageUp/Down.
 */
export function moveIndex(layout: Layout, index: number, key: string, page = 5): number | null {
  const last = layout.total - 1;
  if (last < 0) return null;
  const clamp = (i: number): number => Math.min(last, Math.max(0, i));
  switch (key) {
    case 'ArrowLeft':
      return clamp(index - 1);
    case 'ArrowRight':
      return clamp(index + 1);
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'ArrowDown':
      return rowStep(layout, clamp(index), 1);
    case 'ArrowUp':
      return rowStep(layout, clamp(index), -1);
    case 'PageDown':
    case 'PageUp': {
      let i = clamp(index);
      for (let n = 0; n < page; n++) i = rowStep(layout, i, key === 'PageDown' ? 1 : -1);
      return i;
    }
    default:
      return null;
  }
}

function rowStep(layout: Layout, index: number, dir: 1 | -1): number {
  const { groups, metrics } = layout;
  const gi = findGroup(groups, index, (g) => g.start);
  const g = groups[gi]!;
  const offset = index - g.start;
  const row = Math.floor(offset / metrics.cols);
  const col = offset % metrics.cols;
  const targetRow = row + dir;
  if (targetRow >= 0 && targetRow < g.rows) return Math.min(g.start + g.count - 1, g.start + targetRow * metrics.cols + col);
  const next = groups[gi + dir];
  if (!next) return index;
  const nextRow = dir === 1 ? 0 : next.rows - 1;
  return Math.min(next.start + next.count - 1, next.start + nextRow * metrics.cols + col);
}
