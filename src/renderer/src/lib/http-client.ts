// The window's client in a browser under `shoebox serve`: methods as POST /api/<method>, events from one
// EventSource on /api/events (reconnecting), images from /media/<kind>/<id>. The access token comes
// from the page address (`?token=`, then removed from the address bar) or the HttpOnly cookie the
// server set when the page loaded; images and events rely on that cookie.
import { API_ERROR_CODES, EVENT_NAMES, type ApiError, type EventName, type ImageKind, type ShoeboxClient } from '../../../shared/contract.ts';
import { ClientError } from './client-error.ts';
import { errorMessage } from '../../../shared/error-message.ts';

// The browser objects this client touches, typed minimally so it also loads (in tests) under plain Node.
interface EventStream {
  readyState: number;
  onopen: ((ev: never) => unknown) | null;
  onerror: ((ev: never) => unknown) | null;
  addEventListener(name: string, cb: (e: { data: string }) => void): void;
  close(): void;
}
type EventStreamClass = { new (url: string): EventStream; readonly CLOSED: number };
interface HistoryLike {
  state: unknown;
  replaceState(data: unknown, unused: string, url?: string): void;
}
type Fetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body?: string; credentials: 'same-origin' },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
const browser = globalThis as { location?: { href: string }; history?: HistoryLike; EventSource?: EventStreamClass; fetch?: Fetch };

export interface HttpClientOptions {
  /** Where the server is; '' (the default) is the page's own origin. */
  base?: string;
  /** The page's address and history (default: window's), for the `?token=` hand-over. */
  location?: { href: string };
  history?: HistoryLike;
  fetch?: Fetch;
  EventSource?: EventStreamClass;
  /** First delay before reopening an event stream the browser gave up on; doubles up to 30 s. */
  reconnectMs?: number;
}

const MAX_RECONNECT_MS = 30_000;
const CODES: ReadonlySet<string> = new Set<string>(API_ERROR_CODES);

/** Takes `?token=` out of the address (so it is not bookmarked, shared or left in history); null when absent. */
export function takeToken(location: { href: string }, history: HistoryLike | undefined): string | null {
  let url: URL;
  try {
    url = new URL(location.href);
  } catch {
    return null;
  }
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  try {
    history?.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
  } catch {
    // A page that cannot rewrite its address keeps working; the token just stays visible.
  }
  return token || null;
}

function isApiError(x: unknown): x is ApiError {
  const e = x as ApiError | null;
  return typeof e === 'object' && e !== null && typeof e.message === 'string' && CODES.has(e.code);
}

export function createHttpClient(opts: HttpClientOptions = {}): ShoeboxClient {
  const base = opts.base ?? '';
  const doFetch: Fetch = opts.fetch ?? ((url, init) => browser.fetch!(url, init));
  const Source = opts.EventSource ?? browser.EventSource;
  const reconnectMs = opts.reconnectMs ?? 1000;
  const here = opts.location ?? browser.location;
  const token = here ? takeToken(here, opts.history ?? browser.history) : null;

  // ── events: one stream for all subscriptions, open while anyone listens ──
  type Listener = (payload: unknown) => void;
  const listeners = new Map<EventName, Set<Listener>>();
  let source: EventStream | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = reconnectMs;

  const listening = () => [...listeners.values()].some((s) => s.size > 0);

  function dispatch(name: EventName, data: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(data) as unknown;
    } catch {
      return;
    }
    for (const cb of [...(listeners.get(name) ?? [])]) {
      try {
        cb(payload);
      } catch (e) {
        // One view's failure never stops the others from hearing the event.
        console.error(`shoebox: a ${name} listener failed:`, e);
      }
    }
  }

  function open(): void {
    if (source || retryTimer || !Source) return;
    const es = new Source(`${base}/api/events`);
    source = es;
    for (const name of EVENT_NAMES) es.addEventListener(name, (e) => dispatch(name, e.data));
    es.onopen = () => {
      retryDelay = reconnectMs;
    };
    es.onerror = () => {
      // While CONNECTING the browser retries by itself; CLOSED means it gave up (an HTTP error, a
      // restarted server): reopen later, backing off.
      if (es.readyState !== Source!.CLOSED) return;
      es.close();
      if (source === es) source = null;
      if (!listening()) return;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        if (listening()) open();
      }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, MAX_RECONNECT_MS);
    };
  }

  function closeIfUnused(): void {
    if (listening()) return;
    source?.close();
    source = null;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
  }

  return {
    host: 'browser',
    async call(method, ...args) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      const arg = args[0];
      let res: Awaited<ReturnType<Fetch>>;
      try {
        res = await doFetch(`${base}/api/${method}`, {
          method: 'POST',
          headers,
          body: arg === undefined ? undefined : JSON.stringify(arg),
          credentials: 'same-origin',
        });
      } catch (e) {
        throw new ClientError('failed', `Shoebox did not answer (is \`shoebox serve\` still running?): ${errorMessage(e)}`);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        throw new ClientError('failed', `${method}: Shoebox answered HTTP ${res.status} without a result`);
      }
      const r = body as { ok?: unknown; value?: unknown; error?: unknown } | null;
      if (r?.ok === true && res.ok) return r.value as never;
      if (r?.ok === false && isApiError(r.error)) throw new ClientError(r.error.code, r.error.message);
      throw new ClientError('failed', `${method}: Shoebox answered HTTP ${res.status} without a result`);
    },
    on(event, cb) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      const l = cb as Listener;
      set.add(l);
      open();
      return () => {
        set.delete(l);
        closeIfUnused();
      };
    },
    imageUrl(id: number, kind: ImageKind): string {
      return `${base}/media/${kind}/${id}`;
    },
  };
}
