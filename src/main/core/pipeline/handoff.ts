// The in-memory hand-off of decoded model input from the thumbnail stage to the embedding stage, so
// a photo is decoded once ([Note: decode once]). Bounded; entries expire; a miss only costs a re-read.
import type { RgbPixels } from '../media/decode.ts';

interface Entry {
  fingerprint: string;
  image: RgbPixels;
  at: number;
}

export class ModelInputHandoff {
  private readonly entries = new Map<number, Entry>();

  constructor(
    /** Entries held at most: the thumbnail stage waits while the hand-off is full. */
    readonly capacity = 48,
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  put(photoId: number, fingerprint: string, image: RgbPixels): void {
    this.entries.delete(photoId);
    this.entries.set(photoId, { fingerprint, image, at: this.clock() });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The photo's decoded input if it is here for this content, removing it. */
  take(photoId: number, fingerprint: string): RgbPixels | undefined {
    const e = this.entries.get(photoId);
    if (!e) return undefined;
    this.entries.delete(photoId);
    return e.fingerprint === fingerprint ? e.image : undefined;
  }

  /** Full after dropping expired entries (photos deleted or changed before they were embedded). */
  full(): boolean {
    const old = this.clock() - this.ttlMs;
    for (const [id, e] of this.entries) if (e.at < old) this.entries.delete(id);
    return this.entries.size >= this.capacity;
  }

  get size(): number {
    return this.entries.size;
  }
}
