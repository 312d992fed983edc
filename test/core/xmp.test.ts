// XMP sidecars: written next to the photo (never into it), merged with what is there, and imported captions, keywords,
// hierarchical tags, ratings and labels read back; Lightroom's and digiKam's own sidecars edited with every other field kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, describe, expect, it } from 'vitest';
import { UnreadableFileError, XmpService, findSidecar, sidecarPathFor } from '../../src/main/core/media/xmp.ts';
import { flatKeywords } from '../../src/shared/vocabulary.ts';
import { makeJpeg, makePng, noiseBytes, tempDir } from '../helpers/photos.ts';

const service = new XmpService();
// An independent exiftool: writes the fixtures' IPTC/EXIF and checks what the service wrote.
const checker = new ExifTool({ maxProcs: 1 });

afterAll(async () => {
  await Promise.all([service.end(), checker.end()]);
});

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const ls = (dir: string) => fs.readdirSync(dir).sort();

/** Every tag of a file, keyed "<family 1 group>:<name>" (XMP-dc:Title, XMP-xmp:Rating, IPTC:Keywords…). */
async function tagsOf(file: string): Promise<Record<string, unknown>> {
  return (await checker.readRaw(file, { readArgs: ['-G1', '-api', 'StructFormat=JSONQ'], useMWG: false })) as Record<string, unknown>;
}

/**
 * Every stored value of a file, as exiftool reads it without print conversion (-n: "1" not "Horizontal (normal)",
 * "0.35" as written), less what describes the file rather than its metadata (System:, File:, ExifTool:).
 */
async function storedValues(file: string): Promise<Record<string, unknown>> {
  const all = (await checker.readRaw(file, { readArgs: ['-G1', '-n', '-api', 'StructFormat=JSONQ'], useMWG: false })) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.includes(':') && !/^(System|File|ExifTool):/.test(k)));
}

/**
 * The sidecar after a write against before it: the `changed` keys hold these values (undefined: removed), and every
 * other value is equal. x:xmptk names the toolkit that wrote the packet last: exiftool, after Shoebox's write.
 */
function expectOnlyChanged(before: Record<string, unknown>, after: Record<string, unknown>, changed: Record<string, unknown>): void {
  expect(after['XMP-x:XMPToolkit']).toMatch(/^Image::ExifTool /);
  const kept = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !(k in changed) && k !== 'XMP-x:XMPToolkit');
  expect(kept.length).toBeGreaterThan(10);
  expect(Object.fromEntries(kept.map((k) => [k, after[k]]))).toEqual(Object.fromEntries(kept.map((k) => [k, before[k]])));
  for (const [key, value] of Object.entries(changed)) expect(after[key], key).toEqual(value);
}

/** A sidecar made by exiftool the way a program writes it (a new .xmp file with these tags). */
async function sidecarWith(file: string, tags: Record<string, string | number | string[] | number[]>): Promise<string> {
  await checker.write(file, tags, { writeArgs: ['-overwrite_original'], useMWG: false });
  return file;
}

/** A copy of a fresh JPEG with these tags written into it by exiftool. */
async function jpegWith(file: string, tags: Record<string, string | string[]>): Promise<string> {
  await makeJpeg(file, { seed: 7 });
  await checker.write(file, tags, { writeArgs: ['-overwrite_original'], useMWG: false });
  return file;
}

const LIGHTROOM_XMP = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
    xmp:Rating="4"
    crs:Exposure2012="+0.35"
    darktable:xmp_version="5">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Summer 1987</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>Ann Example</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Old caption</rdf:li></rdf:Alt></dc:description>
   <dc:subject><rdf:Bag><rdf:li>old keyword</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|France|Paris</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

describe('sidecarPathFor', () => {
  it('prefers an existing IMG_1.jpg.xmp, then IMG_1.xmp in any case, else defaults to IMG_1.jpg.xmp', async () => {
    const dir = tempDir();
    const jpg = path.join(dir, 'IMG_1.jpg');
    const png = path.join(dir, 'IMG_1.png');
    expect(await findSidecar(jpg)).toBeNull();
    expect(await sidecarPathFor(jpg)).toBe(`${jpg}.xmp`);
    expect(await sidecarPathFor(png)).toBe(`${png}.xmp`);

    fs.writeFileSync(path.join(dir, 'IMG_1.XMP'), LIGHTROOM_XMP);
    expect(await sidecarPathFor(jpg)).toBe(path.join(dir, 'IMG_1.XMP'));
    expect(await sidecarPathFor(png)).toBe(path.join(dir, 'IMG_1.XMP'));

    fs.writeFileSync(path.join(dir, 'IMG_1.jpg.Xmp'), LIGHTROOM_XMP);
    expect(await sidecarPathFor(jpg)).toBe(path.join(dir, 'IMG_1.jpg.Xmp'));
    expect(await sidecarPathFor(png)).toBe(path.join(dir, 'IMG_1.XMP'));
    expect(await sidecarPathFor(path.join(dir, 'noext'))).toBe(path.join(dir, 'noext.xmp'));
  });

  it('gives a RAW+JPEG pair the sidecar RAW editors read: the RAW\'s own, else the shared IMG_1.xmp', async () => {
    const dir = tempDir();
    const jpg = path.join(dir, 'IMG_1.JPG');
    const raw = path.join(dir, 'IMG_1.CR2');
    // None yet: Lightroom's, Capture One's and Bridge's name, which they read for the RAW and share with its JPEG.
    expect(await sidecarPathFor(jpg, raw)).toBe(path.join(dir, 'IMG_1.xmp'));
    fs.writeFileSync(path.join(dir, 'IMG_1.JPG.xmp'), LIGHTROOM_XMP);
    expect(await sidecarPathFor(jpg, raw)).toBe(path.join(dir, 'IMG_1.JPG.xmp'));
    // darktable's and digiKam's sidecar of the RAW wins over the JPEG's.
    fs.writeFileSync(path.join(dir, 'IMG_1.CR2.xmp'), LIGHTROOM_XMP);
    expect(await sidecarPathFor(jpg, raw)).toBe(path.join(dir, 'IMG_1.CR2.xmp'));
    expect(await findSidecar(jpg, raw)).toBe(path.join(dir, 'IMG_1.CR2.xmp'));
    expect(await sidecarPathFor(jpg)).toBe(path.join(dir, 'IMG_1.JPG.xmp'));
  });
});

describe('writeSidecar', () => {
  it('creates IMG_1.jpg.xmp with the description and subjects, leaving the photo byte for byte and no temp file', async () => {
    const dir = tempDir();
    const photo = await makeJpeg(path.join(dir, 'IMG_1.jpg'), { make: 'Olympus' });
    const before = sha256(photo);

    const sidecar = await service.writeSidecar(photo, { description: 'Grandma at the beach, "Été" 1987\nsecond line', subjects: ['beach', ' Grandma ', 'BEACH', '', '2019'] });
    expect(sidecar).toBe(`${photo}.xmp`);
    const tags = await tagsOf(sidecar);
    expect(tags['XMP-dc:Description']).toBe('Grandma at the beach, "Été" 1987\nsecond line');
    expect(tags['XMP-dc:Subject']).toEqual(['beach', 'Grandma', '2019']);
    expect(sha256(photo)).toBe(before);
    expect(ls(dir)).toEqual(['IMG_1.jpg', 'IMG_1.jpg.xmp']);

    // Two writes at once: serialized, the last one wins, still no temp file.
    await Promise.all([service.writeSidecar(photo, { description: 'first', subjects: ['a'] }), service.writeSidecar(photo, { description: 'second', subjects: ['b', 'c'] })]);
    const again = await tagsOf(sidecar);
    expect(again['XMP-dc:Description']).toBe('second');
    expect(again['XMP-dc:Subject']).toEqual(['b', 'c']);
    expect(sha256(photo)).toBe(before);
    expect(ls(dir)).toEqual(['IMG_1.jpg', 'IMG_1.jpg.xmp']);
  });

  it('updates an existing Lightroom IMG.xmp in place and keeps every other field', async () => {
    const dir = tempDir();
    const photo = await makeJpeg(path.join(dir, 'IMG_2.jpg'));
    const lightroom = path.join(dir, 'IMG_2.xmp');
    fs.writeFileSync(lightroom, LIGHTROOM_XMP);
    const before = sha256(photo);

    expect(await service.writeSidecar(photo, { description: 'New caption', subjects: ['beach', 'family'] })).toBe(lightroom);
    let tags = await tagsOf(lightroom);
    expect(tags['XMP-dc:Description']).toBe('New caption');
    expect(tags['XMP-dc:Subject']).toEqual(['beach', 'family']);
    expect(tags['XMP-dc:Title']).toBe('Summer 1987');
    expect(tags['XMP-dc:Creator']).toBe('Ann Example');
    expect(tags['XMP-xmp:Rating']).toBe('4');
    expect(tags['XMP-lr:HierarchicalSubject']).toBe('Places|France|Paris');
    expect(tags['XMP-crs:Exposure2012']).toBe('+0.35');
    expect(tags['XMP-darktable:Xmp_version']).toBe('5');
    expect(ls(dir)).toEqual(['IMG_2.jpg', 'IMG_2.xmp']);

    // A null description leaves it as it is; a blank one removes it; [] removes the subjects.
    await service.writeSidecar(photo, { description: null, subjects: ['only'] });
    tags = await tagsOf(lightroom);
    expect(tags['XMP-dc:Description']).toBe('New caption');
    expect(tags['XMP-dc:Subject']).toBe('only');
    await service.writeSidecar(photo, { description: '  ', subjects: [] });
    tags = await tagsOf(lightroom);
    expect(tags['XMP-dc:Description']).toBeUndefined();
    expect(tags['XMP-dc:Subject']).toBeUndefined();
    expect(tags['XMP-dc:Title']).toBe('Summer 1987');
    expect(sha256(photo)).toBe(before);
    expect(ls(dir)).toEqual(['IMG_2.jpg', 'IMG_2.xmp']);
  });

  it('creates nothing when there is nothing to write, and fails clearly on a broken sidecar or a missing photo', async () => {
    const dir = tempDir();
    const photo = await makePng(path.join(dir, 'p.png'));
    await service.writeSidecar(photo, { description: null, subjects: [] });
    expect(ls(dir)).toEqual(['p.png']);

    const garbage = noiseBytes(600, 2);
    fs.writeFileSync(path.join(dir, 'p.png.xmp'), garbage);
    await expect(service.writeSidecar(photo, { description: 'x', subjects: [] })).rejects.toThrow(/Cannot write the XMP sidecar .*p\.png\.xmp: .*(valid XMP|format)/i);
    expect(fs.readFileSync(path.join(dir, 'p.png.xmp')).equals(garbage)).toBe(true);
    expect(ls(dir)).toEqual(['p.png', 'p.png.xmp']);

    await expect(service.writeSidecar(path.join(dir, 'missing.jpg'), { description: 'x', subjects: [] })).rejects.toThrow(/missing\.jpg: photo not found/);
    expect(ls(dir)).toEqual(['p.png', 'p.png.xmp']);
  });
});

describe('readPhotoMetadata', () => {
  it('imports IPTC and EXIF captions and keywords, and a sidecar overrides the description', async () => {
    const dir = tempDir();
    const photo = await jpegWith(path.join(dir, 'lake.jpg'), {
      'IPTC:CodedCharacterSet': 'UTF8',
      'IPTC:Caption-Abstract': 'Picnic at the Lac d’Annecy, été',
      'IPTC:Keywords': ['lake', 'picnic', '2019'],
      'EXIF:ImageDescription': 'EXIF text',
      'EXIF:XPKeywords': 'family;Lake',
    });
    const before = sha256(photo);
    expect(await service.readPhotoMetadata(photo)).toMatchObject({ description: 'Picnic at the Lac d’Annecy, été', keywords: ['lake', 'picnic', '2019', 'family'] });

    await service.writeSidecar(photo, { description: 'From the sidecar', subjects: ['Sidecar keyword', 'PICNIC'] });
    expect(await service.readPhotoMetadata(photo)).toMatchObject({ description: 'From the sidecar', keywords: ['Sidecar keyword', 'PICNIC', 'lake', '2019', 'family'] });
    expect(sha256(photo)).toBe(before);
  });

  it('prefers embedded XMP over IPTC, takes hierarchical keyword leaves, and ignores camera boilerplate', async () => {
    const dir = tempDir();
    const xmp = await jpegWith(path.join(dir, 'xmp.jpg'), {
      'XMP-dc:Description': 'XMP caption',
      'XMP-lr:HierarchicalSubject': ['Places|France|Paris'],
      'IPTC:Caption-Abstract': 'IPTC caption',
    });
    expect(await service.readPhotoMetadata(xmp)).toMatchObject({ description: 'XMP caption', keywords: ['Paris'] });

    const olympus = await jpegWith(path.join(dir, 'olympus.jpg'), { 'EXIF:ImageDescription': 'OLYMPUS DIGITAL CAMERA         ', 'EXIF:XPComment': 'Our first trip' });
    expect((await service.readPhotoMetadata(olympus)).description).toBe('Our first trip');
    const sony = await jpegWith(path.join(dir, 'sony.jpg'), { 'EXIF:ImageDescription': 'SONY DSC' });
    expect(await service.readPhotoMetadata(sony)).toMatchObject({ description: null, keywords: [] });
  });

  it('rejects a broken or missing file with a clear error, and keeps working afterwards', async () => {
    const dir = tempDir();
    const broken = path.join(dir, 'broken.jpg');
    fs.writeFileSync(broken, noiseBytes(4096, 3));
    fs.writeFileSync(path.join(dir, 'empty.jpg'), Buffer.alloc(0));
    await expect(service.readPhotoMetadata(broken)).rejects.toThrow(/Cannot read the metadata of .*broken\.jpg: .*format/i);
    // Not a file exiftool can read: the meta stage takes that as nothing to import ([Note: merged facts]).
    await expect(service.readPhotoMetadata(broken)).rejects.toBeInstanceOf(UnreadableFileError);
    await expect(service.readPhotoMetadata(path.join(dir, 'empty.jpg'))).rejects.toThrow(/empty\.jpg: File is empty/);
    await expect(service.readPhotoMetadata(path.join(dir, 'missing.jpg'))).rejects.toThrow(/missing\.jpg: File not found/);
    const good = await makeJpeg(path.join(dir, 'good.jpg'));
    expect(await service.readPhotoMetadata(good)).toMatchObject({ description: null, keywords: [] });
  });
});

describe('Lightroom and digiKam sidecars', () => {
  // What Lightroom Classic writes: keywords in lr:hierarchicalSubject with "|", dc:subject with every keyword and
  // its parents, the star rating and colour label, and its develop settings (crs:), IPTC core in photoshop:.
  const lightroomTags = {
    'XMP-x:XMPToolkit': 'Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00',
    'XMP-xmp:CreatorTool': 'Adobe Photoshop Lightroom Classic 13.0 (Windows)',
    'XMP-xmp:ModifyDate': '2024:01:15 10:00:00+01:00',
    'XMP-xmp:MetadataDate': '2024:01:15 10:00:00+01:00',
    'XMP-xmp:Rating': 4,
    'XMP-xmp:Label': 'Red',
    'XMP-dc:Title': 'Ribeira at dusk',
    'XMP-dc:Creator': ['Ann Example'],
    'XMP-dc:Rights': '© Ann Example',
    'XMP-dc:Description': 'The river at dusk',
    'XMP-dc:Description-pt': 'O rio ao anoitecer',
    'XMP-dc:Subject': ['Porto', 'Portugal', 'Places', 'Mia', 'Family', 'beach'],
    'XMP-lr:HierarchicalSubject': ['Places|Portugal|Porto', 'Family|Mia', 'beach'],
    'XMP-photoshop:City': 'Porto',
    'XMP-photoshop:Country': 'Portugal',
    'XMP-photoshop:DateCreated': '2019:06:01 19:30:00',
    'XMP-crs:Version': '16.0',
    'XMP-crs:ProcessVersion': '11.0',
    'XMP-crs:WhiteBalance': 'As Shot',
    'XMP-crs:Temperature': 5200,
    'XMP-crs:Exposure2012': '+0.35',
    'XMP-crs:Highlights2012': -40,
    'XMP-crs:ToneCurvePV2012': ['0, 0', '128, 140', '255, 255'],
    'XMP-crs:HasSettings': 'True',
    'XMP-xmpMM:DocumentID': 'xmp.did:5f0e9b6a-4c1d-4a8e-9a53-1c6f0b7d2e11',
    'XMP-xmpMM:OriginalDocumentID': '8A7C3E0F2B1D4E5F6A7B8C9D0E1F2A3B',
  };
  // What digiKam 8 writes: its TagsList with "/", the same tags in lr:hierarchicalSubject and Microsoft's, the
  // leaves in dc:subject, the rating both as stars and as MicrosoftPhoto's percent, and the camera's EXIF as XMP.
  const digikamTags = {
    'XMP-xmp:CreatorTool': 'digiKam-8.2.0',
    'XMP-xmp:Rating': 4,
    'XMP-xmp:Label': 'Green',
    'XMP-microsoft:RatingPercent': 75,
    'XMP-digiKam:TagsList': ['Places/Portugal/Porto', 'Family/Mia', 'beach'],
    'XMP-lr:HierarchicalSubject': ['Places|Portugal|Porto', 'Family|Mia', 'beach'],
    'XMP-microsoft:LastKeywordXMP': ['Places/Portugal/Porto', 'Family/Mia', 'beach'],
    'XMP-dc:Subject': ['Porto', 'Mia', 'beach'],
    'XMP-tiff:Make': 'FUJIFILM',
    'XMP-tiff:Model': 'X-T3',
    'XMP-tiff:Orientation': 1,
    'XMP-tiff:ImageWidth': 6240,
    'XMP-tiff:ImageHeight': 4160,
    'XMP-exif:ExposureTime': '1/250',
    'XMP-exif:FNumber': 5.6,
    'XMP-exif:ISO': [400],
    'XMP-exif:FocalLength': 23,
    'XMP-exif:DateTimeOriginal': '2019:06:01 19:30:00',
    'XMP-exif:GPSLatitude': '41.1403',
    'XMP-exif:GPSLongitude': '-8.6110',
    'XMP-exifEX:LensModel': 'XF16-55mmF2.8 R LM WR',
  };

  it('reads Lightroom\'s sidecar, adds a hierarchical tag, changes the rating, removes the label, and keeps the rest', async () => {
    const dir = tempDir();
    const photo = await makeJpeg(path.join(dir, 'DSC_0101.jpg'));
    const sidecar = await sidecarWith(path.join(dir, 'DSC_0101.xmp'), lightroomTags);
    const before = await storedValues(sidecar);
    const photoSum = sha256(photo);

    const meta = await service.readPhotoMetadata(photo);
    expect(meta).toMatchObject({
      description: 'The river at dusk',
      hierarchicalTags: [['Places', 'Portugal', 'Porto'], ['Family', 'Mia'], ['beach']],
      rating: 4,
      label: 'Red',
    });
    expect(meta.keywords).toEqual(['Porto', 'Portugal', 'Places', 'Mia', 'Family', 'beach']);
    expect(meta.facts.takenAt).toBe('2019-06-01T19:30:00');
    // Lightroom's dc:subject is the paths' flat copy: no tag of its own.
    expect(flatKeywords(meta.keywords, meta.hierarchicalTags)).toEqual([]);

    await service.writeSidecar(photo, {
      description: null,
      subjects: flatKeywords(meta.keywords, meta.hierarchicalTags),
      hierarchicalTags: [...meta.hierarchicalTags, ['Places', 'Portugal', 'Lisbon']],
      rating: 2,
      label: null,
    });
    expectOnlyChanged(before, await storedValues(sidecar), {
      'XMP-lr:HierarchicalSubject': ['Places|Portugal|Porto', 'Family|Mia', 'beach', 'Places|Portugal|Lisbon'],
      'XMP-digiKam:TagsList': ['Places/Portugal/Porto', 'Family/Mia', 'beach', 'Places/Portugal/Lisbon'],
      'XMP-dc:Subject': ['Porto', 'Mia', 'beach', 'Lisbon'],
      'XMP-xmp:Rating': '2',
      'XMP-xmp:Label': undefined,
    });
    // No MicrosoftPhoto:Rating was there: none is added to Lightroom's file.
    expect((await storedValues(sidecar))['XMP-microsoft:RatingPercent']).toBeUndefined();
    expect(await service.readPhotoMetadata(photo)).toMatchObject({
      description: 'The river at dusk',
      hierarchicalTags: [['Places', 'Portugal', 'Porto'], ['Family', 'Mia'], ['beach'], ['Places', 'Portugal', 'Lisbon']],
      rating: 2,
      label: null,
    });
    expect(sha256(photo)).toBe(photoSum);
    expect(ls(dir)).toEqual(['DSC_0101.jpg', 'DSC_0101.xmp']);
  });

  it('reads digiKam\'s sidecar, edits it the same way, and keeps MicrosoftPhoto:Rating in step', async () => {
    const dir = tempDir();
    const photo = await makeJpeg(path.join(dir, 'DSCF2040.JPG'));
    const sidecar = await sidecarWith(path.join(dir, 'DSCF2040.JPG.xmp'), digikamTags);
    const before = await storedValues(sidecar);

    const meta = await service.readPhotoMetadata(photo);
    expect(meta).toMatchObject({
      description: null,
      hierarchicalTags: [['Places', 'Portugal', 'Porto'], ['Family', 'Mia'], ['beach']],
      rating: 4,
      label: 'Green',
    });
    expect(meta.facts).toMatchObject({ cameraMake: 'FUJIFILM', cameraModel: 'X-T3', lens: 'XF16-55mmF2.8 R LM WR', takenAt: '2019-06-01T19:30:00' });

    await service.writeSidecar(photo, {
      description: null,
      subjects: [],
      hierarchicalTags: [...meta.hierarchicalTags, ['Family', 'Mia', 'Birthday']],
      rating: 5,
      label: null,
    });
    expectOnlyChanged(before, await storedValues(sidecar), {
      'XMP-digiKam:TagsList': ['Places/Portugal/Porto', 'Family/Mia', 'beach', 'Family/Mia/Birthday'],
      'XMP-lr:HierarchicalSubject': ['Places|Portugal|Porto', 'Family|Mia', 'beach', 'Family|Mia|Birthday'],
      'XMP-dc:Subject': ['Porto', 'Mia', 'beach', 'Birthday'],
      'XMP-xmp:Rating': '5',
      'XMP-microsoft:RatingPercent': '99',
      'XMP-xmp:Label': undefined,
    });
    expect(await service.readPhotoMetadata(photo)).toMatchObject({ rating: 5, label: null, hierarchicalTags: [['Places', 'Portugal', 'Porto'], ['Family', 'Mia'], ['beach'], ['Family', 'Mia', 'Birthday']] });

    // Rejected: xmp:Rating -1, and MicrosoftPhoto:Rating, which cannot say it, goes. No rating: neither is left.
    await service.writeSidecar(photo, { description: null, subjects: [], rating: -1 });
    let values = await storedValues(sidecar);
    expect(values['XMP-xmp:Rating']).toBe('-1');
    expect(values['XMP-microsoft:RatingPercent']).toBeUndefined();
    expect((await service.readPhotoMetadata(photo)).rating).toBe(-1);
    await sidecarWith(sidecar, { 'XMP-microsoft:RatingPercent': 50 });
    await service.writeSidecar(photo, { description: null, subjects: [], rating: null });
    values = await storedValues(sidecar);
    expect(values['XMP-xmp:Rating']).toBeUndefined();
    expect(values['XMP-microsoft:RatingPercent']).toBeUndefined();
    expect((await service.readPhotoMetadata(photo)).rating).toBeNull();
    // The hierarchical tags, untouched by writes that do not name them; null removes both fields.
    expect(values['XMP-digiKam:TagsList']).toEqual(['Places/Portugal/Porto', 'Family/Mia', 'beach', 'Family/Mia/Birthday']);
    await service.writeSidecar(photo, { description: null, subjects: ['beach'], hierarchicalTags: null });
    values = await storedValues(sidecar);
    expect(values['XMP-digiKam:TagsList']).toBeUndefined();
    expect(values['XMP-lr:HierarchicalSubject']).toBeUndefined();
    expect(values['XMP-dc:Subject']).toBe('beach');
    expect(values['XMP-tiff:Make']).toBe('FUJIFILM');
    expect(ls(dir)).toEqual(['DSCF2040.JPG', 'DSCF2040.JPG.xmp']);
  });

  it('reads MicrosoftPhoto:Rating only without xmp:Rating, the sidecar before the photo, and ignores values out of range', async () => {
    const dir = tempDir();
    const cases: [Record<string, number | string>, number | null][] = [
      [{ 'XMP-microsoft:RatingPercent': 1 }, 1],
      [{ 'XMP-microsoft:RatingPercent': 25 }, 2],
      [{ 'XMP-microsoft:RatingPercent': 50 }, 3],
      [{ 'XMP-microsoft:RatingPercent': 75 }, 4],
      [{ 'XMP-microsoft:RatingPercent': 99 }, 5],
      [{ 'XMP-microsoft:RatingPercent': 0 }, 0],
      [{ 'XMP-microsoft:RatingPercent': 99, 'XMP-xmp:Rating': 2 }, 2],
      [{ 'XMP-microsoft:RatingPercent': 99, 'XMP-xmp:Rating': 0 }, 0],
      [{ 'XMP-xmp:Rating': -1 }, -1],
      [{ 'XMP-xmp:Rating': 3.0 }, 3],
      [{ 'XMP-xmp:Rating': 9, 'XMP-microsoft:RatingPercent': 50 }, 3],
      [{ 'XMP-xmp:Rating': 9 }, null],
      [{ 'XMP-microsoft:RatingPercent': 250 }, null],
      [{}, null],
    ];
    for (const [i, [tags, stars]] of cases.entries()) {
      const photo = await makeJpeg(path.join(dir, `r${i}.jpg`));
      if (Object.keys(tags).length) await sidecarWith(`${photo}.xmp`, { 'XMP-dc:Title': 'x', ...tags });
      expect((await service.readPhotoMetadata(photo)).rating, JSON.stringify(tags)).toBe(stars);
    }
    // Embedded in the photo, and a sidecar's rating or label over the photo's.
    const photo = await jpegWith(path.join(dir, 'embedded.jpg'), { 'XMP-xmp:Rating': '5', 'XMP-xmp:Label': 'Blue', 'XMP-lr:HierarchicalSubject': ['Family|Mia'] });
    expect(await service.readPhotoMetadata(photo)).toMatchObject({ rating: 5, label: 'Blue', hierarchicalTags: [['Family', 'Mia']] });
    await sidecarWith(`${photo}.xmp`, { 'XMP-microsoft:RatingPercent': 25, 'XMP-xmp:Label': 'Purple', 'XMP-digiKam:TagsList': ['family/mia', 'Places/Porto'] });
    expect(await service.readPhotoMetadata(photo)).toMatchObject({ rating: 2, label: 'Purple', hierarchicalTags: [['family', 'mia'], ['Places', 'Porto']] });
  });

  it('creates a sidecar with hierarchical tags, a rating and a label, leaves out of a field a path it cannot spell, and refuses a bad rating', async () => {
    const dir = tempDir();
    const photo = await makeJpeg(path.join(dir, 'new.jpg'));
    await expect(service.writeSidecar(photo, { description: null, subjects: [], rating: 6 })).rejects.toThrow(/rating is a whole number from -1 \(rejected\) to 5, not 6/);
    await expect(service.writeSidecar(photo, { description: null, subjects: [], rating: 2.5 })).rejects.toThrow(/not 2\.5/);
    expect(ls(dir)).toEqual(['new.jpg']);
    // Nothing to write: no file.
    await service.writeSidecar(photo, { description: null, subjects: [], hierarchicalTags: [], rating: null, label: ' ' });
    expect(ls(dir)).toEqual(['new.jpg']);

    const sidecar = await service.writeSidecar(photo, {
      description: null,
      subjects: ['sunset', 'Porto'],
      hierarchicalTags: [['Places', 'Portugal', 'Porto'], ['Music', 'AC/DC'], [' places ', 'PORTUGAL', 'porto'], ['Music', 'AC|DC'], ['sunset']],
      rating: 0,
      label: ' Yellow ',
    });
    expect(sidecar).toBe(`${photo}.xmp`);
    const values = await storedValues(sidecar);
    expect(values['XMP-lr:HierarchicalSubject']).toEqual(['Places|Portugal|Porto', 'Music|AC/DC', 'sunset']);
    expect(values['XMP-digiKam:TagsList']).toEqual(['Places/Portugal/Porto', 'Music/AC|DC', 'sunset']);
    expect(values['XMP-dc:Subject']).toEqual(['sunset', 'Porto', 'AC/DC', 'AC|DC']);
    expect(values['XMP-xmp:Rating']).toBe('0');
    expect(values['XMP-xmp:Label']).toBe('Yellow');
    expect(values['XMP-microsoft:RatingPercent']).toBeUndefined();
    expect(await service.readPhotoMetadata(photo)).toMatchObject({
      rating: 0,
      label: 'Yellow',
      hierarchicalTags: [['Places', 'Portugal', 'Porto'], ['Music', 'AC/DC'], ['sunset'], ['Music', 'AC|DC']],
    });
    // A write without the new fields leaves them as they are.
    await service.writeSidecar(photo, { description: 'A caption', subjects: ['sunset'] });
    expect(await service.readPhotoMetadata(photo)).toMatchObject({ description: 'A caption', keywords: ['sunset', 'Porto', 'AC/DC'], rating: 0, label: 'Yellow' });
    expect(ls(dir)).toEqual(['new.jpg', 'new.jpg.xmp']);
  });
});

describe('XmpService lifecycle', () => {
  it('lets a call already made finish, then refuses new ones after end()', async () => {
    const dir = tempDir();
    const photo = await makeJpeg(path.join(dir, 'a.jpg'));
    const own = new XmpService();
    const write = own.writeSidecar(photo, { description: 'before end', subjects: [] });
    await own.end();
    expect(await write).toBe(`${photo}.xmp`);
    await expect(own.readPhotoMetadata(photo)).rejects.toThrow(/ended/);
    await expect(own.writeSidecar(photo, { description: 'x', subjects: [] })).rejects.toThrow(/ended/);
  });
});
