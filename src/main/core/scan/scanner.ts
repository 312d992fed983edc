// Reconciles the catalog with the disk: new, changed, moved, missing and offline photos.
//
// [Note: moves keep ids] A photo whose file vanished is first marked missing, not deleted. A new
// file whose content fingerprint equals a missing photo's (or one whose file is gone) takes over
// that photo row, keeping its id and everything derived from it. Only after a full scan (or a
// grace period in watch mode) are photos still missing deleted with their derived data.
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog, FolderRow, KnownFile, NewFile } from '../catalog/catalog.ts';
import type { CacheStore } from '../media/cache.ts';
import { Resolutions } from '../catalog/resolutions.ts';
import { fingerprintFile } from '../media/fingerprint.ts';
import { isIgnoredDir, isScannedName, isVideoName } from '../media/formats.ts';
import type { ScanIssue } from '../../../shared/types.ts';
import { walkPhotos, folderAvailable, type FileEntry } from './walk.ts';
import { pairFiles, ShotIndex, shotKey, type Companion, type Pairing } from './pairs.ts';

export interface ScanCounts {
  seen: number;
  added: number;
  changed: number;
  moved: number;
  missing: number;
}

export interface FolderScan extends ScanCounts {
  folder: string;
  online: boolean;
  issues: ScanIssue[];
}

export type IngestOutcome = 'added' | 'changed' | 'moved' | 'unchanged' | 'ignored';

export type ScanProgress = (p: { folder: string; checked: number; hashed: number; toHash: number }) => void;

const HASH_CONCURRENCY = 4;
const WRITE_BATCH = 256;

async function fingerprintOrNull(file: string): Promise<string | null> {
  try {
    return await fingerprintFile(file);
  } catch {
    return null; // unreadable: the thumbnail stage records why on the photo
  }
}

export class Scanner {
  constructor(
    private readonly catalog: Catalog,
    private readonly cache: CacheStore,
  ) {}

  /** Scans every folder, then deletes photos that are still missing (moves have been matched). */
  async scanAll(progress?: ScanProgress): Promise<FolderScan[]> {
    const results: FolderScan[] = [];
    for (const folder of this.catalog.folders()) results.push(await this.scanFolder(folder, progress));
    await this.purgeMissing(Date.now());
    return results;
  }

  /** The watcher's view of which files share a name, per directory it saw events in. */
  private readonly shots = new ShotIndex();

  async scanFolder(folder: FolderRow, progress?: ScanProgress): Promise<FolderScan> {
    this.shots.clear();
    const counts: ScanCounts = { seen: 0, added: 0, changed: 0, moved: 0, missing: 0 };
    const issues: ScanIssue[] = [];
    const avail = await folderAvailable(folder.path);
    // An unplugged drive, or an empty mount point where photos used to be: offline, not deleted.
    if (!avail.ok || (avail.empty && this.catalog.hasPhotos(folder.id))) {
      this.catalog.setFolderOnline(folder.id, false);
      return { folder: folder.path, online: false, issues, ...counts };
    }
    this.catalog.setFolderOnline(folder.id, true);
    const known = this.catalog.knownFiles(folder.id);

    const entries: FileEntry[] = [];
    for await (const batch of walkPhotos(folder.path, issues)) {
      entries.push(...batch);
      progress?.({ folder: folder.path, checked: entries.length, hashed: 0, toHash: 0 });
    }
    // Photos, and the files that belong to one ([Note: file pairs]).
    const pairing = pairFiles(entries);
    this.regroup(pairing, known);
    const seen = new Set<string>();
    const toHash: { entry: FileEntry; id: number | null }[] = [];
    const present: number[] = [];
    for (const entry of pairing.photos) {
      seen.add(entry.path);
      const k = known.get(entry.path);
      if (!k) toHash.push({ entry, id: null });
      else if (k.size !== entry.size || k.mtime_ms !== entry.mtimeMs) toHash.push({ entry, id: k.id });
      else if (k.missing_since !== null) present.push(k.id);
    }
    counts.seen = seen.size;
    this.catalog.db.transaction(() => {
      for (const id of present) this.catalog.markPresent(id);
    })();
    const gone: number[] = [];
    for (const [p, k] of known) if (!seen.has(p) && k.missing_since === null) gone.push(k.id);
    this.catalog.markMissing(gone);
    counts.missing = gone.length;

    // Fingerprint new and changed files, a few at a time, writing in batched transactions.
    let hashed = 0;
    for (let i = 0; i < toHash.length; i += WRITE_BATCH) {
      const slice = toHash.slice(i, i + WRITE_BATCH);
      const fps: (string | null)[] = new Array(slice.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: HASH_CONCURRENCY }, async () => {
          while (next < slice.length) {
            const j = next++;
            fps[j] = await fingerprintOrNull(slice[j]!.entry.path);
            hashed++;
          }
        }),
      );
      const online = this.onlineFolderIds();
      this.catalog.db.transaction(() => {
        slice.forEach(({ entry, id }, j) => {
          const outcome = this.record(folder, entry, id, fps[j]!, online);
          if (outcome === 'added') counts.added++;
          else if (outcome === 'changed') counts.changed++;
          else if (outcome === 'moved') counts.moved++;
        });
      })();
      progress?.({ folder: folder.path, checked: seen.size, hashed, toHash: toHash.length });
    }
    this.catalog.db.transaction(() => {
      this.attach(pairing.companions, this.catalog.companionPathsUnder(folder.path));
      this.catalog.setSkippedVideos(folder.id, pairing.videos.length);
    })();
    this.catalog.replaceScanIssues(folder.id, issues);
    this.catalog.markScanned(folder.id);
    return { folder: folder.path, online: true, issues, ...counts };
  }

  /**
   * Before the photos of a scan are matched: a companion that is a photo row today (a RAW catalogued
   * alone before its JPEG arrived, or by a Shoebox from before pairs) joins its pair. When the pair's
   * face is catalogued already, the RAW's row folds into it (the user's caption and tags move);
   * when the face is new, the RAW's row becomes the face's, so its id and the user's work stay.
   * And a photo that was a companion (the pair's face is gone) takes over its pair's row the same way.
   * `known` is kept in step: a retargeted row looks changed, so the scan fingerprints it.
   */
  private regroup(pairing: Pairing<FileEntry>, known: Map<string, KnownFile>): void {
    const photos = new Set(pairing.photos.map((e) => e.path));
    const retarget = (id: number, file: string, from: string) => {
      this.catalog.retargetPhoto(id, file);
      known.delete(from);
      known.set(file, { id, size: -1, mtime_ms: -1, fingerprint: null, missing_since: null });
    };
    this.catalog.db.transaction(() => {
      for (const c of pairing.companions) {
        const asPhoto = known.get(c.entry.path);
        if (!asPhoto) continue;
        const owner = known.get(c.photo);
        if (owner) {
          this.cache.remove(this.catalog.unusedFingerprints(this.catalog.absorbPhoto(asPhoto.id, owner.id)));
          known.delete(c.entry.path);
        } else {
          retarget(asPhoto.id, c.photo, c.entry.path);
        }
      }
      for (const file of photos) {
        if (known.has(file)) continue;
        const was = this.catalog.companionOwner(file);
        const owner = was && this.catalog.photo(was.photoId);
        // Only when the photo it belonged to lost its own file: a renamed RAW is a new photo of its own.
        if (owner && !photos.has(owner.path) && !fs.existsSync(owner.path)) retarget(owner.id, file, owner.path);
      }
    })();
  }

  /** Records the companions found (after their photos are), and forgets `stale` ones no longer found. Runs in the caller's transaction. */
  private attach(companions: readonly Companion<FileEntry>[], stale: readonly string[]): void {
    const found = new Set<string>();
    for (const c of companions) {
      const owner = this.catalog.photoByPath(c.photo);
      if (!owner) continue; // its photo could not be catalogued (an unreadable name): the next scan tries again
      this.catalog.putCompanion(c.entry.path, owner.id, c.role, c.entry.size, c.entry.mtimeMs);
      found.add(c.entry.path);
    }
    this.catalog.removeCompanions(stale.filter((p) => !found.has(p)));
  }

  /** Catalogs one file seen on disk, given its fingerprint. Runs inside the caller's transaction. */
  private record(folder: FolderRow, entry: FileEntry, knownId: number | null, fp: string | null, online: ReadonlySet<number>): IngestOutcome {
    const file: NewFile = { folderId: folder.id, path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs, fingerprint: fp };
    if (knownId !== null) {
      return this.catalog.updatePhotoFile(knownId, entry.size, entry.mtimeMs, fp) ? 'changed' : 'unchanged';
    }
    if (fp) {
      const source = this.moveSource(fp, entry.path, online);
      if (source !== undefined) {
        this.catalog.relinkPhoto(source, file);
        return 'moved';
      }
    }
    this.catalog.insertPhoto(file);
    return 'added';
  }

  private onlineFolderIds(): Set<number> {
    return new Set(this.catalog.folders().filter((f) => f.online === 1).map((f) => f.id));
  }

  /** A photo with this content whose own file is gone, in an online folder: the move's source. */
  private moveSource(fp: string, newPath: string, online: ReadonlySet<number>): number | undefined {
    for (const p of this.catalog.photosByFingerprint(fp)) {
      if (p.path === newPath || !online.has(p.folder_id)) continue;
      if (p.missing_since !== null || !fs.existsSync(p.path)) return p.id;
    }
    return undefined;
  }

  /**
   * One file added or changed (from the watcher). Hidden files, temp files, non-images and paths
   * outside the library are ignored.
   */
  async ingestFile(file: string): Promise<IngestOutcome> {
    const abs = path.resolve(file);
    const folder = this.catalog.folderFor(abs);
    if (!folder || !isScannedName(path.basename(abs))) return 'ignored';
    const rel = path.relative(folder.path, path.dirname(abs));
    if (rel && rel.split(path.sep).some((seg) => isIgnoredDir(seg))) return 'ignored';
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(abs);
    } catch {
      return 'ignored';
    }
    if (!st.isFile()) return 'ignored';
    const entry: FileEntry = { path: abs, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
    const shot = await this.shots.files(abs);
    // A file with others of its name (a RAW+JPEG pair, a Live Photo), or one that was part of a
    // pair: the whole shot is sorted again ([Note: file pairs]).
    if (shot.length > 1 || isVideoName(path.basename(abs)) || this.catalog.companionOwner(abs)) return this.ingestShot(folder, abs, shot.length ? shot : [entry]);
    return this.ingestPhoto(folder, entry);
  }

  private async ingestPhoto(folder: FolderRow, entry: FileEntry): Promise<IngestOutcome> {
    const known = this.catalog.photoByPath(entry.path);
    if (known && known.size === entry.size && known.mtime_ms === entry.mtimeMs) {
      this.catalog.markPresent(known.id);
      return 'unchanged';
    }
    const fp = await fingerprintOrNull(entry.path);
    const online = this.onlineFolderIds();
    return this.catalog.db.transaction(() => this.record(folder, entry, known?.id ?? null, fp, online))();
  }

  /** One shot's files, as a scan would sort them: photos recorded, companions attached. Returns what happened to `file`. */
  private async ingestShot(folder: FolderRow, file: string, entries: FileEntry[]): Promise<IngestOutcome> {
    const pairing = pairFiles(entries);
    const known = new Map<string, KnownFile>();
    for (const e of entries) {
      const row = this.catalog.photoByPath(e.path);
      if (row) known.set(e.path, { id: row.id, size: row.size, mtime_ms: row.mtime_ms, fingerprint: row.fingerprint, missing_since: row.missing_since });
    }
    this.regroup(pairing, known);
    let outcome: IngestOutcome = pairing.companions.some((c) => c.entry.path === file) ? 'changed' : 'ignored';
    for (const entry of pairing.photos) {
      const k = known.get(entry.path);
      let result: IngestOutcome;
      if (k && k.size === entry.size && k.mtime_ms === entry.mtimeMs) {
        this.catalog.markPresent(k.id);
        result = 'unchanged';
      } else {
        const fp = await fingerprintOrNull(entry.path);
        const online = this.onlineFolderIds();
        result = this.catalog.db.transaction(() => this.record(folder, entry, k?.id ?? null, fp, online))();
      }
      if (entry.path === file) outcome = result;
    }
    const key = shotKey(file);
    this.catalog.db.transaction(() => {
      this.attach(pairing.companions, this.catalog.companionPathsUnder(path.dirname(file)).filter((p) => shotKey(p) === key));
    })();
    return outcome;
  }

  /** A file or directory vanished (from the watcher): its photos become missing until the purge. */
  fileGone(p: string): void {
    const abs = path.resolve(p);
    this.shots.forget(abs);
    const known = this.catalog.photoByPath(abs);
    if (known) this.catalog.markMissing([known.id]);
    else if (this.catalog.companionOwner(abs)) this.catalog.removeCompanions([abs]);
    else this.catalog.markMissingUnder(abs);
  }

  /**
   * Deletes photos missing since `before` or earlier whose file is still gone and whose folder is
   * still reachable, with their derived data and cached files. Returns how many were deleted.
   * Photos a resolution of duplicates put in the trash stay while it can be undone ([Note: resolving
   * duplicates] in duplicates/resolve.ts): undo brings their rows back whole.
   */
  async purgeMissing(before: number): Promise<number> {
    const putAway = new Resolutions(this.catalog.db).protectedIds();
    const candidates = this.catalog.missingPhotos(before).filter((p) => !putAway.has(p.id));
    if (candidates.length === 0) return 0;
    const reachable = new Map<number, boolean>();
    const folders = this.catalog.folders();
    const doomed: number[] = [];
    for (const p of candidates) {
      if (!reachable.has(p.folder_id)) {
        const f = folders.find((x) => x.id === p.folder_id);
        // Gone, or an empty mount point: the drive went away, so its photos are offline, not deleted.
        const avail = f ? await folderAvailable(f.path) : { ok: false, empty: true };
        const ok = avail.ok && !avail.empty;
        if (f && !ok) this.catalog.setFolderOnline(f.id, false);
        reachable.set(p.folder_id, ok);
      }
      if (!reachable.get(p.folder_id)) continue;
      if (fs.existsSync(p.path)) {
        this.catalog.markPresent(p.id);
        continue;
      }
      doomed.push(p.id);
    }
    const fps = this.catalog.deletePhotos(doomed);
    this.cache.remove(this.catalog.unusedFingerprints(fps));
    return doomed.length;
  }
}
