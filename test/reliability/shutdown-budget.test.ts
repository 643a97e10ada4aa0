import { describe, expect, it } from 'vitest';
import { DEFAULT_LAST_WORDS_MS } from '../../src/host/host.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';
import { PROCESS_SIGNING_SECRET, startBotProcess } from '../support/bot-process.js';
import { usePausableRedis } from './pausable-redis.js';

const GRACE_SECONDS = 2;
/** What a process needs to exit once the host has stopped (process.exit, pino's flush): generous. */
const EXIT_MARGIN_MS = 2000;

describe('the real bot process stops within its shutdown budget on a stalled Redis (issue 19)', () => {
  // A private Redis: the test stops it (SIGSTOP) and keeps it stopped until the bot has exited.
  const f = usePausableRedis();

  // The bot starts under tsx (seconds, tens of seconds on a loaded machine): only that start is waited for
  // generously. The bound asserted is the budget the issue defines in seconds: grace + last words.
  it(
    'exits within SHUTDOWN_GRACE_SECONDS + the last words after SIGTERM, having told the user, with the monitor and the sources stalled',
    { timeout: 150_000 },
    async () => {
      const { slack, redis } = f;
      // Given: the bot with a 2 s grace period, its monitor watching the environment's Redis, and that Redis
      // stopped (SIGSTOP) with a diagnosis waiting on it: the diagnosis, the monitor's stop and the close of
      // the connections all hang for as long as the Redis stays stopped (the whole test).
      const bot = await startBotProcess({
        // No check gives up on the stopped Redis by itself while the test runs.
        config: {
          defaults: { checkTimeoutMs: 120_000 },
          environments: { dev: { profile: 'development', redis: { url: redis.url } } },
        },
        slackApiUrl: slack.apiUrl,
        env: { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) },
      });
      const out = () => bot.output();
      try {
        // The monitor has subscribed (its worker now has a connection to stop on the stalled Redis).
        await bot.waitForLog('session monitor: watching');
        redis.process.kill('SIGSTOP');
        const ack = await sendSlashCommand(
          bot.url,
          { text: 'diagnose dev', response_url: slack.responseUrl('budget') },
          { signingSecret: PROCESS_SIGNING_SECRET },
        );
        expect(ack.json.text).toMatch(/Diagnosing/);

        // When: SIGTERM arrives while the diagnosis waits for the stopped Redis.
        const sigterm = performance.now();
        const exit = await Promise.race([
          bot.stop(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no exit 60 s after SIGTERM:\n${out()}`)), 60_000),
          ),
        ]);

        // Then: the process is gone within grace + last words (plus what exiting takes), with the Redis
        // still stopped, and the user was told the diagnosis was interrupted, with the command to run again.
        const elapsed = Math.round(exit.at - sigterm);
        const budget = GRACE_SECONDS * 1000 + DEFAULT_LAST_WORDS_MS;
        expect(elapsed, `SIGTERM -> exit took ${elapsed} ms; budget ${budget} ms\n${out()}`).toBeLessThan(
          budget + EXIT_MARGIN_MS,
        );
        expect(exit.code).toBe(0);
        const told = slack.responses.find((r) => r.id === 'budget' && /interrupted/.test(String(r.body.text)));
        expect(told?.body.text, out()).toContain('interrupted by a restart');
        expect(told?.body.text).toContain('/session-ttl diagnose dev');
        expect(slack.callsOf('chat.postMessage')).toEqual([]);
      } finally {
        redis.process.kill('SIGCONT');
        await bot.kill();
      }
    },
  );
});
