import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/adapters/state/open-state-store.js';
import { parseConfig, type Config } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { freePort } from '../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { ALERTS, firingNotification, startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { serverInfoCheck, startRedisOnPort } from './fixtures.js';

const allText = (body: Record<string, any>) => JSON.stringify(body);

describe('nothing lost while Slack or the state store fails (issue 9, items 4 and 5)', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let config: Config;
  const bots: TestBot[] = [];

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        defaults: { rateWindowMs: 0 },
        slack: { alertChannel: ALERTS },
      },
      'delivery-test',
    );
  });
  afterAll(async () => {
    for (const b of bots) await b.bot.stop();
    await slack?.close();
    redis?.disconnect();
  });
  beforeEach(() => slack.reset());

  const start = async (opts: Partial<Parameters<typeof startTestBot>[0]> = {}) => {
    const b = await startTestBot({ slack, config, registry: createCheckRegistry([serverInfoCheck]), ...opts });
    bots.push(b);
    return b;
  };
  const threadReply = (c: { body: Record<string, any> }) => c.body.channel === ALERTS && c.body.thread_ts !== undefined;

  it("answers Alertmanager's re-send when Slack failed through every try (the dedupe claim was released)", async () => {
    // Given: chat.postMessage answers HTTP 500, and the bot tries a notification three times.
    const running = await start({ retryDelaysMs: [20, 20] });
    slack.failMethodHttp('chat.postMessage', 500);
    const notification = firingNotification('dev', 'resend');
    expect((await running.alertmanager(notification)).status).toBe(200);
    await eventually('the bot to give up', () =>
      running.logs.lines.find((l) => l.msg.startsWith('gave up on a job (alertmanager-notification)')),
    );
    expect(slack.callsOf('chat.postMessage')).toHaveLength(3);

    // When: Slack is back and Alertmanager sends the same notification again.
    slack.failMethod('chat.postMessage', 'none', 0);
    expect((await running.alertmanager(notification)).status).toBe(200);

    // Then: the group message and the diagnosis are posted.
    await slack.waitFor(
      'chat.postMessage',
      (c) => c.body.channel === ALERTS && !c.body.thread_ts && slack.callsOf('chat.postMessage').indexOf(c) >= 3,
    );
    const diagnosis = await slack.waitFor('chat.postMessage', threadReply);
    expect(allText(diagnosis.body)).toContain('Redis server');
  });

  it('posts the alert by itself once Slack is back within the retries', async () => {
    const running = await start({ retryDelaysMs: [50, 5000] });
    slack.failMethodHttp('chat.postMessage', 500);
    expect((await running.alertmanager(firingNotification('dev', 'heal'))).status).toBe(200);
    await slack.waitFor('chat.postMessage');
    // When: Slack recovers before the next try.
    slack.failMethod('chat.postMessage', 'none', 0);
    // Then: the next try posts the group and the diagnosis, with no re-send.
    const diagnosis = await slack.waitFor('chat.postMessage', threadReply, 8000);
    expect(allText(diagnosis.body)).toContain('Redis server');
  });

  it('answers 503 while the state store is down (nothing posted), so that Alertmanager sends it again; answered once it is back', async () => {
    // Given: the state store's Redis is down when the notification arrives.
    const port = await freePort();
    let stateRedis = await startRedisOnPort(port);
    await stateRedis.stop();
    const state = openStateStore({
      url: `redis://127.0.0.1:${port}`,
      logger: (await import('pino')).pino({ level: 'silent' }),
    });
    const running = await start({ alerts: state.store, retryDelaysMs: [100, 300, 1000, 2000] });
    try {
      // When: Alertmanager posts it.
      const notification = firingNotification('dev', 'store');
      const answer = await running.alertmanager(notification);

      // Then: 503 naming the state store (Alertmanager retries), nothing kept to post, nothing posted.
      expect(answer.status).toBe(503);
      expect(answer.json.error).toMatch(/could not be kept.*state store is not answering.*send it again/s);
      await running.bot.idle();
      expect(slack.callsOf('chat.postMessage')).toEqual([]);

      // When: the store is back and Alertmanager sends it again.
      stateRedis = await startRedisOnPort(port);
      await eventually('the state store to answer', async () => (await state.ping()).ok);
      expect((await running.alertmanager(notification)).status).toBe(200);

      // Then: it is answered, once.
      const diagnosis = await slack.waitFor('chat.postMessage', threadReply, 8000);
      expect(allText(diagnosis.body)).toContain('Redis server');
      await running.bot.idle();
      expect(slack.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts)).toHaveLength(1);
    } finally {
      await state.close();
      await stateRedis.stop();
    }
  });

  it("delivers a slash report through the command's response_url when chat.postMessage fails", async () => {
    const running = await start();
    slack.failMethodHttp('chat.postMessage', 500);
    await running.slash('diagnose dev server-info', 'fallback');
    const reply = await slack.waitForResponse((r) => r.id === 'fallback');
    expect(reply.body.text).toContain('could not post the report in this channel');
    expect((reply.body.blocks as { block_id?: string }[]).map((b) => b.block_id)).toContain(
      'finding:fixture.server_info',
    );
  });

  it('posts a smaller rendering when Slack refuses the blocks (invalid_blocks), then the text alone', async () => {
    const running = await start();
    slack.failMethod('chat.postMessage', 'invalid_blocks', 2);
    await running.slash('diagnose dev server-info', 'small');
    const posted = await slack.waitFor('chat.postMessage', (c) => slack.callsOf('chat.postMessage').indexOf(c) === 2);
    const [full, smaller] = slack.callsOf('chat.postMessage');
    expect((smaller!.body.blocks as unknown[]).length).toBeLessThanOrEqual(12);
    expect(full!.body.blocks).toBeDefined();
    expect(posted.body.blocks).toBeUndefined();
    expect(posted.body.text).toContain('dev');
    expect(slack.responses.filter((r) => r.id === 'small').map((r) => r.body.text)).not.toContainEqual(
      expect.stringMatching(/ERR-|could not post/),
    );
  });
});
