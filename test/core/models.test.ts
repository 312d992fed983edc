// Model acquisition against a tiny local imitation of the Hugging Face hub: download, resume, checks, import, verify, manifest.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downloadModel } from '../../src/main/core/models/download.ts';
import { ModelError } from '../../src/main/core/models/errors.ts';
import { hubFileUrl, resolveHubEndpoint } from '../../src/main/core/models/hub.ts';
import type { ModelProgress } from '../../src/main/core/models/progress.ts';
import { BUILTIN_MODELS, DEFAULT_MODELS } from '../../src/main/core/models/registry.ts';
import { ModelStore } from '../../src/main/core/models/store.ts';
import { MANIFEST_FILE, type ModelSpec, type ModelsManifest } from '../../src/main/core/models/spec.ts';

const REPO = 'acme/tiny-clip';
const REV = '0123456789abcdef0123456789abcdef01234567';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Deterministic pseudo-random bytes, so failures reproduce. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const FILES = {
  'config.json': Buffer.from(JSON.stringify({ model_type: 'clip', projection_dim: 8 })),
  'tokenizer.json': Buffer.from(JSON.stringify({ version: '1.0', model: { vocab: { a: 0, b: 1 } } })),
  'onnx/model.onnx': bytes(300_000, 7),
  'onnx/extra.onnx': bytes(100_000, 11),
} as const;
type FileName = keyof typeof FILES;
const LFS = new Set<FileName>(['onnx/model.onnx', 'onnx/extra.onnx']);

/** pinned: config.json and onnx/model.onnx; unpinned: tokenizer.json (small, size from the hub) and onnx/extra.onnx (LFS: X-Linked-Etag). */
function tinySpec(): ModelSpec {
  return {
    id: 'tiny-clip',
    task: 'clip',
    title: 'Tiny CLIP (test)',
    repo: REPO,
    revision: REV,
    files: [
      { path: 'config.json', size: FILES['config.json'].length, sha256: sha(FILES['config.json']) },
      { path: 'tokenizer.json' },
      { path: 'onnx/model.onnx', size: FILES['onnx/model.onnx'].length, sha256: sha(FILES['onnx/model.onnx']) },
      { path: 'onnx/extra.onnx' },
    ],
    clip: { vision: 'onnx/model.onnx', text: 'onnx/extra.onnx', dim: 8, maxTokens: 77 },
  };
}

interface Seen {
  method: string;
  url: string;
  range: string | undefined;
  auth: string | undefined;
}

/** A hub imitation: /<prefix>/<repo>/resolve/<rev>/<path>; LFS files redirect (302) to /cdn/<path> with X-Linked-* headers. */
class FakeHub {
  readonly seen: Seen[] = [];
  /** Send this many bytes of the file's next GET, then close the connection. */
  readonly dropAfter = new Map<string, number>();
  /** Send this many bytes of the file's next GET, then go silent. */
  readonly stallAfter = new Map<string, number>();
  /** Serve these bytes instead of the real file. */
  readonly corrupt = new Map<string, Buffer>();
  /** Report this X-Linked-Etag instead of the real one. */
  readonly linkedEtag = new Map<string, string>();
  ignoreRange = false;
  /** Where LFS redirects point: this server (default), or another origin playing the CDN. */
  cdnBase = '';
  private server!: http.Server;
  private port = 0;
  private readonly prefix: string;

  constructor(prefix = '') {
    this.prefix = prefix;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  gets(file: string): Seen[] {
    return this.seen.filter((s) => s.method === 'GET' && s.url.endsWith('/' + file));
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = decodeURIComponent(req.url ?? '');
    this.seen.push({ method: req.method ?? '', url, range: req.headers.range, auth: req.headers.authorization });
    const resolvePrefix = `${this.prefix}/${REPO}/resolve/${REV}/`;
    if (url.startsWith(resolvePrefix)) {
      const name = url.slice(resolvePrefix.length) as FileName;
      const body = FILES[name];
      if (!body) return void res.writeHead(404).end('Entry not found');
      if (LFS.has(name)) {
        res.writeHead(302, {
          location: `${this.cdnBase}/cdn/${name}`,
          'x-linked-etag': `"${this.linkedEtag.get(name) ?? sha(body)}"`,
          'x-linked-size': String(body.length),
          'x-repo-commit': REV,
        });
        return void res.end('Found. Redirecting');
      }
      const gitOid = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
      return this.serve(req, res, name, this.corrupt.get(name) ?? body, `"${gitOid}"`);
    }
    if (url.startsWith('/cdn/')) {
      const name = url.slice('/cdn/'.length) as FileName;
      const body = FILES[name];
      if (!body) return void res.writeHead(404).end();
      return this.serve(req, res, name, this.corrupt.get(name) ?? body, undefined);
    }
    res.writeHead(404).end();
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse, name: string, body: Buffer, etag: string | undefined): void {
    const headers: http.OutgoingHttpHeaders = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (etag) headers.etag = etag;
    let slice = body;
    let status = 200;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !this.ignoreRange) {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        return void res.end();
      }
      status = 206;
      slice = body.subarray(start);
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    headers['content-length'] = String(slice.length);
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();
    const drop = req.method === 'GET' ? this.dropAfter.get(name) : undefined;
    if (drop !== undefined) {
      this.dropAfter.delete(name);
      // Close only once the client has had time to read what was sent: a fetch body that errors drops what it had queued.
      res.write(slice.subarray(0, drop), () => setTimeout(() => res.socket?.end(), 100));
      return;
    }
    const stall = req.method === 'GET' ? this.stallAfter.get(name) : undefined;
    if (stall !== undefined) {
      this.stallAfter.delete(name);
      res.write(slice.subarray(0, stall));
      return;
    }
    res.end(slice);
  }
}

const temps: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-models-'));
  temps.push(d);
  return d;
}

let hub: FakeHub;
beforeEach(async () => {
  hub = await new FakeHub().start();
});
afterEach(async () => {
  await hub.stop();
  vi.unstubAllEnvs();
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const fast = { retries: 0, retryDelayMs: 5, stallTimeoutMs: 5000 };

function expectInstalled(store: ModelStore, spec: ModelSpec): void {
  const folder = store.folder(spec);
  for (const [name, body] of Object.entries(FILES)) {
    expect(fs.readFileSync(path.join(folder, name)).equals(body), name).toBe(true);
    expect(fs.existsSync(path.join(folder, name + '.part')), name + '.part').toBe(false);
  }
  expect(store.state(spec)).toEqual({ installed: true, missing: [], partial: [] });
}

async function rejection(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('download', () => {
  it('fetches every file into the hub layout, with progress events ending in ready', async () => {
    const store = new ModelStore(path.join(tmp(), 'models'));
    const spec = tinySpec();
    expect(store.folder(spec)).toBe(path.join(store.modelsDir, 'acme', 'tiny-clip'));
    expect(store.state(spec).installed).toBe(false);
    const events: ModelProgress[] = [];
    const result = await store.download(spec, { endpoint: hub.endpoint, ...fast, onProgress: (e) => events.push(e) });

    expectInstalled(store, spec);
    expect(result.downloaded.sort()).toEqual(Object.keys(FILES).sort());
    expect(result.skipped).toEqual([]);
    const total = Object.values(FILES).reduce((n, b) => n + b.length, 0);
    expect(result.bytes).toBe(total);

    const last = events[events.length - 1]!;
    expect(last.status).toBe('ready');
    expect(last.model).toBe('tiny-clip');
    expect(last.overall).toMatchObject({ loaded: total, total, files: 4, filesDone: 4 });
    for (const name of Object.keys(FILES)) {
      const mine = events.filter((e) => e.file === name).map((e) => e.status);
      expect(mine[0], name).toBe('initiate');
      expect(mine, name).toContain('download');
      expect(mine[mine.length - 1], name).toBe('done');
    }
    const progress = events.filter((e) => e.status === 'progress' && e.file === 'onnx/model.onnx');
    expect(progress.length).toBeGreaterThan(0);
    const lastProgress = progress[progress.length - 1]!;
    expect(lastProgress).toMatchObject({ loaded: 300_000, total: 300_000, progress: 100 });
    expect(lastProgress.rate).toBeGreaterThanOrEqual(0);

    // LFS files went through the redirect to the "CDN".
    expect(hub.seen.some((s) => s.method === 'GET' && s.url === '/cdn/onnx/model.onnx')).toBe(true);
    // The unpinned LFS file was sized and hashed from the hub's HEAD answer, which was not followed to the CDN.
    expect(hub.seen.some((s) => s.method === 'HEAD' && s.url.endsWith('/resolve/' + REV + '/onnx/extra.onnx'))).toBe(true);
    expect(hub.seen.some((s) => s.method === 'HEAD' && s.url.startsWith('/cdn/'))).toBe(false);
    expect(await store.verify(spec)).toEqual({ ok: true, problems: [], unchecked: ['tokenizer.json', 'onnx/extra.onnx'] });
  });

  it('resumes an interrupted download with a Range request', async () => {
    const folder = path.join(tmp(), 'm');
    hub.dropAfter.set('onnx/model.onnx', 120_000);
    const first = await rejection(downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast }));
    expect(first.code).toBe('interrupted');
    expect(first.file).toBe('onnx/model.onnx');
    expect(first.message).toMatch(/interrupted after 120000 of 300000 bytes.*run the download again to resume/);
    const part = path.join(folder, 'onnx', 'model.onnx.part');
    expect(fs.statSync(part).size).toBe(120_000);
    expect(fs.existsSync(path.join(folder, 'onnx', 'model.onnx'))).toBe(false);

    const events: ModelProgress[] = [];
    const result = await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast, onProgress: (e) => events.push(e) });
    expect(hub.gets('onnx/model.onnx').at(-1)?.range).toBe('bytes=120000-');
    expect(hub.seen.at(-1)).toBeDefined();
    expect(result.downloaded).toEqual(['onnx/model.onnx', 'onnx/extra.onnx']);
    expect(result.skipped).toEqual(['config.json', 'tokenizer.json']);
    expect(result.bytes).toBe(180_000 + FILES['onnx/extra.onnx'].length);
    expect(events.find((e) => e.status === 'download' && e.file === 'onnx/model.onnx')).toMatchObject({ resumeFrom: 120_000 });
    expect(fs.readFileSync(path.join(folder, 'onnx', 'model.onnx')).equals(FILES['onnx/model.onnx'])).toBe(true);
    expect(fs.existsSync(part)).toBe(false);
  });

  it('retries an interrupted transfer within one call, resuming it', async () => {
    const folder = path.join(tmp(), 'm');
    hub.dropAfter.set('onnx/model.onnx', 50_000);
    await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, retries: 2, retryDelayMs: 5 });
    expect(hub.gets('onnx/model.onnx').map((s) => s.range)).toEqual([undefined, undefined, 'bytes=50000-', 'bytes=50000-']);
    expect(fs.readFileSync(path.join(folder, 'onnx', 'model.onnx')).equals(FILES['onnx/model.onnx'])).toBe(true);
  });

  it('starts over when the server ignores Range and answers 200', async () => {
    const folder = path.join(tmp(), 'm');
    hub.dropAfter.set('onnx/model.onnx', 100_000);
    await rejection(downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast }));
    hub.ignoreRange = true;
    await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast });
    expect(hub.gets('onnx/model.onnx').at(-1)?.range).toBe('bytes=100000-');
    expect(fs.readFileSync(path.join(folder, 'onnx', 'model.onnx')).equals(FILES['onnx/model.onnx'])).toBe(true);
  });

  it('finishes a complete .part without fetching it again', async () => {
    const folder = path.join(tmp(), 'm');
    fs.mkdirSync(path.join(folder, 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'onnx', 'extra.onnx.part'), FILES['onnx/extra.onnx']);
    await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast });
    expect(hub.gets('onnx/extra.onnx')).toEqual([]);
    expect(fs.readFileSync(path.join(folder, 'onnx', 'extra.onnx')).equals(FILES['onnx/extra.onnx'])).toBe(true);
  });

  it('fails on a sha256 mismatch, naming file, expected and actual, and leaves no file', async () => {
    const folder = path.join(tmp(), 'm');
    const bad = Buffer.from(FILES['onnx/model.onnx']);
    bad[1234] = bad[1234]! ^ 0xff;
    hub.corrupt.set('onnx/model.onnx', bad);
    const events: ModelProgress[] = [];
    const err = await rejection(downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast, onProgress: (e) => events.push(e) }));
    expect(err.code).toBe('mismatch');
    expect(err.message).toBe(
      `sha256 mismatch for onnx/model.onnx of tiny-clip: expected ${sha(FILES['onnx/model.onnx'])} (pinned), got ${sha(bad)}; the bad download was deleted`,
    );
    expect(fs.existsSync(path.join(folder, 'onnx', 'model.onnx'))).toBe(false);
    expect(fs.existsSync(path.join(folder, 'onnx', 'model.onnx.part'))).toBe(false);
    expect(events.at(-1)).toMatchObject({ status: 'error', file: 'onnx/model.onnx', error: err.message });
  });

  it('checks an unpinned LFS file against X-Linked-Etag, and fails when it differs', async () => {
    const folder = path.join(tmp(), 'm');
    const wrong = 'f'.repeat(64);
    hub.linkedEtag.set('onnx/extra.onnx', wrong);
    const err = await rejection(downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast }));
    expect(err.code).toBe('mismatch');
    expect(err.message).toContain(`sha256 mismatch for onnx/extra.onnx of tiny-clip: expected ${wrong} (reported by the hub), got ${sha(FILES['onnx/extra.onnx'])}`);
    expect(fs.existsSync(path.join(folder, 'onnx', 'extra.onnx'))).toBe(false);
    expect(fs.existsSync(path.join(folder, 'onnx', 'extra.onnx.part'))).toBe(false);
    // The pinned file before it is in place.
    expect(fs.existsSync(path.join(folder, 'onnx', 'model.onnx'))).toBe(true);
  });

  it('checks an unpinned small file against the size the hub reports', async () => {
    const folder = path.join(tmp(), 'm');
    hub.corrupt.set('tokenizer.json', Buffer.concat([FILES['tokenizer.json'], Buffer.from('  ')]));
    // The HEAD (content-length of the corrupt body) and the GET agree, so it is accepted: only a size can be checked...
    await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast });
    // ...but a body shorter than the size announced is an interrupted download, not a valid file.
    hub.corrupt.delete('tokenizer.json');
    fs.rmSync(path.join(folder, 'tokenizer.json'));
    hub.dropAfter.set('tokenizer.json', 10);
    const err = await rejection(downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast }));
    expect(err.code).toBe('interrupted');
    expect(fs.existsSync(path.join(folder, 'tokenizer.json'))).toBe(false);
  });

  it('does not download files already present and valid', async () => {
    const folder = path.join(tmp(), 'm');
    await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast });
    hub.seen.length = 0;
    const events: ModelProgress[] = [];
    const result = await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast, onProgress: (e) => events.push(e) });
    expect(result).toEqual({ downloaded: [], skipped: Object.keys(FILES), bytes: 0 });
    expect(hub.seen.filter((s) => s.method === 'GET')).toEqual([]);
    expect(events.filter((e) => e.status === 'done').every((e) => e.status === 'done' && e.skipped)).toBe(true);
    expect(events.at(-1)?.status).toBe('ready');

    // A corrupted file is fetched again, the rest are not.
    const model = path.join(folder, 'onnx', 'model.onnx');
    const bad = fs.readFileSync(model);
    bad[0] = bad[0]! ^ 1;
    fs.writeFileSync(model, bad);
    hub.seen.length = 0;
    const again = await downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, ...fast });
    expect(again.downloaded).toEqual(['onnx/model.onnx']);
    expect(fs.readFileSync(model).equals(FILES['onnx/model.onnx'])).toBe(true);
  });

  it('gives a clear error quickly when the hub cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const started = Date.now();
    const err = await rejection(downloadModel(tinySpec(), path.join(tmp(), 'm'), { endpoint: `http://127.0.0.1:${port}` }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.code).toBe('unreachable');
    expect(err.message).toMatch(
      new RegExp(
        `^cannot reach http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); check the network, set a mirror with ` +
          '`shoebox settings set hub_endpoint <url>`, or import a folder you already have with `shoebox models import tiny-clip <folder>`$',
      ),
    );
  });

  it('gives up on a stalled transfer, keeping the part', async () => {
    const folder = path.join(tmp(), 'm');
    hub.stallAfter.set('onnx/model.onnx', 1000);
    const started = Date.now();
    const err = await rejection(downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, retries: 0, stallTimeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.code).toBe('stalled');
    expect(err.message).toMatch(/^no data from http:\/\/127\.0\.0\.1:\d+ for 0\.3 s while downloading onnx\/model\.onnx after 1000 of 300000 bytes; the partial file was kept/);
    expect(fs.statSync(path.join(folder, 'onnx', 'model.onnx.part')).size).toBe(1000);
  });

  it('stops when its AbortSignal fires', async () => {
    const folder = path.join(tmp(), 'm');
    hub.stallAfter.set('onnx/model.onnx', 1000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const err = await rejection(downloadModel(tinySpec(), folder, { endpoint: hub.endpoint, retries: 3, signal: ac.signal }));
    expect(err.code).toBe('aborted');
    expect(err.message).toBe('the download of tiny-clip was cancelled at onnx/model.onnx; run it again to resume');
    expect(fs.existsSync(path.join(folder, 'onnx', 'model.onnx.part'))).toBe(true);
  });

  it('uses a mirror endpoint, with a path, in every URL', async () => {
    const mirror = await new FakeHub('/mirror/hf').start();
    try {
      const endpoint = resolveHubEndpoint(mirror.endpoint + '/', {});
      expect(endpoint).toBe(mirror.endpoint);
      await downloadModel(tinySpec(), path.join(tmp(), 'm'), { endpoint, ...fast });
      const hubRequests = mirror.seen.filter((s) => !s.url.startsWith('/cdn/'));
      expect(hubRequests.length).toBeGreaterThanOrEqual(4);
      for (const s of hubRequests) expect(s.url.startsWith(`/mirror/hf/${REPO}/resolve/${REV}/`), s.url).toBe(true);
      expect(hub.seen).toEqual([]);
    } finally {
      await mirror.stop();
    }
  });

  it('sends HF_TOKEN as a bearer token', async () => {
    vi.stubEnv('HF_TOKEN', 'hf_secret');
    await downloadModel(tinySpec(), path.join(tmp(), 'm'), { endpoint: hub.endpoint, ...fast });
    expect(hub.seen.filter((s) => s.url.includes('/resolve/')).every((s) => s.auth === 'Bearer hf_secret')).toBe(true);
  });

  it('never sends the token to a CDN on another origin', async () => {
    const cdn = await new FakeHub().start();
    try {
      hub.cdnBase = cdn.endpoint;
      await downloadModel(tinySpec(), path.join(tmp(), 'm'), { endpoint: hub.endpoint, token: 'hf_secret', ...fast });
      expect(hub.seen.length).toBeGreaterThan(0);
      expect(hub.seen.every((s) => s.auth === 'Bearer hf_secret')).toBe(true);
      expect(cdn.seen.map((s) => s.url).sort()).toEqual(['/cdn/onnx/extra.onnx', '/cdn/onnx/model.onnx']);
      expect(cdn.seen.every((s) => s.auth === undefined)).toBe(true);

      // Failures on the CDN name it, and where it came from.
      await cdn.stop();
      const err = await rejection(downloadModel(tinySpec(), path.join(tmp(), 'm'), { endpoint: hub.endpoint, ...fast }));
      expect(err.message).toMatch(new RegExp(`^cannot reach ${cdn.endpoint} \\(where ${hub.endpoint} redirected\\) \\(`));
    } finally {
      await cdn.stop().catch(() => {});
    }
  });

  it('calls a host that accepts but never answers unreachable', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const err = await rejection(downloadModel(tinySpec(), path.join(tmp(), 'm'), { endpoint, stallTimeoutMs: 200 }));
      expect(err.code).toBe('unreachable');
      expect(err.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+ \(no answer in 0\.2 s\); check the network/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('reports a missing file as a 404 sentence', async () => {
    const spec = { ...tinySpec(), files: [{ path: 'onnx/nope.onnx', size: 1, sha256: 'a'.repeat(64) }] };
    const err = await rejection(downloadModel(spec, path.join(tmp(), 'm'), { endpoint: hub.endpoint, ...fast }));
    expect(err.code).toBe('http');
    expect(err.message).toBe(`onnx/nope.onnx is not at ${hub.endpoint}/${REPO}/resolve/${REV}/onnx/nope.onnx (HTTP 404); check the model's repo and revision, or whether the mirror ${hub.endpoint} has it`);
  });
});

describe('hub endpoint and URLs', () => {
  it('takes the setting, else HF_ENDPOINT, else huggingface.co', () => {
    expect(resolveHubEndpoint(undefined, {})).toBe('https://huggingface.co');
    expect(resolveHubEndpoint('', { HF_ENDPOINT: 'https://hf-mirror.com/' })).toBe('https://hf-mirror.com');
    expect(resolveHubEndpoint(' http://10.0.0.2:8080/hf ', { HF_ENDPOINT: 'https://hf-mirror.com' })).toBe('http://10.0.0.2:8080/hf');
    expect(() => resolveHubEndpoint('ftp://x', {})).toThrow(/not an http\(s\) URL/);
    expect(() => resolveHubEndpoint('not a url', {})).toThrow(/is not a URL/);
  });

  it('builds resolve URLs', () => {
    expect(hubFileUrl('https://huggingface.co', 'Xenova/clip-vit-base-patch32', 'd15189d7028b43f1d3e65039190477f6af591c2a', 'onnx/vision_model_quantized.onnx')).toBe(
      'https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/d15189d7028b43f1d3e65039190477f6af591c2a/onnx/vision_model_quantized.onnx',
    );
    expect(hubFileUrl('https://m.example/', 'a/b', 'refs/pr/1', 'x y.json')).toBe('https://m.example/a/b/resolve/refs%2Fpr%2F1/x%20y.json');
  });
});

/** A folder holding the tiny model, flat or in the hub layout. */
function sourceFolder(layout: 'flat' | 'hub'): string {
  const dir = tmp();
  for (const [name, body] of Object.entries(FILES)) {
    const p = layout === 'hub' ? path.join(dir, ...name.split('/')) : path.join(dir, path.basename(name));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, body);
  }
  return dir;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = path.join(e.parentPath, e.name);
      out[path.relative(dir, p)] = `${sha(fs.readFileSync(p))} ${fs.statSync(p).mtimeMs}`;
    }
  }
  return out;
}

describe('import', () => {
  for (const layout of ['flat', 'hub'] as const) {
    it(`imports a ${layout} folder without touching it`, async () => {
      const src = sourceFolder(layout);
      const before = snapshot(src);
      const store = new ModelStore(path.join(tmp(), 'models'));
      const spec = tinySpec();
      const events: ModelProgress[] = [];
      const result = await store.importFolder(spec, src, (e) => events.push(e));
      expect(result).toEqual({ imported: Object.keys(FILES), kept: [], missing: [], unchecked: ['tokenizer.json', 'onnx/extra.onnx'] });
      expectInstalled(store, spec);
      expect(snapshot(src)).toEqual(before);
      expect(events.at(-1)?.status).toBe('ready');
      expect(fs.readdirSync(path.join(store.folder(spec), 'onnx')).sort()).toEqual(['extra.onnx', 'model.onnx']);
    });
  }

  it('refuses a corrupted file and imports nothing', async () => {
    const src = sourceFolder('flat');
    const p = path.join(src, 'model.onnx');
    const bad = fs.readFileSync(p);
    bad[99] = bad[99]! ^ 0x10;
    fs.writeFileSync(p, bad);
    const before = snapshot(src);
    const store = new ModelStore(path.join(tmp(), 'models'));
    const spec = tinySpec();
    const err = await rejection(store.importFolder(spec, src));
    expect(err.code).toBe('mismatch');
    expect(err.message).toBe(
      `refusing to import ${p}: it is not tiny-clip's onnx/model.onnx (sha256 ${sha(bad)}, expected ${sha(FILES['onnx/model.onnx'])}); nothing was imported`,
    );
    expect(snapshot(src)).toEqual(before);
    const folder = store.folder(spec);
    const left = fs.existsSync(folder) ? fs.readdirSync(folder, { recursive: true }).filter((n) => !fs.statSync(path.join(folder, String(n))).isDirectory()) : [];
    expect(left).toEqual([]);

    // A wrong size is refused before anything is copied.
    fs.writeFileSync(p, bad.subarray(1));
    expect((await rejection(store.importFolder(spec, src))).message).toMatch(/size 299999 bytes, expected 300000\); nothing was imported$/);
  });

  it('imports what a folder has and reports what is still missing', async () => {
    const src = tmp();
    fs.writeFileSync(path.join(src, 'model.onnx'), FILES['onnx/model.onnx']);
    const store = new ModelStore(path.join(tmp(), 'models'));
    const spec = tinySpec();
    const result = await store.importFolder(spec, src);
    expect(result).toEqual({ imported: ['onnx/model.onnx'], kept: [], missing: ['config.json', 'tokenizer.json', 'onnx/extra.onnx'], unchecked: [] });
    expect(store.state(spec)).toEqual({ installed: false, missing: ['config.json', 'tokenizer.json', 'onnx/extra.onnx'], partial: [] });
    // The download then fetches only the rest.
    const dl = await store.download(spec, { endpoint: hub.endpoint, ...fast });
    expect(dl.skipped).toEqual(['onnx/model.onnx']);
    expect(await rejection(store.importFolder(spec, tmp()))).toMatchObject({ code: 'missing' });
  });
});

describe('verify and state', () => {
  it('reports corrupted and missing files', async () => {
    const store = new ModelStore(path.join(tmp(), 'models'));
    const spec = tinySpec();
    await store.importFolder(spec, sourceFolder('hub'));
    const folder = store.folder(spec);
    const model = path.join(folder, 'onnx', 'model.onnx');
    const bad = fs.readFileSync(model);
    bad[5] = bad[5]! ^ 1;
    fs.writeFileSync(model, bad);
    fs.rmSync(path.join(folder, 'config.json'));
    fs.rmSync(path.join(folder, 'onnx', 'extra.onnx'));

    expect(store.state(spec)).toEqual({ installed: false, missing: ['config.json', 'onnx/extra.onnx'], partial: [] });
    const events: ModelProgress[] = [];
    const result = await store.verify(spec, (e) => events.push(e));
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: 'config.json', problem: 'missing' },
        { path: 'onnx/model.onnx', problem: `sha256 ${sha(bad)}, expected ${sha(FILES['onnx/model.onnx'])}` },
        { path: 'onnx/extra.onnx', problem: 'missing' },
      ],
      unchecked: ['tokenizer.json'],
    });
    expect(events.some((e) => e.status === 'verify' && e.file === 'onnx/model.onnx')).toBe(true);

    fs.writeFileSync(model, bad.subarray(0, 10));
    expect((await store.verify(spec)).problems[1]).toEqual({ path: 'onnx/model.onnx', problem: 'size 10 bytes, expected 300000' });
    expect(store.state(spec).missing).toContain('onnx/model.onnx');
  });
});

describe('models folder manifest', () => {
  it('adds models, overrides built-ins and picks the active one', () => {
    const dir = tmp();
    const store = new ModelStore(dir);
    // No manifest: the setting, else the default.
    expect(store.active('clip').id).toBe(DEFAULT_MODELS.clip);
    expect(store.active('clip', 'clip-vit-b32-fp32').id).toBe('clip-vit-b32-fp32');
    expect(() => store.active('clip', 'nope')).toThrow(/the clip model "nope" chosen by the setting is unknown; known models: clip-vit-b32-q8/);
    expect(() => store.active('clip', 'caption-vit-gpt2-q8')).toThrow(/is a caption model/);
    expect(store.specs().map((s) => s.id)).toEqual(BUILTIN_MODELS.map((s) => s.id));

    const override = { ...BUILTIN_MODELS[1]!, title: 'Overridden' };
    const manifest: ModelsManifest = { models: [tinySpec(), override], active: { clip: 'tiny-clip' } };
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    store.reload();
    expect(store.specs().map((s) => s.id)).toEqual([...BUILTIN_MODELS.map((s) => s.id), 'tiny-clip']);
    expect(store.spec('clip-vit-b32-fp32').title).toBe('Overridden');
    expect(store.active('clip').id).toBe('tiny-clip');
    expect(store.active('clip', 'clip-vit-b32-fp32').id).toBe('tiny-clip');
    expect(store.active('caption').id).toBe(DEFAULT_MODELS.caption);
    expect(store.folder(store.spec('tiny-clip'))).toBe(path.join(dir, 'acme', 'tiny-clip'));
    expect(() => store.spec('nope')).toThrow(/unknown model "nope"; known models: .*tiny-clip/);
  });

  it('rejects a malformed manifest with a sentence naming the place', () => {
    const dir = tmp();
    const store = new ModelStore(dir);
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), '{ nope');
    expect(() => store.specs()).toThrow(/shoebox-models\.json is not valid JSON/);
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ models: [{ ...tinySpec(), repo: '../../etc' }] }));
    store.reload();
    expect(() => store.specs()).toThrow(/models\[0\]\.repo/);
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ models: [{ ...tinySpec(), files: [{ path: 'a', sha256: 'xyz' }] }] }));
    store.reload();
    expect(() => store.specs()).toThrow(/models\[0\]\.files\[0\]\.sha256 must be 64 hex digits/);
  });
});

describe('built-in registry', () => {
  it('has unique ids, defaults that exist, and plain paths', () => {
    const ids = BUILTIN_MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [task, id] of Object.entries(DEFAULT_MODELS)) expect(BUILTIN_MODELS.find((m) => m.id === id)?.task).toBe(task);
    for (const m of BUILTIN_MODELS) {
      for (const f of m.files) expect(f.path).toMatch(/^[\w.-]+(\/[\w.-]+)*$/);
      if (m.clip) {
        expect(m.files.map((f) => f.path)).toContain(m.clip.vision);
        expect(m.files.map((f) => f.path)).toContain(m.clip.text);
      }
    }
    const q8 = BUILTIN_MODELS.find((m) => m.id === 'clip-vit-b32-q8')!;
    expect(q8.files.every((f) => f.size !== undefined && f.sha256 !== undefined)).toBe(true);
  });

  const shared = '/work/shared/models/clip-vit-base-patch32';
  it.skipIf(!fs.existsSync(shared))('pins the small CLIP files as the mirrored copies are', async () => {
    const store = new ModelStore(tmp());
    const spec = store.spec('clip-vit-b32-q8');
    const small = spec.files.filter((f) => !f.path.endsWith('.onnx'));
    const result = await store.importFolder({ ...spec, files: small }, shared);
    expect(result.imported.sort()).toEqual(small.map((f) => f.path).sort());
    expect(result.unchecked).toEqual([]);
    expect(store.state(spec).missing).toEqual(['onnx/vision_model_quantized.onnx', 'onnx/text_model_quantized.onnx']);
  });
});
