// User data out of the catalog and back (issue 12): every user caption, tag, hidden tag, rating and label is
// exported keyed by content fingerprint and imported onto a fresh library of the same photos after their
// folders were renamed; a photo that is gone is reported; a changed photo falls back to its path; a caption
// typed in the new library wins; the import is one undoable edit that queues sidecars; a bad file changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { Library } from '../../src/main/core/library.ts';
import {
  exportUserData,
  importUserData,
  newestUserDataSince,
  readUserData,
  USER_DATA_COPIES,
  UserDataError,
  type ImportResult,
} from '../../src/main/core/annotate/user-data.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e'] as const;
type Name = (typeof NAMES)[number];
let root = '';
let photos = '';
let first: Library;
const exported = () => path.join(root, 'mine.json');

async function indexed(dataDir: string, folder: string): Promise<Library> {
  const lib = Library.open({ dataDir, modelsDir: path.join(root, 'no-models') });
  await lib.addFolder(folder);
  await lib.index();
  return lib;
}

function idOf(lib: Library, file: string): number {
  const p = lib.catalog.photoByPath(file);
  if (!p) throw new Error(`not in the library: ${file}`);
  return p.id;
}

/** What the user made of a photo, as the catalog holds it. */
function userState(lib: Library, id: number) {
  const rows = lib.db.prepare('SELECT tag, source, hidden FROM tags WHERE photo_id = ? ORDER BY source, tag').all(id) as { tag: string; source: string; hidden: number }[];
  const m = lib.annotations.marks(id);
  return {
    caption: lib.annotations.userCaption(id)?.text ?? null,
    tags: rows.filter((r) => r.source === 'user' && !r.hidden).map((r) => r.tag),
    removed: rows.filter((r) => r.source === 'user' && r.hidden).map((r) => r.tag),
    rejected: rows.filter((r) => r.source === 'auto' && r.hidden).map((r) => r.tag),
    rating: m?.rating ?? null,
    label: m?.label ?? null,
  };
}

beforeAll(async () => {
  root = tempDir();
  photos = path.join(root, 'Photos');
  for (const [i, n] of NAMES.entries()) await makeJpeg(path.join(photos, i < 3 ? 'Trip' : 'Home', `${n}.jpg`), { seed: i + 1, width: 80, height: 60 });
  first = await indexed(path.join(root, 'data1'), photos);
  const id = (n: Name) => idOf(first, path.join(photos, NAMES.indexOf(n) < 3 ? 'Trip' : 'Home', `${n}.jpg`));
  // Suggestions to reject (a model's tags, without a model).
  first.db.transaction(() => {
    for (const n of NAMES) first.catalog.setAutoTags(id(n), 'fixture', [{ tag: 'sunset', score: 0.9 }, { tag: 'beach', score: 0.8 }]);
  })();
  first.editPhotos([id('a')], { caption: 'Mia at the beach', addTags: ['Places|Portugal|Porto', 'Smith, John'], rating: 5, label: 'Red' });
  first.editPhotos([id('b')], { addTags: ['Family', 'old tag'], rating: -1 });
  first.editPhotos([id('b')], { removeTags: ['old tag'] });
  first.reviewSuggestions('sunset', { reject: [id('a'), id('b')], accept: [id('c')] });
  first.editPhotos([id('d')], { caption: 'Kitchen', label: 'Blue' });
  first.editPhotos([id('e')], { caption: 'Gone soon', addTags: ['Bin'] });
}, 60_000);

afterAll(async () => {
  await first?.close();
});

describe('user data export and import', () => {
  it('exports what only the user made, keyed by fingerprint, atomically, with a copy in <data>/backups', () => {
    const before = Date.now();
    const r = exportUserData(first.repos, exported());
    expect(r).toMatchObject({ photos: 5, captions: 3, ratings: 2, labels: 2 });
    expect(r.copy).toMatch(/backups[\\/]user-data-\d{8}T\d{9}Z\.json$/);
    expect(fs.readFileSync(r.copy!, 'utf8')).toBe(fs.readFileSync(exported(), 'utf8'));
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const file = readUserData(exported());
    expect(file.version).toBe(1);
    const a = file.photos.find((p) => p.name === 'a.jpg')!;
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toMatchObject({
      caption: { text: 'Mia at the beach', origin: 'shoebox' },
      tags: [{ tag: 'Places|Portugal|Porto', origin: 'shoebox' }, { tag: 'Smith, John', origin: 'shoebox' }],
      hiddenTags: [{ tag: 'sunset', source: 'auto' }],
      rating: 5,
      label: 'Red',
    });
    const b = file.photos.find((p) => p.name === 'b.jpg')!;
    expect(b.hiddenTags).toEqual([{ tag: 'old tag', source: 'user' }, { tag: 'sunset', source: 'auto' }]);
    expect(newestUserDataSince(path.join(root, 'data1'), before)?.file).toBe(r.copy);
    expect(newestUserDataSince(path.join(root, 'data1'), Date.now() + 60_000)).toBeNull();
  });

  it('keeps the newest copies only', () => {
    const backups = path.join(root, 'data1', 'backups');
    for (let i = 0; i < USER_DATA_COPIES + 3; i++) exportUserData(first.repos, path.join(root, 'again.json'), { now: Date.UTC(2020, 0, 1, 0, 0, i) });
    expect(fs.readdirSync(backups).filter((f) => f.startsWith('user-data-'))).toHaveLength(USER_DATA_COPIES);
    // The first export's copy (made now, not in 2020) is the newest of them.
    expect(newestUserDataSince(path.join(root, 'data1'), 0)!.exportedAt).toBeGreaterThan(Date.UTC(2021, 0, 1));
  });

  describe('onto a fresh library of the same photos, folders renamed', () => {
    let second: Library;
    let moved = '';
    let result: ImportResult;
    const at = (n: Name) => path.join(moved, NAMES.indexOf(n) < 3 ? 'Holiday 2019' : 'House', `${n === 'c' ? 'renamed-c' : n}.jpg`);

    beforeAll(async () => {
      await first.close();
      moved = path.join(root, 'Moved');
      fs.renameSync(photos, moved);
      fs.renameSync(path.join(moved, 'Trip'), path.join(moved, 'Holiday 2019'));
      fs.renameSync(path.join(moved, 'Home'), path.join(moved, 'House'));
      fs.renameSync(path.join(moved, 'Holiday 2019', 'c.jpg'), path.join(moved, 'Holiday 2019', 'renamed-c.jpg'));
      fs.rmSync(path.join(moved, 'House', 'e.jpg'));
      second = await indexed(path.join(root, 'data2'), moved);
      // A rejected suggestion's row is there again on a fresh index (the model ran), for photo a.
      second.db.transaction(() => second.catalog.setAutoTags(idOf(second, at('a')), 'fixture', [{ tag: 'sunset', score: 0.9 }]))();
      // A caption typed in the new library before the import.
      second.editPhotos([idOf(second, at('d'))], { caption: 'Typed here' });
      second.db.prepare("UPDATE tasks SET state = 'done' WHERE stage = 'xmp'").run();
    }, 60_000);

    afterAll(async () => {
      await second?.close();
    });

    it('puts every caption, tag, hidden tag, rating and label back on the right photo; a photo gone is reported', () => {
      const editsBefore = second.edits.history().length;
      result = importUserData(second.repos, exported());
      expect(result).toMatchObject({ entries: 5, matchedByFingerprint: 4, matchedByPath: 0, photos: 4 });
      expect(result.notFound).toEqual([{ path: path.join(photos, 'Home', 'e.jpg'), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      expect(userState(second, idOf(second, at('a')))).toEqual({
        caption: 'Mia at the beach',
        tags: ['Places|Portugal|Porto', 'Smith, John'],
        removed: [],
        rejected: ['sunset'],
        rating: 5,
        label: 'Red',
      });
      expect(userState(second, idOf(second, at('b')))).toEqual({ caption: null, tags: ['Family'], removed: ['old tag'], rejected: ['sunset'], rating: -1, label: null });
      expect(userState(second, idOf(second, at('c')))).toMatchObject({ tags: ['sunset'] });
      // The caption typed in this library wins; the label is filled in.
      expect(userState(second, idOf(second, at('d')))).toMatchObject({ caption: 'Typed here', label: 'Blue' });
      // One edit, every changed photo's sidecar queued.
      expect(second.edits.history()).toHaveLength(editsBefore + 1);
      const queued = second.db.prepare("SELECT photo_id FROM tasks WHERE stage = 'xmp' AND state = 'pending' ORDER BY photo_id").pluck().all();
      expect(queued).toEqual(result.ids);
    });

    it('a rejected suggestion stays rejected when the model runs again, and suggestions never come back', () => {
      const b = idOf(second, at('b'));
      second.db.transaction(() => second.catalog.setAutoTags(b, 'fixture', [{ tag: 'sunset', score: 0.9 }, { tag: 'beach', score: 0.8 }]))();
      expect(second.annotations.photoTags(b).suggested).toEqual(['beach']);
    });

    it('imports again without changing anything, and undo takes the import back', () => {
      const again = importUserData(second.repos, exported());
      expect(again).toMatchObject({ photos: 0, editId: null, matchedByFingerprint: 4 });
      const undone = second.undo();
      expect(undone?.summary).toBe(`Undid: ${result.summary}`);
      expect(userState(second, idOf(second, at('a')))).toMatchObject({ caption: null, tags: [], rating: null, label: null });
      expect(userState(second, idOf(second, at('d')))).toMatchObject({ caption: 'Typed here', label: null });
      // And back again for the next tests.
      expect(importUserData(second.repos, exported()).photos).toBe(4);
    });

    it('falls back to the path for a photo whose content changed', async () => {
      const file = readUserData(exported());
      const a = file.photos.find((p) => p.name === 'a.jpg')!;
      const edited = path.join(root, 'edited.json');
      fs.writeFileSync(edited, JSON.stringify({ ...file, photos: [{ ...a, fingerprint: 'f'.repeat(64), path: at('b'), caption: { text: 'Edited elsewhere', origin: 'shoebox' } }] }));
      const r = importUserData(second.repos, edited);
      expect(r).toMatchObject({ matchedByFingerprint: 0, matchedByPath: 1, photos: 1, captions: 1 });
      expect(userState(second, idOf(second, at('b'))).caption).toBe('Edited elsewhere');
    });

    it('refuses a malformed or unknown-version file with a clear error, changing nothing', () => {
      const rows = () => second.db.prepare('SELECT (SELECT COUNT(*) FROM tags) + (SELECT COUNT(*) FROM captions) * 1000 + (SELECT COUNT(*) FROM edits) * 1000000').pluck().get();
      const before = rows();
      const cases: [string, RegExp][] = [
        ['{"photos": [', /not a Shoebox user-data file: not valid JSON/],
        ['[1, 2]', /not a Shoebox user-data file: it holds no JSON object/],
        ['{"format": "csv", "version": 1, "photos": []}', /"format" is "csv", not "shoebox-user-data"/],
        ['{"format": "shoebox-user-data", "version": 0, "photos": []}', /version 0, which this Shoebox does not read \(it reads version 1\)/],
        ['{"format": "shoebox-user-data", "version": 2, "photos": []}', /version 2, newer than this Shoebox reads \(1\): update Shoebox/],
        [
          JSON.stringify({ format: 'shoebox-user-data', version: 1, photos: [{ fingerprint: null, path: at('a'), caption: { text: 'x', origin: 'shoebox' } }, { fingerprint: 'nope', path: '/x' }] }),
          /photo 2: "fingerprint" is neither null nor a SHA-256/,
        ],
      ];
      for (const [text, message] of cases) {
        const f = path.join(root, 'bad.json');
        fs.writeFileSync(f, text);
        expect(() => importUserData(second.repos, f)).toThrow(UserDataError);
        expect(() => importUserData(second.repos, f)).toThrow(message);
      }
      expect(() => importUserData(second.repos, path.join(root, 'missing.json'))).toThrow(/cannot read .*missing\.json: no such file/);
      expect(rows()).toBe(before);
    });
  });
});
