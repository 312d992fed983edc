// The CLI's progress line on stderr: stage, bar, done/total, rate and ETA.
import type { StageProgress } from '../../shared/types.ts';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

export function progressLine(p: StageProgress, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const failed = p.failed ? `  ${p.failed} failed` : '';
  return `${p.stage.padEnd(8)} ${bar} ${p.done}/${p.total}  ${formatRate(p.rate)}/s  ETA ${formatDuration(p.etaSeconds)}${failed}`;
}

/** Redraws one line in place on a terminal; elsewhere prints a line every few seconds. */
export class ProgressBar {
  private last = 0;
  private lastLine = '';
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  update(line: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    const interval = this.tty ? 100 : 2000;
    if (!force && now - this.last < interval) return;
    if (line === this.lastLine && !force) return;
    this.last = now;
    this.lastLine = line;
    if (this.tty) {
      const cols = this.out.columns || 100;
      this.out.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
      this.drawn = true;
    } else {
      this.out.write(line + '\n');
    }
  }

  /** Ends the current line, leaving its last state visible. */
  done(line?: string): void {
    if (!this.enabled) return;
    if (line !== undefined && line !== this.lastLine) this.update(line, true);
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
    this.lastLine = '';
  }
}
