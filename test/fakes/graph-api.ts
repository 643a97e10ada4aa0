import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHECK_MEMBER_GROUPS = /^\/v1\.0\/users\/([^/?]+)\/checkMemberGroups$/;

/** One request the bot made to the fake Graph. */
export interface GraphCall {
  method: string;
  path: string;
  /** The user of `/users/{id}/checkMemberGroups` (decoded). */
  userId: string | undefined;
  authorization: string | undefined;
  body: unknown;
  /** What the fake answered. */
  status: number;
  /** What was wrong with the request (token, method, content type, body); empty when Graph would take it. */
  problems: string[];
}

/** A refusal the fake answers every checkMemberGroups with, as Graph does (e.g. 403 without the permission). */
export interface GraphRefusal {
  status: number;
  code: string;
}

/**
 * A fake Microsoft Graph on 127.0.0.1 answering `POST /v1.0/users/{id}/checkMemberGroups` as Graph v1.0
 * does: the bearer token must be one `acceptToken` takes (the login endpoint's, for the Graph scope), the
 * body `{ "groupIds": [...] }` with 1 to 20 GUIDs, the answer `{ "value": [...] }` with those the user is
 * in (`setMembership`, transitive membership flattened by the test). Every call is recorded.
 */
export interface FakeGraphApi {
  /** TEAMS_GRAPH_URL for the bot. */
  url: string;
  calls: GraphCall[];
  /** The groups (object ids) `userId` is in, directly or through nested groups. */
  setMembership(userId: string, groupIds: readonly string[]): void;
  /** Every later call is refused with this (`undefined`: answered again). */
  refuse(refusal: GraphRefusal | undefined): void;
  close(): Promise<void>;
}

/** What Graph would refuse in a checkMemberGroups request. */
function requestProblems(req: IncomingMessage, body: unknown, accept: (token: string) => boolean): string[] {
  const problems: string[] = [];
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer || !accept(bearer)) problems.push('token: not a Graph token the login endpoint issued');
  if (req.method !== 'POST') problems.push(`method: ${req.method}`);
  if (!String(req.headers['content-type']).startsWith('application/json')) problems.push('content-type: not JSON');
  const ids = (body as { groupIds?: unknown } | undefined)?.groupIds;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 20) problems.push('groupIds: 1 to 20 ids expected');
  else if (!ids.every((g) => typeof g === 'string' && GUID.test(g))) problems.push('groupIds: GUIDs expected');
  return problems;
}

export async function startFakeGraphApi(opts: { acceptToken: (token: string) => boolean }): Promise<FakeGraphApi> {
  const calls: GraphCall[] = [];
  const membership = new Map<string, Set<string>>();
  let refusal: GraphRefusal | undefined;
  const server = createServer((req, res) => {
    const match = CHECK_MEMBER_GROUPS.exec(req.url ?? '');
    void readBody(req).then((text) => {
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const userId = match ? decodeURIComponent(match[1]!).toLowerCase() : undefined;
      const problems = match ? requestProblems(req, body, opts.acceptToken) : ['path: not checkMemberGroups'];
      const tokenBad = problems.some((p) => p.startsWith('token:'));
      const status = !match ? 404 : tokenBad ? 401 : problems.length ? 400 : (refusal?.status ?? 200);
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        userId,
        authorization: req.headers.authorization,
        body,
        status,
        problems,
      });
      const json = (value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (status === 401)
        return json({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is invalid.' } });
      if (status === 400 || status === 404)
        return json({ error: { code: 'Request_BadRequest', message: problems.join('; ') } });
      if (refusal)
        return json({ error: { code: refusal.code, message: 'Insufficient privileges to complete the operation.' } });
      const ids = (body as { groupIds: string[] }).groupIds;
      const mine = membership.get(userId ?? '') ?? new Set<string>();
      json({
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)',
        value: ids.filter((g) => mine.has(g.toLowerCase())),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    setMembership: (userId, groupIds) =>
      void membership.set(userId.toLowerCase(), new Set(groupIds.map((g) => g.toLowerCase()))),
    refuse: (r) => void (refusal = r),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
