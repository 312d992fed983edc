// CLI: people correct the machine (`caption set|clear|show`) and `export` (tags: tagging-commands.ts).
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../core/catalog/db.ts';
import { dataPaths } from '../core/paths.ts';
import { STAGE_NAMES } from '../core/pipeline/stages.ts';
import { Editor } from '../core/annotate/editor.ts';
import { CSV_COLUMNS, csvField, csvLine, exportRows, type ExportRow } from '../core/annotate/export.ts';
import { syncSidecar } from '../core/annotate/sidecar-sync.ts';
import { XmpService } from '../core/media/xmp.ts';
import { openCatalog, type Repositories } from '../core/catalog/repositories.ts';
import { readSetting } from '../core/settings.ts';
import { UsageError, type Context } from './context.ts';
import type { PhotoDetails } from '../../shared/types.ts';
import { errorMessage } from '../../shared/error-message.ts';
import { tagKey } from '../../shared/vocabulary.ts';

/**
 * Edits go straight to the catalog, without the engine lock (SQLite serializes writers), so they
 * work beside a running app. With sidecars on, the photo's sidecar is written before returning.
 */
async function withEditor<T>(ctx: Context, fn: (ed: Editor) => T): Promise<{ result: T; sidecar: string | null; sidecarError: string | null }> {
  const file = dataPaths(ctx.dataDir).catalog;
  if (!fs.existsSync(file)) throw new Error(`no library at ${ctx.dataDir}: add a folder and index it first`);
  const db = openDatabase(file);
  let edited: number | null = null;
  const repos = openCatalog(db, () => STAGE_NAMES);
  const ed = new Editor(repos, (id) => (edited = id));
  try {
    const result = fn(ed);
    let sidecar: string | null = null;
    let sidecarError: string | null = null;
    if (edited !== null && readSetting((k) => ed.catalog.setting(k), 'xmp') === 'on') {
      const xmp = new XmpService();
      const photo = ed.catalog.photo(edited)!;
      try {
        const queue = repos.queue;
        const queued = queue.queuedAt(photo.id, 'xmp');
        sidecar = await syncSidecar(xmp, ed.annotations, photo, (f) => db.transaction(f)());
        // The engine need not write it again (unless another edit queued it meanwhile).
        if (queued !== undefined) queue.markDone(photo.id, 'xmp', queued, Date.now());
      } catch (e) {
        sidecarError = errorMessage(e);
      } finally {
        await xmp.end();
      }
    }
    return { result, sidecar, sidecarError };
  } finally {
    db.close();
  }
}

function showPhoto(ctx: Context, p: PhotoDetails, json: boolean): void {
  if (json) {
    const tags = p.tagDetails.filter((t) => !t.hidden);
    ctx.io.out.write(`${JSON.stringify({ path: p.path, caption: p.caption, captions: p.captions, tags, suggested: p.suggested, rating: p.rating, label: p.label }, null, 2)}\n`);
    return;
  }
  ctx.io.out.write(`${p.path}\n`);
  for (const c of p.captions) {
    const why =
      c.source === 'user'
        ? `yours${c.origin === 'import' ? ', imported from the photo' : ''}`
        : `${c.modelId}${c.score !== null ? `, CLIP check ${c.score.toFixed(3)}${c.lowConfidence ? ' (low confidence)' : ''}` : ''}`;
    ctx.io.out.write(`  caption: ${c.text}  [${why}]\n`);
  }
  if (p.captions.length === 0) ctx.io.out.write('  caption: (none yet)\n');
  ctx.io.out.write(`  tags: ${p.tags.length ? p.tags.join(', ') : '(none)'}\n`);
  if (p.suggested.length) {
    const score = (tag: string) => p.tagDetails.find((t) => t.source === 'auto' && t.tag === tag)?.score;
    ctx.io.out.write(`  suggested: ${p.suggested.map((t) => (score(t) != null ? `${t} (${score(t)})` : t)).join(', ')}\n`);
  }
  if (p.rating !== null) ctx.io.out.write(`  rating: ${ratingText(p.rating)}\n`);
  if (p.label !== null) ctx.io.out.write(`  label: ${p.label}\n`);
}

/** "★★★★ (4)", "rejected", "0 stars". */
export function ratingText(rating: number): string {
  return rating < 0 ? 'rejected' : rating === 0 ? '0 stars' : `${'★'.repeat(Math.min(5, rating))} (${rating})`;
}

function reportSidecar(ctx: Context, r: { sidecar: string | null; sidecarError: string | null }): number {
  if (r.sidecar) ctx.io.out.write(`  sidecar: ${r.sidecar}\n`);
  if (r.sidecarError) {
    ctx.io.err.write(`shoebox: the edit is saved, but the XMP sidecar could not be written: ${r.sidecarError}\n`);
    return 1;
  }
  return 0;
}

export async function captionCommand(ctx: Context, args: string[], json: boolean): Promise<number> {
  const [sub, photo, ...rest] = args;
  if (!photo) throw new UsageError('caption needs a subcommand and a photo: caption set <photo> "<text>" | caption clear <photo> | caption show <photo>');
  switch (sub) {
    case 'set': {
      const text = rest.join(' ').trim();
      if (!text) throw new UsageError('caption set needs the text: caption set <photo> "<text>" (caption clear removes yours)');
      const r = await withEditor(ctx, (ed) => ed.setCaption(photo, text));
      showPhoto(ctx, r.result, json);
      return reportSidecar(ctx, r);
    }
    case 'clear': {
      if (rest.length) throw new UsageError('caption clear takes only the photo');
      const r = await withEditor(ctx, (ed) => ed.setCaption(photo, ''));
      showPhoto(ctx, r.result, json);
      return reportSidecar(ctx, r);
    }
    case 'show': {
      const file = dataPaths(ctx.dataDir).catalog;
      if (!fs.existsSync(file)) throw new Error(`no library at ${ctx.dataDir}`);
      const db = openDatabase(file, { readonly: true });
      try {
        const ed = new Editor(openCatalog(db, () => STAGE_NAMES));
        showPhoto(ctx, ed.catalog.details(ed.photo(photo).id)!, json);
      } finally {
        db.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown caption command '${sub}': use set, clear or show`);
  }
}

/** An export row with what issue 11 added: the photo's id, rating and label, and which tags are suggestions. */
interface FullExportRow extends Omit<ExportRow, 'tags'> {
  tags: (ExportRow['tags'][number] & { suggested: boolean })[];
  id: number | null;
  rating: number | null;
  label: string | null;
  /** The user's tags, hierarchical ones as paths joined by "|". */
  userTags: string[];
  /** The model's suggestions (not accepted or rejected yet). */
  suggestedTags: string[];
  /** The text read in the photo (OCR), lines joined by newlines; null when none was found or it was not read. */
  text: string | null;
}

/** The export's rows, with each photo's id, marks, and its tags told apart: the user's (paths joined by "|") and the model's suggestions. */
function* fullRows(repos: Repositories): Generator<FullExportRow> {
  for (const row of exportRows(repos)) {
    const photo = repos.catalog.photoByPath(row.path);
    const own = photo ? repos.annotations.photoTags(photo.id) : { tags: [], suggested: [] };
    const marks = photo ? repos.annotations.marks(photo.id) : undefined;
    const suggested = new Set(own.suggested.map(tagKey));
    // The fields the export had first, as they were; then issue 11's; then issue 13's place; then issue 14's text.
    const { place, ...first } = row;
    yield {
      ...first,
      tags: row.tags.map((t) => ({ ...t, suggested: t.source === 'auto' && suggested.has(tagKey(t.tag)) })),
      id: photo?.id ?? null,
      rating: marks?.rating ?? null,
      label: marks?.label ?? null,
      userTags: own.tags,
      suggestedTags: own.suggested,
      place,
      text: photo ? (repos.text.texts([photo.id]).get(photo.id) ?? null) : null,
    };
  }
}

/** CSV_COLUMNS, then the columns issues 11, 13 and 14 added (at the end, so existing readers of the columns by position keep working). */
const FULL_CSV_COLUMNS = [...CSV_COLUMNS, 'user_tags', 'suggested_tags', 'rating', 'label', 'id', 'city', 'region', 'country', 'country_code', 'place_source', 'text_in_photo'] as const;

export function exportCommand(ctx: Context, args: string[], format: string | undefined, output: string | undefined): number {
  if (args.length) throw new UsageError('export takes no arguments: export --format csv|json [--output FILE]');
  const fmt = format ?? 'csv';
  if (fmt !== 'csv' && fmt !== 'json') throw new UsageError('--format must be csv or json');
  const file = dataPaths(ctx.dataDir).catalog;
  if (!fs.existsSync(file)) throw new Error(`no library at ${ctx.dataDir}`);
  const db = openDatabase(file, { readonly: true });
  // Written to a temporary file and renamed: a reader never sees half an export.
  const target = output ? path.resolve(output) : null;
  const tmp = target ? `${target}.${process.pid}.tmp` : null;
  const fd = tmp ? fs.openSync(tmp, 'w') : null;
  const write = (s: string) => (fd !== null ? fs.writeSync(fd, s) : ctx.io.out.write(s));
  let n = 0;
  try {
    if (fmt === 'csv') write(`${FULL_CSV_COLUMNS.join(',')}\n`);
    else write('[');
    for (const row of fullRows(openCatalog(db, () => STAGE_NAMES))) {
      if (fmt === 'csv') {
        const p = row.place;
        const extra = [row.userTags.join('; '), row.suggestedTags.join('; '), row.rating, row.label, row.id, p?.city ?? null, p?.region ?? null, p?.country ?? null, p?.countryCode ?? null, p?.source ?? null, row.text];
        write(`${csvLine(row)},${extra.map(csvField).join(',')}\n`);
      }
      else write(`${n ? ',' : ''}\n  ${JSON.stringify(row)}`);
      n++;
    }
    if (fmt === 'json') write(n ? '\n]\n' : ']\n');
    if (fd !== null) {
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp!, target!);
      ctx.io.err.write(`exported ${n} photos to ${target}\n`);
    }
  } catch (e) {
    if (fd !== null) {
      fs.closeSync(fd);
      fs.rmSync(tmp!, { force: true });
    }
    throw e;
  } finally {
    db.close();
  }
  return 0;
}
