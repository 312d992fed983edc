// CLI: `export --user-data FILE` and `import --user-data FILE` (issue 12): what only the user made, out of the
// catalog and back onto the photos of a fresh index ([Note: user data file] in core/annotate/user-data.ts).
// Both go straight to the catalog without the engine lock (SQLite serializes writers), so they work beside a
// running app or `watch`.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../core/catalog/db.ts';
import { openCatalog } from '../core/catalog/repositories.ts';
import { dataPaths } from '../core/paths.ts';
import { STAGE_NAMES } from '../core/pipeline/stages.ts';
import { readSetting } from '../core/settings.ts';
import { exportUserData, importUserData, readUserData, type ExportResult, type ImportResult } from '../core/annotate/user-data.ts';
import { UsageError, type Context } from './context.ts';

export const EXPORT_USER_DATA_USAGE = 'Usage: shoebox export --user-data FILE\n';
export const IMPORT_USAGE = 'Usage: shoebox import --user-data FILE [--json]\n';

function catalogFile(ctx: Context): string {
  const file = dataPaths(ctx.dataDir).catalog;
  if (!fs.existsSync(file)) throw new Error(`no library at ${ctx.dataDir}: add a folder and index it first`);
  return file;
}

function counts(r: Pick<ExportResult, 'captions' | 'tags' | 'hiddenTags' | 'ratings' | 'labels' | 'places'>): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k.toLocaleString('en-US')} ${k === 1 ? one : many}`;
  return [n(r.captions, 'caption'), n(r.tags, 'tag'), n(r.hiddenTags, 'hidden tag'), n(r.ratings, 'rating'), n(r.labels, 'label'), n(r.places, 'place')].join(', ');
}

export function exportUserDataCommand(ctx: Context, args: string[], file: string): number {
  if (args.length) throw new UsageError('export --user-data takes no arguments', EXPORT_USER_DATA_USAGE);
  if (!file) throw new UsageError('--user-data needs the file to write', EXPORT_USER_DATA_USAGE);
  const db = openDatabase(catalogFile(ctx), { readonly: true });
  let r: ExportResult;
  try {
    r = exportUserData(openCatalog(db, () => STAGE_NAMES), path.resolve(file), { backupsDir: dataPaths(ctx.dataDir).backups });
  } finally {
    db.close();
  }
  ctx.io.out.write(`exported the user data of ${r.photos.toLocaleString('en-US')} photo${r.photos === 1 ? '' : 's'} to ${r.file}: ${counts(r)}\n`);
  if (r.copy) ctx.io.out.write(`a copy is kept in ${r.copy}\n`);
  if (r.copyError) ctx.io.err.write(`shoebox: the export is written, but its copy in ${dataPaths(ctx.dataDir).backups} is not: ${r.copyError}\n`);
  return 0;
}

export function importCommand(ctx: Context, args: string[], file: string | undefined, json: boolean): number {
  if (args.length) throw new UsageError('import takes no arguments', IMPORT_USAGE);
  if (!file) throw new UsageError('import needs --user-data FILE (a file `shoebox export --user-data` wrote)', IMPORT_USAGE);
  const source = path.resolve(file);
  // Checked before the catalog is opened: a bad file says so, and nothing is touched.
  const exportedAt = readUserData(source).exportedAt;
  const db = openDatabase(catalogFile(ctx));
  let r: ImportResult;
  let xmp: boolean;
  let photos: number;
  try {
    const repos = openCatalog(db, () => STAGE_NAMES);
    r = importUserData(repos, source);
    xmp = readSetting((k) => repos.catalog.setting(k), 'xmp') === 'on';
    photos = repos.catalog.counts().photos;
  } finally {
    db.close();
  }
  if (json) {
    ctx.io.out.write(`${JSON.stringify({ file: source, exportedAt, ...r }, null, 2)}\n`);
    return 0;
  }
  const out = ctx.io.out;
  out.write(`imported ${source}${exportedAt ? ` (exported ${exportedAt})` : ''}: ${r.entries.toLocaleString('en-US')} photo${r.entries === 1 ? '' : 's'} in the file\n`);
  out.write(`  ${r.matchedByFingerprint} matched by content, ${r.matchedByPath} by path only, ${r.notFound.length} found no photo\n`);
  for (const p of r.notFound.slice(0, 20)) out.write(`    not in the library: ${p.path}\n`);
  if (r.notFound.length > 20) out.write(`    … and ${r.notFound.length - 20} more (--json lists them all)\n`);
  if (r.notFound.length && photos === 0) out.write('  the library has no photos yet: add the folders and run `shoebox index` first, then import again\n');
  if (r.photos === 0) {
    out.write('  nothing to change: the library already has all of it\n');
    return 0;
  }
  out.write(`  changed ${r.photos.toLocaleString('en-US')} photo${r.photos === 1 ? '' : 's'}: ${counts(r)} added\n`);
  out.write('  one edit: `shoebox undo` takes it back\n');
  if (xmp) out.write(`  XMP sidecars queued for ${r.photos} photos: the running app or the next \`shoebox index\` writes them\n`);
  return 0;
}
