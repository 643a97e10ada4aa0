import { Redis } from 'ioredis';
import { parseConfig, type Config } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startRedisServer } from '../../src/demo/redis-process.js';
import { startFakeSlackApi } from '../../test/fakes/slack-api.js';
import { ALERTS } from '../../test/support/bot-harness.js';
import { serverInfoCheck } from '../../test/reliability/fixtures.js';
import { INCIDENT, type ChaosContext } from './probe.js';

/** The fake Slack and the redis-server the probes share; `close` stops them. */
export async function startChaosContext(): Promise<ChaosContext & { close(): Promise<void> }> {
  const slack = await startFakeSlackApi();
  const redis = await startRedisServer();
  const admin = new Redis(redis.url);
  const configFor = (url: string): Config =>
    parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url, connectTimeoutMs: 500 } } },
        defaults: { rateWindowMs: 0 },
        slack: { alertChannel: ALERTS, incidentChannels: [INCIDENT] },
      },
      'chaos',
    );
  return {
    slack,
    redisUrl: redis.url,
    admin,
    configFor,
    config: configFor(redis.url),
    registry: createCheckRegistry([serverInfoCheck]),
    async close() {
      admin.disconnect();
      await redis.stop();
      await slack.close();
    },
  };
}
