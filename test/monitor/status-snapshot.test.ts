import { describe, expect, it } from 'vitest';
import { checkNotifySetting } from '../../src/monitor/notify-setting.js';
import { type MonitorStatus, parseStatusSnapshot } from '../../src/monitor/status-snapshot.js';

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
});
