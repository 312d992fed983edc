// RAW+JPEG pairs and Live Photo videos: one photo with several files, kept together through arrivals, moves and losses.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { pairFiles } from '../../src/main/core/scan/pairs.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

const open: Library[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function openLib(dataDir: string): Library {
  const lib = Library.open({ dataDir, pipeline: { backoffMs: () => 5 } });
  open.push(lib);
  return lib;
}

/** Bytes standing in for a file only its name matters for here (a pair's RAW and a Live Photo's video are never decoded). */
function blob(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${text}\n`.repeat(50));
  return file;
}

const names = (files: { path: string }[]) => files.map((f) => path.basename(f.path)).sort();

describe('pairFiles', () => {
  const entry = (p: string) => ({ path: p });
  it('pairs by directory and name without case; the JPEG is the face, then the HEIC; lone videos stay out', () => {
    const p = pairFiles(
      [
        '/a/IMG_1.CR2',
        '/a/img_1.JPG',
        '/a/IMG_2.HEIC',
        '/a/IMG_2.MOV',
        '/a/IMG_3.mov',
        '/a/DSC_4.NEF',
        '/a/DSC_4.MOV',
        '/a/IMG_5.heic',
        '/a/IMG_5.jpg',
        '/a/IMG_5.dng',
        '/b/IMG_1.CR2',
        '/a/scan.png',
        '/a/scan.tif',
      ].map(entry),
    );
    expect(names(p.photos)).toEqual(['DSC_4.NEF', 'IMG_1.CR2', 'IMG_2.HEIC', 'IMG_5.heic', 'IMG_5.jpg', 'img_1.JPG', 'scan.png', 'scan.tif']);
    expect(p.photos.find((e) => e.path === '/b/IMG_1.CR2')).toBeDefined(); // another folder: a photo of its own
    expect(p.companions.map((c) => [c.entry.path, c.role, c.photo]).sort()).toEqual(
      [
        ['/a/IMG_1.CR2', 'raw', '/a/img_1.JPG'],
        ['/a/IMG_2.MOV', 'video', '/a/IMG_2.HEIC'],
        ['/a/DSC_4.MOV', 'video', '/a/DSC_4.NEF'],
        ['/a/IMG_5.dng', 'raw', '/a/IMG_5.jpg'],
      ].sort(),
    );
    expect(p.videos.map((e) => e.path)).toEqual(['/a/IMG_3.mov']);
  });
});

describe('a library with pairs', () => {
  async function setup() {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    await makeJpeg(path.join(folder, 'IMG_0001.JPG'), { seed: 1 });
    blob(path.join(folder, 'IMG_0001.CR2'), 'raw');
    await makeJpeg(path.join(folder, 'IMG_0002.jpg'), { seed: 2 });
    blob(path.join(folder, 'IMG_0002.MOV'), 'live photo video');
    blob(path.join(folder, 'birthday.mp4'), 'a video of its own');
    const lib = openLib(path.join(root, 'data'));
    await lib.addFolder(folder);
    await lib.index();
    return { root, folder, lib };
  }

  it('shows a RAW+JPEG pair and a Live Photo as one photo each, lists their files, and counts the other video as skipped', async () => {
    const { folder, lib } = await setup();
    const status = lib.status();
    expect(status.photos).toBe(2);
    expect(status.failed).toEqual([]);
    expect(status.skippedVideos).toBe(1);
    const listed = lib.list();
    expect(names(listed)).toEqual(['IMG_0001.JPG', 'IMG_0002.jpg']);
    const pair = lib.photo(listed.find((p) => p.path.endsWith('IMG_0001.JPG'))!.id)!;
    expect(pair.files.map((f) => [path.basename(f.path), f.role])).toEqual([
      ['IMG_0001.JPG', 'photo'],
      ['IMG_0001.CR2', 'raw'],
    ]);
    const live = lib.photo(listed.find((p) => p.path.endsWith('IMG_0002.jpg'))!.id)!;
    expect(live.files.map((f) => [path.basename(f.path), f.role])).toEqual([
      ['IMG_0002.jpg', 'photo'],
      ['IMG_0002.MOV', 'video'],
    ]);
    // A rescan changes nothing.
    const again = await lib.scan();
    expect(again.map((s) => [s.added, s.changed, s.moved, s.missing])).toEqual([[0, 0, 0, 0]]);
    expect(lib.photo(pair.id)!.files).toHaveLength(2);
    fs.rmSync(path.join(folder, 'birthday.mp4'));
    await lib.scan();
    expect(lib.status().skippedVideos).toBe(0);
  });

  it('writes the pair\'s caption to the sidecar RAW editors read (IMG_0001.xmp), not to a JPEG-only one', async () => {
    const { folder, lib } = await setup();
    const id = lib.list().find((p) => p.path.endsWith('IMG_0001.JPG'))!.id;
    lib.annotations.setUserCaption(id, 'Harbour at dawn', 'shoebox');
    lib.catalog.setSetting('xmp', 'on');
    // No CLIP model here: the tags stage the sidecar waits for is marked done by hand.
    lib.catalog.db.prepare("UPDATE tasks SET state = 'done' WHERE stage = 'tags'").run();
    await lib.pipeline.run({ untilIdle: true });
    const sidecar = path.join(folder, 'IMG_0001.xmp');
    expect(fs.existsSync(sidecar)).toBe(true);
    expect(fs.readFileSync(sidecar, 'utf8')).toContain('Harbour at dawn');
    expect(fs.existsSync(path.join(folder, 'IMG_0001.JPG.xmp'))).toBe(false);
    // The Live Photo has no RAW: its sidecar is the usual IMG_0002.jpg.xmp (written only when there is something to write).
    expect(fs.existsSync(path.join(folder, 'IMG_0002.xmp'))).toBe(false);
  });

  it('keeps a pair together when it moves, with its id and the user caption', async () => {
    const { folder, lib } = await setup();
    const id = lib.list().find((p) => p.path.endsWith('IMG_0001.JPG'))!.id;
    lib.annotations.setUserCaption(id, 'First light over the bay', 'shoebox');
    const dest = path.join(folder, '2024', 'Trip');
    fs.mkdirSync(dest, { recursive: true });
    for (const n of ['IMG_0001.JPG', 'IMG_0001.CR2']) fs.renameSync(path.join(folder, n), path.join(dest, n));
    const scans = await lib.scan();
    expect(scans[0]).toMatchObject({ moved: 1, added: 0 });
    const moved = lib.photo(id)!;
    expect(moved.caption).toBe('First light over the bay');
    expect(moved.files.map((f) => f.path)).toEqual([path.join(dest, 'IMG_0001.JPG'), path.join(dest, 'IMG_0001.CR2')]);
    expect(lib.status().photos).toBe(2);
  });

  it('folds a RAW catalogued alone into its pair when the JPEG arrives, and the RAW takes the photo back when the JPEG goes', async () => {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    blob(path.join(folder, 'DSC_0100.NEF'), 'raw');
    const lib = openLib(path.join(root, 'data'));
    await lib.addFolder(folder);
    await lib.scan();
    const [raw] = lib.list();
    expect(path.basename(raw!.path)).toBe('DSC_0100.NEF');
    lib.annotations.setUserCaption(raw!.id, 'Grandpa at the lake', 'shoebox');
    lib.annotations.addUserTags(raw!.id, ['family'], 'shoebox');

    // The camera's JPEG is copied in later: the photo keeps its id and the user's work, with the JPEG as its face.
    await makeJpeg(path.join(folder, 'DSC_0100.JPG'), { seed: 5 });
    await lib.scan();
    expect(lib.list().map((p) => [p.id, path.basename(p.path)])).toEqual([[raw!.id, 'DSC_0100.JPG']]);
    const paired = lib.photo(raw!.id)!;
    expect(paired.caption).toBe('Grandpa at the lake');
    expect(paired.tags).toEqual(['family']);
    expect(paired.files.map((f) => f.role)).toEqual(['photo', 'raw']);
    await lib.pipeline.run({ untilIdle: true });
    expect(lib.status().stages[0]).toMatchObject({ stage: 'thumb', done: 1, failed: 0 });

    // The JPEG is deleted: the RAW is the photo again, still with the same id and caption.
    fs.rmSync(path.join(folder, 'DSC_0100.JPG'));
    await lib.scan();
    expect(lib.list().map((p) => [p.id, path.basename(p.path)])).toEqual([[raw!.id, 'DSC_0100.NEF']]);
    expect(lib.photo(raw!.id)!.caption).toBe('Grandpa at the lake');
    expect(lib.photo(raw!.id)!.files.map((f) => f.role)).toEqual(['photo']);
  });

  it('merges a pair catalogued as two photos (a library from before pairs): the RAW\'s caption and tags move to the JPEG', async () => {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    const jpg = await makeJpeg(path.join(folder, 'IMG_7.jpg'), { seed: 7 });
    const cr2 = blob(path.join(folder, 'IMG_7.CR2'), 'raw');
    const lib = openLib(path.join(root, 'data'));
    const { folder: row } = lib.catalog.addFolder(folder);
    const jpgId = lib.catalog.insertPhoto({ folderId: row.id, path: jpg, size: fs.statSync(jpg).size, mtimeMs: Math.trunc(fs.statSync(jpg).mtimeMs), fingerprint: 'a'.repeat(64) });
    const rawId = lib.catalog.insertPhoto({ folderId: row.id, path: cr2, size: fs.statSync(cr2).size, mtimeMs: Math.trunc(fs.statSync(cr2).mtimeMs), fingerprint: 'b'.repeat(64) });
    lib.annotations.setUserCaption(rawId, 'Tagged on the RAW', 'shoebox');
    lib.annotations.addUserTags(rawId, ['lake'], 'shoebox');
    await lib.scan();
    expect(lib.list().map((p) => p.id)).toEqual([jpgId]);
    expect(lib.photo(rawId)).toBeUndefined();
    expect(lib.photo(jpgId)).toMatchObject({ caption: 'Tagged on the RAW', tags: ['lake'] });
    expect(lib.photo(jpgId)!.files.map((f) => path.basename(f.path))).toEqual(['IMG_7.jpg', 'IMG_7.CR2']);
  });

  it('sorts files the watcher reports one at a time the same way', async () => {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    fs.mkdirSync(folder, { recursive: true });
    const lib = openLib(path.join(root, 'data'));
    await lib.addFolder(folder);
    await lib.scan();
    const mov = blob(path.join(folder, 'IMG_0042.MOV'), 'video first');
    expect(await lib.scanner.ingestFile(mov)).toBe('ignored'); // no photo of its name yet
    const heic = await makeJpeg(path.join(folder, 'IMG_0042.JPG'), { seed: 42 });
    expect(await lib.scanner.ingestFile(heic)).toBe('added');
    const cr2 = blob(path.join(folder, 'IMG_0042.CR2'), 'raw');
    expect(await lib.scanner.ingestFile(cr2)).toBe('changed');
    const [photo] = lib.list();
    expect(lib.photo(photo!.id)!.files.map((f) => [path.basename(f.path), f.role])).toEqual([
      ['IMG_0042.JPG', 'photo'],
      ['IMG_0042.CR2', 'raw'],
      ['IMG_0042.MOV', 'video'],
    ]);
    fs.rmSync(cr2);
    lib.scanner.fileGone(cr2);
    expect(lib.photo(photo!.id)!.files.map((f) => f.role)).toEqual(['photo', 'video']);
    expect(lib.status().photos).toBe(1);
  });
});
