import { webApi } from '@slack/bolt';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createClusterWriter } from '../../../src/adapters/kubernetes/cluster-writer.js';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import { redisStreamStore } from '../../../src/adapters/state/redis-stream-store.js';
import { slackChat } from '../../../src/chat/slack/slack-chat.js';
import { parseConfig, type Config } from '../../../src/config/config.js';
import type { CasStateStore } from '../../../src/core/ports/cas-state-store.js';
import { createAudit, type Audit } from '../../../src/remediation/audit.js';
import type { FollowDeps } from '../../../src/remediation/gitops/follow-pull-requests.js';
import {
  createTrackedPullRequests,
  type TrackedPullRequest,
  type TrackInput,
} from '../../../src/remediation/gitops/tracked-pull-requests.js';
import { createOffers } from '../../../src/remediation/offers.js';
import { captureLogs, type CapturedLogs } from '../../chat/slack/log-capture.js';
import { startFakeGitHubPulls, type FakeGitHubPulls } from '../../fakes/github-pulls.js';
import { deploymentObject, startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { startFakeSlackApi, type FakeMessage, type FakeSlackApi } from '../../fakes/slack-api.js';
import { octokitPullState } from '../../support/octokit-pull-state.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';

export const REPO = 'example/gitops';
export const CHANNEL = 'C0GITOPS';
export const NS = 'langgraph-agent';
export const APP = 'langgraph-agent';
export const WEBHOOK_SECRET = 'whsec-follow-test-0123456789';
export const GITLAB_SECRET = 'glsec-follow-test-9876543210';
export const SECRETS_ENV = { GITOPS_WEBHOOK_SECRET: WEBHOOK_SECRET, GITLAB_WEBHOOK_SECRET: GITLAB_SECRET };
export const GIT_TOKEN = 'ghp-follow-test-token-0123456789';
export const MERGE_SHA = 'a'.repeat(40);
export const FIX_SHA = 'b'.repeat(40);

/**
 * `prod`, whose fixes go to example/gitops on the fake GitHub, and `staging` (GitLab group/gitops), each with a
 * webhook secret.
 */
export function gitopsConfig(): Config {
  return parseConfig(
    {
      environments: {
        prod: {
          profile: 'production',
          redis: { url: sharedRedisUrl() },
          gitops: {
            provider: 'github',
            repo: REPO,
            files: { appConfigMap: 'apps/app/configmap.yaml' },
            tokenEnv: 'GITOPS_TOKEN',
            webhookSecretEnv: 'GITOPS_WEBHOOK_SECRET',
          },
        },
        staging: {
          profile: 'development',
          redis: { url: sharedRedisUrl() },
          gitops: {
            provider: 'gitlab',
            repo: 'group/gitops',
            files: { appConfigMap: 'apps/app/configmap.yaml' },
            tokenEnv: 'GITLAB_TOKEN',
            webhookSecretEnv: 'GITLAB_WEBHOOK_SECRET',
          },
        },
      },
    },
    'test',
  );
}

/** The edges (fake Slack, fake GitHub, fake Kubernetes API, the suite's redis-server) and the follow deps over them. */
export interface FollowWorld {
  slack: FakeSlackApi;
  github: FakeGitHubPulls;
  kube: FakeKubeApi;
  redis: Redis;
  logs: CapturedLogs;
  config: Config;
  /** A replica's follow deps: its own state store connection, chat client and audit (same Redis). */
  replica(): FollowDeps & { store: CasStateStore; audit: Audit };
  /** Tracks request #`number` as the apply would, in a fresh thread; the thread's ts is `thread.ts`. */
  track(number: number, extra?: Partial<TrackInput>): Promise<TrackedPullRequest>;
  setPull(number: number, state: 'open' | 'merged' | 'closed'): void;
  /** The bot's posts in the thread of `pr` (its parent left out). */
  posts(pr: TrackedPullRequest): FakeMessage[];
  /** The texts of those posts, Slack links `<url|label>` read as their label. */
  texts(pr: TrackedPullRequest): string[];
  auditEvents(): Promise<{ event: string; pullRequest?: unknown; result?: string }[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startFollowWorld(): Promise<FollowWorld> {
  const [slack, github, kube] = await Promise.all([startFakeSlackApi(), startFakeGitHubPulls(), startFakeKubeApi()]);
  const redis = await resetSharedRedis();
  const logs = captureLogs('info');
  const config = gitopsConfig();
  const clients: Redis[] = [];
  const writer = createClusterWriter({ kubeConfig: kube.kubeConfig(), namespace: NS });
  const git = octokitPullState({ apiUrl: github.apiUrl, repo: REPO, token: GIT_TOKEN });
  const replica = () => {
    const client = new Redis(sharedRedisUrl());
    clients.push(client);
    const store = redisStateStore(client);
    const web = new webApi.WebClient('xoxb-follow', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const audit = createAudit({
      streams: redisStreamStore(client),
      logger: logs.logger,
      registry: new Registry(),
      now: Date.now,
      environments: ['prod', 'staging'],
    });
    return {
      store,
      tracked: createTrackedPullRequests({ store, now: Date.now }),
      gitHostFor: () => git,
      chat: slackChat({ client: web, postClient: web }),
      audit,
      offers: createOffers({ store, ttlMs: 60_000, now: Date.now }),
      templateFingerprint: async (_env: string, d: string) => (await writer.readDeployment(d))?.templateFingerprint,
      now: Date.now,
      logger: logs.logger,
    };
  };
  const first = replica();
  let seq = 0;
  const world: FollowWorld = {
    slack,
    github,
    kube,
    redis,
    logs,
    config,
    replica,
    async track(number, extra = {}) {
      const parent = slack.addMessage({ channel: CHANNEL, text: `applied fix ${++seq}` });
      return first.tracked.track({
        env: 'prod',
        action: 'set-maxmemory',
        pendingId: `pending-${seq}`,
        kind: 'fix',
        provider: 'github',
        repo: REPO,
        number,
        url: `https://github.example/${REPO}/pull/${number}`,
        commitSha: FIX_SHA,
        head: `session-ttl/set-maxmemory-${seq}`,
        base: 'main',
        thread: { channel: CHANNEL, ts: parent.ts },
        requester: { userId: 'U0SRE', teamId: 'T0FAKE', channelId: CHANNEL },
        approvers: [{ userId: 'U0SRE2', at: Date.now() }],
        syncedBy: 'argocd',
        ...extra,
      });
    },
    setPull(number, state) {
      github.setPull(REPO, number, {
        state: state === 'open' ? 'open' : 'closed',
        merged: state === 'merged',
        merge_commit_sha: state === 'merged' ? MERGE_SHA : null,
        head: `session-ttl/fix-${number}`,
        base: 'main',
      });
    },
    posts: (pr) => slack.messagesIn(CHANNEL, pr.thread.ts).filter((m) => m.ts !== pr.thread.ts),
    texts: (pr) => world.posts(pr).map((m) => (m.text ?? '').replace(/<([^|>]+)\|([^>]+)>/g, '$2')),
    async auditEvents() {
      const entries = await first.audit.recent('prod', 50);
      return entries.map(({ event, pullRequest, result }) => ({ event, pullRequest, result }));
    },
    async reset() {
      await redis.flushall();
      slack.reset();
      github.calls.length = 0;
      kube.setDeployment(deploymentObject({ name: APP, namespace: NS }));
      logs.lines.length = 0;
    },
    async close() {
      await Promise.all([slack.close(), github.close(), kube.stop()]);
      await Promise.all(clients.map((c) => c.quit()));
      redis.disconnect();
    },
  };
  await world.reset();
  return world;
}
