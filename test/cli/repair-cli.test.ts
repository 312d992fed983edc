// A catalog damaged the ways disks damage files: the CLI says what is wrong and what to run, writes
// nothing, and `shoebox repair` brings back every caption made before the last backup.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { shoebox } from '../helpers/cli.ts';

let root = '';
let pristine = '';
let photos = '';
const BEFORE = { 'a.jpg': 'Grandma at the lake', 'b.jpg': 'First day of school', 'c.jpg': 'The old house' };

const sha = (f: string) => (fs.existsSync(f) ? crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex') : null);
/** Every file of the catalog (with -wal and -shm) and its hash. */
function catalogFiles(data: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of fs.readdirSync(data).filter((f) => f.startsWith('catalog.sqlite')).sort()) out[f] = sha(path.join(data, f));
  return out;
}

beforeAll(async () => {
  root = tempDir();
  photos = path.join(root, 'Photos');
  for (const [i, name] of ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'].entries()) await makeJpeg(path.join(photos, name), { seed: i + 1, width: 120, height: 90 });
  pristine = path.join(root, 'pristine');
  expect((await shoebox(['--data', pristine, 'add', photos])).code).toBe(0);
  const index = await shoebox(['--data', pristine, '--quiet', 'index']);
  expect(index.code, index.err).toBe(0);
  for (const [name, text] of Object.entries(BEFORE)) {
    const r = await shoebox(['--data', pristine, 'caption', 'set', path.join(photos, name), text]);
    expect(r.code, r.err).toBe(0);
  }
  const backup = await shoebox(['--data', pristine, 'backup']);
  expect(backup.code, backup.err).toBe(0);
  expect(backup.out).toMatch(/backed up to .*catalog-.*\.sqlite \(.*4 photos, 3 captions and 0 tags of yours\)/);
  // Made after the last backup: the one caption repair cannot bring back.
  expect((await shoebox(['--data', pristine, 'caption', 'set', path.join(photos, 'd.jpg'), 'After the backup'])).code).toBe(0);
}, 120_000);

function copyLibrary(name: string): string {
  const data = path.join(root, name);
  fs.cpSync(pristine, data, { recursive: true });
  return data;
}

/** Damage the catalog, then: a clear message and no write from the commands that write, and repair. */
async function damagedThenRepaired(data: string, problem: RegExp): Promise<void> {
  const before = catalogFiles(data);
  for (const args of [['caption', 'set', path.join(photos, 'a.jpg'), 'overwritten?'], ['index', '--quiet'], ['add', photos]]) {
    const r = await shoebox(['--data', data, ...args]);
    expect(r.code, `${args[0]}: ${r.out}`).toBe(1);
    expect(r.err).toMatch(/the catalog .*catalog\.sqlite is damaged: /);
    expect(r.err).toMatch(problem);
    expect(r.err).toMatch(/Nothing was written to it\. Run `shoebox repair`/);
    expect(catalogFiles(data)).toEqual(before);
  }
  const repair = await shoebox(['--data', data, 'repair']);
  expect(repair.code, repair.err).toBe(0);
  expect(repair.out).toMatch(/the damaged catalog is kept as .*catalog\.sqlite\.damaged-/);
  expect(repair.out).toMatch(/restored the backup of .*: 4 photos, 3 captions and 0 tags of yours/);
  expect(repair.out).toMatch(/may be lost: captions, tags, ratings and labels you made after/);
  const kept = fs.readdirSync(data).find((f) => /^catalog\.sqlite\.damaged-[^-]+.*Z$/.test(f))!;
  expect(sha(path.join(data, kept))).toBe(before['catalog.sqlite'] ?? null);
  const list = await shoebox(['--data', data, 'list', '--json']);
  expect(list.code, list.err).toBe(0);
  const captions = Object.fromEntries((JSON.parse(list.out) as { path: string; caption: string | null }[]).map((p) => [path.basename(p.path), p.caption]));
  for (const [name, text] of Object.entries(BEFORE)) expect(captions[name]).toBe(text);
  // The library is usable again: an edit goes through.
  expect((await shoebox(['--data', data, 'caption', 'set', path.join(photos, 'd.jpg'), 'Typed again'])).code).toBe(0);
}

describe('a damaged catalog', () => {
  it('a page in the middle overwritten', async () => {
    const data = copyLibrary('middle');
    const file = path.join(data, 'catalog.sqlite');
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pageCount = db.pragma('page_count', { simple: true }) as number;
    // The b-tree page nearest the middle (a free page's bytes mean nothing, so one in use).
    const used = db.prepare("SELECT pageno FROM dbstat WHERE name IN ('photos', 'captions', 'tasks') ORDER BY abs(pageno - ?) LIMIT 1").pluck().get(pageCount / 2) as number;
    db.close();
    // The read-only look left an empty -wal and its -shm: gone, as after the engine's clean close.
    expect(fs.statSync(`${file}-wal`).size).toBe(0);
    fs.rmSync(`${file}-wal`);
    fs.rmSync(`${file}-shm`);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, crypto.randomBytes(pageSize), 0, pageSize, (used - 1) * pageSize);
    fs.closeSync(fd);
    await damagedThenRepaired(data, /integrity check failed|malformed/);
  });

  it('the file truncated', async () => {
    const data = copyLibrary('truncated');
    const file = path.join(data, 'catalog.sqlite');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    await damagedThenRepaired(data, /truncated/);
  });

  it('the WAL deleted while it holds commits', async () => {
    const data = copyLibrary('wal');
    const file = path.join(data, 'catalog.sqlite');
    // A writer's commits left in the WAL (as after kill -9): the files copied while it is open.
    const writer = new Database(path.join(pristine, 'catalog.sqlite'));
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("UPDATE captions SET text = 'In the WAL only' WHERE source = 'user' AND photo_id = (SELECT id FROM photos WHERE filename = 'd.jpg')").run();
    for (const suffix of ['', '-wal', '-shm']) fs.copyFileSync(path.join(pristine, 'catalog.sqlite') + suffix, file + suffix);
    writer.close();
    fs.rmSync(`${file}-wal`);
    await damagedThenRepaired(data, /write-ahead log \(catalog\.sqlite-wal\) is missing/);
  });

  it('the file replaced with zeros', async () => {
    const data = copyLibrary('zeros');
    const file = path.join(data, 'catalog.sqlite');
    fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size));
    await damagedThenRepaired(data, /file is not a database \(its first bytes are all zeros\)/);
  });

  it('a missing catalog with backups beside it is not started afresh', async () => {
    const data = copyLibrary('missing');
    fs.rmSync(path.join(data, 'catalog.sqlite'));
    const r = await shoebox(['--data', data, 'index', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the catalog file is missing, but there are backups of it/);
    expect(fs.existsSync(path.join(data, 'catalog.sqlite'))).toBe(false);
    const repair = await shoebox(['--data', data, 'repair']);
    expect(repair.code, repair.err).toBe(0);
    expect(repair.out).toMatch(/repaired: the catalog was missing/);
  });

  it('repair on a whole catalog changes nothing; backups lists what each holds', async () => {
    const before = catalogFiles(pristine);
    const r = await shoebox(['--data', pristine, 'repair']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/is not damaged/);
    expect(catalogFiles(pristine)).toEqual(before);
    const list = await shoebox(['--data', pristine, 'backups']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/date\s+size\s+photos\s+captions\s+tags/);
    expect(list.out).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+ KB\s+4\s+3\s+0\s+manual/);
  });
});
