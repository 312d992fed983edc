// Where a library keeps its files: the per-user default and the layout inside a data folder.
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Shoebox';

/**
 * The per-user app-data folder, the same one Electron's app.getPath('userData') gives for an
 * app named Shoebox: %APPDATA%\Shoebox, ~/Library/Application Support/Shoebox, or
 * $XDG_CONFIG_HOME/Shoebox (~/.config/Shoebox).
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

/** The data folder: --data, else SHOEBOX_DATA, else the per-user default. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag || env.SHOEBOX_DATA || defaultDataDir(env));
}

export interface DataPaths {
  root: string;
  catalog: string;
  lock: string;
  thumbs: string;
  previews: string;
  cacheTmp: string;
  models: string;
  index: string;
  /** Backups: catalog copies (catalog/backup.ts) and a copy of every user-data export (annotate/user-data.ts). */
  backups: string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    catalog: path.join(root, 'catalog.sqlite'),
    lock: path.join(root, 'engine.lock'),
    thumbs: path.join(root, 'cache', 'thumbs'),
    previews: path.join(root, 'cache', 'previews'),
    cacheTmp: path.join(root, 'cache', 'partial'),
    models: path.join(root, 'models'),
    index: path.join(root, 'index'),
    backups: path.join(root, 'backups'),
  };
}
