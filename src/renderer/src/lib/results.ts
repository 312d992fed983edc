// Search and "similar" results as the Library view shows them: narrowed to the tag chosen in the
// tag list, and the heading that says what is shown.
import type { SearchResult } from '../../../shared/types.ts';

/** The hits that carry `tag` (ASCII case ignored, as the grid's tag filter matches); the result itself when no tag is chosen. */
export function narrowByTag(result: SearchResult | null, tag: string | null): SearchResult | null {
  if (!result || !tag) return result;
  const want = tag.toLowerCase();
  return { ...result, hits: result.hits.filter((h) => h.tags.some((t) => t.toLowerCase() === want)) };
}

/** "Results for “red”", "Similar to IMG_0042.jpg", with " tagged beach" when a tag narrows them. */
export function resultsHeading(query: string, similarTo: string | null, tag: string | null): string {
  const base = similarTo !== null ? `Similar to ${similarTo}` : `Results for “${query.trim()}”`;
  return tag ? `${base} tagged ${tag}` : base;
}
