// XMP sidecars: written next to the photo (never into it), merged with what is there, and imported captions/keywords read back.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, describe, expect, it } from 'vitest';
import { UnreadableFileError, XmpService, findSidecar, sidecarPathFor } from '../../src/main/core/media/xmp.ts';
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
