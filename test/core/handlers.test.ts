// The window contract's handlers over a real Library on the fixture models: the grid's pages and
// filters, search, edits, settings, the desktop-only methods, errors as ApiErrors, and events.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { createApi, type Api } from '../../src/main/core/handlers/methods.ts';
import { callApi, toApiError, ApiFailure } from '../../src/main/core/handlers/errors.ts';
import { PROGRESS_INTERVAL_MS } from '../../src/main/core/handlers/events.ts';
import { ApiValidationError } from '../../src/shared/validate.ts';
import { FolderError } from '../../src/main/core/folder-error.ts';
import type { ApiEvents, EventName } from '../../src/shared/contract.ts';
import type { DuplicateGroup, StageProgress } from '../../src/shared/types.ts';
import { FolderTrash } from '../../src/main/core/trash/trash.ts';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

let lib: Library;
let api: Api;
let photos = '';
const seen: { [E in EventName]: ApiEvents[E][] } = { progress: [], changed: [], editProgress: [], download: [], paused: [] };
const progressAt: number[] = [];
let indexMs = 0;
const ids: Record<string, number> = {};

/** Resolves with the first event of this kind that passes the test. */
function next<E extends EventName>(event: E, ok: (p: ApiEvents[E]) => boolean = () => true): Promise<ApiEvents[E]> {
  return new Promise((resolve) => {
    const off = api.events.on(event, (p) => {
      if (!ok(p)) return;
      off();
      resolve(p);
    });
  });
}

beforeAll(async () => {
  const root = tempDir();
  const modelsDir = path.join(root, 'models');
  await writeFixtureModels(modelsDir);
  photos = path.join(root, 'Photos');
  // Newest first: red, green, blue, then yellow in trip/.
  await makeJpeg(path.join(photos, 'IMG_1.jpg'), { width: 96, height: 64, color: { r: 210, g: 30, b: 35 }, takenAt: '2024:05:04 10:00:00', make: 'Canon', seed: 1 });
  await makeJpeg(path.join(photos, 'IMG_2.jpg'), { width: 96, height: 64, color: { r: 40, g: 190, b: 50 }, takenAt: '2024:03:01 10:00:00', seed: 2 });
  await makeJpeg(path.join(photos, 'IMG_3.jpg'), { width: 96, height: 64, color: { r: 30, g: 50, b: 200 }, takenAt: '2023:08:01 10:00:00', seed: 3 });
  await makeJpeg(path.join(photos, 'trip', 'IMG_4.jpg'), { width: 96, height: 64, color: { r: 235, g: 215, b: 40 }, takenAt: '2022:01:01 10:00:00', seed: 4 });
  lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir, pipeline: { backoffMs: () => 5 } });
  api = createApi(lib);
  for (const e of Object.keys(seen) as EventName[]) {
    api.events.on(e, (p) => {
      (seen[e] as unknown[]).push(p);
      if (e === 'progress') progressAt.push(Date.now());
    });
  }

  // Adding a folder scans it in the background and says so.
  const scanned = next('changed', (c) => c.what === 'photos');
  expect(await api.handlers.addFolder({ path: photos })).toEqual({ path: photos, added: true });
  await scanned;
  const t0 = Date.now();
  await lib.processAll();
  indexMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, PROGRESS_INTERVAL_MS * 2));
  for (const p of lib.list()) ids[path.basename(p.path)] = p.id;
});

afterAll(async () => {
  api?.close();
  await lib?.close();
});

describe('api handlers', () => {
  it('reports progress while indexing, at most 10 times a second, ending with everything done', () => {
    expect(seen.progress.length).toBeGreaterThan(0);
    expect(seen.progress.length).toBeLessThanOrEqual(Math.ceil(indexMs / PROGRESS_INTERVAL_MS) + 2);
    for (let i = 1; i < progressAt.length; i++) expect(progressAt[i]! - progressAt[i - 1]!).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS - 5);
    const last = seen.progress.at(-1) as StageProgress[];
    const embed = last.find((s) => s.stage === 'embed')!;
    expect(embed.done).toBe(embed.total);
    expect(seen.changed).toContainEqual({ what: 'folders' });
  });

  it('lists the library newest first, page by page, with the total', async () => {
    const all = await api.handlers.listPhotos({});
    expect(all.total).toBe(4);
    expect(all.offset).toBe(0);
    expect(all.photos.map((p) => path.basename(p.path))).toEqual(['IMG_1.jpg', 'IMG_2.jpg', 'IMG_3.jpg', 'IMG_4.jpg']);
    const first = await api.handlers.listPhotos({ limit: 3 });
    const second = await api.handlers.listPhotos({ limit: 3, offset: 3 });
    expect([first.total, second.total]).toEqual([4, 4]);
    expect(second.offset).toBe(3);
    expect([...first.photos, ...second.photos].map((p) => p.id)).toEqual(all.photos.map((p) => p.id));
    expect((await api.handlers.listPhotos({ offset: 10 })).photos).toEqual([]);
    // Summaries carry the automatic caption and tags like the CLI's list.
    expect(all.photos[0]).toMatchObject({ id: ids['IMG_1.jpg'], folder: photos, offline: false, captionSource: 'auto' });
    expect(all.photos[0]).toEqual(lib.list({ limit: 1 })[0]);
  });

  it('filters the grid by folder and by tag', async () => {
    const trip = await api.handlers.listPhotos({ folder: path.join(photos, 'trip') });
    expect(trip.total).toBe(1);
    expect(trip.photos.map((p) => path.basename(p.path))).toEqual(['IMG_4.jpg']);

    const changed = next('changed', (c) => c.what === 'annotations');
    const details = await api.handlers.addTags({ id: ids['IMG_2.jpg']!, tags: ['Holiday', 'garden'] });
    expect(details.tags).toEqual(expect.arrayContaining(['Holiday', 'garden']));
    expect(await changed).toEqual({ what: 'annotations', ids: [ids['IMG_2.jpg']] });
    await api.handlers.addTags({ id: ids['IMG_4.jpg']!, tags: ['holiday'] });

    const holiday = await api.handlers.listPhotos({ tag: 'HOLIDAY', limit: 1 });
    expect(holiday.total).toBe(2);
    expect(holiday.photos.map((p) => p.id)).toEqual([ids['IMG_2.jpg']]);
    expect((await api.handlers.listPhotos({ tag: 'holiday', folder: path.join(photos, 'trip') })).total).toBe(1);
    expect((await api.handlers.listPhotos({ tag: 'no such tag' })).total).toBe(0);
    expect(await api.handlers.tagCounts({})).toContainEqual({ tag: 'Holiday', count: 2, suggested: 0 });

    await api.handlers.removeTags({ id: ids['IMG_4.jpg']!, tags: ['holiday'] });
    expect((await api.handlers.listPhotos({ tag: 'holiday' })).total).toBe(1);
  });

  it('finds the red photo for "red", and photos like it', async () => {
    const r = await api.handlers.search({ query: 'a photo of something red', limit: 4 });
    expect(r.model).toBe('fixture-clip');
    expect(path.basename(r.hits[0]!.path)).toBe('IMG_1.jpg');
    const canon = await api.handlers.search({ query: 'red', filters: { camera: 'Canon' } });
    expect(canon.hits.map((h) => h.id)).toEqual([ids['IMG_1.jpg']]);
    const like = await api.handlers.similar({ id: ids['IMG_1.jpg']!, limit: 3 });
    expect(like.hits).toHaveLength(3);
    expect(like.hits.map((h) => h.id)).not.toContain(ids['IMG_1.jpg']);
    expect(await callApi(api.handlers, 'similar', { id: 999_999 })).toEqual({ ok: false, error: { code: 'not-found', message: 'no photo with id 999999 in the library' } });
  });

  it('says what a search understood, with the spans for chips, and takes parse: false and literal', async () => {
    const r = await api.handlers.search({ query: 'red 2024' });
    expect(r.text).toBe('red');
    expect(r.hits.map((h) => path.basename(h.path)).sort()).toEqual(['IMG_1.jpg', 'IMG_2.jpg']);
    expect(r.understood).toMatchObject({ from: '2024-01-01', to: '2024-12-31', place: null, camera: null, parts: [{ kind: 'date', label: '2024', text: '2024', start: 4, end: 8 }] });
    // Only filters: the photos, newest first.
    const canon = await api.handlers.search({ query: 'shot on canon in 2024' });
    expect(canon).toMatchObject({ text: '', model: null, understood: { camera: 'Canon', from: '2024-01-01' } });
    expect(canon.hits.map((h) => path.basename(h.path))).toEqual(['IMG_1.jpg']);
    const off = await api.handlers.search({ query: 'red 2024', parse: false });
    expect(off).toMatchObject({ understood: null, text: 'red 2024' });
    expect(off.hits).toHaveLength(4);
    const kept = await api.handlers.search({ query: 'red 2024', literal: ['2024'] });
    expect(kept).toMatchObject({ understood: null, text: 'red 2024' });
    expect(await callApi(api.handlers, 'search', { query: 'red', parse: 'no' })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('sets a caption and reads it back; an empty caption brings the automatic one back', async () => {
    const id = ids['IMG_3.jpg']!;
    const set = await api.handlers.setCaption({ id, text: '  grandma’s blue door ' });
    expect(set).toMatchObject({ id, caption: 'grandma’s blue door', captionSource: 'user' });
    const got = await api.handlers.photo({ id });
    expect(got.caption).toBe('grandma’s blue door');
    expect(got.captions.map((c) => c.source)).toEqual(['user', 'auto']);
    expect((await api.handlers.search({ query: 'grandma door' })).hits[0]?.id).toBe(id);
    const back = await api.handlers.setCaption({ id, text: '' });
    expect(back.captionSource).toBe('auto');
    expect(await callApi(api.handlers, 'photo', { id: 424242 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await callApi(api.handlers, 'setCaption', { id: 424242, text: 'x' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('validates settings exactly as the CLI does, and stores good ones', async () => {
    const bad = await callApi(api.handlers, 'setSetting', { key: 'xmp', value: 'maybe' });
    expect(bad).toEqual({ ok: false, error: { code: 'invalid-argument', message: 'setSetting: xmp must be on or off (or true/false)' } });
    const unknown = await callApi(api.handlers, 'setSetting', { key: 'toString', value: 'x' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/unknown setting "toString"; settings: hub_endpoint, /) as unknown as string } });
    const model = await callApi(api.handlers, 'setSetting', { key: 'clip_model', value: 'no-such-model' });
    expect(model).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/clip_model must be one of: .*fixture-clip/) as unknown as string } });

    const changed = next('changed', (c) => c.what === 'settings');
    expect(await api.handlers.setSetting({ key: 'caption_beams', value: '05' })).toEqual({
      key: 'caption_beams',
      value: '5',
      default: '3',
      description: expect.any(String) as unknown as string,
      onRestart: false,
    });
    await changed;
    const all = await api.handlers.settings();
    expect(all.find((s) => s.key === 'caption_beams')?.value).toBe('5');
    expect(all.find((s) => s.key === 'threads')).toMatchObject({ value: '0', onRestart: true });
    expect((await api.handlers.setSetting({ key: 'clip_model', value: 'fixture-clip' })).value).toBe('fixture-clip');
  });

  it('lists the models with the active one per task', async () => {
    const models = await api.handlers.models();
    expect(models.find((m) => m.id === 'fixture-clip')).toMatchObject({ task: 'clip', active: true, installed: true });
    // The OCR model ships with Shoebox: it is active and installed in any models folder.
    // The face models are made from an npm package on first use: active, and listed before they are made.
    expect(models.filter((m) => m.active).map((m) => m.task).sort()).toEqual(['caption', 'clip', 'faces', 'ocr']);
    expect(models.find((m) => m.id === 'face-api-ssd-resnet128')).toMatchObject({ task: 'faces', active: true });
    expect(models.find((m) => m.id === 'ppocr-v4-ch')).toMatchObject({ task: 'ocr', active: true, installed: true, bytes: 16173055 });
    expect(await callApi(api.handlers, 'downloadModel', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    // A folder that is not there, or holds none of the model's files, is the person's to fix.
    expect(await callApi(api.handlers, 'importModel', { id: 'fixture-clip', folder: '/no/such/folder' })).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: expect.stringMatching(/is not a folder/) as unknown as string },
    });
    expect(await callApi(api.handlers, 'importModel', { id: 'fixture-clip', folder: photos })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('answers unsupported for reveal and the folder picker without a desktop door', async () => {
    const id = ids['IMG_1.jpg']!;
    const r = await callApi(api.handlers, 'revealPhoto', { id });
    expect(r).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringMatching(/needs the Shoebox app/) as unknown as string } });
    expect(await callApi(api.handlers, 'pickFolder', undefined)).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    // With a door, they go through it.
    const revealed: string[] = [];
    const desktop = createApi(lib, { reveal: async (p) => (revealed.push(p), true), pickFolder: async () => '/picked' });
    try {
      expect(await desktop.handlers.revealPhoto({ id })).toEqual({ shown: true });
      expect(revealed).toEqual([path.join(photos, 'IMG_1.jpg')]);
      expect(await desktop.handlers.pickFolder()).toEqual({ path: '/picked' });
    } finally {
      desktop.close();
    }
  });

  it('pauses and resumes indexing, retries failures, and handles folders', async () => {
    expect(await api.handlers.pause()).toEqual({ paused: true });
    // Status says so too: a window opened (or reloaded) now shows indexing as paused.
    expect((await api.handlers.status()).paused).toBe(true);
    expect(await api.handlers.resume()).toEqual({ paused: false });
    expect((await api.handlers.status()).paused).toBe(false);
    expect(seen.paused).toEqual([{ paused: true }, { paused: false }]);
    expect(await api.handlers.retryFailed({})).toEqual({ retried: 0, photos: 0 });
    expect(await callApi(api.handlers, 'retryFailed', { stage: 'bogus' })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect((await api.handlers.folders()).map((f) => [f.path, f.photos])).toEqual([[photos, 4]]);
    expect(await callApi(api.handlers, 'addFolder', { path: path.join(photos, 'nope') })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await callApi(api.handlers, 'addFolder', { path: path.join(photos, 'IMG_1.jpg') })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await api.handlers.addFolder({ path: path.join(photos, 'trip') })).toEqual({ path: photos, added: false });
    expect((await api.handlers.status()).photos).toBe(4);
  });

  it('edits a selection in one edit, filters by rating, label and suggestion, reviews suggestions, keeps the vocabulary, and undoes', async () => {
    const all = (await api.handlers.listPhotos({})).photos.map((p) => p.id);
    expect(await api.handlers.photoIds({})).toEqual(all);
    expect(await api.handlers.photoIds({ offset: 1, limit: 2 })).toEqual(all.slice(1, 3));
    expect(await api.handlers.photoPaths({ ids: [all[2]!, all[0]!] })).toEqual([path.join(photos, 'IMG_3.jpg'), path.join(photos, 'IMG_1.jpg')]);

    const changed = next('changed', (c) => c.what === 'annotations');
    const edit = await api.handlers.editPhotos({ ids: all, addTags: ['Places|Portugal|Porto'], rating: 4, label: 'Red' });
    expect(edit).toEqual({ editId: expect.any(Number) as unknown as number, summary: 'Edited 4 photos: added “Places|Portugal|Porto”, rated 4 stars, labelled “Red”', photos: 4 });
    expect(await changed).toEqual({ what: 'annotations', ids: [...all].sort((a, b) => a - b) });
    expect((await api.handlers.listPhotos({ tag: 'places' })).total).toBe(4);
    expect((await api.handlers.listPhotos({ minRating: 4, label: 'red' })).photos[0]).toMatchObject({ rating: 4, label: 'Red', tags: expect.arrayContaining(['Places|Portugal|Porto']) as unknown as string[] });
    expect((await api.handlers.search({ query: 'red', filters: { minRating: 5 } })).hits).toEqual([]);
    const rated = (await api.handlers.search({ query: 'red', filters: { tag: 'Places|Portugal', minRating: 4 } })).hits;
    expect(rated.length).toBeGreaterThan(0);
    // Hits carry the marks, so results show them as the grid does.
    expect(rated[0]).toMatchObject({ rating: 4, label: 'Red' });
    await api.handlers.editPhotos({ ids: [all[0]!], rating: 2 });
    expect(await api.handlers.photoIds({ minRating: 3 })).toEqual(all.slice(1));
    expect(await api.handlers.selectionTags({ ids: all.slice(0, 2) })).toContainEqual({ tag: 'Places|Portugal|Porto', count: 2, suggested: 0 });

    // The zero-shot tags are suggestions: accepted on one photo, rejected on another.
    const [top] = await api.handlers.suggestions({});
    expect(top).toMatchObject({ photos: expect.any(Number) as unknown as number });
    expect(top!.strong + top!.likely).toBe(top!.photos);
    const on = await api.handlers.photoIds({ suggested: top!.tag });
    expect(on.length).toBe(top!.photos);
    const review = await api.handlers.reviewSuggestions({ tag: top!.tag, accept: [on[0]!], ...(on[1] ? { reject: [on[1]] } : {}) });
    expect(review.summary).toMatch(new RegExp(`^Accepted “${top!.tag}” on 1 photo`));
    expect((await api.handlers.photo({ id: on[0]! })).tags).toContain(top!.tag);
    expect((await api.handlers.photo({ id: on[0]! })).suggested).not.toContain(top!.tag);

    // The vocabulary: rename (children follow), merge, delete, each one undoable edit.
    expect((await api.handlers.renameTag({ from: 'Places|Portugal', to: 'Portugal' })).summary).toBe('Moved “Places|Portugal” to “Portugal” on 4 photos');
    expect((await api.handlers.photo({ id: all[1]! })).tags).toContain('Portugal|Porto');
    expect((await api.handlers.mergeTags({ from: ['Portugal|Porto'], into: 'Porto' })).photos).toBe(4);
    expect((await api.handlers.tagCounts({})).find((t) => t.tag === 'Porto')).toEqual({ tag: 'Porto', count: 4, suggested: 0 });
    expect((await api.handlers.deleteTag({ tag: 'porto' })).summary).toBe('Removed “Porto” from 4 photos');
    expect(await api.handlers.undo()).toEqual({ editId: expect.any(Number) as unknown as number, summary: 'Undid: Removed “Porto” from 4 photos', photos: 4 });
    expect((await api.handlers.photo({ id: all[3]! })).tags).toContain('Porto');
    expect(await callApi(api.handlers, 'renameTag', { from: 'Porto', to: 'Porto|Old' })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: 'cannot move “Porto” under itself (to “Porto|Old”)' } });
    expect(await callApi(api.handlers, 'editPhotos', { ids: [1] })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/nothing to edit/) as unknown as string } });

    // A long edit reports its progress (here the clock says each step took 600 ms).
    let clock = Date.now();
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 600));
    try {
      const progress = seen.editProgress.length;
      await api.handlers.editPhotos({ ids: all, caption: 'All of them' });
      expect(seen.editProgress.slice(progress)).toEqual([{ done: 4, total: 4 }]);
    } finally {
      spy.mockRestore();
    }
    // Undo until the log is empty: the window's edits of this suite all come back out.
    let undone = 0;
    while (await api.handlers.undo()) undone++;
    expect(undone).toBeGreaterThan(5);
    expect(await api.handlers.undo()).toBeNull();
    expect((await api.handlers.photo({ id: all[1]! })).tags).toEqual([]);
  });

  it('checks arguments before a handler runs and turns errors into ApiErrors', async () => {
    let called = false;
    const spy = { ...api.handlers, photo: async () => ((called = true), api.handlers.photo({ id: 1 })) };
    expect(await callApi(spy, 'photo', { id: -1 })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await callApi(spy, 'nope', {})).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: 'unknown method "nope"' } });
    expect(called).toBe(false);
    expect(toApiError(new ApiValidationError('bad'))).toEqual({ code: 'invalid-argument', message: 'bad' });
    expect(toApiError(new ApiFailure('unsupported', 'no'))).toEqual({ code: 'unsupported', message: 'no' });
    expect(toApiError(new Error('disk full'))).toEqual({ code: 'failed', message: 'disk full' });
    expect(toApiError('weird')).toEqual({ code: 'failed', message: 'weird' });
    expect(toApiError(new FolderError('unreadable', '/x', 'cannot read /x: EACCES'))).toEqual({ code: 'failed', message: 'cannot read /x: EACCES' });
  });

  it('retries failed photos, counting the photos as well as their tasks', async () => {
    // A photo cut short fails its thumbnail, and the stages after it fail with it.
    fs.writeFileSync(path.join(photos, 'IMG_5.jpg'), fs.readFileSync(path.join(photos, 'IMG_1.jpg')).subarray(0, 200));
    await lib.scan();
    await lib.processAll();
    const failed = (await api.handlers.status()).failed;
    expect(failed.map((f) => [path.basename(f.path), f.stage])).toEqual([['IMG_5.jpg', 'thumb']]);
    const r = await api.handlers.retryFailed({});
    expect(r.photos).toBe(1);
    expect(r.retried).toBeGreaterThan(1);
    await lib.processAll();
    expect(await api.handlers.retryFailed({ stage: 'embed' })).toEqual({ retried: 1, photos: 1 });
    fs.rmSync(path.join(photos, 'IMG_5.jpg'));
    await lib.scan();
  });

  it('removes a folder with its photos', async () => {
    const changed = next('changed', (c) => c.what === 'photos');
    expect(await api.handlers.removeFolder({ path: photos })).toEqual({ removed: true });
    await changed;
    expect((await api.handlers.listPhotos({})).total).toBe(0);
    expect(await api.handlers.removeFolder({ path: photos })).toEqual({ removed: false });
  });
});

describe('duplicates through the handlers', () => {
  it('lists groups, resolves one (keeper merged, others in the trash), lists the history, undoes it, and says why it refuses', async () => {
    const root = tempDir();
    const dir = path.join(root, 'Photos');
    await makeJpeg(path.join(dir, 'one.jpg'), { seed: 11 });
    fs.copyFileSync(path.join(dir, 'one.jpg'), path.join(dir, 'two.jpg'));
    await makeJpeg(path.join(dir, 'other.jpg'), { seed: 12 });
    const trashDir = path.join(root, 'Trash');
    const dupLib = Library.open({ dataDir: path.join(root, 'data'), trash: new FolderTrash(trashDir) });
    const dupApi = createApi(dupLib);
    const changed: ApiEvents['changed'][] = [];
    dupApi.events.on('changed', (c) => changed.push(c));
    try {
      await dupLib.addFolder(dir);
      await dupLib.scan();
      const listed = await callApi(dupApi.handlers, 'duplicates', { kind: 'exact' });
      expect(listed.ok).toBe(true);
      const groups = (listed as { value: DuplicateGroup[] }).value;
      expect(groups).toHaveLength(1);
      const [g] = groups;
      expect(g!.photos.map((p) => path.basename(p.path)).sort()).toEqual(['one.jpg', 'two.jpg']);
      const other = g!.photos.find((p) => p.id !== g!.keeper)!;
      await dupApi.handlers.editPhotos({ ids: [other.id], addTags: ['from-the-copy'] });

      expect(await callApi(dupApi.handlers, 'resolveDuplicates', { group: g!.id, keep: [424242] })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/not in group/) as unknown as string } });
      expect(await callApi(dupApi.handlers, 'resolveDuplicates', { group: 'same-424242', keep: [g!.keeper] })).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(await callApi(dupApi.handlers, 'resolveDuplicates', { group: g!.id, keep: [g!.keeper], photos: [g!.keeper] })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/changed since it was shown/) as unknown as string } });
      expect(await callApi(dupApi.handlers, 'resolveDuplicates', { group: g!.id })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: 'resolveDuplicates: keep is required' } });

      const r = await dupApi.handlers.resolveDuplicates({ group: g!.id, keep: [g!.keeper], photos: g!.photos.map((p) => p.id) });
      expect(r).toMatchObject({ putAway: [{ id: other.id, path: other.path, size: other.size }], failed: [], bytesFreed: g!.bytesFreed });
      expect(r.groups[0]!.merged.tags).toEqual(['from-the-copy']);
      expect(fs.readdirSync(trashDir).filter((n) => n.endsWith('.jpg'))).toEqual([path.basename(other.path)]);
      expect(changed).toContainEqual({ what: 'photos' });
      expect(changed).toContainEqual({ what: 'annotations', ids: [g!.keeper] });
      expect((await dupApi.handlers.photo({ id: g!.keeper })).tags).toEqual(['from-the-copy']);
      expect(await dupApi.handlers.duplicates({})).toEqual([]);
      // The generic undo points to the duplicates' own.
      expect(await callApi(dupApi.handlers, 'undo', undefined)).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/resolving duplicates/) as unknown as string } });

      const history = await dupApi.handlers.resolutions(undefined);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ id: r.resolution, state: 'done', undoable: true, bytesFreed: other.size });
      expect(history[0]!.groups[0]).toMatchObject({ group: g!.id, keeper: { id: g!.keeper }, photos: [{ id: other.id, state: 'trashed', error: null }] });

      const u = await dupApi.handlers.undoResolve({ resolution: r.resolution! });
      expect(u).toMatchObject({ resolution: r.resolution, restored: [{ id: other.id }], notRestored: [], keepersRestored: [g!.keeper] });
      expect(fs.existsSync(other.path)).toBe(true);
      expect((await dupApi.handlers.photo({ id: g!.keeper })).tags).toEqual([]);
      expect(await callApi(dupApi.handlers, 'undoResolve', { resolution: r.resolution })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/undone already/) as unknown as string } });
      expect(await callApi(dupApi.handlers, 'undoResolve', { resolution: 999 })).toMatchObject({ ok: false, error: { code: 'not-found' } });

      // Every exact group at once, one resolution; undone in one step.
      const all = await dupApi.handlers.resolveAllExact(undefined);
      expect(all.putAway).toHaveLength(1);
      expect((await dupApi.handlers.undoResolve({})).restored).toHaveLength(1);
    } finally {
      dupApi.close();
      await dupLib.close();
    }
  });
});

describe('people through the handlers', () => {
  it('lists people with covers, their faces and a photo\'s; names, merges, moves, rejects, hides and marks faces, keeping it; says why it refuses', async () => {
    // No face images are committed: synthetic faces placed as the faces stage stores them (Faces.putPhoto).
    const root = tempDir();
    const dir = path.join(root, 'Photos');
    await makeJpeg(path.join(dir, 'a.jpg'), { seed: 21, width: 120, height: 80 });
    await makeJpeg(path.join(dir, 'b.jpg'), { seed: 22, width: 120, height: 80 });
    const pLib = Library.open({ dataDir: path.join(root, 'data') });
    const pApi = createApi(pLib);
    const face = (x: number, score: number) => ({ box: { x, y: 10, width: 20, height: 24 }, score, landmarks: new Array<number>(136).fill(x), descriptor: new Float32Array(128).fill(x / 100) });
    try {
      await pLib.addFolder(dir);
      await pLib.scan();
      const a = pLib.catalog.photoByPath(path.join(dir, 'a.jpg'))!.id;
      const b = pLib.catalog.photoByPath(path.join(dir, 'b.jpg'))!.id;
      const [a1, a2] = pLib.faces.putPhoto(a, 'test-faces@1', 'fa', [face(10, 0.8), face(60, 0.95)]);
      const [b1] = pLib.faces.putPhoto(b, 'test-faces@1', 'fb', [face(30, 0.9)]);
      // The grouping's own person (auto) of a1 and b1; a2 alone.
      const p = pLib.faces.createPerson('auto');
      pLib.faces.assign(a1!, p, 'auto');
      pLib.faces.assign(b1!, p, 'auto');

      const listed = await pApi.handlers.people(undefined);
      // The cover: the best score among the grouping's faces (no face placed by the user yet).
      expect(listed).toEqual([{ id: p, name: null, faces: 2, hidden: false, byUser: false, cover: { face: b1, photo: b, box: { x: 30, y: 10, width: 20, height: 24 } }, suggested: 0 }]);
      expect((await pApi.handlers.personFaces({ person: p })).map((f) => [f.id, f.photo, f.person, f.byUser])).toEqual([
        [a1, a, { id: p, name: null }, false],
        [b1, b, { id: p, name: null }, false],
      ]);
      expect(await pApi.handlers.photoFaces({ photo: a })).toEqual([
        { id: a1, photo: a, box: { x: 10, y: 10, width: 20, height: 24 }, score: 0.8, person: { id: p, name: null }, byUser: false, notAFace: false, suggested: null },
        { id: a2, photo: a, box: { x: 60, y: 10, width: 20, height: 24 }, score: 0.95, person: null, byUser: false, notAFace: false, suggested: null },
      ]);

      // Every change to people says so to the window, with the people it changed.
      const said: ApiEvents['changed'][] = [];
      pApi.events.on('changed', (c) => void (c.what === 'people' && said.push(c)));
      const named = await pApi.handlers.namePerson({ person: p, name: ' Ann ' });
      expect(said).toEqual([{ what: 'people', ids: [p] }]);
      expect(named).toMatchObject({ id: p, name: 'Ann', faces: 2, byUser: true });
      expect((await pApi.handlers.personFaces({ person: p })).every((f) => f.byUser)).toBe(true);

      // a2 to a new person, then merged into Ann: three faces, the name kept, a2's person gone.
      const solo = await pApi.handlers.moveFace({ face: a2!, to: 'new' });
      expect(solo).toMatchObject({ name: null, faces: 1, byUser: true, cover: { face: a2 } });
      expect(await pApi.handlers.mergePeople({ from: solo.id, into: p })).toMatchObject({ id: p, name: 'Ann', faces: 3 });
      expect(said.slice(-2)).toEqual([{ what: 'people', ids: [solo.id] }, { what: 'people', ids: [p, solo.id] }]);
      expect((await pApi.handlers.people(undefined)).map((x) => x.id)).toEqual([p]);

      // "Not this person": out of Ann, and it stays out; a face the user placed is the cover before a better score.
      expect(await pApi.handlers.notThisPerson({ face: a2! })).toMatchObject({ id: a2, person: null, notAFace: false });
      expect(said.at(-1)).toEqual({ what: 'people', ids: [p] });
      expect(pLib.faces.rejections().get(a2!)).toEqual(new Set([p]));
      expect((await pApi.handlers.people(undefined))[0]).toMatchObject({ faces: 2, cover: { face: b1 } });

      expect(await pApi.handlers.notAFace({ face: b1! })).toMatchObject({ id: b1, person: null, notAFace: true });
      expect((await pApi.handlers.people(undefined))[0]).toMatchObject({ faces: 1, cover: { face: a1 } });
      expect(await callApi(pApi.handlers, 'moveFace', { face: b1!, to: p })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/marked not a face/) as unknown as string } });
      expect(await pApi.handlers.notAFace({ face: b1!, notAFace: false })).toMatchObject({ id: b1, notAFace: false });
      expect(await pApi.handlers.moveFace({ face: b1!, to: p })).toMatchObject({ id: p, faces: 2 });

      // The cover chosen: said as a change to people, without ids (no sidecar names a cover).
      expect((await pApi.handlers.people(undefined))[0]).toMatchObject({ cover: { face: b1 } });
      const before = said.length;
      expect(await pApi.handlers.setPersonCover({ person: p, face: a1! })).toMatchObject({ id: p, cover: { face: a1 } });
      expect(said.slice(before)).toEqual([{ what: 'people' }]);
      expect((await pApi.handlers.people(undefined))[0]).toMatchObject({ cover: { face: a1 } });

      expect(await pApi.handlers.hidePerson({ person: p, hidden: true })).toMatchObject({ id: p, hidden: true });
      expect(await pApi.handlers.namePerson({ person: p, name: null })).toMatchObject({ id: p, name: null, hidden: true });

      const refused = [
        ['namePerson', { person: 999, name: 'Bob' }, 'not-found', /no person with id 999/],
        ['namePerson', { person: p, name: '  ' }, 'invalid-argument', /namePerson\.name must be a non-empty string/],
        ['mergePeople', { from: p, into: p }, 'invalid-argument', /cannot be merged with itself/],
        ['mergePeople', { from: p, into: 999 }, 'not-found', /no person with id 999/],
        ['moveFace', { face: 999, to: 'new' }, 'not-found', /no face with id 999/],
        ['moveFace', { face: a1!, to: 'old' }, 'invalid-argument', /moveFace\.to must be a person id or 'new'/],
        ['notThisPerson', { face: 0 }, 'invalid-argument', /notThisPerson\.face must be a face id/],
        ['hidePerson', { person: p }, 'invalid-argument', /hidePerson: hidden is required/],
        ['photoFaces', { photo: 999 }, 'not-found', /no photo with id 999/],
        ['personFaces', { person: 999 }, 'not-found', /no person with id 999/],
        ['setPersonCover', { person: p, face: a2! }, 'invalid-argument', new RegExp(`setPersonCover: face ${a2} is not a face of person ${p}`)],
        ['setPersonCover', { person: p, face: 999 }, 'not-found', /no face with id 999/],
      ] as const;
      for (const [method, arg, code, message] of refused) {
        expect(await callApi(pApi.handlers, method, arg as never), method).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) as unknown as string } });
      }
      // Nothing changed by the refusals.
      expect(await pApi.handlers.people(undefined)).toMatchObject([{ id: p, name: null, faces: 2, hidden: true }]);
    } finally {
      pApi.close();
      await pLib.close();
    }
  });

  it('names a face (the photo view): its unnamed person takes the name, else the person of that name takes it, else a new one; says so; refuses a shared name', async () => {
    const root = tempDir();
    const dir = path.join(root, 'Photos');
    await makeJpeg(path.join(dir, 'a.jpg'), { seed: 23, width: 120, height: 80 });
    await makeJpeg(path.join(dir, 'b.jpg'), { seed: 24, width: 120, height: 80 });
    const pLib = Library.open({ dataDir: path.join(root, 'data') });
    const pApi = createApi(pLib);
    const face = (x: number) => ({ box: { x, y: 10, width: 20, height: 24 }, score: 0.9, landmarks: new Array<number>(136).fill(x), descriptor: new Float32Array(128).fill(x / 100) });
    try {
      await pLib.addFolder(dir);
      await pLib.scan();
      const a = pLib.catalog.photoByPath(path.join(dir, 'a.jpg'))!.id;
      const b = pLib.catalog.photoByPath(path.join(dir, 'b.jpg'))!.id;
      const [a1, a2, a3] = pLib.faces.putPhoto(a, 'test-faces@1', 'fa', [face(10), face(40), face(70)]);
      const [b1] = pLib.faces.putPhoto(b, 'test-faces@1', 'fb', [face(30)]);
      const p = pLib.faces.createPerson('auto');
      pLib.faces.assign(a1!, p, 'auto');
      pLib.faces.assign(b1!, p, 'auto');
      const said: ApiEvents['changed'][] = [];
      pApi.events.on('changed', (c) => void (c.what === 'people' && said.push(c)));

      // a1's person is unnamed: it takes the name, b1 with it.
      expect(await pApi.handlers.nameFace({ face: a1!, name: ' Ann ' })).toMatchObject({ id: a1, photo: a, person: { id: p, name: 'Ann' }, byUser: true });
      expect(said).toEqual([{ what: 'people', ids: [p] }]);
      expect(await pApi.handlers.personFaces({ person: p })).toMatchObject([{ id: a1, byUser: true }, { id: b1, byUser: true }]);
      // a2 is in no person: named "ann", it joins Ann.
      expect(await pApi.handlers.nameFace({ face: a2!, name: 'ann' })).toMatchObject({ id: a2, person: { id: p, name: 'Ann' } });
      // b1 named Bo: Ann keeps her name and her other faces; b1 goes to a new person, Bo, and both are said changed.
      const bo = await pApi.handlers.nameFace({ face: b1!, name: 'Bo' });
      expect(bo).toMatchObject({ id: b1, person: { name: 'Bo' }, byUser: true });
      expect(bo.person!.id).not.toBe(p);
      expect(said.at(-1)).toEqual({ what: 'people', ids: [bo.person!.id, p] });
      expect((await pApi.handlers.people(undefined)).map((x) => [x.name, x.faces])).toEqual([['Ann', 2], ['Bo', 1]]);

      // A second "Bo" (named in People): naming a face Bo is refused, as is a face marked not a face; nothing changes.
      await pApi.handlers.namePerson({ person: p, name: 'bo' });
      await pApi.handlers.notAFace({ face: a3! });
      const before = await pApi.handlers.photoFaces({ photo: a });
      const refused = [
        [{ face: a2!, name: 'BO' }, 'invalid-argument', /nameFace: 2 people are named "BO" \(ids \d+, \d+\): merge them/],
        [{ face: a3!, name: 'Cy' }, 'invalid-argument', /nameFace: face \d+ is marked not a face/],
        [{ face: 999, name: 'Cy' }, 'not-found', /no face with id 999/],
        [{ face: a2!, name: ' ' }, 'invalid-argument', /nameFace\.name must be a non-empty string/],
        [{ face: a2! }, 'invalid-argument', /nameFace: name is required/],
      ] as const;
      for (const [arg, code, message] of refused) {
        expect(await callApi(pApi.handlers, 'nameFace', arg as never), JSON.stringify(arg)).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) as unknown as string } });
      }
      expect(await pApi.handlers.photoFaces({ photo: a })).toEqual(before);
    } finally {
      pApi.close();
      await pLib.close();
    }
  });

  it('lists a named person\'s suggested faces and answers them in bulk: yes to the person, no never again; says so; refuses stale answers', async () => {
    const root = tempDir();
    const dir = path.join(root, 'Photos');
    await makeJpeg(path.join(dir, 'a.jpg'), { seed: 25, width: 120, height: 80 });
    const pLib = Library.open({ dataDir: path.join(root, 'data') });
    const pApi = createApi(pLib);
    const face = (x: number) => ({ box: { x, y: 10, width: 20, height: 24 }, score: 0.9, landmarks: new Array<number>(136).fill(x), descriptor: new Float32Array(128).fill(x / 100) });
    try {
      await pLib.addFolder(dir);
      await pLib.scan();
      const a = pLib.catalog.photoByPath(path.join(dir, 'a.jpg'))!.id;
      const [m1, s1, s2, s3] = pLib.faces.putPhoto(a, 'test-faces@1', 'fa', [face(10), face(30), face(50), face(70)]);
      const mia = pLib.faces.createPerson('user', 'Mia');
      pLib.faces.assign(m1!, mia, 'user');
      // The grouping's suggestions, as it stores them (grouping.ts): s3 in a person of its own kind.
      for (const s of [s1, s2, s3]) pLib.faces.suggest(s!, mia);
      const other = pLib.faces.createPerson('auto');
      pLib.faces.assign(s3!, other, 'auto');
      pLib.faces.suggest(s3!, mia);
      expect((await pApi.handlers.faceSuggestions({ person: mia })).map((f) => [f.id, f.person?.id ?? null])).toEqual([[s1, null], [s2, null], [s3, other]]);
      expect((await pApi.handlers.people(undefined)).map((p) => [p.id, p.suggested])).toEqual([[mia, 3], [other, 0]]);
      // The photo view asks the same of each face: "Is this Mia?", never of hers, nor for a hidden person.
      const asked = async () => (await pApi.handlers.photoFaces({ photo: a })).map((f) => [f.id, f.suggested?.name ?? null]);
      expect(await asked()).toEqual([[m1, null], [s1, 'Mia'], [s2, 'Mia'], [s3, 'Mia']]);
      pLib.faces.setHidden(mia, true);
      expect(await asked()).toEqual([[m1, null], [s1, null], [s2, null], [s3, null]]);
      pLib.faces.setHidden(mia, false);

      const said: ApiEvents['changed'][] = [];
      pApi.events.on('changed', (c) => void (c.what === 'people' && said.push(c)));
      const done = await pApi.handlers.answerSuggestions({ person: mia, yes: [s1!, s3!], no: [s2!] });
      expect(done).toMatchObject({ accepted: 2, rejected: 1, person: { id: mia, name: 'Mia', faces: 3, suggested: 0 } });
      expect(said).toEqual([{ what: 'people', ids: [mia, other] }]);
      expect((await pApi.handlers.personFaces({ person: mia })).map((f) => [f.id, f.byUser])).toEqual([[m1, true], [s1, true], [s3, true]]);
      expect(await pApi.handlers.faceSuggestions({ person: mia })).toEqual([]);
      expect(await asked()).toEqual([[m1, null], [s1, null], [s2, null], [s3, null]]);
      expect(pLib.faces.rejections().get(s2!)).toEqual(new Set([mia]));

      // s1 is Mia's now, not a suggestion: refused, and nothing changes.
      pLib.faces.suggest(s2!, mia);
      const refused = [
        [{ person: mia, yes: [s1!], no: [] }, 'invalid-argument', new RegExp(`answerSuggestions: face ${s1} is not suggested for person ${mia} \\(any more\\): nothing was changed`)],
        [{ person: mia, yes: [s2!], no: [s2!] }, 'invalid-argument', /face \d+ is in both yes and no/],
        [{ person: mia, yes: [999], no: [] }, 'not-found', /no face with id 999/],
        [{ person: 999, yes: [], no: [] }, 'not-found', /no person with id 999/],
        [{ person: mia, yes: [s2!] }, 'invalid-argument', /answerSuggestions: no is required/],
      ] as const;
      for (const [arg, code, message] of refused) {
        expect(await callApi(pApi.handlers, 'answerSuggestions', arg as never), JSON.stringify(arg)).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) as unknown as string } });
      }
      expect(await callApi(pApi.handlers, 'faceSuggestions', { person: 999 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
      // A rejected face the grouping suggested again anyway is not offered.
      expect(await pApi.handlers.faceSuggestions({ person: mia })).toEqual([]);
      expect(said).toHaveLength(1);
    } finally {
      pApi.close();
      await pLib.close();
    }
  });
});
