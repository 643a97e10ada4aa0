import { runChecked } from '../check-context.js';
import { describe, expect, it } from 'vitest';
import { hardcodedTtlCheck, sameTtl } from '../../../src/diagnostics/checks/hardcoded-ttl.js';
import type { RawFinding } from '../../../src/diagnostics/types.js';
import { configMapObject } from '../../fakes/kube-api.js';
import {
  CM,
  clusterOf,
  contextFor,
  diagnose,
  NS,
  plantHealthyCluster,
  problems,
  seedSessions,
  testConfig,
  useHealthyEnvironment,
} from '../healthy-environment.js';

const ID = 'config.hardcoded_ttl_suspected';
const env = useHealthyEnvironment();

async function run(): Promise<RawFinding[]> {
  return runChecked(
    hardcodedTtlCheck,
    contextFor({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) }),
  );
}
const only = (fs: RawFinding[]): RawFinding => {
  expect(fs.map((f) => f.id)).toEqual([ID]);
  return fs[0] as RawFinding;
};

/**
 * Sessions refreshed on access: last accessed `age` ago (spread over 90% of the TTL), created
 * `createdBeforeAccess` seconds before that, remaining TTL = ttl - age. `values: 'opaque'` stores no
 * timestamps at all.
 */
async function plantRefreshed(opts: {
  count?: number;
  ttl: number;
  createdBeforeAccess: number;
  values?: 'json' | 'opaque';
}) {
  const count = opts.count ?? 300;
  const nowSec = Math.floor(Date.now() / 1000);
  const p = env.client.pipeline();
  for (let i = 0; i < count; i++) {
    const age = Math.floor((i / count) * opts.ttl * 0.9);
    const value =
      opts.values === 'opaque'
        ? `opaque-${i}`
        : JSON.stringify({
            user_id: `u${i}`,
            created_at: nowSec - age - opts.createdBeforeAccess,
            last_accessed_at: nowSec - age,
          });
    p.set(`session:r${i}`, value, 'EX', opts.ttl - age);
  }
  await p.exec();
}

describe('sameTtl', () => {
  it('allows max(5 s, 2%)', () => {
    expect(sameTtl(3600, 3660)).toBe(true);
    expect(sameTtl(3600, 3700)).toBe(false);
    expect(sameTtl(60, 65)).toBe(true);
    expect(sameTtl(60, 66)).toBe(false);
  });
});

describe('hardcoded-ttl stays silent', () => {
  it('on a healthy setup: writers use the ConfigMap TTL', async () => {
    await seedSessions(env.client, { ttlSeconds: 3600 });
    expect(await run()).toEqual([]);
  });

  it('when the writers use an explicit SESSION_TTL_SECONDS (config.env_override_mismatch covers it)', async () => {
    plantHealthyCluster(env.kube, { container: { env: { SESSION_TTL_SECONDS: '600' } } });
    await seedSessions(env.client, { ttlSeconds: 600 });
    expect(await run()).toEqual([]);
  });

  it('when the writers use a SESSION_TTL value from another ConfigMap', async () => {
    plantHealthyCluster(env.kube, {
      container: { env: { SESSION_TTL: { configMap: 'session-overrides', key: 'ttl' } } },
    });
    env.kube.setConfigMap(configMapObject({ name: 'session-overrides', data: { ttl: '900' } }));
    await seedSessions(env.client, { ttlSeconds: 900 });
    expect(await run()).toEqual([]);
  });

  it('when several TTLs are in use (ttl.inconsistent covers it)', async () => {
    await seedSessions(env.client, { count: 200, ttlSeconds: 3600 });
    await seedSessions(env.client, { count: 200, ttlSeconds: 600, prefix: 'short' });
    expect(await run()).toEqual([]);
  });

  it('when pods started before the ConfigMap last changed (config.stale_pods covers it)', async () => {
    plantHealthyCluster(env.kube, { container: { startedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() } });
    await seedSessions(env.client, { ttlSeconds: 600 });
    expect(await run()).toEqual([]);
  });

  it('when nothing configures a TTL (config.missing_key covers it)', async () => {
    plantHealthyCluster(env.kube, { data: { session_ttl_seconds: undefined } });
    await seedSessions(env.client, { ttlSeconds: 600 });
    expect(await run()).toEqual([]);
  });

  it('when almost every session was written before the ConfigMap changed', async () => {
    const now = Date.now();
    plantHealthyCluster(env.kube, { container: { startedAt: new Date(now - 10_000).toISOString() } });
    env.kube.setConfigMap(
      configMapObject({
        name: CM,
        data: { session_ttl_seconds: '3600', session_sliding_window: 'true' },
        changedAt: new Date(now - 20_000).toISOString(),
      }),
    );
    await seedSessions(env.client, { ttlSeconds: 600 });
    expect(await run()).toEqual([]);
  });

  it('when values carry no timestamps and the remaining TTLs stay below the ConfigMap (only a lower bound)', async () => {
    await plantRefreshed({ ttl: 600, createdBeforeAccess: 0, values: 'opaque' });
    expect(await run()).toEqual([]);
  });

  it('with a sliding window, counting age from the last access (not from creation)', async () => {
    // Sessions created 30 min before their last access: age from creation + remaining would be 5400 s.
    await plantRefreshed({ ttl: 3600, createdBeforeAccess: 1800 });
    expect(await run()).toEqual([]);
  });
});

describe('config.hardcoded_ttl_suspected', () => {
  it('is critical when writers use 600 s against a ConfigMap of 3600 s, naming every configured value', async () => {
    plantHealthyCluster(env.kube, {
      container: { env: { SESSION_TTL_SECONDS: { configMap: CM, key: 'session_ttl_seconds' } } },
    });
    await seedSessions(env.client, { ttlSeconds: 600 });
    const f = only(await run());
    expect(f.severity).toBe('critical');
    expect(f.title).toBe(
      'Sessions are written with a TTL of 600 s (10 min), which no configuration sets: a hard-coded TTL?',
    );
    expect(f.evidence).toMatchObject({
      writerTtlSeconds: 600,
      lowerBound: false,
      basis: 'last_access + remaining TTL',
      configMapTtlSeconds: 3600,
      expectedTtlSeconds: 3600,
      configured: [
        { source: `ConfigMap ${CM} session_ttl_seconds`, seconds: 3600 },
        {
          source: `SESSION_TTL_SECONDS from ConfigMap ${CM} key session_ttl_seconds in container agent`,
          seconds: 3600,
        },
      ],
    });
    expect(f.evidence.sessions).toBe(400);
    // Without app.codeHints the advice names no particular code base.
    expect(f.fix).toContain('in the code that writes sessions');
    expect(f.fix).not.toMatch(/mcp_server_langgraph|session\.py|create_session/);
    expect(f.fix).toContain(`kubectl rollout restart deployment/langgraph-agent -n ${NS}`);
  });

  it('is a warning when writers use a longer TTL (5400 s)', async () => {
    await seedSessions(env.client, { ttlSeconds: 5400 });
    const f = only(await run());
    expect(f.severity).toBe('warning');
    expect(f.evidence.writerTtlSeconds).toBe(5400);
  });

  it('is info when writers use the expected TTL although the ConfigMap says otherwise (config changes would not apply)', async () => {
    plantHealthyCluster(env.kube, { ttlSeconds: 1800 });
    await seedSessions(env.client, { ttlSeconds: 3600 });
    const f = only(await run());
    expect(f.severity).toBe('info');
    expect(f.detail).toContain('changing the configuration will not change it');
  });

  it('uses creation time when the ConfigMap turns the sliding window off', async () => {
    plantHealthyCluster(env.kube, { slidingWindow: false });
    // A last access far back but a recent creation: only created_at gives the writers' 1200 s.
    const nowSec = Math.floor(Date.now() / 1000);
    const p = env.client.pipeline();
    for (let i = 0; i < 100; i++) {
      const age = i * 10;
      p.set(
        `session:c${i}`,
        JSON.stringify({ created_at: nowSec - age, last_accessed_at: nowSec - 5000 }),
        'EX',
        1200 - age,
      );
    }
    await p.exec();
    const f = only(await run());
    expect(f.evidence).toMatchObject({ writerTtlSeconds: 1200, basis: 'created_at + remaining TTL' });
  });

  it('without timestamps, reports remaining TTLs above every configured value as a lower bound', async () => {
    await plantRefreshed({ ttl: 7200, createdBeforeAccess: 0, values: 'opaque' });
    const f = only(await run());
    expect(f.evidence).toMatchObject({
      writerTtlSeconds: 7200,
      lowerBound: true,
      basis: 'largest remaining TTL, rounded up',
    });
    expect(f.title).toContain('at least 7,200 s (2 h)');
  });
});

describe('hardcoded-ttl through the engine with every check', () => {
  it('a healthy setup raises no hard-coded TTL finding', async () => {
    await seedSessions(env.client, { ttlSeconds: 3600 });
    const report = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) });
    expect(report.checks.find((c) => c.id === 'hardcoded-ttl')?.status).toBe('ok');
    expect(report.findings.map((f) => f.id)).not.toContain(ID);
    expect(problems(report)).toEqual([]);
  });

  it('a hard-coded TTL alone makes Scenario 6 the likely first one', async () => {
    await seedSessions(env.client, { ttlSeconds: 600 });
    const report = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) });
    // ttl-sample sees the short TTL too (weak for Scenarios 2 and 6); only this finding points at the code.
    expect(problems(report).sort()).toEqual([ID, 'escalation.severe', 'ttl.effective_below_configured']);
    expect(report.scenarios[0]).toMatchObject({ scenario: 6, likelihood: 'likely' });
    expect(report.scenarios[0]?.evidence).toContain(ID);
    expect(report.scenarios[1]).toMatchObject({ scenario: 2, likelihood: 'possible' });
  });
});
