// notify-keyspace-events is per node: on a cluster the monitor judges every master's setting.
import { describe, expect, it } from 'vitest';
import { worstNotify } from '../../src/monitor/notify-setting.js';

describe('worstNotify', () => {
  it('is ok when every master has the flags', () => {
    expect(
      worstNotify([
        { node: 'a:1', setting: 'KEg$xe' },
        { node: 'b:1', setting: 'AK' },
      ]),
    ).toEqual({ ok: true, setting: 'KEg$xe' });
  });

  it('names the masters that lack a flag, with the exact change', () => {
    const check = worstNotify([
      { node: 'a:1', setting: 'KEg$xe' },
      { node: 'b:1', setting: 'Ex' },
      { node: 'c:1', setting: '' },
    ]);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.missing).toEqual(['K', 'g', '$', 'e']);
    expect(check.fix).toBe(
      'CONFIG SET notify-keyspace-events ExKg$e (and notify-keyspace-events ExKg$e in redis.conf)',
    );
    expect(check.message).toMatch(
      /^on 2 of 3 masters \(b:1, c:1\): notify-keyspace-events is "Ex", missing K, g, \$, e/,
    );
    expect(check.message).toMatch(/set it on every master and replica$/);
  });

  it('says so when a master does not let the user read the setting', () => {
    const check = worstNotify([{ node: 'a:1', setting: undefined }]);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.message).toMatch(/^on 1 of 1 masters \(a:1\): cannot read notify-keyspace-events/);
  });
});
