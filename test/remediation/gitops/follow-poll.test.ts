import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { followOnce } from '../../../src/remediation/gitops/follow-pull-requests.js';
import { settleClosedByRevert } from '../../../src/remediation/gitops/tracked-pull-requests.js';
import { trackOpenedPullRequest } from '../../../src/remediation/gitops/track-opened.js';
import { deploymentObject } from '../../fakes/kube-api.js';
import { APP, GIT_TOKEN, NS, REPO, startFollowWorld, type FollowWorld } from './follow-harness.js';

let w: FollowWorld;
beforeAll(async () => {
  w = await startFollowWorld();
});
afterAll(() => w?.close());
beforeEach(() => w.reset());

describe('following a GitOps fix request by polling the Git host', () => {
  it('merged: says so once in the apply thread and audits pr_merged with the merge commit', async () => {
    // Given: an open request the apply is following, still open on GitHub.
    const pr = await w.open();
    const deps = w.replica();
    expect(await followOnce(deps)).toBe(0);
    expect(w.posts(pr)).toHaveLength(0);

    // When: it is merged, and the next look reads it.
    const sha = w.merge(pr);
    expect(await followOnce(deps)).toBe(1);

    // Then: one message in the thread, one audit entry; later looks say nothing more.
    const url = `https://github.example/${REPO}/pull/${pr.number}`;
    expect(w.texts(pr)).toEqual([
      `Pull request #${pr.number} (${url}) was merged into main at ${sha}: the change is now in Git; ` +
        'Argo CD applies it at the next sync.',
    ]);
    expect(await followOnce(deps)).toBe(0);
    expect(w.posts(pr)).toHaveLength(1);
    expect(await w.auditEvents()).toEqual([
      {
        event: 'pr_merged',
        pullRequest: { provider: 'github', repo: REPO, number: pr.number, url, commitSha: sha, state: 'merged' },
        result: expect.stringContaining('was merged into main') as unknown,
      },
    ]);
    expect(w.reads(pr)).toBe(2);
  });

  it('closed unmerged: says the live change stays and Revert undoes it, and audits pr_closed', async () => {
    const pr = await w.open({ syncedBy: 'flux' });
    w.closeUnmerged(pr);
    expect(await followOnce(w.replica())).toBe(1);
    expect(w.texts(pr)).toEqual([
      `Pull request #${pr.number} (https://github.example/${REPO}/pull/${pr.number}) was closed without merging: ` +
        'the live change stays until Redis restarts; Revert undoes it.',
    ]);
    const events = await w.auditEvents();
    expect(events.map((e) => e.event)).toEqual(['pr_closed']);
    expect(events[0]?.pullRequest).toMatchObject({ number: pr.number, commitSha: pr.commitSha, state: 'closed' });
  });

  it('the request as the apply opened it (trackOpenedPullRequest): followed, its controller named', async () => {
    const given = await w.open();
    // The same request again, tracked the way the apply hands it over (its stored `opened` shape).
    const deps = w.replica();
    const pr = await trackOpenedPullRequest(
      deps,
      {
        provider: 'github',
        repo: REPO,
        baseBranch: 'main',
        path: 'apps/app/configmap.yaml',
        owner: 'Flux Kustomization "flux-system/apps"',
        edits: [{ kind: 'data-key', configMap: 'app-config', key: 'session_sliding_window', value: 'true' }],
        baseSha: 'c'.repeat(40),
        before: ['false'],
        diff: '',
        number: given.number,
        url: given.url,
        branch: given.head,
        commitSha: given.commitSha,
      },
      {
        env: 'prod',
        action: 'enable-sliding-window',
        pendingId: 'p-opened',
        thread: given.thread,
        requester: given.requester,
        approvers: [],
      },
    );
    expect(pr).toMatchObject({ kind: 'fix', head: given.head, base: 'main', syncedBy: 'flux' });
    await deps.tracked.settle(given.id, { state: 'closed', at: Date.now(), via: 'revert', announcedAt: Date.now() });
    const sha = w.merge(pr);
    expect(await followOnce(deps)).toBe(1);
    expect(w.texts(pr)).toEqual([
      expect.stringContaining(`at ${sha}: the change is now in Git; Flux applies it at the next sync.`),
    ]);
  });

  it('a GitLab merge request, read through the GitLab adapter', async () => {
    const pr = await w.open({ env: 'staging', syncedBy: 'flux' });
    const sha = w.merge(pr);
    expect(await followOnce(w.replica())).toBe(1);
    expect(w.texts(pr)).toEqual([
      `Merge request !${pr.number} (${pr.url}) was merged into main at ${sha}: the change is now in Git; ` +
        'Flux applies it at the next sync.',
    ]);
    expect((await w.auditEvents('staging')).map((e) => e.event)).toEqual(['pr_merged']);
  });

  it('a request the Revert closed itself is not announced as closed without merging', async () => {
    const pr = await w.open();
    const deps = w.replica();
    // When: Revert settles it before closing it on GitHub.
    expect((await settleClosedByRevert(deps.tracked, pr.pendingId, Date.now))?.settled).toMatchObject({
      state: 'closed',
      via: 'revert',
    });
    w.closeUnmerged(pr);
    expect(await followOnce(deps)).toBe(0);
    expect(w.posts(pr)).toEqual([]);
    expect(w.reads(pr)).toBe(0);
    expect(await settleClosedByRevert(deps.tracked, pr.pendingId, Date.now)).toBeUndefined();
  });

  it('two replicas following the same requests announce each change once', async () => {
    const prs = [await w.open(), await w.open()];
    w.merge(prs[0]!);
    w.closeUnmerged(prs[1]!);
    const [a, b] = [w.replica(), w.replica()];
    // When: both replicas look, several times, at the same moment.
    const settled = await Promise.all([followOnce(a), followOnce(b), followOnce(a), followOnce(b)]);

    expect(settled.reduce((x, y) => x + y, 0)).toBe(2);
    expect(prs.map((pr) => w.posts(pr).length)).toEqual([1, 1]);
    expect((await w.auditEvents()).map((e) => e.event).sort()).toEqual(['pr_closed', 'pr_merged']);
  });

  it('a request settled by a replica that died before saying it is announced by another, once', async () => {
    const pr = await w.open();
    const sha = w.merge(pr);
    // Given: a replica settled it (its compare-and-set won) and died before posting.
    const dead = w.replica();
    await dead.tracked.settle(pr.id, { state: 'merged', at: Date.now() - 60_000, mergeCommitSha: sha, via: 'poll' });
    const live = { ...w.replica(), announceTimeoutMs: 30_000 };

    // When: another replica looks (twice).
    await followOnce(live);
    await followOnce(live);

    // Then: it was said once, from the settled record, without reading GitHub again.
    expect(w.texts(pr)).toEqual([expect.stringContaining(`was merged into main at ${sha}`)]);
    expect((await w.auditEvents()).map((e) => e.event)).toEqual(['pr_merged']);
    expect(w.reads(pr)).toBe(0);
    expect(w.logs.raw()).toContain('announcing a GitOps request another replica settled');
  });

  it('a read that fails is logged without the token and tried again at the next look', async () => {
    const pr = await w.open();
    w.merge(pr);
    w.github.failNext(/pulls\/\d+$/, 502);
    expect(await followOnce(w.replica())).toBe(0);
    expect(w.logs.raw()).toContain('could not read a GitOps request');
    expect(w.logs.raw()).not.toContain(GIT_TOKEN);
    expect(await followOnce(w.replica())).toBe(1);
    expect(w.posts(pr)).toHaveLength(1);
  });
});

describe('the rollout restart after the merge of enable-sliding-window', () => {
  const restartOf = async () => {
    const d = await w.replica().templateFingerprint('prod', APP);
    return { deployment: APP, namespace: NS, target: 'app' as const, templateFingerprint: d ?? '' };
  };

  it('is offered when the pod template did not change: a fix button behind an offer in the same thread', async () => {
    const pr = await w.open({ action: 'enable-sliding-window', restart: await restartOf() });
    w.merge(pr);
    const deps = w.replica();
    expect(await followOnce(deps)).toBe(1);

    const [merged, offer] = w.posts(pr);
    expect(merged?.text).toContain('was merged into main');
    expect(w.texts(pr)[1]).toBe(
      `The pod template of Deployment ${NS}/${APP} is unchanged since pull request #${pr.number} was opened: ` +
        'Argo CD did not roll the pods, which read the new value only when they start. Restart them once it has synced:',
    );
    // The button is a fix button: an opaque offer id, the action and thread in the offer record.
    const button = JSON.stringify(offer?.blocks).match(/"action_id":"(fix:rollout-restart)[^"]*","value":"([^"]+)"/);
    expect(button?.[1]).toBe('fix:rollout-restart');
    const stored = await deps.store.get(`remediation:offer:${button?.[2] ?? ''}`);
    expect(JSON.parse(stored ?? '{}')).toMatchObject({
      env: 'prod',
      action: 'rollout-restart',
      params: { target: 'app' },
      thread: pr.thread,
    });
  });

  it('is not offered when the controller rolled the pods (the pod template changed)', async () => {
    const pr = await w.open({ action: 'enable-sliding-window', restart: await restartOf() });
    // The controller's sync rolled the pods: the template carries a new restartedAt.
    const rolled = deploymentObject({ name: APP, namespace: NS });
    rolled.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-12-05T10:00:00Z' };
    w.kube.setDeployment(rolled);
    w.merge(pr);
    expect(await followOnce(w.replica())).toBe(1);
    expect(w.texts(pr)).toEqual([expect.stringContaining('was merged into main')]);
  });

  it('is not offered for a closed request', async () => {
    const pr = await w.open({ action: 'enable-sliding-window', restart: await restartOf() });
    w.closeUnmerged(pr);
    await followOnce(w.replica());
    expect(w.texts(pr)).toEqual([expect.stringContaining('was closed without merging')]);
  });
});
