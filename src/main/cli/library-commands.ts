// CLI commands about the library itself: add, remove, index, watch, status, list.
import path from 'node:path';
import { Library } from '../core/library.ts';
import { readStatus } from '../core/status.ts';
import type { FolderScan } from '../core/scan/scanner.ts';
import type { LibraryStatus, PhotoSummary } from '../../shared/types.ts';
import { ProgressBar, progressLine } from './progress-bar.ts';
import { searchOptions, type SearchFlags } from './search-commands.ts';
import { formatTagList } from '../../shared/vocabulary.ts';
import { modelStore, UsageError, withLibrary, withReader, type Context } from './context.ts';

export async function addCommand(ctx: Context, args: string[]): Promise<number> {
  if (args.length === 0) throw new UsageError('add needs at least one folder');
  return withLibrary(ctx, async (lib) => {
    for (const dir of args) {
      const r = await lib.addFolder(dir);
      ctx.io.out.write(r.added ? `added ${r.path}\n` : `already in the library: ${r.path}\n`);
    }
    ctx.io.out.write('run `shoebox index` to catalog the photos\n');
    return 0;
  });
}

export async function removeCommand(ctx: Context, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('remove takes one folder');
  return withLibrary(ctx, async (lib) => {
    const abs = path.resolve(args[0]!);
    if (!(await lib.removeFolder(abs))) {
      ctx.io.err.write(`shoebox: not a library folder: ${abs}\n`);
      return 1;
    }
    ctx.io.out.write(`removed ${abs}\n`);
    return 0;
  });
}

function scanSummary(scans: FolderScan[]): string {
  const sum = scans.reduce(
    (a, s) => ({ seen: a.seen + s.seen, added: a.added + s.added, changed: a.changed + s.changed, moved: a.moved + s.moved, missing: a.missing + s.missing }),
    { seen: 0, added: 0, changed: 0, moved: 0, missing: 0 },
  );
  const offline = scans.filter((s) => !s.online).map((s) => s.folder);
  const parts = [`${sum.seen} photos seen`, `${sum.added} new`, `${sum.changed} changed`, `${sum.moved} moved`, `${sum.missing} removed`];
  return `scan: ${parts.join(', ')}${offline.length ? `; offline: ${offline.join(', ')}` : ''}`;
}

export async function indexCommand(ctx: Context, args: string[], keepWatching: boolean): Promise<number> {
  if (args.length) throw new UsageError(`${keepWatching ? 'watch' : 'index'} takes no arguments`);
  const { io } = ctx;
  const lib = Library.open({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir });
  const bar = new ProgressBar(io.err, !ctx.quiet);
  let interrupted = false;
  let onInterrupt: () => void = () => {};
  const interruptedPromise = new Promise<void>((resolve) => (onInterrupt = resolve));
  const stop = () => {
    if (interrupted) return;
    interrupted = true;
    bar.done();
    io.err.write('stopping: letting the work in flight finish…\n');
    void lib.pipeline.cancel();
    onInterrupt();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    if (lib.catalog.folders().length === 0) io.err.write('the library has no folders yet: add one with `shoebox add <folder>`\n');
    const started = Date.now();
    const scans = await lib.scan(({ checked, hashed, toHash }) => {
      const secs = (Date.now() - started) / 1000;
      bar.update(`scan     ${checked} files checked, ${hashed}/${toHash} new or changed read  ${(checked / Math.max(secs, 0.001)).toFixed(0)}/s`);
    });
    bar.done();
    io.err.write(scanSummary(scans) + '\n');
    const why = lib.ml.clipUnavailable();
    if (why) io.err.write(`search and tags wait: ${why}\n`);
    const captionWhy = lib.ml.captionUnavailable();
    if (captionWhy && lib.status().ml?.captionsOn) io.err.write(`captions wait: ${captionWhy}\n`);
    let toldFull = false;
    const unsubscribe = lib.onProgress((stages) => {
      const full = lib.diskFull;
      if (full && !toldFull) {
        bar.done();
        io.err.write(`${full.message}: indexing waits, and goes on by itself once there is space (Ctrl-C stops)\n`);
      } else if (!full && toldFull) io.err.write('there is space again: indexing goes on\n');
      toldFull = full !== null;
      const active = stages.find((s) => s.done < s.total && !(why && s.stage !== 'thumb')) ?? stages[0];
      if (active) bar.update(progressLine(active));
    });
    if (!interrupted && !keepWatching) await lib.processAll();
    if (!interrupted && keepWatching) {
      await lib.watch((e) => {
        if (e.type === 'folder') io.err.write(`\n${e.path} is ${e.online ? 'back online' : 'offline'}\n`);
        if (e.type === 'error') io.err.write(`\nwatch error: ${e.message}\n`);
      });
      io.err.write('watching for changes; press Ctrl-C to stop\n');
      await interruptedPromise;
    }
    unsubscribe();
    for (const s of lib.pipeline.progress()) if (s.total > 0) bar.done(progressLine(s));
    for (const p of lib.pipeline.problems()) if (!(why && p.reason === why)) io.err.write(`${p.stage} did not run: ${p.reason}\n`);
    const status = lib.status();
    const failed = status.failed.length;
    io.out.write(`${interrupted ? 'stopped' : 'done'}: ${status.photos} photos in the library` + (failed ? `; ${failed} failed (see \`shoebox status\`)` : '') + '\n');
    return interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await lib.close();
  }
}

function emptyStatus(): LibraryStatus {
  return { photos: 0, offline: 0, folders: [], stages: [], failed: [], damaged: [], scanIssues: [], skippedVideos: 0, ml: null };
}

export function statusCommand(ctx: Context, json: boolean): number {
  const models = modelStore(ctx);
  const status = withReader(ctx, (r) => readStatus(r, models, undefined, ctx.dataDir)) ?? emptyStatus();
  if (json) {
    ctx.io.out.write(JSON.stringify({ dataDir: ctx.dataDir, ...status }, null, 2) + '\n');
    return 0;
  }
  const lines = [`library: ${ctx.dataDir}`, `photos: ${status.photos}${status.offline ? ` (${status.offline} offline)` : ''}`];
  if (status.diskFull) lines.push(`${status.diskFull.message}: indexing has stopped, and goes on by itself once there is space`);
  if (status.folders.length === 0) lines.push('folders: none (add one with `shoebox add <folder>`)');
  for (const f of status.folders) lines.push(`folder: ${f.path}  ${f.photos} photos${f.online ? '' : '  OFFLINE'}`);
  for (const s of status.stages) lines.push(`stage ${s.stage}: ${s.done} done, ${s.pending} pending, ${s.failed} failed`);
  const ml = status.ml;
  if (ml) {
    lines.push(`clip model: ${ml.clipModel ?? 'none'}${ml.clipInstalled ? '' : ' (not installed: `shoebox models download ' + ml.clipModel + '`)'}; ${ml.embedded} photos embedded`);
    const th = ml.captionThreshold;
    lines.push(
      `caption model: ${ml.captionModel ?? 'none'}` +
        (!ml.captionsOn ? ' (captioning is off)' : ml.captionInstalled ? '' : ` (not installed: \`shoebox models download ${ml.captionModel}\`)`) +
        `; ${ml.captioned} photos captioned, ${ml.lowConfidence} low-confidence` +
        (th ? ` (CLIP check threshold ${th.value}, ${th.source})` : '') +
        `; XMP sidecars ${ml.xmp ? 'on' : 'off'}`,
    );
    if (ml.previousModel) lines.push(`search uses ${ml.previousModel} until ${ml.clipModel} has embedded the library`);
    if (ml.ocr) {
      const o = ml.ocr;
      lines.push(
        `ocr model: ${o.model ?? 'none'} (reads ${o.languages.join(', ') || 'nothing known'})` +
          (!o.on ? ' (reading text is off)' : o.installed ? '' : ` (not installed: \`shoebox models download ${o.model}\`)`) +
          `; ${o.read} photos read, ${o.withText} with text`,
      );
    }
    const p = ml.provider;
    lines.push(
      `execution provider: ${p ? p.used : 'not started yet'} (setting: ${ml.providerSetting})` +
        (p?.fallbacks.length ? `; fell back from ${p.fallbacks.map((f) => `${f.provider} (${f.reason})`).join(', ')}` : ''),
    );
  }
  if (status.failed.length) {
    lines.push(`failed photos (${status.failed.length}):`);
    for (const f of status.failed) lines.push(`  ${f.path}\n    ${f.stage}: ${f.error}`);
  }
  if (status.damaged.length) {
    lines.push(`damaged photos, shown as far as they could be read (${status.damaged.length}):`);
    for (const d of status.damaged) lines.push(`  ${d.path}\n    ${d.reason}`);
  }
  if (status.skippedVideos) lines.push(`videos skipped (not part of a photo; Shoebox does not catalogue videos yet): ${status.skippedVideos}`);
  if (status.scanIssues.length) {
    lines.push(`skipped while scanning (${status.scanIssues.length}):`);
    for (const i of status.scanIssues) lines.push(`  ${i.path}\n    ${i.reason}`);
  }
  ctx.io.out.write(lines.join('\n') + '\n');
  return 0;
}

export function listCommand(ctx: Context, json: boolean, flags: SearchFlags): number {
  const { folder, from, to, camera, tag, minRating, label } = searchOptions({ ...flags, limit: undefined });
  const filter = { folder: flags.folder === undefined ? undefined : folder, from, to, camera, tag, minRating, label };
  const listed = withReader(ctx, (r) => {
    const photos = r.browser.photos({ ...filter, limit: -1 });
    // The text read in each photo (OCR), for --json: lines joined by newlines, null when none was found.
    return { photos, texts: json ? r.text.texts(photos.map((p) => p.id)) : new Map<number, string>() };
  });
  const photos: PhotoSummary[] = listed?.photos ?? [];
  if (json) {
    ctx.io.out.write(JSON.stringify(photos.map((p) => ({ ...p, text: listed?.texts.get(p.id) ?? null })), null, 2) + '\n');
    return 0;
  }
  for (const p of photos) {
    const size = p.width && p.height ? `${p.width}x${p.height}` : '-';
    const extra = [
      p.caption ? `"${p.caption}"` : '',
      p.tags.length ? `[${formatTagList(p.tags)}]` : '',
      p.suggested.length ? `(suggested: ${formatTagList(p.suggested)})` : '',
      p.rating !== null && p.rating !== 0 ? (p.rating < 0 ? 'rejected' : '★'.repeat(Math.min(5, p.rating))) : '',
      p.label ? `label:${p.label}` : '',
      p.offline ? 'OFFLINE' : '',
    ]
      .filter(Boolean)
      .join(' ');
    ctx.io.out.write(`${p.id}\t${p.path}\t${p.takenAt ?? '-'}\t${size}${extra ? '\t' + extra : ''}\n`);
  }
  return 0;
}
