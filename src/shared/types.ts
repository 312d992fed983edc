// Plain data types shared by the engine, the front doors (CLI, HTTP, IPC) and the renderer.
import type { Understood } from './query.ts';

/** A pipeline stage name. The stage registry in src/main/core/pipeline/stages.ts owns the list. */
export type StageName = string;

export type TaskState = 'pending' | 'done' | 'failed';

export interface StageProgress {
  stage: StageName;
  /** Tasks finished (done or failed for good) since the current run began. */
  done: number;
  /** Tasks in the current run: done + still to do. */
  total: number;
  failed: number;
  /** Tasks per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
}

export interface FolderInfo {
  id: number;
  path: string;
  online: boolean;
  photos: number;
  lastScanAt: number | null;
}

export interface StageCounts {
  stage: StageName;
  done: number;
  pending: number;
  failed: number;
  /**
   * Why the pending tasks wait rather than run (the stage is turned off or its model is not
   * installed); absent when the stage can run. Waiting tasks are not work left to do.
   */
  waiting?: string;
}

export interface FailedPhoto {
  id: number;
  path: string;
  stage: StageName;
  error: string;
  attempts: number;
}

/** A photo that decoded with the decoder's complaints: shown, marked damaged. */
export interface DamagedPhoto {
  id: number;
  path: string;
  /** The decoder's words. */
  reason: string;
}

export interface ScanIssue {
  path: string;
  reason: string;
}

export interface ProviderInfo {
  requested: string;
  /** The execution provider inference runs on: cpu, cuda, dml, coreml or webgpu. */
  used: string;
  /** Providers that could not start, and why. */
  fallbacks: { provider: string; reason: string }[];
}

export interface MlStatus {
  clipModel: string | null;
  clipInstalled: boolean;
  /** Photos with an embedding from the active CLIP model. */
  embedded: number;
  /** The model search still uses while the library is re-embedded, if any. */
  previousModel: string | null;
  /** Where inference last ran (null until a model has run). */
  provider: ProviderInfo | null;
  providerSetting: string;
  modelsDir: string;
  /** The active captioner, whether it is installed, whether captioning is on. */
  captionModel: string | null;
  captionInstalled: boolean;
  captionsOn: boolean;
  /** Photos with an automatic caption, and how many of those the CLIP check flagged. */
  captioned: number;
  lowConfidence: number;
  /** The caption check's threshold in use: calibrated ('auto') or set; null before calibration. */
  captionThreshold: { value: number; source: 'calibrated' | 'setting' } | null;
  xmp: boolean;
  /** Reading text in photos (OCR); absent from an older engine. */
  ocr?: OcrStatus;
  /** Finding faces and grouping them into people; absent from an older engine. */
  faces?: FacesStatus;
}

/** The faces stage's models and what it has found. */
export interface FacesStatus {
  /** The active face model, whether its files are there (they are made on first use), whether face recognition is on. */
  model: string | null;
  installed: boolean;
  on: boolean;
  /** What the faces are found with ([Note: face version]). */
  version: string | null;
  /** Photos read (with any version), faces found (not those marked not a face), people, and people named. */
  photos: number;
  faces: number;
  people: number;
  named: number;
}

/** The ocr stage's model and what it has read. */
export interface OcrStatus {
  /** The active OCR model, whether it (and the detector it borrows) is installed, whether reading is on. */
  model: string | null;
  installed: boolean;
  on: boolean;
  /** What the text is read with ([Note: OCR version]): the model, its detector's, the processing's version. */
  version: string | null;
  /** The scripts or languages the model reads. */
  languages: string[];
  /** Photos read (with any version), and how many of them hold text. */
  read: number;
  withText: number;
}

export interface LibraryStatus {
  photos: number;
  offline: number;
  folders: FolderInfo[];
  stages: StageCounts[];
  failed: FailedPhoto[];
  /** Photos shown although their decoder complained (corrupt segments, a missing end). */
  damaged: DamagedPhoto[];
  scanIssues: ScanIssue[];
  /** Videos the scan saw that belong to no photo: not in the library for now. */
  skippedVideos: number;
  /** Models and inference; null where the caller has no models folder at hand. */
  ml: MlStatus | null;
  /**
   * Set while the disk holding the library's data is full: indexing has stopped, nothing is marked failed,
   * and it goes on by itself once there is space. Null (or absent, from an older engine) otherwise.
   */
  diskFull?: DiskFullStatus | null;
  /** The catalog's own state: its check before any write still running, or damage found (absent from an older engine). */
  catalog?: CatalogState;
}

/** LibraryStatus.catalog: whether the catalog may be written. */
export interface CatalogState {
  /** The check before any write is still running (the first seconds after start at a million photos): edits wait for it. */
  checking: boolean;
  /** Damage found (by a check, or by SQLite in use): what is wrong and what to run; nothing more is written. Null when none. */
  damage: string | null;
}

/** A full disk that stopped indexing (LibraryStatus.diskFull). */
export interface DiskFullStatus {
  /** What to show: "the disk holding /home/me/.config/Shoebox is full". */
  message: string;
  /** The folder whose disk is full: the data folder (or the folder of a sidecar that could not be written). */
  path: string;
  /** When indexing stopped on it (ISO 8601); null when a reader beside the engine saw only that the disk has no space left. */
  since: string | null;
  /** Bytes free there for Shoebox, where known. */
  freeBytes: number | null;
}

export interface PhotoSummary {
  id: number;
  path: string;
  folder: string;
  takenAt: string | null;
  width: number | null;
  height: number | null;
  offline: boolean;
  caption: string | null;
  /** Whose caption `caption` is: the user's wins over the model's. */
  captionSource: 'auto' | 'user' | null;
  /** The CLIP check score of the automatic caption shown, null when none or unscored. */
  captionScore: number | null;
  /** The automatic caption shown scored under the calibrated threshold. */
  lowConfidence: boolean;
  /** The user's tags (typed in Shoebox or imported), hierarchical ones as paths joined by '|' ("Places|Portugal|Porto"). */
  tags: string[];
  /** Tags a model suggests (zero-shot, later OCR and places) that the user has neither accepted nor rejected. */
  suggested: string[];
  /** Stars 0–5, -1 rejected (xmp:Rating's scale); null when never rated. */
  rating: number | null;
  /** The colour label (xmp:Label), e.g. "Red"; null when none. */
  label: string | null;
  /** Where it was taken: the place the user set, else the one from its GPS position; null when neither (absent from an older engine). */
  place?: PhotoPlace | null;
}

/**
 * A photo's place: city, region and country, each null when unknown (a photo at sea far from a town has only its
 * country; a place set by hand may be a country alone). From the GPS position offline (source 'auto', the rule in
 * core/places/geocoder.ts, [Note: nearest-place rule]), or set by the user (source 'user', which wins).
 */
export interface PhotoPlace {
  /** The most precise level known: 'city:<GeoNames id>', 'region:<GeoNames admin1 code>' ('region:PT.14') or 'country:<ISO code>'. */
  id: string;
  /** The English name (GeoNames'): "Lisbon", "Munich". */
  city: string | null;
  region: string | null;
  /** The English name: "Portugal". */
  country: string | null;
  /** ISO 3166-1 alpha-2: "PT". */
  countryCode: string | null;
  source: 'auto' | 'user';
  /** For a place from the GPS position: how far the city's point is from it (km); null otherwise. */
  distanceKm: number | null;
}

/** One caption of a photo with its provenance. */
export interface CaptionRecord {
  source: 'auto' | 'user';
  text: string;
  /** The captioner's model id and revision (automatic captions). */
  modelId: string | null;
  revision: string | null;
  /** The captioner's task, e.g. '<CAPTION>'. */
  task: string | null;
  /** 'greedy', 'beam3', 'sample4', or 'greedy,beam3' when a beam recheck kept the greedy caption. */
  decoding: string | null;
  /** The CLIP check: cosine between the caption and the photo, when it was scored. */
  score: number | null;
  lowConfidence: boolean;
  /** For user captions: typed in Shoebox, or imported from the photo's XMP, IPTC or EXIF. */
  origin: 'shoebox' | 'import' | null;
  /** ISO time it was made. */
  createdAt: string;
}

export interface TagRecord {
  tag: string;
  source: 'auto' | 'user';
  /** Zero-shot probability (automatic tags). */
  score: number | null;
  modelId: string | null;
  /** An automatic tag the user removed: kept hidden so a re-run does not bring it back. */
  hidden: boolean;
  origin: 'shoebox' | 'import' | null;
}

export interface PhotoDetails extends PhotoSummary {
  /** Every caption with its provenance, the user's first. */
  captions: CaptionRecord[];
  /** Every tag with source and score, hidden automatic ones included. */
  tagDetails: TagRecord[];
  size: number;
  mtimeMs: number;
  fingerprint: string | null;
  format: string | null;
  orientation: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  gps: { lat: number; lon: number; alt: number | null } | null;
  /** The decoder's words when the photo is damaged but shown; null when it decoded cleanly. */
  damaged: string | null;
  /**
   * Where `takenAt` came from, best first: 'exif', 'xmp', 'iptc', 'quicktime', 'exif-digitized', 'gps',
   * 'filename', 'exif-modified' or 'mtime' (core/media/dates.ts, [Note: capture date]).
   */
  takenAtSource: string | null;
  /** The IANA time zone `takenAt` is local to, when the GPS position tells it and the file has no offset. */
  timeZone: string | null;
  /** Every file of this photo: its own first, then the RAW of a RAW+JPEG pair, a Live Photo's video. */
  files: PhotoFile[];
  /** The place from the GPS position, also when the user's replaces it in `place` (absent from an older engine). */
  gpsPlace?: PhotoPlace | null;
  /** The text read in the photo (OCR); null when it was not read yet (absent from an older engine). */
  text?: PhotoText | null;
}

/** What the ocr stage read in a photo. */
export interface PhotoText {
  /** The version it was read with: the model, its revision, the processing's version. */
  model: string;
  /** When (ISO 8601). */
  readAt: string;
  /** The lines in reading order; none when the photo has no text. */
  lines: PhotoTextLine[];
}

export interface PhotoTextLine {
  text: string;
  /** 0–1. */
  confidence: number;
  /** Its four corners in the upright photo's pixels (width × height): top-left, top-right, bottom-right, bottom-left as read. */
  box: [number, number][];
}

export interface PhotoFile {
  path: string;
  role: 'photo' | 'raw' | 'video';
  size: number;
}

export interface SearchFilters {
  /** Only photos under this folder. */
  folder?: string;
  /** Taken on or after this date ('YYYY-MM-DD' or a full ISO time). */
  from?: string;
  /** Taken on or before this date (a bare date includes the whole day). */
  to?: string;
  /** Camera make or model contains this text. */
  camera?: string;
  /** Rated at least this many stars (-1 includes rejected photos, so it filters nothing). */
  minRating?: number;
  /** With this colour label (case-insensitive). */
  label?: string;
  /** With this user tag, or one under it ("Places" includes "Places|Portugal|Porto"). */
  tag?: string;
  /** Taken at this place (the place shown: the user's, else the one from GPS); every field given must match. */
  place?: PlaceFilter;
  /** Showing each of these people (person ids, from people): every one must be in the photo. */
  people?: number[];
}

/** Which place: any of the fields, matched without regard to case; a region or city name as PhotoPlace spells it. */
export interface PlaceFilter {
  /** ISO 3166-1 alpha-2 ("PT"). */
  countryCode?: string;
  region?: string;
  city?: string;
}

/** A place that occurs in the library, with how many photos show it. */
export interface PlaceCount {
  id: string;
  /** The shown name (English). */
  name: string;
  /** Every name: the shown one first, then the local and alternate ones (what the query parser matches). */
  names: string[];
  photos: number;
}

/** The library's places, country → region → city, with photo counts, most photos first. */
export interface CountryPlaces extends PlaceCount {
  countryCode: string;
  /** Its regions; one with `region` null holds the photos whose region is not known. */
  regions: RegionPlaces[];
}

export interface RegionPlaces extends PlaceCount {
  /** Null for the photos of the country whose region is not known. */
  region: string | null;
  /** Its cities (photos of the region without a city are the difference of the counts). */
  cities: PlaceCount[];
}

/** A place of the data found by name (the picker of a hand-set place). */
export interface PlaceMatch {
  id: string;
  kind: 'city' | 'region' | 'country';
  city: string | null;
  region: string | null;
  country: string | null;
  countryCode: string | null;
  /** Its names, the shown one first. */
  names: string[];
  /** People living there (cities; 0 otherwise). */
  population: number;
}

export interface SearchHit {
  id: number;
  path: string;
  /** The blended score: CLIP cosine plus a weighted full-text match. */
  score: number;
  clipScore: number | null;
  /** The full-text match on filename, caption and tags (1 for the best of the results), or null. */
  textScore: number | null;
  /**
   * A match on the text read in the photo (OCR), shown as "text in photo" (PHOTO_TEXT_LABEL): the share of the
   * query's words it holds (one OCR error in a longer word counts 0.8) and the line that holds them; null (or
   * absent, from an older engine) when the photo's text does not match.
   */
  photoText?: { score: number; line: string } | null;
  caption: string | null;
  /** The user's tags, then the ones a model suggests (PhotoSummary's tags, then its suggested). */
  tags: string[];
  /** Stars 0–5, -1 rejected; null when never rated (as PhotoSummary's). */
  rating: number | null;
  /** The colour label, or null (as PhotoSummary's). */
  label: string | null;
  takenAt: string | null;
  width: number | null;
  height: number | null;
  offline: boolean;
}

/** How a hit on the text read in a photo is labelled, beside CLIP's and the caption's matches. */
export const PHOTO_TEXT_LABEL = 'text in photo';

export interface SearchResult {
  query: string;
  /** The model whose vectors answered, or null when none could. */
  model: string | null;
  /** Something the user should know about these results (no model yet, re-embedding…). */
  note: string | null;
  hits: SearchHit[];
  /**
   * What a text search understood in the query (dates, places, cameras: [Note: query parser] in
   * shared/query.ts), made filters, with each part's span for chips; null when nothing was (or
   * parsing was off). Absent from `similar`.
   */
  understood?: Understood | null;
  /** The words a text search searched for: the query without what it understood ('' when only filters were left). */
  text?: string;
}

// ── Duplicates (issue 15): core/duplicates, [Note: duplicate kinds] ──────────────────────────────

/** exact: the same bytes at two paths; same: the same photo in other bytes; similar: bursts and retakes. */
export type DuplicateKind = 'exact' | 'same' | 'similar';

/** One photo of a duplicate group, with the facts the keeper was chosen by. */
export interface DuplicatePhoto {
  id: number;
  path: string;
  /** Bytes. */
  size: number;
  width: number | null;
  height: number | null;
  /** As catalogued: 'jpeg', 'png', 'heif', 'raw'… */
  format: string | null;
  /** The capture date as stored ([Note: capture date]), whatever its source. */
  takenAt: string | null;
  /** Make and model, or null. */
  camera: string | null;
  hasGps: boolean;
  /** The user's caption, tags, rating, label or place. */
  hasEdits: boolean;
  /** The file's modification time, ms since the epoch. */
  mtimeMs: number;
  /** The suggested keeper. */
  keeper: boolean;
}

export interface DuplicateGroup {
  /** Stable while the group keeps its first photo: the kind and the smallest photo id ('same-12'). */
  id: string;
  kind: DuplicateKind;
  /** The keeper first, then by id. */
  photos: DuplicatePhoto[];
  /** The suggested keeper's id. */
  keeper: number;
  /** Why, in short words: 'original format', 'largest', 'has edits', 'has date', 'has GPS', 'oldest'… */
  reasons: string[];
  /** Bytes the others take: what putting them away would free. */
  bytesFreed: number;
}
