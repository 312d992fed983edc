// A face's picture for the People view: a square around the face box, cut from the photo's preview (upright,
// 1600 px) or, when that cannot be made, its thumbnail, and cached beside them ([Note: face crops]).
//
// [Note: face crops]
// The square is the box's longer side plus 30 % of it on every side (1.6 times), centred on the box, moved (never
// shrunk, unless the photo is smaller) to stay inside the photo, so a round mask over it shows the whole face with
// some hair and chin. It is cut from the preview rather than the original: the preview is already upright, already
// decoded for every format (RAW, HEIC), and made once per photo; at 1600 px a face 10 % of a photo's long side is
// still 160 px there. The crop is FACE_CROP_SIZE px, a JPEG, cached under the photo's fingerprint and the box, so a
// face read again at another place is a new file and a stale one is never served.
import fs from 'node:fs';
import sharp from 'sharp';
import { MediaError } from './errors.ts';
import { writeAtomic } from './decode.ts';

/** The side of a face crop, in pixels. */
export const FACE_CROP_SIZE = 160;
/** How much of the box's longer side is added on each side. */
export const FACE_CROP_PADDING = 0.3;

export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The square (whole pixels) to cut for `box`, a box in a `photo`-sized upright image, from an image of
 * `image.width`×`image.height` (the same picture, scaled): padded, centred, kept inside.
 */
export function faceSquare(box: CropBox, photo: { width: number; height: number }, image: { width: number; height: number }): CropBox {
  const sx = image.width / photo.width;
  const sy = image.height / photo.height;
  const cx = (box.x + box.width / 2) * sx;
  const cy = (box.y + box.height / 2) * sy;
  const side = Math.max(1, Math.min(Math.max(box.width * sx, box.height * sy) * (1 + 2 * FACE_CROP_PADDING), image.width, image.height));
  const s = Math.max(1, Math.floor(side));
  const left = Math.round(Math.min(Math.max(cx - s / 2, 0), image.width - s));
  const top = Math.round(Math.min(Math.max(cy - s / 2, 0), image.height - s));
  return { x: left, y: top, width: s, height: s };
}

/** The photo's upright size as the image shows it: `photo` as stored, or turned a quarter when the image is. */
function uprightLike(photo: { width: number; height: number }, image: { width: number; height: number }): { width: number; height: number } {
  const same = Math.abs(photo.width / photo.height - image.width / image.height);
  const turned = Math.abs(photo.height / photo.width - image.width / image.height);
  return turned < same ? { width: photo.height, height: photo.width } : photo;
}

const making = new Map<string, Promise<void>>();

/**
 * Writes the crop of `box` (in the photo's upright pixels; `photo` its size) from the upright image `source` to
 * `out`, unless it is there; one write per file at a time. A MediaError when the box is not inside the photo.
 */
export function ensureFaceCrop(source: string, box: CropBox, photo: { width: number; height: number }, out: string, tmpDir: string): Promise<void> {
  const running = making.get(out);
  if (running) return running;
  const job = (async () => {
    if (fs.existsSync(out)) return;
    if (!(box.width > 0 && box.height > 0) || box.x + box.width <= 0 || box.y + box.height <= 0 || box.x >= photo.width || box.y >= photo.height) {
      throw new MediaError(`the face box ${box.width}x${box.height} at ${box.x},${box.y} is not inside the ${photo.width}x${photo.height} photo`);
    }
    const meta = await sharp(source).metadata();
    if (!meta.width || !meta.height) throw new MediaError('the photo\u2019s preview has no size');
    const image = { width: meta.width, height: meta.height };
    const square = faceSquare(box, uprightLike(photo, image), image);
    const jpeg = await sharp(source)
      .extract({ left: square.x, top: square.y, width: square.width, height: square.height })
      .resize(FACE_CROP_SIZE, FACE_CROP_SIZE, { fit: 'fill' })
      .jpeg({ quality: 85 })
      .toBuffer();
    await writeAtomic(out, jpeg, tmpDir);
  })().finally(() => making.delete(out));
  making.set(out, job);
  return job;
}
