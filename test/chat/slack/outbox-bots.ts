import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import type { BotDeps } from '../../../src/bot.js';
import { parseConfig, type Config } from '../../../src/config/config.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { serverInfoCheck } from '../../reliability/fixtures.js';
import { ALERTS, startTestBot, type TestBot } from '../../support/bot-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';

/** What the outbox tests share: the fake Slack, a connection to the shared Redis, the config. */
export interface OutboxBots {
  readonly slack: FakeSlackApi;
  readonly admin: Redis;
  readonly config: Config;
  /**
   * The real bot over the real Redis state store (a connection of its own, as a replica has) with `extra`
   * (the outbox's pauses, the Web API client's retries …) and a metrics registry of its own.
   */
  start(extra: Partial<BotDeps>): Promise<TestBot & { metrics: Registry }>;
}

/**
 * Registers the hooks of an outbox test file (a describe block): one fake Slack and the shared Redis,
 * emptied before each test; bots started by a test are stopped after it, since bots sharing the Redis
 * outbox are replicas and one left running would take the next test's posts.
 */
export function useOutboxBots(opts: { name: string; incident: string }): OutboxBots {
  const clients: Redis[] = [];
  const bots: TestBot[] = [];
  let shared: Omit<OutboxBots, 'start'> | undefined;
  const ready = () => {
    if (!shared) throw new Error('useOutboxBots: used before its beforeAll ran');
    return shared;
  };
  beforeAll(async () => {
    const slack = await startFakeSlackApi();
    const admin = await resetSharedRedis();
    const config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        defaults: { rateWindowMs: 0 },
        slack: { alertChannel: ALERTS, incidentChannels: [opts.incident] },
      },
      opts.name,
    );
    shared = { slack, admin, config };
  });
  afterAll(async () => {
    for (const b of bots) await b.bot.stop();
    await shared?.slack.close();
    for (const c of [shared?.admin, ...clients]) c?.disconnect();
  });
  beforeEach(async () => {
    ready().slack.reset();
    await ready().admin.flushall();
  });
  afterEach(async () => {
    for (const b of bots.splice(0)) await b.bot.stop();
  });
  return {
    get slack() {
      return ready().slack;
    },
    get admin() {
      return ready().admin;
    },
    get config() {
      return ready().config;
    },
    async start(extra) {
      const client = new Redis(sharedRedisUrl());
      clients.push(client);
      const metrics = new Registry();
      const running = await startTestBot({
        slack: ready().slack,
        config: ready().config,
        registry: createCheckRegistry([serverInfoCheck]),
        alerts: redisStateStore(client),
        extra: { ...extra, metrics },
      });
      bots.push(running);
      return { ...running, metrics };
    },
  };
}
