// Who may talk to `shoebox serve`: the access token (header, query or cookie), the Host check and
// the same-site checks on Origin and Sec-Fetch-Site ([Note: serve security]).
import crypto from 'node:crypto';
import type http from 'node:http';

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
//   images from its own /media, and no framing) goes on every response (responses.ts);
// - paths are checked segment by segment on the raw (undecoded) request target, never through
//   URL's normalisation: a segment that decodes to `.`, `..`, or holds `/`, `\`, `:` or NUL is a
//   400 (paths.ts); /media serves only catalogued ids (a whole number; the file comes from the
//   catalog, never from the path); static files resolve under the renderer folder, symlinks included.

export const HOST = '127.0.0.1';
/** The cookie a page load with a valid `?token=` sets. */
export const TOKEN_COOKIE = 'shoebox_token';

export const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shoebox: access token needed</title></head>
<body><h1>This Shoebox needs its access token</h1>
<p>Open the address that <code>shoebox serve</code> printed: it ends in <code>?token=…</code>.</p></body></html>
`;

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** One server's token and the names it answers to (known once it listens). */
export class Access {
  readonly token = crypto.randomBytes(32).toString('base64url');
  private readonly digest = crypto.createHash('sha256').update(this.token).digest();
  /** 0 until `listening`. */
  port = 0;
  private allowedHosts = new Set<string>();

  /** The server listens on `port`: requests must name it in Host (and Origin). */
  listening(port: number): void {
    this.port = port;
    this.allowedHosts = new Set([`${HOST}:${port}`, `localhost:${port}`]);
  }

  /** Whether the Host header is this server's own (no DNS rebinding). */
  hostAllowed(req: http.IncomingMessage): boolean {
    return this.allowedHosts.has((req.headers.host ?? '').toLowerCase());
  }

  /** Whether a call's Origin, when it sends one, is this server's page. */
  originAllowed(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin === undefined || this.allowedHosts.has(origin.replace(/^http:\/\//, '').toLowerCase());
  }

  /** Another site, or another local server's page (same-site: ports do not count). */
  crossSite(req: http.IncomingMessage): boolean {
    const fetchSite = req.headers['sec-fetch-site'];
    return fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
  }

  /** Equal-time comparison of a presented token with the real one. */
  tokenMatches(presented: string): boolean {
    return crypto.timingSafeEqual(crypto.createHash('sha256').update(presented).digest(), this.digest);
  }

  /** Whether the request carries the token: bearer header, `?token=` or the cookie. */
  authorized(req: http.IncomingMessage, query: URLSearchParams): boolean {
    const presented: string[] = [];
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) presented.push(auth.slice(7).trim());
    const q = query.get('token');
    if (q) presented.push(q);
    const c = cookies(req.headers.cookie).get(TOKEN_COOKIE);
    if (c) presented.push(c);
    return presented.some((t) => this.tokenMatches(t));
  }

  /** The Set-Cookie a page opened with the printed URL (a valid `?token=`) gets, so the window's own requests carry the token; else null. */
  pageCookie(query: URLSearchParams): string | null {
    const q = query.get('token');
    return q && this.tokenMatches(q) ? `${TOKEN_COOKIE}=${this.token}; Path=/; HttpOnly; SameSite=Strict` : null;
  }
}
