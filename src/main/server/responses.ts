// The headers every answer of `shoebox serve` carries, and its JSON, error and text answers.
import type http from 'node:http';
import type { ApiError } from '../../shared/contract.ts';
import type { ApiResult } from '../../shared/bridge.ts';
import { cspWith } from '../../shared/csp.ts';

/** The app's CSP with images from this origin (/media) instead of the app's protocol, and no framing. */
export const SERVE_CSP = cspWith({ 'img-src': "'self' data:", 'frame-ancestors': "'none'" });

/** Headers on every response. No Access-Control-* ever: other origins get nothing. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': SERVE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** A request refused with an HTTP status and the contract's error code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
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

export function sendError(res: http.ServerResponse, status: number, code: ApiError['code'], message: string, extra: Record<string, string> = {}): void {
  const body: ApiResult<never> = { ok: false, error: { code, message } };
  sendJson(res, status, body, extra);
}

export function sendText(res: http.ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}
