// The IPC binding with Electron faked: every method bound on its channel, arguments checked before a
// handler runs, errors answered with their code, events forwarded to the window, unbinding.
import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { bindIpc, type IpcMainLike, type WindowLike } from '../../src/main/app/ipc.ts';
import { ApiFailure } from '../../src/main/core/handlers/errors.ts';
import { EVENT_NAMES, METHOD_NAMES, ipcChannel, type ApiEventSource, type ApiEvents, type ApiHandlers, type EventName } from '../../src/shared/contract.ts';

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Calls a channel as ipcRenderer.invoke would. */
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return Promise.resolve(h({ senderFrame: { url: 'app://page' } } as unknown as IpcMainInvokeEvent, ...args));
  }
}

class FakeEvents implements ApiEventSource {
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(cb as (p: unknown) => void);
    return () => set.delete(cb as (p: unknown) => void);
  }
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }
  count(): number {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
}

function fakeWindow() {
  const sent: [string, unknown][] = [];
  let destroyed = false;
  const win: WindowLike = {
    webContents: {
      isDestroyed: () => destroyed,
      send: (channel, ...args) => sent.push([channel, args[0]]),
    },
  };
  return { win, sent, destroy: () => (destroyed = true) };
}

function setup(opts: Parameters<typeof bindIpc>[4] = {}) {
  const calls: [string, unknown][] = [];
  const handlers = Object.fromEntries(
    METHOD_NAMES.map((m) => [
      m,
      async (args: unknown) => {
        calls.push([m, args]);
        if (m === 'photo') throw new ApiFailure('not-found', 'no photo with id 7 in the library');
        if (m === 'status') throw new Error('disk on fire');
        return { method: m };
      },
    ]),
  ) as unknown as ApiHandlers;
  const ipc = new FakeIpcMain();
  const events = new FakeEvents();
  const w = fakeWindow();
  let win: WindowLike | null = w.win;
  const unbind = bindIpc(ipc, handlers, events, () => win, opts);
  return { ipc, events, calls, unbind, ...w, closeWindow: () => (win = null) };
}

describe('bindIpc', () => {
  it('binds every method of the contract on its channel', () => {
    const { ipc } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => ipcChannel(m)).sort());
  });

  it('calls the handler with the checked argument and answers { ok, value }', async () => {
    const { ipc, calls } = setup();
    expect(await ipc.invoke('shoebox:listPhotos', { limit: 10, offset: undefined })).toEqual({ ok: true, value: { method: 'listPhotos' } });
    expect(await ipc.invoke('shoebox:pause')).toEqual({ ok: true, value: { method: 'pause' } });
    expect(calls).toEqual([
      ['listPhotos', { limit: 10 }],
      ['pause', undefined],
    ]);
  });

  it('answers invalid-argument for a bad argument without calling the handler', async () => {
    const { ipc, calls } = setup();
    expect(await ipc.invoke('shoebox:photo', { id: '7' })).toEqual({
      ok: false,
      error: { code: 'invalid-argument', message: 'photo.id must be a photo id (a whole number, 1 or more), got "7"' },
    });
    expect(await ipc.invoke('shoebox:search', { query: 'red', sql: 'DROP TABLE photos' })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await ipc.invoke('shoebox:setCaption', { id: 1, text: 'a' }, 'extra')).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(calls).toEqual([]);
  });

  it('keeps error codes across the boundary', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke('shoebox:photo', { id: 7 })).toEqual({ ok: false, error: { code: 'not-found', message: 'no photo with id 7 in the library' } });
    expect(await ipc.invoke('shoebox:status')).toEqual({ ok: false, error: { code: 'failed', message: 'disk on fire' } });
  });

  it('refuses senders the app does not trust', async () => {
    const { ipc, calls } = setup({ allowSender: (e) => e.senderFrame?.url === 'app://other' });
    expect(await ipc.invoke('shoebox:folders')).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringMatching(/unknown sender/) as unknown as string } });
    expect(calls).toEqual([]);
  });

  it('forwards every event to the window on its channel', () => {
    const { events, sent, destroy, closeWindow } = setup();
    const payloads: { [E in EventName]: ApiEvents[E] } = {
      progress: [{ stage: 'embed', done: 1, total: 2, failed: 0, rate: 1, etaSeconds: 1 }],
      changed: { what: 'annotations', ids: [3] },
      editProgress: { done: 1000, total: 10_000 },
      download: { status: 'done', id: 'clip' },
      paused: { paused: true },
    };
    for (const e of EVENT_NAMES) events.emit(e, payloads[e] as never);
    expect(sent).toEqual(EVENT_NAMES.map((e) => [ipcChannel(e), payloads[e]]));
    destroy();
    events.emit('paused', { paused: false });
    closeWindow();
    events.emit('paused', { paused: false });
    expect(sent).toHaveLength(EVENT_NAMES.length);
  });

  it('unbinds every handler and event', () => {
    const { ipc, events, sent, unbind } = setup();
    expect(events.count()).toBe(EVENT_NAMES.length);
    unbind();
    expect(ipc.handlers.size).toBe(0);
    expect(events.count()).toBe(0);
    events.emit('paused', { paused: true });
    expect(sent).toEqual([]);
    unbind();
    // Binding again works once unbound (Electron refuses a second handler on a channel).
    expect(() => bindIpc(ipc, {} as ApiHandlers, events, () => null)).not.toThrow();
  });
});
