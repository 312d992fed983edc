// Status assembly: the library's counts, stages, failures and models from any open catalog handle,
// and what a running engine adds (why a stage's tasks wait).
import type { Catalog } from './catalog/catalog.ts';
import type { Repositories } from './catalog/repositories.ts';
import type { ModelStore } from './models/store.ts';
import { modelSource } from './models/source.ts';
import type { ModelSource } from './ml/service.ts';
import type { Stage } from './pipeline/stage.ts';
import { STAGE_NAMES } from './pipeline/stages.ts';
import { thresholdOf } from './captions/calibration.ts';
import { readSetting } from './settings.ts';
import type { LibraryStatus, MlStatus } from '../../shared/types.ts';

/**
 * Status from any open catalog handle (the engine's, or a read-only one beside a running engine).
 * `provider`: a running engine's live execution-provider report, else the one stored after work.
 */
export function readStatus(
  { catalog, queue }: Pick<Repositories, 'catalog' | 'queue'>,
  models?: ModelStore,
  provider?: MlStatus['provider'],
): LibraryStatus {
  return {
    ...catalog.counts(),
    folders: catalog.folderInfos(),
    stages: queue.counts(STAGE_NAMES),
    failed: queue.failed(),
    damaged: catalog.damagedPhotos(),
    scanIssues: catalog.scanIssues(),
    skippedVideos: catalog.skippedVideos(),
    ml: models ? mlStatus(catalog, models, provider) : null,
  };
}

/** Marks each stage with pending tasks that cannot run now with why (a setting is off, a model is missing). */
export function withWaiting(status: LibraryStatus, stages: readonly Pick<Stage, 'name' | 'unavailable'>[]): LibraryStatus {
  const why = new Map(stages.map((s) => [s.name, s.unavailable?.() ?? null]));
  for (const st of status.stages) {
    const reason = why.get(st.stage);
    if (reason && st.pending > 0) st.waiting = reason;
  }
  return status;
}

function mlStatus(catalog: Catalog, models: ModelStore, live: MlStatus['provider'] | undefined): MlStatus {
  const source = modelSource(models, catalog);
  const spec = source.active('clip');
  const missing = spec ? source.missingFiles(spec) : [];
  let provider: MlStatus['provider'] = live ?? null;
  if (!live) {
    try {
      provider = JSON.parse(catalog.setting('ml_provider') ?? 'null') as MlStatus['provider'];
    } catch {
      provider = null;
    }
  }
  return {
    clipModel: spec?.id ?? null,
    clipInstalled: !!spec && missing.length === 0,
    embedded: spec ? catalog.embeddingCount(spec.id) : 0,
    previousModel: catalog.setting('clip_model_previous') ?? null,
    provider,
    providerSetting: catalog.setting('provider') ?? 'auto',
    modelsDir: models.modelsDir,
    ...captionStatus(catalog, source, spec?.id),
  };
}

function captionStatus(catalog: Catalog, source: ModelSource, clipModel: string | undefined): Pick<MlStatus, 'captionModel' | 'captionInstalled' | 'captionsOn' | 'captioned' | 'lowConfidence' | 'captionThreshold' | 'xmp'> {
  const get = (k: string) => catalog.setting(k);
  const spec = source.active('caption');
  return {
    captionModel: spec?.id ?? null,
    captionInstalled: !!spec && source.missingFiles(spec).length === 0,
    captionsOn: readSetting(get, 'captions') === 'on',
    ...catalog.autoCaptionCounts(),
    captionThreshold: thresholdOf(get, clipModel),
    xmp: readSetting(get, 'xmp') === 'on',
  };
}
