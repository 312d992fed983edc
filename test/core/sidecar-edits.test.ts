// Edits of many photos reach their XMP sidecars, and undo takes them back: a library with a Lightroom
// sidecar, a digiKam sidecar, IPTC keywords and a bare photo is indexed (no models), suggestions are added
// as a model would, the sidecars are written (syncSidecar, what the xmp stage runs), a bulk edit is made
// and written, then undone and written again: every photo's catalog rows and every sidecar field read back
// with exiftool are as they were, and the other programs' fields stay.
import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { syncSidecar } from '../../src/main/core/annotate/sidecar-sync.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

const exiftool = new ExifTool({ maxProcs: 1 });
const open: Library[] = [];
afterAll(async () => {
  await exiftool.end();
  for (const lib of open) await lib.close();
});

/** The fields of a sidecar an edit can change, and two it must keep; {} when there is no sidecar. */
async function sidecar(file: string): Promise<Record<string, unknown>> {
  if (!fs.existsSync(file)) return {};
  const t = (await exiftool.read(file)) as unknown as Record<string, unknown>;
  const pick = ['Description', 'Subject', 'HierarchicalSubject', 'TagsList', 'Rating', 'RatingPercent', 'Label', 'Title', 'CreatorTool'];
  const lists = new Set(['Subject', 'HierarchicalSubject', 'TagsList']);
  return Object.fromEntries(pick.filter((k) => t[k] !== undefined).map((k) => [k, lists.has(k) ? [t[k]].flat() : t[k]]));
}

describe('bulk edits and undo in the sidecars', () => {
  it('writes the edit to every sidecar and undo restores every photo and sidecar exactly', async () => {
    const root = tempDir();
    const photos = path.join(root, 'Photos');
    const files = {
      lightroom: await makeJpeg(path.join(photos, 'lightroom.jpg'), { seed: 1, takenAt: '2019:06:01 19:30:00' }),
      digikam: await makeJpeg(path.join(photos, 'digikam.jpg'), { seed: 2, takenAt: '2019:06:02 19:30:00' }),
      iptc: await makeJpeg(path.join(photos, 'iptc.jpg'), { seed: 3, takenAt: '2019:06:03 19:30:00' }),
      bare: await makeJpeg(path.join(photos, 'bare.jpg'), { seed: 4, takenAt: '2019:06:04 19:30:00' }),
    };
    const sidecars = {
      lightroom: path.join(photos, 'lightroom.xmp'),
      digikam: `${files.digikam}.xmp`,
      iptc: `${files.iptc}.xmp`,
      bare: `${files.bare}.xmp`,
    };
    await exiftool.write(
      sidecars.lightroom,
      {
        'XMP-xmp:CreatorTool': 'Adobe Photoshop Lightroom Classic 13.0 (Windows)',
        'XMP-xmp:Rating': 3,
        'XMP-xmp:Label': 'Green',
        'XMP-dc:Title': 'Ribeira at dusk',
        'XMP-dc:Description': 'The river at dusk',
        'XMP-dc:Subject': ['Porto', 'Portugal', 'Places', 'sunset'],
        'XMP-lr:HierarchicalSubject': ['Places|Portugal|Porto', 'sunset'],
      } as never,
      { useMWG: false },
    );
    await exiftool.write(
      sidecars.digikam,
      {
        'XMP-xmp:CreatorTool': 'digiKam-8.2.0',
        'XMP-xmp:Rating': 4,
        'XMP-microsoft:RatingPercent': 75,
        'XMP-digiKam:TagsList': ['Family/Mia'],
        'XMP-lr:HierarchicalSubject': ['Family|Mia'],
        'XMP-dc:Subject': ['Mia'],
      } as never,
      { useMWG: false },
    );
    await exiftool.write(files.iptc, { Keywords: ['garden', 'AC/DC'] } as never, { writeArgs: ['-overwrite_original'] });

    const lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'no-models') });
    open.push(lib);
    await lib.addFolder(photos);
    await lib.index();
    const id = (f: string) => lib.catalog.photoByPath(f)!.id;
    const ids = Object.values(files).map(id);
    // Imported as the user's: Lightroom's paths, digiKam's path, IPTC keywords ("/" is a character), ratings, labels.
    expect(lib.photo(id(files.lightroom))).toMatchObject({ tags: ['Places|Portugal|Porto', 'sunset'], rating: 3, label: 'Green', caption: 'The river at dusk' });
    expect(lib.photo(id(files.digikam))).toMatchObject({ tags: ['Family|Mia'], rating: 4, label: null });
    expect(lib.photo(id(files.iptc))).toMatchObject({ tags: ['AC/DC', 'garden'], rating: null });
    // A model's suggestions.
    for (const p of ids) lib.catalog.setAutoTags(p, 'fixture-clip', [{ tag: 'clear blue sky', score: 0.6 }, { tag: 'sunset', score: 0.4 }]);

    const photoOf = (p: number) => ({ id: p, path: lib.catalog.photo(p)!.path });
    const transact = <T>(fn: () => T): T => lib.db.transaction(fn)();
    const syncAll = async () => {
      for (const p of ids) await syncSidecar(lib.xmp, lib.annotations, photoOf(p), transact);
      const out: Record<string, Record<string, unknown>> = {};
      for (const [k, f] of Object.entries(sidecars)) out[k] = await sidecar(f);
      return out;
    };
    const rows = (p: number) => ({
      details: lib.photo(p),
      tags: lib.db.prepare('SELECT * FROM tags WHERE photo_id = ? ORDER BY tag, source').all(p),
      captions: lib.db.prepare("SELECT * FROM captions WHERE photo_id = ? AND source = 'user'").all(p),
      marks: lib.db.prepare('SELECT * FROM marks WHERE photo_id = ?').all(p),
    });

    const s0 = await syncAll();
    // Suggestions are never written; every user tag is a path, leaves in dc:subject; the other programs' fields stay.
    expect(s0.lightroom).toMatchObject({
      Subject: ['Porto', 'sunset'],
      HierarchicalSubject: ['Places|Portugal|Porto', 'sunset'],
      TagsList: ['Places/Portugal/Porto', 'sunset'],
      Rating: 3,
      Label: 'Green',
      Title: 'Ribeira at dusk',
      Description: 'The river at dusk',
      CreatorTool: 'Adobe Photoshop Lightroom Classic 13.0 (Windows)',
    });
    expect(s0.digikam).toMatchObject({ Subject: ['Mia'], HierarchicalSubject: ['Family|Mia'], TagsList: ['Family/Mia'], Rating: 4, RatingPercent: 75, CreatorTool: 'digiKam-8.2.0' });
    // "AC/DC" cannot be spelt in digiKam's TagsList (its "/" would be a level): left out of that field only.
    expect(s0.iptc).toMatchObject({ Subject: ['AC/DC', 'garden'], HierarchicalSubject: ['AC/DC', 'garden'], TagsList: ['garden'] });
    expect(s0.bare).toEqual({});
    const before = ids.map(rows);

    lib.db.prepare("UPDATE tasks SET state = 'done' WHERE stage = 'xmp'").run();
    const edit = lib.editPhotos(ids, { addTags: ['Portugal 2019', 'Places|Portugal|Lisbon'], removeTags: ['sunset', 'garden'], caption: 'Holiday', rating: 5, label: 'Red' });
    expect(edit).toMatchObject({ photos: 4, summary: 'Edited 4 photos: added “Portugal 2019” and “Places|Portugal|Lisbon”, removed “sunset” and “garden”, set the caption, rated 5 stars, labelled “Red”' });
    expect(lib.queue.counts(['xmp'])[0]).toMatchObject({ pending: 4 });
    const s1 = await syncAll();
    expect(s1.lightroom).toMatchObject({
      Description: 'Holiday',
      Subject: ['Lisbon', 'Porto', 'Portugal 2019'],
      HierarchicalSubject: ['Places|Portugal|Lisbon', 'Places|Portugal|Porto', 'Portugal 2019'],
      Rating: 5,
      Label: 'Red',
      Title: 'Ribeira at dusk',
    });
    expect(s1.digikam).toMatchObject({ Rating: 5, RatingPercent: 99, TagsList: ['Family/Mia', 'Places/Portugal/Lisbon', 'Portugal 2019'] });
    expect(s1.iptc).toMatchObject({ Subject: ['AC/DC', 'Lisbon', 'Portugal 2019'], Rating: 5 });
    expect(s1.bare).toMatchObject({ Description: 'Holiday', Subject: ['Lisbon', 'Portugal 2019'], Rating: 5, Label: 'Red' });
    // A sync of the edited sidecars imports nothing back as the user's.
    expect(lib.photo(ids[0]!)!.tags).toEqual(['Places|Portugal|Lisbon', 'Places|Portugal|Porto', 'Portugal 2019']);

    expect(lib.undo()).toMatchObject({ editId: edit.editId, photos: 4 });
    expect(lib.queue.counts(['xmp'])[0]).toMatchObject({ pending: 4 });
    expect(ids.map(rows)).toEqual(before);
    const s2 = await syncAll();
    expect(s2.lightroom).toEqual(s0.lightroom);
    expect(s2.digikam).toEqual(s0.digikam);
    expect(s2.iptc).toEqual(s0.iptc);
    // The bare photo's sidecar was made by the edit; undone, it holds nothing of it.
    expect(s2.bare).toEqual({});
    // And the catalog is still as it was after reading the sidecars back.
    expect(ids.map(rows)).toEqual(before);
  });
});
