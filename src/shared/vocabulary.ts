// The tag vocabulary's rules, as pure functions: what makes two tags one tag, how a hierarchical tag is
// read from and written to the fields Lightroom and digiKam use, and how the CLI's tag lists split. The
// engine (media/xmp.ts reading and writing sidecars, annotate, the catalog), the CLI and the window all
// use these, so a tag is the same tag wherever it is typed or read: it lives in src/shared because
// media/ (the bottom layer of the engine) and the renderer both need it.
//
// A tag's text. Unicode NFC (a composed "é" and an "e" + combining acute are one letter), control
// characters dropped, every run of whitespace (tabs, newlines, no-break spaces) one space, trimmed.
// Nothing left: not a tag (normalizeTag gives null). Two tags are one when their keys (tagKey: the
// text lowercased, locale-independent) are equal, so "Beach", "beach " and "beach" are one tag; when
// lists are merged the first spelling met wins (mergeTags), so the one the user typed first stays.
//
// A hierarchical tag is a path of such segments, root first: ["Places", "Portugal", "Porto"]. Two
// paths are one when every segment's key is equal (pathKey); a path's leaf is its last segment
// ("Porto"), its ancestors the paths above it (["Places"], ["Places", "Portugal"]). A plain tag is a
// path of one segment. A path's text depends on the field that holds it, and the separators mean
// something in those fields only:
//   - lr:hierarchicalSubject (Lightroom; digiKam writes it too): "Places|Portugal|Porto";
//   - digiKam:TagsList (digiKam): "Places/Portugal/Porto";
//   - dc:subject (everyone): no hierarchy, only names. Lightroom and digiKam put a path's leaf there
//     ("Porto"), Lightroom also the ancestors ("Portugal", "Places"), so each reads the other's tags.
// Reading, blank segments are dropped ("Places||Porto", "/Places/Porto/" → ["Places", "Porto"]).
// Writing, a path one of its segments cannot be spelt in (a Lightroom keyword "AC/DC" in
// digiKam:TagsList, where digiKam would read two levels) is left out of that field only
// (formatHierarchy gives null): that program cannot name it, and a wrong path would be worse.
//
// [Note: typed tags] How a tag the user types relates to a path. "Porto" and "Places|Portugal|Porto"
// are different tags: the first is a top-level tag, the second the city under Portugal. Typed text
// (the window's tag box, the CLI's tag arguments) is read with parseTypedTag, whose only separator is
// "|", Lightroom's: "Places|Portugal|Porto" is that path. A typed "/" is a character, never a level:
// "AC/DC", "24/7", "1/2 marathon" and "05/2019" are tags people use, the flat keywords Shoebox already
// imported from dc:subject hold them, and Lightroom allows "/" in a keyword's name. "/" separates
// levels in digiKam:TagsList only, as digiKam itself does in that field. When a photo's file carries
// hierarchical fields, a dc:subject name that is a segment of one of its paths is that path's flat
// copy, not a tag of its own (flatKeywords leaves it out).
//
// CLI tag lists (parseTagList): commas separate tags, a double-quoted tag may hold commas, and a
// doubled quote inside quotes is one quote, as in CSV: `"Smith, John", beach` → "Smith, John", "beach".

/** A hierarchical tag: its segments, root first, each a normalized tag. A plain tag has one segment. */
export type TagPath = readonly string[];

/** The fields a path is written in, and the separator of each. */
export const HIERARCHY_SEPARATORS = { lightroom: '|', digikam: '/' } as const;
export type HierarchyField = keyof typeof HIERARCHY_SEPARATORS;

// C0 and C1 control characters other than whitespace (NUL padding from fixed-size EXIF fields, escapes);
// NEL (U+0085), a line break, counts as whitespace.
// eslint-disable-next-line no-control-regex -- these are what it removes
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;
// Joins the segment keys of a path: a control character, so no normalized segment holds it.
const PATH_KEY_JOIN = '\u001f';

/** The tag as Shoebox keeps it: NFC, control characters dropped, whitespace runs one space, trimmed; null when nothing is left. */
export function normalizeTag(text: string): string | null {
  const tag = text.normalize('NFC').replace(/\u0085/g, ' ').replace(CONTROL, '').replace(/\s+/gu, ' ').trim();
  return tag === '' ? null : tag;
}

/** What makes two tags one: the normalized text lowercased ("" for a text that is no tag). */
export function tagKey(text: string): string {
  return (normalizeTag(text) ?? '').toLowerCase().normalize('NFC');
}

/** Whether two texts are the same tag ("Beach" and " beach"). */
export function sameTag(a: string, b: string): boolean {
  const key = tagKey(a);
  return key !== '' && key === tagKey(b);
}

/** The lists' tags normalized, each tag once (by tagKey) in its first spelling, in the order first met; blanks dropped. */
export function mergeTags(...lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const text of list) {
      const tag = normalizeTag(text);
      if (tag === null) continue;
      const key = tagKey(tag);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(tag);
    }
  }
  return out;
}

/** The path with each segment normalized and blank segments dropped; null when no segment is left. */
export function normalizePath(segments: readonly string[]): string[] | null {
  const path = segments.map(normalizeTag).filter((s): s is string => s !== null);
  return path.length ? path : null;
}

/** A path as a field holds it ("Places|Portugal|Porto" for lightroom, "Places/Portugal/Porto" for digikam); null when it holds no segment. */
export function parseHierarchy(text: string, field: HierarchyField): string[] | null {
  return normalizePath(text.split(HIERARCHY_SEPARATORS[field]));
}

/**
 * The path as the field spells it, or null when it cannot: no segment, or a segment that holds the field's
 * separator (see the file header: that path is left out of that field).
 */
export function formatHierarchy(path: TagPath, field: HierarchyField): string | null {
  const segments = normalizePath(path);
  const separator = HIERARCHY_SEPARATORS[field];
  if (segments === null || segments.some((s) => s.includes(separator))) return null;
  return segments.join(separator);
}

/** A tag the user typed (the window, the CLI): "|" separates levels, "/" is a character ([Note: typed tags]); null when blank. */
export function parseTypedTag(text: string): string[] | null {
  return parseHierarchy(text, 'lightroom');
}

/** A path as the user types it (parseTypedTag's inverse); null when a segment holds "|" (a digiKam name) or there is none. */
export function formatTypedTag(path: TagPath): string | null {
  return formatHierarchy(path, 'lightroom');
}

/** What makes two paths one: each segment's tagKey, joined. */
export function pathKey(path: TagPath): string {
  return path.map(tagKey).filter(Boolean).join(PATH_KEY_JOIN);
}

/** Whether two paths are the same tag (every segment the same tag). */
export function samePath(a: TagPath, b: TagPath): boolean {
  const key = pathKey(a);
  return key !== '' && key === pathKey(b);
}

/** The paths normalized, each once (by pathKey) in its first spelling, in the order first met; empty paths dropped. */
export function mergePaths(...lists: readonly (readonly TagPath[])[]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const list of lists) {
    for (const raw of list) {
      const path = normalizePath(raw);
      if (path === null) continue;
      const key = pathKey(path);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(path);
    }
  }
  return out;
}

/** The path's last segment: "Porto" of Places/Portugal/Porto ("" for an empty path). */
export function leafOf(path: TagPath): string {
  return normalizePath(path)?.at(-1) ?? '';
}

/** The paths above this one, root first: [["Places"], ["Places", "Portugal"]] for Places/Portugal/Porto. */
export function ancestorsOf(path: TagPath): string[][] {
  const segments = normalizePath(path) ?? [];
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1));
}

/** Whether `path` is `parent` or lies under it (selecting a parent in the tag tree includes its children). */
export function isWithin(path: TagPath, parent: TagPath): boolean {
  const [p, q] = [normalizePath(path) ?? [], normalizePath(parent) ?? []];
  return q.length > 0 && q.length <= p.length && q.every((s, i) => tagKey(s) === tagKey(p[i]!));
}

/** The dc:subject names of these paths: their leaves, each once (first spelling), in order. */
export function subjectNames(paths: readonly TagPath[]): string[] {
  return mergeTags(paths.map(leafOf));
}

/**
 * The keywords that are tags of their own beside these paths: those that name no segment of any of them. Read
 * from one photo's file, a dc:subject "Porto" or "Portugal" next to lr:hierarchicalSubject "Places|Portugal|Porto"
 * is Lightroom's or digiKam's flat copy of that path, not a top-level tag (see the file header).
 */
export function flatKeywords(keywords: readonly string[], paths: readonly TagPath[]): string[] {
  const named = new Set(paths.flatMap((p) => (normalizePath(p) ?? []).map(tagKey)));
  return mergeTags(keywords).filter((k) => !named.has(tagKey(k)));
}

/** A CLI tag list that cannot be read: names what is wrong. */
export class TagListError extends Error {
  override readonly name = 'TagListError';
}

/**
 * The tags of a CLI list: commas separate them; a tag that starts with a double quote runs to the closing quote
 * and may hold commas (`"Smith, John", beach`); inside quotes `""` is one quote. A quote inside an unquoted tag is a
 * character (`5" print`). Each tag normalized, blanks dropped, merged (mergeTags). Throws TagListError on a quote
 * left open. Levels ("|") are not split here: each tag goes to parseTypedTag.
 */
export function parseTagList(text: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false; // inside a quoted part
  let started = false; // a character other than whitespace is in `current`
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') current += ch;
      else if (text[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = false;
    } else if (ch === ',') {
      items.push(current);
      current = '';
      started = false;
    } else if (ch === '"' && !started) {
      quoted = true;
      started = true;
    } else {
      current += ch;
      if (!/\s/u.test(ch)) started = true;
    }
  }
  if (quoted) throw new TagListError(`A quote is not closed in the tag list: ${text}`);
  items.push(current);
  return mergeTags(items);
}

/** A list of tags as parseTagList reads it back: a tag with a comma or a leading quote is quoted. */
export function formatTagList(tags: readonly string[]): string {
  return tags.map((t) => (t.includes(',') || t.startsWith('"') ? `"${t.replace(/"/g, '""')}"` : t)).join(', ');
}
