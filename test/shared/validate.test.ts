// The contract's argument checks: every method accepts a good argument and rejects bad ones with a
// message that names the method, the key and what was wrong.
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, type MethodName } from '../../src/shared/contract.ts';
import { ApiValidationError, isMethodName, validateArgs } from '../../src/shared/validate.ts';

const good: { [M in MethodName]: unknown[] } = {
  status: [undefined, null, {}],
  listPhotos: [undefined, {}, { offset: 0, limit: 1 }, { offset: 5000, limit: 1000, folder: '/home/ann/Photos', tag: 'beach' }, { folder: 'C:\\Photos' }],
  photo: [{ id: 1 }, { id: Number.MAX_SAFE_INTEGER }],
  search: [
    { query: 'red' },
    { query: 'kids on a beach', limit: 500, filters: { folder: '/p', from: '2024-01-01', to: '2024-12-31T23:00:00Z', camera: 'Canon' } },
    { query: 'x', filters: {} },
    { query: 'x', filters: { minRating: 4, label: 'Red', tag: 'Places|Portugal' } },
    { query: 'beach Portugal summer 2019', parse: false },
    { query: 'beach Portugal summer 2019', parse: true, literal: ['Portugal', 'in Lisbon'] },
    { query: 'x', literal: [] },
  ],
  similar: [{ id: 3 }, { id: 3, limit: 1, filters: { from: '2024-01-01T10:00' } }, { id: 3, filters: { people: [1, 2] } }],
  setCaption: [{ id: 1, text: 'a dog' }, { id: 1, text: '' }],
  addTags: [{ id: 1, tags: ['beach'] }, { id: 2, tags: Array.from({ length: 50 }, (_, i) => `t${i}`) }],
  removeTags: [{ id: 1, tags: ['beach', 'sea'] }],
  tagCounts: [undefined, {}, { limit: 1000 }],
  photoIds: [undefined, {}, { offset: 10, limit: 1_000_000 }, { folder: '/p', tag: 'Places|Portugal', suggested: 'beach', minRating: -1, label: 'Red' }, { minRating: 5 }],
  mapPoints: [undefined, {}, { folder: '/p', tag: 'beach', minRating: 3, label: 'Red' }, { ids: [1, 2, 3] }, { people: [4] }, { after: 0, limit: 25_000 }, { after: 77, limit: 1 }],
  onThisDay: [undefined, {}, { date: '2024-02-29' }, { date: '2025-12-31', limit: 100 }, { limit: 1 }],
  findPlaces: [{ text: 'Lisboa' }, { text: 'München', limit: 100 }],
  setPlace: [{ ids: [1, 2], place: 'city:2267057' }, { ids: [1], place: 'region:PT.14' }, { ids: [3], place: 'country:PT' }, { ids: [3], place: null }],
  placesInLibrary: [undefined, {}],
  editPhotos: [
    { ids: [1], addTags: ['Portugal 2019'] },
    { ids: [1, 2, 3], addTags: ['Places|Portugal|Porto'], removeTags: ['beach'], caption: '', rating: null, label: null },
    { ids: Array.from({ length: 10_000 }, (_, i) => i + 1), rating: -1 },
    { ids: [7], rating: 5, label: 'To print' },
  ],
  undo: [undefined, null, {}],
  selectionTags: [{ ids: [1] }, { ids: Array.from({ length: 1000 }, (_, i) => i + 1) }],
  photoPaths: [{ ids: [3, 1, 2] }],
  suggestions: [undefined, {}, { limit: 20 }],
  reviewSuggestions: [{ tag: 'beach', accept: [1, 2] }, { tag: 'beach', reject: [3] }, { tag: 'clear blue sky', accept: [1], reject: [2] }],
  renameTag: [{ from: 'Porto', to: 'Places|Portugal|Porto' }, { from: 'AC/DC', to: 'Music|AC/DC' }],
  mergeTags: [{ from: ['beach', 'Beaches'], into: 'Beach' }],
  deleteTag: [{ tag: 'Places' }],
  folders: [undefined],
  addFolder: [{ path: '/home/ann/Photos' }, { path: '\\\\nas\\photos' }],
  removeFolder: [{ path: '/home/ann/Photos' }],
  pause: [undefined],
  resume: [undefined],
  retryFailed: [undefined, {}, { stage: 'embed' }],
  models: [undefined],
  downloadModel: [{ id: 'clip-vit-b32-q8' }],
  importModel: [{ id: 'clip-vit-b32-q8', folder: '/tmp/models/clip' }],
  settings: [undefined],
  setSetting: [{ key: 'xmp', value: 'on' }, { key: 'hub_endpoint', value: '' }],
  revealPhoto: [{ id: 9 }],
  pickFolder: [undefined, {}],
  duplicates: [undefined, {}, { kind: 'exact' }, { kind: 'same' }, { kind: 'similar' }],
  resolveDuplicates: [{ group: 'same-12', keep: [12] }, { group: 'exact-3', keep: [3, 4], photos: [3, 4, 5] }],
  resolveAllExact: [undefined, {}],
  undoResolve: [undefined, {}, { resolution: 3 }],
  resolutions: [undefined],
  people: [undefined, {}],
  personFaces: [{ person: 1 }],
  photoFaces: [{ photo: 4 }],
  namePerson: [{ person: 2, name: 'Ann Smith' }, { person: 2, name: null }],
  mergePeople: [{ from: 2, into: 3 }],
  moveFace: [{ face: 5, to: 3 }, { face: 5, to: 'new' }],
  notThisPerson: [{ face: 5 }],
  hidePerson: [{ person: 2, hidden: true }, { person: 2, hidden: false }],
  setPersonCover: [{ person: 2, face: 5 }],
  notAFace: [{ face: 5 }, { face: 5, notAFace: false }],
  nameFace: [{ face: 5, name: 'Mia' }, { face: 5, name: ' Mia Lee ' }],
  faceSuggestions: [{ person: 3 }],
  answerSuggestions: [{ person: 3, yes: [5, 6], no: [] }, { person: 3, yes: [], no: [7] }],
};

const bad: { [M in MethodName]: [unknown, RegExp][] } = {
  status: [[{ x: 1 }, /status takes no argument/], [5, /takes no argument, got 5/]],
  listPhotos: [
    [{ limit: 0 }, /listPhotos\.limit must be a whole number from 1 to 1000, got 0/],
    [{ limit: 1001 }, /from 1 to 1000/],
    [{ offset: -1 }, /listPhotos\.offset must be a whole number 0 or more, got -1/],
    [{ offset: 1.5 }, /offset must be a whole number/],
    [{ offset: '3' }, /offset must be a whole number 0 or more, got "3"/],
    [{ folder: 'Photos' }, /listPhotos\.folder must be an absolute path/],
    [{ tag: '' }, /listPhotos\.tag must be a non-empty string/],
    [{ tag: 'x'.repeat(201) }, /at most 200 characters/],
    [{ sort: 'name' }, /listPhotos: unknown key "sort" \(allowed: offset, limit, folder, tag, suggested, minRating, label, ids, place, people\)/],
    [{ people: [] }, /listPhotos\.people must be a list of 1 to 20 person ids/],
    [[], /listPhotos must be an object/],
    ['x', /listPhotos must be an object/],
  ],
  photo: [
    [undefined, /photo must be an object with \{ id \}, got nothing/],
    [{}, /photo: id is required/],
    [{ id: 0 }, /photo\.id must be a photo id/],
    [{ id: -3 }, /photo id/],
    [{ id: 2 ** 60 }, /photo id/],
    [{ id: Number.NaN }, /photo id/],
    [{ id: '1' }, /photo id .*got "1"/],
    [{ id: 1, extra: true }, /unknown key "extra"/],
  ],
  search: [
    [{}, /search: query is required/],
    [{ query: '' }, /search\.query must be a non-empty string/],
    [{ query: '   ' }, /non-empty/],
    [{ query: 'x'.repeat(4097) }, /at most 4096 characters, got a string of 4097 characters/],
    [{ query: 'red', limit: 501 }, /search\.limit must be a whole number from 1 to 500/],
    [{ query: 'red', filters: { from: 'last week' } }, /search\.filters\.from must be a date like '2024-07-31'/],
    [{ query: 'red', filters: { folder: 'rel/dir' } }, /filters\.folder must be an absolute path/],
    [{ query: 'red', filters: { camera: 5 } }, /filters\.camera must be a non-empty string/],
    [{ query: 'red', filters: { city: 'Oslo' } }, /search\.filters: unknown key "city" \(allowed: folder, from, to, camera, minRating, label, tag, place, people\)/],
    [{ query: 'red', filters: { people: [1, 0] } }, /search\.filters\.people\[1\] must be a list of 1 to 20 person ids/],
    [{ query: 'red', filters: { people: Array.from({ length: 21 }, (_, i) => i + 1) } }, /search\.filters\.people must be a list of 1 to 20 person ids/],
    [{ query: 'red', filters: { place: 'Oslo' } }, /search\.filters\.place must be an object with \{ countryCode\?, region\?, city\? \}/],
    [{ query: 'red', filters: { place: { countryCode: 'PRT' } } }, /search\.filters\.place\.countryCode must be an ISO 3166-1 country code like "PT"/],
    [{ query: 'red', filters: 'folder=/x' }, /search\.filters must be an object/],
    [{ query: 'red', parse: 'no' }, /search\.parse must be true or false/],
    [{ query: 'red', literal: 'Portugal' }, /search\.literal must be a list of at most 50 phrases/],
    [{ query: 'red', literal: [''] }, /search\.literal\[0\] must be a non-empty string/],
    [{ query: 'red', literal: Array.from({ length: 51 }, (_, i) => `p${i}`) }, /search\.literal must be a list of at most 50 phrases/],
  ],
  similar: [
    [{ limit: 5 }, /similar: id is required/],
    [{ id: 1, limit: 0 }, /similar\.limit/],
    [{ id: 1, query: 'x' }, /unknown key "query"/],
  ],
  setCaption: [
    [{ id: 1 }, /setCaption: text is required/],
    [{ id: 1, text: 7 }, /setCaption\.text must be a string/],
    [{ id: 1, text: 'a\0b' }, /without NUL characters/],
    [{ id: 1, text: 'x'.repeat(5000) }, /at most 4096/],
  ],
  addTags: [
    [{ id: 1, tags: [] }, /addTags\.tags must be a list of 1 to 50 tags/],
    [{ id: 1, tags: 'beach' }, /list of 1 to 50 tags, got "beach"/],
    [{ id: 1, tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, /1 to 50 tags/],
    [{ id: 1, tags: ['ok', ''] }, /addTags\.tags\[1\] must be a non-empty string/],
    [{ id: 1, tags: ['ok', 3] }, /tags\[1\]/],
    [{ id: 1, tags: ['x'.repeat(201)] }, /at most 200 characters/],
  ],
  removeTags: [[{ tags: ['a'] }, /removeTags: id is required/]],
  tagCounts: [[{ limit: 0 }, /tagCounts\.limit/], [{ limit: 1001 }, /tagCounts\.limit/]],
  photoIds: [
    [{ limit: 0 }, /photoIds\.limit must be a whole number from 1 to 1000000/],
    [{ minRating: 6 }, /photoIds\.minRating must be a rating from 0 to 5 stars, or -1 for rejected, got 6/],
    [{ minRating: 2.5 }, /minRating must be a rating/],
    [{ label: '' }, /photoIds\.label must be a colour label/],
    [{ label: 'x'.repeat(101) }, /at most 100 characters/],
    [{ suggested: '' }, /photoIds\.suggested must be a non-empty string/],
    [{ sort: 'name' }, /photoIds: unknown key "sort" \(allowed: offset, limit, folder, tag, suggested, minRating, label, ids, place, people\)/],
  ],
  mapPoints: [
    [{ ids: [] }, /mapPoints\.ids must be a list of 1 to 1000000 photo ids/],
    [{ ids: [1, 0] }, /mapPoints\.ids\[1\] must be a photo id/],
    [{ offset: 3 }, /mapPoints: unknown key "offset" \(allowed: folder, tag, suggested, minRating, label, ids, place, people, after, limit\)/],
    [{ limit: 0 }, /mapPoints\.limit must be a whole number from 1 to 1000000/],
    [{ after: -1 }, /mapPoints\.after must be a whole number 0 or more/],
    [{ folder: 'Photos' }, /mapPoints\.folder must be an absolute path/],
  ],
  findPlaces: [
    [{}, /findPlaces: text is required/],
    [{ text: 'x', limit: 101 }, /findPlaces\.limit must be a whole number from 1 to 100/],
  ],
  setPlace: [
    [{ ids: [1] }, /setPlace: place is required|setPlace\.place must be a place id/],
    [{ ids: [1], place: 'Lisbon' }, /setPlace\.place must be a place id like "city:2267057"/],
    [{ ids: [], place: null }, /setPlace\.ids must be a list of 1 to 1000000 photo ids/],
  ],
  placesInLibrary: [[{ x: 1 }, /placesInLibrary takes no argument/]],
  onThisDay: [
    [{ date: '06-15' }, /onThisDay\.date must be a date like '2024-07-31', got "06-15"/],
    [{ date: '2024-06-15T10:00:00' }, /onThisDay\.date must be a date like '2024-07-31'/],
    [{ date: '2024-13-01' }, /onThisDay\.date must be a date like '2024-07-31'/],
    [{ limit: 0 }, /onThisDay\.limit must be a whole number from 1 to 100/],
    [{ limit: 101 }, /onThisDay\.limit must be a whole number from 1 to 100/],
    [{ day: '06-15' }, /onThisDay: unknown key "day" \(allowed: date, limit\)/],
  ],
  editPhotos: [
    [{ addTags: ['a'] }, /editPhotos: ids is required/],
    [{ ids: [], addTags: ['a'] }, /editPhotos\.ids must be a list of 1 to 1000000 photo ids/],
    [{ ids: [0], addTags: ['a'] }, /editPhotos\.ids\[0\] must be a photo id/],
    [{ ids: 5, addTags: ['a'] }, /editPhotos\.ids must be a list/],
    [{ ids: [1], rating: 6 }, /editPhotos\.rating must be a rating from 0 to 5 stars, or -1 for rejected/],
    [{ ids: [1], rating: '5' }, /editPhotos\.rating must be a rating/],
    [{ ids: [1], label: ' ' }, /editPhotos\.label must be a colour label/],
    [{ ids: [1], addTags: [] }, /editPhotos\.addTags must be a list of 1 to 50 tags/],
    [{ ids: [1], caption: 3 }, /editPhotos\.caption must be a string/],
    [{ ids: [1], tags: ['a'] }, /editPhotos: unknown key "tags"/],
  ],
  undo: [[{ id: 3 }, /undo takes no argument/]],
  selectionTags: [[{}, /selectionTags: ids is required/], [{ ids: ['1'] }, /selectionTags\.ids\[0\] must be a photo id/]],
  photoPaths: [[{ ids: [] }, /photoPaths\.ids must be a list of 1 to/]],
  suggestions: [[{ limit: 1001 }, /suggestions\.limit/], [{ tag: 'beach' }, /unknown key "tag"/]],
  reviewSuggestions: [
    [{ accept: [1] }, /reviewSuggestions: tag is required/],
    [{ tag: 'beach', accept: [] }, /reviewSuggestions\.accept must be a list of 1 to/],
    [{ tag: 'beach', reject: [-1] }, /reviewSuggestions\.reject\[0\] must be a photo id/],
  ],
  renameTag: [[{ from: 'a' }, /renameTag: to is required/], [{ from: '', to: 'b' }, /renameTag\.from must be a non-empty string/]],
  mergeTags: [[{ from: 'a', into: 'b' }, /mergeTags\.from must be a list of 1 to 50 tags/], [{ from: ['a'] }, /mergeTags: into is required/]],
  deleteTag: [[{}, /deleteTag: tag is required/], [{ tag: 'x'.repeat(201) }, /deleteTag\.tag must be .*at most 200 characters/]],
  folders: [[{ a: 1 }, /folders takes no argument/]],
  addFolder: [
    [{ path: '' }, /addFolder\.path must be an absolute path/],
    [{ path: 'Photos/2024' }, /absolute path \(e\.g\./],
    [{ path: null }, /addFolder\.path must be an absolute path/],
    [{}, /addFolder: path is required/],
  ],
  removeFolder: [[{ path: 'x' }, /removeFolder\.path/]],
  pause: [[true, /pause takes no argument/]],
  resume: [[[], /resume takes no argument/]],
  retryFailed: [[{ stage: '' }, /retryFailed\.stage/], [{ stage: 1 }, /retryFailed\.stage/]],
  models: [[{ task: 'clip' }, /models takes no argument/]],
  downloadModel: [[{ id: '' }, /downloadModel\.id/], [{}, /downloadModel: id is required/]],
  importModel: [[{ id: 'm' }, /importModel: folder is required/], [{ id: 'm', folder: 'here' }, /importModel\.folder must be an absolute path/]],
  settings: [[{ key: 'xmp' }, /settings takes no argument/]],
  setSetting: [
    [{ key: 'xmp' }, /setSetting: value is required/],
    [{ key: '', value: 'on' }, /setSetting\.key must be a non-empty string/],
    [{ key: 'xmp', value: true }, /setSetting\.value must be a string/],
  ],
  revealPhoto: [[{ id: 'x' }, /revealPhoto\.id/]],
  pickFolder: [[{ title: 'Pick' }, /pickFolder takes no argument/]],
  duplicates: [
    [{ kind: 'near' }, /duplicates\.kind must be 'exact', 'same' or 'similar'/],
    [{ kinds: 'same' }, /duplicates: unknown key "kinds"/],
  ],
  resolveDuplicates: [
    [{ keep: [1] }, /resolveDuplicates: group is required/],
    [{ group: 'same-12' }, /resolveDuplicates: keep is required/],
    [{ group: 'same-12', keep: [] }, /resolveDuplicates\.keep must be a list of 1 to/],
    [{ group: 'same-12', keep: [0] }, /resolveDuplicates\.keep\[0\] must be a photo id/],
    [{ group: 'dupes-12', keep: [1] }, /resolveDuplicates\.group must be a duplicate group's id like 'same-12'/],
    [{ group: 'same-0', keep: [1] }, /resolveDuplicates\.group must be a duplicate group's id/],
    [{ group: 'same-1', keep: [1], photos: 'all' }, /resolveDuplicates\.photos must be a list of 1 to/],
  ],
  resolveAllExact: [[{ yes: true }, /resolveAllExact takes no argument/]],
  undoResolve: [
    [{ resolution: 0 }, /undoResolve\.resolution must be a whole number 1 or more, got 0/],
    [{ id: 3 }, /undoResolve: unknown key "id"/],
  ],
  resolutions: [[{ limit: 3 }, /resolutions takes no argument/]],
  people: [[{ hidden: true }, /people takes no argument/]],
  personFaces: [
    [{}, /personFaces: person is required/],
    [{ person: 0 }, /personFaces\.person must be a person id \(a whole number, 1 or more\), got 0/],
  ],
  photoFaces: [[{ photo: 'a.jpg' }, /photoFaces\.photo must be a photo id/]],
  namePerson: [
    [{ person: 2, name: '' }, /namePerson\.name must be a non-empty string/],
    [{ person: 2, name: 'x'.repeat(201) }, /namePerson\.name must be .*at most 200 characters/],
    [{ person: 2 }, /namePerson: name is required/],
  ],
  mergePeople: [
    [{ from: 2 }, /mergePeople: into is required/],
    [{ from: 2, into: 1.5 }, /mergePeople\.into must be a person id/],
  ],
  moveFace: [
    [{ face: 5, to: 'old' }, /moveFace\.to must be a person id or 'new'/],
    [{ face: 5, to: 0 }, /moveFace\.to must be a person id \(a whole number, 1 or more\), got 0/],
    [{ to: 'new' }, /moveFace: face is required/],
  ],
  notThisPerson: [[{ face: -1 }, /notThisPerson\.face must be a face id/]],
  hidePerson: [[{ person: 2, hidden: 'yes' }, /hidePerson\.hidden must be true or false/]],
  setPersonCover: [
    [{ person: 2 }, /setPersonCover: face is required/],
    [{ person: 2, face: 1.5 }, /setPersonCover\.face must be a face id/],
  ],
  notAFace: [[{ face: 5, notAFace: 1 }, /notAFace\.notAFace must be true or false/]],
  nameFace: [
    [{ face: 5, name: '' }, /nameFace\.name must be a non-empty string/],
    [{ face: 5, name: null }, /nameFace\.name must be a non-empty string/],
    [{ face: 0, name: 'Mia' }, /nameFace\.face must be a face id/],
    [{ name: 'Mia' }, /nameFace: face is required/],
  ],
  faceSuggestions: [[{ person: 'Mia' }, /faceSuggestions\.person must be a person id/]],
  answerSuggestions: [
    [{ person: 3, yes: [5] }, /answerSuggestions: no is required/],
    [{ person: 3, yes: [0], no: [] }, /answerSuggestions\.yes\[0\] must be a face id/],
    [{ person: 3, yes: 5, no: [] }, /answerSuggestions\.yes must be a list of face ids/],
    [{ person: 3, yes: Array.from({ length: 10_001 }, (_, i) => i + 1), no: [] }, /at most 10000/],
  ],
};

describe('validateArgs', () => {
  it('covers every method of the contract', () => {
    expect(Object.keys(good).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(bad).sort()).toEqual([...METHOD_NAMES].sort());
  });

  for (const method of METHOD_NAMES) {
    it(`${method}: accepts good arguments`, () => {
      for (const arg of good[method]) expect(() => validateArgs(method, arg)).not.toThrow();
    });
    it(`${method}: rejects bad arguments with a clear message`, () => {
      for (const [arg, message] of bad[method]) {
        let err: unknown;
        try {
          validateArgs(method, arg);
        } catch (e) {
          err = e;
        }
        expect(err, `${method}(${JSON.stringify(arg)})`).toBeInstanceOf(ApiValidationError);
        expect((err as ApiValidationError).code).toBe('invalid-argument');
        expect((err as Error).message).toMatch(message);
      }
    });
  }

  it('returns a clean copy: undefined keys dropped, optional-only methods default to {}', () => {
    expect(validateArgs('listPhotos', { limit: 10, offset: undefined })).toEqual({ limit: 10 });
    expect(validateArgs('listPhotos', undefined)).toEqual({});
    expect(validateArgs('status', {})).toBeUndefined();
    const args = { id: 4, tags: ['a', 'b'] };
    const out = validateArgs('addTags', args);
    expect(out).toEqual(args);
    expect(out).not.toBe(args);
  });

  it('reports an unknown key before a bad value, and takes an undefined value as absent', () => {
    expect(() => validateArgs('similar', { idd: 3, limit: 0 })).toThrow(/similar: unknown key "idd"/);
    expect(() => validateArgs('search', { query: 'red', filters: { city: 'Oslo', from: 'soon' } })).toThrow(/search\.filters: unknown key "city"/);
    expect(() => validateArgs('photo', { id: undefined })).toThrow(/photo: id is required/);
    expect(() => validateArgs('addTags', { id: 1, tags: [...Array.from({ length: 51 }, (_, i) => `t${i}`), ''] })).toThrow(/list of 1 to 50 tags/);
  });

  it('rejects objects that are not plain, and prototype tricks', () => {
    expect(() => validateArgs('photo', new (class P { id = 1 })())).toThrow(/photo must be an object with \{ id \}, got a P/);
    expect(() => validateArgs('photo', JSON.parse('{"id": 1, "__proto__": {"x": 1}}'))).toThrow(/unknown key "__proto__"/);
    expect(validateArgs('photo', Object.assign(Object.create(null) as object, { id: 2 }))).toEqual({ id: 2 });
  });

  it('rejects unknown methods', () => {
    expect(() => validateArgs('deleteEverything' as MethodName, {})).toThrow(/unknown method "deleteEverything"/);
  });
});

describe('isMethodName', () => {
  it('knows the contract methods only', () => {
    for (const m of METHOD_NAMES) expect(isMethodName(m)).toBe(true);
    for (const x of ['', 'toString', '__proto__', 'constructor', 5, null, undefined]) expect(isMethodName(x)).toBe(false);
  });
});
