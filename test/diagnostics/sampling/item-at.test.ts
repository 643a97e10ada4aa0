import { describe, expect, it } from 'vitest';
import { itemAt } from '../../../src/diagnostics/sampling/item-at.js';

describe('itemAt', () => {
  it('gives the element at an index computed from the list, zero included', () => {
    const sorted = [0, 10, 20, 30];
    expect(itemAt(sorted, 0)).toBe(0);
    expect(itemAt(sorted, Math.floor(sorted.length / 2))).toBe(20);
    expect(itemAt(new Float64Array([1.5, 2.5]), 1)).toBe(2.5);
  });

  it('throws on an index the list does not have, instead of passing undefined on as a number', () => {
    expect(() => itemAt([1, 2], 2)).toThrow(RangeError);
    expect(() => itemAt([], 0)).toThrow('index 0 is outside a list of 0');
    expect(() => itemAt([1], -1)).toThrow(RangeError);
  });
});
