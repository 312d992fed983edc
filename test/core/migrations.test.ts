// Catalog migrations on a library made by an older Shoebox: what an upgrade requeues.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/core/catalog/db.ts';
import { migrations } from '../../src/main/core/catalog/migrations.ts';
import { tempDir } from '../helpers/photos.ts';

describe('migration 5 (real-library reading)', () => {
  it('reads every photo\'s metadata again, retries failed photos, and redoes RAWs that were read as TIFFs', () => {
    const db = new Database(path.join(tempDir(), 'catalog.sqlite'));
    db.pragma('foreign_keys = ON');
    expect(migrate(db, migrations.filter((m) => m.version <= 4))).toBe(4);
    db.exec(`
      INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0);
      INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, format, added_at, updated_at) VALUES
        (1, 1, '/photos/IMG_1.jpg', 'IMG_1.jpg', 1, 0, 'jpeg', 0, 0),
        (2, 1, '/photos/DSC_2.NEF', 'DSC_2.NEF', 1, 0, 'tiff', 0, 0),
        (3, 1, '/photos/IMG_3.HEIC', 'IMG_3.HEIC', 1, 0, NULL, 0, 0),
        (4, 1, '/photos/scan.tif', 'scan.tif', 1, 0, 'tiff', 0, 0);
      INSERT INTO tasks (photo_id, stage, state, attempts, error, created_at, updated_at) VALUES
        (1, 'thumb', 'done', 1, NULL, 0, 0), (1, 'meta', 'done', 1, NULL, 0, 0), (1, 'embed', 'done', 1, NULL, 0, 0),
        (2, 'thumb', 'done', 1, NULL, 0, 0), (2, 'meta', 'done', 1, NULL, 0, 0), (2, 'embed', 'done', 1, NULL, 0, 0),
        (3, 'thumb', 'failed', 3, 'unsupported format: HEIC (HEVC) needs a libvips built with an HEVC decoder', 0, 0),
        (3, 'meta', 'failed', 3, 'requires thumb', 0, 0),
        (4, 'thumb', 'done', 1, NULL, 0, 0), (4, 'embed', 'done', 1, NULL, 0, 0);
      INSERT INTO embeddings (photo_id, model_id, dim, vector, created_at) VALUES (1, 'clip', 1, x'00000000', 0), (2, 'clip', 1, x'00000000', 0), (4, 'clip', 1, x'00000000', 0);
      INSERT INTO captions (photo_id, source, text, created_at) VALUES (2, 'auto', 'a blurry grey square', 0), (2, 'user', 'Dad''s boat', 0);
    `);
    expect(migrate(db, migrations)).toBe(migrations.at(-1)!.version);
    const state = (id: number, stage: string) => db.prepare('SELECT state, attempts, error FROM tasks WHERE photo_id = ? AND stage = ?').get(id, stage);
    // Metadata is read again for every photo.
    expect(state(1, 'meta')).toEqual({ state: 'pending', attempts: 0, error: null });
    expect(state(2, 'meta')).toEqual({ state: 'pending', attempts: 0, error: null });
    // The HEIC that failed is tried again, in every stage that failed.
    expect(state(3, 'thumb')).toEqual({ state: 'pending', attempts: 0, error: null });
    expect(state(3, 'meta')).toEqual({ state: 'pending', attempts: 0, error: null });
    // A good JPEG's other work stands.
    expect(state(1, 'thumb')).toMatchObject({ state: 'done' });
    expect(state(1, 'embed')).toMatchObject({ state: 'done' });
    // The NEF read as a TIFF: everything again, its automatic results dropped, the user's caption kept.
    expect(state(2, 'thumb')).toEqual({ state: 'pending', attempts: 0, error: null });
    expect(state(2, 'embed')).toEqual({ state: 'pending', attempts: 0, error: null });
    expect(db.prepare('SELECT photo_id FROM embeddings ORDER BY photo_id').pluck().all()).toEqual([1, 4]);
    expect(db.prepare('SELECT source, text FROM captions WHERE photo_id = 2').all()).toEqual([{ source: 'user', text: "Dad's boat" }]);
    // A real TIFF is left alone.
    expect(state(4, 'thumb')).toMatchObject({ state: 'done' });
    db.close();
  });
});

describe('migration 6 (tagging at scale)', () => {
  it('adds marks, the undo log and tag spellings, and normalizes the tags already there', () => {
    const db = new Database(path.join(tempDir(), 'catalog.sqlite'));
    db.pragma('foreign_keys = ON');
    expect(migrate(db, migrations.filter((m) => m.version <= 5))).toBe(5);
    const ins = db.prepare('INSERT INTO tags (photo_id, tag, source, score, hidden, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    db.exec(`
      INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0);
      INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES
        (1, 1, '/photos/1.jpg', '1.jpg', 1, 0, 0, 0), (2, 1, '/photos/2.jpg', '2.jpg', 1, 0, 0, 0), (3, 1, '/photos/3.jpg', '3.jpg', 1, 0, 0, 0);
      INSERT INTO sidecar_writes (photo_id, path, description, subjects, written_at) VALUES (1, '/photos/1.jpg.xmp', 'x', '["beach"]', 0);
    `);
    // The first spelling typed (oldest) wins library-wide; a decomposed "é" is one letter; a control character goes.
    ins.run(1, 'Beach', 'user', null, 0, 'shoebox', 10);
    ins.run(2, 'beach', 'user', null, 0, 'import', 20);
    ins.run(2, 'Cafe\u0301 ', 'user', null, 0, 'shoebox', 30);
    ins.run(3, 'Café', 'user', null, 1, 'shoebox', 40);
    ins.run(3, 'beach', 'user', null, 1, 'import', 50);
    ins.run(3, 'BEACH', 'user', null, 0, 'shoebox', 60);
    // A '|' typed before it meant anything is a level now; blank levels drop.
    ins.run(1, 'places | Portugal||Porto', 'user', null, 0, 'shoebox', 70);
    ins.run(2, 'Places|Lisbon', 'user', null, 0, 'shoebox', 80);
    ins.run(3, '\u0007', 'user', null, 0, 'import', 90);
    // Automatic tags keep their labels, normalized only.
    ins.run(1, 'clear  blue sky', 'auto', 0.5, 0, null, 0);
    ins.run(1, 'clear blue sky', 'auto', 0.4, 1, null, 0);

    expect(migrate(db, migrations.filter((m) => m.version <= 6))).toBe(6);
    const tags = db.prepare('SELECT photo_id, tag, source, hidden, origin FROM tags ORDER BY photo_id, source, tag').all();
    expect(tags).toEqual([
      { photo_id: 1, tag: 'clear blue sky', source: 'auto', hidden: 0, origin: null },
      { photo_id: 1, tag: 'Beach', source: 'user', hidden: 0, origin: 'shoebox' },
      { photo_id: 1, tag: 'places|Portugal|Porto', source: 'user', hidden: 0, origin: 'shoebox' },
      { photo_id: 2, tag: 'Beach', source: 'user', hidden: 0, origin: 'import' },
      { photo_id: 2, tag: 'Café', source: 'user', hidden: 0, origin: 'shoebox' },
      // Each level spelt as its parent first was.
      { photo_id: 2, tag: 'places|Lisbon', source: 'user', hidden: 0, origin: 'shoebox' },
      // Two spellings of one tag on a photo are one row, the visible one.
      { photo_id: 3, tag: 'Beach', source: 'user', hidden: 0, origin: 'shoebox' },
      { photo_id: 3, tag: 'Café', source: 'user', hidden: 1, origin: 'shoebox' },
    ]);
    expect(db.prepare('SELECT key, tag FROM tag_spellings ORDER BY key').all()).toEqual([
      { key: 'beach', tag: 'Beach' },
      { key: 'café', tag: 'Café' },
      { key: 'places', tag: 'places' },
      { key: 'places|lisbon', tag: 'places|Lisbon' },
      { key: 'places|portugal', tag: 'places|Portugal' },
      { key: 'places|portugal|porto', tag: 'places|Portugal|Porto' },
    ]);
    // Full text follows the normalized tags.
    expect(db.prepare('SELECT tags FROM photos_fts WHERE rowid = 2').pluck().get()).toMatch(/Beach/);

    // The new tables: a rating from -1 to 5, the undo log cascading with its edits and photos.
    db.prepare("INSERT INTO marks (photo_id, rating, label, origin, updated_at) VALUES (1, 5, 'Red', 'import', 0)").run();
    expect(() => db.prepare("INSERT INTO marks (photo_id, rating, updated_at) VALUES (2, 6, 0)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO marks (photo_id, rating, origin, updated_at) VALUES (2, 1, 'lightroom', 0)").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO edits (id, summary, photos, created_at) VALUES (1, 'Rated 2 photos 5 stars', 2, 0)").run();
    db.prepare("INSERT INTO edit_before (edit_id, photo_id, state) VALUES (1, 1, '{}'), (1, 2, '{}')").run();
    db.prepare('DELETE FROM photos WHERE id = 2').run();
    expect(db.prepare('SELECT photo_id FROM edit_before').pluck().all()).toEqual([1]);
    db.prepare('DELETE FROM edits').run();
    expect(db.prepare('SELECT COUNT(*) FROM edit_before').pluck().get()).toBe(0);
    // What Shoebox wrote before knows nothing of hierarchical tags, ratings or labels.
    expect(db.prepare('SELECT hierarchical, rating, label FROM sidecar_writes').get()).toEqual({ hierarchical: null, rating: null, label: null });
    db.close();
  });
});

describe('migration 7 (the index open asks for recent vectors)', () => {
  it('finds the embeddings written since a time through an index, not by reading every row', () => {
    const db = new Database(path.join(tempDir(), 'catalog.sqlite'));
    expect(migrate(db, migrations.filter((m) => m.version <= 7))).toBe(7);
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT photo_id FROM embeddings WHERE model_id = ? AND created_at >= ?')
      .all('m', 0)
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
    expect(plan).toMatch(/USING (COVERING )?INDEX embeddings_changed \(model_id=\? AND created_at>\?\)/);
    db.close();
  });
});

describe('migration 11 (perceptual signatures for duplicates)', () => {
  it('keeps one signature per photo, with a new seq at every write, gone with its photo', () => {
    const db = new Database(path.join(tempDir(), 'catalog.sqlite'));
    db.pragma('foreign_keys = ON');
    expect(migrate(db, migrations.filter((m) => m.version <= 11))).toBe(11);
    db.exec(`
      INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0);
      INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES
        (1, 1, '/photos/1.jpg', '1.jpg', 1, 0, 0, 0), (2, 1, '/photos/2.jpg', '2.jpg', 1, 0, 0, 0);
    `);
    const put = db.prepare("INSERT OR REPLACE INTO photo_hashes (photo_id, version, fingerprint, signature, source) VALUES (?, 1, 'f', x'00', ?)");
    put.run(1, 'decode');
    put.run(2, 'thumbnail');
    put.run(1, 'original');
    expect(db.prepare('SELECT photo_id, seq, source FROM photo_hashes ORDER BY seq').all()).toEqual([
      { photo_id: 2, seq: 2, source: 'thumbnail' },
      { photo_id: 1, seq: 3, source: 'original' },
    ]);
    // The highest seq's row deleted, the next write still gets a number never given before.
    db.prepare('DELETE FROM photos WHERE id = 1').run();
    put.run(2, 'decode');
    expect(db.prepare('SELECT photo_id, seq FROM photo_hashes').all()).toEqual([{ photo_id: 2, seq: 4 }]);
    expect(() => put.run(2, 'guess')).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 13 (faces and people)', () => {
  it('keeps faces with 512-byte descriptors, a person or none, gone with their photo; a person left by its faces stays', () => {
    const db = new Database(path.join(tempDir(), 'catalog.sqlite'));
    db.pragma('foreign_keys = ON');
    expect(migrate(db, migrations.filter((m) => m.version <= 13))).toBe(13);
    db.exec(`
      INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0);
      INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES
        (1, 1, '/photos/1.jpg', '1.jpg', 1, 0, 0, 0), (2, 1, '/photos/2.jpg', '2.jpg', 1, 0, 0, 0);
      INSERT INTO people (id, name, source, created_at) VALUES (1, 'Mia', 'user', 0);
      INSERT INTO photo_faces (photo_id, model, fingerprint, faces, read_at) VALUES (1, 'm', 'f', 1, 0), (2, 'm', 'g', 0, 0);
    `);
    const put = db.prepare("INSERT INTO faces (photo_id, x, y, width, height, score, landmarks, descriptor, model, person_id, assigned, created_at) VALUES (?, 0, 0, 10, 10, 0.9, '[]', ?, 'm', ?, ?, 0)");
    put.run(1, Buffer.alloc(512), 1, 'user');
    expect(() => put.run(1, Buffer.alloc(511), null, null)).toThrow(/CHECK/);
    // A person without how the face was assigned, or an assignment without a person, is refused.
    expect(() => put.run(1, Buffer.alloc(512), 1, null)).toThrow(/CHECK/);
    expect(() => put.run(1, null, null, 'auto')).toThrow(/CHECK/);
    put.run(1, null, null, null);
    db.prepare('INSERT INTO face_rejections (face_id, person_id) VALUES (2, 1)').run();
    db.prepare('DELETE FROM photos WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM faces').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM face_rejections').pluck().get()).toBe(0);
    expect(db.prepare('SELECT photo_id FROM photo_faces').pluck().all()).toEqual([2]);
    expect(db.prepare('SELECT name FROM people').pluck().all()).toEqual(['Mia']);
    db.close();
  });
});
