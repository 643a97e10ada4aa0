import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '../../src/adapters/redis/key-slot.js';
import { openSessionStore } from '../../src/adapters/redis/redis-store.js';
import { parseConfig } from '../../src/config/config.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import type { Finding, Report } from '../../src/diagnostics/types.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { diagnoseJson, migrateSlot, nodeClient, ownerPort, writeConfig } from './cluster-env.js';

// One 3-master cluster for the file. Given/when/then: a fault set on one master, a diagnosis through the
// CLI (or the engine, where the test must act during the scan), the finding read from the JSON report.

const TTL = 3600;
const WITH_TTL = 900;
const NO_TTL = 150;
const BINARY = 60;
const OTHER = 15_000;

let cluster: RedisClusterHandle;
let client: Cluster;
let config: string;
let addresses: string[];

const byId = (r: Report, id: string): Finding => {
  const f = r.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no ${id} in ${r.findings.map((x) => x.id).join(', ')}; checks: ${JSON.stringify(r.checks)}`);
  return f;
};
/** A binary key name: not valid UTF-8, so read as text it would name another key. */
const binaryKey = (i: number) =>
  Buffer.concat([Buffer.from('session:'), Buffer.from([0xff, 0xfe, i & 0xff, (i >> 8) & 0xff])]);

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  addresses = cluster.masters.map((m) => `127.0.0.1:${m.port}`);
  client = new Cluster([{ host: '127.0.0.1', port: cluster.masters[0]!.port }]);
  const now = Math.floor(Date.now() / 1000);
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < WITH_TTL; i++) {
    const age = Math.floor((i / WITH_TTL) * TTL * 0.9);
    writes.push(
      client.set(`session:t${i}`, JSON.stringify({ user_id: `u${i}`, created_at: now - age }), 'EX', TTL - age),
    );
  }
  for (let i = 0; i < NO_TTL; i++)
    writes.push(client.set(`session:n${i}`, JSON.stringify({ user_id: `n${i}`, created_at: now })));
  for (let i = 0; i < BINARY; i++)
    writes.push(client.set(binaryKey(i), JSON.stringify({ created_at: now }), 'EX', TTL));
  // Keys outside the pattern are not sessions: the audit must not count them. They also make each
  // master's SCAN take many round trips, so a slot can move while it runs.
  for (let i = 0; i < OTHER; i++) writes.push(client.set(`other:${i}`, 'x'));
  await Promise.all(writes);
  config = writeConfig({
    cl: { profile: 'development', expectedTtlSeconds: TTL, redis: { url: cluster.url, cluster: true } },
    rep: {
      profile: 'development',
      expectedTtlSeconds: TTL,
      redis: { url: cluster.url, cluster: true, readFrom: 'replica' },
    },
  });
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

describe('diagnose on a 3-master Redis Cluster', () => {
  it('a full audit counts every session key exactly once across the masters (with TTL, without, binary names)', async () => {
    // Given: sessions on every master
    const perMaster = await Promise.all(
      cluster.masters.map(async (m) => {
        const c = nodeClient(m.port);
        try {
          let n = 0;
          let cursor = '0';
          do {
            const [next, keys] = await c.scanBuffer(cursor, 'MATCH', 'session:*', 'COUNT', 500);
            cursor = next.toString();
            n += keys.length;
          } while (cursor !== '0');
          return n;
        } finally {
          c.disconnect();
        }
      }),
    );
    expect(perMaster.every((n) => n > 0)).toBe(true);

    // When
    const { report, err } = await diagnoseJson(config, 'cl', ['--full']);

    // Then: the sum over the masters, no more, no less; binary names count with their TTL
    expect(err).toBe('');
    const dist = byId(report, 'ttl.distribution');
    expect(dist.evidence).toMatchObject({
      mode: 'full',
      nodes: 3,
      sampled: WITH_TTL + NO_TTL + BINARY,
      withTtl: WITH_TTL + BINARY,
      noExpiry: NO_TTL,
      slotMap: { changed: false, movedSlots: 0, redirects: 0, mastersBefore: 3, mastersAfter: 3 },
    });
    expect(dist.title).toContain(
      `${(WITH_TTL + NO_TTL + BINARY).toLocaleString('en-US')} sessions (full audit, gentle) on 3 masters`,
    );
    expect(dist.title).not.toContain('slot map changed');
    expect(byId(report, 'ttl.no_expiry').evidence).toMatchObject({
      noExpiry: NO_TTL,
      sampled: WITH_TTL + NO_TTL + BINARY,
    });

    // redis.readFrom unset and no master has a replica: the masters were read, said in an info line, no warning
    expect(report.findings.map((f) => f.id)).not.toContain('replica_reads.fallback');
    const source = byId(report, 'replica_reads.source');
    expect(source.severity).toBe('info');
    expect(source.title).toMatch(/^Keys were read on the masters .*: the cluster has no replica to read$/);
    const reads = source.evidence as { readFrom: string[]; withoutReplica: string[] };
    expect(reads.readFrom).toEqual([]);
    expect([...reads.withoutReplica].sort()).toEqual([...addresses].sort());
  });

  it('readFrom: replica set on purpose on a cluster without replicas: the fallback warning names every master', async () => {
    const { report } = await diagnoseJson(config, 'rep');
    const fallback = byId(report, 'replica_reads.fallback');
    expect(fallback.severity).toBe('warning');
    for (const a of addresses) expect(fallback.title).toContain(a);
    expect(byId(report, 'ttl.distribution').evidence).toMatchObject({ nodes: 3 });
  });

  it('a full audit scans the masters at the same time, not one after another', async () => {
    // Given: MONITOR on every master records when each SCAN ran (server clock, one machine)
    const scans = cluster.masters.map(() => [] as number[]);
    const ended = cluster.masters.map(() => false);
    const monitors = await Promise.all(cluster.masters.map((m) => nodeClient(m.port).monitor()));
    monitors.forEach((mon, i) =>
      mon.on('monitor', (time: string, args: string[]) => {
        if (String(args[0]).toLowerCase() === 'scan') scans[i]!.push(Number(time));
        if (String(args[0]).toLowerCase() === 'echo' && args[1] === 'audit-done') ended[i] = true;
      }),
    );
    try {
      // When
      await diagnoseJson(config, 'cl', ['--full', '--check', 'ttl-sample']);
      // every command before this marker has reached the monitors
      const pings = cluster.masters.map((m) => nodeClient(m.port));
      await Promise.all(pings.map((p) => p.echo('audit-done')));
      pings.forEach((p) => p.disconnect());
      while (!ended.every(Boolean)) await new Promise((r) => setImmediate(r));
    } finally {
      monitors.forEach((m) => m.disconnect());
    }

    // Then: each master took many SCANs, and every master began before any master finished
    expect(scans.every((s) => s.length >= 5)).toBe(true);
    const firsts = scans.map((s) => Math.min(...s));
    const lasts = scans.map((s) => Math.max(...s));
    expect(Math.max(...firsts)).toBeLessThan(Math.min(...lasts));
  });

  it('one master on allkeys-lru among volatile-lru masters: the finding names that master', async () => {
    // Given: volatile-lru everywhere, allkeys-lru on the second master
    const odd = cluster.masters[1]!;
    const clients = cluster.masters.map((m) => nodeClient(m.port));
    try {
      await Promise.all(
        clients.map((c, i) => c.config('SET', 'maxmemory-policy', i === 1 ? 'allkeys-lru' : 'volatile-lru')),
      );

      // When
      const { report } = await diagnoseJson(config, 'cl');

      // Then
      const f = byId(report, 'eviction.allkeys_policy');
      expect(f.title).toContain(`allkeys-lru on 1 of 3 masters (127.0.0.1:${odd.port})`);
      expect(f.evidence).toMatchObject({ address: `127.0.0.1:${odd.port}`, affected: [`127.0.0.1:${odd.port}`] });
      expect(
        (f.evidence.nodes as { address: string; policy: string }[]).map((n) => [n.address, n.policy]).sort(),
      ).toEqual(addresses.map((a) => [a, a === `127.0.0.1:${odd.port}` ? 'allkeys-lru' : 'volatile-lru']).sort());
      expect(f.detail).toMatch(/other masters \(.*\) run volatile-lru/);
      expect(f.fix).toContain(`On 127.0.0.1:${odd.port}`);
      expect(report.findings.filter((x) => x.id === 'eviction.allkeys_policy')).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.config('SET', 'maxmemory-policy', 'noeviction')));
      clients.forEach((c) => c.disconnect());
    }
  });

  it("drift from the ConfigMap on one master is named; DEL counts are summed with each master's own", async () => {
    // Given: the ConfigMap says volatile-lru, one master runs allkeys-lru; 90 deletes spread by slot
    const dir = mkdtempSync(join(tmpdir(), 'cluster-manifests-'));
    writeFileSync(
      join(dir, 'redis.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'redis-session-config', namespace: 'langgraph-agent' },
        data: { 'redis.conf': 'maxmemory-policy volatile-lru\n' },
      }),
    );
    const withCm = writeConfig({
      clk: {
        profile: 'development',
        expectedTtlSeconds: TTL,
        redis: { url: cluster.url, cluster: true },
        kubernetes: { manifests: dir },
      },
    });
    const odd = cluster.masters[0]!;
    const clients = cluster.masters.map((m) => nodeClient(m.port));
    try {
      await Promise.all(
        clients.map((c, i) => c.config('SET', 'maxmemory-policy', i === 0 ? 'allkeys-lru' : 'volatile-lru')),
      );
      await Promise.all(
        Array.from({ length: 90 }, (_, i) => client.set(`tmp:${i}`, 'x').then(() => client.del(`tmp:${i}`))),
      );
      const delsBefore = await Promise.all(
        clients.map(async (c) => Number(/cmdstat_del:calls=(\d+)/.exec(await c.info('commandstats'))?.[1] ?? 0)),
      );

      // When
      const { report } = await diagnoseJson(withCm, 'clk', ['--check', 'config-drift', '--check', 'deletion-counters']);

      // Then
      const drift = byId(report, 'config.live_drift');
      expect(drift.title).toContain(
        `maxmemory-policy allkeys-lru live vs volatile-lru in the ConfigMap on 1 of 3 masters (127.0.0.1:${odd.port})`,
      );
      expect(drift.evidence.drifts).toEqual([
        {
          directive: 'maxmemory-policy',
          configMap: 'volatile-lru',
          live: 'allkeys-lru',
          address: `127.0.0.1:${odd.port}`,
        },
      ]);
      const del = byId(report, 'deletion.commands');
      expect(del.title).toContain('(summed over 3 masters; DEL/UNLINK on all 3 masters)');
      const perNode = del.evidence.perNode as { address: string; del: number }[];
      expect(perNode.map((n) => n.address).sort()).toEqual([...addresses].sort());
      expect(perNode.reduce((sum, n) => sum + n.del, 0)).toBe(del.evidence.del);
      expect(Object.fromEntries(perNode.map((n) => [n.address, n.del]))).toEqual(
        Object.fromEntries(addresses.map((a, i) => [a, delsBefore[i]])),
      );
    } finally {
      await Promise.all(clients.map((c) => c.config('SET', 'maxmemory-policy', 'noeviction')));
      clients.forEach((c) => c.disconnect());
    }
  });

  it('keySlot (the seeding and the tests bucket keys with it) agrees with CLUSTER KEYSLOT', async () => {
    const c = nodeClient(cluster.masters[0]!.port);
    try {
      const keys: (string | Buffer)[] = [
        'session:abc',
        'session:{user1}:a',
        'session:{}x',
        'session:{a}{b}',
        '',
        binaryKey(7),
        'x'.repeat(300),
      ];
      for (const k of keys) expect(keySlot(k)).toBe(Number(await c.call('CLUSTER', 'KEYSLOT', k)));
    } finally {
      c.disconnect();
    }
  });

  it('one master near its maxmemory, the others without a limit: memory names it, not an average', async () => {
    // Given: the third master at ~95% of a maxmemory set just above what it uses
    const full = cluster.masters[2]!;
    const c = nodeClient(full.port);
    try {
      const used = Number(/used_memory:(\d+)/.exec(await c.info('memory'))?.[1]);
      await c.config('SET', 'maxmemory', String(Math.ceil(used / 0.95)));

      // When
      const { report } = await diagnoseJson(config, 'cl', ['--check', 'memory']);

      // Then
      const f = byId(report, 'memory.high_usage');
      expect(f.title).toContain(`of maxmemory on 127.0.0.1:${full.port}`);
      expect(f.title).toContain(`on 1 of 3 masters (127.0.0.1:${full.port})`);
      expect(f.evidence).toMatchObject({ address: `127.0.0.1:${full.port}`, highNodes: [`127.0.0.1:${full.port}`] });
      const noLimit = byId(report, 'memory.no_limit');
      expect(noLimit.title).toContain('on 2 of 3 masters');
      expect((noLimit.evidence.addresses as string[]).sort()).toEqual(
        addresses.filter((a) => a !== `127.0.0.1:${full.port}`).sort(),
      );
    } finally {
      await c.config('SET', 'maxmemory', '0');
      c.disconnect();
    }
  });

  it('a key whose slot moved after SCAN listed it is read from its new master, and the move is reported', async () => {
    // Given: a store that has refreshed (the diagnosis's start), then one slot with sessions moves away
    const env = parseConfig(
      { environments: { cl: { profile: 'development', redis: { url: cluster.url, cluster: true } } } },
      'test',
    ).environments.cl!;
    const store = openSessionStore(env, {});
    try {
      await store.refresh?.();
      const key = 'session:t1';
      const slot = keySlot(key);
      const from = await ownerPort(cluster.masters[0]!.port, slot);
      const to = cluster.masters.find((m) => m.port !== from)!.port;
      const oldMaster = store.nodes.find((n) => n.address === `127.0.0.1:${from}`)!;
      const ttlBefore = await client.pttl(key);
      await migrateSlot(
        slot,
        from,
        to,
        cluster.masters.map((m) => m.port),
      );

      // When: the old master is asked for the key it listed before the move
      const [ttl] = await oldMaster.pttl([key]);
      const [value] = await oldMaster.readValues([key]);

      // Then: the key's own TTL and value, through the cluster client, and the change is told
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(ttlBefore);
      expect(value).toContain('"user_id":"u1"');
      const change = await store.slotMapChanges!();
      expect(change).toMatchObject({ changed: true, movedSlots: 1, mastersBefore: 3, mastersAfter: 3 });
      expect(change.redirects).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });

  it('a slot migrated during a full audit: the report says keys may be counted twice or not at all', async () => {
    // Given: the engine as the CLI runs it; when the first batch is in, a slot holding sessions starts to move
    const cfg = parseConfig(
      {
        environments: { cl: { profile: 'development', redis: { url: cluster.url, cluster: true } } },
        defaults: { rateWindowMs: 100 },
      },
      'test',
    );
    const env = cfg.environments.cl!;
    const store = openSessionStore(env, {});
    const slot = keySlot('session:t7');
    const from = await ownerPort(cluster.masters[0]!.port, slot);
    const to = cluster.masters.find((m) => m.port !== from)!.port;
    let migration: Promise<void> | undefined;
    try {
      // When
      const report = await runDiagnosis(
        { config: cfg, registry: createCheckRegistry(allChecks), sourcesFor: () => ({ redis: store }) },
        {
          envName: 'cl',
          checkIds: ['ttl-sample'],
          options: {
            full: true,
            onProgress: () => {
              migration ??= migrateSlot(
                slot,
                from,
                to,
                cluster.masters.map((m) => m.port),
              );
            },
          },
        },
      );
      await migration;

      // Then
      expect(migration).toBeDefined();
      const dist = byId(report, 'ttl.distribution');
      expect(dist.title).toContain('the slot map changed during the scan, counts are approximate');
      expect(dist.detail).toContain('may be counted twice or not at all');
      expect(dist.evidence.slotMap).toMatchObject({ changed: true });
      const slotMap = dist.evidence.slotMap as { movedSlots: number; migratingSlots: number[] };
      expect(slotMap.movedSlots === 1 || slotMap.migratingSlots.includes(slot)).toBe(true);
      expect(report.checks.find((c) => c.id === 'ttl-sample')?.message).toContain('counted twice or not at all');
    } finally {
      await migration?.catch(() => undefined);
      await store.close();
    }
  });

  // Last: the evictions take session keys of that master with them.
  it('evictions on one master: the eviction finding names it, with its count among the per-master counts', async () => {
    // Given: allkeys-lru and a 3 MB limit on the second master, filled past it with keys of its slots
    const evicting = cluster.masters[1]!;
    let tag = 0;
    while ((await ownerPort(evicting.port, keySlot(`cache:{${tag}}`))) !== evicting.port) tag++;
    const c = nodeClient(evicting.port);
    try {
      await c.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await c.config('SET', 'maxmemory', '3mb');
      const filler = 'z'.repeat(4096);
      for (let round = 0; round < 10; round++) {
        const p = c.pipeline();
        for (let i = 0; i < 200; i++) p.set(`cache:{${tag}}:${round}:${i}`, filler);
        await p.exec();
      }

      // When
      const { report } = await diagnoseJson(config, 'cl', ['--check', 'memory']);

      // Then
      const f = byId(report, 'memory.evictions');
      expect(f.title).toContain(`on 1 of 3 masters (127.0.0.1:${evicting.port})`);
      expect(f.evidence.evictingNodes).toEqual([`127.0.0.1:${evicting.port}`]);
      const nodes = f.evidence.nodes as { address: string; evictedKeys: number }[];
      expect(nodes.filter((n) => n.evictedKeys > 0).map((n) => n.address)).toEqual([`127.0.0.1:${evicting.port}`]);
      expect(nodes.reduce((sum, n) => sum + n.evictedKeys, 0)).toBe(f.evidence.evictedKeys);
    } finally {
      await c.config('SET', 'maxmemory', '0');
      await c.config('SET', 'maxmemory-policy', 'noeviction');
      c.disconnect();
    }
  });
});
