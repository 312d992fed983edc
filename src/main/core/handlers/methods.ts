// The engine side of the window contract: one handler per method of ApiMethods over a Library, and
// the events the window listens to. The Electron IPC binding and `shoebox serve` bind these same
// handlers through callApi (errors.ts); the event bus and its progress throttle are in events.ts.
import type { Library } from '../library.ts';
import { Editor } from '../annotate/editor.ts';
import { DEFAULT_PAGE } from '../catalog/browse.ts';
import { STAGE_NAMES } from '../pipeline/stages.ts';
import { ModelError } from '../models/errors.ts';
import { resolveHubEndpoint } from '../models/hub.ts';
import type { ModelProgress } from '../models/progress.ts';
import { MODEL_SETTINGS, type ModelSpec, type ModelTask } from '../models/spec.ts';
import { SETTINGS, readSetting, settingDef } from '../settings.ts';
import { SettingError, type SettingChange } from '../setting-change.ts';
import { BackgroundScans } from '../background-scan.ts';
import { ModelDownloads } from '../model-downloads.ts';
import type { EditOutcome, EditProgress } from '../annotate/edits.ts';
import type { ApiEventSource, ApiHandlers, EditResult, FaceInfo, MethodName, ModelInfo, PersonSummary, SettingInfo } from '../../../shared/contract.ts';
import type { FaceRow, PersonRow } from '../catalog/faces.ts';
import { ApiValidationError } from '../../../shared/validate.ts';
import { ApiFailure } from './errors.ts';
import { ApiEventBus, FACES_CHANGED_INTERVAL_MS, passOnThrottled, throttleProgress } from './events.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/** A `changed` event names the photos an edit changed up to this many; beyond, it names none (the window refetches what it shows). */
export const CHANGED_IDS_MAX = 1000;
/** An edit that runs longer than this reports editProgress events. */
export const EDIT_PROGRESS_AFTER_MS = 500;

/** How many photos of each earlier year "On this day" sends unless asked for another number. */
export const ON_THIS_DAY_PER_YEAR = 12;

/** A time's local calendar day, 'YYYY-MM-DD' (the engine's today: its clock is the search's, which tests set). */
function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** What only a desktop shell can do; `shoebox serve` leaves these out and the methods answer 'unsupported'. */
export interface HostServices {
  /** Shows the file in the system's file manager; false when it could not. */
  reveal?(path: string): Promise<boolean>;
  /** The native folder picker; null when cancelled. */
  pickFolder?(): Promise<string | null>;
  /** Where background failures (a scan after addFolder) are reported; default console.error. */
  log?(message: string): void;
}

export interface Api {
  handlers: ApiHandlers;
  events: ApiEventSource;
  /** Stops events, aborts downloads in progress; the library itself stays open. */
  close(): void;
}

/**
 * The methods that only read the catalog: they answer while the catalog's check before any write
 * is still running (the first search, the grid, status). Every other method, a new one included,
 * waits for `Library.writable` and fails with the damage when the check found some. Damage SQLite
 * reports to any method stops the engine's writes ([Note: catalog damage]).
 */
const READ_ONLY_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'status',
  'listPhotos',
  'photo',
  'search',
  'similar',
  'tagCounts',
  'photoIds',
  'mapPoints',
  'onThisDay',
  'selectionTags',
  'photoPaths',
  'suggestions',
  'folders',
  'models',
  'settings',
  'revealPhoto',
  'pickFolder',
  'duplicates',
  'resolutions',
  'people',
  'personFaces',
  'photoFaces',
  'faceSuggestions',
]);

/** The handlers guarded for the catalog: writes wait for `Library.writable`, and SQLite's damage met by any method stops the engine's writes. */
function guardedHandlers(lib: Library, handlers: ApiHandlers): ApiHandlers {
  const wrapped: Record<string, (args: never) => Promise<unknown>> = {};
  for (const [name, handler] of Object.entries(handlers) as [MethodName, (args: never) => Promise<unknown>][]) {
    const reads = READ_ONLY_METHODS.has(name);
    wrapped[name] = async (args) => {
      try {
        if (!reads) {
          await lib.writable;
          lib.requireWritable();
        }
        return await handler(args);
      } catch (e) {
        // SQLite's damage met in the middle of a session stops the engine's writes, and says so.
        throw lib.noticeError(e);
      }
    };
  }
  return wrapped as unknown as ApiHandlers;
}

/** Builds the handlers and events over an open library (the app and serve each make one). */
export function createApi(lib: Library, host: HostServices = {}): Api {
  const events = new ApiEventBus();
  // A change to people rewrites the sidecars that name them, through the xmp stage ([Note: face regions written]).
  events.on('changed', (e) => {
    if (e.what === 'people' && e.ids?.length) lib.peopleChanged(e.ids);
  });
  const browser = lib.browser;
  const editor = new Editor(lib.repos);
  const downloads = new ModelDownloads(lib.models);
  const log = host.log ?? ((m: string) => console.error(`shoebox: ${m}`));
  let closed = false;

  const stopProgress = throttleProgress((l) => lib.onProgress(l), events);
  // Damage found while open: the window reads status again (it shows the damage above every view).
  const stopDamage = lib.onDamage(() => events.emit('progress', lib.pipeline.progress()));
  // Indexing found faces (a photo's faces read again have new ids) and grouped them: the views of faces and people
  // read them again. No ids: the grouping already queued the sidecars it changed, and the people are many.
  const stopFaces = passOnThrottled<void>((l) => lib.onFacesGrouped(l), () => events.emit('changed', { what: 'people' }), FACES_CHANGED_INTERVAL_MS);

  // Background scans after a folder is added: one at a time, coalesced.
  const scans = new BackgroundScans(() => lib.scan(), {
    onError: (e) => log(`scan failed: ${errorMessage(e)}`),
    onRound: () => {
      events.emit('changed', { what: 'photos' });
      events.emit('changed', { what: 'folders' });
    },
  });

  // ── helpers ───────────────────────────────────────────────────────────
  const requirePerson = (id: number): PersonRow => {
    const p = lib.faces.person(id);
    if (!p) throw new ApiFailure('not-found', `no person with id ${id}`);
    return p;
  };
  const requireFace = (id: number): FaceRow => {
    const f = lib.faces.face(id);
    if (!f) throw new ApiFailure('not-found', `no face with id ${id}`);
    return f;
  };
  const personSummary = (p: PersonRow, covers = lib.faces.covers(), suggestions = lib.faces.suggestionCounts()): PersonSummary => ({
    id: p.id,
    name: p.name,
    faces: p.faces,
    hidden: p.hidden,
    byUser: p.source === 'user',
    cover: covers.get(p.id) ?? null,
    suggested: suggestions.get(p.id) ?? 0,
  });
  const faceInfo = (f: FaceRow, person: PersonRow | null = f.personId === null ? null : lib.faces.person(f.personId)): FaceInfo => ({
    id: f.id,
    photo: f.photoId,
    box: f.box,
    score: f.score,
    person: person ? { id: person.id, name: person.name } : null,
    byUser: f.assigned === 'user',
    notAFace: f.state === 'not_face',
    suggested: suggestionOf(f),
  });
  /** The named, shown person a face is suggested for now ("Is this Mia?"), or null. */
  const suggestionOf = (f: FaceRow): FaceInfo['suggested'] => {
    const to = lib.faces.openSuggestion(f);
    const p = to === null ? null : lib.faces.person(to);
    return p && p.name !== null && !p.hidden ? { id: p.id, name: p.name } : null;
  };
  /** After a change to people: says so to the window (the ids are the people changed), and gives the person as it is now. */
  const peopleChanged = (person: number, ...others: number[]): PersonSummary => {
    events.emit('changed', { what: 'people', ids: [person, ...others] });
    return personSummary(requirePerson(person));
  };
  /** After a change to one face (taken out of its person, or not a face): the people it left, said; the face as it is now. */
  const faceChanged = (face: number, left: number | null): ReturnType<typeof faceInfo> => {
    events.emit('changed', left === null ? { what: 'people' } : { what: 'people', ids: [left] });
    return faceInfo(lib.faces.face(face)!);
  };
  const setting = (key: string) => lib.catalog.setting(key);
  const photoPath = (id: number): string => {
    const row = lib.catalog.photo(id);
    if (!row) throw new ApiFailure('not-found', `no photo with id ${id} in the library`);
    return row.path;
  };
  const afterEdit = (id: number) => {
    events.emit('changed', { what: 'annotations', ids: [id] });
    // The edit queued the photo's sidecar; the xmp stage writes it when the setting is on.
    if (readSetting(setting, 'xmp') === 'on') lib.kick();
  };
  /** An edit of many photos: the window refetches what changed (the ids, unless there are very many). */
  const edited = (r: EditOutcome | null): EditResult | null => {
    if (!r) return null;
    if (r.photos > 0) events.emit('changed', r.ids.length <= CHANGED_IDS_MAX ? { what: 'annotations', ids: r.ids } : { what: 'annotations' });
    return { editId: r.editId, summary: r.summary, photos: r.photos };
  };
  /** A resolution changed which photos are in the library, and the keepers' data. */
  const resolvedPhotos = <T extends { resolution: number | null; groups: { keeper: number }[] }>(r: T): T => {
    if (r.resolution !== null) {
      events.emit('changed', { what: 'photos' });
      events.emit('changed', { what: 'annotations', ids: r.groups.map((g) => g.keeper) });
    }
    return r;
  };
  /** editProgress events for an edit that takes longer than EDIT_PROGRESS_AFTER_MS. */
  const editProgress = (): EditProgress => {
    const start = Date.now();
    return (done, total) => {
      if (Date.now() - start >= EDIT_PROGRESS_AFTER_MS) events.emit('editProgress', { done, total });
    };
  };
  const activeModel = (task: ModelTask): string | undefined => {
    try {
      return lib.models.active(task, setting(MODEL_SETTINGS[task])).id;
    } catch {
      return undefined;
    }
  };
  const modelInfo = (s: ModelSpec, active: Record<ModelTask, string | undefined>): ModelInfo => ({
    id: s.id,
    task: s.task,
    title: s.title,
    notes: s.notes ?? null,
    active: active[s.task] === s.id,
    installed: lib.models.state(s).installed,
    bytes: s.files.reduce((n, f) => n + (f.size ?? 0), 0),
  });
  const modelInfos = (): ModelInfo[] => {
    const active = { clip: activeModel('clip'), caption: activeModel('caption'), ocr: activeModel('ocr'), faces: activeModel('faces') };
    return lib.models.specs().map((s) => modelInfo(s, active));
  };
  const settingInfo = (key: string): SettingInfo => {
    const def = settingDef(key);
    return { key, value: setting(key) ?? def.default, default: def.default, description: def.description, onRestart: def.onRestart ?? false };
  };
  const modelsChanged = () => {
    events.emit('changed', { what: 'models' });
    // A model now installed makes its stages available.
    lib.kick();
  };
  const downloadEvent = (id: string, e: ModelProgress) => {
    if (e.status !== 'progress' && e.status !== 'download' && e.status !== 'verify') return;
    const o = e.overall;
    events.emit('download', { status: 'progress', id, file: e.file, loaded: o.loaded, total: o.total, rate: o.rate, etaSeconds: o.etaSeconds });
  };

  const handlers: ApiHandlers = {
    status: async () => ({ ...lib.status(), paused: lib.paused }),

    listPhotos: async ({ offset, limit, ...view }) => browser.page({ ...view, offset: offset ?? 0, limit: limit ?? DEFAULT_PAGE }),

    photoIds: async (view) => lib.photoIds(view),

    mapPoints: async ({ after, limit, ...view }) => {
      const points = browser.positions(view, { after, limit });
      return { points, next: limit !== undefined && points.length === limit * 3 ? points[points.length - 3]! : null };
    },

    onThisDay: async ({ date, limit }) => {
      const day = date ?? localDay(lib.search.now());
      return { date: day, years: browser.onThisDay(day, limit ?? ON_THIS_DAY_PER_YEAR) };
    },

    photo: async ({ id }) => {
      const p = lib.photo(id);
      if (!p) throw new ApiFailure('not-found', `no photo with id ${id} in the library`);
      return p;
    },

    search: async ({ query, limit, filters, parse, literal }) => lib.searchText(query, { ...filters, limit, parse, literal }),

    similar: async ({ id, limit, filters }) => {
      photoPath(id);
      return lib.searchSimilar(id, { ...filters, limit });
    },

    setCaption: async ({ id, text }) => {
      const p = editor.setCaption(id, text);
      afterEdit(id);
      return p;
    },

    addTags: async ({ id, tags }) => {
      const { photo } = editor.addTags(id, tags);
      afterEdit(id);
      return photo;
    },

    removeTags: async ({ id, tags }) => {
      const { photo } = editor.removeTags(id, tags);
      afterEdit(id);
      return photo;
    },

    tagCounts: async ({ limit }) => lib.tagCounts(limit ?? 500),

    findPlaces: async ({ text, limit }) => lib.findPlaces(text, limit ?? 20),

    // An id the places data does not have is an EditError: invalid-argument (errors.ts).
    setPlace: async ({ ids, place }) => edited(lib.setPlace(ids, place, editProgress()))!,

    placesInLibrary: async () => lib.placesInLibrary(),

    editPhotos: async ({ ids, ...edit }) => edited(lib.editPhotos(ids, edit, editProgress()))!,

    undo: async () => edited(lib.undo(editProgress())),

    selectionTags: async ({ ids }) => lib.selectionTags(ids),

    photoPaths: async ({ ids }) => lib.photoPaths(ids),

    suggestions: async ({ limit }) => lib.suggestions(limit ?? 500),

    reviewSuggestions: async ({ tag, accept, reject }) => edited(lib.reviewSuggestions(tag, { accept, reject }, editProgress()))!,

    renameTag: async ({ from, to }) => edited(lib.renameTag(from, to, editProgress()))!,

    mergeTags: async ({ from, into }) => edited(lib.mergeTags(from, into, editProgress()))!,

    deleteTag: async ({ tag }) => edited(lib.deleteTag(tag, editProgress()))!,

    folders: async () => lib.catalog.folderInfos(),

    addFolder: async ({ path }) => {
      const r = await lib.addFolder(path);
      if (r.added) {
        events.emit('changed', { what: 'folders' });
        scans.request();
      }
      return r;
    },

    removeFolder: async ({ path }) => {
      const removed = await lib.removeFolder(path);
      if (removed) {
        events.emit('changed', { what: 'folders' });
        events.emit('changed', { what: 'photos' });
      }
      return { removed };
    },

    pause: async () => {
      lib.pause();
      events.emit('paused', { paused: true });
      return { paused: lib.paused };
    },

    resume: async () => {
      lib.resume();
      events.emit('paused', { paused: false });
      return { paused: lib.paused };
    },

    retryFailed: async ({ stage }) => {
      if (stage !== undefined && !(STAGE_NAMES as readonly string[]).includes(stage)) {
        throw new ApiValidationError(`retryFailed: unknown stage ${JSON.stringify(stage)}; stages: ${STAGE_NAMES.join(', ')}`);
      }
      return lib.retryFailed(stage);
    },

    models: async () => modelInfos(),

    downloadModel: async ({ id }) => {
      const spec = lib.models.spec(id);
      if (downloads.has(spec.id)) return { started: false };
      downloads.start(spec, {
        endpoint: resolveHubEndpoint(setting('hub_endpoint')),
        onProgress: (e) => downloadEvent(spec.id, e),
        onDone: () => {
          events.emit('download', { status: 'done', id: spec.id });
          if (!closed) modelsChanged();
        },
        onError: (e) => events.emit('download', { status: 'error', id: spec.id, message: errorMessage(e) }),
      });
      return { started: true };
    },

    importModel: async ({ id, folder }) => {
      const spec = lib.models.spec(id);
      try {
        await lib.models.importFolder(spec, folder);
      } catch (e) {
        // The person chose the folder: no folder, or none of the model's files, is theirs to fix.
        if (e instanceof ModelError && e.code === 'missing') throw new ApiFailure('not-found', e.message);
        if (e instanceof ModelError && e.code === 'mismatch') throw new ApiFailure('invalid-argument', e.message);
        throw e;
      }
      modelsChanged();
      return modelInfos().find((m) => m.id === spec.id)!;
    },

    settings: async () => Object.keys(SETTINGS).map(settingInfo),

    setSetting: async ({ key, value }) => {
      let change: SettingChange;
      try {
        change = lib.setSetting(key, value);
      } catch (e) {
        if (!(e instanceof SettingError)) throw e;
        if (e.code === 'unknown') throw new ApiValidationError(`setSetting: unknown setting ${JSON.stringify(key)}; settings: ${Object.keys(SETTINGS).join(', ')}`);
        throw new ApiValidationError(`setSetting: ${e.message}`);
      }
      void change.captionCheck
        ?.then(() => events.emit('changed', { what: 'annotations' }))
        .catch((e: unknown) => log(`caption check failed: ${errorMessage(e)}`));
      events.emit('changed', { what: 'settings' });
      if (key === 'clip_model' || key === 'caption_model' || key === 'ocr_model') events.emit('changed', { what: 'models' });
      return settingInfo(key);
    },

    revealPhoto: async ({ id }) => {
      const file = photoPath(id);
      if (!host.reveal) throw new ApiFailure('unsupported', 'revealPhoto: showing a photo in the file manager needs the Shoebox app; this front door (serve) cannot');
      return { shown: await host.reveal(file) };
    },

    pickFolder: async () => {
      if (!host.pickFolder) throw new ApiFailure('unsupported', "pickFolder: the folder picker needs the Shoebox app; type the folder's full path instead");
      return { path: await host.pickFolder() };
    },

    // ── duplicates ([Note: resolving duplicates] in duplicates/resolve.ts); a ResolveError carries its code ─
    duplicates: async ({ kind }) => lib.duplicateGroups({ kind }),

    resolveDuplicates: async ({ group, keep, photos }) => resolvedPhotos(await lib.resolveDuplicates(group, keep, photos)),

    resolveAllExact: async () => resolvedPhotos(await lib.resolveAllExact()),

    undoResolve: async ({ resolution }) => {
      const r = await lib.undoResolve(resolution);
      events.emit('changed', { what: 'photos' });
      events.emit('changed', { what: 'annotations', ids: r.keepersRestored });
      return r;
    },

    resolutions: async () => lib.resolutions(),

    // ── people (core/people/people.ts): what the user does is kept, no grouping overwrites it ─
    people: async () => {
      const covers = lib.faces.covers();
      const suggestions = lib.faces.suggestionCounts();
      return lib.faces.people().map((p) => personSummary(p, covers, suggestions));
    },

    personFaces: async ({ person }) => {
      const p = requirePerson(person);
      return lib.faces.ofPerson(p.id).map((f) => faceInfo(f, p));
    },

    photoFaces: async ({ photo }) => {
      photoPath(photo);
      return lib.faces.forPhoto(photo).map((f) => faceInfo(f));
    },

    namePerson: async ({ person, name }) => {
      requirePerson(person);
      lib.people.name(person, name);
      return peopleChanged(person);
    },

    mergePeople: async ({ from, into }) => {
      if (from === into) throw new ApiFailure('invalid-argument', 'mergePeople: a person cannot be merged with itself');
      requirePerson(from);
      requirePerson(into);
      lib.people.merge(from, into);
      return peopleChanged(into, from);
    },

    moveFace: async ({ face, to }) => {
      const f = requireFace(face);
      if (f.state === 'not_face') throw new ApiFailure('invalid-argument', `moveFace: face ${face} is marked not a face (notAFace with notAFace false first)`);
      if (to !== 'new') requirePerson(to);
      const into = lib.people.moveFace(face, to);
      return f.personId === null ? peopleChanged(into) : peopleChanged(into, f.personId);
    },

    notThisPerson: async ({ face }) => {
      const was = requireFace(face).personId;
      lib.people.notThisPerson(face);
      return faceChanged(face, was);
    },

    hidePerson: async ({ person, hidden }) => {
      requirePerson(person);
      lib.people.hide(person, hidden);
      return peopleChanged(person);
    },

    setPersonCover: async ({ person, face }) => {
      requirePerson(person);
      const f = requireFace(face);
      if (f.personId !== person || f.state !== 'face') throw new ApiFailure('invalid-argument', `setPersonCover: face ${face} is not a face of person ${person}`);
      lib.people.setCover(person, face);
      // No ids: the names in the sidecars stay as they are.
      events.emit('changed', { what: 'people' });
      return personSummary(requirePerson(person));
    },

    notAFace: async ({ face, notAFace }) => {
      const was = requireFace(face).personId;
      lib.people.notAFace(face, notAFace ?? true);
      return faceChanged(face, was);
    },

    nameFace: async ({ face, name }) => {
      const f = requireFace(face);
      if (f.state === 'not_face') throw new ApiFailure('invalid-argument', `nameFace: face ${face} is marked not a face (notAFace with notAFace false first)`);
      const shared = lib.people.peopleNamed(name);
      if (shared.length > 1) {
        throw new ApiFailure('invalid-argument', `nameFace: ${shared.length} people are named ${JSON.stringify(name.trim())} (ids ${shared.join(', ')}): merge them in People first, or move the face to one of them`);
      }
      const done = lib.people.nameFace(face, name);
      const ids = done.left === null ? [done.person] : [done.person, done.left];
      events.emit('changed', { what: 'people', ids });
      return faceInfo(lib.faces.face(face)!);
    },

    faceSuggestions: async ({ person }) => {
      const p = requirePerson(person);
      return lib.faces.suggestedFor(p.id).map((f) => faceInfo(f));
    },

    answerSuggestions: async ({ person, yes, no }) => {
      requirePerson(person);
      for (const f of [...yes, ...no]) requireFace(f);
      const both = yes.find((f) => no.includes(f));
      if (both !== undefined) throw new ApiFailure('invalid-argument', `answerSuggestions: face ${both} is in both yes and no`);
      const offered = new Set(lib.faces.suggestedFor(person).map((f) => f.id));
      const stale = [...yes, ...no].filter((f) => !offered.has(f));
      if (stale.length > 0) {
        throw new ApiFailure('invalid-argument', `answerSuggestions: face${stale.length > 1 ? 's' : ''} ${stale.join(', ')} ${stale.length > 1 ? 'are' : 'is'} not suggested for person ${person} (any more): nothing was changed; read faceSuggestions again`);
      }
      const { left } = lib.people.answerSuggestions(person, yes, no);
      const accepted = new Set(yes).size;
      const rejected = new Set(no).size;
      if (accepted + rejected === 0) return { person: personSummary(requirePerson(person)), accepted, rejected };
      return { person: peopleChanged(person, ...left), accepted, rejected };
    },
  };

  return {
    handlers: guardedHandlers(lib, handlers),
    events,
    close() {
      if (closed) return;
      closed = true;
      stopProgress();
      stopDamage();
      stopFaces();
      scans.close();
      downloads.abortAll();
      events.close();
    },
  };
}
