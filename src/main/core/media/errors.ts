// The error about one photo that the pipeline records on that photo, worded for the person who owns it.

/** An error about one photo, worded for the person who owns it. */
export class MediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaError';
  }
}
