// The `shoebox` command line: the headless front door to the same engine the app runs.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Library, openReadOnly, readStatus } from '../core/library.ts';
import { resolveDataDir } from '../core/paths.ts';
import { ProgressBar, progressLine } from './progress-bar.ts';
import type { LibraryStatus, PhotoSummary } from '../../shared/types.ts';
import type { FolderScan } from '../core/scan/scanner.ts';

export const USAGE = `Shoebox: search your own photo folders in plain words, privately.

Usage: shoebox [--data DIR] <command> [options]

Commands:
  add <folder>...          add folders to the library (then run index)
  remove <folder>          remove a folder and everything derived from its photos
  index                    scan every folder, then process all pending work; exits when done
  watch                    index, then keep watching the folders until interrupted (Ctrl-C)
  status [--json]          photos, work per stage (done/pending/failed), and failed photos
  list [--json] [--folder F]
                           photos with id, path, date taken, size, caption and tags

Options:
  --data DIR               library data folder (catalog, index, thumbnails, models);
                           default: $SHOEBOX_DATA, else the app's per-user data folder
  --quiet                  no progress bar
  -h, --help               this help
`;

class UsageError extends Error {}

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WriteStream;
}

const OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean' },
  folder: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  add: [],
  remove: [],
  index: ['quiet'],
  watch: ['quiet'],
  status: ['json'],
  list: ['json', 'folder'],
};

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err.write(`shoebox: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    io.out.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) {
    io.err.write(`shoebox: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  for (const key of Object.keys(values)) {
    if (key !== 'data' && key !== 'help' && !allowed.includes(key)) {
      io.err.write(`shoebox: --${key} does not apply to '${command}'\n`);
      return 2;
    }
  }
  const dataDir = resolveDataDir(values.data);
  try {
    switch (command) {
      case 'add':
        return await withLibrary(dataDir, async (lib) => {
          if (args.length === 0) throw new UsageError('add needs at least one folder');
          for (const dir of args) {
            const r = await lib.addFolder(dir);
            io.out.write(r.added ? `added ${r.path}\n` : `already in the library: ${r.path}\n`);
          }
          io.out.write('run `shoebox index` to catalog the photos\n');
          return 0;
        });
      case 'remove':
        return await withLibrary(dataDir, async (lib) => {
          if (args.length !== 1) throw new UsageError('remove takes one folder');
          const removed = await lib.removeFolder(args[0]!);
          if (!removed) {
            io.err.write(`shoebox: not a library folder: ${path.resolve(args[0]!)}\n`);
            return 1;
          }
          io.out.write(`removed ${path.resolve(args[0]!)}\n`);
          return 0;
        });
      case 'index':
      case 'watch':
        if (args.length) throw new UsageError(`${command} takes no arguments`);
        return await indexCommand(dataDir, command === 'watch', values.quiet ?? false, io);
      case 'status':
        return statusCommand(dataDir, values.json ?? false, io);
      case 'list':
        return listCommand(dataDir, values.json ?? false, values.folder, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`shoebox: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err.write(`shoebox: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return 0;
}

async function withLibrary<T>(dataDir: string, fn: (lib: Library) => Promise<T>): Promise<T> {
  const lib = Library.open({ dataDir });
  try {
    return await fn(lib);
  } finally {
    await lib.close();
  }
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

async function indexCommand(dataDir: string, keepWatching: boolean, quiet: boolean, io: Io): Promise<number> {
  const lib = Library.open({ dataDir });
  const bar = new ProgressBar(io.err, !quiet);
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
    const unsubscribe = lib.pipeline.onProgress((stages) => {
      const active = stages.find((s) => s.done < s.total) ?? stages.at(-1);
      if (active) bar.update(progressLine(active));
    });
    if (!interrupted && !keepWatching) await lib.pipeline.run({ untilIdle: true });
    if (!interrupted && keepWatching) {
      await lib.watch((e) => {
        if (e.type === 'folder') io.err.write(`\n${e.path} is ${e.online ? 'back online' : 'offline'}\n`);
        if (e.type === 'error') io.err.write(`\nwatch error: ${e.message}\n`);
      });
      io.err.write('watching for changes; press Ctrl-C to stop\n');
      await interruptedPromise;
    }
    unsubscribe();
    for (const s of lib.pipeline.progress()) bar.done(progressLine(s));
    const status = lib.status();
    const failed = status.failed.length;
    io.out.write(
      `${interrupted ? 'stopped' : 'done'}: ${status.photos} photos in the library` +
        (failed ? `; ${failed} failed (see \`shoebox status\`)` : '') +
        '\n',
    );
    return interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await lib.close();
  }
}

function emptyStatus(): LibraryStatus {
  return { photos: 0, offline: 0, folders: [], stages: [], failed: [], scanIssues: [] };
}

function statusCommand(dataDir: string, json: boolean, io: Io): number {
  const ro = openReadOnly(dataDir);
  const status = ro ? readStatus(ro.db) : emptyStatus();
  ro?.db.close();
  if (json) {
    io.out.write(JSON.stringify({ dataDir, ...status }, null, 2) + '\n');
    return 0;
  }
  const lines = [`library: ${dataDir}`, `photos: ${status.photos}${status.offline ? ` (${status.offline} offline)` : ''}`];
  if (status.folders.length === 0) lines.push('folders: none (add one with `shoebox add <folder>`)');
  for (const f of status.folders) lines.push(`folder: ${f.path}  ${f.photos} photos${f.online ? '' : '  OFFLINE'}`);
  for (const s of status.stages) lines.push(`stage ${s.stage}: ${s.done} done, ${s.pending} pending, ${s.failed} failed`);
  if (status.failed.length) {
    lines.push(`failed photos (${status.failed.length}):`);
    for (const f of status.failed) lines.push(`  ${f.path}\n    ${f.stage}: ${f.error}`);
  }
  if (status.scanIssues.length) {
    lines.push(`skipped while scanning (${status.scanIssues.length}):`);
    for (const i of status.scanIssues) lines.push(`  ${i.path}\n    ${i.reason}`);
  }
  io.out.write(lines.join('\n') + '\n');
  return 0;
}

function listCommand(dataDir: string, json: boolean, folder: string | undefined, io: Io): number {
  const ro = openReadOnly(dataDir);
  const photos: PhotoSummary[] = ro ? ro.catalog.list({ folder }) : [];
  ro?.db.close();
  if (json) {
    io.out.write(JSON.stringify(photos, null, 2) + '\n');
    return 0;
  }
  for (const p of photos) {
    const size = p.width && p.height ? `${p.width}x${p.height}` : '-';
    const extra = [p.caption ? `"${p.caption}"` : '', p.tags.length ? `[${p.tags.join(', ')}]` : '', p.offline ? 'OFFLINE' : ''].filter(Boolean).join(' ');
    io.out.write(`${p.id}\t${p.path}\t${p.takenAt ?? '-'}\t${size}${extra ? '\t' + extra : ''}\n`);
  }
  return 0;
}
