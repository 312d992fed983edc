// The benchmarks' input: 2-megapixel photo-like JPEGs, generated once and cached in .bench/.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/**
 * `n` photo-like JPEGs (1728×1152: gradients, texture and shapes, distinct per photo) in `dir`,
 * named IMG_0000.jpg…; made once (a `.complete` marker), then reused. Returns their paths.
 */
export async function ensureBenchPhotos(dir: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => path.join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`));
  if (fs.existsSync(path.join(dir, '.complete'))) return names;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const W = 1728;
  const H = 1152;
  for (let i = 0; i < n; i++) {
    const noise = await sharp({ create: { width: W, height: H, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 30 } } } as never).raw().toBuffer();
    const svg = `<svg width="${W}" height="${H}"><defs><linearGradient id="g" x1="0" x2="1" y1="0" y2="1"><stop offset="0" stop-color="hsl(${(i * 47) % 360},70%,60%)"/><stop offset="1" stop-color="hsl(${(i * 47 + 120) % 360},60%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${300 + ((i * 97) % 1100)}" cy="${300 + ((i * 53) % 500)}" r="${120 + (i % 5) * 40}" fill="hsl(${(i * 91) % 360},80%,50%)"/></svg>`;
    await sharp(Buffer.from(svg))
      .composite([{ input: noise, raw: { width: W, height: H, channels: 3 }, blend: 'soft-light' }])
      .jpeg({ quality: 88 })
      .toFile(names[i]!);
  }
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return names;
}
