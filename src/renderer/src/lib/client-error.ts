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
