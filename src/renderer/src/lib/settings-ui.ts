// How each setting is edited in the Settings view: on/off switches, choices, numbers or free text.
import type { ModelInfo, SettingInfo } from '../../../shared/contract.ts';

export type SettingControl =
  /** confirmOff: turning it off loses data, so the view asks first, in these words. */
  | { kind: 'switch'; label: string; confirmOff?: string }
  | { kind: 'choice'; label: string; options: { value: string; label: string }[] }
  | { kind: 'number'; label: string; min: number; max: number }
  | { kind: 'text'; label: string };

const LABELS: Record<string, string> = {
  captions: 'Captions',
  caption_task: 'Caption kind',
  caption_decoding: 'Caption decoding',
  caption_beams: 'Beams',
  caption_samples: 'Sampled captions per photo',
  caption_max_tokens: 'Most tokens per caption',
  caption_threshold: 'Low-confidence threshold',
  caption_recheck: 'Recheck weak captions',
  caption_model: 'Caption model',
  clip_model: 'Search model',
  xmp: 'XMP sidecars',
  ocr: 'Read text in photos',
  ocr_model: 'Text reading model',
  faces: 'Face recognition',
  xmp_text: 'Text read in photos in XMP',
  provider: 'Execution provider',
  threads: 'Inference threads',
  hub_endpoint: 'Model hub (mirror)',
};

/** The order settings appear in; unknown ones follow, alphabetically. */
export const SETTING_ORDER = [
  'clip_model',
  'provider',
  'threads',
  'captions',
  'caption_model',
  'caption_task',
  'caption_decoding',
  'caption_beams',
  'caption_samples',
  'caption_max_tokens',
  'caption_threshold',
  'caption_recheck',
  'ocr',
  'ocr_model',
  'faces',
  'xmp',
  'xmp_text',
  'hub_endpoint',
];

/** What turning face recognition off does (core/settings.ts 'faces', Faces.deleteDescriptors), asked before it is done. */
export const FACES_OFF =
  'Turning face recognition off deletes every face descriptor now (the numbers that tell one face from another). The boxes, the names and what you did to people stay; turned on again, every photo is read again.';

const opts = (values: string[], labels: Record<string, string> = {}): { value: string; label: string }[] =>
  values.map((value) => ({ value, label: labels[value] ?? value }));

export function settingLabel(key: string): string {
  return LABELS[key] ?? key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** The control for a setting; model choices come from the models list. */
export function controlFor(s: SettingInfo, models: readonly ModelInfo[]): SettingControl {
  const label = settingLabel(s.key);
  switch (s.key) {
    case 'captions':
    case 'caption_recheck':
    case 'ocr':
    case 'xmp':
    case 'xmp_text':
      return { kind: 'switch', label };
    case 'faces':
      return { kind: 'switch', label, confirmOff: FACES_OFF };
    case 'caption_task':
      return { kind: 'choice', label, options: opts(['caption', 'detailed', 'more_detailed'], { caption: 'One sentence', detailed: 'Detailed', more_detailed: 'A paragraph' }) };
    case 'caption_decoding':
      return { kind: 'choice', label, options: opts(['greedy', 'beam', 'sampled'], { greedy: 'Greedy (fastest)', beam: 'Beam search', sampled: 'Sampled, best kept' }) };
    case 'provider':
      return { kind: 'choice', label, options: opts(['auto', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'], { auto: 'Automatic', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML', webgpu: 'WebGPU', cpu: 'CPU' }) };
    case 'threads':
      return { kind: 'number', label, min: 0, max: 256 };
    case 'caption_beams':
      return { kind: 'number', label, min: 2, max: 8 };
    case 'caption_samples':
      return { kind: 'number', label, min: 2, max: 16 };
    case 'caption_max_tokens':
      return { kind: 'number', label, min: 4, max: 512 };
    case 'clip_model':
    case 'caption_model':
    case 'ocr_model': {
      const task = s.key === 'clip_model' ? 'clip' : s.key === 'ocr_model' ? 'ocr' : 'caption';
      const ids = models.filter((m) => m.task === task);
      if (ids.length === 0) return { kind: 'text', label };
      const options = ids.map((m) => ({ value: m.id, label: m.installed ? m.title : `${m.title} (not installed)` }));
      if (!options.some((o) => o.value === s.value)) options.unshift({ value: s.value, label: s.value });
      return { kind: 'choice', label, options };
    }
    default:
      return { kind: 'text', label };
  }
}

export function sortSettings(list: readonly SettingInfo[]): SettingInfo[] {
  const rank = (k: string): number => {
    const i = SETTING_ORDER.indexOf(k);
    return i === -1 ? SETTING_ORDER.length : i;
  };
  return [...list].sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
}

export function isOn(value: string): boolean {
  return ['on', 'true', 'yes', '1'].includes(value.trim().toLowerCase());
}
