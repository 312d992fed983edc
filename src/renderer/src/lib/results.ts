// Search and "similar" results as the Library view shows them: narrowed to the tag chosen in the
// tag list and to the photos picked on the map, and the heading that says what is shown (with what the
// search understood, issue 13).
import type { SearchResult } from '../../../shared/types.ts';
import { isWithin, parseTypedTag } from '../../../shared/vocabulary.ts';
import { understoodPhrase } from './query-chips.ts';
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

/** What else heads the results: the answer (what it understood, the words it searched), the removed chips' words, the Places facet's place, the person chip's person. */
export interface HeadingContext {
  result?: SearchResult | null;
  literal?: readonly string[];
  /** The place chosen in the Places facet, in words ("Porto, Portugal"). */
  place?: string | null;
  /** The person of the person chip (a person's Photos in the People view), by name ("Mia"). */
  person?: string | null;
}

/**
 * "Results for “red”", "Similar to IMG_0042.jpg", with " tagged beach" when a tag narrows them. When the
 * answer to this very query understood something: "Photos in Portugal, summer 2019" (no words left: the
 * filtered photos by date) or "Results for “beach” in Portugal, summer 2019". The facet's place: " in Porto, Portugal".
 */
export function resultsHeading(query: string, similarTo: string | null, tag: string | null, ctx: HeadingContext = {}): string {
  const q = query.trim();
  const r = ctx.result;
  const phrase = similarTo === null && r && r.query === q ? understoodPhrase(r.understood, ctx.literal) : null;
  let base: string;
  if (similarTo !== null) base = `Similar to ${similarTo}`;
  else if (phrase !== null) base = r!.text ? `Results for “${r!.text}” ${phrase}` : `Photos ${phrase}`;
  else base = `Results for “${q}”`;
  if (ctx.place) base += phrase !== null ? `, in ${ctx.place}` : ` in ${ctx.place}`;
  if (ctx.person) base += phrase !== null ? `, with ${ctx.person}` : ` with ${ctx.person}`;
  return tag ? `${base} tagged ${tagLabel(tag)}` : base;
}
