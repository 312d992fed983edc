// The exiftool that reads photos: one long-lived process pool shared by every media read (RAW
// previews and sizes, metadata), started on first use and ended by Library.close().
//
// exiftool is a Perl program; exiftool-vendored keeps it running (`-stay_open`) and feeds it one
// request at a time per process. Two processes, so a slow file (a RAW on a network drive) does not
// hold up the next one and the engine's other work keeps its CPU; each request has a time limit, after
// which its process is killed and replaced and the read fails with a clear reason. The pipeline
// retries a failed photo, so exiftool-vendored's own retry is off.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { MediaError } from './errors.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/** A single exiftool request that takes longer than this fails (configureMediaExiftool changes it). */
export const EXIFTOOL_TIMEOUT_MS = 20_000;

let shared: ExifTool | undefined;
let timeoutMs = EXIFTOOL_TIMEOUT_MS;

/** Sets the time limit of one request (tests; a slow network share); the processes already running end first. */
export async function configureMediaExiftool(options: { timeoutMs?: number }): Promise<void> {
  await endMediaExiftool();
  timeoutMs = options.timeoutMs ?? EXIFTOOL_TIMEOUT_MS;
}

/** The shared exiftool for media reads: started lazily, up to 2 processes, each request time-limited. */
export function mediaExiftool(): ExifTool {
  shared ??= new ExifTool({
    maxProcs: 2,
    minDelayBetweenSpawnMillis: 0,
    taskTimeoutMillis: timeoutMs,
    taskRetries: 0,
    // An idle process exits after a minute; the next read starts one again (~0.3 s).
    maxIdleMsPerProcess: 60_000,
    geolocation: false,
  });
  return shared;
}

/** Whether the shared exiftool is running (started and not ended). */
export function mediaExiftoolRunning(): boolean {
  return shared !== undefined;
}

/** Ends the shared exiftool, letting requests in flight finish; a later read starts a new one. */
export async function endMediaExiftool(): Promise<void> {
  const tool = shared;
  shared = undefined;
  if (tool) await tool.end();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/**
 * exiftool's JSON for `file` with `args` (tag names and options: -G1, -n, -b …), keyed as exiftool
 * writes them. A request that fails — timed out, exiftool's own error ("File format error",
 * "Unknown file type") — rejects with a MediaError that says why, in `what`'s words ("the RAW file").
 */
export async function exiftoolRead(file: string, args: string[], what = 'the file'): Promise<Record<string, unknown>> {
  let tags: Record<string, unknown>;
  try {
    tags = (await mediaExiftool().readRaw(file, { readArgs: args, useMWG: false })) as Record<string, unknown>;
  } catch (e) {
    throw describeExiftoolError(e, what);
  }
  const error = typeof tags.Error === 'string' ? tags.Error : null;
  if (error) throw new MediaError(`cannot read ${what}: exiftool says "${error}"`);
  return tags;
}

function describeExiftoolError(e: unknown, what: string): MediaError {
  const msg = errorMessage(e);
  if (/timeout|waited \d+ ?ms/i.test(msg)) {
    return new MediaError(`cannot read ${what}: exiftool took longer than ${timeoutMs / 1000} s and was stopped`);
  }
  if (/ENOENT|not found|No such file/i.test(msg)) return new MediaError('the file disappeared while it was read');
  if (/ended|shut ?down/i.test(msg)) return new MediaError(`cannot read ${what}: exiftool was shutting down`);
  return new MediaError(`cannot read ${what}: exiftool says "${msg.replace(/\s+-\s+\S+$/, '').trim()}"`);
}

let scratch: string | undefined;
let extracted = 0;

/**
 * The bytes of one binary tag of `file` (an embedded image: "SubIFD:JpgFromRaw"). exiftool writes
 * them to a private temporary file, read back and removed: its JSON output would carry them as
 * base64, which takes it 15 times longer for a 4 MB preview.
 */
export async function exiftoolExtract(file: string, tag: string, what = 'the file'): Promise<Buffer> {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-exiftool-'));
  const dest = path.join(scratch, `${process.pid}-${(extracted++).toString(36)}.bin`);
  try {
    await mediaExiftool().extractBinaryTag(tag, file, dest);
    return await fs.promises.readFile(dest);
  } catch (e) {
    throw describeExiftoolError(e, what);
  } finally {
    await fs.promises.rm(dest, { force: true });
  }
}
