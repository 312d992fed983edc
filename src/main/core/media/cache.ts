// The thumbnail and preview cache in the data folder, keyed by content fingerprint.
import fs from 'node:fs';
import path from 'node:path';
import type { CacheTargets } from './decode.ts';

export class CacheStore {
  constructor(
    readonly thumbsDir: string,
    readonly previewsDir: string,
    readonly tmpDir: string,
  ) {}

  /** Drops partial files a crash or kill left behind. Only the engine holding the lock calls this. */
  clearPartial(): void {
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }

  targets(fingerprint: string): CacheTargets {
    const shard = fingerprint.slice(0, 2);
    return {
      thumb: path.join(this.thumbsDir, shard, `${fingerprint}.jpg`),
      preview: path.join(this.previewsDir, shard, `${fingerprint}.jpg`),
      tmpDir: this.tmpDir,
    };
  }

  /** Deletes the cached files of fingerprints no photo uses any more. */
  remove(fingerprints: readonly string[]): void {
    for (const fp of fingerprints) {
      const t = this.targets(fp);
      fs.rmSync(t.thumb, { force: true });
      fs.rmSync(t.preview, { force: true });
    }
  }
}
