// Audits from a replica of a plain primary/replica pair (redis.replicas, readFrom default replica): a `--full`
// diagnosis reads every key on a healthy replica and sends no keyspace command to the primary (MONITOR on
// the primary); a replica whose link is down is not read; with none healthy, the primary is read and said so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsOn, findingById } from '../support/replica-reads.js';
import type { Report } from '../../src/diagnostics/types.js';
import { diagnoseJson, nodeClient, writeConfig } from '../cluster/cluster-env.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

const SESSIONS = 3000;
const KEYSPACE_COMMANDS = /^"(scan|pttl|eval|evalsha|evalsha_ro|eval_ro|get|hgetall|dbsize)"/i;

let dir: string;
let primary: RedisServerHandle;
let replica: RedisServerHandle;
/** A replica of a primary that is not running: its link stays down. */
let unlinked: RedisServerHandle;
let config: string;

const url = (port: number) => `redis://127.0.0.1:${port}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replica-pair-'));
  primary = await startRedisServer(['--dir', dir]);
  replica = await startRedisServer(['--dir', dir, '--replicaof', '127.0.0.1', String(primary.port)]);
  unlinked = await startRedisServer(['--dir', dir, '--replicaof', '127.0.0.1', String(await freePort())]);
  const client = nodeClient(primary.port);
  const p = client.pipeline();
  for (let i = 0; i < SESSIONS; i++) p.set(`session:${i}`, JSON.stringify({ user_id: i }), 'EX', 3600);
  for (let i = 0; i < 500; i++) p.set(`other:${i}`, 'x');
  await p.exec();
  // The replica has every key before the audits start.
  expect(await client.call('WAIT', 1, 10_000)).toBe(1);
  client.disconnect();
  const redis = { url: url(primary.port) };
  config = writeConfig({
    rep: { profile: 'development', redis: { ...redis, replicas: [url(unlinked.port), url(replica.port)] } },
    pri: { profile: 'development', redis: { ...redis, replicas: [url(replica.port)], readFrom: 'primary' } },
    down: { profile: 'development', redis: { ...redis, replicas: [url(unlinked.port)] } },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([primary, replica, unlinked].map((s) => s?.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('--full with redis.replicas', () => {
  it('reads every key on the linked replica and sends no keyspace command to the primary', async () => {
    let report: Report | undefined;
    const onPrimary = await commandsOn([primary.port], async () => {
      ({ report } = await diagnoseJson(config, 'rep', ['--full']));
    });
    expect(onPrimary.filter((c) => KEYSPACE_COMMANDS.test(c))).toEqual([]);
    // INFO and CONFIG of the primary are still read for the checks that need them.
    expect(onPrimary).toContain('"info"');
    const source = findingById(report!, 'replica_reads.source');
    expect(source.evidence).toMatchObject({ mode: 'replica', readFrom: [`127.0.0.1:${replica.port}`] });
    expect(source.title).toMatch(
      /Keys were read on replica 127\.0\.0\.1:\d+ \(\d+ bytes of replication stream behind\)/,
    );
    const skipped = (source.evidence as { replicas: { address: string; problem?: string }[] }).replicas;
    expect(skipped.find((r) => r.address === `127.0.0.1:${unlinked.port}`)?.problem).toMatch(/master_link_status down/);
    expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({ sampled: SESSIONS });
  }, 90_000);

  it('with readFrom: primary, reads the keys on the primary', async () => {
    let report: Report | undefined;
    const onPrimary = await commandsOn([primary.port], async () => {
      ({ report } = await diagnoseJson(config, 'pri', ['--full']));
    });
    expect(onPrimary.filter((c) => KEYSPACE_COMMANDS.test(c)).length).toBeGreaterThan(0);
    expect(findingById(report!, 'replica_reads.source').evidence).toMatchObject({ mode: 'primary', readFrom: [] });
    expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({ sampled: SESSIONS });
  }, 90_000);

  it('with no healthy replica, reads the primary and says why', async () => {
    let report: Report | undefined;
    const onPrimary = await commandsOn([primary.port], async () => {
      ({ report } = await diagnoseJson(config, 'down', ['--full']));
    });
    expect(onPrimary.filter((c) => KEYSPACE_COMMANDS.test(c)).length).toBeGreaterThan(0);
    const fallback = findingById(report!, 'replica_reads.fallback');
    expect(fallback.severity).toBe('warning');
    expect(fallback.detail).toContain(`127.0.0.1:${unlinked.port} (master_link_status down)`);
    expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({ sampled: SESSIONS });
  }, 90_000);
});
