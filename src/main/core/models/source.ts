// The models a library sees: its models folder, with the 'clip_model', 'caption_model' and 'ocr_model' settings as the user's choice.
import type { Catalog } from '../catalog/catalog.ts';
import type { ModelSource } from '../ml/service.ts';
import type { ModelStore } from './store.ts';
import { MODEL_SETTINGS } from './spec.ts';

export function modelSource(store: ModelStore, catalog: Catalog): ModelSource {
  return {
    active: (task) => {
      try {
        return store.active(task, catalog.setting(MODEL_SETTINGS[task]));
      } catch {
        return undefined;
      }
    },
    spec: (id) => {
      try {
        return store.spec(id);
      } catch {
        return undefined;
      }
    },
    folder: (spec) => store.location(spec),
    missingFiles: (spec) => store.state(spec).missing,
  };
}
