// Search and "similar" results as the Library view shows them: narrowed to the tag chosen in the
// tag list and to the photos picked on the map, and the heading that says what is shown.
import type { SearchResult } from '../../../shared/types.ts';
import { isWithin, parseTypedTag } from '../../../shared/vocabulary.ts';
import { tagLabel } from './tag-tree.ts';

/**
 * The hits that carry `tag` or a tag under it (case ignored, as the grid's tag filter matches: "Places"
 * keeps "Places|Portugal|Porto"); the result itself when no tag is chosen. The engine filters searches by
 * the tag too; this keeps results it answered before a tag was chosen (or without the filter) honest.
 */
export function narrowByTag(result: SearchResult | null, tag: string | null): SearchResult | null {
  if (!result || !tag) return result;
  const want = parseTypedTag(tag) ?? [tag];
  return { ...result, hits: result.hits.filter((h) => h.tags.some((t) => isWithin(parseTypedTag(t) ?? [t], want))) };
}

/** The hits among `ids` (a cluster picked on the map), in their order; the result itself when none are given. */
export function narrowByIds(result: SearchResult | null, ids: readonly number[] | null): SearchResult | null {
  if (!result || !ids) return result;
  const keep = new Set(ids);
  return { ...result, hits: result.hits.filter((h) => keep.has(h.id)) };
}

/** "Results for “red”", "Similar to IMG_0042.jpg", with " tagged beach" when a tag narrows them. */
export function resultsHeading(query: string, similarTo: string | null, tag: string | null): string {
  const base = similarTo !== null ? `Similar to ${similarTo}` : `Results for “${query.trim()}”`;
  return tag ? `${base} tagged ${tagLabel(tag)}` : base;
}
