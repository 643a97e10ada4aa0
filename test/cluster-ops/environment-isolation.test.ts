// Many environments, one bot: a stalled environment (SIGSTOP) queues only its own diagnoses, ends
// each at the check timeout with words a person can act on, and never holds up another environment's
// `/session-ttl diagnose`. Through the real Bolt app, two redis-servers, the fake Slack Web API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceCache, type SourceCache } from '../../src/app/sources.js';
import { createBot, type Bot } from '../../src/bot.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/logging.js';
import { evictionPolicyCheck } from '../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../src/diagnostics/checks/memory.js';
import { aofCheck } from '../../src/diagnostics/checks/aof.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

const SECRET = 'isolation-signing-secret-0123456789abcdef';
const CHANNEL = 'C0ISOLATION';
const text = (c: SlackApiCall) => `${c.body.text ?? ''}\n${JSON.stringify(c.body.blocks ?? [])}`;

/**
 * The bot's clock: held still until `run(aheadMs)`, then real time that far ahead. While it is held, no
 * diagnosis can reach its check timeout (the engine measures it on this clock), however slow the machine.
 */
function heldClock() {
  const heldAt = Date.now();
  let ahead: number | undefined;
  return {
    now: () => (ahead === undefined ? heldAt : Date.now() + ahead),
    run: (aheadMs: number) => void (ahead = aheadMs),
  };
}

describe('one bot, many environments: a stalled one never delays another', () => {
  let slack: FakeSlackApi;
  let a: RedisServerHandle;
  let b: RedisServerHandle;
  let sources: SourceCache;
  let bot: Bot;
  let baseUrl: string;
  let seq = 0;
  const clock = heldClock();
  const diagnose = (args: string) =>
    sendSlashCommand(
      baseUrl,
      { text: `diagnose ${args}`, user_id: 'U0SRE', channel_id: CHANNEL, response_url: slack.responseUrl(`r${++seq}`) },
      { signingSecret: SECRET },
    );
  /** The report of one diagnosis of `check` in `env` (its footer names the check run). */
  const reportOf = (env: string, check: string) => (c: SlackApiCall) =>
    String(c.body.text).startsWith(`Session TTL diagnosis for ${env}:`) && text(c).includes(`\`${check}\``);

  beforeAll(async () => {
    [slack, a, b] = await Promise.all([startFakeSlackApi(), startRedisServer(), startRedisServer()]);
    const config = parseConfig(
      {
        environments: {
          a: { profile: 'development', redis: { url: a.url, connectTimeoutMs: 300 } },
          b: { profile: 'development', redis: { url: b.url, connectTimeoutMs: 300 } },
        },
        defaults: { checkTimeoutMs: 1500 },
      },
      'test',
    );
    sources = createSourceCache({});
    bot = createBot({
      settings: {
        mode: 'http',
        botToken: 'xoxb-isolation',
        signingSecret: SECRET,
        slackApiUrl: slack.apiUrl,
        port: 0,
        logLevel: 'silent',
      },
      config,
      registry: createCheckRegistry([evictionPolicyCheck, memoryCheck, aofCheck]),
      sourcesFor: sources.sourcesFor,
      // One diagnosis per environment at a time, one waiting, two in all: the tightest gate there is.
      diagnosisGate: { perKey: 1, global: 2, maxQueuedPerKey: 1 },
      logger: createLogger({ level: 'silent' }),
      hostname: '127.0.0.1',
      webApiRetries: 0,
      processEnv: {},
      now: clock.now,
    });
    baseUrl = `http://127.0.0.1:${(await bot.start()).port}`;
  });
  afterAll(async () => {
    a?.process.kill('SIGCONT');
    await bot?.stop();
    await sources?.close();
    await slack?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it(
    'posts b while a is stalled, queues and refuses a beyond its share, and ends a at the check timeout',
    { timeout: 60_000 },
    async () => {
      // Given: environment a's Redis stopped (SIGSTOP: it answers nothing until the test resumes it), and the
      // bot's clock held, so no diagnosis of a reaches its 1.5 s check timeout before the test lets it run.
      a.process.kill('SIGSTOP');
      try {
        // When: three diagnoses of a (different checks, so none joins another) and then one of b are asked for.
        for (const check of ['eviction-policy', 'memory', 'aof'])
          expect((await diagnose(`a ${check}`)).status).toBe(200);
        expect((await diagnose('b eviction-policy')).status).toBe(200);

        // Then: the third of a is refused at once, in words, because a already has one running and one waiting.
        const refused = await slack.waitForResponse((r) => /Environment "a" is busy/.test(String(r.body.text)), 20_000);
        expect(refused.body.text).toContain('1 diagnosis is running and 1 waiting');
        expect(refused.body.text).toContain('Other environments are not affected.');

        // And: b's report is posted while a is stalled, and it is the only report so far.
        const bReport = await slack.waitFor('chat.postMessage', reportOf('b', 'eviction-policy'), 20_000);
        expect(slack.callsOf('chat.postMessage')).toEqual([bReport]);
        expect(text(bReport)).not.toMatch(/timed out/);

        // When: the clock runs again, one check timeout ahead.
        clock.run(1500);

        // Then: a's running diagnosis, then its queued one, each end at the check timeout (not when Redis
        // answers), saying which check timed out.
        const first = await slack.waitFor('chat.postMessage', reportOf('a', 'eviction-policy'), 20_000);
        const second = await slack.waitFor('chat.postMessage', reportOf('a', 'memory'), 20_000);
        expect(slack.callsOf('chat.postMessage')).toEqual([bReport, first, second]);
        for (const [report, check] of [
          [first, 'eviction-policy'],
          [second, 'memory'],
        ] as const) {
          expect(report.body.text).toContain(
            `incomplete, no findings. Not checked: ${check} (timed out after 1.5 s waiting on Redis at 127.0.0.1:${a.port})`,
          );
        }
      } finally {
        a.process.kill('SIGCONT');
      }
      await bot.idle();
      expect(slack.callsOf('chat.postMessage').some(reportOf('a', 'aof'))).toBe(false);
    },
  );
});
