import { Octokit } from '@octokit/rest';
import { z } from 'zod';
import type { GitopsToken } from '../../config/gitops-token.js';
import type { FileCommit, GitHostPort, PullRequestDraft, PullRequestState } from '../../core/ports/git-host.js';
import { gitHostError, type GitErrorContext } from './git-host-error.js';
import { clientPerToken, withCurrentToken } from './token-use.js';

export interface GitHubHostOptions {
  /** `owner/name`. */
  repo: string;
  /** Read on every call (a token file is read again when it changed; a 401 after a rotation is retried once). */
  token: GitopsToken;
  /** `https://api.github.com`, or GitHub Enterprise Server's `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

const SHA = /^[0-9a-f]{40}$/;
const refReply = z.object({ object: z.object({ sha: z.string().regex(SHA) }) });
const fileReply = z.object({
  type: z.literal('file'),
  sha: z.string(),
  content: z.string(),
  encoding: z.literal('base64'),
});
const commitReply = z.object({ commit: z.object({ sha: z.string() }) });
const pullReply = z.object({
  number: z.number().int(),
  html_url: z.string(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().optional(),
  merge_commit_sha: z.string().nullish(),
  head: z.object({ ref: z.string() }),
});

/** The fields of Octokit's RequestError this adapter reads. */
const requestError = z.object({
  status: z.number(),
  response: z
    .object({ data: z.unknown(), headers: z.record(z.string(), z.unknown()) })
    .partial()
    .optional(),
});

type Call = <T>(
  what: string,
  schema: z.ZodType<T>,
  run: (octokit: Octokit, signal: AbortSignal) => Promise<{ data: unknown }>,
) => Promise<T>;

interface Kit {
  base: { owner: string; repo: string };
  call: Call;
}

/**
 * GitHub (and GitHub Enterprise Server) over its REST API with Octokit: git refs for branches, the contents
 * API for the file (its blob sha is the commit's precondition), pulls. Every failure is a GitHostError.
 */
export function githubHost(o: GitHubHostOptions): GitHostPort {
  const [owner = '', repo = ''] = o.repo.split('/');
  const octokitFor = clientPerToken(
    (token) =>
      new Octokit({
        auth: token,
        baseUrl: o.apiUrl.replace(/\/+$/, ''),
        userAgent: 'session-ttl-bot',
        log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      }),
  );
  const ctx: GitErrorContext = {
    provider: 'GitHub',
    repo: o.repo,
    tokenSource: o.token.source,
    scopes: `Contents and Pull requests: read and write on ${o.repo} (a fine-grained token or a GitHub App installation)`,
  };
  const call: Call = async (what, schema, run) => {
    const data = await withCurrentToken(o.token, async (token) => {
      try {
        return (await run(octokitFor(token), AbortSignal.timeout(o.timeoutMs ?? 10_000))).data;
      } catch (e) {
        throw toGitHostError(ctx, what, e);
      }
    });
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw gitHostError(ctx, what, 502, 'the reply was not what the GitHub API returns');
    return parsed.data;
  };
  const kit: Kit = { base: { owner, repo }, call };
  return { description: `GitHub ${o.repo}`, ...branchesAndFiles(kit), ...pulls(kit) };
}

function branchesAndFiles({ base, call }: Kit) {
  const headSha = async (branch: string) =>
    (
      await call(`reading branch ${branch}`, refReply, (octokit, signal) =>
        octokit.rest.git.getRef({ ...base, ref: `heads/${branch}`, request: { signal } }),
      )
    ).object.sha;
  return {
    headSha,
    async readFile(path: string, ref: string) {
      const commitSha = SHA.test(ref) ? ref : await headSha(ref);
      const f = await call(`reading ${path} at ${ref}`, fileReply, (octokit, signal) =>
        octokit.rest.repos.getContent({ ...base, path, ref: commitSha, request: { signal } }),
      );
      return { path, text: Buffer.from(f.content, 'base64').toString('utf8'), blobSha: f.sha, commitSha };
    },
    async createBranch(branch: string, sha: string) {
      await call(`creating branch ${branch}`, z.unknown(), (octokit, signal) =>
        octokit.rest.git.createRef({ ...base, ref: `refs/heads/${branch}`, sha, request: { signal } }),
      );
    },
    async deleteBranch(branch: string) {
      await call(`deleting branch ${branch}`, z.unknown(), (octokit, signal) =>
        octokit.rest.git.deleteRef({ ...base, ref: `heads/${branch}`, request: { signal } }),
      );
    },
    async commitFile(c: FileCommit) {
      const reply = await call(`committing ${c.path} on ${c.branch}`, commitReply, (octokit, signal) =>
        octokit.rest.repos.createOrUpdateFileContents({
          ...base,
          path: c.path,
          branch: c.branch,
          message: c.message,
          content: Buffer.from(c.text, 'utf8').toString('base64'),
          sha: c.expected.blobSha,
          request: { signal },
        }),
      );
      return { commitSha: reply.commit.sha };
    },
  };
}

function pulls({ base, call }: Kit) {
  return {
    async openPullRequest(d: PullRequestDraft) {
      const pr = await call(`opening a pull request from ${d.head} into ${d.base}`, pullReply, (octokit, signal) =>
        octokit.rest.pulls.create({
          ...base,
          head: d.head,
          base: d.base,
          title: d.title,
          body: d.body,
          request: { signal },
        }),
      );
      return { number: pr.number, url: pr.html_url };
    },
    async pullRequestState(number: number): Promise<PullRequestState> {
      const pr = await call(`reading pull request #${number}`, pullReply, (octokit, signal) =>
        octokit.rest.pulls.get({ ...base, pull_number: number, request: { signal } }),
      );
      return {
        number: pr.number,
        url: pr.html_url,
        state: pr.merged ? 'merged' : pr.state,
        head: pr.head.ref,
        ...(pr.merged && pr.merge_commit_sha ? { mergeCommitSha: pr.merge_commit_sha } : {}),
      };
    },
    async findOpenPullRequest(head: string, baseBranch: string) {
      const list = await call(`listing pull requests from ${head}`, z.array(pullReply), (octokit, signal) =>
        octokit.rest.pulls.list({
          ...base,
          head: `${base.owner}:${head}`,
          base: baseBranch,
          state: 'open',
          request: { signal },
        }),
      );
      const pr = list.find((p) => p.head.ref === head);
      return pr && { number: pr.number, url: pr.html_url };
    },
    async closePullRequest(number: number) {
      await call(`closing pull request #${number}`, z.unknown(), (octokit, signal) =>
        octokit.rest.pulls.update({ ...base, pull_number: number, state: 'closed', request: { signal } }),
      );
    },
  };
}

/** Octokit's RequestError (status, GitHub's message, rate-limit headers) or a network failure. */
function toGitHostError(ctx: GitErrorContext, what: string, e: unknown) {
  const parsed = requestError.safeParse(e);
  if (!parsed.success || (parsed.data.status === 500 && !parsed.data.response))
    return gitHostError(ctx, what, undefined, 'no reply (network or timeout)');
  const { status, response } = parsed.data;
  const body = z
    .object({ message: z.string(), errors: z.array(z.object({ message: z.string() }).partial()).optional() })
    .safeParse(response?.data);
  const detail = body.success
    ? [body.data.message, ...(body.data.errors ?? []).flatMap((x) => (x.message ? [x.message] : []))].join(': ')
    : '';
  const rateLimited = response?.headers?.['x-ratelimit-remaining'] === '0';
  return gitHostError(ctx, what, status, detail, rateLimited);
}
