// Where the native better-sqlite3 addon comes from under Node and under Electron.
//
// [Note: two ABIs] better-sqlite3 is built against V8 directly, so one binary serves either
// Node's ABI or Electron's, never both. node_modules keeps the Node build (tests, CLI, server).
// `npm run app` builds a second copy for Electron into .electron-native/ (scripts/electron-setup.mjs),
// and the Electron main process passes it as `nativeBinding`. Packaged apps need no override:
// `npm run dist` has electron-builder rebuild node_modules for Electron before packing it (so the
// app's own copy is Electron's build), then its `postdist` rebuilds node_modules for Node again.
import fs from 'node:fs';
import path from 'node:path';

export function electronNativeBinding(
  projectRoot: string,
  versions: NodeJS.ProcessVersions = process.versions,
): string | undefined {
  const electron = (versions as NodeJS.ProcessVersions & { electron?: string }).electron;
  if (!electron) return undefined;
  const file = path.join(projectRoot, '.electron-native', `electron-${electron}`, 'better_sqlite3.node');
  return fs.existsSync(file) ? file : undefined;
}
