// `shoebox duplicates`: the groups with each photo's facts and the keeper, resolve (by path and by id) into the trash
// SHOEBOX_TRASH_DIR points at, --all-exact with and without --yes, undo and history, in process.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { shoebox } from '../helpers/cli.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

let trashDir = '';
const before = process.env.SHOEBOX_TRASH_DIR;
beforeEach(() => {
  trashDir = path.join(tempDir(), 'Trash');
  process.env.SHOEBOX_TRASH_DIR = trashDir;
});
afterEach(() => {
  if (before === undefined) delete process.env.SHOEBOX_TRASH_DIR;
  else process.env.SHOEBOX_TRASH_DIR = before;
});

async function library() {
  const dir = tempDir();
  const photos = path.join(dir, 'photos');
  const a = await makeJpeg(path.join(photos, 'a.jpg'), { seed: 1, width: 120, height: 80, takenAt: '2024:05:01 10:00:00' });
  const b = path.join(photos, 'b.jpg');
  fs.copyFileSync(a, b);
  const c = await makeJpeg(path.join(photos, 'c.jpg'), { seed: 2 });
  const d = path.join(photos, 'd.jpg');
  fs.copyFileSync(c, d);
  await makeJpeg(path.join(photos, 'e.jpg'), { seed: 3 });
  const data = path.join(dir, 'data');
  const lib = Library.open({ dataDir: data });
  await lib.addFolder(photos);
  // Indexed: the thumbnail and metadata stages give the dimensions, format and date the listing shows.
  await lib.index();
  const ids = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, lib.catalog.photoByPath(path.join(photos, `${n}.jpg`))!.id]));
  await lib.close();
  return { data, photos, a, b, c, d, ids, sb: (...args: string[]) => shoebox(['--data', data, ...args]) };
}

describe('shoebox duplicates', () => {
  it('lists the groups with their facts and keeper, as text and JSON, by kind', async () => {
    const l = await library();
    const text = await l.sb('duplicates');
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/^exact-\d+ {2}exact copies, 2 photos, resolving frees [\d.]+ KB$/m);
    expect(text.out).toContain(l.a);
    expect(text.out).toMatch(/120x80, jpeg, 2024-05-01T10:00:00/);
    expect(text.out).toMatch(/^ {2}\* +\d+ {2}\//m);
    expect(text.out).toMatch(/keeper \d+: /);
    expect(text.out).toMatch(/2 groups; resolving them with the suggested keepers frees/);
    const json = JSON.parse((await l.sb('duplicates', '--kind', 'exact', '--json')).out) as { id: string; kind: string; photos: { path: string; size: number; width: number; format: string }[]; keeper: number; reasons: string[]; bytesFreed: number }[];
    expect(json).toHaveLength(2);
    expect(json.every((g) => g.kind === 'exact' && g.photos.length === 2 && g.bytesFreed === g.photos[0]!.size)).toBe(true);
    expect((await l.sb('duplicates', '--kind', 'similar')).out).toBe('No similar shots duplicates.\n');
    const bad = await l.sb('duplicates', '--kind', 'near');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--kind is exact, same or similar/);
  });

  it('resolves a group keeping a photo named by path, undoes it, and keeps a history', async () => {
    const l = await library();
    const lib = Library.open({ dataDir: l.data });
    lib.editPhotos([l.ids.b!], { addTags: ['holiday'] });
    await lib.close();
    const group = (JSON.parse((await l.sb('duplicates', '--json')).out) as { id: string; photos: { id: number }[] }[]).find((g) => g.photos.some((p) => p.id === l.ids.a))!;

    expect((await l.sb('duplicates', 'resolve', group.id)).err).toMatch(/say which photos to keep: --keep/);
    const stray = await l.sb('duplicates', 'resolve', group.id, '--keep', String(l.ids.c));
    expect(stray.code).toBe(1);
    expect(stray.err).toMatch(/is not in group/);

    const r = await l.sb('duplicates', 'resolve', group.id, '--keep', l.a);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`put in the trash: ${l.b}`);
    expect(r.out).toContain(`photo ${l.ids.a} gained tags “holiday”`);
    expect(r.out).toMatch(/Put 1 photo in the trash \([\d.]+ KB\) \(resolution (\d+): `shoebox duplicates undo \1` puts it back\)/);
    expect(fs.existsSync(l.b)).toBe(false);
    expect(fs.readdirSync(trashDir)).toContain('b.jpg');
    expect((await l.sb('duplicates', '--kind', 'exact', '--json')).out).not.toContain(l.a);

    // `shoebox undo` points to the duplicates' undo.
    const generic = await l.sb('undo');
    expect(generic.code).toBe(1);
    expect(generic.err).toMatch(/resolving duplicates.*shoebox duplicates undo 1/);

    const h = await l.sb('duplicates', 'history');
    expect(h.out).toMatch(/^ {3}1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}undo until \d{4}-\d\d-\d\d {2}Put 1 photo in the trash/m);
    expect(h.out).toContain(`trashed    ${l.b}`);

    const u = await l.sb('duplicates', 'undo');
    expect(u.code, u.err).toBe(0);
    expect(u.out).toContain(`put back: ${l.b}`);
    expect(fs.existsSync(l.b)).toBe(true);
    const again = await l.sb('duplicates', 'undo', '1');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/undone already/);
    const hist = JSON.parse((await l.sb('duplicates', 'history', '--json')).out) as { id: number; state: string }[];
    expect(hist).toMatchObject([{ id: 1, state: 'undone' }]);
    expect((await l.sb('duplicates', 'undo', 'x')).code).toBe(2);
  });

  it('resolves every exact group with --all-exact only after --yes, keeping a photo named by id too', async () => {
    const l = await library();
    const dry = await l.sb('duplicates', 'resolve', '--all-exact');
    expect(dry.code).toBe(1);
    expect(dry.err).toMatch(/this would put 2 photos of 2 groups in the trash .* run it again with --yes/);
    expect([l.a, l.b, l.c, l.d].every((f) => fs.existsSync(f))).toBe(true);
    const yes = await l.sb('duplicates', 'resolve', '--all-exact', '--yes', '--json');
    expect(yes.code, yes.err).toBe(0);
    const r = JSON.parse(yes.out) as { resolution: number; putAway: { path: string }[]; groups: unknown[] };
    expect(r.groups).toHaveLength(2);
    expect(r.putAway).toHaveLength(2);
    expect([l.a, l.b].filter((f) => fs.existsSync(f))).toHaveLength(1);
    expect([l.c, l.d].filter((f) => fs.existsSync(f))).toHaveLength(1);
    expect((await l.sb('duplicates', 'resolve', '--all-exact', '--yes')).out).toMatch(/No duplicates to resolve/);
    expect((await l.sb('duplicates', 'undo', String(r.resolution))).code).toBe(0);
    expect([l.a, l.b, l.c, l.d].every((f) => fs.existsSync(f))).toBe(true);
    // By id: keep d of its group.
    const group = (JSON.parse((await l.sb('duplicates', '--json')).out) as { id: string; photos: { id: number }[] }[]).find((g) => g.photos.some((p) => p.id === l.ids.d))!;
    expect((await l.sb('duplicates', 'resolve', group.id, '--keep', String(l.ids.d))).code).toBe(0);
    expect(fs.existsSync(l.c)).toBe(false);
    expect(fs.existsSync(l.d)).toBe(true);
    expect((await l.sb('duplicates', 'resolve', group.id, '--keep', String(l.ids.d), '--yes')).code).toBe(2);
  });
});
