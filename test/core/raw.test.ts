// Camera RAW files: shown from their largest embedded JPEG preview, with the photo's own size and
// orientation; a RAW without a usable preview is catalogued and fails its thumbnail with the reason.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_OPTIONS, ensurePreview, processPhoto } from '../../src/main/core/media/decode.ts';
import { openImage } from '../../src/main/core/media/open.ts';
import { configureMediaExiftool, endMediaExiftool, exiftoolRead, mediaExiftool, mediaExiftoolRunning } from '../../src/main/core/media/exiftool.ts';
import { withOrientation } from '../../src/main/core/media/raw.ts';
import { Library } from '../../src/main/core/library.ts';
import { tempDir } from '../helpers/photos.ts';
import { QUADRANTS, RAW_CAMERAS, RAW_FORMATS, THUMBNAIL_COLOUR, encodeTiff, quadrantJpeg, t, writeRawFile, writeRawFromJpeg, type Corner, type RawFormat } from '../helpers/raw-files.ts';

afterAll(() => endMediaExiftool());

const targets = (dir: string, name: string) => ({
  thumb: path.join(dir, 'c', `${name}.t.jpg`),
  preview: path.join(dir, 'c', `${name}.p.jpg`),
  tmpDir: path.join(dir, 'tmp'),
});

/** The colour at a fraction of an image's width and height. */
async function colourAt(file: string, fx: number, fy: number): Promise<{ r: number; g: number; b: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const x = Math.floor(fx * (info.width - 1));
  const y = Math.floor(fy * (info.height - 1));
  const i = (y * info.width + x) * info.channels;
  return { r: data[i]!, g: data[i + 1]!, b: data[i + 2]! };
}

function near(c: { r: number; g: number; b: number }, want: { r: number; g: number; b: number }): boolean {
  return Math.abs(c.r - want.r) < 40 && Math.abs(c.g - want.g) < 40 && Math.abs(c.b - want.b) < 40;
}

/** Which of the stored preview's corners shows at the top-left and at the top-right once an orientation is applied. */
const TOP_LEFT: Record<number, Corner> = { 1: 'tl', 2: 'tr', 3: 'br', 4: 'bl', 5: 'tl', 6: 'bl', 7: 'br', 8: 'tr' };
const TOP_RIGHT: Record<number, Corner> = { 1: 'tr', 2: 'tl', 3: 'bl', 4: 'br', 5: 'bl', 6: 'tl', 7: 'tr', 8: 'br' };

/** The corner of QUADRANTS a colour is, or what it is instead. */
function cornerOf(c: { r: number; g: number; b: number }): string {
  for (const [k, v] of Object.entries(QUADRANTS)) if (near(c, v)) return k;
  return near(c, THUMBNAIL_COLOUR) ? 'the thumbnail' : `rgb(${c.r},${c.g},${c.b})`;
}

/** exiftool's FileType for each fixture: the file is what it claims to be. (Sony SR2 files are ARW-like; exiftool calls them ARW.) */
const FILE_TYPE: Record<RawFormat, string> = { ...Object.fromEntries(RAW_FORMATS.map((f) => [f, f.toUpperCase()])), sr2: 'ARW' } as Record<RawFormat, string>;
/** The tag exiftool finds the preview under, per format: where each camera maker puts it. */
const PREVIEW_TAG: Record<RawFormat, string> = {
  cr2: 'IFD0:PreviewImage',
  cr3: 'QuickTime:PreviewImage',
  crw: 'CanonRaw:JpgFromRaw',
  nef: 'SubIFD:JpgFromRaw',
  nrw: 'SubIFD:JpgFromRaw',
  arw: 'IFD0:PreviewImage',
  sr2: 'IFD0:PreviewImage',
  raf: 'File:PreviewImage',
  orf: 'Olympus:PreviewImage',
  rw2: 'IFD0:JpgFromRaw',
  pef: 'IFD2:JpgFromRaw',
  dng: 'SubIFD1:PreviewImage',
  srw: 'SubIFD:JpgFromRaw',
  mrw: 'Minolta:PreviewImage',
  x3f: 'SigmaRaw:JpgFromRaw',
  erf: 'Olympus:PreviewImage',
};

describe('RAW files', () => {
  for (const format of RAW_FORMATS) {
    it(`${format.toUpperCase()}: the embedded preview, upright once, and the photo's own size`, async () => {
      const dir = tempDir();
      const cam = RAW_CAMERAS[format];
      // Turned a quarter clockwise (CRW and X3F record it as a 90° rotation); the preview is a quarter of the photo's size.
      const file = await writeRawFile(path.join(dir, `IMG_0001.${format.toUpperCase()}`), format, { orientation: 6 });
      const tags = await exiftoolRead(file, ['-G1', '-a', `-${PREVIEW_TAG[format].split(':')[1]!}`, '-FileType']);
      expect(tags['File:FileType'], 'exiftool recognises the format').toBe(FILE_TYPE[format]);
      expect(tags[PREVIEW_TAG[format]], 'exiftool finds the preview where the camera puts it').toMatch(/^\(Binary data \d+ bytes/);

      const tg = targets(dir, format);
      const facts = await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS, { modelShortEdge: 224 });
      expect(facts.format).toBe('raw');
      expect(facts.orientation).toBe(6);
      // The photo's size, upright — not the preview's (a quarter of it), nor a thumbnail's.
      expect([facts.width, facts.height]).toEqual([cam.height, cam.width]);
      const thumb = await sharp(tg.thumb).metadata();
      expect(Math.max(thumb.width!, thumb.height!)).toBe(384);
      expect(thumb.height! / thumb.width!).toBeCloseTo(cam.width / cam.height, 1);
      // Turned once: the preview's bottom-left quadrant is at the top-left, its top-left at the top-right.
      // (Turned twice — RAF, RW2 and X3F previews carry the orientation too — it would be landscape, bottom-right first.)
      expect(cornerOf(await colourAt(tg.thumb, 0.05, 0.05))).toBe('bl');
      expect(cornerOf(await colourAt(tg.thumb, 0.95, 0.05))).toBe('tl');
      expect(cornerOf(await colourAt(tg.thumb, 0.95, 0.95))).toBe('tr');
      expect(facts.modelImage!.width).toBe(224);
      expect(facts.modelImage!.height).toBeGreaterThan(224);
    });
  }

  it("NEF: a TIFF reader sees only the 160-px thumbnail of IFD0; Shoebox the D700's 3040×2014 photo from its JpgFromRaw", async () => {
    const dir = tempDir();
    const file = await writeRawFile(path.join(dir, 'DSC_0001.NEF'), 'nef', { preview: await quadrantJpeg(3040, 2014) });
    const tiff = await sharp(file).metadata();
    expect([tiff.format, tiff.width, tiff.height]).toEqual(['tiff', 160, 106]);
    const img = await openImage(file, DEFAULT_MEDIA_OPTIONS);
    expect([img.format, img.width, img.height, img.orientation]).toEqual(['raw', 3040, 2014, 1]);
    const tg = targets(dir, 'nef');
    await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS);
    expect(await sharp(tg.thumb).metadata()).toMatchObject({ width: 384, height: 254 });
    expect(cornerOf(await colourAt(tg.thumb, 0.05, 0.05))).toBe('tl');
    expect(cornerOf(await colourAt(tg.thumb, 0.95, 0.95))).toBe('br');
  });

  it('DNG: the default crop (3516×2328) is the photo, not the raw image with its borders nor the 256-px IFD0 thumbnail', async () => {
    const dir = tempDir();
    const file = await writeRawFile(path.join(dir, 'L1000001.DNG'), 'dng');
    expect(await sharp(file).metadata()).toMatchObject({ format: 'tiff', width: 256 });
    expect(await exiftoolRead(file, ['-G1', '-n', '-Composite:ImageSize'])).toMatchObject({ 'Composite:ImageSize': '3528 2340' });
    const img = await openImage(file, DEFAULT_MEDIA_OPTIONS);
    expect([img.width, img.height]).toEqual([3516, 2328]);
  });

  it('applies each of the 8 orientations of the RAW to its preview, exactly once', async () => {
    const dir = tempDir();
    for (let o = 1; o <= 8; o++) {
      const file = await writeRawFile(path.join(dir, `o${o}.NEF`), 'nef', { orientation: o, width: 600, height: 400, preview: await quadrantJpeg(600, 400) });
      const tg = targets(dir, `o${o}`);
      const facts = await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS);
      expect([facts.width, facts.height], `orientation ${o}`).toEqual(o >= 5 ? [400, 600] : [600, 400]);
      const thumb = await sharp(tg.thumb).metadata();
      expect(thumb.width! > thumb.height!, `orientation ${o}`).toBe(o < 5);
      expect(thumb.orientation ?? 1, `orientation ${o}: the thumbnail is upright itself`).toBe(1);
      expect(cornerOf(await colourAt(tg.thumb, 0.05, 0.05)), `orientation ${o}, top-left`).toBe(TOP_LEFT[o]);
      expect(cornerOf(await colourAt(tg.thumb, 0.95, 0.05)), `orientation ${o}, top-right`).toBe(TOP_RIGHT[o]);
    }
  });

  it("the RAW's orientation wins over the preview's own; the preview's counts only when the RAW has none", async () => {
    const dir = tempDir();
    const turnedPreview = await quadrantJpeg(600, 400, { orientation: 6 });
    const cases: { raw: number | null; want: number }[] = [
      { raw: 8, want: 8 }, // turned the other way in the RAW (as exiftool or Lightroom write it): the RAW is right
      { raw: 1, want: 1 }, // the RAW says upright: the preview's tag is not applied on top
      { raw: null, want: 6 }, // nothing in the RAW: the preview's own tag
    ];
    for (const { raw, want } of cases) {
      const file = await writeRawFile(path.join(dir, `raw${raw}.ARW`), 'arw', { orientation: raw, width: 600, height: 400, preview: turnedPreview });
      const tg = targets(dir, `raw${raw}`);
      const facts = await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS);
      expect(facts.orientation, `RAW ${raw}`).toBe(want);
      expect([facts.width, facts.height], `RAW ${raw}`).toEqual(want >= 5 ? [400, 600] : [600, 400]);
      expect(cornerOf(await colourAt(tg.thumb, 0.05, 0.05)), `RAW ${raw}`).toBe(TOP_LEFT[want]);
      expect(cornerOf(await colourAt(tg.thumb, 0.95, 0.05)), `RAW ${raw}`).toBe(TOP_RIGHT[want]);
    }
  });

  it('uses the largest embedded JPEG, wherever it sits', async () => {
    const dir = tempDir();
    // A NEF-like file whose first SubIFD (JpgFromRaw) is a small preview and whose second (OtherImage) the large one.
    const small = await quadrantJpeg(480, 320);
    const large = await quadrantJpeg(1500, 1000);
    const file = path.join(dir, 'two.NEF');
    const jpegIfd = (jpeg: Buffer) => ({ entries: [t.long(0x00fe, 1), t.short(0x0103, 6), t.blob(0x0201, 0x0202, jpeg)] });
    fs.writeFileSync(
      file,
      encodeTiff(
        { entries: [t.ascii(0x010f, 'NIKON CORPORATION'), t.ascii(0x0110, 'NIKON D700'), t.short(0x0112, 1), t.ifds(0x014a, jpegIfd(small), jpegIfd(large))] },
        { byteOrder: 'MM' },
      ),
    );
    expect(await exiftoolRead(file, ['-G1', '-a', '-JpgFromRaw', '-OtherImage'])).toMatchObject({ 'SubIFD:JpgFromRaw': expect.any(String), 'SubIFD1:OtherImage': expect.any(String) });
    const img = await openImage(file, DEFAULT_MEDIA_OPTIONS);
    const { info } = await (await img.pixels(0, true)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1500, 1000]);
    // No size of its own in this file: the preview's is the photo's.
    expect([img.width, img.height]).toEqual([1500, 1000]);
  });

  it('writeRawFromJpeg (the benchmark\'s RAW) gives the JPEG\'s photo, size and orientation', async () => {
    const dir = tempDir();
    const jpeg = await quadrantJpeg(800, 600, { orientation: 6 });
    const file = await writeRawFromJpeg(jpeg, path.join(dir, 'IMG_0001.DNG'));
    const tg = targets(dir, 'bench');
    const facts = await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS);
    expect([facts.format, facts.width, facts.height, facts.orientation]).toEqual(['raw', 600, 800, 6]);
    expect(cornerOf(await colourAt(tg.thumb, 0.05, 0.05))).toBe('bl');
  });

  it('makes the photo view preview from the embedded preview, upright', async () => {
    const dir = tempDir();
    const file = await writeRawFile(path.join(dir, 'IMG_0002.CR3'), 'cr3', { orientation: 8 });
    const preview = path.join(dir, 'c', 'p.jpg');
    await ensurePreview(file, preview, path.join(dir, 'tmp'), DEFAULT_MEDIA_OPTIONS);
    const meta = await sharp(preview).metadata();
    // The CR3's PRVW is 1680×1120 here: portrait once turned, 1600 px on its long edge.
    expect(meta.height).toBe(1600);
    expect(Math.abs(meta.width! - 1067)).toBeLessThanOrEqual(1);
    expect(meta.orientation ?? 1).toBe(1);
    expect(cornerOf(await colourAt(preview, 0.05, 0.05))).toBe(TOP_LEFT[8]);
    expect(cornerOf(await colourAt(preview, 0.95, 0.05))).toBe(TOP_RIGHT[8]);
  });

  it('fails a RAW without a usable preview with the reason, writes no thumbnail, and never shows the tiny one', async () => {
    const dir = tempDir();
    const cases: { format: RawFormat; spec: Parameters<typeof writeRawFile>[2]; reason: RegExp }[] = [
      { format: 'orf', spec: { preview: null }, reason: /^no embedded preview: this ORF holds only a 160×120 thumbnail \(ThumbnailImage\), too small to show; .* at least 384 px/ },
      { format: 'cr2', spec: { preview: null }, reason: /^no embedded preview: this CR2 holds only a 160×120 thumbnail \(ThumbnailImage\)/ },
      { format: 'dng', spec: { preview: null }, reason: /^no embedded preview: this DNG holds no JPEG preview at all/ },
      { format: 'nef', spec: { preview: await quadrantJpeg(300, 200) }, reason: /^no embedded preview: this NEF holds only a 300×200 image \(JpgFromRaw\), too small to show/ },
    ];
    for (const { format, spec, reason } of cases) {
      const file = await writeRawFile(path.join(dir, `none.${format}`), format, spec);
      const tg = targets(dir, `none-${format}`);
      await expect(processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS), format).rejects.toThrow(reason);
      expect(fs.existsSync(tg.thumb), format).toBe(false);
      await expect(ensurePreview(file, tg.preview, tg.tmpDir, DEFAULT_MEDIA_OPTIONS), format).rejects.toThrow(reason);
      expect(fs.existsSync(tg.preview), format).toBe(false);
    }
  });

  it('shows a RAW whose preview is damaged, marked with the decoder\'s words', async () => {
    const dir = tempDir();
    const whole = await quadrantJpeg(800, 600, { quality: 95 });
    const file = await writeRawFile(path.join(dir, 'IMG_0004.CR2'), 'cr2', { preview: whole.subarray(0, Math.floor(whole.length * 0.7)) });
    const tg = targets(dir, 'damaged');
    const facts = await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS);
    expect(facts.damaged).toMatch(/premature end|truncated|corrupt/i);
    expect(cornerOf(await colourAt(tg.thumb, 0.05, 0.05))).toBe('tl');
  });

  it('says when a file with a RAW name is something else, or cannot be read in time', async () => {
    const dir = tempDir();
    const text = path.join(dir, 'IMG_0003.CR2');
    fs.writeFileSync(text, 'raw sensor data\n'.repeat(100));
    await expect(openImage(text, DEFAULT_MEDIA_OPTIONS)).rejects.toThrow(/^not a camera RAW file: exiftool reads it as a TXT file/);
    const cut = path.join(dir, 'cut.NEF');
    fs.writeFileSync(cut, fs.readFileSync(await writeRawFile(path.join(dir, 'whole.NEF'), 'nef')).subarray(0, 3000));
    await expect(openImage(cut, DEFAULT_MEDIA_OPTIONS)).rejects.toThrow(/^no embedded preview: this NEF holds no JPEG preview at all \(exiftool: .+\)/);
    // A named pipe nobody writes to: exiftool waits on it for ever, and is stopped at the time limit.
    const fifo = path.join(dir, 'stuck.CR2');
    execFileSync('mkfifo', [fifo]);
    await configureMediaExiftool({ timeoutMs: 500 });
    try {
      await expect(exiftoolRead(fifo, ['-FileType'], 'the RAW file')).rejects.toThrow(/^cannot read the RAW file: exiftool took longer than 0.5 s and was stopped$/);
      // The pool goes on with the next file.
      expect(await openImage(path.join(dir, 'whole.NEF'), DEFAULT_MEDIA_OPTIONS)).toMatchObject({ format: 'raw', width: 3040, height: 2014 });
    } finally {
      await configureMediaExiftool({});
    }
  });

  it('reads several RAW files at once through the shared exiftool, and withOrientation leaves one orientation only', async () => {
    const dir = tempDir();
    const files = await Promise.all(RAW_FORMATS.slice(0, 8).map((f, i) => writeRawFile(path.join(dir, `many${i}.${f}`), f, { orientation: 3 })));
    const opened = await Promise.all(files.map((f) => openImage(f, DEFAULT_MEDIA_OPTIONS)));
    expect(opened.map((o) => o.orientation)).toEqual(files.map(() => 3));
    // The same CRW again and again, on both processes: extracting its preview leaves exiftool able to list it next time.
    const crw = files[RAW_FORMATS.indexOf('crw')]!;
    for (let i = 0; i < 4; i++) expect(await openImage(crw, DEFAULT_MEDIA_OPTIONS), `read ${i}`).toMatchObject({ format: 'raw', width: 3072, height: 2048 });
    // …and still lists it as binary data (not its bytes as text) to whoever reads the file next.
    const listings = await Promise.all([0, 1, 2, 3].map(() => exiftoolRead(crw, ['-G1', '-JpgFromRaw'])));
    for (const l of listings) expect(l['CanonRaw:JpgFromRaw']).toMatch(/^\(Binary data \d+ bytes/);
    const jpeg = await quadrantJpeg(64, 32, { orientation: 6 });
    expect((await sharp(withOrientation(jpeg, 8)).metadata()).orientation).toBe(8);
    expect((await sharp(withOrientation(jpeg, 1)).metadata()).orientation).toBeUndefined();
    expect((await sharp(withOrientation(jpeg, null)).metadata()).orientation).toBeUndefined();
    // Fill bytes before a marker are allowed: still one orientation, and the pixels intact.
    const filled = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xff]), jpeg.subarray(2)]);
    const turned = withOrientation(filled, 8);
    expect((await sharp(turned).metadata()).orientation).toBe(8);
    expect((await sharp(turned).raw().toBuffer()).equals(await sharp(jpeg).raw().toBuffer())).toBe(true);
  });
});

describe('RAW files in a library', () => {
  const libs: Library[] = [];
  afterEach(async () => {
    while (libs.length) await libs.pop()!.close();
  });

  it('indexes a CR2, a NEF and a preview-less ORF: two thumbnails, one failure with its reason; close() ends exiftool', async () => {
    const root = tempDir();
    const folder = path.join(root, 'Photos');
    await writeRawFile(path.join(folder, 'IMG_0001.CR2'), 'cr2', { orientation: 6 });
    await writeRawFile(path.join(folder, 'DSC_0002.NEF'), 'nef');
    await writeRawFile(path.join(folder, 'P0003.ORF'), 'orf', { preview: null, gps: { lat: 48.8584, lon: 2.2945 } });
    const lib = Library.open({ dataDir: path.join(root, 'data'), pipeline: { backoffMs: () => 5 } });
    libs.push(lib);
    await lib.addFolder(folder);
    await lib.index();
    const status = lib.status();
    expect(status.photos).toBe(3);
    expect(status.stages.find((s) => s.stage === 'thumb')).toMatchObject({ done: 2, failed: 1 });
    const failed = status.failed.filter((f) => f.stage === 'thumb');
    expect(failed.map((f) => path.basename(f.path))).toEqual(['P0003.ORF']);
    expect(failed[0]!.error).toMatch(/^no embedded preview: this ORF holds only a 160×120 thumbnail/);
    const listed = lib.list();
    expect(listed.map((p) => path.basename(p.path)).sort()).toEqual(['DSC_0002.NEF', 'IMG_0001.CR2', 'P0003.ORF']);
    const byName = (n: string) => listed.find((p) => p.path.endsWith(n))!;
    expect(byName('IMG_0001.CR2')).toMatchObject({ width: 3840, height: 5760 });
    expect(byName('DSC_0002.NEF')).toMatchObject({ width: 3040, height: 2014 });
    // The preview-less ORF is catalogued all the same, with what its metadata says.
    const orf = lib.photo(byName('P0003.ORF').id)!;
    expect(orf).toMatchObject({ takenAt: '2021-06-05T14:30:00', cameraMake: 'OLYMPUS IMAGING CORP.', cameraModel: 'E-M5' });
    expect(orf.gps!.lat).toBeCloseTo(48.8584, 3);
    expect(orf.gps!.lon).toBeCloseTo(2.2945, 3);
    for (const n of ['IMG_0001.CR2', 'DSC_0002.NEF']) {
      const thumb = lib.cache.targets(lib.catalog.photo(byName(n).id)!.fingerprint!).thumb;
      expect(cornerOf(await colourAt(thumb, 0.05, 0.05)), n).toBe(n.endsWith('CR2') ? 'bl' : 'tl');
    }
    expect(mediaExiftoolRunning()).toBe(true);
    await lib.close();
    libs.pop();
    expect(mediaExiftoolRunning()).toBe(false);
    // A later read starts it again.
    expect(await mediaExiftool().version()).toMatch(/^\d+\.\d+/);
  });
});
