// The models a library sees: its models folder, with the 'clip_model' and 'caption_model' settings as the user's choice.
import type { Catalog } from '../catalog/catalog.ts';
import type { ModelSource } from '../ml/service.ts';
import type { ModelStore } from './store.ts';

export function modelSource(store: ModelStore, catalog: Catalog): ModelSource {
  return {
    active: (task) => {
      try {
        return store.active(task, catalog.setting(task === 'clip' ? 'clip_model' : 'caption_model'));
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
    folder: (spec) => store.folder(spec),
    missingFiles: (spec) => store.state(spec).missing,
  };
}
