// CLIP search end to end on the fixture models: colour photos, hybrid ranking, filters, moves,
// deletes, model switches, zero-shot tags and a broken index, through the engine's own code.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { writeFixtureModels, addToManifest } from '../fixtures/models/write-fixtures.ts';
import { writeTinyClip } from '../fixtures/models/tiny-clip.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

let modelsDir = '';
beforeAll(async () => {
  modelsDir = path.join(tempDir(), 'models');
  await writeFixtureModels(modelsDir);
});

const open: Library[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

const COLOURS = { red: { r: 210, g: 30, b: 35 }, green: { r: 40, g: 190, b: 50 }, blue: { r: 30, g: 50, b: 200 }, yellow: { r: 235, g: 215, b: 40 } };

/** A photo mostly of one colour: solid, or with noise and a contrasting patch, as a real shot has. */
async function colourPhoto(file: string, c: { r: number; g: number; b: number }, noisy: boolean, seed: number): Promise<void> {
  if (!noisy) {
    await makeJpeg(file, { width: 320, height: 240, color: c, seed });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const noise = await sharp({ create: { width: 320, height: 240, channels: 3, background: c, noise: { type: 'gaussian', mean: 0, sigma: 25 } } })
    .raw()
    .toBuffer();
  const base = await sharp({ create: { width: 320, height: 240, channels: 3, background: c } })
    .composite([
      { input: noise, raw: { width: 320, height: 240, channels: 3 }, blend: 'soft-light' },
      { input: { create: { width: 60, height: 40, channels: 3, background: { r: 240, g: 240, b: 240 } } }, left: 20 + seed * 7, top: 30 },
    ])
    .jpeg()
    .toBuffer();
  fs.writeFileSync(file, base);
}

async function setup() {
  const root = tempDir();
  const photos = path.join(root, 'Photos');
  let i = 0;
  for (const [name, c] of Object.entries(COLOURS)) {
    // File names say nothing of the colour: CLIP has to see it.
    await colourPhoto(path.join(photos, `IMG_${100 + i}.jpg`), c, false, i);
    await colourPhoto(path.join(photos, 'trip', `DSC_${200 + i}.jpg`), c, true, i);
    void name;
    i++;
  }
  const lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir, pipeline: { backoffMs: () => 5 } });
  open.push(lib);
  await lib.addFolder(photos);
  await lib.index();
  return { root, photos, lib };
}

const names = (r: { hits: { path: string }[] }) => r.hits.map((h) => path.relative(path.dirname(path.dirname(h.path)), h.path));

describe('CLIP search', () => {
  it('finds the red photos first for "a photo of something red", solid and noisy alike', async () => {
    const { lib } = await setup();
    expect(lib.status().stages.map((s) => [s.stage, s.done, s.pending, s.failed])).toEqual([
      ['thumb', 8, 0, 0],
      ['phash', 8, 0, 0],
      ['meta', 8, 0, 0],
      ['places', 8, 0, 0],
      ['embed', 8, 0, 0],
      ['tags', 8, 0, 0],
      ['ocr', 8, 0, 0],
      ['faces', 8, 0, 0],
      ['caption', 8, 0, 0],
      ['xmp', 0, 8, 0],
    ]);
    const red = await lib.searchText('a photo of something red', { limit: 8 });
    expect(red.model).toBe('fixture-clip');
    expect(red.note).toBeNull();
    const top2 = red.hits.slice(0, 2).map((h) => path.basename(h.path)).sort();
    expect(top2).toEqual(['DSC_200.jpg', 'IMG_100.jpg']);
    expect(red.hits[0]!.clipScore!).toBeGreaterThan(red.hits[2]!.clipScore! + 0.3);
    for (const [word, n] of [['green', 1], ['a blue photo', 2], ['yellow', 3]] as const) {
      const r = await lib.searchText(word, { limit: 2 });
      expect(r.hits.map((h) => path.basename(h.path)).sort(), word).toEqual([`DSC_20${n}.jpg`, `IMG_10${n}.jpg`]);
    }
    expect(lib.status().ml?.provider?.used).toBe('cpu');
    // Searching only reads the catalog.
    const changes = () => lib.db.prepare('SELECT total_changes()').pluck().get();
    const before = changes();
    await lib.searchText('red', { limit: 2 });
    expect(changes()).toBe(before);
  });

  it('blends full-text matches with CLIP, filters by folder, date and camera, and finds similar photos', async () => {
    const { photos, lib } = await setup();
    const blue = lib.catalog.photoByPath(path.join(photos, 'IMG_102.jpg'))!;
    lib.db.prepare("INSERT INTO captions (photo_id, source, text, created_at) VALUES (?, 'user', 'grandma''s red scarf', 0)").run(blue.id);
    // "scarf" means nothing to the colour model: only the caption can rank this photo first.
    const scarf = await lib.searchText('scarf', { limit: 3 });
    expect(scarf.hits[0]!.id).toBe(blue.id);
    expect(scarf.hits[0]!.textScore).toBe(1);

    const inTrip = await lib.searchText('red', { folder: path.join(photos, 'trip'), limit: 10 });
    expect(inTrip.hits.every((h) => h.path.includes(`${path.sep}trip${path.sep}`))).toBe(true);
    expect(path.basename(inTrip.hits[0]!.path)).toBe('DSC_200.jpg');

    await makeJpeg(path.join(photos, 'dated.jpg'), { color: COLOURS.red, takenAt: '2021:06:15 10:00:00', make: 'Canon', model: 'EOS R6', width: 320, height: 240, seed: 50 });
    await lib.index();
    expect(names(await lib.searchText('red', { from: '2021-06-01', to: '2021-06-15' }))).toEqual(['Photos/dated.jpg']);
    expect(names(await lib.searchText('red', { to: '2021-06-14' }))).toEqual([]);
    expect(names(await lib.searchText('red', { camera: 'eos r6' }))).toEqual(['Photos/dated.jpg']);

    const similar = await lib.similar(path.join(photos, 'IMG_100.jpg'), { limit: 2 });
    expect(similar.hits.map((h) => path.basename(h.path)).sort()).toEqual(['DSC_200.jpg', 'dated.jpg']);
  });

  it('keeps the index exact through moves and deletes, and repairs a missing or corrupt index file', async () => {
    const { root, photos, lib } = await setup();
    const red = lib.catalog.photoByPath(path.join(photos, 'IMG_100.jpg'))!;
    fs.renameSync(path.join(photos, 'IMG_100.jpg'), path.join(photos, 'renamed.jpg'));
    fs.rmSync(path.join(photos, 'trip', 'DSC_200.jpg'));
    await lib.index();
    expect(lib.queue.counts(['embed'])[0]!.done).toBe(7); // the move re-embedded nothing
    let r = await lib.searchText('red', { limit: 8 });
    expect(r.hits[0]).toMatchObject({ id: red.id, path: path.join(photos, 'renamed.jpg') });
    expect(r.hits.some((h) => h.path.endsWith('DSC_200.jpg'))).toBe(false);
    await lib.close();
    open.pop();

    const indexDir = path.join(root, 'data', 'index');
    const hnsw = fs.readdirSync(indexDir).filter((f) => f.endsWith('.hnsw'));
    expect(hnsw).toHaveLength(1);
    fs.writeFileSync(path.join(indexDir, hnsw[0]!), 'garbage');
    const again = Library.open({ dataDir: path.join(root, 'data'), modelsDir });
    open.push(again);
    r = await again.searchText('red', { limit: 8 });
    // The garbage file is discarded; the vectors come back from SQLite.
    expect(again.search.lastSync).toMatchObject({ added: 7, removed: 0 });
    expect(again.search.lastSync?.action).not.toBe('loaded');
    expect(r.hits[0]!.id).toBe(red.id);
    expect(r.hits).toHaveLength(7);
    await again.close();
    open.pop();

    // Everything the index folder holds, the people's saved graph (index/faces/) too.
    for (const f of fs.readdirSync(indexDir)) fs.rmSync(path.join(indexDir, f), { recursive: true });
    const third = Library.open({ dataDir: path.join(root, 'data'), modelsDir });
    open.push(third);
    expect((await third.searchText('red', { limit: 8 })).hits[0]!.id).toBe(red.id);
  });

  it('saves the index on close with the embeddings made since the last save, so the next start has nothing to replay', async () => {
    const { root, photos, lib: first } = await setup();
    await first.close();
    open.pop();
    // A new session that never searches, so its index is never loaded.
    const lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir });
    open.push(lib);
    await colourPhoto(path.join(photos, 'late.jpg'), COLOURS.red, true, 9);
    await lib.scan();
    // The pipeline alone, as when the app quits in the middle of work: no idle housekeeping.
    await lib.pipeline.run({ untilIdle: true });
    expect(lib.queue.counts(['embed'])[0]!.done).toBe(9);
    await lib.close();
    open.pop();
    const again = Library.open({ dataDir: path.join(root, 'data'), modelsDir });
    open.push(again);
    const r = await again.searchText('red', { limit: 9 });
    expect(again.search.lastSync).toMatchObject({ action: 'loaded', added: 0, removed: 0 });
    expect(r.hits.some((h) => h.path.endsWith('late.jpg'))).toBe(true);
  });

  it('warms up ahead of the first search, and checks the index file after the first answer, rebuilding a damaged one', async () => {
    const { root, lib: first } = await setup();
    await first.close();
    open.pop();
    const indexDir = path.join(root, 'data', 'index');
    const file = path.join(indexDir, fs.readdirSync(indexDir).find((f) => f.endsWith('.hnsw'))!);
    const marker = file.replace(/\.hnsw$/, '.unverified');

    const lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir });
    open.push(lib);
    const w = await lib.warmUp();
    expect(w).toMatchObject({ errors: [] });
    expect(w.indexMs).toEqual(expect.any(Number));
    expect(w.textModelMs).toEqual(expect.any(Number));
    expect(lib.search.lastSync).toMatchObject({ action: 'loaded', added: 0 });
    // Opened on the cheap checks: the hash waits for the first answer.
    expect(fs.existsSync(marker)).toBe(true);
    const red = await lib.searchText('red', { limit: 8 });
    expect(red.hits).toHaveLength(8);
    await expect.poll(() => fs.existsSync(marker)).toBe(false);
    expect(lib.search.lastSync?.action).toBe('loaded');
    await lib.close();
    open.pop();

    // Damage inside the vectors, same size: the first answer comes from the file as it is, and the
    // check after it rebuilds from SQLite; the next answer is the exact one again.
    const bytes = fs.readFileSync(file);
    const first0 = bytes.readUInt32LE(40) + 96;
    bytes.fill(0x7f, first0, first0 + 8);
    fs.writeFileSync(file, bytes);
    const again = Library.open({ dataDir: path.join(root, 'data'), modelsDir });
    open.push(again);
    await again.searchText('red', { limit: 8 });
    await expect.poll(() => again.search.lastSync?.action).toBe('rebuilt');
    expect(again.search.lastSync?.reason).toMatch(/SHA-256/);
    expect(fs.existsSync(marker)).toBe(false);
    expect((await again.searchText('red', { limit: 8 })).hits.map((h) => h.id)).toEqual(red.hits.map((h) => h.id));
  });

  it('tags photos zero-shot, and a tag the user removed stays removed when tags are recomputed', async () => {
    const { photos, lib } = await setup();
    const blue = lib.catalog.photoByPath(path.join(photos, 'IMG_102.jpg'))!;
    const tags = lib.db.prepare("SELECT tag, score, model_id FROM tags WHERE photo_id = ? AND source = 'auto' ORDER BY score DESC").all(blue.id) as { tag: string; score: number; model_id: string }[];
    expect(tags.length).toBeGreaterThan(0);
    expect(tags[0]!.model_id).toBe('fixture-clip');
    expect(tags[0]!.score).toBeGreaterThanOrEqual(0.1);
    const first = tags[0]!.tag;
    lib.db.prepare("UPDATE tags SET hidden = 1 WHERE photo_id = ? AND tag = ? AND source = 'auto'").run(blue.id, first);
    lib.queue.requeueStage(['tags']);
    await lib.processAll();
    expect(lib.photo(blue.id)!.tags).not.toContain(first);
    expect(lib.db.prepare('SELECT hidden FROM tags WHERE photo_id = ? AND tag = ?').pluck().get(blue.id, first)).toBe(1);
  });

  it('re-embeds in the background after a model switch, searching the old vectors until the new ones are complete', async () => {
    const { root, lib } = await setup();
    await lib.close();
    open.pop();
    const models2 = path.join(root, 'models2');
    fs.cpSync(modelsDir, models2, { recursive: true });
    const spec = await writeTinyClip(path.join(models2, 'shoebox-fixtures', 'tiny-clip-b'));
    await addToManifest(models2, [{ ...spec, id: 'fixture-clip-b', repo: 'shoebox-fixtures/tiny-clip-b' }], { clip: 'fixture-clip-b' });

    const lib2 = Library.open({ dataDir: path.join(root, 'data'), modelsDir: models2 });
    open.push(lib2);
    expect(lib2.queue.pendingCount('embed')).toBe(8);
    let r = await lib2.searchText('red', { limit: 2 });
    expect(r.model).toBe('fixture-clip');
    expect(r.note).toMatch(/while fixture-clip-b embeds/);
    expect(r.hits).toHaveLength(2);
    await lib2.processAll();
    r = await lib2.searchText('red', { limit: 2 });
    expect(r.model).toBe('fixture-clip-b');
    expect(r.note).toBeNull();
    expect(lib2.catalog.embeddingModels()).toEqual([{ modelId: 'fixture-clip-b', count: 8 }]);
  });

  it('without a model, indexing still finishes and search falls back to full text, saying what to do', async () => {
    const root = tempDir();
    await makeJpeg(path.join(root, 'P', 'beach_party.jpg'), { seed: 1 });
    const lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'no-models') });
    open.push(lib);
    await lib.addFolder(path.join(root, 'P'));
    await lib.index();
    const r = await lib.searchText('beach');
    expect(r.note).toMatch(/shoebox models download clip-vit-b32-q8.*showing filename, caption, tag and text-in-photo matches only/);
    expect(names(r)).toEqual(['P/beach_party.jpg']);
  });
});
