import { Octokit } from '@octokit/rest';
import { GitHostError, type GitHostPort } from '../../src/core/ports/git-host.js';

/**
 * A GitHostPort whose only working call is `pullRequestState`, over the real Octokit client: what following a
 * request reads, until the GitHub adapter (src/adapters/git/) is on main. Everything else is not used here.
 */
export function octokitPullState(opts: { apiUrl: string; repo: string; token: string }): GitHostPort {
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const octokit = new Octokit({ baseUrl: opts.apiUrl, auth: opts.token, log: quiet, request: { retries: 0 } });
  const [owner = '', repo = ''] = opts.repo.split('/');
  const unused = (): never => {
    throw new Error('not used by the GitOps follow tests');
  };
  return {
    description: `GitHub ${opts.repo}`,
    headSha: unused,
    readFile: unused,
    createBranch: unused,
    deleteBranch: unused,
    commitFile: unused,
    openPullRequest: unused,
    closePullRequest: unused,
    findOpenPullRequest: unused,
    async pullRequestState(number) {
      const pr = await octokit.rest.pulls.get({ owner, repo, pull_number: number }).catch((err: unknown) => {
        throw new GitHostError(`reading pull request #${number} of ${opts.repo}: ${String(err)}`, 'unavailable');
      });
      const d = pr.data;
      return {
        number: d.number,
        url: d.html_url,
        state: d.merged ? 'merged' : d.state === 'open' ? 'open' : 'closed',
        head: d.head.ref,
        ...(d.merged && d.merge_commit_sha ? { mergeCommitSha: d.merge_commit_sha } : {}),
      };
    },
  };
}
