// The in-memory hand-off of decoded model input from the thumbnail stage to the stages that read pixels (CLIP's
// embedding, OCR, faces, the perceptual hash), so a photo is decoded once ([Note: decode once]). Bounded per kind; entries expire; a miss only
// costs a re-read.
import type { RgbPixels } from '../media/decode.ts';

/**
 * What an input is for: CLIP's (reduced to twice its crop), OCR's (about 960 px on the long side), the faces
 * stage's (the same pixels as OCR's, held once) or the phash stage's (the 64 × 64 square of media/phash.ts, 12 kB).
 */
export type HandoffKind = 'clip' | 'ocr' | 'faces' | 'hash';

interface Entry {
  fingerprint: string;
  image: RgbPixels;
  at: number;
}

export class ModelInputHandoff {
  private readonly entries = new Map<HandoffKind, Map<number, Entry>>([
    ['clip', new Map()],
    ['ocr', new Map()],
    ['faces', new Map()],
    ['hash', new Map()],
  ]);
  private readonly capacities: Record<HandoffKind, number>;

  constructor(
    /** CLIP inputs held at most: the thumbnail stage waits while the hand-off is full. */
    readonly capacity = 48,
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
    /** OCR inputs held at most (each about 2 MB, against CLIP's 0.8). */
    ocrCapacity = 16,
    /** Hash squares held at most (12 kB each). */
    hashCapacity = 128,
    /** Face inputs held at most (OCR's size; the same pixels while OCR's entry is held too). */
    facesCapacity = 16,
  ) {
    this.capacities = { clip: capacity, ocr: ocrCapacity, faces: facesCapacity, hash: hashCapacity };
  }

  put(photoId: number, fingerprint: string, image: RgbPixels, kind: HandoffKind = 'clip'): void {
    const entries = this.entries.get(kind)!;
    entries.delete(photoId);
    entries.set(photoId, { fingerprint, image, at: this.clock() });
    while (entries.size > this.capacities[kind]) entries.delete(entries.keys().next().value!);
  }

  /** The photo's decoded input of this kind if it is here for this content, removing it. */
  take(photoId: number, fingerprint: string, kind: HandoffKind = 'clip'): RgbPixels | undefined {
    const entries = this.entries.get(kind)!;
    const e = entries.get(photoId);
    if (!e) return undefined;
    entries.delete(photoId);
    return e.fingerprint === fingerprint ? e.image : undefined;
  }

  /** Full (of one kind, or of any) after dropping expired entries (photos deleted or changed before they were taken). */
  full(kind?: HandoffKind): boolean {
    const old = this.clock() - this.ttlMs;
    for (const entries of this.entries.values()) for (const [id, e] of entries) if (e.at < old) entries.delete(id);
    const kinds: HandoffKind[] = kind ? [kind] : ['clip', 'ocr', 'faces', 'hash'];
    return kinds.some((k) => this.entries.get(k)!.size >= this.capacities[k]);
  }

  /** Entries held, of every kind. */
  get size(): number {
    let n = 0;
    for (const entries of this.entries.values()) n += entries.size;
    return n;
  }
}
