// The loopback HTTP door of `shoebox serve`: the contract's methods as POST /api/<method>, its events as
// Server-Sent Events on /api/events, photos' images under /media/<kind>/<id>, and the built window as
// static files — on 127.0.0.1 only, every request carrying the access token ([Note: serve security]
// in auth.ts). This file starts and stops the server and puts each request through the checks in
// order; auth.ts decides who may ask, routes.ts and static.ts answer, send-file.ts sends files.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ApiEventSource, ApiHandlers } from '../../shared/contract.ts';
import { libraryMedia, type MediaResolver } from '../core/handlers/media.ts';
import type { Library } from '../core/library.ts';
import { Access, HOST, UNAUTHORIZED_PAGE } from './auth.ts';
import { pathSegments } from './paths.ts';
import { sendError, sendText } from './responses.ts';
import { callMethod, HEARTBEAT_MS, openEvents, sendMedia, type RouteContext } from './routes.ts';
import { sendStatic, type StaticSite } from './static.ts';
import { errorMessage } from '../../shared/error-message.ts';

// The media resolver lives in the engine (one for both doors); these names stay importable from here.
export { libraryMedia, originalContentType, parseRange, type MediaFile, type MediaResolver } from '../core/handlers/media.ts';
// So do the server's constants and path checks, now in their own files.
export { HOST, TOKEN_COOKIE } from './auth.ts';
export { pathSegments, resolveStatic } from './paths.ts';
export { SERVE_CSP } from './responses.ts';
export { HEARTBEAT_MS, MAX_BODY } from './routes.ts';

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

/** Starts the server on 127.0.0.1; resolves once it listens. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => {});
  let rootReal: string;
  try {
    rootReal = fs.realpathSync(path.resolve(opts.rendererDir));
  } catch {
    throw new Error(`the window's folder does not exist: ${path.resolve(opts.rendererDir)}`);
  }
  const indexFile = path.join(rootReal, 'index.html');
  if (!fs.existsSync(indexFile)) throw new Error(`the window's folder has no index.html: ${rootReal}`);

  const access = new Access();
  const streams = new Set<http.ServerResponse>();
  const routes: RouteContext = {
    handlers: opts.handlers,
    events: opts.events,
    media: typeof opts.media === 'function' ? opts.media : libraryMedia(opts.media),
    access,
    log,
    heartbeatMs: opts.heartbeatMs ?? HEARTBEAT_MS,
    streams,
  };
  const site: StaticSite = { rootReal, indexFile, access, log };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!access.hostAllowed(req)) return sendText(res, 403, `Shoebox answers only at http://${HOST}:${access.port}/\n`);
    const target = req.url ?? '';
    const q = target.search(/[?#]/);
    const rawPath = q < 0 ? target : target.slice(0, q);
    const query = new URLSearchParams(q < 0 || target[q] === '#' ? '' : target.slice(q + 1).split('#')[0]);
    const segments = pathSegments(rawPath);
    const area = segments?.[0];
    const isApi = area === 'api' || area === 'media';
    if (!segments) return sendError(res, 400, 'invalid-argument', 'bad path');
    if (isApi && access.crossSite(req)) return sendError(res, 403, 'invalid-argument', 'requests from other sites are refused');
    if (!access.authorized(req, query)) {
      if (isApi) return sendError(res, 401, 'failed', 'missing or wrong access token: open the address `shoebox serve` printed');
      return sendText(res, 401, UNAUTHORIZED_PAGE, 'text/html; charset=utf-8');
    }
    if (area === 'api') {
      if (segments.length === 2 && segments[1] === 'events') return openEvents(routes, req, res);
      if (segments.length !== 2 || !segments[1]) return sendError(res, 404, 'not-found', 'methods are at /api/<method>');
      return callMethod(routes, req, res, segments[1]);
    }
    if (area === 'media') return sendMedia(routes, req, res, segments);
    return sendStatic(site, req, res, segments, query);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // The path only: the query may hold the token.
      log(`${req.method} ${(req.url ?? '').split('?')[0]}: ${errorMessage(e)}`);
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
  const port = (server.address() as AddressInfo).port;
  access.listening(port);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${HOST}:${port}/?token=${access.token}`,
    token: access.token,
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
