// The scheduler: pulls due tasks from SQLite by priority, runs stage batches, commits results,
// retries failures with backoff, and reports progress. One place for all of that.
import type { Db } from '../catalog/db.ts';
import type { ReadyTask, TaskQueue } from '../catalog/tasks.ts';
import type { Stage, ItemResult } from './stage.ts';
import { ProgressMeter } from './progress.ts';
import { Emitter } from '../emitter.ts';
import type { StageProgress } from '../../../shared/types.ts';
import { errorMessage } from '../../../shared/error-message.ts';
import { isDiskFull, writeFault } from '../faults.ts';

export interface PipelineOptions {
  /** Attempts before a failure is recorded on the photo for good. */
  maxAttempts?: number;
  /** Delay before retry number `attempt` (1-based). */
  backoffMs?: (attempt: number) => number;
  clock?: () => number;
  /** How long to wait between probes for space while the disk is full ([Note: full disk] in core/faults.ts). */
  diskFullRetryMs?: number;
  /** Whether there is space again (a small write where the data lives); false while the disk is full. Default: yes. */
  probeSpace?: () => Promise<boolean>;
  /**
   * Whether an error is the catalog's damage (SQLite's SQLITE_CORRUPT, SQLITE_NOTADB), reported
   * to the engine, which then stops writing: a batch that meets it fails no photo and no stage,
   * its tasks stay as they were. Default: none is.
   */
  catalogDamage?: (e: unknown) => boolean;
}

/** Why indexing stopped on a full disk: since when (ms), the error that said so, and the file it was writing, if known. */
export interface DiskFullStop {
  since: number;
  error: string;
  path: string | null;
}

export type ProgressListener = (progress: StageProgress[]) => void;

export class Pipeline {
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly clock: () => number;
  private readonly diskFullRetryMs: number;
  private readonly catalogDamage: (e: unknown) => boolean;
  private readonly probeSpace: () => Promise<boolean>;
  /** Set while the disk is full: no new batches until the probe finds space. */
  private full: DiskFullStop | null = null;
  private readonly inFlight = new Map<string, Set<number>>();
  private readonly batchesInFlight = new Map<string, number>();
  private meters = new Map<string, ProgressMeter>();
  /** Whether the meters know the work left (refreshRemaining ran since they were made). */
  private remainingCounted = false;
  private readonly progressEvents = new Emitter<StageProgress[]>();
  private paused = false;
  private abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private running: Promise<void> | null = null;
  /** Stages stopped for this run by an error of the whole stage (a model that cannot load…). */
  private readonly broken = new Map<string, string>();
  /** Stage → the stages that need it, directly or not. */
  private readonly dependents = new Map<string, string[]>();

  constructor(
    private readonly db: Db,
    private readonly queue: TaskQueue,
    readonly stages: readonly Stage[],
    opts: PipelineOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.backoffMs = opts.backoffMs ?? ((attempt) => 250 * 4 ** (attempt - 1));
    this.clock = opts.clock ?? Date.now;
    this.diskFullRetryMs = opts.diskFullRetryMs ?? 15_000;
    this.probeSpace = opts.probeSpace ?? (() => Promise.resolve(true));
    this.catalogDamage = opts.catalogDamage ?? (() => false);
    for (const s of stages) {
      this.inFlight.set(s.name, new Set());
      this.batchesInFlight.set(s.name, 0);
    }
    for (const s of stages) {
      const out = new Set<string>();
      const visit = (name: string) => {
        for (const d of stages) {
          if (d.requires?.includes(name) && !out.has(d.name)) {
            out.add(d.name);
            visit(d.name);
          }
        }
      };
      visit(s.name);
      this.dependents.set(s.name, [...out]);
    }
    // The work left is counted when first asked for (progress, a run), not here: counting a stage's
    // pending tasks reads them all (0.3 s for a new stage's million tasks), and the engine is opened
    // for the first search, not for indexing.
    this.meters = new Map(this.stages.map((s) => [s.name, new ProgressMeter(s.name, this.clock)]));
  }

  onProgress(listener: ProgressListener): () => void {
    return this.progressEvents.on(listener);
  }

  progress(): StageProgress[] {
    if (!this.remainingCounted) this.refreshRemaining();
    return this.stages.map((s) => this.meters.get(s.name)!.snapshot());
  }

  /**
   * Stages that could not run in the current (or last) run, with why: an unavailable stage (no
   * model) or one whose batch failed as a whole. Their tasks stay pending for the next run.
   */
  problems(): { stage: string; reason: string }[] {
    const out: { stage: string; reason: string }[] = [];
    for (const s of this.stages) {
      const reason = this.broken.get(s.name) ?? s.unavailable?.() ?? null;
      if (reason) out.push({ stage: s.name, reason });
    }
    return out;
  }

  /** Set while indexing waits for space on a full disk; null otherwise. */
  get diskFull(): DiskFullStop | null {
    return this.full;
  }

  /**
   * A write failed because the disk is full: no new batches are taken (those in flight finish or roll back)
   * until a probe every diskFullRetryMs finds space, then work goes on by itself. Nothing is failed.
   */
  noteDiskFull(e: unknown): void {
    if (!this.full) {
      const p = (e as { path?: unknown } | null)?.path;
      this.full = { since: this.clock(), error: errorMessage(e), path: typeof p === 'string' ? p : null };
      this.emit();
    }
    this.wake();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** New work was queued: look again now. */
  kick(): void {
    this.refreshRemaining();
    this.emit();
    this.wake();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  /**
   * Runs until cancelled, or with `untilIdle` until no task is pending (including retries that
   * wait for their backoff). Resolves once every batch in flight has committed.
   */
  run(opts: { untilIdle?: boolean } = {}): Promise<void> {
    if (this.running) return this.running;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.broken.clear();
    this.resetMeters();
    this.running = this.loop(opts.untilIdle ?? false).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops taking new batches and waits for those in flight to commit. */
  async cancel(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.running;
  }

  private resetMeters(): void {
    this.meters = new Map(this.stages.map((s) => [s.name, new ProgressMeter(s.name, this.clock)]));
    this.refreshRemaining();
  }

  private refreshRemaining(): void {
    this.remainingCounted = true;
    // A stage that cannot run (turned off, model missing) has no work left: its tasks wait.
    for (const s of this.stages) {
      this.meters.get(s.name)!.setRemaining(s.unavailable?.() ? 0 : this.queue.pendingCount(s.name));
    }
  }

  private emit(): void {
    const snapshot = this.progress();
    this.progressEvents.emit(snapshot);
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => this.wake(), Math.max(0, ms));
      this.wakeUp = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  private async loop(untilIdle: boolean): Promise<void> {
    const active = new Set<Promise<void>>();
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.paused) {
        await this.sleep(null);
        continue;
      }
      if (this.full) {
        // Let the batches in flight settle, then probe for space now and then; a kick probes at once.
        if (active.size > 0) await this.sleep(null);
        else {
          await this.sleep(this.diskFullRetryMs);
          if (signal.aborted) break;
          if (this.full && (await this.probeSpace().catch(() => false))) {
            this.full = null;
            this.refreshRemaining();
            this.emit();
          }
        }
        continue;
      }
      const now = this.clock();
      const runnable = this.stages.filter((s) => !this.broken.has(s.name) && !s.unavailable?.());
      for (const stage of runnable) {
        const flight = this.inFlight.get(stage.name)!;
        const consumersRun = runnable.some((s) => s.requires?.includes(stage.name));
        while (this.batchesInFlight.get(stage.name)! < stage.concurrency && !(consumersRun && stage.blocked?.())) {
          const tasks = this.queue.ready(stage.name, stage.batchSize, now, flight, stage.requires);
          if (tasks.length === 0) break;
          const p: Promise<void> = this.runBatch(stage, tasks, signal).finally(() => {
            active.delete(p);
            this.wake();
          });
          active.add(p);
        }
      }
      if (active.size > 0) {
        await this.sleep(null); // a batch finishing, a kick, pause or cancel wakes us
        continue;
      }
      const due = runnable.map((s) => this.queue.nextDue(s.name, s.requires)).filter((d): d is number => d !== null);
      if (due.length === 0) {
        this.emit();
        if (untilIdle) break;
        await this.sleep(null);
      } else {
        await this.sleep(Math.min(...due) - this.clock());
      }
    }
    await Promise.allSettled(active);
  }

  private async runBatch(stage: Stage, tasks: ReadyTask[], signal: AbortSignal): Promise<void> {
    const flight = this.inFlight.get(stage.name)!;
    for (const t of tasks) flight.add(t.photo.id);
    this.batchesInFlight.set(stage.name, this.batchesInFlight.get(stage.name)! + 1);
    let results: ItemResult[];
    try {
      results = await stage.runBatch(
        tasks.map((t) => t.photo),
        { signal },
      );
      if (results.length !== tasks.length) throw new Error(`stage ${stage.name} returned ${results.length} results for ${tasks.length} photos`);
    } catch (e) {
      if (isDiskFull(e)) {
        // Not the stage's fault nor its photos': the tasks stay as they were, and the pipeline waits for space.
        for (const t of tasks) flight.delete(t.photo.id);
        this.batchesInFlight.set(stage.name, this.batchesInFlight.get(stage.name)! - 1);
        this.noteDiskFull(e);
        return;
      }
      if (this.catalogDamage(e)) {
        // Nor is a damaged catalog: the engine stops writing (and pauses), the tasks stay as they were.
        for (const t of tasks) flight.delete(t.photo.id);
        this.batchesInFlight.set(stage.name, this.batchesInFlight.get(stage.name)! - 1);
        return;
      }
      // A batch that fails as a whole is the stage's problem (its model will not load, the worker
      // keeps dying), not its photos': stop the stage for this run and leave the tasks pending.
      this.broken.set(stage.name, errorMessage(e));
      for (const t of tasks) flight.delete(t.photo.id);
      this.batchesInFlight.set(stage.name, this.batchesInFlight.get(stage.name)! - 1);
      this.emit();
      return;
    }
    let finished = 0;
    let failedForGood = 0;
    const now = this.clock();
    try {
      this.db.transaction(() => {
        tasks.forEach((t, i) => {
          const r = results[i]!;
          if (r.ok) {
            // A result for a task requeued meanwhile (the file changed) is dropped.
            if (this.queue.markDone(t.photo.id, stage.name, t.queuedAt, now)) r.commit?.();
            finished++;
          } else {
            const attempt = t.attempts + 1;
            const retryAt = attempt < this.maxAttempts ? now + this.backoffMs(attempt) : null;
            this.queue.markAttemptFailed(t.photo.id, stage.name, t.queuedAt, r.error, retryAt, now);
            if (retryAt === null) {
              this.queue.failDependents(t.photo.id, this.dependents.get(stage.name)!, `not run: the ${stage.name} stage failed`, now);
              finished++;
              failedForGood++;
            }
          }
        });
        writeFault('catalog');
      })();
    } catch (e) {
      // SQLITE_FULL: the transaction rolled back whole, so no task moved and no attempt counted.
      if (isDiskFull(e)) {
        this.noteDiskFull(e);
        return;
      }
      // SQLITE_CORRUPT: the same, and the engine stops writing.
      if (this.catalogDamage(e)) return;
      throw e;
    } finally {
      for (const t of tasks) flight.delete(t.photo.id);
      this.batchesInFlight.set(stage.name, this.batchesInFlight.get(stage.name)! - 1);
    }
    this.meters.get(stage.name)!.complete(finished, failedForGood);
    // A failure here may have failed later stages' tasks too: every stage's count can move.
    this.refreshRemaining();
    this.emit();
  }
}
