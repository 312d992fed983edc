// The trash duplicates are put away in (core/trash): the folder trash's round trip, the freedesktop
// trash for real on this Linux machine (our put, and the `trash` package's put found again), the
// Windows Recycle Bin's $I files and the macOS trash's renamed names on folders laid out as those
// systems lay them out (neither system runs here), the refusals, and names that are hard to write.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/photos.ts';
import { sha256File } from '../../src/main/core/hash.ts';
import { createTrash, FolderTrash, SystemTrash, TrashError, type Trash, type TrashedFile } from '../../src/main/core/trash/trash.ts';
import { RECORD_SUFFIX } from '../../src/main/core/trash/folder.ts';
import { decodeTrashPath, encodeTrashPath, parseTrashInfo, topdirOf } from '../../src/main/core/trash/freedesktop.ts';
import { formatRecycleInfo, parseRecycleInfo } from '../../src/main/core/trash/windows.ts';
import { nameRank } from '../../src/main/core/trash/macos.ts';
import { safeMove } from '../../src/main/core/trash/move.ts';

// The `trash` package's Linux part reads $XDG_DATA_HOME once, when it is first imported: the whole
// file shares one freedesktop home, set before anything imports it.
const xdgHome = tempDir('shoebox-xdg-');
const savedXdg = process.env.XDG_DATA_HOME;
process.env.XDG_DATA_HOME = xdgHome;
afterAll(() => {
  if (savedXdg === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedXdg;
});
const trashFiles = path.join(xdgHome, 'Trash', 'files');
const trashInfo = path.join(xdgHome, 'Trash', 'info');

let seed = 0;
/** A file of `size` bytes no other test file has. */
function photo(file: string, size = 4096, fill?: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const buf = Buffer.alloc(size, fill ?? ++seed % 251);
  buf.writeUInt32LE(seed++, 0);
  fs.writeFileSync(file, buf);
  return file;
}

async function refused(p: Promise<unknown>, code: string): Promise<TrashError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `expected a refusal (${code})`).toBeInstanceOf(TrashError);
  expect((e as TrashError).code).toBe(code);
  return e as TrashError;
}

const system = (): Trash => new SystemTrash({ env: { XDG_DATA_HOME: xdgHome } });

describe('FolderTrash', () => {
  it('puts a file away under a free name with a record beside it, and brings it back', async () => {
    const lib = tempDir();
    const bin = path.join(tempDir(), 'put away');
    const a = photo(path.join(lib, 'one', 'IMG 1.jpg'));
    const b = photo(path.join(lib, 'two', 'IMG 1.jpg'));
    const [fa, fb] = [await sha256File(a), await sha256File(b)];
    const trash = new FolderTrash(bin);
    expect(trash.kind).toBe('folder');
    const ta = await trash.put(a, { fingerprint: fa, size: 4096 });
    const tb = await trash.put(b);
    expect(fs.existsSync(a) || fs.existsSync(b)).toBe(false);
    expect(ta).toMatchObject({ original: a, size: 4096, fingerprint: fa, location: path.join(bin, 'IMG 1.jpg') });
    expect(tb.location).toBe(path.join(bin, 'IMG 1 (2).jpg'));
    expect(JSON.parse(fs.readFileSync(ta.location + RECORD_SUFFIX, 'utf8'))).toEqual({ original: a, size: 4096, fingerprint: fa, trashedAt: ta.trashedAt });
    expect(await trash.locate(tb)).toBe(tb.location);

    // Restored from the records alone (the caller lost the locations), each to its own path.
    await trash.restore({ ...tb, location: null });
    await trash.restore({ ...ta, location: null });
    expect([await sha256File(a), await sha256File(b)]).toEqual([fa, fb]);
    expect(fs.readdirSync(bin)).toEqual([]);
  });

  it('makes the folder of the original again when it was removed meanwhile', async () => {
    const lib = tempDir();
    const a = photo(path.join(lib, 'trip', 'a.jpg'));
    const trash = new FolderTrash(tempDir());
    const item = await trash.put(a);
    fs.rmSync(path.join(lib, 'trip'), { recursive: true });
    await trash.restore(item);
    expect(await sha256File(a)).toBe(item.fingerprint);
  });

  it('refuses what it must not move, and moves nothing', async () => {
    const lib = tempDir();
    const bin = tempDir();
    const trash = new FolderTrash(bin);
    const a = photo(path.join(lib, 'a.jpg'));
    await refused(trash.put(path.join(lib, 'missing.jpg')), 'not-found');
    await refused(trash.put(lib), 'not-a-file');
    await refused(trash.put(a, { fingerprint: 'f'.repeat(64) }), 'changed');
    await refused(trash.put(a, { size: 1 }), 'changed');
    expect(fs.existsSync(a)).toBe(true);
    expect(fs.readdirSync(bin)).toEqual([]);

    // The original path is taken again: refused, both files left as they are.
    const item = await trash.put(a);
    photo(a, 10);
    const e = await refused(trash.restore(item), 'original-exists');
    expect(e.message).toContain(a);
    expect(fs.statSync(a).size).toBe(10);
    expect(await trash.locate(item)).toBe(item.location);

    // Restored once, then again: the second finds nothing.
    fs.rmSync(a);
    await trash.restore(item);
    fs.renameSync(a, path.join(lib, 'elsewhere.jpg'));
    await refused(trash.restore(item), 'not-in-trash');
  });

  it('never restores another file in the trashed one’s place', async () => {
    const lib = tempDir();
    const trash = new FolderTrash(tempDir());
    const a = photo(path.join(lib, 'a.jpg'));
    const item = await trash.put(a);
    // Same name, same size, same record, other bytes.
    photo(item.location!, item.size);
    expect(await trash.locate(item)).toBeNull();
    await refused(trash.restore(item), 'not-in-trash');
    expect(fs.existsSync(a)).toBe(false);
    expect(fs.existsSync(item.location!)).toBe(true);
  });

  it('passes over a record whose file never arrived (a kill between the two steps)', async () => {
    const lib = tempDir();
    const bin = tempDir();
    const trash = new FolderTrash(bin);
    const a = photo(path.join(lib, 'a.jpg'));
    const fp = await sha256File(a);
    // What a kill after the record and before the move leaves: the record, the file at home.
    fs.writeFileSync(path.join(bin, 'a.jpg' + RECORD_SUFFIX), JSON.stringify({ original: a, size: 4096, fingerprint: fp, trashedAt: 1 }));
    expect(await trash.locate({ original: a, size: 4096, fingerprint: fp, trashedAt: 1, location: null })).toBeNull();
    const item = await trash.put(a);
    expect(item.location).toBe(path.join(bin, 'a (2).jpg'));
    await trash.restore(item);
    expect(await sha256File(a)).toBe(fp);
  });
});

describe('safe move', () => {
  it('copies, fsyncs and verifies across devices, then removes the source', async () => {
    const dir = tempDir();
    const src = photo(path.join(dir, 'a.jpg'), 300_000);
    const fp = await sha256File(src);
    const exdev = () => Promise.reject(Object.assign(new Error('cross-device link'), { code: 'EXDEV' }));
    await safeMove(src, path.join(dir, 'sub-b.jpg'), { fingerprint: fp, fsOps: { link: exdev, rename: exdev } });
    expect(fs.existsSync(src)).toBe(false);
    expect(await sha256File(path.join(dir, 'sub-b.jpg'))).toBe(fp);
    expect(fs.readdirSync(dir)).toEqual(['sub-b.jpg']);
  });

  it('leaves the source where it was when the copy does not verify, and no partial behind', async () => {
    const dir = tempDir();
    const src = photo(path.join(dir, 'a.jpg'));
    const exdev = () => Promise.reject(Object.assign(new Error('cross-device link'), { code: 'EXDEV' }));
    await expect(safeMove(src, path.join(dir, 'b.jpg'), { fingerprint: '0'.repeat(64), fsOps: { link: exdev, rename: exdev } })).rejects.toThrow(/did not read back the same/);
    expect(fs.readdirSync(dir)).toEqual(['a.jpg']);
  });

  it('never replaces a file at the destination', async () => {
    const dir = tempDir();
    const src = photo(path.join(dir, 'a.jpg'));
    const dst = photo(path.join(dir, 'b.jpg'), 10);
    await expect(safeMove(src, dst, { fingerprint: await sha256File(src) })).rejects.toThrow(/already exists/);
    expect(fs.statSync(dst).size).toBe(10);
    expect(fs.existsSync(src)).toBe(true);
  });

  const shm = '/dev/shm';
  const otherDevice = fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(tempDir()).dev;
  it.skipIf(!otherDevice)('moves to and from a folder trash on another device (tmpfs here)', async () => {
    const bin = fs.mkdtempSync(path.join(shm, 'shoebox-trash-'));
    try {
      const a = photo(path.join(tempDir(), 'a.jpg'), 200_000);
      const trash = new FolderTrash(bin);
      const item = await trash.put(a);
      expect(fs.existsSync(a)).toBe(false);
      expect(fs.statSync(item.location!).dev).not.toBe(fs.statSync(path.dirname(a)).dev);
      await trash.restore(item);
      expect(await sha256File(a)).toBe(item.fingerprint);
      expect(fs.readdirSync(bin)).toEqual([]);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('createTrash', () => {
  it('picks the folder trash from SHOEBOX_TRASH_DIR, else the system trash', () => {
    const dir = tempDir();
    const folder = createTrash({ SHOEBOX_TRASH_DIR: dir });
    expect(folder).toBeInstanceOf(FolderTrash);
    expect((folder as FolderTrash).dir).toBe(dir);
    expect(createTrash({}).kind).toBe('system');
    expect(createTrash({ SHOEBOX_TRASH_DIR: '  ' }).kind).toBe('system');
  });
});

describe('the freedesktop trash (Linux, for real)', () => {
  it('writes Path= with every unsafe byte escaped, and reads it back byte for byte', () => {
    const p = '/p/100% #1 [x] ü 写真?&.jpg';
    const enc = encodeTrashPath(p);
    expect(enc).toBe('/p/100%25%20%231%20%5Bx%5D%20%C3%BC%20%E5%86%99%E7%9C%9F%3F%26.jpg');
    expect(decodeTrashPath(enc).toString('utf8')).toBe(p);
    // Bytes that are not UTF-8 survive both ways.
    const raw = Buffer.from([0x2f, 0x61, 0xff, 0x62]);
    expect(encodeTrashPath(raw)).toBe('/a%FFb');
    expect(decodeTrashPath('/a%FFb').equals(raw)).toBe(true);
    expect(parseTrashInfo('[Trash Info]\nPath=/x%20y.jpg\nDeletionDate=2024-05-06T07:08:09\n')).toEqual({ path: Buffer.from('/x y.jpg'), deletedAt: new Date(2024, 4, 6, 7, 8, 9).getTime() });
    expect(parseTrashInfo('[Other]\nPath=/x.jpg\n')).toBeNull();
  });

  it('puts files in $XDG_DATA_HOME/Trash with a .trashinfo, and restore removes it', async () => {
    const lib = tempDir();
    const names = ['a b.jpg', 'ünïcødé 写真.jpg', '100% #1 [x].jpg'];
    const trash = system();
    expect(trash.kind).toBe('system');
    for (const name of names) {
      const file = photo(path.join(lib, name));
      const item = await trash.put(file);
      expect(item.location).toBe(path.join(trashFiles, name));
      const info = fs.readFileSync(path.join(trashInfo, `${name}.trashinfo`), 'utf8');
      expect(info).toMatch(/^\[Trash Info\]\nPath=\S+\nDeletionDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n$/);
      expect(parseTrashInfo(info)!.path.toString('utf8')).toBe(file);
      expect(fs.existsSync(file)).toBe(false);
      await trash.restore({ ...item, location: null });
      expect(await sha256File(file)).toBe(item.fingerprint);
      expect(fs.existsSync(path.join(trashInfo, `${name}.trashinfo`))).toBe(false);
      expect(fs.existsSync(path.join(trashFiles, name))).toBe(false);
    }
  });

  it('takes a free name when one is in the trash already, and restores each to its own path', async () => {
    const lib = tempDir();
    const trash = system();
    const a = photo(path.join(lib, 'x', 'same.jpg'));
    const b = photo(path.join(lib, 'y', 'same.jpg'));
    const ta = await trash.put(a);
    const tb = await trash.put(b);
    expect([path.basename(ta.location!), path.basename(tb.location!)]).toEqual(['same.jpg', 'same.2.jpg']);
    await trash.restore({ ...ta, location: null });
    await trash.restore({ ...tb, location: null });
    expect(await sha256File(a)).toBe(ta.fingerprint);
    expect(await sha256File(b)).toBe(tb.fingerprint);
  });

  it('finds and restores what the `trash` package put there', async () => {
    const { default: trashPackage } = await import('trash');
    const lib = tempDir();
    for (const name of ['plain.jpg', 'with space [1] 100%.jpg', 'ünïcødé #2.jpg']) {
      const file = photo(path.join(lib, name));
      const item: TrashedFile = { original: file, size: 4096, fingerprint: await sha256File(file), trashedAt: Date.now(), location: null };
      const before = new Set(fs.readdirSync(trashInfo));
      await trashPackage(file, { glob: false });
      expect(fs.existsSync(file)).toBe(false);
      const added = fs.readdirSync(trashInfo).filter((n) => !before.has(n));
      expect(added).toHaveLength(1); // the package names entries by UUID
      const trash = system();
      expect(await trash.locate(item)).toBe(path.join(trashFiles, added[0]!.replace(/\.trashinfo$/, '')));
      await trash.restore(item);
      expect(await sha256File(file)).toBe(item.fingerprint);
      expect(fs.existsSync(path.join(trashInfo, added[0]!))).toBe(false);
    }
  });

  it('refuses a restore when the path is taken or the entry is gone or is another file', async () => {
    const lib = tempDir();
    const trash = system();
    const a = photo(path.join(lib, 'r.jpg'));
    const item = await trash.put(a);
    photo(a, 7);
    await refused(trash.restore(item), 'original-exists');
    expect(fs.statSync(a).size).toBe(7);
    fs.rmSync(a);
    // Another file of the same size under the entry's name: never restored in its place.
    const saved = fs.readFileSync(item.location!);
    photo(item.location!, item.size);
    await refused(trash.restore(item), 'not-in-trash');
    expect(fs.existsSync(a)).toBe(false);
    fs.writeFileSync(item.location!, saved);
    await trash.restore(item);
    await refused(trash.restore({ ...item }), 'original-exists');
    fs.rmSync(a);
    await refused(trash.restore(item), 'not-in-trash');
  });

  it('cannot reach a name that is not UTF-8 through a string, says so, and moves nothing; such entries in the trash are passed over', async () => {
    const lib = tempDir();
    const raw = Buffer.concat([Buffer.from(`${lib}/a`), Buffer.from([0xff]), Buffer.from('b.jpg')]);
    fs.writeFileSync(raw, 'bytes');
    // Node gives the name with U+FFFD in place of the byte, and that string names no file.
    const [name] = fs.readdirSync(lib);
    expect(name).toBe('a\uFFFDb.jpg');
    await refused(system().put(path.join(lib, name!)), 'not-found');
    expect(fs.existsSync(raw)).toBe(true);

    // Another program's entry with such a name and Path, beside ours: ours is found, its left alone.
    const foreign = Buffer.concat([Buffer.from(`${trashFiles}/a`), Buffer.from([0xfe]), Buffer.from('.jpg')]);
    const foreignInfo = Buffer.concat([Buffer.from(`${trashInfo}/a`), Buffer.from([0xfe]), Buffer.from('.jpg.trashinfo')]);
    fs.mkdirSync(trashFiles, { recursive: true });
    fs.mkdirSync(trashInfo, { recursive: true });
    fs.renameSync(raw, foreign);
    fs.writeFileSync(foreignInfo, `[Trash Info]\nPath=${encodeTrashPath(raw)}\nDeletionDate=2024-01-01T00:00:00\n`);
    const mine = photo(path.join(lib, 'mine.jpg'));
    const item = await system().put(mine);
    await system().restore({ ...item, location: null });
    expect(await sha256File(mine)).toBe(item.fingerprint);
    expect(fs.existsSync(foreign) && fs.existsSync(foreignInfo)).toBe(true);
    fs.rmSync(foreign);
    fs.rmSync(foreignInfo);
  });

  const shm = '/dev/shm';
  const otherMount = fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(xdgHome).dev && fs.statSync(shm).dev !== fs.statSync(path.dirname(shm)).dev;
  it.skipIf(!otherMount)('puts a file of another mount in that mount’s $topdir/.Trash-$uid, and restores it (tmpfs here)', async () => {
    expect(await topdirOf(shm)).toBe(shm);
    const uid = process.getuid!();
    const topTrash = path.join(shm, `.Trash-${uid}`);
    const hadTrash = fs.existsSync(topTrash);
    const dir = fs.mkdtempSync(path.join(shm, 'shoebox-photos-'));
    try {
      const a = photo(path.join(dir, 'card.jpg'));
      const trash = system();
      const item = await trash.put(a);
      expect(path.dirname(item.location!)).toBe(path.join(topTrash, 'files'));
      await trash.restore({ ...item, location: null });
      expect(await sha256File(a)).toBe(item.fingerprint);
      expect(fs.existsSync(path.join(topTrash, 'info', `${path.basename(item.location!)}.trashinfo`))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      if (!hadTrash) fs.rmSync(topTrash, { recursive: true, force: true });
    }
  });
});

describe('the Windows Recycle Bin (laid out here as Windows lays it out)', () => {
  // A version 2 $I file written byte by byte: header 2, size 1234, deletion 2024-01-02T03:04:05Z, length, path.
  const original = 'C:\\Users\\me\\Pictures\\IMG 1 ü.jpg';
  const v2 = Buffer.concat([
    Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]),
    Buffer.from([0xd2, 0x04, 0, 0, 0, 0, 0, 0]),
    (() => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE((BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)) + 11_644_473_600_000n) * 10_000n);
      return b;
    })(),
    Buffer.from([original.length + 1, 0, 0, 0]),
    Buffer.from(`${original}\0`, 'utf16le'),
  ]);

  it('parses $I files of format versions 1 and 2', () => {
    expect(parseRecycleInfo(v2)).toEqual({ version: 2, size: 1234, deletedAt: Date.UTC(2024, 0, 2, 3, 4, 5), original });
    // Version 1: the path in a fixed 520-byte field after the 24-byte header.
    const v1 = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), v2.subarray(8, 24), Buffer.alloc(520)]);
    Buffer.from(original, 'utf16le').copy(v1, 24);
    expect(v1.length).toBe(544);
    expect(parseRecycleInfo(v1)).toEqual({ version: 1, size: 1234, deletedAt: Date.UTC(2024, 0, 2, 3, 4, 5), original });
    expect(formatRecycleInfo({ version: 2, size: 1234, deletedAt: Date.UTC(2024, 0, 2, 3, 4, 5), original }).equals(v2)).toBe(true);
    expect(formatRecycleInfo({ version: 1, size: 1234, deletedAt: Date.UTC(2024, 0, 2, 3, 4, 5), original }).equals(v1)).toBe(true);
    expect(parseRecycleInfo(Buffer.alloc(10))).toBeNull();
    expect(parseRecycleInfo(Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), v2.subarray(8)]))).toBeNull();
    expect(parseRecycleInfo(v2.subarray(0, 40))).toBeNull(); // the path cut short
  });

  it('finds the $R file whose $I names the photo and whose content is the photo, restores it and removes the $I', async () => {
    const lib = tempDir();
    const bin = path.join(tempDir(), '$Recycle.Bin');
    const sid = path.join(bin, 'S-1-5-21-1004336348-1177238915-682003330-1001');
    fs.mkdirSync(sid, { recursive: true });
    const file = photo(path.join(lib, 'Pictures', 'IMG 1.jpg'));
    const item = await new FolderTrash(tempDir()).put(file); // size and fingerprint, as a put would give them
    fs.renameSync(item.location!, path.join(sid, '$RK3J9QX.jpg'));
    fs.writeFileSync(path.join(sid, '$IK3J9QX.jpg'), formatRecycleInfo({ version: 2, size: item.size, deletedAt: item.trashedAt, original: file.toUpperCase() }));
    // A decoy: same path, same size, later, other bytes.
    photo(path.join(sid, '$RZZZZZZ.jpg'), item.size);
    fs.writeFileSync(path.join(sid, '$IZZZZZZ.jpg'), formatRecycleInfo({ version: 1, size: item.size, deletedAt: item.trashedAt + 1000, original: file }));
    fs.writeFileSync(path.join(sid, 'desktop.ini'), '[.ShellClassInfo]');
    const trash = new SystemTrash({ platform: 'win32', windows: { binOf: () => bin } });
    const lost = { ...item, location: null };
    expect(await trash.locate(lost)).toBe(path.join(sid, '$RK3J9QX.jpg'));
    await trash.restore(lost);
    expect(await sha256File(file)).toBe(item.fingerprint);
    expect(fs.readdirSync(sid).sort()).toEqual(['$IZZZZZZ.jpg', '$RZZZZZZ.jpg', 'desktop.ini']);
    fs.rmSync(file);
    await refused(trash.restore(lost), 'not-in-trash');
  });
});

describe('the macOS trash (laid out here as macOS lays it out)', () => {
  it('ranks the names Finder and the trash package give a clashing item', () => {
    expect(nameRank('IMG 0001.jpg', 'IMG 0001.jpg')).toBe(0);
    expect(nameRank('IMG 0001 12-34-56.jpg', 'IMG 0001.jpg')).toBe(1);
    expect(nameRank('IMG 0001 2.jpg', 'IMG 0001.jpg')).toBe(1);
    expect(nameRank('IMG 0001.jpg 1', 'IMG 0001.jpg')).toBe(1);
    expect(nameRank('other.jpg', 'IMG 0001.jpg')).toBe(2);
  });

  it('finds a renamed item in ~/.Trash by its size and content, not its name', async () => {
    const lib = tempDir();
    const home = tempDir();
    const file = photo(path.join(lib, 'IMG 0001.jpg'));
    const item = await new FolderTrash(tempDir()).put(file);
    const dot = path.join(home, '.Trash');
    fs.mkdirSync(dot);
    photo(path.join(dot, 'IMG 0001.jpg'), item.size); // the name, another photo's bytes
    fs.renameSync(item.location!, path.join(dot, 'IMG 0001 12-34-56.jpg'));
    photo(path.join(dot, 'small.jpg'), 10);
    const trash = new SystemTrash({ platform: 'darwin', home, volumes: path.join(tempDir(), 'Volumes') });
    const lost = { ...item, location: null };
    expect(await trash.locate(lost)).toBe(path.join(dot, 'IMG 0001 12-34-56.jpg'));
    await trash.restore(lost);
    expect(await sha256File(file)).toBe(item.fingerprint);
    expect(fs.readdirSync(dot).sort()).toEqual(['IMG 0001.jpg', 'small.jpg']);
  });

  it('looks in /Volumes/<name>/.Trashes/<uid> for a photo of another volume', async () => {
    const volumes = path.join(tempDir(), 'Volumes');
    const file = photo(path.join(volumes, 'Card', 'DCIM', 'a.jpg'));
    const item = await new FolderTrash(tempDir()).put(file);
    const vt = path.join(volumes, 'Card', '.Trashes', '501');
    fs.mkdirSync(vt, { recursive: true });
    fs.renameSync(item.location!, path.join(vt, 'a.jpg'));
    const trash = new SystemTrash({ platform: 'darwin', home: tempDir(), uid: 501, volumes });
    await trash.restore({ ...item, location: null });
    expect(await sha256File(file)).toBe(item.fingerprint);
  });
});
