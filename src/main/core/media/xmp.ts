// XMP sidecars and imported captions: writes dc:description/dc:subject to a photo's .xmp sidecar (never to the photo) and reads what the user or other software already wrote.
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
// What a write changes. Only dc:description (the x-default entry of the language alternative: other languages are
// kept) and dc:subject. Every other tag of an existing sidecar is kept: exiftool edits the file in place, so
// dc:title, dc:creator, xmp:Rating, lr:hierarchicalSubject, darktable/digiKam history and so on survive.
//   - description: null leaves dc:description as it is; a blank string removes it; other text replaces it.
//   - subjects: the complete new dc:subject bag (trimmed, blanks dropped, deduplicated case-insensitively). It
//     replaces the old bag, so a keyword can be removed; an empty list removes dc:subject. To add to what is there,
//     pass readPhotoMetadata().keywords plus the new ones.
// The write is atomic: the sidecar is copied to a hidden temporary file in the same folder, exiftool edits the copy
// (-overwrite_original applies to that copy only), and the copy is renamed over the sidecar. The photo itself is
// never handed to exiftool for writing.
//
// Process. One `exiftool -stay_open` Perl process per XmpService, started on the first call (~0.3 s), reused for
// every call (a few ms each), stopped after a minute idle and restarted on demand. Call end() at shutdown.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';

export interface SidecarFields {
  /** New dc:description: null leaves it as it is, a blank string removes it. */
  description: string | null;
  /** The complete new dc:subject bag; [] removes it. */
  subjects: readonly string[];
}

export interface PhotoMetadata {
  /** The user's caption, from the first source that has real text: sidecar > embedded XMP > IPTC > EXIF. */
  description: string | null;
  /** Keywords from every source, in that order, trimmed and deduplicated case-insensitively (first spelling kept). */
  keywords: string[];
}

export interface XmpServiceOptions {
  /** Path of the exiftool script (e.g. an asar-unpacked copy in a packaged app); default: exiftool-vendored's. */
  exiftoolPath?: string;
  /** A single exiftool call that takes longer than this fails (and its process is recycled). Default 20 s. */
  taskTimeoutMs?: number;
  /** The exiftool process exits after this long without work; the next call starts a new one. Default 60 s. */
  idleMs?: number;
}

/**
 * Descriptions that cameras and scanners write by themselves: not user text. Compared after trimming, collapsing
 * whitespace and lower-casing; text made only of whitespace, NULs or punctuation is ignored as well.
 */
export const BOILERPLATE_DESCRIPTIONS: ReadonlySet<string> = new Set([
  'olympus digital camera',
  'sony dsc',
  'dcim',
  'default',
  'digital camera',
  'minolta digital camera',
  'konica minolta digital camera',
  'samsung digital camera',
  'kodak digital still camera',
  'exif_jpeg_picture',
  'lead technologies inc. v1.01',
  'untitled',
  'image',
  'picture',
]);

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
    const tool = this.#exiftool();
    const sidecar = await sidecarPathFor(photoPath, raw);
    const tags: Record<string, string | string[] | null> = { 'XMP-dc:Subject': cleanList(fields.subjects) };
    if (fields.description !== null) tags['XMP-dc:Description'] = fields.description.trim() === '' ? null : fields.description;
    const writesSomething = tags['XMP-dc:Subject']!.length > 0 || typeof tags['XMP-dc:Description'] === 'string';

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
      await tool.write(tmp, tags, { writeArgs: ['-overwrite_original'], useMWG: false });
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
    const [photo, side] = await Promise.all([readTags(tool, photoPath), sidecar ? readTags(tool, sidecar) : Promise.resolve<Record<string, unknown>>({})]);

    const descriptions = [side['XMP:Description'], photo['XMP:Description'], photo['IPTC:Caption-Abstract'], photo['EXIF:ImageDescription'], photo['EXIF:XPComment']];
    let description: string | null = null;
    for (const value of descriptions) {
      const text = texts(value).map(cleanText).find((t) => !isBoilerplate(t));
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
    return { description, keywords };
  }
}

/** The tags readPhotoMetadata looks at, keyed "<family 0 group>:<name>" (-G0). */
const READ_TAGS = [
  '-XMP-dc:Description',
  '-XMP-dc:Subject',
  '-XMP-lr:HierarchicalSubject',
  '-IPTC:Caption-Abstract',
  '-IPTC:Keywords',
  '-EXIF:ImageDescription',
  '-EXIF:XPComment',
  '-EXIF:XPKeywords',
];

async function readTags(tool: ExifTool, file: string): Promise<Record<string, unknown>> {
  let tags: Record<string, unknown>;
  try {
    // JSONQ: every value quoted, so the keyword "2019" or the caption "1.50" stay text as written.
    tags = (await tool.readRaw(file, { readArgs: ['-G0', '-fast', '-api', 'StructFormat=JSONQ', ...READ_TAGS], useMWG: false })) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`Cannot read the metadata of ${file}: ${reason(err, file)}`, { cause: err });
  }
  const errors = Array.isArray(tags.errors) ? tags.errors.map(String) : [];
  if (errors.length) throw new Error(`Cannot read the metadata of ${file}: ${errors.map((e) => reason(e, file)).join('; ')}`);
  return tags;
}

/** exiftool's reason, without its "Error: " prefix and the " - <file>" suffix it appends. */
function reason(err: unknown, file: string): string {
  const message = err instanceof Error ? err.message : String(err);
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

function isBoilerplate(text: string): boolean {
  if (!/[\p{L}\p{N}]/u.test(text)) return true;
  return BOILERPLATE_DESCRIPTIONS.has(text.replace(/\s+/g, ' ').toLowerCase());
}

/** "Places|France|Paris" → "Paris" (Lightroom's hierarchical keywords). */
function leaf(hierarchical: string): string {
  return hierarchical.split('|').map((s) => s.trim()).filter(Boolean).at(-1) ?? '';
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
