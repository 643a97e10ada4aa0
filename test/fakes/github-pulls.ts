import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A pull request as GitHub's `GET /repos/{owner}/{repo}/pulls/{number}` answers it (the fields the bot reads). */
export interface FakePull {
  state: 'open' | 'closed';
  merged: boolean;
  merge_commit_sha?: string | null;
  head: string;
  base: string;
}

export interface FakeGitHubPulls {
  /** For Octokit's `baseUrl`: `http://127.0.0.1:<port>`. */
  apiUrl: string;
  setPull(repo: string, number: number, pull: FakePull): void;
  /** Every request, as `GET /repos/o/r/pulls/7`, with its Authorization header. */
  calls: { line: string; authorization?: string }[];
  close(): Promise<void>;
}

/**
 * The one GitHub REST endpoint following a pull request needs, on loopback: `GET /repos/{o}/{r}/pulls/{n}`
 * from pulls the test sets (404 with GitHub's body otherwise). Driven through the real Octokit client.
 */
export async function startFakeGitHubPulls(): Promise<FakeGitHubPulls> {
  const pulls = new Map<string, FakePull>();
  const calls: FakeGitHubPulls['calls'] = [];
  let apiUrl = '';
  const server: Server = createServer((req, res) => {
    const line = `${req.method ?? ''} ${req.url ?? ''}`;
    calls.push({ line, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const m = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/.exec(req.url ?? '');
    const pull = m && req.method === 'GET' ? pulls.get(`${m[1]}#${m[2]}`) : undefined;
    res.setHeader('content-type', 'application/json');
    if (!m || !pull) {
      res.writeHead(404);
      res.end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }));
      return;
    }
    const n = Number(m[2]);
    res.end(
      JSON.stringify({
        number: n,
        html_url: `https://github.example/${m[1]}/pull/${n}`,
        url: `${apiUrl}/repos/${m[1]}/pulls/${n}`,
        state: pull.state,
        merged: pull.merged,
        merge_commit_sha: pull.merge_commit_sha ?? null,
        head: { ref: pull.head },
        base: { ref: pull.base },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl,
    setPull: (repo, number, pull) => void pulls.set(`${repo}#${number}`, pull),
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
