// The caption check (after BLIP's CapFilt, with CLIP as the judge): a caption's score is the cosine
// between its CLIP text embedding and its photo's CLIP image embedding, and the threshold under
// which a caption is flagged is calibrated on the library itself.
import { dot } from '../ml/clip.ts';
import { mulberry32 } from '../random.ts';

/**
 * [Note: caption threshold] A caption is low-confidence when it matches its own photo no better
 * than captions match unrelated photos. Calibration scores a sample of the library's captions
 * against other photos (mismatched pairs, the distribution of a wrong caption) and takes its 95th
 * percentile: a caption under it scores like one written for a different picture. This needs no
 * labelled data and follows whatever CLIP model is active (scores of different models are not
 * comparable, so each model gets its own calibration). The setting caption_threshold overrides it
 * with a number.
 */
export interface CaptionCalibration {
  clipModel: string;
  threshold: number;
  /** Captions scored against their own photo: count and mean score. */
  positives: number;
  meanPositive: number;
  /** Mismatched pairs scored: count and mean score. */
  negatives: number;
  meanNegative: number;
  /** Share of captions under the threshold when it was set. */
  flaggedShare: number;
  at: string;
}

/** The fewest scored captions calibration runs on: fewer photos give too few mismatched pairs. */
export const MIN_CALIBRATION_CAPTIONS = 8;
export const NEGATIVE_QUANTILE = 0.95;

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of nothing');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}


export interface CalibrationInput {
  clipModel: string;
  captions: readonly { photoId: number; text: string; score: number }[];
  /** The photo's CLIP image embedding (unit length). */
  imageEmbedding(photoId: number): Float32Array | undefined;
  /** CLIP text embeddings (unit length), in order. */
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
  /** Captions sampled for mismatched pairs (default 256). */
  sample?: number;
  /** Other photos each sampled caption is scored against (default 16). */
  negativesPerCaption?: number;
}

export async function calibrateCaptions(input: CalibrationInput): Promise<CaptionCalibration | null> {
  const usable = input.captions.filter((c) => input.imageEmbedding(c.photoId));
  if (usable.length < MIN_CALIBRATION_CAPTIONS) return null;
  const rand = mulberry32(usable.length * 2654435761);
  const pool = [...usable];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const sample = pool.slice(0, input.sample ?? 256);
  const per = input.negativesPerCaption ?? 16;
  const vectors: Float32Array[] = [];
  const BATCH = 32;
  for (let i = 0; i < sample.length; i += BATCH) vectors.push(...(await input.embedTexts(sample.slice(i, i + BATCH).map((c) => c.text))));
  const negatives: number[] = [];
  sample.forEach((c, i) => {
    // Other photos, except those with the very same caption text (that pair is no mismatch).
    const others = usable.filter((u) => u.photoId !== c.photoId && u.text !== c.text);
    for (let k = 0; k < Math.min(per, others.length); k++) {
      const j = k + Math.floor(rand() * (others.length - k));
      [others[k], others[j]] = [others[j]!, others[k]!];
      negatives.push(dot(vectors[i]!, input.imageEmbedding(others[k]!.photoId)!));
    }
  });
  if (negatives.length === 0) return null;
  negatives.sort((a, b) => a - b);
  const threshold = +quantile(negatives, NEGATIVE_QUANTILE).toFixed(4);
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const scores = usable.map((c) => c.score);
  return {
    clipModel: input.clipModel,
    threshold,
    positives: usable.length,
    meanPositive: +mean(scores).toFixed(4),
    negatives: negatives.length,
    meanNegative: +mean(negatives).toFixed(4),
    flaggedShare: +(scores.filter((s) => s < threshold).length / scores.length).toFixed(4),
    at: new Date().toISOString(),
  };
}
