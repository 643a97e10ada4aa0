import type { IncomingMessage } from 'node:http';

// The two Microsoft Graph calls the fake Graph (graph-api.ts) answers: which request is which, what Graph
// would refuse in it, and the pages of a group's members.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHECK_MEMBER_GROUPS = /^\/v1\.0\/users\/([^/]+)\/checkMemberGroups$/;
const TRANSITIVE_USERS = /^\/v1\.0\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/;
/** Graph's largest page of directory objects. */
export const MAX_TOP = 999;

/** The user of a `POST /v1.0/users/{id}/checkMemberGroups` (decoded, lower-case). */
export function checkUserOf(path: string): string | undefined {
  const match = CHECK_MEMBER_GROUPS.exec(path);
  return match ? decodeURIComponent(match[1]!).toLowerCase() : undefined;
}

/** What Graph would refuse in a checkMemberGroups request. */
export function checkProblems(req: IncomingMessage, body: unknown): string[] {
  const problems: string[] = [];
  if (req.method !== 'POST') problems.push(`method: ${req.method}`);
  if (!String(req.headers['content-type']).startsWith('application/json')) problems.push('content-type: not JSON');
  const ids = (body as { groupIds?: unknown } | undefined)?.groupIds;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 20) problems.push('groupIds: 1 to 20 ids expected');
  else if (!ids.every((g) => typeof g === 'string' && GUID.test(g))) problems.push('groupIds: GUIDs expected');
  return problems;
}

/** The group of a `GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user` (decoded, lower-case). */
export function membersGroupOf(path: string): string | undefined {
  const match = TRANSITIVE_USERS.exec(path);
  return match ? decodeURIComponent(match[1]!).toLowerCase() : undefined;
}

/**
 * What Graph would refuse in a listing of a group's users: not a GET, no `$select=id` (the bot reads ids
 * only), a `$top` outside 1..999, or the OData cast without its advanced query parameters (`$count=true` and
 * `ConsistencyLevel: eventual`, as the transitiveMembers page documents for casts).
 */
export function membersProblems(req: IncomingMessage, url: URL): string[] {
  const problems: string[] = [];
  if (req.method !== 'GET') problems.push(`method: ${req.method}`);
  if (url.searchParams.get('$select') !== 'id') problems.push('$select: id expected');
  const top = Number(url.searchParams.get('$top') ?? '100');
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) problems.push(`$top: 1 to ${MAX_TOP} expected`);
  if (url.searchParams.get('$count') !== 'true') problems.push('$count: true expected with an OData cast');
  if (String(req.headers.consistencylevel).toLowerCase() !== 'eventual')
    problems.push('ConsistencyLevel: eventual expected with an OData cast');
  return problems;
}

/**
 * One page of a group's users from the request's `$skiptoken` (opaque to the bot): at most `$top` and the
 * fake's page size (Graph pages by itself too), with `@odata.nextLink` (absolute, the same query) while more
 * remain.
 */
export function membersPage(base: string, url: URL, members: readonly string[], pageSize: number) {
  const size = Math.min(Number(url.searchParams.get('$top') ?? '100'), pageSize);
  const token = url.searchParams.get('$skiptoken');
  const from = token ? Number(Buffer.from(token, 'base64url').toString().replace('offset:', '')) : 0;
  const next = new URL(`${base}${url.pathname}${url.search}`);
  next.searchParams.set('$skiptoken', Buffer.from(`offset:${from + size}`).toString('base64url'));
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(id)',
    value: members.slice(from, from + size).map((id) => ({ '@odata.type': '#microsoft.graph.user', id })),
    ...(from + size < members.length ? { '@odata.nextLink': next.toString() } : {}),
  };
}
