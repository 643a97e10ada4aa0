import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkProblems, checkUserOf, membersGroupOf, membersPage, membersProblems, MAX_TOP } from './graph-routes.js';
import { graphScope } from '../../src/chat/teams/graph-groups.js';
import { readBody } from './read-body.js';
import type { FakeTeamsTokenIssuer } from './teams-token-issuer.js';

/** One request the bot made to the fake Graph. */
export interface GraphCall {
  method: string;
  path: string;
  /** The user of `/users/{id}/checkMemberGroups` (decoded). */
  userId: string | undefined;
  /** The group of `/groups/{id}/transitiveMembers/microsoft.graph.user` (decoded). */
  groupId: string | undefined;
  authorization: string | undefined;
  body: unknown;
  /** What the fake answered. */
  status: number;
  /** What was wrong with the request (token, method, content type, body, query); empty when Graph would take it. */
  problems: string[];
}

/** A refusal the fake answers every call with, as Graph does (e.g. 403 without the permission). */
export interface GraphRefusal {
  status: number;
  code: string;
}

/**
 * A fake Microsoft Graph on 127.0.0.1 answering as Graph v1.0 does `POST /v1.0/users/{id}/checkMemberGroups`
 * (the body `{ "groupIds": [...] }` with 1 to 20 GUIDs, the answer `{ "value": [...] }` with those the user is
 * in, `setMembership`) and `GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user` (the group's users,
 * `setGroupMembers`, page by page with `@odata.nextLink`; an unknown group is a 404). The bearer token must
 * be one `acceptToken` takes (the login endpoint's, for the Graph scope); transitive membership is flattened
 * by the test. Every call is recorded.
 */
export interface FakeGraphApi {
  /** TEAMS_GRAPH_URL for the bot. */
  url: string;
  calls: GraphCall[];
  /** The groups (object ids) `userId` is in, directly or through nested groups. */
  setMembership(userId: string, groupIds: readonly string[]): void;
  /** The users (object ids) of `groupId`, directly or through nested groups, in the order Graph lists them. */
  setGroupMembers(groupId: string, userIds: readonly string[]): void;
  /** The most users one page of a group's members holds (default 999, Graph's largest `$top`). */
  setPageSize(size: number): void;
  /** Every later call is refused with this (`undefined`: answered again). */
  refuse(refusal: GraphRefusal | undefined): void;
  /** The next `times` calls are throttled: 429 TooManyRequests with this `Retry-After` (seconds), as Graph does. */
  throttle(times: number, retryAfter: string): void;
  close(): Promise<void>;
}

const parsed = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
};

interface Answer {
  status: number;
  value: unknown;
  headers?: Record<string, string>;
}

const graphError = (status: number, code: string, message: string, headers?: Record<string, string>): Answer => ({
  status,
  value: { error: { code, message } },
  ...(headers ? { headers } : {}),
});

export async function startFakeGraphApi(opts: { acceptToken: (token: string) => boolean }): Promise<FakeGraphApi> {
  const calls: GraphCall[] = [];
  const membership = new Map<string, Set<string>>();
  const groups = new Map<string, string[]>();
  const state = { pageSize: MAX_TOP, refusal: undefined as GraphRefusal | undefined, throttled: 0, retryAfter: '1' };
  let base = '';

  /** Graph's answer to one request, in the order Graph checks: the route, the token, the request, throttling. */
  function answer(req: IncomingMessage, url: URL, call: GraphCall): Answer {
    const { body, problems } = call;
    problems.push(...(call.userId ? checkProblems(req, body) : call.groupId ? membersProblems(req, url) : []));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !opts.acceptToken(bearer)) problems.unshift('token: not a Graph token the login endpoint issued');
    if (!call.userId && !call.groupId)
      return graphError(404, 'Request_BadRequest', `Unsupported request: ${url.pathname}`);
    if (problems[0]?.startsWith('token:'))
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is invalid.');
    if (problems.length) return graphError(400, 'Request_BadRequest', problems.join('; '));
    if (state.throttled > 0 && state.throttled--)
      return graphError(429, 'TooManyRequests', 'Too many requests.', { 'retry-after': state.retryAfter });
    if (state.refusal)
      return graphError(state.refusal.status, state.refusal.code, 'Insufficient privileges to complete the operation.');
    if (call.groupId) {
      const members = groups.get(call.groupId);
      if (!members) return graphError(404, 'Request_ResourceNotFound', `Resource '${call.groupId}' does not exist.`);
      return { status: 200, value: membersPage(base, url, members, state.pageSize) };
    }
    const mine = membership.get(call.userId ?? '') ?? new Set<string>();
    const asked = (body as { groupIds: string[] }).groupIds;
    return {
      status: 200,
      value: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)',
        value: asked.filter((g) => mine.has(g.toLowerCase())),
      },
    };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://graph.invalid');
    const userId = checkUserOf(url.pathname);
    const groupId = membersGroupOf(url.pathname);
    void readBody(req).then((text) => {
      const call: GraphCall = {
        method: req.method ?? '',
        path: req.url ?? '',
        userId,
        groupId,
        authorization: req.headers.authorization,
        body: parsed(text),
        status: 0,
        problems: [],
      };
      const a = answer(req, url, call);
      calls.push({ ...call, status: a.status });
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(JSON.stringify(a.value));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    calls,
    setMembership: (userId, groupIds) =>
      void membership.set(userId.toLowerCase(), new Set(groupIds.map((g) => g.toLowerCase()))),
    setGroupMembers: (groupId, userIds) => void groups.set(groupId.toLowerCase(), [...userIds]),
    setPageSize: (size) => void (state.pageSize = size),
    refuse: (r) => void (state.refusal = r),
    throttle: (times, retryAfter) => void Object.assign(state, { throttled: times, retryAfter }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The fake Graph that takes only the tokens `issuer` (the fake login) granted for Graph's scope. */
export async function startFakeGraphFor(issuer: Pick<FakeTeamsTokenIssuer, 'grants'>): Promise<FakeGraphApi> {
  const graph: FakeGraphApi = await startFakeGraphApi({
    acceptToken: (t) => issuer.grants.some((g) => g.accessToken === t && g.scope === graphScope(graph.url)),
  });
  return graph;
}
