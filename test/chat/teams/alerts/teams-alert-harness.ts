import { FAKE_APP_ID, FAKE_TENANT_ID, type FakeTeamsTokenIssuer } from '../../../fakes/teams-token-issuer.js';
import type { TeamsSettings } from '../../../../src/config/teams-settings.js';
import type { ConnectorCall } from '../../../fakes/bot-connector.js';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { keyspaceFeedOpener } from '../../../../src/adapters/redis/keyspace-feed.js';
import { memoryStateStore } from '../../../../src/adapters/state/memory-state-store.js';
import { checkMetrics, instrumentChecks } from '../../../../src/diagnostics/check-metrics.js';
import { createMetricsFeature } from '../../../../src/monitor/metrics-feature.js';
import { parseConfig } from '../../../../src/config/config.js';
import { CORPUS_ROUTING, loadCorpus } from '../../../alerts/corpus.js';
import { evictionPolicyCheck } from '../../../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../../../src/diagnostics/checks/memory.js';
import { ttlSampleCheck } from '../../../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../../../src/diagnostics/registry.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../../fakes/bot-connector.js';
import { startFakeTeamsTokenIssuer } from '../../../fakes/teams-token-issuer.js';
import { startTestBot, type TestBot } from '../../../support/bot-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../../../support/shared-redis.js';
import { fakeTeamsSettings, sendActivity } from '../teams-activity.js';
import { captureLogs } from '../../slack/log-capture.js';

/** Channels of the test team (the incident channel is the one the Teams alert corpus is posted in). */
export const ALERT_CHANNEL = '19:alerts000000000000000000000000@thread.tacv2';
export const INCIDENT_CHANNEL = '19:incident0000000000000000000000@thread.tacv2';
export const TEAM = {
  id: '19:team00000000000000000000000000@thread.tacv2',
  name: 'SRE',
  aadGroupId: '5c1e0e6a-0000-4000-8000-00000000c0de',
};
const BOT = { id: `28:${FAKE_APP_ID}`, name: 'session-ttl' };
const ADMIN = { id: '29:team-owner', aadObjectId: '0a0a0a0a-0000-4000-8000-0000000000a1' };

let seq = 0;

/** `installationUpdate` as Teams sends it when the app is added to (or removed from) a team in `channel`. */
export function installActivity(serviceUrl: string, channel: string, action: 'add' | 'remove' = 'add') {
  return {
    type: 'installationUpdate',
    id: `f:install-${++seq}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    action,
    from: ADMIN,
    recipient: BOT,
    conversation: { isGroup: true, id: channel, name: 'alerts', conversationType: 'channel', tenantId: FAKE_TENANT_ID },
    channelData: {
      settings: { selectedChannel: { id: channel } },
      channel: { id: channel },
      team: TEAM,
      tenant: { id: FAKE_TENANT_ID },
      source: { name: 'message' },
    },
  };
}

/** A message of the Teams alert corpus (`test/fixtures/alerts/teams/<name>.json`) as Teams delivers it to the bot. */
export function corpusPost(serviceUrl: string, name: string, extra: Record<string, unknown> = {}) {
  const fixture = loadCorpus<unknown>('teams').find((f) => f.name === name)?.input as Record<string, unknown>;
  return {
    ...fixture,
    type: 'message',
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    recipient: BOT,
    conversation: {
      ...(fixture.conversation as object),
      isGroup: true,
      conversationType: 'channel',
      tenantId: FAKE_TENANT_ID,
    },
    channelData: { team: { id: TEAM.id }, channel: { id: INCIDENT_CHANNEL }, tenant: { id: FAKE_TENANT_ID } },
    entities: [],
    ...extra,
  };
}

/** Sends a signed activity (the connector's serviceUrl in its token) and waits until the bot is idle. */
export async function sendSigned(
  bot: Parameters<typeof sendActivity>[0],
  issuer: FakeTeamsTokenIssuer,
  activity: { serviceUrl: string },
) {
  return sendActivity(bot, activity, `Bearer ${await issuer.sign(activity.serviceUrl)}`);
}

/** What a person sees of a call's card (its TextRuns and TextBlocks), as text. */
export const cardOf = (call: ConnectorCall) =>
  JSON.stringify((call.body.attachments as { content: unknown }[])[0]?.content);

/**
 * A config with three environments on the test Redis and the Teams alert channel (Slack's unset unless given).
 * `slack: null`: no `slack` section at all (the corpus' aliases then only from `alerts`, if it gives them).
 */
export function teamsAlertConfig(slack: Record<string, unknown> | null = {}, alerts?: Record<string, unknown>) {
  return parseConfig(
    {
      environments: {
        dev: { profile: 'development', redis: { url: sharedRedisUrl() } },
        staging: { profile: 'staging', redis: { url: sharedRedisUrl() } },
        prod: { profile: 'production', redis: { url: sharedRedisUrl() } },
      },
      defaults: { rateWindowMs: 0, sampleSize: 200 },
      ...(slack ? { slack: { alertRouting: { aliases: CORPUS_ROUTING.aliases }, ...slack } } : {}),
      ...(alerts ? { alerts } : {}),
      teams: { alertChannel: ALERT_CHANNEL, incidentChannels: [INCIDENT_CHANNEL] },
    },
    'teams-alerts-test',
  );
}

/** Three of thirteen sessions without a TTL: the diagnosis finds ttl.no_expiry. */
export async function seedSessions(redis: Redis): Promise<void> {
  await redis.flushall();
  const pipe = redis.pipeline();
  for (let i = 0; i < 10; i++) pipe.set(`session:ok${i}`, '{}', 'EX', 80_000 + i);
  for (let i = 0; i < 3; i++) pipe.set(`session:forever${i}`, '{}');
  await pipe.exec();
}

/** The real bot with Teams on the fakes (token issuer, Bot Connector) and its alerts over the test Redis. */
export interface TeamsAlertBot {
  issuer: FakeTeamsTokenIssuer;
  connector: FakeBotConnector;
  running: TestBot;
  redis: Redis;
  close(): Promise<void>;
}

/**
 * Starts it with `teamsAlertConfig(slack, o.alerts)` and the checks a session TTL alert runs; `teamsOnly`:
 * without any Slack credential (BotSettings mode `teams-only`), as a bot that runs in Teams alone; `teams`:
 * settings over the fakes' (a sovereign cloud's scope and web client); `metrics`: the bot's `/metrics`
 * registry, served as `main.ts` serves it (the checks timed into it; no session monitor).
 */
export async function startTeamsAlertBot(
  slack: Record<string, unknown> | null = {},
  o: {
    alerts?: Record<string, unknown>;
    teamsOnly?: boolean;
    outbox?: { delaysMs: readonly number[]; pollMs: number };
    teams?: Partial<TeamsSettings>;
    metrics?: Registry;
  } = {},
): Promise<TeamsAlertBot> {
  const redis = await resetSharedRedis();
  const issuer = await startFakeTeamsTokenIssuer();
  const connector = await startFakeBotConnector();
  const teams = { ...fakeTeamsSettings(issuer), ...o.teams };
  const settings = { mode: 'teams-only' as const, port: 0, logLevel: 'debug' as const, teams };
  const config = teamsAlertConfig(slack, o.alerts);
  const checks = [ttlSampleCheck, memoryCheck, evictionPolicyCheck];
  const running = await startTestBot({
    config,
    registry: createCheckRegistry(o.metrics ? instrumentChecks(checks, checkMetrics(o.metrics)) : checks),
    alerts: 'redis',
    teams,
    extra: {
      teams: { jwksCooldownMs: 0 },
      ...(o.teamsOnly ? { settings } : {}),
      ...(o.outbox ? { outbox: o.outbox } : {}),
      ...(o.metrics ? { metrics: o.metrics, extraFeatures: [metricsRoute(config, o.metrics)] } : {}),
    },
  });
  return {
    issuer,
    connector,
    running,
    redis,
    async close() {
      await running.close();
      await connector.close();
      await issuer.close();
      redis.disconnect();
    },
  };
}

/** `GET /metrics` as `main.ts` serves it, without the session monitor (no environment to watch). */
function metricsRoute(config: ReturnType<typeof teamsAlertConfig>, registry: Registry) {
  return createMetricsFeature({
    config: { ...config, environments: {} },
    registry,
    store: memoryStateStore(),
    openFeed: keyspaceFeedOpener({}),
    logger: captureLogs().logger,
    processMetrics: false,
  }).feature;
}
