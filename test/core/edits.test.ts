// Tagging at scale on a catalog of its own (no models, no exiftool): tags normalized through the catalog,
// edits of many photos and undo, suggestions accepted and rejected for good, the vocabulary renamed,
// moved, merged and deleted, the grid's filters, and a 10,000-photo edit in one transaction.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { openCatalog, type Repositories } from '../../src/main/core/catalog/repositories.ts';
import { KEEP_EDITS } from '../../src/main/core/catalog/edit-log.ts';
import { Edits, EditError, describeEdit } from '../../src/main/core/annotate/edits.ts';
import { Editor } from '../../src/main/core/annotate/editor.ts';
import { importMetadata } from '../../src/main/core/annotate/sidecar-sync.ts';
import { parseStrongThresholds, formatStrongThresholds } from '../../src/main/core/catalog/annotations.ts';
import { changeSetting } from '../../src/main/core/setting-change.ts';
import type { PhotoMetadata } from '../../src/main/core/media/xmp.ts';

/** A catalog of n photos in one folder, every xmp task done; ids 1..n, newest (by date) last-inserted first. */
function library(n: number, stages: readonly string[] = ['xmp']): Repositories & { ids: number[] } {
  const db = openDatabase(':memory:');
  const repos = openCatalog(db, () => stages);
  db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0)").run();
  const ids = db.transaction(() =>
    Array.from({ length: n }, (_, i) => {
      const id = repos.catalog.insertPhoto({ folderId: 1, path: `/photos/${String(i + 1).padStart(5, '0')}.jpg`, size: 1, mtimeMs: i, fingerprint: null }, 0);
      db.prepare('UPDATE photos SET taken_at = ? WHERE id = ?').run(`2020-01-01T00:00:${String(i % 60).padStart(2, '0')}`, id);
      return id;
    }),
  )();
  db.prepare("UPDATE tasks SET state = 'done'").run();
  return { ...repos, ids };
}

/** Everything an edit may change of a photo, as the window sees it, and every row behind it. */
function stateOf(r: Repositories, id: number) {
  const d = r.catalog.details(id)!;
  return {
    tags: d.tags,
    suggested: d.suggested,
    rating: d.rating,
    label: d.label,
    caption: d.caption,
    captions: d.captions,
    tagDetails: d.tagDetails,
    marks: r.db.prepare('SELECT * FROM marks WHERE photo_id = ?').get(id) ?? null,
    rows: r.db.prepare('SELECT * FROM tags WHERE photo_id = ? ORDER BY tag, source').all(id),
    fts: r.db.prepare('SELECT caption, tags FROM photos_fts WHERE rowid = ?').get(id),
  };
}

const pendingXmp = (r: Repositories) => r.db.prepare("SELECT photo_id FROM tasks WHERE stage = 'xmp' AND state = 'pending' ORDER BY photo_id").pluck().all() as number[];

describe('tags through the catalog', () => {
  it('keeps one spelling per tag, the first typed; "|" makes levels, "/" is a character', () => {
    const r = library(3);
    const ed = new Edits(r);
    const [a, b, c] = r.ids as [number, number, number];
    ed.editPhotos([a], { addTags: ['Beach', 'Cafe\u0301', 'AC/DC', '  Places |Portugal|| Porto '] });
    ed.editPhotos([b], { addTags: ['beach ', 'CAFÉ', 'ac/dc', 'places|portugal|lisbon'] });
    ed.editPhotos([c], { addTags: ['BEACH\t'] });
    expect(r.catalog.details(a)!.tags).toEqual(['AC/DC', 'Beach', 'Café', 'Places|Portugal|Porto']);
    expect(r.catalog.details(b)!.tags).toEqual(['AC/DC', 'Beach', 'Café', 'Places|Portugal|lisbon']);
    expect(r.catalog.details(c)!.tags).toEqual(['Beach']);
    expect(ed.tagCounts()).toEqual([
      { tag: 'Beach', count: 3, suggested: 0 },
      { tag: 'AC/DC', count: 2, suggested: 0 },
      { tag: 'Café', count: 2, suggested: 0 },
      { tag: 'Places|Portugal|Porto', count: 1, suggested: 0 },
      { tag: 'Places|Portugal|lisbon', count: 1, suggested: 0 },
    ]);
    // A photo's own tag typed in another case is no change.
    expect(ed.editPhotos([a, b], { addTags: ['café'] })).toMatchObject({ editId: null, photos: 0 });
    // The single-photo editor shares the rules, and says what it added as stored.
    const editor = new Editor(r);
    expect(editor.addTags(c, ['cafe\u0301', 'beach']).changed).toEqual(['Café']);
    expect(editor.removeTags(c, ['CAFÉ', 'nope']).changed).toEqual(['CAFÉ']);
    expect(r.catalog.details(c)!.tags).toEqual(['Beach']);
  });

  it('filters the grid by a tag and its children, a suggestion, a rating and a label', () => {
    const r = library(6);
    const ed = new Edits(r);
    const [p1, p2, p3, p4, p5, p6] = r.ids as [number, number, number, number, number, number];
    ed.editPhotos([p1], { addTags: ['Places|Portugal|Porto'], rating: 5, label: 'Red' });
    ed.editPhotos([p2], { addTags: ['Places|Spain'], rating: 3 });
    ed.editPhotos([p3], { addTags: ['Places'], rating: -1, label: 'red' });
    ed.editPhotos([p4], { addTags: ['Placeshifting'] });
    r.catalog.setAutoTags(p5, 'm', [{ tag: 'beach', score: 0.8 }]);
    r.catalog.setAutoTags(p6, 'm', [{ tag: 'beach', score: 0.2 }]);
    ed.editPhotos([p6], { addTags: ['Beach'] });
    const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
    expect(sorted(ed.photoIds({ tag: 'places' }))).toEqual([p1, p2, p3]);
    expect(sorted(ed.photoIds({ tag: 'Places|Portugal' }))).toEqual([p1]);
    expect(ed.photoIds({ tag: 'Portugal' })).toEqual([]);
    // A suggestion the user already has as a tag is not one.
    expect(ed.photoIds({ suggested: 'BEACH' })).toEqual([p5]);
    expect(ed.photoIds({ tag: 'beach' })).toEqual([p6]);
    expect(sorted(ed.photoIds({ minRating: 3 }))).toEqual([p1, p2]);
    expect(sorted(ed.photoIds({ minRating: 0 }))).toEqual(sorted(r.ids.filter((id) => id !== p3)));
    expect(ed.photoIds({ minRating: -1 })).toHaveLength(6);
    expect(sorted(ed.photoIds({ label: 'RED' }))).toEqual([p1, p3]);
    expect(ed.photoIds({ label: 'red', minRating: 4 })).toEqual([p1]);
    // Search's allow-list is the same filter.
    expect(r.browser.ids({ tag: 'Places', minRating: 1 }).sort((x, y) => x - y)).toEqual([p1, p2]);
    // The grid's order, and ranges of it.
    const all = ed.photoIds();
    expect(all).toEqual(r.browser.photos({ limit: -1 }).map((p) => p.id));
    expect(ed.photoIds({ offset: 2, limit: 2 })).toEqual(all.slice(2, 4));
    // Summaries carry the user's tags, the suggestions, rating and label.
    expect(r.browser.summaries([p1, p5])).toMatchObject([
      { id: p1, tags: ['Places|Portugal|Porto'], suggested: [], rating: 5, label: 'Red' },
      { id: p5, tags: [], suggested: ['beach'], rating: null, label: null },
    ]);
    expect(ed.photoPaths([p3, 99_999, p1])).toEqual(['/photos/00003.jpg', '/photos/00001.jpg']);
  });
});

describe('edits of many photos, and undo', () => {
  it('adds, removes, captions, rates and labels in one edit, and undo puts every row back exactly', () => {
    const r = library(5);
    const ed = new Edits(r);
    const [a, b, c, d, e] = r.ids as [number, number, number, number, number];
    r.catalog.setAutoTags(a, 'm', [{ tag: 'beach', score: 0.9 }, { tag: 'dog', score: 0.3 }]);
    r.annotations.setUserCaption(b, 'Imported caption', 'import', 5);
    r.annotations.addUserTags(b, ['holiday', 'Places|Portugal'], 'import', 6);
    r.annotations.setMarks(c, { rating: 2, label: 'Green' }, 'import', 7);
    r.annotations.addUserTags(d, ['holiday'], 'shoebox', 8);
    r.annotations.removeTags(d, ['holiday']);
    const before = r.ids.map((id) => stateOf(r, id));

    const progress: [number, number][] = [];
    const edit = ed.editPhotos([a, b, c, d, e, a], { addTags: ['Portugal 2019', 'holiday'], removeTags: ['beach'], caption: ' Trip ', rating: 4, label: 'Red' }, (x, y) => progress.push([x, y]));
    expect(edit).toEqual({ editId: 1, summary: 'Edited 5 photos: added “Portugal 2019” and “holiday”, removed “beach”, set the caption, rated 4 stars, labelled “Red”', photos: 5, ids: [a, b, c, d, e] });
    expect(progress).toEqual([[5, 5]]);
    expect(pendingXmp(r)).toEqual([a, b, c, d, e]);
    for (const id of r.ids) expect(r.catalog.details(id)).toMatchObject({ caption: 'Trip', captionSource: 'user', rating: 4, label: 'Red' });
    expect(r.catalog.details(a)).toMatchObject({ tags: ['Portugal 2019', 'holiday'], suggested: ['dog'] });
    // The imported "holiday" is kept as it was; the one removed on d comes back, typed in Shoebox.
    expect(r.catalog.details(b)!.tagDetails.find((t) => t.tag === 'holiday')).toMatchObject({ origin: 'import', hidden: false });
    expect(r.catalog.details(d)!.tagDetails.find((t) => t.tag === 'holiday')).toMatchObject({ origin: 'shoebox', hidden: false });
    expect(r.db.prepare('SELECT tags FROM photos_fts WHERE rowid = ?').pluck().get(a)).toMatch(/Portugal 2019/);

    // A second edit; undo goes back one edit at a time, each queuing the sidecars again.
    ed.editPhotos([a], { rating: null, label: null, caption: '' });
    expect(r.catalog.details(a)).toMatchObject({ rating: null, label: null, captionSource: null });
    r.db.prepare("UPDATE tasks SET state = 'done'").run();
    expect(ed.undo()).toEqual({ editId: 2, summary: 'Undid: Edited 1 photo: cleared the caption, cleared the rating, cleared the label', photos: 1, ids: [a] });
    expect(pendingXmp(r)).toEqual([a]);
    expect(r.catalog.details(a)).toMatchObject({ rating: 4, label: 'Red', caption: 'Trip' });
    const undoProgress: [number, number][] = [];
    expect(ed.undo((x, y) => undoProgress.push([x, y]))?.editId).toBe(1);
    expect(undoProgress).toEqual([[5, 5]]);
    expect(pendingXmp(r)).toEqual([a, b, c, d, e]);
    expect(r.ids.map((id) => stateOf(r, id))).toEqual(before);
    expect(ed.undo()).toBeNull();
    expect(ed.history().map((h) => [h.id, h.undoneAt !== null])).toEqual([
      [2, true],
      [1, true],
    ]);
  });

  it('records only the photos it changes, keeps the last 20 edits, and refuses edits that ask nothing', () => {
    const r = library(3);
    const ed = new Edits(r);
    const [a, b, c] = r.ids as [number, number, number];
    ed.editPhotos([a], { rating: 3 });
    r.db.prepare("UPDATE tasks SET state = 'done'").run();
    const again = ed.editPhotos([a, b, c, 424242], { rating: 3 });
    expect(again).toMatchObject({ photos: 2, ids: [b, c], summary: 'Rated 2 photos 3 stars' });
    expect(pendingXmp(r)).toEqual([b, c]);
    expect(r.db.prepare('SELECT photo_id FROM edit_before WHERE edit_id = ?').pluck().all(again.editId)).toEqual([b, c]);
    expect(ed.editPhotos([a, b], { rating: 3 })).toEqual({ editId: null, summary: 'Nothing to change: the 2 photos are already so (rated 3 stars)', photos: 0, ids: [] });
    for (let i = 0; i < KEEP_EDITS + 5; i++) ed.editPhotos([a], { rating: i % 2 ? 1 : 2 });
    expect(ed.history()).toHaveLength(KEEP_EDITS);
    expect(r.db.prepare('SELECT COUNT(DISTINCT edit_id) FROM edit_before').pluck().get()).toBe(KEEP_EDITS);
    expect(() => ed.editPhotos([a], {})).toThrow(EditError);
    expect(() => ed.editPhotos([a], { addTags: ['x'], removeTags: ['X'] })).toThrow(/cannot be both added and removed/);
    expect(() => ed.editPhotos([a], { rating: 7 })).toThrow(/rating is a whole number/);
    expect(() => ed.editPhotos([a], { addTags: ['  '] })).toThrow(/nothing to edit/);
  });

  it('undoes only what the edit changed: a tag imported since a rating stays when the rating is undone', () => {
    const r = library(2);
    const ed = new Edits(r);
    const [a, b] = r.ids as [number, number];
    ed.editPhotos([a, b], { rating: 2 });
    r.annotations.addUserTags(a, ['from Lightroom'], 'import');
    r.annotations.setUserCaption(b, 'typed later', 'shoebox');
    ed.undo();
    expect(r.catalog.details(a)).toMatchObject({ rating: null, tags: ['from Lightroom'] });
    expect(r.catalog.details(b)).toMatchObject({ rating: null, caption: 'typed later' });
    expect(r.db.prepare('SELECT state FROM edit_before').pluck().all()).toEqual(['{"marks":null}', '{"marks":null}']);
  });

  it('says what it did in words', () => {
    expect(describeEdit({ addTags: ['Portugal 2019'] }, 80, 80)).toBe('Added “Portugal 2019” to 80 photos');
    expect(describeEdit({ removeTags: ['a', 'b', 'c'] }, 1, 3)).toBe('Removed “a”, “b” and “c” from 1 photo');
    expect(describeEdit({ rating: -1 }, 12_000, 12_000)).toBe('Marked 12,000 photos rejected');
    expect(describeEdit({ rating: 1 }, 2, 2)).toBe('Rated 2 photos 1 star');
    expect(describeEdit({ label: 'Red' }, 2, 2)).toBe('Labelled 2 photos “Red”');
    expect(describeEdit({ label: null }, 2, 2)).toBe('Cleared the label of 2 photos');
    expect(describeEdit({ caption: '' }, 1, 1)).toBe('Cleared the caption of 1 photo');
  });

  it('edits 10,000 photos in one transaction: one edit in the log, one xmp task per photo, progress every 1000', () => {
    const r = library(10_000);
    const ed = new Edits(r);
    const before = stateOf(r, r.ids[1234]!);
    let transactions = 0;
    // Every statement of the edit runs inside one transaction: count BEGINs through better-sqlite3's own.
    const spy = r.db.transaction.bind(r.db);
    (r.db as { transaction: typeof r.db.transaction }).transaction = ((fn: never) => {
      transactions++;
      return spy(fn);
    }) as typeof r.db.transaction;
    const progress: number[] = [];
    const result = ed.editPhotos(r.ids, { addTags: ['Portugal 2019'], rating: 5 }, (done, total) => {
      expect(total).toBe(10_000);
      expect(r.db.inTransaction).toBe(true);
      progress.push(done);
    });
    expect(transactions).toBe(1);
    expect(result).toMatchObject({ editId: 1, summary: 'Edited 10,000 photos: added “Portugal 2019”, rated 5 stars', photos: 10_000 });
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 1000));
    expect(ed.history()).toHaveLength(1);
    expect(r.db.prepare('SELECT COUNT(*) FROM edit_before WHERE edit_id = 1').pluck().get()).toBe(10_000);
    expect(pendingXmp(r)).toHaveLength(10_000);
    expect(ed.photoIds({ tag: 'portugal 2019', minRating: 5 })).toHaveLength(10_000);
    expect(ed.tagCounts()).toEqual([{ tag: 'Portugal 2019', count: 10_000, suggested: 0 }]);
    expect(ed.undo()?.photos).toBe(10_000);
    expect(transactions).toBe(2);
    expect(stateOf(r, r.ids[1234]!)).toEqual(before);
    expect(ed.tagCounts()).toEqual([]);
  });
});

describe('suggestions', () => {
  it('accepts and rejects in bulk, and both survive a re-run of the model and a model switch', () => {
    const r = library(6);
    const ed = new Edits(r);
    const [a, b, c, d, e, f] = r.ids as [number, number, number, number, number, number];
    for (const [i, id] of r.ids.entries()) r.catalog.setAutoTags(id, 'clip-a', [{ tag: 'beach', score: 0.3 + i * 0.1 }, { tag: 'dog', score: 0.2 }]);
    r.annotations.addUserTags(f, ['Beach'], 'import');
    expect(ed.suggestions()).toEqual([
      { tag: 'dog', photos: 6, strong: 0, likely: 6 },
      // f has Beach as the user's own: not a suggestion there. Strong: 0.5 and over (c, d, e).
      { tag: 'beach', photos: 5, strong: 3, likely: 2 },
    ]);
    expect(ed.tagCounts()).toEqual([
      { tag: 'Beach', count: 1, suggested: 5 },
      { tag: 'dog', count: 0, suggested: 6 },
    ]);

    const review = ed.reviewSuggestions('beach', { accept: [a, b, c, f], reject: [d] });
    expect(review).toMatchObject({ photos: 4, summary: 'Accepted “Beach” on 3 photos and rejected it on 1 photo', ids: [a, b, c, d] });
    expect(pendingXmp(r)).toEqual([a, b, c, d]);
    const check = (label = 'beach') => {
      for (const id of [a, b, c]) expect(r.catalog.details(id)).toMatchObject({ tags: ['Beach'], suggested: ['dog'] });
      expect(r.catalog.details(d)).toMatchObject({ tags: [], suggested: ['dog'] });
      expect(r.catalog.details(e)).toMatchObject({ tags: [], suggested: [label, 'dog'] });
      expect(ed.photoIds({ suggested: 'beach' })).toEqual([e]);
      expect(ed.suggestions().find((s) => s.tag === label)).toEqual({ tag: label, photos: 1, strong: 1, likely: 0 });
    };
    check();
    // The model runs again, then another model (new scores, new model id) suggests the same labels.
    for (const id of r.ids) r.catalog.setAutoTags(id, 'clip-a', [{ tag: 'beach', score: 0.9 }, { tag: 'dog', score: 0.2 }]);
    check();
    for (const id of r.ids) r.catalog.setAutoTags(id, 'clip-b', [{ tag: 'Beach', score: 0.95 }, { tag: 'dog', score: 0.6 }]);
    check('Beach');
    expect(r.catalog.details(d)!.tagDetails.find((t) => t.tag === 'beach')).toMatchObject({ source: 'auto', hidden: true, modelId: 'clip-a' });
    // Removing an accepted tag later does not bring the suggestion back.
    ed.editPhotos([a], { removeTags: ['beach'] });
    expect(r.catalog.details(a)).toMatchObject({ tags: [], suggested: ['dog'] });
    expect(() => ed.reviewSuggestions('dog', {})).toThrow(EditError);
    expect(() => ed.reviewSuggestions('dog', { accept: [a], reject: [a] })).toThrow(/both accept and reject/);
    expect(ed.reviewSuggestions('cat', { accept: [a] })).toMatchObject({ editId: null, summary: 'Nothing to review: “cat” is suggested on none of those photos' });
  });

  it('says strong or likely by a threshold per tag (the suggestion_strong setting)', () => {
    expect(parseStrongThresholds('0.6; sunset=0.3;\nclear  blue sky = 0.75')).toEqual({ default: 0.6, tags: new Map([['sunset', 0.3], ['clear blue sky', 0.75]]) });
    expect(formatStrongThresholds(parseStrongThresholds('sunset=0.3;0.4'))).toBe('0.4; sunset=0.3');
    expect(() => parseStrongThresholds('1.5')).toThrow(/from 0 to 1/);
    expect(() => parseStrongThresholds('0.5; 0.6')).toThrow(/one bare number/);
    expect(() => parseStrongThresholds('=0.5')).toThrow(/tag is missing/);
    const r = library(3);
    const ed = new Edits(r);
    r.ids.forEach((id, i) => r.catalog.setAutoTags(id, 'm', [{ tag: 'sunset', score: 0.2 + 0.1 * i }, { tag: 'dog', score: 0.2 + 0.1 * i }]));
    const change = (v: string) =>
      changeSetting(r.catalog, { specs: () => [] } as never, { followModelChoice() {}, followCaptionChoice() {}, checkCaptions: async () => 0, kick() {} }, 'suggestion_strong', v);
    change('0.3 ; Sunset=0.2');
    expect(r.catalog.setting('suggestion_strong')).toBe('0.3; sunset=0.2');
    expect(ed.suggestions()).toEqual([
      { tag: 'dog', photos: 3, strong: 2, likely: 1 },
      { tag: 'sunset', photos: 3, strong: 3, likely: 0 },
    ]);
    expect(() => change('lots')).toThrow(/suggestion_strong must be a number from 0 to 1/);
  });
});

describe('the vocabulary library-wide', () => {
  /** Photos tagged: a Places|Portugal|Porto and Places|Portugal; b Places|Portugal|Porto|Ribeira; c Oporto; d Porto. */
  function tagged() {
    const r = library(4);
    const ed = new Edits(r);
    const [a, b, c, d] = r.ids as [number, number, number, number];
    ed.editPhotos([a], { addTags: ['Places|Portugal|Porto', 'Places|Portugal'] });
    ed.editPhotos([b], { addTags: ['Places|Portugal|Porto|Ribeira'] });
    ed.editPhotos([c], { addTags: ['Oporto'] });
    ed.editPhotos([d], { addTags: ['Porto'] });
    r.db.prepare("UPDATE tasks SET state = 'done'").run();
    return { r, ed, a, b, c, d, before: r.ids.map((id) => stateOf(r, id)) };
  }
  const tags = (r: ReturnType<typeof library>) => r.ids.map((id) => r.catalog.details(id)!.tags);

  it('renames a tag with its children, and undo puts it back', () => {
    const { r, ed, a, b, before } = tagged();
    const res = ed.renameTag('places|portugal|porto', 'Places|Portugal|Oporto');
    expect(res).toMatchObject({ summary: 'Renamed “Places|Portugal|Porto” to “Places|Portugal|Oporto” on 2 photos', photos: 2, ids: [a, b] });
    expect(tags(r)).toEqual([['Places|Portugal', 'Places|Portugal|Oporto'], ['Places|Portugal|Oporto|Ribeira'], ['Oporto'], ['Porto']]);
    expect(pendingXmp(r)).toEqual([a, b]);
    ed.undo();
    expect(r.ids.map((id) => stateOf(r, id))).toEqual(before);
  });

  it('moves a tag to another path, merges into an existing tag (the union), respells a tag', () => {
    const { r, ed, a, b, c, d } = tagged();
    expect(ed.renameTag('Porto', 'Places|Portugal|Porto')).toMatchObject({ summary: 'Merged “Porto” into “Places|Portugal|Porto” on 1 photo', ids: [d] });
    expect(tags(r)[3]).toEqual(['Places|Portugal|Porto']);
    expect(ed.photoIds({ tag: 'Places|Portugal|Porto' }).sort()).toEqual([a, b, d].sort());
    expect(ed.renameTag('Oporto', 'Places|Spain|Oporto')).toMatchObject({ summary: 'Moved “Oporto” to “Places|Spain|Oporto” on 1 photo' });
    expect(ed.mergeTags(['Places|Spain|Oporto', 'places|portugal|porto'], 'Places|Portugal|Porto City')).toMatchObject({
      summary: 'Merged “Places|Spain|Oporto” and “Places|Portugal|Porto” into “Places|Portugal|Porto City” on 4 photos',
      photos: 4,
    });
    expect(tags(r)).toEqual([
      ['Places|Portugal', 'Places|Portugal|Porto City'],
      ['Places|Portugal|Porto City|Ribeira'],
      ['Places|Portugal|Porto City'],
      ['Places|Portugal|Porto City'],
    ]);
    expect(ed.renameTag('places|portugal', 'Places|PORTUGAL')).toMatchObject({ summary: 'Renamed “Places|Portugal” to “Places|PORTUGAL” on 4 photos' });
    expect(tags(r)[1]).toEqual(['Places|PORTUGAL|Porto City|Ribeira']);
    // New photos get the new spelling.
    ed.editPhotos([c], { addTags: ['places|portugal|braga'] });
    expect(tags(r)[2]).toContain('Places|PORTUGAL|braga');
    expect(() => ed.renameTag('Places', 'Places|Old')).toThrow(/cannot move “Places” under itself/);
    expect(() => ed.mergeTags(['Places'], 'Places|Old')).toThrow(/into a tag under it/);
    expect(ed.renameTag('Nowhere', 'Somewhere')).toMatchObject({ editId: null, summary: 'No photo has “Nowhere”' });
    // Each was one edit: undo walks them back to the start, then on to the edits that tagged the photos.
    for (let i = 0; i < 5; i++) ed.undo();
    expect(tags(r)).toEqual([['Places|Portugal', 'Places|Portugal|Porto'], ['Places|Portugal|Porto|Ribeira'], ['Oporto'], ['Porto']]);
    expect(ed.lastEdit()?.summary).toBe('Added “Porto” to 1 photo');
  });

  it('moves a tag up a level, its children after it', () => {
    const { r, ed } = tagged();
    ed.editPhotos([r.ids[2]!], { addTags: ['Places|Portugal|Portugal'] });
    ed.renameTag('Places|Portugal', 'Places');
    expect(tags(r)).toEqual([['Places', 'Places|Porto'], ['Places|Porto|Ribeira'], ['Oporto', 'Places|Portugal'], ['Porto']]);
  });

  it('deletes a tag and the tags under it from every photo; an import does not bring it back', () => {
    const { r, ed, a, b } = tagged();
    expect(ed.deleteTag('PLACES|Portugal')).toMatchObject({ summary: 'Removed “Places|Portugal” and the tags under it from 2 photos', ids: [a, b] });
    expect(tags(r)).toEqual([[], [], ['Oporto'], ['Porto']]);
    const meta = { description: null, keywords: ['Porto'], hierarchicalTags: [['Places', 'Portugal', 'Porto']], rating: null, label: null, facts: {} } as unknown as PhotoMetadata;
    importMetadata(r.annotations, a, meta);
    expect(tags(r)[0]).toEqual([]);
    expect(ed.deleteTag('Places')).toMatchObject({ editId: null });
  });
});

describe('ratings and labels from the photo', () => {
  const meta = (m: Partial<PhotoMetadata>) => ({ description: null, keywords: [], hierarchicalTags: [], rating: null, label: null, facts: {}, ...m }) as unknown as PhotoMetadata;

  it('imports them as the user\'s until set in Shoebox, which wins afterwards; hierarchical tags come in as paths', () => {
    const r = library(3);
    const ed = new Edits(r);
    const [a, b, c] = r.ids as [number, number, number];
    expect(importMetadata(r.annotations, a, meta({ rating: 3, label: 'Green', keywords: ['Porto', 'sunset'], hierarchicalTags: [['Places', 'Portugal', 'Porto']] }))).toEqual({
      caption: false,
      tags: ['Places|Portugal|Porto', 'sunset'],
      marks: true,
    });
    expect(r.catalog.details(a)).toMatchObject({ rating: 3, label: 'Green', tags: ['Places|Portugal|Porto', 'sunset'] });
    expect(r.annotations.marks(a)?.origin).toBe('import');
    // Another program changes it: the file wins while Shoebox never set it.
    importMetadata(r.annotations, a, meta({ rating: 4 }));
    expect(r.catalog.details(a)).toMatchObject({ rating: 4, label: 'Green' });
    ed.editPhotos([a], { rating: 1 });
    importMetadata(r.annotations, a, meta({ rating: 5, label: 'Blue' }));
    expect(r.catalog.details(a)).toMatchObject({ rating: 1, label: 'Green' });
    // A cleared rating stays cleared.
    ed.editPhotos([b], { rating: null, label: 'x' });
    ed.editPhotos([b], { label: null });
    importMetadata(r.annotations, b, meta({ rating: 2 }));
    expect(r.catalog.details(b)).toMatchObject({ rating: null, label: null });
    // "0 stars" alone is no rating.
    expect(importMetadata(r.annotations, c, meta({ rating: 0 })).marks).toBe(false);
    expect(r.annotations.marks(c)).toBeUndefined();
  });
});

describe('query plans', () => {
  it('reaches a chunk\'s photos and a tag\'s rows through keys: no statement of an edit or a read scans every tag or caption', () => {
    const db = openDatabase(':memory:');
    const plans = new Map<string, string[]>();
    const prepare = db.prepare.bind(db);
    (db as { prepare: typeof db.prepare }).prepare = ((sql: string) => {
      if (!plans.has(sql) && /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)/i.test(sql)) {
        const named = { ids: '[1]', edit: 1, add: '["x"]', remove: '["x"]', caption: 'x', text: 'x', rating: 1, label: 'x', now: 0, t: 'x', s: 'x', from: 'x', to: 'x' };
        const st = prepare(`EXPLAIN QUERY PLAN ${sql}`);
        const rows = (/@\w+/.test(sql) ? st.all(named) : st.all(...Array((sql.match(/\?/g) ?? []).length).fill(1))) as { detail: string }[];
        plans.set(sql, rows.map((r) => r.detail));
      }
      return prepare(sql);
    }) as typeof db.prepare;
    const r = { ...openCatalog(db, () => ['xmp']) };
    db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0)").run();
    const ids = Array.from({ length: 50 }, (_, i) => r.catalog.insertPhoto({ folderId: 1, path: `/photos/${i}.jpg`, size: 1, mtimeMs: i, fingerprint: null }, 0));
    for (const id of ids) r.catalog.setAutoTags(id, 'm', [{ tag: 'beach', score: 0.6 }, { tag: 'dog', score: 0.3 }]);
    const ed = new Edits(r);
    ed.editPhotos(ids, { addTags: ['Places|Portugal', 'beach'], removeTags: ['dog'], caption: 'x', rating: 3, label: 'Red' });
    ed.editPhotos(ids.slice(0, 5), { caption: '', rating: null, label: null });
    ed.reviewSuggestions('dog', { accept: ids.slice(0, 5), reject: ids.slice(5, 10) });
    ed.renameTag('Places', 'Lands');
    ed.mergeTags(['Lands|Portugal'], 'Portugal');
    ed.renameTag('portugal', 'PORTUGAL');
    ed.deleteTag('PORTUGAL');
    while (ed.undo());
    ed.tagCounts();
    ed.suggestions();
    ed.selectionTags(ids);
    for (const view of [{ tag: 'Places' }, { suggested: 'beach' }, { minRating: 2 }, { minRating: 0 }, { label: 'red' }]) r.browser.page({ ...view, limit: 10 });
    r.browser.summaries(ids.slice(0, 10));
    r.catalog.details(ids[0]!);
    expect(plans.size).toBeGreaterThan(40);
    // The counts of the vocabulary read their own small indexes whole, by design; nothing else reads a whole table of tags or captions.
    const wholeIndex = /SCAN \w+ USING COVERING INDEX (tags_user|tags_suggested)$/;
    // (An index searched by the source alone reads every row of that source: as bad.)
    const scans = (x: string) => (/^SCAN (tags|captions|t|a|u|c)\b(?! VIRTUAL TABLE)/.test(x) && !wholeIndex.test(x)) || /INDEX \w+ \(source=\?( AND hidden=\?)?\)/.test(x);
    const bad = [...plans].filter(([, d]) => d.some(scans));
    expect(bad.map(([sql, d]) => `${sql.replace(/\s+/g, ' ').slice(0, 120)} → ${d.join(' | ')}`)).toEqual([]);
  });
});
