// `npm run test:fast`: the quick tiers only (no real models, exiftool, libvips corpora or CLI
// subprocesses): the renderer's logic, the contract's checks, the layer lint, the pipeline's
// scheduler with fake stages, the contract's handlers, and pure units of the engine. `npm test` (and CI)
// still run everything.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Spread, not mergeConfig: that would append to the base's include (every test) instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/renderer/**/*.test.ts',
      'test/shared/**/*.test.ts',
      'test/lint-layers.test.ts',
      'test/core/pipeline.test.ts',
      'test/core/handoff.test.ts',
      'test/core/handlers.test.ts',
      'test/core/dates.test.ts',
      'test/core/pairs.test.ts',
      'test/core/boilerplate.test.ts',
      'test/core/beam-search.test.ts',
    ],
  },
});
