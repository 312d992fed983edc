// `shoebox duplicates`: the library's duplicate groups with each photo's facts and the suggested keeper, resolving a
// group (or every exact group) into the trash, undoing it, and the history ([Note: resolving duplicates] in
// core/duplicates/resolve.ts). The trash is createTrash(process.env): SHOEBOX_TRASH_DIR, else the system's.
// These take the library's lock (resolving moves files and settles what a kill left), so they wait for no app:
// quit the app, or use its Duplicates view, while it runs.
import type { DuplicateGroup, DuplicateKind } from '../../shared/types.ts';
import type { ResolutionInfo, ResolveResult, UndoResolveResult } from '../../shared/contract.ts';
import { Library } from '../core/library.ts';
import { createTrash } from '../core/trash/trash.ts';
import { formatBytes } from '../core/duplicates/resolve.ts';
import { UsageError, type Context } from './context.ts';
import { notInLibrary, photoRef } from './selection.ts';

export const DUPLICATES_USAGE = `Usage:
  shoebox duplicates [--kind exact|same|similar] [--json]
                           the duplicate groups: each photo's id, path, size, dimensions, format
                           and date, the suggested keeper (*) and why, the space resolving frees
  shoebox duplicates resolve <group> --keep <photo>...
                           keep those photos (by path or id; the first gains the others' tags,
                           caption, GPS and place where it has none), put the group's others in
                           the trash (SHOEBOX_TRASH_DIR, else the system's)
  shoebox duplicates resolve --all-exact [--yes]
                           every exact copy group, each keeping its suggested keeper, in one
                           step; without --yes it only says what it would put away
  shoebox duplicates undo [<resolution>]
                           put a resolution's photos back from the trash and undo what the
                           keeper gained (the newest one when none is named)
  shoebox duplicates history [--json]
                           the resolutions, newest first, and whether each can still be undone
`;

export interface DuplicatesFlags {
  json?: boolean;
  kind?: string;
  keep?: string[];
  'all-exact'?: boolean;
  yes?: boolean;
}

const KIND_WORDS: Record<DuplicateKind, string> = { exact: 'exact copies', same: 'same photo', similar: 'similar shots' };

async function withTrashLibrary<T>(ctx: Context, fn: (lib: Library) => Promise<T>): Promise<T> {
  const lib = Library.open({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir, trash: createTrash(process.env) });
  try {
    await lib.recoverResolutions();
    return await fn(lib);
  } finally {
    await lib.close();
  }
}

export async function duplicatesCommand(ctx: Context, args: string[], flags: DuplicatesFlags): Promise<number> {
  const [sub, ...rest] = args;
  const only = (allowed: (keyof DuplicatesFlags)[]) => {
    for (const k of Object.keys(flags) as (keyof DuplicatesFlags)[]) {
      if (flags[k] !== undefined && !allowed.includes(k)) throw new UsageError(`--${k} does not apply to 'duplicates ${sub ?? ''}'`.replace(/ '$/, "'"), DUPLICATES_USAGE);
    }
  };
  switch (sub) {
    case undefined:
      only(['json', 'kind']);
      return list(ctx, flags);
    case 'resolve':
      only(['json', 'keep', 'all-exact', 'yes']);
      return resolve(ctx, rest, flags);
    case 'undo':
      only(['json']);
      return undo(ctx, rest, flags);
    case 'history':
      only(['json']);
      if (rest.length) throw new UsageError('duplicates history takes no arguments', DUPLICATES_USAGE);
      return history(ctx, flags);
    default:
      throw new UsageError(`unknown duplicates command '${sub}'`, DUPLICATES_USAGE);
  }
}

function kindOf(text: string | undefined): DuplicateKind | undefined {
  if (text === undefined) return undefined;
  if (text === 'exact' || text === 'same' || text === 'similar') return text;
  throw new UsageError(`--kind is exact, same or similar; not ${JSON.stringify(text)}`, DUPLICATES_USAGE);
}

async function list(ctx: Context, flags: DuplicatesFlags): Promise<number> {
  const kind = kindOf(flags.kind);
  return withTrashLibrary(ctx, async (lib) => {
    const groups = lib.duplicateGroups({ kind });
    if (flags.json) {
      ctx.io.out.write(`${JSON.stringify(groups, null, 2)}\n`);
      return 0;
    }
    if (groups.length === 0) {
      ctx.io.out.write(`No ${kind ? `${KIND_WORDS[kind]} ` : ''}duplicates.\n`);
      return 0;
    }
    for (const g of groups) writeGroup(ctx, g);
    const total = groups.reduce((n, g) => n + g.bytesFreed, 0);
    ctx.io.out.write(`${groups.length} group${groups.length === 1 ? '' : 's'}; resolving them with the suggested keepers frees ${formatBytes(total)}.\n`);
    return 0;
  });
}

function writeGroup(ctx: Context, g: DuplicateGroup): void {
  const out = ctx.io.out;
  out.write(`${g.id}  ${KIND_WORDS[g.kind]}, ${g.photos.length} photos, resolving frees ${formatBytes(g.bytesFreed)}\n`);
  for (const p of g.photos) {
    const facts = [formatBytes(p.size), p.width && p.height ? `${p.width}x${p.height}` : 'size unknown', p.format ?? 'format unknown', p.takenAt ?? 'no date'];
    out.write(`  ${p.keeper ? '*' : ' '} ${String(p.id).padStart(6)}  ${p.path}\n            ${facts.join(', ')}\n`);
  }
  out.write(`  keeper ${g.keeper}: ${g.reasons.join(', ') || 'first of the group'}\n\n`);
}

async function resolve(ctx: Context, args: string[], flags: DuplicatesFlags): Promise<number> {
  if (flags['all-exact']) {
    if (args.length || flags.keep?.length) throw new UsageError('--all-exact takes no group and no --keep', DUPLICATES_USAGE);
    return withTrashLibrary(ctx, async (lib) => {
      if (!flags.yes) {
        const groups = lib.duplicateGroups({ kind: 'exact' });
        const photos = groups.reduce((n, g) => n + g.photos.length - 1, 0);
        if (groups.length === 0) {
          ctx.io.out.write('No exact copies.\n');
          return 0;
        }
        for (const g of groups) writeGroup(ctx, g);
        ctx.io.err.write(
          `shoebox: this would put ${photos} photo${photos === 1 ? '' : 's'} of ${groups.length} group${groups.length === 1 ? '' : 's'} in the trash (${formatBytes(groups.reduce((n, g) => n + g.bytesFreed, 0))}), each group keeping the photo marked *; run it again with --yes to do so\n`,
        );
        return 1;
      }
      return report(ctx, await lib.resolveAllExact(), flags);
    });
  }
  if (flags.yes) throw new UsageError('--yes goes with --all-exact', DUPLICATES_USAGE);
  const [group, ...more] = args;
  if (!group) throw new UsageError('name the group to resolve (from `shoebox duplicates`)', DUPLICATES_USAGE);
  const keepArgs = [...(flags.keep ?? []), ...more];
  if (!flags.keep?.length) throw new UsageError('say which photos to keep: --keep <photo>...', DUPLICATES_USAGE);
  return withTrashLibrary(ctx, async (lib) => {
    const keep = keepArgs.map((a) => {
      const id = photoRef(lib.repos, a);
      if (id === undefined) throw new Error(notInLibrary(a));
      return id;
    });
    return report(ctx, await lib.resolveDuplicates(group, keep), flags);
  });
}

function report(ctx: Context, r: ResolveResult, flags: DuplicatesFlags): number {
  if (flags.json) {
    ctx.io.out.write(`${JSON.stringify(r, null, 2)}\n`);
    return r.resolution === null && r.failed.length ? 1 : 0;
  }
  const out = ctx.io.out;
  for (const g of r.groups) {
    out.write(`${g.group}: kept ${g.kept.join(', ')}\n`);
    for (const p of g.putAway) out.write(`  put in the trash: ${p.path}\n`);
    const m = g.merged;
    const gained = [
      m.tags.length ? `tags ${m.tags.map((t) => `“${t}”`).join(', ')}` : '',
      m.caption !== null ? 'a caption' : '',
      m.gps ? `GPS ${m.gps.lat.toFixed(5)}, ${m.gps.lon.toFixed(5)}` : '',
      m.place ? `the place “${m.place}”` : '',
    ].filter(Boolean);
    if (gained.length) out.write(`  photo ${g.keeper} gained ${gained.join(', ')}\n`);
  }
  for (const f of r.failed) ctx.io.err.write(`shoebox: left ${f.path}: ${f.reason}\n`);
  out.write(`${r.summary}${r.resolution !== null ? ` (resolution ${r.resolution}: \`shoebox duplicates undo ${r.resolution}\` puts it back)` : ''}\n`);
  return r.resolution === null && r.failed.length ? 1 : 0;
}

async function undo(ctx: Context, args: string[], flags: DuplicatesFlags): Promise<number> {
  if (args.length > 1) throw new UsageError('duplicates undo takes one resolution at most', DUPLICATES_USAGE);
  let id: number | undefined;
  if (args[0] !== undefined) {
    if (!/^[1-9]\d*$/.test(args[0])) throw new UsageError(`a resolution is a number (from \`shoebox duplicates history\`); not ${JSON.stringify(args[0])}`, DUPLICATES_USAGE);
    id = Number(args[0]);
  }
  return withTrashLibrary(ctx, async (lib) => {
    const r: UndoResolveResult = await lib.undoResolve(id);
    if (flags.json) ctx.io.out.write(`${JSON.stringify(r, null, 2)}\n`);
    else {
      for (const p of r.restored) ctx.io.out.write(`put back: ${p.path}\n`);
      for (const f of r.notRestored) ctx.io.err.write(`shoebox: could not put back ${f.path}: ${f.reason}\n`);
      ctx.io.out.write(`Undid resolution ${r.resolution}: ${r.summary}\n`);
    }
    return r.notRestored.length ? 1 : 0;
  });
}

async function history(ctx: Context, flags: DuplicatesFlags): Promise<number> {
  return withTrashLibrary(ctx, async (lib) => {
    const list: ResolutionInfo[] = lib.resolutions();
    if (flags.json) {
      ctx.io.out.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    if (list.length === 0) {
      ctx.io.out.write('No duplicates resolved yet.\n');
      return 0;
    }
    for (const r of list) {
      const when = r.createdAt.replace('T', ' ').slice(0, 19);
      const can = r.undoable ? `undo until ${r.undoUntil!.slice(0, 10)}` : r.state;
      ctx.io.out.write(`${String(r.id).padStart(4)}  ${when}  ${can}  ${r.summary}\n`);
      for (const g of r.groups) {
        ctx.io.out.write(`        ${g.group}: kept ${g.keeper.path ?? `photo ${g.keeper.id}`}\n`);
        for (const p of g.photos) ctx.io.out.write(`          ${p.state.padEnd(10)} ${p.path}${p.error ? ` (${p.error})` : ''}\n`);
      }
    }
    return 0;
  });
}
