// HEIC/HEIF (HEVC) photos where libvips cannot decode them: libheif compiled to WebAssembly
// (libheif-js), in a small pool of worker threads ([Note: HEIF decoding]).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import sharp, { type Metadata } from 'sharp';
import exifr from 'exifr';
import { MediaError } from './errors.ts';
import { Emitter } from '../emitter.ts';
import type { MediaOptions } from './decode.ts';
import { checkPixelLimit, type OpenedImage } from './open.ts';
import type { HeifRequest, HeifResponse } from './heif-worker.ts';

// [Note: HEIF decoding]
// Phones write HEIC: HEVC-coded tiles in an ISOBMFF container. sharp's prebuilt libvips links
// libheif with the AV1 decoder only (AVIF), so where libvips cannot decode HEVC — found out once,
// by decoding a 16×16 HEIC embedded below — libheif-js (LGPL-3.0: libheif with libde265, as
// WebAssembly) decodes it instead:
//   - off the main thread: a pool of at most os.availableParallelism() workers, one decode each at
//     a time (a 12 MP photo is about a second of CPU in wasm);
//   - memory bounded: decodes are admitted against a budget estimated from their pixel count (a
//     48 MP photo runs alone); the pixels are copied out of the wasm heap into a buffer that is
//     transferred, and reduced to the size the caller needs at once; a worker whose heap grew large
//     is retired after its decode (wasm memory never shrinks), and an idle one after a while;
//   - the embedded thumbnail is decoded instead of the photo when it is large enough for the
//     caller and has the photo's shape;
//   - orientation: libheif applies the container's transformations (irot, imir, clap), which are
//     the ones HEIF defines; the EXIF Orientation tag inside a HEIC repeats them for EXIF readers and
//     is never applied on top (HEIF says readers ignore it). Sizes are the upright ones.
//   - a worker that dies (out of memory on a decompression bomb, a crash inside libheif) fails
//     that one photo with a MediaError; the next decode gets a fresh worker.
// Under tsx and vitest the worker runs from its TypeScript source; the Electron build bundles it as
// an entry of its own and names it with configureHeif({ workerFile }) (app/index.ts).

/**
 * A 16×16 HEVC HEIC (heif-enc, scripts/make-heic-fixtures.ts: test/fixtures/media/tiny.heic).
 * libvips has an HEVC decoder exactly when it decodes this.
 */
export const TINY_HEIC_BASE64 =
  'AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAaptZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAAAAAAAAAAAAAAAA5waXRtAAAAAAACAAAAEGlkYXQAAAAAABAAEAAAADhpbG9jAQAAAERAAAIAAQAAAAAAAAHOAAEAAAAAAAAAJQACAAEAAAAAAAAAAQAAAAAAAAAIAAAAOGlpbmYAAAAAAAIAAAAVaW5mZQIAAAEAAQAAaHZjMQAAAAAVaW5mZQIAAAAAAgAAZ3JpZAAAAADVaXBycAAAALNpcGNvAAAAc2h2Y0MBA3AAAAAAAAAAAAAe8AD8/fj4AAAPAyAAAQAYQAEMAf//A3AAAAMAkAAAAwAAAwAeugJAIQABACdCAQEDcAAAAwCQAAADAAADAB6gIIEFluqumubAgAAAAwCAAAADAIQiAAEABkQBwXPBiQAAABRpc3BlAAAAAAAAAEAAAABAAAAAFGlzcGUAAAAAAAAAEAAAABAAAAAQcGl4aQAAAAADCAgIAAAAGmlwbWEAAAAAAAAAAgABAoECAAICA4QAAAAaaXJlZgAAAAAAAAAOZGltZwACAAEAAQAAAC1tZGF0AAAAISgBrwQSEwzg+OnCaD6Bex8LWjyftKsr40mfd7EYkqn/oA==';

export type HeifDecoderChoice = 'auto' | 'libvips' | 'libheif-js';

interface HeifSettings {
  /** A built worker script (the Electron build's); without it the TypeScript source runs through tsx. */
  workerFile?: string;
  /** 'auto' uses libvips where it has HEVC, else libheif-js. */
  decoder: HeifDecoderChoice;
}

const settings: HeifSettings = { decoder: 'auto' };

/** Sets where the worker script is and which decoder runs; the pool is restarted on its next decode. */
export function configureHeif(s: Partial<HeifSettings>): void {
  Object.assign(settings, s);
  const old = pool;
  pool = null;
  void old?.close();
}

let vipsHevc: Promise<boolean> | undefined;

/** Whether the installed libvips decodes HEVC HEIC: tried once, on a tiny embedded HEIC. */
export function libvipsDecodesHevc(): Promise<boolean> {
  vipsHevc ??= sharp(Buffer.from(TINY_HEIC_BASE64, 'base64'))
    .raw()
    .toBuffer({ resolveWithObject: true })
    .then(
      ({ info }) => info.width === 16 && info.height === 16,
      () => false,
    );
  return vipsHevc;
}

/** Which decoder reads HEVC HEIC here, and why. */
export async function heifDecoder(): Promise<{ decoder: 'libvips' | 'libheif-js'; why: string }> {
  if (settings.decoder !== 'auto') return { decoder: settings.decoder, why: 'chosen by configureHeif' };
  return (await libvipsDecodesHevc())
    ? { decoder: 'libvips', why: 'the installed libvips has an HEVC decoder' }
    : { decoder: 'libheif-js', why: 'the installed libvips has no HEVC decoder' };
}

/** One decode, as the pool reports it to observers (tests, benchmarks). */
export interface HeifDecodeEvent {
  file: string;
  source: 'primary' | 'thumbnail';
  /** The decoded image's size (the thumbnail's when it was used). */
  width: number;
  height: number;
  threadId: number;
  heapBytes: number;
  ms: number;
}

const decodes = new Emitter<HeifDecodeEvent>();

/** Calls `fn` after every decode; returns the function that stops it. */
export function observeHeifDecodes(fn: (e: HeifDecodeEvent) => void): () => void {
  return decodes.on(fn);
}

export interface HeifPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
  source: 'primary' | 'thumbnail';
}

export interface HeifPoolOptions {
  /** Workers at most; os.availableParallelism() by default, and never more. */
  size?: number;
  workerFile?: string;
  /** Bytes of decoder memory the running decodes may take together (estimated); 640 MB by default. */
  memoryBudget?: number;
  /** A worker whose wasm heap is larger than this after a decode is retired; 192 MB by default. */
  recycleHeapBytes?: number;
  /** An idle worker is retired after this long; 20 s by default. */
  idleMs?: number;
  /** Lets tests crash a worker on purpose. */
  testHooks?: boolean;
}

interface Job {
  req: Omit<HeifRequest, 'id'>;
  cost: number;
  resolve: (r: HeifResponse & { ok: true }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Job | null;
  idle: NodeJS.Timeout | null;
}

/** Compiles libheif-js's wasm binary; undefined when that fails (the workers then load it themselves). */
async function compileLibheif(): Promise<unknown> {
  try {
    const require = createRequire(import.meta.url);
    const bytes = await fs.promises.readFile(require.resolve('libheif-js/libheif-wasm/libheif.wasm'));
    const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<unknown> } }).WebAssembly;
    return await wasm.compile(bytes);
  } catch {
    return undefined;
  }
}

/** Estimated peak decoder memory for an image: coded input, YCbCr planes, the RGB(A) image in the heap, and its copy. */
function decodeCost(width: number, height: number): number {
  return width * height * 9 + 16 * 2 ** 20;
}

export class HeifPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private reserved = 0;
  private nextId = 1;
  private closed = false;
  /** libheif's wasm, compiled once (off the main thread) and shared by every worker; undefined where it could not be (each worker then compiles its own). */
  private wasm: Promise<unknown> | undefined;
  private module: unknown;
  readonly size: number;
  private readonly budget: number;
  /** Workers started, and workers that died under a decode. */
  started = 0;
  crashed = 0;

  constructor(private readonly opts: HeifPoolOptions = {}) {
    const cpus = Math.max(1, os.availableParallelism());
    this.size = Math.max(1, Math.min(opts.size ?? cpus, cpus));
    this.budget = opts.memoryBudget ?? 640 * 2 ** 20;
  }

  /** Decodes a file's primary image (or a thumbnail at least `needLongEdge` on its long edge). */
  async decode(file: string, o: { needLongEdge: number; maxPixels: number; width: number; height: number; crash?: 'exit' | 'abort' }): Promise<HeifResponse & { ok: true }> {
    if (this.closed) throw new MediaError('the HEIF decoder is closed');
    this.wasm ??= compileLibheif();
    this.module = await this.wasm;
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { file, needLongEdge: o.needLongEdge, maxPixels: o.maxPixels, crash: o.crash }, cost: decodeCost(o.width, o.height), resolve, reject });
      this.pump();
    });
  }

  /** Starts queued decodes while a worker is free and the memory budget allows (a decode larger than the budget runs alone). */
  private pump(): void {
    while (this.queue.length) {
      const job = this.queue[0]!;
      const running = this.slots.filter((s) => s.busy).length;
      if (running >= this.size) return;
      if (running > 0 && this.reserved + job.cost > this.budget) return;
      this.queue.shift();
      this.reserved += job.cost;
      const slot = this.slots.find((s) => !s.busy) ?? this.spawn();
      this.run(slot, job);
    }
  }

  private spawn(): Slot {
    const workerData = { testHooks: this.opts.testHooks === true, wasmModule: this.module };
    const file = this.opts.workerFile;
    let worker: Worker;
    if (file) {
      worker = new Worker(file, { workerData });
    } else {
      const entry = new URL('./heif-worker.ts', import.meta.url).href;
      const tsx = import.meta.resolve('tsx/esm/api');
      const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
      worker = new Worker(code, { eval: true, workerData });
    }
    this.started++;
    const slot: Slot = { worker, busy: null, idle: null };
    this.slots.push(slot);
    worker.on('message', (res: HeifResponse) => this.finished(slot, res));
    const died = (why: string) => {
      if (!this.slots.includes(slot)) return;
      this.retire(slot);
      const job = slot.busy;
      if (job) {
        slot.busy = null;
        this.crashed++;
        this.reserved -= job.cost;
        job.reject(new MediaError(`cannot decode this HEIC: the decoder stopped (${why}); the photo may be too large or damaged`));
      }
      this.pump();
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    worker.unref();
    return slot;
  }

  private run(slot: Slot, job: Job): void {
    if (slot.idle) clearTimeout(slot.idle);
    slot.idle = null;
    slot.busy = job;
    slot.worker.ref();
    slot.worker.postMessage({ ...job.req, id: this.nextId++ } satisfies HeifRequest);
  }

  private finished(slot: Slot, res: HeifResponse): void {
    const job = slot.busy;
    if (!job) return;
    slot.busy = null;
    this.reserved -= job.cost;
    slot.worker.unref();
    if (res.ok) job.resolve(res);
    else job.reject(new MediaError(`corrupt image: the HEIC cannot be decoded (${res.error})`));
    if (!res.ok && res.fatal) this.retire(slot);
    else if (res.heapBytes > (this.opts.recycleHeapBytes ?? 192 * 2 ** 20)) this.retire(slot);
    else if (!this.closed) {
      slot.idle = setTimeout(() => this.retire(slot), this.opts.idleMs ?? 20_000);
      slot.idle.unref();
    }
    this.pump();
  }

  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    if (slot.idle) clearTimeout(slot.idle);
    void slot.worker.terminate();
  }

  /** Workers alive now. */
  get workers(): number {
    return this.slots.length;
  }

  /** Stops the workers; decodes still queued or running fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new MediaError('the HEIF decoder was closed'));
    const slots = this.slots.splice(0);
    for (const s of slots) {
      if (s.idle) clearTimeout(s.idle);
      if (s.busy) {
        this.reserved -= s.busy.cost;
        s.busy.reject(new MediaError('the HEIF decoder was closed'));
        s.busy = null;
      }
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

let pool: HeifPool | null = null;

/** The engine's pool, started on first use. */
export function heifPool(): HeifPool {
  pool ??= new HeifPool({ workerFile: settings.workerFile });
  return pool;
}

/** The EXIF Orientation tag inside a HEIC, as written (reported, never applied: see [Note: HEIF decoding]). */
async function exifOrientation(exif: Buffer | undefined): Promise<number | null> {
  if (!exif) return null;
  try {
    const tags = (await exifr.parse(exif, { pick: ['Orientation'], translateValues: false })) as { Orientation?: unknown } | undefined;
    const o = tags?.Orientation;
    return typeof o === 'number' && o >= 1 && o <= 8 ? o : null;
  } catch {
    return null;
  }
}

/**
 * Opens an HEVC HEIC with libheif-js. `meta` is sharp's reading of the header (libvips reads HEIC
 * headers without a decoder): the primary image's size, upright.
 */
export async function openHeif(file: string, meta: Metadata, options: MediaOptions): Promise<OpenedImage> {
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  checkPixelLimit(width, height, options);
  return {
    format: 'heif',
    width,
    height,
    orientation: await exifOrientation(meta.exif),
    pixels: async (needLongEdge) => {
      const need = Math.max(1, Math.ceil(needLongEdge));
      const res = await heifPool().decode(file, { needLongEdge: need, maxPixels: options.maxPixels, width, height });
      decodes.emit({ file, source: res.source, width: res.width, height: res.height, threadId: res.threadId, heapBytes: res.heapBytes, ms: res.ms });
      let data = Buffer.from(res.data);
      let w = res.width;
      let h = res.height;
      const raw = { width: w, height: h, channels: res.channels };
      const long = Math.max(w, h);
      if (long > need) {
        // Reduced at once to what the caller needs (the full-size buffer is dropped here); the
        // short edge is rounded up, so a caller asking for a short edge gets it.
        const scale = need / long;
        const tw = w >= h ? need : Math.ceil(w * scale);
        const th = w >= h ? Math.ceil(h * scale) : need;
        const out = await sharp(data, { raw }).resize(tw, th, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
        data = out.data;
        w = out.info.width;
        h = out.info.height;
      }
      // libheif hands over the pixels in the file's colour space; its ICC profile (an iPhone's
      // Display P3) goes with them, so that sharp converts them to sRGB like any tagged image.
      if (meta.icc?.length) return sharp(tiffWithProfile(data, w, h, res.channels, meta.icc));
      return sharp(data, { raw: { width: w, height: h, channels: res.channels } });
    },
  };
}

/**
 * Packed 8-bit RGB(A) pixels and an ICC profile as an uncompressed TIFF in memory: the one way to
 * hand sharp raw pixels together with their colour profile (its raw input takes none).
 */
export function tiffWithProfile(data: Buffer, width: number, height: number, channels: 3 | 4, icc: Buffer): Buffer {
  const entries: [tag: number, type: number, count: number, value: number][] = [];
  const SHORT = 3;
  const LONG = 4;
  const UNDEFINED = 7;
  const count = channels === 4 ? 12 : 11;
  const ifdSize = 2 + count * 12 + 4;
  const bitsAt = 8 + ifdSize;
  const iccAt = bitsAt + channels * 2;
  const dataAt = iccAt + icc.length + (icc.length % 2);
  entries.push([256, LONG, 1, width], [257, LONG, 1, height], [258, SHORT, channels, bitsAt], [259, SHORT, 1, 1], [262, SHORT, 1, 2]);
  entries.push([273, LONG, 1, dataAt], [277, SHORT, 1, channels], [278, LONG, 1, height], [279, LONG, 1, data.length], [284, SHORT, 1, 1]);
  if (channels === 4) entries.push([338, SHORT, 1, 2]); // unassociated alpha
  entries.push([34675, UNDEFINED, icc.length, iccAt]);
  const head = Buffer.alloc(dataAt);
  head.write('II', 0, 'latin1');
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(8, 4);
  head.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, n, value], i) => {
    const at = 10 + i * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(n, at + 4);
    // A single SHORT sits in the entry itself; everything larger than 4 bytes is at its offset.
    if (type === SHORT && n === 1) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(value, at + 8);
  });
  head.writeUInt32LE(0, 10 + entries.length * 12);
  for (let c = 0; c < channels; c++) head.writeUInt16LE(8, bitsAt + c * 2);
  icc.copy(head, iccAt);
  return Buffer.concat([head, data]);
}
