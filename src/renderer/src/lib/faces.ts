// The faces in the photo view (issue 16): where each face's box goes over the preview, what it is called, which
// names to offer when naming it, and what naming it will do (the engine's rule, People.nameFace in
// core/people/people.ts, said before the user commits to it).
import type { FaceBoxInfo, FaceInfo, PersonSummary } from '../../../shared/contract.ts';

/** A box's place over the preview, in per cent of the upright photo's size (the preview is that photo scaled). */
export interface BoxPlace {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where a face's box goes, in per cent of the photo: the boxes are in the upright photo's pixels (width × height,
 * EXIF orientation applied), and the preview shows the upright photo, so only the scale differs. A box reaching
 * past an edge is cut at it.
 */
export function boxPlace(box: FaceBoxInfo, width: number, height: number): BoxPlace {
  if (!(width > 0 && height > 0)) throw new Error(`a photo's size must be positive, not ${width} × ${height}`);
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(width, box.x + box.width);
  const y1 = Math.min(height, box.y + box.height);
  return { left: (x0 / width) * 100, top: (y0 / height) * 100, width: (Math.max(0, x1 - x0) / width) * 100, height: (Math.max(0, y1 - y0) / height) * 100 };
}

/** The faces drawn: those marked "not a face" only when asked; left to right (the order they are read out in). */
export function drawnFaces(faces: readonly FaceInfo[], withNotFaces: boolean): FaceInfo[] {
  return faces.filter((f) => withNotFaces || !f.notAFace).sort((a, b) => a.box.x - b.box.x || a.box.y - b.box.y || a.id - b.id);
}

/**
 * What a face is called: its person's name, else (`asking`) the person it is suggested for, asked ("Mia?"), else
 * what it is.
 */
export function faceLabel(f: FaceInfo, asking = true): string {
  if (f.notAFace) return 'Not a face';
  if (f.person?.name) return f.person.name;
  if (asking && f.suggested) return `${f.suggested.name}?`;
  return f.person ? 'Unnamed person' : 'Unknown';
}

/** A name as the engine keeps it (People's cleanName): NFC, trimmed, inner spaces one. */
export function cleanName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** Names are one person's when they match so, case aside (People's nameKey). */
export function nameKey(name: string): string {
  return cleanName(name).toLowerCase();
}

/**
 * The people's names to offer for what was typed: the named people, not hidden, but for the face's own; names
 * starting with it first (then those with a word starting with it), the most faces first within each; each name
 * once. Nothing typed: the most photographed.
 */
export function nameChoices(people: readonly PersonSummary[], typed: string, face: FaceInfo | null, max = 8): PersonSummary[] {
  const key = nameKey(typed);
  const own = face?.person?.id ?? null;
  const seen = new Set<string>();
  const ranked: { p: PersonSummary; rank: number }[] = [];
  for (const p of people) {
    if (p.name === null || p.hidden || p.id === own) continue;
    const k = nameKey(p.name);
    if (seen.has(k)) continue;
    const rank = key === '' || k.startsWith(key) ? 0 : k.split(' ').some((w) => w.startsWith(key)) ? 1 : -1;
    if (rank < 0) continue;
    seen.add(k);
    ranked.push({ p, rank });
  }
  return ranked
    .sort((a, b) => a.rank - b.rank || b.p.faces - a.p.faces || a.p.name!.localeCompare(b.p.name!))
    .slice(0, max)
    .map((r) => r.p);
}

/** What naming a face `typed` will do, as People.nameFace decides it. */
export type NamingOutcome =
  | { kind: 'empty' }
  | { kind: 'same'; name: string }
  | { kind: 'join'; person: PersonSummary }
  | { kind: 'name-person'; name: string; others: number }
  | { kind: 'new'; name: string }
  | { kind: 'shared'; name: string; count: number };

export function namingOutcome(face: FaceInfo, typed: string, people: readonly PersonSummary[]): NamingOutcome {
  const name = cleanName(typed);
  if (name === '') return { kind: 'empty' };
  const named = people.filter((p) => p.name !== null && nameKey(p.name) === nameKey(name));
  if (named.length > 1) return { kind: 'shared', name, count: named.length };
  if (named.length === 1) return named[0]!.id === face.person?.id ? { kind: 'same', name: named[0]!.name! } : { kind: 'join', person: named[0]! };
  const mine = face.person ? people.find((p) => p.id === face.person!.id) : undefined;
  if (face.person && face.person.name === null) return { kind: 'name-person', name, others: Math.max(0, (mine?.faces ?? 1) - 1) };
  return { kind: 'new', name };
}

const faces = (n: number): string => (n === 1 ? '1 other face' : `${n} other faces`);

/** The outcome in words, shown under the name box before Enter. */
export function outcomeText(o: NamingOutcome): string {
  switch (o.kind) {
    case 'empty':
      return 'Type a name, or choose one.';
    case 'same':
      return `This face is ${o.name} already.`;
    case 'join':
      return `This face joins ${o.person.name}${o.person.hidden ? ' (hidden in People)' : ''}.`;
    case 'name-person':
      return o.others > 0 ? `Names this person ${o.name}: the ${faces(o.others)} grouped with this one too.` : `Names this person ${o.name}.`;
    case 'new':
      return `A new person, ${o.name}, with this face.`;
    case 'shared':
      return `${o.count} people are named ${o.name}: merge them in People first.`;
  }
}
