/**
 * A Git hosting service (GitHub, GitLab) as the GitOps fix needs it: read one file, branch, commit one file
 * change with a precondition, open a pull/merge request and follow it. Implemented over the provider's REST
 * API (src/adapters/git/), never a git binary.
 */
export interface GitHostPort {
  /** What this is, for messages: `GitHub example/gitops`, `GitLab group/gitops`. */
  readonly description: string;
  /** The commit sha a branch points at now. */
  headSha(branch: string): Promise<string>;
  /** A file's text at a branch or commit, with the preconditions a later commit of it needs. */
  readFile(path: string, ref: string): Promise<GitFile>;
  /** Creates `branch` at `sha`; `conflict` when the branch exists. */
  createBranch(branch: string, sha: string): Promise<void>;
  /** Deletes a branch (cleanup after a failed commit, or after closing an unmerged request). */
  deleteBranch(branch: string): Promise<void>;
  /**
   * One commit on `branch` that replaces the file's text. `expected` is the file as read: the commit is
   * refused (`conflict`) when the file changed on the branch since (GitHub: blob sha; GitLab: last commit id).
   */
  commitFile(change: FileCommit): Promise<{ commitSha: string }>;
  /** Opens a pull request (GitHub) or merge request (GitLab) from `head` into `base`. */
  openPullRequest(request: PullRequestDraft): Promise<PullRequestRef>;
  pullRequestState(number: number): Promise<PullRequestState>;
  /** The open request from `head`, if any (to resume a fix whose branch exists after a crash). */
  findOpenPullRequest(head: string, base: string): Promise<PullRequestRef | undefined>;
  /** Closes an open request without merging it. */
  closePullRequest(number: number): Promise<void>;
}

export interface GitFile {
  path: string;
  text: string;
  /** Git blob sha1 of the content. */
  blobSha: string;
  /** The commit the file was read at (the ref's head when a branch was named). */
  commitSha: string;
  /** The last commit that changed the file (GitLab's precondition); absent where the provider does not say. */
  lastCommitSha?: string;
}

export interface FileCommit {
  branch: string;
  path: string;
  text: string;
  message: string;
  expected: Pick<GitFile, 'blobSha' | 'lastCommitSha'>;
}

export interface PullRequestDraft {
  head: string;
  base: string;
  title: string;
  body: string;
}

export interface PullRequestRef {
  /** GitHub's PR number, GitLab's MR iid. */
  number: number;
  url: string;
}

export interface PullRequestState extends PullRequestRef {
  state: 'open' | 'merged' | 'closed';
  /** The commit that landed the change on the base branch, once merged. */
  mergeCommitSha?: string;
  /** The request's source branch. */
  head: string;
}

export type GitHostErrorKind = 'forbidden' | 'not_found' | 'conflict' | 'unavailable';

/**
 * Raised by Git host adapters, and by the GitOps fix where a change cannot be made as previewed. `kind`:
 * `forbidden` (401/403: the token is wrong, expired or lacks a scope), `not_found` (repository, branch, file,
 * request), `conflict` (409/422: a stale sha, an existing branch, the file changed upstream), `unavailable`
 * (5xx, timeout, unreachable). The message says what to do and never contains the token.
 */
export class GitHostError extends Error {
  override name = 'GitHostError';
  constructor(
    message: string,
    readonly kind: GitHostErrorKind,
    readonly status?: number,
  ) {
    super(message);
  }
}
