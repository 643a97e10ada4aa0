import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { ALERTS, canaryKeys, firingNotification, startTestBot } from '../support/bot-harness.js';
import { deferred, heldCheck, serverInfoCheck } from './fixtures.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import { findingSpec } from '../../src/diagnostics/catalogue/finding-spec.js';
import { z } from 'zod';

const allText = (body: Record<string, any>) => JSON.stringify(body);

describe('shutdown with work in flight (issue 9, items 2 and 3)', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let config: Config;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    config = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl() }, verify: { waitSeconds: 60 } },
        },
        defaults: { rateWindowMs: 0 },
        slack: { alertChannel: ALERTS },
      },
      'shutdown-test',
    );
  });
  afterAll(async () => {
    await slack?.close();
    redis?.disconnect();
  });
  beforeEach(async () => {
    slack.reset();
    await redis.flushall();
  });

  it('tells the user that a slash diagnosis still running when the grace period ends was interrupted, with the command to run again', async () => {
    // Given: a diagnosis held open by a fixture check, and a bot with a short grace period.
    const held = heldCheck();
    const running = await startTestBot({
      slack,
      config,
      registry: createCheckRegistry([held.check, serverInfoCheck]),
      extra: { graceMs: 200, lastWordsMs: 300 },
    });
    const ack = await running.slash('diagnose dev held', 'cut');
    expect(ack.json.text).toMatch(/Diagnosing/);
    await held.entered.promise;

    // When: the bot stops (SIGTERM) while the check still runs.
    const stopped = await running.bot.stop();

    // Then: the user is told, through the command's response_url, with the command to run again.
    expect(stopped.drained).toBe(false);
    const told = await slack.waitForResponse((r) => r.id === 'cut');
    expect(told.body.text).toContain('interrupted by a restart');
    expect(told.body.text).toContain('/session-ttl diagnose dev held');
    // And: the abandoned diagnosis posts nothing when it ends after the sources closed.
    held.release.resolve();
    await expect(slack.waitFor('chat.postMessage', () => true, 300)).rejects.toThrow(/no chat.postMessage call/);
    expect(
      running.logs.lines.some((l) => l.msg === 'shutdown grace period over; interrupting the work still running'),
    ).toBe(true);
  });

  it('posts a diagnosis that finishes within the grace period as usual', async () => {
    const held = heldCheck();
    const running = await startTestBot({
      slack,
      config,
      registry: createCheckRegistry([held.check]),
      extra: { graceMs: 10_000 },
    });
    await running.slash('diagnose dev held', 'ok');
    await held.entered.promise;

    // When: the bot stops, and the check finishes during the grace period.
    const stopping = running.bot.stop();
    held.release.resolve();
    const { drained } = await stopping;

    // Then: the report is posted in the channel and nothing says "interrupted".
    expect(drained).toBe(true);
    const report = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C0CHAN');
    expect(allText(report.body)).toContain('Held check finished');
    expect(slack.responses.filter((r) => r.id === 'ok').map((r) => r.body.text)).not.toContainEqual(
      expect.stringContaining('interrupted'),
    );
  });

  it('never posts a false "unreachable" for an alert diagnosis cut short by the restart; it says it was interrupted', async () => {
    // Given: an alert diagnosis whose check reads Redis only after the test releases it (after the sources closed).
    const entered = deferred();
    const release = deferred();
    const lateRead = defineCheck({
      id: 'late-read',
      summary: 'Reads Redis after a barrier (test fixture)',
      needs: ['redis'],
      findings: [
        findingSpec({
          id: 'fixture.late',
          severity: { default: 'info' },
          evidence: z.object({}),
          scenarios: [],
        }),
      ],
      async run(ctx) {
        entered.resolve();
        await release.promise;
        await ctx.redis.nodes[0]!.info('server');
        return [];
      },
    });
    const running = await startTestBot({
      slack,
      config,
      registry: createCheckRegistry([lateRead]),
      extra: { graceMs: 200, lastWordsMs: 500 },
    });
    expect((await running.alertmanager(firingNotification('dev'))).status).toBe(200);
    const group = await slack.waitFor('chat.postMessage', (c) => c.body.channel === ALERTS && !c.body.thread_ts);
    await entered.promise;

    // When: the bot stops; after the sources closed the check reads Redis and fails.
    await running.bot.stop();
    const interrupted = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts !== undefined);
    release.resolve();

    // Then: the thread says the diagnosis was interrupted, and no reply claims the session store is unreachable.
    expect(interrupted.body.thread_ts).toBeDefined();
    expect(allText(interrupted.body)).toContain('interrupted by a restart');
    expect(allText(interrupted.body)).toContain('/session-ttl diagnose dev');
    expect(group).toBeDefined();
    await expect(slack.waitFor('chat.postMessage', (c) => /unreachable/i.test(allText(c.body)), 300)).rejects.toThrow(
      /no chat.postMessage call/,
    );
  });

  it('removes the verify canary and finishes the progress message when the restart interrupts the wait', async () => {
    const running = await startTestBot({
      slack,
      config,
      registry: createCheckRegistry([serverInfoCheck]),
      extra: { graceMs: 200, lastWordsMs: 3000 },
    });
    await running.slash('verify dev', 'verify');
    // Given: the canary is written and verify waits its 60 s (the progress message says so).
    const waiting = await slack.waitFor('chat.update', (c) => /checking again|waiting|again in/i.test(allText(c.body)));
    expect(await canaryKeys(redis)).toHaveLength(1);

    // When: the bot stops.
    await running.bot.stop();

    // Then: the canary is gone and the message was finished with the interruption as its reason.
    expect(await canaryKeys(redis)).toEqual([]);
    const final = slack
      .callsOf('chat.update')
      .filter((c) => c.body.ts === waiting.body.ts)
      .at(-1)!;
    expect(allText(final.body)).toContain('interrupted');
    expect(allText(final.body)).not.toMatch(/checking again in/i);
  });
});
