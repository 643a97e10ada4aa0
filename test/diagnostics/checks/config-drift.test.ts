import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDriftCheck } from '../../../src/diagnostics/checks/config-drift.js';
import { evictionPolicyCheck } from '../../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../../src/diagnostics/checks/memory.js';
import { keyspaceEventClasses, memoryBytes, readDirectives } from '../../../src/diagnostics/checks/redis-conf-text.js';
import { configMapObject } from '../../fakes/kube-api.js';
import {
  clusterOf,
  contextFor,
  diagnose,
  seedSessions,
  testConfig,
  useHealthyEnvironment,
} from '../healthy-environment.js';
import { findingById, findingIds, runChecked } from '../check-context.js';
import { plantAllkeysEvictions } from '../../support/plant-evictions.js';

// Issue 10 item 4: the live Redis against the redis.conf of its ConfigMap, and fix texts that change one directive.

const env = useHealthyEnvironment();
const REDIS_CM = 'redis-session-config';

/** The Redis ConfigMap of the runbook, with comments and settings the bot must leave alone. */
function plantRedisConf(conf: string): void {
  env.kube.setConfigMap(configMapObject({ name: REDIS_CM, data: { 'redis.conf': conf } }));
}

const RUNBOOK_CONF = [
  '# session store',
  'maxmemory 512mb',
  'maxmemory-policy volatile-lru',
  'appendonly no',
  'auto-aof-rewrite-percentage 100',
  'auto-aof-rewrite-min-size 128mb',
  'notify-keyspace-events Ex',
  'save ""',
  '',
].join('\n');

/** The live Redis as the ConfigMap says. */
async function liveAsConfigMap(): Promise<void> {
  await env.client.config('SET', 'maxmemory', '512mb');
  await env.client.config('SET', 'maxmemory-policy', 'volatile-lru');
  await env.client.config('SET', 'appendonly', 'no');
  await env.client.config('SET', 'auto-aof-rewrite-percentage', '100');
  await env.client.config('SET', 'auto-aof-rewrite-min-size', '128mb');
  await env.client.config('SET', 'notify-keyspace-events', 'xE');
}

// The shared server outlives this file: the settings it changes are put back after each test.
const TOUCHED = ['appendonly', 'auto-aof-rewrite-percentage', 'auto-aof-rewrite-min-size', 'notify-keyspace-events'];
let saved: string[] | undefined;
beforeEach(async () => {
  saved ??= await Promise.all(TOUCHED.map(async (n) => ((await env.client.config('GET', n)) as string[])[1] as string));
});
afterEach(async () => {
  for (const [i, n] of TOUCHED.entries()) await env.client.config('SET', n, saved?.[i] as string);
});

const run = () =>
  runChecked(configDriftCheck, contextFor({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) }));

describe('config-drift', () => {
  it('no drift: the live values equal the ConfigMap (units, letter order of keyspace events aside)', async () => {
    plantRedisConf(RUNBOOK_CONF);
    await liveAsConfigMap();
    expect(findingIds(await run())).toEqual([]);
  });

  it('policy and maxmemory drifted live: config.live_drift with both values per directive', async () => {
    plantRedisConf(RUNBOOK_CONF);
    await liveAsConfigMap();
    await env.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await env.client.config('SET', 'maxmemory', '256mb');

    const f = findingById(await run(), 'config.live_drift');

    expect(f.severity).toBe('warning');
    expect(f.evidence).toMatchObject({ configMap: REDIS_CM, key: 'redis.conf' });
    expect((f.evidence.drifts as unknown[]).map((d) => ({ ...(d as object), address: undefined }))).toEqual([
      { directive: 'maxmemory', configMap: '512mb', live: String(256 * 1024 * 1024), address: undefined },
      { directive: 'maxmemory-policy', configMap: 'volatile-lru', live: 'allkeys-lru', address: undefined },
    ]);
    expect(f.title).toContain('maxmemory-policy allkeys-lru live vs volatile-lru in the ConfigMap');
    expect(f.fix).toContain('redis-cli CONFIG SET maxmemory-policy volatile-lru');
    expect(f.fix).not.toContain('kubectl patch');
  });

  it('AOF and keyspace events drifted: config.live_drift_aof (Scenario 7) and config.live_drift_events', async () => {
    plantRedisConf(RUNBOOK_CONF);
    await liveAsConfigMap();
    await env.client.config('SET', 'auto-aof-rewrite-min-size', '1mb');
    await env.client.config('SET', 'notify-keyspace-events', '');

    const fs = await run();

    expect(findingIds(fs)).toEqual(['config.live_drift_aof', 'config.live_drift_events']);
    expect(findingById(fs, 'config.live_drift_aof').evidence.drifts).toEqual([
      expect.objectContaining({
        directive: 'auto-aof-rewrite-min-size',
        configMap: '128mb',
        live: String(1024 * 1024),
      }),
    ]);
    expect(findingById(fs, 'config.live_drift_events').evidence.drifts).toEqual([
      expect.objectContaining({ directive: 'notify-keyspace-events', configMap: 'Ex', live: '' }),
    ]);
  });

  it('the ConfigMap says volatile-lru, live runs allkeys-lru: eviction advice points to the drift, not to the ConfigMap', async () => {
    // Given: the full diagnosis of a store whose live policy drifted to allkeys-lru and which evicts
    plantRedisConf(RUNBOOK_CONF);
    await seedSessions(env.client);
    await plantAllkeysEvictions(env.client);

    const report = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) });

    const policy = report.findings.find((f) => f.id === 'eviction.allkeys_policy');
    expect(policy?.fix).toMatch(
      /ConfigMap already sets maxmemory-policy volatile-lru; the live Redis runs allkeys-lru \(drifted/,
    );
    expect(policy?.fix).toContain('set-eviction-policy action or redis-cli CONFIG SET maxmemory-policy volatile-lru');
    expect(policy?.fix).not.toMatch(/(change|set) maxmemory-policy (to )?volatile-lru in the/i);
    expect(report.findings.find((f) => f.id === 'config.live_drift')?.evidence.drifts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ directive: 'maxmemory-policy', configMap: 'volatile-lru', live: 'allkeys-lru' }),
      ]),
    );
    // No finding's fix replaces a whole redis.conf.
    for (const f of report.findings) expect(f.fix ?? '', f.id).not.toMatch(/kubectl patch[^;]*redis\.conf/);
  });

  // (AOF tuning's fix is held to the same rule in aof.test.ts, on a server of its own: AOF writes files.)
  it('no fix text of the Redis checks replaces a whole redis.conf (allkeys, no limit)', async () => {
    await env.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const ctx = contextFor({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) });
    const fixes = (await Promise.all([evictionPolicyCheck, memoryCheck].map((c) => c.run(ctx))))
      .flat()
      .map((f) => f.fix ?? '');
    expect(fixes.length).toBeGreaterThan(0);
    for (const fix of fixes) expect(fix).not.toMatch(/redis\.conf"\s*:/);
  });

  it('a missing ConfigMap or key is a note, not a finding', async () => {
    env.kube.deleteConfigMap(REDIS_CM);
    const notes: string[] = [];
    const ctx = {
      ...contextFor({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) }),
      note: (m: string) => notes.push(m),
    };
    expect(await configDriftCheck.run(ctx)).toEqual([]);
    expect(notes[0]).toMatch(/ConfigMap redis-session-config not found/);
  });
});

describe('reading redis.conf', () => {
  it('last occurrence wins, names are case-insensitive, quotes group, comments skipped', () => {
    const d = readDirectives('# maxmemory 1gb\nMAXMEMORY 1gb\nmaxmemory 2gb\nsave ""\nnotify-keyspace-events "Ex"\r\n');
    expect(Object.fromEntries(d)).toEqual({ maxmemory: '2gb', save: '', 'notify-keyspace-events': 'Ex' });
  });
  it('memory units as Redis reads them; keyspace event classes compare as sets', () => {
    expect(memoryBytes('512mb')).toBe(536870912);
    expect(memoryBytes('1G')).toBe(1e9);
    expect(memoryBytes('100')).toBe(100);
    expect(memoryBytes('lots')).toBeUndefined();
    expect(keyspaceEventClasses('Ex')).toBe(keyspaceEventClasses('xE'));
    expect(keyspaceEventClasses('AKE')).toBe(keyspaceEventClasses('KEg$lshzxetd'));
  });
});
