// Microsoft Graph throttles with 429 and a Retry-After: every Graph call of the bot (the group checks of the
// access policy, the listing of an approver group's members) waits it out once, then says so in words.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphGroupMembership, graphScope } from '../../../src/chat/teams/graph-groups.js';
import { graphGroupMembers } from '../../../src/chat/teams/graph-members.js';
import { outgoingToken } from '../../../src/chat/teams/outgoing-token.js';
import { GroupLookupError } from '../../../src/core/errors.js';
import { startFakeGraphFor, type FakeGraphApi } from '../../fakes/graph-api.js';
import { FAKE_APP_ID, FAKE_APP_PASSWORD, FAKE_TENANT_ID } from '../../fakes/teams-token-issuer.js';
import { startFakeTeamsTokenIssuer, type FakeTeamsTokenIssuer } from '../../fakes/teams-token-issuer.js';
import { captureLogs, type CapturedLogs } from '../slack/log-capture.js';

const USER = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const SRE_GROUP = '0c9d2e4f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const member = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const THROTTLED = /^Microsoft Graph is throttling the bot \(HTTP 429 TooManyRequests\); try again in a minute$/;

describe('Microsoft Graph 429: one retry after Retry-After, then a clear refusal', () => {
  let issuer: FakeTeamsTokenIssuer;
  let graph: FakeGraphApi;
  let logs: CapturedLogs;
  let slept: number[];

  beforeAll(async () => {
    issuer = await startFakeTeamsTokenIssuer();
    graph = await startFakeGraphFor(issuer);
  });
  afterAll(async () => {
    await graph?.close();
    await issuer?.close();
  });
  beforeEach(() => {
    graph.calls.length = 0;
    graph.throttle(0, '1');
    graph.setPageSize(999);
    logs = captureLogs();
    slept = [];
    graph.setMembership(USER, [SRE_GROUP]);
    graph.setGroupMembers(SRE_GROUP, [member(1), member(2), member(3)]);
  });

  /** How the Teams front end reaches Graph: an app-only token, and a sleep that records what it waited. */
  const call = () => ({
    graphUrl: graph.url,
    token: outgoingToken({
      loginUrl: issuer.loginUrl,
      fetch: issuer.fetch,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: FAKE_APP_PASSWORD,
      scope: graphScope(graph.url),
    }),
    logger: logs.logger,
    sleep: (ms: number) => Promise.resolve(void slept.push(ms)),
  });

  async function refusal(lookup: Promise<unknown>): Promise<GroupLookupError> {
    const err = await lookup.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof GroupLookupError)) throw new Error(`expected a GroupLookupError, got ${String(err)}`);
    return err;
  }

  it('a group check throttled once waits the Retry-After, asks again and answers; the log says so, not the token', async () => {
    graph.throttle(1, '2');
    expect(await graphGroupMembership(call())(USER, [SRE_GROUP])).toEqual([SRE_GROUP]);
    expect(graph.calls.map((c) => c.status)).toEqual([429, 200]);
    expect(slept).toEqual([2000]);
    expect(logs.lines.find((l) => l.msg === 'Microsoft Graph throttled the bot')).toMatchObject({
      status: 429,
      retryAfterMs: 2000,
    });
    expect(logs.raw()).not.toContain('outgoing-token-');
  });

  it('throttled again after the retry: a GroupLookupError saying Graph throttles, after one retry only; not kept', async () => {
    graph.throttle(2, '1');
    const groups = graphGroupMembership(call());
    expect((await refusal(groups(USER, [SRE_GROUP]))).why).toMatch(THROTTLED);
    expect(graph.calls.map((c) => c.status)).toEqual([429, 429]);
    expect(slept).toEqual([1000]);
    // The refusal is not kept: once Graph answers again, so does the lookup
    expect(await groups(USER, [SRE_GROUP])).toEqual([SRE_GROUP]);
    expect(graph.calls.map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('a Retry-After longer than 30 s (the Bot Connector cap) is not waited out: refused at once', async () => {
    graph.throttle(1, '120');
    expect((await refusal(graphGroupMembership(call())(USER, [SRE_GROUP]))).why).toMatch(THROTTLED);
    expect(graph.calls.map((c) => c.status)).toEqual([429]);
    expect(slept).toEqual([]);
  });

  it("the listing of a group's members is retried the same way", async () => {
    // Two pages; the first is throttled once, then answered
    graph.setPageSize(2);
    graph.throttle(1, '3');
    expect(await graphGroupMembers(call())(SRE_GROUP)).toEqual([member(1), member(2), member(3)]);
    expect(graph.calls.map((c) => [c.groupId, c.status])).toEqual([
      [SRE_GROUP, 429],
      [SRE_GROUP, 200],
      [SRE_GROUP, 200],
    ]);
    expect(slept).toEqual([3000]);
    // Throttled twice: refused, in words
    graph.throttle(2, '1');
    expect((await refusal(graphGroupMembers(call())(SRE_GROUP))).why).toMatch(THROTTLED);
  });
});
