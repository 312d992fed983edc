// Progress of a model download, import or verify: the event union (keyed on `status` like transformers.js) and its bookkeeping.

export interface ProgressTotals {
  /** Bytes done across all files of this operation (a resumed part counts as done). */
  loaded: number;
  /** Bytes expected across all files; grows when a file's size is learned late. */
  total: number;
  files: number;
  filesDone: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  /** Null while the rate or the total is not known. */
  etaSeconds: number | null;
}

interface ProgressBase {
  /** The model's id. */
  model: string;
  /** The model file, e.g. 'onnx/vision_model_quantized.onnx'; '' for 'ready'. */
  file: string;
  /** Bytes of this file done so far, and its size (0 when not known). */
  loaded: number;
  total: number;
  rate: number;
  etaSeconds: number | null;
  overall: ProgressTotals;
}

/**
 * Progress of a download, an import or a verify, keyed on `status` like transformers.js:
 * initiate (a file is looked at) → download (its transfer starts; resumeFrom > 0 when a .part is resumed)
 * → progress* → done (in place and checked; skipped: it was already there and valid).
 * 'verify' while a file or a resumed part is hashed, 'ready' once when the whole model is in place,
 * 'error' just before the operation throws.
 */
export type ModelProgress =
  | (ProgressBase & { status: 'initiate' })
  | (ProgressBase & { status: 'download'; resumeFrom: number })
  | (ProgressBase & { status: 'progress'; progress: number })
  | (ProgressBase & { status: 'verify' })
  | (ProgressBase & { status: 'done'; skipped: boolean })
  | (ProgressBase & { status: 'ready' })
  | (ProgressBase & { status: 'error'; error: string });

export type ProgressListener = (event: ModelProgress) => void;

type Extra<S extends ModelProgress['status']> = Omit<Extract<ModelProgress, { status: S }>, keyof ProgressBase | 'status'>;

/** Bytes per second over a sliding window. */
class RateMeter {
  private readonly samples: Array<[number, number]> = [];
  private moved = 0;
  add(bytes: number, now = performance.now()): void {
    this.moved += bytes;
    this.samples.push([now, this.moved]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > 5000) this.samples.shift();
  }
  rate(now = performance.now()): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || first === last) return 0;
    const dt = Math.max(now, last[0]) - first[0];
    return dt > 0 ? ((last[1] - first[1]) * 1000) / dt : 0;
  }
}

const eta = (loaded: number, total: number, rate: number): number | null =>
  rate > 0 && total > 0 ? Math.max(0, (total - loaded) / rate) : null;

/** Progress bookkeeping for one operation on one model; shared by download, import and verify. */
export class ProgressTracker {
  readonly model: string;
  loaded = 0;
  total = 0;
  files = 0;
  filesDone = 0;
  private readonly meter = new RateMeter();
  private readonly listener: ProgressListener | undefined;
  readonly intervalMs: number;

  constructor(model: string, listener?: ProgressListener, intervalMs = 100) {
    this.model = model;
    this.listener = listener;
    this.intervalMs = intervalMs;
  }

  totals(): ProgressTotals {
    const rate = this.meter.rate();
    return { loaded: this.loaded, total: this.total, files: this.files, filesDone: this.filesDone, rate, etaSeconds: eta(this.loaded, this.total, rate) };
  }

  /** Bytes that moved (transferred, copied, hashed): count toward loaded and the rate. */
  moved(bytes: number): void {
    this.loaded += bytes;
    this.meter.add(bytes);
  }

  file(name: string, total = 0): FileProgress {
    return new FileProgress(this, name, total);
  }

  emit<S extends ModelProgress['status']>(status: S, base: Omit<ProgressBase, 'model' | 'overall'>, extra?: Extra<S>): void {
    if (!this.listener) return;
    this.listener({ ...base, model: this.model, overall: this.totals(), status, ...extra } as ModelProgress);
  }

  ready(): void {
    const t = this.totals();
    this.emit('ready', { file: '', loaded: t.loaded, total: t.total, rate: t.rate, etaSeconds: t.etaSeconds });
  }

  error(file: string, message: string): void {
    this.emit('error', { file, loaded: 0, total: 0, rate: 0, etaSeconds: null }, { error: message });
  }
}

export class FileProgress {
  loaded = 0;
  total: number;
  private readonly tracker: ProgressTracker;
  readonly name: string;
  private readonly meter = new RateMeter();
  private lastEmit = 0;

  constructor(tracker: ProgressTracker, name: string, total: number) {
    this.tracker = tracker;
    this.name = name;
    this.total = total;
  }

  private base(): Omit<ProgressBase, 'model' | 'overall'> {
    const rate = this.meter.rate();
    return { file: this.name, loaded: this.loaded, total: this.total, rate, etaSeconds: eta(this.loaded, this.total, rate) };
  }

  emit<S extends ModelProgress['status']>(status: S, extra?: Extra<S>): void {
    this.tracker.emit(status, this.base(), extra);
  }

  /** Bytes already done before this run (a resumed part): loaded, but not part of the rate. */
  already(bytes: number): void {
    this.loaded += bytes;
    this.tracker.loaded += bytes;
  }

  /** Restart the file from zero (a server that ignored Range). */
  reset(): void {
    this.tracker.loaded -= this.loaded;
    this.loaded = 0;
  }

  /** Bytes moved now; emits a throttled 'progress' (or `status`) event. */
  advance(bytes: number, status: 'progress' | 'verify' = 'progress'): void {
    this.loaded += bytes;
    this.meter.add(bytes);
    this.tracker.moved(bytes);
    const now = performance.now();
    const complete = this.total > 0 && this.loaded >= this.total;
    if (complete || now - this.lastEmit >= this.tracker.intervalMs) {
      this.lastEmit = now;
      if (status === 'progress') this.emit('progress', { progress: this.total > 0 ? Math.min(100, (this.loaded / this.total) * 100) : 0 });
      else this.emit('verify');
    }
  }
}
