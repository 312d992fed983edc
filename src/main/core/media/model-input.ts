// The photo as a model's input: upright 8-bit RGB reduced to a shortest edge, read through the one door for pixels.
import type { OutputInfo } from 'sharp';
import type { MediaOptions, RgbPixels } from './decode.ts';
import { openImage, readPixels, type OpenedImage } from './open.ts';

/**
 * Reads a photo (orientation applied, transparency on white, as its thumbnail) reduced so its
 * shortest edge is `shortEdge` (never enlarged). Every format the thumbnail reads works here too
 * (HEIC, a RAW's preview, BMP), and a damaged JPEG is read as far as it goes ([Note: image sources]).
 * JPEG shrink-on-load makes this cheap.
 */
export async function readModelInput(file: string, shortEdge: number, options: MediaOptions): Promise<RgbPixels> {
  const { result } = await readReduced(file, await openImage(file, options), shortEdge);
  const { data, info } = result;
  if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/**
 * Reads a photo as readModelInput does, reduced so its longest edge is `longEdge` (never enlarged): OCR's input
 * when the thumbnail stage's decode was not handed over.
 */
export async function readModelInputLong(file: string, longEdge: number, options: MediaOptions): Promise<RgbPixels> {
  const img = await openImage(file, options);
  const short = Math.min(img.width, img.height);
  const long = Math.max(img.width, img.height);
  const { result } = await readReduced(file, img, Math.max(1, Math.min(short, Math.round((longEdge * short) / long))));
  const { data, info } = result;
  if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/**
 * An opened photo's pixels, upright, transparency on white, sRGB, reduced so the shortest edge is
 * `shortEdge` (never enlarged): what the thumbnail and the models are made from. A damaged file
 * comes back with its damage note ([Note: image sources]).
 */
export function readReduced(file: string, img: OpenedImage, shortEdge: number): Promise<{ result: { data: Buffer; info: OutputInfo }; damaged: string | null }> {
  const short = Math.min(img.width, img.height);
  const long = Math.max(img.width, img.height);
  return readPixels<{ data: Buffer; info: OutputInfo }>(file, img, Math.ceil((shortEdge * long) / short), (pixels) =>
    pixels
      .resize(shortEdge, shortEdge, { fit: 'outside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true }),
  );
}
