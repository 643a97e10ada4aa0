import { describe, expect, it } from 'vitest';
import { describeDisappearance, judgeDecay, judgeInitialTtl, judgeRefresh } from '../../src/verify/judge-ttl.js';
import { sessionKeyPrefix } from '../../src/verify/key-prefix.js';

const reading = (ttlSeconds: number, atSeconds: number, rttMs = 2) => ({
  pttlMs: ttlSeconds * 1000,
  atMs: atSeconds * 1000,
  rttMs,
});

describe('judgeDecay (TTL readings against the clock)', () => {
  it('accepts a TTL that fell by the elapsed time, within 2 s + the round trips', () => {
    const j = judgeDecay(reading(86400, 0), reading(86341.5, 60));
    expect(j).toEqual({
      elapsedSeconds: 60,
      expectedAfterWaitSeconds: 86340,
      driftSeconds: -1.5,
      toleranceSeconds: 2.004,
    });
  });

  it('says "2x faster than the clock" when the TTL fell twice the elapsed time', () => {
    expect(judgeDecay(reading(3600, 0), reading(3480, 60)).reason).toBe(
      'TTL decays 2x faster than the clock: it fell 120 s in 60 s (clock skew between the bot and Redis, or something shortened the TTL with EXPIRE; runbook Scenario 5)',
    );
  });

  it('says "slower than the clock" when the TTL fell less than the elapsed time', () => {
    expect(judgeDecay(reading(3600, 0), reading(3570, 60)).reason).toMatch(
      /^TTL decays slower than the clock: it fell 30 s in 60 s/,
    );
  });

  it('says the TTL went up when it grew without an access', () => {
    expect(judgeDecay(reading(3000, 0), reading(3600, 60)).reason).toMatch(
      /^TTL went up from 3,000 s to 3,600 s during the wait/,
    );
  });

  it('widens the tolerance by slow round trips', () => {
    expect(judgeDecay(reading(3600, 0, 1500), reading(3536, 60, 1500)).reason).toBeUndefined();
    expect(judgeDecay(reading(3600, 0, 2), reading(3536, 60, 2)).reason).toMatch(/faster/);
  });
});

describe('judgeInitialTtl', () => {
  it('names both TTLs when they differ beyond the tolerance, and accepts small differences', () => {
    expect(judgeInitialTtl(3600, 86400, 2)).toBe(
      'initial TTL 3,600 s but expected 86,400 s: the session was written with another TTL than configured (runbook Scenarios 2 and 6)',
    );
    expect(judgeInitialTtl(604800, 86400, 2)).toMatch(/^initial TTL 604,800 s but expected 86,400 s/);
    expect(judgeInitialTtl(86399.2, 86400, 2)).toBeUndefined();
  });
});

describe('judgeRefresh (runbook Scenario 3)', () => {
  const base = { expectedSeconds: 3600, elapsedSeconds: 60, toleranceSeconds: 2, envName: 'prod' };
  it('fails when the sliding window is on and an access did not refresh the TTL', () => {
    expect(
      judgeRefresh({ ...base, slidingWindow: true, before: reading(3540, 60), after: reading(3539.6, 60.4) }),
    ).toBe(
      'TTL did not refresh on access: 3,540 s before, 3,540 s after GET (the sliding window is on for prod; runbook Scenario 3)',
    );
  });
  it('passes a refresh to the full TTL, and fails a refresh to another TTL', () => {
    expect(
      judgeRefresh({ ...base, slidingWindow: true, before: reading(3540, 60), after: reading(3600, 60.4) }),
    ).toBeUndefined();
    expect(
      judgeRefresh({ ...base, slidingWindow: true, before: reading(1000, 60), after: reading(1800, 60.4) }),
    ).toMatch(/^TTL refreshed on access to 1,800 s, not to the configured 3,600 s/);
    expect(
      judgeRefresh({ ...base, slidingWindow: true, before: reading(3540, 60), after: reading(1800, 60.4) }),
    ).toMatch(/^TTL dropped on access: 3,540 s before, 1,800 s after GET/);
  });
  it('fails a refresh when the sliding window is off, and passes no refresh', () => {
    expect(
      judgeRefresh({ ...base, slidingWindow: false, before: reading(3540, 60), after: reading(3600, 60.4) }),
    ).toMatch(
      /^TTL refreshed on access although the sliding window is off for prod: 3,540 s before, 3,600 s after GET/,
    );
    expect(
      judgeRefresh({ ...base, slidingWindow: false, before: reading(3540, 60), after: reading(3539.6, 60.4) }),
    ).toBeUndefined();
  });
});

describe('describeDisappearance', () => {
  it('says "evicted" when Redis counted evictions, "deleted" when it did not, and hedges when INFO is refused', () => {
    const i = { what: 'canary', secondsSinceWrite: 12, remainingSeconds: 86388 };
    expect(describeDisappearance({ ...i, evictedKeysDelta: 1520 })).toBe(
      'canary evicted after 12 s with 86,388 s of TTL left (evicted_keys +1,520 during the run): Redis evicts keys under memory pressure (runbook Scenario 1)',
    );
    expect(describeDisappearance({ ...i, evictedKeysDelta: 0 })).toMatch(
      /^canary disappeared after 12 s .* while Redis evicted nothing: something deleted it/,
    );
    expect(describeDisappearance({ ...i, evictedKeysDelta: undefined })).toMatch(
      /evicted or deleted \(INFO is refused/,
    );
  });
});

describe('sessionKeyPrefix', () => {
  it('takes the literal part of the key pattern', () => {
    expect(sessionKeyPrefix('session:*')).toBe('session:');
    expect(sessionKeyPrefix('app:sess:*')).toBe('app:sess:');
    expect(sessionKeyPrefix('sess?[0-9]*')).toBe('sess');
    expect(sessionKeyPrefix('plain')).toBe('plain');
  });
});
