// The search, models and settings commands as a user runs them, on the fixture models.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addToManifest, readManifest, writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { Library } from '../../src/main/core/library.ts';
import { openReadOnly } from '../../src/main/core/read-only.ts';
import { createApi } from '../../src/main/core/handlers/methods.ts';
import type { LibraryStatus, SearchResult } from '../../src/shared/types.ts';
import { shoebox, shoeboxProcess } from '../helpers/cli.ts';

// In-process (main(argv, io)); one subprocess run per command family (search, settings, models) proves the real command.

let root = '';
let models = '';
beforeAll(async () => {
  root = tempDir();
  models = path.join(root, 'models');
  await writeFixtureModels(models);
  const colours = { a: { r: 30, g: 180, b: 40 }, b: { r: 220, g: 30, b: 30 }, c: { r: 30, g: 40, b: 210 } };
  for (const [n, color] of Object.entries(colours)) await makeJpeg(path.join(root, 'Photos', `photo-${n}.jpg`), { color, width: 200, height: 150, seed: n.charCodeAt(0) });
});

describe('shoebox search', () => {
  it('indexes with --models and finds "a red photo" first, as text and JSON', async () => {
    const data = path.join(root, 'data');
    expect((await shoebox(['--data', data, '--models', models, 'add', path.join(root, 'Photos')])).code).toBe(0);
    const index = await shoebox(['--data', data, '--models', models, 'index']);
    expect(index.code, index.err).toBe(0);
    expect(index.err).toMatch(/embed .* 3\/3/);

    const text = shoeboxProcess(['--data', data, 'search', 'a red photo', '--limit', '2'], { SHOEBOX_MODELS: models });
    expect(text.code, text.err).toBe(0);
    // The CLIP score (≈ 0.99) plus the full-text match of its caption "a photo of something red".
    expect(text.out.split('\n')[0]).toMatch(/^\s+1\s+1\.0\d\d\s+.*photo-b\.jpg/);
    const json = JSON.parse((await shoebox(['--data', data, '--models', models, 'search', 'a photo of something red', '--json'])).out) as SearchResult;
    expect(json.model).toBe('fixture-clip');
    expect(path.basename(json.hits[0]!.path)).toBe('photo-b.jpg');
    expect(json.hits[0]).toHaveProperty('caption');
    // The blue photo's zero-shot tags come from the colour words in the vocabulary.
    expect(json.hits.find((h) => h.path.endsWith('photo-c.jpg'))?.tags).toContain('clear blue sky');

    const similar = JSON.parse((await shoebox(['--data', data, '--models', models, 'similar', path.join(root, 'Photos', 'photo-b.jpg'), '--json'])).out) as SearchResult;
    expect(similar.hits.map((h) => path.basename(h.path))).not.toContain('photo-b.jpg');

    const status = await shoebox(['--data', data, '--models', models, 'status']);
    expect(status.out).toMatch(/clip model: fixture-clip; 3 photos embedded/);
    expect(status.out).toMatch(/execution provider: cpu \(setting: auto\)/);
    expect((await shoebox(['--data', data, 'search', 'red', '--limit', 'x'])).code).toBe(2);
  });

  it('without models, says what to do instead of hanging or crashing', async () => {
    const data = path.join(root, 'data-no-models');
    await shoebox(['--data', data, 'add', path.join(root, 'Photos')]);
    expect((await shoebox(['--data', data, 'index'])).code).toBe(0);
    const r = await shoebox(['--data', data, 'search', 'red']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/shoebox models download clip-vit-b32-q8/);
    const list = await shoebox(['--data', data, 'models', 'list']);
    expect(list.out).toMatch(/\* clip-vit-b32-q8 +clip +not installed/);
    expect(list.out).toMatch(/clip-vit-b32-fp32/);
  });

  it('models download fails fast with a clear message when the hub (or the mirror setting) cannot be reached', async () => {
    const data = path.join(root, 'data-dl');
    expect((await shoebox(['--data', data, 'settings', 'set', 'hub_endpoint', 'http://127.0.0.1:9'])).code).toBe(0);
    expect((await shoebox(['--data', data, 'settings', 'get', 'hub_endpoint'])).out.trim()).toBe('http://127.0.0.1:9');
    const started = Date.now();
    const r = await shoebox(['--data', data, 'models', 'download', 'clip-vit-b32-q8'], { HF_ENDPOINT: '' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9.*shoebox models import clip-vit-b32-q8 <folder>/s);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await shoebox(['--data', data, 'settings', 'set', 'provider', 'tpu'])).err).toMatch(/provider must be one of: auto, cuda, dml, coreml, webgpu, cpu/);
    expect((await shoebox(['--data', data, 'settings', 'set', 'clip_model', 'clip-vit-b32-fp32'])).code).toBe(0);
  });

  it("settings set clip_model has the window's effect: embed and tags are queued again for the new model", async () => {
    const switchModels = path.join(root, 'models-switch');
    fs.cpSync(models, switchModels, { recursive: true });
    const clip = (await readManifest(switchModels)).models.find((m) => m.id === 'fixture-clip')!;
    // The manifest names no active CLIP model here, so the clip_model setting chooses it.
    await addToManifest(switchModels, [{ ...clip, id: 'fixture-clip-b' }], { clip: undefined });
    const run = (data: string, ...args: string[]) => shoebox(['--data', data, '--models', switchModels, ...args]);
    let n = 0;
    const indexedThen = async (change: (data: string) => Promise<void>) => {
      const data = path.join(root, `data-switch-${n++}`);
      expect((await run(data, 'settings', 'set', 'clip_model', 'fixture-clip')).code).toBe(0);
      expect((await run(data, 'add', path.join(root, 'Photos'))).code).toBe(0);
      expect((await run(data, 'index')).code).toBe(0);
      await change(data);
      const s = JSON.parse((await run(data, 'status', '--json')).out) as LibraryStatus;
      return { pending: s.stages.map((st) => [st.stage, st.pending]), clipModel: s.ml?.clipModel, previousModel: s.ml?.previousModel };
    };
    const byCli = await indexedThen(async (data) => {
      const r = await run(data, 'settings', 'set', 'clip_model', 'fixture-clip-b');
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe('clip_model = fixture-clip-b\n');
    });
    const byWindow = await indexedThen(async (data) => {
      const lib = Library.open({ dataDir: data, modelsDir: switchModels });
      const api = createApi(lib);
      try {
        await api.handlers.setSetting({ key: 'clip_model', value: 'fixture-clip-b' });
      } finally {
        api.close();
        await lib.close();
      }
    });
    expect(byWindow).toMatchObject({ clipModel: 'fixture-clip-b', previousModel: 'fixture-clip' });
    expect(byWindow.pending).toContainEqual(['embed', 3]);
    expect(byCli).toEqual(byWindow);

    // Beside an engine holding the lock, the value is only stored, as before: that engine follows it when it next opens.
    const data = path.join(root, 'data-switch-locked');
    expect((await run(data, 'settings', 'set', 'clip_model', 'fixture-clip')).code).toBe(0);
    const engine = Library.open({ dataDir: data, modelsDir: switchModels });
    try {
      expect(shoeboxProcess(['--data', data, '--models', switchModels, 'settings', 'set', 'clip_model', 'fixture-clip-b']).code).toBe(0);
      const ro = openReadOnly(data)!;
      expect([ro.catalog.setting('clip_model'), ro.catalog.setting('clip_model_indexed')]).toEqual(['fixture-clip-b', 'fixture-clip']);
      ro.db.close();
    } finally {
      await engine.close();
    }
    expect((await run(data, 'settings', 'set', 'clip_model', 'nope')).err).toMatch(/clip_model must be one of: .*fixture-clip-b/);
  });

  it('imports a model folder the user already has, and verify checks it', async () => {
    const modelsDir = path.join(root, 'imported-models');
    const r = await shoebox(['--data', path.join(root, 'data-imp'), '--models', modelsDir, 'models', 'verify', 'fixture-clip']);
    expect(r.code).toBe(1); // no manifest there: unknown model
    const fixtureFolder = path.join(models, 'shoebox-fixtures', 'tiny-clip');
    const imp = await shoebox(['--data', path.join(root, 'data-imp'), '--models', models, 'models', 'import', 'fixture-clip', fixtureFolder]);
    expect(imp.code, imp.err).toBe(0);
    const verify = shoeboxProcess(['--data', path.join(root, 'data-imp'), '--models', models, 'models', 'verify', 'fixture-clip']);
    expect(verify.out).toMatch(/fixture-clip: every file is present and matches its size and sha256/);
  });
});
