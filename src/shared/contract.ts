// The one contract between the window and the engine: every method with its argument and result
// types, and every event. The Electron IPC binding, the HTTP binding of `shoebox serve`, the
// preload and the renderer's clients are all derived from it. The argument types are inferred
// from the valibot schemas in schema.ts, the same ones validate.ts checks each argument with where
// it enters the main process; the results are plain types (the engine makes them). Only types come
// from schema.ts, so the preload and the renderer load no valibot for the contract.
import type { ArgOf, ARGS, Assert, Same } from './schema.ts';
import type {
  CountryPlaces,
  DuplicateGroup,
  DuplicateKind,
  FolderInfo,
  LibraryStatus,
  PhotoDetails,
  PhotoSummary,
  PlaceMatch,
  SearchResult,
  StageProgress,
} from './types.ts';

/** The library's status as the window reads it: with whether indexing is paused (so a reloaded window knows). */
export interface WindowStatus extends LibraryStatus {
  paused: boolean;
}

/** One page of the library grid, newest first (date taken, else file time). */
export interface PhotoPage {
  total: number;
  offset: number;
  photos: PhotoSummary[];
}

/**
 * The map's dots: the photos of a view that have a GPS position, as one flat list of triples
 * [id, lat, lon, id, lat, lon, …] (degrees, rounded to 1e-5), by id. Compact as JSON, and a Float32Array
 * or Float64Array as it is (`new Float64Array(points)`) for a worker to cluster. Asked with a `limit`, a
 * page of them: `next` is the `after` of the next page, null after the last.
 */
export interface MapPoints {
  points: number[];
  next: number | null;
}

/** One earlier year of "On this day": its photos taken on the day, the first few of them in the grid's order. */
export interface OnThisDayYear {
  year: number;
  /** Photos of that year taken on the day (more than `photos` holds when there are many). */
  total: number;
  photos: PhotoSummary[];
}

/** "On this day": photos taken on a month and day in the years before, newest year first; `years` empty when there are none. */
export interface OnThisDay {
  /** The day asked about ('YYYY-MM-DD'): the given one, else the engine's today. */
  date: string;
  years: OnThisDayYear[];
}

export interface TagCount {
  /** The tag as first spelled; hierarchical tags as paths joined by '|' ("Places|Portugal|Porto"). */
  tag: string;
  /** Photos with it as the user's tag. */
  count: number;
  /** Photos a model suggests it for, not yet accepted or rejected. */
  suggested: number;
}

/** What an edit of one or many photos did: said in the window's toast (with Undo) and by the CLI. */
export interface EditResult {
  /** The edit's id in the undo log; null when nothing changed (nothing to undo). */
  editId: number | null;
  /** What was done, in words: "Added “Portugal 2019” to 80 photos". */
  summary: string;
  /** Photos changed. */
  photos: number;
}

// ── People (issue 16): core/people/people.ts, catalog/faces.ts ─────────────────────────────────────

/** A face's box in the upright photo's pixels (EXIF orientation applied). */
export interface FaceBoxInfo {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A person as the People view lists them. */
export interface PersonSummary {
  id: number;
  /** Null: not named yet ("unnamed"). */
  name: string | null;
  /** Its faces (not those marked "not a face"). */
  faces: number;
  hidden: boolean;
  /** The user named, hid, merged or made it (the grouping never deletes it); false: the grouping's own. */
  byUser: boolean;
  /** The face that shows them (one the user placed first, then the best score); null when it has no face. */
  cover: { face: number; photo: number; box: FaceBoxInfo } | null;
  /** Faces suggested for them, to confirm ("Is this Mia?": faceSuggestions); the engine always says, 0 for none. */
  suggested?: number;
}

/** What answering face suggestions did (answerSuggestions). */
export interface SuggestionsAnswered {
  person: PersonSummary;
  /** Faces that went to the person. */
  accepted: number;
  /** Faces that are "not this person" for them now. */
  rejected: number;
}

/** A face found in a photo. */
export interface FaceInfo {
  id: number;
  photo: number;
  box: FaceBoxInfo;
  /** The detector's confidence, 0–1. */
  score: number;
  /** The person it is in; null when in none (alone so far, or "not this person"). */
  person: { id: number; name: string | null } | null;
  /** The user put it there (naming, merging, moving): no grouping moves it. */
  byUser: boolean;
  notAFace: boolean;
  /**
   * A named person (not hidden) the grouping found this face near, but not near enough to put it in them: "Is this
   * Mia?", answered with answerSuggestions as on the person's page. Null when none is open.
   */
  suggested: { id: number; name: string } | null;
}

// ── Resolving duplicates (issue 15): core/duplicates/resolve.ts, [Note: resolving duplicates] ──────────

/** A photo file of a resolution: its id and where it was. */
export interface ResolvedPhoto {
  id: number;
  path: string;
  /** Bytes. */
  size: number;
}

/** A photo a resolution (or its undo) could not move, and why, in words. */
export interface ResolveFailure {
  id: number;
  path: string;
  reason: string;
}

/** What the keeper of a group gained from the photos put away, as the user's data. */
export interface ResolveMerge {
  /** The user tags it gained (the union of the put-away photos' that it did not have). */
  tags: string[];
  /** The user caption it gained (it had none); null when none. */
  caption: string | null;
  /** The GPS position it gained (it had none); null when none. */
  gps: { lat: number; lon: number; alt: number | null } | null;
  /** The hand-set place it gained (it had none), in words ("Lisbon, Portugal"); null when none. */
  place: string | null;
}

/** One group of a resolution. */
export interface ResolvedGroup {
  group: string;
  kind: DuplicateKind;
  /** The photos kept, the keeper (which gained the merged data) first. */
  kept: number[];
  keeper: number;
  putAway: ResolvedPhoto[];
  failed: ResolveFailure[];
  merged: ResolveMerge;
  bytesFreed: number;
}

/** What resolving did: one group (resolveDuplicates) or every exact group (resolveAllExact) in one resolution. */
export interface ResolveResult {
  /** The resolution's id, for undoResolve; null when nothing was resolved (no group, or no file could be put away). */
  resolution: number | null;
  groups: ResolvedGroup[];
  /** Every photo put away, of every group. */
  putAway: ResolvedPhoto[];
  /** The photos left where they are, and why (the file changed since it was read, the trash refused it…). */
  failed: ResolveFailure[];
  bytesFreed: number;
  /** In words: "Kept 1 photo, put 2 in the trash (4.1 MB)". */
  summary: string;
}

/** What undoing a resolution did. */
export interface UndoResolveResult {
  resolution: number;
  /** Photos back at their paths (from the trash, or found there already, put back by hand). */
  restored: ResolvedPhoto[];
  /** Photos that could not come back (no longer in the trash, their path taken), and why. */
  notRestored: ResolveFailure[];
  /** The keepers whose merged data was undone. */
  keepersRestored: number[];
  /** What was left as it is, and why ("photo 12's tags were edited since: left as they are"). */
  left: string[];
  summary: string;
}

/** A resolution in the history, newest first. */
export interface ResolutionInfo {
  id: number;
  summary: string;
  /** pending: being resolved (settled on the next open after a kill); final: older than the undo window. */
  state: 'pending' | 'done' | 'failed' | 'undone' | 'final';
  /** ISO times. */
  createdAt: string;
  undoneAt: string | null;
  /** Whether undoResolve can undo it now. */
  undoable: boolean;
  /** Until when it can be undone (ISO); null when it cannot. */
  undoUntil: string | null;
  groups: {
    group: string;
    kind: DuplicateKind;
    keeper: { id: number; path: string | null };
    kept: number[];
    merged: ResolveMerge;
    photos: { id: number; path: string; size: number; state: 'moving' | 'trashed' | 'kept' | 'restored' | 'unrestored'; error: string | null }[];
  }[];
  bytesFreed: number;
}

/** A tag a model suggests, with how many photos and how sure ("strong", "likely"). */
export interface SuggestionCount {
  tag: string;
  photos: number;
  /** Of those, suggested with a strong score (at or above the tag's strong threshold). */
  strong: number;
  likely: number;
}

export interface ModelInfo {
  id: string;
  task: 'clip' | 'caption' | 'ocr' | 'faces';
  title: string;
  notes: string | null;
  /** The model in use for its task. */
  active: boolean;
  installed: boolean;
  /** Bytes of the files whose size is known. */
  bytes: number;
}

export interface SettingInfo {
  key: string;
  value: string;
  default: string;
  description: string;
  /** Takes effect when Shoebox next starts. */
  onRestart: boolean;
}

/**
 * Where the images of a photo are served from (custom protocol in the app, HTTP under serve). 'face' is a face's
 * round-croppable square (the id is then a face's id, FaceInfo.id): the People view's pictures.
 */
export type ImageKind = 'thumb' | 'preview' | 'original' | 'face';

/** A model download's progress, one union keyed on `status` (as transformers.js reports). */
export type DownloadEvent =
  | { status: 'progress'; id: string; file: string; loaded: number; total: number; rate: number; etaSeconds: number | null }
  | { status: 'done'; id: string }
  | { status: 'error'; id: string; message: string };

/** Every method: [argument, result]. Arguments: ArgOf<M>, the output of ARGS[M]; a method without arguments takes `void`. */
export interface ApiMethods {
  status: [ArgOf<'status'>, WindowStatus];
  /** The grid: photos by date, newest first, optionally under a folder or with a tag. */
  listPhotos: [ArgOf<'listPhotos'>, PhotoPage];
  photo: [ArgOf<'photo'>, PhotoDetails];
  search: [ArgOf<'search'>, SearchResult];
  similar: [ArgOf<'similar'>, SearchResult];
  /** The user's caption; an empty text removes it (the automatic caption shows again). */
  setCaption: [ArgOf<'setCaption'>, PhotoDetails];
  addTags: [ArgOf<'addTags'>, PhotoDetails];
  removeTags: [ArgOf<'removeTags'>, PhotoDetails];
  tagCounts: [ArgOf<'tagCounts'>, TagCount[]];
  /** Every photo id of a grid view, in grid order (select all, Shift-click ranges over pages not loaded). */
  photoIds: [ArgOf<'photoIds'>, number[]];
  /** The positions of a grid view's photos that have GPS, for the map (all of them, or a page: `after` an id, `limit` of them). */
  mapPoints: [ArgOf<'mapPoints'>, MapPoints];
  /** Photos taken on this day (or `date`'s) in earlier years, grouped by year. */
  onThisDay: [ArgOf<'onThisDay'>, OnThisDay];
  /** Places of the offline data by any of their names (English, local, alternate): the picker of a hand-set place. */
  findPlaces: [ArgOf<'findPlaces'>, PlaceMatch[]];
  /** Sets the user's place (a findPlaces id) on photos, or clears it (null: the GPS place shows again); one undoable edit. */
  setPlace: [ArgOf<'setPlace'>, EditResult];
  /** The library's places, country → region → city, with photo counts and every name (the Places facet). */
  placesInLibrary: [ArgOf<'placesInLibrary'>, CountryPlaces[]];
  /**
   * One edit of many photos in one transaction, recorded for undo, each photo's XMP sidecar queued:
   * add/remove tags, set a caption ('' clears it), set a rating (null clears) or a colour label (null clears).
   */
  editPhotos: [ArgOf<'editPhotos'>, EditResult];
  /** Undoes the last edit not yet undone (window or CLI): photos and sidecars as they were; null when there is none. */
  undo: [ArgOf<'undo'>, EditResult | null];
  /** The user's tags of a selection, with how many of its photos have each (the selection bar's remove list). */
  selectionTags: [ArgOf<'selectionTags'>, TagCount[]];
  /** The files of a selection, in the order given (the selection bar's "export the list"). */
  photoPaths: [ArgOf<'photoPaths'>, string[]];
  /** Suggested tags with counts, most photos first. */
  suggestions: [ArgOf<'suggestions'>, SuggestionCount[]];
  /** Accepts (becomes the user's tag) and rejects (hidden on that photo for good) a suggested tag on photos. */
  reviewSuggestions: [ArgOf<'reviewSuggestions'>, EditResult];
  /** Renames a tag library-wide; also moves it ("Porto" → "Places|Portugal|Porto", its children follow) and merges into an existing one. */
  renameTag: [ArgOf<'renameTag'>, EditResult];
  /** Merges tags into one: every photo with any of them gets `into` (the union). */
  mergeTags: [ArgOf<'mergeTags'>, EditResult];
  /** Removes a tag (and its children) from every photo. */
  deleteTag: [ArgOf<'deleteTag'>, EditResult];
  folders: [ArgOf<'folders'>, FolderInfo[]];
  addFolder: [ArgOf<'addFolder'>, { path: string; added: boolean }];
  removeFolder: [ArgOf<'removeFolder'>, { removed: boolean }];
  /** Indexing control. */
  pause: [ArgOf<'pause'>, { paused: boolean }];
  resume: [ArgOf<'resume'>, { paused: boolean }];
  /** Failed tasks (in one stage, or all) are tried again: how many tasks, of how many photos. */
  retryFailed: [ArgOf<'retryFailed'>, { retried: number; photos: number }];
  models: [ArgOf<'models'>, ModelInfo[]];
  /** Starts a download; progress arrives as `download` events. */
  downloadModel: [ArgOf<'downloadModel'>, { started: boolean }];
  importModel: [ArgOf<'importModel'>, ModelInfo];
  settings: [ArgOf<'settings'>, SettingInfo[]];
  setSetting: [ArgOf<'setSetting'>, SettingInfo];
  /** Shows the file in the system's file manager (the app only; serve answers that it cannot). */
  revealPhoto: [ArgOf<'revealPhoto'>, { shown: boolean }];
  /** The native folder picker (the app only); null when cancelled. */
  pickFolder: [ArgOf<'pickFolder'>, { path: string | null }];
  /** The duplicate groups (one kind, or all), each with its suggested keeper and why, and the bytes resolving it would free. */
  duplicates: [ArgOf<'duplicates'>, DuplicateGroup[]];
  /**
   * Keeps `keep` (the first gains the others' user tags, caption, GPS and place where it has none) and puts the
   * group's other photos in the trash. Refused when the group is gone or changed (`photos`, when given, is what the
   * caller was shown), or `keep` is not of it.
   */
  resolveDuplicates: [ArgOf<'resolveDuplicates'>, ResolveResult];
  /** Accepts the suggested keeper of every exact group, in one resolution (one undo). */
  resolveAllExact: [ArgOf<'resolveAllExact'>, ResolveResult];
  /** Undoes a resolution while its files are in the trash: they come back, the merged data is undone. */
  undoResolve: [ArgOf<'undoResolve'>, UndoResolveResult];
  /** The resolutions, newest first. */
  resolutions: [ArgOf<'resolutions'>, ResolutionInfo[]];
  /** Every person, the most faces first (hidden ones too, marked). */
  people: [ArgOf<'people'>, PersonSummary[]];
  /** A person's faces, in the order found. */
  personFaces: [ArgOf<'personFaces'>, FaceInfo[]];
  /** The faces found in a photo (those marked "not a face" too, marked). */
  photoFaces: [ArgOf<'photoFaces'>, FaceInfo[]];
  /** Names a person (null takes the name away); its faces become the user's. */
  namePerson: [ArgOf<'namePerson'>, PersonSummary];
  /** Every face of `from` goes to `into` (which keeps its name, else takes `from`'s); `from` is gone. */
  mergePeople: [ArgOf<'mergePeople'>, PersonSummary];
  /** Moves a face to a person, or to a new person of its own; the person it is in now. */
  moveFace: [ArgOf<'moveFace'>, PersonSummary];
  /** The face leaves its person and never joins it again. */
  notThisPerson: [ArgOf<'notThisPerson'>, FaceInfo];
  hidePerson: [ArgOf<'hidePerson'>, PersonSummary];
  /** The face that shows a person in People, chosen: one of theirs (else `invalid-argument`); it becomes the user's. */
  setPersonCover: [ArgOf<'setPersonCover'>, PersonSummary];
  /** Marks a face "not a face" (or, with notAFace false, a face again): it is in no person and never grouped. */
  notAFace: [ArgOf<'notAFace'>, FaceInfo];
  /**
   * Names a face (the photo view): it joins the person of that name (hidden ones too); else its unnamed person takes
   * the name, with its other faces; else a new person of that name holds it. A name two people share, or a face
   * marked "not a face", is refused. The face as it is now.
   */
  nameFace: [ArgOf<'nameFace'>, FaceInfo];
  /** The faces suggested for a named person ("Is this Mia?"): near them, not close enough to join by themselves. */
  faceSuggestions: [ArgOf<'faceSuggestions'>, FaceInfo[]];
  /**
   * Answers suggestions in bulk: `yes` faces go to the person as the user's, `no` faces are "not this person" for
   * them (never suggested there again). Each must be suggested for the person now; the person as it is now.
   */
  answerSuggestions: [ArgOf<'answerSuggestions'>, SuggestionsAnswered];
}

export type MethodName = keyof ApiMethods;
export type ArgsOf<M extends MethodName> = ApiMethods[M][0];
export type ResultOf<M extends MethodName> = ApiMethods[M][1];

export const METHOD_NAMES = [
  'status',
  'listPhotos',
  'photo',
  'search',
  'similar',
  'setCaption',
  'addTags',
  'removeTags',
  'tagCounts',
  'photoIds',
  'mapPoints',
  'onThisDay',
  'findPlaces',
  'setPlace',
  'placesInLibrary',
  'editPhotos',
  'undo',
  'selectionTags',
  'photoPaths',
  'suggestions',
  'reviewSuggestions',
  'renameTag',
  'mergeTags',
  'deleteTag',
  'folders',
  'addFolder',
  'removeFolder',
  'pause',
  'resume',
  'retryFailed',
  'models',
  'downloadModel',
  'importModel',
  'settings',
  'setSetting',
  'revealPhoto',
  'pickFolder',
  'duplicates',
  'resolveDuplicates',
  'resolveAllExact',
  'undoResolve',
  'resolutions',
  'people',
  'personFaces',
  'photoFaces',
  'namePerson',
  'mergePeople',
  'moveFace',
  'notThisPerson',
  'hidePerson',
  'setPersonCover',
  'notAFace',
  'nameFace',
  'faceSuggestions',
  'answerSuggestions',
] as const satisfies readonly MethodName[];

// The names are spelt out rather than taken from Object.keys(ARGS): that would load valibot into the
// sandboxed preload, which can require() no package. These make the three lists one at compile time.
type _MethodsAreArgs = Assert<Same<MethodName, keyof typeof ARGS>>;
type _NamesAreMethods = Assert<Same<(typeof METHOD_NAMES)[number], MethodName>>;

/** Every event the engine pushes to the window. */
export interface ApiEvents {
  /** Every stage's progress, as the pipeline reports it. */
  progress: StageProgress[];
  /** Photos, captions, tags or folders changed: views refetch what they show. */
  changed: { what: 'photos' | 'folders' | 'annotations' | 'settings' | 'models' | 'people'; ids?: number[] };
  /** An edit of many photos in progress (sent when it takes longer than half a second). */
  editProgress: { done: number; total: number };
  download: DownloadEvent;
  /** Indexing paused or resumed. */
  paused: { paused: boolean };
}

export type EventName = keyof ApiEvents;
export const EVENT_NAMES = ['progress', 'changed', 'download', 'paused', 'editProgress'] as const satisfies readonly EventName[];

/** The machine-readable codes of an ApiError: the only list of them. */
export const API_ERROR_CODES = ['invalid-argument', 'not-found', 'unsupported', 'failed'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** An error as it crosses a boundary: a message a person can act on, and a machine-readable code. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

/** The app's custom protocol for photos' images: shoebox-media://<kind>/<id>. */
export const MEDIA_SCHEME = 'shoebox-media';

/** What the renderer talks to: the same interface behind IPC (the app) and HTTP (serve). */
export interface ShoeboxClient {
  call<M extends MethodName>(method: M, ...args: ArgsOf<M> extends void ? [] : [ArgsOf<M>]): Promise<ResultOf<M>>;
  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void;
  /** The URL of a photo's image: shoebox-media://… in the app, /media/… under serve. */
  imageUrl(id: number, kind: ImageKind): string;
  /** What the window runs in, the desktop app or a browser under serve: the window never branches on it for behaviour, only for labels and app-only controls ("Reveal in Finder"). */
  readonly host: 'app' | 'browser';
}

/** IPC channel of a method or event in the app. */
export function ipcChannel(name: MethodName | EventName): string {
  return `shoebox:${name}`;
}

/** The engine side of the contract: one handler per method (the app and serve bind the same ones). */
export type ApiHandlers = { [M in MethodName]: (args: ArgsOf<M>) => Promise<ResultOf<M>> };

/** Events from the engine, subscribed to by each binding (IPC to the window, SSE to the browser). */
export interface ApiEventSource {
  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void;
}
