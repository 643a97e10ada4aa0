import { FAKE_IDS } from '../../../test/fakes/slack-api.js';
import { eventually } from '../../../test/support/eventually.js';
import {
  alertPostIn,
  deliverEvent,
  groupFor,
  groupReplyFor,
  notify,
  replyTo,
  reportFor,
  slashDiagnose,
  tallyPosts,
  type ExpectedPost,
} from '../../../test/support/replica-traffic.js';
import { pause, type Probe, type ProbeResult } from '../probe.js';
import { REPLICA_ALERTS, REPLICA_INCIDENT, REPLICA_REPORTS, type ReplicaChaos } from './replica-context.js';

const botMessages = (rc: ReplicaChaos) =>
  [REPLICA_REPORTS, REPLICA_INCIDENT, REPLICA_ALERTS]
    .flatMap((c) => rc.slack.messagesIn(c))
    .filter((m) => m.bot_id === FAKE_IDS.bot);

/** Waits until every expected post is there and the outbox is empty, then a little more; the tally. */
async function settle(rc: ReplicaChaos, expected: ExpectedPost[]): Promise<ReturnType<typeof tallyPosts>> {
  await eventually('every expected post', () => tallyPosts(expected, botMessages(rc)).lost === 0 || undefined, {
    timeoutMs: 60_000,
    intervalMs: 250,
  }).catch(() => undefined);
  await eventually('the outbox to empty', async () => (await rc.outboxSize()) === 0 || undefined, {
    timeoutMs: 20_000,
  }).catch(() => undefined);
  await pause(3000);
  return tallyPosts(expected, botMessages(rc));
}

const summary = (t: ReturnType<typeof tallyPosts>) =>
  `${t.posted}/${t.expected} posted, ${t.duplicates} twice, ${t.lost} lost${t.wrong.length ? ` (${t.wrong.join(', ')})` : ''}`;

/** Slack takes a post but its answer is lost: the report is in the channel once. */
export const lostAnswerProbe = (replicas: () => ReplicaChaos): Probe => ({
  fault: 'A lost Slack answer (replica 1)',
  expected: 'the report is posted once',
  deadlineMs: 90_000,
  async run(): Promise<ProbeResult> {
    const rc = replicas();
    const env = rc.freshEnv();
    rc.slack.loseAnswers('chat.postMessage', 1);
    await slashDiagnose(rc.set.urls()[1]!, env, REPLICA_REPORTS, rc.slack.responseUrl(`lost-${env}`));
    const t = await settle(rc, [reportFor(env, REPLICA_REPORTS)]);
    const lost = rc.slack.callsOf('chat.postMessage').filter((c) => c.lostAnswer).length;
    return { held: lost === 1 && t.posted === 1 && t.duplicates === 0, observed: `${lost} answer lost; ${summary(t)}` };
  },
});

/** Slack refuses chat.postMessage (503) for a while as a slash, an alert post and a notification arrive. */
export const outageProbe = (replicas: () => ReplicaChaos, outageMs = 10_000): Probe => ({
  fault: `Slack 5xx for ${outageMs / 1000} s (3 replicas)`,
  expected: 'every post lands once',
  deadlineMs: 120_000,
  async run(): Promise<ProbeResult> {
    const rc = replicas();
    const [slashEnv, alertEnv, notifyEnv] = [rc.freshEnv(), rc.freshEnv(), rc.freshEnv()];
    const urls = rc.set.urls();
    rc.slack.failMethodHttp('chat.postMessage', 503);
    const post = alertPostIn(rc.slack, alertEnv, REPLICA_INCIDENT);
    await Promise.all([
      slashDiagnose(urls[0]!, slashEnv, REPLICA_REPORTS, rc.slack.responseUrl(`outage-${slashEnv}`)),
      deliverEvent(urls[1]!, post),
      notify(urls[2]!, notifyEnv, `chaos-${notifyEnv}`),
    ]);
    await pause(outageMs);
    const during = botMessages(rc).length;
    rc.slack.failMethodHttp('chat.postMessage', 503, 0);
    const t = await settle(rc, [
      reportFor(slashEnv, REPLICA_REPORTS),
      replyTo(`reply ${alertEnv}`, REPLICA_INCIDENT, post.ts),
      groupFor(notifyEnv, REPLICA_ALERTS),
      groupReplyFor(notifyEnv, REPLICA_ALERTS, rc.slack),
    ]);
    return { held: during === 0 && t.posted === t.expected && t.duplicates === 0, observed: summary(t) };
  },
});
