// What an ARIA combobox's list does on Down/Up (PlacePicker, TagInput): a closed list opens on its first
// option (Down) or its last (Up); an open one moves the active option, round from the end to the start.

/** The active option after Down or Up over `n` (> 0) options; the list is open after it. */
export function comboboxStep(key: 'ArrowDown' | 'ArrowUp', open: boolean, active: number, n: number): number {
  if (!open) return key === 'ArrowDown' ? 0 : n - 1;
  return key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n;
}
