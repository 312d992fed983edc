// The catalog's repositories, built once over an open database and passed around together: every
// SQL statement of the engine lives behind one of them.
import type { Db } from './db.ts';
import { Catalog } from './catalog.ts';
import { TaskQueue } from './tasks.ts';
import { Annotations } from './annotations.ts';
import { PhotoBrowser } from './browse.ts';
import { EditLog } from './edit-log.ts';
import { Places } from './places.ts';
import { PhotoText } from './photo-text.ts';

export interface Repositories {
  db: Db;
  /** Folders, photos and their derived rows, settings, embeddings. */
  catalog: Catalog;
  /** The durable task queue. */
  queue: TaskQueue;
  /** Captions, tags, ratings and labels, the model's and the user's; the tag vocabulary and suggestions. */
  annotations: Annotations;
  /** Set-based edits of many photos and the undo log (annotate/edits.ts drives them). */
  edits: EditLog;
  /** The grid's and search's reads of photos: pages, filters, full text, summaries. */
  browser: PhotoBrowser;
  /** Photos' places (from GPS and set by the user), their names, the library's places with counts. */
  places: Places;
  /** The text read in photos (OCR) and its search. */
  text: PhotoText;
}

/** The repositories over a database; `stages` are the stages a new or changed photo is queued for. */
export function openCatalog(db: Db, stages: () => readonly string[]): Repositories {
  const queue = new TaskQueue(db);
  const annotations = new Annotations(db);
  const browser = new PhotoBrowser(db);
  const places = new Places(db);
  const catalog = new Catalog(db, stages, { queue, annotations, browser, places });
  return { db, catalog, queue, annotations, browser, edits: new EditLog(db), places, text: new PhotoText(db) };
}
