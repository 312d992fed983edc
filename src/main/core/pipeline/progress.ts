// Progress of one pipeline stage: done/total, a smoothed rate and an ETA. Every stage's progress figure comes from here (model downloads report their own: models/progress.ts).
import type { StageProgress } from '../../../shared/types.ts';

const WINDOW_MS = 10_000;

export class ProgressMeter {
  private done = 0;
  private failed = 0;
  private remaining = 0;
  /** Completion times within the last window, for the rate. */
  private readonly marks: { t: number; n: number }[] = [];
  private readonly started: number;

  constructor(
    readonly stage: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.started = clock();
  }

  /** How many tasks are still to do (pending and in flight). */
  setRemaining(n: number): void {
    this.remaining = Math.max(0, n);
  }

  complete(n: number, failed = 0): void {
    if (n <= 0) return;
    this.done += n;
    this.failed += failed;
    this.remaining = Math.max(0, this.remaining - n);
    this.marks.push({ t: this.clock(), n });
  }

  rate(): number {
    const now = this.clock();
    while (this.marks.length > 1 && now - this.marks[0]!.t > WINDOW_MS) this.marks.shift();
    const n = this.marks.reduce((s, m) => s + m.n, 0);
    if (n === 0) return 0;
    // Over the window, or since the start while the run is younger than the window.
    const span = Math.max(now - Math.max(this.started, now - WINDOW_MS), 1);
    return (n * 1000) / span;
  }

  snapshot(): StageProgress {
    const rate = this.rate();
    return {
      stage: this.stage,
      done: this.done,
      total: this.done + this.remaining,
      failed: this.failed,
      rate,
      etaSeconds: this.remaining === 0 ? 0 : rate > 0 ? this.remaining / rate : null,
    };
  }
}
