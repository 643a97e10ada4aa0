import { describe, expect, it } from 'vitest';
import { createReplayGuard } from '../../../src/chat/slack/replay-guard.js';

describe('createReplayGuard', () => {
  it('refuses a signature seen inside the window and forgets it after', () => {
    let now = 1_000_000_000;
    const guard = createReplayGuard({ now: () => now });
    const ts = now / 1000;
    expect(guard.check('v0=a', ts)).toBe('fresh');
    expect(guard.check('v0=b', ts)).toBe('fresh');
    now += 4 * 60 * 1000;
    expect(guard.check('v0=a', ts)).toBe('replay');
    now += 2 * 60 * 1000;
    // Past the window Bolt refuses the stale timestamp itself; the entry is gone.
    expect(guard.check('v0=c', now / 1000)).toBe('fresh');
    expect(guard.size).toBe(1);
  });

  it('refuses timestamps more than the window in the future', () => {
    const now = 2_000_000_000;
    const guard = createReplayGuard({ now: () => now });
    expect(guard.check('v0=f', now / 1000 + 6 * 60)).toBe('future');
    expect(guard.check('v0=g', now / 1000 + 60)).toBe('fresh');
  });

  it('stays bounded: the oldest entries go first past maxEntries', () => {
    const now = 3_000_000_000;
    const guard = createReplayGuard({ now: () => now, maxEntries: 3 });
    for (const s of ['a', 'b', 'c', 'd', 'e']) guard.check(s, now / 1000);
    expect(guard.size).toBeLessThanOrEqual(4);
    expect(guard.check('e', now / 1000)).toBe('replay');
  });
});
