import { Gitlab } from '@gitbeaker/rest';
import { z } from 'zod';
import type { GitopsToken } from '../../config/gitops-token.js';
import type { FileCommit, GitHostPort, PullRequestDraft, PullRequestState } from '../../core/ports/git-host.js';
import { gitHostError, type GitErrorContext } from './git-host-error.js';
import { clientPerToken, withCurrentToken } from './token-use.js';

export interface GitLabHostOptions {
  /** The project path (`group/project`) or its numeric id. */
  project: string;
  /** Read on every call (a token file is read again when it changed; a 401 after a rotation is retried once). */
  token: GitopsToken;
  /** `https://gitlab.com`, or a self-managed GitLab's base URL (without /api/v4). */
  apiUrl: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

const SHA = /^[0-9a-f]{40}$/;
const branchReply = z.object({ commit: z.object({ id: z.string().regex(SHA) }) });
const fileReply = z.object({
  content: z.string(),
  encoding: z.literal('base64'),
  blob_id: z.string(),
  commit_id: z.string(),
  last_commit_id: z.string(),
});
const mrReply = z.object({
  iid: z.number().int(),
  web_url: z.string(),
  state: z.enum(['opened', 'closed', 'merged', 'locked']),
  merge_commit_sha: z.string().nullish(),
  squash_commit_sha: z.string().nullish(),
  source_branch: z.string(),
});

/** The fields of GitbeakerRequestError this adapter reads (a timeout or network error has none). */
const requestError = z.object({
  message: z.string(),
  cause: z.object({ response: z.object({ status: z.number() }) }),
});

type Api = InstanceType<typeof Gitlab>;
type Call = <T>(what: string, schema: z.ZodType<T>, run: (api: Api) => Promise<unknown>) => Promise<T>;

interface Kit {
  id: string | number;
  call: Call;
}

/**
 * GitLab (gitlab.com or self-managed) over REST v4 with @gitbeaker/rest: branches, repository files (the
 * last commit id of the file is the commit's precondition), merge requests. Every failure is a GitHostError.
 */
export function gitlabHost(o: GitLabHostOptions): GitHostPort {
  const apiFor = clientPerToken(
    (token): Api => new Gitlab({ host: o.apiUrl.replace(/\/+$/, ''), token, queryTimeout: o.timeoutMs ?? 10_000 }),
  );
  const ctx: GitErrorContext = {
    provider: 'GitLab',
    repo: o.project,
    tokenSource: o.token.source,
    scopes: `a project access token of ${o.project} with the api scope and the Developer role`,
  };
  const call: Call = async (what, schema, run) => {
    const data = await withCurrentToken(o.token, async (token) => {
      try {
        return await run(apiFor(token));
      } catch (e) {
        const err = requestError.safeParse(e);
        throw err.success
          ? gitHostError(ctx, what, err.data.cause.response.status, err.data.message)
          : gitHostError(ctx, what, undefined, 'no reply (network or timeout)');
      }
    });
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw gitHostError(ctx, what, 502, 'the reply was not what the GitLab API returns');
    return parsed.data;
  };
  const kit: Kit = { id: /^\d+$/.test(o.project) ? Number(o.project) : o.project, call };
  return { description: `GitLab ${o.project}`, ...branchesAndFiles(kit), ...mergeRequests(kit) };
}

function branchesAndFiles({ id, call }: Kit) {
  const headSha = async (branch: string) =>
    (await call(`reading branch ${branch}`, branchReply, (api) => api.Branches.show(id, branch))).commit.id;
  return {
    headSha,
    async readFile(path: string, ref: string) {
      const f = await call(`reading ${path} at ${ref}`, fileReply, (api) => api.RepositoryFiles.show(id, path, ref));
      const text = Buffer.from(f.content, 'base64').toString('utf8');
      return { path, text, blobSha: f.blob_id, commitSha: f.commit_id, lastCommitSha: f.last_commit_id };
    },
    async createBranch(branch: string, sha: string) {
      await call(`creating branch ${branch}`, z.unknown(), (api) => api.Branches.create(id, branch, sha));
    },
    async deleteBranch(branch: string) {
      await call(`deleting branch ${branch}`, z.unknown(), (api) => api.Branches.remove(id, branch));
    },
    async commitFile(c: FileCommit) {
      const content = Buffer.from(c.text, 'utf8').toString('base64');
      await call(`committing ${c.path} on ${c.branch}`, z.unknown(), (api) =>
        api.RepositoryFiles.edit(id, c.path, c.branch, content, c.message, {
          encoding: 'base64',
          ...(c.expected.lastCommitSha ? { lastCommitId: c.expected.lastCommitSha } : {}),
        }),
      );
      // The files API does not return the commit; the branch head is it (the branch is the bot's own).
      return { commitSha: await headSha(c.branch) };
    },
  };
}

function mergeRequests({ id, call }: Kit) {
  return {
    async openPullRequest(d: PullRequestDraft) {
      const mr = await call(`opening a merge request from ${d.head} into ${d.base}`, mrReply, (api) =>
        api.MergeRequests.create(id, d.head, d.base, d.title, { description: d.body, removeSourceBranch: true }),
      );
      return { number: mr.iid, url: mr.web_url };
    },
    async pullRequestState(number: number): Promise<PullRequestState> {
      const mr = await call(`reading merge request !${number}`, mrReply, (api) => api.MergeRequests.show(id, number));
      const merged = mr.squash_commit_sha ?? mr.merge_commit_sha;
      return {
        number: mr.iid,
        url: mr.web_url,
        state: mr.state === 'opened' || mr.state === 'locked' ? 'open' : mr.state,
        head: mr.source_branch,
        ...(mr.state === 'merged' && merged ? { mergeCommitSha: merged } : {}),
      };
    },
    async findOpenPullRequest(head: string, base: string) {
      const list = await call(`listing merge requests from ${head}`, z.array(mrReply), (api) =>
        api.MergeRequests.all({
          projectId: id,
          sourceBranch: head,
          targetBranch: base,
          state: 'opened',
          perPage: 20,
          maxPages: 1,
        }),
      );
      const mr = list.find((m) => m.source_branch === head);
      return mr && { number: mr.iid, url: mr.web_url };
    },
    async closePullRequest(number: number) {
      await call(`closing merge request !${number}`, z.unknown(), (api) =>
        api.MergeRequests.edit(id, number, { stateEvent: 'close' }),
      );
    },
  };
}
