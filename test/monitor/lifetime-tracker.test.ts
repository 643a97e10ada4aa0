import { describe, expect, it } from 'vitest';
import { inSample } from '../../src/monitor/key-sample.js';
import { LifetimeTracker } from '../../src/monitor/lifetime-tracker.js';
import type { ViolationReason } from '../../src/monitor/metrics.js';
import { checkNotifySetting } from '../../src/monitor/notify-setting.js';

function tracker(opts: { sliding?: boolean; maxTracked?: number; sampleRate?: number } = {}) {
  const violations: ViolationReason[] = [];
  const lifetimes: number[] = [];
  const t = new LifetimeTracker({
    expectedTtlSeconds: 100,
    slidingWindow: opts.sliding ?? true,
    maxTracked: opts.maxTracked ?? 1000,
    sampleRate: opts.sampleRate ?? 0.1,
    sink: { violation: (r) => violations.push(r), lifetime: (s) => lifetimes.push(s) },
  });
  return { t, violations, lifetimes };
}

describe('LifetimeTracker', () => {
  it('judges ends against the expectation; the sliding window moves it, a fixed window keeps the first TTL', () => {
    for (const sliding of [true, false]) {
      const { t, violations, lifetimes } = tracker({ sliding });
      t.write('s', 0);
      t.ttl('s', 100_000, 0);
      t.write('s', 50_000); // a refresh that shortens the TTL to 60 s
      t.ttl('s', 60_000, 50_000);
      t.end('s', 'expired', 110_000);
      // Sliding: 60 s since the refresh, as expected (the short refresh is short_ttl). Fixed: 110 s >= 90 s.
      expect(violations).toEqual(sliding ? ['short_ttl'] : []);
      expect(lifetimes).toEqual([110]);
    }
    const { t, violations } = tracker({ sliding: false });
    t.write('s', 0);
    t.ttl('s', 100_000, 0);
    t.write('s', 10_000);
    t.ttl('s', 20_000, 10_000);
    t.end('s', 'expired', 30_000); // 30 s of an expected 100 s
    expect(violations).toEqual(['early_expiration']);
  });

  it('counts no_ttl once while a session stays without a TTL, ignores stale TTL reads, and does not observe scanned sessions', () => {
    const { t, violations, lifetimes } = tracker();
    t.write('s', 0);
    t.ttl('s', -1, 0);
    t.write('s', 5);
    t.ttl('s', -1, 5);
    expect(violations).toEqual(['no_ttl']);
    t.write('s', 10);
    t.ttl('s', 100_000, 9); // read before the latest write: another read follows
    expect(violations).toEqual(['no_ttl']);
    t.scanned('old', 50_000, 0);
    t.end('old', 'evicted', 1000);
    t.end('never-seen', 'deleted', 1000);
    expect(violations).toEqual(['no_ttl', 'evicted']);
    expect(lifetimes).toEqual([]);
  });

  it('tracks every session up to the cap, then only a deterministic sample, never more than twice the cap', () => {
    const { t } = tracker({ maxTracked: 1000, sampleRate: 0.1 });
    for (let i = 0; i < 1000; i++) t.write(`session:${i}`, 0);
    expect(t.size).toBe(1000);
    expect(t.sampleRate).toBe(1);
    for (let i = 1000; i < 20_000; i++) t.write(`session:${i}`, 0);
    expect(t.sampleRate).toBe(0.1);
    expect(t.size).toBeLessThanOrEqual(2000);
    const sampled = Array.from({ length: 20_000 }, (_, i) => `session:${i}`).filter((k) => inSample(k, 0.1)).length;
    expect(t.size).toBe(sampled); // exactly the keys in the sample, old and new
    expect(sampled / 20_000).toBeGreaterThan(0.08);
    expect(sampled / 20_000).toBeLessThan(0.12);
  });

  it('rebuild drops what ended unseen (without counting) and keeps what the scan or a write saw', () => {
    const { t, violations } = tracker();
    t.write('a', 0);
    t.write('b', 0);
    t.beginRebuild();
    t.scanned('a', 1000, 1);
    t.write('c', 2);
    expect(t.endRebuild()).toBe(1);
    expect(t.size).toBe(2);
    expect(violations).toEqual([]);
  });
});

describe('checkNotifySetting', () => {
  it.each([
    ['KEg$xe', true, []],
    ['AKE', true, []],
    ['KA', true, []],
    ['', false, ['K', 'g', '$', 'x', 'e']],
    ['Ex', false, ['K', 'g', '$', 'e']],
    ['EA', false, ['K']],
  ])('"%s": ok %s, missing %j', (setting, ok, missing) => {
    const r = checkNotifySetting(setting);
    expect(r.ok).toBe(ok);
    if (!r.ok) {
      expect(r.missing).toEqual(missing);
      expect(r.fix).toContain(`CONFIG SET notify-keyspace-events ${setting}${missing.join('')}`);
    }
  });

  it('says so when CONFIG GET is not allowed', () => {
    const r = checkNotifySetting(undefined);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/cannot read notify-keyspace-events.*Kg\$xe/);
  });

  it('reports how every tracked session ended, those found by a scan too', () => {
    const ends: string[] = [];
    const t = new LifetimeTracker({
      expectedTtlSeconds: 100,
      slidingWindow: false,
      maxTracked: 1000,
      sampleRate: 1,
      sink: { violation: () => undefined, lifetime: () => undefined, ended: (k) => ends.push(k) },
    });
    t.scanned('old', 50_000, 0);
    t.end('old', 'expired', 50_000);
    t.write('short', 0);
    t.ttl('short', 100_000, 0);
    t.write('short', 1);
    t.ttl('short', 10_000, 1);
    t.end('short', 'expired', 10_001);
    t.scanned('a', 50_000, 0);
    t.end('a', 'evicted', 1);
    t.write('b', 0);
    t.end('b', 'deleted', 1);
    t.end('never-seen', 'expired', 1);
    expect(ends).toEqual(['expired', 'expired_early', 'evicted', 'deleted']);
  });
});
