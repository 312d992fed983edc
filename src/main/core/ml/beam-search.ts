// Beam search for encoder-decoder captioners, on transformers.js's own model steps (encoder once,
// then the decoder with its key/value cache), because its generate() keeps a single beam.
//
// [Note: beam search] transformers.js 4.3.1 accepts num_beams, but its generate loop keeps only the
// first token its BeamSearchSampler returns, so "beam search" there decodes greedily. This loop is
// the textbook algorithm instead: every image's K beams are rows of one batch; each step scores
// every beam's next tokens (after the model's own logits processors: forced BOS, no-repeat
// n-grams…), keeps the K best continuations per image, reorders the cache rows to follow them,
// and sets aside finished captions. The caption kept is the best by log-probability divided by
// length (length_penalty 1, as in Hugging Face's default).
import type { Tensor } from '@huggingface/transformers';

type Inputs = Record<string, unknown>;
type Cache = Record<string, Tensor> & { dispose?: () => Promise<void> };

/** The transformers.js model methods this uses (PreTrainedModel's generation helpers). */
export interface StepModel {
  config: { is_encoder_decoder?: boolean };
  _prepare_generation_config(config: null, kwargs: Inputs): { decoder_start_token_id?: number | null; bos_token_id?: number | null };
  _prepare_model_inputs(args: { inputs: null; model_kwargs: Inputs }): { inputs_tensor: Tensor; model_inputs: Inputs; model_input_name: string };
  _prepare_encoder_decoder_kwargs_for_generation(args: { inputs_tensor: Tensor; model_inputs: Inputs; model_input_name: string; generation_config: unknown }): Promise<Inputs>;
  _get_logits_processor(config: unknown, inputLength: number, extra: null): (ids: bigint[][], logits: Tensor) => Tensor;
  prepare_inputs_for_generation(ids: bigint[][], modelInputs: Inputs, config: unknown): Inputs;
  forward(inputs: Inputs): Promise<Record<string, Tensor>>;
  _update_model_kwargs_for_generation(args: { generated_input_ids: bigint[][]; outputs: Record<string, Tensor>; model_inputs: Inputs; is_encoder_decoder: boolean }): Inputs;
}

export type TensorCtor = new (type: string, data: unknown, dims: number[]) => Tensor;

/** Rows of a tensor picked (and repeated) along its first axis. */
function gatherRows(TensorClass: TensorCtor, t: Tensor, rows: readonly number[]): Tensor {
  const dims = t.dims as number[];
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  const data = t.data as unknown as { subarray(a: number, b: number): ArrayLike<unknown>; constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void } };
  const out = new data.constructor(rows.length * per);
  rows.forEach((r, i) => out.set(data.subarray(r * per, (r + 1) * per), i * per));
  return new TensorClass(t.type, out, [rows.length, ...dims.slice(1)]);
}

function logSoftmaxRow(logits: Float32Array, offset: number, n: number, out: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[offset + i]! > max) max = logits[offset + i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[offset + i]! - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] = logits[offset + i]! - lse;
}

interface Hypothesis {
  ids: bigint[];
  /** Sum of log-probabilities of the generated tokens. */
  logp: number;
}

/** A caption's score: log-probability per generated token (length penalty 1). */
const norm = (h: Hypothesis) => h.logp / Math.max(1, h.ids.length - 1);

export interface BeamOptions {
  numBeams: number;
  maxNewTokens: number;
  eos: ReadonlySet<number>;
  /** Generation settings passed through (e.g. forced_bos_token_id from the model's config). */
  kwargs?: Inputs;
}

/**
 * Beam search over a batch of images whose processor outputs are `inputs`. Returns, per image,
 * the best token sequence (decoder start token first, end token last when it finished).
 */
export async function beamSearch(model: StepModel, TensorClass: TensorCtor, inputs: Inputs, opts: BeamOptions): Promise<bigint[][]> {
  const K = opts.numBeams;
  const config = model._prepare_generation_config(null, { ...opts.kwargs, max_new_tokens: opts.maxNewTokens, num_beams: 1, do_sample: false });
  const prepared = model._prepare_model_inputs({ inputs: null, model_kwargs: inputs });
  let modelInputs = await model._prepare_encoder_decoder_kwargs_for_generation({ ...prepared, generation_config: config });
  const B = (modelInputs.encoder_outputs as Tensor).dims[0] as number;
  // Every image's encoder output, repeated for its K beams.
  const expand = Array.from({ length: B * K }, (_, r) => Math.floor(r / K));
  modelInputs.encoder_outputs = gatherRows(TensorClass, modelInputs.encoder_outputs as Tensor, expand);
  if (modelInputs.attention_mask) modelInputs.attention_mask = gatherRows(TensorClass, modelInputs.attention_mask as Tensor, expand);
  const start = BigInt(config.decoder_start_token_id ?? config.bos_token_id ?? 0);
  let beams: bigint[][] = Array.from({ length: B * K }, () => [start]);
  modelInputs.decoder_attention_mask = new TensorClass('int64', new BigInt64Array(B * K).fill(1n), [B * K, 1]);
  // Only the first beam of each image is live at the start: the others are copies of it.
  let scores = Array.from({ length: B * K }, (_, r) => (r % K === 0 ? 0 : -Infinity));
  const finished: Hypothesis[][] = Array.from({ length: B }, () => []);
  const done = new Array<boolean>(B).fill(false);
  const process = model._get_logits_processor(config, 1, null);
  let row = new Float64Array(0);
  for (let step = 0; step < opts.maxNewTokens; step++) {
    modelInputs = model.prepare_inputs_for_generation(beams, modelInputs, config);
    const outputs = await model.forward(modelInputs);
    const logitsAll = outputs.logits!;
    const [, seq, V] = logitsAll.dims as [number, number, number];
    // The last position's logits of every row, then the model's own processors.
    const last = new Float32Array(B * K * V);
    const src = logitsAll.data as Float32Array;
    for (let r = 0; r < B * K; r++) last.set(src.subarray((r * seq + seq - 1) * V, (r * seq + seq) * V), r * V);
    const processed = process(beams, new TensorClass('float32', last, [B * K, V]));
    const logits = processed.data as Float32Array;
    if (row.length !== V) row = new Float64Array(V);
    const next: bigint[][] = [];
    const nextScores: number[] = [];
    const origin: number[] = [];
    for (let b = 0; b < B; b++) {
      // The 2K best continuations over this image's K beams.
      const cands: { r: number; tok: number; s: number }[] = [];
      for (let k = 0; k < K; k++) {
        const r = b * K + k;
        if (scores[r] === -Infinity) continue;
        logSoftmaxRow(logits, r * V, V, row);
        for (let v = 0; v < V; v++) {
          const s = scores[r]! + row[v]!;
          if (cands.length < 2 * K) {
            cands.push({ r, tok: v, s });
            cands.sort((x, y) => y.s - x.s);
          } else if (s > cands[cands.length - 1]!.s) {
            cands[cands.length - 1] = { r, tok: v, s };
            cands.sort((x, y) => y.s - x.s);
          }
        }
      }
      const kept: { r: number; tok: number; s: number }[] = [];
      for (const c of cands) {
        if (kept.length === K) break;
        if (opts.eos.has(c.tok)) {
          if (!done[b]) finished[b]!.push({ ids: [...beams[c.r]!, BigInt(c.tok)], logp: c.s });
        } else kept.push(c);
      }
      // Done once K captions have finished and no running beam can still beat the worst of them
      // (the test Hugging Face uses with early_stopping off).
      if (!done[b] && finished[b]!.length >= K) {
        const hyps = finished[b]!.sort((x, y) => norm(y) - norm(x)).slice(0, K);
        finished[b] = hyps;
        const best = kept[0];
        if (!best || best.s / beams[best.r]!.length <= norm(hyps[K - 1]!)) done[b] = true;
      }
      for (let k = 0; k < K; k++) {
        const c = kept[k];
        // A finished image (or one with fewer live continuations) keeps dead rows to stay in shape.
        origin.push(c ? c.r : b * K);
        next.push(c ? [...beams[c.r]!, BigInt(c.tok)] : [...beams[b * K]!, BigInt([...opts.eos][0] ?? 0)]);
        nextScores.push(c && !done[b] ? c.s : -Infinity);
      }
    }
    if (done.every(Boolean)) break;
    const generated = next.map((ids) => [ids.at(-1)!]);
    modelInputs = model._update_model_kwargs_for_generation({ generated_input_ids: generated, outputs, model_inputs: modelInputs, is_encoder_decoder: true });
    // The cache follows the beams it was computed for.
    const cache = modelInputs.past_key_values as Cache;
    for (const key of Object.keys(cache)) cache[key] = gatherRows(TensorClass, cache[key]!, origin);
    if (modelInputs.decoder_attention_mask) modelInputs.decoder_attention_mask = gatherRows(TensorClass, modelInputs.decoder_attention_mask as Tensor, origin);
    beams = next;
    scores = nextScores;
  }
  // Beams still running at the length limit compete with the finished ones.
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const r = b * K + k;
      if (scores[r] !== -Infinity && !done[b]) finished[b]!.push({ ids: beams[r]!, logp: scores[r]! });
    }
  }
  await (modelInputs.past_key_values as Cache | undefined)?.dispose?.();
  return finished.map((hyps) => hyps.reduce((best, h) => (norm(h) > norm(best) ? h : best)).ids);
}
