// For bench:search (run as a fresh process, as a user starts the app): opens a library on disk and
// answers its first text search, then prints one JSON line of timings.
//   open_ms             Library.open (SQLite, the schema version; the catalog's check runs beside, as in the app)
//   check_ms            the catalog's check before any write, on its worker, from the open until Library.writable
//   index_ms            until the index could answer (SearchService.searchable, beside the encoder's load): by its
//                       preview while the graph loads ([Note: search preview]), or by the graph
//   searchable_via      which of the two that was
//   graph_ms            until the graph was loaded and synced with SQLite (Library.warmUp's indexMs)
//   text_model_load_ms  the text encoder's first load and run (reported apart, as the issue asks)
//   query_ms            the first search once both are ready: tokenizer, text encoder, kNN, full text, hydration
//   answered_by         what answered its kNN: 'preview' or 'graph'; knn_ms how long that took
//   first_query_ms      open_ms + index_ms + query_ms: open to first answer, the encoder's own load left out
//   first_answer_wall_ms  the same moment on the wall clock, encoder load included (when it is the slower half)
//   preview_problem     why the saved preview was not used, when it was not
//   preview_written_ms  when it was not: how long writing it again took, after the answer (the app does it in the background)
//   preview_mb          the preview file's size
//   load                the load average as it ended (the machines are shared)
// Usage: tsx scripts/lib/first-query.ts <dataDir> <modelsDir> <query>
import fs from 'node:fs';
import os from 'node:os';
import { Library } from '../../src/main/core/library.ts';

const [dataDir, modelsDir, query] = process.argv.slice(2) as [string, string, string];
const t0 = performance.now();
const lib = Library.open({ dataDir, modelsDir, checkInBackground: true });
const ts = performance.now();
const openMs = ts - t0;
const checked = lib.writable.then(() => performance.now() - t0);
try {
  const warm = lib.warmUp();
  const modelId = lib.search.searchModel();
  const dim = modelId ? lib.catalog.embeddingDim(modelId) : undefined;
  if (!modelId || !dim) throw new Error('the library has no embeddings');
  const [via, searchableMs, textMs] = await Promise.all([
    lib.search.searchable(modelId, dim),
    lib.search.searchable(modelId, dim).then(() => performance.now() - ts),
    lib.search.loadTextEncoder(modelId).then(() => performance.now() - ts),
  ]);
  const tq = performance.now();
  const r = await lib.searchText(query, { limit: 20 });
  const end = performance.now();
  const queryMs = end - tq;
  const knn = lib.search.lastKnn;
  const w = await warm;
  if (w.errors.length) throw new Error(w.errors.join('; '));
  // The deferred hash of the index file, after the answer: timed too (it runs in the background in the app).
  const tv = performance.now();
  const idx = await lib.search.index(w.modelId!, lib.catalog.embeddingDim(w.modelId!)!);
  const pending = idx.verificationPending;
  await idx.verifyDeferred();
  const verifyMs = performance.now() - tv;
  // A preview that was missing or stale is written after the answer (in the app too, in the background).
  const tp = performance.now();
  const wrote = await idx.ensurePreview();
  const previewWriteMs = performance.now() - tp;
  const checkMs = await checked;
  console.log(
    JSON.stringify({
      open_ms: Math.round(openMs),
      check_ms: Math.round(checkMs),
      index_ms: Math.round(searchableMs),
      searchable_via: via,
      graph_ms: w.indexMs,
      text_model_load_ms: Math.round(textMs),
      query_ms: Math.round(queryMs),
      answered_by: knn?.via ?? null,
      knn_ms: knn?.ms ?? null,
      first_query_ms: Math.round(openMs + searchableMs + queryMs),
      first_answer_wall_ms: Math.round(end - t0),
      hits: r.hits.length,
      sync: lib.search.lastSync?.action ?? null,
      deferred_check_ms: pending ? Math.round(verifyMs) : null,
      preview_problem: lib.search.previewProblem,
      preview_written_ms: wrote ? Math.round(previewWriteMs) : null,
      preview_mb: fs.existsSync(idx.previewFile) ? +(fs.statSync(idx.previewFile).size / (1 << 20)).toFixed(1) : null,
      rss_mb: Math.round(process.memoryUsage().rss / (1 << 20)),
      load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    }),
  );
} finally {
  await lib.close();
}
