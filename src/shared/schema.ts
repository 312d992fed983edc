// The one definition of every method's argument: a valibot schema per method. The contract's
// argument types are inferred from these (contract.ts, `v.InferOutput`) and validate.ts runs them
// where an argument enters the main process, so the type and its check cannot drift apart.
//
// Messages here say what a value must be ("a whole number from 1 to 1000"); validate.ts puts the
// method, the path and the value around them ("listPhotos.limit must be …, got 0").
import * as v from 'valibot';
import type { SearchFilters } from './types.ts';

/** The longest string any argument may be (paths, queries, captions). */
export const MAX_TEXT = 4096;
/** The longest tag, and the most tags one call may add or remove. */
export const MAX_TAG = 200;
export const MAX_TAGS = 50;
/** The most photos one page of the grid, and one search, may ask for. */
export const MAX_LIST_LIMIT = 1000;
export const MAX_SEARCH_LIMIT = 500;
/** The most photos one edit may name: a whole library's selection ("select all" of a million photos). */
export const MAX_SELECTION = 1_000_000;
/** The longest colour label (xmp:Label: "Red", "To print", a word or two). */
export const MAX_LABEL = 100;

/** Compile-time checks: `Assert<Same<A, B>>` fails to type-check unless A and B are the same type. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type Assert<T extends true> = T;

/** Only plain objects (`{…}`, JSON, structured clone) are arguments: not arrays, not class instances. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

function int(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const what = `a whole number ${max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`}`;
  return v.pipe(v.number(what), v.safeInteger(what), v.minValue(min, what), v.maxValue(max, what));
}

const PHOTO_ID = 'a photo id (a whole number, 1 or more)';
const id = v.pipe(v.number(PHOTO_ID), v.safeInteger(PHOTO_ID), v.minValue(1, PHOTO_ID));

/** A string of at most `max` characters without NUL; `nonEmpty`: not blank either. */
function text(opts: { nonEmpty?: boolean; max?: number; what?: string } = {}) {
  const max = opts.max ?? MAX_TEXT;
  const what = opts.what ?? (opts.nonEmpty ? 'a non-empty string' : 'a string');
  const sized = `${what} of at most ${max} characters`;
  return v.pipe(
    v.string(sized),
    v.check((s) => !opts.nonEmpty || s.trim() !== '', what),
    v.maxLength(max, sized),
    v.check((s) => !s.includes('\0'), `${what} without NUL characters`),
  );
}

const nonEmpty = text({ nonEmpty: true });
const name = text({ nonEmpty: true, max: MAX_TAG });

/** A path the engine can use as is: absolute (POSIX, a Windows drive, or a UNC share). */
const absolutePath = v.pipe(
  text({ nonEmpty: true, what: 'an absolute path' }),
  v.check((s) => s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\'), 'an absolute path (e.g. /home/ann/Photos or C:\\Photos)'),
);

const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const DATE_WHAT = "a date like '2024-07-31' or an ISO time like '2024-07-31T18:30:00'";
const date = v.pipe(v.string(DATE_WHAT), v.regex(DATE, DATE_WHAT));

/** 1 to MAX_TAGS names: the list's length is checked before its items, so an over-long list says so first. */
const TAGS_WHAT = `a list of 1 to ${MAX_TAGS} tags`;
const tags = v.pipe(v.array(v.unknown(), TAGS_WHAT), v.minLength(1, TAGS_WHAT), v.maxLength(MAX_TAGS, TAGS_WHAT), v.array(name));

function describeKeys(entries: v.ObjectEntries): string {
  const keys = Object.entries(entries).map(([k, s]) => (s.type === 'optional' ? `${k}?` : k));
  return keys.length ? `{ ${keys.join(', ')} }` : 'no keys';
}

/** The keys `entries` allows, as the message of an unknown key says them. */
function allowedKeys(entries: v.ObjectEntries): string {
  const known = Object.keys(entries);
  return known.length ? `(allowed: ${known.join(', ')})` : '(it takes none)';
}

/** The own keys whose value is not undefined, in a prototype-free copy (an own "__proto__" stays a key). */
function withoutUndefined(x: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(x)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * An object argument: a plain object with only these keys (an unknown key is reported before any
 * value, so a misspelt key says so), undefined values taken as absent, then each key checked.
 * (strictObject refuses unknown keys too, but only after checking every value). The unknown-key
 * issue has the same form as strictObject's own: path origin 'key', expected 'never'.
 */
function shape<const E extends v.ObjectEntries>(entries: E) {
  const allowed = allowedKeys(entries);
  return v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject, `an object with ${describeKeys(entries)}`),
    v.rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const input = dataset.value;
      const key = Object.keys(input).find((k) => !Object.hasOwn(entries, k));
      if (key !== undefined) {
        addIssue({ message: allowed, input: key, expected: 'never', path: [{ type: 'object', origin: 'key', input, key, value: input[key] }] });
      }
    }),
    v.transform(withoutUndefined),
    v.strictObject(entries, allowed),
  );
}

/** A method's argument: a shape; one whose keys are all optional also takes undefined or null, as {}. */
function args<const E extends v.ObjectEntries>(entries: E) {
  const object = shape(entries);
  const optional = Object.values(entries).every((s) => s.type === 'optional');
  return optional ? v.nullish(object, () => ({})) : object;
}

/** The argument of a method that takes none: undefined, null or {}, passed on as undefined. */
export const NO_ARGUMENT = v.pipe(
  v.custom<unknown>((x) => x === undefined || x === null || (isPlainObject(x) && Object.keys(x).length === 0), 'no argument'),
  v.transform((): void => undefined),
);

/** Photo ids of a selection: 1 to MAX_SELECTION (the length is checked before the items). */
const IDS_WHAT = `a list of 1 to ${MAX_SELECTION} photo ids`;
const ids = v.pipe(v.array(v.unknown(), IDS_WHAT), v.minLength(1, IDS_WHAT), v.maxLength(MAX_SELECTION, IDS_WHAT), v.array(id));

/** Stars: 0 (none) to 5, or -1 for rejected (xmp:Rating's own scale). */
const RATING_WHAT = 'a rating from 0 to 5 stars, or -1 for rejected';
const rating = v.pipe(v.number(RATING_WHAT), v.safeInteger(RATING_WHAT), v.minValue(-1, RATING_WHAT), v.maxValue(5, RATING_WHAT));
const label = text({ nonEmpty: true, max: MAX_LABEL, what: 'a colour label' });

/** Which place (the one shown: the user's, else from GPS): an ISO country code, a region and a city as PhotoPlace names them. */
const COUNTRY_WHAT = 'an ISO 3166-1 country code like "PT"';
const placeFilter = shape({
  countryCode: v.optional(v.pipe(v.string(COUNTRY_WHAT), v.regex(/^[A-Za-z]{2}$/, COUNTRY_WHAT))),
  region: v.optional(name),
  city: v.optional(name),
});

/** A place of the places data, as findPlaces gives it: 'city:2267057', 'region:PT.14', 'country:PT'. */
const PLACE_ID_WHAT = 'a place id like "city:2267057", "region:PT.14" or "country:PT" (from findPlaces)';
const placeId = v.pipe(v.string(PLACE_ID_WHAT), v.maxLength(64, PLACE_ID_WHAT), v.regex(/^(city:\d+|region:[A-Za-z]{2}\.[\w-]+|country:[A-Za-z]{2})$/, PLACE_ID_WHAT));

/** People who must all be in the photo (the person chip, `search --person`): 1 to 20 person ids. */
const PEOPLE_FILTER_WHAT = 'a list of 1 to 20 person ids (whole numbers, 1 or more)';
const peopleFilter = v.pipe(
  v.array(v.unknown(), PEOPLE_FILTER_WHAT),
  v.minLength(1, PEOPLE_FILTER_WHAT),
  v.maxLength(20, PEOPLE_FILTER_WHAT),
  v.array(v.pipe(v.number(PEOPLE_FILTER_WHAT), v.safeInteger(PEOPLE_FILTER_WHAT), v.minValue(1, PEOPLE_FILTER_WHAT))),
);

const filters = shape({
  folder: v.optional(absolutePath),
  from: v.optional(date),
  to: v.optional(date),
  camera: v.optional(nonEmpty),
  minRating: v.optional(rating),
  label: v.optional(label),
  tag: v.optional(name),
  place: v.optional(placeFilter),
  people: v.optional(peopleFilter),
});

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_WHAT = "a date like '2024-07-31'";
const day = v.pipe(v.string(DAY_WHAT), v.regex(DAY, DAY_WHAT), v.check((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), DAY_WHAT));

/**
 * Which photos of the grid (listPhotos, photoIds and the map's mapPoints): under a folder, with a tag (its
 * children included), suggested a tag, rated at least, labelled, among given photos (the map's cluster), showing people.
 */
const view = {
  folder: v.optional(absolutePath),
  tag: v.optional(name),
  suggested: v.optional(name),
  minRating: v.optional(rating),
  label: v.optional(label),
  ids: v.optional(ids),
  place: v.optional(placeFilter),
  people: v.optional(peopleFilter),
};

/**
 * A search's understood parts to keep as words (chips the user removed: [Note: query parser]), by their
 * text or label; at most MAX_TAGS of them, each a phrase of at most MAX_TAG characters.
 */
const LITERAL_WHAT = `a list of at most ${MAX_TAGS} phrases`;
const literal = v.pipe(v.array(v.unknown(), LITERAL_WHAT), v.maxLength(MAX_TAGS, LITERAL_WHAT), v.array(name));

/** types.ts keeps SearchFilters (the engine's type, documented there); it must be what `filters` checks. */
type _FiltersAreSearchFilters = Assert<Same<v.InferOutput<typeof filters>, SearchFilters>>;

/** A kind of duplicate group ([Note: duplicate kinds]). */
const KIND_WHAT = "'exact', 'same' or 'similar'";
const duplicateKind = v.picklist(['exact', 'same', 'similar'], KIND_WHAT);
/** A duplicate group's id, as duplicates gives it: the kind and a photo id ('same-12'). */
const GROUP_WHAT = "a duplicate group's id like 'same-12' (from duplicates)";
const groupId = v.pipe(v.string(GROUP_WHAT), v.maxLength(40, GROUP_WHAT), v.regex(/^(exact|same|similar)-[1-9]\d*$/, GROUP_WHAT));

/** A person's and a face's id (from people, personFaces, photoFaces). */
const PERSON_WHAT = 'a person id (a whole number, 1 or more)';
const personId = v.pipe(v.number(PERSON_WHAT), v.safeInteger(PERSON_WHAT), v.minValue(1, PERSON_WHAT));
const FACE_WHAT = 'a face id (a whole number, 1 or more)';
const faceId = v.pipe(v.number(FACE_WHAT), v.safeInteger(FACE_WHAT), v.minValue(1, FACE_WHAT));
const FACES_WHAT = 'a list of face ids (whole numbers, 1 or more), at most 10000';
const faceIds = v.pipe(v.array(faceId, FACES_WHAT), v.maxLength(10_000, FACES_WHAT));
const MOVE_WHAT = "a person id or 'new'";
const moveTo = v.union([personId, v.literal('new')], MOVE_WHAT);
const bool = v.boolean('true or false');

/** Each method's argument. contract.ts infers ApiMethods' argument types from these. */
export const ARGS = {
  status: NO_ARGUMENT,
  listPhotos: args({ offset: v.optional(int(0)), limit: v.optional(int(1, MAX_LIST_LIMIT)), ...view }),
  photoIds: args({ offset: v.optional(int(0)), limit: v.optional(int(1, MAX_SELECTION)), ...view }),
  mapPoints: args({ ...view, after: v.optional(int(0)), limit: v.optional(int(1, MAX_SELECTION)) }),
  onThisDay: args({ date: v.optional(day), limit: v.optional(int(1, 100)) }),
  findPlaces: args({ text: name, limit: v.optional(int(1, 100)) }),
  setPlace: args({ ids, place: v.nullable(placeId) }),
  placesInLibrary: NO_ARGUMENT,
  photo: args({ id }),
  search: args({
    query: nonEmpty,
    limit: v.optional(int(1, MAX_SEARCH_LIMIT)),
    filters: v.optional(filters),
    parse: v.optional(v.boolean('true or false')),
    literal: v.optional(literal),
  }),
  similar: args({ id, limit: v.optional(int(1, MAX_SEARCH_LIMIT)), filters: v.optional(filters) }),
  setCaption: args({ id, text: text() }),
  addTags: args({ id, tags }),
  removeTags: args({ id, tags }),
  tagCounts: args({ limit: v.optional(int(1, MAX_LIST_LIMIT)) }),
  editPhotos: args({
    ids,
    addTags: v.optional(tags),
    removeTags: v.optional(tags),
    caption: v.optional(text()),
    rating: v.optional(v.nullable(rating)),
    label: v.optional(v.nullable(label)),
  }),
  undo: NO_ARGUMENT,
  selectionTags: args({ ids }),
  photoPaths: args({ ids }),
  suggestions: args({ limit: v.optional(int(1, MAX_LIST_LIMIT)) }),
  reviewSuggestions: args({ tag: name, accept: v.optional(ids), reject: v.optional(ids) }),
  renameTag: args({ from: name, to: name }),
  mergeTags: args({ from: tags, into: name }),
  deleteTag: args({ tag: name }),
  folders: NO_ARGUMENT,
  addFolder: args({ path: absolutePath }),
  removeFolder: args({ path: absolutePath }),
  pause: NO_ARGUMENT,
  resume: NO_ARGUMENT,
  retryFailed: args({ stage: v.optional(name) }),
  models: NO_ARGUMENT,
  downloadModel: args({ id: name }),
  importModel: args({ id: name, folder: absolutePath }),
  settings: NO_ARGUMENT,
  setSetting: args({ key: name, value: text() }),
  revealPhoto: args({ id }),
  pickFolder: NO_ARGUMENT,
  duplicates: args({ kind: v.optional(duplicateKind) }),
  resolveDuplicates: args({ group: groupId, keep: ids, photos: v.optional(ids) }),
  resolveAllExact: NO_ARGUMENT,
  undoResolve: args({ resolution: v.optional(int(1)) }),
  resolutions: NO_ARGUMENT,
  people: NO_ARGUMENT,
  personFaces: args({ person: personId }),
  photoFaces: args({ photo: id }),
  namePerson: args({ person: personId, name: v.nullable(name) }),
  mergePeople: args({ from: personId, into: personId }),
  moveFace: args({ face: faceId, to: moveTo }),
  notThisPerson: args({ face: faceId }),
  hidePerson: args({ person: personId, hidden: bool }),
  setPersonCover: args({ person: personId, face: faceId }),
  notAFace: args({ face: faceId, notAFace: v.optional(bool) }),
  nameFace: args({ face: faceId, name }),
  faceSuggestions: args({ person: personId }),
  answerSuggestions: args({ person: personId, yes: faceIds, no: faceIds }),
} satisfies Record<string, v.GenericSchema>;

/** The argument type of a method, as its schema checks it. */
export type ArgOf<M extends keyof typeof ARGS> = v.InferOutput<(typeof ARGS)[M]>;
