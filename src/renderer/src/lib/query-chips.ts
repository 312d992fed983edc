// What a search understood, as the window shows it (issue 13): the removable chips under the search box
// ("Portugal ×", "Summer 2019 ×", "iPhone ×"), the words of chips the user removed (sent back as the
// search's `literal`, so they are searched as words and not understood again), and the phrase that heads
// the results ("in Portugal, summer 2019, shot on iPhone"). The query in the box is never changed: removing
// a chip keeps its words there, as words. Pure functions; types only from the shared parser.
import type { QueryPart, Understood } from '../../../shared/query.ts';
import { foldName } from './places.ts';

export interface Chip {
  /** Unique among the chips of one answer. */
  key: string;
  kind: QueryPart['kind'];
  /** What the chip shows: "Lisbon", "Summer 2019", "iPhone". */
  label: string;
  /** The words of the query it came from ("in Lisbon"): what removing it keeps as words. */
  text: string;
  /** The remove button's accessible name: "Remove place Lisbon from the search". */
  removeLabel: string;
}

const KIND_WORD: Record<QueryPart['kind'], string> = { place: 'place', date: 'date', camera: 'camera', person: 'person' };

/** A phrase's words, folded, one space between them: what phrases are compared by. */
function wordsOf(s: string): string {
  return foldName(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ');
}

/** Whether the literal phrase `l` is one the chip's words (its text or its label) are. */
function literalOf(l: string, part: Pick<QueryPart, 'text' | 'label'>): boolean {
  const w = wordsOf(l);
  return w !== '' && (w === wordsOf(part.text) || w === wordsOf(part.label));
}

/** The understood parts, in the query's order, less those removed (in `literal`). */
function keptParts(u: Understood | null | undefined, literal: readonly string[]): QueryPart[] {
  return (u?.parts ?? []).filter((p) => !literal.some((l) => literalOf(l, p)));
}

/** The chips of what a search understood, in the query's order, leaving out those already removed (in `literal`). */
export function chipsOf(u: Understood | null | undefined, literal: readonly string[] = []): Chip[] {
  return keptParts(u, literal).map((p, i) => ({ key: `${i}:${p.start}:${p.kind}`, kind: p.kind, label: p.label, text: p.text, removeLabel: `Remove ${KIND_WORD[p.kind]} ${p.label} from the search` }));
}

/** The literal phrases with the chip's words added (once). */
export function removeChip(literal: readonly string[], chip: Pick<Chip, 'text'>): string[] {
  const t = chip.text.trim();
  if (!t || literal.some((l) => wordsOf(l) === wordsOf(t))) return [...literal];
  return [...literal, t];
}

/** The literal phrases without one: its words are understood again. */
export function restoreLiteral(literal: readonly string[], phrase: string): string[] {
  return literal.filter((l) => l !== phrase);
}

/**
 * The literal phrases whose words are still in the query, word for word in a row: a phrase the user
 * deleted from the box is forgotten, so typing it again later is understood again.
 */
export function pruneLiteral(query: string, literal: readonly string[]): string[] {
  const q = ` ${wordsOf(query)} `;
  return literal.filter((l) => {
    const w = wordsOf(l);
    return w !== '' && q.includes(` ${w} `);
  });
}

/** A person as the person chip names them: their name, else "Person 12" (one not named yet). */
export function personLabel(p: { id: number; name: string | null }): string {
  return p.name?.trim() || `Person ${p.id}`;
}

/**
 * The person chip after a change to people: the same person under their name now, or null when they are gone
 * (merged into another, or every face of theirs taken away).
 */
export function followPerson<P extends { id: number; name: string | null }>(chip: P, people: readonly { id: number; name: string | null }[]): P | null {
  const now = people.find((p) => p.id === chip.id);
  if (!now) return null;
  return now.name === chip.name ? chip : { ...chip, name: now.name };
}

/** "summer 2019", "last week", "since 2019": a date's label as it reads mid-sentence (months and holidays keep their capital). */
function lowerDate(label: string): string {
  const first = label.split(/\s/)[0]!.toLowerCase();
  const LOWER = ['spring', 'summer', 'autumn', 'fall', 'winter', 'last', 'this', 'since', 'before', 'after', 'until', 'past', 'today', 'yesterday', 'between', 'from'];
  return LOWER.includes(first) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

/**
 * What the understood parts narrow the photos to, as words that follow "Photos" or the searched words:
 * people, places, then dates, then cameras ("with Mia and Tom in Portugal, summer 2019, shot on iPhone",
 * "from 2019, shot on iPhone"); null when nothing was understood.
 */
export function understoodPhrase(u: Understood | null | undefined, literal: readonly string[] = []): string | null {
  const parts = keptParts(u, literal);
  const places = parts.filter((p) => p.kind === 'place').map((p) => p.label);
  const dates = parts.filter((p) => p.kind === 'date').map((p) => lowerDate(p.label));
  const cameras = parts.filter((p) => p.kind === 'camera').map((p) => p.label);
  let people = '';
  for (const p of parts) if (p.kind === 'person') people += people ? ` ${p.join === 'or' ? 'or' : 'and'} ${p.label}` : p.label;
  // Leading the phrase, a date reads "from 2019", "from last week"; "since 2019" and the like say it already.
  if (!places.length && dates.length && !/^(since|before|after|until|from|between)\b/.test(dates[0]!)) dates[0] = `from ${dates[0]}`;
  const where = [...(people ? [`with ${people}`] : []), ...(places.length ? [`in ${places.join(' or ')}`] : [])].join(' ');
  const out = [...(where ? [where] : []), ...dates, ...(cameras.length ? [`shot on ${cameras.join(' or ')}`] : [])];
  return out.length ? out.join(', ') : null;
}
