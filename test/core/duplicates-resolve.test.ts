// Resolving duplicates (issue 15): the photos not kept go to the trash (a folder trash here), the keeper gains their
// user data where it has none, undo brings both back; refusals; a kill at each step settled on the next open; every
// exact group at once; put-away photos hidden from the grid, search and groups, and left by the purge while undoable.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { FolderTrash, RECORD_SUFFIX } from '../../src/main/core/trash/folder.ts';
import { injectResolveCrash, SimulatedKill } from '../../src/main/core/duplicates/resolve.ts';
import { UNDO_MS } from '../../src/main/core/catalog/resolutions.ts';
import { Edits } from '../../src/main/core/annotate/edits.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

interface Fixture {
  root: string;
  photos: string;
  trashDir: string;
  dataDir: string;
  lib: Library;
  id: (name: string) => number;
}

const open: Library[] = [];
afterEach(async () => {
  injectResolveCrash(null);
  for (const lib of open.splice(0)) await lib.close();
});

function openLib(dataDir: string, trashDir: string): Library {
  const lib = Library.open({ dataDir, trash: new FolderTrash(trashDir) });
  open.push(lib);
  return lib;
}

/** a.jpg, b.jpg, c.jpg: one content at three paths; d.jpg and e.jpg: another, twice; f.jpg alone. */
async function fixture(): Promise<Fixture> {
  const root = tempDir();
  const photos = path.join(root, 'Photos');
  await makeJpeg(path.join(photos, 'a.jpg'), { seed: 1, width: 96, height: 64 });
  fs.copyFileSync(path.join(photos, 'a.jpg'), path.join(photos, 'b.jpg'));
  fs.mkdirSync(path.join(photos, 'sub'));
  fs.copyFileSync(path.join(photos, 'a.jpg'), path.join(photos, 'sub', 'c.jpg'));
  await makeJpeg(path.join(photos, 'd.jpg'), { seed: 2 });
  fs.copyFileSync(path.join(photos, 'd.jpg'), path.join(photos, 'e.jpg'));
  await makeJpeg(path.join(photos, 'f.jpg'), { seed: 3 });
  const dataDir = path.join(root, 'data');
  const trashDir = path.join(root, 'Trash');
  const lib = openLib(dataDir, trashDir);
  await lib.addFolder(photos);
  await lib.scan();
  const f: Fixture = {
    root,
    photos,
    trashDir,
    dataDir,
    lib,
    id: (name) => {
      const p = f.lib.catalog.photoByPath(path.join(photos, name));
      if (!p) throw new Error(`no photo ${name}`);
      return p.id;
    },
  };
  return f;
}

function groupOf(lib: Library, id: number) {
  const g = lib.duplicateGroups({ kind: 'exact' }).find((x) => x.photos.some((p) => p.id === id));
  if (!g) throw new Error(`no exact group holds photo ${id}`);
  return g;
}

function userTags(lib: Library, id: number): string[] {
  return (lib.db.prepare("SELECT tag FROM tags WHERE photo_id = ? AND source = 'user' AND hidden = 0 ORDER BY tag").pluck().all(id) as string[]);
}
function userCaption(lib: Library, id: number): string | null {
  return (lib.db.prepare("SELECT text FROM captions WHERE photo_id = ? AND source = 'user'").pluck().get(id) as string | undefined) ?? null;
}
function gps(lib: Library, id: number) {
  return lib.db.prepare('SELECT gps_lat AS lat, gps_lon AS lon FROM photos WHERE id = ?').get(id);
}
function setGps(lib: Library, id: number, lat: number, lon: number): void {
  lib.db.prepare('UPDATE photos SET gps_lat = ?, gps_lon = ? WHERE id = ?').run(lat, lon, id);
}
function missing(lib: Library, id: number): boolean {
  return (lib.db.prepare('SELECT missing_since IS NOT NULL FROM photos WHERE id = ?').pluck().get(id) as number | undefined) === 1;
}
function rowExists(lib: Library, id: number): boolean {
  return lib.db.prepare('SELECT 1 FROM photos WHERE id = ?').pluck().get(id) === 1;
}
function trashFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => !n.endsWith(RECORD_SUFFIX)).sort() : [];
}
function gridIds(lib: Library): number[] {
  return lib.browser.page({ limit: 100 }).photos.map((p) => p.id);
}

describe('resolving a group and undoing it', () => {
  it('puts the others in the trash, merges their user data into the keeper where it has none, and undo restores both', async () => {
    const f = await fixture();
    const { lib } = f;
    const [a, b, c] = [f.id('a.jpg'), f.id('b.jpg'), f.id('sub/c.jpg')];
    lib.editPhotos([a], { addTags: ['x'] });
    lib.editPhotos([b], { addTags: ['x', 'beach'], caption: 'Sunset over the bay' });
    lib.editPhotos([c], { addTags: ['Places|Portugal|Porto'] });
    setGps(lib, c, 41.15, -8.61);
    const group = groupOf(lib, a);
    expect(group.photos.map((p) => p.id).sort()).toEqual([a, b, c].sort());

    const before = lib.status().photos;
    const r = await lib.resolveDuplicates(group.id, [a], group.photos.map((p) => p.id));
    expect(r.resolution).not.toBeNull();
    // The library's count (the window's header) leaves the put-away photos out.
    expect(lib.status().photos).toBe(before - 2);
    expect(r.putAway.map((p) => p.id).sort()).toEqual([b, c].sort());
    expect(r.failed).toEqual([]);
    expect(r.bytesFreed).toBe(fs.statSync(path.join(f.photos, 'a.jpg')).size * 2);
    const merged = r.groups[0]!.merged;
    expect({ ...merged, tags: [...merged.tags].sort() }).toEqual({ tags: ['Places|Portugal|Porto', 'beach'], caption: 'Sunset over the bay', gps: { lat: 41.15, lon: -8.61, alt: null }, place: null });
    // The files: in the trash, never deleted; the keeper untouched on disk.
    expect(fs.existsSync(path.join(f.photos, 'b.jpg'))).toBe(false);
    expect(fs.existsSync(path.join(f.photos, 'sub', 'c.jpg'))).toBe(false);
    expect(trashFiles(f.trashDir)).toEqual(['b.jpg', 'c.jpg']);
    expect(fs.existsSync(path.join(f.photos, 'a.jpg'))).toBe(true);
    // The keeper's data: the union of tags, the first caption (it had none), the position (it had none).
    expect(userTags(lib, a)).toEqual(['Places|Portugal|Porto', 'beach', 'x']);
    expect(userCaption(lib, a)).toBe('Sunset over the bay');
    expect(gps(lib, a)).toEqual({ lat: 41.15, lon: -8.61 });
    // Its sidecar is queued; its place is made again from the position.
    expect(lib.db.prepare("SELECT state FROM tasks WHERE photo_id = ? AND stage = 'xmp'").pluck().get(a)).toBe('pending');
    expect(lib.db.prepare("SELECT state FROM tasks WHERE photo_id = ? AND stage = 'places'").pluck().get(a)).toBe('pending');
    // The put-away photos: rows kept (with their own data), hidden from the grid, search and groups.
    expect(rowExists(lib, b) && missing(lib, b) && missing(lib, c)).toBe(true);
    expect(userCaption(lib, b)).toBe('Sunset over the bay');
    expect(gridIds(lib)).not.toContain(b);
    expect(gridIds(lib)).not.toContain(c);
    expect(gridIds(lib)).toContain(a);
    const hits = (await lib.searchText('sunset')).hits.map((h) => h.id);
    expect(hits).toContain(a);
    expect(hits).not.toContain(b);
    expect(lib.duplicateGroups().some((g) => g.photos.some((p) => p.id === b || p.id === c))).toBe(false);
    expect(lib.duplicateGroups().some((g) => g.photos.some((p) => p.id === a))).toBe(false);
    // A scan (with its purge) leaves them while the resolution can be undone.
    await lib.scan();
    expect(rowExists(lib, b) && rowExists(lib, c)).toBe(true);
    expect(lib.resolutions()[0]).toMatchObject({ id: r.resolution, state: 'done', undoable: true });

    const u = await lib.undoResolve(r.resolution!);
    expect(u.restored.map((p) => p.id).sort()).toEqual([b, c].sort());
    expect(u.notRestored).toEqual([]);
    expect(u.keepersRestored).toEqual([a]);
    expect(lib.status().photos).toBe(before);
    expect(u.left).toEqual([]);
    expect(fs.existsSync(path.join(f.photos, 'b.jpg')) && fs.existsSync(path.join(f.photos, 'sub', 'c.jpg'))).toBe(true);
    expect(trashFiles(f.trashDir)).toEqual([]);
    expect(missing(lib, b) || missing(lib, c)).toBe(false);
    expect(userTags(lib, a)).toEqual(['x']);
    expect(userCaption(lib, a)).toBeNull();
    expect(gps(lib, a)).toEqual({ lat: null, lon: null });
    // The put-away photos come back whole, and the group with them.
    expect(userTags(lib, b)).toEqual(['beach', 'x']);
    expect(userTags(lib, c)).toEqual(['Places|Portugal|Porto']);
    expect(groupOf(lib, a).photos).toHaveLength(3);
    expect(lib.resolutions()[0]).toMatchObject({ state: 'undone', undoable: false });
    await expect(lib.undoResolve(r.resolution!)).rejects.toThrow(/undone already/);
  });

  it('keeps the keeper\'s own caption and position, and leaves a part edited since the resolution as it is on undo', async () => {
    const f = await fixture();
    const { lib } = f;
    const [a, b] = [f.id('a.jpg'), f.id('b.jpg')];
    lib.editPhotos([a], { caption: 'Mine' });
    setGps(lib, a, 10, 20);
    lib.editPhotos([b], { caption: 'Theirs', addTags: ['beach'] });
    setGps(lib, b, 30, 40);
    const r = await lib.resolveDuplicates(groupOf(lib, a).id, [a, f.id('sub/c.jpg')]);
    expect(r.putAway.map((p) => p.id)).toEqual([b]);
    expect(r.groups[0]!.merged).toEqual({ tags: ['beach'], caption: null, gps: null, place: null });
    expect(userCaption(lib, a)).toBe('Mine');
    expect(gps(lib, a)).toEqual({ lat: 10, lon: 20 });
    // Edited since: the tags stay as the user left them; the caption (untouched) is as before anyway.
    lib.editPhotos([a], { addTags: ['later'] });
    const u = await lib.undoResolve();
    expect(u.restored.map((p) => p.id)).toEqual([b]);
    expect(u.left).toEqual([`photo ${a}'s tags were edited since: left as it is`]);
    expect(userTags(lib, a)).toEqual(['beach', 'later']);
    expect(userCaption(lib, a)).toBe('Mine');
  });

  it('refuses a group that is gone or changed, a keep list that is empty, not of the group or all of it', async () => {
    const f = await fixture();
    const { lib } = f;
    const [a, b, c, d] = [f.id('a.jpg'), f.id('b.jpg'), f.id('sub/c.jpg'), f.id('d.jpg')];
    const g = groupOf(lib, a);
    await expect(lib.resolveDuplicates(g.id, [])).rejects.toThrow(/at least one photo/);
    await expect(lib.resolveDuplicates(g.id, [d])).rejects.toThrow(new RegExp(`photo ${d} is not in group ${g.id}`));
    await expect(lib.resolveDuplicates(g.id, [a, b, c])).rejects.toThrow(/puts nothing away/);
    await expect(lib.resolveDuplicates('exact-999999', [a])).rejects.toThrow(/no duplicate group exact-999999/);
    await expect(lib.resolveDuplicates(g.id, [a], [a, b])).rejects.toThrow(/changed since it was shown/);
    await expect(lib.resolveDuplicates('nonsense', [a])).rejects.toThrow(/not a duplicate group/);
    // Nothing moved, nothing recorded.
    expect(trashFiles(f.trashDir)).toEqual([]);
    expect(lib.resolutions()).toEqual([]);
    expect([a, b, c].some((id) => missing(lib, id))).toBe(false);
  });

  it('leaves a file that changed since it was read where it is, and puts the rest away', async () => {
    const f = await fixture();
    const { lib } = f;
    const [a, b, c] = [f.id('a.jpg'), f.id('b.jpg'), f.id('sub/c.jpg')];
    const g = groupOf(lib, a);
    fs.appendFileSync(path.join(f.photos, 'b.jpg'), Buffer.from('edited elsewhere'));
    const r = await lib.resolveDuplicates(g.id, [a]);
    expect(r.putAway.map((p) => p.id)).toEqual([c]);
    expect(r.failed).toEqual([{ id: b, path: path.join(f.photos, 'b.jpg'), reason: expect.stringMatching(/not the \d+ the library knows; scan it again first/) }]);
    expect(fs.existsSync(path.join(f.photos, 'b.jpg'))).toBe(true);
    expect(missing(lib, b)).toBe(false);
    expect(missing(lib, c)).toBe(true);
  });

  it('undo after the trash was emptied of one file brings back the rest and keeps the keeper\'s merge', async () => {
    const f = await fixture();
    const { lib } = f;
    const [a, b, c] = [f.id('a.jpg'), f.id('b.jpg'), f.id('sub/c.jpg')];
    lib.editPhotos([c], { addTags: ['only-on-c'] });
    const r = await lib.resolveDuplicates(groupOf(lib, a).id, [a]);
    fs.rmSync(path.join(f.trashDir, 'c.jpg'));
    const u = await lib.undoResolve(r.resolution!);
    expect(u.restored.map((p) => p.id)).toEqual([b]);
    expect(u.notRestored).toEqual([{ id: c, path: path.join(f.photos, 'sub', 'c.jpg'), reason: expect.stringMatching(/no longer in the trash/) }]);
    expect(u.keepersRestored).toEqual([]);
    expect(u.left[0]).toMatch(/keeps what it gained/);
    // c's tag lives on, on the keeper; b is back.
    expect(userTags(lib, a)).toEqual(['only-on-c']);
    expect(missing(lib, b)).toBe(false);
    // The photo that cannot come back is no longer kept from the purge.
    await lib.scan();
    expect(rowExists(lib, c)).toBe(false);
    expect(rowExists(lib, b)).toBe(true);
  });

  it('counts a file put back by hand as restored', async () => {
    const f = await fixture();
    const { lib } = f;
    const [a, b] = [f.id('a.jpg'), f.id('b.jpg')];
    const r = await lib.resolveDuplicates(groupOf(lib, a).id, [a, f.id('sub/c.jpg')]);
    fs.renameSync(path.join(f.trashDir, 'b.jpg'), path.join(f.photos, 'b.jpg'));
    const u = await lib.undoResolve(r.resolution!);
    expect(u.restored.map((p) => p.id)).toEqual([b]);
    expect(missing(lib, b)).toBe(false);
  });

  it('the generic undo refuses while a resolution is newer than the last edit, and undoes edits again after', async () => {
    const f = await fixture();
    const { lib } = f;
    const a = f.id('a.jpg');
    lib.editPhotos([a], { addTags: ['before'] });
    const r = await lib.resolveDuplicates(groupOf(lib, a).id, [a]);
    expect(() => lib.undo()).toThrow(new RegExp(`resolving duplicates .*shoebox duplicates undo ${r.resolution}`));
    // The CLI's path (Edits on the catalog) refuses alike.
    expect(() => new Edits(lib.repos).undo()).toThrow(/resolving duplicates/);
    // An edit after the resolution is undone as usual.
    lib.editPhotos([a], { addTags: ['after'] });
    expect(lib.undo()?.summary).toMatch(/Undid: Added “after”/);
    expect(() => lib.undo()).toThrow(/resolving duplicates/);
    await lib.undoResolve(r.resolution!);
    expect(lib.undo()?.summary).toMatch(/Undid: Added “before”/);
  });

  it('the purge deletes put-away photos once the resolution is final, and undo refuses it', async () => {
    const f = await fixture();
    const { lib } = f;
    const [a, b] = [f.id('a.jpg'), f.id('b.jpg')];
    const r = await lib.resolveDuplicates(groupOf(lib, a).id, [a, f.id('sub/c.jpg')]);
    lib.db.prepare('UPDATE resolutions SET created_at = created_at - ? WHERE id = ?').run(UNDO_MS + 1000, r.resolution);
    expect(lib.resolutions()[0]).toMatchObject({ state: 'final', undoable: false });
    await expect(lib.undoResolve(r.resolution!)).rejects.toThrow(/older than 30 days and final/);
    expect(() => lib.undo()).not.toThrow(/resolving/);
    await lib.scan();
    expect(rowExists(lib, b)).toBe(false);
    expect(trashFiles(f.trashDir)).toEqual(['b.jpg']);
  });

  it('resolves every exact group at once, in one resolution that one undo reverses', async () => {
    const f = await fixture();
    const { lib } = f;
    const before = gridIds(lib).length;
    const exact = lib.duplicateGroups({ kind: 'exact' });
    expect(exact).toHaveLength(2);
    const r = await lib.resolveAllExact();
    expect(r.groups.map((g) => g.group).sort()).toEqual(exact.map((g) => g.id).sort());
    expect(r.putAway).toHaveLength(3);
    expect(r.groups.map((g) => g.keeper).sort()).toEqual(exact.map((g) => g.keeper).sort());
    expect(gridIds(lib)).toHaveLength(before - 3);
    expect(lib.duplicateGroups({ kind: 'exact' })).toEqual([]);
    expect(lib.resolutions()).toHaveLength(1);
    const u = await lib.undoResolve();
    expect(u.restored).toHaveLength(3);
    expect(gridIds(lib)).toHaveLength(before);
    expect(lib.duplicateGroups({ kind: 'exact' }).map((g) => g.id).sort()).toEqual(exact.map((g) => g.id).sort());
    // Nothing left to resolve the second time round is said, not an error.
    await lib.resolveAllExact();
    const again = await lib.resolveAllExact();
    expect(again).toMatchObject({ resolution: null, summary: 'No duplicates to resolve' });
  });

  it('refuses to resolve without a trash', async () => {
    const f = await fixture();
    await f.lib.close();
    open.splice(0);
    const lib = Library.open({ dataDir: f.dataDir });
    open.push(lib);
    const a = lib.catalog.photoByPath(path.join(f.photos, 'a.jpg'))!.id;
    await expect(lib.resolveDuplicates(groupOf(lib, a).id, [a])).rejects.toThrow(/no trash/);
    expect(missing(lib, a)).toBe(false);
  });
});

describe('a kill while resolving, settled on the next open', () => {
  /** Resolves a's group keeping a, killed at `point`; then opens the library again. */
  async function killedAt(point: 'intent' | 'moved' | 'recorded') {
    const f = await fixture();
    const [a, b, c] = [f.id('a.jpg'), f.id('b.jpg'), f.id('sub/c.jpg')];
    f.lib.editPhotos([b], { addTags: ['from-b'] });
    f.lib.editPhotos([c], { addTags: ['from-c'] });
    const g = groupOf(f.lib, a);
    injectResolveCrash(point);
    await expect(f.lib.resolveDuplicates(g.id, [a])).rejects.toThrow(SimulatedKill);
    await f.lib.close();
    open.splice(0);
    const lib = openLib(f.dataDir, f.trashDir);
    expect(await lib.recoverResolutions()).toBe(0); // the open settled it already (recovery runs first)
    const files = ['b.jpg', path.join('sub', 'c.jpg')].map((n) => fs.existsSync(path.join(f.photos, n)));
    return { f, lib, a, b, c, files };
  }

  /** Each file once: at its path or in the trash, never both, never neither. */
  function eachOnce(f: Fixture, names: string[]): void {
    const inTrash = trashFiles(f.trashDir);
    for (const n of names) expect(Number(fs.existsSync(path.join(f.photos, n))) + Number(inTrash.includes(path.basename(n))), n).toBe(1);
  }

  it('after the intent, before any file moved: nothing is put away and the merge is undone', async () => {
    const { f, lib, a, b, c, files } = await killedAt('intent');
    expect(files).toEqual([true, true]);
    eachOnce(f, ['b.jpg', 'sub/c.jpg']);
    expect(lib.resolutions()[0]).toMatchObject({ state: 'failed', undoable: false });
    expect(missing(lib, b) || missing(lib, c)).toBe(false);
    expect(userTags(lib, a)).toEqual([]);
    expect(groupOf(lib, a).photos).toHaveLength(3);
  });

  it('after a file moved, before it was recorded: it counts as put away, the rest stays, and undo brings it back', async () => {
    const { f, lib, a, b, c, files } = await killedAt('moved');
    expect(files).toEqual([false, true]);
    eachOnce(f, ['b.jpg', 'sub/c.jpg']);
    const [res] = lib.resolutions();
    expect(res).toMatchObject({ state: 'done', undoable: true });
    expect(res!.groups[0]!.photos.map((p) => [p.id, p.state])).toEqual([[b, 'trashed'], [c, 'kept']]);
    expect(missing(lib, b)).toBe(true);
    expect(missing(lib, c)).toBe(false);
    expect(userTags(lib, a)).toEqual(['from-b', 'from-c']);
    const u = await lib.undoResolve(res!.id);
    expect(u.restored.map((p) => p.id)).toEqual([b]);
    eachOnce(f, ['b.jpg', 'sub/c.jpg']);
    expect(fs.existsSync(path.join(f.photos, 'b.jpg'))).toBe(true);
    expect(userTags(lib, a)).toEqual([]);
    expect(lib.db.prepare('SELECT COUNT(*) FROM photos').pluck().get()).toBe(6);
  });

  it('after the first file was recorded: it is put away, the second is not, and nothing is twice', async () => {
    const { f, lib, b, c, files } = await killedAt('recorded');
    expect(files).toEqual([false, true]);
    eachOnce(f, ['b.jpg', 'sub/c.jpg']);
    const [res] = lib.resolutions();
    expect(res!.groups[0]!.photos.map((p) => [p.id, p.state])).toEqual([[b, 'trashed'], [c, 'kept']]);
    // The trash's own record was kept: undo restores from its location.
    expect(res!.state).toBe('done');
    await lib.undoResolve(res!.id);
    eachOnce(f, ['b.jpg', 'sub/c.jpg']);
    expect(missing(lib, b) || missing(lib, c)).toBe(false);
  });
});
