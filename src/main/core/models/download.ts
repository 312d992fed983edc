// Hub downloads of model files: resumable (.part + Range), redirect-aware, size- and sha256-checked, placed atomically.
import { createHash, type Hash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { hashFileInto, sha256File } from '../hash.ts';
import { ModelError } from './errors.ts';
import { hubFileUrl, resolveHubEndpoint } from './hub.ts';
import { checkRelativePath, modelFilePath } from './paths.ts';
import { ProgressTracker, type FileProgress, type ProgressListener } from './progress.ts';
import type { ModelFile, ModelSpec } from './spec.ts';

const USER_AGENT = 'shoebox (model download)';
const MAX_REDIRECTS = 10;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface DownloadOptions {
  /** Hub endpoint, e.g. from resolveHubEndpoint(setting); default https://huggingface.co. */
  endpoint?: string;
  /** Bearer token; default $HF_TOKEN. Sent only to the endpoint, never to the CDN it redirects to. */
  token?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Give up on a request when no bytes arrive for this long (ms); default 30 000. */
  stallTimeoutMs?: number;
  /** How often an interrupted or stalled transfer is resumed within this call; default 3. */
  retries?: number;
  /** First pause before a retry (ms), doubled each time; default 1000. */
  retryDelayMs?: number;
  /** Least time between two 'progress' events of a file (ms); default 100. */
  progressIntervalMs?: number;
}

export interface DownloadResult {
  /** Files fetched (or finished from a complete .part) by this call. */
  downloaded: string[];
  /** Files that were already in place and valid. */
  skipped: string[];
  /** Bytes transferred over the network by this call. */
  bytes: number;
}

/** What a file should be: from the pin, else from the hub's headers. */
interface Expect {
  size?: number;
  sha256?: string;
  /** Where sha256 came from, for messages. */
  shaFrom?: 'pinned' | 'reported by the hub';
}

interface Ctx {
  spec: ModelSpec;
  folder: string;
  endpoint: string;
  endpointOrigin: string;
  token: string | undefined;
  signal: AbortSignal | undefined;
  stallMs: number;
  retries: number;
  retryDelayMs: number;
  tracker: ProgressTracker;
  bytes: number;
}

/**
 * Downloads every file of `spec` into `folder` (the hub layout). Files already there and valid are
 * skipped; a `.part` left by an interrupted run is resumed with an HTTP Range request. Each file is
 * checked against its pinned size and sha256, else against the size and sha256 the hub reports
 * (X-Linked-Size / X-Linked-Etag), and renamed into place only when it passes.
 */
export async function downloadModel(spec: ModelSpec, folder: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  // A model of another hub (ModelSpec.hub: ModelScope) comes from there, without the Hugging Face mirror or token.
  const endpoint = spec.hub ? resolveHubEndpoint(spec.hub, {}) : resolveHubEndpoint(opts.endpoint);
  const ctx: Ctx = {
    spec,
    folder,
    endpoint,
    endpointOrigin: new URL(endpoint).origin,
    token: spec.hub ? undefined : (opts.token ?? (process.env.HF_TOKEN || undefined)),
    signal: opts.signal,
    stallMs: opts.stallTimeoutMs ?? 30_000,
    retries: opts.retries ?? 3,
    retryDelayMs: opts.retryDelayMs ?? 1000,
    tracker: new ProgressTracker(spec.id, opts.onProgress, opts.progressIntervalMs ?? 100),
    bytes: 0,
  };
  const result: DownloadResult = { downloaded: [], skipped: [], bytes: 0 };
  let current = '';
  try {
    for (const f of spec.files) checkRelativePath(f.path, 'model file');
    ctx.tracker.files = spec.files.length;

    // Plan: what each file should be, and which are already in place.
    const todo: Array<{ file: ModelFile; expect: Expect; progress: FileProgress }> = [];
    for (const f of spec.files) {
      current = f.path;
      throwIfAborted(ctx, f.path);
      const expect: Expect = { size: f.size, sha256: f.sha256?.toLowerCase(), shaFrom: f.sha256 ? 'pinned' : undefined };
      const progress = ctx.tracker.file(f.path, f.size ?? 0);
      progress.emit('initiate');
      if (!expect.sha256) {
        const meta = await headMeta(ctx, f.path);
        if (meta.sha256) Object.assign(expect, { sha256: meta.sha256, shaFrom: 'reported by the hub' });
        expect.size ??= meta.size;
        progress.total = expect.size ?? 0;
      }
      const dest = modelFilePath(folder, f.path);
      if (await alreadyValid(dest, expect, progress)) {
        await fsp.rm(dest + '.part', { force: true });
        ctx.tracker.filesDone++;
        progress.emit('done', { skipped: true });
        result.skipped.push(f.path);
        continue;
      }
      ctx.tracker.total += expect.size ?? 0;
      todo.push({ file: f, expect, progress });
    }

    for (const { file, expect, progress } of todo) {
      current = file.path;
      await fetchWithRetries(ctx, file.path, expect, progress);
      ctx.tracker.filesDone++;
      progress.emit('done', { skipped: false });
      result.downloaded.push(file.path);
    }
    result.bytes = ctx.bytes;
    ctx.tracker.ready();
    return result;
  } catch (err) {
    ctx.tracker.error(current, (err as Error).message);
    throw err;
  }
}

async function alreadyValid(dest: string, expect: Expect, progress: FileProgress): Promise<boolean> {
  const st = await fsp.stat(dest).catch(() => null);
  if (!st?.isFile()) return false;
  if (expect.size !== undefined && st.size !== expect.size) return false;
  if (!expect.sha256) return true;
  progress.emit('verify');
  return (await sha256File(dest)) === expect.sha256;
}

function throwIfAborted(ctx: Ctx, file: string): void {
  if (ctx.signal?.aborted) throw abortedError(ctx, file);
}

function abortedError(ctx: Ctx, file: string): ModelError {
  return new ModelError('aborted', `the download of ${ctx.spec.id} was cancelled at ${file}; run it again to resume`, { file });
}

async function fetchWithRetries(ctx: Ctx, file: string, expect: Expect, progress: FileProgress): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchFile(ctx, file, expect, progress);
      return;
    } catch (err) {
      if (!(err instanceof ModelError) || !err.retryable || attempt >= ctx.retries || ctx.signal?.aborted) throw err;
      await sleep(ctx.retryDelayMs * 2 ** attempt, ctx.signal).catch(() => {
        throw abortedError(ctx, file);
      });
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One request's life: a stall timer over the caller's signal, and how its failures read. */
class Attempt {
  private readonly controller = new AbortController();
  readonly signal: AbortSignal;
  private timer: NodeJS.Timeout | undefined;
  stalled = false;
  private readonly ctx: Ctx;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    this.signal = ctx.signal ? AbortSignal.any([ctx.signal, this.controller.signal]) : this.controller.signal;
    this.kick();
  }

  kick(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stalled = true;
      this.controller.abort(new Error('stalled'));
    }, this.ctx.stallMs);
    this.timer.unref();
  }

  end(): void {
    clearTimeout(this.timer);
  }

  /** Turns a fetch or body-read failure into a ModelError. */
  failure(err: unknown, url: string, file: string, phase: 'connect' | 'body', detail = ''): ModelError {
    if (err instanceof ModelError) return err;
    const { ctx } = this;
    if (ctx.signal?.aborted) return abortedError(ctx, file);
    const origin = new URL(url).origin;
    const host = origin === ctx.endpointOrigin ? ctx.endpoint : `${origin} (where ${ctx.endpoint} redirected)`;
    const seconds = Math.round(ctx.stallMs / 100) / 10;
    if (phase === 'connect') {
      const reason = this.stalled ? `no answer in ${seconds} s` : describeNetworkError(err);
      return new ModelError(
        'unreachable',
        `cannot reach ${host} (${reason}); check the network, set a mirror with \`shoebox settings set hub_endpoint <url>\`, ` +
          `or import a folder you already have with \`shoebox models import ${ctx.spec.id} <folder>\``,
        { file, cause: err },
      );
    }
    if (this.stalled) {
      return new ModelError('stalled', `no data from ${host} for ${seconds} s while downloading ${file}${detail}; the partial file was kept, run the download again to resume`, {
        file,
        retryable: true,
        cause: err,
      });
    }
    return new ModelError('interrupted', `the download of ${file} was interrupted${detail} (${describeNetworkError(err)}); the partial file was kept, run the download again to resume`, {
      file,
      retryable: true,
      cause: err,
    });
  }
}

function describeNetworkError(err: unknown): string {
  let e: unknown = err;
  // fetch wraps the socket error: TypeError('fetch failed', { cause }); happy-eyeballs wraps several in an AggregateError.
  for (let i = 0; i < 4; i++) {
    const cause = (e as { cause?: unknown })?.cause;
    if (e instanceof AggregateError && e.errors.length) e = e.errors[0];
    else if (cause && (e as Error).message && /fetch failed|terminated/i.test((e as Error).message)) e = cause;
    else break;
  }
  const code = (e as { code?: unknown })?.code;
  const message = (e as Error)?.message || String(e);
  if (typeof code === 'string' && !message.includes(code)) return message ? `${code}: ${message}` : code;
  return message;
}

interface RemoteMeta {
  size?: number;
  sha256?: string;
}

function headerSha(value: string | null): string | undefined {
  if (!value) return undefined;
  const v = value.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return SHA256_HEX.test(v) ? v : undefined;
}

function headerInt(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function readLinked(headers: Headers, meta: RemoteMeta): void {
  meta.sha256 ??= headerSha(headers.get('x-linked-etag'));
  meta.size ??= headerInt(headers.get('x-linked-size'));
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

/**
 * Sends a request and follows redirects by hand, so the hub's own first answer (with X-Linked-Etag
 * and X-Linked-Size for LFS files) is seen. A HEAD stops at the first answer that names the file's
 * hash or size. The token goes only to the endpoint's origin.
 */
async function open(ctx: Ctx, attempt: Attempt, method: 'GET' | 'HEAD', file: string, rangeFrom = 0): Promise<{ res: Response; meta: RemoteMeta; url: string }> {
  const meta: RemoteMeta = {};
  const start = hubFileUrl(ctx.endpoint, ctx.spec.repo, ctx.spec.revision, file);
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': USER_AGENT };
    if (rangeFrom > 0) headers.range = `bytes=${rangeFrom}-`;
    const sameOrigin = new URL(url).origin === ctx.endpointOrigin;
    if (ctx.token && sameOrigin) headers.authorization = `Bearer ${ctx.token}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, redirect: 'manual', signal: attempt.signal });
    } catch (err) {
      throw attempt.failure(err, url, file, 'connect');
    }
    attempt.kick();
    readLinked(res.headers, meta);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await discard(res);
      if (method === 'HEAD' && (meta.sha256 || meta.size !== undefined)) return { res, meta, url };
      url = new URL(location, url).toString();
      continue;
    }
    // A hub answering a LFS file directly (some mirrors) names its sha256 in the ETag.
    if (res.ok && sameOrigin) meta.sha256 ??= headerSha(res.headers.get('etag'));
    return { res, meta, url };
  }
  throw new ModelError('http', `too many redirects fetching ${file} from ${start}`, { file });
}

function httpError(ctx: Ctx, res: Response, url: string, file: string): ModelError {
  const s = res.status;
  if (s === 401 || s === 403) {
    return new ModelError('http', `${ctx.endpoint} refused ${file} of ${ctx.spec.repo} (HTTP ${s}); the repo may be gated or private: accept its terms on the hub and set HF_TOKEN`, { file });
  }
  if (s === 404) {
    return new ModelError('http', `${file} is not at ${url} (HTTP 404); check the model's repo and revision, or whether the mirror ${ctx.endpoint} has it`, { file });
  }
  const retryable = s >= 500 || s === 429;
  return new ModelError('http', `${new URL(url).origin} answered HTTP ${s} ${res.statusText} for ${file}${retryable ? '; try again later' : ''}`, { file, retryable });
}

/** The size and sha256 the hub reports for a file, from a HEAD that does not follow the CDN redirect. */
async function headMeta(ctx: Ctx, file: string): Promise<RemoteMeta> {
  const attempt = new Attempt(ctx);
  try {
    const { res, meta, url } = await open(ctx, attempt, 'HEAD', file);
    if (res.status >= 300 && res.status < 400) return meta;
    if (!res.ok) throw httpError(ctx, res, url, file);
    if (!res.headers.get('content-encoding')) meta.size ??= headerInt(res.headers.get('content-length'));
    return meta;
  } finally {
    attempt.end();
  }
}

/** `bytes 100-199/1000` → start 100, total 1000; `bytes *\/1000` (a 416's) → start -1, total 1000. */
function parseContentRange(value: string | null): { start: number; total?: number } | null {
  const m = value && /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return null;
  return { start: m[1] === undefined ? -1 : Number(m[1]), total: m[2] === '*' || m[2] === undefined ? undefined : Number(m[2]) };
}

/** One attempt at one file: resume a .part if any, stream into it while hashing, check, rename into place. */
async function fetchFile(ctx: Ctx, file: string, expect: Expect, progress: FileProgress): Promise<void> {
  const dest = modelFilePath(ctx.folder, file);
  const part = dest + '.part';
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  throwIfAborted(ctx, file);

  let hash = createHash('sha256');
  let offset = 0;
  progress.reset();
  const st = await fsp.stat(part).catch(() => null);
  if (st && (st.size === 0 || (expect.size !== undefined && st.size > expect.size))) {
    await fsp.rm(part, { force: true });
  } else if (st) {
    progress.emit('verify');
    offset = await hashFileInto(part, hash);
    progress.already(offset);
  }
  if (offset > 0 && offset === expect.size) return finish(ctx, file, expect, part, dest, hash, offset);

  const attempt = new Attempt(ctx);
  let received = 0;
  try {
    let { res, meta, url } = await open(ctx, attempt, 'GET', file, offset);
    if (res.status === 416 && offset > 0) {
      // The part is as long as the file, or longer: check what we have, else start over.
      await discard(res);
      const total = expect.size ?? meta.size ?? parseContentRange(res.headers.get('content-range'))?.total;
      if (total === offset) {
        expect.size ??= total;
        return await finish(ctx, file, expect, part, dest, hash, offset);
      }
      ({ res, meta, url } = await restart());
    }
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'));
      if (!range || range.start !== offset) {
        await discard(res);
        ({ res, meta, url } = await restart());
      } else if (range.total !== undefined) {
        expect.size ??= range.total;
      }
    }
    if (res.status === 200 && offset > 0) {
      // The server ignored Range: start the file over from its first byte.
      offset = 0;
      hash = createHash('sha256');
      progress.reset();
    }
    if (res.status !== 200 && res.status !== 206) {
      await discard(res);
      throw httpError(ctx, res, url, file);
    }
    if (meta.sha256 && !expect.sha256) Object.assign(expect, { sha256: meta.sha256, shaFrom: 'reported by the hub' });
    expect.size ??= meta.size;
    if (res.status === 200 && !res.headers.get('content-encoding')) expect.size ??= headerInt(res.headers.get('content-length'));
    if (expect.size !== undefined && progress.total !== expect.size) {
      if (progress.total === 0) ctx.tracker.total += expect.size;
      progress.total = expect.size;
    }
    progress.emit('download', { resumeFrom: offset });

    const fh = await fsp.open(part, offset > 0 ? 'a' : 'w').catch((err: Error) => {
      throw new ModelError('io', `cannot write ${part}: ${err.message}`, { file, cause: err });
    });
    try {
      const reader = res.body?.getReader();
      for (;;) {
        if (!reader) break;
        const chunk = await reader.read().catch((err: unknown) => {
          const of = expect.size !== undefined ? ` of ${expect.size}` : '';
          throw attempt.failure(err, url, file, 'body', ` after ${offset + received}${of} bytes`);
        });
        if (chunk.done) break;
        attempt.kick();
        const bytes = chunk.value;
        if (expect.size !== undefined && offset + received + bytes.length > expect.size) {
          await reader.cancel().catch(() => {});
          await fh.close();
          await fsp.rm(part, { force: true });
          throw new ModelError('mismatch', `size mismatch for ${file} of ${ctx.spec.id}: expected ${expect.size} bytes, the server sent more; the bad download was deleted`, { file });
        }
        hash.update(bytes);
        try {
          await fh.write(bytes);
        } catch (err) {
          await reader.cancel().catch(() => {});
          throw new ModelError('io', `cannot write ${part}: ${(err as Error).message}`, { file, cause: err });
        }
        received += bytes.length;
        ctx.bytes += bytes.length;
        progress.advance(bytes.length);
      }
      await fh.datasync();
    } finally {
      await fh.close().catch(() => {});
    }
  } finally {
    attempt.end();
  }
  return finish(ctx, file, expect, part, dest, hash, offset + received);

  async function restart() {
    await fsp.rm(part, { force: true });
    offset = 0;
    hash = createHash('sha256');
    progress.reset();
    const again = await open(ctx, attempt, 'GET', file, 0);
    return again;
  }
}

async function finish(ctx: Ctx, file: string, expect: Expect, part: string, dest: string, hash: Hash, size: number): Promise<void> {
  if (expect.size !== undefined && size < expect.size) {
    throw new ModelError('interrupted', `the download of ${file} ended early at ${size} of ${expect.size} bytes; the partial file was kept, run the download again to resume`, {
      file,
      retryable: true,
    });
  }
  if (expect.size !== undefined && size !== expect.size) {
    await fsp.rm(part, { force: true });
    throw new ModelError('mismatch', `size mismatch for ${file} of ${ctx.spec.id}: expected ${expect.size} bytes, got ${size}; the bad download was deleted`, { file });
  }
  const actual = hash.digest('hex');
  if (expect.sha256 && actual !== expect.sha256) {
    await fsp.rm(part, { force: true });
    throw new ModelError(
      'mismatch',
      `sha256 mismatch for ${file} of ${ctx.spec.id}: expected ${expect.sha256} (${expect.shaFrom ?? 'pinned'}), got ${actual}; the bad download was deleted`,
      { file },
    );
  }
  await fsp.rename(part, dest);
}
