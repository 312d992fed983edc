// The caption threshold policy: which threshold the caption check uses (the setting's number, else
// the active CLIP model's calibration), and the check that runs after work ([Note: caption threshold]).
import type { Catalog } from '../catalog/catalog.ts';
import type { Annotations } from '../catalog/annotations.ts';
import type { TaskQueue } from '../catalog/tasks.ts';
import type { MlService } from '../ml/service.ts';
import { calibrateCaptions, type CaptionCalibration } from './check.ts';
import { captionConfig } from './config.ts';
import { readSetting } from '../settings.ts';
import type { MlStatus } from '../../../shared/types.ts';

/** Reads a stored setting (undefined when unset). */
export type SettingReader = (key: string) => string | undefined;

/** The calibration stored in the 'caption_calibration' setting; null when none or unreadable. */
export function storedCalibration(get: SettingReader): CaptionCalibration | null {
  try {
    return JSON.parse(get('caption_calibration') ?? 'null') as CaptionCalibration | null;
  } catch {
    return null;
  }
}

/**
 * The caption check's threshold and where it comes from: the setting's number, else the
 * calibration made for this CLIP model (another model's scores are not comparable); null when neither.
 */
export function thresholdOf(get: SettingReader, clipModel: string | undefined): MlStatus['captionThreshold'] {
  const set = readSetting(get, 'caption_threshold');
  if (set !== 'auto') return { value: Number(set), source: 'setting' };
  const cal = storedCalibration(get);
  return cal && cal.clipModel === clipModel ? { value: cal.threshold, source: 'calibrated' } : null;
}

export interface CaptionCheckDeps {
  catalog: Catalog;
  annotations: Annotations;
  queue: TaskQueue;
  ml: MlService;
}

/** The threshold the caption stage and the check use now, for the active CLIP model. */
export function captionThreshold(deps: Pick<CaptionCheckDeps, 'catalog' | 'ml'>): number | null {
  return thresholdOf((k) => deps.catalog.setting(k), deps.ml.clipSpec()?.id)?.value ?? null;
}

/**
 * [Note: caption threshold] After work: calibrates the threshold when the library has enough
 * scored captions and a quarter more than at the last calibration (or another CLIP model), flags
 * captions under it, and queues weak greedy captions for a beam-search recheck. Returns how many
 * photos were queued again.
 */
export async function checkCaptions(deps: CaptionCheckDeps, force = false): Promise<number> {
  const { catalog, annotations, queue, ml } = deps;
  const get = (k: string) => catalog.setting(k);
  const clip = ml.clipSpec();
  if (!clip || ml.clipUnavailable()) return 0;
  if (readSetting(get, 'caption_threshold') === 'auto') {
    const scored = annotations.scoredAutoCaptions();
    const cal = storedCalibration(get);
    const stale = !cal || cal.clipModel !== clip.id || scored.length >= cal.positives * 1.25;
    if (force || stale) {
      const enc = await ml.clip({ vision: false });
      const fresh = await calibrateCaptions({
        clipModel: clip.id,
        captions: scored,
        imageEmbedding: (id) => catalog.embedding(id, clip.id),
        embedTexts: (texts) => enc.embedTexts(texts),
      });
      if (fresh) catalog.setSetting('caption_calibration', JSON.stringify(fresh));
    }
  }
  const threshold = captionThreshold(deps);
  annotations.applyThreshold(threshold);
  if (threshold === null || captionConfig(get).recheckBeams === 0) return 0;
  return queue.requeuePhotos(annotations.weakGreedyCaptions(), ['caption']);
}
