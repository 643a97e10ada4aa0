import { describe, expect, it } from 'vitest';
import {
  changeSchema,
  isRevertible,
  revertRecordSchema,
  storedPlanSchema,
  type Change,
} from '../../src/remediation/changes.js';

const redis: Change = {
  kind: 'redis-config',
  node: '10.0.0.1:6379',
  parameter: 'maxmemory',
  before: '0',
  after: '1',
  role: 'replica',
};
const configMap: Change = {
  kind: 'configmap',
  namespace: 'ns',
  name: 'redis-session-config',
  key: 'redis.conf',
  before: 'a',
  after: 'b',
  diff: ['-a', '+b'],
  resourceVersion: '7',
};
const restart: Change = { kind: 'rollout-restart', namespace: 'ns', deployment: 'app', resourceVersion: '9' };

describe('the one Change schema', () => {
  it('reads back every kind of change as written, role included', () => {
    for (const c of [redis, configMap, restart]) expect(changeSchema.parse(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('refuses an unknown kind, a missing before, and a wrong role', () => {
    expect(changeSchema.safeParse({ ...restart, kind: 'flush-all' }).success).toBe(false);
    const { before: _before, ...noBefore } = configMap;
    expect(changeSchema.safeParse(noBefore).success).toBe(false);
    expect(changeSchema.safeParse({ ...redis, role: 'leader' }).success).toBe(false);
    expect(storedPlanSchema.safeParse({ changes: [noBefore], summary: 's', params: {} }).success).toBe(false);
  });

  it('says which kinds an apply can undo: values, not restarts', () => {
    expect([redis, configMap, restart].map(isRevertible)).toEqual([true, true, false]);
  });

  it('refuses a revert record with nothing to restore', () => {
    expect(revertRecordSchema.safeParse({ action: 'set-maxmemory', env: 'prod', changes: [] }).success).toBe(false);
    expect(revertRecordSchema.parse({ action: 'set-maxmemory', env: 'prod', changes: [redis] }).changes).toEqual([
      redis,
    ]);
  });
});
