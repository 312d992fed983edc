// The model-switch policy: what a change of the active CLIP model or captioner queues again, and
// when the previous CLIP model's vectors go.
import type { Db } from './catalog/db.ts';
import type { Catalog } from './catalog/catalog.ts';
import type { TaskQueue } from './catalog/tasks.ts';
import type { MlService } from './ml/service.ts';
import { CLIP_STAGES } from './pipeline/stages.ts';
import { captionConfig } from './captions/config.ts';

export interface ModelSwitchDeps {
  db: Db;
  catalog: Catalog;
  queue: TaskQueue;
  ml: MlService;
}

/**
 * [Note: model switch] When the active CLIP model differs from the one the library was embedded
 * with, every photo is queued to embed and tag again; search keeps using the old model's vectors
 * (SearchService.searchModel) until the new ones cover the library, then the old ones go.
 */
export function followModelChoice({ db, catalog, queue, ml }: ModelSwitchDeps): void {
  const active = ml.clipSpec()?.id;
  const indexed = catalog.setting('clip_model_indexed');
  if (!active || indexed === active) return;
  db.transaction(() => {
    if (indexed && catalog.embeddingCount(indexed) > 0) catalog.setSetting('clip_model_previous', indexed);
    if (indexed) queue.requeueStage(CLIP_STAGES);
    catalog.setSetting('clip_model_indexed', active);
  })();
}

/**
 * A different captioner (model, revision or task) captions every photo again; user captions are
 * never touched, and search keeps the old automatic captions until each new one replaces it.
 */
export function followCaptionChoice({ db, catalog, queue, ml }: ModelSwitchDeps): void {
  const spec = ml.captionSpec();
  if (!spec?.caption) return;
  const task = spec.caption.arch === 'florence2' ? captionConfig((k) => catalog.setting(k)).task : '';
  const key = `${spec.id}@${spec.revision}${task}`;
  const indexed = catalog.setting('caption_indexed');
  if (indexed === key) return;
  db.transaction(() => {
    if (indexed) queue.requeueStage(['caption']);
    catalog.setSetting('caption_indexed', key);
  })();
}

/** Once the active model's vectors are complete, the previous model's vectors and index go. */
export function retirePreviousModel({ db, catalog, queue, ml }: ModelSwitchDeps): void {
  const previous = catalog.setting('clip_model_previous');
  if (!previous || queue.pendingCount('embed') > 0 || ml.clipUnavailable()) return;
  db.transaction(() => {
    catalog.deleteEmbeddings(previous);
    catalog.setSetting('clip_model_previous', null);
  })();
}
