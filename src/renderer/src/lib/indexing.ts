// The Indexing panel's figures: each stage's counts from status merged with live progress events,
// which stages wait for a model or a setting, and whether everything is indexed.
import type { CatalogState, DiskFullStatus, MlStatus, StageCounts, StageProgress } from '../../../shared/types.ts';

export interface StageRow {
  stage: string;
  /** Tasks done for good (status). */
  done: number;
  pending: number;
  failed: number;
  /** The current run, from progress events; null when the stage is not running. */
  run: { done: number; total: number; rate: number; etaSeconds: number | null } | null;
  /** Why its pending tasks wait (no model, a setting off), or null when they do not. */
  waiting: string | null;
}

/** Why a stage's tasks wait without running, judged from the models and settings in status. */
export function waitingReason(stage: string, ml: MlStatus | null): string | null {
  if (!ml) return null;
  const clip = ml.clipInstalled ? null : `waits for the search model${ml.clipModel ? ` (${ml.clipModel})` : ''}`;
  switch (stage) {
    case 'embed':
    case 'tags':
      return clip;
    case 'caption':
      if (!ml.captionsOn) return 'captions are off';
      if (!ml.captionInstalled) return `waits for the caption model${ml.captionModel ? ` (${ml.captionModel})` : ''}`;
      return clip;
    case 'xmp':
      return ml.xmp ? null : 'XMP sidecars are off';
    default:
      return null;
  }
}

/**
 * The engine's reason a stage waits, for the window: without the command-line instructions it
 * carries for `shoebox status` ("(shoebox settings set xmp on)", "Download it with `shoebox …`").
 */
export function withoutCommands(reason: string): string {
  return reason
    .replace(/\s*\((?:run )?`?shoebox [^)]*\)/g, '')
    .replace(/[.;]\s+[^.;]*`shoebox [\s\S]*$/, '')
    .trim();
}

/** One row per stage, in the order status lists them, with any running stage status does not know yet. */
export function stageRows(stages: readonly StageCounts[], progress: readonly StageProgress[], ml: MlStatus | null): StageRow[] {
  const byStage = new Map(progress.map((p) => [p.stage, p]));
  const rows: StageRow[] = stages.map((s) => ({
    stage: s.stage,
    done: s.done,
    pending: s.pending,
    failed: s.failed,
    // The window's own words where it knows the reason, else the engine's (which may know more).
    waiting: s.pending > 0 ? (s.waiting ? (waitingReason(s.stage, ml) ?? withoutCommands(s.waiting)) : waitingReason(s.stage, ml)) : null,
    run: null as StageRow['run'],
  }));
  // A waiting stage has no run, whatever a progress event said before it was turned off.
  for (const r of rows) if (!r.waiting) r.run = runOf(byStage.get(r.stage));
  for (const p of progress) {
    if (stages.some((s) => s.stage === p.stage)) continue;
    rows.push({ stage: p.stage, done: p.done, pending: Math.max(0, p.total - p.done), failed: p.failed, run: runOf(p), waiting: null });
  }
  return rows;
}

function runOf(p: StageProgress | undefined): StageRow['run'] {
  if (!p || p.total <= 0 || p.done >= p.total) return null;
  return { done: p.done, total: p.total, rate: p.rate, etaSeconds: p.etaSeconds };
}

/** Tasks that will run (pending and not waiting for a model or a setting). */
export function activePending(rows: readonly StageRow[]): number {
  return rows.reduce((n, r) => n + (r.waiting ? 0 : r.pending), 0);
}

/** Nothing left to do: no task that can run is pending and no run is in progress. */
export function allIndexed(rows: readonly StageRow[]): boolean {
  return rows.every((r) => r.run === null && (r.pending === 0 || r.waiting !== null));
}

/** A run's share done, 0..1. */
export function fraction(done: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
}

/**
 * What the window says, above every view, when the catalog is damaged: that changes are no longer
 * saved, the engine's words (what is wrong, what to run); null when it is whole.
 */
export function catalogDamageNote(catalog: CatalogState | null | undefined): string | null {
  if (!catalog?.damage) return null;
  const what = catalog.damage.charAt(0).toUpperCase() + catalog.damage.slice(1);
  return `Shoebox has stopped saving changes: your photos stay browsable and searchable, but edits are refused. ${what}`;
}

/**
 * What the Indexing view says when a full disk stopped indexing: the engine's words, capitalised, and
 * that it goes on by itself; null when the disk is not full.
 */
export function diskFullNote(diskFull: DiskFullStatus | null | undefined): string | null {
  if (!diskFull) return null;
  const what = diskFull.message.charAt(0).toUpperCase() + diskFull.message.slice(1);
  return `${what}. Indexing has stopped and goes on by itself once there is space again; what is indexed stays searchable.`;
}
