// The one error type of model acquisition (download, import, verify, the models folder): a code and a sentence for the user.

export type ModelErrorCode =
  /** The hub (or the CDN it redirected to) could not be reached at all. */
  | 'unreachable'
  /** The server answered with an HTTP error. */
  | 'http'
  /** A file's size or sha256 is not what the pin or the hub says: the bad copy was deleted. */
  | 'mismatch'
  /** The transfer broke off; the `.part` file was kept and the next download resumes it. */
  | 'interrupted'
  /** No bytes arrived for `stallTimeoutMs`; the `.part` file was kept. */
  | 'stalled'
  /** The caller's AbortSignal fired; the `.part` file was kept. */
  | 'aborted'
  /** A file or folder that should be there is not. */
  | 'missing'
  /** A model id nobody knows. */
  | 'unknown-model'
  /** Bad input: a manifest, a path, an endpoint. */
  | 'invalid'
  /** Reading or writing the disk failed. */
  | 'io';

/** Every failure of model acquisition: `message` is a sentence fit to show the user as is. */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  /** The model file concerned, when there is one. */
  readonly file: string | undefined;
  /** Whether trying again may help (interrupted transfers, server errors). */
  readonly retryable: boolean;
  constructor(code: ModelErrorCode, message: string, opts: { file?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ModelError';
    this.code = code;
    this.file = opts.file;
    this.retryable = opts.retryable ?? false;
  }
}
