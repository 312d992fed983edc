// CLI: tagging at scale (issue 11). `tags add|remove` on many photos (named, searched or filtered), the tag
// vocabulary (`tags list|rename|merge|delete`), suggestions reviewed in bulk, `rate`, `label` and `undo`.
// Every edit is one engine call (annotate/edits.ts), one undo step, made beside a running app too
// (edit-session.ts); `--dry-run` shows what it would do and keeps nothing.
import type { Repositories } from '../core/catalog/repositories.ts';
import type { EditRecord } from '../core/annotate/edits.ts';
import type { SuggestionCount, TagCount } from '../../shared/contract.ts';
import { tagKey } from '../../shared/vocabulary.ts';
import { UsageError, withReader, type Context } from './context.ts';
import { runEdit, withSession, type Session } from './edit-session.ts';
import {
  describeSelection,
  FILTER_OPTIONS,
  hasSelection,
  looksLikePhotoFile,
  notInLibrary,
  oneTag,
  parseTags,
  photoRef,
  resolvePhotos,
  selectionFilter,
  selectPhotos,
  SELECTION_OPTIONS,
  type SelectionFlags,
} from './selection.ts';

/** The options these commands read (main.ts parses them). */
export interface TaggingFlags extends SelectionFlags {
  json?: boolean;
  'dry-run'?: boolean;
  tree?: boolean;
  into?: string;
  accept?: boolean;
  reject?: boolean;
  photos?: string;
  clear?: boolean;
  list?: boolean;
}

export const TAGS_USAGE = `Usage:
  shoebox tags add <photo>... <tag>...       photos by path or id, then the tags
  shoebox tags remove <photo>... <tag>...
  shoebox tags add|remove <tag>... --search "<text>" [--limit K]
  shoebox tags add|remove <tag>... [--folder F] [--from DATE] [--to DATE] [--camera C] [--tag T] [--rating N] [--label COLOUR]
  shoebox tags list [--tree] [--json]
  shoebox tags rename <from> <to>
  shoebox tags merge <tag>... --into <tag>
  shoebox tags delete <tag>
Edits take --dry-run (show the photos, change nothing) and --json. Commas separate tags unless quoted:
'"Smith, John", beach'; "|" separates levels: "Places|Portugal|Porto"; put -- before tags that look like photos.
`;

export const SUGGESTIONS_USAGE = `Usage:
  shoebox suggestions [--json]                                  suggested tags: photos, strong, likely
  shoebox suggestions <tag> [--json]                            the photos it is suggested for
  shoebox suggestions <tag> --accept|--reject [--photos ID,...] [--folder F] [--from DATE] [--to DATE] [--tag T] [--rating N] [--label COLOUR] [--dry-run]
`;

export const RATE_USAGE = `Usage:
  shoebox rate <photo>... <0-5|reject>       stars, or reject (-1)
  shoebox rate <photo>... --clear
  shoebox rate <0-5|reject> --search "<text>" | --folder F | --from DATE | --to DATE | --tag T | --rating N | --label COLOUR
Takes --dry-run and --json.
`;

export const LABEL_USAGE = `Usage:
  shoebox label <photo>... <Red|Yellow|Green|Blue|Purple>
  shoebox label <photo>... --clear
  shoebox label <colour> --search "<text>" | --folder F | --from DATE | --to DATE | --tag T | --rating N | --label COLOUR
Takes --dry-run and --json.
`;

export const UNDO_USAGE = `Usage:
  shoebox undo [--dry-run] [--json]    undo the last edit (made here or in the window); exit 1 when there is none
  shoebox undo --list [--json]         the edits that can be undone, newest first
`;

/** Lightroom's colour labels (xmp:Label holds the name), as the window offers them. */
export const LABELS = ['Red', 'Yellow', 'Green', 'Blue', 'Purple'] as const;

const EDIT_FLAGS = ['json', 'dry-run'] as const;
/** Options every command takes (main.ts checks those). */
const ANY = new Set(['data', 'models', 'help', 'quiet']);

/** Refuses an option the subcommand does not read. */
function only(flags: TaggingFlags, command: string, allowed: readonly string[], usage: string): void {
  for (const [k, v] of Object.entries(flags)) {
    if (v !== undefined && !ANY.has(k) && !allowed.includes(k)) throw new UsageError(`--${k} does not apply to '${command}'`, usage);
  }
}

function count(n: number, what = 'photo'): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * The photos a command acts on and the arguments after them: with a selection option, every argument is left
 * (photos are picked, not named); else the photos named first ([Note: photos, then tags] in selection.ts), at
 * least one. `literalAt`: arguments from here on came after `--`. `valueArgs` of the arguments at the end are
 * values, never photos (`rate`'s stars, `label`'s colour).
 */
async function photosAndRest(
  ctx: Context,
  repos: Repositories,
  command: string,
  args: readonly string[],
  flags: SelectionFlags,
  literalAt: number,
  usage: string,
  valueArgs: 'all-after-photos' | number,
): Promise<{ ids: number[]; rest: string[]; picked: boolean }> {
  if (hasSelection(flags)) {
    for (const [i, a] of args.entries()) {
      if (i < literalAt && !/^\d+$/.test(a) && photoRef(repos, a) !== undefined) {
        throw new UsageError(`${a} is a photo: name photos or pick them with ${describeSelection(flags)}, not both`, usage);
      }
    }
    const ids = await selectPhotos(ctx, flags, usage);
    if (ids.length === 0) throw new Error(`no photos match ${describeSelection(flags)}`);
    return { ids, rest: [...args], picked: true };
  }
  if (flags.limit !== undefined) throw new UsageError('--limit applies to --search or a filter', usage);
  if (typeof valueArgs === 'number') {
    const named = args.slice(0, Math.max(0, args.length - valueArgs));
    if (named.length === 0) throw new UsageError(`${command} needs photos (paths or ids), or --search or a filter to pick them`, usage);
    return { ids: resolvePhotos(repos, named), rest: args.slice(named.length), picked: false };
  }
  const ids: number[] = [];
  let i = 0;
  for (; i < args.length && i < literalAt; i++) {
    const id = photoRef(repos, args[i]!);
    if (id === undefined) break;
    ids.push(id);
  }
  if (ids.length === 0) {
    if (args.length === 0 || literalAt === 0) throw new UsageError(`${command} needs photos (paths or ids), or --search or a filter to pick them`, usage);
    throw new Error(`${notInLibrary(args[0]!)} (name photos first, then the tags; or pick photos with --search or a filter)`);
  }
  const rest = args.slice(i);
  for (const [j, a] of rest.entries()) {
    if (i + j < literalAt && looksLikePhotoFile(a)) {
      throw new Error(`${notInLibrary(a)} (photos come first, then the tags; put -- before a tag that looks like a file name)`);
    }
  }
  return { ids, rest, picked: false };
}

// ── tags ─────────────────────────────────────────────────────────────────

export async function tagsCommand(ctx: Context, args: string[], flags: TaggingFlags, literalAt: number): Promise<number> {
  const [sub, ...rest] = args;
  const json = flags.json ?? false;
  const dryRun = flags['dry-run'] ?? false;
  const literal = literalAt - 1;
  switch (sub) {
    case 'add':
    case 'remove': {
      only(flags, `tags ${sub}`, [...EDIT_FLAGS, ...SELECTION_OPTIONS], TAGS_USAGE);
      return withSession(ctx, async (s) => {
        const { ids, rest: tagArgs, picked } = await photosAndRest(ctx, s.repos, `tags ${sub}`, rest, flags, literal, TAGS_USAGE, 'all-after-photos');
        const tags = parseTags(tagArgs, TAGS_USAGE);
        if (tags.length === 0) {
          const numeric = !picked && rest.slice(0, literal).some((a) => /^\d+$/.test(a));
          throw new UsageError(
            `tags ${sub} needs tags after the photos${numeric ? ' (a number after the photos is read as a photo id when there is such a photo: put -- before tags such as 2019)' : ''}`,
            TAGS_USAGE,
          );
        }
        return runEdit(ctx, s, { json, dryRun, selected: ids }, (edits, onProgress) =>
          edits.editPhotos(ids, sub === 'add' ? { addTags: tags } : { removeTags: tags }, onProgress),
        );
      });
    }
    case 'list':
      only(flags, 'tags list', ['json', 'tree'], TAGS_USAGE);
      if (rest.length) throw new UsageError('tags list takes no arguments', TAGS_USAGE);
      return listTags(ctx, json, flags.tree ?? false);
    case 'rename': {
      only(flags, 'tags rename', EDIT_FLAGS, TAGS_USAGE);
      if (rest.length !== 2) throw new UsageError('tags rename takes the tag and its new name: tags rename <from> <to>', TAGS_USAGE);
      const from = oneTag(rest[0]!, 'the tag to rename', TAGS_USAGE);
      const to = oneTag(rest[1]!, 'the new name', TAGS_USAGE);
      return withSession(ctx, (s) => runEdit(ctx, s, { json, dryRun, nothingIsError: true, hint: didYouMean([from]) }, (e, p) => e.renameTag(from, to, p)));
    }
    case 'merge': {
      only(flags, 'tags merge', [...EDIT_FLAGS, 'into'], TAGS_USAGE);
      if (flags.into === undefined) throw new UsageError('tags merge needs --into <tag>: tags merge <tag>... --into <tag>', TAGS_USAGE);
      const into = oneTag(flags.into, '--into', TAGS_USAGE);
      const froms = parseTags(rest, TAGS_USAGE);
      if (froms.length === 0) throw new UsageError('tags merge needs the tags to merge: tags merge <tag>... --into <tag>', TAGS_USAGE);
      return withSession(ctx, (s) => runEdit(ctx, s, { json, dryRun, nothingIsError: true, hint: didYouMean(froms) }, (e, p) => e.mergeTags(froms, into, p)));
    }
    case 'delete': {
      only(flags, 'tags delete', EDIT_FLAGS, TAGS_USAGE);
      if (rest.length !== 1) throw new UsageError('tags delete takes one tag (the tags under it go too)', TAGS_USAGE);
      const tag = oneTag(rest[0]!, 'the tag to delete', TAGS_USAGE);
      return withSession(ctx, (s) => runEdit(ctx, s, { json, dryRun, nothingIsError: true, hint: didYouMean([tag]) }, (e, p) => e.deleteTag(tag, p)));
    }
    default:
      throw new UsageError(sub ? `unknown tags command '${sub}'` : 'tags needs a command', TAGS_USAGE);
  }
}

/** For a tag no photo has: the user's tags it may have meant, by their last level ("Porto" → "Places|Portugal|Porto"). */
function didYouMean(typed: readonly string[]): (s: Session) => string {
  return ({ repos }) => {
    const leaves = new Set(typed.map((t) => tagKey(t.split('|').at(-1)!)));
    const named = new Set(typed.map(tagKey));
    const near = repos.annotations
      .tagCounts(Number.MAX_SAFE_INTEGER)
      .filter((c) => c.count > 0 && !named.has(tagKey(c.tag)) && leaves.has(tagKey(c.tag.split('|').at(-1)!)))
      .slice(0, 3)
      .map((c) => `“${c.tag}”`);
    return near.length ? `did you mean ${near.join(' or ')}? A tag under another is named by its path` : 'see `shoebox tags list`';
  };
}

/** A node of the tag tree: a level of a hierarchical tag, whether or not it is a tag itself. */
export interface TagNode {
  /** This level's name ("Porto"). */
  name: string;
  /** The path to it ("Places|Portugal|Porto"). */
  tag: string;
  /** Photos with it as your tag or with a tag under it, each photo once. */
  count: number;
  /** Suggestions of it and of the tags under it. */
  suggested: number;
  /** Its own counts when it is a tag itself (null for a level only its children make). */
  own: { count: number; suggested: number } | null;
  children: TagNode[];
}

/** The tree of the vocabulary, each level sorted by name; `photosUnder` counts a parent's photos (with its children's). */
export function tagTree(counts: readonly TagCount[], photosUnder: (tag: string) => number): TagNode[] {
  const roots: TagNode[] = [];
  const byKey = new Map<string, TagNode>();
  for (const c of counts) {
    const segments = c.tag.split('|');
    let level = roots;
    for (let i = 0; i < segments.length; i++) {
      const tag = segments.slice(0, i + 1).join('|');
      const key = tagKey(tag);
      let node = byKey.get(key);
      if (!node) {
        node = { name: segments[i]!, tag, count: 0, suggested: 0, own: null, children: [] };
        byKey.set(key, node);
        level.push(node);
      }
      if (i === segments.length - 1) node.own = { count: (node.own?.count ?? 0) + c.count, suggested: (node.own?.suggested ?? 0) + c.suggested };
      level = node.children;
    }
  }
  const finish = (nodes: TagNode[]): void => {
    nodes.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || (a.name < b.name ? -1 : 1));
    for (const n of nodes) {
      finish(n.children);
      n.suggested = (n.own?.suggested ?? 0) + n.children.reduce((x, c) => x + c.suggested, 0);
      n.count = n.children.length ? photosUnder(n.tag) : (n.own?.count ?? 0);
    }
  };
  finish(roots);
  return roots;
}

function listTags(ctx: Context, json: boolean, tree: boolean): number {
  const out = ctx.io.out;
  const result = withReader(ctx, (r) => {
    const counts = r.annotations.tagCounts(Number.MAX_SAFE_INTEGER);
    return { counts, tree: tree ? tagTree(counts, (tag) => r.browser.count({ tag })) : null };
  }) ?? { counts: [], tree: tree ? [] : null };
  if (json) {
    out.write(`${JSON.stringify(result.tree ?? result.counts, null, 2)}\n`);
    return 0;
  }
  if (result.counts.length === 0) {
    ctx.io.err.write('no tags yet: add some with `shoebox tags add`\n');
    return 0;
  }
  const row = (c: number, s: number, text: string) => `${String(c).padStart(6)} ${String(s).padStart(9)}  ${text}\n`;
  out.write(`${'yours'.padStart(6)} ${'suggested'.padStart(9)}  tag\n`);
  if (result.tree) {
    const walk = (nodes: readonly TagNode[], depth: number): void => {
      for (const n of nodes) {
        out.write(row(n.count, n.suggested, `${'  '.repeat(depth)}${n.name}`));
        walk(n.children, depth + 1);
      }
    };
    walk(result.tree, 0);
  } else {
    for (const c of result.counts) out.write(row(c.count, c.suggested, c.tag));
  }
  return 0;
}

// ── suggestions ──────────────────────────────────────────────────────────

export async function suggestionsCommand(ctx: Context, args: string[], flags: TaggingFlags): Promise<number> {
  const json = flags.json ?? false;
  const usage = SUGGESTIONS_USAGE;
  if (args.length === 0) {
    only(flags, 'suggestions', ['json'], usage);
    const list: SuggestionCount[] = withReader(ctx, (r) => r.annotations.suggestions(Number.MAX_SAFE_INTEGER)) ?? [];
    if (json) ctx.io.out.write(`${JSON.stringify(list, null, 2)}\n`);
    else if (list.length === 0) ctx.io.err.write('no suggestions: every suggested tag has been accepted or rejected, or none were made yet (`shoebox index`)\n');
    else {
      ctx.io.out.write(`${'photos'.padStart(6)} ${'strong'.padStart(6)} ${'likely'.padStart(6)}  tag\n`);
      for (const s of list) ctx.io.out.write(`${String(s.photos).padStart(6)} ${String(s.strong).padStart(6)} ${String(s.likely).padStart(6)}  ${s.tag}\n`);
    }
    return 0;
  }
  const tag = oneTag(args.join(' '), 'the suggested tag', usage);
  const reviewing = flags.accept || flags.reject;
  if (!reviewing) {
    only(flags, 'suggestions <tag>', ['json', ...FILTER_OPTIONS], usage);
    return listSuggested(ctx, tag, flags, json);
  }
  only(flags, 'suggestions <tag> --accept|--reject', [...EDIT_FLAGS, 'accept', 'reject', 'photos', ...FILTER_OPTIONS], usage);
  if (flags.accept && flags.reject) throw new UsageError('give --accept or --reject, not both (reject the wrong ones first, then accept the rest)', usage);
  if (flags.photos !== undefined && FILTER_OPTIONS.some((k) => flags[k] !== undefined)) throw new UsageError('--photos names the photos: give it or filters, not both', usage);
  const filter = selectionFilter(flags, usage);
  return withSession(ctx, async (s) => {
    let ids: number[];
    if (flags.photos !== undefined) {
      const refs = flags.photos.split(',').map((x) => x.trim()).filter(Boolean);
      if (refs.length === 0) throw new UsageError('--photos takes photo ids or paths, separated by commas', usage);
      ids = resolvePhotos(s.repos, refs);
    } else {
      ids = s.repos.browser.orderedIds({ ...filter, suggested: tag, limit: -1 });
      if (ids.length === 0) throw new Error(`“${tag}” is not suggested for any photo${describeSelection(flags) ? ` that matches ${describeSelection(flags)}` : ''} (see \`shoebox suggestions\`)`);
    }
    return runEdit(ctx, s, { json, dryRun: flags['dry-run'] ?? false, selected: ids, nothingIsError: true }, (e, p) =>
      e.reviewSuggestions(tag, flags.accept ? { accept: ids } : { reject: ids }, p),
    );
  });
}

/** The photos a tag is suggested for, surest first, with the score and "strong" or "likely". */
function listSuggested(ctx: Context, tag: string, flags: TaggingFlags, json: boolean): number {
  const filter = selectionFilter(flags, SUGGESTIONS_USAGE);
  const rows =
    withReader(ctx, (r) => {
      const thresholds = r.annotations.strongThresholds();
      const key = tagKey(tag);
      const strongAt = thresholds.tags.get(key) ?? thresholds.default;
      return r.browser
        .orderedIds({ ...filter, suggested: tag, limit: -1 })
        .map((id) => {
          const score = r.annotations.tags(id).find((t) => t.source === 'auto' && !t.hidden && tagKey(t.tag) === key)?.score ?? null;
          return { id, path: r.catalog.photo(id)!.path, score, strength: score !== null && score >= strongAt ? ('strong' as const) : ('likely' as const) };
        })
        .sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.id - b.id);
    }) ?? [];
  if (json) {
    ctx.io.out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const r of rows) ctx.io.out.write(`${r.id}\t${r.path}\t${r.score === null ? '-' : r.score.toFixed(2)}\t${r.strength}\n`);
  const strong = rows.filter((r) => r.strength === 'strong').length;
  ctx.io.err.write(
    rows.length
      ? `“${tag}” is suggested for ${count(rows.length)} (${strong} strong, ${rows.length - strong} likely): --accept or --reject them, or some with --photos\n`
      : `“${tag}” is not suggested for any photo (see \`shoebox suggestions\`)\n`,
  );
  return 0;
}

// ── rate and label ───────────────────────────────────────────────────────

/** Stars as typed: 0-5, or reject / -1. */
export function parseRating(v: string): number {
  const t = v.trim().toLowerCase();
  if (t === 'reject' || t === 'rejected' || t === '-1') return -1;
  if (/^[0-5]$/.test(t)) return Number(t);
  throw new UsageError(`a rating is 0 to 5 stars, or reject (-1); not ${JSON.stringify(v)}`, RATE_USAGE);
}

/** A colour label as typed, in Lightroom's spelling. */
export function parseLabel(v: string): string {
  const label = LABELS.find((l) => l.toLowerCase() === v.trim().toLowerCase());
  if (!label) throw new UsageError(`a colour label is one of ${LABELS.join(', ')} (Lightroom's); not ${JSON.stringify(v)}`, LABEL_USAGE);
  return label;
}

export async function markCommand(ctx: Context, command: 'rate' | 'label', args: string[], flags: TaggingFlags, literalAt: number): Promise<number> {
  const usage = command === 'rate' ? RATE_USAGE : LABEL_USAGE;
  only(flags, command, [...EDIT_FLAGS, 'clear', ...SELECTION_OPTIONS], usage);
  const clear = flags.clear ?? false;
  return withSession(ctx, async (s) => {
    const { ids, rest } = await photosAndRest(ctx, s.repos, command, args, flags, literalAt, usage, clear ? 0 : 1);
    if (clear && rest.length) throw new UsageError(`${command} --clear takes only photos`, usage);
    if (!clear && rest.length !== 1) {
      throw new UsageError(command === 'rate' ? 'rate needs the stars (0-5, or reject) after the photos, or --clear' : 'label needs the colour after the photos, or --clear', usage);
    }
    const value = rest[0];
    const edit =
      command === 'rate' ? { rating: value === undefined ? null : parseRating(value) } : { label: value === undefined ? null : parseLabel(value) };
    return runEdit(ctx, s, { json: flags.json ?? false, dryRun: flags['dry-run'] ?? false, selected: ids }, (e, p) => e.editPhotos(ids, edit, p));
  });
}

// ── undo ─────────────────────────────────────────────────────────────────

function when(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export async function undoCommand(ctx: Context, args: string[], flags: TaggingFlags): Promise<number> {
  if (args.length) throw new UsageError('undo takes no arguments', UNDO_USAGE);
  const json = flags.json ?? false;
  if (flags.list) {
    only(flags, 'undo --list', ['json', 'list'], UNDO_USAGE);
    const history: EditRecord[] = withReader(ctx, (r) => r.edits.list()) ?? [];
    const next = history.find((e) => e.undoneAt === null)?.id;
    if (json) {
      ctx.io.out.write(`${JSON.stringify(history.map((e) => ({ ...e, next: e.id === next })), null, 2)}\n`);
      return 0;
    }
    if (history.length === 0) {
      ctx.io.err.write('no edits to undo yet\n');
      return 0;
    }
    for (const e of history) {
      const state = e.id === next ? '  ← `shoebox undo` undoes this' : e.undoneAt !== null ? `  (undone ${when(e.undoneAt)})` : '';
      ctx.io.out.write(`#${e.id}  ${when(e.createdAt)}  ${e.summary}${state}\n`);
    }
    return 0;
  }
  only(flags, 'undo', EDIT_FLAGS, UNDO_USAGE);
  return withSession(ctx, (s) =>
    runEdit(ctx, s, { json, dryRun: flags['dry-run'] ?? false, none: 'nothing to undo' }, (e, p) => e.undo(p)),
  );
}
