// The people grouping's face graph saved beside the catalog, so that an engine start reads it instead of building it
// again from every descriptor ([Note: people graph saved]).
//
// [Note: people graph saved]
// Building the grouping's hnswlib graph over 100,000 faces takes about 46 s of one core at each engine start (README
// "People"); reading it back takes a fraction of that. Two files in <data>/index/faces/:
//   - faces.hnsw: hnswlib's own file (writeIndexSync), the graph over the slots;
//   - faces.graph: "SBXFACE1", a u32 header length, a JSON header ({ model, count, hnswBytes, hnswSha256 }, padded
//     to 8 bytes), each slot's face id (float64; -1: its face is gone), each slot's descriptor (128 float32), and a
//     sha256 of everything before it.
// Only the graph and which face each slot holds are saved: the groups are read from the catalog at load (the face's
// person; a face in none is a group of its own), so what the user did in between (a name, a merge, a face moved,
// also by the CLI) is never undone by an old file. A slot stands only when the catalog still has that face with the
// same 512 bytes (ids can come back after a delete); one that does not is marked deleted in the graph. Faces the
// catalog has and the graph lacks (grouped after the last save, or by another process) are added as before.
// A file of another model, a torn or tampered pair (each file is written to a temporary name and renamed, graph
// first; the header's sha256 of the graph then no longer matches), or one whose slots are mostly gone is not used:
// the graph is built again, and saved at the next save. A regroup or face recognition turned off deletes the files
// (a regroup undoes the grouping's own assignments: an old graph would hold those faces as grouped).
// Saved when the library closes, and after a grouping at most every SAVE_EVERY_MS while faces keep arriving, so a
// crash costs only the faces grouped since.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import type { GroupingFace } from '../catalog/faces.ts';
import { Grouper, type GroupingOptions } from './grouping.ts';

const MAGIC = Buffer.from('SBXFACE1', 'latin1');
const DIM = 128;
/** A saved graph with more than this share of its slots gone is built again (searches would wade through them). */
const MAX_DEAD = 0.25;

interface Header {
  model: string;
  count: number;
  hnswBytes: number;
  hnswSha256: string;
}

/** Why a saved graph was not used, or that it was. */
export type GraphLoad = { grouper: Grouper; dead: number } | { grouper: null; reason: string };

function sha256(...parts: Uint8Array[]): Buffer {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function writeAtomic(file: string, data: Uint8Array | ((tmp: string) => void)): void {
  const tmp = `${file}.tmp-${crypto.randomBytes(4).toString('hex')}`;
  try {
    if (typeof data === 'function') data(tmp);
    else fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export class GraphStore {
  readonly hnswFile: string;
  readonly metaFile: string;

  constructor(readonly dir: string) {
    this.hnswFile = path.join(dir, 'faces.hnsw');
    this.metaFile = path.join(dir, 'faces.graph');
  }

  /** Saves a grouping's graph for faces of `model` (see the note). */
  save(model: string, grouper: Grouper): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const { index, faces, vectors } = grouper.snapshot();
    let hnsw: Buffer = Buffer.alloc(0);
    writeAtomic(this.hnswFile, (tmp) => {
      index.writeIndexSync(tmp);
      hnsw = fs.readFileSync(tmp);
    });
    const header: Header = { model, count: faces.length, hnswBytes: hnsw.length, hnswSha256: sha256(hnsw).toString('hex') };
    let json = Buffer.from(JSON.stringify(header), 'utf8');
    const pad = (8 - ((MAGIC.length + 4 + json.length) % 8)) % 8;
    json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length);
    const ids = Buffer.from(Float64Array.from(faces).buffer);
    const vecs = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
    const body = [MAGIC, len, json, ids, vecs];
    writeAtomic(this.metaFile, Buffer.concat([...body, sha256(...body)]));
  }

  /** Deletes the saved graph (a regroup, face recognition off). */
  clear(): void {
    fs.rmSync(this.metaFile, { force: true });
    fs.rmSync(this.hnswFile, { force: true });
  }

  /**
   * The saved grouping for `model`, its slots checked against the catalog's faces (`rows`: the faces the grouping
   * reads, as Faces.groupingFaces gives them): each slot whose face is there with the same descriptor joins that
   * face's person (or a group of its own), the others are marked deleted. Null with the reason when there is none
   * to use (see the note); the caller builds the graph then.
   */
  load(model: string, rows: readonly GroupingFace[], opts: GroupingOptions): GraphLoad {
    let meta: Buffer;
    try {
      meta = fs.readFileSync(this.metaFile);
    } catch {
      return { grouper: null, reason: 'no saved graph' };
    }
    const bad = (why: string): GraphLoad => ({ grouper: null, reason: `the saved graph ${this.metaFile} ${why}` });
    if (meta.length < MAGIC.length + 4 + 32 || !meta.subarray(0, MAGIC.length).equals(MAGIC)) return bad('is not one');
    if (!sha256(meta.subarray(0, meta.length - 32)).equals(meta.subarray(meta.length - 32))) return bad('is torn (its checksum does not match)');
    const jsonLen = meta.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4 + jsonLen;
    let header: Header;
    try {
      header = JSON.parse(meta.subarray(MAGIC.length + 4, start).toString('utf8')) as Header;
    } catch {
      return bad('has an unreadable header');
    }
    if (header.model !== model) return bad(`is of faces found with ${header.model}, not ${model}`);
    const n = header.count;
    if (!Number.isInteger(n) || n < 0 || meta.length !== start + n * 8 + n * DIM * 4 + 32) return bad('has the wrong length');
    let hnsw: Buffer;
    try {
      hnsw = fs.readFileSync(this.hnswFile);
    } catch {
      return bad(`has no graph file ${this.hnswFile}`);
    }
    if (hnsw.length !== header.hnswBytes || sha256(hnsw).toString('hex') !== header.hnswSha256) return bad(`does not match ${this.hnswFile} (a torn save)`);
    // Copied out: the slices are not aligned for typed arrays.
    const ids = new Float64Array(Uint8Array.from(meta.subarray(start, start + n * 8)).buffer);
    const vectors = new Float32Array(Uint8Array.from(meta.subarray(start + n * 8, start + n * 8 + n * DIM * 4)).buffer);
    const byId = new Map<number, GroupingFace>();
    for (const r of rows) byId.set(r.id, r);
    let gone = 0;
    const place = (faceId: number, slot: number): number | null | undefined => {
      const r = byId.get(faceId);
      if (r === undefined) return undefined;
      const o = slot * DIM;
      for (let i = 0; i < DIM; i++) if (r.descriptor[i] !== vectors[o + i]) return undefined;
      return r.personId;
    };
    for (let i = 0; i < n; i++) if (ids[i]! < 0 || !byId.has(ids[i]!)) gone++;
    if (n > 0 && gone / n > MAX_DEAD) return bad(`has ${gone} of its ${n} faces gone`);
    const index = new hnswlib.HierarchicalNSW('l2', DIM);
    try {
      index.readIndexSync(this.hnswFile);
    } catch (e) {
      return bad(`cannot be read (${e instanceof Error ? e.message : String(e)})`);
    }
    let grouper: Grouper;
    try {
      grouper = Grouper.restore(opts, index, Array.from(ids), vectors, place);
    } catch (e) {
      return bad(`does not fit its graph file (${e instanceof Error ? e.message : String(e)})`);
    }
    return { grouper, dead: grouper.deadCount };
  }
}
