// bench:scan — cold index rate and warm rescan rate of the engine on a generated (or given) library.
// Usage: npm run bench:scan [-- <folder>] [-- --count N]   Last line: one JSON object with the figures.
//        npm run bench:scan -- --formats [--count N]   12 MP JPEG, HEIC and RAW of the same photos (N each, 12 by default)
//        npm run bench:scan -- --heic48                three 48 MP HEICs indexed, one previewed and shown full size; peak RSS
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Library } from '../src/main/core/library.ts';
import { benchFormats, benchHeic48 } from './lib/bench-formats.ts';

const { values, positionals } = parseArgs({
  options: {
    count: { type: 'string' },
    rescans: { type: 'string', default: '3' },
    formats: { type: 'boolean', default: false },
    heic48: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const count = Number.parseInt(values.count ?? (values.formats ? '12' : '10000'), 10);
const WARM_GOAL = 2000;

async function generate(dir: string, n: number): Promise<void> {
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        // 100 photos a folder, like camera imports; each a distinct small image.
        const file = path.join(dir, `day-${String(Math.floor(i / 100)).padStart(4, '0')}`, `IMG_${String(i).padStart(6, '0')}.jpg`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        await sharp({
          create: { width: 160, height: 120, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 13) % 256 } },
        })
          .composite([{ input: Buffer.from(`<svg width="160" height="120"><text x="10" y="60" font-size="30">${i}</text></svg>`), top: 0, left: 0 }])
          .jpeg({ quality: 80 })
          .toFile(file);
      }
    }),
  );
  fs.writeFileSync(marker, '');
  console.error(`generated ${n} photos in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  let folder = positionals[0] ? path.resolve(positionals[0]) : '';
  if (!folder) {
    folder = path.resolve('.bench', `scan-${count}`);
    await generate(folder, count);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-'));
  const lib = Library.open({ dataDir });
  try {
    await lib.addFolder(folder);
    const t0 = performance.now();
    const scans = await lib.scan();
    const t1 = performance.now();
    await lib.pipeline.run({ untilIdle: true });
    const t2 = performance.now();
    const status = lib.status();
    const photos = status.photos;
    const seen = scans.reduce((n, s) => n + s.seen, 0);
    const warm: number[] = [];
    for (let i = 0; i < Number.parseInt(values.rescans, 10); i++) {
      const w0 = performance.now();
      const again = await lib.scan();
      warm.push(performance.now() - w0);
      if (again.some((s) => s.added || s.changed || s.moved || s.missing)) throw new Error('warm rescan found changes in an unchanged library');
    }
    warm.sort((a, b) => a - b);
    const warmMs = warm[Math.floor(warm.length / 2)]!;
    const figures = {
      bench: 'scan',
      folder,
      photos,
      failed: status.failed.length,
      cold_scan_s: +((t1 - t0) / 1000).toFixed(3),
      cold_scan_rate: Math.round(seen / ((t1 - t0) / 1000)),
      cold_thumbs_s: +((t2 - t1) / 1000).toFixed(3),
      cold_index_s: +((t2 - t0) / 1000).toFixed(3),
      cold_index_rate: +(photos / ((t2 - t0) / 1000)).toFixed(1),
      warm_rescan_s: +(warmMs / 1000).toFixed(3),
      warm_rescan_rate: Math.round(seen / (warmMs / 1000)),
      warm_goal_rate: WARM_GOAL,
      warm_ratio_to_goal: +(seen / (warmMs / 1000) / WARM_GOAL).toFixed(2),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      cpus: os.availableParallelism(),
      node: process.version,
    };
    console.log(`photos:          ${photos} (${figures.failed} failed)`);
    console.log(`cold scan:       ${figures.cold_scan_s} s  (${figures.cold_scan_rate} files/s, fingerprints included)`);
    console.log(`cold index:      ${figures.cold_index_s} s  (${figures.cold_index_rate} photos/s: scan + thumbnails + EXIF)`);
    console.log(`warm rescan:     ${figures.warm_rescan_s} s  (${figures.warm_rescan_rate} files/s; goal ${WARM_GOAL}/s, ratio ${figures.warm_ratio_to_goal})`);
    console.log(`peak RSS:        ${figures.peak_rss_mb} MB`);
    console.log(JSON.stringify(figures));
  } finally {
    await lib.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (values.formats) await benchFormats(count);
else if (values.heic48) await benchHeic48();
else await main();
