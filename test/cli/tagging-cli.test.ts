// Tagging at scale from the command line (issue 11), as a user runs it: `tags add|remove` on many photos
// (named, searched, filtered; --dry-run), the vocabulary (`tags list|rename|merge|delete`), suggestions
// reviewed in bulk, `rate`, `label`, `undo` (of an edit the window made, beside the running engine), and what
// `list --json` and `export` carry. Six photos (three dated July 2019 in Photos/2019, three March 2023 in
// Photos/2023: red, green and blue each), indexed once with the fixture models, whose zero-shot tags
// suggest "clear blue sky" for the two blue ones.
//
// The tests run in order on that one library; each leaves it as the next expects (most undo what they did).
// In-process (main(argv, io)); one subprocess run (`rate … -1` with sidecars on) proves the real command.
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { shoebox, shoeboxProcess, type CliRun } from '../helpers/cli.ts';
import { Library } from '../../src/main/core/library.ts';
import { createApi } from '../../src/main/core/handlers/methods.ts';
import type { PhotoSummary } from '../../src/shared/types.ts';
import type { TagNode } from '../../src/main/cli/tagging-commands.ts';

let root = '';
let models = '';
let data = '';
let photos = '';
const exiftool = new ExifTool({ maxProcs: 1 });
afterAll(() => exiftool.end());

const NAMES = ['red-porto', 'green-porto', 'blue-porto', 'red-home', 'green-home', 'blue-home'] as const;
type Name = (typeof NAMES)[number];
const file = (n: Name) => path.join(photos, n.endsWith('porto') ? '2019' : '2023', `${n}.jpg`);
const ids = new Map<Name, number>();
const id = (n: Name) => String(ids.get(n)!);

const sb = (...args: string[]): Promise<CliRun> => shoebox(['--data', data, '--models', models, ...args]);
async function ok(...args: string[]): Promise<string> {
  const r = await sb(...args);
  expect(r.code, `shoebox ${args.join(' ')}\n${r.err}`).toBe(0);
  return r.out;
}
async function listed(): Promise<Map<Name, PhotoSummary>> {
  const all = JSON.parse(await ok('list', '--json')) as PhotoSummary[];
  return new Map(all.map((p) => [path.basename(p.path, '.jpg') as Name, p]));
}
async function tagsOf(n: Name): Promise<string[]> {
  return (await listed()).get(n)!.tags;
}
async function undoCount(): Promise<number> {
  return (JSON.parse(await ok('undo', '--list', '--json')) as unknown[]).length;
}

beforeAll(async () => {
  root = tempDir();
  models = path.join(root, 'models');
  data = path.join(root, 'data');
  photos = path.join(root, 'Photos');
  await writeFixtureModels(models);
  const colours = { red: { r: 215, g: 30, b: 30 }, green: { r: 30, g: 190, b: 40 }, blue: { r: 30, g: 40, b: 210 } };
  for (const [i, n] of NAMES.entries()) {
    const day = String((i % 3) + 1).padStart(2, '0');
    await makeJpeg(file(n), { color: colours[n.split('-')[0] as keyof typeof colours], width: 200, height: 150, seed: i + 1, takenAt: n.endsWith('porto') ? `2019:07:${day} 10:00:00` : `2023:03:${day} 10:00:00` });
  }
  expect((await sb('add', photos)).code).toBe(0);
  const index = await sb('index');
  expect(index.code, index.err).toBe(0);
  for (const [n, p] of await listed()) ids.set(n, p.id);
});

describe('shoebox tags, suggestions, rate, label and undo', () => {
  it('lists the new commands in help', async () => {
    const help = await ok('help');
    for (const cmd of ['tags add', 'tags remove', 'tags list', 'tags rename', 'tags merge', 'tags delete', 'suggestions', 'rate', 'label', 'undo', 'undo --list']) {
      expect(help).toContain(`  ${cmd}`);
    }
    expect(help).toContain('--dry-run');
  });

  it('tags several photos by path and id, with quoted commas and levels, in one edit that undo takes back', async () => {
    const out = await ok('tags', 'add', file('red-porto'), id('blue-porto'), '"Smith, John", beach', 'Places|Portugal|Porto');
    expect(out).toBe('Added “Smith, John”, “beach” and “Places|Portugal|Porto” to 2 photos\n');
    expect(await tagsOf('red-porto')).toEqual(['Places|Portugal|Porto', 'Smith, John', 'beach']);
    expect(await tagsOf('blue-porto')).toEqual(['Places|Portugal|Porto', 'Smith, John', 'beach']);
    expect(await tagsOf('green-porto')).toEqual([]);

    const history = JSON.parse(await ok('undo', '--list', '--json')) as { summary: string; photos: number; next: boolean; undoneAt: number | null }[];
    expect(history[0]).toMatchObject({ summary: 'Added “Smith, John”, “beach” and “Places|Portugal|Porto” to 2 photos', photos: 2, next: true, undoneAt: null });
    expect(await ok('undo', '--list')).toMatch(/^#\d+ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}Added “Smith, John”.* ← `shoebox undo` undoes this\n/);

    expect(await ok('undo')).toBe('Undid: Added “Smith, John”, “beach” and “Places|Portugal|Porto” to 2 photos\n');
    expect(await tagsOf('red-porto')).toEqual([]);
    expect(await tagsOf('blue-porto')).toEqual([]);
    expect(await ok('undo', '--list')).toMatch(/Added “Smith, John”.*\(undone /);

    // Nothing left to undo: said, and exit 1 (as `git stash pop` and `hg rollback` do).
    const none = await sb('undo');
    expect(none).toMatchObject({ code: 1, out: '' });
    expect(none.err).toBe('shoebox: nothing to undo\n');

    // An edit's result as JSON.
    const json = JSON.parse(await ok('tags', 'add', id('green-porto'), 'moss', '--json'));
    expect(json).toEqual({ editId: expect.any(Number), summary: 'Added “moss” to 1 photo', photos: 1, ids: [ids.get('green-porto')] });
    expect(await ok('tags', 'add', id('green-porto'), 'moss')).toBe('Nothing to change: the photo is already so (added “moss”)\n');
    expect(await ok('tags', 'remove', id('green-porto'), 'moss')).toBe('Removed “moss” from 1 photo\n');
    await ok('undo');
    expect(await ok('undo')).toBe('Undid: Added “moss” to 1 photo\n');
  });

  it('picks photos by dates, folder, tag, rating and search; --dry-run lists them and changes nothing', async () => {
    const before = await undoCount();
    const dry = await ok('tags', 'add', 'Portugal 2019', '--from', '2019-07', '--to', '2019-07', '--dry-run');
    expect(dry.trim().split('\n')).toEqual([
      // The grid's order: newest first.
      `${id('blue-porto')}\t${file('blue-porto')}`,
      `${id('green-porto')}\t${file('green-porto')}`,
      `${id('red-porto')}\t${file('red-porto')}`,
      'dry run, nothing was changed: Added “Portugal 2019” to 3 photos',
    ]);
    expect(await tagsOf('red-porto')).toEqual([]);
    expect(await undoCount()).toBe(before);

    expect(await ok('tags', 'add', 'Portugal 2019', '--from', '2019-07-01', '--to', '2019-07-31')).toBe('Added “Portugal 2019” to 3 photos\n');
    expect(await ok('tags', 'add', 'home', '--folder', path.join(photos, '2023'))).toBe('Added “home” to 3 photos\n');
    // A dry run marks the photos the edit would leave as they are.
    const again = await ok('tags', 'add', 'Portugal 2019', '--folder', photos, '--dry-run');
    expect(again).toContain(`${id('red-porto')}\t${file('red-porto')}\t(no change)\n`);
    expect(again).toContain(`${id('red-home')}\t${file('red-home')}\n`);
    expect(again).toMatch(/dry run, nothing was changed: Added “Portugal 2019” to 3 photos \(6 photos picked\)\n$/);

    // A search: its first --limit hits, as `search` ranks them, narrowed by the filters too.
    const reds = JSON.parse(await ok('tags', 'add', 'red', '--search', 'a photo of something red', '--limit', '2', '--dry-run', '--json'));
    expect(reds).toMatchObject({ dryRun: true, editId: null, summary: 'Added “red” to 2 photos', photos: 2 });
    expect(reds.selected.map((p: { path: string }) => path.basename(p.path)).sort()).toEqual(['red-home.jpg', 'red-porto.jpg']);
    const inPorto = JSON.parse(await ok('tags', 'add', 'red', '--search', 'a photo of something red', '--tag', 'Portugal 2019', '--dry-run', '--json'));
    expect(path.basename(inPorto.selected[0].path)).toBe('red-porto.jpg');
    expect(inPorto.selected.map((p: { path: string }) => path.dirname(p.path))).toEqual(inPorto.selected.map(() => path.join(photos, '2019')));
    expect(await ok('tags', 'add', 'red', '--search', 'a photo of something red', '--limit', '2')).toBe('Added “red” to 2 photos\n');

    // --rating: at least that many stars.
    expect(await ok('rate', '4', '--tag', 'Portugal 2019', '--search', 'red', '--limit', '1')).toBe('Rated 1 photo 4 stars\n');
    expect(await ok('rate', id('green-home'), '5')).toBe('Rated 1 photo 5 stars\n');
    expect(await ok('tags', 'add', 'best', '--rating', '4')).toBe('Added “best” to 2 photos\n');
    expect((await listed()).get('red-porto')!.tags).toContain('best');
    expect((await listed()).get('green-home')!.tags).toContain('best');
    expect(await ok('tags', 'remove', 'best', '--rating', '>=5')).toBe('Removed “best” from 1 photo\n');

    // Undo's dry run says what it would undo and keeps it.
    expect(await ok('undo', '--dry-run')).toBe(`${id('green-home')}\t${file('green-home')}\ndry run, nothing was changed: Undid: Removed “best” from 1 photo\n`);
    expect(await tagsOf('green-home')).not.toContain('best');
    for (let i = 0; i < 7; i++) await ok('undo');
    for (const n of NAMES) expect(await tagsOf(n), n).toEqual([]);
    expect((await listed()).get('green-home')!.rating).toBeNull();
  });

  it('lists the vocabulary with counts by source, as a tree with parents counting their photos once, and as JSON', async () => {
    await ok('tags', 'add', file('red-porto'), file('blue-porto'), 'Places|Portugal|Porto');
    await ok('tags', 'add', file('red-porto'), 'Places|Portugal|Lisbon');
    await ok('tags', 'add', file('green-porto'), 'Places|Portugal', 'beach');

    const flat = JSON.parse(await ok('tags', 'list', '--json')) as { tag: string; count: number; suggested: number }[];
    expect(flat).toContainEqual({ tag: 'Places|Portugal|Porto', count: 2, suggested: 0 });
    expect(flat).toContainEqual({ tag: 'Places|Portugal', count: 1, suggested: 0 });
    expect(flat).toContainEqual({ tag: 'clear blue sky', count: 0, suggested: 2 });
    const text = await ok('tags', 'list');
    expect(text.split('\n')[0]).toBe(' yours suggested  tag');
    expect(text).toContain('     2         0  Places|Portugal|Porto\n');
    expect(text).toContain('     0         2  clear blue sky\n');

    const tree = JSON.parse(await ok('tags', 'list', '--tree', '--json')) as TagNode[];
    const places = tree.find((n) => n.name === 'Places')!;
    // Red has Porto and Lisbon, blue Porto, green Portugal itself: three photos, each counted once.
    expect(places).toMatchObject({ tag: 'Places', count: 3, suggested: 0, own: null });
    const portugal = places.children[0]!;
    expect(portugal).toMatchObject({ name: 'Portugal', tag: 'Places|Portugal', count: 3, own: { count: 1, suggested: 0 } });
    expect(portugal.children.map((c) => [c.name, c.count])).toEqual([
      ['Lisbon', 1],
      ['Porto', 2],
    ]);
    expect(tree.find((n) => n.name === 'clear blue sky')).toMatchObject({ count: 0, suggested: 2, own: { count: 0, suggested: 2 }, children: [] });

    const indented = await ok('tags', 'list', '--tree');
    expect(indented).toContain(['     3         0  Places', '     3         0    Portugal', '     1         0      Lisbon', '     2         0      Porto', ''].join('\n'));
    expect(indented).toMatch(/^ {5}1 {9}0 {2}beach$/m);
  });

  it('renames, moves, merges and deletes tags library-wide, each one undo step, and says what it cannot do', async () => {
    expect(await ok('tags', 'rename', 'Places|Portugal|Porto', 'Places|Portugal|Oporto')).toBe('Renamed “Places|Portugal|Porto” to “Places|Portugal|Oporto” on 2 photos\n');
    expect(await ok('tags', 'rename', 'beach', 'Places|Beach')).toBe('Moved “beach” to “Places|Beach” on 1 photo\n');
    expect(await tagsOf('green-porto')).toEqual(['Places|Beach', 'Places|Portugal']);
    // Into an existing tag: merged.
    expect(await ok('tags', 'rename', 'Places|Portugal|Lisbon', 'Places|Portugal|Oporto')).toBe('Merged “Places|Portugal|Lisbon” into “Places|Portugal|Oporto” on 1 photo\n');
    expect(await tagsOf('red-porto')).toEqual(['Places|Portugal|Oporto']);

    await ok('tags', 'add', file('red-home'), 'seaside');
    const merging = (['green-porto', 'red-home'] as Name[]).sort((a, b) => ids.get(a)! - ids.get(b)!);
    expect(await ok('tags', 'merge', 'Places|Beach', 'seaside', '--into', 'Coast', '--dry-run')).toBe(
      `${merging.map((n) => `${id(n)}\t${file(n)}\n`).join('')}dry run, nothing was changed: Merged “Places|Beach” and “seaside” into “Coast” on 2 photos\n`,
    );
    expect(await ok('tags', 'merge', 'Places|Beach', 'seaside', '--into', 'Coast')).toBe('Merged “Places|Beach” and “seaside” into “Coast” on 2 photos\n');
    expect(await tagsOf('red-home')).toEqual(['Coast']);

    // Delete asks nothing, says how many photos, and is undone like any edit.
    expect(await ok('tags', 'delete', 'Places')).toBe('Removed “Places” and the tags under it from 3 photos\n');
    expect(await tagsOf('green-porto')).toEqual(['Coast']);
    expect(await ok('undo')).toBe('Undid: Removed “Places” and the tags under it from 3 photos\n');
    expect(await tagsOf('green-porto')).toEqual(['Coast', 'Places|Portugal']);

    // A comma needs quotes, as when adding.
    await ok('tags', 'add', file('blue-home'), '"Smith, John"');
    const unquoted = await sb('tags', 'rename', 'Smith, John', 'John Smith');
    expect(unquoted.code).toBe(2);
    expect(unquoted.err).toMatch(/^shoebox: the tag to rename names 2 tags \(Smith \/ John\): commas separate tags; quote a tag that holds one: '"Smith, John"'\n/);
    expect(await ok('tags', 'rename', '"Smith, John"', 'John Smith')).toBe('Renamed “Smith, John” to “John Smith” on 1 photo\n');

    // What cannot be done: a tag no photo has (with the paths it may mean), a move under itself, no --into.
    const missing = await sb('tags', 'rename', 'Oporto', 'Porto');
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toBe('shoebox: No photo has “Oporto” (did you mean “Places|Portugal|Oporto”? A tag under another is named by its path)\n');
    expect(await sb('tags', 'delete', 'nothing-like-it')).toMatchObject({ code: 1, err: 'shoebox: No photo has “nothing-like-it” (see `shoebox tags list`)\n' });
    const under = await sb('tags', 'rename', 'Places', 'Places|Portugal|Places');
    expect(under).toMatchObject({ code: 1, err: 'shoebox: cannot move “Places” under itself (to “Places|Portugal|Places”)\n' });
    const noInto = await sb('tags', 'merge', 'Coast', 'home');
    expect(noInto.code).toBe(2);
    expect(noInto.err).toMatch(/^shoebox: tags merge needs --into <tag>/);
    expect(noInto.err).toContain('shoebox tags merge <tag>... --into <tag>');
    expect((await sb('tags', 'list', '--into', 'x')).err).toMatch(/^shoebox: --into does not apply to 'tags list'/);

    // This test's seven edits and the previous one's three.
    for (let i = 0; i < 10; i++) await ok('undo');
    for (const n of NAMES) expect(await tagsOf(n), n).toEqual([]);
  });

  it('lists suggestions, reviews one tag, rejects the wrong photos and accepts the rest', async () => {
    const list = JSON.parse(await ok('suggestions', '--json')) as { tag: string; photos: number; strong: number; likely: number }[];
    const sky = list.find((s) => s.tag === 'clear blue sky')!;
    expect(sky.photos).toBe(2);
    expect(sky.strong + sky.likely).toBe(2);
    expect(await ok('suggestions')).toMatch(/^photos strong likely {2}tag\n {5}2 +\d +\d {2}clear blue sky\n/);

    const review = await sb('suggestions', 'clear blue sky');
    expect(review.code).toBe(0);
    const rows = review.out.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[1]).sort()).toEqual([file('blue-home'), file('blue-porto')].sort());
    for (const r of rows) expect(r[3]).toMatch(/^(strong|likely)$/);
    expect(review.err).toMatch(/^“clear blue sky” is suggested for 2 photos \(\d strong, \d likely\)/);
    const reviewJson = JSON.parse(await ok('suggestions', 'clear blue sky', '--json', '--folder', path.join(photos, '2023')));
    expect(reviewJson).toEqual([{ id: ids.get('blue-home'), path: file('blue-home'), score: expect.any(Number), strength: expect.stringMatching(/strong|likely/) }]);

    expect(await ok('suggestions', 'clear blue sky', '--reject', '--photos', id('blue-home'), '--dry-run')).toBe(
      `${id('blue-home')}\t${file('blue-home')}\ndry run, nothing was changed: Rejected “clear blue sky” on 1 photo\n`,
    );
    expect(await ok('suggestions', 'clear blue sky', '--reject', '--photos', id('blue-home'))).toBe('Rejected “clear blue sky” on 1 photo\n');
    expect(await ok('suggestions', 'clear blue sky', '--accept')).toBe('Accepted “clear blue sky” on 1 photo\n');
    const after = await listed();
    expect(after.get('blue-porto')).toMatchObject({ tags: ['clear blue sky'], suggested: [] });
    expect(after.get('blue-home')).toMatchObject({ tags: [], suggested: [] });
    expect(JSON.parse(await ok('suggestions', '--json'))).toEqual([]);

    const none = await sb('suggestions', 'clear blue sky', '--accept');
    expect(none).toMatchObject({ code: 1, err: 'shoebox: “clear blue sky” is not suggested for any photo (see `shoebox suggestions`)\n' });
    expect((await sb('suggestions', 'clear blue sky', '--accept', '--reject')).code).toBe(2);
    expect((await sb('suggestions', 'clear blue sky', '--accept', '--photos', 'nope.jpg')).err).toMatch(/^shoebox: not in the library: .*nope\.jpg\n$/);

    expect(await ok('undo')).toBe('Undid: Accepted “clear blue sky” on 1 photo\n');
    expect(await ok('undo')).toBe('Undid: Rejected “clear blue sky” on 1 photo\n');
    expect((JSON.parse(await ok('suggestions', '--json')) as { tag: string; photos: number }[]).find((s) => s.tag === 'clear blue sky')?.photos).toBe(2);
  });

  it('rates and labels photos, clears both, and refuses bad values and unknown photos with clear messages', async () => {
    expect(await ok('rate', file('red-porto'), id('green-home'), '5')).toBe('Rated 2 photos 5 stars\n');
    expect(await ok('rate', id('blue-home'), 'reject')).toBe('Marked 1 photo rejected\n');
    expect(await ok('rate', id('blue-porto'), '-1')).toBe('Marked 1 photo rejected\n');
    expect(await ok('rate', id('blue-porto'), '--clear')).toBe('Cleared the rating of 1 photo\n');
    expect(await ok('label', file('red-porto'), 'red')).toBe('Labelled 1 photo “Red”\n');
    expect(await ok('label', 'Purple', '--rating', '5')).toBe('Labelled 2 photos “Purple”\n');
    expect(await ok('label', id('green-home'), '--clear')).toBe('Cleared the label of 1 photo\n');
    const p = await listed();
    expect(p.get('red-porto')).toMatchObject({ rating: 5, label: 'Purple' });
    expect(p.get('green-home')).toMatchObject({ rating: 5, label: null });
    expect(p.get('blue-home')).toMatchObject({ rating: -1, label: null });
    expect(p.get('blue-porto')).toMatchObject({ rating: null });
    const line = (await ok('list')).split('\n').find((l) => l.includes('red-porto'))!;
    expect(line).toMatch(/\t"a photo of something red" ★★★★★ label:Purple$/);
    // --label picks photos too; list takes the same filters.
    expect((JSON.parse(await ok('list', '--json', '--label', 'purple', '--rating', '5')) as PhotoSummary[]).map((x) => x.id)).toEqual([ids.get('red-porto')]);

    const bad = await sb('rate', file('red-porto'), '7');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^shoebox: a rating is 0 to 5 stars, or reject \(-1\); not "7"\n\nUsage:\n {2}shoebox rate <photo>\.\.\. <0-5\|reject>/);
    expect((await sb('label', file('red-porto'), 'orange')).err).toMatch(/^shoebox: a colour label is one of Red, Yellow, Green, Blue, Purple \(Lightroom's\); not "orange"/);
    expect((await sb('tags', 'add', 'x', '--rating', '6')).err).toMatch(/^shoebox: --rating takes 0 to 5/);
    const unknown = await sb('rate', path.join(photos, 'nope.jpg'), '3');
    expect(unknown).toMatchObject({ code: 1, err: `shoebox: not in the library: ${path.join(photos, 'nope.jpg')}\n` });
    expect(await sb('tags', 'add', '99999', 'x')).toMatchObject({ code: 1, err: 'shoebox: not in the library: photo 99999 (name photos first, then the tags; or pick photos with --search or a filter)\n' });
    expect(await sb('rate', '3', '--tag', 'no such tag')).toMatchObject({ code: 1, err: 'shoebox: no photos match --tag "no such tag"\n' });
    expect((await sb('rate', id('red-porto'))).code).toBe(2);
    expect((await sb('rate', id('red-porto'), '3', '--tree')).err).toMatch(/^shoebox: --tree does not apply to 'rate'/);

    // Photos, then tags: a tag that is a file name or a photo's id is refused or needs `--`.
    const typo = await sb('tags', 'add', id('red-porto'), 'IMG_404.jpg', 'x');
    expect(typo).toMatchObject({ code: 1 });
    expect(typo.err).toMatch(/^shoebox: not in the library: .*IMG_404\.jpg \(photos come first, then the tags; put -- before a tag that looks like a file name\)/);
    const numeric = await sb('tags', 'add', id('red-porto'), id('blue-porto'));
    expect(numeric.code).toBe(2);
    expect(numeric.err).toMatch(/^shoebox: tags add needs tags after the photos \(a number after the photos is read as a photo id .*put -- before tags such as 2019\)/);
    expect(await ok('tags', 'add', id('red-porto'), '--', id('blue-porto'))).toBe(`Added “${id('blue-porto')}” to 1 photo\n`);
    const both = await sb('tags', 'add', 'x', file('red-porto'), '--folder', photos);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/is a photo: name photos or pick them with --folder .*, not both/);
    expect((await sb('tags', 'add', id('red-porto'), '"open quote')).err).toMatch(/^shoebox: A quote is not closed in the tag list/);

    for (let i = 0; i < 8; i++) await ok('undo');
    const back = await listed();
    for (const n of NAMES) expect(back.get(n), n).toMatchObject({ rating: null, label: null, tags: [] });
  });

  it('undoes an edit the window made, while the engine runs, and edits beside it', async () => {
    const lib = Library.open({ dataDir: data, modelsDir: models });
    const api = createApi(lib);
    try {
      // The window's selection bar: one editPhotos call through the handlers.
      const r = await api.handlers.editPhotos({ ids: [ids.get('red-home')!, ids.get('green-home')!], addTags: ['Family|Mia'], rating: 3 });
      expect(r.summary).toBe('Edited 2 photos: added “Family|Mia”, rated 3 stars');
      expect(await tagsOf('red-home')).toEqual(['Family|Mia']);
      // The CLI beside it: its own edit, then two undos (its own and the window's).
      expect(await ok('tags', 'add', 'Family', '--folder', path.join(photos, '2023'))).toBe('Added “Family” to 3 photos\n');
      expect(await ok('undo')).toBe('Undid: Added “Family” to 3 photos\n');
      expect(await ok('undo')).toBe('Undid: Edited 2 photos: added “Family|Mia”, rated 3 stars\n');
      expect(lib.catalog.details(ids.get('red-home')!)).toMatchObject({ tags: [], rating: null });
      // And the window's undo sees the CLI's edits.
      await ok('rate', id('red-home'), '2');
      expect((await api.handlers.undo())?.summary).toBe('Undid: Rated 1 photo 2 stars');
    } finally {
      api.close();
      await lib.close();
    }
  });

  it('list --json and export carry rating, label, hierarchical tags and whose each tag is', async () => {
    await ok('tags', 'add', file('blue-home'), 'Places|Portugal|Porto', 'beach');
    await ok('rate', file('blue-home'), '4');
    await ok('label', file('blue-home'), 'Green');
    const p = (await listed()).get('blue-home')!;
    expect(p).toMatchObject({ tags: ['Places|Portugal|Porto', 'beach'], suggested: ['clear blue sky'], rating: 4, label: 'Green', caption: 'a photo of something blue' });

    const rows = JSON.parse(await ok('export', '--format', 'json')) as Record<string, unknown>[];
    const row = rows.find((r) => r.path === file('blue-home'))!;
    // The fields export had, as they were; then the new ones.
    expect(Object.keys(row)).toEqual(['path', 'takenAt', 'caption', 'autoCaption', 'tags', 'id', 'rating', 'label', 'userTags', 'suggestedTags', 'place', 'text']);
    expect(row).toMatchObject({ takenAt: '2023-03-03T10:00:00', id: ids.get('blue-home'), rating: 4, label: 'Green', userTags: ['Places|Portugal|Porto', 'beach'], suggestedTags: ['clear blue sky'] });
    expect(row.tags).toEqual([
      { tag: 'Places|Portugal|Porto', source: 'user', score: null, suggested: false },
      { tag: 'beach', source: 'user', score: null, suggested: false },
      { tag: 'clear blue sky', source: 'auto', score: expect.any(Number), suggested: true },
    ]);

    const csv = (await ok('export')).trim().split('\n');
    expect(csv[0]).toBe(
      'path,taken_at,caption,caption_source,caption_score,low_confidence,caption_model,caption_revision,caption_task,caption_created_at,auto_caption,tags,tag_scores,user_tags,suggested_tags,rating,label,id,city,region,country,country_code,place_source,text_in_photo',
    );
    const line = csv.find((l) => l.startsWith(file('blue-home')))!;
    expect(line).toMatch(/,Places\|Portugal\|Porto; beach,clear blue sky,4,Green,\d+,,,,,,$/); // no GPS, no place, no text
    expect(line).toContain(',Places|Portugal|Porto; beach; clear blue sky,Places|Portugal|Porto=user; beach=user; clear blue sky=');
    for (let i = 0; i < 3; i++) await ok('undo');
  });

  it('as a subprocess: `rate … -1` rejects, writes the sidecar, and undo writes it back (sidecars on)', async () => {
    expect(await ok('settings', 'set', 'xmp', 'on')).toMatch(/^xmp = on/);
    const pending = async () => (JSON.parse(await ok('status', '--json')) as { stages: { stage: string; pending: number }[] }).stages.find((s) => s.stage === 'xmp')!.pending;
    const before = await pending();
    const red = file('red-porto');
    const r = shoeboxProcess(['--data', data, 'rate', red, id('green-porto'), '-1']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`Marked 2 photos rejected\n  XMP sidecars written: 2\n`);
    expect((await exiftool.read(`${red}.xmp`)).Rating).toBe(-1);
    expect(await ok('tags', 'add', red, 'Places|Portugal|Porto')).toBe(`Added “Places|Portugal|Porto” to 1 photo\n  sidecar: ${red}.xmp\n`);
    expect([(await exiftool.read(`${red}.xmp`)).HierarchicalSubject].flat()).toEqual(['Places|Portugal|Porto']);
    expect(await ok('undo')).toBe(`Undid: Added “Places|Portugal|Porto” to 1 photo\n  sidecar: ${red}.xmp\n`);
    expect((await exiftool.read(`${red}.xmp`)).HierarchicalSubject).toBeUndefined();
    expect(await ok('undo')).toBe('Undid: Marked 2 photos rejected\n  XMP sidecars written: 2\n');
    expect((await exiftool.read(`${red}.xmp`)).Rating).toBeUndefined();
    // The command wrote the two photos' sidecars itself: the engine has none of them left to write.
    expect(await pending()).toBe(before - 2);
  });
});
