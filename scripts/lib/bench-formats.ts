// bench:scan --formats: index rates of 12 MP phone photos by format (JPEG and HEIC of the same
// pictures), peak memory, and --heic48: the peak memory of one 48 MP HEIC shown full size.
// The photos are generated at bench time (heif-enc writes the HEICs) and cached in .bench/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { Library } from '../../src/main/core/library.ts';
import { libraryMedia } from '../../src/main/core/handlers/media.ts';
import { heifDecoder, heifPool, observeHeifDecodes, type HeifDecodeEvent } from '../../src/main/core/media/heif.ts';
import { addProperty, irot, primaryId } from './heif-boxes.ts';
import { writeRawFromJpeg } from '../../test/helpers/raw-files.ts';

/** A phone's 12 MP (4:3) and 48 MP sensor sizes. */
const MP12 = { width: 4032, height: 3024 };
const MP48 = { width: 8064, height: 6048 };

/**
 * A photo-like picture, distinct per `i`: a sky-to-ground gradient, shapes, low-frequency blotches
 * and fine sensor-like noise, so the codecs have real work (flat colour would decode in no time).
 * `portrait` photos are stored on their side, as a phone stores them (EXIF Orientation 6).
 */
async function picture(i: number, size: { width: number; height: number }): Promise<Sharp> {
  const { width: W, height: H } = size;
  const blobs = await sharp({ create: { width: Math.ceil(W / 32), height: Math.ceil(H / 32), channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } } } as never)
    .resize(W, H, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  const fine = await sharp({ create: { width: W, height: H, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 12 } } } as never).raw().toBuffer();
  const hue = (i * 47) % 360;
  const svg =
    `<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g" x1="0" x2="0" y1="0" y2="1">` +
    `<stop offset="0" stop-color="hsl(${hue},60%,72%)"/><stop offset="1" stop-color="hsl(${(hue + 140) % 360},45%,25%)"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>` +
    `<circle cx="${(0.2 + ((i * 0.13) % 0.5)) * W}" cy="${0.45 * H}" r="${0.17 * H}" fill="hsl(${(i * 91) % 360},70%,50%)"/>` +
    `<rect x="${0.6 * W}" y="${0.2 * H}" width="${0.27 * W}" height="${0.6 * H}" fill="hsl(${(i * 31) % 360},40%,40%)" transform="rotate(${(i * 7) % 30} ${0.72 * W} ${0.5 * H})"/></svg>`;
  const raw = { width: W, height: H, channels: 3 as const };
  return sharp(
    await sharp(Buffer.from(svg))
      .composite([
        { input: blobs, raw, blend: 'soft-light' },
        { input: fine, raw, blend: 'overlay' },
      ])
      .png({ compressionLevel: 0 })
      .toBuffer(),
  );
}

interface BenchFormat {
  name: string;
  ext: string;
  /** Writes photo `i` of the library in this format beside `jpeg`, the same picture as a phone JPEG. */
  write(jpeg: string, out: string, portrait: boolean): Promise<void> | void;
}

/** heif-enc as a phone writes HEIC: HEVC tiles, a 320 px thumbnail, the JPEG's EXIF; a portrait turned upright by `irot`. */
function heifEnc(jpeg: string, out: string, portrait: boolean): void {
  execFileSync('heif-enc', ['-q', '55', '-t', '320', '-p', 'preset=ultrafast', jpeg, '-o', out], { stdio: 'pipe' });
  if (portrait) {
    const heic = fs.readFileSync(out);
    fs.writeFileSync(out, addProperty(heic, primaryId(heic), irot(3)));
  }
}

/**
 * The formats of the mixed library, each written from the same picture as its JPEG so their costs
 * compare. Camera RAW: a DNG (a phone's RAW) with the JPEG as its full-size embedded preview, which
 * raw.ts shows the photo from (test/helpers/raw-files.ts writes it).
 */
const FORMATS: BenchFormat[] = [
  { name: 'jpeg', ext: 'jpg', write: () => {} }, // the JPEG itself
  { name: 'heic', ext: 'heic', write: heifEnc },
  { name: 'raw', ext: 'dng', write: async (jpeg, out) => void (await writeRawFromJpeg(jpeg, out, 'dng')) },
];

/** The generated library is complete for these formats (a library cached before RAW was added is made again). */
const COMPLETE = `.complete-${FORMATS.map((f) => f.name).join('-')}`;

function photoName(i: number, ext: string): string {
  return `IMG_${String(i).padStart(4, '0')}.${ext}`;
}

/** Writes `n` photos in every format under dir/<format>/ (once: a COMPLETE marker). */
async function generate(dir: string, n: number, size: { width: number; height: number }): Promise<void> {
  if (fs.existsSync(path.join(dir, COMPLETE))) return;
  fs.rmSync(dir, { recursive: true, force: true });
  for (const f of FORMATS) fs.mkdirSync(path.join(dir, f.name), { recursive: true });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const portrait = i % 4 === 3;
    const jpeg = path.join(dir, 'jpeg', photoName(i, 'jpg'));
    const img = await picture(i, size);
    // A portrait photo is stored on its side: the pixels turned left, EXIF Orientation 6 turns them back.
    const stored = portrait ? sharp(await img.rotate(270).png({ compressionLevel: 0 }).toBuffer()) : img;
    const tagged = stored.withExif({ IFD0: { Make: 'Apple', Model: 'iPhone 13' }, IFD2: { DateTimeOriginal: `2023:05:${String(1 + (i % 28)).padStart(2, '0')} 12:00:00` } });
    await (portrait ? tagged.withMetadata({ orientation: 6 }) : tagged).jpeg({ quality: 90 }).toFile(jpeg);
    for (const f of FORMATS.slice(1)) await f.write(jpeg, path.join(dir, f.name, photoName(i, f.ext)), portrait);
    process.stderr.write(`\rgenerated ${i + 1}/${n}`);
  }
  fs.writeFileSync(path.join(dir, COMPLETE), '');
  console.error(` in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Generates in a child process, so this process's peak memory is the engine's alone. */
function generateApart(dir: string, n: number, size: { width: number; height: number }): void {
  if (fs.existsSync(path.join(dir, COMPLETE))) return;
  execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'generate', dir, String(n), String(size.width), String(size.height)], { stdio: 'inherit' });
}

const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);

export async function benchFormats(count: number): Promise<void> {
  const dir = path.resolve('.bench', `formats-${count}`);
  generateApart(dir, count, MP12);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-formats-'));
  const decodes: HeifDecodeEvent[] = [];
  const stop = observeHeifDecodes((e) => decodes.push(e));
  const lib = Library.open({ dataDir });
  const rates: Record<string, { photos: number; failed: number; seconds: number; rate: number; cpu_s_per_photo: number; loop_delay_max_ms: number; bytes_per_photo: number }> = {};
  try {
    // One library holding every format, indexed a folder at a time so each format has its own rate.
    for (const f of FORMATS) {
      const folder = path.join(dir, f.name);
      const files = fs.readdirSync(folder).filter((x) => x.endsWith(`.${f.ext}`));
      const bytes = files.reduce((s, x) => s + fs.statSync(path.join(folder, x)).size, 0);
      await lib.addFolder(folder);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await lib.scan();
      await lib.pipeline.run({ untilIdle: true });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      loop.disable();
      const failed = lib.status().failed.filter((x) => x.path.startsWith(folder + path.sep)).length;
      rates[f.name] = {
        photos: files.length,
        failed,
        seconds: +seconds.toFixed(2),
        rate: +(files.length / seconds).toFixed(2),
        cpu_s_per_photo: +((cpu.user + cpu.system) / 1e6 / files.length).toFixed(3),
        loop_delay_max_ms: +(loop.max / 1e6).toFixed(1),
        bytes_per_photo: Math.round(bytes / files.length),
      };
      console.log(
        `${f.name.padEnd(5)} ${files.length} × 12 MP: ${rates[f.name]!.rate} photos/s (${seconds.toFixed(1)} s; ${rates[f.name]!.cpu_s_per_photo} s CPU a photo; ` +
          `event loop delay max ${rates[f.name]!.loop_delay_max_ms} ms; ${failed} failed; ${(bytes / files.length / 1e6).toFixed(1)} MB a file)`,
      );
    }
  } finally {
    stop();
    await lib.close();
    await heifPool().close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const jpeg = rates.jpeg!;
  const heic = rates.heic!;
  const raw = rates.raw!;
  const decoder = await heifDecoder();
  const figures = {
    bench: 'scan-formats',
    megapixels: (MP12.width * MP12.height) / 1e6,
    count,
    jpeg_rate: jpeg.rate,
    heic_rate: heic.rate,
    raw_rate: raw.rate,
    heic_goal_rate: 2,
    heic_cost_ratio: +(jpeg.rate / heic.rate).toFixed(2),
    heic_cpu_ratio: +(heic.cpu_s_per_photo / jpeg.cpu_s_per_photo).toFixed(2),
    jpeg_cpu_s_per_photo: jpeg.cpu_s_per_photo,
    heic_cpu_s_per_photo: heic.cpu_s_per_photo,
    heic_decode_ms_median: median(decodes.map((d) => d.ms)),
    heic_thumbnail_decodes: decodes.filter((d) => d.source === 'thumbnail').length,
    heic_loop_delay_max_ms: heic.loop_delay_max_ms,
    raw_cpu_s_per_photo: raw.cpu_s_per_photo,
    raw_cost_ratio: +(jpeg.rate / raw.rate).toFixed(2),
    failed: jpeg.failed + heic.failed + raw.failed,
    decoder: decoder.decoder,
    peak_rss_mb: rss(),
    cpus: os.availableParallelism(),
    node: process.version,
  };
  console.log(`HEIC costs ${figures.heic_cost_ratio}× the time of the same photo as JPEG (${figures.heic_cpu_ratio}× the CPU); HEIC goal ≥ 2 photos/s: ${heic.rate >= 2 ? 'met' : 'not met'}`);
  console.log(`decoder: ${decoder.decoder} (${decoder.why}); median wasm decode ${figures.heic_decode_ms_median} ms; peak RSS ${figures.peak_rss_mb} MB`);
  console.log(JSON.stringify(figures));
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]!);
}

/** Three 48 MP HEICs indexed, one's preview made and its original shown full size: the process's peak RSS (goal < 1.5 GB). */
export async function benchHeic48(): Promise<void> {
  const dir = path.resolve('.bench', 'heic48');
  generateApart(dir, 1, MP48);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-heic48-'));
  const lib = Library.open({ dataDir });
  const steps: Record<string, { s: number; rss_mb: number }> = {};
  const step = async (name: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    steps[name] = { s: +((performance.now() - t0) / 1000).toFixed(2), rss_mb: rss() };
    console.log(`${name.padEnd(9)} ${steps[name]!.s} s, peak RSS so far ${steps[name]!.rss_mb} MB`);
  };
  let failed = 0;
  // Three of them, so the engine decodes two at once as it would a folder of them: copies made
  // distinct (another fingerprint) by a `free` box at the end, which readers skip.
  const folder = path.join(dir, 'heic-x3');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const heic = fs.readFileSync(path.join(dir, 'heic', photoName(0, 'heic')));
  for (let i = 0; i < 3; i++) {
    const free = Buffer.alloc(12);
    free.writeUInt32BE(12, 0);
    free.write('free', 4, 'latin1');
    free.writeUInt32BE(i, 8);
    fs.writeFileSync(path.join(folder, photoName(i, 'heic')), Buffer.concat([heic, free]));
  }
  try {
    await lib.addFolder(folder);
    await step('index', () => lib.index());
    failed = lib.status().failed.length;
    const id = lib.catalog.photoByPath(path.join(folder, photoName(0, 'heic')))!.id;
    const media = libraryMedia(lib);
    await step('preview', async () => media(id, 'preview'));
    let full = '';
    await step('original', async () => {
      full = (await media(id, 'original'))!.file;
    });
    const meta = await sharp(full).metadata();
    console.log(`original served as ${meta.format} ${meta.width}×${meta.height}`);
  } finally {
    await lib.close();
    await heifPool().close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const figures = { bench: 'heic48', megapixels: (MP48.width * MP48.height) / 1e6, photos: 3, failed, steps, peak_rss_mb: rss(), goal_mb: 1536, cpus: os.availableParallelism(), node: process.version };
  console.log(`peak RSS ${figures.peak_rss_mb} MB (goal < ${figures.goal_mb} MB): ${figures.peak_rss_mb < figures.goal_mb ? 'met' : 'not met'}`);
  console.log(JSON.stringify(figures));
}

// `tsx bench-formats.ts generate DIR N W H`: the generator's own process (generateApart).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'generate') {
  const [dir, n, w, h] = process.argv.slice(3);
  await generate(dir!, Number(n), { width: Number(w), height: Number(h) });
}
