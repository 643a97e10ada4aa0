import { createHash } from 'node:crypto';

/** Git's blob id: sha1 of `blob <bytes>\0<content>`, as GitHub's contents API and GitLab's blob_id give it. */
export function gitBlobSha(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${body.length}\0`), body]))
    .digest('hex');
}

export interface FakeCommit {
  sha: string;
  parent?: string;
  message: string;
  /** path -> blob sha */
  tree: Map<string, string>;
  /** path -> the last commit that changed it (GitLab's last_commit_id). */
  lastChange: Map<string, string>;
}

export interface FakePullRequest {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed' | 'merged';
  /** The base head when the request was opened. */
  baseShaAtOpen: string;
  mergeCommitSha?: string;
}

/**
 * A Git repository in memory, shared by the GitHub and GitLab fakes: commits with their trees, blobs with
 * real git blob shas, branch refs, and pull/merge requests that the test merges or closes.
 */
export class FakeGitRepo {
  readonly blobs = new Map<string, string>();
  readonly commits = new Map<string, FakeCommit>();
  readonly branches = new Map<string, string>();
  readonly pulls: FakePullRequest[] = [];
  private counter = 0;

  constructor(files: Record<string, string>, baseBranch = 'main') {
    const tree = new Map<string, string>();
    const root = this.nextSha('root');
    for (const [path, text] of Object.entries(files)) tree.set(path, this.putBlob(text));
    this.commits.set(root, {
      sha: root,
      message: 'initial',
      tree,
      lastChange: new Map([...tree.keys()].map((p) => [p, root])),
    });
    this.branches.set(baseBranch, root);
  }

  private nextSha(seed: string): string {
    return createHash('sha1').update(`${seed}:${++this.counter}`).digest('hex');
  }

  private putBlob(text: string): string {
    const sha = gitBlobSha(text);
    this.blobs.set(sha, text);
    return sha;
  }

  /** The commit a branch name or sha names. */
  resolve(ref: string): FakeCommit | undefined {
    return this.commits.get(this.branches.get(ref) ?? ref);
  }

  file(
    ref: string,
    path: string,
  ): { text: string; blobSha: string; commit: FakeCommit; lastCommit: string } | undefined {
    const commit = this.resolve(ref);
    const blobSha = commit?.tree.get(path);
    if (!commit || !blobSha) return undefined;
    return {
      text: this.blobs.get(blobSha) ?? '',
      blobSha,
      commit,
      lastCommit: commit.lastChange.get(path) ?? commit.sha,
    };
  }

  /** A new commit on `branch` that sets the files (a test moving the base branch, or the API committing). */
  commit(branch: string, files: Record<string, string>, message = 'another change'): string {
    const parent = this.resolve(branch);
    if (!parent) throw new Error(`no branch ${branch}`);
    const sha = this.nextSha(message);
    const tree = new Map(parent.tree);
    const lastChange = new Map(parent.lastChange);
    for (const [path, text] of Object.entries(files)) {
      tree.set(path, this.putBlob(text));
      lastChange.set(path, sha);
    }
    this.commits.set(sha, { sha, parent: parent.sha, message, tree, lastChange });
    this.branches.set(branch, sha);
    return sha;
  }

  private ancestry(ref: string): FakeCommit[] {
    const out: FakeCommit[] = [];
    for (let c = this.resolve(ref); c; c = c.parent ? this.commits.get(c.parent) : undefined) out.push(c);
    return out;
  }

  /** Commits on `branch` that `base` does not have (newest first). */
  commitsSince(branch: string, base: string): FakeCommit[] {
    const onBase = new Set(this.ancestry(base).map((c) => c.sha));
    const out: FakeCommit[] = [];
    for (const c of this.ancestry(branch)) {
      if (onBase.has(c.sha)) break;
      out.push(c);
    }
    return out;
  }

  /** Merges a request: the files its branch changed land on the base in a merge commit. */
  merge(number: number): string {
    const pr = this.pulls.find((p) => p.number === number);
    if (!pr || pr.state !== 'open') throw new Error(`no open request ${number}`);
    const changed: Record<string, string> = {};
    for (const c of this.commitsSince(pr.head, pr.base).reverse())
      for (const [path, last] of c.lastChange)
        if (last === c.sha) changed[path] = this.blobs.get(c.tree.get(path) ?? '') ?? '';
    pr.mergeCommitSha = this.commit(pr.base, changed, `Merge ${pr.head}`);
    pr.state = 'merged';
    return pr.mergeCommitSha;
  }

  close(number: number): void {
    const pr = this.pulls.find((p) => p.number === number);
    if (pr) pr.state = 'closed';
  }

  openPull(p: Omit<FakePullRequest, 'number' | 'state' | 'baseShaAtOpen'>): FakePullRequest {
    const pr: FakePullRequest = {
      ...p,
      number: this.pulls.length + 1,
      state: 'open',
      baseShaAtOpen: this.branches.get(p.base) ?? '',
    };
    this.pulls.push(pr);
    return pr;
  }
}
