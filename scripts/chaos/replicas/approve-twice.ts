import { interactionRequest, sendSigned, sendSlashCommand } from '../../../test/fakes/slack-signing.js';
import type { SlackApiCall } from '../../../test/fakes/slack-api.js';
import { REDIS_CM, seedCluster } from '../../../test/remediation/actions/action-harness.js';
import { buttonOf, CHANNEL, refOf, SRE, SRE2, SRE3 } from '../../../test/remediation/slack-flow-harness.js';
import { clickPayload } from '../../../test/support/bot-harness.js';
import { PROCESS_SIGNING_SECRET } from '../../../test/support/bot-process.js';
import type { Probe } from '../probe.js';
import type { ReplicaChaos } from './replica-context.js';

const signing = { signingSecret: PROCESS_SIGNING_SECRET };

/** The next call of `method` after `before` calls of it that matches. */
const next = (rc: ReplicaChaos, method: string, before: number, match: (c: SlackApiCall) => boolean = () => true) =>
  rc.slack.waitFor(method, (c) => rc.slack.callsOf(method).indexOf(c) >= before && match(c), 60_000);

function click(
  rc: ReplicaChaos,
  replica: number,
  user: string,
  button: { action_id: string; value: string },
  on: SlackApiCall,
) {
  const { channel, ts } = refOf(on);
  const payload = clickPayload(rc.slack, button, { user, channel, ts });
  return sendSigned(interactionRequest(rc.set.urls()[replica]!, payload, signing));
}

/** Diagnose prod on replica 0, preview the eviction-policy fix on 1, submit on 2: the approval request. */
async function request(rc: ReplicaChaos): Promise<SlackApiCall> {
  const { slack } = rc;
  const posts = slack.callsOf('chat.postMessage').length;
  const fields = {
    text: 'diagnose prod',
    channel_id: CHANNEL,
    user_id: SRE,
    response_url: slack.responseUrl('chaos-fix'),
  };
  await sendSlashCommand(rc.set.urls()[0]!, fields, signing);
  const report = await next(rc, 'chat.postMessage', posts, (m) =>
    String(m.body.text).startsWith('Session TTL diagnosis for prod'),
  );
  const opens = slack.callsOf('views.open').length;
  await click(rc, 1, SRE, buttonOf(report, 'fix:set-eviction-policy'), report);
  const viewId = String((await next(rc, 'views.open', opens)).response?.view?.id);
  const preview = (await next(rc, 'views.update', 0, (u) => u.body.view_id === viewId)).body.view as Record<
    string,
    unknown
  >;
  const threadPosts = slack.callsOf('chat.postMessage').length;
  const submission = {
    type: 'view_submission',
    api_app_id: 'A0APP',
    user: { id: SRE, team_id: 'T0FAKE' },
    team: { id: 'T0FAKE' },
    view: { ...preview, id: 'V-chaos', state: { values: {} } },
  };
  await sendSigned(interactionRequest(rc.set.urls()[2]!, submission, signing));
  return next(rc, 'chat.postMessage', threadPosts, (m) => m.body.thread_ts === refOf(report).ts);
}

/** Approve clicked on two replicas at the same moment: one apply (one CONFIG SET, one ConfigMap PATCH). */
export const approveTwiceProbe = (replicas: () => ReplicaChaos): Probe => ({
  fault: 'Approve on two replicas at once',
  expected: 'applied once: 1 CONFIG SET, 1 PATCH, 1 "Applied"',
  deadlineMs: 120_000,
  async run() {
    const rc = replicas();
    await rc.target.config('SET', 'maxmemory-policy', 'allkeys-lru');
    seedCluster(rc.kube);
    const approval = await request(rc);
    rc.kube.requests.length = 0;
    await rc.target.config('RESETSTAT');
    const posts = rc.slack.callsOf('chat.postMessage').length;
    const approve = buttonOf(approval, 'approve');
    await Promise.all([click(rc, 0, SRE2, approve, approval), click(rc, 1, SRE3, approve, approval)]);
    await next(rc, 'chat.postMessage', posts, (m) => /^Applied set-eviction-policy in prod/.test(String(m.body.text)));
    await new Promise((r) => setTimeout(r, 3000));
    const applied = rc.slack
      .callsOf('chat.postMessage')
      .slice(posts)
      .filter((m) => /^Applied /.test(String(m.body.text))).length;
    const sets = Number(/cmdstat_config\|set:calls=(\d+)/.exec(await rc.target.info('commandstats'))?.[1] ?? 0);
    const patches = rc.kube.requests.filter((r) => r.method === 'PATCH' && r.path.includes(REDIS_CM)).length;
    return {
      held: applied === 1 && sets === 1 && patches === 1,
      observed: `${applied} "Applied", ${sets} CONFIG SET, ${patches} ConfigMap PATCH`,
    };
  },
});
