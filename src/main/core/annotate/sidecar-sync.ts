// Captions, tags, ratings and labels between Shoebox and the photo's metadata: imports what the user (or
// Lightroom, digiKam…) already wrote as user data, and writes Shoebox's to the XMP sidecar, merging both ways.
import type { Annotations, SidecarWrite } from '../catalog/annotations.ts';
import { keyOf } from '../catalog/annotations.ts';
import type { PhotoMetadata, SidecarFields, SidecarLocation, XmpService } from '../media/xmp.ts';
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
  // The face regions other apps wrote, kept for the faces stage's faces to take their names from.
  if (meta.faceRegions) new Faces(annotations.db).putRegions(photoId, meta.faceRegions);
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
  return {
    description: sidecarDescription(annotations, photoId) ?? (last?.description ? '' : null),
    subjects: [],
    hierarchicalTags: annotations.userTags(photoId).map((t) => t.split('|')),
    rating: marks ? marks.rating : last?.rating != null ? null : undefined,
    label: marks ? marks.label : last?.label != null ? null : undefined,
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
