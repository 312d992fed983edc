// The end-to-end harness: a built window, fixture models, coloured photos, a `shoebox serve` child process and Debian's chromium.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeJpeg } from '../helpers/photos.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the end-to-end tests leave their screenshots (git ignores test-results/). */
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'e2e');

// ── the browser ──────────────────────────────────────────────────────────

/** The chromium to drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium; a clear error when neither exists. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  for (const p of candidates) if (fs.existsSync(p)) return p;
  throw new Error(
    `No chromium found (looked at ${candidates.join(', ')}). The browser tests drive Debian's chromium: ` +
      'install it with `apt-get install chromium` (sudo if not root), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}

/** Launch flags: root cannot use chromium's sandbox, and containers have a small /dev/shm. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'];

// ── the built window ─────────────────────────────────────────────────────

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const st = fs.statSync(path.join(entry.parentPath, entry.name));
    if (st.mtimeMs > newest) newest = st.mtimeMs;
  }
  return newest;
}

/**
 * The renderer `serve` hands to the browser. With SHOEBOX_RENDERER_DIR set, that folder is used
 * as it is; otherwise out/renderer, rebuilt with `npm run build` when it is missing or older than
 * any file under src/renderer or src/shared.
 */
export function ensureRendererBuilt(log: (line: string) => void = (l) => console.log(l)): string {
  if (process.env.SHOEBOX_RENDERER_DIR) return path.resolve(process.env.SHOEBOX_RENDERER_DIR);
  const out = path.join(ROOT, 'out', 'renderer');
  const index = path.join(out, 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(ROOT, 'src', 'renderer')), newestMtime(path.join(ROOT, 'src', 'shared')));
  if (built >= sources) return out;
  log(built === 0 ? 'e2e: out/renderer is missing; running npm run build' : 'e2e: out/renderer is older than src/renderer; running npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal}); the browser tests need out/renderer`);
  return out;
}

// ── the library's inputs ─────────────────────────────────────────────────

export type Colour = 'red' | 'blue' | 'green' | 'yellow';

const COLOURS: Record<Colour, { r: number; g: number; b: number }> = {
  red: { r: 215, g: 30, b: 25 },
  blue: { r: 25, g: 50, b: 220 },
  green: { r: 30, g: 190, b: 40 },
  yellow: { r: 235, g: 215, b: 20 },
};

/** 3 red, 3 blue, 2 green and 2 yellow JPEGs named IMG_0001.jpg… in an interleaved order: no name says its colour. */
export async function makeColourPhotos(dir: string): Promise<Record<Colour, string[]>> {
  const order: Colour[] = ['blue', 'red', 'green', 'yellow', 'red', 'blue', 'green', 'blue', 'yellow', 'red'];
  const byColour: Record<Colour, string[]> = { red: [], blue: [], green: [], yellow: [] };
  for (const [i, colour] of order.entries()) {
    const file = path.join(dir, `IMG_${String(i + 1).padStart(4, '0')}.jpg`);
    await makeJpeg(file, {
      width: 320,
      height: 240,
      color: COLOURS[colour],
      seed: i + 1,
      // Distinct days, so the grid's order is fixed.
      takenAt: `2023:06:${String(10 + i).padStart(2, '0')} 12:00:00`,
    });
    byColour[colour].push(file);
  }
  return byColour;
}

// ── `shoebox serve` ──────────────────────────────────────────────────────

export interface Served {
  /** The URL serve printed, token included: what a person opens. */
  url: string;
  origin: string;
  token: string | null;
  child: ChildProcess;
  /** Everything the child wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Calls a contract method over HTTP (POST /api/<method> with the token as a Bearer header); throws on an ApiError. */
  api<T = unknown>(method: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export interface ServeOptions {
  dataDir: string;
  modelsDir?: string;
  /** Extra arguments after `serve --port 0`, e.g. ['--no-index']. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the "Shoebox is serving" line. */
  startTimeoutMs?: number;
}

const SERVING = /Shoebox is serving (\S+)/;

/** Spawns `node bin/shoebox.js --data D [--models M] serve --port 0 …` and waits for the URL line. */
export async function startServe(opts: ServeOptions): Promise<Served> {
  const argv = [path.join(ROOT, 'bin', 'shoebox.js'), '--data', opts.dataDir];
  if (opts.modelsDir) argv.push('--models', opts.modelsDir);
  argv.push('serve', '--port', '0', ...(opts.args ?? []));
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (process.env.SHOEBOX_E2E_VERBOSE) process.stderr.write(`[serve] ${d}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timeout = opts.startTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shoebox serve printed no "Shoebox is serving <url>" line in ${timeout} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeout);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (process.env.SHOEBOX_E2E_VERBOSE) process.stdout.write(`[serve] ${d}`);
      const m = SERVING.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`shoebox serve exited (${code ?? signal}) before serving.\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });

  const parsed = new URL(url);
  const token = parsed.searchParams.get('token');
  const origin = parsed.origin;

  async function api<T>(method: string, args?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${origin}/api/${method}`, {
      method: 'POST',
      headers,
      body: args === undefined ? undefined : JSON.stringify(args),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new Error(`/api/${method}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    // The contract's ApiResult: { ok: true, value } or { ok: false, error: { code, message } }.
    const r = body as { ok?: boolean; value?: T; error?: { code: string; message: string } };
    if (r.ok === true) return r.value as T;
    throw new Error(`/api/${method}: HTTP ${res.status} ${r.error ? `${r.error.code}: ${r.error.message}` : text.slice(0, 200)}`);
  }

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  return { url, origin, token, child, stderr: () => stderr, api, stop };
}

// ── the whole fixture ────────────────────────────────────────────────────

export interface E2eFixture {
  root: string;
  dataDir: string;
  modelsDir: string;
  photosDir: string;
  photos: Record<Colour, string[]>;
  served: Served;
  close(): Promise<void>;
}

/**
 * Everything app.e2e.ts needs: the built window, fixture models (tiny colour CLIP and captioner)
 * in a temporary folder, ten coloured photos in another, and an empty library served on a free
 * port. close() stops the server and removes the temporary folders.
 */
export async function startE2eFixture(): Promise<E2eFixture> {
  ensureRendererBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-e2e-'));
  try {
    const dataDir = path.join(root, 'data');
    const modelsDir = path.join(root, 'models');
    const photosDir = path.join(root, 'photos');
    fs.mkdirSync(modelsDir, { recursive: true });
    await writeFixtureModels(modelsDir);
    const photos = await makeColourPhotos(photosDir);
    const served = await startServe({ dataDir, modelsDir });
    return {
      root,
      dataDir,
      modelsDir,
      photosDir,
      photos,
      served,
      async close() {
        await served.stop();
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
}
