// The text read in photos from the command line (issue 14): `text <photo>`, search's "text in photo", list --json,
// export, status, the ocr settings, and the transcript in XMP sidecars only when asked for. Bundled OCR models only.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExifTool } from 'exiftool-vendored';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { shoebox, shoeboxProcess } from '../helpers/cli.ts';
import { tempDir } from '../helpers/photos.ts';
import { drawText, photoBackground } from '../helpers/text-photos.ts';

let root = '';
let data = '';
let models = '';
const exiftool = new ExifTool({ maxProcs: 1 });
afterAll(() => exiftool.end());
const photo = (n: string) => path.join(root, 'Photos', n);
const ok = async (...args: string[]) => {
  const r = await shoebox(['--data', data, '--models', models, ...args]);
  expect(r.code, r.err).toBe(0);
  return r.out;
};

beforeAll(async () => {
  root = tempDir();
  data = path.join(root, 'data');
  // The fixture CLIP model (tags, without which no sidecar is written) beside the bundled OCR model.
  models = path.join(root, 'models');
  await writeFixtureModels(models);
  fs.mkdirSync(path.join(root, 'Photos'));
  fs.writeFileSync(photo('wine.jpg'), await drawText(await photoBackground(1600, 1200, 31), [{ text: 'Wine Shop', x: 260, y: 420, size: 96, plate: '#f1ead8' }, { text: 'open daily', x: 260, y: 760, size: 60, plate: '#1d2b3a', fill: '#f8f8f8' }]));
  await sharp(await photoBackground(1600, 1200, 32)).jpeg().toFile(photo('lake.jpg'));
  await ok('add', path.join(root, 'Photos'));
  await ok('index');
}, 120_000);

describe('shoebox and the text in photos', () => {
  it('prints what was read in a photo, with confidences, and as JSON with boxes', async () => {
    const out = await ok('text', photo('wine.jpg'));
    expect(out).toMatch(new RegExp(`^${photo('wine.jpg').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n  read with ppocr-v4-ch@1\\.4\\.2/p2 on \\d{4}-\\d\\d-\\d\\d\\n`));
    // A confidence is printed with two decimals, 0.00 to 1.00 (0.995 and up reads 1.00, as CI met once).
    expect(out).toMatch(/\n {2}(0\.\d\d|1\.00) {2}Wine Shop\n {2}(0\.\d\d|1\.00) {2}open daily\n$/);
    expect(await ok('text', photo('lake.jpg'))).toMatch(/\n {2}no text found\n$/);
    const json = JSON.parse(await ok('text', photo('wine.jpg'), '--json')) as { model: string; width: number; lines: { text: string; confidence: number; box: number[][] }[] };
    expect(json).toMatchObject({ model: 'ppocr-v4-ch@1.4.2/p2', width: 1600, height: 1200 });
    expect(json.lines.map((l) => l.text)).toEqual(['Wine Shop', 'open daily']);
    expect(json.lines[0]!.box).toHaveLength(4);
    const missing = await shoebox(['--data', data, '--models', models, 'text', path.join(root, 'nope.jpg')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not in the library/);
  });

  it('finds the photo by its text first, labelled "text in photo"', async () => {
    const r = shoeboxProcess(['--data', data, '--models', models, 'search', 'wine shop']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^\s+1\s+\d\.\d{3}\s+.*wine\.jpg.*\n\s+text in photo: "Wine Shop"\n/);
    const hits = (JSON.parse(await ok('search', 'daily', '--json')) as { hits: { path: string; photoText: unknown }[] }).hits;
    // The fixture CLIP model ranks both photos; the text read puts the one that says it first.
    expect(hits.map((h) => path.basename(h.path))).toEqual(['wine.jpg', 'lake.jpg']);
    expect(hits.map((h) => h.photoText)).toEqual([{ score: 1, line: 'open daily' }, null]);
  });

  it('lists and exports the text; status shows the stage and its model', async () => {
    const listed = JSON.parse(await ok('list', '--json')) as { path: string; text: string | null }[];
    expect(Object.fromEntries(listed.map((p) => [path.basename(p.path), p.text]))).toEqual({ 'wine.jpg': 'Wine Shop\nopen daily', 'lake.jpg': null });
    const rows = JSON.parse(await ok('export', '--format', 'json')) as Record<string, unknown>[];
    expect(rows.find((r) => r.path === photo('wine.jpg'))?.text).toBe('Wine Shop\nopen daily');
    expect(Object.keys(rows[0]!).at(-1)).toBe('text');
    const csv = await ok('export');
    expect(csv.split('\n')[0]).toMatch(/,place_source,text_in_photo$/);
    expect(csv).toContain(`,"Wine Shop\nopen daily"\n`);
    const status = await ok('status');
    expect(status).toMatch(/\nstage ocr: 2 done, 0 pending, 0 failed\n/);
    expect(status).toMatch(/\nocr model: ppocr-v4-ch \(reads zh, en\); 2 photos read, 1 with text\n/);
  });

  it('has the settings: ocr on by default, the model, and the transcript in sidecars off by default', async () => {
    expect(await ok('settings', 'get', 'ocr')).toMatch(/^on\b/);
    expect(await ok('settings', 'get', 'xmp_text')).toMatch(/^off\b/);
    const bad = await shoebox(['--data', data, '--models', models, 'settings', 'set', 'ocr_model', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/ocr_model must be one of: ppocr-v4-ch, ppocr-latin/);
    await ok('settings', 'set', 'xmp', 'on');
    await ok('index');
    // Sidecars get the captions, tags, ratings and labels, not the text read (it is not a description)…
    const sidecar = `${photo('wine.jpg')}.xmp`;
    const before = (await exiftool.read(sidecar)) as { Description?: unknown; Transcript?: unknown };
    expect(before.Description).toMatch(/^a photo of something/);
    expect(before.Transcript).toBeUndefined();
    // …unless asked for: then as Iptc4xmpExt:Transcript, for the photos with text.
    await ok('settings', 'set', 'xmp_text', 'on');
    await ok('index');
    const transcript = async (f: string) => ((await exiftool.read(f)) as { Transcript?: unknown }).Transcript;
    expect(await transcript(sidecar)).toBe('Wine Shop\nopen daily');
    expect(await transcript(`${photo('lake.jpg')}.xmp`)).toBeUndefined();
  });
});
