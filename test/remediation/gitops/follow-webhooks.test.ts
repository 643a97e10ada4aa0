import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitopsFollowFeature } from '../../../src/app/gitops-follow-feature.js';
import { webhookSecrets } from '../../../src/app/gitops-webhook-route.js';
import { UserError } from '../../../src/core/errors.js';
import { createHost, type Host } from '../../../src/host/host.js';
import {
  GITLAB_SECRET,
  REPO,
  SECRETS_ENV,
  startFollowWorld,
  WEBHOOK_SECRET,
  type FollowWorld,
} from './follow-harness.js';

let w: FollowWorld;
let host: Host;
let base: string;

beforeAll(async () => {
  w = await startFollowWorld();
  // A poll once an hour: only the start-up look and the webhooks read the requests here.
  const feature = gitopsFollowFeature({
    follow: w.replica(),
    everyMs: 3_600_000,
    secrets: webhookSecrets(w.config, SECRETS_ENV),
  });
  host = createHost({ features: [feature], logger: w.logs.logger, port: 0, hostname: '127.0.0.1', graceMs: 1000 });
  base = `http://127.0.0.1:${(await host.start()).port}`;
});
afterAll(async () => {
  await host?.stop();
  await w?.close();
});
beforeEach(async () => {
  await host.work.idle();
  await w.reset();
});

const closedEvent = (number: number, merged: boolean, repo = REPO) =>
  JSON.stringify({
    action: 'closed',
    number,
    pull_request: { number, merged, state: 'closed' },
    repository: { full_name: repo },
  });
const signature = (body: string, secret = WEBHOOK_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function github(body: string, headers: Record<string, string>) {
  const res = await fetch(`${base}/gitops/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('POST /gitops/github: a signed pull_request event makes the bot read the request again', () => {
  it('good signature: reads the request through the API at once and says it was merged', async () => {
    const pr = await w.open();
    w.merge(pr);
    const body = closedEvent(pr.number, true);

    expect(await github(body, { 'x-hub-signature-256': signature(body) })).toEqual({
      status: 200,
      json: { ok: true, rechecked: 1 },
    });
    expect(w.reads(pr)).toBe(1);
    expect(w.texts(pr)).toEqual([expect.stringContaining(`Pull request #${pr.number} (https://github.example/`)]);
    expect((await w.auditEvents()).map((e) => e.event)).toEqual(['pr_merged']);

    // The same delivery again (a replay, or GitHub's redelivery): nothing more is said.
    expect(await github(body, { 'x-hub-signature-256': signature(body) })).toMatchObject({ status: 202 });
    expect(w.posts(pr)).toHaveLength(1);
    expect(w.logs.raw()).not.toContain(WEBHOOK_SECRET);
  });

  it('a wrong or missing signature: 401 with why, no API call, nothing said', async () => {
    const pr = await w.open();
    w.merge(pr);
    const body = closedEvent(pr.number, true);

    const wrong = await github(body, { 'x-hub-signature-256': signature(body, 'not-the-secret') });
    expect(wrong).toEqual({
      status: 401,
      json: {
        error:
          'unauthorized: X-Hub-Signature-256 does not match the webhook secret of any environment with this repository',
      },
    });
    // Signed, then changed: the signature covers the raw body.
    const tampered = await github(closedEvent(pr.number, true).replace('"merged":true', '"merged": true'), {
      'x-hub-signature-256': signature(body),
    });
    expect(tampered.status).toBe(401);
    const missing = await github(body, {});
    expect(missing).toEqual({
      status: 401,
      json: { error: expect.stringContaining('unauthorized: no X-Hub-Signature-256 header') as unknown },
    });
    expect(w.github.requests).toEqual([]);
    expect(w.posts(pr)).toEqual([]);
    expect(await w.auditEvents()).toEqual([]);
  });

  it('a signed body claiming a merge while the API says open announces nothing', async () => {
    const pr = await w.open();
    const body = closedEvent(pr.number, true);
    expect(await github(body, { 'x-hub-signature-256': signature(body) })).toEqual({
      status: 200,
      json: { ok: true, rechecked: 1 },
    });
    expect(w.reads(pr)).toBe(1);
    expect(w.posts(pr)).toEqual([]);
    expect(await w.auditEvents()).toEqual([]);
  });

  it('ignores (202) an unknown request, another repository, other events and actions; 400 on a malformed body', async () => {
    const pr = await w.open();
    const send = (body: string, event = 'pull_request') =>
      github(body, { 'x-hub-signature-256': signature(body), 'x-github-event': event });
    expect(await send(closedEvent(99, true))).toEqual({
      status: 202,
      json: { ignored: `no open request #99 of ${REPO} is followed` },
    });
    expect((await send(closedEvent(pr.number, true, 'someone/else'))).status).toBe(202);
    expect((await send(JSON.stringify({ zen: 'hi', hook_id: 1 }), 'ping')).status).toBe(202);
    expect((await send(closedEvent(pr.number, true).replace('"closed"', '"opened"'))).json).toEqual({
      ignored: 'action opened is not closed',
    });
    expect((await send(JSON.stringify({ action: 'closed' }))).status).toBe(400);
    expect((await send('{not json')).status).toBe(400);
    expect(w.github.requests).toEqual([]);
  });
});

describe('POST /gitops/gitlab: the X-Gitlab-Token is the secret', () => {
  const mergeHook = (iid: number) =>
    JSON.stringify({
      object_kind: 'merge_request',
      project: { id: 42, path_with_namespace: 'group/gitops' },
      object_attributes: { iid, state: 'merged', action: 'merge' },
    });
  async function gitlab(body: string, token?: string) {
    const res = await fetch(`${base}/gitops/gitlab`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Merge Request Hook',
        ...(token ? { 'x-gitlab-token': token } : {}),
      },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('the right token: reads the merge request through the GitLab API and says it was merged', async () => {
    const pr = await w.open({ env: 'staging' });
    const sha = w.merge(pr);
    expect(await gitlab(mergeHook(pr.number), GITLAB_SECRET)).toEqual({
      status: 200,
      json: { ok: true, rechecked: 1 },
    });
    expect(w.reads(pr)).toBe(1);
    expect(w.texts(pr)).toEqual([
      expect.stringContaining(`Merge request !${pr.number} (${pr.url}) was merged into main at ${sha}`),
    ]);
  });

  it('refuses a wrong or missing token (401), ignores an unfollowed merge request with the right one (202)', async () => {
    expect((await gitlab(mergeHook(5), 'wrong')).status).toBe(401);
    expect((await gitlab(mergeHook(5))).json).toEqual({
      error: "unauthorized: no X-Gitlab-Token header; set the webhook's secret to the value of gitops.webhookSecretEnv",
    });
    expect(await gitlab(mergeHook(5), GITLAB_SECRET)).toEqual({
      status: 202,
      json: { ignored: 'no open request #5 of group/gitops is followed' },
    });
    // The GitHub secret is not GitLab's.
    expect((await gitlab(mergeHook(5), WEBHOOK_SECRET)).status).toBe(401);
    expect(w.logs.raw()).not.toContain(GITLAB_SECRET);
  });
});

describe('webhook secrets at start-up', () => {
  it('a named but unset secret env var stops start-up, naming the variable and not any value', () => {
    const run = () => webhookSecrets(w.config, { GITOPS_WEBHOOK_SECRET: WEBHOOK_SECRET });
    expect(run).toThrow(UserError);
    expect(run).toThrow(/GITLAB_WEBHOOK_SECRET \(gitops.webhookSecretEnv of environment "staging"\) is not set/);
    expect(webhookSecrets(w.config, SECRETS_ENV).map((s) => [s.env, s.provider, s.repo])).toEqual([
      ['prod', 'github', REPO],
      ['staging', 'gitlab', 'group/gitops'],
    ]);
  });
});
