// Decoding: EXIF facts, orientation, the two cached sizes, and a clear error for each broken input.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import bmpJs from 'bmp-js';
import { mulberry32 } from '../../src/main/core/random.ts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_OPTIONS, ensurePreview, MediaError, processPhoto, probe } from '../../src/main/core/media/decode.ts';
import { makeBrokenInputs, makeJpeg, tempDir } from '../helpers/photos.ts';
import { readModelInput } from '../../src/main/core/media/model-input.ts';
import { cutOffJpeg } from '../../src/main/core/media/open.ts';

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
    // The same bytes on every run (sharp's noise differs each time, and whether a corrupted byte
    // makes a bad Huffman code depends on what is around it).
    const next = mulberry32(11);
    const px = Buffer.alloc(640 * 480 * 3);
    for (let i = 0; i < px.length; i++) px[i] = 60 + Math.floor(next() * 120);
    const good = await sharp(px, { raw: { width: 640, height: 480, channels: 3 } }).jpeg().toBuffer();
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

  it('reads the model input the way the thumbnail is read: upright, any format, a damaged JPEG as far as it goes', async () => {
    const dir = tempDir();
    const rotated = await makeJpeg(path.join(dir, 'r.jpg'), { width: 800, height: 400, orientation: 6 });
    expect(await readModelInput(rotated, 224, DEFAULT_MEDIA_OPTIONS)).toMatchObject({ width: 224, height: 448 });
    const small = await makeJpeg(path.join(dir, 's.jpg'), { width: 100, height: 80 });
    expect(await readModelInput(small, 224, DEFAULT_MEDIA_OPTIONS)).toMatchObject({ width: 100, height: 80 }); // never enlarged
    const good = fs.readFileSync(await makeJpeg(path.join(dir, 'g.jpg'), { width: 640, height: 480, seed: 3 }));
    const cut = path.join(dir, 'cut.jpg');
    fs.writeFileSync(cut, good.subarray(0, good.length - 100));
    const img = await readModelInput(cut, 224, DEFAULT_MEDIA_OPTIONS);
    expect([img.width, img.height, img.data.length]).toEqual([299, 224, 299 * 224 * 3]);
    const bmpFile = path.join(dir, 'b.bmp');
    fs.writeFileSync(bmpFile, palettedBmp(30, 20));
    expect(await readModelInput(bmpFile, 224, DEFAULT_MEDIA_OPTIONS)).toMatchObject({ width: 30, height: 20 });
  });

  it('keeps a cached thumbnail, unless told to replace it (and then drops the preview made from the same source)', async () => {
    const dir = tempDir();
    const file = await makeJpeg(path.join(dir, 'x.jpg'), { width: 800, height: 600 });
    const t = targets(dir, 'x');
    fs.mkdirSync(path.dirname(t.thumb), { recursive: true });
    fs.writeFileSync(t.thumb, 'a thumbnail of the wrong image');
    fs.writeFileSync(t.preview, 'a preview of the wrong image');
    await processPhoto(file, t, DEFAULT_MEDIA_OPTIONS);
    expect(fs.readFileSync(t.thumb, 'utf8')).toBe('a thumbnail of the wrong image');
    await processPhoto(file, t, DEFAULT_MEDIA_OPTIONS, { replaceThumb: true });
    expect((await sharp(t.thumb).metadata()).width).toBe(DEFAULT_MEDIA_OPTIONS.thumbSize);
    expect(fs.existsSync(t.preview)).toBe(false);
  });

  it('turns every one of the 8 EXIF orientations upright, exactly once', async () => {
    const dir = tempDir();
    // Stored 40×20: the top-left quadrant red, the rest blue. Where that corner ends up, per orientation:
    const corner: Record<number, 'tl' | 'tr' | 'bl' | 'br'> = { 1: 'tl', 2: 'tr', 3: 'br', 4: 'bl', 5: 'tl', 6: 'tr', 7: 'br', 8: 'bl' };
    const px = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) px.set(x < 20 && y < 10 ? [230, 20, 20] : [20, 20, 230], (y * 40 + x) * 3);
    for (let o = 1; o <= 8; o++) {
      const file = path.join(dir, `o${o}.jpg`);
      await sharp(px, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: o }).toFile(file);
      const facts = await processPhoto(file, targets(dir, `o${o}`), DEFAULT_MEDIA_OPTIONS);
      expect([facts.width, facts.height], `orientation ${o}`).toEqual(o >= 5 ? [20, 40] : [40, 20]);
      const { data, info } = await sharp(targets(dir, `o${o}`).thumb).raw().toBuffer({ resolveWithObject: true });
      const red = (x: number, y: number) => data[(y * info.width + x) * info.channels]! > 150;
      const [w, h] = [info.width - 3, info.height - 3];
      const found = red(2, 2) ? 'tl' : red(w, 2) ? 'tr' : red(2, h) ? 'bl' : red(w, h) ? 'br' : 'none';
      expect(found, `orientation ${o}`).toBe(corner[o]);
    }
  });

  it('refuses a decompression bomb from its header alone', async () => {
    const dir = tempDir();
    const file = await makeJpeg(path.join(dir, 'ok.jpg'), { width: 100, height: 100 });
    await expect(probe(file, { ...DEFAULT_MEDIA_OPTIONS, maxPixels: 9999 })).rejects.toThrow(/too large: 100×100/);
    await expect(probe(file, { ...DEFAULT_MEDIA_OPTIONS, maxPixels: 10000 })).resolves.toMatchObject({ width: 100, height: 100 });
  });
});

/** An 8-bit palettised, bottom-up BMP (what Paint and old scanners write), built by hand: left half red, right half blue. */
function palettedBmp(width: number, height: number): Buffer {
  const rowSize = Math.ceil(width / 4) * 4;
  const palette = Buffer.from([0, 0, 255, 0, 255, 0, 0, 0]); // BGRA entries: 0 = red, 1 = blue
  const offset = 14 + 40 + palette.length;
  const out = Buffer.alloc(offset + rowSize * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(8, 28);
  out.writeUInt32LE(rowSize * height, 34);
  out.writeUInt32LE(2, 46);
  palette.copy(out, 54);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[offset + y * rowSize + x] = x < width / 2 ? 0 : 1;
  return out;
}

describe('formats', () => {
  it('decodes BMP (24-bit and 8-bit palettised) and names JPEG XL as unsupported', async () => {
    const dir = tempDir();
    const paletted = path.join(dir, 'scan.bmp');
    fs.writeFileSync(paletted, palettedBmp(30, 20));
    const facts = await processPhoto(paletted, targets(dir, 'scan'), DEFAULT_MEDIA_OPTIONS);
    expect([facts.format, facts.width, facts.height]).toEqual(['bmp', 30, 20]);
    const { data, info } = await sharp(targets(dir, 'scan').thumb).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number) => [...data.subarray((Math.floor(info.height / 2) * info.width + x) * info.channels, (Math.floor(info.height / 2) * info.width + x) * info.channels + 3)];
    expect(at(2)[0]).toBeGreaterThan(200); // red on the left
    expect(at(info.width - 3)[2]).toBeGreaterThan(200); // blue on the right

    // 24-bit, written by bmp-js's encoder (it takes ABGR pixels).
    const abgr = Buffer.alloc(16 * 8 * 4);
    for (let i = 0; i < 16 * 8; i++) abgr.set([255, 40, 160, 20], i * 4); // a green
    const bmp24 = path.join(dir, 'paint.bmp');
    fs.writeFileSync(bmp24, bmpJs.encode({ data: abgr, width: 16, height: 8 }).data);
    const f24 = await processPhoto(bmp24, targets(dir, 'paint'), DEFAULT_MEDIA_OPTIONS);
    expect([f24.format, f24.width, f24.height]).toEqual(['bmp', 16, 8]);
    const px = await sharp(targets(dir, 'paint').thumb).raw().toBuffer();
    expect(px[1]!).toBeGreaterThan(px[0]! + 80);

    const jxl = path.join(dir, 'photo.jxl');
    fs.writeFileSync(jxl, Buffer.concat([Buffer.from([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a]), Buffer.alloc(64)]));
    await expect(processPhoto(jxl, targets(dir, 'jxl'), DEFAULT_MEDIA_OPTIONS)).rejects.toThrow(/unsupported format: JPEG XL/);
    const bare = path.join(dir, 'bare.jxl');
    fs.writeFileSync(bare, Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.alloc(64)]));
    await expect(processPhoto(bare, targets(dir, 'bare'), DEFAULT_MEDIA_OPTIONS)).rejects.toThrow(/unsupported format: JPEG XL/);
    // A file that only says "BM" is no bitmap.
    const fake = path.join(dir, 'fake.bmp');
    fs.writeFileSync(fake, Buffer.concat([Buffer.from('BM'), Buffer.alloc(10)]));
    await expect(processPhoto(fake, targets(dir, 'fake'), DEFAULT_MEDIA_OPTIONS)).rejects.toThrow(MediaError);
  });

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

describe('a cut-off JPEG said from its bytes', () => {
  it('names the premature end when the file lacks its end marker, and nothing for a whole one (zero padding allowed)', async () => {
    const dir = tempDir();
    const whole = await makeJpeg(path.join(dir, 'whole.jpg'), { seed: 5, width: 64, height: 48 });
    const bytes = fs.readFileSync(whole);
    const cut = path.join(dir, 'cut.jpg');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const padded = path.join(dir, 'padded.jpg');
    fs.writeFileSync(padded, Buffer.concat([bytes, Buffer.alloc(64)]));
    expect(await cutOffJpeg(whole, 'jpeg')).toBeNull();
    expect(await cutOffJpeg(padded, 'jpeg')).toBeNull();
    expect(await cutOffJpeg(cut, 'jpeg')).toMatch(/^Premature end of JPEG file/);
    expect(await cutOffJpeg(cut, 'png')).toBeNull();
  });
});
