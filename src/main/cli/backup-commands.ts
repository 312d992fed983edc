// CLI commands that keep the catalog safe: backup (now), backups (the list), repair.
import { backupCatalog, listBackups, type BackupInfo } from '../core/catalog/backup.ts';
import { openDatabase } from '../core/catalog/db.ts';
import { dataPaths } from '../core/paths.ts';
import { NothingToRepairError, repairLibrary } from '../core/repair.ts';
import { UsageError, type Context } from './context.ts';

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function count(n: number): string {
  return n < 0 ? '?' : String(n);
}

function holds(b: BackupInfo): string {
  return `${count(b.photos)} photos, ${count(b.userCaptions)} captions and ${count(b.userTags)} tags of yours`;
}

/**
 * `shoebox backup`: an online backup now. It reads the catalog through a read-only connection, so it
 * works beside a running app or `watch` (no engine lock).
 */
export async function backupCommand(ctx: Context, args: string[], json: boolean): Promise<number> {
  if (args.length) throw new UsageError('backup takes no arguments');
  const paths = dataPaths(ctx.dataDir);
  const db = openDatabase(paths.catalog, { readonly: true, backupsDir: paths.backups });
  try {
    const b = await backupCatalog(db, paths.backups, { reason: 'manual' });
    if (json) ctx.io.out.write(JSON.stringify(b, null, 2) + '\n');
    else ctx.io.out.write(`backed up to ${paths.backups}/${b.file} (${size(b.bytes)}, ${holds(b)}) in ${(b.stats.ms / 1000).toFixed(1)} s\n`);
    return 0;
  } finally {
    db.close();
  }
}

/** `shoebox backups`: the kept backups, newest first. */
export function backupsCommand(ctx: Context, args: string[], json: boolean): number {
  if (args.length) throw new UsageError('backups takes no arguments');
  const dir = dataPaths(ctx.dataDir).backups;
  const list = listBackups(dir);
  if (json) {
    ctx.io.out.write(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  if (list.length === 0) {
    ctx.io.out.write(`no backups yet in ${dir} (\`shoebox backup\` makes one)\n`);
    return 0;
  }
  ctx.io.out.write(`backups in ${dir}, newest first:\n`);
  ctx.io.out.write(`${'date'.padEnd(20)} ${'size'.padStart(9)} ${'photos'.padStart(8)} ${'captions'.padStart(9)} ${'tags'.padStart(7)}  why\n`);
  for (const b of list) {
    const d = new Date(b.createdAt);
    const local = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${d.toTimeString().slice(0, 8)}`;
    ctx.io.out.write(
      `${local.padEnd(20)} ${size(b.bytes).padStart(9)} ${count(b.photos).padStart(8)} ${count(b.userCaptions).padStart(9)} ${count(b.userTags).padStart(7)}  ${b.reason}\n`,
    );
  }
  return 0;
}

/** `shoebox repair`: the newest good backup back in place, the damaged file kept, user data reapplied, a rescan. */
export async function repairCommand(ctx: Context, args: string[], json: boolean): Promise<number> {
  if (args.length) throw new UsageError('repair takes no arguments');
  try {
    const r = await repairLibrary({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir }, (line) => ctx.io.err.write(line + '\n'));
    if (json) {
      ctx.io.out.write(JSON.stringify(r, null, 2) + '\n');
      return 0;
    }
    const scan = r.scans.reduce((a, s) => ({ added: a.added + s.added, missing: a.missing + s.missing, moved: a.moved + s.moved }), { added: 0, missing: 0, moved: 0 });
    const lines = [
      `repaired: ${r.problem ?? 'the catalog was missing'}`,
      r.damagedKeptAs ? `the damaged catalog is kept as ${r.damagedKeptAs}` : '',
      `restored the backup of ${r.restored.createdAt}: ${holds(r.restored)}`,
      r.userData ? `reapplied your data exported since: ${r.userData.result.summary}` : 'no export of your data made since that backup (nothing to reapply)',
      `rescanned: ${scan.added} photos added since the backup, ${scan.moved} moved, ${scan.missing} gone`,
      ...r.lost.map((l) => `may be lost: ${l}`),
      'run `shoebox index` (or open the app) to thumbnail and index the photos that came back',
    ];
    ctx.io.out.write(lines.filter(Boolean).join('\n') + '\n');
    return 0;
  } catch (e) {
    if (e instanceof NothingToRepairError) {
      ctx.io.out.write(`${e.message}\n`);
      return 0;
    }
    throw e;
  }
}
