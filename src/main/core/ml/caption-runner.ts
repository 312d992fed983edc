// Inside the ML worker: captioners loaded through @huggingface/transformers from a model folder,
// with the execution provider chosen like the CLIP sessions' (GPU where it starts, else the CPU).
import type * as Hf from '@huggingface/transformers';
import type { Tensor } from '@huggingface/transformers';
import type { CaptionRuntime } from '../models/spec.ts';
import { beamSearch, type StepModel, type TensorCtor } from './beam-search.ts';
import { providerCandidates, unavailableReason, type Environment, type ProviderName, type ProviderReport, type ProviderSetting } from './providers.ts';

/** Which captioner to run; the worker loads it on first use (and again after a restart). */
export interface CaptionModelRef {
  /** Cache key: model id and revision. */
  key: string;
  /** Absolute path of the model folder (the hub layout). */
  folder: string;
  runtime: CaptionRuntime;
}

export interface CaptionImage {
  /** Packed RGB, 8 bits per channel; transferred, not copied. */
  data: ArrayBuffer;
  width: number;
  height: number;
}

export interface CaptionRequestOptions {
  /** Florence-2 task token such as '<CAPTION>'; ignored by prompt-free models. */
  task?: string;
  /**
   * 0: greedy decoding, one caption per image. N > 0: N captions per image by nucleus sampling
   * (BLIP's CapFilt samples its synthetic captions the same way), for the CLIP check to choose from.
   */
  samples: number;
  /** Beam search with this many beams (over 1), one caption per image; exclusive with samples. */
  beams?: number;
  /** The most new tokens per caption. */
  maxTokens: number;
}

/** Nucleus sampling settings for sampled candidates. */
export const SAMPLING = { top_p: 0.9, temperature: 0.8 } as const;

export interface CaptionOutput {
  text: string;
  /** New tokens generated, the final end-of-sequence token included when there was one. */
  tokens: number;
  /** True when the caption stopped at maxTokens rather than at end-of-sequence. */
  truncated: boolean;
}

type Transformers = typeof Hf;

interface Loaded {
  model: { generate(args: Record<string, unknown>): Promise<unknown>; dispose(): Promise<unknown> };
  processor: {
    (images: unknown, text?: unknown, options?: unknown): Promise<Record<string, unknown>>;
    post_process_generation?: (text: string, task: string, size: [number, number]) => Record<string, unknown>;
    tokenizer: { decode(ids: number[], opts: { skip_special_tokens: boolean }): string };
  };
  eos: Set<number>;
  report: ProviderReport;
}

let transformers: Promise<Transformers> | null = null;
const loaded = new Map<string, Promise<Loaded>>();

function lib(): Promise<Transformers> {
  transformers ??= import('@huggingface/transformers').then((t) => {
    // Models come only from Shoebox's own models folder, never from the network behind its back.
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    return t;
  });
  return transformers;
}

function ids(value: unknown): number[] {
  return (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'number');
}

async function loadOn(t: Transformers, ref: CaptionModelRef, device: ProviderName, threads: number): Promise<Omit<Loaded, 'report'>> {
  // An absolute folder is not a hub id, so transformers.js reads the files from it as they are.
  const where = ref.folder.replaceAll('\\', '/');
  const common = {
    local_files_only: true,
    device,
    dtype: ref.runtime.dtype,
    session_options: { ...(threads > 0 ? { intraOpNumThreads: threads } : {}), interOpNumThreads: 1 },
  } as Record<string, unknown>;
  const ModelClass = ref.runtime.arch === 'florence2' ? t.Florence2ForConditionalGeneration : t.AutoModelForVision2Seq;
  const model = (await ModelClass.from_pretrained(where, common)) as unknown as Loaded['model'] & {
    generation_config?: { eos_token_id?: unknown };
    config?: { eos_token_id?: unknown };
  };
  const processor = (await t.AutoProcessor.from_pretrained(where, { local_files_only: true })) as unknown as Loaded['processor'];
  const eos = new Set([...ids(model.generation_config?.eos_token_id), ...ids(model.config?.eos_token_id)]);
  return { model, processor, eos };
}

async function load(ref: CaptionModelRef, requested: ProviderSetting, threads: number, env: Environment): Promise<Loaded> {
  const t = await lib();
  const fallbacks: ProviderReport['fallbacks'] = [];
  for (const device of providerCandidates(requested, env)) {
    const unavailable = unavailableReason(device, env);
    if (unavailable) {
      fallbacks.push({ provider: device, reason: unavailable });
      continue;
    }
    try {
      const m = await loadOn(t, ref, device, threads);
      return { ...m, report: { requested, used: device, fallbacks } };
    } catch (e) {
      fallbacks.push({ provider: device, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
    }
  }
  throw new Error(`could not start the captioner ${ref.key} on any provider: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`);
}

function captioner(ref: CaptionModelRef, requested: ProviderSetting, threads: number, env: Environment): Promise<Loaded> {
  let p = loaded.get(ref.key);
  if (!p) {
    p = load(ref, requested, threads, env);
    p.catch(() => loaded.delete(ref.key));
    loaded.set(ref.key, p);
  }
  return p;
}

/** Rows of generated token ids, prompt tokens dropped (decoder-only outputs carry none here). */
function rows(sequences: unknown): number[][] {
  const t = sequences as Tensor;
  const [n, len] = t.dims as [number, number];
  const data = t.data as BigInt64Array;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * len, (i + 1) * len), Number));
}

/**
 * Captions a batch of images in one generate call (Florence-2's prompt is the same for every
 * image). Greedy and beam search give one caption per image; `samples: N` gives N per image,
 * grouped by image.
 *
 * Beam search runs Shoebox's own loop over the model's steps ([Note: beam search]).
 */
export async function runCaptions(
  ref: CaptionModelRef,
  images: readonly CaptionImage[],
  opts: CaptionRequestOptions,
  provider: { requested: ProviderSetting; threads: number; env: Environment },
): Promise<{ captions: CaptionOutput[]; report: ProviderReport }> {
  const t = await lib();
  const m = await captioner(ref, provider.requested, provider.threads, provider.env);
  const copies = Math.max(1, opts.samples);
  const raws = images.flatMap((im) => {
    const raw = new t.RawImage(new Uint8ClampedArray(im.data), im.width, im.height, 3);
    return Array.from({ length: copies }, () => raw);
  });
  const florence = ref.runtime.arch === 'florence2';
  const task = opts.task ?? ref.runtime.tasks[0] ?? '<CAPTION>';
  const inputs = florence ? await m.processor(raws, raws.map(() => task)) : await m.processor(raws);
  const seqs =
    (opts.beams ?? 1) > 1
      ? (
          await beamSearch(m.model as unknown as StepModel, t.Tensor as unknown as TensorCtor, inputs, {
            numBeams: opts.beams!,
            maxNewTokens: opts.maxTokens,
            eos: m.eos,
          })
        ).map((ids) => ids.map(Number))
      : rows(
          await m.model.generate({
            ...inputs,
            max_new_tokens: opts.maxTokens,
            num_beams: 1,
            ...(opts.samples > 0 ? { do_sample: true, ...SAMPLING } : { do_sample: false }),
          }),
        );
  const captions = seqs.map((seq, i): CaptionOutput => {
    // Encoder-decoder outputs start with the decoder start token. A finished row ends at its first
    // end-of-sequence token; what a batch generates after it (padding, more tokens) is dropped.
    const end = seq.findIndex((id, k) => k > 0 && m.eos.has(id));
    const kept = end >= 0 ? seq.slice(0, end + 1) : seq;
    const tokens = kept.length - 1;
    let text = m.processor.tokenizer.decode(kept, { skip_special_tokens: !florence });
    if (florence && m.processor.post_process_generation) {
      const image = images[Math.floor(i / copies)]!;
      const parsed = m.processor.post_process_generation(text, task, [image.width, image.height]);
      const v = parsed[task];
      text = typeof v === 'string' ? v : text;
    }
    text = text.replace(/<pad>|<\/?s>/g, '').replace(/\s+/g, ' ').trim();
    return { text, tokens, truncated: end < 0 && tokens >= opts.maxTokens };
  });
  return { captions, report: m.report };
}

/** Drops every loaded captioner (a model switch). */
export async function disposeCaptioners(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => null))?.model.dispose()));
}
