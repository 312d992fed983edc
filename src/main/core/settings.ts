// The settings the CLI and the app share: names, defaults, descriptions and validation in one place.
import { PROVIDER_SETTINGS } from './ml/providers.ts';
import { DEFAULT_HUB_ENDPOINT } from './models/hub.ts';
import { DEFAULT_MODELS } from './models/registry.ts';
import { DEFAULT_SUGGESTION_STRONG, SUGGESTION_STRONG_SETTING, formatStrongThresholds, parseStrongThresholds } from './catalog/annotations.ts';

/** What validation needs to know: the model ids per task. */
export interface SettingContext {
  clipModels: readonly string[];
  captionModels: readonly string[];
  /** Absent where a caller knows none (the OCR models came later): then any id is refused but the default. */
  ocrModels?: readonly string[];
}

export interface SettingDef {
  description: string;
  default: string;
  /** Returns the value to store, or throws with what is wrong. */
  parse(value: string, ctx: SettingContext): string;
  /** Takes effect when the engine next starts (it reads the value at start). */
  onRestart?: boolean;
}

const ON_OFF = ['on', 'off'] as const;

/** Reads an on/off setting; true, yes and 1 count as on. */
function onOff(what: string) {
  return (v: string) => {
    const t = v.trim().toLowerCase();
    if (['on', 'true', 'yes', '1'].includes(t)) return 'on';
    if (['off', 'false', 'no', '0'].includes(t)) return 'off';
    throw new Error(`${what} must be ${ON_OFF.join(' or ')} (or true/false)`);
  };
}

/** Caption tasks by setting value: Florence-2's task tokens. */
export const CAPTION_TASKS: Record<string, string> = {
  caption: '<CAPTION>',
  detailed: '<DETAILED_CAPTION>',
  more_detailed: '<MORE_DETAILED_CAPTION>',
};

function wholeNumber(what: string, min: number, max: number) {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) throw new Error(`${what} must be a whole number from ${min} to ${max}`);
    return String(Number(v));
  };
}

function oneOf(values: readonly string[], what: string) {
  return (v: string) => {
    if (!values.includes(v)) throw new Error(`${what} must be one of: ${values.join(', ')}`);
    return v;
  };
}

export const SETTINGS: Record<string, SettingDef> = {
  hub_endpoint: {
    description: 'Hugging Face hub endpoint for model downloads (a mirror URL works); HF_ENDPOINT overrides it',
    default: DEFAULT_HUB_ENDPOINT,
    parse(v) {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        throw new Error(`hub_endpoint must be a URL such as ${DEFAULT_HUB_ENDPOINT}`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('hub_endpoint must be an http(s) URL');
      return v.replace(/\/+$/, '');
    },
  },
  clip_model: {
    description: 'the CLIP model that embeds photos and answers searches (see `shoebox models list`)',
    default: DEFAULT_MODELS.clip,
    parse(v, ctx) {
      return oneOf(ctx.clipModels, 'clip_model')(v);
    },
  },
  caption_model: {
    description: 'the model that captions photos (see `shoebox models list`)',
    default: DEFAULT_MODELS.caption,
    parse(v, ctx) {
      return oneOf(ctx.captionModels, 'caption_model')(v);
    },
  },
  captions: {
    description: 'caption every photo (on or off); off stops new captions and keeps the ones made',
    default: 'on',
    parse: onOff('captions'),
  },
  caption_task: {
    description: "what kind of caption: caption (one sentence, Florence-2's <CAPTION>), detailed (<DETAILED_CAPTION>) or more_detailed (a paragraph)",
    default: 'caption',
    parse(v) {
      const t = v.trim().toLowerCase().replace(/^<|>$/g, '').replace(/_caption$/, '');
      const key = t === 'caption' ? 'caption' : t;
      if (!(key in CAPTION_TASKS)) throw new Error(`caption_task must be one of: ${Object.keys(CAPTION_TASKS).join(', ')}`);
      return key;
    },
  },
  caption_decoding: {
    description:
      'how captions are decoded: greedy (fastest), beam (beam search, caption_beams wide) or sampled (caption_samples nucleus-sampled captions, the one the CLIP check scores best is kept)',
    default: 'greedy',
    parse: oneOf(['greedy', 'beam', 'sampled'], 'caption_decoding'),
  },
  caption_beams: {
    description: 'beams for beam decoding and for rechecking weak captions',
    default: '3',
    parse: wholeNumber('caption_beams', 2, 8),
  },
  caption_samples: {
    description: 'sampled captions per photo for sampled decoding',
    default: '4',
    parse: wholeNumber('caption_samples', 2, 16),
  },
  caption_max_tokens: {
    description: 'the most tokens one caption may have',
    default: '64',
    parse: wholeNumber('caption_max_tokens', 4, 512),
  },
  caption_threshold: {
    description:
      "CLIP score under which a caption is flagged low-confidence: auto calibrates it on the library (the 95th percentile of captions scored against other photos), or a number from -1 to 1",
    default: 'auto',
    parse(v) {
      const t = v.trim().toLowerCase();
      if (t === 'auto') return t;
      const n = Number(t);
      if (t === '' || !Number.isFinite(n) || n < -1 || n > 1) throw new Error('caption_threshold must be auto or a number from -1 to 1');
      return String(n);
    },
  },
  caption_recheck: {
    description: 'caption a low-confidence greedy caption again with beam search and keep whichever caption the CLIP check scores best (on or off)',
    default: 'on',
    parse: onOff('caption_recheck'),
  },
  ocr: {
    description: 'read the text in photos (signs, receipts, documents, screenshots) so that search finds it (on or off); off stops reading and keeps the text read',
    default: 'on',
    parse: onOff('ocr'),
  },
  ocr_model: {
    description: 'the model that reads text in photos: the bundled Chinese and English one, or a recognizer for another script (see `shoebox models list`)',
    default: DEFAULT_MODELS.ocr,
    parse(v, ctx) {
      return oneOf(ctx.ocrModels ?? [DEFAULT_MODELS.ocr], 'ocr_model')(v);
    },
  },
  faces: {
    description:
      'find the faces in photos and group them into people, on this machine only (on or off); off stops finding faces and deletes every face descriptor (the boxes, names and what you did to people stay; turned on again, the photos are read again)',
    default: 'on',
    parse: onOff('faces'),
  },
  xmp_text: {
    description: 'also write the text read in a photo to its XMP sidecar (as Iptc4xmpExt:Transcript) when xmp is on (on or off); it is not a description, so off by default',
    default: 'off',
    parse: onOff('xmp_text'),
  },
  [SUGGESTION_STRONG_SETTING]: {
    description:
      "how sure a suggested tag must be to be shown as strong rather than likely: the zero-shot probability (0 to 1), for every tag, then any tag's own as tag=number, e.g. '0.5; sunset=0.3; clear blue sky=0.7'",
    default: String(DEFAULT_SUGGESTION_STRONG),
    parse: (v) => formatStrongThresholds(parseStrongThresholds(v)),
  },
  xmp: {
    description:
      'write captions, your tags (as hierarchical keywords; suggested tags only once accepted), ratings and colour labels to XMP sidecars beside the photos (<photo>.xmp, or the sidecar already there) so Lightroom and digiKam see them (on or off)',
    default: 'off',
    parse: onOff('xmp'),
  },
  provider: {
    description: 'execution provider for inference: auto picks CUDA, DirectML, CoreML or WebGPU where available, else CPU',
    default: 'auto',
    parse: oneOf(PROVIDER_SETTINGS, 'provider'),
    onRestart: true,
  },
  threads: {
    description: 'CPU threads for inference; 0 lets ONNX Runtime choose',
    default: '0',
    parse(v) {
      if (!/^\d+$/.test(v) || Number(v) > 256) throw new Error('threads must be a whole number from 0 to 256');
      return String(Number(v));
    },
    onRestart: true,
  },
};

export function settingDef(key: string): SettingDef {
  const def = Object.hasOwn(SETTINGS, key) ? SETTINGS[key] : undefined;
  if (!def) throw new Error(`unknown setting '${key}'; settings: ${Object.keys(SETTINGS).join(', ')}`);
  return def;
}

/** A setting's stored value, else its default. */
export function readSetting(get: (key: string) => string | undefined, key: string): string {
  return get(key) ?? settingDef(key).default;
}
