// The People view's logic, kept out of the components so it can be tested: the order people are shown in, their
// labels, what a merge of a selection does, and the words of the toasts.
import type { FaceInfo, PersonSummary } from '../../../shared/contract.ts';
import { formatCount } from './format.ts';

/**
 * The people shown, in two parts as Apple's Photos does: the named ones first, then those not named yet (the
 * grouping's own), each the most faces first (then the lowest id, so the order holds from one read to the next).
 * Hidden people are left out unless `showHidden`, and so are people with no face left (all moved out or marked not
 * a face: the engine keeps the ones the user made, so their name still means them, but there is nothing to show).
 */
export function orderPeople(people: readonly PersonSummary[], showHidden: boolean): { named: PersonSummary[]; unnamed: PersonSummary[] } {
  const shown = people.filter((p) => p.faces > 0 && (showHidden || !p.hidden));
  const order = (a: PersonSummary, b: PersonSummary) => b.faces - a.faces || a.id - b.id;
  return { named: shown.filter((p) => p.name !== null).sort(order), unnamed: shown.filter((p) => p.name === null).sort(order) };
}

/** How a person is called where a name is needed: their name, else "Unnamed person". */
export function personLabel(p: Pick<PersonSummary, 'name'>): string {
  return p.name ?? 'Unnamed person';
}

/** "1 face", "12 faces". */
export function facesLabel(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'face' : 'faces'}`;
}

/**
 * A name as typed, made ready to save: spaces trimmed and runs of them made one; null when nothing is left (the
 * engine refuses an empty name: the field says so instead of asking).
 */
export function cleanName(typed: string): string | null {
  const clean = typed.normalize('NFC').trim().replace(/\s+/g, ' ');
  return clean === '' ? null : clean;
}

/**
 * The merges that make one person of `ids`, keeping `keep` (its name stays; when it has none, the first of the
 * others' names it meets in `ids`' order is taken by the engine: mergePeople). Each of the others goes into it.
 */
export function mergePlan(ids: readonly number[], keep: number): { from: number; into: number }[] {
  if (!ids.includes(keep)) throw new Error(`person ${keep} is not among those to merge`);
  return [...new Set(ids)].filter((id) => id !== keep).map((from) => ({ from, into: keep }));
}

/** The choice of which name stays when merging these people: one option per distinct name, then the unnamed. */
export function keepOptions(people: readonly PersonSummary[]): { id: number; label: string }[] {
  const seen = new Set<string>();
  const out: { id: number; label: string }[] = [];
  for (const p of [...people].sort((a, b) => (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0) || b.faces - a.faces || a.id - b.id)) {
    const key = p.name?.toLocaleLowerCase() ?? `#${p.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: p.id, label: p.name === null ? `Unnamed (${facesLabel(p.faces)})` : `${p.name} (${facesLabel(p.faces)})` });
  }
  return out;
}

/** The merge's confirmation: "Merge Tom (3 faces) into Mia (12 faces)? …". */
export function mergeQuestion(from: PersonSummary, into: PersonSummary): string {
  const name = into.name ?? from.name;
  const tail = name ? `They will be one person, ${name}, with ${facesLabel(from.faces + into.faces)}.` : `They will be one person with ${facesLabel(from.faces + into.faces)}.`;
  return `Merge ${personLabel(from)} (${facesLabel(from.faces)}) into ${personLabel(into)} (${facesLabel(into.faces)})? ${tail}`;
}

/** The suggestion's question on a person's page: "Is this Mia?". */
export function suggestionQuestion(p: Pick<PersonSummary, 'name'>): string {
  return p.name ? `Is this ${p.name}?` : 'Is this the same person?';
}

/** What answering suggestions did, in words. */
export function answeredText(name: string | null, accepted: number, rejected: number): string {
  const who = name ?? 'this person';
  const parts: string[] = [];
  if (accepted > 0) parts.push(`${facesLabel(accepted)} added to ${who}`);
  if (rejected > 0) parts.push(`${facesLabel(rejected)} marked not ${who}`);
  return parts.length ? `${parts.join(', ')}.`.replace(/^./, (c) => c.toUpperCase()) : 'Nothing was changed.';
}

/** What to call a face in a list of a person's faces (its photo's id; the image has no words). */
export function faceAlt(f: Pick<FaceInfo, 'id' | 'photo'>, name: string | null): string {
  return `${name ? `${name}'s face` : 'A face'} in photo ${f.photo}`;
}

/** `set` with `id` in it or out of it (a new set: Svelte sees the change). */
export function toggled(set: ReadonlySet<number>, id: number): Set<number> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
