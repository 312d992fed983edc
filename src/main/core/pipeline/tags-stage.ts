// The zero-shot tag stage (the CLIP paper's classifier): labels scored against a photo's embedding.
import type { ItemResult, StageBody, StageDeps } from './stage.ts';
import type { LabelMatrix } from '../ml/service.ts';

export interface TagPolicy {
  /** Softmax temperature: CLIP's learned logit scale (100). */
  logitScale: number;
  /** Keep labels whose probability is at least this. */
  minProbability: number;
  /** At most this many automatic tags per photo. */
  maxTags: number;
}

export const DEFAULT_TAG_POLICY: TagPolicy = { logitScale: 100, minProbability: 0.1, maxTags: 5 };

/** Scores every label for one image embedding: softmax over the vocabulary, best first. */
export function zeroShot(vector: Float32Array, labels: LabelMatrix, policy: TagPolicy = DEFAULT_TAG_POLICY): { tag: string; score: number }[] {
  const n = labels.labels.length;
  const logits = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * labels.dim;
    for (let d = 0; d < labels.dim; d++) s += vector[d]! * labels.matrix[base + d]!;
    logits[i] = s * policy.logitScale;
    if (logits[i]! > max) max = logits[i]!;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += logits[i] = Math.exp(logits[i]! - max);
  const scored: { tag: string; score: number }[] = [];
  for (let i = 0; i < n; i++) {
    const p = logits[i]! / sum;
    if (p >= policy.minProbability) scored.push({ tag: labels.labels[i]!, score: +p.toFixed(4) });
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, policy.maxTags);
}

export function tagsStage(deps: StageDeps, policy: TagPolicy = DEFAULT_TAG_POLICY): StageBody {
  return {
    priority: 2,
    batchSize: 64,
    concurrency: 1,
    requires: ['embed'],
    unavailable: () => deps.ml.clipUnavailable() ?? (deps.ml.clipSpec()?.clip?.text ? null : 'the active CLIP model has no text encoder, so it cannot tag'),
    async runBatch(photos): Promise<ItemResult[]> {
      const enc = await deps.ml.clip();
      const labels = await deps.ml.labelMatrix(enc);
      return photos.map((photo): ItemResult => {
        const vector = deps.catalog.embedding(photo.id, enc.spec.id);
        if (!vector) return { ok: false, error: `no ${enc.spec.id} embedding yet` };
        const tags = zeroShot(vector, labels, policy);
        return {
          ok: true,
          commit: () => {
            deps.catalog.setAutoTags(photo.id, enc.spec.id, tags);
            deps.onAnnotated?.(photo.id);
          },
        };
      });
    },
  };
}
