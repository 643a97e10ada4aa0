import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { FAKE_IDS, startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { buildSignedRequest, sendSigned, type SentRequest } from '../fakes/slack-signing.js';
import { loadCorpus } from '../alerts/corpus.js';
import {
  ALERTS,
  firingNotification,
  peerCopy,
  SIGNING_SECRET,
  startTestBot,
  type TestBot,
} from '../support/bot-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { serverInfoCheck } from './fixtures.js';

const INCIDENT = 'C0INCIDENT';
/** Alert groups sent to both replicas at once; each fires in an environment of its own (no cooldown between them). */
const GROUPS = 20;
/** Environments for the re-fires' new alerts, beside the groups' own. */
const EXTRA = 5;

const isDiagnosis = (c: SlackApiCall) =>
  ((c.body.blocks ?? []) as { block_id?: string }[]).some((b) => b.block_id === 'alert-origin');
const text = (c: SlackApiCall) => JSON.stringify(c.body);

/** `notification` with one more firing alert (a re-fire with a new alert, after group_interval). */
function withNewAlert(notification: Record<string, any>, env: string): Record<string, any> {
  const [first] = notification.alerts as Record<string, any>[];
  const added = { ...first, labels: { ...first!.labels, env }, fingerprint: `fp-added-${env}` };
  return { ...notification, alerts: [...(notification.alerts as unknown[]), added] };
}

let eventSeq = 0;

/** A signed Events API delivery of `event`; `retryNum` adds Slack's retry headers (a retry is signed anew). */
function deliverEvent(
  bot: TestBot,
  event: Record<string, any>,
  eventId: string,
  opts: { retryNum?: number; ageSec?: number } = {},
): Promise<SentRequest> {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: FAKE_IDS.team,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
  const req = buildSignedRequest(`${bot.url}/slack/events`, body, {
    signingSecret: SIGNING_SECRET,
    timestampSec: Math.floor(Date.now() / 1000) - (opts.ageSec ?? 0),
    contentType: 'application/json',
  });
  if (opts.retryNum !== undefined) {
    req.headers['x-slack-retry-num'] = String(opts.retryNum);
    req.headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return sendSigned(req);
}

describe('two replicas sharing the state redis answer each notification once (issue 19)', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let config: Config;
  let replicas: TestBot[];
  const envs = Array.from({ length: GROUPS + EXTRA }, (_, i) => `e${i}`);

  const idle = () => Promise.all(replicas.map((r) => r.bot.idle()));
  const groupPosts = () =>
    slack.callsOf('chat.postMessage').filter((c) => c.body.channel === ALERTS && !c.body.thread_ts);
  const threadReplies = (ts: string) => slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts);

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    config = parseConfig(
      {
        environments: {
          ...Object.fromEntries(envs.map((e) => [e, { profile: 'development', redis: { url: sharedRedisUrl() } }])),
          prod: { profile: 'production', redis: { url: sharedRedisUrl() } },
        },
        defaults: { rateWindowMs: 0 },
        slack: { alertChannel: ALERTS, incidentChannels: [INCIDENT], alertCooldownMinutes: 15 },
      },
      'replica-dedupe-test',
    );
    const registry = createCheckRegistry([serverInfoCheck]);
    replicas = [
      await startTestBot({ slack, config, registry, alerts: 'redis' }),
      await startTestBot({ slack, config, registry, alerts: 'redis' }),
    ];
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.close();
    await slack?.close();
    redis?.disconnect();
  });
  beforeEach(async () => {
    await redis.flushall();
    slack.reset();
  });

  it(`HA peers' copies of ${GROUPS} groups, delivered at once to two replicas: one post and one diagnosis each, nothing added by the second; a re-fire is answered once`, async () => {
    const [a, b] = replicas as [TestBot, TestBot];
    const notifications = envs.slice(0, GROUPS).map((env, g) => firingNotification(env, `ha${g}`));

    // When: each group reaches both replicas at once, the second copy as the other Alertmanager words it.
    for (const [g, n] of notifications.entries()) {
      const answers = await Promise.all([a.alertmanager(n), b.alertmanager(peerCopy(n, 1 + (g % 7)))]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
    }
    await idle();

    // Then: one group message and one diagnosis per group; the second copy updated nothing and said nothing.
    const posts = groupPosts();
    expect(posts).toHaveLength(GROUPS);
    const replies = slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts !== undefined);
    expect(replies.filter(isDiagnosis)).toHaveLength(GROUPS);
    expect(replies).toHaveLength(GROUPS);
    // One reply in each group's thread.
    expect(new Set(replies.map((c) => c.body.thread_ts)).size).toBe(GROUPS);
    expect(replies.filter((c) => text(c).includes(':repeat:'))).toEqual([]);
    expect(slack.callsOf('chat.update')).toEqual([]);
    const duplicates = [a, b].flatMap((r) => r.logs.lines.filter((l) => /already handled/.test(l.msg)));
    expect(duplicates).toHaveLength(GROUPS);

    // When: five groups are notified again with a new alert each (a re-fire), again to both replicas at once.
    slack.reset();
    const refires = notifications.slice(0, EXTRA).map((n, i) => withNewAlert(n, envs[GROUPS + i]!));
    for (const [i, n] of refires.entries()) {
      await Promise.all([a.alertmanager(n), b.alertmanager(peerCopy(n, 2 + i))]);
    }
    await idle();

    // Then: each of those group messages is updated once; its thread gets one diagnosis of the new alert and,
    // as for any re-fire, one link to the earlier diagnosis of the alert still firing within its cooldown.
    expect(groupPosts()).toEqual([]);
    expect(slack.callsOf('chat.update')).toHaveLength(EXTRA);
    const added = slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts !== undefined);
    expect(added.filter(isDiagnosis)).toHaveLength(EXTRA);
    expect(added.filter((c) => /fired again/.test(text(c)))).toHaveLength(EXTRA);
    expect(added).toHaveLength(2 * EXTRA);
    const diagnosed = added
      .filter(isDiagnosis)
      .map((c) => /diagnosis for (e\d+)/.exec(String(c.body.text))?.[1])
      .sort();
    expect(diagnosed).toEqual(envs.slice(GROUPS).sort());
  });

  it('the same alert firing again later (a new start) is a re-fire, not a copy: its thread gets the usual link', async () => {
    const [a, b] = replicas as [TestBot, TestBot];
    const n = firingNotification('e0', 'later');
    await Promise.all([a.alertmanager(n), b.alertmanager(peerCopy(n, 3))]);
    await idle();
    const [group] = groupPosts();
    expect(group).toBeDefined();

    // When: the alert resolved without a notification (send_resolved: false) and fired again 10 minutes later.
    const again = peerCopy(n, 10 * 60_000);
    await Promise.all([a.alertmanager(again), b.alertmanager(peerCopy(again, 4))]);
    await idle();

    // Then: answered once, as a re-fire within the cooldown is: the message updated, a link to the diagnosis.
    expect(groupPosts()).toHaveLength(1);
    expect(slack.callsOf('chat.update')).toHaveLength(1);
    const replies = slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts !== undefined);
    expect(replies.filter(isDiagnosis)).toHaveLength(1);
    expect(replies.filter((c) => /fired again/.test(text(c)))).toHaveLength(1);
    expect(replies).toHaveLength(2);
  });

  it('Slack retrying an alert post on the other replica (same event_id, x-slack-retry-num) gets one diagnosis', async () => {
    const [a, b] = replicas as [TestBot, TestBot];
    const fixture = loadCorpus<unknown>('slack').find((f) => f.name === 'grafana-firing')!;
    const rounds = 10;
    for (let i = 0; i < rounds; i++) {
      const ts = `1718032100.${String(2000 + i).padStart(6, '0')}`;
      const event = { ...(structuredClone(fixture.input) as Record<string, any>), channel: INCIDENT, ts };
      const eventId = `EvRetry${Date.now().toString(36)}${++eventSeq}`;
      // When: Slack delivers to one replica and, the ack being late, retries on the other (at once, or after).
      const first = deliverEvent(a, event, eventId);
      const retry = deliverEvent(b, event, eventId, { retryNum: 1, ageSec: 1 });
      const [r1, r2] = i % 2 ? await Promise.all([first, retry]) : [await first, await retry];
      expect([r1.status, r2.status]).toEqual([200, 200]);
      await idle();
      // Then: that post's thread has exactly one reply, the diagnosis.
      const replies = threadReplies(ts);
      expect(replies).toHaveLength(1);
      expect(isDiagnosis(replies[0]!)).toBe(true);
      // The next round is a new incident of the same alert, not a repeat within the cooldown.
      await redis.flushall();
    }
  });
});
