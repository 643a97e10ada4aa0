import { FakeGitRepo } from './git-repo.js';
import { startGitHttpFake, type GitApiCall, type GitApiReply, type GitHttpFake } from './git-http.js';

export interface FakeGitHubApi extends GitHttpFake {
  repo: FakeGitRepo;
  /** Runs once, right before the next contents PUT is checked (another writer on the branch). */
  beforeNextCommit(hook: () => void): void;
}

export interface FakeGitHubOptions {
  owner: string;
  name: string;
  files: Record<string, string>;
  /** token -> access: `read` answers 403 on every write, as a read-only fine-grained token does. */
  tokens: Record<string, 'write' | 'read'>;
  baseBranch?: string;
}

const json = (status: number, body?: unknown): GitApiReply => ({ status, ...(body !== undefined ? { body } : {}) });
const message = (status: number, text: string) =>
  json(status, { message: text, documentation_url: 'https://docs.github.com/rest' });

/**
 * A fake of the GitHub REST API on loopback, for Octokit: git refs, contents (GET/PUT with the blob sha
 * precondition: 409 on a stale sha, 422 without one, as GitHub answers), pulls. Tokens in `authorization:
 * token X`; 401 "Bad credentials" for an unknown one, 403 on writes for a read-only one. A `/api/v3` prefix
 * (GitHub Enterprise Server) is accepted.
 */
export async function startFakeGitHubApi(o: FakeGitHubOptions): Promise<FakeGitHubApi> {
  const repo = new FakeGitRepo(o.files, o.baseBranch);
  const hooks: (() => void)[] = [];
  const prefix = `/repos/${o.owner}/${o.name}`;
  const route = (call: GitApiCall): GitApiReply => {
    if (!call.access) return message(401, 'Bad credentials');
    const path = call.path.replace(/^\/api\/v3/, '');
    if (!path.startsWith(`${prefix}/`)) return message(404, 'Not Found');
    if (call.method !== 'GET' && call.access !== 'write')
      return message(403, 'Resource not accessible by personal access token');
    const rest = path.slice(prefix.length);
    if (rest.startsWith('/git/')) return refs(repo, call.method, rest, call.body);
    if (rest.startsWith('/contents/')) {
      if (call.method === 'PUT') hooks.splice(0).forEach((h) => h());
      return contents(repo, call, rest.slice('/contents/'.length));
    }
    if (rest.startsWith('/pulls')) return pulls(repo, call, rest, `https://github.example/${o.owner}/${o.name}/pull/`);
    return message(404, 'Not Found');
  };
  const http = await startGitHttpFake(
    o.tokens,
    (req) => /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1],
    route,
  );
  return { ...http, repo, beforeNextCommit: (hook) => hooks.push(hook) };
}

function refs(repo: FakeGitRepo, method: string, rest: string, body: Record<string, unknown>): GitApiReply {
  const single = /^\/git\/refs?\/heads\/(.+)$/.exec(rest);
  if (method === 'GET' && single?.[1]) {
    const sha = repo.branches.get(single[1]);
    return sha
      ? json(200, { ref: `refs/heads/${single[1]}`, object: { sha, type: 'commit' } })
      : message(404, 'Not Found');
  }
  if (method === 'DELETE' && single?.[1]) {
    return repo.branches.delete(single[1]) ? json(204) : message(422, 'Reference does not exist');
  }
  if (method === 'POST' && rest === '/git/refs') {
    const ref = typeof body.ref === 'string' ? body.ref : '';
    const sha = typeof body.sha === 'string' ? body.sha : '';
    const name = ref.replace(/^refs\/heads\//, '');
    if (!ref.startsWith('refs/heads/') || !repo.commits.has(sha)) return message(422, 'Object does not exist');
    if (repo.branches.has(name)) return message(422, 'Reference already exists');
    repo.branches.set(name, sha);
    return json(201, { ref, object: { sha, type: 'commit' } });
  }
  return message(404, 'Not Found');
}

function contents(repo: FakeGitRepo, call: GitApiCall, path: string): GitApiReply {
  if (call.method === 'GET') {
    const file = repo.file(call.query.get('ref') ?? 'main', path);
    if (!file) return message(404, 'Not Found');
    const content = Buffer.from(file.text).toString('base64').replace(/.{60}/g, '$&\n');
    return json(200, {
      type: 'file',
      encoding: 'base64',
      path,
      name: path.split('/').pop(),
      sha: file.blobSha,
      size: file.text.length,
      content,
    });
  }
  if (call.method !== 'PUT') return message(404, 'Not Found');
  const b = call.body;
  const branch = typeof b.branch === 'string' ? b.branch : 'main';
  if (!repo.branches.has(branch)) return message(404, `Branch ${branch} not found`);
  const current = repo.file(branch, path);
  if (current && b.sha === undefined) return message(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
  if (current && b.sha !== current.blobSha) return message(409, `${path} does not match ${String(b.sha)}`);
  const text = Buffer.from(typeof b.content === 'string' ? b.content : '', 'base64').toString('utf8');
  const sha = repo.commit(branch, { [path]: text }, typeof b.message === 'string' ? b.message : '');
  return json(200, { content: { path, sha: repo.file(sha, path)?.blobSha }, commit: { sha, message: b.message } });
}

function pulls(repo: FakeGitRepo, call: GitApiCall, rest: string, urlBase: string): GitApiReply {
  const view = (n: number) => {
    const pr = repo.pulls.find((p) => p.number === n);
    if (!pr) return undefined;
    return {
      number: pr.number,
      html_url: `${urlBase}${pr.number}`,
      state: pr.state === 'open' ? 'open' : 'closed',
      merged: pr.state === 'merged',
      merge_commit_sha: pr.mergeCommitSha ?? null,
      title: pr.title,
      body: pr.body,
      head: { ref: pr.head },
      base: { ref: pr.base },
    };
  };
  const b = call.body;
  if (call.method === 'POST' && rest === '/pulls') {
    const [head, base] = [String(b.head), String(b.base)];
    if (!repo.branches.has(head) || !repo.branches.has(base))
      return json(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
      });
    if (repo.commitsSince(head, base).length === 0)
      return json(422, {
        message: 'Validation Failed',
        errors: [{ message: `No commits between ${base} and ${head}` }],
      });
    if (repo.pulls.some((p) => p.head === head && p.state === 'open'))
      return json(422, {
        message: 'Validation Failed',
        errors: [{ message: `A pull request already exists for ${head}.` }],
      });
    const pr = repo.openPull({ head, base, title: String(b.title), body: typeof b.body === 'string' ? b.body : '' });
    return json(201, view(pr.number));
  }
  if (call.method === 'GET' && rest === '/pulls') {
    const head = call.query.get('head')?.split(':')[1];
    const open = repo.pulls.filter((p) => p.state === 'open' && (!head || p.head === head));
    return json(
      200,
      open.map((p) => view(p.number)),
    );
  }
  const n = Number(/^\/pulls\/(\d+)$/.exec(rest)?.[1]);
  const pr = repo.pulls.find((p) => p.number === n);
  if (!pr) return message(404, 'Not Found');
  if (call.method === 'PATCH' && b.state === 'closed' && pr.state === 'open') repo.close(n);
  return json(200, view(n));
}
