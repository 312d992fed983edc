// People correct the machine: a user's caption and tags of one photo, set by path or id. Works on any
// writable catalog handle, with or without the engine lock (SQLite serializes writers), so the CLI can
// edit beside a running app. Each edit goes through Edits (edits.ts): one transaction, recorded in the
// undo log, the photo's XMP sidecar queued.
import path from 'node:path';
import type { Catalog, PhotoRow } from '../catalog/catalog.ts';
import type { Annotations } from '../catalog/annotations.ts';
import { keyOf, typedTag } from '../catalog/annotations.ts';
import type { Repositories } from '../catalog/repositories.ts';
import type { PhotoDetails } from '../../../shared/types.ts';
import { Edits } from './edits.ts';

export class NotInLibraryError extends Error {}

export class Editor {
  readonly catalog: Catalog;
  readonly annotations: Annotations;
  /** Edits of many photos, the vocabulary and undo, over the same catalog. */
  readonly edits: Edits;

  constructor(
    repos: Pick<Repositories, 'db' | 'catalog' | 'annotations' | 'queue' | 'edits' | 'browser'>,
    private readonly onEdited?: (photoId: number) => void,
  ) {
    ({ catalog: this.catalog, annotations: this.annotations } = repos);
    this.edits = new Edits(repos);
  }

  /** The photo at a path (resolved against the working folder) or with a numeric id. */
  photo(ref: string | number): PhotoRow {
    const row = typeof ref === 'number' ? this.catalog.photo(ref) : this.catalog.photoByPath(path.resolve(ref));
    if (!row) throw new NotInLibraryError(`not in the library: ${typeof ref === 'number' ? `photo ${ref}` : path.resolve(ref)}`);
    return row;
  }

  private edited(id: number): PhotoDetails {
    this.onEdited?.(id);
    return this.catalog.details(id)!;
  }

  /** The keys of a photo's visible tags, the user's and the automatic ones. */
  private visibleKeys(id: number): Set<string> {
    return new Set(this.annotations.tags(id).filter((t) => !t.hidden).map((t) => keyOf(t.tag)));
  }

  /** Sets the user's caption; an empty text removes it (the automatic caption shows again). */
  setCaption(ref: string | number, text: string): PhotoDetails {
    const photo = this.photo(ref);
    this.edits.editPhotos([photo.id], { caption: text });
    return this.edited(photo.id);
  }

  /** Adds the user's tags (typed: "|" separates levels); `changed` are the tags added, as stored. */
  addTags(ref: string | number, tags: readonly string[]): { photo: PhotoDetails; changed: string[] } {
    const photo = this.photo(ref);
    const before = new Set(this.annotations.userTags(photo.id).map(keyOf));
    const typed = tags.map(typedTag).filter((t): t is string => t !== null);
    if (typed.length) this.edits.editPhotos([photo.id], { addTags: typed });
    const after = new Map(this.annotations.userTags(photo.id).map((t) => [keyOf(t), t]));
    const changed = [...new Set(typed.map(keyOf))].filter((k) => after.has(k) && !before.has(k)).map((k) => after.get(k)!);
    return { photo: this.edited(photo.id), changed };
  }

  /** Removes tags: the user's and automatic ones are hidden for good; `changed` are the tags that were there (as given). */
  removeTags(ref: string | number, tags: readonly string[]): { photo: PhotoDetails; changed: string[] } {
    const photo = this.photo(ref);
    const before = this.visibleKeys(photo.id);
    const typed = tags.map(typedTag).filter((t): t is string => t !== null);
    if (typed.length) this.edits.editPhotos([photo.id], { removeTags: typed });
    const after = this.visibleKeys(photo.id);
    const seen = new Set<string>();
    const changed = typed.filter((t) => {
      const k = keyOf(t);
      if (seen.has(k) || !before.has(k) || after.has(k)) return false;
      seen.add(k);
      return true;
    });
    return { photo: this.edited(photo.id), changed };
  }
}
