// Unit tests for search-as-you-type plumbing: debounce, newest answer only.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { latestRunner } from '../../src/renderer/src/lib/latest.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A request whose answer the test releases when it likes. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('latestRunner', () => {
  it('runs once the typing rests for the delay, with the last input', async () => {
    const run = vi.fn(async (q: string) => q.toUpperCase());
    const onResult = vi.fn();
    const r = latestRunner({ delayMs: 150, run, onResult });
    r.schedule('d');
    vi.advanceTimersByTime(100);
    r.schedule('do');
    vi.advanceTimersByTime(100);
    r.schedule('dog');
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run).toHaveBeenCalledWith('dog');
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledWith('DOG', 'dog');
  });

  it('ignores an answer that arrives after a newer request began', async () => {
    const answers = new Map<string, ReturnType<typeof deferred<string>>>();
    const run = (q: string): Promise<string> => {
      const d = deferred<string>();
      answers.set(q, d);
      return d.promise;
    };
    const onResult = vi.fn();
    const onBusy = vi.fn();
    const r = latestRunner({ delayMs: 150, run, onResult, onBusy });
    r.schedule('cat');
    vi.advanceTimersByTime(150);
    r.schedule('cats');
    vi.advanceTimersByTime(150);
    answers.get('cats')!.resolve('new');
    await Promise.resolve();
    answers.get('cat')!.resolve('old');
    await vi.runAllTimersAsync();
    expect(onResult.mock.calls).toEqual([['new', 'cats']]);
    expect(onBusy.mock.calls.at(-1)).toEqual([false]);
  });

  it('drops a slow answer once a new input is only scheduled, and after cancel', async () => {
    const d = deferred<string>();
    const onResult = vi.fn();
    const r = latestRunner({ delayMs: 150, run: () => d.promise, onResult });
    r.now('a');
    r.schedule('ab');
    d.resolve('stale');
    await Promise.resolve();
    await Promise.resolve();
    expect(onResult).not.toHaveBeenCalled();
    r.cancel();
    await vi.runAllTimersAsync();
    expect(onResult).not.toHaveBeenCalled();
  });

  it('reports errors of the newest request only', async () => {
    const onError = vi.fn();
    const r = latestRunner({ delayMs: 10, run: async (q: string) => Promise.reject(new Error(q)), onResult: vi.fn(), onError });
    r.now('x');
    await vi.runAllTimersAsync();
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]![0] as Error).message).toBe('x');
  });
});
