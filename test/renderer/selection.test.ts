// Unit tests for the selection model: ids (never elements) in grid order, click, toggle, Shift ranges
// from the anchor (over pages the grid has not loaded, through photoIds), select all, a month's range,
// keyboard steps, clearing, a change of view, and a 100,000-photo view scrolled through.
import { describe, expect, it, vi } from 'vitest';
import { Selection, type SelectionView } from '../../src/renderer/src/lib/selection.ts';

/** Photo ids are index × 10 + 7 (so an index is never mistaken for an id); `loaded` says which indexes the grid has. */
function fakeView(total: number, loaded: (i: number) => boolean = () => true) {
  const calls: { offset: number; limit?: number }[] = [];
  let gate: Promise<void> | null = null;
  const view: SelectionView = {
    total: () => total,
    idAt: (i) => (i >= 0 && i < total && loaded(i) ? i * 10 + 7 : undefined),
    ids: async (offset, limit) => {
      calls.push({ offset, limit });
      if (gate) await gate;
      const end = limit === undefined ? total : Math.min(total, offset + limit);
      return Array.from({ length: Math.max(0, end - offset) }, (_, k) => (offset + k) * 10 + 7);
    },
  };
  return {
    view,
    calls,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
}

const id = (i: number): number => i * 10 + 7;
const ids = (...indexes: number[]): number[] => indexes.map(id);
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, k) => id(a + k));

function make(total = 50, loaded?: (i: number) => boolean) {
  const f = fakeView(total, loaded);
  const onChange = vi.fn();
  const s = new Selection(onChange);
  s.setView(f.view);
  return { s, ...f, onChange };
}

describe('Selection', () => {
  it('selects one photo with a click, replacing what was selected', async () => {
    const { s, onChange } = make();
    await s.only(3, id(3));
    await s.only(5, id(5));
    expect(s.ids()).toEqual(ids(5));
    expect(s.size).toBe(1);
    expect(s.has(id(5))).toBe(true);
    expect(s.has(id(3))).toBe(false);
    expect(s.anchor).toBe(5);
    expect(onChange).toHaveBeenCalled();
  });

  it('toggles with Ctrl/Cmd-click and keeps the rest', async () => {
    const { s } = make();
    await s.toggle(4, id(4));
    await s.toggle(9, id(9));
    await s.toggle(2, id(2));
    expect(s.ids()).toEqual(ids(2, 4, 9)); // grid order, not click order
    await s.toggle(4, id(4));
    expect(s.ids()).toEqual(ids(2, 9));
    expect(s.anchor).toBe(4);
  });

  it('selects the range from the anchor with Shift-click, either way, and a second Shift-click replaces that range', async () => {
    const { s } = make();
    await s.only(10, id(10));
    await s.extendTo(14);
    expect(s.ids()).toEqual(range(10, 14));
    // Shift-clicking nearer the anchor shrinks the range; the other side of the anchor moves it.
    await s.extendTo(12);
    expect(s.ids()).toEqual(range(10, 12));
    await s.extendTo(7);
    expect(s.ids()).toEqual(range(7, 10));
    expect(s.anchor).toBe(10);
  });

  it('keeps what Ctrl/Cmd-click selected before a Shift range, and only takes back what the range added', async () => {
    const { s } = make();
    await s.toggle(2, id(2));
    await s.toggle(20, id(20));
    await s.toggle(22, id(22)); // anchor 22
    await s.extendTo(25);
    expect(s.ids()).toEqual([id(2), ...range(20, 20), ...range(22, 25)]);
    await s.extendTo(18); // 18..22: 20 was selected already and stays, 23–25 go
    expect(s.ids()).toEqual([id(2), ...range(18, 22)]);
    await s.extendTo(23);
    expect(s.ids()).toEqual([id(2), id(20), ...range(22, 23)]);
  });

  it('selects only the photo on a Shift-click with no anchor', async () => {
    const { s } = make();
    await s.extendTo(6);
    expect(s.ids()).toEqual(ids(6));
    expect(s.anchor).toBe(6);
  });

  it('asks the view for the ids of a range over pages not loaded, once, with offset and limit', async () => {
    // Pages of 10; only indexes 0–9 and 40–49 are loaded (the grid was scrolled from top to bottom).
    const { s, calls } = make(50, (i) => i < 10 || i >= 40);
    await s.only(5, id(5));
    await s.extendTo(45);
    expect(calls).toEqual([{ offset: 5, limit: 41 }]);
    expect(s.ids()).toEqual(range(5, 45));
    // A range the grid has in full needs no request.
    await s.only(41, id(41));
    await s.extendTo(48);
    expect(calls).toHaveLength(1);
    expect(s.ids()).toEqual(range(41, 48));
  });

  it('clamps a range to the view', async () => {
    const { s } = make(10);
    await s.only(8, id(8));
    await s.extendTo(15);
    expect(s.ids()).toEqual(range(8, 9));
  });

  it('selects everything in the view with Ctrl/Cmd-A, through the view', async () => {
    const { s, calls } = make(1000, (i) => i < 200);
    await s.toggle(3, id(3));
    await s.selectAll();
    expect(calls).toEqual([{ offset: 0, limit: undefined }]);
    expect(s.size).toBe(1000);
    expect(s.ids()).toEqual(range(0, 999));
    expect(s.first()).toEqual({ id: id(0), index: 0 });
  });

  it("selects and deselects a month's range (its heading's checkbox), and counts what is selected in it", async () => {
    const { s } = make();
    await s.toggle(1, id(1));
    await s.setRange(10, 19, true);
    expect(s.ids()).toEqual([id(1), ...range(10, 19)]);
    expect(s.countIn(10, 19)).toEqual({ selected: 10, known: 10 });
    expect(s.countIn(0, 9)).toEqual({ selected: 1, known: 10 });
    await s.setRange(10, 19, false);
    expect(s.ids()).toEqual(ids(1));
  });

  it('counts only the photos the grid has when pages are missing', async () => {
    const { s } = make(50, (i) => i < 10);
    await s.setRange(5, 14, true);
    expect(s.countIn(5, 14)).toEqual({ selected: 5, known: 5 });
  });

  it('clears with Escape', async () => {
    const { s } = make();
    await s.setRange(0, 9, true);
    await s.clear();
    expect(s.size).toBe(0);
    expect(s.anchor).toBeNull();
    expect(s.first()).toBeNull();
  });

  it('moves the focus with the arrow keys without selecting, and extends from the anchor with Shift', async () => {
    const { s } = make();
    // Nothing selected: arrows from 0 to 3, then Shift+Right twice selects 3..5.
    await s.moveFocus(0, 1, false);
    await s.moveFocus(1, 3, false);
    expect(s.size).toBe(0);
    await s.moveFocus(3, 4, true);
    await s.moveFocus(4, 5, true);
    expect(s.ids()).toEqual(range(3, 5));
    // Shift+Left back past the anchor.
    for (const [from, to] of [[5, 4], [4, 3], [3, 2], [2, 1]] as const) await s.moveFocus(from, to, true);
    expect(s.ids()).toEqual(range(1, 3));
    // Plain arrows keep the selection; Space toggles where the focus is, and that is the new anchor.
    await s.moveFocus(1, 8, false);
    expect(s.ids()).toEqual(range(1, 3));
    await s.toggle(8, id(8));
    await s.moveFocus(8, 9, true);
    expect(s.ids()).toEqual([...range(1, 3), ...range(8, 9)]);
  });

  it('applies changes in order even when a range waits for ids', async () => {
    const { s, hold } = make(100, (i) => i < 10);
    await s.only(2, id(2));
    const release = hold();
    const ranged = s.extendTo(60);
    const toggled = s.toggle(70, id(70));
    expect(s.pending).toBe(2);
    release();
    await Promise.all([ranged, toggled]);
    expect(s.ids()).toEqual([...range(2, 60), id(70)]);
    expect(s.pending).toBe(0);
  });

  it('drops a range answered after the view changed, and a change of view clears the selection', async () => {
    const a = fakeView(100, (i) => i < 10);
    const b = fakeView(5);
    const s = new Selection();
    s.setView(a.view);
    await s.only(2, id(2));
    const release = a.hold();
    const late = s.extendTo(60);
    s.setView(b.view);
    release();
    await late;
    expect(s.size).toBe(0);
    await s.only(1, id(1));
    expect(s.ids()).toEqual(ids(1));
  });

  it('keeps the error of a range whose ids could not be fetched, and the selection as it was', async () => {
    const s = new Selection();
    s.setView({ total: () => 100, idAt: (i) => (i < 10 ? id(i) : undefined), ids: () => Promise.reject(new Error('offline')) });
    await s.only(2, id(2));
    await s.extendTo(50);
    expect((s.error as Error).message).toBe('offline');
    expect(s.ids()).toEqual(ids(2));
    await s.toggle(3, id(3));
    expect(s.error).toBeNull();
  });

  it('selects a review list and forgets photos that left the view', async () => {
    const { s } = make();
    await s.selectList(ids(4, 5, 6));
    await s.forget(ids(5));
    expect(s.ids()).toEqual(ids(4, 6));
  });

  it('survives scrolling through a 100,000-photo grid: ids, not cells; all of it selected in one request', async () => {
    const N = 100_000;
    // The grid keeps only the pages near the view: which ones are loaded moves as it scrolls.
    let window0 = 0;
    const f = fakeView(N, (i) => i >= window0 && i < window0 + 400);
    const s = new Selection();
    s.setView(f.view);
    await s.only(100, id(100));
    await s.extendTo(350);
    for (window0 = 0; window0 < N; window0 += 5000) {
      expect(s.countIn(window0, window0 + 399).known).toBe(Math.min(400, N - window0));
    }
    // Scrolled far away: the selection is intact, and counts as selected when its pages come back.
    window0 = 0;
    expect(s.size).toBe(251);
    expect(s.countIn(100, 350)).toEqual({ selected: 251, known: 251 });
    // Shift-click at the far end: one request for the ids in between.
    window0 = N - 400;
    await s.extendTo(N - 1);
    expect(f.calls).toEqual([{ offset: 100, limit: N - 100 }]);
    expect(s.size).toBe(N - 100);
    const t0 = performance.now();
    await s.selectAll();
    const ordered = s.ids();
    const ms = performance.now() - t0;
    expect(ordered).toHaveLength(N);
    expect(ordered[0]).toBe(id(0));
    expect(ordered[N - 1]).toBe(id(N - 1));
    expect(ms).toBeLessThan(500);
  });
});

describe('Selection.all', () => {
  it('says the whole view is selected after Ctrl/Cmd-A or a whole review list, until a photo is deselected', async () => {
    const { s } = make(20, (i) => i < 5);
    expect(s.all).toBe(false);
    await s.selectAll();
    expect(s.all).toBe(true);
    await s.toggle(3, id(3));
    expect(s.all).toBe(false);
    await s.toggle(3, id(3)); // selected again, but no longer known to be everything
    expect(s.all).toBe(false);
    await s.selectList(ids(1, 2), true);
    expect(s.all).toBe(true);
    await s.setRange(0, 1, false);
    expect(s.all).toBe(false);
    await s.selectList(ids(1, 2));
    expect(s.all).toBe(false);
    await s.selectAll();
    await s.clear();
    expect(s.all).toBe(false);
  });
});
