// The contract between the window and the engine: IPC channel names, the API the preload exposes, and argument checks.
import type { LibraryStatus, PhotoSummary, StageProgress } from './types.ts';

/** IPC channel names. `invoke` channels answer one call; `progress` is pushed from main to the window. */
export const CHANNELS = {
  status: 'shoebox:status',
  list: 'shoebox:list',
  progress: 'shoebox:progress',
} as const;

export interface ListOptions {
  limit?: number;
  offset?: number;
}

/** What the preload puts on `window.shoebox`. Every call crosses into the main process. */
export interface ShoeboxApi {
  status(): Promise<LibraryStatus>;
  list(opts?: ListOptions): Promise<PhotoSummary[]>;
  /** Calls `cb` with every stage's progress as the pipeline reports it; returns the unsubscribe function. */
  onProgress(cb: (progress: StageProgress[]) => void): () => void;
}

const LIST_KEYS: ReadonlySet<string> = new Set(['limit', 'offset']);

function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`list: ${name} must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks the argument of `list` where it enters the main process: undefined, or a plain object
 * with only `limit` and `offset`, each a non-negative integer when present. Throws otherwise.
 */
export function validateListArgs(x: unknown): ListOptions {
  if (x === undefined) return {};
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    throw new Error(`list: options must be an object like { limit, offset }, got ${describe(x)}`);
  }
  for (const key of Object.keys(x)) {
    if (!LIST_KEYS.has(key)) throw new Error(`list: unknown option ${JSON.stringify(key)} (allowed: limit, offset)`);
  }
  const { limit, offset } = x as Record<string, unknown>;
  const out: ListOptions = {};
  const l = checkCount('limit', limit);
  const o = checkCount('offset', offset);
  if (l !== undefined) out.limit = l;
  if (o !== undefined) out.offset = o;
  return out;
}
