import { describe, expect, it } from 'vitest';
import { checkNotifySetting } from '../../src/monitor/notify-setting.js';
import { type MonitorStatus, parseStatusSnapshot } from '../../src/monitor/status-snapshot.js';
import { statusLines } from '../../src/monitor/status-text.js';

const status: MonitorStatus = {
  env: 'prod',
  replica: 'bot-0',
  state: 'watching',
  at: 1_700_000_000_000,
  tracked: 12,
  sampleRate: 1,
  // CONFIG GET refused: `setting` is undefined, so JSON drops the key.
  notify: checkNotifySetting(undefined),
  gaps: 1,
  hour: {
    violations: { evicted: 2, deleted: 0, early_expiration: 1, no_ttl: 0, short_ttl: 0 },
    ended: { expired: 498, expired_early: 1, evicted: 2, deleted: 0 },
    lifetime: { p50: 600, p90: 1200, p99: 3000, count: 40 },
  },
};

describe('the status snapshot in the state store', () => {
  it('reads back what the watching replica wrote, the unreadable notification setting included', () => {
    expect(parseStatusSnapshot(JSON.stringify(status))).toEqual(status);
  });

  it('counts 0 for a reason the writer did not know (an older replica)', () => {
    const older = { ...status, hour: { violations: { evicted: 2, deleted: 0, early_expiration: 1 } } };
    expect(parseStatusSnapshot(JSON.stringify(older))?.hour.violations).toEqual({
      evicted: 2,
      deleted: 0,
      early_expiration: 1,
      no_ttl: 0,
      short_ttl: 0,
    });
  });

  it('refuses text that is not JSON, a snapshot without its counts, and a notification check of another shape', () => {
    expect(parseStatusSnapshot('{not json')).toBeUndefined();
    expect(parseStatusSnapshot(JSON.stringify({ ...status, tracked: 'many' }))).toBeUndefined();
    expect(parseStatusSnapshot(JSON.stringify({ ...status, notify: { ok: false } }))).toBeUndefined();
  });

  it('an older replica without end counts says only what it knows, never that no session ended', () => {
    const { ended: _ended, ...hour } = status.hour;
    const older = parseStatusSnapshot(JSON.stringify({ ...status, hour: { ...hour, lifetime: undefined } }))!;
    const text = statusLines([{ kind: 'reported', env: 'prod', ageMs: 1000, status: older }]).join('\n');
    expect(text).toContain('no session lifetime recorded in the last hour');
    expect(text).not.toContain('no session ended');
  });

  it('says what ended normally and what ended early, and whose lifetimes are known', () => {
    const text = statusLines([{ kind: 'reported', env: 'prod', ageMs: 1000, status }]).join('\n');
    expect(text).toContain(
      'ended in the last hour: 501 session(s): 498 normally (expired at their TTL), 3 early (expired early 1, evicted 2, deleted 0)',
    );
    expect(text).toContain('lifetime p50 10 min, p90 20 min, p99 50 min (of the 40 whose first write the monitor saw)');
  });
});
