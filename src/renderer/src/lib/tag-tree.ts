// The tag vocabulary as the window shows it: the tag list's tree (paths "Places|Portugal|Porto" under
// their parents, with counts), the text of a path on screen ("Places › Portugal › Porto"), and the
// autocomplete of the tag boxes (most used first). Paths follow src/shared/vocabulary.ts: typed with
// "|" between levels, one tag whatever the case and spacing.
import type { TagCount } from '../../../shared/contract.ts';
import { formatTypedTag, parseTypedTag, pathKey, tagKey } from '../../../shared/vocabulary.ts';

export interface TagNode {
  /** The last segment ("Porto"). */
  name: string;
  /** The whole path as typed and as the engine names the tag ("Places|Portugal|Porto"). */
  tag: string;
  segments: string[];
  /** Photos with this tag itself (the user's), and photos a model suggests it for. */
  count: number;
  suggested: number;
  /** Whether the tag itself exists (false for a parent that only holds children). */
  isTag: boolean;
  /** This tag's and its descendants' counts added up (a photo with a parent and a child counts twice). */
  total: number;
  totalSuggested: number;
  children: TagNode[];
}

/** A path on screen: its segments joined by " › " ("Places › Portugal › Porto"); a plain tag as it is. */
export function tagLabel(tag: string): string {
  return (parseTypedTag(tag) ?? [tag]).join(' › ');
}

/**
 * The tree of the tags the user has (count > 0), children under their parents, each level by name. A
 * parent that is no tag of its own appears to hold its children. Tags only suggested (count 0) are left
 * to the suggestions review, so the model's 396 labels do not crowd the list.
 */
export function buildTagTree(counts: readonly TagCount[]): TagNode[] {
  const roots: TagNode[] = [];
  const byKey = new Map<string, TagNode>();
  const nodeFor = (segments: string[]): TagNode => {
    const key = pathKey(segments);
    let node = byKey.get(key);
    if (node) return node;
    node = {
      name: segments[segments.length - 1]!,
      tag: formatTypedTag(segments) ?? segments.join('|'),
      segments,
      count: 0,
      suggested: 0,
      isTag: false,
      total: 0,
      totalSuggested: 0,
      children: [],
    };
    byKey.set(key, node);
    if (segments.length === 1) roots.push(node);
    else nodeFor(segments.slice(0, -1)).children.push(node);
    return node;
  };
  for (const c of counts) {
    if (c.count <= 0) continue;
    const segments = parseTypedTag(c.tag);
    if (!segments) continue;
    const node = nodeFor(segments);
    // The engine's own spelling of the tag (a parent met first through a child keeps its path's spelling).
    node.tag = c.tag;
    node.isTag = true;
    node.count += c.count;
    node.suggested += c.suggested ?? 0;
  }
  const finish = (nodes: TagNode[]): void => {
    nodes.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
    for (const n of nodes) {
      finish(n.children);
      n.total = n.count + n.children.reduce((s, c) => s + c.total, 0);
      n.totalSuggested = n.suggested + n.children.reduce((s, c) => s + c.totalSuggested, 0);
    }
  };
  finish(roots);
  return roots;
}

/** The paths of every node of the tree that lies on the way to `tag` (to expand them), root first. */
export function pathTo(tag: string): string[] {
  const segments = parseTypedTag(tag) ?? [];
  return segments.slice(0, -1).map((_, i) => formatTypedTag(segments.slice(0, i + 1)) ?? segments.slice(0, i + 1).join('|'));
}

/** Whether two tag texts name one tag (case, spacing, Unicode form and levels as the engine sees them). */
export function sameTagPath(a: string, b: string): boolean {
  const pa = parseTypedTag(a);
  const pb = parseTypedTag(b);
  return !!pa && !!pb && pathKey(pa) === pathKey(pb);
}

/**
 * Autocomplete: the tags that match what is typed, most used first (user count, then suggestions),
 * a match at the start of the path or of a segment before one inside it; `exclude` (tags already
 * chosen) left out. Blank text lists the most used.
 */
export function completeTag(counts: readonly TagCount[], typed: string, limit = 8, exclude: readonly string[] = []): TagCount[] {
  const q = tagKey(typed);
  const excluded = new Set(exclude.map((t) => pathKey(parseTypedTag(t) ?? [t])));
  const scored: { c: TagCount; rank: number }[] = [];
  for (const c of counts) {
    const segments = parseTypedTag(c.tag);
    if (!segments || excluded.has(pathKey(segments))) continue;
    let rank: number;
    if (q === '') rank = 0;
    else {
      const key = tagKey(c.tag);
      if (key === q) continue; // typed in full already
      if (key.startsWith(q)) rank = 0;
      else if (segments.some((s) => tagKey(s).startsWith(q))) rank = 1;
      else if (key.includes(q)) rank = 2;
      else continue;
    }
    scored.push({ c, rank });
  }
  scored.sort((a, b) => a.rank - b.rank || b.c.count - a.c.count || b.c.suggested - a.c.suggested || a.c.tag.localeCompare(b.c.tag));
  return scored.slice(0, limit).map((s) => s.c);
}
