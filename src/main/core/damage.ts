// Damage found after open ([Note: catalog damage] in catalog/integrity.ts): the whole quick_check runs off
// the main thread once the engine works (index, watch); on damage the engine stops writing (indexing
// pauses, the batches in flight stop, the connection becomes query_only) and its listeners are told.
import type { Db } from './catalog/db.ts';
import { CatalogDamagedError, quickCheckOffThread, type RunningCheck } from './catalog/integrity.ts';
import type { Pipeline } from './pipeline/pipeline.ts';

export class DamageWatch {
  private check: RunningCheck | null = null;
  private stopped = false;
  /** Set when the full check found damage: the engine then writes nothing more. */
  damage: CatalogDamagedError | null = null;
  private listeners = new Set<(e: CatalogDamagedError) => void>();

  constructor(
    private readonly file: string,
    private readonly nativeBinding: string | undefined,
    private readonly db: Db,
    private readonly pipeline: Pick<Pipeline, 'pause' | 'cancel'>,
  ) {}

  /** Listens for damage found after open (the full check); returns the unsubscriber. */
  onDamage(listener: (e: CatalogDamagedError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the full check, once; on damage the engine stops writing. */
  checkInBackground(): void {
    if (this.check || this.stopped) return;
    const check = quickCheckOffThread(this.file, 'live', this.nativeBinding);
    this.check = check;
    check.result
      .then((r) => {
        if (this.stopped || r.problems.length === 0) return;
        this.stopWriting(new CatalogDamagedError(this.file, `the integrity check failed: ${r.problems.slice(0, 3).join('; ')}`));
      })
      .catch(() => undefined);
  }

  private stopWriting(e: CatalogDamagedError): void {
    if (this.damage) return;
    this.damage = e;
    this.pipeline.pause();
    void this.pipeline.cancel().finally(() => this.db.pragma('query_only = ON'));
    for (const l of this.listeners) l(e);
  }

  /** The engine is closing: the check stops and its result is ignored. */
  stop(): void {
    this.stopped = true;
    this.check?.stop();
  }
}
