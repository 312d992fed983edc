// The Duplicates view's logic (issue 15): the three kinds in words, each group's keep set (the suggested keeper
// by default; the user's choice kept across a refresh while the group is unchanged), the resolve button's words,
// the space freed, the summaries of a kind and of a resolution, and the arrow keys between groups and photos.
// Pure functions: DuplicatesView.svelte holds the state.
import type { ResolutionInfo, ResolveResult, UndoResolveResult } from '../../../shared/contract.ts';
import type { DuplicateGroup, DuplicateKind, DuplicatePhoto } from '../../../shared/types.ts';
import { fileName, formatBytes, formatCount, formatDimensions, formatTakenAt } from './format.ts';

/** The kinds in the order the view shows them, each named as such with a line saying what it is. */
export const KINDS: readonly { kind: DuplicateKind; name: string; explain: string; none: string }[] = [
  { kind: 'exact', name: 'Exact copies', explain: 'The same file, byte for byte, at more than one path.', none: 'No exact copies in the library' },
  {
    kind: 'same',
    name: 'Same photo',
    explain: 'The same picture in other bytes: resized, re-encoded, converted, stripped of its metadata, rotated, lightly cropped or adjusted.',
    none: 'No photo is in the library twice in other bytes',
  },
  { kind: 'similar', name: 'Similar shots', explain: 'Bursts and retakes: taken within seconds of each other and looking alike. Different photos: look before putting any away.', none: 'No similar shots in the library' },
];

/** How many groups the view shows at first, and how many more each "Show more" adds. */
export const GROUP_PAGE = 40;

/** The photos to keep of each group shown, by group id; `photos` is the group's photo ids as shown (sorted). */
export interface Choice {
  photos: number[];
  keep: number[];
}
export type Choices = Record<string, Choice>;

function idsOf(g: DuplicateGroup): number[] {
  return g.photos.map((p) => p.id).sort((a, b) => a - b);
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The keep set a group starts with: its suggested keeper. */
export function defaultChoice(g: DuplicateGroup): Choice {
  return { photos: idsOf(g), keep: [g.keeper] };
}

/**
 * The choices for groups just read again: a group with the same id and the same photos keeps the user's choice;
 * a new or changed group (a photo came or went) starts again from its suggested keeper.
 */
export function mergeChoices(prev: Choices, groups: readonly DuplicateGroup[]): Choices {
  const out: Choices = {};
  for (const g of groups) {
    const old = prev[g.id];
    const ids = idsOf(g);
    out[g.id] = old && sameIds(old.photos, ids) && old.keep.every((id) => ids.includes(id)) ? old : defaultChoice(g);
  }
  return out;
}

/** The choice with photo `id` kept or not (toggled). */
export function toggleKeep(choice: Choice, id: number): Choice {
  if (!choice.photos.includes(id)) return choice;
  const keep = choice.keep.includes(id) ? choice.keep.filter((k) => k !== id) : [...choice.keep, id];
  return { ...choice, keep };
}

/**
 * The `keep` argument of resolveDuplicates: the photos kept in the group's order, except that the suggested
 * keeper, when kept, comes first — the first photo kept is the one that gains the others' tags, caption and GPS.
 */
export function keepArg(g: DuplicateGroup, choice: Choice): number[] {
  const kept = g.photos.map((p) => p.id).filter((id) => choice.keep.includes(id));
  return kept.includes(g.keeper) ? [g.keeper, ...kept.filter((id) => id !== g.keeper)] : kept;
}

/** The photos that would go to the trash. */
export function putAway(g: DuplicateGroup, choice: Choice): DuplicatePhoto[] {
  return g.photos.filter((p) => !choice.keep.includes(p.id));
}

/** Bytes resolving the group as chosen would free. */
export function bytesFreed(g: DuplicateGroup, choice: Choice): number {
  return putAway(g, choice).reduce((s, p) => s + p.size, 0);
}

/** What the resolve button says, and whether it can be pressed: "Keep 1, put 2 in the trash". */
export function resolveLabel(g: DuplicateGroup, choice: Choice): { text: string; enabled: boolean } {
  const keep = g.photos.length - putAway(g, choice).length;
  const away = g.photos.length - keep;
  if (keep === 0) return { text: 'Choose a photo to keep', enabled: false };
  if (away === 0) return { text: `Keep all ${formatCount(keep)}: nothing to put away`, enabled: false };
  return { text: `Keep ${formatCount(keep)}, put ${formatCount(away)} in the trash`, enabled: true };
}

/** The suggested keeper's reasons, as the group says them: "largest, has GPS". */
export function reasonsText(reasons: readonly string[]): string {
  return reasons.length ? reasons.join(', ') : 'the first of the group';
}

/** Counts per kind, for the tabs. */
export function kindCounts(groups: readonly DuplicateGroup[]): Record<DuplicateKind, number> {
  const out: Record<DuplicateKind, number> = { exact: 0, same: 0, similar: 0 };
  for (const g of groups) out[g.kind]++;
  return out;
}

function groupNoun(n: number): string {
  return n === 1 ? 'group' : 'groups';
}

/** A kind's line: "3 groups, 7 photos · resolving them as chosen frees 4.1 MB"; "None found." when empty. */
export function kindSummary(groups: readonly DuplicateGroup[], choices: Choices): string {
  if (groups.length === 0) return 'None found.';
  const photos = groups.reduce((s, g) => s + g.photos.length, 0);
  const bytes = groups.reduce((s, g) => s + bytesFreed(g, choices[g.id] ?? defaultChoice(g)), 0);
  return `${formatCount(groups.length)} ${groupNoun(groups.length)}, ${formatCount(photos)} photos · resolving ${groups.length === 1 ? 'it' : 'them'} as chosen frees ${formatBytes(bytes)}`;
}

/** What "Accept all suggestions" for the exact groups would do: the files and bytes its confirmation names. */
export function acceptAllPlan(groups: readonly DuplicateGroup[]): { groups: number; files: number; bytes: number; text: string } {
  const exact = groups.filter((g) => g.kind === 'exact');
  const files = exact.reduce((s, g) => s + g.photos.length - 1, 0);
  const bytes = exact.reduce((s, g) => s + g.bytesFreed, 0);
  const text =
    `Keeps the suggested photo of each of the ${formatCount(exact.length)} exact ${groupNoun(exact.length)} and puts the other ` +
    `${formatCount(files)} ${files === 1 ? 'file' : 'files'} (${formatBytes(bytes)}) in the trash. Undo brings them back while they are still in the trash.`;
  return { groups: exact.length, files, bytes, text };
}

/** A photo's facts as its card lists them. */
export function photoFacts(p: DuplicatePhoto): { name: string; folder: string; size: string; dims: string | null; format: string | null; date: string | null; camera: string | null; gps: string; edits: string } {
  const name = fileName(p.path);
  const folder = p.path.slice(0, Math.max(0, p.path.length - name.length)).replace(/[\\/]$/, '') || p.path;
  return {
    name,
    folder,
    size: formatBytes(p.size),
    dims: formatDimensions(p.width, p.height),
    format: p.format ? p.format.toUpperCase() : null,
    date: formatTakenAt(p.takenAt),
    camera: p.camera?.trim() || null,
    gps: p.hasGps ? 'yes' : 'no',
    edits: p.hasEdits ? 'yes' : 'no',
  };
}

/**
 * A photo's name as its group's heading says it: the file name, or with its folder's name when another photo of
 * the group has the same file name (exact copies often do): "trips/market.jpg" beside "backup/market.jpg".
 */
export function nameInGroup(g: DuplicateGroup, p: DuplicatePhoto): string {
  const name = fileName(p.path);
  if (!g.photos.some((o) => o.id !== p.id && fileName(o.path) === name)) return name;
  const parts = p.path.split(/[\\/]/).filter((x) => x !== '');
  return parts.length >= 2 ? `${parts[parts.length - 2]}/${name}` : name;
}

/** A photo card's accessible name: what Space toggles, with the keeper marked. */
export function photoLabel(p: DuplicatePhoto, kept: boolean): string {
  return `${fileName(p.path)}${p.keeper ? ', suggested keeper' : ''}: ${kept ? 'keep' : 'put in the trash'}`;
}

/** What the toast says after a resolution: the engine's summary, and the photos left where they were, with why. */
export function resolveToast(r: ResolveResult): { text: string; error: boolean } {
  const left = r.failed.map((f) => `${fileName(f.path)} stays: ${f.reason}`);
  if (r.resolution === null) return { text: left.length ? `Nothing was put in the trash. ${left.join('; ')}` : `Nothing was put in the trash. ${r.summary}`, error: true };
  return { text: left.length ? `${r.summary}. ${left.join('; ')}` : r.summary, error: false };
}

/** What the toast says after an undo: its summary, and what could not come back. */
export function undoToast(r: UndoResolveResult): { text: string; error: boolean } {
  const notBack = r.notRestored.map((f) => `${fileName(f.path)} could not come back: ${f.reason}`);
  const text = [r.summary, ...notBack, ...r.left].filter((s) => s.trim() !== '').join('. ');
  return { text: /^und(o|id|one)\b/i.test(text) ? text : `Undone: ${text}`, error: notBack.length > 0 };
}

/** The resolutions the history lists: those undo can still undo, newest first. */
export function undoable(history: readonly ResolutionInfo[]): ResolutionInfo[] {
  return history.filter((r) => r.undoable);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An ISO time in this machine's zone: "14:03" today, else "5 Mar, 14:03" (with the year when not this year's). */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (d.toDateString() === now.toDateString()) return `today, ${hm}`;
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]}${d.getFullYear() === now.getFullYear() ? '' : ` ${d.getFullYear()}`}`;
  return `${day}, ${hm}`;
}

// ── the keys ──────────────────────────────────────────────────────────────

/** The focused photo: its group's id and the photo's id (ids, so a refresh keeps it where it can). */
export interface Focus {
  group: string;
  photo: number;
}

/**
 * Where an arrow key (or Home/End) moves the focus: Left/Right between the photos of a group, Up/Down to the
 * group above or below (to its photo at the same place, or its last), Home/End to the first/last photo of the
 * group, Ctrl+Home/End to the first/last group. Null for another key or when nothing moves.
 */
export function moveFocus(groups: readonly DuplicateGroup[], at: Focus, key: string, ctrl = false): Focus | null {
  const gi = groups.findIndex((g) => g.id === at.group);
  if (gi < 0) return groups[0] ? { group: groups[0].id, photo: groups[0].photos[0]!.id } : null;
  const g = groups[gi]!;
  const pi = Math.max(0, g.photos.findIndex((p) => p.id === at.photo));
  const to = (gj: number, pj: number): Focus | null => {
    const ng = groups[gj];
    if (!ng) return null;
    const p = ng.photos[Math.min(Math.max(0, pj), ng.photos.length - 1)]!;
    return ng.id === at.group && p.id === at.photo ? null : { group: ng.id, photo: p.id };
  };
  switch (key) {
    case 'ArrowLeft':
      return to(gi, pi - 1);
    case 'ArrowRight':
      return pi + 1 < g.photos.length ? to(gi, pi + 1) : null;
    case 'ArrowUp':
      return gi > 0 ? to(gi - 1, pi) : null;
    case 'ArrowDown':
      return to(gi + 1, pi);
    case 'Home':
      return ctrl ? to(0, 0) : to(gi, 0);
    case 'End':
      return ctrl ? to(groups.length - 1, 0) : to(gi, g.photos.length - 1);
    default:
      return null;
  }
}

/**
 * The focus after the groups were read again: the same photo when its group is still there; else the group now at
 * the old group's place (the next one, once a group was resolved), at its first photo; null when none is left.
 */
export function refocus(before: readonly DuplicateGroup[], after: readonly DuplicateGroup[], at: Focus | null): Focus | null {
  if (after.length === 0) return null;
  if (!at) return null;
  const same = after.find((g) => g.id === at.group);
  if (same) return same.photos.some((p) => p.id === at.photo) ? at : { group: same.id, photo: same.photos[0]!.id };
  const old = before.findIndex((g) => g.id === at.group);
  // The first group after the old one that is still there, else the last.
  for (let i = Math.max(0, old + 1); i < before.length; i++) {
    const next = after.find((g) => g.id === before[i]!.id);
    if (next) return { group: next.id, photo: next.photos[0]!.id };
  }
  const last = after[Math.min(after.length - 1, Math.max(0, old))]!;
  return { group: last.id, photo: last.photos[0]!.id };
}
