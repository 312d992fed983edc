// The preload with Electron faked: window.shoebox has invoke and on only, passes contract names only,
// and never hands the page the IPC event.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ShoeboxBridge } from '../../src/shared/bridge.ts';

const fake = vi.hoisted(() => {
  const exposed: Record<string, unknown> = {};
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const invoked: unknown[][] = [];
  return {
    exposed,
    listeners,
    invoked,
    electron: {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return { ok: true, value: args[0] };
        },
        on: (channel: string, l: (...a: unknown[]) => void) => {
          const set = listeners.get(channel) ?? new Set();
          listeners.set(channel, set);
          set.add(l);
        },
        removeListener: (channel: string, l: (...a: unknown[]) => void) => listeners.get(channel)?.delete(l),
      },
    },
  };
});

vi.mock('electron', () => fake.electron);

let bridge: ShoeboxBridge;
beforeAll(async () => {
  await import('../../src/preload/index.ts');
  bridge = fake.exposed.shoebox as ShoeboxBridge;
});

describe('preload', () => {
  it('exposes only invoke and on as window.shoebox', () => {
    expect(Object.keys(fake.exposed)).toEqual(['shoebox']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
  });

  it('invokes contract methods on their channel with one argument', async () => {
    expect(await bridge.invoke('photo', { id: 3 })).toEqual({ ok: true, value: 'shoebox:photo' });
    await bridge.invoke('status');
    expect(fake.invoked).toEqual([['shoebox:photo', { id: 3 }], ['shoebox:status']]);
  });

  it('refuses names outside the contract without calling the main process', async () => {
    const n = fake.invoked.length;
    const call = bridge.invoke as (m: string, a?: unknown) => Promise<unknown>;
    expect(await call('deleteEverything', {})).toEqual({ ok: false, error: { code: 'invalid-argument', message: 'unknown method "deleteEverything"' } });
    expect(await call('constructor')).toMatchObject({ ok: false });
    expect(fake.invoked).toHaveLength(n);
    const on = bridge.on as (e: string, cb: () => void) => () => void;
    expect(() => on('secrets', () => {})).toThrow(/unknown event "secrets"/);
  });

  it('delivers event payloads (never the IPC event) and unsubscribes', () => {
    const got: unknown[] = [];
    const off = bridge.on('paused', (p) => got.push(p));
    const ls = fake.listeners.get('shoebox:paused')!;
    expect(ls.size).toBe(1);
    for (const l of ls) l({ sender: 'secret' }, { paused: true });
    expect(got).toEqual([{ paused: true }]);
    off();
    expect(ls.size).toBe(0);
  });
});
