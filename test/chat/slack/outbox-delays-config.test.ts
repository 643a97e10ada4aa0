import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { serverInfoCheck } from '../../reliability/fixtures.js';
import { startTestBot } from '../../support/bot-harness.js';
import { eventually } from '../../support/eventually.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';

const CHANNEL = 'C0OUTBOXCFG';

describe('the outbox takes its pauses from slack.outbox.delaysSeconds (an operator setting)', () => {
  let slack: FakeSlackApi;
  beforeAll(async () => {
    slack = await startFakeSlackApi();
  });
  afterAll(async () => {
    await slack?.close();
  });

  it('a refused slash report is tried again after the configured pauses, not the default 5 s and 15 s', async () => {
    // Given: a bot whose config says 0.2 s then 0.3 s between the outbox's tries (nothing else sets them).
    const config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        defaults: { rateWindowMs: 0 },
        slack: { outbox: { delaysSeconds: [0.2, 0.3] } },
      },
      'outbox-delays-test',
    );
    const registry = createCheckRegistry([serverInfoCheck]);
    const bot = await startTestBot({
      slack,
      config,
      registry,
      extra: { postRetryDelaysMs: [], outbox: { pollMs: 20 } },
    });
    try {
      // When: Slack refuses the report's first two posts.
      slack.failMethodHttp('chat.postMessage', 500, 2);
      await bot.slash('diagnose dev server-info', 'outbox-cfg', CHANNEL);
      await eventually('the report in the channel', () => slack.messagesIn(CHANNEL).length === 1 || undefined, {
        timeoutMs: 30_000,
      });

      // Then: the outbox waited the configured pauses between its tries.
      const waits = bot.logs.lines.filter((l) => typeof l.retryInMs === 'number').map((l) => l.retryInMs as number);
      expect(waits).toEqual([200, 300]);
      expect(slack.messagesIn(CHANNEL)).toHaveLength(1);
    } finally {
      await bot.bot.stop();
    }
  });
});
