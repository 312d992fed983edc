// The built window as static files: index.html for the root and the window's own routes, assets
// under the renderer folder only, the token cookie on a page opened with the printed URL.
import type http from 'node:http';
import { extensionOf } from '../core/media/formats.ts';
import type { Access } from './auth.ts';
import { resolveStatic } from './paths.ts';
import { sendText } from './responses.ts';
import { sendFile } from './send-file.ts';

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

export interface StaticSite {
  /** The renderer folder, symlinks resolved. */
  rootReal: string;
  /** Its index.html. */
  indexFile: string;
  access: Access;
  log: (line: string) => void;
}

export function sendStatic(site: StaticSite, req: http.IncomingMessage, res: http.ServerResponse, segments: string[], query: URLSearchParams): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET only\n', undefined, { Allow: 'GET, HEAD' });
  const isRoot = segments.length === 1 && segments[0] === '';
  let file = isRoot ? site.indexFile : resolveStatic(site.rootReal, segments);
  if (!file) {
    // The window's own routes (no extension) get the page; a missing asset is a plain 404.
    const last = segments[segments.length - 1] ?? '';
    if (last.includes('.')) return sendText(res, 404, 'not found\n');
    file = site.indexFile;
  }
  const extra: Record<string, string> = {};
  const isPage = file === site.indexFile || extensionOf(file) === 'html';
  // A page opened with the printed URL leaves the token in a cookie for the window's own requests.
  const cookie = isPage ? site.access.pageCookie(query) : null;
  if (cookie) extra['Set-Cookie'] = cookie;
  const immutable = segments[0] === 'assets' && segments.length > 1;
  sendFile(
    req,
    res,
    file,
    STATIC_TYPES[extensionOf(file)] ?? 'application/octet-stream',
    {
      etag: null,
      cacheControl: isPage ? 'no-store' : immutable ? 'private, max-age=31536000, immutable' : 'no-cache',
      ranges: false,
      notFound: 'not found',
      extra,
    },
    site.log,
  );
}
