// For bench:search (run as a fresh process, as a user starts the app): opens a library on disk and
// answers its first text search, then prints one JSON line of timings.
//   open_ms             Library.open (SQLite, the schema version; the catalog's check runs beside, as in the app)
//   check_ms            the catalog's check before any write, on its worker, from the open until Library.writable
//   index_ms            the vector index loaded and synced with SQLite, from Library.warmUp() (in parallel with the encoder)
//   text_model_load_ms  the text encoder's first load, from Library.warmUp() (reported apart, as the issue asks)
//   query_ms            the first search once both are ready: tokenizer, text encoder, kNN, full text, hydration
//   first_query_ms      open_ms + index_ms + query_ms: open to first answer, the encoder's own load left out
//   first_answer_wall_ms  the same moment on the wall clock, encoder load included (when it is the slower half)
// Usage: tsx scripts/lib/first-query.ts <dataDir> <modelsDir> <query>
import { Library } from '../../src/main/core/library.ts';

const [dataDir, modelsDir, query] = process.argv.slice(2) as [string, string, string];
const t0 = performance.now();
const lib = Library.open({ dataDir, modelsDir, checkInBackground: true });
const openMs = performance.now() - t0;
const checked = lib.writable.then(() => performance.now() - t0);
try {
  const w = await lib.warmUp();
  if (w.errors.length) throw new Error(w.errors.join('; '));
  const tq = performance.now();
  const r = await lib.searchText(query, { limit: 20 });
  const end = performance.now();
  const queryMs = end - tq;
  // The deferred hash of the index file, after the answer: timed too (it runs in the background in the app).
  const tv = performance.now();
  const idx = await lib.search.index(w.modelId!, lib.catalog.embeddingDim(w.modelId!)!);
  const pending = idx.verificationPending;
  await idx.verifyDeferred();
  const verifyMs = performance.now() - tv;
  const checkMs = await checked;
  console.log(
    JSON.stringify({
      open_ms: Math.round(openMs),
      check_ms: Math.round(checkMs),
      index_ms: w.indexMs,
      text_model_load_ms: w.textModelMs,
      query_ms: Math.round(queryMs),
      first_query_ms: Math.round(openMs + w.indexMs! + queryMs),
      first_answer_wall_ms: Math.round(end - t0),
      hits: r.hits.length,
      sync: lib.search.lastSync?.action ?? null,
      deferred_check_ms: pending ? Math.round(verifyMs) : null,
      rss_mb: Math.round(process.memoryUsage().rss / (1 << 20)),
    }),
  );
} finally {
  await lib.close();
}
