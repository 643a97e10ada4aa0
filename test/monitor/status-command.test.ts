import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { keyspaceFeedOpener } from '../../src/adapters/redis/keyspace-feed.js';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import { createSourceCache } from '../../src/app/sources.js';
import { createBot } from '../../src/bot.js';
import { monitorCommand } from '../../src/cli/monitor-command.js';
import { runCli } from '../../src/cli/run-cli.js';
import { parseConfig } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { createMetricsFeature } from '../../src/monitor/metrics-feature.js';
import { statusCommand } from '../../src/commands/status.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { captureIo } from '../support/cli-io.js';

const SIGNING_SECRET = 'e3b0c44298fc1c149afbf4c8996fb924';
const deadline = { timeout: 8000, interval: 25 };

let redis: Redis;
let slack: FakeSlackApi;
beforeAll(async () => {
  redis = await resetSharedRedis();
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack?.close();
  redis?.disconnect();
});

describe('status of the session monitor', () => {
  it('/session-ttl status answers through the real Bolt app: watching replica, counts, the notification setting to add', async () => {
    const config = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl() } },
          quiet: { profile: 'development', redis: { url: sharedRedisUrl() }, monitor: { enabled: false } },
        },
      },
      'test',
    );
    const logs = captureLogs('info');
    const metrics = createMetricsFeature({
      config,
      registry: new Registry(),
      store: memoryStateStore(),
      openFeed: keyspaceFeedOpener({}),
      logger: logs.logger,
      replica: 'bot-7f9c',
      processMetrics: false,
      monitorTuning: { tickMs: 100 },
    });
    const sources = createSourceCache({});
    const bot = createBot({
      settings: {
        mode: 'http',
        botToken: 'xoxb-1-2-status',
        signingSecret: SIGNING_SECRET,
        slackApiUrl: slack.apiUrl,
        port: 0,
        logLevel: 'info',
      },
      config,
      registry: createCheckRegistry([]),
      sourcesFor: sources.sourcesFor,
      logger: logs.logger,
      hostname: '127.0.0.1',
      webApiRetries: 0,
      extraFeatures: [metrics.feature],
      extraCommands: [statusCommand({ config, status: (env) => metrics.status(env) })],
    });
    const { port } = await bot.start();
    const send = (text: string) =>
      sendSlashCommand(
        `http://127.0.0.1:${port}`,
        { text, response_url: slack.responseUrl('cmd') },
        { signingSecret: SIGNING_SECRET },
      );
    try {
      await expect
        .poll(async () => ((await send('status')).json as { text: string }).text, deadline)
        .toContain('*dev*: watching by replica `bot-7f9c`');
      const text = ((await send('status')).json as { text: string }).text;
      expect(text).toContain(
        'violations in the last hour: evicted 0, deleted 0, early_expiration 0, no_ttl 0, short_ttl 0',
      );
      expect(text).toContain('notify-keyspace-events is "", missing K, g, $, x, e');
      expect(text).toContain('*quiet*: monitor off (monitor.enabled: false)');
      const one = ((await send('status quiet')).json as { text: string }).text;
      expect(one).not.toContain('*dev*');
      const unknown = (await send('status prod')).json as { text: string };
      expect(unknown.text).toContain('Unknown environment "prod". Valid environments: dev, quiet.');
    } finally {
      await bot.stop();
      await sources.close();
    }
  });

  it('session-ttl monitor runs the monitor and /metrics without Slack tokens; session-ttl status reads what it reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'monitor-cli-'));
    const configPath = join(dir, 'session-ttl.yaml');
    writeFileSync(
      configPath,
      stringify({ environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } }),
    );
    const config = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
      configPath,
    );
    const env = { PORT: '0', STATE_REDIS_URL: sharedRedisUrl(), HOSTNAME: 'monitor-only-1' };
    let stop!: () => void;
    let port = 0;
    const exited = monitorCommand({
      config,
      processEnv: env,
      logger: captureLogs('info').logger,
      registry: new Registry(),
      until: new Promise<void>((r) => (stop = r)),
      hostname: '127.0.0.1',
      onListening: (p) => (port = p),
    });
    try {
      await expect.poll(() => port, deadline).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      await expect
        .poll(
          async () =>
            (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).includes(
              'session_monitor_lease_held{environment="dev"} 1',
            ),
          deadline,
        )
        .toBe(true);
      // The terminal reads the report from the state Redis, as another replica's /session-ttl would.
      const io = captureIo({ STATE_REDIS_URL: sharedRedisUrl() });
      await expect
        .poll(async () => (await runCli(['status', 'dev', '--config', configPath], io), io.out()), {
          timeout: 15_000,
          interval: 200,
        })
        .toContain('dev: watching by replica monitor-only-1');
      const noState = captureIo({});
      expect(await runCli(['status', '--config', configPath], noState)).toBe(2);
      expect(noState.err()).toContain('set STATE_REDIS_URL');
    } finally {
      stop();
      expect(await exited).toBe(0);
    }
  });
});
