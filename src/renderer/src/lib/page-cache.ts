// Pages of a long list fetched on demand and cached: in-flight requests shared, stale pages kept
// on screen until their fresh copy arrives, answers for an older query dropped.

export interface Page<T> {
  total: number;
  items: T[];
}

export type PageFetcher<T> = (offset: number, limit: number) => Promise<Page<T>>;

interface Entry<T> {
  items: T[];
  stale: boolean;
}

export class PageCache<T> {
  /** Photos in the list as last reported; null before the first page arrives. */
  total: number | null = null;
  /** The last fetch error, cleared by the next page that arrives. */
  error: unknown = null;
  private pages = new Map<number, Entry<T>>();
  private inflight = new Map<number, Promise<void>>();
  private generation = 0;

  constructor(
    private fetchPage: PageFetcher<T>,
    readonly pageSize = 200,
    /** Called whenever pages, total or error change (the view bumps its version). */
    private onChange: () => void = () => {},
  ) {}

  /** Another query (folder, tag): everything cached belongs to the old one. */
  reset(fetchPage?: PageFetcher<T>): void {
    if (fetchPage) this.fetchPage = fetchPage;
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.total = null;
    this.error = null;
    this.onChange();
  }

  /** The data changed: keep showing what is cached, but fetch each page again when it is needed. */
  invalidate(): void {
    for (const e of this.pages.values()) e.stale = true;
  }

  get(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.items[index % this.pageSize];
  }

  /** The items of a page, stale or not; undefined until fetched. */
  page(page: number): readonly T[] | undefined {
    return this.pages.get(page)?.items;
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  /** Fetches every page touching [first, last] (and `ahead` pages either side) that is missing or stale. */
  ensure(first: number, last: number, ahead = 0): Promise<void> {
    const p0 = Math.max(0, Math.floor(first / this.pageSize) - ahead);
    let p1 = Math.floor(Math.max(first, last) / this.pageSize) + ahead;
    if (this.total !== null) p1 = Math.min(p1, Math.max(0, Math.ceil(this.total / this.pageSize) - 1));
    const waits: Promise<void>[] = [];
    for (let p = p0; p <= p1; p++) {
      const e = this.pages.get(p);
      if (e && !e.stale) continue;
      waits.push(this.load(p));
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** The item at `index`, fetching its page when it is not cached. */
  async fetch(index: number): Promise<T | undefined> {
    const page = Math.floor(index / this.pageSize);
    if (!this.pages.has(page)) await this.load(page);
    return this.get(index);
  }

  private load(page: number): Promise<void> {
    const running = this.inflight.get(page);
    if (running) return running;
    const gen = this.generation;
    const done = this.fetchPage(page * this.pageSize, this.pageSize).then(
      (res) => {
        if (gen !== this.generation) return;
        this.inflight.delete(page);
        if (this.total !== null && res.total !== this.total) {
          // Photos came or went: every other page may have shifted.
          for (const [p, e] of this.pages) if (p !== page) e.stale = true;
        }
        this.total = res.total;
        this.error = null;
        this.pages.set(page, { items: res.items, stale: false });
        this.onChange();
      },
      (err: unknown) => {
        if (gen !== this.generation) return;
        this.inflight.delete(page);
        this.error = err;
        this.onChange();
      },
    );
    this.inflight.set(page, done);
    return done;
  }
}
