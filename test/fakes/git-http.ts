import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';

/** One request a Git host fake received (never the token). */
export interface GitApiRequest {
  method: string;
  path: string;
  status: number;
  body?: unknown;
}

export interface GitApiReply {
  status: number;
  body?: unknown;
}

/** What a route sees: the method, the decoded path, the query, the JSON body and the token's access. */
export interface GitApiCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  access: 'write' | 'read' | undefined;
}

export interface GitHttpFake {
  baseUrl: string;
  requests: GitApiRequest[];
  /** Answers the next request whose `METHOD path` matches with `status` (e.g. 502), once. */
  failNext(match: RegExp, status: number): void;
  /** Runs `hook` once when the next request whose `METHOD path` matches arrives, before its token is looked up. */
  onNext(match: RegExp, hook: () => void): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: GitApiReply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(reply.body));
}

/**
 * A loopback HTTP server for a Git host fake: parses the request, maps its token to an access level with
 * `tokenOf`, logs it, and answers with `route`. `tokens` maps a token to `write` or `read`.
 */
export async function startGitHttpFake(
  tokens: Record<string, 'write' | 'read'>,
  tokenOf: (req: IncomingMessage) => string | undefined,
  route: (call: GitApiCall) => GitApiReply,
): Promise<GitHttpFake> {
  const requests: GitApiRequest[] = [];
  const failures: { match: RegExp; status: number }[] = [];
  const hooks: { match: RegExp; hook: () => void }[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    const hook = hooks.findIndex((h) => h.match.test(`${method} ${path}`));
    if (hook >= 0) hooks.splice(hook, 1)[0]?.hook();
    const token = tokenOf(req);
    const failure = failures.findIndex((f) => f.match.test(`${method} ${path}`));
    const reply =
      failure >= 0
        ? { status: failures.splice(failure, 1)[0]?.status ?? 500, body: { message: 'Server Error' } }
        : route({ method, path, query: url.searchParams, body, access: token ? tokens[token] : undefined });
    requests.push({ method, path, status: reply.status, ...(raw ? { body } : {}) });
    send(res, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    failNext: (match, status) => failures.push({ match, status }),
    onNext: (match, hook) => hooks.push({ match, hook }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
