// The packaging configuration, checked offline (electron-builder itself is never run here: it would
// download Electron): electron-builder's own schema accepts it, the four targets are there, the
// native modules are unpacked from the asar and rebuilt for Electron, and `npm run dist` exists.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';
import { APP_NAME } from '../../src/main/core/paths.ts';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

interface ConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: Configuration | null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: unknown): Promise<void>;
}

async function load() {
  // app-builder-lib is electron-builder's engine; these are the functions `electron-builder` runs first.
  const appBuilderLib = path.dirname(require.resolve('app-builder-lib/package.json', { paths: [path.dirname(require.resolve('electron-builder/package.json'))] }));
  const config = require(path.join(appBuilderLib, 'out/util/config/config.js')) as ConfigModule;
  const { DebugLogger } = require(require.resolve('builder-util', { paths: [appBuilderLib] })) as { DebugLogger: new (enabled: boolean) => unknown };
  const cfg = await config.getConfig(root, null, null);
  return { cfg, validate: (c: Configuration) => config.validateConfiguration(c, new DebugLogger(false)) };
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

/** A files-like option as plain patterns (getConfig turns `files` into [{ filter: [...] }]). */
const patterns = (f: unknown): string[] =>
  (Array.isArray(f) ? f : [f]).flatMap((x) => (typeof x === 'string' ? [x] : ((x as { filter?: string | string[] }).filter ?? [])));

const targets = (t: unknown) => (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : (x as { target: string }).target));

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema, and a wrong key would not', async () => {
    const { cfg, validate } = await load();
    await expect(validate(cfg)).resolves.toBeUndefined();
    await expect(validate({ ...cfg, linux: { ...cfg.linux, tray: true } as Configuration['linux'] })).rejects.toThrow(/configuration/i);
  });

  it('builds AppImage and deb, dmg, and nsis, as Shoebox (the name the library folder is found by)', async () => {
    const { cfg } = await load();
    expect(cfg.productName).toBe('Shoebox');
    expect(cfg.productName).toBe(APP_NAME);
    expect(cfg.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(targets(cfg.linux!.target)).toEqual(['AppImage', 'deb']);
    expect(targets(cfg.mac!.target)).toEqual(['dmg']);
    expect(targets(cfg.win!.target)).toEqual(['nsis']);
    for (const platform of [cfg.linux!, cfg.mac!, cfg.win!]) expect(fs.existsSync(path.join(root, platform.icon!))).toBe(true);
    expect(cfg.directories?.output).toBe('dist');
  });

  it('packs the built bundles and the tray icon, which the app finds beside out/', async () => {
    const { cfg } = await load();
    const files = patterns(cfg.files);
    expect(files).toContain('out/**');
    expect(pkg.main.startsWith('out/')).toBe(true);
    for (const f of files.filter((p) => p.startsWith('resources/'))) expect(fs.existsSync(path.join(root, f)), f).toBe(true);
    expect(files).toContain('resources/tray.png');
  });

  it('unpacks every native module from the asar and rebuilds them for Electron', async () => {
    const { cfg } = await load();
    const unpack = patterns(cfg.asarUnpack);
    for (const mod of ['better-sqlite3', 'hnswlib-node', 'onnxruntime-node', 'sharp', 'exiftool-vendored.pl', 'exiftool-vendored.exe']) {
      expect(unpack, mod).toContain(`node_modules/${mod}/**`);
    }
    expect(unpack).toContain('**/node_modules/@img/**'); // sharp's libvips, wherever npm puts it
    for (const mod of ['better-sqlite3', 'hnswlib-node', 'onnxruntime-node', 'sharp', 'exiftool-vendored']) expect(pkg.dependencies[mod], mod).toBeDefined();
    expect(cfg.npmRebuild).toBe(true);
  });

  it('packs only the time zone dataset geo-tz is used with, unpacked for its file reads', async () => {
    const { cfg } = await load();
    const files = patterns(cfg.files);
    const data = path.join(root, 'node_modules/geo-tz/data');
    const datasets = fs.readdirSync(data).filter((f) => f.endsWith('.geo.dat')).map((f) => f.replace('.geo.dat', ''));
    expect(datasets.sort()).toEqual(['timezones-1970.geojson', 'timezones-now.geojson', 'timezones.geojson']);
    // The default export ('geo-tz') is the 1970 dataset; the other two are left out.
    expect(fs.readFileSync(require.resolve('geo-tz'), 'utf8')).toContain('timezones-1970.geojson');
    expect(files).toContain('!node_modules/geo-tz/data/timezones-now.geojson.*');
    expect(files).toContain('!node_modules/geo-tz/data/timezones.geojson.*');
    expect(files.some((f) => f.includes('timezones-1970'))).toBe(false);
    expect(patterns(cfg.asarUnpack)).toContain('node_modules/geo-tz/data/timezones-1970.geojson.geo.dat');
    expect(pkg.dependencies['geo-tz']).toBeDefined();
  });
});

describe('package.json', () => {
  it('has `npm run dist` (build, then package), and puts Node’s better-sqlite3 back afterwards', () => {
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder');
    expect(pkg.scripts.postdist).toBe('npm rebuild better-sqlite3');
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.dependencies['electron-builder']).toBeUndefined();
  });

  it('lets no packaging dependency run an install script (npm ci stays offline)', () => {
    expect(pkg.allowScripts['electron-winstaller']).toBe(false);
    expect(pkg.allowScripts.electron).toBe(false);
  });
});
