import { describe, expect, it } from 'vitest';
import {
  bytes,
  compactDuration,
  count,
  decimal,
  duration,
  durationMs,
  exactSeconds,
  percent,
  redisHumanBytes,
} from '../../src/core/format.js';

describe('format', () => {
  it.each([
    [0, '0 s'],
    [2.46, '2.5 s'],
    [45, '45 s'],
    [59.6, '1 min'],
    [360, '6 min'],
    [5400, '1 h 30 min'],
    [3600, '1 h'],
    [86_400 * 2 + 3600 * 12 + 59, '2 d 12 h'],
    [-3.2, '-3.2 s'],
  ])('duration(%s) = %s', (s, text) => expect(duration(s)).toBe(text));

  it('formats milliseconds, counts, percentages and bytes', () => {
    expect(durationMs(812)).toBe('812 ms');
    expect(durationMs(1500)).toBe('1.5 s');
    expect(count(1234567.4)).toBe('1,234,567');
    expect(percent(0.12345)).toBe('12.3%');
    expect(percent(1)).toBe('100%');
    expect(bytes(128 * 1024 * 1024)).toBe('128mb');
    expect(bytes(1.5 * 1024 ** 3)).toBe('1.5gb');
    expect(bytes(100)).toBe('100b');
  });

  it('keeps fractions of rates, and exact seconds for readouts that are compared line by line', () => {
    expect(decimal(0.4)).toBe('0.4');
    expect(decimal(1234.567, 2)).toBe('1,234.57');
    expect(decimal(2)).toBe('2');
    expect(exactSeconds(3540)).toBe('3,540 s');
    expect(exactSeconds(3569.4)).toBe('3,569 s');
    expect(exactSeconds(2.46)).toBe('2.5 s');
    expect(exactSeconds(0)).toBe('0 s');
  });

  it.each([
    [0, '0s'],
    [45, '45s'],
    [360, '6m'],
    [3600, '1h'],
    [5400, '1h30m'],
    [8640, '2h24m'],
    [86400, '1d'],
    [129600, '1d12h'],
    [604800, '7d'],
  ])('compactDuration(%d) = %s (histogram bucket labels)', (s, text) => expect(compactDuration(s)).toBe(text));

  it('writes bytes the way Redis INFO does, for a missing *_human field', () => {
    expect(redisHumanBytes(1.5 * 1024 ** 2)).toBe('1.50M');
    expect(redisHumanBytes(512 * 1024)).toBe('512.00K');
    expect(redisHumanBytes(100)).toBe('100B');
  });
});
