// `shoebox status` on a full disk (issue 12): beside a running engine, the CLI reads the catalog and sees the
// disk holding the data folder with no space left (statfs, faked here: these machines cannot fill a disk).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { shoebox } from '../helpers/cli.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('shoebox status on a full disk', () => {
  it('says the disk holding the data folder is full, in words and in --json', async () => {
    const root = tempDir();
    const data = path.join(root, 'data');
    await makeJpeg(path.join(root, 'photos', 'a.jpg'), { seed: 7 });
    const sb = (...args: string[]) => shoebox(['--data', data, '--models', path.join(root, 'no-models'), ...args]);
    expect((await sb('add', path.join(root, 'photos'))).code).toBe(0);
    expect((await sb('index', '--quiet')).code).toBe(0);
    expect((await sb('status')).out).not.toContain('is full');
    const real = fs.statfsSync;
    vi.spyOn(fs, 'statfsSync').mockImplementation(((p: fs.PathLike) => ({ ...real(p), bavail: 0 })) as typeof fs.statfsSync);
    const text = await sb('status');
    expect(text.code).toBe(0);
    expect(text.out).toContain(`\nthe disk holding ${data} is full: indexing has stopped, and goes on by itself once there is space\n`);
    const json = JSON.parse((await sb('status', '--json')).out) as { diskFull: unknown };
    expect(json.diskFull).toEqual({ message: `the disk holding ${data} is full`, path: data, since: null, freeBytes: 0 });
  });
});
