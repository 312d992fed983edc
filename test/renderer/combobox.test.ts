import { describe, expect, it } from 'vitest';
import { comboboxStep } from '../../src/renderer/src/lib/combobox.ts';

describe('comboboxStep', () => {
  it('opens a closed list on the first option (Down) or the last (Up)', () => {
    expect(comboboxStep('ArrowDown', false, -1, 5)).toBe(0);
    expect(comboboxStep('ArrowUp', false, -1, 5)).toBe(4);
    expect(comboboxStep('ArrowDown', false, 3, 5)).toBe(0);
  });
  it('walks an open list round', () => {
    expect(comboboxStep('ArrowDown', true, 0, 3)).toBe(1);
    expect(comboboxStep('ArrowDown', true, 2, 3)).toBe(0);
    expect(comboboxStep('ArrowUp', true, 0, 3)).toBe(2);
    expect(comboboxStep('ArrowUp', true, -1, 3)).toBe(1);
    expect(comboboxStep('ArrowDown', true, -1, 3)).toBe(0);
  });
});
