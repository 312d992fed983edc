// Shoebox's beam search over transformers.js model steps, on the tiny Florence-2 fixture: one beam
// is exactly greedy decoding, wider beams finish at end-of-sequence, and the length limit holds.
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCaptions, type CaptionImage } from '../../src/main/core/ml/caption-runner.ts';
import { writeTinyFlorence } from '../fixtures/models/tiny-florence.ts';
import { tempDir } from '../helpers/photos.ts';

const env = { platform: process.platform, backends: [{ name: 'cpu', bundled: true }], exists: () => false, ortBinDir: '' };
let ref: Parameters<typeof runCaptions>[0];

async function image(r: number, g: number, b: number, noisy: boolean): Promise<CaptionImage> {
  const base = sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } });
  const img = noisy ? base.composite([{ input: { create: { width: 20, height: 16, channels: 3, background: { r: 250, g: 250, b: 250 } } }, left: 5, top: 5 }]) : base;
  const { data, info } = await sharp(await img.png().toBuffer()).raw().toBuffer({ resolveWithObject: true });
  return { data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, width: info.width, height: info.height };
}

beforeAll(async () => {
  const folder = path.join(tempDir(), 'tiny-florence');
  await writeTinyFlorence(folder);
  ref = { key: folder, folder, runtime: { arch: 'florence2', dtype: 'fp32', tasks: ['<CAPTION>'] } };
});

const provider = { requested: 'cpu' as const, threads: 1, env };

describe('beam search', () => {
  it('with one beam decodes exactly as greedy, in a batch, at any length limit', async () => {
    const images = [await image(210, 30, 35, false), await image(30, 50, 200, true), await image(235, 215, 40, true)];
    for (const maxTokens of [3, 5, 40]) {
      const greedy = await runCaptions(ref, images, { samples: 0, maxTokens }, provider);
      const one = await runCaptions(ref, images, { samples: 0, beams: 1, maxTokens }, provider);
      const oneToken = await runCaptions(ref, images, { samples: 0, beams: 2, maxTokens: 1 }, provider);
      expect(one.captions).toEqual(greedy.captions);
      expect(oneToken.captions.every((c) => c.tokens <= 1)).toBe(true);
    }
  });

  it('with several beams finishes each caption at end-of-sequence and respects the limit', async () => {
    const images = [await image(210, 30, 35, false), await image(30, 50, 200, false)];
    const full = await runCaptions(ref, images, { samples: 0, beams: 3, maxTokens: 40 }, provider);
    expect(full.captions.map((c) => c.text)).toEqual(['a photo of something red', 'a photo of something blue']);
    // <s>, five words and </s>.
    expect(full.captions.map((c) => c.tokens)).toEqual([7, 7]);
    const short = await runCaptions(ref, images, { samples: 0, beams: 3, maxTokens: 3 }, provider);
    expect(short.captions.map((c) => c.text)).toEqual(['a photo', 'a photo']);
    expect(short.captions.every((c) => c.truncated)).toBe(true);
  });
});
