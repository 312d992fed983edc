// Unit tests for the virtual grid's math: runs across pages, group layout, visible rows, positions, keys, anchors.
import { describe, expect, it } from 'vitest';
import {
  UNKNOWN,
  anchorAt,
  columnsFor,
  indexRange,
  layoutGroups,
  listRuns,
  monthAtTop,
  moveIndex,
  positionOf,
  scrollForAnchor,
  scrollToShow,
  visibleItems,
  type GridMetrics,
} from '../../src/renderer/src/lib/grid-layout.ts';
import { NO_DATE, type MonthRun } from '../../src/renderer/src/lib/months.ts';

const M: GridMetrics = { cols: 4, rowHeight: 100, headerHeight: 40 };

describe('listRuns', () => {
  it('joins the runs of fetched pages across page boundaries', () => {
    const pages: Record<number, MonthRun[]> = {
      0: [
        { key: '2024-03', count: 3 },
        { key: '2024-02', count: 2 },
      ],
      1: [
        { key: '2024-02', count: 1 },
        { key: NO_DATE, count: 4 },
      ],
    };
    expect(listRuns(10, 5, (p) => pages[p])).toEqual([
      { key: '2024-03', count: 3 },
      { key: '2024-02', count: 3 },
      { key: NO_DATE, count: 4 },
    ]);
  });

  it('lets a page not fetched yet continue the run before it, or stay unknown at the start', () => {
    const pages: Record<number, MonthRun[]> = { 1: [{ key: '2024-01', count: 5 }] };
    expect(listRuns(17, 5, (p) => pages[p])).toEqual([
      { key: UNKNOWN, count: 5 },
      { key: '2024-01', count: 12 },
    ]);
  });

  it('fits a page fetched before the list changed size into its slot', () => {
    const pages: Record<number, MonthRun[]> = { 0: [{ key: 'a', count: 3 }, { key: 'b', count: 2 }], 1: [{ key: 'c', count: 1 }] };
    // The list shrank to 4: page 0 is cut.
    expect(listRuns(4, 5, (p) => pages[p])).toEqual([
      { key: 'a', count: 3 },
      { key: 'b', count: 1 },
    ]);
    // Page 1 holds 1 photo but its slot has 3: the rest continues its run.
    expect(listRuns(8, 5, (p) => pages[p])).toEqual([
      { key: 'a', count: 3 },
      { key: 'b', count: 2 },
      { key: 'c', count: 3 },
    ]);
  });

  it('handles 100,000 photos in 500 pages quickly', () => {
    const t = performance.now();
    const runs = listRuns(100_000, 200, (p) => (p % 2 === 0 ? [{ key: `m${Math.floor(p / 4)}`, count: 200 }] : undefined));
    expect(runs.reduce((n, r) => n + r.count, 0)).toBe(100_000);
    expect(performance.now() - t).toBeLessThan(50);
  });
});

describe('layoutGroups', () => {
  it('stacks a header and whole rows per group; unknown stretches get no header', () => {
    const l = layoutGroups(
      [
        { key: UNKNOWN, count: 2 },
        { key: '2024-03', count: 5 },
        { key: NO_DATE, count: 4 },
      ],
      M,
    );
    expect(l.total).toBe(11);
    expect(l.groups.map((g) => [g.key, g.start, g.top, g.rows, g.rowBase])).toEqual([
      [UNKNOWN, 0, 0, 1, 0],
      ['2024-03', 2, 100, 2, 1],
      [NO_DATE, 7, 340, 1, 4],
    ]);
    expect(l.height).toBe(340 + 40 + 100);
  });

  it('never has fewer than one column', () => {
    expect(layoutGroups([{ key: 'a', count: 3 }], { ...M, cols: 0 }).metrics.cols).toBe(1);
  });
});

describe('columnsFor', () => {
  it('fits as many cells of the minimum width as the row allows', () => {
    expect(columnsFor(1000, 150, 6)).toBe(6);
    expect(columnsFor(150, 150, 6)).toBe(1);
    expect(columnsFor(100, 150, 6)).toBe(1);
    expect(columnsFor(0, 150, 6)).toBe(1);
    expect(columnsFor(Number.NaN, 150, 6)).toBe(1);
  });
});

describe('visibleItems', () => {
  const l = layoutGroups(
    [
      { key: '2024-03', count: 10 },
      { key: '2024-02', count: 3 },
    ],
    M,
  );
  // 2024-03: header 0–40, rows at 40, 140, 240 (3 rows); 2024-02: header 340–380, row at 380.

  it('lists the headers and rows in view, with their photo ranges', () => {
    const items = visibleItems(l, 0, 150);
    expect(items.map((i) => i.id)).toEqual(['h0', 'r0', 'r4']);
    const row = items[2]!;
    expect(row.kind === 'row' && [row.start, row.end, row.top, row.rowIndex]).toEqual([4, 8, 140, 3]);
  });

  it('cuts the last row of a group short and crosses into the next group', () => {
    const items = visibleItems(l, 250, 200);
    expect(items.map((i) => i.id)).toEqual(['r8', 'h10', 'r10']);
    const last = items[0]!;
    expect(last.kind === 'row' && [last.start, last.end]).toEqual([8, 10]);
    expect(items[1]).toMatchObject({ kind: 'header', label: 'February 2024', top: 340, rowIndex: 5 });
  });

  it('adds overscan on both sides and renders only a window of a huge list', () => {
    const big = layoutGroups([{ key: 'a', count: 100_000 }], { cols: 6, rowHeight: 156, headerHeight: 44 });
    const items = visibleItems(big, 1_000_000, 800, 400);
    const rows = items.filter((i) => i.kind === 'row');
    expect(rows.length).toBeLessThanOrEqual(Math.ceil((800 + 800) / 156) + 1);
    expect(items.some((i) => i.kind === 'header')).toBe(false);
    const r = indexRange(items)!;
    expect(r.first).toBeGreaterThan(30_000);
    expect(r.last - r.first).toBeLessThan(100);
  });

  it('is empty for an empty list', () => {
    expect(visibleItems(layoutGroups([], M), 0, 500)).toEqual([]);
    expect(indexRange([])).toBeNull();
  });
});

describe('positions and scrolling', () => {
  const l = layoutGroups(
    [
      { key: '2024-03', count: 10 },
      { key: '2024-02', count: 3 },
    ],
    M,
  );

  it('places a photo in its row and column', () => {
    expect(positionOf(l, 0)).toEqual({ top: 40, col: 0, group: 0 });
    expect(positionOf(l, 9)).toEqual({ top: 240, col: 1, group: 0 });
    expect(positionOf(l, 12)).toEqual({ top: 380, col: 2, group: 1 });
    expect(positionOf(l, 13)).toBeNull();
    expect(positionOf(l, -1)).toBeNull();
  });

  it('scrolls the least to show a photo, bringing a group header with its first row', () => {
    expect(scrollToShow(l, 5, 0, 300)).toBe(0);
    expect(scrollToShow(l, 9, 0, 300)).toBe(40);
    expect(scrollToShow(l, 10, 0, 300)).toBe(180);
    expect(scrollToShow(l, 0, 200, 300)).toBe(0);
    expect(scrollToShow(l, 10, 400, 300)).toBe(340);
  });

  it('keeps the photo at the top in place when headers appear above it', () => {
    const before = layoutGroups([{ key: UNKNOWN, count: 400 }], M);
    const anchor = anchorAt(before, 5020)!; // row 50 (photos 200–203), 20 px in
    expect(anchor).toEqual({ index: 200, offset: 20 });
    const after = layoutGroups(
      [
        { key: '2024-05', count: 150 },
        { key: '2024-04', count: 250 },
      ],
      M,
    );
    const top = scrollForAnchor(after, anchor)!;
    expect(positionOf(after, 200)!.top + 20).toBe(top);
    // The rows are cut differently now, but the same row is at the same offset.
    const again = anchorAt(after, top)!;
    expect(again.offset).toBe(20);
    expect(200 - again.index).toBeGreaterThanOrEqual(0);
    expect(200 - again.index).toBeLessThan(M.cols);
  });

  it('anchors to the first row of a group while its header is at the top', () => {
    const a = anchorAt(l, 345)!;
    expect(a.index).toBe(10);
    expect(scrollForAnchor(l, a)).toBe(345);
    expect(anchorAt(layoutGroups([], M), 0)).toBeNull();
  });
});

describe('monthAtTop', () => {
  it('names the month under the top edge once its header has scrolled away', () => {
    const l = layoutGroups(
      [
        { key: UNKNOWN, count: 4 },
        { key: '2024-03', count: 10 },
        { key: NO_DATE, count: 3 },
      ],
      M,
    );
    // unknown 0–100; March header 100–140, rows to 440; no-date header 440–480.
    expect(monthAtTop(l, 0)).toBeNull();
    expect(monthAtTop(l, 50)).toBeNull();
    expect(monthAtTop(l, 120)).toBeNull();
    expect(monthAtTop(l, 141)).toBe('March 2024');
    expect(monthAtTop(l, 460)).toBeNull();
    expect(monthAtTop(l, 500)).toBe('No date');
    expect(monthAtTop(layoutGroups([], M), 10)).toBeNull();
  });
});

describe('moveIndex', () => {
  const l = layoutGroups(
    [
      { key: '2024-03', count: 6 }, // rows: 0–3, 4–5
      { key: '2024-02', count: 7 }, // rows: 6–9, 10–12
    ],
    M,
  );

  it('moves left and right along the list, clamped at its ends', () => {
    expect(moveIndex(l, 3, 'ArrowRight')).toBe(4);
    expect(moveIndex(l, 4, 'ArrowLeft')).toBe(3);
    expect(moveIndex(l, 0, 'ArrowLeft')).toBe(0);
    expect(moveIndex(l, 12, 'ArrowRight')).toBe(12);
  });

  it('moves up and down keeping the column, across month headers', () => {
    expect(moveIndex(l, 1, 'ArrowDown')).toBe(5);
    expect(moveIndex(l, 3, 'ArrowDown')).toBe(5); // the shorter last row
    expect(moveIndex(l, 5, 'ArrowDown')).toBe(7); // into the next group, column 1
    expect(moveIndex(l, 7, 'ArrowUp')).toBe(5);
    expect(moveIndex(l, 9, 'ArrowUp')).toBe(5);
    expect(moveIndex(l, 2, 'ArrowUp')).toBe(2);
    expect(moveIndex(l, 11, 'ArrowDown')).toBe(11);
  });

  it('jumps with Home, End and pages of rows; ignores other keys', () => {
    expect(moveIndex(l, 7, 'Home')).toBe(0);
    expect(moveIndex(l, 0, 'End')).toBe(12);
    expect(moveIndex(l, 0, 'PageDown', 2)).toBe(6);
    expect(moveIndex(l, 12, 'PageUp', 3)).toBe(1); // 12 → 8 → 5 (shorter row) → 1
    expect(moveIndex(l, 3, 'Enter')).toBeNull();
    expect(moveIndex(layoutGroups([], M), 0, 'ArrowDown')).toBeNull();
  });
});
