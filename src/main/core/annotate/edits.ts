// People tag at scale: one edit of many photos (a selection of 10,000, "select all" of a library), the
// tag vocabulary library-wide (rename, move, merge, delete), suggestions accepted or rejected in bulk,
// and undo. Works on any writable catalog handle, with or without the engine lock (SQLite serializes
// writers), so the CLI can edit beside a running app; the window's handlers and the CLI share it.
//
// Every edit is ONE transaction (BEGIN IMMEDIATE: the write lock first, so a writer beside it never
// fails half way): the photos it would change are found, their state goes to the undo log ([Note: undo
// log] in catalog/edit-log.ts), the change is made with set-based statements, and each changed photo's
// XMP sidecar is queued (one xmp task per photo). Work goes in chunks of EDIT_CHUNK photos, one
// statement per step for the whole chunk, and onProgress is called after each chunk. A photo the edit
// would not change (it already has the tag, the rating) is neither recorded nor queued. Ids that are no
// photo of the library are left out.
//
// Tags are typed tags (vocabulary.ts [Note: typed tags]): "|" separates levels, "/" is a character;
// each is stored under the library's spelling of it ([Note: tags in the catalog]).
import type { Repositories } from '../catalog/repositories.ts';
import type { Annotations } from '../catalog/annotations.ts';
import { cleanTag, keyOf, typedTag } from '../catalog/annotations.ts';
import { partsOf, type ChunkEdit, type EditLog, type EditPart, type EditRecord } from '../catalog/edit-log.ts';
import type { PhotoBrowser, PhotoFilter } from '../catalog/browse.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import type { Db } from '../catalog/db.ts';
import type { EditResult, SuggestionCount, TagCount } from '../../../shared/contract.ts';
import { isWithin, normalizeTag } from '../../../shared/vocabulary.ts';
import { Places, placeLabel, type StoredPlace } from '../catalog/places.ts';
import { geocoder as defaultGeocoder, type Geocoder } from '../places/geocoder.ts';
import { Resolutions } from '../catalog/resolutions.ts';

export type { EditRecord } from '../catalog/edit-log.ts';

/** Photos per step of an edit: progress is reported after each. */
export const EDIT_CHUNK = 1000;

/** One edit of many photos: every field given is applied to each of them. */
export interface PhotoEdit {
  /** Typed tags to add ("Places|Portugal|Porto" is a path). */
  addTags?: readonly string[];
  /** Tags to remove: the user's are hidden for good (an import does not bring them back), suggestions rejected. */
  removeTags?: readonly string[];
  /** The user's caption; '' removes it (the automatic one shows again). */
  caption?: string;
  /** Stars 0-5, -1 rejected; null clears the rating. */
  rating?: number | null;
  /** The colour label ("Red"); null (or blank) clears it. */
  label?: string | null;
  /**
   * The user's place, picked from the places data by id ('city:2267057', 'region:PT.14', 'country:PT': what
   * Geocoder.find gives); null removes it, and the place from the GPS position (if any) shows again.
   */
  place?: string | null;
}

/** Which photos of the grid: the grid's own filters, and a range in its order. */
export interface PhotoView extends Pick<PhotoFilter, 'folder' | 'tag' | 'suggested' | 'minRating' | 'label' | 'ids'> {
  offset?: number;
  /** Default: all of them. */
  limit?: number;
}

/** Called after each chunk: photos looked at so far, of how many. */
export type EditProgress = (done: number, total: number) => void;

/** An edit's result, with the ids of the photos it changed (ascending), for the `changed` event and sidecars. */
export interface EditOutcome extends EditResult {
  ids: number[];
}

/** An edit that cannot be made as asked (nothing to do, a tag moved under itself): the message says why. */
export class EditError extends Error {
  override readonly name = 'EditError';
}

/** The running part of one edit: what it changed, and its progress. */
interface Step {
  /** Records and changes these photos (those the edit would change); returns how many. */
  change(ids: readonly number[], apply: (ids: readonly number[]) => void): number;
  /** Photos looked at in this step. */
  progress(n: number): void;
  /** Photos changed so far. */
  readonly count: number;
}

export class Edits {
  private readonly db: Db;
  private readonly annotations: Annotations;
  private readonly queue: TaskQueue;
  private readonly log: EditLog;
  private readonly browser: PhotoBrowser;
  private readonly places: Places;
  private readonly geocoder: Geocoder;
  private readonly chunk: number;

  constructor(
    repos: Pick<Repositories, 'db' | 'annotations' | 'queue' | 'edits' | 'browser'> & { places?: Places },
    opts: { chunk?: number; geocoder?: Geocoder } = {},
  ) {
    ({ db: this.db, annotations: this.annotations, queue: this.queue, edits: this.log, browser: this.browser } = repos);
    this.places = repos.places ?? new Places(repos.db);
    this.geocoder = opts.geocoder ?? defaultGeocoder;
    this.chunk = opts.chunk ?? EDIT_CHUNK;
  }

  // ── edits ──────────────────────────────────────────────────────────────

  /**
   * Edits many photos at once: tags added and removed, the caption set or cleared, the rating and label set or
   * cleared. Throws EditError when the edit asks nothing, or adds and removes one tag.
   */
  editPhotos(ids: readonly number[], edit: PhotoEdit, onProgress?: EditProgress): EditOutcome {
    const photos = unique(ids);
    const e0 = this.check(edit);
    return this.transact(photos.length, partsOf(e0), onProgress, (step, now) => {
      const e = this.resolve(edit);
      if (e.place) this.places.recordNames(e.place, (id) => this.geocoder.names(id));
      for (const chunk of chunks(photos, this.chunk)) {
        step.change(this.log.wouldChange(chunk, e), (x) => this.log.apply(x, e, now));
        step.progress(chunk.length);
      }
      return describeEdit(e, step.count, photos.length);
    });
  }

  /** Undoes the last edit not undone yet: every photo it changed as it was, its sidecar queued. Null when there is none. */
  undo(onProgress?: EditProgress): EditOutcome | null {
    return this.db
      .transaction((): EditOutcome | null => {
        const last = this.log.lastUndoable();
        // A resolution of duplicates newer than the last edit is undone with its files, not here ([Note: resolving duplicates]).
        const resolved = new Resolutions(this.db).newestUndoable();
        if (resolved && (!last || resolved.createdAt >= last.createdAt)) {
          throw new EditError(
            `the last change was resolving duplicates (${resolved.summary}); undo it with \`shoebox duplicates undo ${resolved.id}\` or in the Duplicates view, which puts its photos back from the trash too`,
          );
        }
        if (!last) return null;
        const now = Date.now();
        const ids = this.log.recordedPhotos(last.id);
        let done = 0;
        for (const chunk of chunks(ids, this.chunk)) {
          this.annotations.rememberSpellings(this.log.recordedUserTags(last.id, chunk));
          this.log.restore(last.id, chunk);
          this.queue.requeuePhotos(chunk, ['xmp'], now);
          onProgress?.((done += chunk.length), ids.length);
        }
        this.log.markUndone(last.id, now);
        return { editId: last.id, summary: `Undid: ${last.summary}`, photos: ids.length, ids };
      })
      .immediate();
  }

  /** The edit undo() would undo, if any. */
  lastEdit(): EditRecord | null {
    return this.log.lastUndoable() ?? null;
  }

  /** The undo log, newest first (undone edits too). */
  history(): EditRecord[] {
    return this.log.list();
  }

  /**
   * Reviews a suggested tag: on `accept` photos it becomes the user's tag, on `reject` photos it is hidden for good.
   * Photos it is not suggested on are left out. Both survive a re-run of the model and a model switch.
   */
  reviewSuggestions(tag: string, review: { accept?: readonly number[]; reject?: readonly number[] }, onProgress?: EditProgress): EditOutcome {
    const label = cleanTag(tag);
    if (!label) throw new EditError('no tag named to review');
    const accept = unique(review.accept ?? []);
    const accepted = new Set(accept);
    const reject = unique(review.reject ?? []);
    if (reject.some((id) => accepted.has(id))) throw new EditError(`a photo cannot both accept and reject “${label}”`);
    if (accept.length + reject.length === 0) throw new EditError(`name the photos to accept or reject “${label}” on`);
    return this.transact(accept.length + reject.length, ['tags'], onProgress, (step, now) => {
      const spelling = this.annotations.spell(label, true)!;
      let a = 0;
      let r = 0;
      for (const chunk of chunks(accept, this.chunk)) {
        a += step.change(this.log.suggestedAmong(chunk, label), (x) => this.log.acceptSuggestion(x, label, spelling, now));
        step.progress(chunk.length);
      }
      for (const chunk of chunks(reject, this.chunk)) {
        r += step.change(this.log.suggestedAmong(chunk, label), (x) => this.log.rejectSuggestion(x, label));
        step.progress(chunk.length);
      }
      if (a === 0 && r === 0) return `Nothing to review: “${label}” is suggested on none of those photos`;
      const parts = [a ? `Accepted “${spelling}” on ${photosText(a)}` : '', r ? `${a ? 'rejected it' : `Rejected “${label}”`} on ${photosText(r)}` : ''];
      return parts.filter(Boolean).join(' and ');
    });
  }

  /**
   * Renames a user tag library-wide. Its children follow ("Porto|Ribeira" → "Oporto|Ribeira"); a new path moves
   * it ("Porto" → "Places|Portugal|Porto"); an existing tag merges it (photos get the union). A change of
   * letter case only respells it. Throws EditError for a tag moved under itself.
   */
  renameTag(from: string, to: string, onProgress?: EditProgress): EditOutcome {
    const f = this.stored(from);
    const t = this.typed(to);
    if (keyOf(f) !== keyOf(t) && isWithin(t.split('|'), f.split('|'))) throw new EditError(`cannot move “${f}” under itself (to “${t}”)`);
    const existed = keyOf(f) !== keyOf(t) && this.log.userSpellingsWithin(t).some((s) => keyOf(s) === keyOf(t));
    return this.moveTags([f], t, onProgress, (n, into) => {
      if (n === 0) return `No photo has “${f}”`;
      const verb = existed ? 'Merged' : keyOf(leaf(f)) === keyOf(leaf(t)) && keyOf(f) !== keyOf(t) ? 'Moved' : 'Renamed';
      return `${verb} “${f}” ${existed ? 'into' : 'to'} “${into}” on ${photosText(n)}`;
    });
  }

  /** Merges tags into one library-wide: every photo with any of them (or a tag under one) gets `into` instead (the union). */
  mergeTags(from: readonly string[], into: string, onProgress?: EditProgress): EditOutcome {
    const t = this.typed(into);
    const froms = unique(from.map((x) => this.stored(x))).filter((x) => keyOf(x) !== keyOf(t));
    if (froms.length === 0) throw new EditError(`name the tags to merge into “${t}”`);
    for (const f of froms) if (isWithin(t.split('|'), f.split('|'))) throw new EditError(`cannot merge “${f}” into a tag under it (“${t}”)`);
    return this.moveTags(froms, t, onProgress, (n, spelled) =>
      n === 0 ? `No photo has ${quoteList(froms, 'or')}` : `Merged ${quoteList(froms)} into “${spelled}” on ${photosText(n)}`,
    );
  }

  /** Removes a user tag, and the tags under it, from every photo (hidden for good: an import does not bring it back). */
  deleteTag(tag: string, onProgress?: EditProgress): EditOutcome {
    const t = this.typed(tag);
    const spellings = this.log.userSpellingsWithin(t);
    const plan = spellings.map((s) => ({ spelling: s, ids: this.log.photosWithUserTag(s) }));
    const total = plan.reduce((n, p) => n + p.ids.length, 0);
    return this.transact(total, ['tags'], onProgress, (step) => {
      for (const p of plan) {
        for (const chunk of chunks(p.ids, this.chunk)) {
          step.change(chunk, (x) => this.log.hideUserTag(x, p.spelling));
          step.progress(chunk.length);
        }
      }
      if (step.count === 0) return `No photo has “${t}”`;
      const children = spellings.some((s) => keyOf(s) !== keyOf(t));
      return `Removed “${spellings.find((s) => keyOf(s) === keyOf(t)) ?? t}”${children ? ' and the tags under it' : ''} from ${photosText(step.count)}`;
    });
  }

  // ── reads for a selection ──────────────────────────────────────────────

  /** Every photo id of a grid view, in the grid's order. */
  photoIds(view: PhotoView = {}): number[] {
    return this.browser.orderedIds({ ...view, limit: view.limit ?? -1, offset: view.offset ?? 0 });
  }

  /** The user's tags of a selection with how many of its photos have each (and suggestions among them), most first. */
  selectionTags(ids: readonly number[]): TagCount[] {
    return this.annotations.selectionTags(unique(ids));
  }

  /** The files of a selection, in the order given. */
  photoPaths(ids: readonly number[]): string[] {
    return this.browser.paths(ids);
  }

  /** Suggested tags with how many photos, strong and likely, most photos first. */
  suggestions(limit?: number): SuggestionCount[] {
    return this.annotations.suggestions(limit);
  }

  /** The vocabulary: the user's tags with counts (and suggestions), most used first. */
  tagCounts(limit?: number): TagCount[] {
    return this.annotations.tagCounts(limit);
  }

  // ── the machinery ──────────────────────────────────────────────────────

  private typed(text: string): string {
    const t = typedTag(text);
    if (t === null) throw new EditError(`not a tag: ${JSON.stringify(text)}`);
    return t;
  }

  /** A user tag named by the user: as the library spells it, else as typed. */
  private stored(text: string): string {
    const t = this.typed(text);
    return this.log.userSpellingsWithin(t).find((s) => keyOf(s) === keyOf(t)) ?? t;
  }

  /** The edit checked, its tags as typed (no spelling recorded): which parts it changes. */
  private check(edit: PhotoEdit): ChunkEdit {
    return this.resolve(edit, false);
  }

  /** The edit with its tags spelt as stored (new spellings recorded when `record`), caption and label normalized; checked. */
  private resolve(edit: PhotoEdit, record = true): ChunkEdit {
    const e: ChunkEdit = {};
    const add = unique((edit.addTags ?? []).map((t) => (record ? this.annotations.spell(t, true) : typedTag(t))).filter((t): t is string => t !== null));
    const remove = unique((edit.removeTags ?? []).map((t) => this.annotations.spell(t) ?? typedTag(t)).filter((t): t is string => t !== null));
    const removing = new Set(remove.map(keyOf));
    const both = add.find((t) => removing.has(keyOf(t)));
    if (both !== undefined) throw new EditError(`“${both}” cannot be both added and removed`);
    if (add.length) e.addTags = add;
    if (remove.length) e.removeTags = remove;
    if (edit.caption !== undefined) e.caption = edit.caption.normalize('NFC').trim();
    if (edit.rating !== undefined) {
      if (edit.rating !== null && !(Number.isInteger(edit.rating) && edit.rating >= -1 && edit.rating <= 5)) {
        throw new EditError(`a rating is a whole number from 0 to 5, or -1 for rejected; not ${edit.rating}`);
      }
      e.rating = edit.rating;
    }
    if (edit.label !== undefined) e.label = edit.label === null ? null : normalizeTag(edit.label);
    if (edit.place !== undefined) e.place = edit.place === null ? null : this.placeOf(edit.place);
    if (Object.keys(e).length === 0) throw new EditError('nothing to edit: give tags to add or remove, a caption, a rating, a label or a place');
    return e;
  }

  /** A place of the data by its id, as the catalog stores it; EditError when the data has none. */
  private placeOf(id: string): StoredPlace {
    const p = this.geocoder.place(id);
    if (!p) throw new EditError(`no place ${JSON.stringify(id)} in the places data (find one with \`shoebox place find\`)`);
    return { id: p.id, city: p.city, cityId: p.cityId, region: p.region, regionCode: p.regionCode, country: p.country, countryCode: p.countryCode };
  }

  /**
   * Tags `froms` (and the tags under them) become `into` (and the same under it), in one edit. Each old spelling's
   * photos are found first; a move whose target is another move's source runs after it, so nothing moves twice.
   */
  private moveTags(froms: readonly string[], into: string, onProgress: EditProgress | undefined, describe: (n: number, into: string) => string): EditOutcome {
    // The new path of each spelling under a source; a deeper source named too wins for its own subtree.
    const targets = new Map<string, string[]>();
    for (const from of [...froms].sort((a, b) => a.split('|').length - b.split('|').length)) {
      const depth = from.split('|').length;
      for (const s of this.log.userSpellingsWithin(from)) targets.set(s, [...into.split('|'), ...s.split('|').slice(depth)]);
    }
    const total = [...targets.keys()].reduce((n, s) => n + this.log.photosWithUserTag(s, true).length, 0);
    let intoSpelled = into;
    return this.transact(total, ['tags'], onProgress, (step) => {
      const sameKey = froms.length === 1 && keyOf(froms[0]!) === keyOf(into);
      intoSpelled = this.spellTarget(into.split('|'), sameKey);
      const plan = [...targets].map(([old, path]) => {
        const nw = keyOf(old) === keyOf(path.join('|')) ? this.spellTarget(path, true) : this.annotations.spell(path.join('|'), true)!;
        const respell = keyOf(old) === keyOf(nw);
        return { old, nw, respell, ids: this.log.photosWithUserTag(old, respell) };
      });
      for (const p of orderMoves(plan)) {
        if (p.old === p.nw) {
          step.progress(p.ids.length);
          continue;
        }
        for (const chunk of chunks(p.ids, this.chunk)) {
          step.change(chunk, (x) => (p.respell ? this.log.respellUserTag(x, p.old, p.nw) : this.log.moveUserTag(x, p.old, p.nw)));
          step.progress(chunk.length);
        }
      }
      return describe(step.count, intoSpelled);
    });
  }

  /**
   * The spelling of a path whose letters the user chose (a rename): the levels above its last keep the library's
   * spelling, the last is as typed; recorded as that tag's spelling when `force`, else the library's wins.
   */
  private spellTarget(path: readonly string[], force: boolean): string {
    if (!force) return this.annotations.spell(path.join('|'), true)!;
    const parent = path.length > 1 ? this.annotations.spell(path.slice(0, -1).join('|'), true)! : '';
    const spelled = parent ? `${parent}|${path.at(-1)!}` : path.at(-1)!;
    this.annotations.respell(spelled);
    return spelled;
  }

  /** Runs an edit in one transaction (see the file header); `body` makes the changes and returns the summary. */
  private transact(total: number, parts: readonly EditPart[], onProgress: EditProgress | undefined, body: (step: Step, now: number) => string): EditOutcome {
    return this.db
      .transaction((): EditOutcome => {
        const now = Date.now();
        const editId = this.log.begin(now);
        const changed = new Set<number>();
        let done = 0;
        const step: Step = {
          change: (ids, apply) => {
            const fresh = ids.filter((id) => !changed.has(id));
            if (ids.length === 0) return 0;
            this.log.snapshot(editId, fresh, parts);
            apply(ids);
            this.queue.requeuePhotos(fresh, ['xmp'], now);
            for (const id of fresh) changed.add(id);
            return ids.length;
          },
          progress: (n) => {
            done += n;
            onProgress?.(Math.min(done, total), total);
          },
          get count() {
            return changed.size;
          },
        };
        const summary = body(step, now);
        const ids = [...changed].sort((a, b) => a - b);
        this.log.finish(editId, summary, ids.length);
        return { editId: ids.length ? editId : null, summary, photos: ids.length, ids };
      })
      .immediate();
  }
}

/** Moves in an order where none writes a tag another move has still to take away. */
function orderMoves<T extends { old: string; nw: string }>(plan: readonly T[]): T[] {
  const left = [...plan];
  const out: T[] = [];
  while (left.length) {
    const sources = new Set(left.map((p) => keyOf(p.old)));
    const i = left.findIndex((p) => !sources.has(keyOf(p.nw)) || keyOf(p.nw) === keyOf(p.old));
    out.push(...left.splice(i < 0 ? 0 : i, 1));
  }
  return out;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function* chunks<T>(xs: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < xs.length; i += size) yield xs.slice(i, i + size);
}

function leaf(tag: string): string {
  return tag.split('|').at(-1)!;
}

function photosText(n: number): string {
  return `${n.toLocaleString('en-US')} photo${n === 1 ? '' : 's'}`;
}

/** “A”, “B” and “C”. */
function quoteList(tags: readonly string[], and = 'and'): string {
  const q = tags.map((t) => `“${t}”`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} ${and} ${q.at(-1)!}`;
}

function stars(n: number): string {
  return `${n} star${n === 1 ? '' : 's'}`;
}

/** The edit in words: "Added “Portugal 2019” to 80 photos", "Edited 3 photos: added “beach”, rated 4 stars". */
export function describeEdit(e: ChunkEdit, changed: number, asked: number): string {
  const parts: { alone: (n: string) => string; part: string }[] = [];
  if (e.addTags?.length) parts.push({ alone: (n) => `Added ${quoteList(e.addTags!)} to ${n}`, part: `added ${quoteList(e.addTags)}` });
  if (e.removeTags?.length) parts.push({ alone: (n) => `Removed ${quoteList(e.removeTags!)} from ${n}`, part: `removed ${quoteList(e.removeTags)}` });
  if (e.caption === '') parts.push({ alone: (n) => `Cleared the caption of ${n}`, part: 'cleared the caption' });
  else if (e.caption !== undefined) parts.push({ alone: (n) => `Set the caption of ${n}`, part: 'set the caption' });
  if (e.rating === null) parts.push({ alone: (n) => `Cleared the rating of ${n}`, part: 'cleared the rating' });
  else if (e.rating === -1) parts.push({ alone: (n) => `Marked ${n} rejected`, part: 'marked rejected' });
  else if (e.rating !== undefined) parts.push({ alone: (n) => `Rated ${n} ${stars(e.rating!)}`, part: `rated ${stars(e.rating)}` });
  if (e.label === null) parts.push({ alone: (n) => `Cleared the label of ${n}`, part: 'cleared the label' });
  else if (e.label !== undefined) parts.push({ alone: (n) => `Labelled ${n} “${e.label!}”`, part: `labelled “${e.label}”` });
  if (e.place === null) parts.push({ alone: (n) => `Cleared the place of ${n}`, part: 'cleared the place' });
  else if (e.place !== undefined) parts.push({ alone: (n) => `Set the place of ${n} to “${placeLabel(e.place!)}”`, part: `set the place to “${placeLabel(e.place)}”` });
  if (changed === 0) return `Nothing to change: ${asked === 1 ? 'the photo is' : `the ${photosText(asked)} are`} already so (${parts.map((p) => p.part).join(', ')})`;
  return parts.length === 1 ? parts[0]!.alone(photosText(changed)) : `Edited ${photosText(changed)}: ${parts.map((p) => p.part).join(', ')}`;
}
