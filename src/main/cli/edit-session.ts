// One edit from the command line: the catalog opened for writing without the engine lock (SQLite
// serializes writers, and every edit is one BEGIN IMMEDIATE transaction: annotate/edits.ts), so it works
// beside a running app or `watch`; the edit's summary printed ("Added “Portugal 2019” to 80 photos"); with
// sidecars on, the changed photos' sidecars written before returning (the xmp tasks the edit queued are
// marked done; one that fails stays queued, for the app or the next `shoebox index`).
//
// A dry run makes the edit inside a transaction that is then rolled back: what it prints is what the edit
// would do (which photos it would change, its summary), and nothing is kept, not even in the undo log.
import fs from 'node:fs';
import { openDatabase } from '../core/catalog/db.ts';
import { openCatalog, type Repositories } from '../core/catalog/repositories.ts';
import { dataPaths } from '../core/paths.ts';
import { STAGE_NAMES } from '../core/pipeline/stages.ts';
import { Edits, type EditOutcome, type EditProgress } from '../core/annotate/edits.ts';
import { syncSidecar } from '../core/annotate/sidecar-sync.ts';
import { XmpService } from '../core/media/xmp.ts';
import { readSetting } from '../core/settings.ts';
import { errorMessage } from '../../shared/error-message.ts';
import { ProgressBar } from './progress-bar.ts';
import type { Context } from './context.ts';

export interface Session {
  repos: Repositories;
  edits: Edits;
}

/** Opens the catalog for writing (no engine lock), runs `fn`, and always closes it. */
export async function withSession<T>(ctx: Context, fn: (s: Session) => Promise<T> | T): Promise<T> {
  const file = dataPaths(ctx.dataDir).catalog;
  if (!fs.existsSync(file)) throw new Error(`no library at ${ctx.dataDir}: add a folder and index it first`);
  const db = openDatabase(file);
  try {
    const repos = openCatalog(db, () => STAGE_NAMES);
    return await fn({ repos, edits: new Edits(repos) });
  } finally {
    db.close();
  }
}

export interface RunOptions {
  json: boolean;
  dryRun: boolean;
  /** The photos the command picked, in its order: a dry run lists them, marking those the edit would leave as they are. */
  selected?: readonly number[];
  /** An edit that changes nothing is an error (exit 1): a rename of a tag no photo has. */
  nothingIsError?: boolean;
  /** Said after that error, e.g. "did you mean “Places|Portugal|Porto”?" (nothing when ''). */
  hint?: (s: Session) => string;
  /** Said (exit 1) when the edit returns null: "nothing to undo". */
  none?: string;
}

/** Thrown inside the dry run's transaction to roll it back, carrying what the edit did. */
class Rollback {
  constructor(readonly outcome: EditOutcome | null) {}
}

/**
 * A progress line on stderr once an edit has run half a second on a terminal (as the window's toast), five
 * seconds elsewhere (a log then gets a line every few seconds of a long run, not one for every short edit).
 */
function progress(ctx: Context, what: string): { onProgress: EditProgress; done: () => void } {
  const bar = new ProgressBar(ctx.io.err, !ctx.quiet);
  const started = Date.now();
  const after = ctx.io.err.isTTY ? 500 : 5000;
  let shown = false;
  return {
    onProgress: (done, total) => {
      if (Date.now() - started < after) return;
      shown = true;
      bar.update(`${what} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} photos`);
    },
    done: () => {
      if (shown) bar.done();
    },
  };
}

function pathOf(repos: Repositories, id: number): string {
  return repos.catalog.photo(id)?.path ?? `(photo ${id})`;
}

interface SidecarReport {
  written: number;
  /** The sidecar, when the edit changed one photo. */
  file: string | null;
  failed: { path: string; error: string }[];
}

/** Writes the sidecars of the photos an edit changed (with sidecars on), one after another, with progress. */
async function writeSidecars(ctx: Context, { repos }: Session, ids: readonly number[]): Promise<SidecarReport | null> {
  if (ids.length === 0 || readSetting((k) => repos.catalog.setting(k), 'xmp') !== 'on') return null;
  const report: SidecarReport = { written: 0, file: null, failed: [] };
  const xmp = new XmpService();
  const p = progress(ctx, 'xmp');
  try {
    let done = 0;
    for (const id of ids) {
      const photo = repos.catalog.photo(id);
      if (!photo) continue;
      try {
        const queued = repos.queue.queuedAt(id, 'xmp');
        const raw = repos.catalog.companions(id).find((f) => f.role === 'raw')?.path;
        report.file = await syncSidecar(xmp, repos.annotations, { id, path: photo.path, raw }, (f) => repos.db.transaction(f)());
        // The engine need not write it again (unless another edit queued it meanwhile).
        if (queued !== undefined) repos.queue.markDone(id, 'xmp', queued, Date.now());
        report.written++;
      } catch (e) {
        report.failed.push({ path: photo.path, error: errorMessage(e) });
      }
      p.onProgress(++done, ids.length);
    }
  } finally {
    p.done();
    await xmp.end();
  }
  if (ids.length !== 1) report.file = null;
  return report;
}

/** Runs one edit (or its dry run) and says what it did; returns the exit code. */
export async function runEdit(
  ctx: Context,
  s: Session,
  opts: RunOptions,
  edit: (edits: Edits, onProgress: EditProgress) => EditOutcome | null,
): Promise<number> {
  const { io } = ctx;
  const p = progress(ctx, opts.dryRun ? 'dry run' : 'edit');
  let outcome: EditOutcome | null;
  try {
    if (opts.dryRun) {
      try {
        s.repos.db
          .transaction(() => {
            throw new Rollback(edit(s.edits, p.onProgress));
          })
          .immediate();
        throw new Error('unreachable: the dry run did not roll back');
      } catch (e) {
        if (!(e instanceof Rollback)) throw e;
        outcome = e.outcome;
      }
    } else {
      outcome = edit(s.edits, p.onProgress);
    }
  } finally {
    p.done();
  }

  if (outcome === null) {
    if (opts.json) io.out.write('null\n');
    io.err.write(`shoebox: ${opts.none ?? 'nothing to do'}\n`);
    return 1;
  }
  const { editId, summary, photos, ids } = outcome;
  const failedNothing = opts.nothingIsError === true && photos === 0;

  if (opts.dryRun) {
    const changed = new Set(ids);
    const listed = opts.selected ?? ids;
    if (opts.json) {
      const selected = listed.map((id) => ({ id, path: pathOf(s.repos, id), changes: changed.has(id) }));
      io.out.write(`${JSON.stringify({ dryRun: true, editId: null, summary, photos, ids, selected }, null, 2)}\n`);
    } else {
      for (const id of listed) io.out.write(`${id}\t${pathOf(s.repos, id)}${changed.has(id) ? '' : '\t(no change)'}\n`);
      const picked = opts.selected && opts.selected.length !== photos ? ` (${opts.selected.length.toLocaleString('en-US')} photos picked)` : '';
      io.out.write(`dry run, nothing was changed: ${summary}${picked}\n`);
    }
    return failedNothing ? 1 : 0;
  }

  if (failedNothing) {
    if (opts.json) io.out.write(`${JSON.stringify({ editId, summary, photos, ids }, null, 2)}\n`);
    const hint = opts.hint?.(s);
    io.err.write(`shoebox: ${summary}${hint ? ` (${hint})` : ''}\n`);
    return 1;
  }
  if (!opts.json) io.out.write(`${summary}\n`);
  const sidecars = await writeSidecars(ctx, s, ids);
  if (opts.json) {
    io.out.write(`${JSON.stringify({ editId, summary, photos, ids, ...(sidecars ? { sidecars: { written: sidecars.written, failed: sidecars.failed } } : {}) }, null, 2)}\n`);
  } else if (sidecars?.file && sidecars.failed.length === 0) {
    io.out.write(`  sidecar: ${sidecars.file}\n`);
  } else if (sidecars && sidecars.written > 0) {
    io.out.write(`  XMP sidecars written: ${sidecars.written.toLocaleString('en-US')}\n`);
  }
  if (sidecars?.failed.length) {
    const n = sidecars.failed.length;
    const shown = sidecars.failed.slice(0, 5).map((f) => `\n  ${f.path}: ${f.error}`);
    io.err.write(
      `shoebox: the edit is saved, but ${n === 1 ? 'an XMP sidecar' : `${n.toLocaleString('en-US')} XMP sidecars`} could not be written ` +
        `(they stay queued for the app or the next \`shoebox index\`):${shown.join('')}${n > 5 ? `\n  … and ${n - 5} more` : ''}\n`,
    );
    return 1;
  }
  return 0;
}
