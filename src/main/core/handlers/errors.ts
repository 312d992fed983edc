// The handlers' errors: ApiFailure (a handler's error with its code), toApiError (any thrown value as it
// crosses a boundary) and callApi (the one place where an argument is checked and an error becomes
// an ApiError; the Electron IPC binding and `shoebox serve` both enter the handlers through it).
import { NotInLibraryError } from '../annotate/editor.ts';
import { EditError } from '../annotate/edits.ts';
import { ModelError } from '../models/errors.ts';
import { FolderError } from '../folder-error.ts';
import { API_ERROR_CODES, type ApiError, type ApiHandlers } from '../../../shared/contract.ts';
import type { ApiResult } from '../../../shared/bridge.ts';
import { ApiValidationError, isMethodName, validateArgs } from '../../../shared/validate.ts';

/** An error with its ApiError code, thrown by handlers (not found, unsupported…). */
export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const API_CODES: ReadonlySet<string> = new Set<string>(API_ERROR_CODES);

/** Any thrown value as it crosses a boundary: validation or an edit that cannot be made → invalid-argument, unknown photo or model → not-found, else failed. */
export function toApiError(e: unknown): ApiError {
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error';
  if (e instanceof ApiValidationError) return { code: 'invalid-argument', message };
  if (e instanceof ApiFailure) return { code: e.code, message };
  if (e instanceof NotInLibraryError) return { code: 'not-found', message };
  if (e instanceof EditError) return { code: 'invalid-argument', message };
  // A folder that is not there is not found; a file is the wrong argument; one that cannot be read failed.
  if (e instanceof FolderError) return { code: e.code === 'not-found' ? 'not-found' : e.code === 'not-a-directory' ? 'invalid-argument' : 'failed', message };
  if (e instanceof ModelError) {
    if (e.code === 'unknown-model') return { code: 'not-found', message };
    if (e.code === 'invalid') return { code: 'invalid-argument', message };
    return { code: 'failed', message };
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof Error && typeof code === 'string' && API_CODES.has(code)) return { code: code as ApiError['code'], message };
  return { code: 'failed', message };
}

/**
 * Checks a raw argument (from IPC or HTTP) with validateArgs, calls the handler and answers the
 * result or the ApiError; never throws. Every binding enters the engine through here.
 */
export async function callApi(handlers: ApiHandlers, method: string, raw: unknown): Promise<ApiResult<unknown>> {
  try {
    if (!isMethodName(method)) throw new ApiValidationError(`unknown method ${JSON.stringify(method)}`);
    const args = validateArgs(method, raw);
    const handler = handlers[method] as (a: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(args) };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}
