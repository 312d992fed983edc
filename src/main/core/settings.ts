// The settings the CLI and the app share: names, defaults, descriptions and validation in one place.
import { PROVIDER_SETTINGS } from './ml/providers.ts';
import { DEFAULT_HUB_ENDPOINT } from './models/download.ts';
import { DEFAULT_MODELS } from './models/registry.ts';

export interface SettingDef {
  description: string;
  default: string;
  /** Returns the value to store, or throws with what is wrong. */
  parse(value: string, ctx: { clipModels: readonly string[] }): string;
  /** Takes effect when the engine next starts (it reads the value at start). */
  onRestart?: boolean;
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
  const def = SETTINGS[key];
  if (!def) throw new Error(`unknown setting '${key}'; settings: ${Object.keys(SETTINGS).join(', ')}`);
  return def;
}
