// Audits from a replica behind Sentinel (redis.readFrom, default replica): a `--full` diagnosis reads every
// key on a replica and sends no keyspace command to the primary, watched with MONITOR on the primary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsOn, findingById } from '../support/replica-reads.js';
import type { Report } from '../../src/diagnostics/types.js';
import { diagnoseJson, nodeClient, writeConfig } from '../cluster/cluster-env.js';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-sentinel.js';

const SESSIONS = 3000;
const KEYSPACE_COMMANDS = /^"(scan|pttl|eval|evalsha|evalsha_ro|eval_ro|get|hgetall|dbsize)"/i;

let set: RedisSentinelHandle;
let config: string;

beforeAll(async () => {
  set = await startRedisSentinel();
  const primary = nodeClient(set.primary.port);
  const p = primary.pipeline();
  for (let i = 0; i < SESSIONS; i++) p.set(`session:${i}`, JSON.stringify({ user_id: i }), 'EX', 3600);
  for (let i = 0; i < 500; i++) p.set(`other:${i}`, 'x');
  await p.exec();
  // Both replicas have every key before the audits start.
  expect(await primary.call('WAIT', 2, 10_000)).toBe(2);
  primary.disconnect();
  const sentinel = { masterName: set.masterName, nodes: set.sentinelNodes };
  config = writeConfig({
    rep: { profile: 'development', redis: { sentinel } },
    pri: { profile: 'development', redis: { sentinel, readFrom: 'primary' } },
  });
}, 60_000);

afterAll(async () => {
  await set?.stop();
});

describe('--full behind Redis Sentinel', () => {
  it('reads every key on a replica and sends no keyspace command to the primary', async () => {
    let report: Report | undefined;
    const onPrimary = await commandsOn([set.primary.port], async () => {
      ({ report } = await diagnoseJson(config, 'rep', ['--full']));
    });
    expect(onPrimary.filter((c) => KEYSPACE_COMMANDS.test(c))).toEqual([]);
    // INFO and CONFIG of the primary are still read for the checks that need them.
    expect(onPrimary).toContain('"info"');
    const topology = findingById(report!, 'sentinel.topology');
    const replicas = set.replicas.map((r) => `127.0.0.1:${r.port}`);
    expect(replicas).toContain((topology.evidence as { readFrom: string }).readFrom);
    expect(topology.detail).toMatch(
      /Keys were read on replica 127\.0\.0\.1:\d+ \(\d+ bytes of replication stream behind\)/,
    );
    expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({ sampled: SESSIONS });
  }, 60_000);

  it('with readFrom: primary, reads the keys on the primary', async () => {
    let report: Report | undefined;
    const onPrimary = await commandsOn([set.primary.port], async () => {
      ({ report } = await diagnoseJson(config, 'pri', ['--full']));
    });
    expect(onPrimary.filter((c) => KEYSPACE_COMMANDS.test(c)).length).toBeGreaterThan(0);
    expect(findingById(report!, 'sentinel.topology').evidence).toMatchObject({ readFrom: null });
    expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({ sampled: SESSIONS });
  }, 60_000);
});
