import { describe, expect, it } from 'vitest';
import { alertKind, alertKinds, createAlertKindRegistry } from '../../src/alerts/alert-kinds.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';

describe('alert kinds', () => {
  it("lists the runbook's alert and its related alerts", () => {
    expect(alertKinds.map((k) => k.alertname)).toEqual([
      'SessionTTLViolations',
      'RedisHighMemoryUsage',
      'SessionStoreErrors',
      'RedisSessionStoreDown',
    ]);
    expect(alertKind('SessionTTLViolations')?.checkIds).toBe('all');
    expect(alertKind('RedisHighMemoryUsage')?.checkIds).toEqual(['memory', 'eviction-policy', 'ttl-sample']);
    expect(alertKind('RedisSessionStoreDown')?.checkIds).toEqual(['memory']);
  });

  it('names only checks that exist, and each reachability alert runs a check that needs Redis', () => {
    const registry = createCheckRegistry(allChecks);
    for (const kind of alertKinds) {
      if (kind.checkIds === 'all') continue;
      for (const id of kind.checkIds) expect(registry.get(id), `${kind.alertname} -> ${id}`).toBeDefined();
    }
    for (const name of ['SessionStoreErrors', 'RedisSessionStoreDown']) {
      const ids = alertKind(name)?.checkIds;
      const needsRedis = Array.isArray(ids) && ids.some((id) => registry.get(id)?.needs.includes('redis'));
      expect(needsRedis, `${name} surfaces redis.unreachable`).toBe(true);
    }
  });

  it('looks names up ignoring case and surrounding space; other alerts are unknown', () => {
    expect(alertKind('sessionttlviolations')?.alertname).toBe('SessionTTLViolations');
    expect(alertKind(' REDISHIGHMEMORYUSAGE ')?.alertname).toBe('RedisHighMemoryUsage');
    expect(alertKind('NodeHighCPU')).toBeUndefined();
    expect(alertKind('')).toBeUndefined();
  });

  it('refuses two kinds with the same name at start-up', () => {
    expect(() =>
      createAlertKindRegistry([
        { alertname: 'SessionTTLViolations', checkIds: 'all', summary: 'a' },
        { alertname: 'sessionTTLviolations', checkIds: ['memory'], summary: 'b' },
      ]),
    ).toThrow('duplicate alert kind "sessionTTLviolations"');
  });
});
