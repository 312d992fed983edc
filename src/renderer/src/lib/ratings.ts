// Ratings and colour labels as the window shows and sets them: xmp:Rating's scale (0–5 stars, -1 rejected,
// null never rated) and xmp:Label's colours (Lightroom's five), the rating keys, the filter's choices.

/** Lightroom's default colour labels (xmp:Label holds the name), with a swatch colour for each. */
export const LABELS = [
  { name: 'Red', colour: '#dc2626' },
  { name: 'Yellow', colour: '#eab308' },
  { name: 'Green', colour: '#16a34a' },
  { name: 'Blue', colour: '#2563eb' },
  { name: 'Purple', colour: '#9333ea' },
] as const;

export const REJECTED = -1;

/** The swatch of a label (case-insensitive); a neutral grey for a label of another program's set. */
export function labelColour(label: string | null | undefined): string | null {
  if (!label) return null;
  return LABELS.find((l) => l.name.toLowerCase() === label.toLowerCase())?.colour ?? '#78716c';
}

/** A rating in words, for screen readers and titles: "3 stars", "1 star", "Rejected", "Not rated". */
export function ratingWords(rating: number | null | undefined): string {
  if (rating === null || rating === undefined || rating === 0) return 'Not rated';
  if (rating < 0) return 'Rejected';
  return rating === 1 ? '1 star' : `${rating} stars`;
}

/** A grid cell's badge: "★★★" for 3 stars, "✕" for rejected, '' for none. */
export function ratingBadge(rating: number | null | undefined): string {
  if (rating === null || rating === undefined || rating === 0) return '';
  if (rating < 0) return '✕';
  return '★'.repeat(Math.min(5, rating));
}

/** The rating a key sets: "0"–"5"; null for any other key. */
export function ratingForKey(key: string): number | null {
  return /^[0-5]$/.test(key) ? Number(key) : null;
}

/** The rating filter's choices: value (minRating) and text; '' is any rating. */
export const RATING_FILTERS: readonly { value: string; text: string }[] = [
  { value: '', text: 'Any' },
  ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), text: `★≥${n}` })),
];
