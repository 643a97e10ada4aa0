import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { redisStreamStore } from '../../src/adapters/state/redis-stream-store.js';
import { parseConfig } from '../../src/config/config.js';
import { createTrackedPullRequests } from '../../src/remediation/gitops/tracked-pull-requests.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../fakes/github-api.js';
import { startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { GIT_TOKEN, gitopsConfig, PROCESS_ENV, REPO, WEBHOOK_SECRET } from '../remediation/gitops/follow-harness.js';

let github: FakeGitHubApi;
let redis: Redis;
let bot: TestBot;
const CHANNEL = 'C0OPS';

beforeAll(async () => {
  github = await startFakeGitHubApi({
    owner: 'example',
    name: 'gitops',
    files: { 'a.yaml': 'a: 1\n' },
    tokens: { [GIT_TOKEN]: 'write' },
  });
  redis = await resetSharedRedis();
  const state = new Redis(sharedRedisUrl());
  bot = await startTestBot({
    config: gitopsConfig({ github: github.baseUrl }),
    alerts: false,
    extra: {
      processEnv: PROCESS_ENV,
      remediation: {
        store: redisStateStore(state),
        streams: redisStreamStore(state),
        metrics: new Registry(),
        // No gitHostFor: the default, the real adapter of the environment's gitops (as main.ts runs it).
      },
    },
  });
});
afterAll(async () => {
  await bot?.close();
  await github?.close();
  redis?.disconnect();
});

describe('the bot follows the GitOps requests when an environment has gitops', () => {
  it('serves the signed webhook on its host and posts the merge in the apply thread through its Slack client', async () => {
    // Given: the apply's thread and the request it opened, merged on GitHub.
    github.repo.branches.set('session-ttl/set-maxmemory-p1', github.repo.branches.get('main') ?? '');
    github.repo.commit('session-ttl/set-maxmemory-p1', { 'a.yaml': 'a: 2\n' });
    const { number } = github.repo.openPull({
      head: 'session-ttl/set-maxmemory-p1',
      base: 'main',
      title: 't',
      body: '',
    });
    const parent = bot.slack.addMessage({ channel: CHANNEL, text: 'applied set-maxmemory in prod' });
    const tracked = createTrackedPullRequests({ store: redisStateStore(redis), now: Date.now });
    await tracked.track({
      env: 'prod',
      action: 'set-maxmemory',
      pendingId: 'p-1',
      kind: 'fix',
      provider: 'github',
      repo: REPO,
      number,
      url: `https://github.example/${REPO}/pull/${number}`,
      commitSha: 'c'.repeat(40),
      head: 'session-ttl/set-maxmemory-p1',
      base: 'main',
      thread: { channel: CHANNEL, ts: parent.ts },
      requester: { userId: 'U0SRE', teamId: 'T0FAKE', channelId: CHANNEL },
      approvers: [],
    });
    const sha = github.repo.merge(number);

    const body = JSON.stringify({ action: 'closed', pull_request: { number }, repository: { full_name: REPO } });
    const res = await fetch(`${bot.url}/gitops/github`, {
      method: 'POST',
      headers: {
        'x-github-event': 'pull_request',
        'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
      },
      body,
    });

    expect(res.status).toBe(200);
    // The bot's own poll may see the merge first (it starts with the bot): then it, not the webhook, says it,
    // still once. Either way the merge is said in the thread.
    const replies = () => bot.slack.messagesIn(CHANNEL, parent.ts).filter((m) => m.ts !== parent.ts);
    await eventually('the merge said in the thread', () => replies().length > 0);
    expect(replies().map((m) => m.text)).toEqual([
      expect.stringContaining(`was merged into main at ${sha}`) as unknown,
    ]);
  });

  it('has no GitOps routes without an environment that has gitops', async () => {
    const plain = await startTestBot({
      config: parseConfig({ environments: { prod: { profile: 'production', redis: { url: sharedRedisUrl() } } } }, 't'),
      alerts: false,
      extra: {
        remediation: {
          store: redisStateStore(redis),
          streams: redisStreamStore(redis),
          metrics: new Registry(),
          gitHostFor: () => {
            throw new Error('not called');
          },
        },
      },
    });
    try {
      expect((await fetch(`${plain.url}/gitops/github`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
