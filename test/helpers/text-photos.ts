// Photos with known text, made with sharp and SVG text: photo-like backgrounds (gradients, soft shapes, noise), a
// document page and a screenshot; and the measures OCR is held to (word recall, character error rate). The OCR
// tests and `npm run bench:ocr` share them.
import sharp from 'sharp';
import { mulberry32 } from '../../src/main/core/random.ts';
import { foldedWords } from '../../src/main/core/catalog/photo-text.ts';

export const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'Liberation Sans', 'Liberation Serif', 'DejaVu Sans Mono', 'Liberation Sans Narrow'] as const;

/** Words of signs, receipts and notes, for phrases made deterministically. */
export const WORDS = (
  'wine shop bakery coffee open daily invoice total receipt password station platform exit entrance museum ticket ' +
  'market garden hotel pharmacy street avenue parking closed sunday monday tuesday friday welcome restaurant kitchen ' +
  'menu breakfast dinner lunch price discount sale fresh bread cheese library bridge harbour river mountain office ' +
  'meeting project budget quarter report summer winter north south central airport gate boarding platform theatre ' +
  'cinema concert festival gallery fountain castle tower station bicycle rental downtown pizza burger salad ' +
  'chocolate lemonade espresso croissant'
).split(' ');

export interface TextItem {
  text: string;
  x: number;
  /** The baseline. */
  y: number;
  /** Cap-to-descender size in px: the font size. */
  size: number;
  font?: string;
  fill?: string;
  /** Degrees, about the middle of the text (of its plate). */
  rotate?: number;
  weight?: 'normal' | 'bold';
  /** A box drawn behind the text (a sign). */
  plate?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function textSvg(items: readonly TextItem[]): string {
  return items
    .map((t) => {
      const font = t.font ?? 'DejaVu Sans';
      const width = t.text.length * t.size * 0.62 + t.size * 0.8;
      const rot = t.rotate ? ` transform="rotate(${t.rotate} ${t.x - t.size * 0.4 + width / 2} ${t.y - t.size * 0.3})"` : '';
      const plate = t.plate ? `<rect x="${t.x - t.size * 0.4}" y="${t.y - t.size * 1.05}" width="${width}" height="${t.size * 1.45}" rx="${t.size * 0.15}" fill="${t.plate}"/>` : '';
      return `<g${rot}>${plate}<text x="${t.x}" y="${t.y}" font-family="${font}" font-size="${t.size}" font-weight="${t.weight ?? 'normal'}" fill="${t.fill ?? '#111'}">${esc(t.text)}</text></g>`;
    })
    .join('');
}

/**
 * A photo-like background (a two-colour gradient, soft blurred blobs, grain) of width × height, seeded: no flat
 * shapes a text detector could take for a glyph.
 */
export async function photoBackground(width: number, height: number, seed: number): Promise<Buffer> {
  const rnd = mulberry32(seed);
  const hue = Math.floor(rnd() * 360);
  const blobs = Array.from({ length: 5 }, () => {
    const r = (0.1 + rnd() * 0.25) * Math.max(width, height);
    return `<circle cx="${rnd() * width}" cy="${rnd() * height}" r="${r}" fill="hsl(${(hue + rnd() * 120) % 360},${30 + rnd() * 40}%,${30 + rnd() * 40}%)" fill-opacity="0.55"/>`;
  }).join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>` +
    `<linearGradient id="g" x1="0" x2="1" y1="0" y2="1"><stop offset="0" stop-color="hsl(${hue},45%,62%)"/><stop offset="1" stop-color="hsl(${(hue + 140) % 360},40%,28%)"/></linearGradient>` +
    `<filter id="b"><feGaussianBlur stdDeviation="${Math.round(Math.max(width, height) / 25)}"/></filter></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/><g filter="url(#b)">${blobs}</g></svg>`;
  const base = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  const grain = await sharp({ create: { width, height, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 18 } } } as never).raw().toBuffer();
  return sharp(base, { raw: { width, height, channels: 3 } })
    .composite([{ input: grain, raw: { width, height, channels: 3 }, blend: 'soft-light' }])
    .png()
    .toBuffer();
}

/** Text drawn over a background (an encoded image), as a JPEG. */
export async function drawText(background: Buffer, items: readonly TextItem[], quality = 90): Promise<Buffer> {
  const meta = await sharp(background).metadata();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${meta.width}" height="${meta.height}">${textSvg(items)}</svg>`;
  return sharp(background)
    .composite([{ input: Buffer.from(svg) }])
    .jpeg({ quality })
    .toBuffer();
}

/** A seeded phrase of `n` words from WORDS. */
export function phrase(seed: number, n: number): string {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]!).join(' ');
}

export interface TextPhoto {
  jpeg: Buffer;
  /** The text drawn, a line per item. */
  lines: string[];
}

/** A 1600 × 1200 photo with `count` signs of text `height` px high (the font size), seeded fonts, colours and places. */
export async function signPhoto(seed: number, height: number, count = 3, opts: { rotate?: number; width?: number; imageHeight?: number } = {}): Promise<TextPhoto> {
  const W = opts.width ?? 1600;
  const H = opts.imageHeight ?? 1200;
  const rnd = mulberry32(seed * 7919 + height);
  const items: TextItem[] = [];
  const band = H / count;
  for (let i = 0; i < count; i++) {
    const text = phrase(seed * 31 + i, Math.max(1, Math.min(4, Math.floor((W * 0.7) / (height * 0.62 * 7)))));
    const dark = rnd() < 0.5;
    items.push({
      text,
      x: Math.round(W * 0.05 + rnd() * W * 0.1),
      y: Math.round(band * i + band * 0.5 + height * 0.35),
      size: height,
      font: FONTS[Math.floor(rnd() * FONTS.length)],
      weight: rnd() < 0.4 ? 'bold' : 'normal',
      fill: dark ? '#141414' : '#f4f4f0',
      plate: dark ? `hsl(${Math.floor(rnd() * 360)},35%,88%)` : `hsl(${Math.floor(rnd() * 360)},55%,22%)`,
      rotate: opts.rotate !== undefined ? (i % 2 === 0 ? opts.rotate : -opts.rotate) : 0,
    });
  }
  return { jpeg: await drawText(await photoBackground(W, H, seed), items), lines: items.map((t) => t.text) };
}

/** A document page: a title and paragraphs of dark serif text on off-white paper, 1240 × 1754 (A4 at 150 dpi). */
export async function documentPhoto(seed: number): Promise<TextPhoto> {
  const W = 1240;
  const H = 1754;
  const items: TextItem[] = [{ text: `Invoice ${2019 + (seed % 6)} number ${1000 + seed}`, x: 110, y: 170, size: 46, font: 'DejaVu Serif', weight: 'bold' }];
  for (let i = 0; i < 18; i++) items.push({ text: phrase(seed * 101 + i, 6), x: 110, y: 280 + i * 62, size: 30, font: i % 2 ? 'Liberation Serif' : 'DejaVu Serif', fill: '#222' });
  items.push({ text: `Total ${(seed * 37) % 900}.${String((seed * 13) % 100).padStart(2, '0')} EUR`, x: 110, y: 1500, size: 36, font: 'DejaVu Sans', weight: 'bold' });
  const paper = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 246, g: 244, b: 236 } } }).png().toBuffer();
  return { jpeg: await drawText(paper, items), lines: items.map((t) => t.text) };
}

/** A screenshot: a title bar, a sidebar, buttons and rows of 15–18 px UI text, 1440 × 900. */
export async function screenshotPhoto(seed: number): Promise<TextPhoto> {
  const W = 1440;
  const H = 900;
  const items: TextItem[] = [{ text: `Settings ${phrase(seed, 2)}`, x: 24, y: 34, size: 20, font: 'DejaVu Sans', weight: 'bold', fill: '#f0f0f0' }];
  const chrome = [`<rect width="${W}" height="52" fill="#2b2d31"/>`, `<rect y="52" width="260" height="${H - 52}" fill="#eceef1"/>`];
  for (let i = 0; i < 10; i++) items.push({ text: phrase(seed * 17 + i, 2), x: 28, y: 100 + i * 44, size: 16, font: 'Liberation Sans', fill: '#333' });
  for (let i = 0; i < 12; i++) items.push({ text: phrase(seed * 53 + i, 5), x: 300, y: 110 + i * 52, size: 18, font: 'DejaVu Sans', fill: '#1d1d1f' });
  for (let i = 0; i < 3; i++) {
    chrome.push(`<rect x="${300 + i * 170}" y="${H - 110}" width="150" height="44" rx="8" fill="#0a66d8"/>`);
    items.push({ text: ['Save', 'Cancel', 'Export'][i]!, x: 330 + i * 170, y: H - 81, size: 17, font: 'DejaVu Sans', weight: 'bold', fill: '#ffffff' });
  }
  const base = await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#ffffff"/>${chrome.join('')}</svg>`)).png().toBuffer();
  return { jpeg: await drawText(base, items, 95), lines: items.map((t) => t.text) };
}

/** The share of the truth's words (folded, two letters or more, with repeats) found among the words read. */
export function wordRecall(truth: readonly string[], read: readonly string[]): number {
  const want = truth.flatMap((l) => foldedWords(l)).filter((w) => w.length > 1);
  if (want.length === 0) return 1;
  const have = new Map<string, number>();
  for (const w of read.flatMap((l) => foldedWords(l))) have.set(w, (have.get(w) ?? 0) + 1);
  let hit = 0;
  for (const w of want) {
    const n = have.get(w) ?? 0;
    if (n > 0) {
      hit++;
      have.set(w, n - 1);
    }
  }
  return hit / want.length;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Character error rate: each line of the truth against the line read closest to it (edit distance over case-folded
 * text, spaces collapsed), summed, over the truth's characters; a line not read costs its length.
 */
export function characterErrorRate(truth: readonly string[], read: readonly string[]): number {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  const lines = read.map(norm);
  // A line the detector cut in two is read as two: their join is a candidate too.
  const got = [...lines, ...lines.slice(1).map((l, i) => `${lines[i]} ${l}`)];
  let errors = 0;
  let chars = 0;
  for (const line of truth.map(norm)) {
    chars += line.length;
    errors += Math.min(line.length, ...got.map((g) => editDistance(line, g)));
  }
  return chars === 0 ? 0 : errors / chars;
}
