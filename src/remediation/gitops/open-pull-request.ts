import { GitHostError, type GitFile, type GitHostPort } from '../../core/ports/git-host.js';
import { editManifestChanges, ManifestEditError, type ManifestChange } from './manifest-edit.js';
import { unifiedDiff } from './unified-diff.js';

/** Where the change goes: the repository's base branch and the manifest file; `changes` are made in one commit. */
export interface GitopsTarget {
  git: GitHostPort;
  baseBranch: string;
  path: string;
  changes: readonly ManifestChange[];
}

/** What a preview saw; `openFixPullRequest` compares the base it finds with it. */
export interface GitopsPreview {
  baseSha: string;
  /** Each change's value in the file at `baseSha`, in order (null: the directive was absent). */
  before: (string | null)[];
  /** The unified diff the pull request will contain; empty when the file already has the value. */
  diff: string;
}

/** Reads the file at the base head and renders the diff the pull request would contain (no write). */
export async function previewFixPullRequest(t: GitopsTarget): Promise<GitopsPreview> {
  const baseSha = await t.git.headSha(t.baseBranch);
  const file = await t.git.readFile(t.path, baseSha);
  const edit = applyEdit(t, file);
  return {
    baseSha,
    before: edit.before,
    diff: unifiedDiff(t.path, file.text, edit.text),
  };
}

export interface FixPullRequestInput extends GitopsTarget {
  /** `session-ttl/<action>-<short id>` (see `fixBranchName`). */
  branch: string;
  title: string;
  body: string;
  /** The commit message (default: the title). */
  message?: string;
  /** What the person approved; when the base moved since, the edit is re-applied to the new base. */
  preview?: Pick<GitopsPreview, 'baseSha' | 'before'>;
}

export type FixPullRequestResult =
  | {
      kind: 'opened';
      number: number;
      url: string;
      branch: string;
      /** The base commit the branch starts at. */
      baseSha: string;
      commitSha: string;
      /** True when the base moved since the preview and the edit was applied to the new base. */
      rebased: boolean;
      /** True when the branch existed (an interrupted run of the same fix) and the fix went on with it. */
      resumed: boolean;
      diff: string;
    }
  | { kind: 'already-set'; baseSha: string; message: string };

/** The branch of a fix: `session-ttl/<action>-<first 8 characters of the id>`. */
export function fixBranchName(action: string, id: string): string {
  const short = id
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 8)
    .toLowerCase();
  return `session-ttl/${action}-${short}`;
}

function applyEdit(t: GitopsTarget, file: GitFile) {
  try {
    return editManifestChanges(t.path, file.text, t.changes);
  } catch (e) {
    if (e instanceof ManifestEditError)
      throw new GitHostError(`${e.message} (at ${file.commitSha.slice(0, 12)})`, 'conflict');
    throw e;
  }
}

function what(changes: readonly ManifestChange[]): string {
  const names = changes.map((c) => (c.kind === 'redis-directive' ? c.directive : c.key)).join(', ');
  const c = changes[0];
  return `${names} in ${c?.configMap ?? 'the ConfigMap'}${c?.kind === 'redis-directive' ? "'s redis.conf" : ''}`;
}

const shown = (values: readonly (string | null)[]) => values.map((v) => v ?? '(absent)').join(', ');

/**
 * Opens the fix's pull request: reads the file at the base head, applies the one-directive edit, creates
 * the branch there, commits with the blob-sha precondition and opens the request. When the base moved since
 * the preview, the edit is applied to the new base ("rebased") if the value there is still the one
 * previewed; the value already wanted gives `already-set` (no request); another value, or the key gone, is a
 * `conflict` GitHostError naming the file. A stale sha on commit is re-read and retried once. When the
 * commit fails, the branch is deleted (its deletion failing is said in the error). Running it again for the
 * same branch (after a crash) resumes: no second commit, no second request (`resumed`).
 */
export async function openFixPullRequest(i: FixPullRequestInput): Promise<FixPullRequestResult> {
  const baseSha = await i.git.headSha(i.baseBranch);
  const file = await i.git.readFile(i.path, baseSha);
  const edit = applyEdit(i, file);
  const rebased = i.preview !== undefined && i.preview.baseSha !== baseSha;
  if (!edit.changed)
    return {
      kind: 'already-set',
      baseSha,
      message: `${what(i.changes)} is already set in Git (${i.git.description} ${i.baseBranch}, ${i.path}): no pull request needed.`,
    };
  if (rebased && i.preview && shown(edit.before) !== shown(i.preview.before))
    throw new GitHostError(
      `${i.path} changed on ${i.baseBranch} since the preview: ${what(i.changes)} is now ` +
        `${shown(edit.before)}, was ${shown(i.preview.before)}; preview the fix again.`,
      'conflict',
    );
  const resumed = await createOrResumeBranch(i, baseSha);
  let commitSha: string;
  try {
    commitSha = resumed ? await commitOnExistingBranch(i) : await commitWithRetry(i, file, edit.text);
  } catch (e) {
    throw resumed ? e : await withBranchCleanup(i.git, i.branch, e);
  }
  const found = resumed ? await i.git.findOpenPullRequest(i.branch, i.baseBranch) : undefined;
  const pr =
    found ?? (await i.git.openPullRequest({ head: i.branch, base: i.baseBranch, title: i.title, body: i.body }));
  const diff = unifiedDiff(i.path, file.text, edit.text);
  return { kind: 'opened', ...pr, branch: i.branch, baseSha, commitSha, rebased, resumed, diff };
}

/**
 * Creates the branch; when it exists already (the same fix was interrupted after creating it, and runs
 * again), says so, and the fix resumes on it: its commit is made unless there, its request opened unless open.
 */
async function createOrResumeBranch(i: FixPullRequestInput, baseSha: string): Promise<boolean> {
  try {
    await i.git.createBranch(i.branch, baseSha);
    return false;
  } catch (e) {
    if (!(e instanceof GitHostError) || e.kind !== 'conflict') throw e;
    const exists = await i.git.headSha(i.branch).then(
      () => true,
      () => false,
    );
    if (!exists) throw e;
    return true;
  }
}

async function commitOnExistingBranch(i: FixPullRequestInput): Promise<string> {
  const file = await i.git.readFile(i.path, i.branch);
  const edit = applyEdit(i, file);
  return edit.changed ? commitWithRetry(i, file, edit.text) : file.commitSha;
}

async function commitWithRetry(i: FixPullRequestInput, file: GitFile, text: string): Promise<string> {
  const commit = (f: GitFile, t: string) =>
    i.git.commitFile({ branch: i.branch, path: i.path, text: t, message: i.message ?? i.title, expected: f });
  try {
    return (await commit(file, text)).commitSha;
  } catch (e) {
    if (!(e instanceof GitHostError) || e.kind !== 'conflict') throw e;
  }
  const again = await i.git.readFile(i.path, i.branch);
  const edit = applyEdit(i, again);
  if (!edit.changed)
    throw new GitHostError(`${i.path} on ${i.branch} changed while committing and already has the value.`, 'conflict');
  try {
    return (await commit(again, edit.text)).commitSha;
  } catch (e) {
    if (e instanceof GitHostError && e.kind === 'conflict')
      throw new GitHostError(
        `${i.path} kept changing on ${i.branch} while committing (${e.message})`,
        'conflict',
        e.status,
      );
    throw e;
  }
}

/** Deletes the branch a failed commit leaves; the error says whether it is gone. */
async function withBranchCleanup(git: GitHostPort, branch: string, e: unknown): Promise<unknown> {
  if (!(e instanceof GitHostError)) return e;
  try {
    await git.deleteBranch(branch);
    return e;
  } catch {
    return new GitHostError(`${e.message} The branch ${branch} remains: delete it by hand.`, e.kind, e.status);
  }
}
