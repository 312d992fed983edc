// The photos a person has selected in the current view (the library grid, a tag or folder, search
// results, a suggestions review), as ids, never elements: a virtualized grid of 100,000 photos renders
// a few dozen cells at a time, and the selection must outlive every one of them.
//
// Positions are grid indexes (the view's order, across month groups). The anchor is where a range
// starts (the last plain selection or toggle: a click, Ctrl/Cmd-click, Space); Shift-click and
// Shift+arrows select anchor → there, replacing the range the previous Shift step added (as Finder
// and Explorer do: Shift-clicking nearer the anchor shrinks the range). A range over photos whose
// pages the grid has not loaded asks the view for their ids (photoIds with offset and limit).
//
// Every change runs in order through one queue (a range may wait for ids); a change of view clears
// the selection and drops answers still on their way for the old one.

/** The view the selection is made in: its photos in grid order. */
export interface SelectionView {
  /** Photos in the view; null while unknown. */
  total(): number | null;
  /** The id at grid index `index` when it is at hand (its page is loaded); undefined otherwise. */
  idAt(index: number): number | undefined;
  /** The ids from `offset` in grid order: `limit` of them, or all the rest when limit is undefined. */
  ids(offset: number, limit?: number): Promise<number[]>;
}

export class Selection {
  /** Selected id → its grid index when it was selected (for grid order and "the first"). */
  private selected = new Map<number, number>();
  /** Where a Shift range starts (grid index); null until a photo is clicked, toggled or selected. */
  anchor: number | null = null;
  /** The last photo a step reached (grid index): a Shift+arrow without an anchor starts here. */
  focus: number | null = null;
  /** The ids the last Shift range added that were not selected before it (the next Shift step takes them back). */
  private rangeAdded: number[] = [];
  /** The last error of a change (ids that could not be fetched); cleared by the next change. */
  error: unknown = null;
  /** Changes waiting for ids from the view. */
  pending = 0;
  private view: SelectionView | null = null;
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Whether every photo of the view is selected (select all, a whole review), until one is deselected. */
  private whole = false;
  /** Whether the Map's order is grid order (ranges and lists added in order to an empty selection): no sort needed. */
  private ordered = true;
  private lastIndex = -1;

  constructor(private onChange: () => void = () => {}) {}

  /** Another view (folder, tag, search, review): the selection is cleared; answers for the old view are dropped. */
  setView(view: SelectionView | null): void {
    this.view = view;
    this.generation++;
    this.reset();
    this.onChange();
  }

  get size(): number {
    return this.selected.size;
  }

  has(id: number): boolean {
    return this.selected.has(id);
  }

  /** Whether the whole view is selected (Ctrl/Cmd-A, a review's list) and nothing was deselected since. */
  get all(): boolean {
    return this.whole && this.selected.size > 0;
  }

  /** The selected ids, in grid order (as they were when selected). */
  ids(): number[] {
    if (this.ordered) return [...this.selected.keys()];
    return [...this.selected].sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  }

  /** The selected ids in the order they were selected in (cheapest: for edits, whose order does not matter). */
  idsUnordered(): number[] {
    return [...this.selected.keys()];
  }

  /** The first selected photo in grid order: its id and index; null when none. */
  first(): { id: number; index: number } | null {
    let best: { id: number; index: number } | null = null;
    for (const [id, index] of this.selected) if (!best || index < best.index) best = { id, index };
    return best;
  }

  /** How many of the photos at these grid indexes are selected, and how many of those indexes have a known id. */
  countIn(first: number, last: number): { selected: number; known: number } {
    let selected = 0;
    let known = 0;
    const v = this.view;
    if (!v) return { selected, known };
    for (let i = first; i <= last; i++) {
      const id = v.idAt(i);
      if (id === undefined) continue;
      known++;
      if (this.selected.has(id)) selected++;
    }
    return { selected, known };
  }

  /** Only this photo (a click). */
  only(index: number, id: number): Promise<void> {
    return this.change(() => {
      this.reset();
      this.add(id, index);
      this.anchor = index;
      this.focus = index;
    });
  }

  /** Selects or deselects this photo (Ctrl/Cmd-click, Space); it becomes the anchor. */
  toggle(index: number, id: number): Promise<void> {
    return this.change(() => {
      if (this.selected.has(id)) this.deselect(id);
      else this.add(id, index);
      this.anchor = index;
      this.focus = index;
      this.rangeAdded = [];
    });
  }

  /**
   * Selects anchor → `index` (Shift-click), instead of the range the last Shift step added. Without an
   * anchor, `from` (where the keyboard focus was) is the anchor; without either, only this photo.
   */
  extendTo(index: number, from: number | null = null): Promise<void> {
    return this.change(async (gen) => {
      const anchor = this.anchor ?? from ?? this.focus ?? index;
      const [a, b] = anchor <= index ? [anchor, index] : [index, anchor];
      const ids = await this.idsIn(a, b);
      if (gen !== this.generation) return;
      for (const id of this.rangeAdded) this.deselect(id);
      this.rangeAdded = [];
      for (const [k, id] of ids.entries()) {
        if (this.selected.has(id)) continue;
        this.add(id, a + k);
        this.rangeAdded.push(id);
      }
      this.anchor = anchor;
      this.focus = index;
    });
  }

  /** Selects (or deselects) every photo of grid indexes first..last (a month heading's checkbox). */
  setRange(first: number, last: number, on: boolean): Promise<void> {
    return this.change(async (gen) => {
      const ids = await this.idsIn(first, last);
      if (gen !== this.generation) return;
      for (const [k, id] of ids.entries()) {
        if (on) {
          if (!this.selected.has(id)) this.add(id, first + k);
        } else this.deselect(id);
      }
      this.rangeAdded = [];
      this.anchor = first;
    });
  }

  /** Everything in the view (Ctrl/Cmd-A). */
  selectAll(): Promise<void> {
    return this.change(async (gen) => {
      const v = this.view;
      if (!v) return;
      const ids = await v.ids(0);
      if (gen !== this.generation) return;
      this.reset();
      for (const [k, id] of ids.entries()) this.add(id, k);
      this.anchor = null;
      this.whole = true;
    });
  }

  /**
   * Exactly these ids, given in grid order from index 0 (a review opens with all its photos selected);
   * `whole` says they are every photo of the view.
   */
  selectList(ids: readonly number[], whole = false): Promise<void> {
    return this.change(() => {
      this.reset();
      for (const [k, id] of ids.entries()) this.add(id, k);
      this.whole = whole;
    });
  }

  /** Deselects these ids (photos that left the view after an edit). */
  forget(ids: readonly number[]): Promise<void> {
    return this.change(() => {
      for (const id of ids) this.deselect(id);
    });
  }

  /** Nothing selected (Escape). */
  clear(): Promise<void> {
    return this.change(() => this.reset());
  }

  /**
   * The keyboard moved from `from` to `to`. With Shift (extend) the range anchor → `to` is selected (the
   * anchor is `from` when there is none); without it only the focus moves, and while nothing is selected
   * the anchor goes, so the next Shift step starts where the focus is.
   */
  moveFocus(from: number, to: number, extend: boolean): Promise<void> {
    if (extend) return this.extendTo(to, from);
    return this.change(() => {
      this.focus = to;
      if (this.selected.size === 0) this.anchor = null;
    });
  }

  /** Runs changes one after another; the view's generation tells a change whether its answer is stale. */
  private change(fn: (gen: number) => void | Promise<void>): Promise<void> {
    const gen = this.generation;
    this.pending++;
    const run = async (): Promise<void> => {
      try {
        if (gen !== this.generation) return;
        await fn(gen);
        if (gen === this.generation) this.error = null;
      } catch (e) {
        if (gen === this.generation) this.error = e;
      } finally {
        this.pending--;
        this.onChange();
      }
    };
    const done = this.queue.then(run);
    this.queue = done;
    return done;
  }

  private deselect(id: number): void {
    if (this.selected.delete(id)) this.whole = false;
  }

  private reset(): void {
    this.whole = false;
    this.selected.clear();
    this.rangeAdded = [];
    this.anchor = null;
    this.ordered = true;
    this.lastIndex = -1;
  }

  private add(id: number, index: number): void {
    if (index < this.lastIndex) this.ordered = false;
    this.lastIndex = Math.max(this.lastIndex, index);
    this.selected.set(id, index);
  }

  /** The ids of grid indexes first..last: from the pages at hand, else from the view (one request). */
  private async idsIn(first: number, last: number): Promise<number[]> {
    const v = this.view;
    if (!v) return [];
    const total = v.total();
    const end = total === null ? last : Math.min(last, total - 1);
    const out: number[] = [];
    for (let i = first; i <= end; i++) {
      const id = v.idAt(i);
      if (id === undefined) return v.ids(first, end - first + 1);
      out.push(id);
    }
    return out;
  }
}
