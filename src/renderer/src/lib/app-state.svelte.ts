// The window's shared state: library status, live progress, pause state, model downloads, and a
// version per kind of change so each view refetches what it shows when the engine says it changed.
import type { ApiEvents, DownloadEvent, ShoeboxClient, TagCount, WindowStatus } from '../../../shared/contract.ts';
import type { CountryPlaces, StageProgress } from '../../../shared/types.ts';
import { EditRunner, type EditState } from './edits.ts';
import { errorMessage } from './format.ts';
import { activePending, stageRows } from './indexing.ts';
import { throttle } from './throttle.ts';
import { followPerson } from './query-chips.ts';

export type View = 'library' | 'people' | 'duplicates' | 'indexing' | 'settings';
export type ChangeKind = ApiEvents['changed']['what'];

/** Status is re-read at most this often while progress events stream in. */
const STATUS_MS = 1000;
/** Bursts of `changed` events of one kind are folded into one refetch per this period. */
const CHANGED_MS = 250;
/** The tag list waits at most this long for the grid's first page before asking for its counts. */
const GRID_FIRST_MS = 3000;
/** While work is left (or a new folder is being scanned), status is also polled this often, in case events are lost. */
const POLL_MS = 4000;

export class AppState {
  status = $state<WindowStatus | null>(null);
  statusError = $state<string | null>(null);
  progress = $state<StageProgress[]>([]);
  paused = $state(false);
  downloads = $state<Record<string, DownloadEvent>>({});
  /** Bumped once per (folded) `changed` event of each kind; views read the one they show. */
  versions = $state<Record<ChangeKind, number>>({ photos: 0, folders: 0, annotations: 0, settings: 0, models: 0, people: 0 });
  /** The photos the last folded change of each kind named; null when it named none (anything may have changed). */
  changedIds = $state<Record<ChangeKind, number[] | null>>({ photos: null, folders: null, annotations: null, settings: null, models: null, people: null });
  view = $state<View>('library');
  /** A message for the whole window (a drop that failed, an action's error). */
  notice = $state<{ text: string; error: boolean } | null>(null);
  /**
   * Whether the grid's first page has arrived (or a few seconds went by): the tag list and suggestions,
   * which a large library's engine takes longer to count, are asked for after it, so the grid paints first.
   */
  gridShown = $state(false);
  /** The tag vocabulary with counts (the tag list reads it), for autocomplete everywhere. */
  tags = $state<TagCount[]>([]);
  /** The library's places with counts, country → region → city (the Places facet reads it; the views name a chosen place from it). */
  places = $state<CountryPlaces[]>([]);
  /**
   * The person the Library's grid and searches are narrowed to (the person chip under the search box), by id:
   * the People view's "Photos" sets it through searchPerson; null: anyone.
   */
  person = $state<{ id: number; name: string | null } | null>(null);
  /** "Similar photos" asked outside the Library (the photo view over a person's page): the Library takes it and shows them. */
  similarTo = $state<{ id: number; label: string } | null>(null);
  /** Edits of many photos and their undo (the toast, progress); `edits` runs them. */
  editState = $state<EditState>({ busy: false, progress: null, toast: null });
  readonly edits: EditRunner;

  // Bookkeeping of the change folding, never rendered: plain collections on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private pendingIds = new Map<ChangeKind, Set<number> | null>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private flushers = new Map<ChangeKind, () => void>();
  private refreshing = false;
  /** Bumped by every pause or resume the window hears of, so an older status does not undo it. */
  private pauseEpoch = 0;
  private refreshAgain = false;

  constructor(readonly client: ShoeboxClient) {
    this.edits = new EditRunner(client, (s) => (this.editState = s), { onChanged: () => this.noteChange('annotations') });
  }

  /** Thumbnails made so far (the thumb stage's done count): a stand-in image is tried again when it grows. */
  get thumbsDone(): number {
    return this.status?.stages.find((s) => s.stage === 'thumb')?.done ?? 0;
  }

  get host(): 'app' | 'browser' {
    return this.client.host;
  }

  /** Subscribes to the engine's events and reads the status; returns the unsubscribe function. */
  start(): () => void {
    const statusSoon = throttle(() => void this.refreshStatus(), STATUS_MS);
    const offs = [
      this.client.on('progress', (p) => {
        this.progress = p;
        statusSoon();
      }),
      this.client.on('changed', (c) => {
        this.noteChange(c.what, c.ids);
        statusSoon();
      }),
      this.client.on('paused', (p) => this.setPaused(p.paused)),
      this.client.on('download', (d) => {
        this.downloads = { ...this.downloads, [d.id]: d };
        if (d.status === 'done') {
          this.bump('models', null);
          void this.refreshStatus();
        }
      }),
    ];
    void this.refreshStatus();
    const shown = setTimeout(() => (this.gridShown = true), GRID_FIRST_MS);
    const poll = setInterval(() => {
      if (this.busy()) void this.refreshStatus();
    }, POLL_MS);
    return () => {
      clearTimeout(shown);
      clearInterval(poll);
      statusSoon.cancel();
      for (const off of offs) off();
    };
  }

  /** Whether the engine may still be working: tasks pending, a run in progress, or folders without photos yet. */
  private busy(): boolean {
    const s = this.status;
    if (!s) return true;
    if (this.paused) return false;
    if (s.folders.length > 0 && s.photos === 0) return true;
    if (this.progress.some((p) => p.total > 0 && p.done < p.total)) return true;
    return activePending(stageRows(s.stages, this.progress, s.ml)) > 0;
  }

  /** Reads the status now (one request at a time; a call during one runs once more after it). */
  async refreshStatus(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        try {
          const epoch = this.pauseEpoch;
          const s = await this.client.call('status');
          this.status = s;
          // The engine's word on pausing (after a reload, or a `paused` event missed), unless the
          // window paused or resumed while this status was on its way.
          if (epoch === this.pauseEpoch) this.paused = s.paused;
          this.statusError = null;
        } catch (e) {
          this.statusError = errorMessage(e);
        }
      } while (this.refreshAgain);
    } finally {
      this.refreshing = false;
    }
  }

  /** A download this window started: shown (at 0) until its first progress event arrives. */
  downloadStarted(id: string): void {
    const d = this.downloads[id];
    if (d?.status === 'progress') return;
    this.downloads = { ...this.downloads, [id]: { status: 'progress', id, file: '', loaded: 0, total: 0, rate: 0, etaSeconds: null } };
  }

  /** Indexing was paused or resumed (this window's button, or the engine's event). */
  setPaused(paused: boolean): void {
    this.pauseEpoch++;
    this.paused = paused;
  }

  /** Something changed (an event, or this window's own edit): fold bursts, then bump the version. */
  noteChange(what: ChangeKind, ids?: number[]): void {
    const prev = this.pendingIds.get(what);
    if (prev === null || !ids) this.pendingIds.set(what, null);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    else this.pendingIds.set(what, new Set([...(prev ?? []), ...ids]));
    let flush = this.flushers.get(what);
    if (!flush) {
      flush = throttle(() => {
        const got = this.pendingIds.get(what);
        this.pendingIds.delete(what);
        this.bump(what, got ? [...got] : null);
      }, CHANGED_MS);
      this.flushers.set(what, flush);
    }
    flush();
  }

  private bump(what: ChangeKind, ids: number[] | null): void {
    this.changedIds[what] = ids;
    this.versions[what]++;
    if (what === 'people' && this.person) void this.followPerson();
  }

  /** After a change to people, the person chip follows a rename, and goes when its person was merged away. */
  private async followPerson(): Promise<void> {
    const chip = this.person;
    if (!chip) return;
    try {
      const people = await this.client.call('people');
      if (this.person === chip) this.person = followPerson(chip, people);
    } catch {
      // Kept as it is: the next change to people asks again.
    }
  }

  /** Whether the last change of `what` may concern photo `id`. */
  touches(what: ChangeKind, id: number): boolean {
    const ids = this.changedIds[what];
    return ids === null || ids.includes(id);
  }

  /** Shows one person's photos: the Library, narrowed to them by the person chip (a search typed then is among their photos). */
  searchPerson(id: number, name: string | null): void {
    this.person = { id, name };
    this.view = 'library';
  }

  /** The Library, showing the photos most like one (anyone's: the person chip goes). */
  showSimilar(id: number, label: string): void {
    this.person = null;
    this.similarTo = { id, label };
    this.view = 'library';
  }

  /** The person chip removed: the Library shows anyone's photos again. */
  clearPerson(): void {
    this.person = null;
  }

  say(text: string, error = false): void {
    this.notice = { text, error };
  }
}
