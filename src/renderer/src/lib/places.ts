// Places as the window shows them (issue 13): a photo's place in words, the picker's matches, and the
// Places facet — the library's places as a tree (country → region → city) with counts, the filter each
// node stands for, its name, and the facet's arrow keys. Pure functions.
import type { CountryPlaces, PhotoPlace, PlaceFilter, PlaceMatch } from '../../../shared/types.ts';

/** Folded for comparing names as the engine does: case and accents ignored ("München" is "munchen"). */
export function foldName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .trim();
}

/** Names with a repeat left out, in order: the city of Lisbon in the district of Lisbon is "Lisbon, Portugal". */
function distinct(names: readonly (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const n of names) if (n && !out.some((o) => foldName(o) === foldName(n))) out.push(n);
  return out;
}

/** A photo's place in words: city, region, country ("Munich, Bavaria, Germany"); null when it has none. */
export function placeLine(p: Pick<PhotoPlace, 'city' | 'region' | 'country'> | null | undefined): string | null {
  if (!p) return null;
  const names = distinct([p.city, p.region, p.country]);
  return names.length ? names.join(', ') : null;
}

const KIND_WORD: Record<PlaceMatch['kind'], string> = { city: 'town or city', region: 'region', country: 'country' };

/**
 * How the picker lists a match: its name (the one typed when that was an alternate: "Lisboa"), where it
 * lies ("Lisbon, Portugal" for the city of Lisbon), and what it is.
 */
export function matchView(m: PlaceMatch, typed = ''): { name: string; also: string | null; where: string; kind: string; label: string } {
  const shown = m.names[0] ?? m.city ?? m.region ?? m.country ?? m.id;
  const t = foldName(typed);
  const alt = t && !foldName(shown).startsWith(t) ? (m.names.find((n) => foldName(n).startsWith(t)) ?? null) : null;
  const where = distinct(m.kind === 'city' ? [m.region, m.country] : m.kind === 'region' ? [m.country] : []).filter((n) => foldName(n) !== foldName(shown));
  const whereText = where.join(', ');
  const kind = KIND_WORD[m.kind];
  const label = [shown + (alt ? ` (${alt})` : ''), whereText, kind].filter(Boolean).join(', ');
  return { name: shown, also: alt, where: whereText, kind, label };
}

/** A node of the Places facet: a country, a region or a city, with the grid's filter it stands for. */
export interface PlaceNode {
  /** The engine's id of the place ('country:PT', 'region:PT.14', 'city:2267057'): the node's key. */
  id: string;
  kind: 'country' | 'region' | 'city';
  name: string;
  photos: number;
  filter: PlaceFilter;
  children: PlaceNode[];
}

/**
 * The library's places as the facet shows them, most photos first (as the engine orders them). A country's
 * photos whose region is not known hang their cities on the country itself; a region of no known name
 * gets no node of its own (its photos count in the country's number).
 */
export function placeTree(countries: readonly CountryPlaces[]): PlaceNode[] {
  return countries.map((c) => {
    const children: PlaceNode[] = [];
    for (const r of c.regions) {
      const cities = (region: string | null): PlaceNode[] =>
        r.cities.map((city) => ({
          id: city.id,
          kind: 'city',
          name: city.name,
          photos: city.photos,
          filter: region === null ? { countryCode: c.countryCode, city: city.name } : { countryCode: c.countryCode, region, city: city.name },
          children: [],
        }));
      if (r.region === null || r.name === '') children.push(...cities(null));
      else children.push({ id: r.id, kind: 'region', name: r.name, photos: r.photos, filter: { countryCode: c.countryCode, region: r.region }, children: cities(r.region) });
    }
    return { id: c.id, kind: 'country', name: c.name, photos: c.photos, filter: { countryCode: c.countryCode }, children };
  });
}

/** Whether two place filters pick the same photos (case ignored, as the engine matches them). */
export function sameFilter(a: PlaceFilter | null | undefined, b: PlaceFilter | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  const f = (s: string | undefined) => (s === undefined ? undefined : foldName(s));
  return f(a.countryCode) === f(b.countryCode) && f(a.region) === f(b.region) && f(a.city) === f(b.city);
}

/** The node of the tree a filter picks, with the nodes above it (country first); null when none is. */
export function findNode(tree: readonly PlaceNode[], filter: PlaceFilter | null | undefined): { node: PlaceNode; path: PlaceNode[] } | null {
  if (!filter) return null;
  const walk = (nodes: readonly PlaceNode[], path: PlaceNode[]): { node: PlaceNode; path: PlaceNode[] } | null => {
    for (const n of nodes) {
      if (sameFilter(n.filter, filter)) return { node: n, path };
      const below = walk(n.children, [...path, n]);
      if (below) return below;
    }
    return null;
  };
  return walk(tree, []);
}

/** A place filter in words, the place and its country ("Porto, Portugal", "Bavaria, Germany") when the tree knows it, else the filter's own words ("Porto", "PT"). */
export function filterLabel(filter: PlaceFilter, tree: readonly PlaceNode[]): string {
  const found = findNode(tree, filter);
  if (found) return distinct([found.node.name, found.path[0]?.name]).join(', ');
  return filter.city ?? filter.region ?? filter.countryCode ?? 'this place';
}

/** The nodes a person sees, top to bottom, with the open ones' children: what the facet's arrow keys walk. */
export function visibleNodes(tree: readonly PlaceNode[], open: Readonly<Record<string, boolean>>): { node: PlaceNode; parent: string | null }[] {
  const out: { node: PlaceNode; parent: string | null }[] = [];
  const walk = (nodes: readonly PlaceNode[], parent: string | null) => {
    for (const n of nodes) {
      out.push({ node: n, parent });
      if (open[n.id] && n.children.length) walk(n.children, n.id);
    }
  };
  walk(tree, null);
  return out;
}

/**
 * What an arrow key (or Home/End) does on the facet's node `at`, as a tree view's keys do: Down and Up move
 * through the visible nodes, Right opens a closed node (or moves to its first child), Left closes an open
 * one (or moves to its parent). Null when the key is not one of these or changes nothing.
 */
export function treeKey(
  tree: readonly PlaceNode[],
  open: Readonly<Record<string, boolean>>,
  at: string,
  key: string,
): { focus: string } | { open: string; value: boolean } | null {
  const shown = visibleNodes(tree, open);
  const i = shown.findIndex((s) => s.node.id === at);
  if (i < 0) return null;
  const { node, parent } = shown[i]!;
  const to = (j: number) => (j >= 0 && j < shown.length && j !== i ? { focus: shown[j]!.node.id } : null);
  switch (key) {
    case 'ArrowDown':
      return to(i + 1);
    case 'ArrowUp':
      return to(i - 1);
    case 'Home':
      return to(0);
    case 'End':
      return to(shown.length - 1);
    case 'ArrowRight':
      if (node.children.length === 0) return null;
      return open[node.id] ? { focus: node.children[0]!.id } : { open: node.id, value: true };
    case 'ArrowLeft':
      if (open[node.id] && node.children.length) return { open: node.id, value: false };
      return parent ? { focus: parent } : null;
    default:
      return null;
  }
}
