// Changing a setting: validated against the models folder, stored, and followed by its reactions.
// Every front door goes through here (the window's setSetting, `shoebox settings set`), so the
// same setting has the same effect wherever it is changed.
import type { Catalog } from './catalog/catalog.ts';
import type { ModelStore } from './models/store.ts';
import type { ModelTask } from './models/spec.ts';
import { SETTINGS, settingDef } from './settings.ts';
import { errorMessage } from '../../shared/error-message.ts';

/** A setting that does not exist ('unknown'), or a value it does not take ('invalid'). */
export class SettingError extends Error {
  constructor(
    readonly code: 'unknown' | 'invalid',
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingError';
  }
}

/** The value to store for a setting, checked against the models folder's ids; throws SettingError. */
export function parseSetting(models: ModelStore, key: string, value: string): string {
  if (!Object.hasOwn(SETTINGS, key)) throw new SettingError('unknown', key, `unknown setting '${key}'; settings: ${Object.keys(SETTINGS).join(', ')}`);
  const def = settingDef(key);
  const specs = models.specs();
  const ids = (task: ModelTask) => specs.filter((s) => s.task === task).map((s) => s.id);
  try {
    return def.parse(value, { clipModels: ids('clip'), captionModels: ids('caption'), ocrModels: ids('ocr') });
  } catch (e) {
    throw new SettingError('invalid', key, errorMessage(e));
  }
}

/**
 * Validates and stores a setting without its reactions: what `shoebox settings set` does while
 * another process holds the engine lock (SQLite serializes the writers). That engine follows a new
 * model choice when it next opens the library and applies a new caption threshold after its next
 * work, as it always has.
 */
export function storeSetting(catalog: Catalog, models: ModelStore, key: string, value: string): string {
  const parsed = parseSetting(models, key, value);
  catalog.setSetting(key, parsed);
  return parsed;
}

/** What a stored setting sets off in a running engine. */
export interface SettingReactions {
  followModelChoice(): void;
  followCaptionChoice(): void;
  /** A new OCR model reads the library again. */
  followOcrChoice?(): void;
  /** The text read in photos goes to their sidecars, or stops going: the photos with text are due a sidecar write. */
  requeueTextSidecars?(): void;
  /** Face recognition turned off (every descriptor deleted) or on (the photos read again). */
  followFacesSetting?(): void;
  checkCaptions(): Promise<number>;
  /** The pipeline looks again (a stage may have become available or unavailable). */
  kick(): void;
}

export interface SettingChange {
  key: string;
  /** The value stored (normalized: '05' is stored as '5'). */
  value: string;
  /** Takes effect when the engine next starts. */
  onRestart: boolean;
  /** The caption check a new caption_threshold started (resolves with how many photos it queued again); null for other settings. */
  captionCheck: Promise<number> | null;
}

/**
 * Stores a setting and runs its reactions: a new CLIP model queues embed and tags again ([Note:
 * model switch]), a caption setting may change the captioner, a new threshold checks the captions
 * again ([Note: caption threshold]), and the pipeline looks again.
 */
export function changeSetting(catalog: Catalog, models: ModelStore, react: SettingReactions, key: string, value: string): SettingChange {
  const parsed = storeSetting(catalog, models, key, value);
  if (key === 'clip_model') react.followModelChoice();
  if (key.startsWith('caption_')) react.followCaptionChoice();
  if (key === 'ocr_model') react.followOcrChoice?.();
  if (key === 'xmp_text' && parsed === 'on') react.requeueTextSidecars?.();
  if (key === 'faces') react.followFacesSetting?.();
  const captionCheck = key === 'caption_threshold' ? react.checkCaptions() : null;
  react.kick();
  return { key, value: parsed, onRestart: settingDef(key).onRestart ?? false, captionCheck };
}
