// HEIC photos through the one door for pixels: libheif-js in worker threads where libvips has no
// HEVC decoder. Fixtures: test/fixtures/media/*.heic (scripts/make-heic-fixtures.ts says what each is).
import fs from 'node:fs';
import path from 'node:path';
import { threadId as mainThread } from 'node:worker_threads';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_OPTIONS, ensurePreview, MediaError, processPhoto, type CacheTargets } from '../../src/main/core/media/decode.ts';
import {
  configureHeif,
  heifDecoder,
  heifPool,
  HeifPool,
  libvipsDecodesHevc,
  observeHeifDecodes,
  TINY_HEIC_BASE64,
  type HeifDecodeEvent,
} from '../../src/main/core/media/heif.ts';
import { Library } from '../../src/main/core/library.ts';
import { libraryMedia } from '../../src/main/core/handlers/media.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/media');
const fixture = (name: string) => path.join(FIXTURES, name);

let dir: string;
const events: HeifDecodeEvent[] = [];
let stopObserving: () => void;

beforeAll(() => {
  // The libheif-js path, also on a machine whose libvips has HEVC (where 'auto' would use libvips).
  configureHeif({ decoder: 'libheif-js' });
  stopObserving = observeHeifDecodes((e) => events.push(e));
  dir = tempDir();
});

afterAll(async () => {
  stopObserving();
  await heifPool().close();
  configureHeif({ decoder: 'auto' });
});

let n = 0;
function targets(): CacheTargets {
  n++;
  return { thumb: path.join(dir, 'thumbs', `${n}.jpg`), preview: path.join(dir, 'previews', `${n}.jpg`), tmpDir: path.join(dir, 'partial') };
}

/** The last decode of `file` the pool reported. */
function lastDecode(file: string): HeifDecodeEvent {
  const e = events.filter((x) => x.file === file).at(-1);
  if (!e) throw new Error(`no decode of ${file}`);
  return e;
}

type Colour = 'red' | 'green' | 'blue' | 'orange' | 'other';
function name(r: number, g: number, b: number): Colour {
  if (r > 150 && g < 90 && b < 90) return 'red';
  if (g > 140 && r < 90 && b < 90) return 'green';
  if (b > 150 && r < 100 && g < 130) return 'blue';
  if (r > 200 && g > 100 && g < 180 && b < 80) return 'orange';
  return 'other';
}

/** The colours near the four corners of an image file (or raw pixels): the marker picture upright is red, green / blue, blue. */
async function corners(input: string | { data: Buffer; width: number; height: number }) {
  const { data, info } =
    typeof input === 'string'
      ? await sharp(input).removeAlpha().raw().toBuffer({ resolveWithObject: true })
      : { data: input.data, info: { width: input.width, height: input.height, channels: 3 } };
  const at = (fx: number, fy: number) => {
    const x = Math.floor(fx * info.width);
    const y = Math.floor(fy * info.height);
    const i = (y * info.width + x) * info.channels;
    return name(data[i]!, data[i + 1]!, data[i + 2]!);
  };
  return { size: [info.width, info.height], tl: at(1 / 8, 1 / 8), tr: at(7 / 8, 1 / 8), bl: at(1 / 8, 7 / 8), br: at(7 / 8, 7 / 8) };
}

const UPRIGHT = { tl: 'red', tr: 'green', bl: 'blue', br: 'blue' };

describe('the HEIC decoder', () => {
  it('is libvips where libvips decodes the embedded HEIC, else libheif-js', async () => {
    // The probe is the committed fixture, and a real HEVC HEIC: libheif-js decodes it to 16×16.
    expect(Buffer.from(TINY_HEIC_BASE64, 'base64').equals(fs.readFileSync(fixture('tiny.heic')))).toBe(true);
    const pool = new HeifPool({ size: 1 });
    try {
      const tiny = await pool.decode(fixture('tiny.heic'), { needLongEdge: 16, maxPixels: 1e6, width: 16, height: 16 });
      expect([tiny.width, tiny.height]).toEqual([16, 16]);
    } finally {
      await pool.close();
    }
    const vips = await sharp(fixture('tiny.heic'))
      .raw()
      .toBuffer()
      .then(
        () => true,
        () => false,
      );
    expect(await libvipsDecodesHevc()).toBe(vips);
    configureHeif({ decoder: 'auto' });
    try {
      expect((await heifDecoder()).decoder).toBe(vips ? 'libvips' : 'libheif-js');
    } finally {
      configureHeif({ decoder: 'libheif-js' });
    }
  });
});

describe('HEIC through processPhoto and ensurePreview', () => {
  it('decodes an upright HEIC in a worker thread: size, thumbnail, pixels', async () => {
    const file = fixture('upright.heic');
    const tg = targets();
    const facts = await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS, { modelShortEdge: 24 });
    expect(facts).toMatchObject({ format: 'heif', width: 64, height: 48, orientation: null, damaged: null });
    expect(await corners(tg.thumb)).toMatchObject({ size: [64, 48], ...UPRIGHT });
    expect(facts.modelImage).toMatchObject({ width: 32, height: 24 });
    expect(await corners(facts.modelImage!)).toMatchObject(UPRIGHT);
    const decode = lastDecode(file);
    expect(decode.source).toBe('primary');
    expect(decode.threadId).not.toBe(mainThread);
  });

  it('turns a phone portrait upright exactly once: the container rotates it, the EXIF tag saying the same is not applied again', async () => {
    for (const name of ['rotated.heic', 'mirrored.heic']) {
      const file = fixture(name);
      const tg = targets();
      const facts = await processPhoto(file, tg, DEFAULT_MEDIA_OPTIONS);
      // The EXIF tag is there (6: turn right; 5: transpose), and the size is the upright one.
      expect(facts, name).toMatchObject({ format: 'heif', width: 48, height: 64, orientation: name === 'rotated.heic' ? 6 : 5 });
      expect(await corners(tg.thumb), name).toMatchObject({ size: [48, 64], ...UPRIGHT });
      await ensurePreview(file, tg.preview, tg.tmpDir, DEFAULT_MEDIA_OPTIONS);
      expect(await corners(tg.preview), name).toMatchObject({ size: [48, 64], ...UPRIGHT });
      expect(lastDecode(file).threadId).not.toBe(mainThread);
    }
  });

  it('takes the primary image of a file with several, not the first', async () => {
    const tg = targets();
    const facts = await processPhoto(fixture('multi.heic'), tg, DEFAULT_MEDIA_OPTIONS);
    expect(facts).toMatchObject({ width: 64, height: 48 });
    expect(await corners(tg.thumb)).toMatchObject({ size: [64, 48], ...UPRIGHT });
  });

  it('uses the embedded thumbnail when it is large enough, and decodes the photo when it is not', async () => {
    const file = fixture('thumb.heic'); // 320×240, thumbnail 96×72
    const small = targets();
    await processPhoto(file, small, { ...DEFAULT_MEDIA_OPTIONS, thumbSize: 80 });
    expect(lastDecode(file)).toMatchObject({ source: 'thumbnail', width: 96, height: 72 });
    expect(await corners(small.thumb)).toMatchObject({ size: [80, 60], ...UPRIGHT });

    const large = targets();
    const facts = await processPhoto(file, large, { ...DEFAULT_MEDIA_OPTIONS, thumbSize: 160 });
    expect(facts).toMatchObject({ width: 320, height: 240 });
    expect(lastDecode(file)).toMatchObject({ source: 'primary', width: 320, height: 240 });
    expect(await corners(large.thumb)).toMatchObject({ size: [160, 120], ...UPRIGHT });

    // The model's input counts too: a short edge of 96 needs more than the thumbnail has.
    const model = targets();
    const withModel = await processPhoto(file, model, { ...DEFAULT_MEDIA_OPTIONS, thumbSize: 80 }, { modelShortEdge: 96 });
    expect(lastDecode(file).source).toBe('primary');
    expect(withModel.modelImage).toMatchObject({ width: 128, height: 96 });

    await ensurePreview(file, large.preview, large.tmpDir, DEFAULT_MEDIA_OPTIONS);
    expect(lastDecode(file).source).toBe('primary');
    expect(await corners(large.preview)).toMatchObject({ size: [320, 240], ...UPRIGHT });
  });

  it("applies the file's ICC profile: Display P3 values come out as the sRGB colour they are", async () => {
    // sRGB's pure red, stored as P3 values (about 234, 51, 34) with the P3 profile.
    const tg = targets();
    await processPhoto(fixture('p3.heic'), tg, DEFAULT_MEDIA_OPTIONS);
    const { data } = await sharp(tg.thumb).raw().toBuffer({ resolveWithObject: true });
    const [r, g, b] = [data[0]!, data[1]!, data[2]!];
    expect(r, `${r},${g},${b}`).toBeGreaterThan(245);
    expect(g, `${r},${g},${b}`).toBeLessThan(20);
    expect(b, `${r},${g},${b}`).toBeLessThan(20);
  });

  it('fails a truncated HEIC with a MediaError that says so', async () => {
    const whole = fs.readFileSync(fixture('upright.heic'));
    // Cut inside the coded image data (mdat, at the end): the header still reads.
    const cut = path.join(dir, 'cut.heic');
    fs.writeFileSync(cut, whole.subarray(0, whole.length - 20));
    const tg = targets();
    const err = await processPhoto(cut, tg, DEFAULT_MEDIA_OPTIONS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).message).toMatch(/^corrupt image: the HEIC cannot be decoded \(.+\)/);
    expect(fs.existsSync(tg.thumb)).toBe(false);
    // Cut inside the header: refused from the header, also as a MediaError.
    const head = path.join(dir, 'head.heic');
    fs.writeFileSync(head, whole.subarray(0, 200));
    await expect(processPhoto(head, targets(), DEFAULT_MEDIA_OPTIONS)).rejects.toBeInstanceOf(MediaError);
  });
});

describe('the worker pool', () => {
  const job = { needLongEdge: 64, maxPixels: 1e6, width: 64, height: 48 };

  it('fails only the photo whose worker died, and goes on with a fresh worker', async () => {
    const pool = new HeifPool({ size: 1, testHooks: true });
    try {
      for (const crash of ['exit', 'abort'] as const) {
        const err = await pool.decode(fixture('upright.heic'), { ...job, crash }).catch((e: unknown) => e);
        expect(err, crash).toBeInstanceOf(MediaError);
        expect((err as Error).message, crash).toMatch(/cannot decode this HEIC|the HEIC cannot be decoded/);
        const after = await pool.decode(fixture('upright.heic'), job);
        expect([after.width, after.height], crash).toEqual([64, 48]);
      }
      expect(pool.crashed).toBe(1); // the exit; the abort was reported by the worker, which was then retired
      expect(pool.started).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it('runs at most `size` decodes at once, in as many workers, and retires a worker whose heap grew too large', async () => {
    const files = ['upright.heic', 'rotated.heic', 'mirrored.heic', 'multi.heic', 'thumb.heic', 'upright.heic'].map(fixture);
    const wide = new HeifPool({ size: 2 });
    try {
      const out = await Promise.all(files.map((f) => wide.decode(f, job)));
      expect(new Set(out.map((r) => r.threadId)).size).toBe(2);
      expect(wide.started).toBe(2);
    } finally {
      await wide.close();
    }
    // A memory budget smaller than one decode: one at a time, so one worker does them all.
    const tight = new HeifPool({ size: 2, memoryBudget: 1 });
    try {
      const out = await Promise.all(files.map((f) => tight.decode(f, job)));
      expect(new Set(out.map((r) => r.threadId)).size).toBe(1);
    } finally {
      await tight.close();
    }
    // Every heap is "too large": each decode gets a fresh worker.
    const recycling = new HeifPool({ size: 1, recycleHeapBytes: 1 });
    try {
      for (const f of files.slice(0, 3)) await recycling.decode(f, job);
      expect(recycling.started).toBe(3);
      expect(recycling.workers).toBe(0);
    } finally {
      await recycling.close();
    }
  });
});

describe('a HEIC original in the window', () => {
  let lib: Library;
  let photos: string;

  beforeAll(async () => {
    const root = tempDir();
    photos = path.join(root, 'Photos');
    fs.mkdirSync(photos, { recursive: true });
    fs.copyFileSync(fixture('rotated.heic'), path.join(photos, 'IMG_0001.HEIC'));
    await makeJpeg(path.join(photos, 'plain.jpg'), { seed: 7 });
    lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
    await lib.addFolder(photos);
    await lib.index();
  }, 120_000);

  afterAll(async () => {
    await lib?.close();
  });

  it('is indexed with its upright size and thumbnail', () => {
    expect(lib.status().failed).toEqual([]);
    const photo = lib.catalog.photoByPath(path.join(photos, 'IMG_0001.HEIC'))!;
    expect(photo).toMatchObject({ format: 'heif', width: 48, height: 64 });
  });

  it('comes back as a full-size upright JPEG, made once and cached by fingerprint; a JPEG original is the file itself', async () => {
    const media = libraryMedia(lib);
    const photo = lib.catalog.photoByPath(path.join(photos, 'IMG_0001.HEIC'))!;
    const first = await media(photo.id, 'original');
    expect(first).toMatchObject({ contentType: 'image/jpeg', etag: `${photo.fingerprint}-full` });
    expect(first!.file).toBe(lib.cache.fullSize(photo.fingerprint!));
    expect((await sharp(first!.file).metadata()).format).toBe('jpeg');
    expect(await corners(first!.file)).toMatchObject({ size: [48, 64], ...UPRIGHT });
    const made = fs.statSync(first!.file).mtimeMs;
    const again = await media(photo.id, 'original');
    expect(again!.file).toBe(first!.file);
    expect(fs.statSync(again!.file).mtimeMs).toBe(made);

    const jpeg = lib.catalog.photoByPath(path.join(photos, 'plain.jpg'))!;
    expect(await media(jpeg.id, 'original')).toEqual({ file: fs.realpathSync(path.join(photos, 'plain.jpg')), contentType: 'image/jpeg', etag: null });
  });

  it('still shows from the cache when the drive is gone, and the conversion goes when the photo does', async () => {
    const media = libraryMedia(lib);
    const photo = lib.catalog.photoByPath(path.join(photos, 'IMG_0001.HEIC'))!;
    const full = lib.cache.fullSize(photo.fingerprint!);
    const moved = path.join(path.dirname(photos), 'away.heic');
    fs.renameSync(path.join(photos, 'IMG_0001.HEIC'), moved);
    try {
      expect(await media(photo.id, 'original')).toMatchObject({ file: full, contentType: 'image/jpeg' });
    } finally {
      fs.renameSync(moved, path.join(photos, 'IMG_0001.HEIC'));
    }
    lib.cache.remove([photo.fingerprint!]);
    expect(fs.existsSync(full)).toBe(false);
  });
});
