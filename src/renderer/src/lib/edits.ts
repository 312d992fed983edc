// Edits of many photos from the window (the selection bar, the tag list's rename/merge/delete, a
// suggestions review, the rating keys) and their undo: one at a time; progress shown once an edit
// has run for half a second (the engine's editProgress events give done/total); afterwards a toast with
// the engine's summary and, when there is something to undo, an Undo button; Ctrl/Cmd-Z undoes.
import type { EditResult, ShoeboxClient } from '../../../shared/contract.ts';
import { errorMessage } from './format.ts';

/** How long an edit runs before its progress is shown. */
export const PROGRESS_AFTER_MS = 500;
/** How long a toast stays. */
export const TOAST_MS = 10_000;

export interface Toast {
  /** Bumped for every toast, so a view can tell a new one from the same one. */
  seq: number;
  text: string;
  /** Whether Undo is offered (the edit changed something). */
  undo: boolean;
  error: boolean;
}

export interface EditState {
  busy: boolean;
  /** Shown once the edit has run for PROGRESS_AFTER_MS: done/total from the engine, total 0 until it says. */
  progress: { done: number; total: number } | null;
  toast: Toast | null;
}

export interface EditOptions {
  /** Called after every edit and undo that changed photos (the views refetch). */
  onChanged?: () => void;
  progressAfterMs?: number;
  toastMs?: number;
}

/** An undo's summary as the toast says it: the engine's words, led by "Undone:" unless they say so already. */
export function undoText(summary: string): string {
  return /^und(o|id|one)\b/i.test(summary.trim()) ? summary : `Undone: ${summary}`;
}

export class EditRunner {
  state: EditState = { busy: false, progress: null, toast: null };
  private seq = 0;
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private client: ShoeboxClient,
    private onChange: (state: EditState) => void = () => {},
    private opts: EditOptions = {},
  ) {}

  /**
   * Runs an edit (after any edit still running): progress after half a second, then a toast with its
   * summary and Undo. Resolves to the result, or null when it failed (the toast says why).
   */
  run(call: () => Promise<EditResult>): Promise<EditResult | null> {
    const next = this.running.then(() => this.runNow(call));
    this.running = next;
    return next;
  }

  /** Undoes the last edit (the window's or the CLI's): a toast says what was undone, or that nothing was. */
  undo(): Promise<EditResult | null> {
    const next = this.running.then(async () => {
      this.set({ busy: true });
      try {
        const r = await this.client.call('undo');
        if (r) this.opts.onChanged?.();
        this.toast(r ? undoText(r.summary) : 'Nothing to undo.', false);
        return r;
      } catch (e) {
        this.toast(`Could not undo: ${errorMessage(e)}`, false, true);
        return null;
      } finally {
        this.set({ busy: false, progress: null });
      }
    });
    this.running = next;
    return next;
  }

  dismiss(): void {
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.toastTimer = null;
    this.set({ toast: null });
  }

  /** A toast of the window's own (an export, a copy), without Undo. */
  say(text: string, error = false): void {
    this.toast(text, false, error);
  }

  private async runNow(call: () => Promise<EditResult>): Promise<EditResult | null> {
    let progress: { done: number; total: number } | null = null;
    let shown = false;
    const off = this.client.on('editProgress', (p) => {
      progress = { done: p.done, total: p.total };
      if (shown) this.set({ progress });
    });
    const timer = setTimeout(() => {
      shown = true;
      this.set({ progress: progress ?? { done: 0, total: 0 } });
    }, this.opts.progressAfterMs ?? PROGRESS_AFTER_MS);
    this.set({ busy: true });
    try {
      const r = await call();
      if (r.photos > 0 || r.editId !== null) this.opts.onChanged?.();
      this.toast(r.summary, r.editId !== null);
      return r;
    } catch (e) {
      this.toast(errorMessage(e), false, true);
      return null;
    } finally {
      clearTimeout(timer);
      off();
      this.set({ busy: false, progress: null });
    }
  }

  private toast(text: string, undo: boolean, error = false): void {
    if (this.toastTimer) clearTimeout(this.toastTimer);
    const toast: Toast = { seq: ++this.seq, text, undo, error };
    this.toastTimer = setTimeout(() => {
      this.toastTimer = null;
      if (this.state.toast?.seq === toast.seq) this.set({ toast: null });
    }, this.opts.toastMs ?? TOAST_MS);
    this.set({ toast });
  }

  private set(patch: Partial<EditState>): void {
    this.state = { ...this.state, ...patch };
    this.onChange(this.state);
  }
}
