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
import { openGitHost } from '../../../src/adapters/git/open-git-host.js';
import { environmentOf } from '../../../src/config/config.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../../fakes/github-api.js';
import { startFakeGitLabApi, type FakeGitLabApi } from '../../fakes/gitlab-api.js';
import type { FakeGitRepo } from '../../fakes/git-repo.js';
import { deploymentObject, startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { startFakeSlackApi, type FakeMessage, type FakeSlackApi } from '../../fakes/slack-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';

export const REPO = 'example/gitops';
export const CHANNEL = 'C0GITOPS';
export const NS = 'langgraph-agent';
export const APP = 'langgraph-agent';
export const WEBHOOK_SECRET = 'whsec-follow-test-0123456789';
export const GITLAB_SECRET = 'glsec-follow-test-9876543210';
export const SECRETS_ENV = { GITOPS_WEBHOOK_SECRET: WEBHOOK_SECRET, GITLAB_WEBHOOK_SECRET: GITLAB_SECRET };
export const GIT_TOKEN = 'ghp-follow-test-token-0123456789';
export const GITLAB_TOKEN = 'glpat-follow-test-token-0123456789';
export const FIX_SHA = 'b'.repeat(40);
/** The Git tokens, as the bot's environment holds them (`gitops.tokenEnv`), and the webhook secrets. */
export const PROCESS_ENV = { GITOPS_TOKEN: GIT_TOKEN, GITLAB_TOKEN, ...SECRETS_ENV };
const FILES = { 'apps/app/configmap.yaml': 'data:\n  session_sliding_window: "false"\n' };

/**
 * `prod`, whose fixes go to example/gitops on the fake GitHub, and `staging` (GitLab group/gitops), each with a
 * webhook secret.
 */
export function gitopsConfig(apiUrls: { github?: string; gitlab?: string } = {}): Config {
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
            ...(apiUrls.github ? { apiUrl: apiUrls.github } : {}),
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
            ...(apiUrls.gitlab ? { apiUrl: apiUrls.gitlab } : {}),
          },
        },
      },
    },
    'test',
  );
}

/** The edges (fake Slack, fake GitHub and GitLab, fake Kubernetes API, the suite's redis-server) and the follow deps over them. */
export interface FollowWorld {
  slack: FakeSlackApi;
  github: FakeGitHubApi;
  gitlab: FakeGitLabApi;
  kube: FakeKubeApi;
  redis: Redis;
  logs: CapturedLogs;
  config: Config;
  /** A replica's follow deps (the real GitHub/GitLab adapters): its own state store connection, chat client and audit. */
  replica(): FollowDeps & { store: CasStateStore; audit: Audit };
  /**
   * Opens a request on the fake GitHub (or GitLab with `env: 'staging'`) from a branch with one commit, and
   * tracks it as the apply would, in a fresh thread.
   */
  open(extra?: Partial<TrackInput>): Promise<TrackedPullRequest>;
  /** Merges (returns the merge commit) or closes the request on its fake. */
  merge(pr: TrackedPullRequest): string;
  closeUnmerged(pr: TrackedPullRequest): void;
  /** The bot's posts in the thread of `pr` (its parent left out). */
  posts(pr: TrackedPullRequest): FakeMessage[];
  /** The texts of those posts, Slack links `<url|label>` read as their label. */
  texts(pr: TrackedPullRequest): string[];
  /** Reads of request `pr` on its fake (`GET …/pulls/N`, `GET …/merge_requests/N`). */
  reads(pr: TrackedPullRequest): number;
  auditEvents(env?: string): Promise<{ event: string; pullRequest?: unknown; result?: string }[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

const fakeOf = (w: Pick<FollowWorld, 'github' | 'gitlab'>, pr: Pick<TrackedPullRequest, 'provider'>): FakeGitRepo =>
  pr.provider === 'github' ? w.github.repo : w.gitlab.repo;

export async function startFollowWorld(): Promise<FollowWorld> {
  const [slack, github, gitlab, kube] = await Promise.all([
    startFakeSlackApi(),
    startFakeGitHubApi({ owner: 'example', name: 'gitops', files: FILES, tokens: { [GIT_TOKEN]: 'write' } }),
    startFakeGitLabApi({ project: 'group/gitops', files: FILES, tokens: { [GITLAB_TOKEN]: 'write' } }),
    startFakeKubeApi(),
  ]);
  const redis = await resetSharedRedis();
  const logs = captureLogs('info');
  const config = gitopsConfig({ github: github.baseUrl, gitlab: gitlab.baseUrl });
  const clients: Redis[] = [];
  const writer = createClusterWriter({ kubeConfig: kube.kubeConfig(), namespace: NS });
  const gitHostFor = (env: string) => {
    const host = openGitHost(environmentOf(config, env), PROCESS_ENV, 2000);
    if (!host) throw new Error(`environment ${env} has no gitops`);
    return host;
  };
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
      gitHostFor,
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
    gitlab,
    kube,
    redis,
    logs,
    config,
    replica,
    async open(extra: Partial<TrackInput> = {}) {
      const gitlabEnv = extra.env === 'staging';
      const repo = gitlabEnv ? gitlab.repo : github.repo;
      const head = `session-ttl/fix-${++seq}`;
      repo.branches.set(head, repo.branches.get('main') ?? '');
      const commitSha = repo.commit(head, {
        'apps/app/configmap.yaml': `data:\n  session_sliding_window: "true" # ${seq}\n`,
      });
      const { number } = repo.openPull({ head, base: 'main', title: 'fix', body: '' });
      const parent = slack.addMessage({ channel: CHANNEL, text: `applied fix ${seq}` });
      return first.tracked.track({
        env: 'prod',
        action: 'set-maxmemory',
        pendingId: `pending-${seq}`,
        kind: 'fix',
        provider: gitlabEnv ? 'gitlab' : 'github',
        repo: gitlabEnv ? 'group/gitops' : REPO,
        number,
        url: gitlabEnv
          ? `https://gitlab.example/group/gitops/-/merge_requests/${number}`
          : `https://github.example/${REPO}/pull/${number}`,
        commitSha,
        head,
        base: 'main',
        thread: { channel: CHANNEL, ts: parent.ts },
        requester: { userId: 'U0SRE', teamId: 'T0FAKE', channelId: CHANNEL },
        approvers: [{ userId: 'U0SRE2', at: Date.now() }],
        syncedBy: 'argocd',
        ...extra,
      });
    },
    merge: (pr: TrackedPullRequest) => fakeOf(world, pr).merge(pr.number),
    closeUnmerged: (pr: TrackedPullRequest) => fakeOf(world, pr).close(pr.number),
    posts: (pr) => slack.messagesIn(CHANNEL, pr.thread.ts).filter((m) => m.ts !== pr.thread.ts),
    texts: (pr) => world.posts(pr).map((m) => (m.text ?? '').replace(/<([^|>]+)\|([^>]+)>/g, '$2')),
    reads(pr: TrackedPullRequest) {
      const fake = pr.provider === 'github' ? github : gitlab;
      const path = pr.provider === 'github' ? `/pulls/${pr.number}` : `/merge_requests/${pr.number}`;
      return fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith(path)).length;
    },
    async auditEvents(env = 'prod') {
      const entries = await first.audit.recent(env, 50);
      return entries.map(({ event, pullRequest, result }) => ({ event, pullRequest, result }));
    },
    async reset() {
      await redis.flushall();
      slack.reset();
      github.requests.length = 0;
      gitlab.requests.length = 0;
      kube.setDeployment(deploymentObject({ name: APP, namespace: NS }));
      logs.lines.length = 0;
    },
    async close() {
      await Promise.all([slack.close(), github.close(), gitlab.close(), kube.stop()]);
      await Promise.all(clients.map((c) => c.quit()));
      redis.disconnect();
    },
  };
  await world.reset();
  return world;
}
