// Damage found after open ([Note: catalog damage] in catalog/integrity.ts): the check before any write,
// when the open left it to run off the main thread (the app and `serve`, so that the first search
// does not wait for it), and the whole quick_check once the engine works (index, watch). On damage
// the engine stops writing (indexing pauses, the batches in flight stop, the connection stays or
// becomes query_only) and its listeners are told.
import type { Db } from './catalog/db.ts';
import { asCatalogDamage, CatalogDamagedError, quickCheckOffThread, type RunningCheck } from './catalog/integrity.ts';
import { finishOpen } from './catalog/db.ts';
import type { Pipeline } from './pipeline/pipeline.ts';

export class DamageWatch {
  private check: RunningCheck | null = null;
  private openCheck: RunningCheck | null = null;
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

  /**
   * Runs the check before any write (`pragmas`: `checksOnOpen`'s) off the main thread, on a
   * connection of its own, while this one stays query_only: resolves once it passed and the
   * catalog is writable; rejects with the CatalogDamagedError (the engine then writes nothing).
   */
  async checkBeforeWrites(pragmas: readonly string[], hint: string | undefined): Promise<void> {
    const check = quickCheckOffThread(this.file, 'live', this.nativeBinding, pragmas);
    this.openCheck = check;
    let problems: string[];
    try {
      problems = (await check.result).problems;
    } finally {
      this.openCheck = null;
    }
    if (this.stopped) throw new Error('the library was closed before its catalog check finished');
    if (problems.length === 0) {
      finishOpen(this.db);
      return;
    }
    const e = new CatalogDamagedError(this.file, `the integrity check failed: ${problems.slice(0, 3).join('; ')}`, hint);
    this.stopWriting(e);
    throw e;
  }

  /**
   * An error SQLite raised on a read or a write: damage (SQLITE_CORRUPT, SQLITE_NOTADB) found in the
   * middle of a session stops the engine's writes as the checks' findings do. Returns the error to
   * throw on: the CatalogDamagedError for damage, else `e` unchanged.
   */
  notice(e: unknown): unknown {
    const d = asCatalogDamage(e, this.file);
    if (d instanceof CatalogDamagedError) this.stopWriting(d);
    return d;
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
    this.openCheck?.stop();
  }
}
