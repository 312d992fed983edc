// Resolving duplicate groups: the photos kept stay, the others go to the trash (never deleted), the keeper gains
// their user data; and undo, while the files are in the trash.
//
// [Note: resolving duplicates]
// A resolution is one user action: one group (`resolve`), or every exact group at once (`resolveAllExact`, one
// resolution, so one undo). The group is recomputed first and must still be as the caller saw it; `keep` must be
// photos of it. Then, in this order, each step durable before the next:
//   1. One transaction records the intent and makes the merge: the resolution ('pending'), per group the keeper's
//      user data before and after (the undo log's JSON of caption, tags, place: catalog/edit-log.ts, and its
//      position), and per photo put away a 'moving' row with its file as catalogued (path, size, fingerprint); those
//      photos are marked missing, which hides them from the grid, search and duplicate groups. The keeper (the first
//      photo kept) gains, as the user's data: the union of the put-away photos' visible user tags; the first of their
//      user captions when it has none; the first of their GPS positions when it has none; the first of their
//      hand-set places when it has none. Its XMP sidecar is queued (written by the xmp stage when sidecars are on;
//      the photo file itself is never written).
//   2. Each file goes to the trash, checked first against its size and fingerprint (Trash.put's expectation): a file
//      that changed since it was read is refused and left.
//   3. One transaction per file records what happened: 'trashed' with the trash's record, or 'kept' (refused: the
//      photo is present again, with the merge kept, since it only copied the user's data). A group none of whose
//      photos went has its merge undone; a resolution none of whose photos went is 'failed'; else 'done'.
// A kill leaves a 'pending' resolution; `recover` (on the next open, before anything else the resolver does)
// settles each 'moving' row by looking at the path: the file still there with its content → 'kept' (not put away,
// present again); nothing there → 'trashed' (the trash took it: a move is whole or not at all, [Note: safe move]),
// with a record made from the row (no location: restore finds it by path, size and SHA-256); something else there →
// 'kept'. Then the resolution finishes as in step 3.
//
// Undo (`undo`), while the resolution is younger than UNDO_DAYS: each 'trashed' file comes back (Trash.restore), or
// counts as back when its content is at its path already (put back by hand); one per transaction, so a kill leaves
// it to be undone again from where it stopped. One that cannot come back (gone from the trash, its path taken) is
// 'unrestored' and reported; its photo stays missing, and the purge deletes it. Then each group whose photos all came
// back has its keeper's merge undone: each part (caption, user tags, place, position) still as the merge left it
// goes back to what it was before; a part edited since is left as it is now, and said. A group with a photo that
// did not come back keeps its merge (that photo's data lives on only there).
//
// Put-away photos' rows (their captions, tags, embeddings, text) stay, missing, while the resolution can be undone:
// the scanner's purge leaves them (Resolutions.protectedIds). After UNDO_DAYS the resolution is final and the purge
// deletes them as any missing photo. The generic undo (the window's Ctrl+Z, `shoebox undo`) does not undo a
// resolution: while one is newer than the last edit it refuses and points here (annotate/edits.ts).
import fs from 'node:fs';
import type { DuplicateGroup, DuplicateKind } from '../../../shared/types.ts';
import type { ResolutionInfo, ResolvedGroup, ResolvedPhoto, ResolveFailure, ResolveMerge, ResolveResult, UndoResolveResult } from '../../../shared/contract.ts';
import type { Db } from '../catalog/db.ts';
import type { EditLog } from '../catalog/edit-log.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import { placeIdOf, placeLabel } from '../catalog/places.ts';
import { KEEPER_PARTS, Resolutions, UNDO_MS, type KeeperState, type Position, type PutAwayRow, type ResolutionGroupRow } from '../catalog/resolutions.ts';
import { sha256File } from '../hash.ts';
import { TrashError, type Trash, type TrashedFile } from '../trash/trash.ts';

/** A resolution that cannot be made or undone as asked: the message says why. */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  constructor(
    readonly code: 'invalid-argument' | 'not-found',
    message: string,
  ) {
    super(message);
  }
}

export interface ResolverDeps {
  db: Db;
  queue: TaskQueue;
  log: EditLog;
  /** The stage names of the library (the places stage is queued for a keeper that gained a position). */
  stages: () => readonly string[];
  /** The library's duplicate groups of a kind, computed now. */
  groups: (kind: DuplicateKind) => DuplicateGroup[];
  /** The trash files go to; throws when the front door gave none. */
  trash: () => Trash;
}

/** Where a test stops the resolver as a kill would: after the intent, after a file moved, after it was recorded. */
export type CrashPoint = 'intent' | 'moved' | 'recorded';
let crashAt: CrashPoint | null = null;
/** Arms a crash point (tests only): the resolver throws SimulatedKill there and writes nothing more. */
export function injectResolveCrash(point: CrashPoint | null): void {
  crashAt = point;
}
export class SimulatedKill extends Error {
  override readonly name = 'SimulatedKill';
}
function crashPoint(p: CrashPoint): void {
  if (crashAt === p) {
    crashAt = null;
    throw new SimulatedKill(`killed at ${p}`);
  }
}

interface Plan {
  group: DuplicateGroup;
  keep: number[];
}

export class Resolver {
  readonly store: Resolutions;
  /** One resolver operation at a time (recover, resolve, undo), in the order asked. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ResolverDeps) {
    this.store = new Resolutions(deps.db);
  }

  /** Resolves once no operation is running or waiting (close waits for it). */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  // ── resolving ──────────────────────────────────────────────────────────

  /**
   * Keeps `keep` of group `groupId` (the first gains the others' user data) and puts the others in the trash.
   * `seen`, when given, is the group's photos as the caller was shown them: a group that changed since is refused.
   */
  resolve(groupId: string, keep: readonly number[], seen?: readonly number[]): Promise<ResolveResult> {
    return this.serial(async () => {
      await this.recoverNow();
      const kind = kindOf(groupId);
      const group = this.deps.groups(kind).find((g) => g.id === groupId);
      if (!group) throw new ResolveError('not-found', `no duplicate group ${groupId} now: its photos changed, or it was resolved (list the groups again)`);
      const ids = group.photos.map((p) => p.id);
      if (seen && !sameSet(seen, ids)) {
        throw new ResolveError('invalid-argument', `group ${groupId} changed since it was shown: it now holds photos ${ids.join(', ')} (list the groups again)`);
      }
      const kept = [...new Set(keep)];
      if (kept.length === 0) throw new ResolveError('invalid-argument', 'name at least one photo of the group to keep');
      const stray = kept.filter((id) => !ids.includes(id));
      if (stray.length) throw new ResolveError('invalid-argument', `photo${stray.length === 1 ? '' : 's'} ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} not in group ${groupId} (its photos: ${ids.join(', ')})`);
      if (kept.length === ids.length) throw new ResolveError('invalid-argument', `keeping every photo of group ${groupId} puts nothing away`);
      return this.run([{ group, keep: kept }]);
    });
  }

  /** Every exact group with its suggested keeper, in one resolution. */
  resolveAllExact(): Promise<ResolveResult> {
    return this.serial(async () => {
      await this.recoverNow();
      const plans = this.deps.groups('exact').map((group) => ({ group, keep: [group.keeper] }));
      return this.run(plans);
    });
  }

  private async run(plans: Plan[]): Promise<ResolveResult> {
    const empty: ResolveResult = { resolution: null, groups: [], putAway: [], failed: [], bytesFreed: 0, summary: 'No duplicates to resolve' };
    if (plans.length === 0) return empty;
    const trash = this.deps.trash();
    const { db, log, queue } = this.deps;
    const store = this.store;
    const failed = new Map<number, ResolveFailure>();

    // 1. The intent and the merge, in one transaction.
    const resolution = db
      .transaction((): number | null => {
        const now = Date.now();
        // What each put-away photo is catalogued as, checked now (a photo with files of its own stays: its RAW or video would be left behind).
        const toGo = plans.map(({ group, keep }) =>
          group.photos
            .filter((p) => !keep.includes(p.id))
            .flatMap((p) => {
              const f = store.file(p.id);
              const fail = (reason: string) => (failed.set(p.id, { id: p.id, path: f?.path ?? p.path, reason }), []);
              if (!f || f.missing) return fail('no longer in the library');
              if (!f.fingerprint) return fail('never read whole (no fingerprint): scan it again first');
              if (f.companions > 0) return fail('has files of its own (a RAW or a video): put it away by hand');
              return [{ id: p.id, path: f.path, size: f.size, fingerprint: f.fingerprint }];
            }),
        );
        if (toGo.every((g) => g.length === 0)) return null;
        const id = store.create('', now);
        plans.forEach(({ group, keep }, i) => {
          const going = toGo[i]!;
          if (going.length === 0) return;
          const keeper = keep[0]!;
          const before = store.keeperState(log, keeper);
          const merged = this.merge(keeper, going.map((g) => g.id), before, now);
          const after = store.keeperState(log, keeper);
          store.addGroup({ resolutionId: id, groupId: group.id, kind: group.kind, keeper, kept: keep, before, after, merged });
          for (const g of going) store.addPutAway({ resolutionId: id, photoId: g.id, groupId: group.id, path: g.path, size: g.size, fingerprint: g.fingerprint });
          store.markMissing(going.map((g) => g.id), now);
          queue.requeuePhotos([keeper], ['xmp'], now);
        });
        return id;
      })
      .immediate();
    if (resolution === null) return { ...empty, failed: [...failed.values()], summary: 'Nothing put away: ' + [...failed.values()].map((f) => `${f.path}: ${f.reason}`).join('; ') };
    crashPoint('intent');

    // 2-3. Each file to the trash, and what happened recorded.
    for (const row of store.putAway(resolution)) {
      let outcome: Settled;
      try {
        const item = await trash.put(row.path, { size: row.size, fingerprint: row.fingerprint });
        crashPoint('moved');
        outcome = { state: 'trashed', trashed: item, error: null };
      } catch (e) {
        if (e instanceof SimulatedKill) throw e;
        outcome = await settleFailedPut(row, e);
      }
      db.transaction(() => this.record(resolution, row, outcome))();
      if (outcome.state === 'kept') failed.set(row.photoId, { id: row.photoId, path: row.path, reason: outcome.error ?? 'left where it is' });
      crashPoint('recorded');
    }
    db.transaction(() => this.finish(resolution))();
    return this.describe(resolution, [...failed.values()]);
  }

  /** What `put` failing means for the file: refused and still there (kept), gone before it was asked (kept, missing), or unknown: look. */
  private record(resolution: number, row: PutAwayRow, outcome: Settled): void {
    this.store.setPutAway(resolution, row.photoId, outcome.state, outcome.trashed, outcome.error);
    if (outcome.state === 'kept' && outcome.present) this.store.markPresent(row.photoId, null);
  }

  /** Ends a resolution whose rows are all settled: groups none of whose photos went get their merge undone. */
  private finish(resolution: number): void {
    const rows = this.store.putAway(resolution);
    let any = false;
    for (const g of this.store.groups(resolution)) {
      if (rows.some((r) => r.groupId === g.groupId && r.state === 'trashed')) any = true;
      else this.unmerge(g);
    }
    this.store.setSummary(resolution, summarize(rows));
    this.store.finish(resolution, any ? 'done' : 'failed');
  }

  /** The keeper gains the others' user data where it has none (see the note); returns what it gained. */
  private merge(keeper: number, others: readonly number[], before: KeeperState, now: number): ResolveMerge {
    const store = this.store;
    const has = new Set(store.userTags(keeper).map((t) => t.toLowerCase()));
    const tags: string[] = [];
    for (const o of others) {
      for (const t of store.userTags(o)) {
        if (has.has(t.toLowerCase())) continue;
        has.add(t.toLowerCase());
        tags.push(t);
      }
    }
    const caption = store.userCaption(keeper) === null ? (others.map((o) => store.userCaption(o)).find((c) => c !== null) ?? null) : null;
    const placeRow = store.userPlace(keeper) ? undefined : others.map((o) => store.userPlace(o)).find((p) => p && placeIdOf(p) !== null);
    const place = placeRow
      ? { id: placeIdOf(placeRow)!, city: placeRow.city, cityId: placeRow.city_id, region: placeRow.region, regionCode: placeRow.region_code, country: placeRow.country, countryCode: placeRow.country_code }
      : undefined;
    const edit = { ...(tags.length ? { addTags: tags } : {}), ...(caption !== null ? { caption } : {}), ...(place ? { place } : {}) };
    if (Object.keys(edit).length) this.deps.log.apply([keeper], edit, now);
    let gps: Position | null = null;
    if (before.gps === null) {
      gps = others.map((o) => store.gps(o)).find((p) => p !== null) ?? null;
      if (gps) {
        store.setGps(keeper, gps, now);
        if (this.deps.stages().includes('places')) this.deps.queue.requeuePhotos([keeper], ['places'], now);
      }
    }
    return { tags, caption, gps, place: place ? placeLabel(place) : null };
  }

  /**
   * Undoes a group's merge on its keeper: each part still as the merge left it goes back to what it was; a part
   * changed since is left, and named in the returned list.
   */
  private unmerge(g: ResolutionGroupRow): string[] {
    const store = this.store;
    const now = store.keeperState(this.deps.log, g.keeper);
    const back: Partial<KeeperState['parts']> = {};
    const left: string[] = [];
    for (const part of KEEPER_PARTS) {
      if (samePart(part, now.parts[part], g.after.parts[part])) (back as Record<string, unknown>)[part] = g.before.parts[part];
      else if (!samePart(part, g.before.parts[part], g.after.parts[part])) left.push(`photo ${g.keeper}'s ${part === 'tags' ? 'tags were' : `${part} was`} edited since: left as it is`);
    }
    store.restoreKeeper(this.deps.log, g.keeper, back);
    if (!samePosition(g.before.gps, g.after.gps)) {
      if (samePosition(now.gps, g.after.gps)) {
        store.setGps(g.keeper, g.before.gps);
        if (this.deps.stages().includes('places')) this.deps.queue.requeuePhotos([g.keeper], ['places']);
      } else left.push(`photo ${g.keeper}'s position changed since: left as it is`);
    }
    this.deps.queue.requeuePhotos([g.keeper], ['xmp']);
    return left;
  }

  // ── recovery after a kill ──────────────────────────────────────────────

  /** Settles what a kill left part way (see the note); returns how many resolutions it settled. */
  recover(): Promise<number> {
    return this.serial(() => this.recoverNow());
  }

  private async recoverNow(): Promise<number> {
    const pending = this.store.pending();
    for (const r of pending) {
      for (const row of this.store.putAway(r.id)) {
        if (row.state !== 'moving') continue;
        const outcome = await look(row, r.createdAt);
        this.deps.db.transaction(() => this.record(r.id, row, outcome))();
      }
      this.deps.db.transaction(() => this.finish(r.id))();
    }
    return pending.length;
  }

  // ── undo ───────────────────────────────────────────────────────────────

  /** Undoes a resolution (the newest undoable one when none is named) while its files are in the trash. */
  undo(resolutionId?: number): Promise<UndoResolveResult> {
    return this.serial(async () => {
      await this.recoverNow();
      const r = resolutionId === undefined ? this.store.newestUndoable() : this.store.get(resolutionId);
      if (!r) throw new ResolveError('not-found', resolutionId === undefined ? 'no resolution to undo' : `no resolution ${resolutionId}`);
      if (r.state === 'undone') throw new ResolveError('invalid-argument', `resolution ${r.id} was undone already`);
      if (r.state === 'failed') throw new ResolveError('invalid-argument', `resolution ${r.id} put nothing away: nothing to undo`);
      if (r.createdAt <= Date.now() - UNDO_MS) throw new ResolveError('invalid-argument', `resolution ${r.id} is older than ${UNDO_MS / 86_400_000} days and final: put its files back from the trash by hand (Shoebox adds them as new photos)`);
      const trash = this.deps.trash();
      const restored: ResolvedPhoto[] = [];
      const notRestored: ResolveFailure[] = [];
      for (const row of this.store.putAway(r.id)) {
        if (row.state === 'restored') restored.push({ id: row.photoId, path: row.path, size: row.size });
        if (row.state === 'unrestored') notRestored.push({ id: row.photoId, path: row.path, reason: row.error ?? 'could not come back' });
        if (row.state !== 'trashed') continue;
        const item = (row.trashed ?? synthetic(row, r.createdAt)) as TrashedFile;
        let error: string | null = null;
        if (!(await sameContent(row.path, row))) {
          try {
            await trash.restore(item);
          } catch (e) {
            if (!(e instanceof TrashError)) throw e;
            error = e.message;
          }
        }
        const mtime = error === null ? mtimeOf(row.path) : null;
        this.deps.db.transaction(() => {
          this.store.setPutAway(r.id, row.photoId, error === null ? 'restored' : 'unrestored', null, error);
          if (error === null) this.store.markPresent(row.photoId, mtime);
        })();
        if (error === null) restored.push({ id: row.photoId, path: row.path, size: row.size });
        else notRestored.push({ id: row.photoId, path: row.path, reason: error });
      }
      const left: string[] = [];
      const keepersRestored: number[] = [];
      this.deps.db
        .transaction(() => {
          const rows = this.store.putAway(r.id);
          for (const g of this.store.groups(r.id)) {
            const mine = rows.filter((x) => x.groupId === g.groupId);
            if (mine.some((x) => x.state === 'unrestored')) {
              left.push(`photo ${g.keeper} keeps what it gained from group ${g.groupId}: a photo of it could not come back`);
              continue;
            }
            left.push(...this.unmerge(g));
            keepersRestored.push(g.keeper);
          }
          this.store.markUndone(r.id);
        })
        .immediate();
      const summary = [`Put back ${photos(restored.length)}`, notRestored.length ? `${photos(notRestored.length)} could not come back` : '', ...left].filter(Boolean).join('; ');
      return { resolution: r.id, restored, notRestored, keepersRestored, left, summary };
    });
  }

  // ── history ────────────────────────────────────────────────────────────

  history(): ResolutionInfo[] {
    const now = Date.now();
    return this.store.list().map((r) => {
      const rows = this.store.putAway(r.id);
      const final = (r.state === 'done' || r.state === 'pending') && r.createdAt <= now - UNDO_MS;
      const undoable = r.state === 'done' && !final;
      return {
        id: r.id,
        summary: r.summary,
        state: final ? 'final' : r.state,
        createdAt: new Date(r.createdAt).toISOString(),
        undoneAt: r.undoneAt === null ? null : new Date(r.undoneAt).toISOString(),
        undoable,
        undoUntil: undoable ? new Date(r.createdAt + UNDO_MS).toISOString() : null,
        groups: this.store.groups(r.id).map((g) => ({
          group: g.groupId,
          kind: g.kind as DuplicateKind,
          keeper: { id: g.keeper, path: this.store.file(g.keeper)?.path ?? null },
          kept: g.kept,
          merged: g.merged as ResolveMerge,
          photos: rows.filter((x) => x.groupId === g.groupId).map((x) => ({ id: x.photoId, path: x.path, size: x.size, state: x.state, error: x.error })),
        })),
        bytesFreed: rows.filter((x) => x.state === 'trashed').reduce((n, x) => n + x.size, 0),
      };
    });
  }

  private describe(resolution: number, failed: ResolveFailure[]): ResolveResult {
    const rows = this.store.putAway(resolution);
    const groups: ResolvedGroup[] = this.store.groups(resolution).map((g) => {
      const mine = rows.filter((x) => x.groupId === g.groupId && x.state === 'trashed');
      return {
        group: g.groupId,
        kind: g.kind as DuplicateKind,
        kept: g.kept,
        keeper: g.keeper,
        putAway: mine.map((x) => ({ id: x.photoId, path: x.path, size: x.size })),
        failed: failed.filter((f) => rows.some((x) => x.photoId === f.id && x.groupId === g.groupId)),
        merged: g.merged as ResolveMerge,
        bytesFreed: mine.reduce((n, x) => n + x.size, 0),
      };
    });
    const putAway = groups.flatMap((g) => g.putAway);
    const state = this.store.get(resolution)!.state;
    return {
      resolution: state === 'done' ? resolution : null,
      groups,
      putAway,
      failed,
      bytesFreed: putAway.reduce((n, p) => n + p.size, 0),
      summary: this.store.get(resolution)!.summary,
    };
  }
}

// ── looking at a file ─────────────────────────────────────────────────────

interface Settled {
  state: 'trashed' | 'kept';
  trashed: TrashedFile | null;
  error: string | null;
  /** A kept photo's file is at its path: the photo is present again. */
  present?: boolean;
}

/** A row's file as the trash would have recorded it, for a move a kill left unrecorded (restore finds it by path, size and SHA-256). */
function synthetic(row: PutAwayRow, trashedAt: number): TrashedFile {
  return { original: row.path, size: row.size, fingerprint: row.fingerprint, trashedAt, location: null };
}

async function sameContent(file: string, row: { size: number; fingerprint: string }): Promise<boolean> {
  try {
    const st = await fs.promises.stat(file);
    return st.isFile() && st.size === row.size && (await sha256File(file)) === row.fingerprint;
  } catch {
    return false;
  }
}

function existsAt(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function mtimeOf(file: string): number | null {
  try {
    return Math.trunc(fs.statSync(file).mtimeMs);
  } catch {
    return null;
  }
}

/** What became of a row's file, by looking: at its path with its content → kept; nothing there → the trash has it; else kept. */
async function look(row: PutAwayRow, trashedAt: number, reason?: string): Promise<Settled> {
  if (await sameContent(row.path, row)) return { state: 'kept', trashed: null, error: reason ?? 'still at its path when Shoebox stopped: not put away', present: true };
  if (!existsAt(row.path)) return { state: 'trashed', trashed: synthetic(row, trashedAt), error: null };
  return { state: 'kept', trashed: null, error: reason ?? 'another file is at its path now: not put away', present: true };
}

async function settleFailedPut(row: PutAwayRow, e: unknown): Promise<Settled> {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof TrashError) {
    // Refused before anything moved: the file is where it was (changed, not a file), or was gone already.
    if (e.code === 'not-found') return { state: 'kept', trashed: null, error: message, present: false };
    if (e.code === 'changed' || e.code === 'not-a-file' || e.code === 'not-taken') return { state: 'kept', trashed: null, error: message, present: true };
  }
  return look(row, Date.now(), message);
}

// ── words and small helpers ───────────────────────────────────────────────

function kindOf(groupId: string): DuplicateKind {
  const kind = groupId.split('-')[0];
  if (kind === 'exact' || kind === 'same' || kind === 'similar') return kind;
  throw new ResolveError('invalid-argument', `not a duplicate group: ${JSON.stringify(groupId)} (ids look like 'same-12')`);
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const x = new Set(a);
  return x.size === new Set(b).size && b.every((id) => x.has(id));
}

function samePosition(a: Position | null, b: Position | null): boolean {
  return a === null || b === null ? a === b : a.lat === b.lat && a.lon === b.lon && a.alt === b.alt;
}

/** Two records of a part alike: for tags, the user's rows only (the models' rows change on their own). */
function samePart(part: (typeof KEEPER_PARTS)[number], a: unknown, b: unknown): boolean {
  if (part !== 'tags') return JSON.stringify(a) === JSON.stringify(b);
  const users = (x: unknown) =>
    JSON.stringify(((x ?? []) as { tag: string; source: string; hidden: number }[]).filter((t) => t.source === 'user').map((t) => `${t.tag}\u0000${t.hidden}`).sort());
  return users(a) === users(b);
}

function photos(n: number): string {
  return `${n.toLocaleString('en-US')} photo${n === 1 ? '' : 's'}`;
}

/** Bytes in powers of 1000, in the units the window shows (KB, MB, GB), for the summaries and the CLI. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function summarize(rows: PutAwayRow[]): string {
  const went = rows.filter((r) => r.state === 'trashed');
  const left = rows.filter((r) => r.state === 'kept');
  const groups = new Set(rows.map((r) => r.groupId)).size;
  if (went.length === 0) return `Nothing put away: ${left.map((r) => r.path).join(', ')} left where ${left.length === 1 ? 'it is' : 'they are'}`;
  const bytes = went.reduce((n, r) => n + r.size, 0);
  return [
    `Put ${photos(went.length)} in the trash (${formatBytes(bytes)})${groups > 1 ? ` from ${groups} groups` : ''}`,
    left.length ? `left ${photos(left.length)} where ${left.length === 1 ? 'it is' : 'they are'}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
