// The shoebox command as a user runs it: add, index, status, list, remove, on good and broken photos.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBrokenInputs, makeJpeg, tempDir } from '../helpers/photos.ts';
import type { LibraryStatus, PhotoSummary } from '../../src/shared/types.ts';
import { shoebox, shoeboxProcess } from '../helpers/cli.ts';

// In-process (main(argv, io)); one subprocess run (index, data folder from $SHOEBOX_DATA) proves the real command.

describe('shoebox CLI', () => {
  it('prints help, and rejects unknown commands and misplaced options with exit 2', async () => {
    const help = await shoebox(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['add', 'remove', 'index', 'watch', 'status', 'list']) expect(help.out).toContain(`  ${cmd}`);
    expect((await shoebox(['frobnicate'])).code).toBe(2);
    expect((await shoebox(['index', '--folder', 'x'])).code).toBe(2);
    expect((await shoebox(['add'])).code).toBe(2);
  });

  it('indexes a folder with broken photos, exits 0, and reports each failure with its reason', async () => {
    const root = tempDir();
    const photos = path.join(root, 'Photos');
    await makeJpeg(path.join(photos, 'beach.jpg'), { seed: 1, takenAt: '2019:08:01 09:15:00', make: 'Canon', model: 'EOS R6', gps: { lat: 1.5, lon: 2.5 } });
    await makeJpeg(path.join(photos, 'trip', 'mountain.jpg'), { seed: 2 });
    const broken = await makeBrokenInputs(path.join(photos, 'broken'));
    const data = path.join(root, 'data');

    expect(await shoebox(['--data', data, 'add', photos])).toMatchObject({ code: 0 });
    const index = shoeboxProcess(['index'], { SHOEBOX_DATA: data });
    expect(index.code, index.err).toBe(0);
    expect(index.err).toMatch(/thumb .* \d+\/\d+ .*\/s {2}ETA/);
    expect(index.out).toMatch(/done: 11 photos in the library; 5 failed/);
    expect(index.err).toMatch(/search and tags wait: the CLIP model clip-vit-b32-q8 is not installed .*`shoebox models download clip-vit-b32-q8`/);
    expect(index.err).toMatch(/captions wait: the caption model florence-2-base-ft-q8 is not installed .*`shoebox models download florence-2-base-ft-q8`/);

    const status = JSON.parse((await shoebox(['--data', data, 'status', '--json'])).out) as LibraryStatus;
    expect(status.photos).toBe(11);
    expect(status.stages[0]).toEqual({ stage: 'thumb', done: 6, pending: 0, failed: 5 });
    // Half a JPEG is shown, marked damaged with the decoder's words.
    expect(status.damaged).toEqual([{ id: expect.any(Number), path: path.join(photos, 'broken', 'truncated.jpg'), reason: expect.stringMatching(/premature end of JPEG/i) }]);
    expect(status.ml).toMatchObject({ clipModel: 'clip-vit-b32-q8', clipInstalled: false, embedded: 0 });
    expect(status.failed).toHaveLength(5); // one line per broken photo, not one per skipped stage
    for (const [name, pattern] of Object.entries(broken)) {
      if (pattern) expect(status.failed.find((f) => f.path.endsWith(name))?.error, name).toMatch(pattern);
    }
    const text = (await shoebox(['--data', data, 'status'])).out;
    expect(text).toContain('failed photos (5):');
    expect(text).toMatch(/zero-bytes\.jpg\n {4}thumb: empty file/);
    expect(text).toMatch(/damaged photos, shown as far as they could be read \(1\):\n {2}\S*truncated\.jpg\n {4}VipsJpeg: premature end/);

    const list = JSON.parse((await shoebox(['--data', data, 'list', '--json', '--folder', path.join(photos, 'trip')])).out) as PhotoSummary[];
    expect(list.map((p) => path.basename(p.path))).toEqual(['mountain.jpg']);
    const all = JSON.parse((await shoebox(['--data', data, 'list', '--json'])).out) as PhotoSummary[];
    expect(all.find((p) => p.path === path.join(photos, 'beach.jpg'))).toMatchObject({ takenAt: '2019-08-01T09:15:00', width: 64, height: 48, caption: null, tags: [] });
    // A photo without a date of its own is dated by its modification time (and listed by it, newest first).
    expect(all.find((p) => p.path.endsWith('mountain.jpg'))?.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);

    expect((await shoebox(['--data', data, 'remove', photos])).code).toBe(0);
    expect(JSON.parse((await shoebox(['--data', data, 'status', '--json'])).out).photos).toBe(0);
    expect((await shoebox(['--data', data, 'remove', photos])).code).toBe(1);
  });

  it('reports an empty library without creating anything', async () => {
    const data = path.join(tempDir(), 'none');
    const r = await shoebox(['--data', data, 'status']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('photos: 0');
    expect((await shoebox(['--data', data, 'add', path.join(data, 'missing')])).err).toMatch(/no such folder/);
  });
});
