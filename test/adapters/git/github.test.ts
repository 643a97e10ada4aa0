import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubHost } from '../../../src/adapters/git/github.js';
import { fixedToken } from '../../../src/config/gitops-token.js';
import { GitHostError } from '../../../src/core/ports/git-host.js';
import type { ManifestChange } from '../../../src/remediation/gitops/manifest-edit.js';
import {
  fixBranchName,
  openFixPullRequest,
  previewFixPullRequest,
  type GitopsTarget,
} from '../../../src/remediation/gitops/open-pull-request.js';
import { tuneAof } from '../../../src/remediation/actions/tune-aof.js';
import { redisConfChanges } from '../../../src/remediation/gitops/manifest-changes.js';
import { revertFixPullRequest } from '../../../src/remediation/gitops/revert-pull-request.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../../fakes/github-api.js';

const PATH = 'apps/redis/configmap.yaml';
const redisFile = readFileSync('manifests/demo/redis-session.yaml', 'utf8');
const change: ManifestChange = {
  kind: 'redis-directive',
  configMap: 'redis-session-config',
  directive: 'maxmemory-policy',
  value: 'volatile-lru',
};
const text = { title: 'session-ttl (prod): set-eviction-policy', body: 'Finding eviction.allkeys_policy' };

let api: FakeGitHubApi;
beforeEach(async () => {
  api = await startFakeGitHubApi({
    owner: 'example',
    name: 'gitops',
    files: { [PATH]: redisFile, 'README.md': '# gitops\n' },
    tokens: { 'ghs-write': 'write', 'ghs-read': 'read' },
  });
});
afterEach(() => api.close());

function target(token = 'ghs-write', apiPath = ''): GitopsTarget {
  const git = githubHost({
    repo: 'example/gitops',
    token: fixedToken(token, 'GITOPS_TOKEN'),
    apiUrl: `${api.baseUrl}${apiPath}`,
  });
  return { git, baseBranch: 'main', path: PATH, changes: [change] };
}

async function failure(p: Promise<unknown>): Promise<GitHostError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GitHostError)) throw new Error(`expected a GitHostError, got ${String(e)}`);
  return e;
}

describe('GitHub: the fix pull request through Octokit', () => {
  it('opens one branch with one commit changing one line, titled and described (GHE /api/v3 base URL)', async () => {
    const t = target('ghs-write', '/api/v3');
    const preview = await previewFixPullRequest(t);
    expect(preview.before).toEqual(['allkeys-lru']);
    const branch = fixBranchName('set-eviction-policy', 'AbC-12345678-ffff');
    expect(branch).toBe('session-ttl/set-eviction-policy-abc12345');
    const pr = await openFixPullRequest({ ...t, branch, ...text, preview });
    expect(pr).toMatchObject({
      kind: 'opened',
      number: 1,
      url: 'https://github.example/example/gitops/pull/1',
      branch,
    });
    expect(pr.kind === 'opened' && pr.rebased).toBe(false);
    const commits = api.repo.commitsSince(branch, 'main');
    expect(commits).toHaveLength(1);
    expect(commits[0]?.message).toBe(text.title);
    expect(api.repo.file(branch, PATH)?.text).toBe(redisFile.replace('policy allkeys-lru', 'policy volatile-lru'));
    expect(api.repo.file(branch, 'README.md')?.text).toBe('# gitops\n');
    expect(api.repo.pulls[0]).toMatchObject({ head: branch, base: 'main', ...text });
    expect(pr.kind === 'opened' && pr.diff).toBe(preview.diff);
    expect(preview.diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      '-    maxmemory-policy allkeys-lru',
      '+    maxmemory-policy volatile-lru',
    ]);
    expect(api.requests.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
  });

  it('tune-aof: its two directives in one commit, each an added line', async () => {
    const settings = tuneAof.redisSettings?.({ percentage: '200', minSize: '256mb' }) ?? [];
    const t = { ...target(), changes: redisConfChanges('redis-session-config', settings) };
    const preview = await previewFixPullRequest(t);
    expect(preview.before).toEqual([null, null]);
    expect(preview.diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      '+    auto-aof-rewrite-percentage 200',
      '+    auto-aof-rewrite-min-size 256mb',
    ]);
    const pr = await openFixPullRequest({ ...t, branch: 'session-ttl/tune-aof-1', ...text, preview });
    expect(pr.kind).toBe('opened');
    expect(api.repo.commitsSince('session-ttl/tune-aof-1', 'main')).toHaveLength(1);
  });

  it('re-applies the edit on a base that moved since the preview (another file changed)', async () => {
    const t = target();
    const preview = await previewFixPullRequest(t);
    const moved = api.repo.commit('main', { 'README.md': '# gitops\nmoved\n' });
    const pr = await openFixPullRequest({ ...t, branch: 'session-ttl/x-1', ...text, preview });
    expect(pr).toMatchObject({ kind: 'opened', baseSha: moved, rebased: true });
    expect(api.repo.file('session-ttl/x-1', 'README.md')?.text).toBe('# gitops\nmoved\n');
    expect(api.repo.file('session-ttl/x-1', PATH)?.text).toBe(
      redisFile.replace('policy allkeys-lru', 'policy volatile-lru'),
    );
  });

  it('base moved with the directive changed upstream: a conflict naming the file, or "already set" with no PR', async () => {
    const t = target();
    const preview = await previewFixPullRequest(t);
    api.repo.commit('main', { [PATH]: redisFile.replace('policy allkeys-lru', 'policy allkeys-lfu') });
    const e = await failure(openFixPullRequest({ ...t, branch: 'session-ttl/x-2', ...text, preview }));
    expect(e.kind).toBe('conflict');
    expect(e.message).toBe(
      `${PATH} changed on main since the preview: maxmemory-policy in redis-session-config's redis.conf is now ` +
        'allkeys-lfu, was allkeys-lru; preview the fix again.',
    );
    api.repo.commit('main', { [PATH]: redisFile.replace('policy allkeys-lru', 'policy volatile-lru') });
    const noop = await openFixPullRequest({ ...t, branch: 'session-ttl/x-2', ...text, preview });
    expect(noop).toMatchObject({ kind: 'already-set' });
    expect(noop.kind === 'already-set' && noop.message).toMatch(/already set in Git .*no pull request needed/);
    api.repo.commit('main', {
      [PATH]: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-session-config\ndata: {}\n',
    });
    const gone = await failure(openFixPullRequest({ ...t, branch: 'session-ttl/x-2', ...text, preview }));
    expect(gone.message).toMatch(
      /apps\/redis\/configmap\.yaml: ConfigMap "redis-session-config" has no data key redis\.conf/,
    );
    expect(api.repo.branches.has('session-ttl/x-2')).toBe(false);
    expect(api.repo.pulls).toHaveLength(0);
  });

  it('a stale blob sha on commit (409) is re-read and retried once', async () => {
    const t = target();
    api.beforeNextCommit(() => api.repo.commit('session-ttl/x-3', { [PATH]: `# touched\n${redisFile}` }));
    const pr = await openFixPullRequest({ ...t, branch: 'session-ttl/x-3', ...text });
    expect(pr.kind).toBe('opened');
    expect(api.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([409, 200]);
    expect(api.repo.file('session-ttl/x-3', PATH)?.text).toBe(
      `# touched\n${redisFile}`.replace('policy allkeys-lru', 'policy volatile-lru'),
    );
  });

  it('runs again after a crash: resumes on the existing branch, no second commit or pull request', async () => {
    const t = target();
    // Given an interrupted run that created the branch only
    api.repo.branches.set('session-ttl/x-6', api.repo.branches.get('main') ?? '');
    const first = await openFixPullRequest({ ...t, branch: 'session-ttl/x-6', ...text });
    expect(first).toMatchObject({ kind: 'opened', number: 1, resumed: true });
    expect(api.repo.commitsSince('session-ttl/x-6', 'main')).toHaveLength(1);
    // When the same fix runs once more, then it finds its commit and its open request
    const again = await openFixPullRequest({ ...t, branch: 'session-ttl/x-6', ...text });
    expect(again).toMatchObject({ kind: 'opened', number: 1, resumed: true });
    expect(again.kind === 'opened' && again.commitSha).toBe(first.kind === 'opened' && first.commitSha);
    expect(api.repo.commitsSince('session-ttl/x-6', 'main')).toHaveLength(1);
    expect(api.repo.pulls).toHaveLength(1);
  });

  it('a read-only token: forbidden (403) with what to do, no branch left, never the token', async () => {
    const e = await failure(openFixPullRequest({ ...target('ghs-read'), branch: 'session-ttl/x-4', ...text }));
    expect(e.kind).toBe('forbidden');
    expect(e.status).toBe(403);
    expect(e.message).toBe(
      'GitHub example/gitops refused creating branch session-ttl/x-4 with the token in GITOPS_TOKEN (403: Resource not ' +
        'accessible by personal access token): give it Contents and Pull requests: read and write on example/gitops ' +
        '(a fine-grained token or a GitHub App installation).',
    );
    expect(e.message).not.toContain('ghs-read');
    expect([...api.repo.branches.keys()]).toEqual(['main']);
    const bad = await failure(previewFixPullRequest(target('wrong')));
    expect(bad.kind).toBe('forbidden');
    expect(bad.message).toMatch(
      /^GitHub example\/gitops refused the token in GITOPS_TOKEN while reading branch main \(401: Bad credentials\)/,
    );
  });

  it('5xx is unavailable; a missing file is not_found', async () => {
    api.failNext(/^GET .*\/git\/ref\//, 503);
    expect((await failure(previewFixPullRequest(target()))).kind).toBe('unavailable');
    const missing = await failure(previewFixPullRequest({ ...target(), path: 'nope.yaml' }));
    expect(missing.kind).toBe('not_found');
    expect(missing.message).toMatch(
      /not found while reading nope\.yaml at [0-9a-f]{40} \(404: Not Found\); check gitops\.repo/,
    );
    // A commit that fails after the branch was created: the branch is deleted again.
    api.failNext(/^PUT .*\/contents\//, 503);
    const commit = await failure(openFixPullRequest({ ...target(), branch: 'session-ttl/x-5', ...text }));
    expect(commit.message).toMatch(
      /did not answer while committing apps\/redis\/configmap\.yaml on session-ttl\/x-5 \(503/,
    );
    expect([...api.repo.branches.keys()]).toEqual(['main']);
  });

  it('reads the state after merge and after close; revert closes an open PR or opens the reverting one', async () => {
    const t = target();
    const first = await openFixPullRequest({ ...t, branch: 'session-ttl/a-1', ...text });
    const n = first.kind === 'opened' ? first.number : 0;
    expect(await t.git.pullRequestState(n)).toMatchObject({ state: 'open', head: 'session-ttl/a-1' });
    const merge = api.repo.merge(n);
    expect(await t.git.pullRequestState(n)).toEqual({
      number: n,
      url: `https://github.example/example/gitops/pull/${n}`,
      state: 'merged',
      mergeCommitSha: merge,
      head: 'session-ttl/a-1',
    });
    expect(api.repo.file('main', PATH)?.text).toContain('maxmemory-policy volatile-lru');

    const revert = await revertFixPullRequest({
      ...t,
      number: n,
      before: ['allkeys-lru'],
      branch: 'session-ttl/a-1-revert',
      ...text,
    });
    expect(revert).toMatchObject({ kind: 'reverting', pullRequest: { number: 2, branch: 'session-ttl/a-1-revert' } });
    expect(api.repo.file('session-ttl/a-1-revert', PATH)?.text).toBe(redisFile);

    const closed = await revertFixPullRequest({ ...t, number: 2, before: ['allkeys-lru'], branch: 'unused', ...text });
    expect(closed).toMatchObject({ kind: 'closed', number: 2 });
    expect(await t.git.pullRequestState(2)).toMatchObject({ state: 'closed' });
    expect(api.repo.branches.has('session-ttl/a-1-revert')).toBe(false);
    expect(
      await revertFixPullRequest({ ...t, number: 2, before: ['allkeys-lru'], branch: 'unused', ...text }),
    ).toMatchObject({
      kind: 'nothing',
    });
  });
});
