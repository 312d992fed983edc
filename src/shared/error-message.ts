// The message of anything thrown: the one helper every layer uses (the engine, the front doors and
// the window), so an error reads the same wherever it is reported.

/** An Error's message, an ApiError-like object's message, else the value as a string. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}
