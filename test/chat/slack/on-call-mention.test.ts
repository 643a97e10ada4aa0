import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { ttlSampleCheck } from '../../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { startTestBot, type TestBot } from '../../support/bot-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';

describe("the on-call mention is the Slack front end's, not the evidence's", () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let running: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    const config = parseConfig(
      {
        environments: { prod: { profile: 'production', expectedTtlSeconds: 86_400, redis: { url: sharedRedisUrl() } } },
        slack: { onCallUserGroup: 'S0ONCALL' },
      },
      'on-call-test',
    );
    running = await startTestBot({ slack, config, registry: createCheckRegistry([ttlSampleCheck]) });
  });
  afterAll(async () => {
    await running?.bot.stop();
    await slack?.close();
    redis?.disconnect();
  });

  it('mentions slack.onCallUserGroup in front of a severe escalation; the finding carries no group id', async () => {
    // Given: sessions written with 10 minutes where a day is expected (they live under half their TTL).
    const pipe = redis.pipeline();
    for (let i = 0; i < 60; i++) pipe.set(`session:short${i}`, '{}', 'EX', 600);
    await pipe.exec();

    // When
    await running.slash('diagnose prod', 'esc');
    const post = await slack.waitFor('chat.postMessage');

    // Then
    const escalation = (post.body.blocks as { block_id?: string; text?: { text: string } }[]).find(
      (b) => b.block_id === 'finding:escalation.severe',
    );
    expect(escalation?.text?.text).toMatch(/^<!subteam\^S0ONCALL> :red_circle: \*Sessions live about/);
    expect(JSON.stringify(post.body.blocks).match(/S0ONCALL/g)).toHaveLength(1);
  });
});
