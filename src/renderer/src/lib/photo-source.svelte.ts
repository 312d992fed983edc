// The library grid's photos: listPhotos pages (200 at a time) fetched on demand and cached, under
// an optional folder or tag; `version` changes whenever a page, the total or the error does.
import type { ShoeboxClient } from '../../../shared/contract.ts';
import type { PhotoSummary } from '../../../shared/types.ts';
import { errorMessage } from './format.ts';
import { monthRuns, type MonthRun } from './months.ts';
import { PageCache, type PageFetcher } from './page-cache.ts';

export const PAGE_SIZE = 200;

export interface PhotoQuery {
  folder?: string;
  tag?: string;
}

export class PhotoSource {
  version = $state(0);
  /** Changes with the folder or tag shown (the grid goes back to the top). */
  queryKey = $state('');
  total = $state<number | null>(null);
  error = $state<string | null>(null);
  readonly cache: PageCache<PhotoSummary>;
  private query: PhotoQuery = {};
  private runs = new WeakMap<readonly PhotoSummary[], MonthRun[]>();

  constructor(private client: ShoeboxClient) {
    this.cache = new PageCache(this.fetcher(), PAGE_SIZE, () => {
      this.total = this.cache.total;
      this.error = this.cache.error === null ? null : errorMessage(this.cache.error);
      this.version++;
    });
  }

  private fetcher(): PageFetcher<PhotoSummary> {
    const q = { ...this.query };
    return async (offset, limit) => {
      const page = await this.client.call('listPhotos', { offset, limit, ...q });
      return { total: page.total, items: page.photos };
    };
  }

  /** Shows another folder or tag (or the whole library); a no-op when nothing changed. */
  setQuery(q: PhotoQuery): void {
    const next: PhotoQuery = {};
    if (q.folder) next.folder = q.folder;
    if (q.tag) next.tag = q.tag;
    if (next.folder === this.query.folder && next.tag === this.query.tag) return;
    this.query = next;
    this.queryKey = JSON.stringify(next);
    this.cache.reset(this.fetcher());
  }

  /** Photos changed: cached pages become stale; the ones in view (or the first) are fetched again now. */
  refresh(first: number | null, last: number | null): void {
    this.cache.invalidate();
    void this.cache.ensure(first ?? 0, last ?? 0);
  }

  /** The month runs of a fetched page (memoised per page array). */
  pageRuns(page: number): MonthRun[] | undefined {
    const items = this.cache.page(page);
    if (!items) return undefined;
    let r = this.runs.get(items);
    if (!r) {
      r = monthRuns(items);
      this.runs.set(items, r);
    }
    return r;
  }

  /** The photo list as the photo view walks it. */
  asList(): PhotoList {
    return {
      count: () => this.total ?? 0,
      idAt: async (i) => (await this.cache.fetch(i))?.id ?? null,
    };
  }
}

/** A list the photo view can step through with the arrow keys. */
export interface PhotoList {
  count(): number;
  idAt(index: number): Promise<number | null>;
}
