// The events the window listens to: the bus the handlers emit on, and the pipeline's progress
// passed on to it at most every PROGRESS_INTERVAL_MS.
import type { ApiEventSource, ApiEvents, EventName } from '../../../shared/contract.ts';
import type { StageProgress } from '../../../shared/types.ts';

/** Progress events reach the window at most this often (the last one always arrives). */
export const PROGRESS_INTERVAL_MS = 100;

type Listener = (payload: never) => void;

/** The event bus: a listener's failure never stops the others; after close() nothing is emitted. */
export class ApiEventBus implements ApiEventSource {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private closed = false;

  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = cb as Listener;
    set.add(l);
    return () => set.delete(l);
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    if (this.closed) return;
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as (p: ApiEvents[E]) => void)(payload);
      } catch {
        // One listener's failure never stops the others, nor the engine.
      }
    }
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
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
