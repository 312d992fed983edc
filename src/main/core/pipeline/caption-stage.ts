// The caption stage: a sentence per photo from the active captioner, scored by the CLIP check, and
// decoded again with beam search when it scores under the threshold (BLIP's CapFilt, with CLIP).
import fs from 'node:fs';
import path from 'node:path';
import type { ItemResult, StageBody, StageDeps } from './stage.ts';
import type { PhotoRow } from '../catalog/catalog.ts';
import type { AutoCaption } from '../catalog/annotations.ts';
import { parseProcessorConfig } from '../ml/preprocess.ts';
import { readModelInput } from '../media/model-input.ts';
import { dot } from '../ml/clip.ts';
import { CAPTION_TASKS, readSetting } from '../settings.ts';
import type { CaptionImage, CaptionOutput } from '../ml/caption-runner.ts';
import type { ModelSpec } from '../models/spec.ts';

export interface Decoding {
  /** Over 1: beam search. */
  beams: number;
  /** Over 0: this many sampled candidates. */
  samples: number;
  label: string;
}

export interface CaptionConfig {
  enabled: boolean;
  task: string;
  /** The first decoding: greedy, beam search or sampled candidates, and its label for provenance. */
  first: Decoding;
  /** Beams for a recheck of a weak greedy caption; 0 turns rechecks off. */
  recheckBeams: number;
  maxTokens: number;
}

export function captionConfig(get: (key: string) => string | undefined): CaptionConfig {
  const beams = Number(readSetting(get, 'caption_beams'));
  const samples = Number(readSetting(get, 'caption_samples'));
  const mode = readSetting(get, 'caption_decoding');
  const first: Decoding =
    mode === 'beam' ? { beams, samples: 0, label: `beam${beams}` } : mode === 'sampled' ? { beams: 1, samples, label: `sample${samples}` } : { beams: 1, samples: 0, label: 'greedy' };
  return {
    enabled: readSetting(get, 'captions') === 'on',
    task: CAPTION_TASKS[readSetting(get, 'caption_task')] ?? '<CAPTION>',
    first,
    recheckBeams: mode === 'greedy' && readSetting(get, 'caption_recheck') === 'on' ? beams : 0,
    maxTokens: Number(readSetting(get, 'caption_max_tokens')),
  };
}

/** The longest side a captioner's processor resizes to: what the photo is reduced to first. */
const edgeCache = new Map<string, number>();
function captionEdge(folder: string): number {
  let edge = edgeCache.get(folder);
  if (edge === undefined) {
    const json = JSON.parse(fs.readFileSync(path.join(folder, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
    const cfg = parseProcessorConfig(json);
    edge = Math.max(cfg.shortestEdge, cfg.cropWidth, cfg.cropHeight);
    edgeCache.set(folder, edge);
  }
  return edge;
}

/** Whether a photo's stored automatic caption can be kept (only its score is refreshed). */
function reusable(existing: AutoCaption | undefined, spec: ModelSpec, task: string | null): boolean {
  return !!existing && existing.modelId === spec.id && existing.revision === spec.revision && existing.task === task;
}

export function captionStage(deps: StageDeps, opts: { batchSize?: number } = {}): StageBody {
  const get = (k: string) => deps.catalog.setting(k);
  return {
    priority: 3,
    batchSize: opts.batchSize ?? 4,
    concurrency: 1,
    // The check needs the photo's CLIP embedding; the image is read from the photo.
    requires: ['thumb', 'embed'],
    unavailable: () => (captionConfig(get).enabled ? deps.ml.captionUnavailable() : 'captioning is turned off (shoebox settings set captions on)'),
    async runBatch(photos: readonly PhotoRow[]): Promise<ItemResult[]> {
      const cfg = captionConfig(get);
      const { spec, ref } = deps.ml.captionModel();
      const task = spec.caption!.arch === 'florence2' ? cfg.task : null;
      const threshold = deps.captionThreshold();
      const results: ItemResult[] = new Array(photos.length);
      const found: ((AutoCaption & { createdAt: number }) | undefined)[] = photos.map((p) => deps.notes.autoCaption(p.id));

      // 1. Captions to generate: new photos, or another model or task (a kept one is only scored again).
      const texts: (CaptionOutput & { decoding: string })[] = new Array(photos.length);
      const todo: number[] = [];
      photos.forEach((p, i) => {
        const c = found[i];
        if (reusable(c, spec, task)) texts[i] = { text: c!.text, tokens: 0, truncated: false, decoding: c!.decoding };
        else todo.push(i);
      });
      const images = new Map<number, CaptionImage>();
      const load = (idx: number[]) => Promise.all(
        idx.map(async (i) => {
          try {
            // The photo itself, reduced on load; a preview the photo view made serves while it is offline.
            const edge = captionEdge(ref.folder);
            const rgb = await readModelInput(photos[i]!.path, edge, deps.media).catch((e: unknown) => {
              const preview = deps.cache.targets(photos[i]!.fingerprint!).preview;
              if (fs.existsSync(preview)) return readModelInput(preview, edge, deps.media);
              throw e;
            });
            images.set(i, { data: rgb.data.buffer.slice(rgb.data.byteOffset, rgb.data.byteOffset + rgb.data.byteLength) as ArrayBuffer, width: rgb.width, height: rgb.height });
          } catch (e) {
            results[i] = { ok: false, error: e instanceof Error ? e.message : String(e) };
          }
        }),
      );
      await load(todo);
      // Greedy or beam: one caption per photo. Sampled: `samples` candidates per photo, grouped by photo.
      const generate = async (idx: number[], d: Decoding): Promise<CaptionOutput[][]> => {
        if (idx.length === 0) return [];
        const { captions } = await deps.ml.caption(
          idx.map((i) => images.get(i)!),
          { task: task ?? undefined, samples: d.samples, beams: d.beams, maxTokens: cfg.maxTokens },
        );
        const per = Math.max(1, d.samples);
        return idx.map((_, k) => captions.slice(k * per, (k + 1) * per));
      };

      // The CLIP check: each caption against its photo (null without a CLIP model or embedding).
      const scoreAll = async (idx: number[], captions: readonly string[]): Promise<(number | null)[]> => {
        if (idx.length === 0 || deps.ml.clipUnavailable()) return idx.map(() => null);
        const enc = await deps.ml.clip();
        const vecs = await enc.embedTexts(captions);
        return idx.map((i, k) => {
          const image = deps.catalog.embedding(photos[i]!.id, enc.spec.id);
          return image ? +dot(vecs[k]!, image).toFixed(4) : null;
        });
      };
      const scores = new Map<number, number | null>();
      /** Scores every candidate of each photo and keeps the best (the first when none is scored). */
      const pickBest = async (idx: number[], candidates: CaptionOutput[][], decoding: string): Promise<void> => {
        const flat = idx.flatMap((i, k) => candidates[k]!.filter((c) => c.text).map((c) => ({ i, c })));
        const s = await scoreAll(flat.map((f) => f.i), flat.map((f) => f.c.text));
        idx.forEach((i) => {
          let best: { c: CaptionOutput; score: number | null } | null = null;
          flat.forEach((f, k) => {
            if (f.i !== i) return;
            if (!best || (s[k] ?? -Infinity) > (best.score ?? -Infinity)) best = { c: f.c, score: s[k] ?? null };
          });
          const chosen = best as { c: CaptionOutput; score: number | null } | null;
          if (!chosen) return;
          const old = scores.get(i);
          if (texts[i]?.text && old !== undefined && old !== null && (chosen.score ?? -Infinity) <= old) {
            texts[i]!.decoding = `${texts[i]!.decoding},${decoding}`;
            return;
          }
          texts[i] = { ...chosen.c, decoding };
          scores.set(i, chosen.score);
        });
      };

      // 2. Generate, then check: kept captions are only scored again.
      const ready = todo.filter((i) => images.has(i));
      await pickBest(ready, await generate(ready, cfg.first), cfg.first.label);
      const kept = photos.map((_, i) => i).filter((i) => !todo.includes(i) && texts[i]?.text);
      (await scoreAll(kept, kept.map((i) => texts[i]!.text))).forEach((s, k) => scores.set(kept[k]!, s));

      // 3. A weak greedy caption is decoded again with beam search; the better-scoring caption stays.
      if (cfg.recheckBeams > 0 && threshold !== null) {
        const weak = photos.map((_, i) => i).filter((i) => texts[i]?.text && texts[i]!.decoding === 'greedy' && (scores.get(i) ?? Infinity) < threshold);
        await load(weak.filter((i) => !images.has(i)));
        const recheck = weak.filter((i) => images.has(i));
        const beam: Decoding = { beams: cfg.recheckBeams, samples: 0, label: `beam${cfg.recheckBeams}` };
        await pickBest(recheck, await generate(recheck, beam), beam.label);
      }

      photos.forEach((photo, i) => {
        if (results[i]) return;
        const t = texts[i];
        if (!t?.text) {
          results[i] = { ok: false, error: 'the captioner returned an empty caption' };
          return;
        }
        const score = scores.get(i) ?? null;
        const caption: AutoCaption = {
          text: t.text,
          modelId: spec.id,
          revision: spec.revision,
          task,
          decoding: t.decoding,
          score,
          lowConfidence: threshold !== null && score !== null && score < threshold,
        };
        const old = found[i];
        const unchanged = !!old && old.text === caption.text;
        // A kept caption keeps its time: provenance says when the model wrote it.
        const when = unchanged && old.modelId === spec.id && old.revision === spec.revision ? old.createdAt : Date.now();
        results[i] = {
          ok: true,
          commit: () => {
            deps.notes.setAutoCaption(photo.id, caption, when);
            if (!unchanged) deps.onAnnotated?.(photo.id);
          },
        };
      });
      return results;
    },
  };
}
