// A suggestions review: the photos a model suggests one tag for, shown in the grid all selected. What
// the person keeps selected is accepted (the tag becomes theirs); what they deselect is rejected (hidden
// on that photo for good), or, with "keep the rest", left suggested for later.
import type { ArgOf } from '../../../shared/schema.ts';
import type { SuggestionCount } from '../../../shared/contract.ts';

export interface Review {
  tag: string;
  /** Every photo of the review, in grid order (photoIds with suggested = tag, when it began). */
  ids: number[];
  strong: number;
  likely: number;
}

export function reviewOf(s: SuggestionCount, ids: number[]): Review {
  return { tag: s.tag, ids, strong: s.strong, likely: s.likely };
}

/** The review's photos split by the selection: accepted (selected) and the rest (deselected), in grid order. */
export function splitReview(review: Review, isSelected: (id: number) => boolean): { accept: number[]; rest: number[] } {
  const accept: number[] = [];
  const rest: number[] = [];
  for (const id of review.ids) (isSelected(id) ? accept : rest).push(id);
  return { accept, rest };
}

/** The reviewSuggestions argument: accept and reject given only when not empty; null when there is nothing to do. */
export function reviewArgs(tag: string, accept: readonly number[], reject: readonly number[]): ArgOf<'reviewSuggestions'> | null {
  if (accept.length === 0 && reject.length === 0) return null;
  const args: ArgOf<'reviewSuggestions'> = { tag };
  if (accept.length) args.accept = [...accept];
  if (reject.length) args.reject = [...reject];
  return args;
}

/** "beach — 143 photos suggested (strong 80, likely 63)". */
export function suggestionText(s: SuggestionCount): string {
  const n = new Intl.NumberFormat('en-US');
  return `${s.tag} — ${n.format(s.photos)} ${s.photos === 1 ? 'photo' : 'photos'} suggested (strong ${n.format(s.strong)}, likely ${n.format(s.likely)})`;
}
