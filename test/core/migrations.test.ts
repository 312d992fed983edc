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
