// Checks shared by the fixture-model tests: a model folder holds exactly the files its spec lists,
// each with the spec's size and sha256.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ModelFile } from '../../src/main/core/models/spec.ts';

export async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** The spec lists `names` (in that order, or in any with `anyOrder`), and every file in `dir` has the spec's size and hash. */
export async function expectSpecFiles(
  dir: string,
  files: readonly ModelFile[],
  names: readonly string[],
  opts: { anyOrder?: boolean } = {},
): Promise<void> {
  const listed = files.map((f) => f.path);
  expect(opts.anyOrder ? listed.sort() : listed).toEqual(names);
  for (const f of files) {
    const bytes = await readFile(path.join(dir, ...f.path.split('/')));
    expect(bytes.byteLength, f.path).toBe(f.size);
    expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
  }
}
