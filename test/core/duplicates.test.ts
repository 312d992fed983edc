// Duplicates (issue 15): the perceptual signature, the candidates multi-index hashing finds against brute force, the
// rules of the three kinds and the keeper, and a real library indexed and asked for its groups.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSignature, encodeSignature, hammingDistance, reduceFileForHash, signatureOf, type PhotoSignature } from '../../src/main/core/media/phash.ts';
import { SignatureFinder } from '../../src/main/core/duplicates/finder.ts';
import { captureTime, chooseKeeper, pixelScore, pixelsSame, timeRelation, SAME_HASH_RADIUS } from '../../src/main/core/duplicates/rules.ts';
import type { GroupedPhotoFacts } from '../../src/main/core/catalog/photo-hashes.ts';
import { PhotoHashes } from '../../src/main/core/catalog/photo-hashes.ts';
import { Library } from '../../src/main/core/library.ts';
import { mulberry32 } from '../../src/main/core/random.ts';
import { tempDir } from '../helpers/photos.ts';
import { cameraJpeg, oneColour, scene, TRANSFORMS, type CameraExif } from './duplicates-variants.ts';
import type { DuplicateGroup } from '../../src/shared/types.ts';

const sig = async (img: Buffer): Promise<PhotoSignature> => signatureOf(await reduceFileForHash(img));

describe('the perceptual signature', () => {
  it('holds every same-photo transformation near its original and unrelated scenes apart', async () => {
    const exif: CameraExif = { takenAt: '2024:05:01 10:00:00' };
    const originals = await Promise.all([1, 2, 3].map(async (s) => cameraJpeg(await scene(s, 800, 600), exif)));
    const sigs = await Promise.all(originals.map(sig));
    for (const [i, o] of originals.entries()) {
      for (const t of TRANSFORMS) {
        const v = await sig(await t.make(o, exif));
        const score = pixelScore(sigs[i]!, v);
        // Without the date (the transformations that strip it) the pixels alone must say so.
        expect(pixelsSame(score, t.keepsDate ? 'equal' : 'unknown'), `${t.name} of scene ${i}: ${score.hamming} bits, ${score.correlation.toFixed(3)}`).toBe(true);
      }
    }
    for (let i = 0; i < sigs.length; i++) {
      for (let j = i + 1; j < sigs.length; j++) {
        expect(pixelsSame(pixelScore(sigs[i]!, sigs[j]!), 'equal')).toBe(false);
        expect(hammingDistance(sigs[i]!, sigs[j]!)).toBeGreaterThan(SAME_HASH_RADIUS);
      }
    }
  });

  it('never makes two different photos of one colour the same photo, and round-trips through its blob', async () => {
    const a = await sig(await oneColour(40, 90, 200, 1));
    const b = await sig(await oneColour(40, 90, 200, 2));
    const c = await sig(await oneColour(40, 200, 90, 3));
    expect(a.structure).toBeLessThan(6);
    for (const [x, y] of [[a, b], [a, c]] as const) {
      expect(pixelsSame(pixelScore(x, y), 'unknown')).toBe(false);
      expect(pixelsSame(pixelScore(x, y), 'near')).toBe(false);
    }
    // The same colour at the same instant (a copy of a photo of the sky) is one photo; another colour never.
    expect(pixelsSame(pixelScore(a, b), 'equal')).toBe(true);
    expect(pixelsSame(pixelScore(a, c), 'equal')).toBe(false);
    const back = decodeSignature(encodeSignature(a));
    expect([back.hi, back.lo, [...back.grid]]).toEqual([a.hi, a.lo, [...a.grid]]);
    expect(back.structure).toBeCloseTo(a.structure, 2);
    expect(() => decodeSignature(new Uint8Array(10))).toThrow(/bytes, got 10/);
  });
});

describe('candidates by multi-index hashing', () => {
  it('finds every pair within the radius that brute force finds, incrementally too', () => {
    const rnd = mulberry32(5);
    const u32 = () => Math.floor(rnd() * 2 ** 32) >>> 0;
    const grid = new Int8Array(256).map((_, i) => ((i * 37) % 255) - 127);
    const make = (hi: number, lo: number): PhotoSignature => ({ hi, lo, grid, chroma: [0.3, 0.3, 0.4], structure: 40 });
    const rows: { id: number; fingerprint: string; signature: PhotoSignature }[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 10 === 9) {
        // A near copy of an earlier one: k bits flipped, 0…14.
        const base = rows[Math.floor(rnd() * rows.length)]!.signature;
        let { hi, lo } = base;
        const k = Math.floor(rnd() * 15);
        for (let b = 0; b < k; b++) {
          const bit = Math.floor(rnd() * 64);
          if (bit < 32) hi = (hi ^ (1 << bit)) >>> 0;
          else lo = (lo ^ (1 << (bit - 32))) >>> 0;
        }
        rows.push({ id: i + 1, fingerprint: `f${i}`, signature: make(hi, lo) });
      } else rows.push({ id: i + 1, fingerprint: `f${i}`, signature: make(u32(), u32()) });
    }
    const brute = new Set<string>();
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < i; j++) if (hammingDistance(rows[i]!.signature, rows[j]!.signature) <= SAME_HASH_RADIUS) brute.add(`${rows[j]!.id},${rows[i]!.id}`);
    expect(brute.size).toBeGreaterThan(100);
    const found = (f: SignatureFinder) => new Set([...f.allPairs()].map(([a, b]) => `${a},${b}`));
    const all = new SignatureFinder();
    all.add(rows, false);
    all.index();
    expect(found(all)).toEqual(brute);
    // Built on the first 2000, the rest added one by one (the tail lists, then a rebuild): the same pairs.
    const inc = new SignatureFinder();
    inc.add(rows.slice(0, 2000), false);
    inc.index();
    for (const r of rows.slice(2000)) inc.add([r]);
    expect(found(inc)).toEqual(brute);
    // Removing a photo removes its pairs.
    const [a] = [...brute][0]!.split(',').map(Number);
    inc.remove(a!);
    expect([...found(inc)].some((p) => p.split(',').map(Number).includes(a!))).toBe(false);
  });
});

describe('the rules', () => {
  it('reads capture times from metadata only, and relates them', () => {
    expect(captureTime('2024-05-01T10:00:00', 'mtime')).toBeNull();
    expect(captureTime('2024-05-01T10:00:00', 'filename')).toBeNull();
    expect(captureTime('2024-05-01', 'exif')).toBeNull();
    const t = (s: string) => captureTime(s, 'exif');
    expect(timeRelation(t('2024-05-01T10:00:00.25'), t('2024-05-01T10:00:00'))).toBe('equal');
    expect(timeRelation(t('2024-05-01T10:00:00.25'), t('2024-05-01T10:00:00.50'))).toBe('near');
    expect(timeRelation(t('2024-05-01T10:00:00'), t('2024-05-01T10:00:09'))).toBe('near');
    expect(timeRelation(t('2024-05-01T10:00:00'), t('2024-05-01T12:00:00+02:00'))).toBe('zone');
    expect(timeRelation(t('2024-05-01T10:00:00'), t('2024-05-01T10:05:00'))).toBe('far');
    expect(timeRelation(t('2024-05-01T10:00:00'), null)).toBe('unknown');
  });

  it('keeps the original format, then the largest, the edited, the richest, the oldest, and says why', () => {
    const base: GroupedPhotoFacts = {
      id: 1, path: '/p/a.jpg', size: 3_000_000, mtimeMs: 1000, fingerprint: 'a', format: 'jpeg', width: 4000, height: 3000,
      takenAt: '2024-05-01T10:00:00', takenAtSource: 'exif', cameraMake: 'Canon', cameraModel: 'EOS', hasGps: false, hasEdits: false,
    };
    const png = { ...base, id: 2, path: '/p/a.png', format: 'png', cameraMake: null, cameraModel: null, size: 9_000_000, takenAt: null, takenAtSource: null };
    expect(chooseKeeper([png, base])).toEqual({ keeper: base, reasons: ['original format', 'has date'] });
    const small = { ...base, id: 3, width: 1000, height: 750, size: 200_000, mtimeMs: 10 };
    expect(chooseKeeper([small, base]).keeper).toBe(base);
    expect(chooseKeeper([small, base]).reasons).toEqual(['largest']);
    const edited = { ...base, id: 4, hasEdits: true, mtimeMs: 5000 };
    expect(chooseKeeper([base, edited])).toEqual({ keeper: edited, reasons: ['has edits'] });
    const gps = { ...base, id: 5, hasGps: true, mtimeMs: 5000 };
    expect(chooseKeeper([base, gps])).toEqual({ keeper: gps, reasons: ['has GPS'] });
    const older = { ...base, id: 6, mtimeMs: 10 };
    expect(chooseKeeper([base, older])).toEqual({ keeper: older, reasons: ['oldest'] });
    expect(chooseKeeper([base, { ...base, id: 7 }])).toEqual({ keeper: base, reasons: ['found first'] });
  });
});

describe('exact copies read together', () => {
  it('decodes one of them: the copy in the same batch, or one beside it, waits and takes its twin\'s thumbnail', async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'Photos'));
    const orig = await cameraJpeg(await scene(3, 1200, 900), { takenAt: '2023:03:03 10:00:00' });
    // Three copies next to each other (one batch of the thumbnail stage) and another photo.
    for (const n of ['a.jpg', 'a-copy.jpg', 'a-copy-2.jpg']) fs.writeFileSync(path.join(root, 'Photos', n), orig);
    fs.writeFileSync(path.join(root, 'Photos', 'b.jpg'), await cameraJpeg(await scene(4, 1200, 900), { takenAt: '2023:03:04 10:00:00' }));
    const lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
    try {
      await lib.addFolder(path.join(root, 'Photos'));
      await lib.index();
      const hashes = new PhotoHashes(lib.db);
      const source = (n: string) => hashes.source(lib.catalog.photoByPath(path.join(root, 'Photos', n))!.id);
      expect(['a.jpg', 'a-copy.jpg', 'a-copy-2.jpg'].map(source).sort()).toEqual(['decode', 'thumbnail', 'thumbnail']);
      expect(source('b.jpg')).toBe('decode');
    } finally {
      await lib.close();
    }
  }, 60_000);
});

describe('a library\'s duplicate groups', () => {
  let root: string;
  let lib: Library;
  const file = (...p: string[]) => path.join(root, 'Photos', ...p);
  const names = new Map<number, string>();
  const nameOf = (id: number) => names.get(id) ?? `#${id}`;
  const of = (groups: DuplicateGroup[], kind: string) => groups.filter((g) => g.kind === kind).map((g) => g.photos.map((p) => nameOf(p.id)).sort());
  const refreshNames = () => {
    for (const p of lib.list({ limit: 1000 })) names.set(p.id, path.relative(file(), lib.catalog.photo(p.id)!.path));
  };

  beforeAll(async () => {
    root = tempDir();
    fs.mkdirSync(file('copies'), { recursive: true });
    for (const s of [1, 2]) {
      const exif: CameraExif = { takenAt: `2023:0${s}:14 12:30:00`, subSec: '10' };
      const orig = await cameraJpeg(await scene(s * 11, 1200, 900), exif);
      fs.writeFileSync(file(`scene${s}.jpg`), orig);
      for (const t of TRANSFORMS) fs.writeFileSync(file('copies', `scene${s}-${t.name}.${t.ext}`), await t.make(orig, exif));
    }
    // An exact copy at another path.
    fs.copyFileSync(file('scene1.jpg'), file('copies', 'scene1-copy.jpg'));
    // A burst: the same scene, the last shape moved 3 % and 6 %, a second apart (the sub-seconds differ too).
    for (const [i, shift] of [0, 0.03, 0.06].entries()) {
      fs.writeFileSync(file(`burst-${i}.jpg`), await cameraJpeg(await scene(77, 1200, 900, shift), { takenAt: `2023:07:01 09:15:0${i}`, subSec: `${i}5` }));
    }
    // Photos of one colour: the same blue twice (different photos, no date), another colour, and a blue of the burst's second.
    fs.writeFileSync(file('blue-1.jpg'), await oneColour(40, 90, 200, 1));
    fs.writeFileSync(file('blue-2.jpg'), await oneColour(40, 90, 200, 2));
    fs.writeFileSync(file('green.jpg'), await oneColour(40, 200, 90, 3));
    fs.writeFileSync(file('blue-timed.jpg'), await oneColour(40, 90, 200, 4, { takenAt: '2023:07:01 09:15:01', subSec: '15' }));
    // Unrelated scenes, one of them within the burst's seconds.
    fs.writeFileSync(file('other-1.jpg'), await cameraJpeg(await scene(5, 1200, 900), { takenAt: '2023:07:01 09:15:02', subSec: '40' }));
    fs.writeFileSync(file('other-2.jpg'), await cameraJpeg(await scene(6, 900, 1200), { takenAt: '2022:01:01 08:00:00' }));
    lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
    await lib.addFolder(file());
    await lib.index();
    refreshNames();
  }, 120_000);
  afterAll(() => lib?.close());

  it('hashes every photo from the thumbnail stage\'s decode (an exact copy from the thumbnail its twin made)', () => {
    expect(lib.status().stages.find((s) => s.stage === 'phash')).toMatchObject({ pending: 0, failed: 0 });
    const hashes = new PhotoHashes(lib.db);
    const sources = [...names.keys()].map((id) => [nameOf(id), hashes.source(id)]);
    const twins = sources.filter(([n]) => n === 'scene1.jpg' || n === 'copies/scene1-copy.jpg').map(([, s]) => s).sort();
    expect(twins).toEqual(['decode', 'thumbnail']);
    expect(sources.filter(([n, s]) => s !== 'decode' && n !== 'scene1.jpg' && n !== 'copies/scene1-copy.jpg')).toEqual([]);
  });

  it('groups exact copies, every transformation with its original and nothing else, and bursts apart', () => {
    const groups = lib.duplicateGroups();
    expect(of(groups, 'exact')).toEqual([['copies/scene1-copy.jpg', 'scene1.jpg']]);
    const same = of(groups, 'same');
    for (const s of [1, 2]) {
      const expected = [`scene${s}.jpg`, ...TRANSFORMS.map((t) => `copies/scene${s}-${t.name}.${t.ext}`), ...(s === 1 ? ['copies/scene1-copy.jpg'] : [])].sort();
      expect(same).toContainEqual(expected);
    }
    // Nothing else is the same photo: no burst frame, no colour, no unrelated scene.
    expect(same).toHaveLength(2);
    expect(of(groups, 'similar')).toEqual([['burst-0.jpg', 'burst-1.jpg', 'burst-2.jpg']]);
    // The keeper: the camera's JPEG, and why.
    const scene1 = groups.find((g) => g.kind === 'same' && g.photos.some((p) => nameOf(p.id) === 'scene1.jpg'))!;
    expect(['scene1.jpg', 'copies/scene1-copy.jpg']).toContain(nameOf(scene1.keeper));
    expect(scene1.photos[0]!.keeper).toBe(true);
    expect(scene1.reasons.length).toBeGreaterThan(0);
    expect(scene1.bytesFreed).toBe(scene1.photos.filter((p) => !p.keeper).reduce((s, p) => s + p.size, 0));
    expect(scene1.id).toBe(`same-${Math.min(...scene1.photos.map((p) => p.id))}`);
    // One kind at a time.
    expect(lib.duplicateGroups({ kind: 'similar' }).map((g) => g.kind)).toEqual(['similar']);
    expect(lib.duplicateGroups({ kind: 'exact' })).toHaveLength(1);
  });

  it('updates as photos arrive and go, and hashes from the thumbnail a photo already has', async () => {
    const exif: CameraExif = { takenAt: '2023:02:14 12:30:00', subSec: '10' };
    const orig = fs.readFileSync(file('scene2.jpg'));
    fs.writeFileSync(file('later-scene2.webp'), await sharp(orig).resize({ width: 500 }).webp().toBuffer());
    fs.writeFileSync(file('later-other.jpg'), await cameraJpeg(await scene(9, 1200, 900), exif));
    await lib.index();
    refreshNames();
    const same = of(lib.duplicateGroups({ kind: 'same' }), 'same');
    expect(same.find((g) => g.includes('scene2.jpg'))).toContain('later-scene2.webp');
    expect(same.flat()).not.toContain('later-other.jpg');
    // The photo goes: so does it from its group.
    fs.rmSync(file('later-scene2.webp'));
    await lib.scan();
    expect(of(lib.duplicateGroups({ kind: 'same' }), 'same').flat()).not.toContain('later-scene2.webp');
    // A signature made again with no decode handed over (the thumbnail was there): from the cached thumbnail.
    const id = lib.catalog.photoByPath(file('copies', 'scene2-png.png'))!.id;
    lib.queue.requeuePhotos([id], ['thumb', 'phash']);
    lib.db.prepare('DELETE FROM photo_hashes WHERE photo_id = ?').run(id);
    await lib.index();
    expect(new PhotoHashes(lib.db).source(id)).toBe('thumbnail');
    expect(of(lib.duplicateGroups({ kind: 'same' }), 'same').find((g) => g.includes('scene2.jpg'))).toContain('copies/scene2-png.png');
  }, 60_000);
});
