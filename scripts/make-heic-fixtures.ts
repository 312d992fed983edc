// Writes the HEIC test fixtures in test/fixtures/media/ (committed: Node cannot write HEIC).
// Usage: npm run fixtures:heic   (needs heif-enc: Debian's libheif-examples; 1.15 made the committed ones)
//
// Each picture is "asymmetric" so a test can tell its orientation by sampling pixels: a blue
// field with a red square in the top-left corner and a green one in the top-right, as it should
// look upright. heif-enc encodes a JPEG or PNG (it copies a JPEG's EXIF into the file, and writes
// each image as a grid of HEVC tiles, as phones do); what heif-enc cannot write is done by
// editing the boxes (scripts/lib/heif-boxes.ts):
//   upright.heic   64×48, no orientation anywhere.
//   rotated.heic   a portrait photo as a phone stores it: the pixels on their side (64×48), an
//                  `irot` in the container that turns them upright (48×64), and EXIF Orientation 6
//                  saying the same thing again — a reader that applies both turns it upside down.
//   mirrored.heic  the same portrait stored transposed (a front camera's): `irot` 3 then `imir`
//                  left-right (and EXIF Orientation 5, the transpose).
//   multi.heic     two images, the primary (`pitm`) is the second: a 40×30 orange picture first,
//                  then the 64×48 marker picture, which is the primary.
//   thumb.heic     320×240 with a 96×72 embedded thumbnail (heif-enc -t 96).
//   p3.heic        64×48 of sRGB's pure red stored as Display P3 values with a P3 ICC profile, as
//                  iPhones store colour: shown right only when the profile is applied.
//   tiny.heic      16×16, printed as base64 too: src/main/core/media/heif.ts embeds it to find out
//                  whether libvips has an HEVC decoder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { addProperty, imir, irot, itemTypes, primaryId, setPrimary } from './lib/heif-boxes.ts';

const OUT = path.resolve(import.meta.dirname, '../test/fixtures/media');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shoebox-heic-'));

/** The marker picture, upright: blue, red square top-left, green square top-right. */
function marker(width: number, height: number): Buffer {
  const s = Math.round(Math.min(width, height) / 3);
  return Buffer.from(
    `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><rect width="${width}" height="${height}" fill="#2050d0"/>` +
      `<rect width="${s}" height="${s}" fill="#e01010"/><rect x="${width - s}" width="${s}" height="${s}" fill="#10c010"/></svg>`,
  );
}

async function jpeg(name: string, img: Sharp, orientation?: number): Promise<string> {
  const file = path.join(tmp, name);
  // withMetadata({ orientation }) writes the EXIF tag and nothing moves the pixels.
  await (orientation ? img.withMetadata({ orientation }) : img).jpeg({ quality: 95 }).toFile(file);
  return file;
}

function heifEnc(inputs: string[], out: string, args: string[] = []): Buffer {
  const file = path.join(tmp, out);
  execFileSync('heif-enc', ['-q', '50', ...args, ...inputs, '-o', file], { stdio: 'pipe' });
  return fs.readFileSync(file);
}

/** The top-level images' item ids, in file order (the grids, or the coded items where there is no grid). */
function imageIds(file: Buffer): number[] {
  const items = itemTypes(file);
  const grids = items.filter((i) => i.type === 'grid');
  return (grids.length ? grids : items.filter((i) => i.type === 'hvc1')).map((i) => i.id);
}

function write(name: string, data: Buffer): void {
  fs.writeFileSync(path.join(OUT, name), data);
  console.log(`${name}: ${data.length} bytes`);
}

fs.mkdirSync(OUT, { recursive: true });

write('upright.heic', heifEnc([await jpeg('upright.jpg', sharp(marker(64, 48)))], 'upright.heic'));

// Stored = upright turned 90° anticlockwise; irot 3 (270° anticlockwise = 90° clockwise) turns it back.
{
  const stored = sharp(await sharp(marker(48, 64)).rotate(270).png().toBuffer());
  const heic = heifEnc([await jpeg('rotated.jpg', stored, 6)], 'rotated.heic');
  write('rotated.heic', addProperty(heic, primaryId(heic), irot(3)));
}

// Stored = upright transposed (EXIF 5); shown = mirror left-right after turning 90° clockwise.
{
  const turned = await sharp(marker(48, 64)).rotate(90).png().toBuffer();
  const stored = sharp(await sharp(turned).flop().png().toBuffer());
  let heic = heifEnc([await jpeg('mirrored.jpg', stored, 5)], 'mirrored.heic');
  heic = addProperty(heic, primaryId(heic), irot(3));
  write('mirrored.heic', addProperty(heic, primaryId(heic), imir(1)));
}

{
  const first = await jpeg('first.jpg', sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 240, g: 140, b: 20 } } }));
  const second = await jpeg('second.jpg', sharp(marker(64, 48)));
  const heic = heifEnc([first, second], 'multi.heic');
  const ids = imageIds(heic);
  if (ids.length !== 2 || primaryId(heic) !== ids[0]) throw new Error(`unexpected images ${ids.join(',')} (primary ${primaryId(heic)})`);
  write('multi.heic', setPrimary(heic, ids[1]!));
}

write('thumb.heic', heifEnc([await jpeg('thumb.jpg', sharp(marker(320, 240)))], 'thumb.heic', ['-t', '96']));

// Display P3, as iPhones write: a saturated red (sRGB 255,0,0) stored as P3 values with the profile in `colr`.
{
  const p3 = sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 255, g: 0, b: 0 } } }).withIccProfile('p3');
  write('p3.heic', heifEnc([await jpeg('p3.jpg', sharp(await p3.png().toBuffer()).keepIccProfile())], 'p3.heic'));
}

{
  const tiny = heifEnc([await jpeg('tiny.jpg', sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 90, g: 120, b: 200 } } }))], 'tiny.heic', ['-q', '10']);
  write('tiny.heic', tiny);
  console.log(`tiny.heic as base64:\n${tiny.toString('base64')}`);
}

fs.rmSync(tmp, { recursive: true, force: true });
