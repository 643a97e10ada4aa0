import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { startFakeAppApi, type FakeAppApi } from '../../fakes/app-api.js';
import type { FakeSlackApi, SlackApiCall } from '../../fakes/slack-api.js';
import { sendSlashCommand } from '../../fakes/slack-signing.js';
import { BOT_TOKEN, SIGNING_SECRET, startTestBot, type TestBot } from '../../support/bot-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { scanKeys } from '../../verify/verify-env.js';
import type { CapturedLogs } from './log-capture.js';
const APP_TOKEN = 'app-bearer-c0ffee-91';
const WRONG_TOKEN = 'app-bearer-wrong-77';

const isVerdict = (c: SlackApiCall) => /^Session TTL verification for /.test(String(c.body.text));
const blockText = (call: SlackApiCall, blockId: string) =>
  (call.body.blocks as { block_id?: string; text?: { text: string } }[]).find((b) => b.block_id === blockId)?.text
    ?.text ?? '';

describe('/session-ttl verify through the real Bolt app', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let appApi: FakeAppApi;
  let logs: CapturedLogs;
  let running: TestBot;
  let baseUrl: string;

  const send = (text: string, extra: Record<string, string> = {}) =>
    sendSlashCommand(
      baseUrl,
      { text, response_url: slack.responseUrl('cmd'), ...extra },
      { signingSecret: SIGNING_SECRET },
    );

  beforeAll(async () => {
    redis = await resetSharedRedis();
    appApi = await startFakeAppApi({ redisUrl: sharedRedisUrl(), ttlSeconds: 60, sliding: true, token: APP_TOKEN });
    const env = (extra: Record<string, unknown> = {}) => ({
      profile: 'development',
      expectedTtlSeconds: 60,
      redis: { url: sharedRedisUrl() },
      verify: { waitSeconds: 1 },
      ...extra,
    });
    const config = parseConfig(
      {
        environments: {
          dev: env(),
          app: env({ app: { baseUrl: appApi.baseUrl, tokenEnv: 'APP_TOKEN' } }),
          badtoken: env({ app: { baseUrl: appApi.baseUrl, tokenEnv: 'WRONG_APP_TOKEN' } }),
        },
      },
      'verify-slack-test',
    );
    running = await startTestBot({
      config,
      alerts: false,
      extra: { processEnv: { APP_TOKEN, WRONG_APP_TOKEN: WRONG_TOKEN } },
    });
    ({ slack, logs, url: baseUrl } = running);
  });

  afterAll(async () => {
    await running?.close();
    await appApi?.close();
    redis?.disconnect();
  });

  beforeEach(async () => {
    slack.reset();
    appApi.reset();
    await redis.flushall();
  });

  it('acks, posts one progress message, updates it while waiting, then with the verdict; the canary is removed', async () => {
    // When
    const ack = await send('verify dev');
    const final = await slack.waitFor('chat.update', isVerdict);

    // Then: the ack is ephemeral and names the environment.
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ response_type: 'ephemeral' });
    expect(ack.json.text).toMatch(/Verifying \*dev\* \(a canary key, 1 s wait\)/);
    // One message in the channel, updated in place: progress, then the verdict.
    const posts = slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toMatchObject({ channel: 'C0CHAN', text: 'Verifying dev: writing a canary session key …' });
    expect(posts[0]!.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const updates = slack.callsOf('chat.update');
    expect(updates.map((u) => u.body.text)).toEqual([
      'Verifying dev: canary written, TTL 60 s, checking again in 1 s …',
      "Session TTL verification for dev: PASS (canary key written by the bot; the app's own writes were not tested)",
    ]);
    const ts = updates[0]!.body.ts as string;
    expect(ts).toMatch(/^\d+\.\d{6}$/);
    expect(updates.every((u) => u.body.ts === ts && u.body.channel === 'C0CHAN')).toBe(true);
    expect(final.body.blocks[0].text.text).toBe('Session TTL verification: dev :white_check_mark: PASS');
    const fields = (
      final.body.blocks.find((b: { block_id?: string }) => b.block_id === 'verify-numbers').fields as { text: string }[]
    ).map((f) => f.text);
    expect(fields).toContain('*Initial TTL*\n60 s');
    // The TTL after the wait is what Redis reports (whole seconds, rounded down) after the time that really
    // passed, which a loaded machine stretches past the 1 s asked for: the two add up to about the initial
    // 60 s (the reads around the wait take their own time); a refreshed TTL would add up to more than 61 s.
    const afterWait = /^\*TTL after wait\*\n(\d+) s after (\d+(?:\.\d)?) s$/.exec(
      fields.find((f) => f.startsWith('*TTL after wait*')) ?? '',
    );
    expect(afterWait, fields.join(' | ')).not.toBeNull();
    const [ttlAfter, waited] = [Number(afterWait![1]), Number(afterWait![2])];
    expect(waited).toBeGreaterThanOrEqual(1);
    expect(ttlAfter + waited).toBeGreaterThanOrEqual(57.5);
    expect(ttlAfter + waited).toBeLessThanOrEqual(60.5);
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
    const posted = logs.lines.find((l) => l.msg === 'verification posted');
    expect(posted).toMatchObject({ verdict: 'pass', mode: 'canary', env: 'dev', user: 'U0USER', cleanup: 'removed' });
  });

  it('posts FAIL with the reason when the app does not refresh the TTL on access, and deletes the session', async () => {
    appApi.setBrokenRefresh(true);
    await send('verify app');
    const final = await slack.waitFor('chat.update', isVerdict);
    expect(final.body.text).toBe('Session TTL verification for app: FAIL (session created through the app API)');
    expect(blockText(final, 'verify-verdict')).toMatch(
      /^:red_circle: TTL did not refresh on access: 59 s before, 59 s after GET/,
    );
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(appApi.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'DELETE']);
    expect(await scanKeys(redis, 'session:*')).toEqual([]);
  });

  it('answers an unknown environment in the ephemeral ack, posts nothing and writes nothing', async () => {
    const res = await send('verify nope');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral' });
    expect(res.json.text).toBe(':warning: Unknown environment "nope". Valid environments: dev, app, badtoken.');
    const missing = await send('verify');
    expect(missing.json.text).toMatch(/`verify`: name one environment, e\.g\. `verify dev`/);
    // A later valid command is the only thing posted.
    await send('verify dev', { channel_id: 'CBARRIER' });
    await slack.waitFor('chat.update', isVerdict);
    expect(slack.callsOf('chat.postMessage').map((c) => c.body.channel)).toEqual(['CBARRIER']);
  });

  it('posts ERROR with a clear message when the app API refuses the token; nothing is left and no token is logged', async () => {
    await send('verify badtoken');
    const final = await slack.waitFor('chat.update', isVerdict);
    expect(final.body.text).toBe('Session TTL verification for badtoken: ERROR (session created through the app API)');
    expect(blockText(final, 'verify-verdict')).toBe(
      `:warning: The app API refused the token in WRONG_APP_TOKEN with HTTP 401 on POST ${appApi.baseUrl}/api/sessions (creating the test session): set a valid bearer token.`,
    );
    expect(appApi.requests).toHaveLength(1);
    expect(await redis.dbsize()).toBe(0);
    expect(logs.raw()).not.toContain(WRONG_TOKEN);
    expect(logs.raw()).not.toContain(APP_TOKEN);
    expect(logs.raw()).not.toContain(BOT_TOKEN);
    expect(logs.raw()).not.toContain('/response/cmd');
  });

  it('does not start when it cannot post in the channel, and says how to fix it', async () => {
    slack.failMethod('chat.postMessage', 'not_in_channel');
    await send('verify dev');
    const reply = await slack.waitForResponse();
    expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
    expect(reply.body.text).toMatch(
      /I could not post in this channel \(not_in_channel\), so I did not start the verification\. Invite the bot/,
    );
    expect(await redis.dbsize()).toBe(0);
    expect(slack.callsOf('chat.update')).toEqual([]);
  });

  it('is listed by help', async () => {
    const res = await send('help');
    expect(res.json.text).toMatch(/`\/session-ttl verify &lt;env&gt;` — Check that sessions keep their TTL/);
  });
});
