// The durable task queue: rows of (photo, stage) in SQLite. The pipeline is its only consumer.
import { statementCache, type Db, type Statement } from './db.ts';
import type { PhotoRow } from './rows.ts';
import type { FailedPhoto, StageCounts } from '../../../shared/types.ts';

export interface ReadyTask {
  photo: PhotoRow;
  attempts: number;
  /** When the task was (re)queued: a result is kept only if the task was not requeued meanwhile. */
  queuedAt: number;
}

/** SQL that keeps only tasks whose photo has every required stage done. */
function requiresClause(requires: readonly string[]): string {
  if (requires.length === 0) return '';
  return `AND NOT EXISTS (SELECT 1 FROM tasks d WHERE d.photo_id = t.photo_id AND d.state != 'done' AND d.stage IN (${requires.map(() => '?').join(', ')}))`;
}

export class TaskQueue {
  /** A prepared statement, cached by its SQL text. */
  private readonly sql: (text: string) => Statement;

  constructor(readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** A new or changed photo: every stage pending again from scratch (the row is made if missing). */
  enqueueAll(photoId: number, stages: readonly string[], now: number): void {
    const stmt = this.sql(
      `INSERT INTO tasks (photo_id, stage, state, attempts, next_at, error, created_at, updated_at)
       VALUES (?, ?, 'pending', 0, 0, NULL, ?, ?)
       ON CONFLICT (photo_id, stage) DO UPDATE SET state = 'pending', attempts = 0, next_at = 0, error = NULL, created_at = excluded.created_at, updated_at = excluded.updated_at`,
    );
    for (const stage of stages) stmt.run(photoId, stage, now, now);
  }

  /**
   * Up to `limit` tasks of a stage that are due, newest first, skipping photos that are missing,
   * offline, or already in flight.
   */
  ready(stage: string, limit: number, now: number, inFlight: ReadonlySet<number>, requires: readonly string[] = []): ReadyTask[] {
    const rows = this.db
      .prepare(
        `SELECT p.*, t.attempts AS task_attempts, t.created_at AS task_queued_at
         FROM tasks t JOIN photos p ON p.id = t.photo_id JOIN folders f ON f.id = p.folder_id
         WHERE t.stage = ? AND t.state = 'pending' AND t.next_at <= ? AND p.missing_since IS NULL AND f.online = 1
           ${requiresClause(requires)}
         ORDER BY t.created_at DESC, p.mtime_ms DESC, p.id DESC
         LIMIT ?`,
      )
      .all(stage, now, ...requires, limit + inFlight.size) as (PhotoRow & { task_attempts: number; task_queued_at: number })[];
    const out: ReadyTask[] = [];
    for (const r of rows) {
      if (inFlight.has(r.id)) continue;
      const { task_attempts, task_queued_at, ...photo } = r;
      out.push({ photo, attempts: task_attempts, queuedAt: task_queued_at });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The earliest time a pending task of a stage becomes due, or null when none is pending. */
  nextDue(stage: string, requires: readonly string[] = []): number | null {
    const v = this.db
      .prepare(
        `SELECT MIN(t.next_at) FROM tasks t JOIN photos p ON p.id = t.photo_id JOIN folders f ON f.id = p.folder_id
         WHERE t.stage = ? AND t.state = 'pending' AND p.missing_since IS NULL AND f.online = 1 ${requiresClause(requires)}`,
      )
      .pluck()
      .get(stage, ...requires) as number | null;
    return v ?? null;
  }

  /** A photo's stage failed for good: the stages that need it fail too, saying why. */
  failDependents(photoId: number, stages: readonly string[], reason: string, now: number): void {
    if (stages.length === 0) return;
    this.db
      .prepare(
        `UPDATE tasks SET state = 'failed', error = ?, updated_at = ? WHERE photo_id = ? AND state = 'pending' AND stage IN (${stages.map(() => '?').join(', ')})`,
      )
      .run(reason, now, photoId, ...stages);
  }

  /** Requeues every task of the given stages (a model change). */
  requeueStage(stages: readonly string[], now = Date.now()): number {
    if (stages.length === 0) return 0;
    return this.db
      .prepare(
        `UPDATE tasks SET state = 'pending', attempts = 0, next_at = 0, error = NULL, created_at = ?, updated_at = ? WHERE stage IN (${stages.map(() => '?').join(', ')})`,
      )
      .run(now, now, ...stages).changes;
  }

  /** Gives every photo a task for each stage it lacks (a stage added by an update); returns how many. */
  ensureTasks(stages: readonly string[], now = Date.now()): number {
    let added = 0;
    for (const stage of stages) {
      added += this.db
        .prepare(
          `INSERT INTO tasks (photo_id, stage, state, attempts, next_at, error, created_at, updated_at)
           SELECT id, ?, 'pending', 0, 0, NULL, ?, ? FROM photos WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.photo_id = photos.id AND t.stage = ?)`,
        )
        .run(stage, now, now, stage).changes;
    }
    return added;
  }

  /** Queues stages of some photos again (a user edit, a recheck): one statement per stage, whatever the number of photos. */
  requeuePhotos(photoIds: readonly number[], stages: readonly string[], now = Date.now()): number {
    if (photoIds.length === 0) return 0;
    const st = this.sql(
      `UPDATE tasks SET state = 'pending', attempts = 0, next_at = 0, error = NULL, created_at = ?, updated_at = ?
       WHERE stage = ? AND photo_id IN (SELECT value FROM json_each(?))`,
    );
    const ids = JSON.stringify(photoIds);
    let n = 0;
    for (const stage of stages) n += st.run(now, now, stage, ids).changes;
    return n;
  }

  /** Pending tasks of a stage that can run (their photo is present and online). */
  pendingCount(stage: string): number {
    return this.db
      .prepare(
        `SELECT COUNT(*) FROM tasks t JOIN photos p ON p.id = t.photo_id JOIN folders f ON f.id = p.folder_id
         WHERE t.stage = ? AND t.state = 'pending' AND p.missing_since IS NULL AND f.online = 1`,
      )
      .pluck()
      .get(stage) as number;
  }

  /** When a photo's task was last queued, or undefined when it has none. */
  queuedAt(photoId: number, stage: string): number | undefined {
    return this.db.prepare('SELECT created_at FROM tasks WHERE photo_id = ? AND stage = ?').pluck().get(photoId, stage) as number | undefined;
  }

  /** Marks a task done unless it was requeued since `queuedAt`; false when the result is stale. */
  markDone(photoId: number, stage: string, queuedAt: number, now: number): boolean {
    return (
      this.db
        .prepare(
          "UPDATE tasks SET state = 'done', error = NULL, attempts = attempts + 1, updated_at = ? WHERE photo_id = ? AND stage = ? AND state = 'pending' AND created_at = ?",
        )
        .run(now, photoId, stage, queuedAt).changes === 1
    );
  }

  /** Records a failed attempt: back to pending after `retryAt`, or failed for good when null. */
  markAttemptFailed(photoId: number, stage: string, queuedAt: number, error: string, retryAt: number | null, now: number): void {
    this.db
      .prepare(
        `UPDATE tasks SET state = ?, attempts = attempts + 1, next_at = ?, error = ?, updated_at = ?
         WHERE photo_id = ? AND stage = ? AND state = 'pending' AND created_at = ?`,
      )
      .run(retryAt === null ? 'failed' : 'pending', retryAt ?? 0, error, now, photoId, stage, queuedAt);
  }

  /** Puts failed tasks back in the queue (all, or one stage's). */
  /** How many photos have a failed task (in `stage`, or in any). */
  failedPhotoCount(stage?: string): number {
    const sql = `SELECT COUNT(DISTINCT photo_id) FROM tasks WHERE state = 'failed'${stage ? ' AND stage = ?' : ''}`;
    return (stage ? this.db.prepare(sql).pluck().get(stage) : this.db.prepare(sql).pluck().get()) as number;
  }

  retryFailed(stage?: string, now = Date.now()): number {
    const sql = `UPDATE tasks SET state = 'pending', attempts = 0, next_at = 0, updated_at = ? WHERE state = 'failed'${stage ? ' AND stage = ?' : ''}`;
    return (stage ? this.db.prepare(sql).run(now, stage) : this.db.prepare(sql).run(now)).changes;
  }

  counts(stages: readonly string[]): StageCounts[] {
    const rows = this.db
      .prepare("SELECT stage, SUM(state = 'done') AS done, SUM(state = 'pending') AS pending, SUM(state = 'failed') AS failed FROM tasks GROUP BY stage")
      .all() as StageCounts[];
    const by = new Map(rows.map((r) => [r.stage, r]));
    return stages.map((stage) => ({ stage, done: by.get(stage)?.done ?? 0, pending: by.get(stage)?.pending ?? 0, failed: by.get(stage)?.failed ?? 0 }));
  }

  /** Failed tasks with their reasons; a stage skipped because an earlier one failed is not repeated. */
  failed(limit = 1000): FailedPhoto[] {
    return this.db
      .prepare(
        `SELECT p.id, p.path, t.stage, COALESCE(t.error, 'unknown error') AS error, t.attempts
         FROM tasks t JOIN photos p ON p.id = t.photo_id
         WHERE t.state = 'failed' AND COALESCE(t.error, '') NOT LIKE 'not run:%'
         ORDER BY p.path, t.stage LIMIT ?`,
      )
      .all(limit) as FailedPhoto[];
  }
}
