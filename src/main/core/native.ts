// Where the native better-sqlite3 addon comes from under Node and under Electron.
//
// [Note: two ABIs] better-sqlite3 is built against V8 directly, so one binary serves either
// Node's ABI or Electron's, never both. node_modules keeps the Node build (tests, CLI, server).
// `npm run app` builds a second copy for Electron into .electron-native/ (scripts/electron-native.mjs),
// and the Electron main process passes it as `nativeBinding`. Packaged apps are rebuilt by
// electron-builder and use their own node_modules copy, so no override is needed there.
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
