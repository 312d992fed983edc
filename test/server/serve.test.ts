// The HTTP door of `shoebox serve` over a real library on the fixture models: the token, the Host
// check, method calls and their errors, /media, static files and their traversal attempts, SSE, the cookie.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { createApi, type Api } from '../../src/main/core/handlers/methods.ts';
import { libraryMedia, parseRange, pathSegments, SERVE_CSP, startServer, TOKEN_COOKIE, type RunningServer } from '../../src/main/server/serve.ts';
import { CONTENT_SECURITY_POLICY as SHARED_CSP, CSP_DIRECTIVES } from '../../src/shared/csp.ts';
import { CONTENT_SECURITY_POLICY as APP_CSP } from '../../src/main/app/window-options.ts';
import { EVENT_NAMES, type ApiEvents, type ApiEventSource, type EventName } from '../../src/shared/contract.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: () => { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

let lib: Library;
let api: Api;
let server: RunningServer;
let root: string;
let rendererDir: string;
let listeners = 0;
const SECRET = 'the secret next to the renderer';

/** A raw request: the path goes on the wire exactly as written (no URL normalisation of `..` or %2e). */
function request(rawPath: string, o: { method?: string; headers?: Record<string, string>; body?: string | Buffer; auth?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.auth !== false && !headers.authorization && !headers.cookie) headers.authorization = `Bearer ${server.token}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method: o.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body, text, json: () => JSON.parse(text) as ReturnType<Answer['json']> });
      });
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

function call(method: string, arg?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(`/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: arg === undefined ? undefined : JSON.stringify(arg),
  });
}

beforeAll(async () => {
  root = tempDir();
  const modelsDir = path.join(root, 'models');
  await writeFixtureModels(modelsDir);
  const photos = path.join(root, 'Photos');
  await makeJpeg(path.join(photos, 'red.jpg'), { width: 160, height: 120, color: { r: 210, g: 30, b: 30 }, seed: 1 });
  await makeJpeg(path.join(photos, 'blue.jpg'), { width: 160, height: 120, color: { r: 30, g: 40, b: 210 }, seed: 2 });
  lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir });
  await lib.addFolder(photos);
  await lib.index();
  api = createApi(lib, { log: () => {} });
  // Counts subscriptions, to see an event stream's listeners go when it disconnects.
  const events: ApiEventSource = {
    on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void) {
      listeners++;
      const off = api.events.on(event, cb);
      return () => {
        listeners--;
        off();
      };
    },
  };

  rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Shoebox</title><div id="app"></div>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app-1234.js'), 'console.log("shoebox");');
  fs.writeFileSync(path.join(root, 'secret.txt'), SECRET);
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(rendererDir, 'assets', 'escape.txt'));
  fs.symlinkSync(root, path.join(rendererDir, 'up'));
  server = await startServer({ handlers: api.handlers, events, media: libraryMedia(lib), rendererDir, heartbeatMs: 50 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  api?.close();
  await lib?.close();
});

describe('shoebox serve: access', () => {
  it('listens on 127.0.0.1 and prints a URL with a 256-bit token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
  });

  it('answers 401 without the token, or with a wrong one, on /api, /media and the page', async () => {
    for (const p of ['/api/status', '/api/events', '/media/thumb/1', '/', '/index.html', '/assets/app-1234.js']) {
      const r = await request(p, { method: p === '/api/status' ? 'POST' : 'GET', auth: false });
      expect(r.status, p).toBe(401);
    }
    const wrong = await request('/api/status', { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ ok: false, error: { message: expect.stringMatching(/access token/) } });
    const page = await request('/', { auth: false });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toMatch(/access token/);
    expect((await request(`/?token=${server.token}x`, { auth: false })).status).toBe(401);
  });

  it('refuses a Host that is not 127.0.0.1:<port> or localhost:<port> (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`]) {
      const r = await request('/api/status', { method: 'POST', headers: { host } });
      expect([403, 421], host).toContain(r.status);
    }
    expect((await request('/api/status', { method: 'POST', headers: { host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('the page loaded with ?token= sets an HttpOnly SameSite=Strict cookie that then opens /api and /media', async () => {
    const page = await request(`/?token=${server.token}`, { auth: false });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="app">');
    expect(page.headers['cache-control']).toBe('no-store');
    const cookie = page.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^${TOKEN_COOKIE}=${server.token};`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const jar = { cookie: cookie.split(';')[0]! };
    expect((await request('/api/status', { method: 'POST', headers: jar })).status).toBe(200);
    expect((await request('/media/thumb/1', { headers: jar })).status).toBe(200);
    const again = await request('/', { headers: jar });
    expect(again.status).toBe(200);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect((await request('/', { headers: { cookie: `${TOKEN_COOKIE}=wrong` } })).status).toBe(401);
    // ?token= works on any request too.
    expect((await request(`/api/status?token=${server.token}`, { method: 'POST', auth: false })).status).toBe(200);
  });

  it('sends the CSP (the app policy, images from its own origin), nosniff, and no CORS headers', async () => {
    expect(SHARED_CSP).toBe(APP_CSP);
    const r = await request('/', {});
    expect(r.headers['content-security-policy']).toBe(SERVE_CSP);
    for (const [name, sources] of Object.entries(CSP_DIRECTIVES)) {
      if (name !== 'img-src') expect(SERVE_CSP).toContain(`${name} ${sources}`);
    }
    expect(SERVE_CSP).toContain("img-src 'self' data:");
    expect(SERVE_CSP).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const preflight = await request('/api/status', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const cross = await call('status', undefined, { origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.headers['access-control-allow-origin']).toBeUndefined();
    expect((await call('status', undefined, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    // A page of another local server is same-site (ports do not count) but not same-origin.
    expect((await request('/media/thumb/1', { headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    expect((await request('/media/thumb/1', { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('shoebox serve: methods', () => {
  it('calls a method and answers { ok: true, value }', async () => {
    const r = await call('status');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.json()).toMatchObject({ ok: true, value: { photos: 2 } });
    const page = await call('listPhotos', { limit: 10 });
    expect(page.json()).toMatchObject({ ok: true, value: { total: 2, offset: 0 } });
    // A method without an argument also takes {} (what some clients send).
    expect((await call('folders', {})).json()).toMatchObject({ ok: true, value: [{ path: path.join(root, 'Photos') }] });
  });

  it('maps errors to 400, 404, 501 with the ApiError, and guards the request itself', async () => {
    const bad = await call('photo', { id: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/photo\.id must be a photo id/) } });
    const extra = await call('status', { surprise: 1 });
    expect(extra.status).toBe(400);
    expect(extra.json().error?.message).toMatch(/status takes no argument/);
    const notJson = await request('/api/photo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{id:' });
    expect(notJson.status).toBe(400);
    expect(notJson.json().error?.message).toMatch(/not valid JSON/);
    const form = await request('/api/photo', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=1' });
    expect(form.status).toBe(415);
    const missing = await call('photo', { id: 99_999 });
    expect(missing.status).toBe(404);
    expect(missing.json().error?.code).toBe('not-found');
    const reveal = await call('revealPhoto', { id: 1 });
    expect(reveal.status).toBe(501);
    expect(reveal.json().error?.code).toBe('unsupported');
    const unknown = await call('dropTables', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json().error?.code).toBe('not-found');
    expect((await request('/api/status')).status).toBe(405);
    const big = await request('/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'x'.repeat(1024 * 1024 + 10) }) }).catch(
      (e: NodeJS.ErrnoException) => ({ status: e.code === 'EPIPE' || e.code === 'ECONNRESET' ? 413 : 0 }),
    );
    expect(big.status).toBe(413);
  });
});

describe('shoebox serve: /media', () => {
  it('serves a catalogued photo’s thumbnail and preview as JPEG with the fingerprint as ETag', async () => {
    const photo = lib.catalog.photo(1)!;
    const thumb = await request('/media/thumb/1');
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect(thumb.headers.etag).toBe(`"${photo.fingerprint}"`);
    expect(thumb.headers['cache-control']).toMatch(/private/);
    expect(thumb.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(thumb.body).toEqual(fs.readFileSync(lib.cache.targets(photo.fingerprint!).thumb));
    const cached = await request('/media/thumb/1', { headers: { 'if-none-match': `"${photo.fingerprint}"` } });
    expect(cached.status).toBe(304);
    expect(cached.body).toHaveLength(0);
    const preview = await request('/media/preview/2');
    expect(preview.status).toBe(200);
    expect(preview.headers['content-type']).toBe('image/jpeg');
  });

  it('serves the original with its type and byte ranges', async () => {
    const photo = lib.catalog.photo(1)!;
    const whole = fs.readFileSync(photo.path);
    const r = await request('/media/original/1');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/jpeg');
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.body).toEqual(whole);
    const part = await request('/media/original/1', { headers: { range: 'bytes=2-11' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 2-11/${whole.length}`);
    expect(part.body).toEqual(whole.subarray(2, 12));
    const tail = await request('/media/original/1', { headers: { range: 'bytes=-5' } });
    expect(tail.body).toEqual(whole.subarray(whole.length - 5));
    expect((await request('/media/original/1', { headers: { range: `bytes=${whole.length}-` } })).status).toBe(416);
    const head = await request('/media/original/1', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(whole.length);
    expect(head.body).toHaveLength(0);
  });

  it('answers 404 for ids not in the catalog and anything that is not /media/<kind>/<id>', async () => {
    for (const p of ['/media/thumb/99999', '/media/thumb/0', '/media/thumb/abc', '/media/thumb/1.0', '/media/thumb/-1', '/media/huge/1', '/media/thumb', '/media/thumb/1/x', '/media/thumb/01']) {
      const r = await request(p);
      expect(r.status, p).toBe(404);
    }
  });

  it('never lets a path escape, however it is encoded (400 or 404, never a file)', async () => {
    const catalog = fs.readFileSync(lib.paths.catalog);
    const attempts = [
      '/media/thumb/../../catalog.sqlite',
      '/media/thumb/..%2f..%2fcatalog.sqlite',
      '/media/thumb/%2e%2e%2f%2e%2e%2fcatalog.sqlite',
      '/media/thumb/%2e%2e/%2e%2e/catalog.sqlite',
      '/media/%2e%2e/%2e%2e/data/catalog.sqlite',
      '/..%2fcatalog.sqlite',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/../../../../etc/passwd',
      '/media/thumb/1%00',
      '/media/thumb/1%00.jpg',
      '/%2e%2e%5c%2e%2e%5cetc%5cpasswd',
      '/media/thumb/1%2f..%2f..%2f..%2fetc%2fpasswd',
      '//etc/passwd',
      '/media/thumb/%E0%A4%A',
    ];
    for (const p of attempts) {
      const r = await request(p);
      expect([400, 404], p).toContain(r.status);
      expect(r.text, p).not.toContain('root:');
      expect(r.body.includes(catalog.subarray(0, 16)), p).toBe(false);
    }
    // %31 is "1": a well-formed name, so it is simply that photo.
    expect(pathSegments('/media/thumb/%31')).toEqual(['media', 'thumb', '1']);
    expect(pathSegments('/a/%2e%2e/b')).toBeNull();
    expect(pathSegments('/a/b%00')).toBeNull();
  });
});

describe('shoebox serve: the window’s files', () => {
  it('serves the renderer, falls back to index.html for the window’s routes, and 404s a missing asset', async () => {
    const js = await request('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/text\/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect(js.text).toContain('shoebox');
    const route = await request('/library/2023');
    expect(route.status).toBe(200);
    expect(route.text).toContain('<div id="app">');
    expect((await request('/assets/missing-5678.js')).status).toBe(404);
    expect((await request('/index.html', { method: 'POST' })).status).toBe(405);
  });

  it('never serves a file outside the renderer folder: dot segments, encodings, symlinks out', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      '/assets/escape.txt',
      '/up/secret.txt',
      '/index.html%00.js',
      `/${encodeURIComponent(path.join(root, 'secret.txt'))}`,
      '/./index.html',
    ];
    for (const p of attempts) {
      const r = await request(p);
      expect([400, 404], p).toContain(r.status);
      expect(r.text, p).not.toContain(SECRET);
    }
  });
});

describe('shoebox serve: events', () => {
  it('streams every engine event as SSE with heartbeats, and drops the listeners on disconnect', async () => {
    const before = listeners;
    const received: string[] = [];
    let buffer = '';
    const req = http.get({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { authorization: `Bearer ${server.token}` } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${JSON.stringify(buffer)}`)), 10_000);
        const check = () => {
          if (pattern.test(buffer)) {
            clearTimeout(timer);
            res.off('data', onData);
            resolve();
          }
        };
        const onData = (d: Buffer) => {
          buffer += d.toString('utf8');
          received.push(d.toString('utf8'));
          check();
        };
        res.on('data', onData);
        check();
      });
    await seen(/: connected/);
    expect(listeners - before).toBe(EVENT_NAMES.length); // one listener per event the contract has
    await seen(/: heartbeat/);
    expect((await call('setCaption', { id: 1, text: 'a red square' })).status).toBe(200);
    await seen(/event: changed\ndata: (\{.*\})\n\n/);
    const data = /event: changed\ndata: (\{.*\})\n\n/.exec(buffer)![1]!;
    expect(JSON.parse(data)).toEqual({ what: 'annotations', ids: [1] });
    expect((await call('pause')).status).toBe(200);
    await seen(/event: paused\ndata: \{"paused":true\}/);
    await call('resume');
    req.destroy();
    for (let i = 0; i < 100 && listeners !== before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(listeners).toBe(before);
  });
});

describe('shoebox serve: helpers', () => {
  it('parses byte ranges', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
  });

  it('refuses a renderer folder without index.html', async () => {
    const empty = tempDir();
    await expect(startServer({ handlers: api.handlers, events: api.events, media: () => null, rendererDir: empty })).rejects.toThrow(/index\.html/);
  });
});
