// Live watching: a new photo, a rename (same id), a delete, a folder going offline and back.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

let lib: Library | null = null;
afterEach(async () => {
  await lib?.close();
  lib = null;
});

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('watching', () => {
  it('catalogs added photos, keeps the id on rename, deletes on unlink, and handles offline folders', async () => {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    await makeJpeg(path.join(folder, 'first.jpg'), { seed: 1 });
    lib = Library.open({
      dataDir: path.join(root, 'data'),
      watch: { stabilityMs: 150, purgeGraceMs: 600, folderCheckMs: 200 },
      pipeline: { backoffMs: () => 5 },
    });
    await lib.addFolder(folder);
    await lib.index();
    await lib.watch();
    const l = lib;

    // add: written elsewhere, then moved in (as a copy finishes)
    await makeJpeg(path.join(root, 'incoming.jpg'), { seed: 2 });
    fs.renameSync(path.join(root, 'incoming.jpg'), path.join(folder, 'second.jpg'));
    const added = await until('the new photo', () => l.catalog.photoByPath(path.join(folder, 'second.jpg')));
    await until('its thumbnail', () => l.queue.pendingCount('thumb') === 0 && l.photo(added.id)?.width === 64);

    // rename keeps the id
    fs.renameSync(path.join(folder, 'second.jpg'), path.join(folder, 'renamed.jpg'));
    const renamed = await until('the rename', () => l.catalog.photoByPath(path.join(folder, 'renamed.jpg')));
    expect(renamed.id).toBe(added.id);
    await new Promise((r) => setTimeout(r, 1000)); // past the purge grace: the rename must not be purged
    expect(l.photo(added.id)?.path).toBe(path.join(folder, 'renamed.jpg'));

    // delete
    fs.rmSync(path.join(folder, 'renamed.jpg'));
    await until('the delete', () => l.photo(added.id) === undefined);
    expect(l.status().photos).toBe(1);

    // offline and back
    fs.renameSync(folder, path.join(root, 'away'));
    await until('offline', () => l.status().offline === 1);
    expect(l.status().photos).toBe(1);
    fs.renameSync(path.join(root, 'away'), folder);
    await until('online again', () => l.status().offline === 0);
    await makeJpeg(path.join(root, 'third.jpg'), { seed: 3 });
    fs.renameSync(path.join(root, 'third.jpg'), path.join(folder, 'third.jpg'));
    await until('a photo added after the folder came back', () => l.catalog.photoByPath(path.join(folder, 'third.jpg')));
  });
});
