// The app's shoebox-media:// protocol: photos' thumbnails, previews and originals for the window,
// catalogued photos only. Kept free of electron (index.ts registers it) so tests can drive it.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { ImageKind } from '../../shared/contract.ts';
import { IMAGE_KINDS, mediaIdName, mediaMissing, parsePhotoId, parseRange, type MediaResolver } from '../core/handlers/media.ts';

// The scheme the renderer's IPC client builds image URLs with (shared/contract.ts).
export { MEDIA_SCHEME } from '../../shared/contract.ts';

/**
 * Registered before the app is ready (protocol.registerSchemesAsPrivileged): a standard URL (host
 * and path, so Chromium parses it like http), a secure context, fetch() from the page, and
 * streamed bodies. No bypassCSP: the window's img-src names the scheme itself. No corsEnabled:
 * the page only shows the images, it never reads their pixels.
 */
export const MEDIA_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, stream: true } as const;

/** The part of a fetch Request the handler reads (Electron hands protocol.handle a Request). */
export interface MediaRequest {
  url: string;
  method: string;
  headers: { get(name: string): string | null };
}

/**
 * The kind and photo id of a shoebox-media URL, or null unless it is exactly
 * `shoebox-media://<thumb|preview|original>/<id>`: the raw string is matched, never decoded or
 * normalised, so `..`, `%2e%2e%2f`, a second segment, a query, a fragment, a port, a user or a
 * trailing slash all make it null, and an id is a whole number from 1 without leading zeros.
 */
export function parseMediaUrl(url: string): { kind: ImageKind; id: number } | null {
  const m = /^shoebox-media:\/\/([a-z]+)\/([0-9]+)$/.exec(url);
  if (!m || !IMAGE_KINDS.has(m[1]!)) return null;
  const id = parsePhotoId(m[2]!);
  return id === null ? null : { kind: m[1] as ImageKind, id };
}

function text(status: number, body: string, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...extra },
  });
}

/**
 * The protocol handler: parses the URL strictly, asks the resolver (the library's catalog decides
 * which file, if any, a photo's image is), and streams that file — from the handle it opened and
 * checked, so the answer is the file that was checked. 400 for a URL that is not a media URL, 404
 * for an id that is not catalogued or an image that is not there (yet), 405 for anything but
 * GET or HEAD; one `Range` is honoured (206/416).
 */
export function createMediaHandler(resolve: MediaResolver, log: (line: string) => void = () => {}): (request: MediaRequest) => Promise<Response> {
  return async (request) => {
    const target = parseMediaUrl(request.url);
    if (!target) return text(400, 'not a media URL: shoebox-media://<thumb|preview|original>/<photo id> or face/<face id>\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'GET only\n', { Allow: 'GET, HEAD' });
    const { kind, id } = target;
    let found;
    try {
      found = await resolve(id, kind);
    } catch (e) {
      log(`media ${kind} ${id}: ${(e as Error).message}`);
      return text(500, 'the image could not be looked up\n');
    }
    if (!found) return text(404, `${mediaMissing(kind, id)}\n`);

    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(found.file, 'r');
    } catch {
      return text(404, `the ${kind} of ${mediaIdName(kind)} ${id} is not there (yet)\n`);
    }
    let keepOpen = false;
    try {
      const st = await handle.stat();
      if (!st.isFile()) return text(404, `the ${kind} of ${mediaIdName(kind)} ${id} is not there (yet)\n`);
      const headers: Record<string, string> = {
        'Content-Type': found.contentType,
        'Cache-Control': 'private, max-age=60',
        ETag: found.etag ? `"${found.etag}"` : `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
        'Last-Modified': st.mtime.toUTCString(),
        'Accept-Ranges': 'bytes',
        'X-Content-Type-Options': 'nosniff',
      };
      const range = parseRange(request.headers.get('range'), st.size);
      if (range === 'unsatisfiable') {
        return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${st.size}` } });
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? st.size - 1;
      headers['Content-Length'] = String(Math.max(0, end - start + 1));
      if (range) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
      const status = range ? 206 : 200;
      if (request.method === 'HEAD' || st.size === 0) return new Response(null, { status, headers });
      const stream = handle.createReadStream({ start, end, autoClose: true });
      keepOpen = true;
      return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers });
    } finally {
      if (!keepOpen) await handle.close().catch(() => undefined);
    }
  };
}
