import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSourceCache, type SourceCache } from '../../src/app/sources.js';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { redisStreamStore } from '../../src/adapters/state/redis-stream-store.js';
import { createBot, type Bot } from '../../src/bot.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/logging.js';
import { evictionPolicyCheck } from '../../src/diagnostics/checks/eviction-policy.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { sendInteraction, sendSlashCommand } from '../fakes/slack-signing.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

const SECRET = 'remediation-signing-secret-0123456789';
const SRE = 'U0SRE';
const CHANNEL = 'C0INCIDENT';

describe('remediation through the real Bolt app (smoke)', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let bot: Bot;
  let sources: SourceCache;
  let baseUrl: string;
  const metrics = new Registry();

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    sources = createSourceCache({});
    const config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        slack: { incidentChannels: [CHANNEL] },
        access: {
          roles: { sre: { users: [SRE] } },
          environments: { dev: { request: { '*': ['sre'] }, approve: { '*': ['sre'] } } },
        },
      },
      'test',
    );
    bot = createBot({
      settings: {
        mode: 'http',
        botToken: 'xoxb-remediation',
        signingSecret: SECRET,
        slackApiUrl: slack.apiUrl,
        port: 0,
        logLevel: 'silent',
      },
      config,
      registry: createCheckRegistry([evictionPolicyCheck]),
      sourcesFor: sources.sourcesFor,
      logger: createLogger({ level: 'silent' }),
      hostname: '127.0.0.1',
      webApiRetries: 0,
      metrics,
      remediation: { store: redisStateStore(redis), streams: redisStreamStore(redis), metrics },
    });
    baseUrl = `http://127.0.0.1:${(await bot.start()).port}`;
  });
  afterAll(async () => {
    await bot?.stop();
    await sources?.close();
    await slack?.close();
    redis?.disconnect();
  });
  beforeEach(async () => {
    slack.reset();
    await redis.flushall();
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
  });

  it('offers set-eviction-policy, previews it in a modal, applies it on submit and audits each step', async () => {
    // Given: a report in the incident channel with a fix button.
    await sendSlashCommand(
      baseUrl,
      { text: 'diagnose dev', user_id: SRE, channel_id: CHANNEL, response_url: slack.responseUrl('r') },
      { signingSecret: SECRET },
    );
    const report = await slack.waitFor('chat.postMessage', (c) => c.body.channel === CHANNEL);
    const actions = (report.body.blocks as any[]).find((b) => b.block_id === 'actions');
    const fix = actions.elements.find((e: any) => e.action_id === 'fix:set-eviction-policy');
    expect(fix).toBeDefined();

    // When: the SRE clicks it.
    const click = {
      type: 'block_actions',
      user: { id: SRE, team_id: 'T0FAKE' },
      team: { id: 'T0FAKE' },
      channel: { id: CHANNEL },
      container: { channel_id: CHANNEL, message_ts: '1700000000.000100' },
      trigger_id: 'trig-1',
      actions: [{ action_id: fix.action_id, value: fix.value, type: 'button' }],
    };
    expect((await sendInteraction(baseUrl, click, { signingSecret: SECRET })).status).toBe(200);
    const opened = await slack.waitFor('views.open');
    expect(JSON.stringify(opened.body.view.blocks)).toContain('Preparing the preview');
    const updated = await slack.waitFor('views.update', (c) => c.body.view_id === opened.response?.view?.id);
    const view = updated.body.view;
    // Then: a preview, nothing changed yet.
    expect(JSON.stringify(view.blocks)).toContain('CONFIG SET maxmemory-policy volatile-lru');
    expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('allkeys-lru');

    // When: the SRE submits the preview (no approval needed in development).
    const submission = {
      type: 'view_submission',
      user: { id: SRE, team_id: 'T0FAKE' },
      team: { id: 'T0FAKE' },
      view: {
        ...view,
        id: 'V1',
        state: {
          values: { 'param:policy': { value: { type: 'static_select', selected_option: { value: 'volatile-lru' } } } },
        },
      },
    };
    expect((await sendInteraction(baseUrl, submission, { signingSecret: SECRET })).status).toBe(200);
    const applied = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === '1700000000.000100');
    await bot.idle();

    // Then: Redis changed, the thread says so with a Revert, the audit has request and apply.
    expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('volatile-lru');
    expect(applied.body.text).toMatch(/Applied set-eviction-policy in dev/);
    expect(JSON.stringify(applied.body.blocks)).toContain('"action_id":"revert"');
    // And the checks the action targets ran again in the thread: the allkeys finding is gone.
    const recheck = await slack.waitFor(
      'chat.postMessage',
      (c) =>
        c.body.thread_ts === '1700000000.000100' &&
        JSON.stringify(c.body.blocks).includes('Checks run again after the change'),
    );
    expect(JSON.stringify(recheck.body.blocks)).not.toContain('eviction.allkeys_policy');
    expect(JSON.stringify(recheck.body.blocks)).toContain('eviction-policy');
    const audit = await sendSlashCommand(
      baseUrl,
      { text: 'audit dev', user_id: SRE, channel_id: CHANNEL, response_url: slack.responseUrl('a') },
      { signingSecret: SECRET },
    );
    expect(audit.json.text).toMatch(/2 entries/);
  });

  it('refuses a click from a user in no role, says which policy entry would allow it, and changes nothing', async () => {
    await sendSlashCommand(
      baseUrl,
      { text: 'diagnose dev', user_id: SRE, channel_id: CHANNEL, response_url: slack.responseUrl('r') },
      { signingSecret: SECRET },
    );
    const report = await slack.waitFor('chat.postMessage', (c) => c.body.channel === CHANNEL);
    const fix = (report.body.blocks as any[])
      .find((b) => b.block_id === 'actions')
      .elements.find((e: any) => e.action_id === 'fix:set-eviction-policy');
    const click = {
      type: 'block_actions',
      user: { id: 'U0STRANGER', team_id: 'T0FAKE' },
      channel: { id: CHANNEL },
      container: { channel_id: CHANNEL, message_ts: '1.2' },
      trigger_id: 't',
      actions: [{ action_id: fix.action_id, value: fix.value }],
    };
    await sendInteraction(baseUrl, click, { signingSecret: SECRET });
    const told = await slack.waitFor('views.update');
    expect(JSON.stringify(told.body.view.blocks)).toMatch(/access\.environments\.dev\.request/);
    expect(told.body.view.submit).toBeUndefined();
    expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('allkeys-lru');
  });

  it('records command latency by subcommand and Slack API errors by code on the /metrics registry', async () => {
    // Given: counters from the earlier tests cleared, and a post that Slack refuses.
    metrics.resetMetrics();
    slack.failMethod('chat.postMessage', 'channel_not_found', 1);
    // When: a diagnosis runs (its report post fails once) and an unknown subcommand is typed.
    await sendSlashCommand(
      baseUrl,
      { text: 'diagnose dev', user_id: SRE, channel_id: CHANNEL, response_url: slack.responseUrl('m') },
      { signingSecret: SECRET },
    );
    await sendSlashCommand(
      baseUrl,
      { text: 'frobnicate', user_id: SRE, channel_id: CHANNEL, response_url: slack.responseUrl('n') },
      { signingSecret: SECRET },
    );
    await bot.idle();
    // Then: bounded labels only: the registered subcommand name, `unknown`, and Slack's error code.
    const text = await metrics.metrics();
    expect(text).toMatch(/session_ttl_bot_command_duration_seconds_count\{command="diagnose"\} 1/);
    expect(text).toMatch(/session_ttl_bot_command_duration_seconds_count\{command="unknown"\} 1/);
    expect(text).not.toContain('frobnicate');
    expect(text).toMatch(/session_ttl_bot_slack_api_errors_total\{code="channel_not_found"\} 1/);
  });
});
