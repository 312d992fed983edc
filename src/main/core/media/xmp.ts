// XMP sidecars and imported metadata: writes a photo's caption, keywords, hierarchical tags, rating and colour label to
// its .xmp sidecar (never to the photo) and reads what the user or other software already wrote.
//
// Sidecar naming. Two conventions exist side by side:
//   - `IMG_1.jpg.xmp`: darktable, digiKam (default), RawTherapee-style tools: the full file name plus ".xmp";
//   - `IMG_1.xmp`: Lightroom, Capture One, Bridge: the extension replaced by ".xmp".
// An existing sidecar is always the one used, `IMG_1.jpg.xmp` first (it can only belong to this photo), then
// `IMG_1.xmp` (which, in a RAW+JPEG pair, Lightroom shares between IMG_1.CR2 and IMG_1.jpg: same shot, same
// caption). Either way the ".xmp" is matched in any case (".XMP" from cameras and Windows tools). When there is
// none, a new one is created as `IMG_1.jpg.xmp`: it never collides between IMG_1.jpg and IMG_1.png, and digiKam
// and darktable pick it up.
//
// What is read (PhotoMetadata; the sidecar first, then the photo's own XMP, IPTC, EXIF):
//   - description: dc:description, IPTC Caption-Abstract, EXIF ImageDescription / XPComment (camera boilerplate dropped);
//   - keywords: dc:subject, the leaves of lr:hierarchicalSubject, IPTC Keywords, EXIF XPKeywords (flat names);
//   - hierarchicalTags: lr:hierarchicalSubject ("Places|Portugal|Porto") and digiKam:TagsList
//     ("Places/Portugal/Porto") as paths, read by src/shared/vocabulary.ts (its header: separators, typed tags);
//   - rating: xmp:Rating (0-5 stars, -1 rejected), else MicrosoftPhoto:Rating (Windows' and digiKam's percent);
//   - label: xmp:Label, the colour label's text as the program wrote it ("Red", "Green"…);
//   - facts: dates, camera, lens, position ([Note: capture date]).
//
// What a write changes (SidecarFields). Only the fields it is given; every other tag of an existing sidecar is
// kept: exiftool edits the file in place, so dc:title, dc:creator, crs:*/photoshop:* develop settings,
// darktable/digiKam history and so on survive.
//   - description (dc:description, the x-default entry of the language alternative: other languages are kept):
//     null leaves it as it is; a blank string removes it; other text replaces it.
//   - subjects: the complete new dc:subject bag (trimmed, blanks dropped, deduplicated case-insensitively). It
//     replaces the old bag, so a keyword can be removed; an empty list removes dc:subject. To add to what is there,
//     pass readPhotoMetadata().keywords plus the new ones.
//   - hierarchicalTags (optional): the complete new set of paths, written to both lr:hierarchicalSubject ("|") and
//     digiKam:TagsList ("/"), as Lightroom and digiKam write them; dc:subject then gets the paths' leaf names after
//     `subjects`, so each program reads Shoebox's tags as its own. A path one field cannot spell (a segment holding
//     its separator) is left out of that field only. undefined leaves both fields (and dc:subject is `subjects`);
//     null or [] removes both.
//   - rating (optional): xmp:Rating, an integer -1..5 (-1 rejected, 0 no stars). A MicrosoftPhoto:Rating already
//     in the sidecar (digiKam, Windows) is kept in step (1, 25, 50, 75, 99 for 1-5 stars, 0 for none; removed for
//     a rejected photo, which it cannot say), so no program reads a stale rating; it is never added. undefined
//     leaves both, null removes both.
//   - label (optional): xmp:Label; undefined leaves it, null or blank removes it.
//   - location (optional): the photo's place, as photoshop:City, photoshop:State, photoshop:Country and
//     Iptc4xmpCore:CountryCode (what Lightroom, Bridge and digiKam show as the IPTC location); undefined leaves all
//     four, null removes them, and in an object a null field removes that one.
//   - faceRegions (optional): the named faces as MWG regions ([Note: face regions written]); undefined leaves
//     mwg-rs:RegionInfo as it is.
// The write is atomic: the sidecar is copied to a hidden temporary file in the same folder, exiftool edits the copy
// (-overwrite_original applies to that copy only), and the copy is renamed over the sidecar. The photo itself is
// never handed to exiftool for writing. exiftool names itself in the packet's x:xmptk, as every XMP writer does.
//
// Process. One `exiftool -stay_open` Perl process per XmpService, started on the first call (~0.3 s), reused for
// every call (a few ms each), stopped after a minute idle and restarted on demand. Call end() at shutdown.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { isBoilerplate } from './boilerplate.ts';
import { iptcDate, metadataDate, utcDate } from './dates.ts';
import { dated, dateFields, exifLater, exifOriginal, firstDate, type LazyDate, type MetadataFacts } from './facts.ts';
import { validPosition, zoneAt } from './timezone.ts';
import { errorMessage } from '../../../shared/error-message.ts';
import { formatHierarchy, mergePaths, parseHierarchy, subjectNames, type TagPath } from '../../../shared/vocabulary.ts';

export interface SidecarFields {
  /** New dc:description: null leaves it as it is, a blank string removes it. */
  description: string | null;
  /** The complete new dc:subject bag; [] removes it. With hierarchicalTags, their leaf names are added after these. */
  subjects: readonly string[];
  /**
   * The complete new set of hierarchical tags (a plain tag is a path of one segment), for lr:hierarchicalSubject
   * and digiKam:TagsList; their leaves also go to dc:subject. undefined leaves both fields as they are; null or []
   * removes both. Pass every tag the photo has as a path when giving this: a flat tag only in `subjects` that names
   * a segment of a path reads back as that path's flat copy (vocabulary.ts, flatKeywords).
   */
  hierarchicalTags?: readonly TagPath[] | null;
  /** New xmp:Rating, an integer -1 (rejected) to 5; an existing MicrosoftPhoto:Rating follows. undefined leaves it, null removes it. */
  rating?: number | null;
  /** New xmp:Label (the colour label: "Red", "Green"…). undefined leaves it, null or blank removes it. */
  label?: string | null;
  /** photoshop:City, photoshop:State, photoshop:Country, Iptc4xmpCore:CountryCode. undefined leaves them, null removes them. */
  location?: SidecarLocation | null;
  /**
   * The text read in the photo (OCR) as Iptc4xmpExt:Transcript, only with the xmp_text setting on (it is not a
   * description). undefined leaves it, null or blank removes it.
   */
  transcript?: string | null;
  /** The named faces as MWG regions ([Note: face regions written]); undefined leaves mwg-rs:RegionInfo as it is. */
  faceRegions?: SidecarFaceRegions;
}

/**
 * [Note: face regions written]
 * With sidecars on, each face of a named person (not a hidden one) is written as an MWG region (mwg-rs:RegionInfo):
 * Type Face, the person's Name, and an Area whose X and Y are its centre, W and H its size, normalised, in the image
 * as stored (before its EXIF orientation: MWG's guidelines, 5.9, "region metadata is applied to the stored image"),
 * with AppliedToDimensions the stored image's size in pixels; the reader turns them upright again ([Note: face
 * regions read]). Exiftool writes the whole RegionInfo at once, so the regions already there are merged in, kept as
 * they were (their MWG fields: Area, Name, Type, Description, FocusUsage, BarCodeValue, Rotation), except:
 *   - a Face region named as one Shoebox wrote there last time (`replaces`: a person renamed, unnamed, merged);
 *   - a Face region a written one overlaps by IoU over 0.3 (the same face, named in Shoebox now).
 * Other regions (another app's face Shoebox did not find, a Pet, a Focus area) stay. Microsoft's MP:RegionInfo is
 * left as it is. With nothing to write and nothing to replace, RegionInfo is not touched.
 */
export interface SidecarFaceRegions {
  /** The image as stored (before EXIF orientation), in pixels: AppliedToDimensions. */
  width: number;
  height: number;
  /** Normalised, from the top-left corner, in the image as stored (storedRegion turns an upright one so). */
  regions: { name: string; x: number; y: number; width: number; height: number }[];
  /** The names Shoebox wrote to this sidecar last time: their Face regions are replaced. */
  replaces: readonly string[];
}

/** The IPTC location of a photo as XMP holds it (each null: not there). */
export interface SidecarLocation {
  city: string | null;
  state: string | null;
  country: string | null;
  countryCode: string | null;
}

/** xmp:Rating: 1-5 stars, 0 none, -1 rejected. */
export type Rating = -1 | 0 | 1 | 2 | 3 | 4 | 5;

export interface PhotoMetadata {
  /** The user's caption, from the first source that has real text: sidecar > embedded XMP > IPTC > EXIF. */
  description: string | null;
  /** Keywords from every source, in that order, trimmed and deduplicated case-insensitively (first spelling kept). */
  keywords: string[];
  /**
   * Hierarchical tags, root first (["Places", "Portugal", "Porto"]): lr:hierarchicalSubject and digiKam:TagsList of
   * the sidecar, then of the photo, normalized and deduplicated case-insensitively (first spelling kept). A plain
   * tag Lightroom or digiKam listed there is a path of one segment. lr:hierarchicalSubject's leaves are also in
   * `keywords` (as before these were read), and Lightroom and digiKam put every leaf in dc:subject.
   */
  hierarchicalTags: string[][];
  /** xmp:Rating, else MicrosoftPhoto:Rating in stars (the sidecar's, else the photo's); null when neither is there or valid. */
  rating: Rating | null;
  /** xmp:Label, the colour label's text as written (the sidecar's, else the photo's); null when none. */
  label: string | null;
  /**
   * The location written in the file: photoshop:City/State/Country and Iptc4xmpCore:CountryCode of the sidecar,
   * else the photo's XMP, else its IPTC (City, Province-State, Country-PrimaryLocationName/Code); each field on its own.
   */
  location: SidecarLocation;
  /**
   * When, where and with what it was taken, from every block exiftool reads (EXIF, also damaged; the
   * sidecar's and the file's XMP; IPTC; QuickTime/HEIF): the best date by [Note: capture date]'s
   * ranks without the file name and modification time (the catalog adds those when it merges).
   */
  facts: MetadataFacts;
  /** The face regions another app wrote ([Note: face regions read]): the sidecar's, else the photo's. */
  faceRegions: FaceRegion[];
}

/**
 * [Note: face regions read]
 * A face region as another app wrote it: MWG's (mwg-rs:Regions, written by Lightroom, digiKam, Picasa:
 * Type Face, a Name, an Area whose X and Y are its centre, normalised) or Microsoft's (MP:RegionInfo, Windows
 * Photo Gallery: PersonDisplayName and a Rectangle "x, y, w, h" from the top-left corner, normalised). Here always
 * from the top-left corner, normalised (0–1), in the image as stored, before its EXIF orientation, as MWG defines
 * them: `uprightRegion` turns one into the upright photo's coordinates, where the faces stage's boxes are. Regions of
 * another type (Pet, Focus, BarCode), in another unit than normalised, or outside the image are left out.
 */
export interface FaceRegion {
  /** The person's name the user gave it there; null for a face region without one. */
  name: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  source: 'mwg' | 'microsoft';
}

/** A stored-image region (normalised) in the upright photo's normalised coordinates, for EXIF orientation 1–8. */
export function uprightRegion<R extends { x: number; y: number; width: number; height: number }>(r: R, orientation: number | null): R {
  const map = (u: number, v: number): [number, number] => {
    switch (orientation) {
      case 2: return [1 - u, v];
      case 3: return [1 - u, 1 - v];
      case 4: return [u, 1 - v];
      case 5: return [v, u];
      case 6: return [1 - v, u];
      case 7: return [1 - v, 1 - u];
      case 8: return [v, 1 - u];
      default: return [u, v];
    }
  };
  const [ax, ay] = map(r.x, r.y);
  const [bx, by] = map(r.x + r.width, r.y + r.height);
  return { ...r, x: Math.min(ax, bx), y: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay) };
}

/** An upright photo's normalised region in the image as stored, for EXIF orientation 1–8 (uprightRegion's inverse). */
export function storedRegion<R extends { x: number; y: number; width: number; height: number }>(r: R, orientation: number | null): R {
  // 6 and 8 turn a quarter each way; every other orientation is its own inverse.
  return uprightRegion(r, orientation === 6 ? 8 : orientation === 8 ? 6 : orientation);
}

/** A region whose numbers are a box inside the image (a little past its edge is clipped, as apps round). */
function region(name: unknown, x: number | null, y: number | null, width: number | null, height: number | null, source: FaceRegion['source']): FaceRegion | null {
  if (x === null || y === null || width === null || height === null || !(width > 0) || !(height > 0)) return null;
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(1, x + width);
  const y1 = Math.min(1, y + height);
  if (x1 - x0 <= 0 || y1 - y0 <= 0 || x < -0.01 || y < -0.01 || x + width > 1.01 || y + height > 1.01) return null;
  const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
  return { name: text(name), x: r6(x0), y: r6(y0), width: r6(x1 - x0), height: r6(y1 - y0), source };
}

function structOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function listOf(value: unknown): Record<string, unknown>[] {
  return (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).map(structOf);
}

/** One file's face regions, MWG's then Microsoft's ([Note: face regions read]). */
function readFaceRegions(tags: Record<string, unknown>): FaceRegion[] {
  const out: FaceRegion[] = [];
  for (const r of listOf(structOf(tags['XMP:RegionInfo']).RegionList)) {
    const area = structOf(r.Area);
    const type = text(r.Type);
    const unit = text(area.Unit);
    if ((type !== null && type.toLowerCase() !== 'face') || (unit !== null && unit.toLowerCase() !== 'normalized')) continue;
    const [w, h] = [number(area.W), number(area.H)];
    const [cx, cy] = [number(area.X), number(area.Y)];
    const found = region(r.Name, cx === null || w === null ? null : cx - w / 2, cy === null || h === null ? null : cy - h / 2, w, h, 'mwg');
    if (found) out.push(found);
  }
  for (const r of listOf(structOf(tags['XMP:RegionInfoMP']).Regions)) {
    const [x = null, y = null, w = null, h = null] = (text(r.Rectangle) ?? '').split(',').map((n) => number(n.trim()));
    const found = region(r.PersonDisplayName, x, y, w, h, 'microsoft');
    if (found) out.push(found);
  }
  return out;
}

export interface XmpServiceOptions {
  /** Path of the exiftool script (e.g. an asar-unpacked copy in a packaged app); default: exiftool-vendored's. */
  exiftoolPath?: string;
  /** A single exiftool call that takes longer than this fails (and its process is recycled). Default 20 s. */
  taskTimeoutMs?: number;
  /** The exiftool process exits after this long without work; the next call starts a new one. Default 60 s. */
  idleMs?: number;
}

/** "xmp" in every casing, the usual ones first. */
const XMP_EXTENSIONS = [...new Set(['xmp', 'XMP', ...casings('xmp')])].map((e) => `.${e}`);

function casings(word: string): string[] {
  let out = [''];
  for (const ch of word) out = out.flatMap((prefix) => [prefix + ch.toLowerCase(), prefix + ch.toUpperCase()]);
  return out;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The photo's existing sidecar (`IMG_1.jpg.xmp`, then `IMG_1.xmp`, any case of ".xmp"), or null. For a RAW+JPEG
 * pair (`raw`: the pair's RAW, [Note: file pairs]) the RAW's own sidecar comes first (`IMG_1.CR2.xmp`: darktable,
 * digiKam), then the JPEG's, then the shared `IMG_1.xmp` (Lightroom, Capture One, Bridge). At most 24 stats.
 */
export async function findSidecar(photoPath: string, raw?: string): Promise<string | null> {
  const ext = path.extname(photoPath);
  const bases = raw ? [raw, photoPath] : [photoPath];
  if (ext && ext.toLowerCase() !== '.xmp') bases.push(photoPath.slice(0, -ext.length));
  for (const base of bases) {
    for (const xmp of XMP_EXTENSIONS) {
      if (await isFile(base + xmp)) return base + xmp;
    }
  }
  return null;
}

/**
 * The sidecar a write goes to: the existing one if any, else `<photo file name>.xmp` (see the file header); for a
 * RAW+JPEG pair, `IMG_1.xmp`, the name Lightroom, Capture One and Bridge read for the RAW and share with its JPEG.
 */
export async function sidecarPathFor(photoPath: string, raw?: string): Promise<string> {
  const existing = await findSidecar(photoPath, raw);
  if (existing) return existing;
  const ext = path.extname(photoPath);
  return raw && ext ? `${photoPath.slice(0, -ext.length)}.xmp` : `${photoPath}.xmp`;
}

/** Owns one lazily started exiftool process; writes sidecars and reads imported metadata through it. */
export class XmpService {
  #tool: ExifTool | undefined;
  #ended = false;
  /** Writes run one after the other, so two writes to one sidecar never interleave their copy and rename. */
  #writes: Promise<unknown> = Promise.resolve();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #options: XmpServiceOptions;

  constructor(options: XmpServiceOptions = {}) {
    this.#options = options;
  }

  /**
   * Writes dc:description and dc:subject to the photo's sidecar (created if missing), keeping every other tag.
   * Returns the sidecar path. With no sidecar and nothing to write (null or blank description, no subjects), no
   * file is created. Rejects with an Error naming the sidecar and exiftool's reason; never touches the photo.
   */
  writeSidecar(photoPath: string, fields: SidecarFields, raw?: string): Promise<string> {
    if (this.#ended) return Promise.reject(new Error('XmpService has ended'));
    const run = this.#writes.then(() => this.#writeNow(photoPath, fields, raw));
    this.#writes = run.catch(() => undefined);
    return this.#track(run);
  }

  /**
   * What is already written about the photo: its sidecar's XMP, then its embedded XMP, IPTC and EXIF (see
   * PhotoMetadata). Rejects with an Error naming the file and exiftool's reason when the photo (or its sidecar)
   * cannot be read: a broken file, an unknown format, a missing file.
   */
  readPhotoMetadata(photoPath: string, raw?: string): Promise<PhotoMetadata> {
    if (this.#ended) return Promise.reject(new Error('XmpService has ended'));
    return this.#track(this.#readNow(photoPath, raw));
  }

  /** Lets the calls already made finish, then stops the exiftool process. Calls made after end() reject. */
  async end(): Promise<void> {
    this.#ended = true;
    await Promise.allSettled([...this.#pending]);
    const tool = this.#tool;
    this.#tool = undefined;
    if (tool) await tool.end();
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const done = () => this.#pending.delete(promise);
    promise.then(done, done);
    return promise;
  }

  #exiftool(): ExifTool {
    this.#tool ??= new ExifTool({
      maxProcs: 1,
      minDelayBetweenSpawnMillis: 0,
      taskTimeoutMillis: this.#options.taskTimeoutMs ?? 20_000,
      maxIdleMsPerProcess: this.#options.idleMs ?? 60_000,
      geolocation: false,
      ...(this.#options.exiftoolPath ? { exiftoolPath: this.#options.exiftoolPath } : {}),
    });
    return this.#tool;
  }

  async #writeNow(photoPath: string, fields: SidecarFields, raw?: string): Promise<string> {
    if (!(await isFile(photoPath))) throw new Error(`Cannot write the XMP sidecar of ${photoPath}: photo not found`);
    const { rating } = fields;
    if (rating !== undefined && rating !== null && !isRating(rating)) {
      throw new Error(`Cannot write the XMP sidecar of ${photoPath}: a rating is a whole number from -1 (rejected) to 5, not ${String(rating)}`);
    }
    const tool = this.#exiftool();
    const sidecar = await sidecarPathFor(photoPath, raw);
    const tags = sidecarTags(fields);
    const writesSomething = Object.values(tags).some((v) => (Array.isArray(v) ? v.length > 0 : v !== null));

    // The temporary copy must end in ".xmp": exiftool picks the format from the extension.
    const tmp = path.join(path.dirname(sidecar), `.${path.basename(sidecar)}.${crypto.randomBytes(6).toString('hex')}.tmp.xmp`);
    let renamed = false;
    try {
      try {
        await fs.promises.copyFile(sidecar, tmp, fs.constants.COPYFILE_EXCL);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (!writesSomething) return sidecar; // nothing to remove from a sidecar that does not exist
        // No sidecar yet: exiftool creates the temporary file from scratch.
      }
      if (fields.faceRegions !== undefined) {
        // The regions already there are merged with the named faces ([Note: face regions written]): the sidecar's,
        // else the photo's own (the sidecar is read first, so they would be hidden behind the ones written there).
        const regionsOf = async (file: string) =>
          listOf(structOf(((await tool.readRaw(file, { readArgs: ['-G0', '-fast', '-struct', '-api', 'StructFormat=JSONQ', '-XMP-mwg-rs:RegionInfo'], useMWG: false })) as Record<string, unknown>)['XMP:RegionInfo']).RegionList);
        let existing = (await isFile(tmp)) ? await regionsOf(tmp) : [];
        if (existing.length === 0) existing = await regionsOf(photoPath);
        const info = regionInfo(fields.faceRegions, existing);
        if (info === undefined) delete tags['XMP-mwg-rs:RegionInfo'];
        else tags['XMP-mwg-rs:RegionInfo'] = info;
      }
      if (typeof rating === 'number' && (await isFile(tmp))) {
        // MicrosoftPhoto:Rating follows xmp:Rating where it is already there (see the file header).
        const had = (await tool.readRaw(tmp, { readArgs: ['-G0', '-fast', '-XMP-microsoft:RatingPercent'], useMWG: false })) as Record<string, unknown>;
        if (had['XMP:RatingPercent'] !== undefined) tags['XMP-microsoft:RatingPercent'] = rating < 0 ? null : (PERCENT_OF_STARS[rating] ?? null);
      }
      await tool.write(tmp, tags as Parameters<ExifTool['write']>[1], { writeArgs: ['-overwrite_original'], useMWG: false });
      await fs.promises.rename(tmp, sidecar);
      renamed = true;
      return sidecar;
    } catch (err) {
      throw new Error(`Cannot write the XMP sidecar ${sidecar}: ${reason(err, tmp)}`, { cause: err });
    } finally {
      if (!renamed) {
        await fs.promises.rm(tmp, { force: true });
        // exiftool's own work file, left behind only if its process was killed mid-write.
        await fs.promises.rm(`${tmp}_exiftool_tmp`, { force: true });
      }
    }
  }

  async #readNow(photoPath: string, raw?: string): Promise<PhotoMetadata> {
    const tool = this.#exiftool();
    const sidecar = await findSidecar(photoPath, raw);
    const [photo, side] = await Promise.all([readTags(tool, photoPath, true), sidecar ? readTags(tool, sidecar, false) : Promise.resolve<Record<string, unknown>>({})]);
    const facts = readFacts(photo, side);

    const descriptions = [side['XMP:Description'], photo['XMP:Description'], photo['IPTC:Caption-Abstract'], photo['EXIF:ImageDescription'], photo['EXIF:XPComment']];
    const camera = { make: facts.cameraMake, model: facts.cameraModel };
    let description: string | null = null;
    for (const value of descriptions) {
      const text = texts(value).map(cleanText).find((t) => !isBoilerplate(t, camera));
      if (text !== undefined) {
        description = text;
        break;
      }
    }

    const keywords = cleanList([
      ...texts(side['XMP:Subject']),
      ...texts(side['XMP:HierarchicalSubject']).map(leaf),
      ...texts(photo['XMP:Subject']),
      ...texts(photo['XMP:HierarchicalSubject']).map(leaf),
      ...texts(photo['IPTC:Keywords']),
      ...texts(photo['EXIF:XPKeywords']).flatMap((k) => k.split(';')),
    ]);
    const hierarchicalTags = mergePaths(
      ...[side, photo].flatMap((tags) => [
        paths(tags['XMP:HierarchicalSubject'], 'lightroom'),
        paths(tags['XMP:TagsList'], 'digikam'),
      ]),
    );
    const rating = readRating(side) ?? readRating(photo);
    const label = [side['XMP:Label'], photo['XMP:Label']].map(text).find((t) => t !== null) ?? null;
    const first = (...values: unknown[]) => values.map(text).find((t) => t !== null) ?? null;
    const location: SidecarLocation = {
      city: first(side['XMP:City'], photo['XMP:City'], photo['IPTC:City']),
      state: first(side['XMP:State'], photo['XMP:State'], photo['IPTC:Province-State']),
      country: first(side['XMP:Country'], photo['XMP:Country'], photo['IPTC:Country-PrimaryLocationName']),
      countryCode: first(side['XMP:CountryCode'], photo['XMP:CountryCode'], photo['IPTC:Country-PrimaryLocationCode']),
    };
    const inSidecar = readFaceRegions(side);
    const faceRegions = inSidecar.length ? inSidecar : readFaceRegions(photo);
    return { description, keywords, hierarchicalTags, rating, label, location, facts, faceRegions };
  }
}

/**
 * The photo's date, camera and position from what exiftool read of it and its sidecar ([Note: capture date]):
 * EXIF first, then XMP (the sidecar's, then the file's), IPTC, QuickTime; camera and lens from EXIF, else XMP or
 * QuickTime; the position from EXIF's GPS block (signed by its Ref), else XMP's, else QuickTime's.
 */
function readFacts(photo: Record<string, unknown>, side: Record<string, unknown>): MetadataFacts {
  const exif = (name: string) => photo[`EXIF:${name}`];
  const first = (...values: unknown[]) => values.map(text).find((v) => v !== null) ?? null;

  // QuickTime's position is ISO 6709's "lat lon [alt]", as numbers (-n).
  const [qlat = null, qlon = null, qalt = null] = (text(photo['QuickTime:GPSCoordinates']) ?? '').split(/\s+/).map(number);
  const positions: [unknown, unknown, unknown][] = [
    [signed(exif('GPSLatitude'), exif('GPSLatitudeRef'), 'S'), signed(exif('GPSLongitude'), exif('GPSLongitudeRef'), 'W'), signed(exif('GPSAltitude'), exif('GPSAltitudeRef'), 1)],
    [side['XMP:GPSLatitude'], side['XMP:GPSLongitude'], null],
    [photo['XMP:GPSLatitude'], photo['XMP:GPSLongitude'], null],
    [qlat, qlon, qalt],
  ];
  const position = positions.map(([a, b, c]) => [number(a), number(b), number(c)] as const).find(([a, b]) => validPosition(a, b));
  const [lat, lon, alt] = position ?? [null, null, null];

  const tags = {
    DateTimeOriginal: exif('DateTimeOriginal'),
    SubSecTimeOriginal: exif('SubSecTimeOriginal'),
    OffsetTimeOriginal: exif('OffsetTimeOriginal'),
    CreateDate: exif('CreateDate'),
    SubSecTimeDigitized: exif('SubSecTimeDigitized'),
    OffsetTimeDigitized: exif('OffsetTimeDigitized'),
    ModifyDate: exif('ModifyDate'),
    SubSecTime: exif('SubSecTime'),
    OffsetTime: exif('OffsetTime'),
    GPSDateStamp: exif('GPSDateStamp'),
    GPSTimeStamp: exif('GPSTimeStamp'),
  };
  const later = exifLater(tags, { lat, lon });
  const xmp = (key: string): LazyDate => () => dated(metadataDate(side[key]) ?? metadataDate(photo[key]), 'xmp');
  const quickTimeUtc: LazyDate = () => {
    const zone = zoneAt(lat, lon);
    return dated(utcDate(photo['QuickTime:CreateDate'], zone), 'quicktime', zone);
  };
  const date = firstDate([
    exifOriginal(tags),
    xmp('XMP:DateCreated'), // photoshop:DateCreated
    xmp('XMP:DateTimeOriginal'), // exif:DateTimeOriginal in XMP
    xmp('XMP:CreateDate'), // xmp:CreateDate
    () => dated(iptcDate(photo['IPTC:DateCreated'], photo['IPTC:TimeCreated']), 'iptc'),
    () => dated(metadataDate(photo['QuickTime:CreationDate']), 'quicktime'), // Apple's, local with its offset
    quickTimeUtc,
    later.digitized,
    later.gps,
    later.modified,
  ]);
  return {
    ...dateFields(date),
    cameraMake: first(exif('Make'), side['XMP:Make'], photo['XMP:Make'], photo['QuickTime:Make']),
    cameraModel: first(exif('Model'), side['XMP:Model'], photo['XMP:Model'], photo['QuickTime:Model']),
    lens: first(exif('LensModel'), side['XMP:LensModel'], photo['XMP:LensModel'], side['XMP:Lens'], photo['XMP:Lens']),
    gpsLat: lat,
    gpsLon: lon,
    gpsAlt: alt,
  };
}

function text(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const t = cleanText(String(value));
  return t ? t : null;
}

/** An EXIF GPS value (unsigned) turned negative when its Ref says so ('S', 'W'; altitude ref 1: below sea level). */
function signed(value: unknown, ref: unknown, negative: string | number): number | null {
  const n = number(value);
  if (n === null) return null;
  const r = typeof ref === 'string' && typeof negative === 'string' ? ref.trim().toUpperCase().startsWith(negative) : number(ref) === negative;
  return r ? -Math.abs(n) : Math.abs(n);
}

function number(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !/^\s*[+-]?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * The tags readPhotoMetadata looks at, keyed "<family 0 group>:<name>" (-G0): descriptions and keywords, then the
 * dates, camera and position ([Note: capture date]). A "#" asks for the number, not exiftool's words ("38.7223",
 * not "38 deg 43' 20.28\" N"); EXIF's GPS values are signed here by their Refs.
 */
const READ_TAGS = [
  '-XMP-dc:Description',
  '-XMP-dc:Subject',
  '-XMP-lr:HierarchicalSubject',
  '-XMP-digiKam:TagsList',
  // Face regions as structures (-struct): MWG's and Microsoft's ([Note: face regions read]).
  '-XMP-mwg-rs:RegionInfo',
  '-XMP-MP:RegionInfoMP',
  '-XMP-xmp:Rating',
  '-XMP-microsoft:RatingPercent', // MicrosoftPhoto:Rating
  '-XMP-xmp:Label',
  '-XMP-photoshop:City',
  '-XMP-photoshop:State',
  '-XMP-photoshop:Country',
  '-XMP-iptcCore:CountryCode',
  '-IPTC:City',
  '-IPTC:Province-State',
  '-IPTC:Country-PrimaryLocationName',
  '-IPTC:Country-PrimaryLocationCode',
  '-IPTC:Caption-Abstract',
  '-IPTC:Keywords',
  '-EXIF:ImageDescription',
  '-EXIF:XPComment',
  '-EXIF:XPKeywords',
  // Every date and time tag, of every group (EXIF, XMP, IPTC, QuickTime, the GPS clock): one
  // specifier costs exiftool a fifth of what the eighteen tags it stands for did, read by name. The
  // file system's own dates are left out: with them in, exiftool has always found something and
  // no longer says a file is not one it can read.
  '-Time:All',
  '--File:All',
  '-EXIF:Make',
  '-EXIF:Model',
  '-EXIF:LensModel',
  '-XMP-tiff:Make',
  '-XMP-tiff:Model',
  '-XMP-exifEX:LensModel',
  '-XMP-aux:Lens',
  '-QuickTime:Make',
  '-QuickTime:Model',
  // EXIF's own GPS tags with their Refs, not exiftool's Composite ones: composites cost exiftool
  // ~0.5 ms a file to build, 10 % of what a whole read costs.
  '-EXIF:GPSLatitude#',
  '-EXIF:GPSLatitudeRef#',
  '-EXIF:GPSLongitude#',
  '-EXIF:GPSLongitudeRef#',
  '-EXIF:GPSAltitude#',
  '-EXIF:GPSAltitudeRef#',
  '-XMP-exif:GPSLatitude#',
  '-XMP-exif:GPSLongitude#',
  '-QuickTime:GPSCoordinates#',
];

/**
 * exiftool could open the file but says it cannot read it ("File format error", "Unknown file type", "File is
 * empty", "File not found"): the file is not a photo exiftool knows, or is gone. The thumbnail stage is the one that
 * tells the user why a photo cannot be read; the meta stage takes this as "nothing to import".
 */
export class UnreadableFileError extends Error {
  override readonly name = 'UnreadableFileError';
}

/** The tags of `file`; exiftool's own error about it rejects as UnreadableFileError when `isPhoto` (a broken sidecar is the user's to see). */
async function readTags(tool: ExifTool, file: string, isPhoto: boolean): Promise<Record<string, unknown>> {
  let tags: Record<string, unknown>;
  try {
    // JSONQ: every value quoted, so the keyword "2019" or the caption "1.50" stay text as written.
    tags = (await tool.readRaw(file, { readArgs: ['-G0', '-fast', '-struct', '-api', 'StructFormat=JSONQ', ...READ_TAGS], useMWG: false })) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`Cannot read the metadata of ${file}: ${reason(err, file)}`, { cause: err });
  }
  const errors = Array.isArray(tags.errors) ? tags.errors.map(String) : [];
  if (errors.length) {
    const message = `Cannot read the metadata of ${file}: ${errors.map((e) => reason(e, file)).join('; ')}`;
    throw isPhoto ? new UnreadableFileError(message) : new Error(message);
  }
  return tags;
}

/** exiftool's reason, without its "Error: " prefix and the " - <file>" suffix it appends. */
function reason(err: unknown, file: string): string {
  const message = errorMessage(err);
  return message.replace(/^(Error|Warning):\s*/i, '').replace(` - ${path.resolve(file)}`, '').replace(` - ${file}`, '').trim() || 'unknown exiftool error';
}

function texts(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex -- NUL padding from fixed-size EXIF fields
  return text.replace(/\u0000/g, '').trim();
}

/** "Places|France|Paris" → "Paris" (Lightroom's hierarchical keywords). */
function leaf(hierarchical: string): string {
  return hierarchical.split('|').map((s) => s.trim()).filter(Boolean).at(-1) ?? '';
}

/** An MWG region as exiftool writes it (a structure; its numbers as read back, or ours). */
type RegionStruct = Record<string, unknown>;
interface RegionInfoStruct {
  AppliedToDimensions: { W: number; H: number; Unit: 'pixel' };
  RegionList: RegionStruct[];
}

/** The MWG fields of a region kept as it was ([Note: face regions written]); other fields are dropped. */
const REGION_FIELDS = ['Area', 'Name', 'Type', 'Description', 'FocusUsage', 'BarCodeValue', 'Rotation'];
const AREA_FIELDS = ['X', 'Y', 'W', 'H', 'D', 'Unit'];

function pick(r: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (r[f] !== undefined && r[f] !== null) out[f] = f === 'Area' ? pick(structOf(r[f]), AREA_FIELDS) : r[f];
  return out;
}

/**
 * The RegionInfo a write sets ([Note: face regions written]): the named faces' regions and the ones already there
 * (`existing`, the sidecar's RegionList as read) that they do not replace; undefined when nothing changes, null when
 * no region is left.
 */
function regionInfo(f: SidecarFaceRegions, existing: readonly Record<string, unknown>[]): RegionInfoStruct | null | undefined {
  const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
  const key = (n: string) => n.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  const replaced = new Set(f.replaces.map(key));
  const iou = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) => {
    const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
    const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
    return w <= 0 || h <= 0 ? 0 : (w * h) / (a.width * a.height + b.width * b.height - w * h);
  };
  const kept = existing.filter((r) => {
    const type = text(r.Type);
    if (type !== null && type.toLowerCase() !== 'face') return true;
    const name = text(r.Name);
    if (name !== null && replaced.has(key(name))) return false;
    const area = structOf(r.Area);
    const [w, h, cx, cy] = [number(area.W), number(area.H), number(area.X), number(area.Y)];
    if (w === null || h === null || cx === null || cy === null) return true;
    const box = { x: cx - w / 2, y: cy - h / 2, width: w, height: h };
    return !f.regions.some((o) => iou(o, box) > 0.3);
  });
  if (f.regions.length === 0 && kept.length === existing.length) return undefined;
  if (f.regions.length === 0 && kept.length === 0) return null;
  const ours = f.regions.map((o) => ({
    Area: { X: r6(o.x + o.width / 2), Y: r6(o.y + o.height / 2), W: r6(o.width), H: r6(o.height), Unit: 'normalized' },
    Name: o.name,
    Type: 'Face',
  }));
  return { AppliedToDimensions: { W: Math.round(f.width), H: Math.round(f.height), Unit: 'pixel' }, RegionList: [...ours, ...kept.map((r) => pick(r, REGION_FIELDS))] };
}

/** The exiftool tags a write sets ([] or null: removes), from the fields it is given (see the file header). */
function sidecarTags(fields: SidecarFields): Record<string, string | string[] | number | null | RegionInfoStruct> {
  const tags: Record<string, string | string[] | number | null | RegionInfoStruct> = {};
  const { hierarchicalTags, rating, label } = fields;
  if (hierarchicalTags === undefined) {
    tags['XMP-dc:Subject'] = cleanList(fields.subjects);
  } else {
    const all = mergePaths(hierarchicalTags ?? []);
    const spelt = (field: 'lightroom' | 'digikam') => all.map((p) => formatHierarchy(p, field)).filter((t): t is string => t !== null);
    tags['XMP-dc:Subject'] = cleanList([...fields.subjects, ...subjectNames(all)]);
    tags['XMP-lr:HierarchicalSubject'] = spelt('lightroom');
    tags['XMP-digiKam:TagsList'] = spelt('digikam');
  }
  if (fields.description !== null) tags['XMP-dc:Description'] = fields.description.trim() === '' ? null : fields.description;
  if (rating === null) {
    tags['XMP-xmp:Rating'] = null;
    tags['XMP-microsoft:RatingPercent'] = null; // else it would be read back as the rating
  } else if (rating !== undefined) tags['XMP-xmp:Rating'] = rating;
  if (label !== undefined) tags['XMP-xmp:Label'] = label === null || cleanText(label) === '' ? null : cleanText(label);
  const { location } = fields;
  if (location !== undefined) {
    const value = (v: string | null | undefined) => (v == null || cleanText(v) === '' ? null : cleanText(v));
    tags['XMP-photoshop:City'] = value(location?.city);
    tags['XMP-photoshop:State'] = value(location?.state);
    tags['XMP-photoshop:Country'] = value(location?.country);
    tags['XMP-iptcCore:CountryCode'] = value(location?.countryCode);
  }
  if (fields.transcript !== undefined) tags['XMP-iptcExt:Transcript'] = fields.transcript === null || fields.transcript.trim() === '' ? null : fields.transcript;
  if (fields.faceRegions !== undefined) {
    // Our regions alone; #writeNow merges them with the regions already in the sidecar or the photo.
    const info = regionInfo(fields.faceRegions, []);
    if (info !== undefined) tags['XMP-mwg-rs:RegionInfo'] = info;
  }
  return tags;
}

/** A field's paths ("Places|Portugal|Porto" or "Places/Portugal/Porto"), blank ones dropped. */
function paths(value: unknown, field: 'lightroom' | 'digikam'): string[][] {
  return texts(value).map((t) => parseHierarchy(cleanText(t), field)).filter((p): p is string[] => p !== null);
}

/** MicrosoftPhoto:Rating's percent in stars, as Windows maps it (1-12: 1 star … 88-100: 5), 0 unrated. */
function starsOfPercent(percent: number): Rating | null {
  if (!(percent >= 0 && percent <= 100)) return null;
  if (percent === 0) return 0;
  return percent <= 12 ? 1 : percent <= 37 ? 2 : percent <= 62 ? 3 : percent <= 87 ? 4 : 5;
}

/** The percent MicrosoftPhoto:Rating holds for these stars (what Windows and digiKam write). */
const PERCENT_OF_STARS: readonly number[] = [0, 1, 25, 50, 75, 99];

/**
 * One file's rating: xmp:Rating (rounded; any negative is rejected, -1), else MicrosoftPhoto:Rating; null when
 * neither is there or a number in range.
 */
function readRating(tags: Record<string, unknown>): Rating | null {
  const xmp = number(texts(tags['XMP:Rating'])[0]?.trim());
  if (xmp !== null) {
    if (xmp < 0) return -1;
    if (xmp <= 5) return Math.round(xmp) as Rating;
  }
  const percent = number(texts(tags['XMP:RatingPercent'])[0]?.trim());
  return percent === null ? null : starsOfPercent(percent);
}

function isRating(value: unknown): value is Rating {
  return Number.isInteger(value) && (value as number) >= -1 && (value as number) <= 5;
}

/** Trimmed, blanks dropped, deduplicated case-insensitively, first spelling and order kept. */
function cleanList(items: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    const text = cleanText(item);
    const key = text.normalize('NFC').toLowerCase();
    if (!text || seen.has(key)) continue;
    seen.add(key);
    out.push(text);
  }
  return out;
}
