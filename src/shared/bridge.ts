// What the preload puts on `window.shoebox` in the app: the contract's methods and events over IPC.
// The renderer's IPC client wraps it into a ShoeboxClient (unwrapping results, throwing ApiErrors).
import type { ApiError, ApiEvents, ArgsOf, EventName, MethodName, ResultOf } from './contract.ts';

/** A method's answer as it crosses a boundary: errors keep their code (IPC would drop it from an Error). */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ShoeboxBridge {
  /** Calls a method in the main process; never rejects for an engine error, it answers `{ ok: false, error }`. */
  invoke<M extends MethodName>(method: M, ...args: ArgsOf<M> extends void ? [] : [ArgsOf<M>]): Promise<ApiResult<ResultOf<M>>>;
  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void;
}

/** The global name the bridge is exposed under (`window.shoebox`). */
export const BRIDGE_GLOBAL = 'shoebox';
