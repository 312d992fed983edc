// Checks a method's argument where it enters the main process (IPC, HTTP) against its schema in
// schema.ts: plain objects with known keys only, each value of the right type and range. Throws
// ApiValidationError saying what is wrong, in words: valibot's first issue, with its path.
import * as v from 'valibot';
import { METHOD_NAMES, type ArgsOf, type MethodName } from './contract.ts';
import { ARGS, NO_ARGUMENT, isPlainObject } from './schema.ts';

export { MAX_LIST_LIMIT, MAX_SEARCH_LIMIT, MAX_TAG, MAX_TAGS, MAX_TEXT } from './schema.ts';

/** A bad argument: the caller's mistake, reported with code 'invalid-argument'. */
export class ApiValidationError extends Error {
  readonly code = 'invalid-argument' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ApiValidationError';
  }
}

const METHODS: ReadonlySet<string> = new Set(METHOD_NAMES);

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && METHODS.has(x);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  switch (typeof x) {
    case 'string':
      return x.length > 40 ? `a string of ${x.length} characters` : JSON.stringify(x);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(x);
    case 'undefined':
      return 'nothing';
    case 'object':
      return isPlainObject(x) ? 'an object' : `a ${(x as object).constructor?.name ?? 'non-plain object'}`;
    default:
      return `a ${typeof x}`;
  }
}

/** Where a value is, as messages name it: "search", "search.filters.from", "addTags.tags[1]". */
function where(method: string, path: readonly v.IssuePathItem[]): string {
  return method + path.map((item) => (item.type === 'array' ? `[${item.key}]` : `.${String(item.key)}`)).join('');
}

/**
 * One issue in words. Two are about keys (their last path item has origin 'key'): an unknown key
 * (expected 'never'; its message lists the allowed keys) and a missing one. Every other message
 * says what the value must be.
 */
function sentence(method: string, issue: v.BaseIssue<unknown>): string {
  const path = issue.path ?? [];
  const last = path.at(-1);
  if (last?.type === 'object' && last.origin === 'key') {
    const at = where(method, path.slice(0, -1));
    return issue.expected === 'never' ? `${at}: unknown key ${JSON.stringify(last.key)} ${issue.message}` : `${at}: ${last.key} is required`;
  }
  return `${where(method, path)} must be ${issue.message}, got ${describe(issue.input)}`;
}

/**
 * Checks the argument of `method` and returns a clean copy (only the known keys, undefined ones
 * dropped). A method that takes no argument accepts undefined, null or {}; one whose keys are all
 * optional also accepts undefined or null (as {}). Throws ApiValidationError otherwise.
 */
export function validateArgs<M extends MethodName>(method: M, x: unknown): ArgsOf<M> {
  if (!isMethodName(method)) throw new ApiValidationError(`unknown method ${describe(method)}; methods: ${METHOD_NAMES.join(', ')}`);
  const schema: v.GenericSchema = ARGS[method];
  // abortEarly: the first issue is the one reported, and checking stops there.
  const result = v.safeParse(schema, x, { abortEarly: true });
  if (result.success) return result.output as ArgsOf<M>;
  if (schema === NO_ARGUMENT) throw new ApiValidationError(`${method} takes no argument, got ${describe(x)}`);
  throw new ApiValidationError(sentence(method, result.issues[0]));
}
