// `shoebox export --user-data FILE` and `shoebox import --user-data FILE` (issue 12), as a user runs them: a
// library's captions, tags, ratings and labels exported, the folders renamed and a photo deleted, a fresh
// library indexed and the file imported: everything is back on the right photo, the missing photo is named,
// a bad file exits 1 saying why, and plain `export` is as it was.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { shoebox, type CliRun } from '../helpers/cli.ts';
import type { PhotoSummary } from '../../src/shared/types.ts';

let root = '';
let photos = '';
const models = () => path.join(root, 'no-models');
const sb = (data: string, ...args: string[]): Promise<CliRun> => shoebox(['--data', data, '--models', models(), ...args]);
async function ok(data: string, ...args: string[]): Promise<string> {
  const r = await sb(data, ...args);
  expect(r.code, `shoebox ${args.join(' ')}\n${r.err}`).toBe(0);
  return r.out;
}
async function listed(data: string): Promise<Map<string, PhotoSummary>> {
  const all = JSON.parse(await ok(data, 'list', '--json')) as PhotoSummary[];
  return new Map(all.map((p) => [path.basename(p.path), p]));
}

beforeAll(async () => {
  root = tempDir();
  photos = path.join(root, 'Photos');
  for (const [i, n] of ['one', 'two', 'three'].entries()) await makeJpeg(path.join(photos, '2019', `${n}.jpg`), { seed: i + 10, width: 80, height: 60 });
  const data = path.join(root, 'data1');
  await ok(data, 'add', photos);
  await ok(data, 'index', '--quiet');
  await ok(data, 'caption', 'set', path.join(photos, '2019', 'one.jpg'), "Mia's first swim");
  await ok(data, 'tags', 'add', path.join(photos, '2019', 'one.jpg'), path.join(photos, '2019', 'two.jpg'), 'Places|Portugal|Porto');
  await ok(data, 'rate', path.join(photos, '2019', 'two.jpg'), '4');
  await ok(data, 'label', path.join(photos, '2019', 'three.jpg'), 'Green');
}, 60_000);

describe('shoebox export --user-data and import --user-data', () => {
  const file = () => path.join(root, 'my-shoebox.json');

  it('are in the help', async () => {
    const help = await ok(path.join(root, 'data1'), 'help');
    expect(help).toContain('  export --user-data FILE');
    expect(help).toContain('  import --user-data FILE');
  });

  it('exports and says what it wrote, keeping a copy in <data>/backups', async () => {
    const out = await ok(path.join(root, 'data1'), 'export', '--user-data', file());
    expect(out).toContain(`exported the user data of 3 photos to ${file()}: 1 caption, 2 tags, 0 hidden tags, 1 rating, 1 label, 0 places\n`);
    expect(out).toMatch(/a copy is kept in .*backups[\\/]user-data-\d{8}T\d{9}Z\.json/);
    expect(fs.readdirSync(path.join(root, 'data1', 'backups')).filter((f) => f.startsWith('user-data-'))).toHaveLength(1);
  });

  it('keeps the plain export as it was, and refuses --user-data with --format', async () => {
    const csv = path.join(root, 'photos.csv');
    expect((await sb(path.join(root, 'data1'), 'export', '--format', 'csv', '--output', csv)).code).toBe(0);
    expect(fs.readFileSync(csv, 'utf8').split('\n')[0]).toMatch(/^path,taken_at,caption,/);
    const r = await sb(path.join(root, 'data1'), 'export', '--user-data', file(), '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--user-data writes its own format');
  });

  it('imports onto a fresh library after the folders were renamed and a photo deleted', async () => {
    const moved = path.join(root, 'Renamed');
    fs.renameSync(photos, moved);
    fs.renameSync(path.join(moved, '2019'), path.join(moved, 'Porto 2019'));
    fs.rmSync(path.join(moved, 'Porto 2019', 'three.jpg'));
    const data = path.join(root, 'data2');
    await ok(data, 'add', moved);
    await ok(data, 'index', '--quiet');
    const out = await ok(data, 'import', '--user-data', file());
    expect(out).toContain(': 3 photos in the file\n');
    expect(out).toContain('  2 matched by content, 0 by path only, 1 found no photo\n');
    expect(out).toContain(`    not in the library: ${path.join(photos, '2019', 'three.jpg')}\n`);
    expect(out).toContain('  changed 2 photos: 1 caption, 2 tags, 0 hidden tags, 1 rating, 0 labels, 0 places added\n');
    expect(out).toContain('`shoebox undo` takes it back');
    const now = await listed(data);
    expect(now.get('one.jpg')).toMatchObject({ caption: "Mia's first swim", captionSource: 'user', tags: ['Places|Portugal|Porto'] });
    expect(now.get('two.jpg')).toMatchObject({ tags: ['Places|Portugal|Porto'], rating: 4 });
    const again = await ok(data, 'import', '--user-data', file(), '--json');
    expect(JSON.parse(again)).toMatchObject({ photos: 0, matchedByFingerprint: 2, notFound: [{ path: path.join(photos, '2019', 'three.jpg') }] });
  });

  it('a malformed file exits 1 saying why, and changes nothing', async () => {
    const data = path.join(root, 'data2');
    const before = await ok(data, 'list', '--json');
    const bad = path.join(root, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ format: 'shoebox-user-data', version: 7, photos: [] }));
    const r = await sb(data, 'import', '--user-data', bad);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`shoebox: ${bad} is a user-data file of version 7, newer than this Shoebox reads (1): update Shoebox to import it\n`);
    const none = await sb(data, 'import');
    expect(none.code).toBe(2);
    expect(none.err).toContain('import needs --user-data FILE');
    expect(await ok(data, 'list', '--json')).toBe(before);
  });
});
