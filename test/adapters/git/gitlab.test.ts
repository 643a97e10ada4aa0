import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitlabHost } from '../../../src/adapters/git/gitlab.js';
import { fixedToken } from '../../../src/config/gitops-token.js';
import { GitHostError } from '../../../src/core/ports/git-host.js';
import {
  openFixPullRequest,
  previewFixPullRequest,
  type GitopsTarget,
} from '../../../src/remediation/gitops/open-pull-request.js';
import { dataKeyChange } from '../../../src/remediation/gitops/manifest-changes.js';
import { revertFixPullRequest } from '../../../src/remediation/gitops/revert-pull-request.js';
import { startFakeGitLabApi, type FakeGitLabApi } from '../../fakes/gitlab-api.js';

const PATH = 'clusters/prod/app-config.yaml';
const appFile = readFileSync('manifests/demo/app-config.yaml', 'utf8');
const disabled = appFile.replace('session_sliding_window: "true"', 'session_sliding_window: "false"');
const text = { title: 'session-ttl (prod): enable-sliding-window', body: 'Finding sliding_window.disabled' };

let api: FakeGitLabApi;
beforeEach(async () => {
  api = await startFakeGitLabApi({
    project: 'platform/gitops',
    files: { [PATH]: disabled },
    tokens: { 'glpat-write': 'write', 'glpat-read': 'read' },
  });
});
afterEach(() => api.close());

function target(token = 'glpat-write', project = 'platform/gitops'): GitopsTarget {
  return {
    git: gitlabHost({ project, token: fixedToken(token, 'GITLAB_TOKEN'), apiUrl: `${api.baseUrl}/` }),
    baseBranch: 'main',
    path: PATH,
    changes: [dataKeyChange('langgraph-agent-config', 'session_sliding_window', 'true')],
  };
}

async function failure(p: Promise<unknown>): Promise<GitHostError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GitHostError)) throw new Error(`expected a GitHostError, got ${String(e)}`);
  return e;
}

describe('GitLab: the fix merge request through @gitbeaker/rest', () => {
  it('opens a merge request with one commit changing session_sliding_window (project path and numeric id)', async () => {
    for (const project of ['platform/gitops', '42']) {
      const t = target('glpat-write', project);
      const preview = await previewFixPullRequest(t);
      expect(preview.before).toEqual(['false']);
      const branch = `session-ttl/enable-sliding-window-${project.length}`;
      const mr = await openFixPullRequest({ ...t, branch, ...text, preview });
      expect(mr).toMatchObject({ kind: 'opened', branch, rebased: false, commitSha: api.repo.branches.get(branch) });
      expect(api.repo.commitsSince(branch, 'main')).toHaveLength(1);
      expect(api.repo.file(branch, PATH)?.text).toBe(appFile);
      expect(api.repo.pulls.at(-1)).toMatchObject({ head: branch, base: 'main', ...text });
      expect(mr.kind === 'opened' && mr.url).toMatch(
        /^https:\/\/gitlab\.example\/platform\/gitops\/-\/merge_requests\/\d$/,
      );
    }
  });

  it('a stale last_commit_id (400) is re-read and retried once', async () => {
    api.beforeNextCommit(() => api.repo.commit('session-ttl/x-1', { [PATH]: `# touched\n${disabled}` }));
    const mr = await openFixPullRequest({ ...target(), branch: 'session-ttl/x-1', ...text });
    expect(mr.kind).toBe('opened');
    expect(api.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([400, 200]);
    expect(api.repo.file('session-ttl/x-1', PATH)?.text).toBe(`# touched\n${appFile}`);
  });

  it('runs again for the same branch: the open merge request is found, nothing is committed twice', async () => {
    const first = await openFixPullRequest({ ...target(), branch: 'session-ttl/x-3', ...text });
    const again = await openFixPullRequest({ ...target(), branch: 'session-ttl/x-3', ...text });
    expect(again).toMatchObject({ kind: 'opened', resumed: true, number: first.kind === 'opened' ? first.number : -1 });
    expect(api.repo.commitsSince('session-ttl/x-3', 'main')).toHaveLength(1);
    expect(api.repo.pulls).toHaveLength(1);
  });

  it('a read-only token: forbidden (403) with what to do and no branch left; a wrong one: 401', async () => {
    const e = await failure(openFixPullRequest({ ...target('glpat-read'), branch: 'session-ttl/x-2', ...text }));
    expect(e.kind).toBe('forbidden');
    expect(e.message).toBe(
      'GitLab platform/gitops refused creating branch session-ttl/x-2 with the token in GITLAB_TOKEN (403: 403 ' +
        'Forbidden): give it a project access token of platform/gitops with the api scope and the Developer role.',
    );
    expect([...api.repo.branches.keys()]).toEqual(['main']);
    const wrong = await failure(previewFixPullRequest(target('nope')));
    expect(wrong.kind).toBe('forbidden');
    expect(wrong.message).toMatch(/refused the token in GITLAB_TOKEN while reading branch main \(401/);
    expect(wrong.message).not.toContain('nope');
  });

  it('reads the state (open, merged with its commit, closed) and reverts a merged one with a reverting MR', async () => {
    const t = target();
    const mr = await openFixPullRequest({ ...t, branch: 'session-ttl/a-1', ...text });
    const n = mr.kind === 'opened' ? mr.number : 0;
    expect(await t.git.pullRequestState(n)).toMatchObject({ state: 'open', head: 'session-ttl/a-1' });
    const merge = api.repo.merge(n);
    expect(await t.git.pullRequestState(n)).toMatchObject({ state: 'merged', mergeCommitSha: merge });
    const revert = await revertFixPullRequest({
      ...t,
      number: n,
      before: ['false'],
      branch: 'session-ttl/a-1-revert',
      ...text,
    });
    expect(revert.kind).toBe('reverting');
    expect(api.repo.file('session-ttl/a-1-revert', PATH)?.text).toBe(disabled);
    await t.git.closePullRequest(2);
    expect(await t.git.pullRequestState(2)).toMatchObject({ state: 'closed' });
    expect((await failure(t.git.pullRequestState(99))).kind).toBe('not_found');
  });
});
