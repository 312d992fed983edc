// The search box's query parser: which words of a query are a time, a place, a camera or a person, as
// filters, and the rest, which search reads as words (CLIP and full text). A pure module with no imports: the
// engine parses every search with it (core/search/search.ts), and the window can use it as it is to
// show what was understood as chips and to rebuild the text without one (`withoutPart`). The places,
// cameras and people it knows are the library's own, handed in as a vocabulary, so it never names a
// place, a camera or a person the user has no photo of.
//
// [Note: query parser]
// What it understands, in English (the table in test/shared/query.test.ts has every phrase):
//   - years ("2019", "in 2019"), decades ("1990s"), ISO dates ("2019-05-04", "2019-05");
//   - months, with or without a year or day ("March 2021", "May 4", "4 May 2019", "in May": a month
//     without a year is that month in every year);
//   - seasons, meteorological: spring March–May, summer June–August, autumn ("fall") September–November,
//     winter December–February, in the northern hemisphere; in the southern one the same words are the
//     opposite months (summer December–February). A season is kept apart from a plain range
//     (`SeasonDates`, with both readings) and the filter picks the reading per photo by the sign of
//     its GPS latitude; a photo without GPS is read as northern. A season that spans New Year is
//     named by the year of its January ("winter 2019" is December 2018 to February 2019 in the
//     north, "summer 2019" the same months in the south), as the meteorological offices do;
//   - relative times against a given `now` (local calendar days): "today", "yesterday", "this/last
//     week" (Monday to Sunday), "this/last weekend", "this/last month", "this/last year", "last
//     summer" (the latest one over, per hemisphere), "last May", "last Christmas", "past 3 months"
//     and "last 3 days" (rolling, up to today), "3 years ago" (that calendar year; days, weeks and
//     months likewise);
//   - ranges: "2016 to 2018", "2016-2018", "between May and July 2019" (a year at the end holds for
//     both ends; "December to February 2019" starts in December 2018), "from March to June",
//     "since 2019", "before 2010", "after 2015", "until 2012";
//   - holidays: Christmas (24–26 December; "Christmas Eve", "Christmas Day" one day), New Year's Eve
//     (31 December and the small hours of 1 January, until 06:00), New Year's Day, New Year (31
//     December and 1 January), Halloween; each with or without a year;
//   - places ("in Lisbon", "Portugal", "at Kyoto"): only names in the vocabulary, the library's places,
//     matched without regard to case or accents ("lisboa", "Munchen"), longest name first ("New York"
//     before "York"); a name of a place and of the region around it ("Lisbon", "New York") is the
//     place. A name that is also an everyday word ("Nice", "Reading", "Bath", "Long Beach",
//     "Victoria") is a place only when it is written with a capital and either follows "in", "at",
//     "near", "around", "from", "to" or "visiting", or is not the query's first word: "a nice day",
//     "reading a book" and "Nice day" stay words, "in Nice" and "beach Nice" are places. Two places
//     are either one ("Lisbon or Porto": photos in any of them), unless one lies within the other
//     (the vocabulary's `within`), when the narrower one is the filter ("Porto, Portugal": Porto);
//   - cameras ("shot on iPhone", "with my Canon", "taken with a Nikon D750", "iPhone photos"): only
//     cameras in the vocabulary, after "shot on/with", "taken on/with", "with my", "on my", "using"
//     and the like, or before "photos"/"pictures"/"shots"; the words must all be words of one of
//     the library's camera makes and models. After a plain "with"/"on" or before "photos", one of the
//     words must be no everyday word ("boy with apple" is no Apple camera; "with my Apple" is);
//   - people ("Mia at the beach", "Mia and Tom", "photos of Tom in 2019"): only the library's named people
//     who are not hidden and have a face in a present photo. Whole names, without regard to case or
//     accents, longest first ("Mary Ann" before "Mary"), the last word maybe possessive ("Mia's"); a first
//     name alone names the people whose names start with it, where nobody is called just that ("Ben" for
//     "Ben Jensen"); people the user gave one name are any of them. "with", "of", "featuring" and "photos
//     of", "pictures of" go with the person into its chip. "Mia and Tom", "Mia & Tom", "Mia, Tom": each
//     must be in the photo, and the "and", "&" or "," is in the second chip's span; "Mia or Tom": either.
//     A name that is an everyday word ("Rose", "Summer", "May", "Bill", "Will", "Dawn", "Sky", "Jack":
//     EVERYDAY and NAME_WORDS) is a person only when written with a capital ("rose garden" and "cake with
//     rose petals" stay words), and at the query's start only when it is the whole query or is followed
//     by "and", "at", "with", "in"… ("Rose at the beach" is Rose; "Rose petals" stays words); where
//     case says nothing (ALL CAPITALS, Every Word Capitalised) only as the whole query or after "with",
//     "of" or another person. A name that is also a date is the date where it reads as one ("June 2019",
//     "in June", "last Summer"), the person after "with"/"of" or another person ("with June", "Mia and
//     June"); a name that is also a place of the library is the place after a place's preposition ("in
//     Florence"), else the person ("Florence at the beach", "photos of Florence"): the library has that
//     person, and places have their prepositions.
// What it leaves as words: "may" and "march" as verbs ("dogs may run", "soldiers march"): these two
// months and the abbreviations ("Jan", "Mar") need a year, a day, a range, "in"/"during"/"since"…,
// "last"/"this", or to be the whole query; a lone season word ("summer dress") likewise needs a year,
// a preposition or "last"/"this" (CLIP knows what summer looks like); a number that is no year ("3
// dogs", "route 66", "room 2019", "2000 people": a year is four digits from 1839 to next year, not
// after "route", "room", "flight"… nor before "people", "miles"…); words joined to others by "_" or
// "." ("IMG_2019.jpg").
//
// The result: what was understood as parts (kind, the span [start, end) of the query they came from,
// their words, a label for a chip), the filters they make (dates that must all hold, places of which
// any, cameras of which any, people each of whom must be in the photo), and the rest of the text. Each part's span takes in its preposition ("in
// Lisbon"), so removing a chip removes its words (`withoutPart`). `literal` keeps parts as words: a
// chip the user removed is passed back by its text and its words stay search text (they are not read
// again as something else: "summer 2019" taken as words does not become the year 2019).
//
// Why not chrono-node (2.10, the well-kept date parser): measured on this list of phrases it fits
// about half. It finds no bare year ("2019", "beach 2019"), no season ("summer 2018", "last
// summer"), no holiday ("Christmas", "New Year's Eve"), no year range ("2016 to 2018") and only the
// second half of "between May and July 2019"; it reads "soldiers march" and "march of the penguins"
// as March; it gives instants, not the spans a filter needs ("3 years ago" is 15 June 2022, not the
// year 2022); it knows no hemispheres, places, cameras or people, which need the same tokens and spans; and
// src/shared, where the window can use this module too, imports nothing but valibot (8.8 MB
// unpacked, several locales). What is left is a small grammar over a few dozen words: it is here,
// with its choices written down and tested.

/** The four meteorological seasons. */
export type Season = 'spring' | 'summer' | 'autumn' | 'winter';

/**
 * A span of days, both ends included: 'YYYY-MM-DD', or a local time 'YYYY-MM-DDTHH:MM:SS' for an end
 * within a day. A null end is open ("since 2019").
 */
export interface DateRange {
  kind: 'range';
  from: string | null;
  to: string | null;
}

/** The same days in every year: 'MM-DD' ('MM-DDTHH:MM:SS' for an end within a day); from after to wraps over New Year. */
export interface AnnualRange {
  kind: 'annual';
  from: string;
  to: string;
}

export type DateWindow = DateRange | AnnualRange;

/** A season: its months differ by hemisphere, so the filter reads `north` or `south` per photo (by its GPS latitude; northern without GPS). */
export interface SeasonDates {
  kind: 'season';
  season: Season;
  /** The year named ("summer 2018"); null for every year ("in summer") and for relative seasons ("last summer"), whose readings are resolved. */
  year: number | null;
  north: DateWindow;
  south: DateWindow;
}

export type DateConstraint = DateWindow | SeasonDates;

/** A place name of the library: its English, local or alternate name, the place it names, and the places that contain it (region, country). */
export interface PlaceName {
  name: string;
  key: string;
  within?: readonly string[];
}

/** A camera of the library, as its photos record it. */
export interface CameraName {
  make: string | null;
  model: string | null;
}

/** A named person of the library (not hidden): what the user called them, and their id. */
export interface PersonName {
  id: number;
  name: string;
}

export interface QueryVocabulary {
  places?: readonly PlaceName[];
  cameras?: readonly CameraName[];
  people?: readonly PersonName[];
}

interface PartBase {
  /** The span of the query it came from, [start, end) in UTF-16 units, its preposition included. */
  start: number;
  end: number;
  /** Those words as typed ("in Lisbon"). */
  text: string;
  /** What a chip shows ("Lisbon", "Summer 2018", "iPhone"). */
  label: string;
}

export interface DatePart extends PartBase {
  kind: 'date';
  date: DateConstraint;
}

export interface PlacePart extends PartBase {
  kind: 'place';
  /** The name as the library has it. */
  name: string;
  /** The places it names (one name can name several: a city and its region). */
  keys: string[];
}

export interface CameraPart extends PartBase {
  kind: 'camera';
  /** The library's cameras it names. */
  cameras: CameraName[];
}

export interface PersonPart extends PartBase {
  kind: 'person';
  /** The name as the library has it ("Mia", "Mary Ann"). */
  name: string;
  /** The people it names: one, or several the user gave that name (any of them is that person). */
  ids: number[];
  /** How it joins the person before it: "Mia and Tom" both ('and', as when nothing joins them), "Mia or Tom" either. */
  join: 'and' | 'or' | null;
}

export type QueryPart = DatePart | PlacePart | CameraPart | PersonPart;

export interface ParsedQuery {
  query: string;
  /** The words left for search (CLIP and full text); '' when nothing but filters and filler words ("photos", "from") is left. */
  text: string;
  /** What was understood, in the order of the query. */
  parts: QueryPart[];
  /** Dates that must all hold. */
  dates: DateConstraint[];
  /** Photos at any of these places (a place within another named one stands for both); null: no place filter. */
  placeKeys: string[] | null;
  /** Photos from any of these cameras; null: no camera filter. */
  cameras: CameraName[] | null;
  /** Photos that show, for each list, one of its people ("Mia and Tom": [[Mia], [Tom]]; "Mia or Tom": [[Mia, Tom]]); [] when none was named. */
  people: number[][];
}

/** What a search understood, for the front doors: the issue's `{place, from, to, camera}` plus the parts with their spans. */
export interface Understood {
  /** The places' names ("Lisbon", "Lisbon or Porto"); null when none. */
  place: string | null;
  /** The days the dates narrow to, where they are one span of days (a season: its northern reading); null ends are open. */
  from: string | null;
  to: string | null;
  /** Every year's days ("in May": 05-01 to 05-31), when the dates are such; else null. */
  every: { from: string; to: string } | null;
  /** The season, with both hemispheres' readings, when one was named. */
  season: SeasonDates | null;
  /** The camera's words as the library spells them ("iPhone"); null when none. */
  camera: string | null;
  /** The people's names ("Mia", "Mia and Tom", "Mia or Tom"); null when none. */
  people: string | null;
  parts: QueryPart[];
}

export interface ParseOptions {
  /** Relative times are read against this instant's local calendar day. */
  now: Date;
  /** The library's places, cameras and people (compile it once with compileVocabulary when parsing often). */
  vocabulary?: QueryVocabulary | CompiledVocabulary;
  /** Parts to keep as words, by their text or label ("in Lisbon" or "Lisbon"): chips the user removed. */
  literal?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Words.

/**
 * Everyday English words that are also names of places or words of camera names: a place of such a
 * name needs a capital and a preposition or a place mid-query; such a camera word needs "shot on",
 * "with my"… Not every English word: the ones a photo query is likely to hold and a gazetteer
 * (GeoNames' towns of 1000 people and more) or a camera name also has, and first names of people.
 */
const EVERYDAY = new Set(
  `a an the and or of in at on to by for with from near my our your his her their this that these those is are was be it me we us you
  nice reading bath mobile split sale orange surprise hope joy unity paradise liberty independence union providence concord harmony
  friendship energy commerce industry enterprise progress eden faith grace mercy pleasant fairview riverside lakeside seaside
  long short little big great grand new old good best fine fair happy lucky golden silver gold iron stone rock rocks sandy sand
  beach bay cape port harbor harbour island islands isle lake lakes river rivers creek brook falls fall spring springs summer winter
  autumn hill hills mount mountain mountains valley valleys wood woods forest grove park garden gardens field fields meadow
  meadows ridge rocky plain plains bridge bridges castle church temple tower towers market mill mills wells well cross crossing
  corner point view vista haven rest home house farm ranch station center centre city town village north south east west central
  upper lower middle high highland lowland green red white black brown blue grey gray rose pink olive lime lemon cherry apple pear
  peach plum berry palm palms pine pines oak oaks elm cedar maple ash birch willow holly ivy laurel lily daisy heather
  sunny sunshine sunrise sunset snow ice rain cloud clouds wind storm mist fog bright clear calm still quiet silent
  march may august june april january early late christmas easter mark marks bell bells hall halls court wall walls gate gates
  street road lane way hay hope dover florence victoria eugene jackson marion charlotte austin chester troy lincoln jordan
  madison chelsea hudson aurora bethany mesa loveland dolores ana diana elizabeth louise hamilton clinton franklin jefferson
  warren murray milton preston shelby tyler sherman carson logan vernon eagle hawk falcon swan deer bear wolf fox
  buffalo beaver moose lion tiger horse cow sheep dog cat bird fish boat ship car train bus plane camp camping hiking
  kids kid baby family friends party wedding birthday dinner lunch breakfast food cake flower flowers tree trees sky sea ocean water
  pool night day morning evening noon midnight weekend holiday holidays vacation trip travel tour visit
  one two three four five six seven eight nine ten pro max mini plus ultra lite air go hero note edge pixel galaxy
  alpha zero prime classic digital camera phone mirrorless compact film instant action selfie photo photos picture pictures`
    .split(/\s+/)
    .filter(Boolean),
);

const MONTHS: Record<string, { m: number; weak: boolean }> = {};
[
  ['january', 'jan'],
  ['february', 'feb'],
  ['march', 'mar'],
  ['april', 'apr'],
  ['may', ''],
  ['june', 'jun'],
  ['july', 'jul'],
  ['august', 'aug'],
  ['september', 'sep', 'sept'],
  ['october', 'oct'],
  ['november', 'nov'],
  ['december', 'dec'],
].forEach(([full, ...abbr], i) => {
  MONTHS[full!] = { m: i + 1, weak: full === 'may' || full === 'march' };
  for (const a of abbr) if (a) MONTHS[a] = { m: i + 1, weak: true };
});
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const SEASON_WORDS: Record<string, Season> = { spring: 'spring', summer: 'summer', autumn: 'autumn', fall: 'autumn', winter: 'winter' };
/** The first month of each season in the north; the south's is six months on. */
const SEASON_START: Record<Season, number> = { spring: 3, summer: 6, autumn: 9, winter: 12 };

/** Words before a date that say it is one, and are part of its chip. */
const DATE_PREPS = new Set(['in', 'during', 'on', 'at', 'from', 'around']);
/** Words before a place that say it is one, and are part of its chip. */
const PLACE_PREPS = new Set(['in', 'at', 'near', 'around', 'from', 'to', 'visiting', 'outside']);
/** A number after these is no year ("route 2019", "room 1999"). */
const NUMBER_NOUNS = new Set(
  'route highway hwy road rd room flight bus train tram platform gate no number num apartment apt suite exit model page level track pier chapter lot unit bay seat row'.split(' '),
);
/** A number before these is a count, not a year ("2000 people"). */
const COUNT_NOUNS = new Set(
  'people persons guests visitors runners miles mi km kilometers kilometres meters metres m ft feet steps dollars euros pounds yen points pieces calories cc hp mm views likes years days'.split(
    ' ',
  ),
);
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12 };
const UNITS: Record<string, 'day' | 'week' | 'month' | 'year'> = { day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', year: 'year', years: 'year' };
/** Left alone these say nothing to search: an empty rest lists the filtered photos. */
const FILLER = new Set(
  'a an the and or of in at on from to with by during my our me us show find all any some every photo photos picture pictures pic pics image images shot shots taken snap snaps'.split(' '),
);
/** Trimmed from either end of what is left ("Lisbon and Porto beach" → "beach"). */
const CONNECTIVES = new Set('and or in at on of from to with by during the between'.split(' '));

/**
 * First names that are also everyday words, beside EVERYDAY's ("Rose", "Summer", "May", "Mark" are there): a
 * person of such a name needs a capital ([Note: query parser]).
 */
const NAME_WORDS = new Set(
  `bill will pat sue rob art ray frank jack dawn sky star angel amber ruby pearl jade crystal iris violet poppy fern hazel
  penny ginger honey candy coral drew guy chase hunter chance dean cliff dale glen wade page rich rusty sandy gene
  sage bliss destiny summer autumn winter rose may june april august hope joy faith grace charity patience mercy
  heather holly ivy lily daisy olive willow melody harmony river brook rain storm sunny dusty`
    .split(/\s+/)
    .filter(Boolean),
);
/** Words before a person that say it is one, and are part of its chip ("with Mia", "photos of Tom"). */
const PERSON_PREPS = new Set(['with', 'of', 'featuring', 'starring']);
/** A word before "of Tom" that goes with it ("photos of Tom"). */
const PHOTO_NOUNS = new Set(['photos', 'photo', 'pictures', 'picture', 'pics', 'pic', 'images', 'image', 'shots']);
/** After one of these a capitalised everyday name at the query's start is a person ("Rose at the beach", not "Rose petals"). */
const PERSON_NEXT = new Set('and or at in on with from during near by around to playing holding eating swimming sitting standing walking running'.split(' '));

const CAMERA_VERBS = new Set(['shot', 'taken', 'photographed', 'captured', 'snapped', 'filmed']);
const CAMERA_PREPS = new Set(['on', 'with', 'by', 'using', 'from']);
const DETERMINERS = new Set(['my', 'our', 'his', 'her', 'their', 'a', 'an', 'the']);
const POSSESSIVES = new Set(['my', 'our', 'his', 'her', 'their']);
const CAMERA_AFTER = new Set(['photos', 'photo', 'pictures', 'picture', 'pics', 'pic', 'shots', 'selfies', 'images', 'videos']);
const CAMERA_TRAILING = new Set(['camera', 'phone', 'cam']);

// ---------------------------------------------------------------------------------------------
// Tokens.

interface Token {
  raw: string;
  /** Lower case, accents and other marks removed, ’ as '. */
  n: string;
  start: number;
  end: number;
  /** The characters between the previous token (or the start) and this one. */
  gap: string;
}

/** Text as the parser compares it: lower case, without accents. */
export function foldText(s: string): string {
  // Most words are plain ASCII: nothing to decompose (a third of a large vocabulary's compile time).
  if (/^[\x20-\x7e]*$/.test(s)) return s.toLowerCase();
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[’‘]/g, "'");
}

const WORD = /[\p{L}\p{N}]+(?:[_.'’][\p{L}\p{N}]+)*/gu;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    out.push({ raw: m[0], n: foldText(m[0]), start, end: start + m[0].length, gap: text.slice(last, start) });
    last = start + m[0].length;
  }
  return out;
}

const isCapitalised = (t: Token) => /^\p{Lu}/u.test(t.raw);
/** A gap inside a name: spaces, a hyphen, a dot ("St. Petersburg", "Saint-Tropez"). */
const innerGap = (g: string) => /^[\s.\-‐'’]*$/u.test(g) && g.length > 0;
/** A gap that says "to": a dash ("2016-2018", "May – July"). */
const dashGap = (g: string) => /^\s*[-‐–—]\s*$/u.test(g);
const plainGap = (g: string) => /^\s+$/u.test(g);
/** A gap that lets two words be one phrase: spaces, maybe a comma ("May 4, 2019"). */
const phraseGap = (g: string) => /^\s*,?\s*$/u.test(g) && g.length > 0;

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on local calendar days (no time zones: photos keep their local wall time).

interface Ymd {
  y: number;
  m: number;
  d: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const iso = (p: Ymd) => `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
function addDays(p: Ymd, n: number): Ymd {
  const t = new Date(Date.UTC(p.y, p.m - 1, p.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
function addMonths(y: number, m: number, n: number): { y: number; m: number } {
  const k = y * 12 + (m - 1) + n;
  return { y: Math.floor(k / 12), m: (k % 12) + 1 };
}
/** Monday 0 … Sunday 6. */
const weekday = (p: Ymd) => (new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay() + 6) % 7;

const range = (from: string | null, to: string | null): DateRange => ({ kind: 'range', from, to });
const monthRange = (y: number, m: number) => range(iso({ y, m, d: 1 }), iso({ y, m, d: lastDay(y, m) }));
const yearRange = (y: number) => range(`${pad(y, 4)}-01-01`, `${pad(y, 4)}-12-31`);

/** A season's months in one hemisphere, named by the year of its January when it spans New Year. */
function seasonWindow(season: Season, hemisphere: 'north' | 'south', year: number | null): DateWindow {
  const first = ((SEASON_START[season] + (hemisphere === 'south' ? 6 : 0) - 1) % 12) + 1;
  const lastM = ((first + 1) % 12) + 1;
  if (year === null) return { kind: 'annual', from: `${pad(first)}-01`, to: `${pad(lastM)}-${pad(lastM === 2 ? 29 : lastDay(2001, lastM))}` };
  const startYear = first === 12 ? year - 1 : year;
  const end = addMonths(startYear, first, 2);
  return range(iso({ y: startYear, m: first, d: 1 }), iso({ y: end.y, m: end.m, d: lastDay(end.y, end.m) }));
}

function seasonDates(season: Season, year: number | null): SeasonDates {
  return { kind: 'season', season, year, north: seasonWindow(season, 'north', year), south: seasonWindow(season, 'south', year) };
}

/** The latest of a yearly window's occurrences that is over before `today`. */
function latestBefore(today: Ymd, occurrence: (year: number) => DateRange): DateRange {
  for (let y = today.y + 1; ; y--) {
    const r = occurrence(y);
    if (r.to !== null && r.to.slice(0, 10) < iso(today)) return r;
  }
}

interface Holiday {
  label: string;
  /** The occurrence a year names ("Christmas 2019", "New Year 2020"). */
  of: (year: number) => DateRange;
  every: AnnualRange;
}

const HOLIDAYS: { words: string[][]; holiday: Holiday }[] = [];
function holiday(label: string, words: string[][], of: Holiday['of'], every: [string, string]): void {
  HOLIDAYS.push({ words, holiday: { label, of, every: { kind: 'annual', from: every[0], to: every[1] } } });
}
{
  const newYear = ['new year', "new year's", 'new years'];
  const nye = [...newYear.map((w) => `${w} eve`), 'nye'];
  const split = (list: string[]) => list.map((w) => w.split(' '));
  holiday("New Year's Eve", split(nye), (y) => range(`${pad(y, 4)}-12-31`, `${pad(y + 1, 4)}-01-01T05:59:59`), ['12-31', '01-01T05:59:59']);
  holiday("New Year's Day", split(newYear.map((w) => `${w} day`)), (y) => range(`${pad(y, 4)}-01-01`, `${pad(y, 4)}-01-01`), ['01-01', '01-01']);
  holiday('New Year', split(newYear), (y) => range(`${pad(y - 1, 4)}-12-31`, `${pad(y, 4)}-01-01`), ['12-31', '01-01']);
  holiday('Christmas Eve', split(['christmas eve', 'xmas eve']), (y) => range(`${pad(y, 4)}-12-24`, `${pad(y, 4)}-12-24`), ['12-24', '12-24']);
  holiday('Christmas Day', split(['christmas day', 'xmas day']), (y) => range(`${pad(y, 4)}-12-25`, `${pad(y, 4)}-12-25`), ['12-25', '12-25']);
  holiday('Christmas', split(['christmas', 'xmas', 'christmastime']), (y) => range(`${pad(y, 4)}-12-24`, `${pad(y, 4)}-12-26`), ['12-24', '12-26']);
  holiday('Halloween', split(['halloween']), (y) => range(`${pad(y, 4)}-10-31`, `${pad(y, 4)}-10-31`), ['10-31', '10-31']);
  // Longest phrases first, so "New Year's Eve" is not read as "New Year".
  HOLIDAYS.sort((a, b) => Math.max(...b.words.map((w) => w.length)) - Math.max(...a.words.map((w) => w.length)));
}

// ---------------------------------------------------------------------------------------------
// The vocabulary, compiled: place names by their first word, camera words.

interface PlaceEntry {
  words: string[];
  name: string;
  /** The places the name names, the narrowest only (a city, not also its region of the same name). */
  keys: string[];
  /** The places those lie within. */
  within: Set<string>;
  everyday: boolean;
}

interface CameraEntry {
  camera: CameraName;
  words: Set<string>;
}

interface PersonEntry {
  words: string[];
  name: string;
  ids: number[];
  /** Every word an everyday one (or a first name that is one): it needs a capital. */
  everyday: boolean;
}

export interface CompiledVocabulary {
  readonly compiled: true;
  places: Map<string, PlaceEntry[]>;
  cameras: CameraEntry[];
  /** A camera word's spelling in the library ("iphone" → "iPhone"). */
  spelling: Map<string, string>;
  /** People's names by their first word, longest first. */
  people: Map<string, PersonEntry[]>;
}

const wordsOf = (s: string) => tokenize(s).map((t) => t.n);

/** Compiles a vocabulary for parsing (the engine keeps one per library state; parsing then costs microseconds). */
export function compileVocabulary(v: QueryVocabulary = {}): CompiledVocabulary {
  const byWords = new Map<string, PlaceEntry & { of: Map<string, Set<string>> }>();
  for (const p of v.places ?? []) {
    const words = wordsOf(p.name);
    if (words.length === 0) continue;
    const k = words.join(' ');
    let e = byWords.get(k);
    if (!e) {
      e = { words, name: p.name.trim(), keys: [], within: new Set(), everyday: words.every((w) => EVERYDAY.has(w) || w.length <= 2 || /^\d+$/.test(w)), of: new Map() };
      byWords.set(k, e);
    }
    const within = e.of.get(p.key) ?? new Set<string>();
    for (const w of p.within ?? []) within.add(w);
    e.of.set(p.key, within);
  }
  const places = new Map<string, PlaceEntry[]>();
  for (const { of, ...e } of byWords.values()) {
    // "Lisbon" names the city and its district: the city ("New York" the city, not the state).
    for (const [key, within] of of) {
      if ([...of.values()].some((w) => w.has(key))) continue;
      e.keys.push(key);
      for (const w of within) e.within.add(w);
    }
    const list = places.get(e.words[0]!) ?? [];
    list.push(e);
    places.set(e.words[0]!, list);
  }
  for (const list of places.values()) list.sort((a, b) => b.words.length - a.words.length);
  const cameras: CameraEntry[] = [];
  const spelling = new Map<string, string>();
  for (const c of v.cameras ?? []) {
    const make = tokenize(c.make ?? '');
    const toks = [...make, ...tokenize(c.model ?? '')];
    if (toks.length === 0) continue;
    toks.forEach((t, k) => {
      const nice = /^\p{Lu}{4,}$/u.test(t.raw) ? t.raw[0] + t.raw.slice(1).toLowerCase() : t.raw;
      // The model's spelling wins over the make's ("iPhone" over nothing, "Canon" the same).
      if (!spelling.has(t.n) || k >= make.length) spelling.set(t.n, nice);
    });
    cameras.push({ camera: { make: c.make, model: c.model }, words: new Set(toks.map((t) => t.n)) });
  }
  return { compiled: true, places, cameras, spelling, people: compilePeople(v.people ?? []) };
}

/**
 * People's names for parsing: each whole name (the people of one name together), and a first name alone for
 * the people whose names start with it, where nobody is called just that ("Mia" for "Mia Jensen").
 */
function compilePeople(list: readonly PersonName[]): Map<string, PersonEntry[]> {
  const everyday = (words: string[]) => words.every((w) => EVERYDAY.has(w) || NAME_WORDS.has(w) || /^\d+$/.test(w));
  const whole = new Map<string, PersonEntry>();
  const firsts = new Map<string, PersonEntry>();
  for (const p of list) {
    const toks = tokenize(p.name);
    const words = toks.map((t) => t.n);
    if (words.length === 0) continue;
    const k = words.join(' ');
    let e = whole.get(k);
    if (!e) whole.set(k, (e = { words, name: p.name.trim().replace(/\s+/g, ' '), ids: [], everyday: everyday(words) }));
    if (!e.ids.includes(p.id)) e.ids.push(p.id);
    if (words.length > 1) {
      let f = firsts.get(words[0]!);
      if (!f) firsts.set(words[0]!, (f = { words: [words[0]!], name: toks[0]!.raw, ids: [], everyday: everyday([words[0]!]) }));
      if (!f.ids.includes(p.id)) f.ids.push(p.id);
    }
  }
  for (const [w, f] of firsts) if (!whole.has(w)) whole.set(w, f);
  const out = new Map<string, PersonEntry[]>();
  for (const e of whole.values()) {
    const list = out.get(e.words[0]!) ?? [];
    list.push(e);
    out.set(e.words[0]!, list);
  }
  for (const list of out.values()) list.sort((a, b) => b.words.length - a.words.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The parser.

interface Match<T> {
  /** The first token of the part (its preposition) and one past its last. */
  from: number;
  end: number;
  value: T;
  label: string;
  /** Where the part starts in the query, when before its first token (the "&" of "Mia & Tom"). */
  start?: number;
}

interface DateValue {
  date: DateConstraint;
  label: string;
}

/** A point in time as written: a year, a month (of a year or every year), a day. */
interface Point {
  end: number;
  y?: number;
  m?: number;
  d?: number;
  /** A decade ("1990s"): y is its first year. */
  decade?: boolean;
  /** A lone weak word (may, march, an abbreviation). */
  weak: boolean;
  /** How it was written, for the label. */
  label: string;
}

class Parser {
  private readonly toks: Token[];
  private readonly today: Ymd;
  private readonly taken: boolean[];
  private readonly caseTells: boolean;
  /** The places each place part's places lie within (for narrowing; not part of the part). */
  readonly within = new Map<QueryPart, string[]>();

  constructor(
    private readonly query: string,
    now: Date,
    private readonly vocab: CompiledVocabulary,
    blocked: ReadonlySet<number>,
  ) {
    this.toks = tokenize(query);
    this.today = { y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() };
    this.taken = this.toks.map((_, i) => blocked.has(i));
    // Text case says something when there are lower-case letters and not Every Word Is Capitalised.
    const words = this.toks.filter((t) => /^\p{L}/u.test(t.raw));
    this.caseTells = /\p{Ll}/u.test(query) && words.length > 0 && !words.every(isCapitalised);
  }

  private n(i: number): string | undefined {
    return this.toks[i]?.n;
  }

  private free(from: number, end: number): boolean {
    for (let i = from; i < end; i++) if (this.taken[i] || !this.toks[i]) return false;
    return true;
  }

  run(): QueryPart[] {
    const parts: QueryPart[] = [];
    const claim = (m: Match<unknown>, make: (base: PartBase) => QueryPart): QueryPart => {
      for (let i = m.from; i < m.end; i++) this.taken[i] = true;
      const start = m.start ?? this.toks[m.from]!.start;
      const end = this.toks[m.end - 1]!.end;
      const part = make({ start, end, text: this.query.slice(start, end), label: m.label });
      parts.push(part);
      return part;
    };
    this.scan((i) => this.camera(i), (m) => claim(m, (b) => ({ ...b, kind: 'camera', cameras: m.value })));
    this.scan(
      (i) => this.person(i),
      (m) => {
        claim(m, (b) => ({ ...b, kind: 'person', name: m.value.name, ids: m.value.ids, join: m.value.join }));
        this.lastPersonEnd = m.end;
      },
    );
    this.scan((i) => this.dateAt(i), (m) => claim(m, (b) => ({ ...b, kind: 'date', date: m.value.date })));
    this.scan(
      (i) => this.place(i),
      (m) => this.within.set(claim(m, (b) => ({ ...b, kind: 'place', name: m.value.name, keys: m.value.keys })), m.value.within),
    );
    parts.sort((a, b) => a.start - b.start);
    return parts;
  }

  /** Tries `match` at each free token, left to right; a match takes its tokens. */
  private scan<T>(match: (i: number) => Match<T> | null, take: (m: Match<T>) => void): void {
    for (let i = 0; i < this.toks.length; i++) {
      if (this.taken[i]) continue;
      const m = match(i);
      if (m && this.free(m.from, m.end)) {
        take(m);
        i = m.end - 1;
      }
    }
  }

  // ----- dates

  private dateAt(i: number): Match<DateValue> | null {
    const prep = this.n(i);
    if (prep && DATE_PREPS.has(prep) && !this.taken[i + 1]) {
      let j = i + 1;
      if (this.n(j) === 'the' && !this.taken[j + 1]) j++;
      const e = this.expression(j, true);
      if (e && this.free(i, e.end)) return { from: i, end: e.end, value: e.value, label: e.value.label };
    }
    const e = this.expression(i, false);
    if (!e) return null;
    if (e.weak && !(e.from === 0 && e.end === this.toks.length)) return null;
    return { from: i, end: e.end, value: e.value, label: e.value.label };
  }

  /** A date expression at i; `weak` when it is a lone weak word that needs a preposition or the whole query. */
  private expression(i: number, evidence: boolean): (Match<DateValue> & { weak: boolean }) | null {
    const w = this.n(i);
    if (w === undefined || this.taken[i]) return null;
    const strong = (end: number, date: DateConstraint, label: string) => ({ from: i, end, value: { date, label }, label, weak: false });

    // between A and B
    if (w === 'between') {
      const a = this.point(i + 1);
      if (a && this.n(a.end) === 'and') {
        const b = this.point(a.end + 1);
        const r = a && b ? this.span(a, b) : null;
        if (r) return strong(b!.end, r.date, r.label);
      }
      return null;
    }
    // since / after / before / until A
    if (w === 'since' || w === 'after' || w === 'before' || w === 'until' || w === 'till') {
      const a = this.point(i + 1);
      if (!a || a.y === undefined) return null;
      const [from, to] = this.bounds(a);
      const label = `${w[0]!.toUpperCase()}${w.slice(1)} ${a.label}`;
      if (w === 'since') return strong(a.end, range(from, null), label);
      if (w === 'after') return strong(a.end, range(iso(addDays(parseYmd(to), 1)), null), label);
      if (w === 'before') return strong(a.end, range(null, iso(addDays(parseYmd(from), -1))), label);
      return strong(a.end, range(null, to), label);
    }
    const rel = this.relative(i);
    if (rel) return { ...rel, from: i, weak: false };
    const hol = this.holiday(i);
    if (hol) return { ...hol, from: i, weak: false };
    const season = this.season(i, evidence);
    if (season) return { ...season, from: i, weak: false };
    const a = this.point(i);
    if (!a) return null;
    // A to B, A - B
    const to = this.n(a.end);
    const next = this.toks[a.end];
    if (next && !this.taken[a.end]) {
      if ((to === 'to' || to === 'until' || to === 'till' || to === 'through' || to === 'thru') && plainGap(next.gap)) {
        const b = this.point(a.end + 1);
        const r = b ? this.span(a, b) : null;
        if (r) return strong(b!.end, r.date, r.label);
      } else if (dashGap(next.gap)) {
        const b = this.point(a.end);
        const r = b ? this.span(a, b) : null;
        if (r) return strong(b!.end, r.date, r.label);
      }
    }
    const [from, toDay] = a.y === undefined ? [null, null] : this.bounds(a);
    const date: DateConstraint =
      a.y !== undefined
        ? range(from, toDay)
        : a.d !== undefined
          ? { kind: 'annual', from: `${pad(a.m!)}-${pad(a.d)}`, to: `${pad(a.m!)}-${pad(a.d)}` }
          : { kind: 'annual', from: `${pad(a.m!)}-01`, to: `${pad(a.m!)}-${pad(a.m === 2 ? 29 : lastDay(2001, a.m!))}` };
    return { from: i, end: a.end, value: { date, label: a.label }, label: a.label, weak: a.weak && !evidence };
  }

  /** The first and last day of a point with a year. */
  private bounds(p: Point): [string, string] {
    const y = p.y!;
    if (p.m === undefined) return p.decade ? [`${pad(y, 4)}-01-01`, `${pad(y + 9, 4)}-12-31`] : [`${pad(y, 4)}-01-01`, `${pad(y, 4)}-12-31`];
    if (p.d === undefined) return [iso({ y, m: p.m, d: 1 }), iso({ y, m: p.m, d: lastDay(y, p.m) })];
    return [iso({ y, m: p.m, d: p.d }), iso({ y, m: p.m, d: p.d })];
  }

  /** From A to B: a year at one end holds for the other; without any, every year. */
  private span(a: Point, b: Point): { date: DateConstraint; label: string } | null {
    if (b.y === undefined && b.m === undefined) return null;
    if (a.y === undefined && a.m === undefined) return null;
    // "2016 to May" reads oddly; "May to 2019" too: both ends of one kind, or months with a year on one side.
    if ((a.m === undefined) !== (b.m === undefined)) return null;
    let ya = a.y;
    let yb = b.y;
    if (ya === undefined && yb !== undefined) ya = a.m! > b.m! || (a.m === b.m && (a.d ?? 0) > (b.d ?? 99)) ? yb - 1 : yb;
    if (yb === undefined && ya !== undefined) yb = b.m! < a.m! ? ya + 1 : ya;
    const label = `${a.label}–${b.label}`;
    if (ya === undefined || yb === undefined) {
      const from = `${pad(a.m!)}-${pad(a.d ?? 1)}`;
      const to = `${pad(b.m!)}-${pad(b.d ?? (b.m === 2 ? 29 : lastDay(2001, b.m!)))}`;
      return { date: { kind: 'annual', from, to }, label };
    }
    const from = this.bounds({ ...a, y: ya })[0];
    const to = this.bounds({ ...b, y: yb })[1];
    if (from > to) return null;
    return { date: range(from, to), label };
  }

  private year(i: number): number | null {
    const t = this.toks[i];
    if (!t || this.taken[i] || !/^\d{4}$/.test(t.raw)) return null;
    const y = Number(t.raw);
    if (y < 1839 || y > this.today.y + 1) return null;
    const before = this.toks[i - 1];
    if (before && NUMBER_NOUNS.has(before.n) && plainGap(t.gap)) return null;
    if (/#\s*$/.test(t.gap)) return null;
    const after = this.toks[i + 1];
    if (after && COUNT_NOUNS.has(after.n) && plainGap(after.gap)) return null;
    return y;
  }

  private day(i: number): number | null {
    const t = this.toks[i];
    if (!t || this.taken[i]) return null;
    const m = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(t.n);
    if (!m) return null;
    const d = Number(m[1]);
    return d >= 1 && d <= 31 ? d : null;
  }

  private month(i: number): { m: number; weak: boolean } | null {
    const t = this.toks[i];
    if (!t || this.taken[i]) return null;
    return MONTHS[t.n] ?? null;
  }

  /** A year, decade, month (day, year), day month (year) or ISO date at i. */
  private point(i: number): Point | null {
    const t = this.toks[i];
    if (!t || this.taken[i]) return null;
    const y = this.year(i);
    // ISO: 2019-05-04, 2019-05
    if (y !== null) {
      const mt = this.toks[i + 1];
      if (mt && /^\d{2}$/.test(mt.raw) && mt.gap === '-' && Number(mt.raw) >= 1 && Number(mt.raw) <= 12) {
        const m = Number(mt.raw);
        const dt = this.toks[i + 2];
        if (dt && /^\d{2}$/.test(dt.raw) && dt.gap === '-' && Number(dt.raw) >= 1 && Number(dt.raw) <= lastDay(y, m)) {
          return { end: i + 3, y, m, d: Number(dt.raw), weak: false, label: `${Number(dt.raw)} ${MONTH_NAMES[m - 1]} ${y}` };
        }
        return { end: i + 2, y, m, weak: false, label: `${MONTH_NAMES[m - 1]} ${y}` };
      }
      return { end: i + 1, y, weak: false, label: String(y) };
    }
    // A decade: 1990s
    const dec = /^(1[89]\d|20\d)0s$/.exec(t.n);
    if (dec) return { end: i + 1, y: Number(dec[1]) * 10, decade: true, weak: false, label: t.n };
    // Month [day][,] [year] / month [of] year
    const mo = this.month(i);
    if (mo) {
      const name = MONTH_NAMES[mo.m - 1]!;
      let j = i + 1;
      const d = this.toks[j] && phraseGap(this.toks[j]!.gap) && !this.toks[j]!.gap.includes(',') ? this.day(j) : null;
      if (d !== null && d <= lastDay(2000, mo.m)) j++;
      if (this.n(j) === 'of' && d === null && this.year(j + 1) !== null) j++;
      const yt = this.toks[j];
      const yy = yt && phraseGap(yt.gap) ? this.year(j) : null;
      if (yy !== null) j++;
      if (d !== null && yy !== null && d > lastDay(yy, mo.m)) return null;
      const label = [d !== null ? `${name} ${d}` : name, yy !== null ? String(yy) : ''].filter(Boolean).join(d !== null && yy !== null ? ', ' : ' ');
      return { end: j, y: yy ?? undefined, m: mo.m, d: d ?? undefined, weak: mo.weak && d === null && yy === null, label };
    }
    // Day [of] month [year]
    const d = this.day(i);
    if (d !== null) {
      let j = i + 1;
      if (this.n(j) === 'of') j++;
      const m2 = this.toks[j] && plainGap(this.toks[j]!.gap) ? this.month(j) : null;
      if (!m2 || d > lastDay(2000, m2.m)) return null;
      j++;
      const yt = this.toks[j];
      const yy = yt && phraseGap(yt.gap) ? this.year(j) : null;
      if (yy !== null) j++;
      if (yy !== null && d > lastDay(yy, m2.m)) return null;
      return { end: j, y: yy ?? undefined, m: m2.m, d, weak: false, label: `${d} ${MONTH_NAMES[m2.m - 1]}${yy !== null ? ` ${yy}` : ''}` };
    }
    return null;
  }

  /** summer [of] 2018, or a lone season after a preposition ("in summer"). */
  private season(i: number, evidence: boolean): Omit<Match<DateValue>, 'from'> | null {
    const s = SEASON_WORDS[this.n(i) ?? ''];
    if (!s || this.taken[i]) return null;
    let j = i + 1;
    if (this.n(j) === 'of') j++;
    const y = this.toks[j] && plainGap(this.toks[j]!.gap) ? this.year(j) : null;
    const name = s[0]!.toUpperCase() + s.slice(1);
    if (y !== null) return { end: j + 1, value: { date: seasonDates(s, y), label: `${name} ${y}` }, label: `${name} ${y}` };
    if (!evidence) return null;
    return { end: i + 1, value: { date: seasonDates(s, null), label: name }, label: name };
  }

  private holiday(i: number): Omit<Match<DateValue>, 'from'> | null {
    for (const { words, holiday: h } of HOLIDAYS) {
      for (const w of words) {
        if (!w.every((word, k) => this.n(i + k) === word && !this.taken[i + k] && (k === 0 || plainGap(this.toks[i + k]!.gap)))) continue;
        const j = i + w.length;
        const y = this.toks[j] && phraseGap(this.toks[j]!.gap) ? this.year(j) : null;
        if (y !== null) return { end: j + 1, value: { date: h.of(y), label: `${h.label} ${y}` }, label: `${h.label} ${y}` };
        return { end: j, value: { date: h.every, label: h.label }, label: h.label };
      }
    }
    return null;
  }

  /** today, yesterday, this/last/past …, N units ago. */
  private relative(i: number): Omit<Match<DateValue>, 'from'> | null {
    const w = this.n(i);
    const t = this.today;
    const one = (end: number, date: DateConstraint, label: string) => ({ end, value: { date, label }, label });
    if (w === 'today' || w === 'tonight') return one(i + 1, range(iso(t), iso(t)), 'Today');
    if (w === 'yesterday') {
      const d = iso(addDays(t, -1));
      return one(i + 1, range(d, d), 'Yesterday');
    }
    // N units ago
    const count = (k: number) => {
      const s = this.n(k);
      if (s === undefined || this.taken[k]) return null;
      if (/^\d{1,3}$/.test(s)) return Number(s);
      return NUMBER_WORDS[s] ?? null;
    };
    const n = count(i);
    if (n !== null && UNITS[this.n(i + 1) ?? ''] && this.n(i + 2) === 'ago' && !this.taken[i + 1] && !this.taken[i + 2]) {
      const unit = UNITS[this.n(i + 1)!]!;
      const said = this.toks[i]!.raw;
      const label = `${said[0]!.toUpperCase()}${said.slice(1)} ${this.toks[i + 1]!.raw} ago`;
      return one(i + 3, this.calendarUnit(unit, -n), label);
    }
    if (w !== 'last' && w !== 'past' && w !== 'this' && w !== 'previous') return null;
    const cap = w[0]!.toUpperCase() + w.slice(1);
    // last/past N units: rolling, up to today.
    const k = count(i + 1);
    if ((w === 'last' || w === 'past') && k !== null && this.n(i + 1) !== 'a' && UNITS[this.n(i + 2) ?? ''] && !this.taken[i + 2]) {
      return one(i + 3, this.rolling(UNITS[this.n(i + 2)!]!, k), `${cap} ${this.toks[i + 1]!.raw} ${this.toks[i + 2]!.raw}`);
    }
    const what = this.n(i + 1);
    if (what === undefined || this.taken[i + 1]) return null;
    const label = `${cap} ${what}`;
    const unit = UNITS[what];
    if (unit && !what.endsWith('s')) {
      if (w === 'past') return one(i + 2, this.rolling(unit, 1), label);
      return one(i + 2, this.calendarUnit(unit, w === 'this' ? 0 : -1), label);
    }
    if (what === 'weekend') {
      const thisSaturday = addDays(t, 5 - weekday(t));
      if (w === 'this') return one(i + 2, range(iso(thisSaturday), iso(addDays(thisSaturday, 1))), label);
      // The weekend before this week's (on a Sunday too: this one is not over).
      const sat = addDays(thisSaturday, -7);
      return one(i + 2, range(iso(sat), iso(addDays(sat, 1))), label);
    }
    if (w === 'past') return null;
    const season = SEASON_WORDS[what];
    if (season) {
      if (w === 'this') return one(i + 2, seasonDates(season, t.y), label);
      const north = latestBefore(t, (y) => seasonWindow(season, 'north', y) as DateRange);
      const south = latestBefore(t, (y) => seasonWindow(season, 'south', y) as DateRange);
      return one(i + 2, { kind: 'season', season, year: null, north, south }, label);
    }
    const month = MONTHS[what];
    if (month) {
      const name = `${cap} ${MONTH_NAMES[month.m - 1]}`;
      if (w === 'this') return one(i + 2, monthRange(t.y, month.m), name);
      return one(i + 2, latestBefore(t, (y) => monthRange(y, month.m)), name);
    }
    const hol = this.holiday(i + 1);
    if (hol && hol.value.date.kind === 'annual') {
      const found = HOLIDAYS.find((h) => h.holiday.label === hol.label)!.holiday;
      const hl = `${cap} ${found.label}`;
      if (w === 'this') return one(hol.end, found.of(t.y), hl);
      return one(hol.end, latestBefore(t, found.of), hl);
    }
    return null;
  }

  /** The calendar day, week (Monday–Sunday), month or year `offset` units from today's. */
  private calendarUnit(unit: 'day' | 'week' | 'month' | 'year', offset: number): DateRange {
    const t = this.today;
    if (unit === 'day') {
      const d = iso(addDays(t, offset));
      return range(d, d);
    }
    if (unit === 'week') {
      const monday = addDays(t, -weekday(t) + 7 * offset);
      return range(iso(monday), iso(addDays(monday, 6)));
    }
    if (unit === 'month') {
      const m = addMonths(t.y, t.m, offset);
      return monthRange(m.y, m.m);
    }
    return yearRange(t.y + offset);
  }

  /** The last `n` units up to today ("past 3 months": from the day after today's date three months ago). */
  private rolling(unit: 'day' | 'week' | 'month' | 'year', n: number): DateRange {
    const t = this.today;
    let start: Ymd;
    if (unit === 'day') start = addDays(t, -(n - 1));
    else if (unit === 'week') start = addDays(t, -(7 * n - 1));
    else {
      const m = addMonths(t.y, t.m, unit === 'month' ? -n : -12 * n);
      start = addDays({ y: m.y, m: m.m, d: Math.min(t.d, lastDay(m.y, m.m)) }, 1);
    }
    return range(iso(start), iso(t));
  }

  // ----- places

  private place(i: number): Match<{ name: string; keys: string[]; within: string[] }> | null {
    const prep = this.n(i);
    if (prep && PLACE_PREPS.has(prep)) {
      const m = this.placeName(i + 1, true);
      if (m) return { ...m, from: i };
    }
    return this.placeName(i, false);
  }

  private placeName(i: number, afterPrep: boolean): Match<{ name: string; keys: string[]; within: string[] }> | null {
    const first = this.toks[i];
    if (!first || this.taken[i]) return null;
    for (const e of this.vocab.places.get(first.n) ?? []) {
      const end = i + e.words.length;
      let ok = end <= this.toks.length;
      for (let k = 1; ok && k < e.words.length; k++) ok = this.toks[i + k]!.n === e.words[k] && !this.taken[i + k] && innerGap(this.toks[i + k]!.gap);
      if (!ok) continue;
      if (e.everyday) {
        const capital = isCapitalised(first);
        const fine = this.caseTells ? capital && (afterPrep || i > 0) : afterPrep;
        if (!fine) continue;
      }
      return { from: i, end, value: { name: e.name, keys: e.keys, within: [...e.within] }, label: e.name };
    }
    return null;
  }

  // ----- people

  /** One past the last token of the latest person found (a next one may join it: "Mia and Tom"). */
  private lastPersonEnd = -1;

  private person(i: number): Match<{ name: string; ids: number[]; join: 'and' | 'or' | null }> | null {
    if (this.vocab.people.size === 0) return null;
    const w = this.n(i);
    if (w === undefined) return null;
    const tok = this.toks[i]!;
    const joined = i === this.lastPersonEnd;
    const value = (m: Match<{ name: string; ids: number[] }>, join: 'and' | 'or' | null) => ({ ...m, value: { ...m.value, join } });
    // … and Tom, … or Tom, … & Tom, …, Tom: joined to the person before.
    if (joined && (w === 'and' || w === 'or') && /^\s*,?\s*$/u.test(tok.gap) && this.toks[i + 1] && plainGap(this.toks[i + 1]!.gap)) {
      const m = this.personName(i + 1, true);
      if (m) return value({ ...m, from: i }, w);
    }
    if (joined && /^\s*[&+,]\s*$/u.test(tok.gap)) {
      const m = this.personName(i, true);
      if (m) return value({ ...m, start: tok.start - tok.gap.length + tok.gap.search(/\S/u) }, 'and');
    }
    // with Tom, of Tom, photos of Tom
    if (PERSON_PREPS.has(w) && this.toks[i + 1] && plainGap(this.toks[i + 1]!.gap)) {
      const m = this.personName(i + 1, true);
      if (m) {
        const noun = w === 'of' && i > 0 && !this.taken[i - 1] && PHOTO_NOUNS.has(this.n(i - 1)!) && plainGap(tok.gap);
        return value({ ...m, from: noun ? i - 1 : i }, null);
      }
    }
    const m = this.personName(i, false);
    return m ? value(m, null) : null;
  }

  /** A named person's name at i: whole names, longest first; a last word may be possessive ("Mia's"). */
  private personName(i: number, evidence: boolean): Match<{ name: string; ids: number[] }> | null {
    const first = this.toks[i];
    if (!first || this.taken[i]) return null;
    const bare = (s: string) => s.replace(/'s?$/u, '');
    const lists = [this.vocab.people.get(first.n), bare(first.n) !== first.n ? this.vocab.people.get(bare(first.n)) : undefined];
    for (const list of lists) {
      for (const e of list ?? []) {
        const end = i + e.words.length;
        if (end > this.toks.length) continue;
        let ok = true;
        for (let k = 0; ok && k < e.words.length; k++) {
          const t = this.toks[i + k]!;
          const word = k === e.words.length - 1 ? bare(t.n) : t.n;
          ok = !this.taken[i + k] && (word === e.words[k] || t.n === e.words[k]) && (k === 0 || innerGap(t.gap));
        }
        if (!ok) continue;
        // An everyday word is a name only with a capital ("with Rose", not "cake with rose petals").
        if (e.everyday && !isCapitalised(first)) continue;
        if (!evidence && !this.personHere(i, end, e)) continue;
        return { from: i, end, value: { name: e.name, ids: e.ids }, label: e.name };
      }
    }
    return null;
  }

  /**
   * Whether a name found without a preposition or a person before it is a person there: not when it is a
   * date there ("June 2019", "in May"), nor a place after a place's preposition ("in Florence"); an everyday
   * word (capitalised) at the query's start must be all of it or be followed by "and", "at", "with"…, and
   * where case says nothing (ALL CAPITALS, Every Word Capitalised) be all of the query.
   */
  private personHere(i: number, end: number, e: PersonEntry): boolean {
    const date = this.dateAt(i) ?? (i > 0 && !this.taken[i - 1] ? this.dateAt(i - 1) : null);
    if (date && date.end > i) return false;
    const prep = this.n(i - 1);
    if (prep && PLACE_PREPS.has(prep) && this.vocab.places.get(e.words[0]!)?.some((p) => p.words.join(' ') === e.words.join(' '))) return false;
    if (!e.everyday) return true;
    const whole = i === 0 && end === this.toks.length;
    if (!this.caseTells) return whole;
    return whole || i > 0 || PERSON_NEXT.has(this.n(end) ?? '');
  }

  // ----- cameras

  private camera(i: number): Match<CameraName[]> | null {
    const w = this.n(i);
    if (w === undefined) return null;
    // shot on (my) X, taken with a X, with my X, on my X, using X
    let j = i;
    let strong = false;
    if (CAMERA_VERBS.has(w) && CAMERA_PREPS.has(this.n(i + 1) ?? '')) {
      j = i + 2;
      strong = true;
      if (DETERMINERS.has(this.n(j) ?? '')) j++;
    } else if (CAMERA_PREPS.has(w)) {
      j = i + 1;
      if (POSSESSIVES.has(this.n(j) ?? '')) {
        strong = true;
        j++;
      } else if (DETERMINERS.has(this.n(j) ?? '')) j++;
      if (w === 'by' || w === 'from') {
        if (!strong) return null;
      }
    }
    if (j > i) {
      if (!this.free(i, j)) return null;
      const c = this.cameraWords(j, strong);
      return c ? { ...c, from: i } : null;
    }
    // X photos
    const c = this.cameraWords(i, false);
    if (c && CAMERA_AFTER.has(this.n(c.end) ?? '')) return c;
    return null;
  }

  /** The longest run of words at i that are all words of one of the library's cameras. */
  private cameraWords(i: number, strong: boolean): Match<CameraName[]> | null {
    if (this.vocab.cameras.length === 0) return null;
    const first = this.toks[i];
    if (!first || this.taken[i] || /^\d+$/.test(first.n)) return null;
    let best: { end: number; cameras: CameraName[] } | null = null;
    for (let end = i + 1; end <= Math.min(this.toks.length, i + 5); end++) {
      if (this.taken[end - 1] || (end - 1 > i && !innerGap(this.toks[end - 1]!.gap))) break;
      const words = this.toks.slice(i, end).map((t) => t.n);
      const cameras = this.vocab.cameras.filter((c) => words.every((w) => c.words.has(w))).map((c) => c.camera);
      if (cameras.length === 0) break;
      best = { end, cameras };
    }
    if (!best) return null;
    const words = this.toks.slice(i, best.end).map((t) => t.n);
    if (!strong && words.every((w) => EVERYDAY.has(w) || /^\d+$/.test(w))) return null;
    const label = words.map((w) => this.vocab.spelling.get(w) ?? w).join(' ');
    let end = best.end;
    if (CAMERA_TRAILING.has(this.n(end) ?? '') && !this.taken[end]) end++;
    return { from: i, end, value: best.cameras, label };
  }
}

function parseYmd(s: string): Ymd {
  return { y: Number(s.slice(0, 4)), m: Number(s.slice(5, 7)), d: Number(s.slice(8, 10)) };
}

/**
 * The query with these spans taken out, tidied: the connectives ("and", "in", "of"…) and punctuation
 * beside a span taken out go with it ("Lisbon and Porto beach" → "beach"), an article left at either
 * end too, and whitespace runs are one space. Nothing taken out: the query as it is.
 */
function cut(query: string, spans: readonly { start: number; end: number }[]): string {
  if (spans.length === 0) return query;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  let at = 0;
  for (const s of [...sorted, { start: query.length, end: query.length }]) {
    let piece = query.slice(at, s.start);
    if (at > 0) piece = trimEdge(piece, 'start');
    if (s.start < query.length) piece = trimEdge(piece, 'end');
    pieces.push(piece);
    at = s.end;
  }
  let out = pieces.join(' ').replace(/\s+/g, ' ').trim();
  out = out.replace(/^(?:the|a|an)\s+/i, '').replace(/\s+(?:the|a|an)$/i, '');
  return out.replace(/\s+,/g, ',').trim();
}

/** Drops connectives and punctuation from one end of a piece of text. */
function trimEdge(piece: string, edge: 'start' | 'end'): string {
  for (;;) {
    const before = piece;
    piece = edge === 'start' ? piece.replace(/^[\s,;:&+\-–—]+/u, '') : piece.replace(/[\s,;:&+\-–—]+$/u, '');
    const m = edge === 'start' ? /^(\S+)(\s+|$)/.exec(piece) : /(^|\s+)([^\s]+)$/.exec(piece);
    const word = m ? (edge === 'start' ? m[1]! : m[2]!) : '';
    if (m && CONNECTIVES.has(foldText(word).replace(/[,;:]+$/, ''))) piece = edge === 'start' ? piece.slice(m[0].length) : piece.slice(0, m.index);
    if (piece === before) return piece;
  }
}

/** What is left for search: '' when only filler words are ("photos taken in 2019" → ''). */
function rest(query: string, spans: readonly { start: number; end: number }[]): string {
  const out = cut(query, spans);
  return spans.length > 0 && tokenize(out).every((t) => FILLER.has(t.n)) ? '' : out;
}

/** Parses a query: what it says of time, place and camera, and the words left for search. */
export function parseQuery(query: string, opts: ParseOptions): ParsedQuery {
  const vocab = opts.vocabulary && 'compiled' in opts.vocabulary ? opts.vocabulary : compileVocabulary(opts.vocabulary as QueryVocabulary | undefined);
  const literal = new Set((opts.literal ?? []).map((l) => wordsOf(l).join(' ')).filter(Boolean));
  const blocked = new Set<number>();
  let parts: QueryPart[] = [];
  let within = new Map<QueryPart, string[]>();
  // A part kept literal frees nothing: its tokens are blocked and the query read again without them.
  for (let pass = 0; pass <= literal.size; pass++) {
    const parser = new Parser(query, opts.now, vocab, blocked);
    parts = parser.run();
    within = parser.within;
    const kept = parts.filter((p) => literal.has(wordsOf(p.text).join(' ')) || literal.has(wordsOf(p.label).join(' ')));
    if (kept.length === 0) break;
    const toks = tokenize(query);
    for (const p of kept) toks.forEach((t, k) => t.start >= p.start && t.end <= p.end && blocked.add(k));
    parts = parts.filter((p) => !kept.includes(p));
  }
  const placeParts = parts.filter((p): p is PlacePart => p.kind === 'place');
  // A place another named place lies within stands for nothing more: the narrower one is the filter.
  const narrowest = placeParts.filter((p) => !placeParts.some((q) => q !== p && (within.get(q) ?? []).some((k) => p.keys.includes(k))));
  const placeKeys = placeParts.length ? [...new Set(narrowest.flatMap((p) => p.keys))] : null;
  const cameraParts = parts.filter((p): p is CameraPart => p.kind === 'camera');
  const cameras = cameraParts.length ? dedupeCameras(cameraParts.flatMap((p) => p.cameras)) : null;
  const people: number[][] = [];
  for (const p of parts) {
    if (p.kind !== 'person') continue;
    const last = people.at(-1);
    if (p.join === 'or' && last) last.push(...p.ids.filter((id) => !last.includes(id)));
    else people.push([...p.ids]);
  }
  return {
    query,
    text: rest(
      query,
      parts.map((p) => ({ start: p.start, end: p.end })),
    ),
    parts,
    dates: parts.filter((p): p is DatePart => p.kind === 'date').map((p) => p.date),
    placeKeys,
    cameras,
    people,
  };
}

function dedupeCameras(list: CameraName[]): CameraName[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = JSON.stringify([c.make, c.model]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The query without one understood part: its words taken out (a chip removed that should not stay as words). */
export function withoutPart(query: string, part: Pick<QueryPart, 'start' | 'end'>): string {
  return cut(query, [part]);
}

/** What a parsed query understood, for `search --json` and the window; null when nothing was. */
export function understood(p: ParsedQuery): Understood | null {
  if (p.parts.length === 0) return null;
  let from: string | null = null;
  let to: string | null = null;
  let every: { from: string; to: string } | null = null;
  let season: SeasonDates | null = null;
  for (const d of p.dates) {
    const w = d.kind === 'season' ? d.north : d;
    if (d.kind === 'season') season ??= d;
    if (w.kind === 'annual') {
      every ??= { from: w.from, to: w.to };
      continue;
    }
    if (w.from !== null && (from === null || w.from > from)) from = w.from;
    if (w.to !== null && (to === null || w.to < to)) to = w.to;
  }
  const places = p.parts.filter((x): x is PlacePart => x.kind === 'place').map((x) => x.name);
  const cameras = p.parts.filter((x): x is CameraPart => x.kind === 'camera').map((x) => x.label);
  let people = '';
  for (const x of p.parts) if (x.kind === 'person') people += people ? ` ${x.join === 'or' ? 'or' : 'and'} ${x.label}` : x.label;
  return {
    place: places.length ? places.join(' or ') : null,
    from,
    to,
    every,
    season,
    camera: cameras.length ? cameras.join(' or ') : null,
    people: people || null,
    parts: p.parts,
  };
}

/** One line saying what was understood, for the CLI: `understood who: Mia and Tom, when: 2019 (…), where: Lisbon; searching for "beach"`. */
export function describeUnderstood(u: Understood | null, text: string): string | null {
  if (!u) return null;
  const kinds = { date: 'when', place: 'where', camera: 'camera', person: 'who' } as const;
  // The people once, where the first is ("who: Mia and Tom").
  const firstPerson = u.parts.find((p) => p.kind === 'person');
  const parts = u.parts
    .filter((p) => p.kind !== 'person' || p === firstPerson)
    .map((p) => `${kinds[p.kind]}: ${p.kind === 'person' ? u.people : p.label}${p.kind === 'date' ? describeDates(p.date) : ''}`);
  return `understood ${parts.join(', ')}; ${text ? `searching for ${JSON.stringify(text)}` : 'listing those photos, newest first'}`;
}

function describeDates(d: DateConstraint): string {
  const w = (x: DateWindow) => (x.kind === 'annual' ? `${x.from} to ${x.to} every year` : `${x.from ?? 'any time'} to ${x.to ?? 'now'}`);
  if (d.kind === 'season') return ` (${w(d.north)}; south of the equator ${w(d.south)})`;
  return ` (${w(d)})`;
}
