// People correct the machine: a user's caption and tags, set by path or id. Works on any writable
// catalog handle, with or without the engine lock (SQLite serializes writers), so the CLI can edit
// beside a running app. An edit queues the photo's XMP sidecar.
import path from 'node:path';
import type { Db } from '../catalog/db.ts';
import type { Catalog, PhotoRow } from '../catalog/catalog.ts';
import type { Annotations } from '../catalog/annotations.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import type { Repositories } from '../catalog/repositories.ts';
import type { PhotoDetails } from '../../../shared/types.ts';

export class NotInLibraryError extends Error {}

export class Editor {
  readonly catalog: Catalog;
  readonly annotations: Annotations;
  private readonly queue: TaskQueue;
  private readonly db: Db;

  constructor(
    repos: Pick<Repositories, 'db' | 'catalog' | 'annotations' | 'queue'>,
    private readonly onEdited?: (photoId: number) => void,
  ) {
    ({ db: this.db, catalog: this.catalog, annotations: this.annotations, queue: this.queue } = repos);
  }

  /** The photo at a path (resolved against the working folder) or with a numeric id. */
  photo(ref: string | number): PhotoRow {
    const row = typeof ref === 'number' ? this.catalog.photo(ref) : this.catalog.photoByPath(path.resolve(ref));
    if (!row) throw new NotInLibraryError(`not in the library: ${typeof ref === 'number' ? `photo ${ref}` : path.resolve(ref)}`);
    return row;
  }

  private edited(id: number): PhotoDetails {
    this.queue.requeuePhotos([id], ['xmp']);
    this.onEdited?.(id);
    return this.catalog.details(id)!;
  }

  /** Sets the user's caption; an empty text removes it (the automatic caption shows again). */
  setCaption(ref: string | number, text: string): PhotoDetails {
    const photo = this.photo(ref);
    this.db.transaction(() => this.annotations.setUserCaption(photo.id, text, 'shoebox'))();
    return this.edited(photo.id);
  }

  addTags(ref: string | number, tags: readonly string[]): { photo: PhotoDetails; changed: string[] } {
    const photo = this.photo(ref);
    const changed = this.db.transaction(() => this.annotations.addUserTags(photo.id, tags, 'shoebox'))();
    return { photo: this.edited(photo.id), changed };
  }

  /** Removes tags: the user's are deleted, automatic ones hidden for good. */
  removeTags(ref: string | number, tags: readonly string[]): { photo: PhotoDetails; changed: string[] } {
    const photo = this.photo(ref);
    const changed = this.db.transaction(() => this.annotations.removeTags(photo.id, tags))();
    return { photo: this.edited(photo.id), changed };
  }
}
