// The decode hand-off between the thumbnail and embedding stages: bounded, content-checked, expiring.
import { describe, expect, it } from 'vitest';
import { ModelInputHandoff } from '../../src/main/core/pipeline/handoff.ts';

const img = (n: number) => ({ data: Buffer.alloc(3, n), width: 1, height: 1 });

describe('ModelInputHandoff', () => {
  it('gives an image back once, only for the same content', () => {
    const h = new ModelInputHandoff(4);
    h.put(1, 'fp1', img(1));
    h.put(2, 'fp2', img(2));
    expect(h.take(1, 'other')).toBeUndefined(); // the file changed meanwhile
    expect(h.take(1, 'fp1')).toBeUndefined(); // and the stale entry is gone
    expect(h.take(2, 'fp2')?.data[0]).toBe(2);
    expect(h.take(2, 'fp2')).toBeUndefined();
  });

  it('holds at most its capacity, reports full, and lets old entries expire', () => {
    let now = 0;
    const h = new ModelInputHandoff(2, 1000, () => now);
    h.put(1, 'a', img(1));
    expect(h.full()).toBe(false);
    h.put(2, 'b', img(2));
    expect(h.full()).toBe(true);
    h.put(3, 'c', img(3)); // the oldest goes
    expect(h.size).toBe(2);
    expect(h.take(1, 'a')).toBeUndefined();
    now = 5000;
    expect(h.full()).toBe(false); // photos deleted before they were embedded do not block forever
    expect(h.size).toBe(0);
  });
});
