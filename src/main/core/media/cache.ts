// The thumbnail and preview cache in the data folder, keyed by content fingerprint.
import fs from 'node:fs';
import path from 'node:path';
import type { CacheTargets } from './decode.ts';

export class CacheStore {
  constructor(
    readonly thumbsDir: string,
    readonly previewsDir: string,
    readonly tmpDir: string,
    /** Full-size JPEGs of originals a browser cannot show (HEIC, TIFF, RAW): made on demand (core/handlers/media.ts). */
    readonly fullDir: string = path.join(path.dirname(previewsDir), 'full'),
    /** Face crops for the People view: made on demand ([Note: face crops] in face-crop.ts). */
    readonly facesDir: string = path.join(path.dirname(previewsDir), 'faces'),
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

  /** Where the full-size JPEG of a photo's original goes, for originals a browser cannot show. */
  fullSize(fingerprint: string): string {
    return path.join(this.fullDir, fingerprint.slice(0, 2), `${fingerprint}.jpg`);
  }

  /** Where the crop of a face at `box` in the photo of `fingerprint` goes: the box is in the name, so a face read again at another place is another file. */
  faceCrop(fingerprint: string, box: { x: number; y: number; width: number; height: number }): string {
    const at = [box.x, box.y, box.width, box.height].map((n) => Math.round(n)).join('-');
    return path.join(this.facesDir, fingerprint.slice(0, 2), `${fingerprint}-${at}.jpg`);
  }

  /** Deletes the cached files of fingerprints no photo uses any more. */
  remove(fingerprints: readonly string[]): void {
    for (const fp of fingerprints) {
      const t = this.targets(fp);
      fs.rmSync(t.thumb, { force: true });
      fs.rmSync(t.preview, { force: true });
      fs.rmSync(this.fullSize(fp), { force: true });
      const shard = path.join(this.facesDir, fp.slice(0, 2));
      let crops: string[] = [];
      try {
        crops = fs.readdirSync(shard).filter((n) => n.startsWith(`${fp}-`));
      } catch {
        // no face crops in this shard
      }
      for (const n of crops) fs.rmSync(path.join(shard, n), { force: true });
    }
  }
}
