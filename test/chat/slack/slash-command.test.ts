import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../../src/config/config.js';
import { runDiagnosis } from '../../../src/diagnostics/engine.js';
import { createCheckRegistry, type CheckRegistry } from '../../../src/diagnostics/registry.js';
import { ttlSampleCheck } from '../../../src/diagnostics/checks/ttl-sample.js';
import { z } from 'zod';
import { findingSpec } from '../../../src/diagnostics/catalogue/finding-spec.js';
import { defineCheck } from '../../../src/diagnostics/define-check.js';
import type { SourceCache } from '../../../src/app/sources.js';
import type { FakeSlackApi, SlackApiCall } from '../../fakes/slack-api.js';
import { buildSignedRequest, sendSigned, sendSlashCommand, slashCommandBody } from '../../fakes/slack-signing.js';
import { BOT_TOKEN, SIGNING_SECRET, startTestBot, type TestBot } from '../../support/bot-harness.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import type { CapturedLogs } from './log-capture.js';

/** A fixture check: reads INFO memory from the real Redis and reports used memory as a finding. */
const usedMemoryCheck = defineCheck({
  id: 'used-memory',
  summary: 'Reports used_memory (test fixture)',
  needs: ['redis'],
  findings: [
    findingSpec({
      id: 'fixture.used_memory',
      severity: { default: 'info' },
      evidence: z.object({ usedMemory: z.number() }),
      scenarios: [],
    }),
  ],
  async run(ctx) {
    const info = await ctx.redis.nodes[0]!.info('memory');
    return [
      {
        id: 'fixture.used_memory',
        severity: 'info',
        title: 'Used memory',
        detail: `Redis uses ${info.used_memory_human}.`,
        evidence: { usedMemory: Number(info.used_memory) },
      },
    ];
  },
});

function findingBlockIds(call: SlackApiCall): string[] {
  return (call.body.blocks as { block_id?: string }[])
    .map((b) => b.block_id)
    .filter((id): id is string => typeof id === 'string' && id.startsWith('finding:'));
}

describe('/session-ttl over HTTP with the real Bolt app', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let stopped: RedisServerHandle;
  let config: Config;
  let registry: CheckRegistry;
  let sources: SourceCache;
  let logs: CapturedLogs;
  let running: TestBot;
  let baseUrl: string;

  const send = (
    text: string,
    extra: Record<string, string> = {},
    opts: { timestampSec?: number; signature?: string } = {},
  ) =>
    sendSlashCommand(
      baseUrl,
      { text, response_url: slack.responseUrl('cmd'), ...extra },
      { signingSecret: SIGNING_SECRET, ...opts },
    );

  /**
   * "Nothing was posted": a later, valid diagnose is posted, and it is the only post. Replies are
   * handled in order, so a stray post from the earlier request would be there first.
   */
  async function expectNothingPostedBefore(): Promise<void> {
    const res = await send('diagnose dev used-memory', { channel_id: 'CBARRIER' });
    expect(res.status).toBe(200);
    await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'CBARRIER');
    expect(slack.callsOf('chat.postMessage').map((c) => c.body.channel)).toEqual(['CBARRIER']);
  }

  beforeAll(async () => {
    redis = await resetSharedRedis();
    stopped = await startRedisServer();
    await stopped.stop();
    config = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl() } },
          down: { profile: 'development', redis: { url: stopped.url, connectTimeoutMs: 500 } },
        },
      },
      'test-config',
    );
    registry = createCheckRegistry([ttlSampleCheck, usedMemoryCheck]);
    running = await startTestBot({ config, registry, alerts: false });
    ({ slack, sources, logs, url: baseUrl } = running);
  });

  afterAll(async () => {
    await running?.close();
    redis?.disconnect();
  });

  beforeEach(async () => {
    slack.reset();
    await redis.flushall();
  });

  it('acknowledges at once, then posts the report with one block per finding', async () => {
    // Given: 30 sessions with the configured TTL and 25 written without one (ttl.no_expiry).
    const pipe = redis.pipeline();
    for (let i = 0; i < 30; i++) pipe.set(`session:ok${i}`, '{}', 'EX', 3000 + i);
    for (let i = 0; i < 25; i++) pipe.set(`session:forever${i}`, '{}');
    await pipe.exec();

    // When
    const ack = await send('diagnose dev');
    const post = await slack.waitFor('chat.postMessage');

    // Then: the ack is ephemeral and came before the post.
    console.info(`/session-ttl diagnose ack latency: ${ack.latencyMs.toFixed(1)} ms`);
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ response_type: 'ephemeral' });
    expect(ack.json.text).toMatch(/Diagnosing \*dev\*/);
    expect(ack.receivedAt).toBeLessThanOrEqual(post.at);

    // The post goes to the command's channel with the bot token, one finding block per finding.
    expect(post.body.channel).toBe('C0CHAN');
    expect(post.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const expected = await runDiagnosis({ config, registry, sourcesFor: sources.sourcesFor }, { envName: 'dev' });
    expect(expected.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['ttl.no_expiry', 'ttl.distribution', 'fixture.used_memory']),
    );
    expect(findingBlockIds(post).sort()).toEqual(expected.findings.map((f) => `finding:${f.id}`).sort());
    // 25 of 55 sessions (45%) without a TTL is critical: severity scales with the share (issue 18 item 8).
    expect(post.body.text).toMatch(/Session TTL diagnosis for dev: 1 critical, \d+ warning/);
    expect(post.body.blocks[0]).toMatchObject({ type: 'header' });
    const distribution = post.body.blocks.find((b: { block_id?: string }) => b.block_id === 'finding:ttl.distribution');
    expect(distribution.text.text).toMatch(/```[\s\S]*█[\s\S]*```/);
    const context = post.body.blocks.at(-1);
    expect(context.type).toBe('context');
    expect(context.elements[0].text).toMatch(/`ttl-sample` findings (\d+ ms|\d+(\.\d)? s)/);

    // And the log lines of the request carry its user, channel and env.
    const posted = logs.lines.find((l) => l.msg === 'diagnosis posted');
    expect(posted).toMatchObject({ user: 'U0USER', channel: 'C0CHAN', env: 'dev' });
    expect(posted?.req).toEqual(expect.any(String));
  });

  it('runs only the named checks and lowercases the environment', async () => {
    const ack = await send('  diagnose   DEV    used-memory ');
    expect(ack.json.text).toMatch(/Diagnosing \*dev\* \(used-memory\)/);
    const post = await slack.waitFor('chat.postMessage');
    expect(findingBlockIds(post)).toEqual(['finding:fixture.used_memory']);
    expect(post.body.blocks.at(-1).elements[0].text).not.toMatch(/ttl-sample/);
  });

  it('refuses a bad signature with 401 and posts nothing', async () => {
    const res = await send('diagnose dev', {}, { signature: `v0=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    await expectNothingPostedBefore();
  });

  it('refuses a stale timestamp (more than 5 minutes old) with 401 and posts nothing', async () => {
    const res = await send('diagnose dev', {}, { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    await expectNothingPostedBefore();
  });

  it('refuses an exact replay of a signed request with 401 and posts nothing more', async () => {
    // Given: a signed request that was accepted and posted.
    const request = buildSignedRequest(
      `${baseUrl}/slack/events`,
      slashCommandBody({ text: 'diagnose dev used-memory', channel_id: 'CFIRST' }),
      {
        signingSecret: SIGNING_SECRET,
      },
    );
    expect((await sendSigned(request)).status).toBe(200);
    await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'CFIRST');

    // When: the very same bytes arrive again.
    const replay = await sendSigned(request);

    // Then
    expect(replay.status).toBe(401);
    const barrier = await send('diagnose dev used-memory', { channel_id: 'CBARRIER' });
    expect(barrier.status).toBe(200);
    await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'CBARRIER');
    expect(slack.callsOf('chat.postMessage').map((c) => c.body.channel)).toEqual(['CFIRST', 'CBARRIER']);
    const warning = logs.lines.find((l) => l.msg === 'refused a replayed Slack request');
    expect(warning).toMatchObject({ level: 40, verdict: 'replay' });
    expect(JSON.stringify(warning)).not.toContain(request.headers['x-slack-signature']);
  });

  it('answers an unknown environment in the ack with the valid ones and posts nothing', async () => {
    const res = await send('diagnose prod');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral' });
    expect(res.json.text).toContain('Unknown environment "prod"');
    expect(res.json.text).toContain('Valid environments: dev, down');
    await expectNothingPostedBefore();
  });

  it('--full audits every key gently unless --fast is given too; --fast alone is refused', async () => {
    // Given: 40 sessions
    const pipe = redis.pipeline();
    for (let i = 0; i < 40; i++) pipe.set(`session:f${i}`, '{}', 'EX', 3000 + i);
    await pipe.exec();
    const distributionOf = (call: SlackApiCall) =>
      JSON.stringify(call.body.blocks.find((b: { block_id?: string }) => b.block_id === 'finding:ttl.distribution'));

    // When / Then: --full is a gentle full audit, and the report says so
    await send('diagnose dev ttl-sample --full');
    expect(distributionOf(await slack.waitFor('chat.postMessage'))).toMatch(/40 sessions \(full audit, gentle\)/);
    slack.reset();
    await send('diagnose dev ttl-sample --full --fast');
    expect(distributionOf(await slack.waitFor('chat.postMessage'))).toMatch(/40 sessions \(full audit, fast\)/);
    slack.reset();
    const refused = await send('diagnose dev ttl-sample --fast');
    expect(refused.json.text).toMatch(/--fast.*full audit/);
    await expectNothingPostedBefore();
  });

  it('answers an unknown check in the ack with the valid ones and posts nothing', async () => {
    const res = await send('diagnose dev ttl-sample nope');
    expect(res.json.text).toContain('"nope"');
    expect(res.json.text).toContain('Valid checks: ttl-sample, used-memory');
    await expectNothingPostedBefore();
  });

  it('rejects odd text with the usage line, executes nothing and posts nothing', async () => {
    const res = await send('diagnose dev; rm -rf / `id`');
    expect(res.status).toBe(200);
    expect(res.json.text).toMatch(/could not read that command/);
    // Escaped as Slack's mrkdwn needs (a raw `<env>` would be read as a link): Slack shows `<env>`.
    expect(res.json.text).toContain('`/session-ttl diagnose &lt;env&gt; [check ...]`');
    const missing = await send('diagnose');
    expect(missing.json.text).toMatch(/name an environment/);
    const unknown = await send('frobnicate');
    expect(unknown.json.text).toMatch(/Unknown subcommand `frobnicate`.*`diagnose`, `envs`, `help`/);
    await expectNothingPostedBefore();
  });

  it('help lists the subcommands and checks; envs lists the environments; empty text is help', async () => {
    const help = await send('help');
    expect(help.json.response_type).toBe('ephemeral');
    expect(help.json.text).toContain('`/session-ttl diagnose &lt;env&gt; [check ...]`');
    expect(help.json.text).toContain('`ttl-sample`');
    expect(help.json.text).toContain('`used-memory`');
    expect((await send('')).json.text).toBe(help.json.text);
    const envs = await send('envs');
    expect(envs.json.text).toMatch(/`dev` — development, expected TTL 1 h, sliding window on/);
    expect(envs.json.text).toContain('`down`');
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('still posts a report when Redis is down, with redis.unreachable and the check in error', async () => {
    const ack = await send('diagnose down');
    expect(ack.json.text).toMatch(/Diagnosing \*down\*/);
    const post = await slack.waitFor('chat.postMessage', undefined, 15_000);
    expect(findingBlockIds(post)).toEqual(['finding:redis.unreachable']);
    expect(post.body.text).toMatch(/critical/);
    const context = post.body.blocks.at(-1).elements[0].text as string;
    expect(context).toMatch(/`ttl-sample` error/);
    expect(context).toMatch(/`used-memory` error/);
  });

  it('delivers the report to the user through the response_url, with the invite hint, when the post fails with not_in_channel', async () => {
    slack.failMethod('chat.postMessage', 'not_in_channel');
    const ack = await send('diagnose dev used-memory', { response_url: slack.responseUrl('nic') });
    expect(ack.json.text).toMatch(/Diagnosing/);
    const reply = await slack.waitForResponse((r) => r.id === 'nic');
    expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
    expect(reply.body.text).toContain('/invite @session-ttl');
    expect(reply.body.text).toContain('not_in_channel');
    const blocks = reply.body.blocks as { type: string; block_id?: string }[];
    expect(blocks[0]!.type).toBe('context');
    expect(blocks.map((b) => b.block_id)).toContain('finding:fixture.used_memory');
    expect(blocks.length).toBeLessThanOrEqual(50);
  });

  it('shows a short reference for an unexpected failure and logs the details under it', async () => {
    // verify cannot start without its progress message, and Slack refuses every rendering of it.
    slack.failMethod('chat.postMessage', 'invalid_blocks');
    await send('verify dev', { response_url: slack.responseUrl('boom') });
    const reply = await slack.waitForResponse((r) => r.id === 'boom');
    const ref = /`(ERR-[A-Z0-9]+)`/.exec(reply.body.text as string)?.[1];
    expect(ref).toBeDefined();
    expect(reply.body.text).not.toContain('invalid_blocks');
    const logged = logs.lines.find((l) => l.reference === ref);
    expect(logged).toMatchObject({ level: 50, msg: 'unexpected error in /session-ttl' });
    expect(logged?.err.message).toContain('invalid_blocks');
  });

  it('never writes the bot token, the signing secret or a response_url to the log', () => {
    const raw = logs.raw();
    expect(raw.length).toBeGreaterThan(0);
    expect(raw).not.toContain(BOT_TOKEN);
    expect(raw).not.toContain(SIGNING_SECRET);
    expect(raw).not.toContain('/response/');
  });
});
