// Full-size JPEGs of originals a browser cannot show (HEIC, TIFF, camera RAW, JPEG XL), for the photo view's "original".
import fs from 'node:fs';
import path from 'node:path';
import type { MediaOptions } from './decode.ts';
import { openImage, readPixels } from './open.ts';

/** Content types Chromium (the app's window, and the browsers `shoebox serve` is opened in) displays. */
export const BROWSER_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif', 'image/bmp']);

const making = new Map<string, Promise<void>>();
let seq = 0;

/**
 * Writes a full-resolution JPEG of `file` (upright, sRGB, transparency on white) to `target` unless
 * it is there: read through the one door for pixels (open.ts), so every format Shoebox reads can
 * be shown full size. Written atomically (a partial file in `tmpDir`, then a rename), one write per
 * target at a time; callers asking while it is made wait for the same write.
 */
export function ensureFullSize(file: string, target: string, tmpDir: string, options: MediaOptions): Promise<void> {
  const running = making.get(target);
  if (running) return running;
  const job = (async () => {
    if (fs.existsSync(target)) return;
    const img = await openImage(file, options);
    const { result: jpeg } = await readPixels<Buffer>(file, img, Math.max(img.width, img.height), (pixels) =>
      pixels.flatten({ background: '#ffffff' }).toColourspace('srgb').jpeg({ quality: 90 }).toBuffer(),
    );
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${path.basename(target)}.full.${process.pid}.${(seq++).toString(36)}.tmp`);
    await fs.promises.writeFile(tmp, jpeg);
    await fs.promises.rename(tmp, target);
  })().finally(() => making.delete(target));
  making.set(target, job);
  return job;
}
