// Sending one file over HTTP: ETag (given, or weak from size and mtime), 304 on If-None-Match,
// a single byte Range (206, 416, If-Range), HEAD, and the stream.
//
// Why not the `send` package: it would own path resolution, ETags and error pages, and here none
// of those are its to decide. /media files come from the catalog (never from the request path)
// with the content fingerprint as a strong ETag; Range is read by `parseRange` from
// core/handlers/media.ts, the same parser the Electron media protocol uses, so both doors answer ranges
// alike; and every refusal is the contract's JSON error with the security headers. Bending `send`
// to that (its 'headers' hook, overriding its ETag, catching its errors) would leave about as much
// code as this function, plus a dependency (and its own) in the packaged app.
import fs from 'node:fs';
import type http from 'node:http';
import { parseRange } from '../core/handlers/media.ts';
import { securityHeaders, sendError } from './responses.ts';

export interface SendFileOptions {
  /** A strong ETag (unquoted), or null for a weak one from size and mtime. */
  etag: string | null;
  cacheControl: string;
  /** Whether byte ranges are offered (Accept-Ranges) and honoured. */
  ranges: boolean;
  /** The 404 message when the file is not there. */
  notFound: string;
  extra?: Record<string, string>;
}

export function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  file: string,
  contentType: string,
  o: SendFileOptions,
  log: (line: string) => void,
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
