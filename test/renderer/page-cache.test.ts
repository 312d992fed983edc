// Unit tests for the grid's page cache: on-demand fetches, shared in-flight requests, stale pages, resets.
import { describe, expect, it, vi } from 'vitest';
import { PageCache, type Page } from '../../src/renderer/src/lib/page-cache.ts';

/** A list of `total` numbers served in pages, with every request recorded; answers wait until released. */
function fakeList(total: number) {
  const calls: { offset: number; limit: number }[] = [];
  const waiting: (() => void)[] = [];
  let held = false;
  let data = Array.from({ length: total }, (_, i) => i);
  const fetch = (offset: number, limit: number): Promise<Page<number>> => {
    calls.push({ offset, limit });
    const page = { total: data.length, items: data.slice(offset, offset + limit) };
    if (!held) return Promise.resolve(page);
    return new Promise((resolve) => waiting.push(() => resolve(page)));
  };
  return {
    fetch,
    calls,
    hold: () => (held = true),
    release: () => waiting.splice(0).forEach((r) => r()),
    setData: (d: number[]) => (data = d),
  };
}

describe('PageCache', () => {
  it('fetches the pages touching a range, plus pages ahead, once', async () => {
    const list = fakeList(1000);
    const onChange = vi.fn();
    const cache = new PageCache(list.fetch, 100, onChange);
    await cache.ensure(150, 320, 1);
    expect(list.calls.map((c) => c.offset)).toEqual([0, 100, 200, 300, 400]);
    expect(cache.total).toBe(1000);
    expect(cache.get(250)).toBe(250);
    expect(cache.get(999)).toBeUndefined();
    expect(onChange).toHaveBeenCalledTimes(5);
    await cache.ensure(150, 320);
    expect(list.calls).toHaveLength(5);
  });

  it('never asks past the end once the total is known', async () => {
    const list = fakeList(250);
    const cache = new PageCache(list.fetch, 100);
    await cache.ensure(0, 0);
    await cache.ensure(0, 5000, 3);
    expect(list.calls.map((c) => c.offset)).toEqual([0, 100, 200]);
  });

  it('shares a request in flight', async () => {
    const list = fakeList(500);
    list.hold();
    const cache = new PageCache(list.fetch, 100);
    const a = cache.ensure(0, 10);
    const b = cache.fetch(50);
    expect(list.calls).toHaveLength(1);
    list.release();
    await a;
    expect(await b).toBe(50);
  });

  it('keeps stale pages on screen and fetches them again when asked', async () => {
    const list = fakeList(300);
    const cache = new PageCache(list.fetch, 100);
    await cache.ensure(0, 299);
    list.setData(Array.from({ length: 300 }, (_, i) => i + 1000));
    cache.invalidate();
    expect(cache.get(5)).toBe(5); // still shown
    await cache.ensure(0, 50);
    expect(cache.get(5)).toBe(1005);
    expect(cache.get(205)).toBe(205); // not asked for yet
    expect(list.calls).toHaveLength(4);
  });

  it('marks other pages stale when the total changes', async () => {
    const list = fakeList(300);
    const cache = new PageCache(list.fetch, 100);
    await cache.ensure(0, 299);
    list.setData(Array.from({ length: 301 }, (_, i) => i - 1));
    cache.invalidate();
    await cache.ensure(0, 0);
    expect(cache.total).toBe(301);
    await cache.ensure(100, 299);
    expect(cache.get(100)).toBe(99);
  });

  it('drops answers that belong to the query before a reset', async () => {
    const old = fakeList(100);
    old.hold();
    const cache = new PageCache(old.fetch, 100);
    const pending = cache.ensure(0, 0);
    const next = fakeList(7);
    cache.reset(next.fetch);
    old.release();
    await pending;
    expect(cache.total).toBeNull();
    await cache.ensure(0, 0);
    expect(cache.total).toBe(7);
    expect(cache.get(3)).toBe(3);
  });

  it('records an error and tries again on the next ensure', async () => {
    let fail = true;
    const cache = new PageCache<number>(async (offset) => {
      if (fail) throw new Error('offline');
      return { total: 1, items: [offset] };
    }, 100);
    await cache.ensure(0, 0);
    expect((cache.error as Error).message).toBe('offline');
    expect(cache.has(0)).toBe(false);
    fail = false;
    await cache.ensure(0, 0);
    expect(cache.error).toBeNull();
    expect(cache.get(0)).toBe(0);
  });
});
