// The library grid's photos: listPhotos pages (200 at a time) fetched on demand and cached, under
// an optional folder, tag (its children included), suggested tag (a review), least rating, colour
// label, given photos (a cluster picked on the map) and place (the Places facet); `version` changes
// whenever a page, the total or the error does. The same view's ids, in grid order, come from
// photoIds (select all, Shift ranges over pages not loaded).
import type { ShoeboxClient } from '../../../shared/contract.ts';
import type { ArgOf } from '../../../shared/schema.ts';
import type { PhotoSummary, PlaceFilter } from '../../../shared/types.ts';
import { errorMessage } from './format.ts';
import { monthRuns, type MonthRun } from './months.ts';
import { PageCache, type PageFetcher } from './page-cache.ts';

export const PAGE_SIZE = 200;

export interface PhotoQuery {
  folder?: string;
  tag?: string;
  suggested?: string;
  minRating?: number;
  label?: string;
  /** Only these photos (a cluster picked on the map); compared by identity: a new list is a new view. */
  ids?: number[];
  /** Taken at this place (the Places facet); compared by its fields. */
  place?: PlaceFilter;
  /** Showing each of these people (the person chip: app.searchPerson); compared by their ids. */
  people?: number[];
}

const QUERY_KEYS = ['folder', 'tag', 'suggested', 'minRating', 'label', 'ids'] as const;

/** A place filter as one string, for comparing views. */
function placeKey(p: PlaceFilter | undefined): string | undefined {
  return p ? JSON.stringify([p.countryCode, p.region, p.city]) : undefined;
}

/** A number per list of ids seen, so a view's key stays short however many photos a map cluster holds. */
const idLists = new WeakMap<readonly number[], number>();
let idListsSeen = 0;
function idsKey(ids: readonly number[]): string {
  let n = idLists.get(ids);
  if (n === undefined) idLists.set(ids, (n = ++idListsSeen));
  return `${n}:${ids.length}`;
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

  /** Shows another folder, tag, review or rating (or the whole library); a no-op when nothing changed. */
  setQuery(q: PhotoQuery): void {
    const next: PhotoQuery = {};
    if (q.folder) next.folder = q.folder;
    if (q.tag) next.tag = q.tag;
    if (q.suggested) next.suggested = q.suggested;
    if (q.minRating !== undefined && q.minRating > 0) next.minRating = q.minRating;
    if (q.label) next.label = q.label;
    if (q.ids) next.ids = q.ids;
    if (q.place && (q.place.countryCode || q.place.region || q.place.city)) next.place = { ...q.place };
    if (q.people?.length) next.people = [...q.people];
    if (
      QUERY_KEYS.every((k) => next[k] === this.query[k]) &&
      placeKey(next.place) === placeKey(this.query.place) &&
      String(next.people ?? '') === String(this.query.people ?? '')
    )
      return;
    this.query = next;
    this.queryKey = JSON.stringify({ ...next, ids: next.ids ? idsKey(next.ids) : undefined });
    this.cache.reset(this.fetcher());
  }

  /** The view's ids from `offset` in grid order (`limit` of them, or all the rest). */
  ids(offset: number, limit?: number): Promise<number[]> {
    const args: ArgOf<'photoIds'> = { ...this.query };
    if (offset > 0) args.offset = offset;
    if (limit !== undefined) args.limit = limit;
    return this.client.call('photoIds', args);
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
