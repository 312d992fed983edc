// bench:query — what understanding a query costs a search ([Note: query parser] in src/shared/query.ts):
// parsing each phrase of issue 13 against a library's vocabulary, compiling that vocabulary (done again
// only after the catalog changes), reading it from a catalog of --n photos (the cameras, and the change
// stamp every search reads, the places with their names, and the named people), and the filters the understood
// parts become.
// Usage: npm run bench:query [-- --n 100000 --places 2000 --names 10 --cameras 40 --people 2000 --runs 300]
//   --places: distinct places in the library; --names: names per place (English, local, alternates);
//   --people: people of the grouping (half of them named), with 0-2 faces a photo, a few people in most photos.
// Last line: one JSON object with the figures.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/main/core/catalog/db.ts';
import { PhotoBrowser } from '../src/main/core/catalog/browse.ts';
import { Places } from '../src/main/core/catalog/places.ts';
import { compileVocabulary, parseQuery, type CameraName, type PersonName, type PlaceName } from '../src/shared/query.ts';
import { mulberry32 } from '../src/main/core/random.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    places: { type: 'string', default: '2000' },
    names: { type: 'string', default: '10' },
    cameras: { type: 'string', default: '40' },
    people: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '300' },
  },
});
const n = Number(values.n);
const nPlaces = Number(values.places);
const namesPer = Number(values.names);
const nCameras = Number(values.cameras);
const nPeople = Math.max(2, Number(values.people));
const runs = Number(values.runs);

/** Every phrase of the issue, the ambiguous ones, and longer queries mixing them. */
const QUERIES = [
  '2019', 'beach 2019', 'March 2021', 'dogs in May', 'summer 2018', 'today', 'yesterday', 'last week', 'last month', 'last year',
  'last summer', '3 years ago', '2016 to 2018', 'between May and July 2019', 'Christmas', "New Year's Eve", 'in Lisbon', 'Portugal',
  'at Kyoto', 'shot on iPhone', 'with my Canon', 'dogs may run', 'soldiers march', 'a nice day', 'reading a book', '3 dogs', 'route 66',
  'Lisbon and Porto', 'the beach in Portugal, summer 2019', 'kids on a beach at sunset', 'dog in Lisbon 2019 shot on iPhone',
  'birthday cake with candles at grandma’s house last Christmas', 'Mia at the beach', 'Mia and Tom', 'photos of Tom in 2019',
  'rose garden', 'Rose at the beach',
];

const rng = mulberry32(7);
const syllables = ['ka', 'lo', 'mi', 'ra', 'to', 'ne', 'su', 'vi', 'da', 'po', 'len', 'mar', 'sto', 'bur', 'gen', 'ville', 'dorf', 'ton'];
const word = () => {
  let w = '';
  for (let k = 0, len = 2 + Math.floor(rng() * 3); k < len; k++) w += syllables[Math.floor(rng() * syllables.length)];
  return w[0]!.toUpperCase() + w.slice(1);
};
const places: PlaceName[] = [
  { name: 'Lisbon', key: 'city:2267057', within: ['region:PT.14', 'country:PT'] },
  { name: 'Lisboa', key: 'city:2267057', within: ['region:PT.14', 'country:PT'] },
  { name: 'Porto', key: 'city:2735943', within: ['region:PT.17', 'country:PT'] },
  { name: 'Portugal', key: 'country:PT' },
  { name: 'Kyoto', key: 'city:1857910', within: ['region:JP.22', 'country:JP'] },
  { name: 'Nice', key: 'city:2990440', within: ['region:FR.93', 'country:FR'] },
  { name: 'Reading', key: 'city:2639577', within: ['region:GB.ENG', 'country:GB'] },
];
for (let i = 0; i < nPlaces; i++) {
  for (let k = 0; k < namesPer; k++) places.push({ name: rng() < 0.2 ? `${word()} ${word()}` : word(), key: `city:${1000 + i}`, within: [`region:R${i % 50}`, `country:C${i % 20}`] });
}
const makes = ['Apple', 'Canon', 'NIKON CORPORATION', 'SONY', 'FUJIFILM', 'Google', 'samsung', 'OLYMPUS IMAGING CORP.', 'Panasonic', 'LEICA'];
const cameras: CameraName[] = Array.from({ length: nCameras }, (_, i) => {
  const make = makes[i % makes.length]!;
  return { make, model: make === 'Apple' ? `iPhone ${8 + (i % 8)}${i % 3 ? ' Pro' : ''}` : `${make.split(' ')[0]} ${word().toUpperCase()} ${i}` };
});

/** Half the people named: Mia (in the most photos), Tom, Rose, then made-up first and last names. */
const people: PersonName[] = [];
for (let id = 1; id <= nPeople; id += 2) people.push({ id, name: id === 1 ? 'Mia' : id === 3 ? 'Tom' : id === 5 ? 'Rose' : rng() < 0.5 ? word() : `${word()} ${word()}` });

const ms = (t0: number) => performance.now() - t0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const now = new Date(2025, 5, 15, 12);

// Compiling the vocabulary: once per change of the catalog.
const compileRuns: number[] = [];
let vocab = compileVocabulary({ places, cameras, people });
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  vocab = compileVocabulary({ places, cameras, people });
  compileRuns.push(ms(t0));
}

// Parsing: every query `runs` times after a warm-up, each parse timed.
for (let r = 0; r < 20; r++) for (const q of QUERIES) parseQuery(q, { now, vocabulary: vocab });
const perQuery = QUERIES.map((q) => {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    parseQuery(q, { now, vocabulary: vocab });
    times.push(ms(t0));
  }
  return { q, p50: pct(times, 50), p95: pct(times, 95) };
});
const all = perQuery.map((x) => x.p50);
const slowest = perQuery.reduce((a, b) => (b.p95 > a.p95 ? b : a));

// The catalog side at --n photos: the change stamp (every search), the cameras (after a change), the filters.
const db = openDatabase(':memory:');
db.prepare("INSERT INTO folders(id, path, added_at) VALUES (1, '/p', 0)").run();
const insert = db.prepare(
  'INSERT INTO photos(folder_id, path, filename, size, mtime_ms, taken_at, gps_lat, gps_lon, camera_make, camera_model, added_at, updated_at) VALUES (1, ?, ?, 1, 0, ?, ?, ?, ?, ?, 0, 0)',
);
// Each photo at one of the --places cities (its auto place, as the places stage writes it), each city with --names names.
const place = db.prepare(
  "INSERT INTO places (photo_id, source, city_id, city, region_code, region, country_code, country, lat, lon, distance_km, data_version, created_at) VALUES (?, 'auto', ?, ?, ?, ?, ?, ?, 0, 0, 1, 'bench', 0)",
);
const cityNames = new Map<number, string[]>();
for (const p of places) {
  const m = /^city:(\d+)$/.exec(p.key);
  if (m) cityNames.set(Number(m[1]), [...(cityNames.get(Number(m[1])) ?? []), p.name]);
}
const cityIds = [...cityNames.keys()].filter((id) => id >= 1000);
db.transaction(() => {
  for (let i = 0; i < n; i++) {
    const c = cameras[i % cameras.length]!;
    const day = new Date(Date.UTC(2005, 0, 1) + Math.floor(rng() * 20 * 365) * 86_400_000).toISOString().slice(0, 10);
    const id = Number(insert.run(`/p/${i}.jpg`, `${i}.jpg`, `${day}T12:00:00`, rng() * 140 - 60, rng() * 360 - 180, c.make, c.model).lastInsertRowid);
    if (cityIds.length && rng() < 0.8) {
      const city = cityIds[Math.floor(rng() * cityIds.length)]!;
      const k = city - 1000;
      place.run(id, city, cityNames.get(city)![0], `R${k % 50}`, `Region ${k % 50}`, `C${k % 20}`, `Country ${k % 20}`);
    }
  }
  const names = db.prepare('INSERT INTO place_names (place, names) VALUES (?, ?)');
  for (const [city, list] of cityNames) names.run(`city:${city}`, JSON.stringify(list));
  for (let k = 0; k < 50; k++) names.run(`region:R${k}`, JSON.stringify([`Region ${k}`]));
  for (let k = 0; k < 20; k++) names.run(`country:C${k}`, JSON.stringify([`Country ${k}`]));
  // People: 0-2 faces a photo, each face's person skewed to the first ids (Mia, person 1, is in the most photos).
  const person = db.prepare("INSERT INTO people (id, name, hidden, source, created_at) VALUES (?, ?, 0, ?, 0)");
  const named = new Map(people.map((p) => [p.id, p.name]));
  for (let id = 1; id <= nPeople; id++) person.run(id, named.get(id) ?? null, named.has(id) ? 'user' : 'auto');
  const face = db.prepare("INSERT INTO faces (photo_id, x, y, width, height, score, landmarks, model, person_id, assigned, created_at) VALUES (?, 0, 0, 10, 10, 0.9, '[]', 'bench', ?, 'auto', 0)");
  for (let id = 1; id <= n; id++) for (let k = Math.floor(rng() * 3); k > 0; k--) face.run(id, 1 + Math.floor(nPeople * rng() ** 3));
})();
const browser = new PhotoBrowser(db);
const placesRepo = new Places(db);
const timed = (fn: () => unknown, times = 20) => {
  fn();
  const xs: number[] = [];
  for (let r = 0; r < times; r++) {
    const t0 = performance.now();
    fn();
    xs.push(ms(t0));
  }
  return pct(xs, 50);
};
const stampMs = timed(() => browser.changeStamp(), 200);
const camerasMs = timed(() => browser.cameras(), 10);
const inLibraryMs = timed(() => placesRepo.vocabulary(), 5);
const libraryNames = placesRepo.vocabulary();
const keyMs = timed(() => JSON.stringify(libraryNames), 10);
const libraryCompileMs = timed(() => compileVocabulary({ places: libraryNames }), 5);
const peopleMs = timed(() => browser.namedPeople(), 10);
const libraryPeople = browser.namedPeople();
const peopleCompileMs = timed(() => compileVocabulary({ people: libraryPeople }), 5);
const faceCount = db.prepare('SELECT COUNT(*) FROM faces').pluck().get() as number;
const libraryVocab = compileVocabulary({ places: libraryNames, cameras: browser.cameras(), people: libraryPeople });
const filterMs = Object.fromEntries(
  ['2019', 'in May', 'summer 2018', 'last summer', 'Christmas', 'shot on iPhone', `in ${libraryNames.find((x) => x.key.startsWith('city:'))?.name}`, 'Country 3 2019', 'Mia', 'Mia and Tom', 'Tom 2019'].map((q) => {
    const p = parseQuery(q, { now, vocabulary: libraryVocab });
    if (p.parts.length === 0) throw new Error(`bench: "${q}" understood nothing`);
    const filter = {
      dates: p.dates.length ? p.dates : undefined,
      cameras: p.cameras ?? undefined,
      placeIds: p.placeKeys ?? undefined,
      personSets: p.people.length ? p.people : undefined,
    };
    return [q, round(timed(() => browser.ids(filter), 10), 1)];
  }),
);
const miaPhotos = browser.count({ people: [1] });
const tomPhotos = browser.count({ people: [3] });

const figures = {
  bench: 'query',
  queries: QUERIES.length,
  runs,
  vocabulary_names: places.length,
  vocabulary_cameras: cameras.length,
  vocabulary_people: people.length,
  parse_ms_p50: round(pct(all, 50), 4),
  parse_ms_max_p50: round(Math.max(...all), 4),
  parse_ms_p95_slowest: round(slowest.p95, 4),
  slowest_query: slowest.q,
  compile_ms: round(pct(compileRuns, 50), 1),
  photos: n,
  change_stamp_ms: round(stampMs, 4),
  cameras_read_ms: round(camerasMs, 1),
  places_read_ms: round(inLibraryMs, 1),
  library_place_names: libraryNames.length,
  places_key_ms: round(keyMs, 1),
  places_compile_ms: round(libraryCompileMs, 1),
  vocabulary_refresh_ms: round(camerasMs + inLibraryMs + keyMs + peopleMs, 1),
  people: nPeople,
  named_people: libraryPeople.length,
  faces: faceCount,
  people_read_ms: round(peopleMs, 1),
  people_compile_ms: round(peopleCompileMs, 1),
  mia_photos: miaPhotos,
  tom_photos: tomPhotos,
  filter_ids_ms: filterMs,
  cpus: os.availableParallelism(),
  load: os.loadavg().map((l) => round(l, 2)),
  node: process.version,
};
console.log(`parse:       median ${figures.parse_ms_p50} ms a query over ${QUERIES.length} queries (the slowest's median ${figures.parse_ms_max_p50} ms; p95 ${figures.parse_ms_p95_slowest} ms for "${slowest.q}")`);
console.log(`vocabulary:  ${places.length} place names, ${cameras.length} cameras and ${people.length} people compiled in ${figures.compile_ms} ms (again only after the catalog changed)`);
console.log(
  `catalog:     ${n} photos: change stamp ${figures.change_stamp_ms} ms a search; after a change the cameras read in ${figures.cameras_read_ms} ms, ` +
    `the places (${libraryNames.length} names) in ${figures.places_read_ms} ms and compared in ${figures.places_key_ms} ms (compiled in ${figures.places_compile_ms} ms when they differ)`,
);
console.log(
  `people:      ${libraryPeople.length} named of ${nPeople}, ${faceCount} faces: read in ${figures.people_read_ms} ms after a change, compiled in ${figures.people_compile_ms} ms; Mia is in ${miaPhotos} photos, Tom in ${tomPhotos}`,
);
console.log(`filters:     ${Object.entries(filterMs).map(([q, t]) => `"${q}" ${t} ms`).join(', ')} (the ids they allow)`);
console.log(JSON.stringify(figures));
