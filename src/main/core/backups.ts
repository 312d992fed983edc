// The engine's backups of its catalog while it runs ([Note: catalog backups] in catalog/backup.ts): one
// at a time, one after work when the user's data changed, and at least one a day (an hourly timer this
// owns). None once the full check found damage ([Note: catalog damage]): a damaged catalog is not copied.
import type { Db } from './catalog/db.ts';
import { EMPTY_USER_DATA_STAMP, backupCatalog, clearPartialBackups, listBackups, userDataStamp, type BackupInfo, type BackupReason, type BackupStats } from './catalog/backup.ts';
import type { CatalogDamagedError } from './catalog/integrity.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type BackupRun = BackupInfo & { stats: BackupStats };

export class Backups {
  /** The backup in progress (one at a time). */
  private running: Promise<BackupRun> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  /** Clears the partial copies a killed backup left in `dir`. */
  constructor(
    private readonly db: Db,
    private readonly dir: string,
    private readonly nativeBinding: string | undefined,
    /** The damage the full check found, if any. */
    private readonly damage: () => CatalogDamagedError | null,
  ) {
    clearPartialBackups(dir);
  }

  /** Backs the catalog up now (in ~25 ms steps, checked, then the retention rule); one at a time. */
  backup(reason: BackupReason = 'manual'): Promise<BackupRun> {
    const damage = this.damage();
    if (damage) return Promise.reject(damage);
    if (this.running) return this.running;
    const run = backupCatalog(this.db, this.dir, { reason, nativeBinding: this.nativeBinding }).finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  /** The kept backups, newest first. */
  list(): BackupInfo[] {
    return listBackups(this.dir);
  }

  /** A backup when the user's data changed since the newest one (or there is none); null when none was due. */
  async ifChanged(reason: BackupReason): Promise<BackupRun | null> {
    if (this.stopped || this.damage()) return null;
    const newest = this.list()[0];
    if (newest && newest.userDataStamp === userDataStamp(this.db)) return null;
    // A library with no user data yet has nothing to lose.
    if (!newest && userDataStamp(this.db) === EMPTY_USER_DATA_STAMP) return null;
    return this.backup(reason);
  }

  /** Backs up at least daily while the engine runs (checked hourly; the timer keeps no process alive). */
  startDaily(): void {
    if (this.timer) return;
    const due = () => {
      const newest = this.list()[0];
      if (!newest || Date.now() - Date.parse(newest.createdAt) >= DAY_MS) {
        void (newest ? this.backup('daily') : this.ifChanged('daily')).catch(() => undefined);
      }
    };
    this.timer = setInterval(due, HOUR_MS);
    this.timer.unref();
    due();
  }

  /** The engine is closing: no timer, no backup after work. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Resolves once the backup in flight, if any, has finished (its steps are short; the copy must not lose its source). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
