// A ShoeboxClient for the renderer's unit tests: each method answered by a handler the test gives (or an
// error), every call recorded, events emitted by the test.
import type { ApiEvents, EventName, MethodName, ShoeboxClient } from '../../src/shared/contract.ts';
import { ClientError } from '../../src/renderer/src/lib/client-error.ts';

type Handler = (arg: never) => unknown;

export interface FakeClient extends ShoeboxClient {
  calls: { method: MethodName; arg: unknown }[];
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void;
  listeners(event: EventName): number;
}

export function fakeClient(handlers: Partial<Record<MethodName, Handler>>, host: 'app' | 'browser' = 'browser'): FakeClient {
  const calls: { method: MethodName; arg: unknown }[] = [];
  const subs = new Map<EventName, Set<(p: unknown) => void>>();
  return {
    host,
    calls,
    async call(method: MethodName, ...args: unknown[]) {
      calls.push({ method, arg: args[0] });
      const h = handlers[method];
      if (!h) throw new ClientError('unsupported', `${method} is not faked`);
      return (await h(args[0] as never)) as never;
    },
    on(event, cb) {
      const set = subs.get(event) ?? new Set();
      subs.set(event, set);
      set.add(cb as (p: unknown) => void);
      return () => set.delete(cb as (p: unknown) => void);
    },
    imageUrl: (id, kind) => `/media/${kind}/${id}`,
    emit(event, payload) {
      for (const cb of subs.get(event) ?? []) cb(payload);
    },
    listeners: (event) => subs.get(event)?.size ?? 0,
  } as FakeClient;
}
