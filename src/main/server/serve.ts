// The loopback HTTP door of `shoebox serve`: the contract's methods as POST /api/<method>, its events as
// Server-Sent Events on /api/events, photos' images under /media/<kind>/<id>, and the built window as
// static files — on 127.0.0.1 only, every request carrying the access token ([Note: serve security]).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { EVENT_NAMES, type ApiError, type ApiEventSource, type ApiHandlers, type ImageKind } from '../../shared/contract.ts';
import type { ApiResult } from '../../shared/bridge.ts';
import { cspWith } from '../../shared/csp.ts';
import { isMethodName } from '../../shared/validate.ts';
import { callApi } from '../core/api/handlers.ts';
import { extensionOf } from '../core/media/formats.ts';
import { IMAGE_KINDS, libraryMedia, parsePhotoId, parseRange, type MediaFile, type MediaResolver } from '../core/api/media.ts';
import type { Library } from '../core/library.ts';

// The media resolver lives in the engine (one for both doors); these names stay importable from here.
export { libraryMedia, originalContentType, parseRange, type MediaFile, type MediaResolver } from '../core/api/media.ts';

// [Note: serve security]
// `shoebox serve` hands the library (every photo, and methods that add folders) to whoever can
// talk to it, so:
// - it listens on 127.0.0.1 only, and answers only requests whose Host is 127.0.0.1:<port> or
//   localhost:<port> (a DNS-rebinding page has its own name in Host);
// - every request, the window's page and assets included, needs the random token printed with the
//   URL: `Authorization: Bearer <token>`, `?token=<token>`, or the `shoebox_token` cookie
//   (HttpOnly, SameSite=Strict) set when a page is loaded with a valid `?token=`, so the window's
//   fetches, <img> loads and EventSource work without handling the token;
// - it sends no CORS headers, refuses POSTs whose Origin is another site, and the app's CSP (with
//   images from its own /media, and no framing) goes on every response;
// - paths are checked segment by segment on the raw (undecoded) request target, never through
//   URL's normalisation: a segment that decodes to `.`, `..`, or holds `/`, `\`, `:` or NUL is a
//   400; /media serves only catalogued ids (a whole number; the file comes from the catalog, never
//   from the path); static files resolve under the renderer folder, symlinks included.

export const HOST = '127.0.0.1';
/** The largest JSON argument a method call may send. */
export const MAX_BODY = 1024 * 1024;
/** A comment line keeps idle event streams (and proxies between) from timing out. */
export const HEARTBEAT_MS = 15_000;
/** The cookie a page load with a valid `?token=` sets. */
export const TOKEN_COOKIE = 'shoebox_token';
/** An event stream whose client stopped reading is dropped past this much queued data (it reconnects). */
const MAX_SSE_BUFFER = 4 * 1024 * 1024;

/** The app's CSP with images from this origin (/media) instead of the app's protocol, and no framing. */
export const SERVE_CSP = cspWith({ 'img-src': "'self' data:", 'frame-ancestors': "'none'" });

export interface ServerOptions {
  handlers: ApiHandlers;
  events: ApiEventSource;
  /** Where photos' images come from: a Library (its catalog and cache), or a resolver. */
  media: Pick<Library, 'catalog' | 'cache'> | MediaResolver;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where failures are reported (the CLI passes stderr). */
  log?: (line: string) => void;
  /** For tests: the event streams' heartbeat period. */
  heartbeatMs?: number;
}

export interface RunningServer {
  /** What a person opens: http://127.0.0.1:<port>/?token=<token>. */
  url: string;
  token: string;
  port: number;
  /** Ends the event streams, lets requests in flight finish, and stops listening. */
  close(): Promise<void>;
}

const STATIC_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  wasm: 'application/wasm',
};

const STATUS_OF: Record<ApiError['code'], number> = {
  'invalid-argument': 400,
  'not-found': 404,
  unsupported: 501,
  failed: 500,
};

/** Headers on every response. No Access-Control-* ever: other origins get nothing. */
function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': SERVE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
  }
}

/** Equal-time comparison of a presented token with the real one. */
function tokenMatches(presented: string, digest: Buffer): boolean {
  return crypto.timingSafeEqual(crypto.createHash('sha256').update(presented).digest(), digest);
}

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * The decoded segments of a raw request path ('/a/b%20c' → ['a', 'b c']; '/' → ['']), or null when
 * a segment is malformed or could mean anything but a plain name: `.`, `..`, `/`, `\`, `:` or NUL
 * once decoded, or an empty segment before the last.
 */
export function pathSegments(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  const raw = rawPath.slice(1).split('/');
  const out: string[] = [];
  for (const [i, seg] of raw.entries()) {
    let s: string;
    try {
      s = decodeURIComponent(seg);
    } catch {
      return null;
    }
    if (s === '' && i < raw.length - 1) return null;
    if (s === '.' || s === '..' || /[/\\:\0]/.test(s)) return null;
    out.push(s);
  }
  return out;
}

/** A file under `rootReal` for decoded segments, or null: never outside it, symlinks resolved; no hidden names. */
export function resolveStatic(rootReal: string, segments: readonly string[]): string | null {
  if (segments.some((s) => s === '' || s.startsWith('.'))) return null;
  const candidate = path.join(rootReal, ...segments);
  if (!candidate.startsWith(rootReal + path.sep)) return null;
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    return null;
  }
  if (!real.startsWith(rootReal + path.sep)) return null;
  try {
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shoebox: access token needed</title></head>
<body><h1>This Shoebox needs its access token</h1>
<p>Open the address that <code>shoebox serve</code> printed: it ends in <code>?token=…</code>.</p></body></html>
`;

/** Starts the server on 127.0.0.1; resolves once it listens. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => {});
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const media: MediaResolver = typeof opts.media === 'function' ? opts.media : libraryMedia(opts.media);
  let rootReal: string;
  try {
    rootReal = fs.realpathSync(path.resolve(opts.rendererDir));
  } catch {
    throw new Error(`the window's folder does not exist: ${path.resolve(opts.rendererDir)}`);
  }
  const indexFile = path.join(rootReal, 'index.html');
  if (!fs.existsSync(indexFile)) throw new Error(`the window's folder has no index.html: ${rootReal}`);

  const token = crypto.randomBytes(32).toString('base64url');
  const tokenDigest = crypto.createHash('sha256').update(token).digest();
  let port = 0;
  let allowedHosts = new Set<string>();
  const streams = new Set<http.ServerResponse>();

  function authorized(req: http.IncomingMessage, query: URLSearchParams): boolean {
    const presented: string[] = [];
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) presented.push(auth.slice(7).trim());
    const q = query.get('token');
    if (q) presented.push(q);
    const c = cookies(req.headers.cookie).get(TOKEN_COOKIE);
    if (c) presented.push(c);
    return presented.some((t) => tokenMatches(t, tokenDigest));
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...securityHeaders(),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(text);
  }

  function sendError(res: http.ServerResponse, status: number, code: ApiError['code'], message: string, extra: Record<string, string> = {}): void {
    const body: ApiResult<never> = { ok: false, error: { code, message } };
    sendJson(res, status, body, extra);
  }

  function sendText(res: http.ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...securityHeaders(), 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...extra });
    res.end(text);
  }

  async function readBody(req: http.IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY) throw new HttpError(413, 'invalid-argument', `the argument is larger than ${MAX_BODY} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) throw new HttpError(413, 'invalid-argument', `the argument is larger than ${MAX_BODY} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  async function callMethod(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    if (!isMethodName(name)) return sendError(res, 404, 'not-found', `no method ${JSON.stringify(name)}`);
    if (req.method !== 'POST') return sendError(res, 405, 'invalid-argument', `/api/${name} takes POST`, { Allow: 'POST' });
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, '').toLowerCase())) {
      return sendError(res, 403, 'invalid-argument', 'calls from other sites are refused');
    }
    let arg: unknown;
    try {
      const body = await readBody(req);
      if (body.length > 0) {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') throw new HttpError(415, 'invalid-argument', 'the argument must be sent as application/json');
        try {
          arg = JSON.parse(body.toString('utf8')) as unknown;
        } catch (e) {
          throw new HttpError(400, 'invalid-argument', `the argument is not valid JSON: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      if (e instanceof HttpError) return sendError(res, e.status, e.code, e.message, e.status === 413 ? { Connection: 'close' } : {});
      throw e;
    }
    // callApi checks the argument (validateArgs) and turns any failure into an ApiError.
    const result = await callApi(opts.handlers, name, arg);
    if (result.ok) return sendJson(res, 200, result);
    if (result.error.code === 'failed') log(`${name} failed: ${result.error.message}`);
    sendJson(res, STATUS_OF[result.error.code], result);
  }

  function openEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET') return sendError(res, 405, 'invalid-argument', '/api/events takes GET', { Allow: 'GET' });
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    streams.add(res);
    const write = (text: string) => {
      if (res.writableEnded || res.destroyed) return;
      if (res.writableLength > MAX_SSE_BUFFER) {
        log('an event stream fell too far behind; dropped (the window reconnects)');
        res.destroy();
        return;
      }
      res.write(text);
    };
    const offs = EVENT_NAMES.map((name) =>
      opts.events.on(name, (payload) => write(`event: ${name}\ndata: ${JSON.stringify(payload ?? null)}\n\n`)),
    );
    const beat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    res.on('close', () => {
      clearInterval(beat);
      for (const off of offs) off();
      streams.delete(res);
    });
    write('retry: 2000\n: connected\n\n');
  }

  async function sendMedia(req: http.IncomingMessage, res: http.ServerResponse, segments: string[]): Promise<void> {
    const [, kind, idText] = segments;
    const id = idText === undefined ? null : parsePhotoId(idText);
    if (segments.length !== 3 || !kind || !IMAGE_KINDS.has(kind) || id === null) {
      return sendError(res, 404, 'not-found', 'no such image: /media/<thumb|preview|original>/<photo id>');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'invalid-argument', '/media takes GET', { Allow: 'GET, HEAD' });
    let found: MediaFile | null;
    try {
      found = await media(id, kind as ImageKind);
    } catch (e) {
      log(`media ${kind} ${id}: ${(e as Error).message}`);
      return sendError(res, 500, 'failed', 'the image could not be looked up');
    }
    if (!found) return sendError(res, 404, 'not-found', `no ${kind} for photo ${id}`);
    sendFile(req, res, found.file, found.contentType, {
      etag: found.etag,
      cacheControl: 'private, max-age=60',
      ranges: true,
      notFound: `the ${kind} of photo ${id} is not there (yet)`,
    });
  }

  function sendFile(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    file: string,
    contentType: string,
    o: { etag: string | null; cacheControl: string; ranges: boolean; notFound: string; extra?: Record<string, string> },
  ): void {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return sendError(res, 404, 'not-found', o.notFound);
    }
    if (!st.isFile()) return sendError(res, 404, 'not-found', o.notFound);
    const etag = o.etag ? `"${o.etag}"` : `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      ...securityHeaders(),
      'Content-Type': contentType,
      'Cache-Control': o.cacheControl,
      ETag: etag,
      'Last-Modified': st.mtime.toUTCString(),
      ...o.extra,
    };
    if (o.ranges) headers['Accept-Ranges'] = 'bytes';
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    let range = o.ranges ? parseRange(req.headers.range, st.size) : null;
    const ifRange = req.headers['if-range'];
    if (range && ifRange && ifRange !== etag) range = null;
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${st.size}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? st.size - 1;
    headers['Content-Length'] = Math.max(0, end - start + 1);
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || st.size === 0) {
      res.end();
      return;
    }
    const stream = fs.createReadStream(file, { start, end });
    stream.on('error', (e) => {
      log(`reading ${file}: ${e.message}`);
      res.destroy();
    });
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  function sendStatic(req: http.IncomingMessage, res: http.ServerResponse, segments: string[], query: URLSearchParams): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET only\n', undefined, { Allow: 'GET, HEAD' });
    const isRoot = segments.length === 1 && segments[0] === '';
    let file = isRoot ? indexFile : resolveStatic(rootReal, segments);
    if (!file) {
      // The window's own routes (no extension) get the page; a missing asset is a plain 404.
      const last = segments[segments.length - 1] ?? '';
      if (last.includes('.')) return sendText(res, 404, 'not found\n');
      file = indexFile;
    }
    const extra: Record<string, string> = {};
    const isPage = file === indexFile || extensionOf(file) === 'html';
    const q = query.get('token');
    // A page opened with the printed URL leaves the token in a cookie for the window's own requests.
    if (isPage && q && tokenMatches(q, tokenDigest)) extra['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    const immutable = segments[0] === 'assets' && segments.length > 1;
    sendFile(req, res, file, STATIC_TYPES[extensionOf(file)] ?? 'application/octet-stream', {
      etag: null,
      cacheControl: isPage ? 'no-store' : immutable ? 'private, max-age=31536000, immutable' : 'no-cache',
      ranges: false,
      notFound: 'not found',
      extra,
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host)) return sendText(res, 403, `Shoebox answers only at http://${HOST}:${port}/\n`);
    const target = req.url ?? '';
    const q = target.search(/[?#]/);
    const rawPath = q < 0 ? target : target.slice(0, q);
    const query = new URLSearchParams(q < 0 || target[q] === '#' ? '' : target.slice(q + 1).split('#')[0]);
    const segments = pathSegments(rawPath);
    const area = segments?.[0];
    const isApi = area === 'api' || area === 'media';
    if (!segments) return sendError(res, 400, 'invalid-argument', 'bad path');
    // Another site, or another local server's page (same-site: ports do not count), gets nothing.
    const fetchSite = req.headers['sec-fetch-site'];
    if (isApi && fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      return sendError(res, 403, 'invalid-argument', 'requests from other sites are refused');
    }
    if (!authorized(req, query)) {
      if (isApi) return sendError(res, 401, 'failed', 'missing or wrong access token: open the address `shoebox serve` printed');
      return sendText(res, 401, UNAUTHORIZED_PAGE, 'text/html; charset=utf-8');
    }
    if (area === 'api') {
      if (segments.length === 2 && segments[1] === 'events') return openEvents(req, res);
      if (segments.length !== 2 || !segments[1]) return sendError(res, 404, 'not-found', 'methods are at /api/<method>');
      return callMethod(req, res, segments[1]);
    }
    if (area === 'media') return sendMedia(req, res, segments);
    return sendStatic(req, res, segments, query);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // The path only: the query may hold the token.
      log(`${req.method} ${(req.url ?? '').split('?')[0]}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) sendError(res, 500, 'failed', 'internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log(`server: ${e.message}`));
  port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`${HOST}:${port}`, `localhost:${port}`]);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    token,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

