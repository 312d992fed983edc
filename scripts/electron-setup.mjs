// Prepares a checkout to run the desktop app: fetches the Electron binary and builds better-sqlite3
// for Electron's ABI into .electron-native/, leaving node_modules' Node build for the CLI and tests.
// See [Note: two ABIs] in src/main/core/native.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const electronDir = path.dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;

function step(message) {
  console.error(`[app setup] ${message}`);
}

// 1. The Electron binary. npm 11 does not run electron's install script (package.json
//    allowScripts), so that `npm ci` works offline; fetch it here, on first launch.
if (!fs.existsSync(path.join(electronDir, 'path.txt'))) {
  step(`downloading Electron ${electronVersion} (once)…`);
  try {
    execFileSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit', cwd: electronDir, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' } });
  } catch {
    console.error('[app setup] could not download Electron. Check the network, or set ELECTRON_MIRROR to a mirror.');
    process.exit(1);
  }
}

// 2. better-sqlite3 for Electron's ABI, built in a scratch copy so node_modules keeps Node's build.
const target = path.join(root, '.electron-native', `electron-${electronVersion}`, 'better_sqlite3.node');
if (!fs.existsSync(target)) {
  step(`building better-sqlite3 for Electron ${electronVersion} (once)…`);
  const src = path.dirname(require.resolve('better-sqlite3/package.json'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-electron-native-'));
  fs.cpSync(src, scratch, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) && !p.endsWith(`${path.sep}build`) });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'junction');
  const env = {
    ...process.env,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_disturl: 'https://electronjs.org/headers',
    npm_config_build_from_source: process.env.npm_config_build_from_source ?? '',
  };
  try {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'install'], { cwd: scratch, stdio: 'inherit', env, shell: process.platform === 'win32' });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(scratch, 'build', 'Release', 'better_sqlite3.node'), target);
  } catch {
    console.error('[app setup] could not build better-sqlite3 for Electron; see the README, "Running the app".');
    process.exit(1);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
step('ready');
