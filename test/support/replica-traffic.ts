import type { FakeMessage, FakeSlackApi } from '../fakes/slack-api.js';
import { FAKE_IDS } from '../fakes/slack-api.js';
import { buildSignedRequest, sendSigned, sendSlashCommand, type SentRequest } from '../fakes/slack-signing.js';
import { ALERTS, AM_TOKEN, firingNotification } from './bot-harness.js';
import { PROCESS_SIGNING_SECRET } from './bot-process.js';
import type { ReplicaSet } from './replica-set.js';

/** The Alertmanager token a replica process is given (`ALERTMANAGER_TOKEN`) and that `notify` sends. */
export const PROCESS_AM_TOKEN = 'am-replica-0123456789-secret';

const signing = { signingSecret: PROCESS_SIGNING_SECRET };
let seq = 0;

/** `/session-ttl diagnose <env>` typed in `channel`, signed for a bot process at `url`. */
export function slashDiagnose(url: string, env: string, channel: string, responseUrl: string): Promise<SentRequest> {
  return sendSlashCommand(
    url,
    { text: `diagnose ${env}`, channel_id: channel, user_id: 'U0REPLICA', response_url: responseUrl },
    signing,
  );
}

/** An alert post by Alertmanager's Slack integration in `channel` (put in Slack's history), as an event. */
export function alertPostIn(slack: FakeSlackApi, env: string, channel: string) {
  const ts = `1730000000.${String(++seq).padStart(6, '0')}`;
  const text = `[FIRING:1] SessionTTLViolations\nAlert: SessionTTLViolations\nLabels: env=${env}`;
  const event = { type: 'message', subtype: 'bot_message', bot_id: 'B07ALRTMGR', channel, ts, text };
  slack.addMessage({ channel, ts, text, bot_id: 'B07ALRTMGR' });
  return { ts, eventId: `EvReplica${seq}`, event };
}

/** Delivers an alert post's event to a bot process's `/slack/events`, signed. */
export function deliverEvent(url: string, post: ReturnType<typeof alertPostIn>): Promise<SentRequest> {
  const body = JSON.stringify({
    token: 'x',
    team_id: FAKE_IDS.team,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: post.eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: post.event,
  });
  const req = buildSignedRequest(`${url}/slack/events`, body, {
    ...signing,
    contentType: 'application/json',
    timestampSec: Math.floor(Date.now() / 1000),
  });
  return sendSigned(req);
}

/** POSTs an Alertmanager notification (one firing alert for `env`, its own group) to a bot process. */
export async function notify(url: string, env: string, group: string): Promise<number> {
  const res = await fetch(`${url}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PROCESS_AM_TOKEN}` },
    body: JSON.stringify(firingNotification(env, group)),
  });
  await res.text();
  return res.status;
}

/** One post that should be in Slack exactly once, and how to recognize it among the stored messages. */
export interface ExpectedPost {
  label: string;
  matches(m: FakeMessage): boolean;
}

export interface PostTally {
  expected: number;
  /** Expected posts found at least once. */
  posted: number;
  /** Copies beyond the first of an expected post, plus bot messages that match no expected post. */
  duplicates: number;
  lost: number;
  /** Labels of the expected posts that are missing or shown more than once. */
  wrong: string[];
}

/** Counts each expected post among `messages` (the bot's, as Slack stores them). */
export function tallyPosts(expected: readonly ExpectedPost[], messages: readonly FakeMessage[]): PostTally {
  const counts = expected.map((e) => messages.filter((m) => e.matches(m)).length);
  const unmatched = messages.filter((m) => !expected.some((e) => e.matches(m))).length;
  return {
    expected: expected.length,
    posted: counts.filter((c) => c > 0).length,
    duplicates: counts.reduce((s, c) => s + Math.max(0, c - 1), 0) + unmatched,
    lost: counts.filter((c) => c === 0).length,
    wrong: expected.flatMap((e, i) => (counts[i] === 1 ? [] : [`${e.label} x${counts[i]}`])),
  };
}

const textOf = (m: FakeMessage) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`;

/** The slash report for `env` in `channel` (a top-level message). */
export const reportFor = (env: string, channel: string): ExpectedPost => ({
  label: `report ${env}`,
  matches: (m) =>
    m.channel === channel && !m.thread_ts && String(m.text).startsWith(`Session TTL diagnosis for ${env}:`),
});

/** The one reply in the thread of the alert post at `ts`. */
export const replyTo = (label: string, channel: string, ts: string): ExpectedPost => ({
  label,
  matches: (m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts,
});

/** The Alertmanager group message for `env` in the alert channel (top level). */
export const groupFor = (env: string, channel: string): ExpectedPost => ({
  label: `group ${env}`,
  // The group message names the environment its alert maps to ("firing in *env*").
  matches: (m) => m.channel === channel && !m.thread_ts && new RegExp(`\\b${env}\\b`).test(textOf(m)),
});

/** The diagnosis in the thread of the group message for `env` (whichever copy of it). */
export const groupReplyFor = (env: string, channel: string, slack: FakeSlackApi): ExpectedPost => ({
  label: `group ${env} diagnosis`,
  matches: (m) => {
    if (m.channel !== channel || !m.thread_ts || m.thread_ts === m.ts) return false;
    const threads = slack.messagesIn(channel).filter((g) => groupFor(env, channel).matches(g));
    return threads.some((g) => g.ts === m.thread_ts);
  },
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Delivers one copy as Alertmanager does: POST to a replica (the Service picks a live one); a refused
 * connection or a 5xx (a replica killed, restarting, or whose state store is down) is tried again on the next
 * replica after a pause. Resolves with when the 200 came.
 */
export async function deliverAsAlertmanager(
  set: Pick<ReplicaSet, 'urls'>,
  body: unknown,
  first: number,
  token = AM_TOKEN,
  /** Every HTTP status answered, when given (a refused connection adds none). */
  statuses?: number[],
): Promise<number> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const url = set.urls()[(first + attempt) % set.urls().length]!;
    try {
      const res = await fetch(`${url}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.text();
      statuses?.push(res.status);
      if (res.status === 200) return Date.now();
    } catch {
      // Killed, restarting or not listening yet: Alertmanager tries again.
    }
    await pause(500);
  }
  throw new Error('a notification was refused for a minute');
}

/** Whether a post is an alert diagnosis (it carries the block that names the alert it answers). */
export const isAlertDiagnosis = (c: { body: Record<string, unknown> }) =>
  ((c.body.blocks ?? []) as { block_id?: string }[]).some((b) => b.block_id === 'alert-origin');

/**
 * The config of replicas that answer alerts: one development environment per name, all on `redisUrl`
 * (an environment of its own per alert group: no cooldown between groups), the monitor off.
 */
export function alertReplicaConfig(envs: readonly string[], redisUrl: string): Record<string, unknown> {
  return {
    environments: Object.fromEntries(
      envs.map((e) => [e, { profile: 'development', redis: { url: redisUrl }, monitor: { enabled: false } }]),
    ),
    slack: { alertChannel: ALERTS },
  };
}
