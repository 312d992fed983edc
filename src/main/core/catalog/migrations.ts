// The catalog's schema, as an append-only list of migrations. Never edit a shipped entry: add one.
import type Database from 'better-sqlite3';
import { normalizeTag, parseTypedTag, tagKey } from '../../../shared/vocabulary.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do (Unicode normalization), run after `sql` in the same transaction. */
  run?: (db: Database.Database) => void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'folders, photos, tasks, captions, tags, embeddings, settings, full text',
    sql: `
CREATE TABLE folders (
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL UNIQUE,
  added_at     INTEGER NOT NULL,
  online       INTEGER NOT NULL DEFAULT 1,
  last_scan_at INTEGER
);

CREATE TABLE photos (
  id            INTEGER PRIMARY KEY,
  folder_id     INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  path          TEXT NOT NULL UNIQUE,
  filename      TEXT NOT NULL,
  size          INTEGER NOT NULL,
  mtime_ms      INTEGER NOT NULL,
  fingerprint   TEXT,
  format        TEXT,
  width         INTEGER,
  height        INTEGER,
  orientation   INTEGER,
  taken_at      TEXT,
  camera_make   TEXT,
  camera_model  TEXT,
  lens          TEXT,
  gps_lat       REAL,
  gps_lon       REAL,
  gps_alt       REAL,
  added_at      INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  missing_since INTEGER
);
CREATE INDEX photos_folder ON photos(folder_id);
CREATE INDEX photos_fingerprint ON photos(fingerprint);
CREATE INDEX photos_taken ON photos(taken_at);

-- The durable work queue: one row per photo and stage.
CREATE TABLE tasks (
  photo_id   INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  stage      TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL DEFAULT 0,
  error      TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (photo_id, stage)
) WITHOUT ROWID;
CREATE INDEX tasks_queue ON tasks(stage, state, next_at);

-- Captions: one automatic and one user caption per photo; the user's always wins.
CREATE TABLE captions (
  photo_id       INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  source         TEXT NOT NULL CHECK (source IN ('auto', 'user')),
  text           TEXT NOT NULL,
  model_id       TEXT,
  model_revision TEXT,
  score          REAL,
  low_confidence INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (photo_id, source)
) WITHOUT ROWID;

-- Tags: automatic (with score and model) or the user's. A user removing an automatic tag hides it,
-- so that a re-run does not bring it back.
CREATE TABLE tags (
  photo_id   INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  tag        TEXT NOT NULL,
  source     TEXT NOT NULL CHECK (source IN ('auto', 'user')),
  score      REAL,
  model_id   TEXT,
  hidden     INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (photo_id, tag, source)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);

-- Embeddings per model id: the source of truth the HNSW index is rebuilt from.
CREATE TABLE embeddings (
  photo_id   INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  model_id   TEXT NOT NULL,
  dim        INTEGER NOT NULL,
  vector     BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (photo_id, model_id)
) WITHOUT ROWID;
CREATE INDEX embeddings_model ON embeddings(model_id);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Files a scan saw but could not catalog (an undecodable name, an unreadable directory).
CREATE TABLE scan_issues (
  path      TEXT PRIMARY KEY,
  folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  reason    TEXT NOT NULL,
  seen_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Full text over filename, caption and tags; rowid is the photo id. Kept in step by triggers.
CREATE VIRTUAL TABLE photos_fts USING fts5(filename, caption, tags, tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER photos_fts_insert AFTER INSERT ON photos BEGIN
  INSERT INTO photos_fts(rowid, filename, caption, tags) VALUES (NEW.id, NEW.filename, '', '');
END;
CREATE TRIGGER photos_fts_rename AFTER UPDATE OF filename ON photos BEGIN
  UPDATE photos_fts SET filename = NEW.filename WHERE rowid = NEW.id;
END;
CREATE TRIGGER photos_fts_delete AFTER DELETE ON photos BEGIN
  DELETE FROM photos_fts WHERE rowid = OLD.id;
END;

CREATE VIEW photo_caption AS
  SELECT photo_id, COALESCE(MAX(CASE WHEN source = 'user' THEN text END), MAX(CASE WHEN source = 'auto' THEN text END)) AS text
  FROM captions GROUP BY photo_id;

CREATE TRIGGER captions_fts_insert AFTER INSERT ON captions BEGIN
  UPDATE photos_fts SET caption = COALESCE((SELECT text FROM photo_caption WHERE photo_id = NEW.photo_id), '') WHERE rowid = NEW.photo_id;
END;
CREATE TRIGGER captions_fts_update AFTER UPDATE ON captions BEGIN
  UPDATE photos_fts SET caption = COALESCE((SELECT text FROM photo_caption WHERE photo_id = NEW.photo_id), '') WHERE rowid = NEW.photo_id;
END;
CREATE TRIGGER captions_fts_delete AFTER DELETE ON captions BEGIN
  UPDATE photos_fts SET caption = COALESCE((SELECT text FROM photo_caption WHERE photo_id = OLD.photo_id), '') WHERE rowid = OLD.photo_id;
END;

CREATE TRIGGER tags_fts_insert AFTER INSERT ON tags BEGIN
  UPDATE photos_fts SET tags = COALESCE((SELECT group_concat(tag, ' ') FROM tags WHERE photo_id = NEW.photo_id AND hidden = 0), '') WHERE rowid = NEW.photo_id;
END;
CREATE TRIGGER tags_fts_update AFTER UPDATE ON tags BEGIN
  UPDATE photos_fts SET tags = COALESCE((SELECT group_concat(tag, ' ') FROM tags WHERE photo_id = NEW.photo_id AND hidden = 0), '') WHERE rowid = NEW.photo_id;
END;
CREATE TRIGGER tags_fts_delete AFTER DELETE ON tags BEGIN
  UPDATE photos_fts SET tags = COALESCE((SELECT group_concat(tag, ' ') FROM tags WHERE photo_id = OLD.photo_id AND hidden = 0), '') WHERE rowid = OLD.photo_id;
END;
`,
  },
  {
    version: 2,
    name: 'caption provenance: task and decoding; where user captions and tags came from; XMP sidecar writes',
    sql: `
ALTER TABLE captions ADD COLUMN task TEXT;
ALTER TABLE captions ADD COLUMN decoding TEXT;
-- Where a user caption or tag came from: typed in Shoebox ('shoebox') or read from the photo's
-- XMP, IPTC or EXIF ('import'). Both count as the user's and are never overwritten by a model.
ALTER TABLE captions ADD COLUMN origin TEXT;
ALTER TABLE tags ADD COLUMN origin TEXT;
-- What Shoebox last wrote to each photo's XMP sidecar: a later read tells the user's own edits
-- (from Lightroom, digiKam…) from Shoebox's, so a sync merges instead of overwriting.
CREATE TABLE sidecar_writes (
  photo_id    INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
  path        TEXT NOT NULL,
  description TEXT,
  subjects    TEXT NOT NULL,
  written_at  INTEGER NOT NULL
);
`,
  },
  {
    version: 3,
    name: "the grid's order as an index, so a page deep in a large library is read, not sorted",
    sql: `
-- PhotoBrowser.page and Catalog.list order present photos by this key; without the index every page
-- sorted the whole library (70 ms at 100k photos), with it a page at offset 50,000 takes ~5 ms.
CREATE INDEX photos_grid ON photos(taken_at IS NULL, taken_at DESC, mtime_ms DESC, id) WHERE missing_since IS NULL;
`,
  },
  {
    version: 4,
    name: 'real libraries: damaged photos, where the date came from and its time zone, files that belong to a photo (RAW of a pair, Live Photo video), skipped videos',
    sql: `
-- The decoder's words for a photo that decodes with complaints (corrupt segments, a cut-off file):
-- shown, and marked damaged. NULL when it decoded cleanly.
ALTER TABLE photos ADD COLUMN damaged TEXT;
-- Which source gave taken_at (see core/media/dates.ts): 'exif', 'xmp', 'iptc', 'quicktime', 'gps',
-- 'filename' or 'mtime'. NULL while the photo has no date.
ALTER TABLE photos ADD COLUMN taken_at_source TEXT;
-- The IANA time zone of taken_at when only the GPS position tells it (an offset written in the file
-- stays in taken_at itself). taken_at is always the local wall time where the photo was taken.
ALTER TABLE photos ADD COLUMN time_zone TEXT;
-- Files that belong to a photo without being photos of their own: the RAW of a RAW+JPEG pair
-- (the JPEG is the photo's face) and a Live Photo's or motion photo's video.
CREATE TABLE photo_files (
  path      TEXT PRIMARY KEY,
  photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  role      TEXT NOT NULL CHECK (role IN ('raw', 'video')),
  size      INTEGER NOT NULL,
  mtime_ms  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX photo_files_photo ON photo_files(photo_id);
-- Videos a scan saw that are not part of a photo: left out of the library for now, and counted.
ALTER TABLE folders ADD COLUMN skipped_videos INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 5,
    name: 'a library indexed before real-library reading: metadata read again, failed photos tried again, RAWs read as TIFFs made again',
    sql: `
-- Every photo's metadata is read again: dates from XMP, IPTC, QuickTime, the GPS clock and file
-- names, and cameras, lenses and positions that exifr could not read, now come from exiftool.
UPDATE tasks SET state = 'pending', attempts = 0, next_at = 0, error = NULL WHERE stage = 'meta';
-- Photos that could not be read (HEIC, camera RAW, damaged JPEGs) are tried again, as "Retry failed" does.
UPDATE tasks SET state = 'pending', attempts = 0, next_at = 0, error = NULL WHERE state = 'failed';
-- NEF, DNG and other TIFF-based RAWs were read as TIFFs: their first, tiny image. Their thumbnails,
-- model inputs and what came from them are made again from the embedded preview; the thumb stage
-- replaces a cached thumbnail of a photo still marked 'tiff' with a RAW name (thumb-stage.ts).
DELETE FROM embeddings WHERE photo_id IN (SELECT id FROM photos WHERE format = 'tiff' AND (lower(path) LIKE '%.cr2' OR lower(path) LIKE '%.cr3' OR lower(path) LIKE '%.crw' OR lower(path) LIKE '%.nef' OR lower(path) LIKE '%.nrw' OR lower(path) LIKE '%.arw' OR lower(path) LIKE '%.sr2' OR lower(path) LIKE '%.raf' OR lower(path) LIKE '%.orf' OR lower(path) LIKE '%.rw2' OR lower(path) LIKE '%.pef' OR lower(path) LIKE '%.dng' OR lower(path) LIKE '%.srw' OR lower(path) LIKE '%.mrw' OR lower(path) LIKE '%.x3f' OR lower(path) LIKE '%.iiq' OR lower(path) LIKE '%.3fr' OR lower(path) LIKE '%.erf'));
DELETE FROM captions WHERE source = 'auto' AND photo_id IN (SELECT id FROM photos WHERE format = 'tiff' AND (lower(path) LIKE '%.cr2' OR lower(path) LIKE '%.cr3' OR lower(path) LIKE '%.crw' OR lower(path) LIKE '%.nef' OR lower(path) LIKE '%.nrw' OR lower(path) LIKE '%.arw' OR lower(path) LIKE '%.sr2' OR lower(path) LIKE '%.raf' OR lower(path) LIKE '%.orf' OR lower(path) LIKE '%.rw2' OR lower(path) LIKE '%.pef' OR lower(path) LIKE '%.dng' OR lower(path) LIKE '%.srw' OR lower(path) LIKE '%.mrw' OR lower(path) LIKE '%.x3f' OR lower(path) LIKE '%.iiq' OR lower(path) LIKE '%.3fr' OR lower(path) LIKE '%.erf'));
DELETE FROM tags WHERE source = 'auto' AND hidden = 0 AND photo_id IN (SELECT id FROM photos WHERE format = 'tiff' AND (lower(path) LIKE '%.cr2' OR lower(path) LIKE '%.cr3' OR lower(path) LIKE '%.crw' OR lower(path) LIKE '%.nef' OR lower(path) LIKE '%.nrw' OR lower(path) LIKE '%.arw' OR lower(path) LIKE '%.sr2' OR lower(path) LIKE '%.raf' OR lower(path) LIKE '%.orf' OR lower(path) LIKE '%.rw2' OR lower(path) LIKE '%.pef' OR lower(path) LIKE '%.dng' OR lower(path) LIKE '%.srw' OR lower(path) LIKE '%.mrw' OR lower(path) LIKE '%.x3f' OR lower(path) LIKE '%.iiq' OR lower(path) LIKE '%.3fr' OR lower(path) LIKE '%.erf'));
UPDATE tasks SET state = 'pending', attempts = 0, next_at = 0, error = NULL
  WHERE photo_id IN (SELECT id FROM photos WHERE format = 'tiff' AND (lower(path) LIKE '%.cr2' OR lower(path) LIKE '%.cr3' OR lower(path) LIKE '%.crw' OR lower(path) LIKE '%.nef' OR lower(path) LIKE '%.nrw' OR lower(path) LIKE '%.arw' OR lower(path) LIKE '%.sr2' OR lower(path) LIKE '%.raf' OR lower(path) LIKE '%.orf' OR lower(path) LIKE '%.rw2' OR lower(path) LIKE '%.pef' OR lower(path) LIKE '%.dng' OR lower(path) LIKE '%.srw' OR lower(path) LIKE '%.mrw' OR lower(path) LIKE '%.x3f' OR lower(path) LIKE '%.iiq' OR lower(path) LIKE '%.3fr' OR lower(path) LIKE '%.erf'));
`,
  },
  {
    version: 6,
    name: 'tagging at scale: ratings and colour labels, the undo log, tag spellings, what Shoebox last wrote of ratings, labels and hierarchical tags',
    sql: `
-- Ratings (xmp:Rating's scale: 0-5 stars, -1 rejected) and colour labels (xmp:Label's text), the
-- user's: set in Shoebox ('shoebox') or imported from the photo's metadata ('import'). A row whose
-- origin is 'shoebox' is never overwritten by an import (a rating set in Shoebox wins, as captions
-- do); one with both NULL says the user cleared them in Shoebox.
CREATE TABLE marks (
  photo_id   INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
  rating     INTEGER CHECK (rating IS NULL OR rating BETWEEN -1 AND 5),
  label      TEXT,
  origin     TEXT NOT NULL DEFAULT 'shoebox' CHECK (origin IN ('shoebox', 'import')),
  updated_at INTEGER NOT NULL
);
CREATE INDEX marks_rating ON marks(rating) WHERE rating IS NOT NULL;

-- The undo log: the last edits of the user's captions, tags, ratings and labels (one or many photos
-- each), and for each the state of every photo it changed, as it was before: the user caption row,
-- every tag row, the marks row (JSON). The last 20 are kept.
CREATE TABLE edits (
  id         INTEGER PRIMARY KEY,
  summary    TEXT NOT NULL,
  photos     INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  undone_at  INTEGER
);
CREATE TABLE edit_before (
  edit_id  INTEGER NOT NULL REFERENCES edits(id) ON DELETE CASCADE,
  photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  state    TEXT NOT NULL,
  PRIMARY KEY (edit_id, photo_id)
) WITHOUT ROWID;
CREATE INDEX edit_before_photo ON edit_before(photo_id);

-- One spelling per tag, the first one met (src/shared/vocabulary.ts: "Beach", "beach " and "beach" are
-- one tag): the key is the tag's text lowercased (every segment of a path), the tag its spelling.
-- Every path a user tag was written under is here, its ancestors too.
CREATE TABLE tag_spellings (
  key TEXT PRIMARY KEY,
  tag TEXT NOT NULL
) WITHOUT ROWID;

-- Tags are compared without regard to (ASCII) case library-wide: rename, merge, delete, review, the
-- grid's tag and suggestion filters (covering: whose photo, shown or hidden).
CREATE INDEX tags_key ON tags(lower(tag), source, photo_id, hidden);
-- The vocabulary's counts read from small indexes in tag order, without the table: the user's tags
-- (which also find a spelling's photos, so they replace tags_tag) and the suggestions with their
-- scores. Partial, and led by the tag, so that no query of one photo's tags prefers them to the
-- primary key.
DROP INDEX tags_tag;
CREATE INDEX tags_user ON tags(tag, hidden) WHERE source = 'user';
CREATE INDEX tags_suggested ON tags(tag, score) WHERE source = 'auto' AND hidden = 0;

-- What Shoebox last wrote of the hierarchical tags (JSON, a list of paths), the rating and the label,
-- so an import does not take Shoebox's own write back as the user's. hierarchical is NULL for writes
-- made before this version (which wrote neither ratings nor labels).
ALTER TABLE sidecar_writes ADD COLUMN hierarchical TEXT;
ALTER TABLE sidecar_writes ADD COLUMN rating INTEGER;
ALTER TABLE sidecar_writes ADD COLUMN label TEXT;
`,
    run: normalizeStoredTags,
  },
  {
    version: 7,
    name: 'the vectors written since a time, found without reading every row (the index check on open)',
    sql: `
-- The search index's open asks SQLite for the embeddings written since its last save
-- ([Note: vector index and SQLite]); by model id alone that visits every row (seconds at a million).
CREATE INDEX embeddings_changed ON embeddings(model_id, created_at);
`,
  },
  {
    version: 8,
    name: 'places: the city, region and country of a photo, from its GPS position or set by the user; their names; what Shoebox last wrote of them to a sidecar',
    sql: `
-- A photo's place ([Note: nearest-place rule] in core/places/geocoder.ts): one row from its GPS position ('auto',
-- with the position and the data version it was made from, so it is made again only when either changes), and one
-- the user set by hand ('user', origin 'shoebox' or 'import'), which wins, as a user caption does. Every level may
-- be NULL: a place at sea far from a town has only its country; a user may pick a country or a region alone.
CREATE TABLE places (
  photo_id     INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  source       TEXT NOT NULL CHECK (source IN ('auto', 'user')),
  city_id      INTEGER,
  city         TEXT,
  region_code  TEXT,
  region       TEXT,
  country_code TEXT,
  country      TEXT,
  lat          REAL,
  lon          REAL,
  distance_km  REAL,
  data_version TEXT,
  origin       TEXT,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (photo_id, source)
) WITHOUT ROWID;
CREATE INDEX places_where ON places(country_code, region, city);

-- The place a photo shows: the user's, else the one from its position.
CREATE VIEW photo_place AS
  SELECT * FROM places pl WHERE pl.source = 'user'
    OR NOT EXISTS (SELECT 1 FROM places u WHERE u.photo_id = pl.photo_id AND u.source = 'user');

-- Every name of the places photos have ('city:2267057', 'region:PT.14', 'country:PT'): a JSON list, the shown
-- name first, then the local and alternate ones, for the query parser and the Places facet.
CREATE TABLE place_names (
  place TEXT PRIMARY KEY,
  names TEXT NOT NULL
) WITHOUT ROWID;

-- What Shoebox last wrote of the place to the sidecar (JSON: city, state, country, countryCode), so a later sync
-- tells it from a location the user wrote in another program.
ALTER TABLE sidecar_writes ADD COLUMN location TEXT;
`,
  },
  {
    version: 9,
    name: 'the cameras and places of the library, read from indexes (the query parser\'s vocabulary)',
    sql: `
-- Search reads the library's cameras and places for the query parser ([Note: query parser]) after the
-- catalog changed: grouped from these indexes instead of sorting every photo (at 100,000 photos: the cameras
-- 110 ms, 8 ms from the index; the places 55-77 ms, 10 ms). The cameras' index also finds an understood
-- camera's photos ("shot on iPhone": each model looked up, not every photo read).
CREATE INDEX photos_camera ON photos(camera_make, camera_model) WHERE missing_since IS NULL;
CREATE INDEX places_levels ON places(country_code, region_code, city_id);
`,
  },
  {
    version: 10,
    name: 'the text read in photos (OCR): lines with their boxes and confidences, the model version, and two full-text indexes',
    sql: `
-- What the ocr stage read in a photo ([Note: OCR version] in ml/service.ts): one row per photo read, with no line
-- when it has no text (so that it is not read again under the same version). lines is JSON:
-- [{"text", "confidence", "box": [[x, y] x 4]}], boxes in the photo's upright pixels, in reading order; text is the
-- lines joined by newlines; folded is text in lower case without diacritics, for the trigram index.
CREATE TABLE photo_text (
  photo_id   INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
  model      TEXT NOT NULL,
  lines      TEXT NOT NULL,
  text       TEXT NOT NULL,
  folded     TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX photo_text_model ON photo_text(model);

-- Words of the text, case- and accent-insensitive (as photos_fts), and its trigrams, which find a word with one
-- OCR error in it ([Note: text in photos search] in catalog/photo-text.ts). Both read their text from photo_text.
CREATE VIRTUAL TABLE photo_text_fts USING fts5(text, content = 'photo_text', content_rowid = 'photo_id', tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE photo_text_trigram USING fts5(folded, content = 'photo_text', content_rowid = 'photo_id', tokenize = 'trigram');
CREATE TRIGGER photo_text_insert AFTER INSERT ON photo_text BEGIN
  INSERT INTO photo_text_fts(rowid, text) VALUES (NEW.photo_id, NEW.text);
  INSERT INTO photo_text_trigram(rowid, folded) VALUES (NEW.photo_id, NEW.folded);
END;
CREATE TRIGGER photo_text_delete AFTER DELETE ON photo_text BEGIN
  INSERT INTO photo_text_fts(photo_text_fts, rowid, text) VALUES ('delete', OLD.photo_id, OLD.text);
  INSERT INTO photo_text_trigram(photo_text_trigram, rowid, folded) VALUES ('delete', OLD.photo_id, OLD.folded);
END;
CREATE TRIGGER photo_text_update AFTER UPDATE ON photo_text BEGIN
  INSERT INTO photo_text_fts(photo_text_fts, rowid, text) VALUES ('delete', OLD.photo_id, OLD.text);
  INSERT INTO photo_text_trigram(photo_text_trigram, rowid, folded) VALUES ('delete', OLD.photo_id, OLD.folded);
  INSERT INTO photo_text_fts(rowid, text) VALUES (NEW.photo_id, NEW.text);
  INSERT INTO photo_text_trigram(rowid, folded) VALUES (NEW.photo_id, NEW.folded);
END;
`,
  },
  {
    version: 11,
    name: 'perceptual signatures of photos, for finding duplicates',
    sql: `
-- A photo's perceptual signature ([Note: perceptual signature] in media/phash.ts), written by the phash stage: the
-- pHash, the fine grid, the colour and the structure in one blob, the signature version, the content fingerprint it
-- was made for (a photo whose content changed is left out until it is hashed again), what it was made from
-- ('decode': the thumbnail stage's decode; 'thumbnail': the cached thumbnail; 'original': the photo read again). seq
-- is new with every write (a row is replaced, AUTOINCREMENT never reuses a number), so core/duplicates reads only
-- what was written since it last looked. The photos catalogued before this version get the stage's task when the
-- engine next opens (TaskQueue.ensureTasks, for every stage new to the library).
CREATE TABLE photo_hashes (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  photo_id    INTEGER NOT NULL UNIQUE REFERENCES photos(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  signature   BLOB NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('decode', 'thumbnail', 'original'))
);
CREATE INDEX photo_hashes_version ON photo_hashes(version);
-- The capture times duplicates compare (bursts within seconds, copies of one instant), read in time order by
-- covering this index rather than every photo's row.
CREATE INDEX photos_capture ON photos(taken_at, taken_at_source) WHERE missing_since IS NULL AND taken_at IS NOT NULL;
`,
  },
  {
    version: 12,
    name: 'duplicates resolved: what was kept, what went to the trash, what was merged, so it can be undone',
    sql: `
-- A resolution ([Note: resolving duplicates] in core/duplicates/resolve.ts): one user action that resolved one group, or
-- every exact group at once. state: 'pending' from the moment its intent is recorded until every file of it was put
-- away or left (a kill leaves it pending; the next open settles it), then 'done'; 'failed' when no file could be put
-- away (the merge was then undone); 'undone'.
CREATE TABLE resolutions (
  id          INTEGER PRIMARY KEY,
  summary     TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'undone')),
  created_at  INTEGER NOT NULL,
  finished_at INTEGER,
  undone_at   INTEGER
);

-- Each group of a resolution: the photos kept (a JSON list, the keeper first), the keeper's user data before and
-- after the merge (the undo log's JSON of its caption, tags and place, [Note: undo log] in catalog/edit-log.ts, with
-- its position), and what the merge gave it.
CREATE TABLE resolution_groups (
  resolution_id INTEGER NOT NULL REFERENCES resolutions(id) ON DELETE CASCADE,
  group_id      TEXT NOT NULL,
  kind          TEXT NOT NULL,
  keeper        INTEGER NOT NULL,
  kept          TEXT NOT NULL,
  before        TEXT NOT NULL,
  after         TEXT NOT NULL,
  merged        TEXT NOT NULL,
  PRIMARY KEY (resolution_id, group_id)
);

-- Each photo put away: its file as catalogued (path, size, fingerprint), the trash's record of it (TrashedFile as JSON,
-- once the trash took it), and its state: 'moving' (intent recorded; the file may or may not have moved), 'trashed',
-- 'kept' (the trash refused it, or it was still at its path after a kill: not put away), 'restored' (undone),
-- 'unrestored' (undo could not bring it back: gone from the trash, or its path taken). The photo's row stays, marked
-- missing, while it is trashed; no foreign key, so this record outlives the row.
CREATE TABLE put_away (
  resolution_id INTEGER NOT NULL REFERENCES resolutions(id) ON DELETE CASCADE,
  photo_id      INTEGER NOT NULL,
  group_id      TEXT NOT NULL,
  path          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  fingerprint   TEXT NOT NULL,
  trashed       TEXT,
  state         TEXT NOT NULL CHECK (state IN ('moving', 'trashed', 'kept', 'restored', 'unrestored')),
  error         TEXT,
  PRIMARY KEY (resolution_id, photo_id)
);
CREATE INDEX put_away_photo ON put_away(photo_id, state);
`,
  },
  {
    version: 13,
    name: 'faces and people: the faces found in photos, their descriptors, and the people they are grouped into',
    sql: `
-- A person: made by the grouping (source 'auto') or by the user (named, or made by moving a face to a new person:
-- 'user'). name and hidden are the user's; the grouping never changes them ([Note: people grouping] in core/people).
CREATE TABLE people (
  id         INTEGER PRIMARY KEY,
  name       TEXT,
  hidden     INTEGER NOT NULL DEFAULT 0,
  source     TEXT NOT NULL CHECK (source IN ('auto', 'user')),
  created_at INTEGER NOT NULL
);

-- A photo read by the faces stage: with which version ([Note: face version] in ml/service.ts) and on which content,
-- even when it has no face, so it is not read again until either changes.
CREATE TABLE photo_faces (
  photo_id    INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
  model       TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  faces       INTEGER NOT NULL,
  read_at     INTEGER NOT NULL
);
CREATE INDEX photo_faces_model ON photo_faces(model);

-- A face: its box in the upright photo's pixels, the 68 landmarks (JSON, x and y interleaved), the detector's score,
-- the 128-d descriptor (512 bytes of little-endian float32; NULL once face recognition is turned off) and the
-- version it was found with. person_id with assigned: 'auto' (the grouping put it there) or 'user' (the user did:
-- never moved by the grouping). state 'not_face' is the user's "not a face": never grouped. suggested_id: a named
-- person the grouping found it near but not within the named threshold ("Is this Mia?").
CREATE TABLE faces (
  id           INTEGER PRIMARY KEY,
  photo_id     INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  x            REAL NOT NULL,
  y            REAL NOT NULL,
  width        REAL NOT NULL,
  height       REAL NOT NULL,
  score        REAL NOT NULL,
  landmarks    TEXT NOT NULL,
  descriptor   BLOB CHECK (descriptor IS NULL OR length(descriptor) = 512),
  model        TEXT NOT NULL,
  person_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
  assigned     TEXT CHECK (assigned IN ('auto', 'user')),
  state        TEXT NOT NULL DEFAULT 'face' CHECK (state IN ('face', 'not_face')),
  suggested_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
  created_at   INTEGER NOT NULL,
  CHECK ((person_id IS NULL) = (assigned IS NULL))
);
CREATE INDEX faces_photo ON faces(photo_id);
CREATE INDEX faces_person ON faces(person_id);

-- The user's "not this person": the grouping never puts the face in that person again. Kept by face and person; a
-- face found again (a new model) takes its rejections with it ([Note: faces kept across a new reading]).
CREATE TABLE face_rejections (
  face_id   INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  PRIMARY KEY (face_id, person_id)
);
`,
  },
  {
    version: 14,
    name: 'face regions: the faces other apps marked and named in the photo or its sidecar',
    sql: `
-- A face region read from the photo's XMP or its sidecar ([Note: face regions read] in media/xmp.ts): MWG's or
-- Microsoft's, normalised (0-1) from the top-left corner in the image as stored (before EXIF orientation), with the
-- name the user gave it there (NULL: a region without one). Replaced at every import of the photo's metadata.
CREATE TABLE face_regions (
  photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  n        INTEGER NOT NULL,
  name     TEXT,
  x        REAL NOT NULL,
  y        REAL NOT NULL,
  width    REAL NOT NULL,
  height   REAL NOT NULL,
  source   TEXT NOT NULL CHECK (source IN ('mwg', 'microsoft')),
  PRIMARY KEY (photo_id, n)
);
`,
  },
  {
    version: 15,
    name: 'a cover chosen for a person; faces by person, state and cover order, and by suggested person: the People list without reading every face',
    sql: `
-- The face the user chose to show a person ("Use as cover"); NULL: picked as covers() says. Kept only while that face
-- is theirs and a face; a new reading of the photo moves it to the face carried over ([Note: faces kept across a new
-- reading]). Its index: deleting a face (every new reading of a photo) looks its people up by it.
ALTER TABLE people ADD COLUMN cover_id INTEGER REFERENCES faces(id) ON DELETE SET NULL;
CREATE INDEX people_cover ON people(cover_id) WHERE cover_id IS NOT NULL;
-- A person's faces by state, then in the order their cover is picked (one the user placed, then the best score, then
-- the lowest id: the rowid every index ends with): the People list counts each person's faces and finds each cover
-- from this index alone (at 100,000 faces, 2,000 people: 11 ms and 5 ms, against 149 ms and 370 ms reading the
-- faces). Still the person's range for the search filter and for the foreign key's ON DELETE SET NULL.
DROP INDEX faces_person;
CREATE INDEX faces_person ON faces(person_id, state, (assigned = 'user') DESC, score DESC);
-- Deleting a person sets faces.suggested_id to NULL (its foreign key): without this index SQLite reads every face
-- for each person deleted, which a merge of many people at 100,000 faces makes slow. The suggestions of one person
-- (faceSuggestions) read by it too. Partial: most faces are suggested to nobody.
CREATE INDEX faces_suggested ON faces(suggested_id) WHERE suggested_id IS NOT NULL;
-- A count of the user's changes to people (a name, hiding, a cover, a person made or merged away, a face placed or
-- taken out, "not this person", "not a face"), moved by these triggers whichever process writes: part of the user
-- data's stamp (catalog/backup.ts userDataStamp), so that naming people is backed up after work as a caption is.
-- The grouping's own changes (assigned 'auto', suggestions) do not move it.
CREATE TABLE people_stamp (n INTEGER NOT NULL);
INSERT INTO people_stamp (n) VALUES (0);
CREATE TRIGGER people_stamp_person_made AFTER INSERT ON people WHEN NEW.source = 'user' BEGIN UPDATE people_stamp SET n = n + 1; END;
CREATE TRIGGER people_stamp_person_changed AFTER UPDATE OF name, hidden, source, cover_id ON people BEGIN UPDATE people_stamp SET n = n + 1; END;
CREATE TRIGGER people_stamp_person_gone AFTER DELETE ON people WHEN OLD.source = 'user' BEGIN UPDATE people_stamp SET n = n + 1; END;
CREATE TRIGGER people_stamp_face_placed AFTER UPDATE OF person_id, assigned, state ON faces
  WHEN NEW.assigned IS 'user' OR OLD.assigned IS 'user' OR NEW.state <> OLD.state BEGIN UPDATE people_stamp SET n = n + 1; END;
CREATE TRIGGER people_stamp_rejected AFTER INSERT ON face_rejections BEGIN UPDATE people_stamp SET n = n + 1; END;
CREATE TRIGGER people_stamp_unrejected AFTER DELETE ON face_rejections BEGIN UPDATE people_stamp SET n = n + 1; END;
`,
  },
];

/**
 * Migration 6's step: every tag as src/shared/vocabulary.ts keeps it. Automatic tags normalized (NFC, control
 * characters, whitespace); the user's read as typed tags (a "|" separates levels) and given one spelling
 * library-wide, the first met (oldest first), each segment of a path spelt as its parent path is; each
 * spelling recorded in tag_spellings. Rows that become the same tag on one photo are merged (the
 * visible one kept).
 */
function normalizeStoredTags(db: Database.Database): void {
  const rename = (from: string, to: string | null, source: 'auto' | 'user') => {
    if (to !== null) {
      // Where the photo already has `to`, the old row goes, unless it is visible and `to` hidden: then it replaces it.
      db.prepare(
        `DELETE FROM tags WHERE source = @source AND tag = @to AND hidden = 1
           AND EXISTS (SELECT 1 FROM tags o WHERE o.photo_id = tags.photo_id AND o.source = @source AND o.tag = @from AND o.hidden = 0)`,
      ).run({ source, to, from });
      db.prepare('UPDATE OR IGNORE tags SET tag = ? WHERE source = ? AND tag = ?').run(to, source, from);
    }
    db.prepare('DELETE FROM tags WHERE source = ? AND tag = ?').run(source, from);
  };

  const autos = db.prepare("SELECT DISTINCT tag FROM tags WHERE source = 'auto'").pluck().all() as string[];
  for (const tag of autos) {
    const clean = normalizeTag(tag);
    if (clean !== tag) rename(tag, clean, 'auto');
  }

  const users = db.prepare("SELECT tag FROM tags WHERE source = 'user' GROUP BY tag ORDER BY MIN(created_at), tag").pluck().all() as string[];
  const spellings = new Map<string, string>();
  for (const tag of users) {
    const path = parseTypedTag(tag);
    let spelled: string | null = null;
    for (const segment of path ?? []) {
      const candidate = spelled === null ? segment : `${spelled}|${segment}`;
      const key = tagKey(candidate);
      if (!spellings.has(key)) spellings.set(key, candidate);
      spelled = spellings.get(key)!;
    }
    if (spelled !== tag) rename(tag, spelled, 'user');
  }
  const put = db.prepare('INSERT OR IGNORE INTO tag_spellings (key, tag) VALUES (?, ?)');
  for (const [key, tag] of spellings) put.run(key, tag);
}
