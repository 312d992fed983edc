// CLI search: `search "<text>"` and `similar <path>`, with filters, as a table or JSON.
import path from 'node:path';
import { openReadOnly, openSearcher } from '../core/read-only.ts';
import { Faces } from '../core/catalog/faces.ts';
import { personRef } from './people-command.ts';
import type { SearchOptions } from '../core/search/search.ts';
import { PHOTO_TEXT_LABEL, type SearchResult } from '../../shared/types.ts';
import { UsageError, type Context } from './context.ts';
import { formatTagList } from '../../shared/vocabulary.ts';
import { describeUnderstood } from '../../shared/query.ts';

/** The grid's filters as options (what `search`, `similar` and the edits' selections narrow by). */
export interface FilterFlags {
  folder?: string;
  from?: string;
  to?: string;
  camera?: string;
  tag?: string;
  rating?: string;
  label?: string;
}

export interface SearchFlags extends FilterFlags {
  limit?: string;
  json?: boolean;
  /** The words as typed: no date, place, camera or person understood in them. */
  literal?: boolean;
  /** --person P (again for more): photos showing each of these people, by id or name. */
  person?: string[];
}

function parseDate(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?)?)?)?$/.test(v)) throw new UsageError(`--${flag} takes a date like 2023-07-01 (or 2023-07, 2023)`);
  return v;
}

/** --rating N: at least N stars (0-5; ">=4" and "≥4" read the same). */
export function parseMinRating(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(?:>=|≥)?\s*([0-5])\s*$/.exec(v);
  if (!m) throw new UsageError(`--rating takes 0 to 5 (photos rated at least that), e.g. --rating 4; not ${JSON.stringify(v)}`);
  return Number(m[1]);
}

export function searchOptions(flags: SearchFlags): SearchOptions {
  const limit = flags.limit === undefined ? 20 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit takes a whole number from 1 to 10000');
  let to = parseDate(flags.to, 'to');
  // A bare year or month runs to its end.
  if (to && /^\d{4}$/.test(to)) to = `${to}-12-31`;
  else if (to && /^\d{4}-\d{2}$/.test(to)) to = `${to}-31`;
  return {
    limit,
    folder: flags.folder ? path.resolve(flags.folder) : undefined,
    from: parseDate(flags.from, 'from'),
    to,
    camera: flags.camera,
    tag: flags.tag,
    minRating: parseMinRating(flags.rating),
    label: flags.label?.trim() || undefined,
    parse: flags.literal ? false : undefined,
  };
}

/** The people --person names (each an id, or a name one person has), read from the catalog; undefined without --person. */
export function personFilter(ctx: Context, flags: Pick<SearchFlags, 'person'>): number[] | undefined {
  if (!flags.person?.length) return undefined;
  const ro = openReadOnly(ctx.dataDir);
  if (!ro) throw new UsageError('the library is empty: there are no people yet');
  try {
    const faces = new Faces(ro.db);
    return [...new Set(flags.person.map((p) => personRef(faces, p)))];
  } finally {
    ro.db.close();
  }
}

function print(ctx: Context, result: SearchResult, json: boolean): void {
  if (json) {
    // What was understood first, as the issue shows it: {query, understood, text, model, note, hits}.
    const { query, understood, text, ...rest } = result;
    ctx.io.out.write(JSON.stringify(understood === undefined ? result : { query, understood, text, ...rest }, null, 2) + '\n');
    return;
  }
  const said = result.understood === undefined ? null : describeUnderstood(result.understood, result.text ?? '');
  if (said) ctx.io.out.write(`${said}\n`);
  if (result.note) ctx.io.err.write(`note: ${result.note}\n`);
  if (result.hits.length === 0) {
    ctx.io.out.write('no photos found\n');
    return;
  }
  result.hits.forEach((h, i) => {
    const extra = [h.caption ? `"${h.caption}"` : '', h.tags.length ? `[${formatTagList(h.tags)}]` : ''].filter(Boolean).join(' ');
    ctx.io.out.write(`${String(i + 1).padStart(3)}  ${h.score.toFixed(3)}  ${h.path}${extra ? '  ' + extra : ''}\n`);
    if (h.photoText) ctx.io.out.write(`            ${PHOTO_TEXT_LABEL}: "${h.photoText.line}"\n`);
  });
}

async function withSearcher(ctx: Context, fn: (s: NonNullable<ReturnType<typeof openSearcher>>) => Promise<number>): Promise<number> {
  const s = openSearcher({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir });
  if (!s) {
    ctx.io.err.write('shoebox: the library is empty: add a folder with `shoebox add <folder>` and run `shoebox index`\n');
    return 1;
  }
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export async function searchCommand(ctx: Context, args: string[], flags: SearchFlags): Promise<number> {
  const text = args.join(' ').trim();
  if (!text) throw new UsageError('search needs some words, e.g. shoebox search "dog on a beach"');
  const opts = { ...searchOptions(flags), people: personFilter(ctx, flags) };
  return withSearcher(ctx, async (s) => {
    print(ctx, await s.search.text(text, opts), flags.json ?? false);
    return 0;
  });
}

export async function similarCommand(ctx: Context, args: string[], flags: SearchFlags): Promise<number> {
  if (args.length !== 1) throw new UsageError('similar takes the path of one photo in the library');
  const opts = { ...searchOptions(flags), people: personFilter(ctx, flags) };
  return withSearcher(ctx, async (s) => {
    const photo = s.catalog.photoByPath(path.resolve(args[0]!));
    if (!photo) {
      ctx.io.err.write(`shoebox: not in the library: ${path.resolve(args[0]!)}\n`);
      return 1;
    }
    print(ctx, await s.search.similar(photo.id, opts), flags.json ?? false);
    return 0;
  });
}
