// Decoding: EXIF facts, orientation, the two cached sizes, and a clear error for each broken input.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_OPTIONS, ensurePreview, MediaError, processPhoto, probe } from '../../src/main/core/media/decode.ts';
import { makeBrokenInputs, makeJpeg, tempDir } from '../helpers/photos.ts';

const targets = (dir: string, name: string) => ({
  thumb: path.join(dir, 'c', `${name}.t.jpg`),
  preview: path.join(dir, 'c', `${name}.p.jpg`),
  tmpDir: path.join(dir, 'tmp'),
});

describe('processPhoto', () => {
  it('reads EXIF date, camera and GPS, and applies the orientation', async () => {
    const dir = tempDir();
    const file = await makeJpeg(path.join(dir, 'a.jpg'), {
      width: 80,
      height: 40,
      orientation: 6,
      takenAt: '2021:07:04 18:30:05',
      make: 'Fujifilm',
      model: 'X100V',
      gps: { lat: 48.8584, lon: -2.2945 },
    });
    const t = targets(dir, 'a');
    const facts = await processPhoto(file, t, DEFAULT_MEDIA_OPTIONS);
    expect(facts.format).toBe('jpeg');
    expect(facts.orientation).toBe(6);
    // Orientation 6 is a 90° turn: the display size is 40×80.
    expect([facts.width, facts.height]).toEqual([40, 80]);
    expect(facts.takenAt).toBe('2021-07-04T18:30:05');
    expect(facts.cameraMake).toBe('Fujifilm');
    expect(facts.cameraModel).toBe('X100V');
    expect(facts.gpsLat).toBeCloseTo(48.8584, 3);
    expect(facts.gpsLon).toBeCloseTo(-2.2945, 3);
    const thumb = await sharp(t.thumb).metadata();
    expect([thumb.width, thumb.height]).toEqual([40, 80]);
    expect(thumb.orientation ?? 1).toBe(1);
  });

  it('makes the thumbnail from a reduced decode, hands the model its input, and leaves the preview for later', async () => {
    const dir = tempDir();
    const file = await makeJpeg(path.join(dir, 'big.jpg'), { width: 2000, height: 1000 });
    const t = targets(dir, 'big');
    const facts = await processPhoto(file, t, DEFAULT_MEDIA_OPTIONS, { modelShortEdge: 448 });
    const thumb = await sharp(t.thumb).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBe(DEFAULT_MEDIA_OPTIONS.thumbSize);
    expect(thumb.format).toBe('jpeg');
    expect(Math.min(facts.modelImage!.width, facts.modelImage!.height)).toBe(448);
    expect(facts.modelImage!.width / facts.modelImage!.height).toBeCloseTo(2, 1);
    expect(fs.existsSync(t.preview)).toBe(false);

    await Promise.all([ensurePreview(file, t.preview, t.tmpDir, DEFAULT_MEDIA_OPTIONS), ensurePreview(file, t.preview, t.tmpDir, DEFAULT_MEDIA_OPTIONS)]);
    const preview = await sharp(t.preview).metadata();
    expect([preview.width, preview.height]).toEqual([DEFAULT_MEDIA_OPTIONS.previewSize, DEFAULT_MEDIA_OPTIONS.previewSize / 2]);
    expect(fs.readdirSync(t.tmpDir)).toEqual([]);
  });

  it('makes a panorama thumbnail whose model input still has the short edge the model needs', async () => {
    const dir = tempDir();
    const file = await makeJpeg(path.join(dir, 'pano.jpg'), { width: 3000, height: 600 });
    const t = targets(dir, 'pano');
    const facts = await processPhoto(file, t, DEFAULT_MEDIA_OPTIONS, { modelShortEdge: 448 });
    const thumb = await sharp(t.thumb).metadata();
    expect([thumb.width, thumb.height]).toEqual([DEFAULT_MEDIA_OPTIONS.thumbSize, Math.round((DEFAULT_MEDIA_OPTIONS.thumbSize * 600) / 3000)]);
    expect([facts.modelImage!.width, facts.modelImage!.height]).toEqual([2240, 448]);
  });

  it('gives each broken input a clear error and decodes the odd-but-valid ones', async () => {
    const dir = tempDir();
    const expected = await makeBrokenInputs(path.join(dir, 'in'));
    for (const [name, pattern] of Object.entries(expected)) {
      const run = processPhoto(path.join(dir, 'in', name), targets(dir, name), DEFAULT_MEDIA_OPTIONS);
      if (pattern === null) {
        const facts = await run;
        expect(facts.width, name).toBeGreaterThan(0);
        expect(fs.existsSync(targets(dir, name).thumb), name).toBe(true);
      } else {
        await expect(run, name).rejects.toThrow(MediaError);
        await expect(run, name).rejects.toThrow(pattern);
        expect(fs.existsSync(targets(dir, name).thumb), name).toBe(false);
      }
    }
  });

  it('shows a damaged JPEG marked with the decoder\'s words, and reads a clean one as clean', async () => {
    const dir = tempDir();
    const good = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc', noise: { type: 'gaussian', mean: 100, sigma: 30 } } })
      .jpeg()
      .toBuffer();
    const cases: [string, Buffer, RegExp | null][] = [
      ['clean.jpg', good, null],
      ['no-end-marker.jpg', good.subarray(0, good.length - 2), /premature end of JPEG/i],
      ['half.jpg', good.subarray(0, Math.floor(good.length / 2)), /premature end of JPEG/i],
      ['bad-huffman.jpg', Buffer.from(Uint8Array.from(good).map((b, i) => (i > 700 && i < good.length - 200 && i % 97 === 0 ? 0xff : b))), /corrupt JPEG data/i],
    ];
    for (const [name, bytes, damage] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const facts = await processPhoto(file, targets(dir, name), DEFAULT_MEDIA_OPTIONS, { modelShortEdge: 224 });
      expect([facts.width, facts.height], name).toEqual([640, 480]);
      expect(fs.existsSync(targets(dir, name).thumb), name).toBe(true);
      expect(facts.modelImage, name).toBeDefined();
      if (damage === null) expect(facts.damaged, name).toBeNull();
      else expect(facts.damaged, name).toMatch(damage);
      // The photo view's preview is made from it too.
      await ensurePreview(file, targets(dir, name).preview, path.join(dir, 'tmp'), DEFAULT_MEDIA_OPTIONS);
      expect(fs.existsSync(targets(dir, name).preview), name).toBe(true);
    }
  });

  it('refuses a decompression bomb from its header alone', async () => {
    const dir = tempDir();
    const file = await makeJpeg(path.join(dir, 'ok.jpg'), { width: 100, height: 100 });
    await expect(probe(file, { ...DEFAULT_MEDIA_OPTIONS, maxPixels: 9999 })).rejects.toThrow(/too large: 100×100/);
    await expect(probe(file, { ...DEFAULT_MEDIA_OPTIONS, maxPixels: 10000 })).resolves.toMatchObject({ width: 100, height: 100 });
  });
});

describe('formats', () => {
  it('decodes PNG, WebP, AVIF, TIFF and GIF, and names an unsupported one', async () => {
    const dir = tempDir();
    const base = sharp({ create: { width: 48, height: 32, channels: 3, background: '#3366cc' } });
    for (const [name, fmt] of [
      ['a.png', 'png'],
      ['a.webp', 'webp'],
      ['a.avif', 'heif'],
      ['a.tiff', 'tiff'],
      ['a.gif', 'gif'],
    ] as const) {
      const file = path.join(dir, name);
      await base.clone().toFile(file);
      const facts = await processPhoto(file, targets(dir, name), DEFAULT_MEDIA_OPTIONS);
      expect([facts.format, facts.width, facts.height], name).toEqual([fmt, 48, 32]);
    }
    const svg = path.join(dir, 'drawing.jpg');
    fs.writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await expect(processPhoto(svg, targets(dir, 'svg'), DEFAULT_MEDIA_OPTIONS)).rejects.toThrow(/unsupported format: SVG/);
  });
});
