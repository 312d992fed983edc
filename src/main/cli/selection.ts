// Which photos a CLI edit acts on: photos named by path or id, or picked by a search or by the grid's
// filters (folder, dates, camera, tag, rating, label); and the tags, ratings and labels as typed.
//
// [Note: photos, then tags] `tags add <photo>... <tag>...` has no flag between the photos and the tags, so
// the arguments are read in order: the first must be a photo, each one after it that names a photo of the
// library (a catalogued path, else a number that is a photo's id) is one more, and the first that does not
// starts the tags. A tag that would name a photo (a number that is an id, a file name) goes after `--`, as
// git separates revisions from paths. An argument in the tags that is a file on disk, or has a photo's file
// extension, is most likely a photo that is not in the library (a typo, a folder not added): it is refused
// with "not in the library", not made into a tag called "IMG_0042.jpg".
import fs from 'node:fs';
import path from 'node:path';
import type { Repositories } from '../core/catalog/repositories.ts';
import type { PhotoFilter } from '../core/catalog/browse.ts';
import { openReadOnly, openSearcher } from '../core/read-only.ts';
import { parseTagList, tagKey, TagListError } from '../../shared/vocabulary.ts';
import { parseMinRating, searchOptions, type FilterFlags } from './search-commands.ts';
import { UsageError, type Context } from './context.ts';

/** The options that pick photos instead of naming them. */
export interface SelectionFlags extends FilterFlags {
  search?: string;
  limit?: string;
}

export const SELECTION_OPTIONS = ['search', 'folder', 'from', 'to', 'camera', 'tag', 'rating', 'label', 'limit'] as const;

/** The filter options without --search and --limit (what narrows a suggestion review). */
export const FILTER_OPTIONS = ['folder', 'from', 'to', 'camera', 'tag', 'rating', 'label'] as const;

export const SELECTION_HELP = '--search "<text>" [--limit K], --folder F, --from DATE, --to DATE, --camera C, --tag T, --rating N, --label COLOUR';

/** True when an option picks photos (--limit alone picks none). */
export function hasSelection(f: SelectionFlags): boolean {
  return FILTER_OPTIONS.some((k) => f[k] !== undefined) || f.search !== undefined;
}

const IMAGE_EXTENSION = /\.(jpe?g|png|webp|avif|tiff?|gif|heic|heif|bmp|jxl|dng|cr2|cr3|crw|nef|nrw|arw|sr2|raf|orf|rw2|pef|srw|mrw|x3f|iiq|3fr|erf)$/i;

/** The photo an argument names: a catalogued path (resolved against the working folder), else a number that is a photo's id. */
export function photoRef(repos: Pick<Repositories, 'catalog'>, arg: string): number | undefined {
  const byPath = repos.catalog.photoByPath(path.resolve(arg));
  if (byPath) return byPath.id;
  if (/^\d+$/.test(arg)) return repos.catalog.photo(Number(arg))?.id;
  return undefined;
}

/** Whether an argument looks like a photo's file rather than a tag: a file on disk, or a photo's extension. */
export function looksLikePhotoFile(arg: string): boolean {
  if (IMAGE_EXTENSION.test(arg)) return true;
  try {
    return fs.statSync(path.resolve(arg)).isFile();
  } catch {
    return false;
  }
}

/** "not in the library: /abs/IMG_1.jpg" or "…: photo 12". */
export function notInLibrary(arg: string): string {
  return `not in the library: ${/^\d+$/.test(arg) ? `photo ${arg}` : path.resolve(arg)}`;
}

/** The photos named, each of which must be in the library. */
export function resolvePhotos(repos: Pick<Repositories, 'catalog'>, args: readonly string[]): number[] {
  return args.map((a) => {
    const id = photoRef(repos, a);
    if (id === undefined) throw new Error(notInLibrary(a));
    return id;
  });
}

/** Tags as typed: each argument a list (commas separate tags unless quoted: `"Smith, John", beach`), in order, each tag once. */
export function parseTags(args: readonly string[], usage?: string): string[] {
  try {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const t of args.flatMap((a) => parseTagList(a))) {
      const k = tagKey(t);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(t);
    }
    return out;
  } catch (e) {
    if (e instanceof TagListError) throw new UsageError(e.message, usage);
    throw e;
  }
}

/** One tag as typed (a rename's FROM and TO, --into, --tag): read as a list that must hold exactly one tag. */
export function oneTag(text: string, what: string, usage?: string): string {
  const tags = parseTags([text], usage);
  if (tags.length === 0) throw new UsageError(`${what} is blank`, usage);
  if (tags.length > 1) {
    throw new UsageError(`${what} names ${tags.length} tags (${tags.join(' / ')}): commas separate tags; quote a tag that holds one: '"${text.replace(/"/g, '""')}"'`, usage);
  }
  return tags[0]!;
}

/** The grid filter the options give (dates, folder and camera as `search` reads them). */
export function selectionFilter(f: SelectionFlags, usage?: string): PhotoFilter {
  const opts = searchOptions({ folder: f.folder, from: f.from, to: f.to, camera: f.camera });
  return {
    folder: opts.folder,
    from: opts.from,
    to: opts.to,
    camera: opts.camera,
    tag: f.tag === undefined ? undefined : oneTag(f.tag, '--tag', usage),
    minRating: parseMinRating(f.rating),
    label: f.label === undefined ? undefined : f.label.trim() || undefined,
  };
}

/**
 * The photos the options pick: a search's hits (its first --limit, 20 by default, as `search` lists them), else
 * every photo the filters match (the first --limit of them), in the grid's order (newest first).
 */
export async function selectPhotos(ctx: Context, f: SelectionFlags, usage?: string): Promise<number[]> {
  const filter = selectionFilter(f, usage);
  const { limit } = searchOptions({ limit: f.limit });
  if (f.search !== undefined) {
    const text = f.search.trim();
    if (!text) throw new UsageError('--search needs some words, e.g. --search "dog on a beach"', usage);
    const s = openSearcher({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir });
    if (!s) throw new Error(`no library at ${ctx.dataDir}: add a folder and index it first`);
    try {
      const result = await s.search.text(text, { ...filter, limit });
      if (result.note) ctx.io.err.write(`note: ${result.note}\n`);
      return result.hits.map((h) => h.id);
    } finally {
      await s.close();
    }
  }
  const ro = openReadOnly(ctx.dataDir);
  if (!ro) throw new Error(`no library at ${ctx.dataDir}: add a folder and index it first`);
  try {
    return ro.browser.orderedIds({ ...filter, limit: f.limit === undefined ? -1 : limit });
  } finally {
    ro.db.close();
  }
}

/** What the options picked, in words, for "no photos match …". */
export function describeSelection(f: SelectionFlags): string {
  const parts: string[] = [];
  if (f.search !== undefined) parts.push(`--search ${JSON.stringify(f.search)}`);
  for (const k of FILTER_OPTIONS) if (f[k] !== undefined) parts.push(`--${k} ${JSON.stringify(f[k])}`);
  return parts.join(' ');
}
