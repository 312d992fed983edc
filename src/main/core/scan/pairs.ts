// Which files of a folder are photos and which belong to a photo: RAW+JPEG pairs and Live Photo videos.
//
// [Note: file pairs] Files in one directory with the same name but for the extension (compared
// without case: IMG_0042.CR2 and IMG_0042.jpg) are one shot:
//   - a RAW beside a JPEG or HEIC of its name (a camera shooting RAW+JPEG) belongs to that photo:
//     the JPEG (else the HEIC) is the photo's face, the RAW is listed among its files;
//   - a video beside a photo of its name (an iPhone Live Photo's IMG_0042.MOV, a motion photo's MP4)
//     belongs to that photo: the face if there is one, else the RAW;
//   - any other video is not part of the library for now: the scan counts it as skipped.
// Two faces of one name (IMG_1.jpg and IMG_1.heic, an export beside its original) stay two photos.
// The pairing is worked out afresh from the names on every scan, so a pair that moves together
// stays together, and when a pair's face goes the RAW becomes the photo (see Scanner).
import fs from 'node:fs';
import path from 'node:path';
import { extensionOf, formatForName, isRawName, isScannedName, isVideoName } from '../media/formats.ts';

export interface Companion<E> {
  entry: E;
  role: 'raw' | 'video';
  /** The path of the photo the file belongs to. */
  photo: string;
}

export interface Pairing<E> {
  /** Files that are photos of their own. */
  photos: E[];
  companions: Companion<E>[];
  /** Videos that belong to no photo. */
  videos: E[];
}

/** The key that files of one shot share: their directory and their name without extension, without case. */
export function shotKey(file: string): string {
  const base = path.basename(file);
  const ext = extensionOf(base);
  const stem = ext ? base.slice(0, -(ext.length + 1)) : base;
  return `${path.dirname(file)}\0${stem.normalize('NFC').toLowerCase()}`;
}

/** Faces a RAW pairs with, best first: what a camera writes beside its RAW. */
const FACE_ORDER = ['jpeg', 'heif'];

/** Sorts the files of one folder (any order, any mix of photos and videos) into photos, companions and lone videos. */
export function pairFiles<E extends { path: string }>(entries: Iterable<E>): Pairing<E> {
  const shots = new Map<string, E[]>();
  for (const e of entries) {
    const key = shotKey(e.path);
    const list = shots.get(key);
    if (list) list.push(e);
    else shots.set(key, [e]);
  }
  const out: Pairing<E> = { photos: [], companions: [], videos: [] };
  for (const files of shots.values()) {
    if (files.length === 1) {
      const only = files[0]!;
      if (isVideoName(path.basename(only.path))) out.videos.push(only);
      else out.photos.push(only);
      continue;
    }
    const videos = files.filter((f) => isVideoName(path.basename(f.path)));
    const raws = files.filter((f) => isRawName(path.basename(f.path)));
    const others = files.filter((f) => !videos.includes(f) && !raws.includes(f));
    // Deterministic whatever order the directory listing came in.
    const byName = (a: E, b: E) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    const faces = others
      .filter((f) => FACE_ORDER.includes(formatForName(path.basename(f.path)) ?? ''))
      .sort((a, b) => FACE_ORDER.indexOf(formatForName(path.basename(a.path))!) - FACE_ORDER.indexOf(formatForName(path.basename(b.path))!) || byName(a, b));
    const face = faces[0];
    out.photos.push(...others);
    if (face) {
      for (const raw of raws) out.companions.push({ entry: raw, role: 'raw', photo: face.path });
    } else {
      out.photos.push(...raws);
    }
    const owner = face ?? [...raws].sort(byName)[0] ?? [...others].sort(byName)[0];
    for (const video of videos) {
      if (owner) out.companions.push({ entry: video, role: 'video', photo: owner.path });
      else out.videos.push(video);
    }
  }
  return out;
}

/**
 * Which files of a directory share a name, for the watcher: a file that arrives is sorted with the
 * others of its shot without listing its directory again each time (a copy of 10,000 photos into
 * one folder would otherwise list it 10,000 times). A directory is listed the first time an event
 * comes from it and kept in step by later events; the index keeps the directories seen last and is
 * cleared by every full scan.
 */
export class ShotIndex {
  readonly #dirs = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly maxDirs = 64) {}

  clear(): void {
    this.#dirs.clear();
  }

  /** The files of `file`'s shot on disk now (`file` included when it is there), with their sizes. */
  async files(file: string): Promise<{ path: string; size: number; mtimeMs: number }[]> {
    const shots = await this.#dir(path.dirname(file));
    const key = shotKey(file);
    let shot = shots.get(key);
    if (!shot) shots.set(key, (shot = new Set()));
    shot.add(file);
    const out: { path: string; size: number; mtimeMs: number }[] = [];
    for (const p of [...shot]) {
      try {
        const st = await fs.promises.stat(p);
        if (st.isFile()) out.push({ path: p, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
      } catch {
        shot.delete(p); // gone meanwhile
      }
    }
    return out;
  }

  forget(file: string): void {
    this.#dirs.get(path.dirname(file))?.get(shotKey(file))?.delete(file);
  }

  async #dir(dir: string): Promise<Map<string, Set<string>>> {
    let shots = this.#dirs.get(dir);
    if (shots) {
      // Most recently used last.
      this.#dirs.delete(dir);
      this.#dirs.set(dir, shots);
      return shots;
    }
    shots = new Map();
    let names: string[] = [];
    try {
      names = await fs.promises.readdir(dir);
    } catch {
      // gone or unreadable: nothing shares a name
    }
    for (const name of names) {
      if (!isScannedName(name)) continue;
      const p = path.join(dir, name);
      const key = shotKey(p);
      const set = shots.get(key);
      if (set) set.add(p);
      else shots.set(key, new Set([p]));
    }
    this.#dirs.set(dir, shots);
    while (this.#dirs.size > this.maxDirs) this.#dirs.delete(this.#dirs.keys().next().value!);
    return shots;
  }
}
