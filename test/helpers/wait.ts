// Small helpers for tests that drive a process (the main process with Electron faked) from outside.
import { afterAll } from 'vitest';

/** Puts these environment variables back as they were once the file's tests have run (unset stays unset). */
export function restoreEnvAfterAll(names: readonly string[]): void {
  const saved = Object.fromEntries(names.map((k) => [k, process.env[k]]));
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

/** Waits (polling every 10 ms) until `what` holds; after `ms`, fails with the log so far. */
export async function until(what: () => boolean, log: readonly string[], ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out; log: ${log.join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
