// Captions, tags, XMP sidecars and export as a user runs them: `shoebox index` captions with the
// fixture captioner, edits land in the catalog and the sidecar, Lightroom's fields survive.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { shoebox, shoeboxProcess } from '../helpers/cli.ts';

// In-process (main(argv, io)); one subprocess run (caption set, writing the catalog and the sidecar) proves the real command.

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

let root = '';
let models = '';
let data = '';
const exiftool = new ExifTool({ maxProcs: 1 });
afterAll(() => exiftool.end());

const LIGHTROOM_SIDECAR = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="4">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harbour at dusk</rdf:li></rdf:Alt></dc:title>
   <dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;

beforeAll(async () => {
  root = tempDir();
  models = path.join(root, 'models');
  data = path.join(root, 'data');
  await writeFixtureModels(models);
  const photos = path.join(root, 'Photos');
  await makeJpeg(path.join(photos, 'red.jpg'), { color: { r: 215, g: 30, b: 30 }, width: 200, height: 150, seed: 1 });
  await makeJpeg(path.join(photos, 'blue.jpg'), { color: { r: 30, g: 40, b: 210 }, width: 200, height: 150, seed: 2 });
  await makeJpeg(path.join(photos, 'green.jpg'), { color: { r: 30, g: 190, b: 40 }, width: 200, height: 150, seed: 3 });
  // Lightroom's sidecar for the blue photo, and a photo whose IPTC already has a caption and keywords.
  fs.writeFileSync(path.join(photos, 'blue.xmp'), LIGHTROOM_SIDECAR);
  await exiftool.write(path.join(photos, 'green.jpg'), { 'Caption-Abstract': 'Our allotment in May', Keywords: ['garden', 'allotment'] }, { writeArgs: ['-overwrite_original'] });
});

describe('shoebox caption, tags, xmp and export', () => {
  it('captions during index, imports existing metadata, writes sidecars when on, and exports', async () => {
    const photos = path.join(root, 'Photos');
    const red = path.join(photos, 'red.jpg');
    const blue = path.join(photos, 'blue.jpg');
    const green = path.join(photos, 'green.jpg');
    const originals = [red, blue, green].map(sha);

    expect((await shoebox(['--data', data, '--models', models, 'add', photos])).code).toBe(0);
    expect((await shoebox(['--data', data, 'settings', 'set', 'xmp', 'true'])).out).toMatch(/^xmp = on/);
    const index = await shoebox(['--data', data, '--models', models, 'index']);
    expect(index.code, index.err).toBe(0);
    expect(index.err).toMatch(/caption .* 3\/3/);

    const show = JSON.parse((await shoebox(['--data', data, '--models', models, 'caption', 'show', red, '--json'])).out);
    expect(show.caption).toBe('a photo of something red');
    expect(show.captions[0]).toMatchObject({ source: 'auto', modelId: 'fixture-caption', task: '<CAPTION>', lowConfidence: false });
    expect(show.captions[0].score).toBeGreaterThan(0.9);

    // IPTC caption and keywords came in as the user's.
    const g = JSON.parse((await shoebox(['--data', data, 'caption', 'show', green, '--json'])).out);
    expect(g.caption).toBe('Our allotment in May');
    expect(g.captions[0]).toMatchObject({ source: 'user', origin: 'import' });
    expect(g.tags.map((t: { tag: string }) => t.tag)).toEqual(expect.arrayContaining(['garden', 'allotment']));

    // A new sidecar for the red photo; Lightroom's for the blue one, its other fields kept.
    const redXmp = await exiftool.read(`${red}.xmp`);
    expect(redXmp.Description).toBe('a photo of something red');
    const blueXmp = await exiftool.read(path.join(photos, 'blue.xmp'));
    expect(blueXmp.Description).toBe('a photo of something blue');
    expect(blueXmp.Title).toBe('Harbour at dusk');
    expect(blueXmp.Rating).toBe(4);
    // Lightroom's keyword is the user's tag, written back as a hierarchical one too; automatic tags are suggestions, never written.
    expect([blueXmp.Subject].flat()).toEqual(['holiday']);
    expect([blueXmp.HierarchicalSubject].flat()).toEqual(['holiday']);
    expect(fs.existsSync(`${blue}.xmp`)).toBe(false);

    // Edits: the catalog and the sidecar change at once.
    const set = shoeboxProcess(['--data', data, 'caption', 'set', red, 'A red kite over the dunes']);
    expect(set.code, set.err).toBe(0);
    expect(set.out).toMatch(/caption: A red kite over the dunes {2}\[yours\]/);
    expect(set.out).toContain(`sidecar: ${red}.xmp`);
    expect((await shoebox(['--data', data, 'tags', 'add', red, 'kite', 'beach'])).out).toBe(`Added “kite” and “beach” to 1 photo\n  sidecar: ${red}.xmp\n`);
    expect((await shoebox(['--data', data, 'tags', 'remove', blue, 'holiday'])).out).toBe(`Removed “holiday” from 1 photo\n  sidecar: ${path.join(photos, 'blue.xmp')}\n`);
    expect((await exiftool.read(`${red}.xmp`)).Description).toBe('A red kite over the dunes');
    expect([(await exiftool.read(`${red}.xmp`)).Subject].flat()).toEqual(expect.arrayContaining(['kite', 'beach']));
    const blueAfter = await exiftool.read(path.join(photos, 'blue.xmp'));
    expect([blueAfter.Subject].flat()).not.toContain('holiday');
    expect(blueAfter.Rating).toBe(4);

    // A re-run keeps the user's caption, in the catalog and in the sidecar.
    const again = await shoebox(['--data', data, '--models', models, 'index']);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse((await shoebox(['--data', data, 'caption', 'show', red, '--json'])).out).caption).toBe('A red kite over the dunes');
    expect((await exiftool.read(`${red}.xmp`)).Description).toBe('A red kite over the dunes');

    // Originals are never modified.
    expect([red, blue, green].map(sha)).toEqual(originals);

    // Export: CSV to a file, JSON to stdout.
    const csvFile = path.join(root, 'out', 'photos.csv');
    fs.mkdirSync(path.dirname(csvFile), { recursive: true });
    expect((await shoebox(['--data', data, 'export', '--format', 'csv', '--output', csvFile])).code).toBe(0);
    const lines = fs.readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^path,taken_at,caption,caption_source,caption_score,low_confidence,caption_model/);
    expect(lines).toHaveLength(4);
    const redLine = lines.find((l) => l.startsWith(red))!;
    expect(redLine).toContain(',A red kite over the dunes,user,');
    expect(redLine).toMatch(/,a photo of something red,/);
    const json = JSON.parse((await shoebox(['--data', data, 'export', '--format', 'json'])).out) as { path: string; caption: { text: string }; tags: { tag: string; score: number | null }[] }[];
    expect(json.find((r) => r.path === blue)!.tags).toEqual(expect.arrayContaining([expect.objectContaining({ tag: 'clear blue sky', score: expect.any(Number) })]));
    expect(fs.readdirSync(path.dirname(csvFile))).toEqual(['photos.csv']);

    // Clear errors.
    expect(await shoebox(['--data', data, 'caption', 'set', path.join(photos, 'nope.jpg'), 'x'])).toMatchObject({ code: 1 });
    expect((await shoebox(['--data', data, 'caption', 'set', path.join(photos, 'nope.jpg'), 'x'])).err).toMatch(/not in the library/);
    expect((await shoebox(['--data', data, 'export', '--format', 'xml'])).code).toBe(2);
    expect((await shoebox(['--data', data, 'tags', 'add', red])).code).toBe(2);
  });
});
