// Unit tests for the window's edits and undo: the toast with the engine's summary and Undo, progress
// only after half a second (filled in by editProgress events), errors in the toast, edits one at a time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EditResult } from '../../src/shared/contract.ts';
import { EditRunner, undoText, type EditState } from '../../src/renderer/src/lib/edits.ts';
import { fakeClient } from './fake-client.ts';

const result = (summary: string, photos = 3, editId: number | null = 7): EditResult => ({ editId, summary, photos });

function setup(handlers: Parameters<typeof fakeClient>[0] = {}) {
  const client = fakeClient({ undo: () => result('Undid: added “beach” to 3 photos'), ...handlers });
  const states: EditState[] = [];
  const changed = vi.fn();
  const runner = new EditRunner(client, (s) => states.push(s), { onChanged: changed });
  return { client, runner, states, changed };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('EditRunner', () => {
  it('toasts the summary with Undo after an edit, and says the views changed', async () => {
    const { runner, changed } = setup();
    const r = await runner.run(async () => result('Added “beach” to 3 photos'));
    expect(r?.editId).toBe(7);
    expect(runner.state.toast).toMatchObject({ text: 'Added “beach” to 3 photos', undo: true, error: false });
    expect(runner.state.busy).toBe(false);
    expect(changed).toHaveBeenCalledTimes(1);
    // The toast goes after ten seconds.
    vi.advanceTimersByTime(10_000);
    expect(runner.state.toast).toBeNull();
  });

  it('offers no Undo when nothing changed', async () => {
    const { runner, changed } = setup();
    await runner.run(async () => result('Nothing to change', 0, null));
    expect(runner.state.toast).toMatchObject({ undo: false });
    expect(changed).not.toHaveBeenCalled();
  });

  it('shows progress only once an edit has run for half a second, with the engine’s done/total', async () => {
    const { client, runner, states } = setup();
    let finish!: (r: EditResult) => void;
    const running = runner.run(() => new Promise((r) => (finish = r)));
    await vi.advanceTimersByTimeAsync(0);
    expect(client.listeners('editProgress')).toBe(1);
    client.emit('editProgress', { done: 1000, total: 10_000 });
    await vi.advanceTimersByTimeAsync(499);
    expect(runner.state.progress).toBeNull();
    expect(runner.state.busy).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(runner.state.progress).toEqual({ done: 1000, total: 10_000 });
    client.emit('editProgress', { done: 6000, total: 10_000 });
    expect(runner.state.progress).toEqual({ done: 6000, total: 10_000 });
    finish(result('Added “beach” to 10,000 photos', 10_000));
    await running;
    expect(runner.state.progress).toBeNull();
    expect(client.listeners('editProgress')).toBe(0);
    // A quick edit never showed progress at all.
    states.length = 0;
    await runner.run(async () => result('quick'));
    expect(states.some((s) => s.progress !== null)).toBe(false);
  });

  it('puts an error in the toast, without Undo', async () => {
    const { runner } = setup();
    const r = await runner.run(async () => {
      throw new Error('the library is read-only');
    });
    expect(r).toBeNull();
    expect(runner.state.toast).toMatchObject({ text: 'the library is read-only', undo: false, error: true });
  });

  it('runs edits one after another', async () => {
    const { runner } = setup();
    const order: string[] = [];
    let finishA!: () => void;
    const a = runner.run(async () => {
      order.push('a starts');
      await new Promise<void>((r) => (finishA = r));
      order.push('a ends');
      return result('a');
    });
    const b = runner.run(async () => {
      order.push('b starts');
      return result('b');
    });
    await vi.advanceTimersByTimeAsync(0);
    finishA();
    await Promise.all([a, b]);
    expect(order).toEqual(['a starts', 'a ends', 'b starts']);
    expect(runner.state.toast?.text).toBe('b');
  });

  it('undoes, and says so when there is nothing to undo', async () => {
    const { client, runner, changed } = setup();
    await runner.undo();
    expect(client.calls.map((c) => c.method)).toEqual(['undo']);
    expect(runner.state.toast).toMatchObject({ text: 'Undid: added “beach” to 3 photos', undo: false });
    expect(changed).toHaveBeenCalledTimes(1);
    const none = setup({ undo: () => null });
    await none.runner.undo();
    expect(none.runner.state.toast?.text).toBe('Nothing to undo.');
    expect(none.changed).not.toHaveBeenCalled();
  });

  it('words an undo the engine did not word as one', () => {
    expect(undoText('Added “beach” to 3 photos')).toBe('Undone: Added “beach” to 3 photos');
    expect(undoText('Undid adding “beach”')).toBe('Undid adding “beach”');
    expect(undoText('Undo: rating')).toBe('Undo: rating');
  });
});
