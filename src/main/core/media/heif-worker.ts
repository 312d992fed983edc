// The HEIF decoder thread: libheif (libheif-js, WebAssembly, with libde265 for HEVC) decodes one
// HEIC at a time here, so the engine's event loop never waits on it ([Note: HEIF decoding]).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { errorMessage } from '../../../shared/error-message.ts';

export interface HeifRequest {
  id: number;
  file: string;
  /** The long edge the caller needs; an embedded thumbnail at least this large (and of the same shape) is decoded instead. */
  needLongEdge: number;
  /** Refuse a primary image with more pixels than this (the header was checked; this is the decoder's own limit). */
  maxPixels: number;
  /** Test hooks only: die in the middle of this request. */
  crash?: 'exit' | 'abort';
}

export type HeifResponse =
  | {
      id: number;
      ok: true;
      /** Upright 8-bit pixels, rows packed, `channels` per pixel; transferred, not copied. */
      data: ArrayBuffer;
      width: number;
      height: number;
      channels: 3 | 4;
      /** Which image was decoded: the primary one, or an embedded thumbnail of it. */
      source: 'primary' | 'thumbnail';
      /** The primary image's upright size, as libheif sees it. */
      primaryWidth: number;
      primaryHeight: number;
      /** The worker thread that decoded it. */
      threadId: number;
      /** The WebAssembly heap's size after the decode (it never shrinks). */
      heapBytes: number;
      ms: number;
    }
  | { id: number; ok: false; error: string; heapBytes: number; fatal: boolean };

/** The part of the libheif-js module used here: libheif's C API as exported by Emscripten. */
interface Libheif {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  calledRun?: boolean;
  onRuntimeInitialized?: () => void;
  _malloc(n: number): number;
  _free(p: number): void;
  _heif_context_alloc(): number;
  _heif_context_free(ctx: number): void;
  _heif_context_read_from_memory_without_copy(err: number, ctx: number, mem: number, size: number, options: number): void;
  _heif_context_get_primary_image_handle(err: number, ctx: number, out: number): void;
  _heif_image_handle_get_width(h: number): number;
  _heif_image_handle_get_height(h: number): number;
  _heif_image_handle_has_alpha_channel(h: number): number;
  _heif_image_handle_get_number_of_thumbnails(h: number): number;
  _heif_image_handle_get_list_of_thumbnail_IDs(h: number, ids: number, count: number): number;
  _heif_image_handle_get_thumbnail(err: number, h: number, id: number, out: number): void;
  _heif_image_handle_release(h: number): void;
  _heif_decode_image(err: number, h: number, out: number, colorspace: number, chroma: number, options: number): void;
  _heif_image_get_width(img: number, channel: number): number;
  _heif_image_get_height(img: number, channel: number): number;
  _heif_image_get_plane_readonly(img: number, channel: number, stride: number): number;
  _heif_image_release(img: number): void;
}

const COLORSPACE_RGB = 1;
const CHROMA_RGB = 10; // heif_chroma_interleaved_RGB
const CHROMA_RGBA = 11; // heif_chroma_interleaved_RGBA
const CHANNEL_INTERLEAVED = 10;

const hooks = (workerData as { testHooks?: boolean } | null)?.testHooks === true;
/** What an Emscripten abort or a wasm trap throws (Node has it; TypeScript's lib here does not declare it). */
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError;

function loadLibheif(): Promise<Libheif> {
  const require = createRequire(import.meta.url);
  const factory = require('libheif-js/libheif-wasm/libheif.js') as (o: object) => Libheif;
  const quiet = () => {};
  // The module the pool compiled once for all its workers (compiled code, tiered up, is shared);
  // else the plain-wasm build's binary from the package (libheif-js's own `wasm.js` reads it
  // relative to the working directory, and its bundled build carries it as base64).
  const compiled = (workerData as { wasmModule?: unknown } | null)?.wasmModule;
  const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: unknown, imports: unknown) => unknown } }).WebAssembly;
  const options = compiled
    ? {
        // Synchronously, as this build of libheif-js instantiates (its exports are read right after).
        instantiateWasm(imports: unknown, receive: (instance: unknown, module: unknown) => unknown) {
          return receive(new wasm.Instance(compiled, imports), compiled);
        },
      }
    : { wasmBinary: fs.readFileSync(require.resolve('libheif-js/libheif-wasm/libheif.wasm')) };
  const m = factory({ ...options, print: quiet, printErr: quiet });
  if (m.calledRun) return Promise.resolve(m);
  return new Promise((resolve) => {
    m.onRuntimeInitialized = () => resolve(m);
  });
}

class HeifError extends Error {}

/** Decodes the primary image (or its thumbnail) of one file into packed upright 8-bit pixels. */
function decode(m: Libheif, req: HeifRequest): Omit<HeifResponse & { ok: true }, 'id' | 'ok' | 'threadId' | 'heapBytes' | 'ms'> {
  const scratch = m._malloc(64); // heif_error (12 bytes), out-pointers, the thumbnail id list
  const err = scratch;
  const out = scratch + 16;
  const stride = scratch + 20;
  let input = 0;
  let ctx = 0;
  let primary = 0;
  let chosen = 0;
  let image = 0;
  const check = (what: string) => {
    const code = m.HEAP32[err >> 2]!;
    if (code === 0) return;
    const msgPtr = m.HEAP32[(err >> 2) + 2]!;
    const heap = m.HEAPU8;
    const msg = msgPtr ? Buffer.from(heap.subarray(msgPtr, heap.indexOf(0, msgPtr))).toString('utf8') : `error ${code}`;
    throw new HeifError(`${what}: ${msg}`);
  };
  try {
    // The file goes straight into the wasm heap (read here, in the worker): no copy on the main thread.
    const fd = fs.openSync(req.file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      input = m._malloc(size);
      if (!input) throw new HeifError(`out of memory reading ${size} bytes`);
      for (let done = 0; done < size; ) {
        const n = fs.readSync(fd, m.HEAPU8, input + done, size - done, done);
        if (n === 0) throw new HeifError('the file shrank while it was read');
        done += n;
      }
      ctx = m._heif_context_alloc();
      m._heif_context_read_from_memory_without_copy(err, ctx, input, size, 0);
      check('cannot read the HEIF structure');
    } finally {
      fs.closeSync(fd);
    }
    if (hooks && req.crash === 'exit') process.exit(70);
    if (hooks && req.crash === 'abort') throw new RuntimeError('Aborted(test hook)');
    m._heif_context_get_primary_image_handle(err, ctx, out);
    check('no primary image');
    primary = m.HEAP32[out >> 2]!;
    // libheif reports sizes after the container's transformations (irot, imir, clap).
    const pw = m._heif_image_handle_get_width(primary);
    const ph = m._heif_image_handle_get_height(primary);
    if (pw * ph > req.maxPixels) throw new HeifError(`the image is ${pw}×${ph}, over the pixel limit`);
    chosen = primary;
    let source: 'primary' | 'thumbnail' = 'primary';
    const count = Math.min(m._heif_image_handle_get_number_of_thumbnails(primary), 8);
    if (count > 0 && req.needLongEdge < Math.max(pw, ph)) {
      const ids = scratch + 24;
      const n = m._heif_image_handle_get_list_of_thumbnail_IDs(primary, ids, count);
      let best = 0;
      let bestLong = Infinity;
      for (let i = 0; i < n; i++) {
        m._heif_image_handle_get_thumbnail(err, primary, m.HEAP32[(ids >> 2) + i]!, out);
        if (m.HEAP32[err >> 2] !== 0) continue;
        const t = m.HEAP32[out >> 2]!;
        const tw = m._heif_image_handle_get_width(t);
        const th = m._heif_image_handle_get_height(t);
        const long = Math.max(tw, th);
        // Large enough, and the same picture: upright the same way (a thumbnail without the
        // primary's rotation would have the other shape) and not letterboxed.
        const sameShape = Math.abs(tw / th - pw / ph) <= 0.01 * (pw / ph) + 1 / Math.min(tw, th);
        if (long >= req.needLongEdge && sameShape && long < bestLong) {
          if (best) m._heif_image_handle_release(best);
          best = t;
          bestLong = long;
        } else {
          m._heif_image_handle_release(t);
        }
      }
      if (best) {
        chosen = best;
        source = 'thumbnail';
      }
    }
    const alpha = m._heif_image_handle_has_alpha_channel(chosen) !== 0;
    const channels = alpha ? 4 : 3;
    // Default decoding options: transformations applied, any bit depth converted to 8 bits.
    m._heif_decode_image(err, chosen, out, COLORSPACE_RGB, alpha ? CHROMA_RGBA : CHROMA_RGB, 0);
    check('cannot decode the image');
    image = m.HEAP32[out >> 2]!;
    const width = m._heif_image_get_width(image, CHANNEL_INTERLEAVED);
    const height = m._heif_image_get_height(image, CHANNEL_INTERLEAVED);
    const plane = m._heif_image_get_plane_readonly(image, CHANNEL_INTERLEAVED, stride);
    if (!plane || width <= 0 || height <= 0) throw new HeifError('the decoder returned no pixels');
    const rowBytes = width * channels;
    const pitch = m.HEAP32[stride >> 2]!;
    // Out of the wasm heap into memory of our own, which is transferred to the caller.
    const data = new ArrayBuffer(rowBytes * height);
    const dst = new Uint8Array(data);
    const heap = m.HEAPU8;
    if (pitch === rowBytes) dst.set(heap.subarray(plane, plane + rowBytes * height));
    else for (let y = 0; y < height; y++) dst.set(heap.subarray(plane + y * pitch, plane + y * pitch + rowBytes), y * rowBytes);
    return { data, width, height, channels, source, primaryWidth: pw, primaryHeight: ph };
  } finally {
    if (image) m._heif_image_release(image);
    if (chosen && chosen !== primary) m._heif_image_handle_release(chosen);
    if (primary) m._heif_image_handle_release(primary);
    if (ctx) m._heif_context_free(ctx);
    if (input) m._free(input);
    m._free(scratch);
  }
}

if (parentPort) {
  const port = parentPort;
  const ready = loadLibheif();
  port.on('message', (req: HeifRequest) => {
    void ready.then(
      (m) => {
        const t0 = performance.now();
        try {
          const r = decode(m, req);
          const res: HeifResponse = { id: req.id, ok: true, ...r, threadId, heapBytes: m.HEAPU8.byteLength, ms: performance.now() - t0 };
          port.postMessage(res, [r.data]);
        } catch (e) {
          // An abort or a trap (out of memory inside libheif, an assertion) leaves the wasm
          // instance unusable: the pool retires this worker.
          const fatal = e instanceof RuntimeError || !(e instanceof HeifError || (e instanceof Error && 'code' in e));
          const res: HeifResponse = { id: req.id, ok: false, error: errorMessage(e), heapBytes: m.HEAPU8.byteLength, fatal };
          port.postMessage(res);
        }
      },
      (e: unknown) => {
        port.postMessage({ id: req.id, ok: false, error: `libheif did not load: ${errorMessage(e)}`, heapBytes: 0, fatal: true } satisfies HeifResponse);
      },
    );
  });
}
