// Unit tests for the shared API contract's argument checks (validateListArgs) and channel names.
import { describe, expect, it } from 'vitest';
import { CHANNELS, validateListArgs } from '../../src/shared/api.ts';

describe('validateListArgs', () => {
  it('accepts no options', () => {
    expect(validateListArgs(undefined)).toEqual({});
    expect(validateListArgs({})).toEqual({});
  });

  it('accepts non-negative integers', () => {
    expect(validateListArgs({ limit: 50, offset: 0 })).toEqual({ limit: 50, offset: 0 });
    expect(validateListArgs({ limit: 0 })).toEqual({ limit: 0 });
    expect(validateListArgs({ offset: 1200 })).toEqual({ offset: 1200 });
  });

  it('drops keys given as undefined', () => {
    expect(validateListArgs({ limit: undefined, offset: 5 })).toEqual({ offset: 5 });
  });

  it.each([
    ['a negative limit', { limit: -1 }, /limit must be a non-negative integer, got -1/],
    ['a fractional offset', { offset: 1.5 }, /offset must be a non-negative integer, got 1.5/],
    ['NaN', { limit: Number.NaN }, /limit must be a non-negative integer/],
    ['Infinity', { limit: Number.POSITIVE_INFINITY }, /limit must be a non-negative integer/],
    ['an unsafe integer', { offset: 2 ** 60 }, /offset must be a non-negative integer/],
    ['a numeric string', { limit: '10' }, /limit must be a non-negative integer, got "10"/],
    ['null', { offset: null }, /offset must be a non-negative integer, got null/],
  ])('rejects %s', (_what, input, message) => {
    expect(() => validateListArgs(input)).toThrow(message);
  });

  it.each([
    ['null', null],
    ['a number', 10],
    ['a string', 'limit=10'],
    ['an array', [10, 0]],
  ])('rejects %s instead of an options object', (_what, input) => {
    expect(() => validateListArgs(input)).toThrow(/options must be an object/);
  });

  it('rejects unknown options', () => {
    expect(() => validateListArgs({ limit: 1, folder: '/etc' })).toThrow(/unknown option "folder"/);
  });
});

describe('CHANNELS', () => {
  it('names every channel under shoebox:, each once', () => {
    const names = Object.values(CHANNELS);
    expect(names.every((n) => n.startsWith('shoebox:'))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});
