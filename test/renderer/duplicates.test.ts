// Unit tests for the Duplicates view's logic: the keep sets (the suggested keeper by default, the user's choice
// kept across a refresh only while its group is unchanged), the resolve button's words and the keep argument's
// order, the space freed, the summaries, the confirmation's plan, the toasts, and the arrow keys.
import { describe, expect, it } from 'vitest';
import type { ResolveResult, UndoResolveResult } from '../../src/shared/contract.ts';
import type { DuplicateGroup, DuplicatePhoto } from '../../src/shared/types.ts';
import {
  KINDS,
  acceptAllPlan,
  bytesFreed,
  defaultChoice,
  formatWhen,
  keepArg,
  kindCounts,
  kindSummary,
  mergeChoices,
  moveFocus,
  nameInGroup,
  photoFacts,
  photoLabel,
  reasonsText,
  refocus,
  resolveLabel,
  resolveToast,
  toggleKeep,
  undoToast,
} from '../../src/renderer/src/lib/duplicates.ts';

function photo(id: number, over: Partial<DuplicatePhoto> = {}): DuplicatePhoto {
  return {
    id,
    path: `/photos/trip/IMG_${id}.jpg`,
    size: 1_000_000 * id,
    width: 4000,
    height: 3000,
    format: 'jpeg',
    takenAt: '2024-03-05T14:03:09',
    camera: 'Canon EOS R5',
    hasGps: false,
    hasEdits: false,
    mtimeMs: 0,
    keeper: false,
    ...over,
  };
}

/** A group of photos `ids`, the keeper `keeper` (listed first, as the engine lists it). */
function group(kind: DuplicateGroup['kind'], ids: number[], keeper = ids[0]!): DuplicateGroup {
  const photos = [keeper, ...ids.filter((i) => i !== keeper)].map((i) => photo(i, { keeper: i === keeper }));
  return { id: `${kind}-${Math.min(...ids)}`, kind, photos, keeper, reasons: ['largest', 'has GPS'], bytesFreed: photos.filter((p) => !p.keeper).reduce((s, p) => s + p.size, 0) };
}

describe('keep sets', () => {
  it('start from the suggested keeper, toggle, and free the bytes of the photos not kept', () => {
    const g = group('same', [3, 5, 7], 5);
    const c = defaultChoice(g);
    expect(c).toEqual({ photos: [3, 5, 7], keep: [5] });
    expect(bytesFreed(g, c)).toBe(10_000_000);
    const both = toggleKeep(c, 7);
    expect(both.keep).toEqual([5, 7]);
    expect(bytesFreed(g, both)).toBe(3_000_000);
    expect(toggleKeep(both, 5).keep).toEqual([7]);
    // A photo of another group changes nothing.
    expect(toggleKeep(c, 99)).toBe(c);
  });

  it('name the suggested keeper first when it is kept (it gains the others’ data), else keep the group’s order', () => {
    const g = group('same', [3, 5, 7], 7);
    expect(keepArg(g, { photos: [3, 5, 7], keep: [3, 7] })).toEqual([7, 3]);
    expect(keepArg(g, { photos: [3, 5, 7], keep: [5, 3] })).toEqual([3, 5]);
  });

  it('say what the button does, and refuse keeping none or all', () => {
    const g = group('exact', [1, 2, 3]);
    expect(resolveLabel(g, defaultChoice(g))).toEqual({ text: 'Keep 1, put 2 in the trash', enabled: true });
    expect(resolveLabel(g, { photos: [1, 2, 3], keep: [1, 2] })).toEqual({ text: 'Keep 2, put 1 in the trash', enabled: true });
    expect(resolveLabel(g, { photos: [1, 2, 3], keep: [] })).toEqual({ text: 'Choose a photo to keep', enabled: false });
    expect(resolveLabel(g, { photos: [1, 2, 3], keep: [1, 2, 3] })).toEqual({ text: 'Keep all 3: nothing to put away', enabled: false });
  });

  it('survive a refresh only for a group with the same photos', () => {
    const a = group('exact', [1, 2]);
    const b = group('same', [3, 4, 5]);
    const prev = mergeChoices({}, [a, b]);
    const chosen = { ...prev, [b.id]: toggleKeep(prev[b.id]!, 4) };
    // b unchanged: the user's choice stays; a gained a photo: back to its suggestion.
    const a2 = group('exact', [1, 2, 9]);
    const next = mergeChoices(chosen, [a2, b]);
    expect(next[b.id]!.keep).toEqual([3, 4]);
    expect(next[a2.id]).toEqual({ photos: [1, 2, 9], keep: [1] });
    // A group gone is dropped; a new one starts at its keeper.
    const c = group('similar', [6, 8], 8);
    expect(mergeChoices(next, [c])).toEqual({ [c.id]: { photos: [6, 8], keep: [8] } });
    // The same photos in another order (the keeper moved to the front) are the same group.
    const bReordered = group('same', [3, 4, 5], 4);
    expect(mergeChoices(chosen, [bReordered])[b.id]!.keep).toEqual([3, 4]);
  });
});

describe('words', () => {
  it('name the three kinds as such, in order, each with what it is and what an empty one says', () => {
    expect(KINDS.map((k) => [k.kind, k.name])).toEqual([
      ['exact', 'Exact copies'],
      ['same', 'Same photo'],
      ['similar', 'Similar shots'],
    ]);
    expect(KINDS.every((k) => k.explain.length > 20 && k.none.startsWith('No'))).toBe(true);
  });

  it('count the groups of each kind and sum what resolving them as chosen frees', () => {
    const gs = [group('exact', [1, 2]), group('exact', [3, 4]), group('same', [5, 6, 7])];
    expect(kindCounts(gs)).toEqual({ exact: 2, same: 1, similar: 0 });
    const choices = mergeChoices({}, gs);
    expect(kindSummary(gs.slice(0, 2), choices)).toBe('2 groups, 4 photos · resolving them as chosen frees 6 MB');
    choices['same-5'] = toggleKeep(choices['same-5']!, 6);
    expect(kindSummary([gs[2]!], choices)).toBe('1 group, 3 photos · resolving it as chosen frees 7 MB');
    expect(kindSummary([], choices)).toBe('None found.');
  });

  it('plan "accept all" from the exact groups only, with files and bytes', () => {
    const gs = [group('exact', [1, 2]), group('exact', [3, 4, 8]), group('same', [5, 6])];
    const plan = acceptAllPlan(gs);
    expect(plan).toMatchObject({ groups: 2, files: 3, bytes: 14_000_000 });
    expect(plan.text).toBe('Keeps the suggested photo of each of the 2 exact groups and puts the other 3 files (14 MB) in the trash. Undo brings them back while they are still in the trash.');
    expect(acceptAllPlan([group('exact', [1, 2])]).text).toContain('each of the 1 exact group and puts the other 1 file (2 MB)');
  });

  it('list a photo’s facts and name its card', () => {
    const p = photo(4, { hasGps: true, format: 'heif', width: null, camera: null, takenAt: null, keeper: true });
    expect(photoFacts(p)).toEqual({ name: 'IMG_4.jpg', folder: '/photos/trip', size: '4 MB', dims: null, format: 'HEIF', date: null, camera: null, gps: 'yes', edits: 'no' });
    expect(photoFacts(photo(1, { path: 'C:\\Pics\\a.jpg' }))).toMatchObject({ name: 'a.jpg', folder: 'C:\\Pics', date: '5 Mar 2024, 14:03', dims: '4000 × 3000' });
    expect(photoLabel(p, true)).toBe('IMG_4.jpg, suggested keeper: keep');
    expect(photoLabel(photo(2), false)).toBe('IMG_2.jpg: put in the trash');
    expect(reasonsText(['largest', 'has GPS'])).toBe('largest, has GPS');
    // Copies of one name are told apart by their folder.
    const g = group('exact', [1, 2]);
    g.photos[1] = { ...g.photos[1]!, path: '/photos/backup/IMG_1.jpg' };
    expect(nameInGroup(g, g.photos[0]!)).toBe('trip/IMG_1.jpg');
    expect(nameInGroup(g, g.photos[1]!)).toBe('backup/IMG_1.jpg');
    expect(nameInGroup(group('same', [1, 2]), photo(1))).toBe('IMG_1.jpg');
  });

  it('say what a resolution did, with each photo the trash refused and why', () => {
    const base: ResolveResult = { resolution: 3, groups: [], putAway: [{ id: 2, path: '/p/b.jpg', size: 10 }], failed: [], bytesFreed: 10, summary: 'Kept 1 photo, put 1 in the trash (10 B)' };
    expect(resolveToast(base)).toEqual({ text: 'Kept 1 photo, put 1 in the trash (10 B)', error: false });
    const partly = { ...base, failed: [{ id: 3, path: '/p/c.jpg', reason: 'the file changed since it was read: scan it again first' }] };
    expect(resolveToast(partly)).toEqual({ text: 'Kept 1 photo, put 1 in the trash (10 B). c.jpg stays: the file changed since it was read: scan it again first', error: false });
    expect(resolveToast({ ...partly, resolution: null, putAway: [] }).error).toBe(true);
    expect(resolveToast({ ...partly, resolution: null, putAway: [] }).text).toMatch(/^Nothing was put in the trash\. c\.jpg stays: /);
  });

  it('say what an undo did, and what could not come back', () => {
    const r: UndoResolveResult = { resolution: 3, restored: [{ id: 2, path: '/p/b.jpg', size: 10 }], notRestored: [], keepersRestored: [1], left: [], summary: 'Put 1 photo back' };
    expect(undoToast(r)).toEqual({ text: 'Undone: Put 1 photo back', error: false });
    const some = { ...r, notRestored: [{ id: 4, path: '/p/d.jpg', reason: 'it is no longer in the trash' }], summary: 'Undid resolution 3' };
    expect(undoToast(some)).toEqual({ text: 'Undid resolution 3. d.jpg could not come back: it is no longer in the trash', error: true });
  });

  it('write a time as today’s or with its day', () => {
    const now = new Date(2024, 2, 5, 18, 0);
    expect(formatWhen(new Date(2024, 2, 5, 9, 7).toISOString(), now)).toBe('today, 09:07');
    expect(formatWhen(new Date(2024, 0, 2, 23, 59).toISOString(), now)).toBe('2 Jan, 23:59');
    expect(formatWhen(new Date(2023, 11, 31, 8, 0).toISOString(), now)).toBe('31 Dec 2023, 08:00');
    expect(formatWhen('soon', now)).toBe('soon');
  });
});

describe('the keys', () => {
  const gs = [group('exact', [1, 2, 3]), group('exact', [4, 5]), group('exact', [6, 7, 8])];
  const at = (g: number, p: number) => ({ group: gs[g]!.id, photo: gs[g]!.photos[p]!.id });

  it('move between the photos of a group with Left/Right, Home/End, and stop at its ends', () => {
    expect(moveFocus(gs, at(0, 0), 'ArrowRight')).toEqual(at(0, 1));
    expect(moveFocus(gs, at(0, 1), 'ArrowLeft')).toEqual(at(0, 0));
    expect(moveFocus(gs, at(0, 0), 'ArrowLeft')).toBeNull();
    expect(moveFocus(gs, at(0, 2), 'ArrowRight')).toBeNull();
    expect(moveFocus(gs, at(0, 0), 'End')).toEqual(at(0, 2));
    expect(moveFocus(gs, at(0, 2), 'Home')).toEqual(at(0, 0));
  });

  it('move between groups with Up/Down, to the photo at the same place or the group’s last', () => {
    expect(moveFocus(gs, at(0, 1), 'ArrowDown')).toEqual(at(1, 1));
    expect(moveFocus(gs, at(0, 2), 'ArrowDown')).toEqual(at(1, 1));
    expect(moveFocus(gs, at(1, 1), 'ArrowDown')).toEqual(at(2, 1));
    expect(moveFocus(gs, at(2, 0), 'ArrowDown')).toBeNull();
    expect(moveFocus(gs, at(2, 2), 'ArrowUp')).toEqual(at(1, 1));
    expect(moveFocus(gs, at(0, 0), 'ArrowUp')).toBeNull();
    expect(moveFocus(gs, at(1, 0), 'End', true)).toEqual(at(2, 0));
    expect(moveFocus(gs, at(2, 1), 'Home', true)).toEqual(at(0, 0));
    expect(moveFocus(gs, at(0, 0), 'Enter')).toBeNull();
    // A focus on a group no longer shown goes to the first.
    expect(moveFocus(gs, { group: 'exact-99', photo: 99 }, 'ArrowDown')).toEqual(at(0, 0));
  });

  it('keep the focus across a refresh, or move it to the next group once its group was resolved', () => {
    expect(refocus(gs, gs, at(1, 1))).toEqual(at(1, 1));
    // The middle group resolved: the next one.
    expect(refocus(gs, [gs[0]!, gs[2]!], at(1, 1))).toEqual(at(2, 0));
    // The last one resolved: the one now last.
    expect(refocus(gs, [gs[0]!, gs[1]!], at(2, 0))).toEqual(at(1, 0));
    // The photo left its group: the group's first photo.
    const smaller = group('exact', [1, 2]);
    expect(refocus(gs, [smaller, gs[1]!], { group: 'exact-1', photo: 3 })).toEqual({ group: 'exact-1', photo: 1 });
    expect(refocus(gs, [], at(0, 0))).toBeNull();
    expect(refocus(gs, gs, null)).toBeNull();
  });
});
