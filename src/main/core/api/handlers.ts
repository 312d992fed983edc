// The engine side of the window contract: one handler per method of ApiMethods over a Library, and
// the events the window listens to. The Electron IPC binding and `shoebox serve` bind these same
// handlers; callApi is the one place where an argument is checked and an error becomes an ApiError.
import type { Library } from '../library.ts';
import { Editor, NotInLibraryError } from '../annotate/editor.ts';
import { PhotoBrowser, DEFAULT_PAGE } from '../catalog/browse.ts';
import { STAGE_NAMES } from '../pipeline/stages.ts';
import { ModelError, resolveHubEndpoint, type ModelProgress } from '../models/download.ts';
import type { ModelSpec, ModelTask } from '../models/spec.ts';
import { SETTINGS, readSetting, settingDef } from '../settings.ts';
import { SettingError, type SettingChange } from '../setting-change.ts';
import { FolderError } from '../folder-error.ts';
import type { ApiError, ApiEventSource, ApiEvents, ApiHandlers, EventName, ModelInfo, SettingInfo } from '../../../shared/contract.ts';
import type { ApiResult } from '../../../shared/bridge.ts';
import { ApiValidationError, isMethodName, validateArgs } from '../../../shared/validate.ts';
import type { StageProgress } from '../../../shared/types.ts';

/** What only a desktop shell can do; `shoebox serve` leaves these out and the methods answer 'unsupported'. */
export interface ApiDoor {
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

/** An error with its ApiError code, thrown by handlers (not found, unsupported…). */
export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const API_CODES: ReadonlySet<string> = new Set<ApiError['code']>(['invalid-argument', 'not-found', 'unsupported', 'failed']);

/** Any thrown value as it crosses a boundary: validation → invalid-argument, unknown photo or model → not-found, else failed. */
export function toApiError(e: unknown): ApiError {
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error';
  if (e instanceof ApiValidationError) return { code: 'invalid-argument', message };
  if (e instanceof ApiFailure) return { code: e.code, message };
  if (e instanceof NotInLibraryError) return { code: 'not-found', message };
  // A folder that is not there is not found; a file is the wrong argument; one that cannot be read failed.
  if (e instanceof FolderError) return { code: e.code === 'not-found' ? 'not-found' : e.code === 'not-a-directory' ? 'invalid-argument' : 'failed', message };
  if (e instanceof ModelError) {
    if (e.code === 'unknown-model') return { code: 'not-found', message };
    if (e.code === 'invalid') return { code: 'invalid-argument', message };
    return { code: 'failed', message };
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof Error && typeof code === 'string' && API_CODES.has(code)) return { code: code as ApiError['code'], message };
  return { code: 'failed', message };
}

/**
 * Checks a raw argument (from IPC or HTTP) with validateArgs, calls the handler and answers the
 * result or the ApiError; never throws. Every binding enters the engine through here.
 */
export async function callApi(handlers: ApiHandlers, method: string, raw: unknown): Promise<ApiResult<unknown>> {
  try {
    if (!isMethodName(method)) throw new ApiValidationError(`unknown method ${JSON.stringify(method)}`);
    const args = validateArgs(method, raw);
    const handler = handlers[method] as (a: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(args) };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

/** Progress events reach the window at most this often (the last one always arrives). */
export const PROGRESS_INTERVAL_MS = 100;

type Listener = (payload: never) => void;

class Events implements ApiEventSource {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private closed = false;

  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = cb as Listener;
    set.add(l);
    return () => set.delete(l);
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    if (this.closed) return;
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as (p: ApiEvents[E]) => void)(payload);
      } catch {
        // One listener's failure never stops the others, nor the engine.
      }
    }
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
  }
}

/** Builds the handlers and events over an open library (the app and serve each make one). */
export function createApi(lib: Library, door: ApiDoor = {}): Api {
  const events = new Events();
  const browser = new PhotoBrowser(lib.db);
  const editor = new Editor(lib.db, () => STAGE_NAMES);
  const downloads = new Map<string, AbortController>();
  const log = door.log ?? ((m: string) => console.error(`shoebox: ${m}`));
  let closed = false;

  // ── progress, throttled ──────────────────────────────────────────────
  let lastProgress = 0;
  let pendingProgress: StageProgress[] | null = null;
  let progressTimer: ReturnType<typeof setTimeout> | null = null;
  const flushProgress = () => {
    progressTimer = null;
    const p = pendingProgress;
    if (!p) return;
    pendingProgress = null;
    lastProgress = Date.now();
    events.emit('progress', p);
  };
  const offProgress = lib.onProgress((p) => {
    pendingProgress = p;
    if (progressTimer) return;
    const wait = lastProgress + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0) flushProgress();
    else {
      progressTimer = setTimeout(flushProgress, wait);
      progressTimer.unref?.();
    }
  });

  // ── background scans after a folder is added: one at a time, coalesced ──
  let scanning = false;
  let scanAgain = false;
  const rescan = () => {
    if (scanning) {
      scanAgain = true;
      return;
    }
    scanning = true;
    void (async () => {
      do {
        scanAgain = false;
        try {
          await lib.scan();
        } catch (e) {
          if (!closed) log(`scan failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        events.emit('changed', { what: 'photos' });
        events.emit('changed', { what: 'folders' });
      } while (scanAgain && !closed);
      scanning = false;
    })();
  };

  // ── helpers ───────────────────────────────────────────────────────────
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
  const activeModel = (task: ModelTask): string | undefined => {
    try {
      return lib.models.active(task, setting(task === 'clip' ? 'clip_model' : 'caption_model')).id;
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
    const active = { clip: activeModel('clip'), caption: activeModel('caption') };
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

    listPhotos: async (a) => browser.page({ offset: a.offset ?? 0, limit: a.limit ?? DEFAULT_PAGE, folder: a.folder, tag: a.tag }),

    photo: async ({ id }) => {
      const p = lib.photo(id);
      if (!p) throw new ApiFailure('not-found', `no photo with id ${id} in the library`);
      return p;
    },

    search: async ({ query, limit, filters }) => lib.searchText(query, { ...filters, limit }),

    similar: async ({ id, limit, filters }) => {
      photoPath(id);
      return lib.search.similar(id, { ...filters, limit });
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

    tagCounts: async ({ limit }) => lib.notes.tagCounts(limit ?? 500),

    folders: async () => lib.catalog.folderInfos(),

    addFolder: async ({ path }) => {
      const r = await lib.addFolder(path);
      if (r.added) {
        events.emit('changed', { what: 'folders' });
        rescan();
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
      const controller = new AbortController();
      downloads.set(spec.id, controller);
      const endpoint = resolveHubEndpoint(setting('hub_endpoint'));
      void lib.models
        .download(spec, { endpoint, signal: controller.signal, onProgress: (e) => downloadEvent(spec.id, e) })
        .then(
          () => {
            events.emit('download', { status: 'done', id: spec.id });
            if (!closed) modelsChanged();
          },
          (e: unknown) => events.emit('download', { status: 'error', id: spec.id, message: e instanceof Error ? e.message : String(e) }),
        )
        .finally(() => downloads.delete(spec.id));
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
        .catch((e: unknown) => log(`caption check failed: ${e instanceof Error ? e.message : String(e)}`));
      events.emit('changed', { what: 'settings' });
      if (key === 'clip_model' || key === 'caption_model') events.emit('changed', { what: 'models' });
      return settingInfo(key);
    },

    revealPhoto: async ({ id }) => {
      const file = photoPath(id);
      if (!door.reveal) throw new ApiFailure('unsupported', 'revealPhoto: showing a photo in the file manager needs the Shoebox app; this front door (serve) cannot');
      return { shown: await door.reveal(file) };
    },

    pickFolder: async () => {
      if (!door.pickFolder) throw new ApiFailure('unsupported', "pickFolder: the folder picker needs the Shoebox app; type the folder's full path instead");
      return { path: await door.pickFolder() };
    },
  };

  return {
    handlers,
    events,
    close() {
      if (closed) return;
      closed = true;
      offProgress();
      if (progressTimer) clearTimeout(progressTimer);
      progressTimer = null;
      for (const c of downloads.values()) c.abort();
      events.close();
    },
  };
}
