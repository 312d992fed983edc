// The contract's routes of `shoebox serve`: method calls as POST /api/<method>, its events as
// Server-Sent Events on /api/events, and photos' images under /media/<kind>/<id>.
import type http from 'node:http';
import { EVENT_NAMES, type ApiError, type ApiEventSource, type ApiHandlers, type ImageKind } from '../../shared/contract.ts';
import { isMethodName } from '../../shared/validate.ts';
import { callApi } from '../core/handlers/errors.ts';
import { IMAGE_KINDS, mediaIdName, mediaMissing, parsePhotoId, type MediaFile, type MediaResolver } from '../core/handlers/media.ts';
import type { Access } from './auth.ts';
import { HttpError, securityHeaders, sendError, sendJson } from './responses.ts';
import { sendFile } from './send-file.ts';

/** The largest JSON argument a method call may send. */
export const MAX_BODY = 1024 * 1024;
/** A comment line keeps idle event streams (and proxies between) from timing out. */
export const HEARTBEAT_MS = 15_000;
/** An event stream whose client stopped reading is dropped past this much queued data (it reconnects). */
const MAX_SSE_BUFFER = 4 * 1024 * 1024;

const STATUS_OF: Record<ApiError['code'], number> = {
  'invalid-argument': 400,
  'not-found': 404,
  unsupported: 501,
  failed: 500,
};

/** What the routes of one server share. */
export interface RouteContext {
  handlers: ApiHandlers;
  events: ApiEventSource;
  media: MediaResolver;
  access: Access;
  log: (line: string) => void;
  heartbeatMs: number;
  /** The open event streams, ended by close(). */
  streams: Set<http.ServerResponse>;
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

/** POST /api/<method>: a JSON argument in, the contract's ApiResult out. */
export async function callMethod(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
  if (!isMethodName(name)) return sendError(res, 404, 'not-found', `no method ${JSON.stringify(name)}`);
  if (req.method !== 'POST') return sendError(res, 405, 'invalid-argument', `/api/${name} takes POST`, { Allow: 'POST' });
  if (!ctx.access.originAllowed(req)) return sendError(res, 403, 'invalid-argument', 'calls from other sites are refused');
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
  const result = await callApi(ctx.handlers, name, arg);
  if (result.ok) return sendJson(res, 200, result);
  if (result.error.code === 'failed') ctx.log(`${name} failed: ${result.error.message}`);
  sendJson(res, STATUS_OF[result.error.code], result);
}

/** GET /api/events: every contract event as an SSE message, with a heartbeat. */
export function openEvents(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET') return sendError(res, 405, 'invalid-argument', '/api/events takes GET', { Allow: 'GET' });
  res.writeHead(200, {
    ...securityHeaders(),
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  req.socket.setNoDelay(true);
  ctx.streams.add(res);
  const write = (text: string) => {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_SSE_BUFFER) {
      ctx.log('an event stream fell too far behind; dropped (the window reconnects)');
      res.destroy();
      return;
    }
    res.write(text);
  };
  const offs = EVENT_NAMES.map((name) =>
    ctx.events.on(name, (payload) => write(`event: ${name}\ndata: ${JSON.stringify(payload ?? null)}\n\n`)),
  );
  const beat = setInterval(() => write(': heartbeat\n\n'), ctx.heartbeatMs);
  res.on('close', () => {
    clearInterval(beat);
    for (const off of offs) off();
    ctx.streams.delete(res);
  });
  write('retry: 2000\n: connected\n\n');
}

/** GET|HEAD /media/<thumb|preview|original>/<photo id> or face/<face id>: the catalogued photo's image, with ranges. */
export async function sendMedia(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse, segments: string[]): Promise<void> {
  const [, kind, idText] = segments;
  const id = idText === undefined ? null : parsePhotoId(idText);
  if (segments.length !== 3 || !kind || !IMAGE_KINDS.has(kind) || id === null) {
    return sendError(res, 404, 'not-found', 'no such image: /media/<thumb|preview|original>/<photo id> or face/<face id>');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'invalid-argument', '/media takes GET', { Allow: 'GET, HEAD' });
  let found: MediaFile | null;
  try {
    found = await ctx.media(id, kind as ImageKind);
  } catch (e) {
    ctx.log(`media ${kind} ${id}: ${(e as Error).message}`);
    return sendError(res, 500, 'failed', 'the image could not be looked up');
  }
  if (!found) return sendError(res, 404, 'not-found', mediaMissing(kind, id));
  sendFile(
    req,
    res,
    found.file,
    found.contentType,
    {
      etag: found.etag,
      cacheControl: 'private, max-age=60',
      ranges: true,
      notFound: `the ${kind} of ${mediaIdName(kind)} ${id} is not there (yet)`,
    },
    ctx.log,
  );
}
