// What a pipeline stage is: a named, prioritised batch handler whose results commit with its task.
import type { PhotoRow } from '../catalog/catalog.ts';

/** The outcome for one photo. `commit` runs inside the transaction that marks the task done. */
export type ItemResult = { ok: true; commit?: () => void } | { ok: false; error: string };

export interface StageContext {
  signal: AbortSignal;
}

export interface Stage {
  readonly name: string;
  /** Lower runs first: embeddings before captions, so search works before captions finish. */
  readonly priority: number;
  /** Photos handed to one runBatch call. */
  readonly batchSize: number;
  /** Batches of this stage allowed in flight at once. */
  readonly concurrency: number;
  /** Stages that must be done for a photo before this one runs; their failure fails this one. */
  readonly requires?: readonly string[];
  /**
   * Why the stage cannot run now (no model installed…), or null when it can. An unavailable
   * stage's tasks wait, untouched, and do not keep `index` from finishing.
   */
  unavailable?(): string | null;
  /**
   * Backpressure: true while the stage should not start another batch because the stages that
   * consume its output are behind. Ignored when none of those can run.
   */
  blocked?(): boolean;
  /** Processes a batch. One photo's failure is its ItemResult, never a throw. */
  runBatch(photos: readonly PhotoRow[], ctx: StageContext): Promise<ItemResult[]>;
}
