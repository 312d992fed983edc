// The events the window listens to: the bus the handlers emit on, and the pipeline's progress
// passed on to it at most every PROGRESS_INTERVAL_MS.
import type { ApiEventSource, ApiEvents, EventName } from '../../../shared/contract.ts';
import type { StageProgress } from '../../../shared/types.ts';
import { Emitter } from '../emitter.ts';

/** Progress events reach the window at most this often (the last one always arrives). */
export const PROGRESS_INTERVAL_MS = 100;

/** The event bus: a listener's failure never stops the others; after close() nothing is emitted. */
export class ApiEventBus implements ApiEventSource {
  private readonly channels = new Map<EventName, Emitter<never>>();
  private closed = false;

  private channel<E extends EventName>(event: E): Emitter<ApiEvents[E]> {
    let c = this.channels.get(event);
    // One listener's failure never stops the others, nor the engine.
    if (!c) this.channels.set(event, (c = new Emitter<never>(() => undefined)));
    return c as unknown as Emitter<ApiEvents[E]>;
  }

  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void {
    return this.channel(event).on(cb);
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    if (this.closed) return;
    this.channels.get(event)?.emit(payload as never);
  }

  close(): void {
    this.closed = true;
    for (const c of this.channels.values()) c.clear();
    this.channels.clear();
  }
}

/** Faces found and grouped by indexing reach the window as a 'people' change at most this often. */
export const FACES_CHANGED_INTERVAL_MS = 1000;

/**
 * Passes what `subscribe` hears on through `send`, at most every `intervalMs`; the latest value always arrives
 * (a burst sends its first at once and its last after the interval). Returns the function that stops it.
 */
export function passOnThrottled<T>(subscribe: (listener: (value: T) => void) => () => void, send: (value: T) => void, intervalMs: number): () => void {
  let last = 0;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const p = pending;
    if (!p) return;
    pending = null;
    last = Date.now();
    send(p.value);
  };
  const off = subscribe((value) => {
    pending = { value };
    if (timer) return;
    const wait = last + intervalMs - Date.now();
    if (wait <= 0) flush();
    else {
      timer = setTimeout(flush, wait);
      timer.unref?.();
    }
  });
  return () => {
    off();
    if (timer) clearTimeout(timer);
    timer = null;
  };
}

/** Progress from `subscribe` as 'progress' events, at most every PROGRESS_INTERVAL_MS; the latest figures always arrive. */
export function throttleProgress(subscribe: (listener: (p: StageProgress[]) => void) => () => void, events: ApiEventBus): () => void {
  return passOnThrottled(subscribe, (p) => events.emit('progress', p), PROGRESS_INTERVAL_MS);
}
