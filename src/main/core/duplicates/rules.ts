// The rules of duplicates ([Note: duplicate kinds]): what the pixels and the capture times say of a pair of photos,
// and which photo of a group to keep. Pure.
import { alignedCorrelation, chromaDistance, hammingDistance, MIN_STRUCTURE } from '../media/phash.ts';
import type { GroupedPhotoFacts } from '../catalog/photo-hashes.ts';

// [Note: duplicate kinds]
// Three kinds, never mixed:
//   - exact: the same content fingerprint (SHA-256 of the bytes) at two paths;
//   - same photo: the same image in other bytes — resized, re-encoded, converted, metadata stripped, rotated by EXIF
//     or in pixels (the signature is of the upright image), lightly cropped or adjusted. A pair is the same photo
//     when its pixels say so (SAME below) and its capture times do not say otherwise: copies keep the capture date
//     (a converter that strips it leaves none, which says nothing), and burst frames differ in it (the second, or
//     SubSecTime). Only capture times read from the photo's metadata count (EXIF, XMP, IPTC, QuickTime, the GPS
//     stamp): a time taken from the file name or the file's modification time is no evidence either way;
//   - similar shots: bursts and retakes, two photos whose capture times are within SIMILAR_WINDOW_S of each other
//     (and not equal) and that look alike (SIMILAR), or whose CLIP vectors are that close (SIMILAR_CLIP).
// The pixels' rule for structured images: the 64-bit pHashes at most SAME_HASH_RADIUS (7) bits apart (the
// candidates multi-index hashing finds, core/duplicates/finder.ts) — or at most TIMED_HASH_RADIUS for two photos with
// the same capture time, which finds crops of up to 10 % a side (a crop without a capture time is found only when
// its hash moved by 7 bits or fewer: a 3 % crop mostly, a 5 % one seldom) — and the fine grids' best aligned correlation at least
// SAME_CORRELATION. Measured on the 200 Flickr8k photos (scripts/bench-duplicates.ts): resizing, re-encoding (JPEG
// quality 10 too), PNG and WebP, EXIF rotation and brightness or contrast move the hash by at most 6 bits and keep the
// correlation over 0.95; a 3 % crop on every side moves it by up to 10 bits (correlation ≥ 0.92), 5 % up to 16;
// unrelated photos are 16 bits apart or more, with correlations up to 0.86.
// A near-uniform image (structure under MIN_STRUCTURE: a wall, the sky, a lens cap) has a hash of noise and a grid
// of amplified noise: it is never a candidate by its hash, and two of them are the same photo only when both carry
// the same capture time and their colour is the same (chromaticity within UNIFORM_CHROMA). Two different photos of
// one colour therefore never group unless a camera took them in the same instant.
// Groups are connected components of the pairs, but a component never joins two photos whose known capture times
// differ (pairs are joined strongest first), so a stripped copy cannot bridge two frames of a burst into one photo.

export const SAME_HASH_RADIUS = 7;
export const TIMED_HASH_RADIUS = 22;
export const SAME_CORRELATION = 0.89;
export const SIMILAR_HASH_RADIUS = 24;
export const SIMILAR_CORRELATION = 0.75;
export const SIMILAR_CLIP = 0.92;
export const SIMILAR_WINDOW_S = 10;
export const UNIFORM_CHROMA = 0.01;

/** Date sources that are the photo's own record of when it was taken ([Note: capture date] in media/dates.ts). */
const METADATA_TIME_SOURCES = new Set(['exif', 'xmp', 'iptc', 'quicktime', 'exif-digitized', 'gps']);

/** A capture time as the rules compare it: local wall-clock seconds, and whether it has sub-seconds. */
export interface CaptureTime {
  seconds: number;
  subSeconds: boolean;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?/;

/** The photo's capture time from its metadata, or null (none, a date without a time, or from the file name or mtime). */
export function captureTime(takenAt: string | null, source: string | null): CaptureTime | null {
  if (!takenAt || !source || !METADATA_TIME_SOURCES.has(source)) return null;
  const m = TIME.exec(takenAt);
  if (!m) return null;
  const s = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
  return { seconds: s + (m[7] ? Number(`0${m[7]}`) : 0), subSeconds: m[7] !== undefined };
}

/** How two capture times relate: the same instant, a whole number of hours apart (a time zone fixed), near, or not. */
export type TimeRelation = 'unknown' | 'equal' | 'zone' | 'near' | 'far';

export function timeRelation(a: CaptureTime | null, b: CaptureTime | null): TimeRelation {
  if (!a || !b) return 'unknown';
  // Sub-seconds count only when both have them (a tool may drop SubSecTime and keep the time).
  const d = a.subSeconds && b.subSeconds ? Math.abs(a.seconds - b.seconds) : Math.abs(Math.floor(a.seconds) - Math.floor(b.seconds));
  if (d < 0.0005) return 'equal';
  if (d <= SIMILAR_WINDOW_S) return 'near';
  if (d <= 14 * 3600 && Math.abs(d / 3600 - Math.round(d / 3600)) < 1e-6) return 'zone';
  return 'far';
}

/** Whether two capture times allow the photos to be one: neither known, or the same instant (or zone-shifted). */
export function timesAgree(r: TimeRelation): boolean {
  return r === 'unknown' || r === 'equal' || r === 'zone';
}

/** What a signature holds that the rules read. */
export interface SignatureView {
  hi: number;
  lo: number;
  grid: Int8Array;
  chroma: ArrayLike<number>;
  structure: number;
}

/** What the pixels say of a pair: the hash distance and (when the hashes are near enough to matter) the correlation. */
export interface PixelScore {
  hamming: number;
  /** The grids' best aligned correlation (or the first over SAME_CORRELATION); NaN when the hashes are too far apart to matter. */
  correlation: number;
  /** Both near-uniform, with the same colour: the same photo only with the same capture time. */
  uniformMatch: boolean;
  /** Exactly one of them is near-uniform: never the same photo. */
  mixed: boolean;
}

export function isUniform(s: SignatureView): boolean {
  return s.structure < MIN_STRUCTURE;
}

export function pixelScore(a: SignatureView, b: SignatureView): PixelScore {
  const hamming = hammingDistance(a, b);
  const ua = isUniform(a);
  const ub = isUniform(b);
  if (ua || ub) {
    const uniformMatch = ua && ub && chromaDistance(a.chroma, b.chroma) <= UNIFORM_CHROMA && Math.abs(a.structure - b.structure) <= 3;
    return { hamming, correlation: Number.NaN, uniformMatch, mixed: ua !== ub };
  }
  // Enough once it passes the same-photo threshold: the rules compare with thresholds only.
  const correlation = hamming <= Math.max(TIMED_HASH_RADIUS, SIMILAR_HASH_RADIUS) ? alignedCorrelation(a.grid, b.grid, SAME_CORRELATION) : Number.NaN;
  return { hamming, correlation, uniformMatch: false, mixed: false };
}

/** Whether the pixels make the pair the same photo, given how their capture times relate. */
export function pixelsSame(p: PixelScore, time: TimeRelation): boolean {
  if (p.mixed) return false;
  if (p.uniformMatch || Number.isNaN(p.correlation)) return p.uniformMatch && time === 'equal';
  const radius = time === 'equal' ? TIMED_HASH_RADIUS : SAME_HASH_RADIUS;
  return p.hamming <= radius && p.correlation >= SAME_CORRELATION;
}

/** Whether the pixels make the pair look alike enough for similar shots. */
export function pixelsSimilar(p: PixelScore): boolean {
  return !p.mixed && !p.uniformMatch && p.hamming <= SIMILAR_HASH_RADIUS && p.correlation >= SIMILAR_CORRELATION;
}

// ── the keeper ──────────────────────────────────────────────────────────────────────────────────

/** Formats cameras and phones write; the others (PNG, WebP, GIF, BMP, AVIF) are conversions and screenshots. */
const CAMERA_FORMATS = new Set(['jpeg', 'heif', 'raw', 'tiff']);

/** Whether a photo has a capture time from its metadata. */
function hasMetadataDate(p: GroupedPhotoFacts): boolean {
  return !!p.takenAt && !!p.takenAtSource && METADATA_TIME_SOURCES.has(p.takenAtSource);
}

/** Each rule's value for a photo, higher better, in the order the rules are applied. */
function ruleValues(p: GroupedPhotoFacts): number[] {
  const original = (CAMERA_FORMATS.has(p.format ?? '') ? 2 : 0) + (p.cameraMake || p.cameraModel ? 1 : 0);
  return [
    original,
    (p.width ?? 0) * (p.height ?? 0),
    p.hasEdits ? 1 : 0,
    (hasMetadataDate(p) ? 1 : 0) + (p.hasGps ? 1 : 0),
    -p.mtimeMs,
  ];
}

/**
 * The photo to keep, by the rules in order: the original format over a re-encode (a camera's format with the
 * camera's EXIF over a conversion), the largest resolution, the user's edits, the richest metadata (date, GPS), the
 * oldest file; then the larger file, then the photo found first. With the reasons, in short words: the rules where
 * the keeper is as good as every other photo and better than one.
 */
export function chooseKeeper(photos: readonly GroupedPhotoFacts[]): { keeper: GroupedPhotoFacts; reasons: string[] } {
  const values = new Map(photos.map((p) => [p.id, [...ruleValues(p), p.size, -p.id]]));
  const sorted = [...photos].sort((a, b) => {
    const va = values.get(a.id)!;
    const vb = values.get(b.id)!;
    for (let i = 0; i < va.length; i++) if (va[i] !== vb[i]) return vb[i]! - va[i]!;
    return 0;
  });
  const keeper = sorted[0]!;
  const others = photos.filter((p) => p.id !== keeper.id);
  const reasons: string[] = [];
  const better = (f: (p: GroupedPhotoFacts) => number): boolean => {
    const k = f(keeper);
    return others.every((o) => f(o) <= k) && others.some((o) => f(o) < k);
  };
  const v = (i: number) => (p: GroupedPhotoFacts) => ruleValues(p)[i]!;
  if (better(v(0))) reasons.push('original format');
  if (better(v(1))) reasons.push('largest');
  if (better(v(2))) reasons.push('has edits');
  if (better((p) => (hasMetadataDate(p) ? 1 : 0))) reasons.push('has date');
  if (better((p) => (p.hasGps ? 1 : 0))) reasons.push('has GPS');
  if (better(v(4))) reasons.push('oldest');
  if (reasons.length === 0) reasons.push(better((p) => p.size) ? 'largest file' : 'found first');
  return { keeper, reasons };
}
