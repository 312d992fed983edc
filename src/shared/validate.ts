// Checks a method's argument where it enters the main process (IPC, HTTP): plain objects with known
// keys only, each value of the right type and range. Throws ApiValidationError saying what is wrong.
import { METHOD_NAMES, type ArgsOf, type MethodName } from './contract.ts';

/** A bad argument: the caller's mistake, reported with code 'invalid-argument'. */
export class ApiValidationError extends Error {
  readonly code = 'invalid-argument' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ApiValidationError';
  }
}

/** The longest string any argument may be (paths, queries, captions). */
export const MAX_TEXT = 4096;
/** The longest tag, and the most tags one call may add or remove. */
export const MAX_TAG = 200;
export const MAX_TAGS = 50;
/** The most photos one page of the grid, and one search, may ask for. */
export const MAX_LIST_LIMIT = 1000;
export const MAX_SEARCH_LIMIT = 500;

const METHODS: ReadonlySet<string> = new Set(METHOD_NAMES);

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && METHODS.has(x);
}

/** Checks one value; `at` names it in messages ("listPhotos: limit"). Returns the value to keep. */
type Check = (v: unknown, at: string) => unknown;

/** An object argument: each key's check and whether it must be there. */
interface Shape {
  fields: Record<string, { check: Check; required: boolean }>;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'nothing';
    case 'object':
      return isPlainObject(v) ? 'an object' : `a ${(v as object).constructor?.name ?? 'non-plain object'}`;
    default:
      return `a ${typeof v}`;
  }
}

function fail(at: string, what: string, v: unknown): never {
  throw new ApiValidationError(`${at} must be ${what}, got ${describe(v)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function int(min: number, max: number = Number.MAX_SAFE_INTEGER): Check {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  return (v, at) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) fail(at, `a whole number ${range}`, v);
    return v;
  };
}

const id: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(at, 'a photo id (a whole number, 1 or more)', v);
  return v;
};

function text(opts: { nonEmpty?: boolean; max?: number; what?: string } = {}): Check {
  const max = opts.max ?? MAX_TEXT;
  const what = opts.what ?? (opts.nonEmpty ? 'a non-empty string' : 'a string');
  return (v, at) => {
    if (typeof v !== 'string') fail(at, `${what} of at most ${max} characters`, v);
    if (opts.nonEmpty && v.trim() === '') fail(at, what, v);
    if (v.length > max) fail(at, `${what} of at most ${max} characters`, v);
    if (v.includes('\0')) fail(at, `${what} without NUL characters`, v);
    return v;
  };
}

const nonEmpty = text({ nonEmpty: true });
const name = text({ nonEmpty: true, max: MAX_TAG });

/** A path the engine can use as is: absolute (POSIX, a Windows drive, or a UNC share). */
const absolutePath: Check = (v, at) => {
  const s = text({ nonEmpty: true, what: 'an absolute path' })(v, at) as string;
  if (!(s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\'))) fail(at, 'an absolute path (e.g. /home/ann/Photos or C:\\Photos)', v);
  return s;
};

const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const date: Check = (v, at) => {
  if (typeof v !== 'string' || !DATE.test(v)) fail(at, "a date like '2024-07-31' or an ISO time like '2024-07-31T18:30:00'", v);
  return v;
};

const tags: Check = (v, at) => {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_TAGS) fail(at, `a list of 1 to ${MAX_TAGS} tags`, v);
  return v.map((t, i) => name(t, `${at}[${i}]`));
};

const filters: Check = (v, at) =>
  object(
    {
      fields: {
        folder: { check: absolutePath, required: false },
        from: { check: date, required: false },
        to: { check: date, required: false },
        camera: { check: nonEmpty, required: false },
      },
    },
    v,
    at,
  );

function object(shape: Shape, v: unknown, at: string): Record<string, unknown> {
  if (!isPlainObject(v)) fail(at, `an object with ${describeKeys(shape)}`, v);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    if (!Object.hasOwn(shape.fields, key)) {
      const known = Object.keys(shape.fields);
      throw new ApiValidationError(`${at}: unknown key ${JSON.stringify(key)}${known.length ? ` (allowed: ${known.join(', ')})` : ' (it takes none)'}`);
    }
  }
  for (const [key, field] of Object.entries(shape.fields)) {
    const value = v[key];
    if (value === undefined) {
      if (field.required) throw new ApiValidationError(`${at}: ${key} is required`);
      continue;
    }
    out[key] = field.check(value, `${at}.${key}`);
  }
  return out;
}

function describeKeys(shape: Shape): string {
  const keys = Object.entries(shape.fields).map(([k, f]) => (f.required ? k : `${k}?`));
  return keys.length ? `{ ${keys.join(', ')} }` : 'no keys';
}

const req = (check: Check) => ({ check, required: true });
const opt = (check: Check) => ({ check, required: false });

/** Each method's argument: null for methods that take none. */
const SHAPES: { [M in MethodName]: Shape | null } = {
  status: null,
  listPhotos: { fields: { offset: opt(int(0)), limit: opt(int(1, MAX_LIST_LIMIT)), folder: opt(absolutePath), tag: opt(name) } },
  photo: { fields: { id: req(id) } },
  search: { fields: { query: req(nonEmpty), limit: opt(int(1, MAX_SEARCH_LIMIT)), filters: opt(filters) } },
  similar: { fields: { id: req(id), limit: opt(int(1, MAX_SEARCH_LIMIT)), filters: opt(filters) } },
  setCaption: { fields: { id: req(id), text: req(text()) } },
  addTags: { fields: { id: req(id), tags: req(tags) } },
  removeTags: { fields: { id: req(id), tags: req(tags) } },
  tagCounts: { fields: { limit: opt(int(1, MAX_LIST_LIMIT)) } },
  folders: null,
  addFolder: { fields: { path: req(absolutePath) } },
  removeFolder: { fields: { path: req(absolutePath) } },
  pause: null,
  resume: null,
  retryFailed: { fields: { stage: opt(name) } },
  models: null,
  downloadModel: { fields: { id: req(name) } },
  importModel: { fields: { id: req(name), folder: req(absolutePath) } },
  settings: null,
  setSetting: { fields: { key: req(name), value: req(text()) } },
  revealPhoto: { fields: { id: req(id) } },
  pickFolder: null,
};

/**
 * Checks the argument of `method` and returns a clean copy (only the known keys, undefined ones
 * dropped). A method that takes no argument accepts undefined, null or {}; one whose keys are all
 * optional also accepts undefined or null (as {}). Throws ApiValidationError otherwise.
 */
export function validateArgs<M extends MethodName>(method: M, x: unknown): ArgsOf<M> {
  if (!isMethodName(method)) throw new ApiValidationError(`unknown method ${describe(method)}; methods: ${METHOD_NAMES.join(', ')}`);
  const shape = SHAPES[method];
  if (shape === null) {
    if (x === undefined || x === null || (isPlainObject(x) && Object.keys(x).length === 0)) return undefined as ArgsOf<M>;
    throw new ApiValidationError(`${method} takes no argument, got ${describe(x)}`);
  }
  const optional = Object.values(shape.fields).every((f) => !f.required);
  if (optional && (x === undefined || x === null)) return {} as ArgsOf<M>;
  return object(shape, x, method) as ArgsOf<M>;
}
