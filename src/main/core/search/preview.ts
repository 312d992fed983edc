// The search preview: a compact copy of an index's vectors, saved beside the graph, that answers the
// first searches after start while hnswlib still reads the graph (seconds at a million photos).
//
// [Note: search preview] hnswlib's readIndex of the graph (2.2 GB at a million photos) takes 3–4 s on
// these machines: longer than the 1.5 s the first search may take. The preview file `<stem>.preview`
// holds, for every live id, 1 bit per dimension (the sign of the vector minus the library's mean), one
// float, its id and its element in the graph file: 76 bytes a photo at 512 dimensions (76 MB at a
// million), read in tens of ms.
//
// - Estimate. With r = x − μ (x the unit vector, μ the mean), the code stores s_j = sign(r_j), and
//   <q, r> is estimated as g·Σ_j q_j·w_j·s_j, where w_j is the spread of dimension j (its standard
//   deviation: embeddings are far from isotropic, and a dimension that barely varies must not weigh
//   as much as one that carries the picture) and g = ‖r‖² / Σ_j w_j·|r_j| is stored per photo, so that
//   the estimate is exact when q points along r. Ranking by it equals ranking by <q, x> up to the
//   constant <q, μ>. A query builds a table of Σ q_j·w_j over each code byte's set bits (64 tables
//   of 256 at 512 dimensions), so a photo costs 64 table reads: about 0.1 s for a million photos.
// - Answer. The best `PREVIEW_CANDIDATES` estimates (filters applied as they enter) are re-ranked
//   with their exact unit vectors, read by position from the graph file the preview was made from
//   (it stores each photo's element there): the answer's scores are the cosines the graph gives.
//   SQLite's `embeddings` table was the first choice, but at a million photos its 5 GB are not all
//   in the page cache, and 2,000 lookups took 0.4–13 s here; the graph file is what the load reads. How many of the graph's answers it finds
//   is measured by `npm run bench:search` (preview_recall_at_10).
// - Integrity: the same guard as the graph. The header names the graph it was made from (the
//   sidecar's savedAt, the graph file's SHA-256 and the id checksum); a CRC-32 covers everything
//   after the header; the labels are read back and must hash to the checksum. The search service
//   uses it only if that checksum is also SQLite's. Anything else: the first search waits for the
//   graph, as it would without a preview, and the preview is written again. A graph file damaged
//   inside (caught later by the deferred hash) gives worse scores, never a crash: each vector read
//   is checked to be the element of the id asked for.
// - Order at open: the preview is read and the catalog's id checksum computed first, and hnswlib's
//   read of the graph starts once the preview is handed over: on two cores the read beside them slowed
//   the first answer by 0.1–0.2 s at a million photos, for a graph ready about as much later.
// - Writing: at every save of the graph, from the graph file just written (its level-0 block holds
//   each element's unit vector and label), to a temporary file renamed into place. The mean and the
//   spreads come from a sample of the file (up to PREVIEW_SAMPLE elements in 32 blocks), the codes
//   from one pass over it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';
import { writeFault } from '../faults.ts';
import { IdChecksum, type SearchHit } from './vector-index.ts';

export const PREVIEW_FORMAT_VERSION = 1;
/** How many estimated-best photos are re-ranked with their exact vectors (at least; more when k is large). */
export const PREVIEW_CANDIDATES = 2000;
/** How many of the graph's elements give the mean and the spreads. */
export const PREVIEW_SAMPLE = 32_768;

const MAGIC = 'SBXPREV1';
const HEADER_BYTES = 256;
const GRAPH_HEADER_BYTES = 96; // hnswlib's saveIndex header
const CHUNK_BYTES = 8 << 20;

/** What a preview must match: the graph it was made from, as the index's sidecar describes it. */
export interface PreviewOf {
  dim: number;
  /** The sidecar's savedAt. */
  savedAt: number;
  /** The graph file's SHA-256, as the sidecar records it. */
  graphSha256: string;
  /** `idChecksum` of the live ids. */
  checksum: string;
}

interface Layout {
  count: number;
  codeBytes: number;
  meanAt: number;
  weightsAt: number;
  labelsAt: number;
  slotsAt: number;
  factorsAt: number;
  codesAt: number;
  bytes: number;
}

function layout(dim: number, count: number): Layout {
  const codeBytes = Math.ceil(dim / 8);
  const meanAt = HEADER_BYTES;
  const weightsAt = meanAt + 4 * dim;
  const labelsAt = weightsAt + 4 * dim;
  const slotsAt = labelsAt + 4 * count;
  const factorsAt = slotsAt + 4 * count;
  const codesAt = factorsAt + 4 * count;
  return { count, codeBytes, meanAt, weightsAt, labelsAt, slotsAt, factorsAt, codesAt, bytes: codesAt + codeBytes * count };
}

function writeHeader(of: PreviewOf, count: number, crc: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write(MAGIC, 0, 'latin1');
  h.writeUInt32LE(PREVIEW_FORMAT_VERSION, 8);
  h.writeUInt32LE(of.dim, 12);
  h.writeUInt32LE(count, 16);
  h.writeUInt32LE(crc, 20);
  h.writeDoubleLE(of.savedAt, 24);
  h.write(of.graphSha256.padEnd(64, ' ').slice(0, 64), 32, 'latin1');
  h.write(of.checksum.padEnd(64, ' ').slice(0, 64), 96, 'latin1');
  return h;
}

/** Checks a header against what it must match; the count and CRC it gives, or why it does not match. */
function readHeader(h: Buffer, of: PreviewOf): { count: number; crc: number } | string {
  if (h.length < HEADER_BYTES || h.toString('latin1', 0, 8) !== MAGIC) return 'preview file has no preview header';
  const version = h.readUInt32LE(8);
  if (version !== PREVIEW_FORMAT_VERSION) return `preview format ${version}, expected ${PREVIEW_FORMAT_VERSION}`;
  if (h.readUInt32LE(12) !== of.dim) return `preview has ${h.readUInt32LE(12)} dimensions, the index ${of.dim}`;
  const stale =
    h.readDoubleLE(24) !== of.savedAt || h.toString('latin1', 32, 96).trimEnd() !== of.graphSha256 || h.toString('latin1', 96, 160).trimEnd() !== of.checksum;
  if (stale) return 'preview was made from another save of the index';
  return { count: h.readUInt32LE(16), crc: h.readUInt32LE(20) };
}

/** Whether the preview file's header matches (its body is not read): what a save-free open checks. */
export async function previewHeaderMatches(file: string, of: PreviewOf): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch {
    return 'no saved preview';
  }
  try {
    const h = Buffer.alloc(HEADER_BYTES);
    await fh.read(h, 0, HEADER_BYTES, 0);
    const r = readHeader(h, of);
    if (typeof r === 'string') return r;
    const { size } = await fh.stat();
    return size === layout(of.dim, r.count).bytes ? undefined : 'preview file has the wrong size';
  } finally {
    await fh.close();
  }
}

/** The compact copy of one index's vectors; see [Note: search preview]. */
export class SearchPreview {
  readonly dim: number;
  readonly count: number;
  /** `idChecksum` of its ids: the search service uses it only when SQLite's is the same. */
  readonly checksum: string;
  /** Bytes of the file it was read from. */
  readonly bytes: number;
  private readonly weights: Float32Array;
  private readonly labels: Uint32Array;
  /** Each photo's element in the graph file, where its exact unit vector is. */
  private readonly slots: Uint32Array;
  private readonly factors: Float32Array;
  private graph: { fd: number; layout: GraphLayout; buf: Buffer } | null = null;
  private readonly codes: Uint8Array;
  private readonly codeBytes: number;

  private constructor(dim: number, checksum: string, buf: Buffer, l: Layout) {
    this.dim = dim;
    this.count = l.count;
    this.checksum = checksum;
    this.bytes = l.bytes;
    this.codeBytes = l.codeBytes;
    const ab = buf.buffer;
    const at = buf.byteOffset;
    this.weights = new Float32Array(ab, at + l.weightsAt, dim);
    this.labels = new Uint32Array(ab, at + l.labelsAt, l.count);
    this.slots = new Uint32Array(ab, at + l.slotsAt, l.count);
    this.factors = new Float32Array(ab, at + l.factorsAt, l.count);
    this.codes = new Uint8Array(ab, at + l.codesAt, l.count * l.codeBytes);
  }

  /** Reads a preview and checks it against the graph it must come from; the preview, or why it cannot be used. */
  static async read(file: string, of: PreviewOf): Promise<SearchPreview | string> {
    let raw: Buffer;
    try {
      raw = await fsp.readFile(file);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no saved preview' : `preview file is unreadable: ${(e as Error).message}`;
    }
    const h = readHeader(raw, of);
    if (typeof h === 'string') return h;
    const l = layout(of.dim, h.count);
    if (raw.length !== l.bytes) return `preview file has ${raw.length} bytes, its header says ${l.bytes}`;
    if (zlib.crc32(raw.subarray(HEADER_BYTES)) !== h.crc) return 'preview file content does not match its CRC';
    // Typed views need 4-byte alignment; a Buffer of its own ArrayBuffer starts at 0.
    const buf = raw.byteOffset % 4 === 0 ? raw : Buffer.from(raw);
    const p = new SearchPreview(of.dim, of.checksum, buf, l);
    const sum = new IdChecksum();
    for (const id of p.labels) sum.add(id);
    if (sum.toString() !== of.checksum) return 'preview ids do not match the index checksum';
    return p;
  }

  /**
   * The positions (in this preview) of the `n` best estimates for a unit query, best first; `filter`
   * narrows them by id (asked only of photos good enough to enter the list).
   */
  candidates(query: Float32Array, n: number, filter?: (id: number) => boolean): Uint32Array {
    const { dim, codeBytes, codes, factors, labels, weights } = this;
    // The table: for code byte b and its value v, the sum of q_j·w_j over v's set bits.
    const table = new Float32Array(codeBytes * 256);
    let total = 0;
    for (let b = 0; b < codeBytes; b++) {
      const base = b << 8;
      for (let v = 1; v < 256; v++) {
        const low = 31 - Math.clz32(v & -v); // the lowest set bit
        const j = b * 8 + low;
        table[base + v] = table[base + (v & (v - 1))]! + (j < dim ? query[j]! * weights[j]! : 0);
      }
    }
    for (let j = 0; j < dim; j++) total += query[j]! * weights[j]!;
    // A min-heap of the best n: estimate = g·(2·Σ table − total).
    const size = Math.min(n, this.count);
    const hs = new Float32Array(size);
    const hi = new Uint32Array(size);
    let have = 0;
    let floor = -Infinity;
    const count = this.count;
    const quad = codeBytes & ~3;
    for (let i = 0, o = 0; i < count; i++, o += codeBytes) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let b = 0;
      for (; b < quad; b += 4) {
        s0 += table[(b << 8) | codes[o + b]!]!;
        s1 += table[((b + 1) << 8) | codes[o + b + 1]!]!;
        s2 += table[((b + 2) << 8) | codes[o + b + 2]!]!;
        s3 += table[((b + 3) << 8) | codes[o + b + 3]!]!;
      }
      for (; b < codeBytes; b++) s0 += table[(b << 8) | codes[o + b]!]!;
      const s = factors[i]! * (2 * (s0 + s1 + s2 + s3) - total);
      if (s <= floor || s !== s) continue; // the floor is -Infinity until the list is full; NaN never enters
      const id = labels[i]!;
      if (filter && !filter(id)) continue;
      if (have < size) {
        let p = have++;
        while (p > 0) {
          const up = (p - 1) >> 1;
          if (hs[up]! <= s) break;
          hs[p] = hs[up]!;
          hi[p] = hi[up]!;
          p = up;
        }
        hs[p] = s;
        hi[p] = i;
        if (have === size) floor = hs[0]!;
        continue;
      }
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        if (l >= size) break;
        const c = l + 1 < size && hs[l + 1]! < hs[l]! ? l + 1 : l;
        if (hs[c]! >= s) break;
        hs[p] = hs[c]!;
        hi[p] = hi[c]!;
        p = c;
      }
      hs[p] = s;
      hi[p] = i;
      floor = hs[0]!;
    }
    const order = Array.from({ length: have }, (_, i) => i).sort((a, b) => hs[b]! - hs[a]!);
    return Uint32Array.from(order, (i) => hi[i]!);
  }

  /**
   * Re-ranks with the unit vectors of the graph file it was made from, read by position (a few thousand
   * reads of 2 KB from a file the graph's load is reading anyway: hot in the page cache, where the
   * catalog's 5 GB of vectors at a million photos need not be). Until `close()`.
   */
  useGraphFile(file: string): void {
    this.close();
    const fd = fs.openSync(file, 'r');
    try {
      const h = Buffer.alloc(GRAPH_HEADER_BYTES);
      if (fs.readSync(fd, h, 0, GRAPH_HEADER_BYTES, 0) < GRAPH_HEADER_BYTES) throw new Error('graph file is shorter than its header');
      const layout = parseGraphLayout(h, this.dim);
      this.graph = { fd, layout, buf: Buffer.allocUnsafeSlow(this.dim * 4 + 8) };
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Closes the graph file `useGraphFile` opened. */
  close(): void {
    if (this.graph) fs.closeSync(this.graph.fd);
    this.graph = null;
  }

  /** The unit vector of position i, from the graph file, or undefined when the element there is not its id. */
  private graphVector(i: number): Float32Array | undefined {
    const g = this.graph!;
    const { layout, buf } = g;
    const want = this.dim * 4 + 8;
    if (fs.readSync(g.fd, buf, 0, want, GRAPH_HEADER_BYTES + this.slots[i]! * layout.size + layout.dataAt) < want) return undefined;
    if (buf.readUInt32LE(this.dim * 4) !== this.labels[i] || buf.readUInt32LE(this.dim * 4 + 4) !== 0) return undefined;
    return new Float32Array(buf.buffer, buf.byteOffset, this.dim);
  }

  /**
   * The k nearest ids by cosine, best first: the best candidates re-ranked with their exact vectors, from
   * `vectorOf` (an id without one is left out, as a deleted photo) or else from the graph file
   * (`useGraphFile`).
   */
  search(query: Float32Array, k: number, filter?: (id: number) => boolean, vectorOf?: (id: number) => Float32Array | undefined, candidates = PREVIEW_CANDIDATES): SearchHit[] {
    if (!vectorOf && !this.graph) throw new Error('the preview has no vectors to re-rank with: give vectorOf or call useGraphFile');
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} dimensions, the preview ${this.dim}`);
    let qq = 0;
    for (let j = 0; j < this.dim; j++) qq += query[j]! * query[j]!;
    const qn = Math.sqrt(qq);
    if (!(qn > 0) || !Number.isFinite(qn)) throw new RangeError('query vector is zero or not finite');
    const q = Float32Array.from(query, (x) => x / qn);
    const hits: SearchHit[] = [];
    // In file order: the reads then go forward through the graph file.
    const found = this.candidates(q, Math.max(candidates, Math.ceil(k) * 20), filter).sort();
    for (const i of found) {
      const id = this.labels[i]!;
      const v = vectorOf ? vectorOf(id) : this.graphVector(i);
      if (!v || v.length !== this.dim) continue;
      let d = 0;
      let vv = 0;
      for (let j = 0; j < this.dim; j++) {
        d += q[j]! * v[j]!;
        vv += v[j]! * v[j]!;
      }
      const score = d / Math.sqrt(vv);
      if (Number.isFinite(score)) hits.push({ id, score: Math.min(1, score) }); // a damaged vector is left out
    }
    hits.sort((a, b) => b.score - a.score || a.id - b.id);
    return hits.slice(0, Math.max(0, Math.floor(k)));
  }
}

/** The element layout of an hnswlib graph file, from its header. */
interface GraphLayout {
  slots: number;
  size: number;
  labelAt: number;
  dataAt: number;
}

async function graphLayout(fh: FileHandle, dim: number): Promise<GraphLayout> {
  const h = Buffer.alloc(GRAPH_HEADER_BYTES);
  const { bytesRead } = await fh.read(h, 0, GRAPH_HEADER_BYTES, 0);
  if (bytesRead < GRAPH_HEADER_BYTES) throw new Error('graph file is shorter than its header');
  return parseGraphLayout(h, dim);
}

function parseGraphLayout(h: Buffer, dim: number): GraphLayout {
  const u = (at: number) => Number(h.readBigUInt64LE(at));
  const g = { slots: u(16), size: u(24), labelAt: u(32), dataAt: u(40) };
  if (g.labelAt !== g.dataAt + dim * 4 || g.size !== g.labelAt + 8 || g.dataAt % 4 !== 0) throw new Error('graph file header does not have the layout the preview reads');
  return g;
}

/** Calls `fn` with the label and the unit vector of elements [from, to) of the graph's level-0 block. */
/**
 * Calls `fn` for elements [from, to) of the graph's level-0 block with the label, the chunk as floats
 * and where in it the element's unit vector starts (one view a chunk, none an element), and the element.
 */
async function eachElement(
  fh: FileHandle,
  g: GraphLayout,
  from: number,
  to: number,
  fn: (label: number, floats: Float32Array, at: number, slot: number) => void,
): Promise<void> {
  const per = Math.max(1, Math.floor(CHUNK_BYTES / g.size));
  const buf = Buffer.allocUnsafeSlow(per * g.size);
  const floats = new Float32Array(buf.buffer, buf.byteOffset, buf.length >> 2);
  const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >> 2);
  const stride = g.size >> 2;
  const label = g.labelAt >> 2;
  const data = g.dataAt >> 2;
  for (let at = from; at < to; at += per) {
    const n = Math.min(per, to - at);
    const want = n * g.size;
    const { bytesRead } = await fh.read(buf, 0, want, GRAPH_HEADER_BYTES + at * g.size);
    if (bytesRead < want) throw new Error('graph file ends inside its level-0 block');
    for (let e = 0, o = 0; e < n; e++, o += stride) {
      if (words[o + label + 1] !== 0) continue; // labels are uint32 (little-endian): not one of ours
      fn(words[o + label]!, floats, o + data, at + e);
    }
  }
}

/**
 * Writes the preview of the graph file `graphFile` (its live ids `live`) to `file`, beside it and
 * renamed into place. Returns its size and how long it took.
 */
export async function writePreview(graphFile: string, file: string, of: PreviewOf, live: ReadonlySet<number>): Promise<{ bytes: number; ms: number }> {
  const t0 = performance.now();
  const { dim } = of;
  const l = layout(dim, live.size);
  const fh = await fsp.open(graphFile, 'r');
  const mean = new Float32Array(dim);
  const weights = new Float32Array(dim);
  const labels = new Uint32Array(l.count);
  const slots = new Uint32Array(l.count);
  const factors = new Float32Array(l.count);
  const codes = new Uint8Array(l.count * l.codeBytes);
  try {
    const g = await graphLayout(fh, dim);
    // The mean and the spreads, from blocks spread over the file (all of it when small).
    const s1 = new Float64Array(dim);
    const s2 = new Float64Array(dim);
    let seen = 0;
    const add = (label: number, v: Float32Array, o: number) => {
      if (!live.has(label)) return;
      seen++;
      for (let j = 0; j < dim; j++) {
        const x = v[o + j]!;
        s1[j]! += x;
        s2[j]! += x * x;
      }
    };
    if (g.slots <= PREVIEW_SAMPLE) await eachElement(fh, g, 0, g.slots, add);
    else {
      const blocks = 32;
      const per = Math.ceil(PREVIEW_SAMPLE / blocks);
      for (let b = 0; b < blocks; b++) {
        const from = Math.floor((b * (g.slots - per)) / (blocks - 1));
        await eachElement(fh, g, from, from + per, add);
      }
    }
    let spread = 0;
    for (let j = 0; j < dim; j++) {
      mean[j] = seen ? s1[j]! / seen : 0;
      weights[j] = seen ? Math.sqrt(Math.max(0, s2[j]! / seen - mean[j]! * mean[j]!)) : 1;
      spread += weights[j]!;
    }
    // A library of one photo (or of copies) has no spread: weigh every dimension alike.
    if (!(spread > 0)) weights.fill(1);
    // The codes, in one pass.
    let i = 0;
    const sum = new IdChecksum();
    await eachElement(fh, g, 0, g.slots, (label, v, at, slot) => {
      if (!live.has(label) || i >= l.count) return;
      let ss = 0;
      let sw = 0;
      const o = i * l.codeBytes;
      let byte = 0;
      for (let j = 0; j < dim; j++) {
        const r = v[at + j]! - mean[j]!;
        ss += r * r;
        sw += weights[j]! * Math.abs(r);
        byte |= (r > 0 ? 1 : 0) << (j & 7);
        if ((j & 7) === 7 || j === dim - 1) {
          codes[o + (j >> 3)] = byte;
          byte = 0;
        }
      }
      labels[i] = label;
      slots[i] = slot;
      factors[i] = sw > 0 ? ss / sw : 0;
      sum.add(label);
      i++;
    });
    if (i !== l.count || sum.toString() !== of.checksum) throw new Error(`the graph file holds ${i} of the ${l.count} live ids`);
  } finally {
    await fh.close();
  }
  const parts = [mean, weights, labels, slots, factors, codes].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  let crc = 0;
  for (const p of parts) crc = zlib.crc32(p, crc);
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
  try {
    const out = await fsp.open(tmp, 'w');
    try {
      await out.write(writeHeader(of, l.count, crc));
      for (const p of parts) await out.write(p);
      await out.sync();
    } finally {
      await out.close();
    }
    writeFault('index', tmp);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return { bytes: l.bytes, ms: Math.round(performance.now() - t0) };
}
