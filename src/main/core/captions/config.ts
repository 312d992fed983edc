// How captions are made, read from the settings: on or off, the Florence-2 task, the first decoding
// (greedy, beam search or sampled candidates), the beam recheck of weak captions, the length limit.
import { CAPTION_TASKS, readSetting } from '../settings.ts';

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

/** The Florence-2 task a captioner is run with; null for prompt-free models. */
export function captionTask(arch: string, cfg: CaptionConfig): string | null {
  return arch === 'florence2' ? cfg.task : null;
}
