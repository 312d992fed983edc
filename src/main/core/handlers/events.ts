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

/**
 * Passes progress from `subscribe` on to the bus as 'progress' events, at most every
 * PROGRESS_INTERVAL_MS; the latest figures always arrive. Returns the function that stops it.
 */
export function throttleProgress(subscribe: (listener: (p: StageProgress[]) => void) => () => void, events: ApiEventBus): () => void {
  let lastProgress = 0;
  let pendingProgress: StageProgress[] | null = null;
  let progressTimer: ReturnType<typeof setTimeout> | null = null;
  const flushProgress = () => {
    progressTimer = null;
    const p = pendingProgress;
    if (!p) return;
    pendingProgress = null;
    lastProgress = Date.now();
    events.emit('progress', p);
  };
  const off = subscribe((p) => {
    pendingProgress = p;
    if (progressTimer) return;
    const wait = lastProgress + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0) flushProgress();
    else {
      progressTimer = setTimeout(flushProgress, wait);
      progressTimer.unref?.();
    }
  });
  return () => {
    off();
    if (progressTimer) clearTimeout(progressTimer);
    progressTimer = null;
  };
}
