// Typing-speed requests: run after the input rests for a moment, and use only the newest answer.

export interface LatestRunner<I> {
  /** Runs `input` once nothing newer arrives within the delay. */
  schedule(input: I): void;
  /** Runs `input` now, dropping anything scheduled or in flight. */
  now(input: I): void;
  /** Drops anything scheduled or in flight. */
  cancel(): void;
}

export interface LatestOptions<I, R> {
  delayMs: number;
  run: (input: I) => Promise<R>;
  onResult: (result: R, input: I) => void;
  onError?: (error: unknown, input: I) => void;
  /** Called when a request starts (true) and when the newest one settles (false). */
  onBusy?: (busy: boolean) => void;
}

export function latestRunner<I, R>(opts: LatestOptions<I, R>): LatestRunner<I> {
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const clear = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const start = (input: I): void => {
    const mine = ++seq;
    opts.onBusy?.(true);
    opts.run(input).then(
      (result) => {
        if (mine !== seq) return;
        opts.onBusy?.(false);
        opts.onResult(result, input);
      },
      (error: unknown) => {
        if (mine !== seq) return;
        opts.onBusy?.(false);
        opts.onError?.(error, input);
      },
    );
  };

  return {
    schedule(input) {
      clear();
      seq++; // an answer to an earlier input is stale from now on
      timer = setTimeout(() => {
        timer = null;
        start(input);
      }, opts.delayMs);
    },
    now(input) {
      clear();
      start(input);
    },
    cancel() {
      clear();
      seq++;
      opts.onBusy?.(false);
    },
  };
}
