// The model downloads in progress: one per model at a time, each abortable, all aborted by abortAll().
import type { ModelStore } from './models/store.ts';
import type { ModelSpec } from './models/spec.ts';
import type { ProgressListener } from './models/progress.ts';

export interface DownloadHooks {
  endpoint: string;
  onProgress: ProgressListener;
  onDone(): void;
  onError(e: unknown): void;
}

export class ModelDownloads {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly store: ModelStore) {}

  /** Whether the model is downloading now. */
  has(id: string): boolean {
    return this.running.has(id);
  }

  /** Starts downloading the model in the background; false (and nothing started) when it already is. */
  start(spec: ModelSpec, hooks: DownloadHooks): boolean {
    if (this.running.has(spec.id)) return false;
    const controller = new AbortController();
    this.running.set(spec.id, controller);
    void this.store
      .download(spec, { endpoint: hooks.endpoint, signal: controller.signal, onProgress: hooks.onProgress })
      .then(
        () => hooks.onDone(),
        (e: unknown) => hooks.onError(e),
      )
      .finally(() => this.running.delete(spec.id));
    return true;
  }

  /** Aborts every download in progress. */
  abortAll(): void {
    for (const c of this.running.values()) c.abort();
  }
}
