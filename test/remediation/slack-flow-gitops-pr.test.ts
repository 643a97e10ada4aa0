// The durable half of a fix as a pull request, through the real Bolt app, Octokit and a fake GitHub API on
// loopback: an Argo CD-managed Redis ConfigMap is not patched; after the approval the live value is set and
// a pull request changes exactly the one redis.conf line in the repository's manifest. A read-only token, a
// base branch that moved and Revert (open and merged request) each get their own case.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configMapObject } from '../fakes/kube-api.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../fakes/github-api.js';
import { redisConfigMapManifest } from './actions/action-harness.js';
import {
  buttonOf,
  NS,
  REDIS_CM,
  REDIS_CONF,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

const TRACKING = { 'argocd.argoproj.io/tracking-id': `sessions:/ConfigMap:${NS}/${REDIS_CM}` };
const PATH = 'apps/redis/configmap.yaml';
const HOOK_SECRET = 'whsec-gitops-pr-0123456789';
/** The manifest as a team keeps it in Git: a comment, the ConfigMap, redis.conf as a block. */
const MANIFEST = redisConfigMapManifest({ namespace: NS, header: '# Redis for the session store (synced by Argo CD)' });

/** The address the fake GitHub gives a pull request. */
const prUrl = (pr: { number: number } | undefined) => `https://github.example/example/gitops/pull/${pr?.number}`;

/** The lines of `after` that differ from `before`, as `-old` / `+new` pairs. */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [`-${line}`, `+${b[i] ?? ''}`]));
}

/** A post's text with Slack links `<url|label>` read as their label. */
const plainOf = (call: Parameters<typeof textOf>[0]) => textOf(call).replace(/<([^|>]+)\|([^>]+)>/g, '$2');

/** GitHub's signed `pull_request` webhook saying request `pr` was closed (merged or not). */
function closedHook(f: Flow, pr: { number: number } | undefined): Promise<Response> {
  const body = JSON.stringify({
    action: 'closed',
    pull_request: { number: pr?.number },
    repository: { full_name: 'example/gitops' },
  });
  return fetch(`${f.baseUrl}/gitops/github`, {
    method: 'POST',
    headers: {
      'x-github-event': 'pull_request',
      'x-hub-signature-256': `sha256=${createHmac('sha256', HOOK_SECRET).update(body).digest('hex')}`,
    },
    body,
  });
}

describe('a fix of an Argo CD-managed ConfigMap with gitops: the pull request', () => {
  let f: Flow;
  let gh: FakeGitHubApi;
  const token = { value: 'tok-write' };
  beforeAll(async () => {
    gh = await startFakeGitHubApi({
      owner: 'example',
      name: 'gitops',
      files: { [PATH]: MANIFEST },
      tokens: { 'tok-write': 'write', 'tok-read': 'read' },
    });
    const values: Record<string, () => string> = { GITOPS_TOKEN: () => token.value, GITOPS_HOOK: () => HOOK_SECRET };
    const env = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_, k) => (typeof k === 'string' ? values[k]?.() : undefined),
    });
    const gitops = {
      provider: 'github',
      repo: 'example/gitops',
      files: { redisConfigMap: PATH },
      tokenEnv: 'GITOPS_TOKEN',
      apiUrl: gh.baseUrl,
      webhookSecretEnv: 'GITOPS_HOOK',
    };
    f = await startFlow({
      // prod: the same repository, its fixes and reverts approved by another SRE.
      envs: { dev: { profile: 'development', gitops }, prod: { profile: 'production', gitops } },
      access: standardAccess(['dev', 'prod']),
      processEnv: env,
    });
  });
  afterAll(async () => {
    await f?.close();
    await gh?.close();
  });
  beforeEach(async () => {
    await f.reset();
    token.value = 'tok-write';
    // Each case starts from the manifest as the team keeps it (an earlier case may have merged its fix).
    if (gh.repo.file('main', PATH)?.text !== MANIFEST) gh.repo.commit('main', { [PATH]: MANIFEST }, 'reset');
    f.kube.setConfigMap(configMapObject({ name: REDIS_CM, data: { 'redis.conf': REDIS_CONF }, annotations: TRACKING }));
  });

  it('previews the diff of the manifest, applies the live value and opens a one-line pull request', async () => {
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain(`*Pull request:* to example/gitops (github), base main`);
    expect(shown).toContain(`--- a/${PATH}`);
    expect(shown).toContain('+    maxmemory-policy volatile-lru');
    expect(shown).toContain('After approval the bot opens a pull request to GitHub example/gitops');

    const applied = await f.requestFix(SRE, report, 'volatile-lru');
    await f.bot.idle();

    const pr = gh.repo.pulls.at(-1);
    expect(pr?.state).toBe('open');
    expect(pr?.head).toMatch(/^session-ttl\/set-eviction-policy-[a-z0-9]{8}$/);
    expect(textOf(applied)).toContain(`Opened pull request #${pr?.number} (${prUrl(pr)}) to example/gitops`);
    const onBranch = gh.repo.file(pr?.head ?? '', PATH)?.text ?? '';
    expect(changedLines(MANIFEST, onBranch)).toEqual([
      '-    maxmemory-policy allkeys-lru',
      '+    maxmemory-policy volatile-lru',
    ]);
    expect(gh.repo.commitsSince(pr?.head ?? '', 'main')).toHaveLength(1);
    // The request's text: the finding the button answered, its evidence, who asked.
    expect(pr?.body).toContain('### Finding\n`eviction.allkeys_policy` (warning)');
    expect(pr?.body).toContain(
      'The live change is already applied: CONFIG SET maxmemory-policy volatile-lru on 1 node.',
    );
    expect(pr?.body).toMatch(/### Evidence\n- \S+=/);
    expect(pr?.body).toContain(`Requested by ${SRE}`);
    expect(pr?.body).toMatch(/- Thread: https:\/\/\S+/);
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    expect(f.patches()).toEqual([]);
    const audit = await f.audit('dev');
    expect(audit.map((e) => e.event)).toEqual(['request', 'apply']);
    expect(audit[1]?.result).toContain(`pull request ${prUrl(pr)} opened`);
  });

  it('a base that moved since the preview: the one-line edit is made on the new base', async () => {
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    const moved = gh.repo.commit('main', { 'README.md': 'another team changed this\n' });
    await f.submit(SRE, view, 'volatile-lru');
    const applied = await f.slack.waitFor('chat.postMessage', (c) => /Applied set-eviction-policy/.test(textOf(c)));
    await f.bot.idle();
    const pr = gh.repo.pulls.at(-1);
    expect(textOf(applied)).toContain('the base moved since the preview: the edit was applied to the new base');
    expect(pr?.baseShaAtOpen).toBe(moved);
    expect(changedLines(MANIFEST, gh.repo.file(pr?.head ?? '', PATH)?.text ?? '')).toHaveLength(2);
  });

  it('a read-only token: the thread says the pull request was refused, the live change is applied and audited', async () => {
    token.value = 'tok-read';
    const report = await f.diagnose('dev');
    const pulls = gh.repo.pulls.length;
    const branches = [...gh.repo.branches.keys()];
    const applied = await f.requestFix(SRE, report, 'volatile-lru');
    await f.bot.idle();
    expect(textOf(applied)).toMatch(/The pull request to example\/gitops could not be opened: .*403/s);
    expect(textOf(applied)).not.toContain('tok-read');
    expect(gh.repo.pulls).toHaveLength(pulls);
    expect([...gh.repo.branches.keys()]).toEqual(branches);
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    const audit = await f.audit('dev');
    expect(audit.map((e) => e.event)).toEqual(['request', 'apply']);
    expect(audit[1]?.result).toMatch(/pull request not opened: .*403/s);
  });

  it('Revert of an open pull request closes it; of a merged one opens the reverting request', async () => {
    const report = await f.diagnose('dev');
    const applied = await f.requestFix(SRE, report, 'volatile-lru');
    await f.bot.idle();
    const pr = gh.repo.pulls.at(-1);
    await f.click(SRE2, buttonOf(applied, 'revert'), refOf(applied));
    const reverted = await f.slack.waitFor('chat.postMessage', (c) =>
      /Reverted set-eviction-policy in dev/.test(textOf(c)),
    );
    expect(textOf(reverted)).toContain(`Closed ${prUrl(pr)} unmerged.`);
    expect(pr?.state).toBe('closed');
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    // Closing the fix's request opened nothing to follow: GitHub's word of that close is not followed.
    expect((await closedHook(f, pr)).status).toBe(202);

    // Merged this time: Revert opens the request that edits the line back.
    const again = await f.requestFix(SRE, await f.diagnose('dev'), 'volatile-lru');
    await f.bot.idle();
    const second = gh.repo.pulls.at(-1);
    gh.repo.merge(second?.number ?? 0);
    await f.click(SRE2, buttonOf(again, 'revert'), refOf(again));
    const back = await f.slack.waitFor(
      'chat.postMessage',
      (c) => /Reverted set-eviction-policy in dev/.test(textOf(c)) && textOf(c).includes(`to revert ${prUrl(second)}`),
    );
    const reverting = gh.repo.pulls.at(-1);
    expect(textOf(back)).toContain(`Opened ${prUrl(reverting)} to revert ${prUrl(second)}.`);
    expect(gh.repo.file(reverting?.head ?? '', PATH)?.text).toBe(MANIFEST);
  });

  it('the merge of the opened request is said in the request thread (signed webhook, state read from the API)', async () => {
    const applied = await f.requestFix(SRE, await f.diagnose('dev'), 'volatile-lru');
    await f.bot.idle();
    const pr = gh.repo.pulls.at(-1);
    const sha = gh.repo.merge(pr?.number ?? 0);
    expect((await closedHook(f, pr)).status).toBe(200);
    const merged = await f.slack.waitFor('chat.postMessage', (c) =>
      textOf(c).includes(`was merged into main at ${sha}`),
    );
    expect(merged.body.thread_ts).toBe(applied.body.thread_ts ?? refOf(applied).ts);
    expect((await f.audit('dev')).map((e) => e.event)).toEqual(['request', 'apply', 'pr_merged']);
  });
  /** A fix applied and its request merged, then reverted by SRE2: the reverting request it opened, and the thread. */
  async function revertMergedFix() {
    const applied = await f.requestFix(SRE, await f.diagnose('dev'), 'volatile-lru');
    await f.bot.idle();
    const fix = gh.repo.pulls.at(-1);
    gh.repo.merge(fix?.number ?? 0);
    // Revert clicked on the applied message, in the thread where the fix was requested and applied.
    const threadTs = String(applied.body.thread_ts);
    await f.clickAs({ threadTs }, SRE2, buttonOf(applied, 'revert'), refOf(applied));
    const back = await f.slack.waitFor('chat.postMessage', (c) => textOf(c).includes(`to revert ${prUrl(fix)}.`));
    expect(back.body.thread_ts).toBe(threadTs);
    await f.bot.idle();
    const reverting = gh.repo.pulls.at(-1);
    expect(reverting?.number).not.toBe(fix?.number);
    return { reverting, threadTs };
  }

  it('the reverting request of a merged fix is followed: its merge is said once in the thread and audited', async () => {
    // Given: a merged fix reverted; the revert opened the request that edits the line back.
    const { reverting, threadTs } = await revertMergedFix();

    // When: the reverting request is merged and GitHub says so (the delivery repeated).
    const sha = gh.repo.merge(reverting?.number ?? 0);
    expect((await closedHook(f, reverting)).status).toBe(200);
    const said = `(${prUrl(reverting)}) was merged into main at ${sha}: the revert is now in Git; Argo CD applies it`;
    const merged = await f.slack.waitFor('chat.postMessage', (c) => plainOf(c).includes(said));
    expect((await closedHook(f, reverting)).status).toBe(202);
    await f.bot.idle();

    // Then: said once, in the thread of the fix and its revert, and audited for the reverting request.
    expect(merged.body.thread_ts).toBe(threadTs);
    expect(f.slack.callsOf('chat.postMessage').filter((c) => plainOf(c).includes(said))).toHaveLength(1);
    const audit = await f.audit('dev');
    expect(audit.map((e) => e.event)).toEqual(['request', 'apply', 'revert', 'pr_merged']);
    expect(audit[3]?.pullRequest).toMatchObject({ number: reverting?.number, commitSha: sha, state: 'merged' });
    expect(audit[3]?.pendingId).toBe(audit[2]?.pendingId);
    expect(audit[3]?.actor.userId).toBe(SRE2);
  });

  it('the reverting request closed unmerged: the thread hears that Git still holds the fix', async () => {
    const { reverting, threadTs } = await revertMergedFix();
    gh.repo.close(reverting?.number ?? 0);
    expect((await closedHook(f, reverting)).status).toBe(200);
    const closed = await f.slack.waitFor('chat.postMessage', (c) =>
      plainOf(c).includes(
        `(${prUrl(reverting)}) reverting the fix was closed without merging: Git still holds the fix.`,
      ),
    );
    expect(closed.body.thread_ts).toBe(threadTs);
    const audit = await f.audit('dev');
    expect(audit.map((e) => e.event)).toEqual(['request', 'apply', 'revert', 'pr_closed']);
    expect(audit[3]?.pullRequest).toMatchObject({ number: reverting?.number, state: 'closed' });
  });
  it('a revert approved in prod: its reverting request is followed, the merge said in the thread', async () => {
    // Given: the fix applied in prod after SRE2's approval, its request merged.
    const report = await f.diagnose('prod');
    const threadTs = refOf(report).ts;
    const approval = await f.requestFix(SRE, report, 'volatile-lru');
    await f.clickAs({ threadTs }, SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const applied = await f.slack.waitFor('chat.postMessage', (c) =>
      /Applied set-eviction-policy in prod/.test(textOf(c)),
    );
    await f.bot.idle();
    const fix = gh.repo.pulls.at(-1);
    gh.repo.merge(fix?.number ?? 0);

    // When: SRE asks to revert and SRE2 approves: the reverting request is opened, then merged.
    await f.clickAs({ threadTs }, SRE, buttonOf(applied, 'revert'), refOf(applied));
    const request = await f.slack.waitFor('chat.postMessage', (c) => /revert, restoring/.test(textOf(c)));
    await f.clickAs({ threadTs }, SRE2, buttonOf(request, 'approve'), refOf(request));
    await f.slack.waitFor('chat.postMessage', (c) => textOf(c).includes(`to revert ${prUrl(fix)}.`));
    await f.bot.idle();
    const reverting = gh.repo.pulls.at(-1);
    const sha = gh.repo.merge(reverting?.number ?? 0);
    expect((await closedHook(f, reverting)).status).toBe(200);

    // Then: said in the thread, audited under the revert request, for the one who asked to revert.
    const said = `(${prUrl(reverting)}) was merged into main at ${sha}: the revert is now in Git`;
    const merged = await f.slack.waitFor('chat.postMessage', (c) => plainOf(c).includes(said));
    expect(merged.body.thread_ts).toBe(threadTs);
    const audit = await f.audit('prod');
    const revert = audit.find((e) => e.event === 'revert');
    expect(audit.filter((e) => e.event.startsWith('pr_'))).toEqual([
      expect.objectContaining({
        event: 'pr_merged',
        pendingId: revert?.pendingId,
        actor: { userId: SRE, teamId: expect.any(String) },
      }),
    ]);
  });
});
