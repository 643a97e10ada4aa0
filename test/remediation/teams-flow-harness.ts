// The remediation flow driven through Teams: the real bot (slack-flow-harness's startFlow, with the Teams
// front end on), signed activities from the fake token issuer, and the fake Bot Connector recording posts.
import { startFakeBotConnector, type ConnectorCall, type FakeBotConnector } from '../fakes/bot-connector.js';
import { invokeAnswerViolations } from '../fakes/adaptive-card-limits.js';
import { FAKE_APP_ID, FAKE_TENANT_ID, startFakeTeamsTokenIssuer } from '../fakes/teams-token-issuer.js';
import type { FakeTeamsTokenIssuer, SignOptions } from '../fakes/teams-token-issuer.js';
import { fakeTeamsSettings, sendActivity } from '../chat/teams/teams-activity.js';
import { CHANNEL, startFlow, type Flow, type FlowOptions } from './slack-flow-harness.js';

/** Teams users (Entra object ids): two SREs and someone the policy does not name. */
export const REQUESTER = '0000aaaa-0000-4000-8000-000000000001';
export const APPROVER = '0000aaaa-0000-4000-8000-000000000002';
export const OUTSIDER = '0000aaaa-0000-4000-8000-000000000003';
export const TEAMS_CHANNEL = '19:ops@thread.tacv2';
/** The team of TEAMS_CHANNEL (a team's id is its General channel's conversation id). */
export const TEAMS_TEAM = '19:general-ops-team@thread.tacv2';
export const aad = (user: string) => `aad:${user}`;
/** A Teams user's id (MRI) as Teams makes them: `29:` and an opaque string, not the object id itself. */
export const mri = (user: string) => `29:1${Buffer.from(user).toString('base64url')}`;

/** SREs (two Teams users) request and approve in prod and dev, in the Teams channel; reverts need no approval. */
export function teamsAccess() {
  const rules = { request: { '*': ['sre'] }, approve: { '*': ['sre'] }, revert: 'request' };
  return {
    roles: { sre: { users: [aad(REQUESTER), aad(APPROVER)] } },
    channels: [CHANNEL, TEAMS_CHANNEL],
    environments: { dev: rules, prod: rules },
  };
}

/** Where a card was posted: its conversation and the activity id the connector gave it. */
export interface PostedCard {
  conversationId: string;
  activityId: string;
  card: Record<string, unknown>;
}

export const cardOf = (call: ConnectorCall) =>
  (call.body.attachments as { content: Record<string, unknown> }[])[0]!.content;
export const posted = (call: ConnectorCall): PostedCard => ({
  conversationId: call.conversationId,
  activityId: call.responseId!,
  card: cardOf(call),
});

/** Every Action.Execute in a card (its body, ActionSets and actions), by verb. */
export function executeActions(card: unknown): { verb: string; data: Record<string, unknown> }[] {
  const found: { verb: string; data: Record<string, unknown> }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (o.type === 'Action.Execute')
      found.push({ verb: String(o.verb), data: (o.data ?? {}) as Record<string, unknown> });
    Object.entries(o).forEach(([k, x]) => k !== 'refresh' && walk(x));
  };
  walk(card);
  return found;
}

export function actionOf(card: unknown, verb: string) {
  const a = executeActions(card).find((x) => x.verb === verb);
  if (!a) throw new Error(`no ${verb} action in ${JSON.stringify(card)}`);
  return a;
}

let seq = 0;
const base = (serviceUrl: string, user: string, conversationId: string) => ({
  id: `f${++seq}`,
  serviceUrl,
  channelId: 'msteams',
  from: { id: mri(user), aadObjectId: user },
  recipient: { id: `28:${FAKE_APP_ID}` },
  conversation: { id: conversationId, tenantId: FAKE_TENANT_ID, conversationType: 'channel' },
  channelData: { tenant: { id: FAKE_TENANT_ID }, team: { id: TEAMS_TEAM } },
});

/** An `adaptiveCard/action` invoke: `user` clicked the Action.Execute `verb` with `data` on the card `on`. */
export function invokeActivity(serviceUrl: string, user: string, on: PostedCard, verb: string, data: unknown) {
  return {
    ...base(serviceUrl, user, on.conversationId),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: on.activityId,
    value: {
      action: { type: 'Action.Execute', id: '', verb, data },
      trigger: verb === 'refresh' ? 'automatic' : 'manual',
    },
  };
}

export interface TeamsFlow {
  f: Flow;
  issuer: FakeTeamsTokenIssuer;
  connector: FakeBotConnector;
  /** `@session-ttl diagnose <env>` by `user` in a new thread of `channel` (default the Teams channel): the report card's post. */
  diagnose(env: string, user: string, channel?: string): Promise<PostedCard>;
  /** `user` clicks `verb` with `data` on a card; the invoke's HTTP answer (after all the click's work). */
  click(user: string, on: PostedCard, verb: string, data: unknown, sign?: SignOptions): Promise<InvokeAnswer>;
  send(activity: unknown, authorization?: string): ReturnType<typeof sendActivity>;
  close(): Promise<void>;
}

/** The body an invoke was answered with: `{ statusCode, type, value }`. */
export interface InvokeAnswer {
  status: number;
  statusCode: unknown;
  type: unknown;
  value: any;
}

/**
 * The flow with Teams on; `clickDeadlineMs` is how long an invoke waits for its work (default 15 s), `graphUrl`
 * Microsoft Graph's (a fake Graph; default a closed port).
 */
export async function startTeamsFlow(
  opts: FlowOptions & { clickDeadlineMs?: number; graphUrl?: string } = {},
): Promise<TeamsFlow> {
  const issuer = await startFakeTeamsTokenIssuer();
  const connector = await startFakeBotConnector();
  // The Bot Connector knows the three people by object id (Get single member details answers their MRI).
  for (const user of [REQUESTER, APPROVER, OUTSIDER]) connector.members.set(user, mri(user));
  const { clickDeadlineMs, graphUrl, ...flowOptions } = opts;
  const settings = { ...fakeTeamsSettings(issuer), ...(graphUrl ? { graphUrl } : {}) };
  const teams = { settings, ...(clickDeadlineMs !== undefined ? { clickDeadlineMs } : {}) };
  const f = await startFlow({ access: teamsAccess(), ...flowOptions, teams });
  const bot = { url: f.baseUrl, bot: f.bot };
  const send = (activity: unknown, authorization?: string) => sendActivity(bot, activity, authorization);
  const signed = async (o?: SignOptions) => `Bearer ${await issuer.sign(connector.serviceUrl, o)}`;
  return {
    f,
    issuer,
    connector,
    send,
    async diagnose(env, user, channel = TEAMS_CHANNEL) {
      const id = `msg${++seq}`;
      const activity = {
        ...base(connector.serviceUrl, user, `${channel};messageid=${id}`),
        id,
        type: 'message',
        text: `<at>session-ttl</at> diagnose ${env}`,
        entities: [{ type: 'mention', text: '<at>session-ttl</at>', mentioned: { id: `28:${FAKE_APP_ID}` } }],
      };
      const before = connector.calls.length;
      const res = await send(activity, await signed());
      if (res.status !== 200) throw new Error(`diagnose: HTTP ${res.status}`);
      const report = connector.calls.slice(before).find((c) => c.kind === 'send');
      if (!report) throw new Error('no report was posted');
      return posted(report);
    },
    async click(user, on, verb, data, sign) {
      const res = await send(invokeActivity(connector.serviceUrl, user, on, verb, data), await signed(sign));
      const body = (res.json ?? {}) as Record<string, unknown>;
      const problems = invokeAnswerViolations(body);
      if (problems.length) throw new Error(`the invoke's card is not valid: ${problems.join('; ')}`);
      return { status: res.status, statusCode: body.statusCode, type: body.type, value: body.value };
    },
    async close() {
      await f.close();
      await connector.close();
      await issuer.close();
    },
  };
}
