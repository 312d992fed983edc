// The captioning service the caption stage runs: a sentence per photo from the active captioner,
// scored by the CLIP check, and decoded again with beam search when it scores under the threshold
// (BLIP's CapFilt, with CLIP as the judge: [Note: caption threshold]).
import fs from 'node:fs';
import type { Catalog, PhotoRow } from '../catalog/catalog.ts';
import type { Annotations, AutoCaption } from '../catalog/annotations.ts';
import type { CacheStore } from '../media/cache.ts';
import type { MediaOptions } from '../media/decode.ts';
import { readModelInput } from '../media/model-input.ts';
import { dot } from '../ml/clip.ts';
import type { CaptionImage, CaptionOutput } from '../ml/caption-runner.ts';
import type { MlService } from '../ml/service.ts';
import type { ModelSpec } from '../models/spec.ts';
import type { CaptionWork, ItemResult } from '../pipeline/stage.ts';
import { captionConfig, captionTask, type CaptionConfig, type Decoding } from './config.ts';
import { errorMessage } from '../../../shared/error-message.ts';

export interface CaptionerDeps {
  catalog: Catalog;
  cache: CacheStore;
  media: MediaOptions;
  ml: MlService;
  /** Captions and tags. */
  annotations: Annotations;
  /** The caption check's threshold now (calibrated or set), or null before there is one. */
  threshold: () => number | null;
  /** A photo's automatic caption changed (its XMP sidecar is due). */
  onAnnotated?: (photoId: number) => void;
}

export class Captioner implements CaptionWork {
  constructor(private readonly deps: CaptionerDeps) {}

  private readonly get = (k: string): string | undefined => this.deps.catalog.setting(k);

  unavailable(): string | null {
    return captionConfig(this.get).enabled ? this.deps.ml.captionUnavailable() : 'captioning is turned off (shoebox settings set captions on)';
  }

  async captionBatch(photos: readonly PhotoRow[]): Promise<ItemResult[]> {
    const cfg = captionConfig(this.get);
    const { spec } = this.deps.ml.captionModel();
    const batch = new CaptionBatch(this.deps, photos, cfg, spec, this.deps.threshold());
    await batch.captionNew();
    await batch.scoreKept();
    await batch.recheckWeak();
    return batch.results();
  }
}

/** Whether a photo's stored automatic caption can be kept (only its score is refreshed). */
function reusable(existing: AutoCaption | undefined, spec: ModelSpec, task: string | null): boolean {
  return !!existing && existing.modelId === spec.id && existing.revision === spec.revision && existing.task === task;
}

type Scored = { c: CaptionOutput; score: number | null };

/** One batch of photos through the captioner and the check; photos are referred to by index. */
class CaptionBatch {
  private readonly task: string | null;
  /** A photo that failed (unreadable): its result, final. */
  private readonly failed: (ItemResult | undefined)[];
  private readonly found: ((AutoCaption & { createdAt: number }) | undefined)[];
  /** The caption each photo has now, and the decodings that led to it. */
  private readonly texts: (CaptionOutput & { decoding: string })[];
  /** Photos whose caption is to be generated: new, or another model or task. */
  private readonly todo: number[] = [];
  private readonly images = new Map<number, CaptionImage>();
  private readonly scores = new Map<number, number | null>();

  constructor(
    private readonly deps: CaptionerDeps,
    private readonly photos: readonly PhotoRow[],
    private readonly cfg: CaptionConfig,
    private readonly spec: ModelSpec,
    private readonly threshold: number | null,
  ) {
    this.task = captionTask(spec.caption!.arch, cfg);
    this.failed = new Array(photos.length);
    this.texts = new Array(photos.length);
    this.found = photos.map((p) => deps.annotations.autoCaption(p.id));
    photos.forEach((_, i) => {
      const c = this.found[i];
      if (reusable(c, spec, this.task)) this.texts[i] = { text: c!.text, tokens: 0, truncated: false, decoding: c!.decoding };
      else this.todo.push(i);
    });
  }

  /** 1. New captions: generated with the first decoding, the best-scoring candidate kept. */
  async captionNew(): Promise<void> {
    await this.load(this.todo);
    const ready = this.todo.filter((i) => this.images.has(i));
    await this.pickBest(ready, await this.generate(ready, this.cfg.first), this.cfg.first.label);
  }

  /** 2. Kept captions are only scored again. */
  async scoreKept(): Promise<void> {
    const kept = this.photos.map((_, i) => i).filter((i) => !this.todo.includes(i) && this.texts[i]?.text);
    (await this.score(kept, kept.map((i) => this.texts[i]!.text))).forEach((s, k) => this.scores.set(kept[k]!, s));
  }

  /** 3. A weak greedy caption is decoded again with beam search; the better-scoring caption stays. */
  async recheckWeak(): Promise<void> {
    const { recheckBeams } = this.cfg;
    const threshold = this.threshold;
    if (recheckBeams <= 0 || threshold === null) return;
    const weak = this.photos
      .map((_, i) => i)
      .filter((i) => this.texts[i]?.text && this.texts[i]!.decoding === 'greedy' && (this.scores.get(i) ?? Infinity) < threshold);
    await this.load(weak.filter((i) => !this.images.has(i)));
    const recheck = weak.filter((i) => this.images.has(i));
    const beam: Decoding = { beams: recheckBeams, samples: 0, label: `beam${recheckBeams}` };
    await this.pickBest(recheck, await this.generate(recheck, beam), beam.label);
  }

  /** Each photo's outcome: its failure, or its caption to commit with its provenance. */
  results(): ItemResult[] {
    const { spec, task, threshold } = this;
    return this.photos.map((photo, i): ItemResult => {
      const failed = this.failed[i];
      if (failed) return failed;
      const t = this.texts[i];
      if (!t?.text) return { ok: false, error: 'the captioner returned an empty caption' };
      const score = this.scores.get(i) ?? null;
      const caption: AutoCaption = {
        text: t.text,
        modelId: spec.id,
        revision: spec.revision,
        task,
        decoding: t.decoding,
        score,
        lowConfidence: threshold !== null && score !== null && score < threshold,
      };
      const old = this.found[i];
      const unchanged = !!old && old.text === caption.text;
      // A kept caption keeps its time: provenance says when the model wrote it.
      const when = unchanged && old.modelId === spec.id && old.revision === spec.revision ? old.createdAt : Date.now();
      return {
        ok: true,
        commit: () => {
          this.deps.annotations.setAutoCaption(photo.id, caption, when);
          if (!unchanged) this.deps.onAnnotated?.(photo.id);
        },
      };
    });
  }

  /** Reads the photos' images for the captioner; an unreadable photo fails. */
  private async load(idx: readonly number[]): Promise<void> {
    const { deps, photos } = this;
    await Promise.all(
      idx.map(async (i) => {
        try {
          // The photo itself, reduced on load; a preview the photo view made serves while it is offline.
          const edge = deps.ml.captionSourceEdge();
          const rgb = await readModelInput(photos[i]!.path, edge, deps.media).catch((e: unknown) => {
            const preview = deps.cache.targets(photos[i]!.fingerprint!).preview;
            if (fs.existsSync(preview)) return readModelInput(preview, edge, deps.media);
            throw e;
          });
          this.images.set(i, { data: rgb.data.buffer.slice(rgb.data.byteOffset, rgb.data.byteOffset + rgb.data.byteLength) as ArrayBuffer, width: rgb.width, height: rgb.height });
        } catch (e) {
          this.failed[i] = { ok: false, error: errorMessage(e) };
        }
      }),
    );
  }

  /** Greedy or beam: one caption per photo. Sampled: `samples` candidates per photo, grouped by photo. */
  private async generate(idx: readonly number[], d: Decoding): Promise<CaptionOutput[][]> {
    if (idx.length === 0) return [];
    const { captions } = await this.deps.ml.caption(
      idx.map((i) => this.images.get(i)!),
      { task: this.task ?? undefined, samples: d.samples, beams: d.beams, maxTokens: this.cfg.maxTokens },
    );
    const per = Math.max(1, d.samples);
    return idx.map((_, k) => captions.slice(k * per, (k + 1) * per));
  }

  /** The CLIP check: each caption against its photo (null without a CLIP model or embedding). */
  private async score(idx: readonly number[], captions: readonly string[]): Promise<(number | null)[]> {
    const { deps, photos } = this;
    if (idx.length === 0 || deps.ml.clipUnavailable()) return idx.map(() => null);
    const enc = await deps.ml.clip();
    const vecs = await enc.embedTexts(captions);
    return idx.map((i, k) => {
      const image = deps.catalog.embedding(photos[i]!.id, enc.spec.id);
      return image ? +dot(vecs[k]!, image).toFixed(4) : null;
    });
  }

  /** Scores every candidate of each photo and keeps the best (the first when none is scored). */
  private async pickBest(idx: readonly number[], candidates: CaptionOutput[][], decoding: string): Promise<void> {
    const flat = idx.flatMap((i, k) => candidates[k]!.filter((c) => c.text).map((c) => ({ i, c })));
    const s = await this.score(flat.map((f) => f.i), flat.map((f) => f.c.text));
    idx.forEach((i) => {
      let best: Scored | null = null;
      flat.forEach((f, k) => {
        if (f.i !== i) return;
        if (!best || (s[k] ?? -Infinity) > (best.score ?? -Infinity)) best = { c: f.c, score: s[k] ?? null };
      });
      const chosen = best as Scored | null;
      if (!chosen) return;
      const old = this.scores.get(i);
      const current = this.texts[i];
      if (current?.text && old !== undefined && old !== null && (chosen.score ?? -Infinity) <= old) {
        current.decoding = `${current.decoding},${decoding}`;
        return;
      }
      this.texts[i] = { ...chosen.c, decoding };
      this.scores.set(i, chosen.score);
    });
  }
}
