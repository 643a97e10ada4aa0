import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { createSharedReplayGuard, replayGuardFor } from '../../src/chat/slack/shared-replay-guard.js';
import { parseConfig, type Config } from '../../src/config/config.js';
import { StateStoreError, type StateStore } from '../../src/core/ports/state-store.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { buildSignedRequest, sendSigned, slashCommandBody, type SignedRequest } from '../fakes/slack-signing.js';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { serverInfoCheck } from './fixtures.js';

/** Signed slash commands each sent to both replicas. */
const ROUNDS = 10;

/** The very same signed bytes, sent to another replica's address. */
const to = (bot: TestBot, req: SignedRequest): SignedRequest => ({ ...req, url: `${bot.url}/slack/events` });

describe('a replayed signed request is refused on every replica sharing the state redis (issue 19)', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let config: Config;
  let replicas: [TestBot, TestBot];

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        defaults: { rateWindowMs: 0 },
      },
      'replica-replay-test',
    );
    const registry = createCheckRegistry([serverInfoCheck]);
    replicas = [
      await startTestBot({ slack, config, registry, alerts: 'redis' }),
      await startTestBot({ slack, config, registry, alerts: 'redis' }),
    ];
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.close();
    await slack?.close();
    redis?.disconnect();
  });
  beforeEach(async () => {
    await redis.flushall();
    slack.reset();
  });

  const slashRequest = (channel: string) =>
    buildSignedRequest(
      `${replicas[0].url}/slack/events`,
      slashCommandBody({ text: 'diagnose dev', channel_id: channel, response_url: slack.responseUrl(channel) }),
      { signingSecret: SIGNING_SECRET },
    );
  const reportsIn = (channel: string) => slack.callsOf('chat.postMessage').filter((c) => c.body.channel === channel);

  it(`the same signed slash command sent to both replicas (${ROUNDS} at once, ${ROUNDS} one after the other): one 200, one 401, one report`, async () => {
    const [a, b] = replicas;
    const statuses: number[][] = [];
    for (let i = 0; i < 2 * ROUNDS; i++) {
      const request = slashRequest(`CREPLAY${i}`);
      // When: the same bytes reach both replicas, at once or the second after the first answered.
      if (i < ROUNDS) {
        const answers = await Promise.all([sendSigned(to(a, request)), sendSigned(to(b, request))]);
        statuses.push(answers.map((r) => r.status).sort());
      } else {
        const first = await sendSigned(to(a, request));
        statuses.push([first.status, (await sendSigned(to(b, request))).status]);
      }
    }
    await Promise.all(replicas.map((r) => r.bot.idle()));

    // Then: every request was answered once and refused once, and each command ran once.
    expect(statuses).toEqual(Array.from({ length: 2 * ROUNDS }, () => [200, 401]));
    for (let i = 0; i < 2 * ROUNDS; i++) expect(reportsIn(`CREPLAY${i}`)).toHaveLength(1);
    const refusals = replicas.flatMap((r) => r.logs.lines.filter((l) => l.msg === 'refused a replayed Slack request'));
    expect(refusals).toHaveLength(2 * ROUNDS);
    // Nothing about the signature itself is logged.
    expect(replicas.map((r) => r.logs.raw()).join('')).not.toContain(SIGNING_SECRET);
  });

  it('keeps each signature in the state store for the window, under the bot prefix, and nothing else of it', async () => {
    const request = slashRequest('CKEYS');
    expect((await sendSigned(request)).status).toBe(200);
    await replicas[0].bot.idle();
    const keys = await redis.keys('session-ttl-bot:replay:*');
    expect(keys).toHaveLength(1);
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(4 * 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);
    expect(keys[0]).not.toContain(request.headers['x-slack-signature']!.slice(3));
  });
});

describe('the replay guard over the state store', () => {
  const sig = `v0=${'ab'.repeat(32)}`;

  it('of two replicas over one shared store, the second to see a signature refuses it; a new one passes', async () => {
    const redis = await resetSharedRedis();
    try {
      const logger = captureLogs().logger;
      const now = () => 1_700_000_000_000;
      const [one, two] = [0, 1].map(() => createSharedReplayGuard({ store: redisStateStore(redis), now, logger }));
      expect(await one!.check(sig, 1_700_000_000)).toBe('fresh');
      expect(await two!.check(sig, 1_700_000_000)).toBe('replay');
      expect(await two!.check(`v0=${'cd'.repeat(32)}`, 1_700_000_000)).toBe('fresh');
      expect(await one!.check(sig, 1_700_000_000 + 10 * 60)).toBe('future');
    } finally {
      redis.disconnect();
    }
  });

  it("keeps working on this replica's memory when the state store does not answer, and says so", async () => {
    const logs = captureLogs();
    const down: StateStore = {
      ...memoryStateStore(),
      shared: true,
      description: 'redis-state:6379',
      claim: () => Promise.reject(new StateStoreError('Redis at redis-state:6379 is unreachable')),
    };
    const guard = replayGuardFor({ store: down, now: Date.now, logger: logs.logger });
    const ts = Math.floor(Date.now() / 1000);
    expect(await guard.check(sig, ts)).toBe('fresh');
    expect(await guard.check(sig, ts)).toBe('replay');
    expect(logs.lines.find((l) => /state store failed: this replica's replay guard/.test(l.msg))).toMatchObject({
      level: 40,
    });
  });

  it('does not hold the answer for a stalled state store: decides alone, and says so when the claim shows a replay', async () => {
    const logs = captureLogs();
    let answer!: (first: boolean) => void;
    const stalled: StateStore = {
      ...memoryStateStore(),
      shared: true,
      description: 'redis-state:6379',
      claim: () => new Promise<boolean>((resolve) => (answer = resolve)),
    };
    const guard = createSharedReplayGuard({ store: stalled, now: Date.now, logger: logs.logger, budgetMs: 50 });
    // The check returns while the store still holds the claim.
    expect(await guard.check(sig, Math.floor(Date.now() / 1000))).toBe('fresh');
    expect(logs.lines.find((l) => /did not answer within 50 ms/.test(l.msg))).toMatchObject({ level: 40 });
    // When the store answers at last that another replica had the signature, that is logged.
    answer(false);
    await eventually('the late replay to be logged', () => logs.lines.find((l) => /was a replay/.test(l.msg)));
  });

  it('without a shared store each replica remembers only what it saw', async () => {
    const store = memoryStateStore();
    const logger = captureLogs().logger;
    const [one, two] = [0, 1].map(() => replayGuardFor({ store, now: Date.now, logger }));
    const ts = Math.floor(Date.now() / 1000);
    expect(await one!.check(sig, ts)).toBe('fresh');
    expect(await one!.check(sig, ts)).toBe('replay');
    expect(await two!.check(sig, ts)).toBe('fresh');
  });
});
