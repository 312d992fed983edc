// For bench:edit and bench:ui: a library of many photos written straight into a fresh catalog (the
// engine's own schema and migrations, from openDatabase) — one folder, each photo with its automatic
// caption and tags, every stage done. The scripts make up the photos (seeded, so every run writes the
// same library); this writes them.
import path from 'node:path';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { STAGE_NAMES } from '../../src/main/core/pipeline/stages.ts';

/** One photo of a bench library, as the script made it up. */
export interface BenchPhoto {
  path: string;
  size: number;
  mtimeMs: number;
  fingerprint: string;
  width: number;
  height: number;
  takenAt: string;
  cameraMake: string;
  cameraModel: string;
  /** Where it was taken (degrees), if it has a GPS position. */
  gps?: { lat: number; lon: number };
  /** Its automatic caption. */
  caption: { text: string; modelId: string; score: number; lowConfidence: boolean };
  /** Its automatic tags (suggestions) with their scores; a tag given twice is kept once. */
  tags: readonly { tag: string; score: number }[];
}

/** Writes `n` photos (photo i from `photoAt(i)`, in order) of the folder `folderPath` into <dataDir>/catalog.sqlite. */
export function writeBenchCatalog(dataDir: string, folderPath: string, n: number, photoAt: (i: number) => BenchPhoto): void {
  const db = openDatabase(path.join(dataDir, 'catalog.sqlite'));
  const now = Date.now();
  // The full-text triggers fire once per row; the bulk load fills photos_fts in one statement instead.
  const triggers = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('photos_fts_insert', 'captions_fts_insert', 'tags_fts_insert')")
    .all() as { name: string; sql: string }[];
  db.transaction(() => {
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    const folderId = Number(db.prepare('INSERT INTO folders (path, added_at, online, last_scan_at) VALUES (?, ?, 1, ?)').run(folderPath, now, now).lastInsertRowid);
    const photo = db.prepare(
      `INSERT INTO photos (folder_id, path, filename, size, mtime_ms, fingerprint, format, width, height, orientation, taken_at, camera_make, camera_model, gps_lat, gps_lon, added_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'jpeg', ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const caption = db.prepare(
      `INSERT INTO captions (photo_id, source, text, model_id, model_revision, score, low_confidence, created_at, task, decoding)
       VALUES (?, 'auto', ?, ?, 'bench', ?, ?, ?, '<CAPTION>', 'greedy')`,
    );
    const tag = db.prepare(`INSERT OR IGNORE INTO tags (photo_id, tag, source, score, model_id, created_at) VALUES (?, ?, 'auto', ?, 'bench', ?)`);
    // Every stage done, as in a library that has been indexed (the model files are simply absent).
    const task = db.prepare(`INSERT INTO tasks (photo_id, stage, state, attempts, next_at, created_at, updated_at) VALUES (?, ?, 'done', 1, 0, ?, ?)`);
    for (let i = 0; i < n; i++) {
      const p = photoAt(i);
      const id = Number(
        photo.run(folderId, p.path, path.basename(p.path), p.size, p.mtimeMs, p.fingerprint, p.width, p.height, p.takenAt, p.cameraMake, p.cameraModel, p.gps?.lat ?? null, p.gps?.lon ?? null, now, now)
          .lastInsertRowid,
      );
      caption.run(id, p.caption.text, p.caption.modelId, p.caption.score, p.caption.lowConfidence ? 1 : 0, now);
      for (const t of p.tags) tag.run(id, t.tag, t.score, now);
      for (const stage of STAGE_NAMES) task.run(id, stage, now, now);
    }
    db.exec(`
      INSERT INTO photos_fts (rowid, filename, caption, tags)
      SELECT p.id, p.filename,
             COALESCE((SELECT text FROM photo_caption c WHERE c.photo_id = p.id), ''),
             COALESCE((SELECT group_concat(tag, ' ') FROM tags t WHERE t.photo_id = p.id AND t.hidden = 0), '')
      FROM photos p`);
    for (const t of triggers) db.exec(t.sql);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
