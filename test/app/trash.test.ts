// The app's trash with Electron's shell faked: shell.trashItem puts files away (here as gio does on
// Linux: a .trashinfo, then the file into files/), the engine finds them again for undo; and
// SHOEBOX_TRASH_DIR sends them to a folder instead, without calling the shell.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/photos.ts';
import { sha256File } from '../../src/main/core/hash.ts';
import { TrashError } from '../../src/main/core/trash/trash.ts';
import { encodeTrashPath } from '../../src/main/core/trash/freedesktop.ts';
import { createAppTrash, type TrashShell } from '../../src/main/app/trash.ts';

function gioShell(dataHome: string, calls: string[]): TrashShell {
  return {
    async trashItem(file: string) {
      calls.push(file);
      const trash = path.join(dataHome, 'Trash');
      fs.mkdirSync(path.join(trash, 'files'), { recursive: true });
      fs.mkdirSync(path.join(trash, 'info'), { recursive: true });
      const name = path.basename(file);
      fs.writeFileSync(path.join(trash, 'info', `${name}.trashinfo`), `[Trash Info]\nPath=${encodeTrashPath(file)}\nDeletionDate=2025-03-04T05:06:07\n`);
      fs.renameSync(file, path.join(trash, 'files', name));
    },
  };
}

function photo(file: string, fill: number): string {
  fs.writeFileSync(file, Buffer.alloc(5000, fill));
  return file;
}

describe('createAppTrash', () => {
  it('puts a photo away with shell.trashItem and brings it back from the system trash', async () => {
    const dataHome = tempDir();
    const lib = tempDir();
    const calls: string[] = [];
    const trash = createAppTrash(gioShell(dataHome, calls), { XDG_DATA_HOME: dataHome });
    expect(trash.kind).toBe('system');
    const file = photo(path.join(lib, 'IMG 7 ü.jpg'), 7);
    const fingerprint = await sha256File(file);
    const item = await trash.put(file, { fingerprint });
    expect(calls).toEqual([file]);
    expect(item).toMatchObject({ original: file, size: 5000, fingerprint, location: null });
    expect(await trash.locate(item)).toBe(path.join(dataHome, 'Trash', 'files', 'IMG 7 ü.jpg'));
    await trash.restore(item);
    expect(await sha256File(file)).toBe(fingerprint);
    expect(fs.readdirSync(path.join(dataHome, 'Trash', 'info'))).toEqual([]);
  });

  it('says so when the shell fails or leaves the file where it was, and the file stays', async () => {
    const lib = tempDir();
    const file = photo(path.join(lib, 'a.jpg'), 1);
    const failing = createAppTrash({ trashItem: () => Promise.reject(new Error('Failed to move item to trash')) }, { XDG_DATA_HOME: tempDir() });
    await expect(failing.put(file)).rejects.toThrow(/Failed to move item to trash/);
    const lazy = createAppTrash({ trashItem: () => Promise.resolve() }, { XDG_DATA_HOME: tempDir() });
    const e = await lazy.put(file).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TrashError);
    expect((e as TrashError).code).toBe('not-taken');
    expect(fs.existsSync(file)).toBe(true);
  });

  it('uses the folder SHOEBOX_TRASH_DIR names, never the shell', async () => {
    const bin = tempDir();
    const lib = tempDir();
    const calls: string[] = [];
    const trash = createAppTrash(gioShell(tempDir(), calls), { SHOEBOX_TRASH_DIR: bin });
    expect(trash.kind).toBe('folder');
    const file = photo(path.join(lib, 'b.jpg'), 2);
    const item = await trash.put(file);
    expect(item.location).toBe(path.join(bin, 'b.jpg'));
    expect(calls).toEqual([]);
    await trash.restore(item);
    expect(fs.existsSync(file)).toBe(true);
  });
});
