// Captions end to end on the fixture models: the caption stage, the CLIP check and its calibration,
// provenance, maximum length, user edits surviving re-runs and captioner changes, full text.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { Editor } from '../../src/main/core/annotate/editor.ts';
import { STAGE_NAMES } from '../../src/main/core/pipeline/stages.ts';
import { addToManifest, readManifest, writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
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

/** Eight photos, two per colour, named so their names say nothing of the colour. */
async function setup(settings: Record<string, string> = {}) {
  const root = tempDir();
  const photos = path.join(root, 'Photos');
  let i = 0;
  for (const c of Object.values(COLOURS)) {
    await makeJpeg(path.join(photos, `IMG_${100 + i}.jpg`), { width: 320, height: 240, color: c, seed: i });
    await makeJpeg(path.join(photos, 'trip', `DSC_${200 + i}.jpg`), { width: 240, height: 300, color: c, seed: i + 20 });
    i++;
  }
  const dataDir = path.join(root, 'data');
  const lib = Library.open({ dataDir, modelsDir, pipeline: { backoffMs: () => 5 } });
  open.push(lib);
  for (const [k, v] of Object.entries(settings)) lib.catalog.setSetting(k, v);
  await lib.addFolder(photos);
  await lib.index();
  return { root, photos, dataDir, lib };
}

const colourOf = (p: string) => Object.keys(COLOURS)[Number(/_(\d+)\.jpg$/.exec(p)![1]) % 100];

async function reopen(lib: Library, dataDir: string): Promise<Library> {
  await lib.close();
  open.splice(open.indexOf(lib), 1);
  const again = Library.open({ dataDir, modelsDir, pipeline: { backoffMs: () => 5 } });
  open.push(again);
  return again;
}

describe('caption stage', () => {
  it('captions every photo, scores each caption against its photo and stores provenance', async () => {
    const { lib } = await setup();
    const stages = Object.fromEntries(lib.status().stages.map((s) => [s.stage, s]));
    expect(stages.caption).toMatchObject({ done: 8, pending: 0, failed: 0 });
    const before = Date.now();
    for (const p of lib.list()) {
      // End-of-sequence stops each caption: nothing generated after it is kept.
      expect(p.caption).toBe(`a photo of something ${colourOf(p.path)}`);
      expect(p.captionSource).toBe('auto');
      expect(p.captionScore!).toBeGreaterThan(0.9);
      expect(p.lowConfidence).toBe(false);
      const [c] = lib.photo(p.id)!.captions;
      expect(c).toMatchObject({ source: 'auto', modelId: 'fixture-caption', revision: 'main', task: '<CAPTION>', decoding: 'greedy' });
      expect(Date.parse(c!.createdAt)).toBeLessThanOrEqual(before);
    }
    // Calibrated on the library: captions against other photos score far under their own.
    const cal = lib.captionCalibration()!;
    expect(cal).toMatchObject({ clipModel: 'fixture-clip', positives: 8 });
    expect(cal.negatives).toBeGreaterThanOrEqual(8 * 6);
    expect(cal.meanPositive).toBeGreaterThan(cal.threshold + 0.5);
    expect(cal.flaggedShare).toBe(0);
  });

  it('is deterministic: a re-run keeps the same captions and their time', async () => {
    const { lib } = await setup();
    const first = new Map(lib.list().map((p) => [p.id, lib.photo(p.id)!.captions[0]!]));
    lib.queue.requeueStage(['caption']);
    await lib.processAll();
    for (const p of lib.list()) expect(lib.photo(p.id)!.captions[0]).toEqual(first.get(p.id));
  });

  it('stops at caption_max_tokens', async () => {
    const { lib } = await setup({ caption_max_tokens: '4' });
    // Four new tokens: <s>, "a", "photo", "of".
    for (const p of lib.list()) expect(p.caption).toBe('a photo of');
  });

  it('flags captions under a set threshold and rechecks them with beam search', async () => {
    const { lib } = await setup({ caption_threshold: '0.9999' });
    for (const p of lib.list()) {
      expect(p.lowConfidence).toBe(true);
      const [c] = lib.photo(p.id)!.captions;
      // The beam recheck ran and found the same sentence, so the greedy caption stays.
      expect(c!.decoding).toBe('greedy,beam3');
      expect(c!.text).toBe(`a photo of something ${colourOf(p.path)}`);
    }
  });

  it('decodes with beam search or sampled candidates when set to', async () => {
    const beam = await setup({ caption_decoding: 'beam', caption_beams: '4' });
    for (const p of beam.lib.list()) {
      expect(p.caption).toBe(`a photo of something ${colourOf(p.path)}`);
      expect(beam.lib.photo(p.id)!.captions[0]!.decoding).toBe('beam4');
    }
    const sampled = await setup({ caption_decoding: 'sampled', caption_samples: '3' });
    for (const p of sampled.lib.list()) {
      // The candidate the CLIP check scores best names the right colour.
      expect(p.caption).toMatch(new RegExp(`${colourOf(p.path)}$`));
      expect(sampled.lib.photo(p.id)!.captions[0]!.decoding).toBe('sample3');
    }
  });

  it('turned off, leaves photos uncaptioned without holding up indexing', async () => {
    const { lib } = await setup({ captions: 'off' });
    expect(lib.list().every((p) => p.caption === null)).toBe(true);
    const caption = lib.status().stages.find((s) => s.stage === 'caption')!;
    expect(caption.pending).toBe(8);
    expect(caption.waiting).toBe('captioning is turned off (shoebox settings set captions on)');
  });
});

describe('people correct the machine', () => {
  it('user captions and tags survive a re-run, a rescan and a captioner change, and feed full text at once', async () => {
    const { lib, photos, dataDir } = await setup();
    // The blue photo: its zero-shot tags include 'clear blue sky'.
    const photo = path.join(photos, 'IMG_102.jpg');
    const ed = new Editor(lib.repos);
    ed.setCaption(photo, 'Grandma’s zanzibar teapot');
    const autoTag = lib.photo(ed.photo(photo).id)!.tagDetails.find((t) => t.source === 'auto')!;
    expect(autoTag.tag).toBe('clear blue sky');
    ed.addTags(photo, ['teapot', 'Family']);
    expect(ed.removeTags(photo, ['CLEAR BLUE SKY']).changed).toEqual(['CLEAR BLUE SKY']);

    // Full text sees the edit right away.
    const hits = (await lib.searchText('zanzibar')).hits;
    expect(hits[0]!.path).toBe(photo);

    // Everything runs again, then the captioner changes (another task), then a rescan.
    lib.queue.requeueStage(STAGE_NAMES);
    await lib.processAll();
    lib.catalog.setSetting('caption_task', 'detailed');
    let again = await reopen(lib, dataDir);
    await again.index();
    const p = again.photo(again.catalog.photoByPath(photo)!.id)!;
    expect(p.caption).toBe('Grandma’s zanzibar teapot');
    expect(p.captionSource).toBe('user');
    expect(p.captions.find((c) => c.source === 'auto')).toMatchObject({ text: 'a detailed photo of something blue', task: '<DETAILED_CAPTION>' });
    expect(p.tags).toEqual(expect.arrayContaining(['teapot', 'Family']));
    expect(p.tags).not.toContain(autoTag.tag);
    expect(p.tagDetails.find((t) => t.tag === autoTag.tag)).toMatchObject({ source: 'auto', hidden: true });
    // Other photos took the new task.
    expect(again.list().find((x) => x.path.endsWith('IMG_101.jpg'))!.caption).toBe('a detailed photo of something green');

    // Clearing the user's caption shows the automatic one again; a removed user tag stays removed on import.
    const ed2 = new Editor(again.repos);
    ed2.setCaption(photo, '');
    ed2.removeTags(photo, ['teapot']);
    again = await reopen(again, dataDir);
    const q = again.photo(again.catalog.photoByPath(photo)!.id)!;
    expect(q.caption).toBe('a detailed photo of something blue');
    expect(q.tags).not.toContain('teapot');
    expect(fs.existsSync(`${photo}.xmp`)).toBe(false); // sidecars are opt-in
  });

  it('user edits survive switching the caption model and the CLIP model', async () => {
    // A models folder of its own, so its manifest can name other active models.
    const models = path.join(tempDir(), 'models');
    const manifest = await writeFixtureModels(models);
    const root = tempDir();
    const photos = path.join(root, 'Photos');
    await makeJpeg(path.join(photos, 'a.jpg'), { width: 200, height: 150, color: COLOURS.red, seed: 1 });
    await makeJpeg(path.join(photos, 'b.jpg'), { width: 200, height: 150, color: COLOURS.blue, seed: 2 });
    const dataDir = path.join(root, 'data');
    let lib = Library.open({ dataDir, modelsDir: models, pipeline: { backoffMs: () => 5 } });
    open.push(lib);
    await lib.addFolder(photos);
    await lib.index();
    const a = path.join(photos, 'a.jpg');
    const ed = new Editor(lib.repos);
    ed.setCaption(a, 'Red door in Lisbon');
    ed.addTags(a, ['lisbon']);

    // The same files under new ids and revisions: a new captioner, then a new CLIP model.
    const caption = manifest.models.find((m) => m.id === 'fixture-caption')!;
    const clip = manifest.models.find((m) => m.id === 'fixture-clip')!;
    await addToManifest(models, [{ ...caption, id: 'fixture-caption-v2', revision: 'v2' }], { caption: 'fixture-caption-v2' });
    await lib.close();
    open.splice(open.indexOf(lib), 1);
    const withModels = async () => {
      const l = Library.open({ dataDir, modelsDir: models, pipeline: { backoffMs: () => 5 } });
      open.push(l);
      await l.index();
      return l;
    };
    lib = await withModels();
    const b = lib.photo(lib.catalog.photoByPath(path.join(photos, 'b.jpg'))!.id)!;
    expect(b.captions[0]).toMatchObject({ source: 'auto', modelId: 'fixture-caption-v2', revision: 'v2', text: 'a photo of something blue' });
    let p = lib.photo(lib.catalog.photoByPath(a)!.id)!;
    expect(p.caption).toBe('Red door in Lisbon');
    expect(p.captions.find((c) => c.source === 'auto')!.modelId).toBe('fixture-caption-v2');

    await lib.close();
    open.splice(open.indexOf(lib), 1);
    await addToManifest(models, [{ ...clip, id: 'fixture-clip-v2', revision: 'v2' }], { clip: 'fixture-clip-v2' });
    expect((await readManifest(models)).active).toEqual({ clip: 'fixture-clip-v2', caption: 'fixture-caption-v2' });
    lib = await withModels();
    p = lib.photo(lib.catalog.photoByPath(a)!.id)!;
    expect(p.caption).toBe('Red door in Lisbon');
    expect(p.tags).toContain('lisbon');
    expect(lib.status().ml).toMatchObject({ clipModel: 'fixture-clip-v2', embedded: 2 });
    // The automatic captions were kept and scored again with the new CLIP model.
    const b2 = lib.photo(lib.catalog.photoByPath(path.join(photos, 'b.jpg'))!.id)!;
    expect(b2.captions[0]).toMatchObject({ modelId: 'fixture-caption-v2', text: 'a photo of something blue' });
    expect(b2.captions[0]!.score!).toBeGreaterThan(0.9);
    expect(lib.status().stages.find((s) => s.stage === 'caption')).toMatchObject({ pending: 0, failed: 0 });
  });
});
