// Unit tests for the tag list's tree (paths under their parents, counts, suggestions), labels of paths
// and the tag boxes' autocomplete (most used first).
import { describe, expect, it } from 'vitest';
import type { TagCount } from '../../src/shared/contract.ts';
import { buildTagTree, completeTag, pathTo, sameTagPath, tagLabel, type TagNode } from '../../src/renderer/src/lib/tag-tree.ts';

const t = (tag: string, count: number, suggested = 0): TagCount => ({ tag, count, suggested });

/** The tree as "name count/total" lines, indented by depth. */
function outline(nodes: TagNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [`${'  '.repeat(depth)}${n.name} ${n.isTag ? n.count : '-'}/${n.total}${n.totalSuggested ? ` +${n.totalSuggested}?` : ''}`, ...outline(n.children, depth + 1)]);
}

describe('buildTagTree', () => {
  it('puts paths under their parents, by name at each level, with own and subtree counts', () => {
    const tree = buildTagTree([
      t('beach', 40, 3),
      t('Places|Portugal|Porto', 12, 2),
      t('Places|Portugal', 3),
      t('Places|France|Paris', 5),
      t('Family|Mia', 7),
      t('apple', 1),
    ]);
    expect(outline(tree)).toEqual([
      'apple 1/1',
      'beach 40/40 +3?',
      'Family -/7',
      '  Mia 7/7',
      'Places -/20 +2?',
      '  France -/5',
      '    Paris 5/5',
      '  Portugal 3/15 +2?',
      '    Porto 12/12 +2?',
    ]);
    const porto = tree[3]!.children[1]!.children[0]!;
    expect(porto).toMatchObject({ tag: 'Places|Portugal|Porto', segments: ['Places', 'Portugal', 'Porto'], isTag: true });
    expect(tree[3]!.tag).toBe('Places');
  });

  it('leaves out tags only suggested (the review lists those), and one tag in any case or spacing is one node', () => {
    const tree = buildTagTree([t('sky', 0, 90), t('Beach', 2), t('beach ', 1), t('Places | Porto', 1), t('places|porto', 1)]);
    expect(outline(tree)).toEqual(['Beach 3/3', 'Places -/2', '  Porto 2/2']);
  });
});

describe('tag paths on screen', () => {
  it('labels a path with › and a plain tag as it is', () => {
    expect(tagLabel('Places|Portugal|Porto')).toBe('Places › Portugal › Porto');
    expect(tagLabel('front door')).toBe('front door');
    expect(tagLabel('AC/DC')).toBe('AC/DC');
  });

  it('lists the parents on the way to a tag, and tells one tag in two spellings', () => {
    expect(pathTo('Places|Portugal|Porto')).toEqual(['Places', 'Places|Portugal']);
    expect(pathTo('beach')).toEqual([]);
    expect(sameTagPath('Places|Porto', ' places | PORTO ')).toBe(true);
    expect(sameTagPath('Porto', 'Places|Porto')).toBe(false);
  });
});

describe('completeTag', () => {
  const counts = [t('beach', 40), t('Beach volleyball', 3), t('Places|Portugal|Porto', 12), t('portrait', 20), t('sunset', 60), t('sports|beach ball', 1, 9)];

  it('offers the matches most used first, the start of the tag before a segment, before the middle', () => {
    expect(completeTag(counts, 'be').map((c) => c.tag)).toEqual(['beach', 'Beach volleyball', 'sports|beach ball']);
    expect(completeTag(counts, 'por').map((c) => c.tag)).toEqual(['portrait', 'Places|Portugal|Porto', 'sports|beach ball']);
    expect(completeTag(counts, 'set').map((c) => c.tag)).toEqual(['sunset']);
  });

  it('lists the most used for blank text, within the limit, without what is excluded or typed in full', () => {
    expect(completeTag(counts, '', 3).map((c) => c.tag)).toEqual(['sunset', 'beach', 'portrait']);
    expect(completeTag(counts, '', 3, ['SUNSET']).map((c) => c.tag)).toEqual(['beach', 'portrait', 'Places|Portugal|Porto']);
    expect(completeTag(counts, 'Beach').map((c) => c.tag)).toEqual(['Beach volleyball', 'sports|beach ball']);
  });
});
