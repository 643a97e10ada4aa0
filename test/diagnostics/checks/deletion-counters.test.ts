import { describe, expect, it } from 'vitest';
import { deletionCountersCheck } from '../../../src/diagnostics/checks/deletion-counters.js';
import {
  APP_PODS,
  clusterOf,
  contextFor,
  diagnose,
  seedSessions,
  testConfig,
  useHealthyEnvironment,
} from '../healthy-environment.js';
import { findingById, findingIds, runChecked } from '../check-context.js';
import { eventually } from '../../support/eventually.js';

const env = useHealthyEnvironment();

/** Deletes `n` of the seeded sessions one DEL per key, as a script piping SCAN into DEL does. */
async function deleteByHand(n: number): Promise<void> {
  const p = env.client.pipeline();
  for (let i = 0; i < n; i++) p.del(`session:s${i}`);
  await p.exec();
}

describe('deletion-counters (Scenario 4 from what Redis counts)', () => {
  it('2,000 of 5,000 sessions deleted by hand and no pod logs: Scenario 4 is likely', async () => {
    // Given: 5,000 sessions, 2,000 of them deleted by hand, and app pods whose logs are empty
    await seedSessions(env.client, { count: 5000, ttlSeconds: 3600 });
    await deleteByHand(2000);
    for (const pod of APP_PODS) env.kube.setPodLog(pod, '');

    // When: the full diagnosis runs
    const report = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) });

    // Then: deletion.commands from the counters, and Scenario 4 ranked likely on it
    const f = report.findings.find((x) => x.id === 'deletion.commands');
    expect(f?.severity).toBe('critical');
    expect(f?.evidence).toMatchObject({
      del: 2000,
      unlink: 0,
      expiredKeys: 0,
      keys: 3000,
      expires: 3000,
      deletedShare: 1,
    });
    const s4 = report.scenarios.find((s) => s.scenario === 4);
    expect(s4).toMatchObject({ likelihood: 'likely', evidence: ['deletion.commands'] });
    expect(report.scenarios[0]?.scenario).toBe(4);
  });

  it('UNLINK counts too, and deletes fewer than expirations (logouts) are only info', async () => {
    await seedSessions(env.client, { count: 300, ttlSeconds: 3600 });
    const p = env.client.pipeline();
    for (let i = 0; i < 60; i++) p.unlink(`session:s${i}`);
    // 200 sessions that expire: written with a 1 ms TTL, then read so they are counted as expired.
    for (let i = 0; i < 200; i++) p.set(`session:short${i}`, '{}', 'PX', 1);
    await p.exec();
    await eventually('the 200 short sessions to expire', async () => {
      const q = env.client.pipeline();
      for (let i = 0; i < 200; i++) q.exists(`session:short${i}`);
      const r = (await q.exec()) ?? [];
      return r.every(([, v]) => v === 0);
    });

    const fs = await runChecked(deletionCountersCheck, contextFor({ config: testConfig(), client: env.client }));

    const f = findingById(fs, 'deletion.commands');
    expect(f.severity).toBe('info');
    expect(f.evidence).toMatchObject({ del: 0, unlink: 60, expiredKeys: 200 });
  });

  it('a healthy store with a few logouts raises nothing', async () => {
    await seedSessions(env.client, { count: 500, ttlSeconds: 3600 });
    await deleteByHand(10);
    const fs = await runChecked(deletionCountersCheck, contextFor({ config: testConfig(), client: env.client }));
    expect(findingIds(fs)).toEqual([]);
  });
});
