import { FakeGitRepo } from './git-repo.js';
import { startGitHttpFake, type GitApiCall, type GitApiReply, type GitHttpFake } from './git-http.js';

export interface FakeGitLabApi extends GitHttpFake {
  repo: FakeGitRepo;
  /** Runs once, right before the next repository file PUT is checked (another writer on the branch). */
  beforeNextCommit(hook: () => void): void;
}

export interface FakeGitLabOptions {
  /** `group/project`; the project's numeric id is 42. */
  project: string;
  files: Record<string, string>;
  /** token (PRIVATE-TOKEN header) -> access: `read` answers 403 on writes, as a Reporter's token does. */
  tokens: Record<string, 'write' | 'read'>;
  baseBranch?: string;
}

const json = (status: number, body?: unknown): GitApiReply => ({ status, ...(body !== undefined ? { body } : {}) });
const message = (status: number, text: string) => json(status, { message: text });
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * A fake of GitLab's REST API v4 on loopback, for @gitbeaker/rest: branches, repository files (GET with
 * blob_id/commit_id/last_commit_id, PUT with the last_commit_id precondition: 400 "You are attempting to
 * update a file that has changed since you started editing it.", as GitLab answers), merge requests.
 * `PRIVATE-TOKEN`; 401 for an unknown token, 403 on writes for a read-only one.
 */
export async function startFakeGitLabApi(o: FakeGitLabOptions): Promise<FakeGitLabApi> {
  const repo = new FakeGitRepo(o.files, o.baseBranch);
  const hooks: (() => void)[] = [];
  const route = (call: GitApiCall): GitApiReply => {
    if (!call.access) return message(401, '401 Unauthorized');
    const m =
      /^\/api\/v4\/projects\/([^/]+(?:\/[^/]+)*?)\/(repository\/branches|repository\/files|merge_requests)(?:\/(.+))?$/.exec(
        call.path,
      );
    if (!m || (m[1] !== o.project && m[1] !== '42')) return message(404, '404 Project Not Found');
    if (call.method !== 'GET' && call.access !== 'write') return message(403, '403 Forbidden');
    const args = { ...Object.fromEntries(call.query), ...call.body };
    if (m[2] === 'repository/branches') return branches(repo, call.method, m[3], args);
    if (m[2] === 'repository/files') {
      if (call.method === 'PUT') hooks.splice(0).forEach((h) => h());
      return files(repo, call.method, m[3] ?? '', args);
    }
    return mergeRequests(repo, call.method, m[3], args, `https://gitlab.example/${o.project}/-/merge_requests/`);
  };
  const http = await startGitHttpFake(o.tokens, (req) => str(req.headers['private-token']), route);
  return { ...http, repo, beforeNextCommit: (hook) => hooks.push(hook) };
}

function branches(
  repo: FakeGitRepo,
  method: string,
  name: string | undefined,
  a: Record<string, unknown>,
): GitApiReply {
  const view = (n: string) => ({ name: n, commit: { id: repo.branches.get(n) } });
  if (method === 'GET' && name)
    return repo.branches.has(name) ? json(200, view(name)) : message(404, '404 Branch Not Found');
  if (method === 'DELETE' && name) return repo.branches.delete(name) ? json(204) : message(404, '404 Branch Not Found');
  if (method === 'POST' && !name) {
    const branch = str(a.branch) ?? '';
    const ref = repo.resolve(str(a.ref) ?? '');
    if (!ref) return message(400, 'Invalid reference name');
    if (repo.branches.has(branch)) return message(400, 'Branch already exists');
    repo.branches.set(branch, ref.sha);
    return json(201, view(branch));
  }
  return message(404, '404 Not Found');
}

function files(repo: FakeGitRepo, method: string, path: string, a: Record<string, unknown>): GitApiReply {
  if (method === 'GET') {
    const f = repo.file(str(a.ref) ?? '', path);
    if (!f) return message(404, '404 File Not Found');
    return json(200, {
      file_name: path.split('/').pop(),
      file_path: path,
      size: f.text.length,
      encoding: 'base64',
      content: Buffer.from(f.text).toString('base64'),
      ref: a.ref,
      blob_id: f.blobSha,
      commit_id: f.commit.sha,
      last_commit_id: f.lastCommit,
    });
  }
  if (method !== 'PUT') return message(404, '404 Not Found');
  const branch = str(a.branch) ?? '';
  const current = repo.file(branch, path);
  if (!current) return message(400, "A file with this name doesn't exist");
  if (a.last_commit_id !== undefined && a.last_commit_id !== current.lastCommit)
    return message(400, 'You are attempting to update a file that has changed since you started editing it.');
  const raw = str(a.content) ?? '';
  const text = a.encoding === 'base64' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  repo.commit(branch, { [path]: text }, str(a.commit_message) ?? '');
  return json(200, { file_path: path, branch });
}

function mergeRequests(
  repo: FakeGitRepo,
  method: string,
  iid: string | undefined,
  a: Record<string, unknown>,
  urlBase: string,
): GitApiReply {
  const view = (n: number) => {
    const pr = repo.pulls.find((p) => p.number === n);
    return (
      pr && {
        iid: pr.number,
        web_url: `${urlBase}${pr.number}`,
        state: pr.state === 'open' ? 'opened' : pr.state,
        merge_commit_sha: pr.mergeCommitSha ?? null,
        squash_commit_sha: null,
        source_branch: pr.head,
        target_branch: pr.base,
        title: pr.title,
        description: pr.body,
      }
    );
  };
  if (method === 'POST' && !iid) {
    const [head, base] = [str(a.source_branch) ?? '', str(a.target_branch) ?? ''];
    if (!repo.branches.has(head) || !repo.branches.has(base)) return message(400, 'Invalid source or target branch');
    if (repo.pulls.some((p) => p.head === head && p.state === 'open'))
      return json(409, { message: [`Another open merge request already exists for this source branch: !1`] });
    const pr = repo.openPull({ head, base, title: str(a.title) ?? '', body: str(a.description) ?? '' });
    return json(201, view(pr.number));
  }
  if (method === 'GET' && !iid) {
    const open = repo.pulls.filter((p) => p.state === 'open' && (!a.source_branch || p.head === a.source_branch));
    return json(
      200,
      open.map((p) => view(p.number)),
    );
  }
  const n = Number(iid);
  const found = view(n);
  if (!found) return message(404, '404 Not found');
  if (method === 'PUT' && a.state_event === 'close' && found.state === 'opened') repo.close(n);
  return json(200, view(n));
}
