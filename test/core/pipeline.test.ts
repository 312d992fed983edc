// The scheduler on a real catalog with a fake stage: order, retries, pause/resume/cancel, stale results.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { Catalog } from '../../src/main/core/catalog/catalog.ts';
import { TaskQueue } from '../../src/main/core/catalog/tasks.ts';
import { Pipeline } from '../../src/main/core/pipeline/pipeline.ts';
import type { Stage, ItemResult } from '../../src/main/core/pipeline/stage.ts';
import type { PhotoRow } from '../../src/main/core/catalog/catalog.ts';

function setup(n: number) {
  const db = openDatabase(':memory:');
  const catalog = new Catalog(db, () => ['fake']);
  const { folder } = catalog.addFolder('/lib');
  let t = 1000;
  for (let i = 0; i < n; i++) catalog.insertPhoto({ folderId: folder.id, path: `/lib/p${i}.jpg`, size: 1, mtimeMs: i, fingerprint: `fp${i}` }, t++);
  return { db, catalog, queue: new TaskQueue(db) };
}

function fakeStage(run: (photos: readonly PhotoRow[]) => Promise<ItemResult[]>, batchSize = 2, concurrency = 1): Stage {
  return { name: 'fake', priority: 0, batchSize, concurrency, runBatch: run };
}

describe('Pipeline', () => {
  it('runs the newest photos first, in batches, and reports progress to the end', async () => {
    const { db, queue } = setup(5);
    const seen: string[][] = [];
    const stage = fakeStage(async (photos) => {
      seen.push(photos.map((p) => p.path));
      return photos.map(() => ({ ok: true }));
    });
    const pipeline = new Pipeline(db, queue, [stage]);
    const reports: number[] = [];
    pipeline.onProgress((p) => reports.push(p[0]!.done));
    await pipeline.run({ untilIdle: true });
    expect(seen).toEqual([['/lib/p4.jpg', '/lib/p3.jpg'], ['/lib/p2.jpg', '/lib/p1.jpg'], ['/lib/p0.jpg']]);
    expect(pipeline.progress()[0]).toMatchObject({ done: 5, total: 5, failed: 0, etaSeconds: 0 });
    expect(reports.at(-1)).toBe(5);
    expect(queue.counts(['fake'])).toEqual([{ stage: 'fake', done: 5, pending: 0, failed: 0 }]);
  });

  it('retries a failure with backoff, then records it on the photo; other photos go on', async () => {
    const { db, queue } = setup(3);
    const attempts = new Map<string, number>();
    const stage = fakeStage(async (photos) =>
      photos.map((p) => {
        attempts.set(p.path, (attempts.get(p.path) ?? 0) + 1);
        if (p.path === '/lib/p1.jpg') return { ok: false, error: 'bad bytes' };
        if (p.path === '/lib/p2.jpg' && attempts.get(p.path)! < 2) return { ok: false, error: 'busy' };
        return { ok: true };
      }),
    );
    const delays: number[] = [];
    const pipeline = new Pipeline(db, queue, [stage], { maxAttempts: 3, backoffMs: (a) => (delays.push(a), 5) });
    await pipeline.run({ untilIdle: true });
    expect(attempts.get('/lib/p1.jpg')).toBe(3);
    expect(attempts.get('/lib/p2.jpg')).toBe(2);
    expect(delays).toEqual([1, 1, 2]);
    expect(queue.failed()).toMatchObject([{ path: '/lib/p1.jpg', stage: 'fake', error: 'bad bytes', attempts: 3 }]);
    expect(pipeline.progress()[0]).toMatchObject({ done: 3, failed: 1 });
    expect(queue.retryFailed()).toBe(1);
    expect(queue.pendingCount('fake')).toBe(1);
  });

  it('pauses, resumes and cancels between batches', async () => {
    const { db, queue } = setup(6);
    let release: () => void = () => {};
    let started = 0;
    const stage = fakeStage(async (photos) => {
      started++;
      await new Promise<void>((r) => (release = r));
      return photos.map(() => ({ ok: true }));
    });
    const pipeline = new Pipeline(db, queue, [stage]);
    const run = pipeline.run({ untilIdle: true });
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(1);
    pipeline.pause();
    release();
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toBe(1); // paused: the batch in flight finished, no new one started
    expect(queue.counts(['fake'])[0]!.done).toBe(2);
    pipeline.resume();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(2);
    const cancelled = pipeline.cancel();
    release();
    await cancelled;
    await run;
    expect(queue.counts(['fake'])[0]).toMatchObject({ done: 4, pending: 2 });
  });

  it('drops a result whose task was requeued while it ran (the file changed)', async () => {
    const { db, catalog, queue } = setup(1);
    const photo = catalog.photoByPath('/lib/p0.jpg')!;
    const committed: string[] = [];
    let calls = 0;
    const stage = fakeStage(async (photos) => {
      // During the first run the file changes: new content requeues the task.
      if (calls++ === 0) catalog.updatePhotoFile(photo.id, 2, 99, 'fp-new', Date.now() + 1);
      return [{ ok: true, commit: () => committed.push(`run ${calls} of ${photos[0]!.fingerprint}`) }];
    });
    const pipeline = new Pipeline(db, queue, [stage]);
    await pipeline.run({ untilIdle: true });
    expect(committed).toEqual(['run 2 of fp-new']);
    expect(queue.counts(['fake'])[0]).toMatchObject({ done: 1, pending: 0 });
  });
});

describe('Pipeline stages that depend on each other', () => {
  function setup2(n: number) {
    const db = openDatabase(':memory:');
    const catalog = new Catalog(db, () => ['a', 'b']);
    const { folder } = catalog.addFolder('/lib');
    for (let i = 0; i < n; i++) catalog.insertPhoto({ folderId: folder.id, path: `/lib/p${i}.jpg`, size: 1, mtimeMs: i, fingerprint: `fp${i}` }, 1000 + i);
    return { db, queue: new TaskQueue(db) };
  }

  it('runs a stage only after the one it needs, fails it when that one fails, and honours backpressure', async () => {
    const { db, queue } = setup2(4);
    const order: string[] = [];
    let handed = 0;
    const a: Stage = {
      name: 'a',
      priority: 0,
      batchSize: 1,
      concurrency: 4,
      blocked: () => handed >= 1, // one photo handed to b at most
      runBatch: async (photos) => {
        order.push(`a:${photos[0]!.path}`);
        handed++;
        return photos.map((p) => (p.path === '/lib/p0.jpg' ? { ok: false, error: 'broken' } : { ok: true }));
      },
    };
    const b: Stage = {
      name: 'b',
      priority: 1,
      batchSize: 1,
      concurrency: 1,
      requires: ['a'],
      runBatch: async (photos) => {
        order.push(`b:${photos[0]!.path}`);
        handed--;
        return photos.map(() => ({ ok: true }));
      },
    };
    await new Pipeline(db, queue, [a, b], { maxAttempts: 1 }).run({ untilIdle: true });
    // b never runs before a has done that photo, and a never runs two photos ahead of b.
    for (const p of ['/lib/p1.jpg', '/lib/p2.jpg', '/lib/p3.jpg']) expect(order.indexOf(`a:${p}`)).toBeLessThan(order.indexOf(`b:${p}`));
    expect(order).not.toContain('b:/lib/p0.jpg');
    expect(queue.counts(['a', 'b'])).toEqual([
      { stage: 'a', done: 3, pending: 0, failed: 1 },
      { stage: 'b', done: 3, pending: 0, failed: 1 },
    ]);
    expect(queue.failed().map((f) => f.stage)).toEqual(['a']); // b's "not run" is not listed again
  });

  it('ignores backpressure when the consuming stage cannot run, and leaves an unavailable stage pending', async () => {
    const { db, queue } = setup2(3);
    const a: Stage = { name: 'a', priority: 0, batchSize: 1, concurrency: 1, blocked: () => true, runBatch: async (ps) => ps.map(() => ({ ok: true })) };
    const b: Stage = { name: 'b', priority: 1, batchSize: 1, concurrency: 1, requires: ['a'], unavailable: () => 'no model', runBatch: async (ps) => ps.map(() => ({ ok: true })) };
    const pipeline = new Pipeline(db, queue, [a, b]);
    await pipeline.run({ untilIdle: true });
    expect(queue.counts(['a', 'b'])).toEqual([
      { stage: 'a', done: 3, pending: 0, failed: 0 },
      { stage: 'b', done: 0, pending: 3, failed: 0 },
    ]);
    expect(pipeline.problems()).toEqual([{ stage: 'b', reason: 'no model' }]);
  });

  it('stops a stage whose whole batch throws, without blaming its photos', async () => {
    const { db, queue } = setup2(2);
    const a: Stage = { name: 'a', priority: 0, batchSize: 1, concurrency: 1, runBatch: async () => Promise.reject(new Error('model will not load')) };
    const b: Stage = { name: 'b', priority: 1, batchSize: 1, concurrency: 1, requires: ['a'], runBatch: async (ps) => ps.map(() => ({ ok: true })) };
    const pipeline = new Pipeline(db, queue, [a, b]);
    await pipeline.run({ untilIdle: true });
    expect(pipeline.problems()).toEqual([{ stage: 'a', reason: 'model will not load' }]);
    expect(queue.counts(['a'])[0]).toEqual({ stage: 'a', done: 0, pending: 2, failed: 0 });
  });

  it("a damaged catalog met by a batch or its commit is reported, blames neither the stage nor its photos", async () => {
    const damaged = () => Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    for (const where of ['batch', 'commit'] as const) {
      const { db, queue } = setup(2);
      const reported: unknown[] = [];
      const stage = fakeStage(async (photos) => {
        if (where === 'batch') throw damaged();
        return photos.map(() => ({ ok: true, commit: () => { throw damaged(); } }));
      });
      const pipeline = new Pipeline(db, queue, [stage], {
        catalogDamage: (e) => {
          reported.push(e);
          pipeline.pause(); // as the engine does: no more batches
          return (e as { code?: string }).code === 'SQLITE_CORRUPT';
        },
      });
      const run = pipeline.run({ untilIdle: true });
      await new Promise((r) => setTimeout(r, 50));
      void pipeline.cancel();
      await run;
      expect(reported.length, where).toBe(1);
      expect(pipeline.problems(), where).toEqual([]);
      expect(queue.counts(['fake'])[0], where).toEqual({ stage: 'fake', done: 0, pending: 2, failed: 0 });
    }
  });
});
