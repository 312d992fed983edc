// The read-only openers: a catalog, or search, without the engine lock, beside a running app or `watch`.
import fs from 'node:fs';
import { openDatabase } from './catalog/db.ts';
import type { Catalog } from './catalog/catalog.ts';
import { openCatalog, type Repositories } from './catalog/repositories.ts';
import { ModelStore } from './models/store.ts';
import { modelSource } from './models/source.ts';
import { MlService } from './ml/service.ts';
import type { ProviderSetting } from './ml/providers.ts';
import { SearchService } from './search/search.ts';
import { STAGE_NAMES } from './pipeline/stages.ts';
import { dataPaths } from './paths.ts';
import type { LibraryOptions } from './library.ts';

/** Opens a catalog read-only, without the lock, so status and list work while an engine runs. */
export function openReadOnly(dataDir: string, nativeBinding?: string): Repositories | null {
  const file = dataPaths(dataDir).catalog;
  if (!fs.existsSync(file)) return null;
  const db = openDatabase(file, { readonly: true, nativeBinding });
  return openCatalog(db, () => STAGE_NAMES);
}

/**
 * Search without the engine lock, beside a running app or `watch`: a read-only catalog, the
 * vector index and the text encoder. Null when the library has no catalog yet.
 */
export function openSearcher(opts: Pick<LibraryOptions, 'dataDir' | 'modelsDir' | 'nativeBinding' | 'ml'>): {
  search: SearchService;
  ml: MlService;
  catalog: Catalog;
  close(): Promise<void>;
} | null {
  const ro = openReadOnly(opts.dataDir, opts.nativeBinding);
  if (!ro) return null;
  const paths = dataPaths(opts.dataDir);
  const store = new ModelStore(opts.modelsDir ?? paths.models);
  const ml = new MlService(modelSource(store, ro.catalog), {
    provider: opts.ml?.provider ?? ((ro.catalog.setting('provider') as ProviderSetting | undefined) || 'auto'),
    threads: opts.ml?.threads ?? Number(ro.catalog.setting('threads') ?? 0),
    workerFile: opts.ml?.workerFile,
    cacheDir: paths.index,
  });
  const search = new SearchService(ro, ml, paths.index);
  return {
    search,
    ml,
    catalog: ro.catalog,
    async close() {
      await search.close();
      await ml.close();
      ro.db.close();
    },
  };
}
