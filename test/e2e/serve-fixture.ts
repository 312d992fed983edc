// The end-to-end harness: a built window, fixture models, coloured photos, a `shoebox serve` child process and Debian's chromium.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeJpeg } from '../helpers/photos.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { MANIFEST_FILE } from '../../src/main/core/models/spec.ts';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/** Chromium and one 1280×860 page whose console errors and uncaught exceptions land in `errors`. */
export async function openBrowser(errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { browser, page };
}

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

/** The cameras of the colour photos: the odd-numbered files (IMG_0001, IMG_0003…) are Canon, the even ones Fujifilm. */
export const CAMERAS = [
  { make: 'Canon', model: 'Canon EOS R5' },
  { make: 'FUJIFILM', model: 'X-T4' },
] as const;

/** Where IMG_0002.jpg (a red photo) was taken: the only photo with GPS. */
export const GPS_PHOTO = { name: 'IMG_0002.jpg', lat: 50.8225, lon: -0.1372 } as const;

/**
 * 3 red, 3 blue, 2 green and 2 yellow JPEGs named IMG_0001.jpg… in an interleaved order: no name
 * says its colour. Taken on 10–19 June 2023 (one a day, IMG_0001 first), by the CAMERAS in turn;
 * GPS_PHOTO has GPS. `first` numbers the files from another index, `month` moves their dates,
 * `portrait` makes them 240×320 instead of 320×240.
 */
export async function makeColourPhotos(
  dir: string,
  opts: { order?: Colour[]; first?: number; month?: string; portrait?: boolean } = {},
): Promise<Record<Colour, string[]>> {
  const order: Colour[] = opts.order ?? ['blue', 'red', 'green', 'yellow', 'red', 'blue', 'green', 'blue', 'yellow', 'red'];
  const first = opts.first ?? 1;
  const month = opts.month ?? '2023:06';
  const byColour: Record<Colour, string[]> = { red: [], blue: [], green: [], yellow: [] };
  for (const [i, colour] of order.entries()) {
    const name = `IMG_${String(first + i).padStart(4, '0')}.jpg`;
    const file = path.join(dir, name);
    await makeJpeg(file, {
      width: opts.portrait ? 240 : 320,
      height: opts.portrait ? 320 : 240,
      color: COLOURS[colour],
      seed: first + i,
      // Distinct days, so the grid's order is fixed.
      takenAt: `${month}:${String(10 + i).padStart(2, '0')} 12:00:00`,
      ...CAMERAS[(first + i - 1) % 2]!,
      ...(name === GPS_PHOTO.name ? { gps: { lat: GPS_PHOTO.lat, lon: GPS_PHOTO.lon } } : {}),
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
  /**
   * Where the fixture models' files are: modelsDir itself, or (models: 'missing') a folder beside
   * it that a test imports from or serves as a model hub.
   */
  modelSourceDir: string;
  photosDir: string;
  photos: Record<Colour, string[]>;
  served: Served;
  close(): Promise<void>;
}

export interface E2eOptions {
  /**
   * 'installed' (default): the fixture models are in the models folder and active. 'missing':
   * the models folder holds only their manifest (so they are known and active, but not installed),
   * and their files lie in modelSourceDir: the first-run state of a new user.
   */
  models?: 'installed' | 'missing';
  /** Environment of the serve process. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Everything the browser tests need: the built window, fixture models (tiny colour CLIP and
 * captioner) in a temporary folder, ten coloured photos in another, and an empty library served on
 * a free port. close() stops the server and removes the temporary folders.
 */
export async function startE2eFixture(opts: E2eOptions = {}): Promise<E2eFixture> {
  ensureRendererBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-e2e-'));
  try {
    const dataDir = path.join(root, 'data');
    const modelsDir = path.join(root, 'models');
    const photosDir = path.join(root, 'photos');
    const modelSourceDir = opts.models === 'missing' ? path.join(root, 'fixture-models') : modelsDir;
    fs.mkdirSync(modelSourceDir, { recursive: true });
    await writeFixtureModels(modelSourceDir);
    if (modelSourceDir !== modelsDir) {
      fs.mkdirSync(modelsDir, { recursive: true });
      fs.copyFileSync(path.join(modelSourceDir, MANIFEST_FILE), path.join(modelsDir, MANIFEST_FILE));
    }
    const photos = await makeColourPhotos(photosDir);
    const served = await startServe({ dataDir, modelsDir, env: opts.env });
    return {
      root,
      dataDir,
      modelsDir,
      modelSourceDir,
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

/** The parts of status the browser tests read. */
export interface E2eStatus {
  photos: number;
  stages: { stage: string; done: number; pending: number; failed: number; waiting?: string }[];
  failed: { id: number; path: string; stage: string; error: string }[];
  ml: { xmp: boolean; clipInstalled: boolean; captionInstalled: boolean; ocr?: { on: boolean } } | null;
}

/** What keeps a status from being "all indexed": failures, and pending tasks that are not waiting (for a model or a setting). */
export function workLeft(s: E2eStatus): string[] {
  return s.stages.filter((x) => x.failed > 0 || (x.pending > 0 && !x.waiting)).map((x) => `${x.stage} ${x.pending} pending, ${x.failed} failed`);
}

/** Polls status until `photos` photos are catalogued and no stage has work left or failures; returns that status. */
export async function waitIndexed(served: Served, photos: number, timeoutMs = 150_000): Promise<E2eStatus> {
  const until = Date.now() + timeoutMs;
  let last: E2eStatus | null = null;
  for (;;) {
    last = await served.api<E2eStatus>('status');
    if (last.photos === photos && workLeft(last).length === 0) return last;
    if (Date.now() > until) throw new Error(`not indexed after ${timeoutMs} ms: ${last.photos} photos; ${workLeft(last).join('; ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ── a model hub ──────────────────────────────────────────────────────────

export interface SlowHub {
  /** The endpoint to set as hub_endpoint. */
  endpoint: string;
  /** Files asked for (GET), by path inside their repo. */
  requested: string[];
  stop(): Promise<void>;
}

/**
 * A stand-in for the Hugging Face hub serving the model folders under `dir` (in their repo layout)
 * at `/<repo>/resolve/<revision>/<file>` — slowly, `chunk` bytes every `everyMs`, so a download
 * takes long enough for its progress bar to be seen.
 */
export async function startSlowHub(dir: string, opts: { chunk?: number; everyMs?: number } = {}): Promise<SlowHub> {
  const chunk = opts.chunk ?? 16 * 1024;
  const everyMs = opts.everyMs ?? 40;
  const requested: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://hub').pathname);
    const m = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(url);
    const file = m ? path.join(dir, ...m[1]!.split('/'), ...m[2]!.split('/')) : null;
    if (!m || !file || !file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    const body = fs.readFileSync(file);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Math.min(Number(range[1]), body.length) : 0;
    const headers: http.OutgoingHttpHeaders = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': String(body.length - start) };
    if (range) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') return void res.end();
    requested.push(m[2]!);
    let at = start;
    const send = () => {
      if (res.destroyed) return;
      const end = Math.min(body.length, at + chunk);
      res.write(body.subarray(at, end));
      at = end;
      if (at >= body.length) res.end();
      else setTimeout(send, everyMs);
    };
    send();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requested,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
