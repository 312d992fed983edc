// Calls that come faster than the window needs them (scrolling, the engine's events): at most one per period.

/** Calls `fn` at most once per `ms`, with the latest arguments, at the end of the quiet period. */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const wrapped = (...args: A): void => {
    pending = args;
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      const a = pending;
      pending = null;
      if (a) fn(...a);
    }, ms);
  };
  wrapped.cancel = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return wrapped;
}
