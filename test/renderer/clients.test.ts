// The window's two clients with fake transports: the token hand-over, calls and their errors, the
// event stream's reconnects, image URLs, and createClient's choice of host.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, takeToken } from '../../src/renderer/src/lib/http-client.ts';
import { createIpcClient } from '../../src/renderer/src/lib/ipc-client.ts';
import { ClientError, createClient } from '../../src/renderer/src/lib/client.ts';
import type { ShoeboxBridge } from '../../src/shared/bridge.ts';

/** Just enough of EventSource: instances are kept so the test can drive them. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static made: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private handlers = new Map<string, ((e: { data: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.made.push(this);
  }
  addEventListener(name: string, cb: (e: { data: string }) => void): void {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), cb]);
  }
  emit(name: string, payload: unknown): void {
    for (const cb of this.handlers.get(name) ?? []) cb({ data: JSON.stringify(payload) });
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

afterEach(() => {
  FakeEventSource.made = [];
  vi.useRealTimers();
  delete (globalThis as Record<string, unknown>).shoebox;
});

describe('http client', () => {
  it('takes ?token= from the address and removes it from the address bar', () => {
    const replaceState = vi.fn();
    const token = takeToken({ href: 'http://127.0.0.1:5000/library?token=abc&view=grid#top' }, { state: { s: 1 }, replaceState });
    expect(token).toBe('abc');
    expect(replaceState).toHaveBeenCalledWith({ s: 1 }, '', '/library?view=grid#top');
    expect(takeToken({ href: 'http://127.0.0.1:5000/' }, { state: null, replaceState })).toBeNull();
    expect(replaceState).toHaveBeenCalledTimes(1);
  });

  it('posts the argument with the token, unwraps { ok, value }, and throws ClientError with the code', async () => {
    const fetch = vi.fn(async (_url: string, init?: { body?: string }) => {
      const body = init?.body ? (JSON.parse(init.body) as { id?: number }) : undefined;
      if (body?.id === 7) return jsonResponse(404, { ok: false, error: { code: 'not-found', message: 'no photo 7' } });
      return jsonResponse(200, { ok: true, value: { echoed: body ?? null } });
    });
    const client = createHttpClient({ location: { href: 'http://127.0.0.1:5000/?token=T0K' }, history: { state: null, replaceState: () => {} }, fetch: fetch });
    expect(client.host).toBe('browser');
    expect(await client.call('status')).toEqual({ echoed: null });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/status');
    expect(init).toMatchObject({ method: 'POST', body: undefined, headers: { Authorization: 'Bearer T0K', 'Content-Type': 'application/json' } });
    expect(await client.call('photo', { id: 1 })).toEqual({ echoed: { id: 1 } });
    const err = await client.call('photo', { id: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ code: 'not-found', message: 'no photo 7' });
    expect(client.imageUrl(12, 'thumb')).toBe('/media/thumb/12');
  });

  it('without ?token= relies on the cookie; a dead server or a non-JSON answer is a failed ClientError', async () => {
    const fetch = vi.fn(async (): Promise<Response> => {
      throw new TypeError('fetch failed');
    });
    const client = createHttpClient({ location: { href: 'http://127.0.0.1:5000/' }, history: { state: null, replaceState: () => {} }, fetch: fetch });
    await expect(client.call('status')).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/shoebox serve/) });
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).not.toHaveProperty('Authorization');
    const html = createHttpClient({ location: { href: 'http://x/' }, fetch: (async () => new Response('<html>', { status: 502 })) });
    await expect(html.call('status')).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/HTTP 502/) });
  });

  it('shares one event stream, dispatches by name, reopens after the browser gives up, and closes when unused', async () => {
    vi.useFakeTimers();
    const client = createHttpClient({ location: { href: 'http://x/' }, EventSource: FakeEventSource, reconnectMs: 100 });
    const changed: unknown[] = [];
    const paused: unknown[] = [];
    const offChanged = client.on('changed', (c) => changed.push(c));
    const offPaused = client.on('paused', (p) => paused.push(p));
    expect(FakeEventSource.made).toHaveLength(1);
    const first = FakeEventSource.made[0]!;
    expect(first.url).toBe('/api/events');
    first.emit('changed', { what: 'photos' });
    first.emit('paused', { paused: true });
    expect(changed).toEqual([{ what: 'photos' }]);
    expect(paused).toEqual([{ paused: true }]);
    // The browser retries by itself while CONNECTING; when CLOSED the client reopens after a delay.
    first.onerror?.();
    expect(FakeEventSource.made).toHaveLength(1);
    first.readyState = FakeEventSource.CLOSED;
    first.onerror?.();
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeEventSource.made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeEventSource.made).toHaveLength(2);
    const second = FakeEventSource.made[1]!;
    second.emit('changed', { what: 'folders' });
    expect(changed).toEqual([{ what: 'photos' }, { what: 'folders' }]);
    offChanged();
    expect(second.readyState).not.toBe(FakeEventSource.CLOSED);
    offPaused();
    expect(second.readyState).toBe(FakeEventSource.CLOSED);
  });
});

describe('ipc client and createClient', () => {
  function fakeBridge(): ShoeboxBridge {
    return {
      invoke: (async (method: string, arg?: { id?: number }) => {
        if (method === 'photo' && arg?.id === 7) return { ok: false, error: { code: 'not-found', message: 'no photo 7' } };
        if (method === 'pickFolder') throw new Error('IPC from an unknown sender');
        return { ok: true, value: { method, arg: arg ?? null } };
      }) as ShoeboxBridge['invoke'],
      on: (_event, _cb) => () => {},
    };
  }

  it('unwraps the bridge’s results, throws ClientError, and names images with the app protocol', async () => {
    const client = createIpcClient(fakeBridge());
    expect(client.host).toBe('app');
    expect(await client.call('photo', { id: 1 })).toEqual({ method: 'photo', arg: { id: 1 } });
    await expect(client.call('photo', { id: 7 })).rejects.toMatchObject({ name: 'ClientError', code: 'not-found', message: 'no photo 7' });
    await expect(client.call('pickFolder')).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/unknown sender/) });
    expect(client.imageUrl(3, 'preview')).toBe('shoebox-media://preview/3');
  });

  it('createClient picks IPC when window.shoebox exists, else HTTP', () => {
    expect(createClient().host).toBe('browser');
    (globalThis as Record<string, unknown>).shoebox = fakeBridge();
    expect(createClient().host).toBe('app');
  });
});
