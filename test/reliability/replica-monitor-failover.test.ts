import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { scrape } from '../monitor/scrape.js';
import { eventually } from '../support/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { startReplicaSet, type ReplicaSet } from '../support/replica-set.js';

// Issue 19: the monitor's lease moves to another replica when its holder is SIGKILLed (no release, no last
// words): the notifications while nobody watched are a gap, counted as one, and no session end is counted
// twice or by two replicas.

const ENV = 'prod';
const LEASE_SECONDS = 2;
const env = { environment: ENV };

let sessions: RedisServerHandle;
let state: RedisServerHandle;
let slack: FakeSlackApi;
let set: ReplicaSet;
let client: Redis;

/** Per replica: [lease held, sessions ended (the lifetime histogram's count), gaps, gap seconds]; a dead one reads undefined. */
async function samples(): Promise<({ held: number; ended: number; gaps: number; gapSeconds: number } | undefined)[]> {
  return Promise.all(
    set.replicas.map(async (r) => {
      if (r.child.exitCode !== null || r.child.signalCode !== null) return undefined;
      const s = await scrape(r.port);
      return {
        held: s('session_monitor_lease_held', env),
        ended: s('session_actual_lifetime_seconds_count', env),
        gaps: s('session_monitor_gaps_total', env),
        gapSeconds: s('session_monitor_gap_seconds_total', env),
      };
    }),
  );
}

/** The index of the one replica that watches (exactly one live replica holds the lease). */
async function leader(excluding?: number): Promise<number> {
  return eventually(
    'exactly one replica to hold the monitor lease',
    async () => {
      const all = await samples();
      const holders = all.flatMap((s, i) => (s?.held === 1 && i !== excluding ? [i] : []));
      return holders.length === 1 && all.filter((s) => s?.held === 1).length === 1 ? holders[0] : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, detail: async () => JSON.stringify(await samples()) },
  );
}

/** Writes `count` sessions that expire after `ttlMs`, as the app does (SET with PX). */
async function writeSessions(prefix: string, count: number, ttlMs: number): Promise<void> {
  const pipeline = client.pipeline();
  for (let i = 0; i < count; i++) pipeline.set(`session:${prefix}-${i}`, 'user=1', 'PX', ttlMs);
  await pipeline.exec();
}

const endedTotal = async () => (await samples()).reduce((sum, s) => sum + (s?.ended ?? 0), 0);

beforeAll(async () => {
  sessions = await startRedisServer(['--notify-keyspace-events', 'KEg$xe']);
  state = await startRedisServer();
  slack = await startFakeSlackApi();
  client = new Redis(sessions.url);
  set = await startReplicaSet({
    config: {
      environments: {
        [ENV]: { profile: 'production', redis: { url: sessions.url }, monitor: { leaseSeconds: LEASE_SECONDS } },
      },
    },
    slackApiUrl: slack.apiUrl,
    stateRedisUrl: state.url,
  });
}, 400_000);

afterAll(async () => {
  await set?.stop();
  client?.disconnect();
  await slack?.close();
  await Promise.all([sessions?.stop(), state?.stop()]);
});

describe('the session monitor across three replica processes (issue 19)', () => {
  it(
    'moves to another replica when its holder is SIGKILLed, counts the gap once, and counts no session end twice',
    { timeout: 300_000 },
    async () => {
      // Given: three replicas, one of them watching; 20 sessions end while it watches.
      const first = await leader();
      await writeSessions('before', 20, 300);
      await eventually('the 20 ends to be counted', async () => (await endedTotal()) === 20, {
        timeoutMs: 30_000,
        detail: async () => JSON.stringify(await samples()),
      });
      expect((await samples())[first]).toMatchObject({ ended: 20, gaps: 0 });

      // When: the watcher is SIGKILLed (no release: its lease runs out), and 10 sessions end meanwhile.
      await set.kill(first);
      const killedAt = Date.now();
      await writeSessions('gap', 10, 200);
      const second = await leader(first);
      const tookOverAfterMs = Date.now() - killedAt;

      // Then: another replica watches, with one gap counted, as long as the time nobody watched (at least
      // what was left of the lease, at most the time until its take-over was seen here).
      const after = await eventually(
        'the new watcher to count the gap',
        async () => {
          const s = (await samples())[second];
          return s && s.gaps > 0 ? s : undefined;
        },
        { timeoutMs: 30_000, detail: async () => JSON.stringify(await samples()) },
      );
      expect(after.gaps).toBe(1);
      expect(after.gapSeconds).toBeGreaterThan(0.2);
      expect(after.gapSeconds).toBeLessThanOrEqual(tookOverAfterMs / 1000 + 1);

      // And: 30 sessions ending now are counted once, by the new watcher alone.
      await writeSessions('after', 30, 300);
      await eventually('the 30 ends to be counted', async () => (await endedTotal()) === 30, {
        timeoutMs: 30_000,
        detail: async () => JSON.stringify(await samples()),
      });
      // A second replica counting too would show within the time the first took to count them all.
      await new Promise((r) => setTimeout(r, 1000));
      const counted = (await samples()).map((s) => s?.ended ?? 0);
      expect(counted.reduce((a, b) => a + b, 0)).toBe(30);
      expect(counted[second]).toBe(30);

      // And: the killed replica restarted (same name and port) stands by; the watcher keeps the lease.
      await set.restart(first);
      await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000));
      expect(await leader()).toBe(second);
    },
  );
});
