// The error every client method throws: the engine's ApiError (its code and message) on either door.
import type { ApiError } from '../../../shared/contract.ts';

export class ClientError extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** A thrown value's message, for a ClientError made from a transport failure. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
