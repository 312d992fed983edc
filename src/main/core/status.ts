// Status assembly: the library's counts, stages, failures and models from any open catalog handle,
// and what a running engine adds (why a stage's tasks wait).
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from './catalog/catalog.ts';
import type { Repositories } from './catalog/repositories.ts';
import type { ModelStore } from './models/store.ts';
import { modelSource } from './models/source.ts';
import { FACE_PIPELINE_VERSION, ocrVersion, type ModelSource } from './ml/service.ts';
import type { Stage } from './pipeline/stage.ts';
import type { DiskFullStop } from './pipeline/pipeline.ts';
import { STAGE_NAMES } from './pipeline/stages.ts';
import { thresholdOf } from './captions/calibration.ts';
import { readSetting } from './settings.ts';
import type { DiskFullStatus, FacesStatus, LibraryStatus, MlStatus, OcrStatus } from '../../shared/types.ts';
import { PhotoText } from './catalog/photo-text.ts';
import { Faces } from './catalog/faces.ts';

/**
 * Status from any open catalog handle (the engine's, or a read-only one beside a running engine).
 * `provider`: a running engine's live execution-provider report, else the one stored after work.
 */
export function readStatus(
  { catalog, queue }: Pick<Repositories, 'catalog' | 'queue'>,
  models?: ModelStore,
  provider?: MlStatus['provider'],
  /** The data folder: its disk is checked for space (a reader beside the engine sees a full disk so). */
  dataDir?: string,
): LibraryStatus {
  return {
    diskFull: dataDir === undefined ? null : diskFullStatus(dataDir, null),
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

/** Fewer free bytes than this on the data folder's disk, and a reader beside the engine calls it full. */
export const FULL_BELOW_BYTES = 1 << 20;

/**
 * The full disk to report ([Note: full disk] in faults.ts): the running engine's stop (it hit ENOSPC or
 * SQLITE_FULL), else, with none, whether the disk holding `dataDir` has almost no space left.
 */
export function diskFullStatus(dataDir: string, stop: DiskFullStop | null | undefined): DiskFullStatus | null {
  const free = freeBytes(dataDir);
  if (stop) {
    const rel = stop.path ? path.relative(dataDir, stop.path) : '';
    const where = stop.path && (rel.startsWith('..') || path.isAbsolute(rel)) ? path.dirname(stop.path) : dataDir;
    return { message: `the disk holding ${where} is full`, path: where, since: new Date(stop.since).toISOString(), freeBytes: free };
  }
  if (free !== null && free < FULL_BELOW_BYTES) return { message: `the disk holding ${dataDir} is full`, path: dataDir, since: null, freeBytes: free };
  return null;
}

function freeBytes(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
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
    ocr: ocrStatus(catalog, source),
    faces: facesStatus(catalog, source),
  };
}

function facesStatus(catalog: Catalog, source: ModelSource): FacesStatus {
  const spec = source.active('faces');
  return {
    model: spec?.id ?? null,
    installed: !!spec && source.missingFiles(spec).length === 0,
    on: readSetting((k) => catalog.setting(k), 'faces') === 'on',
    // As MlService.facesVersion gives it ([Note: face version]).
    version: spec?.faces ? `${spec.id}@${spec.revision}/p${FACE_PIPELINE_VERSION}` : null,
    ...new Faces(catalog.db).counts(),
  };
}

function ocrStatus(catalog: Catalog, source: ModelSource): OcrStatus {
  const spec = source.active('ocr');
  const detector = spec?.ocr?.detectorFrom ? source.spec(spec.ocr.detectorFrom) : spec;
  const installed = !!spec && !!detector && source.missingFiles(spec).length === 0 && source.missingFiles(detector).length === 0;
  return {
    model: spec?.id ?? null,
    installed,
    on: readSetting((k) => catalog.setting(k), 'ocr') === 'on',
    version: ocrVersion(source, spec),
    languages: spec?.ocr?.languages ?? [],
    ...new PhotoText(catalog.db).counts(),
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
