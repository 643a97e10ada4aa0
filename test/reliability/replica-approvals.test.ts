import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.js';
import { startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { interactionRequest, sendSigned, sendSlashCommand, type SignOptions } from '../fakes/slack-signing.js';
import { NS, REDIS_CM, seedCluster } from '../remediation/actions/action-harness.js';
import { buttonOf, CHANNEL, refOf, SRE, SRE2, SRE3, standardAccess } from '../remediation/slack-flow-harness.js';
import { clickPayload } from '../support/bot-harness.js';
import { PROCESS_SIGNING_SECRET } from '../support/bot-process.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { startReplicaSet, type ReplicaSet } from '../support/replica-set.js';

// Issue 19, acceptance: Approve clicked on two replicas at once, over many pending requests, applies each
// request once: as many applies as requests, no second write to the ConfigMap or to Redis. Each request is
// diagnosed on one replica, previewed on the next and submitted on the third (three real processes sharing
// the state Redis), then approved by two approvers on two replicas at the same moment.
// REPLICA_APPROVAL_ROUNDS=50 runs the figure; the suite runs fewer (each round is a whole flow).

const ROUNDS = Number(process.env.REPLICA_APPROVAL_ROUNDS ?? 8);

let target: RedisServerHandle;
let state: RedisServerHandle;
let slack: FakeSlackApi;
let kube: FakeKubeApi;
let set: ReplicaSet;
let redis: Redis;

const signing = (): SignOptions => ({ signingSecret: PROCESS_SIGNING_SECRET });

function click(replica: number, user: string, button: { action_id: string; value: string }, on: SlackApiCall) {
  const { channel, ts } = refOf(on);
  const payload = clickPayload(slack, button, { user, channel, ts });
  return sendSigned(interactionRequest(set.urls()[replica]!, payload, signing()));
}

/** The next call of `method` after `before` calls of it that matches. */
function next(method: string, before: number, match: (c: SlackApiCall) => boolean = () => true) {
  return slack.waitFor(method, (c) => slack.callsOf(method).indexOf(c) >= before && match(c), 60_000);
}

const isRecheck = (m: SlackApiCall) =>
  (m.body.blocks as { block_id?: string }[] | undefined)?.[0]?.block_id === 'recheck';

/** Diagnose on replica `a`, preview on `b`, submit on `c`: the approval request posted in the report's thread. */
async function request(round: number, [a, b, c]: number[]): Promise<SlackApiCall> {
  const posts = slack.callsOf('chat.postMessage').length;
  const res = await sendSlashCommand(
    set.urls()[a!]!,
    { text: 'diagnose prod', channel_id: CHANNEL, user_id: SRE, response_url: slack.responseUrl(`d${round}`) },
    signing(),
  );
  expect(res.status).toBe(200);
  const report = await next(
    'chat.postMessage',
    posts,
    (m) => m.body.thread_ts === undefined && String(m.body.text).startsWith('Session TTL diagnosis'),
  );
  const opens = slack.callsOf('views.open').length;
  expect((await click(b!, SRE, buttonOf(report, 'fix:set-eviction-policy'), report)).status).toBe(200);
  const opened = await next('views.open', opens);
  const viewId = String(opened.response?.view?.id);
  const preview = (await next('views.update', 0, (u) => u.body.view_id === viewId)).body.view as Record<string, any>;
  const threadPosts = slack.callsOf('chat.postMessage').length;
  const submission = {
    type: 'view_submission',
    api_app_id: 'A0APP',
    user: { id: SRE, team_id: 'T0FAKE' },
    team: { id: 'T0FAKE' },
    view: { ...preview, id: `V-round-${round}`, state: { values: {} } },
  };
  expect((await sendSigned(interactionRequest(set.urls()[c!]!, submission, signing()))).status).toBe(200);
  return next('chat.postMessage', threadPosts, (m) => m.body.thread_ts === refOf(report).ts);
}

beforeAll(async () => {
  [target, state] = await Promise.all([startRedisServer(), startRedisServer()]);
  slack = await startFakeSlackApi();
  kube = await startFakeKubeApi();
  seedCluster(kube);
  redis = new Redis(target.url);
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'replica-approvals-')), 'kubeconfig.json');
  writeFileSync(kubeconfig, kube.kubeConfig().exportConfig());
  set = await startReplicaSet({
    config: {
      environments: {
        prod: {
          profile: 'production',
          redis: { url: target.url },
          kubernetes: { kubeconfig, namespace: NS },
          monitor: { enabled: false },
        },
      },
      slack: { incidentChannels: [CHANNEL] },
      access: standardAccess(['prod']),
    },
    slackApiUrl: slack.apiUrl,
    stateRedisUrl: state.url,
  });
}, 400_000);

afterAll(async () => {
  await set?.stop();
  redis?.disconnect();
  await kube?.stop();
  await slack?.close();
  await Promise.all([target?.stop(), state?.stop()]);
});

describe('Approve on two replicas at once, over many requests (issue 19 acceptance)', () => {
  it(
    `applies each of ${ROUNDS} requests exactly once: one CONFIG SET and one ConfigMap PATCH each`,
    { timeout: 600_000 },
    async () => {
      const outcomes: { applies: number; configSets: number; patches: number; refused: number }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Given: prod on allkeys-lru again (Redis and its ConfigMap), and a request for volatile-lru, made across the replicas.
        await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
        seedCluster(kube);
        kube.requests.length = 0;
        await redis.config('RESETSTAT');
        const order = [round % 3, (round + 1) % 3, (round + 2) % 3];
        const approval = await request(round, order);
        const approve = buttonOf(approval, 'approve');
        const ephemerals = slack.callsOf('chat.postEphemeral').length;
        const posts = slack.callsOf('chat.postMessage').length;

        // When: two approvers click Approve at the same moment on two different replicas.
        const [x, y] = await Promise.all([
          click(order[0]!, SRE2, approve, approval),
          click(order[1]!, SRE3, approve, approval),
        ]);
        expect([x.status, y.status]).toEqual([200, 200]);

        // Then: one is told it is already approved or applied; the thread hears one "Applied".
        const applied = await next('chat.postMessage', posts, (m) =>
          /^Applied set-eviction-policy in prod/.test(String(m.body.text)),
        );
        expect(applied.body.thread_ts).toBe(approval.body.thread_ts);
        await next('chat.postEphemeral', ephemerals, (m) => [SRE2, SRE3].includes(String(m.body.user)));
        // The checks run again after the change, in the thread: the round is over once they are posted.
        await next('chat.postMessage', posts, (m) => m.body.thread_ts === approval.body.thread_ts && isRecheck(m));
        const info = await redis.info('commandstats');
        outcomes.push({
          applies: slack
            .callsOf('chat.postMessage')
            .slice(posts)
            .filter((m) => /^Applied /.test(String(m.body.text))).length,
          configSets: Number(/cmdstat_config\|set:calls=(\d+)/.exec(info)?.[1] ?? 0),
          patches: kube.requests.filter((r) => r.method === 'PATCH' && r.path.includes(REDIS_CM)).length,
          refused: slack.callsOf('chat.postEphemeral').slice(ephemerals).length,
        });
        expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('volatile-lru');
      }
      const total = (k: keyof (typeof outcomes)[number]) => outcomes.reduce((s, o) => s + o[k], 0);
      console.log(
        `replica approvals: ${ROUNDS} requests, ${total('applies')} applies, ${total('configSets')} CONFIG SET, ` +
          `${total('patches')} ConfigMap PATCH, ${total('refused')} second approvers told`,
      );
      expect(outcomes.every((o) => o.applies === 1 && o.configSets === 1 && o.patches === 1 && o.refused === 1)).toBe(
        true,
      );
      expect(total('applies')).toBe(ROUNDS);
    },
  );
});
