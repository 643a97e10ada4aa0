import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { activityViolations } from './adaptive-card-limits.js';
import { recordViolations } from './block-kit-limits.js';
import { readBody } from './read-body.js';

/** One activity the bot sent to the fake connector. */
export interface ConnectorCall {
  /** `reply` (POST to an activity), `send` (POST to the conversation) or `update` (PUT an activity). */
  kind: 'reply' | 'send' | 'update';
  method: string;
  path: string;
  conversationId: string;
  /** The activity replied to or updated; undefined for a new message in the conversation. */
  activityId: string | undefined;
  authorization: string | undefined;
  /** The client that sent it (the Agents SDK says `agents-sdk-js/<version> …`). */
  userAgent: string | undefined;
  body: Record<string, unknown>;
  /** The HTTP status the fake answered (a scripted failure, else 200). */
  status: number;
  /** What the card validator found wrong with it (Teams' limits); empty when Teams would take it. */
  violations: string[];
  /** The activity id the fake answered with (the posted or updated activity); undefined for a failure. */
  responseId?: string;
}

/** A failure the fake answers the next call with instead of taking it. */
export interface ScriptedFailure {
  status: number;
  headers?: Record<string, string>;
  /** Answers only after this long (a connector that hangs). */
  delayMs?: number;
}

/** One `GET …/conversations/{id}/members/{userId}` the fake answered. */
export interface MemberLookup {
  conversationId: string;
  userId: string;
  status: number;
}

/**
 * A fake Bot Connector service on 127.0.0.1 (the activities' `serviceUrl` in tests): records every
 * `POST /v3/conversations/{id}/activities[/{replyToId}]` and `PUT …/activities/{id}` with its bearer
 * token, runs the Adaptive Card validator over each, and answers scripted failures (`failNext`). Answers
 * `GET /v3/teams/{teamId}/conversations` with the channels a test gave the team (`teamChannels`), and
 * `GET /v3/conversations/{id}/members/{userId}` for the people a test registered (`members`), else 404.
 */
export interface FakeBotConnector {
  /** `http://127.0.0.1:<port>/teams/`, shaped like Teams' own serviceUrl. */
  serviceUrl: string;
  calls: ConnectorCall[];
  /** Calls that the fake took (answered 200). */
  taken(): ConnectorCall[];
  /** The next calls are answered with these failures, one each, in order (`{ status: 200 }` lets one through). */
  failNext(...failures: ScriptedFailure[]): void;
  /** A team's channels, as the channel list answers them (a team not set here: its General channel only). */
  teamChannels: Map<string, { id: string; name?: string }[]>;
  /** People the member lookup knows, by Entra object id (lower case): their MRI (`29:…`), in any conversation. */
  members: Map<string, string>;
  /** The member lookups answered, in order. */
  memberLookups: MemberLookup[];
  close(): Promise<void>;
}

const ACTIVITIES = /^\/teams\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;
const TEAM_CHANNELS = /^\/teams\/v3\/teams\/([^/]+)\/conversations$/;
const MEMBER = /^\/teams\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/;

/** A member as the connector answers one (Get single member details): the MRI and the object id (`objectId`). */
function memberAnswer(members: Map<string, string>, userId: string) {
  const objectId = userId.toLowerCase();
  const mri = members.get(objectId);
  return mri ? { id: mri, objectId, name: `User ${objectId.slice(0, 8)}`, userRole: 'user' } : undefined;
}

function kindOf(method: string | undefined, activityId: string | undefined): ConnectorCall['kind'] | undefined {
  if (method === 'PUT' && activityId) return 'update';
  if (method === 'POST') return activityId ? 'reply' : 'send';
  return undefined;
}

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const failures: ScriptedFailure[] = [];
  const teamChannels = new Map<string, { id: string; name?: string }[]>();
  const members = new Map<string, string>();
  const memberLookups: MemberLookup[] = [];
  const server = createServer((req, res) => {
    const member = req.method === 'GET' ? MEMBER.exec(req.url ?? '') : null;
    if (member?.[1] && member[2]) {
      const [conversationId, userId] = [decodeURIComponent(member[1]), decodeURIComponent(member[2])];
      const found = memberAnswer(members, userId);
      memberLookups.push({ conversationId, userId, status: found ? 200 : 404 });
      if (!found) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found));
    }
    const team = req.method === 'GET' ? TEAM_CHANNELS.exec(req.url ?? '') : null;
    if (team?.[1]) {
      const teamId = decodeURIComponent(team[1]);
      const conversations = teamChannels.get(teamId) ?? [{ id: teamId }];
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ conversations }));
    }
    const match = ACTIVITIES.exec(req.url ?? '');
    const activityId = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const kind = kindOf(req.method, activityId);
    if (!match || !kind) return void res.writeHead(404).end();
    void readBody(req).then((text) => {
      const body = JSON.parse(text) as Record<string, unknown>;
      // A scripted status under 400 lets that call through (to fail a later one).
      const scripted = failures.shift();
      const failure = scripted && scripted.status >= 400 ? scripted : undefined;
      const call: ConnectorCall = {
        kind,
        method: req.method ?? '',
        path: req.url ?? '',
        conversationId: decodeURIComponent(match[1]!),
        activityId,
        authorization: req.headers.authorization,
        userAgent: req.headers['user-agent'],
        body,
        status: failure?.status ?? 200,
        violations: activityViolations(body),
      };
      const n = calls.push(call);
      recordViolations(`Teams connector ${kind}`, call.violations);
      const answer = () => {
        if (failure)
          return void res
            .writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers })
            .end('{}');
        const id = kind === 'update' ? activityId : `activity-${n}`;
        call.responseId = id;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
      };
      if (scripted?.delayMs) setTimeout(answer, scripted.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/teams/`,
    calls,
    taken: () => calls.filter((c) => c.status === 200),
    failNext: (...f) => void failures.push(...f),
    teamChannels,
    members,
    memberLookups,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
