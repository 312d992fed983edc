// Captions, tags, ratings and labels between Shoebox and the photo's metadata: imports what the user (or
// Lightroom, digiKam…) already wrote as user data, and writes Shoebox's to the XMP sidecar, merging both ways.
import type { Annotations, SidecarWrite } from '../catalog/annotations.ts';
import { keyOf } from '../catalog/annotations.ts';
import type { PhotoMetadata, SidecarFaceRegions, SidecarFields, SidecarLocation, XmpService } from '../media/xmp.ts';
import { storedRegion } from '../media/xmp.ts';
import { Places } from '../catalog/places.ts';
import { Faces } from '../catalog/faces.ts';
import { flatKeywords, formatTypedTag, subjectNames } from '../../../shared/vocabulary.ts';

/** The keys of what Shoebox last wrote as tags: dc:subject's names and the hierarchical paths. */
function ourTags(last: SidecarWrite | undefined): Set<string> {
  return new Set([...(last?.subjects ?? []), ...(last?.hierarchical ?? []).map((p) => p.join('|'))].map(keyOf));
}

/**
 * [Note: metadata import] Descriptions, keywords, hierarchical tags, ratings and colour labels found in a
 * photo's sidecar, XMP, IPTC or EXIF are the user's:
 *   - a description becomes the user caption when the user has not typed one in Shoebox;
 *   - lr:hierarchicalSubject and digiKam:TagsList paths become user tags ("Places|Portugal|Porto"), and so do
 *     the keywords (dc:subject, IPTC, XPKeywords) that are no level of those paths (vocabulary.ts
 *     flatKeywords: Lightroom's and digiKam's flat copies of a path are not tags of their own), origin 'import';
 *   - xmp:Rating (else MicrosoftPhoto:Rating) and xmp:Label become the photo's marks, origin 'import', unless
 *     the user set them in Shoebox (a marks row of origin 'shoebox' wins afterwards, as a typed caption does).
 *     A file that only says "0 stars" makes no marks row.
 * What Shoebox itself last wrote to the sidecar is not imported back (its own captions would otherwise
 * turn into user captions, the automatic tags older versions wrote into user tags), and a tag the user
 * removed in Shoebox stays removed. Automatic tags are suggestions: Shoebox never writes them (syncSidecar).
 * Returns what was imported.
 */
export function importMetadata(annotations: Annotations, photoId: number, meta: PhotoMetadata): { caption: boolean; tags: string[]; marks: boolean } {
  const last = annotations.lastSidecarWrite(photoId);
  const ours = ourTags(last);
  const paths = meta.hierarchicalTags.map(formatTypedTag).filter((t): t is string => t !== null);
  const tags = annotations.addUserTags(
    photoId,
    [...paths, ...flatKeywords(meta.keywords, meta.hierarchicalTags)].filter((k) => !ours.has(keyOf(k))),
    'import',
  );
  let caption = false;
  const typed = annotations.userCaption(photoId);
  const d = meta.description?.trim();
  if (d && d !== last?.description && typed?.origin !== 'shoebox' && typed?.text !== d) {
    annotations.setUserCaption(photoId, d, 'import');
    caption = true;
  }
  // The face regions other apps wrote, kept for the faces stage's faces to take their names from. The ones named as
  // a person Shoebox wrote to this sidecar last time are its own ([Note: face regions written]): not read back as
  // the user's naming (a rename not written yet would otherwise name a face by the old name again).
  if (meta.faceRegions) {
    const written = new Set(peopleWritten(last).map(nameKey));
    new Faces(annotations.db).putRegions(photoId, meta.faceRegions.filter((r) => r.name === null || !written.has(nameKey(r.name))));
  }
  return { caption, tags, marks: importMarks(annotations, photoId, meta, last) };
}

/** The file's rating and label as the photo's marks (see [Note: metadata import]); true when they changed. */
function importMarks(annotations: Annotations, photoId: number, meta: PhotoMetadata, last: SidecarWrite | undefined): boolean {
  const wrote = last?.hierarchical !== null && last !== undefined; // this version of Shoebox wrote the marks too
  const rating = meta.rating !== null && !(wrote && last.rating === meta.rating) ? meta.rating : undefined;
  const label = meta.label !== null && !(wrote && last.label === meta.label) ? meta.label : undefined;
  const old = annotations.marks(photoId);
  if (old?.origin === 'shoebox') return false;
  if (!old && label === undefined && (rating === undefined || rating === 0)) return false;
  if ((rating === undefined || rating === old?.rating) && (label === undefined || label === old?.label)) return false;
  annotations.setMarks(photoId, { rating, label }, 'import');
  return true;
}

/** The root of the hierarchical tags that name the people in a photo: `People|Mia` ([Note: face regions written]). */
export const PEOPLE_ROOT = 'People';

/** A name as people match names (People.name spells them so), case aside. */
function nameKey(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The people Shoebox last wrote to the photo's sidecar: the `People|<Name>` paths of its last write. */
function peopleWritten(last: SidecarWrite | undefined): string[] {
  return (last?.hierarchical ?? []).filter((p) => p.length === 2 && keyOf(p[0]!) === keyOf(PEOPLE_ROOT)).map((p) => p[1]!);
}

/**
 * The named people in a photo as its sidecar gets them ([Note: face regions written]): each face of a named person
 * that is not hidden (nor marked "not a face"), as the person's name and the face's region in the image as stored
 * (normalised by the photo's upright size, then turned back by its EXIF orientation). No regions when the photo's
 * size is not known; the names still are.
 */
export function photoPeople(annotations: Annotations, photoId: number): { names: string[]; regions: SidecarFaceRegions | null } {
  const rows = annotations.db
    .prepare(
      `SELECT p.name, f.x, f.y, f.width, f.height FROM faces f JOIN people p ON p.id = f.person_id
       WHERE f.photo_id = ? AND f.state = 'face' AND p.name IS NOT NULL AND p.hidden = 0 ORDER BY f.x, f.id`,
    )
    .all(photoId) as { name: string; x: number; y: number; width: number; height: number }[];
  const names: string[] = [];
  for (const r of rows) if (!names.some((n) => nameKey(n) === nameKey(r.name))) names.push(r.name);
  const photo = annotations.db.prepare('SELECT width, height, orientation FROM photos WHERE id = ?').get(photoId) as { width: number | null; height: number | null; orientation: number | null } | undefined;
  if (!photo?.width || !photo.height) return { names, regions: null };
  const { width: W, height: H, orientation } = photo;
  const regions = rows.map((r) => ({ name: r.name, ...storedRegion({ x: r.x / W, y: r.y / H, width: r.width / W, height: r.height / H }, orientation) }));
  // Orientations 5-8 turn the photo a quarter: the stored image is the upright one's height wide.
  const quarter = orientation !== null && orientation >= 5 && orientation <= 8;
  return { names, regions: { width: quarter ? H : W, height: quarter ? W : H, regions, replaces: [] } };
}

/**
 * The photos whose sidecars name these people or should now ([Note: face regions written]): the photos of their
 * faces, and those whose last write named one of them (a face taken out of a person since). Queued for the xmp
 * stage when people are renamed, merged, unnamed, hidden, or a face moves.
 */
export function peoplePhotos(annotations: Annotations, personIds: readonly number[]): number[] {
  if (personIds.length === 0) return [];
  const ids = JSON.stringify([...new Set(personIds)]);
  const db = annotations.db;
  const photos = new Set(db.prepare('SELECT DISTINCT photo_id FROM faces WHERE person_id IN (SELECT value FROM json_each(?))').pluck().all(ids) as number[]);
  const names = new Set((db.prepare('SELECT name FROM people WHERE name IS NOT NULL AND id IN (SELECT value FROM json_each(?))').pluck().all(ids) as string[]).map(nameKey));
  if (names.size) {
    const rows = db.prepare(`SELECT photo_id, hierarchical FROM sidecar_writes WHERE hierarchical LIKE '%"' || ? || '"%'`).all(PEOPLE_ROOT) as { photo_id: number; hierarchical: string }[];
    for (const r of rows) {
      const written = peopleWritten({ hierarchical: JSON.parse(r.hierarchical) as string[][] } as SidecarWrite);
      if (written.some((n) => names.has(nameKey(n)))) photos.add(r.photo_id);
    }
  }
  return [...photos].sort((a, b) => a - b);
}

/** The faces of this model in no person yet: the ones a grouping may put in a named person. */
export function unplacedFaces(annotations: Annotations, model: string): number[] {
  return annotations.db.prepare("SELECT id FROM faces WHERE person_id IS NULL AND state = 'face' AND model = ?").pluck().all(model) as number[];
}

/** The photos of those faces that are in a named, not hidden person now (a grouping put them there): their sidecars name them. */
export function photosNamingFaces(annotations: Annotations, faceIds: readonly number[]): number[] {
  if (faceIds.length === 0) return [];
  return annotations.db
    .prepare(
      `SELECT DISTINCT f.photo_id FROM faces f JOIN people p ON p.id = f.person_id
       WHERE f.id IN (SELECT value FROM json_each(?)) AND p.name IS NOT NULL AND p.hidden = 0 ORDER BY f.photo_id`,
    )
    .pluck()
    .all(JSON.stringify(faceIds)) as number[];
}

/** The caption a sidecar gets: the user's, else the automatic one. */
export function sidecarDescription(annotations: Annotations, photoId: number): string | null {
  return annotations.userCaption(photoId)?.text ?? annotations.autoCaption(photoId)?.text ?? null;
}

/**
 * What a photo's sidecar gets: the caption (the user's, else the automatic one), the user's tags as hierarchical
 * tags (every tag a path, written to lr:hierarchicalSubject and digiKam:TagsList, their leaves to dc:subject; see
 * media/xmp.ts), the rating and the label. Automatic tags are suggestions and are never written, until accepted.
 * A photo without a caption, or without marks, leaves the file's description, rating and label as they are, unless
 * Shoebox wrote them last time (the user cleared them, an undo took them away): then they are removed.
 */
export function sidecarFields(annotations: Annotations, photoId: number): SidecarFields & { hierarchicalTags: string[][] } {
  const marks = annotations.marks(photoId);
  const last = annotations.lastSidecarWrite(photoId);
  // The named people: `People|<Name>` tags and MWG face regions ([Note: face regions written]); the regions of the
  // names written last time are replaced (a person renamed, unnamed or merged since).
  const people = photoPeople(annotations, photoId);
  const replaces = peopleWritten(last);
  const faceRegions = people.regions ? { ...people.regions, replaces } : undefined;
  return {
    description: sidecarDescription(annotations, photoId) ?? (last?.description ? '' : null),
    subjects: [],
    hierarchicalTags: [...annotations.userTags(photoId).map((t) => t.split('|')), ...people.names.map((n) => [PEOPLE_ROOT, n])],
    rating: marks ? marks.rating : last?.rating != null ? null : undefined,
    label: marks ? marks.label : last?.label != null ? null : undefined,
    ...(faceRegions ? { faceRegions } : {}),
  };
}

/**
 * The location a sidecar gets (photoshop:City, State, Country, Iptc4xmpCore:CountryCode): the photo's place (the
 * user's, else the one from GPS), only where the file has no location of its own. A location in the file that
 * Shoebox did not write (typed in Lightroom, digiKam, a phone's IPTC) is left as it is (undefined); one Shoebox
 * wrote follows the place, and is removed (null) when the photo has none any more.
 */
export function sidecarLocation(places: Places, photoId: number, inFile: SidecarLocation): SidecarLocation | null | undefined {
  const last = places.lastSidecarLocation(photoId);
  const fileHas = inFile.city !== null || inFile.state !== null || inFile.country !== null || inFile.countryCode !== null;
  const ours = last !== null && last.city === inFile.city && last.state === inFile.state && last.country === inFile.country && last.countryCode === inFile.countryCode;
  if (fileHas && !ours) return undefined;
  const shown = places.shown(photoId);
  if (!shown) return fileHas ? null : undefined;
  return { city: shown.city, state: shown.region, country: shown.country, countryCode: shown.countryCode };
}

/**
 * Writes a photo's caption, the user's tags, rating and label to its XMP sidecar (for a RAW+JPEG pair, `raw`
 * names the RAW: the sidecar is the one RAW editors read, see findSidecar). Edits made elsewhere since
 * Shoebox's last write are imported first (so they are kept, not overwritten); every other field
 * of the sidecar is kept by the writer. `db` work runs in `transact`; returns the sidecar path.
 */
export async function syncSidecar(
  xmp: XmpService,
  annotations: Annotations,
  photo: { id: number; path: string; raw?: string },
  transact: <T>(fn: () => T) => T,
  /** The text read in the photo, to write as its transcript (the xmp_text setting on); undefined leaves the sidecar's. */
  transcript?: string | null,
): Promise<string> {
  const meta = await xmp.readPhotoMetadata(photo.path, photo.raw);
  const places = new Places(annotations.db);
  const fields = transact(() => {
    importMetadata(annotations, photo.id, meta);
    return { ...sidecarFields(annotations, photo.id), location: sidecarLocation(places, photo.id, meta.location), ...(transcript !== undefined ? { transcript } : {}) };
  });
  const file = await xmp.writeSidecar(photo.path, fields, photo.raw);
  transact(() =>
    annotations.recordSidecarWrite(photo.id, {
      path: file,
      description: fields.description || null,
      subjects: subjectNames(fields.hierarchicalTags),
      hierarchical: fields.hierarchicalTags,
      rating: fields.rating ?? null,
      label: fields.label ?? null,
    }),
  );
  if (fields.location !== undefined) transact(() => places.recordSidecarLocation(photo.id, fields.location ?? null));
  return file;
}
