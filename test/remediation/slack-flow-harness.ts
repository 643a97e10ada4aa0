import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { redisStreamStore } from '../../src/adapters/state/redis-stream-store.js';
import { openStateStore } from '../../src/adapters/state/open-state-store.js';
import { createLogger } from '../../src/core/logging.js';
import type { Bot } from '../../src/bot.js';
import type { TeamsSettings } from '../../src/config/teams-settings.js';
import { parseConfig } from '../../src/config/config.js';
import type { Logger } from '../../src/core/logging.js';
import { evictionPolicyCheck } from '../../src/diagnostics/checks/eviction-policy.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { STATE_KEY_PREFIX } from '../../src/core/ports/state-store.js';
import { auditEntrySchema, type AuditEntry } from '../../src/remediation/audit.js';
import type { RemediationAction } from '../../src/remediation/types.js';
import { startFakeKubeApi, type FakeKubeApi, type RecordedRequest } from '../fakes/kube-api.js';
import type { FakeSlackApi, SlackApiCall } from '../fakes/slack-api.js';
import { interactionRequest, sendSigned, type SentRequest, type SignedRequest } from '../fakes/slack-signing.js';
import { SIGNING_SECRET, startTestBot, type ClickOptions } from '../support/bot-harness.js';
import { NS, REDIS_CM, REDIS_CONF, seedCluster } from './actions/action-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

/** The signing secret of the bot the flow runs (the common harness's). */
export const SECRET = SIGNING_SECRET;
export const TEAM = 'T0FAKE';
/** Users: two SREs (request and approve), an on-call member through a user group, a stranger. */
export const SRE = 'U0SRE';
export const SRE2 = 'U0SRE2';
export const SRE3 = 'U0SRE3';
export const ONCALL = 'U0ONCALL';
export const STRANGER = 'U0STRANGER';
export const ONCALL_GROUP = 'S0ONCALL';
export const CHANNEL = 'C0INCIDENT';
export const OTHER_CHANNEL = 'C0RANDOM';

export { NS, REDIS_CM, REDIS_CONF };

/** The access section most tests use: SREs request and approve everything, on-call (a user group) requests. */
export function standardAccess(envs: readonly string[], extra: Record<string, unknown> = {}) {
  return {
    roles: { sre: { users: [SRE, SRE2, SRE3] }, oncall: { userGroups: [ONCALL_GROUP] } },
    channels: [CHANNEL],
    environments: Object.fromEntries(
      envs.map((e) => [e, { request: { '*': ['sre', 'oncall'] }, approve: { '*': ['sre'] }, ...extra }]),
    ),
  };
}

export interface FlowOptions {
  /** Environments by name: profile and (optional) a Redis URL other than the shared server. */
  envs?: Record<
    string,
    {
      profile: 'development' | 'production';
      redisUrl?: string;
      redis?: Record<string, unknown>;
      verify?: Record<string, unknown>;
      /** The environment's `gitops` section (the fix's pull request). */
      gitops?: Record<string, unknown>;
    }
  >;
  /** The `access` section; absent, the config has none. */
  access?: unknown;
  remediation?: {
    dryRun?: boolean;
    pendingTtlMinutes?: number;
    applyLeaseSeconds?: number;
    reconcileEverySeconds?: number;
    gitops?: { allowDirectPatch?: boolean; argocdNamespace?: string };
  };
  /** The bot's shutdown grace period (default the host's 20 s). */
  graceMs?: number;
  /** The bot's environment variables (credentials the config names); default none. */
  processEnv?: NodeJS.ProcessEnv;
  /** The remediation actions (default the bot's: ALL_ACTIONS). */
  actions?: readonly RemediationAction[];
  /** The bot's logger (default: the harness's captured logs).*/
  logger?: Logger;
  /** Alert replies and `POST /alertmanager` (posting in the incident channel), over the shared Redis. */
  alerts?: boolean;
  /** `slack.workspace` (Enterprise Grid: organization and workspaces); default none (the bot's own, auth.test). */
  workspace?: { enterpriseId?: string; teamIds: string[] };
  /**
   * A Redis of its own for the bot's state (pending requests, offers, the audit), opened as main.ts opens
   * STATE_REDIS_URL (so a test can stop it); default the shared redis-server.
   */
  stateUrl?: string;
  /** The Teams front end beside Slack (its endpoints on the test's fakes), and how long a click's invoke waits. */
  teams?: { settings: TeamsSettings; clickDeadlineMs?: number };
  /** `teams.alertChannel` (with `alerts` and `teams`): Alertmanager notifications are posted there too. */
  teamsAlertChannel?: string;
}

export interface Flow {
  slack: FakeSlackApi;
  kube: FakeKubeApi;
  /** A separate connection to the shared redis-server (the target of `dev`/`prod` and the state store). */
  redis: Redis;
  bot: Bot;
  baseUrl: string;
  /** The bot's clock: real time plus `skewMs`, which a test moves forward. */
  clock: { skewMs: number; now(): number };
  /** Resets Redis, the cluster and the fakes' records to the starting state (policy allkeys-lru). */
  reset(): Promise<void>;
  /** `/session-ttl diagnose <env>` by `user` in `channel`; resolves with the report's chat.postMessage. */
  diagnose(env: string, user?: string, channel?: string): Promise<SlackApiCall>;
  /** The request a click on `button` of the message `message` (a chat.postMessage call) would be. */
  clickRequest(
    user: string,
    button: Button,
    message: { channel: string; ts: string },
    channel?: string,
    identity?: Identity,
  ): SignedRequest;
  /** `POST /alertmanager` with the harness's token (with `alerts`). */
  alertmanager(body: unknown): Promise<{ status: number }>;
  /** A click signed for another workspace or Enterprise Grid organization, or on a reply in a thread. */
  clickAs(
    identity: Identity,
    user: string,
    button: Button,
    message: { channel: string; ts: string },
  ): Promise<SentRequest>;
  click(user: string, button: Button, message: { channel: string; ts: string }, channel?: string): Promise<SentRequest>;
  /** Submits a preview modal (as opened) unchanged, or with `policy` chosen. */
  submit(user: string, view: Record<string, any>, policy?: string): Promise<SentRequest>;
  /** Submits a modal with `values` by input name, each in the state shape of its input's element. */
  submitValues(user: string, view: Record<string, any>, values: Record<string, string>): Promise<SentRequest>;
  /**
   * Clicks the report's fix button for `action`: the modal opens at once ("Preparing the preview…") and is
   * then updated; resolves with that update's view (the preview, or a notice saying why there is none).
   */
  openPreview(user: string, report: SlackApiCall, action?: string, channel?: string): Promise<Record<string, any>>;
  /** Preview and submit as `user`; resolves with the message posted in the report's thread (applied or approval request). */
  requestFix(user: string, report: SlackApiCall, policy?: string): Promise<SlackApiCall>;
  /** What the person sees in the modal after a submission (`res`, acknowledged with a progress view): its blocks' text. */
  formAnswer(res: SentRequest): Promise<string>;
  /** The view that replaced the progress view after the submission `res`. */
  formView(res: SentRequest): Promise<Record<string, any>>;
  /** The ephemeral message the bot sent `user` (the first one matching). */
  ephemeral(user: string, predicate?: (text: string) => boolean): Promise<SlackApiCall>;
  /** How many CONFIG SET the server received since the last reset (INFO commandstats). */
  configSets(redis?: Redis): Promise<number>;
  /** CONFIG GET on the separate connection. */
  configGet(parameter: string, redis?: Redis): Promise<string>;
  /** The Redis ConfigMap's redis.conf as the fake stores it now. */
  conf(): string;
  patches(): RecordedRequest[];
  /** The audit stream of `env`, read from Redis directly, oldest first. */
  audit(env: string): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Who Slack signs a click for: its workspace (and the user's, when different) and organization. */
export type Identity = Pick<ClickOptions, 'team' | 'userTeam' | 'enterprise' | 'threadTs'>;

export interface Button {
  action_id: string;
  value: string;
  text?: { text: string };
}

/** The buttons of a Block Kit message. */
export function buttonsOf(call: SlackApiCall): Button[] {
  return ((call.body.blocks ?? []) as any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

export function buttonOf(call: SlackApiCall, actionId: string): Button {
  const b = buttonsOf(call).find((e) => e.action_id === actionId);
  if (!b) throw new Error(`no ${actionId} button in ${JSON.stringify(call.body.blocks)}`);
  return b;
}

/** A message's whole text as Slack would show it (top-level text and every block). */
export const textOf = (call: SlackApiCall | { body: Record<string, any> }) =>
  `${call.body.text ?? ''}\n${JSON.stringify(call.body.blocks ?? [])}`;

let clickSeq = 0;

/**
 * The real bot (the common harness, test/support/bot-harness.ts) over HTTP with remediation on the shared
 * Redis (its target and its state store), the fake Slack Web API and the fake Kubernetes API (reached
 * through a kubeconfig file, as in production). `dev` and `prod` name the shared redis-server unless
 * `envs` says otherwise.
 */
export async function startFlow(opts: FlowOptions = {}): Promise<Flow> {
  const kube = await startFakeKubeApi();
  const dir = mkdtempSync(join(tmpdir(), 'remediation-flow-'));
  const kubeconfig = join(dir, 'kubeconfig.json');
  writeFileSync(kubeconfig, kube.kubeConfig().exportConfig());
  const redis = await resetSharedRedis();
  const envs = opts.envs ?? { dev: { profile: 'development' }, prod: { profile: 'production' } };
  const clock = { skewMs: 0, now: () => Date.now() + clock.skewMs };
  const config = parseConfig(
    {
      environments: Object.fromEntries(
        Object.entries(envs).map(([name, e]) => [
          name,
          {
            profile: e.profile,
            redis: { url: e.redisUrl ?? sharedRedisUrl(), connectTimeoutMs: 2000, ...e.redis },
            kubernetes: { kubeconfig, namespace: NS },
            ...(e.verify ? { verify: e.verify } : {}),
            ...(e.gitops ? { gitops: e.gitops } : {}),
          },
        ]),
      ),
      slack: {
        incidentChannels: [CHANNEL],
        ...(opts.alerts ? { alertChannel: CHANNEL } : {}),
        ...(opts.workspace ? { workspace: opts.workspace } : {}),
      },
      ...(opts.access ? { access: opts.access } : {}),
      ...(opts.remediation ? { remediation: opts.remediation } : {}),
      ...(opts.teamsAlertChannel ? { teams: { alertChannel: opts.teamsAlertChannel } } : {}),
    },
    'test',
  );
  const ownState = opts.stateUrl
    ? openStateStore({ url: opts.stateUrl, logger: createLogger({ level: 'silent' }) })
    : undefined;
  const stateRedis = new Redis(sharedRedisUrl());
  // Reads the state Redis directly (the audit), and empties it at reset.
  const stateClient = opts.stateUrl ? new Redis(opts.stateUrl, { maxRetriesPerRequest: 1 }) : redis;
  stateClient.on('error', () => undefined);
  const state = ownState ?? { store: redisStateStore(stateRedis), streams: redisStreamStore(stateRedis) };
  // Requests are signed with the bot's clock, so they stay fresh when a test moves that clock forward.
  const running = await startTestBot({
    config,
    registry: createCheckRegistry([evictionPolicyCheck]),
    alerts: opts.alerts ? 'redis' : false,
    clock: clock.now,
    extra: {
      processEnv: opts.processEnv ?? {},
      remediation: { store: state.store, streams: state.streams, metrics: new Registry() },
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.actions ? { actions: opts.actions } : {}),
      ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
      ...(opts.teams ? { teams: { jwksCooldownMs: 0, clickDeadlineMs: opts.teams.clickDeadlineMs ?? 15_000 } } : {}),
    },
    ...(opts.teams ? { teams: opts.teams.settings } : {}),
  });
  const { bot, slack, url: baseUrl } = running;

  const submittedView = new WeakMap<SentRequest, string>();
  /** A view_submission of `view` with `values` as its state; the view gets an id of its own, as in Slack. */
  async function submitState(user: string, view: Record<string, any>, values: Record<string, unknown>) {
    const id = `V${++clickSeq}`;
    const payload = {
      type: 'view_submission',
      api_app_id: 'A0APP',
      user: { id: user, team_id: TEAM },
      team: { id: TEAM },
      view: { ...view, id, state: { values } },
    };
    const res = await sendSigned(interactionRequest(baseUrl, payload, running.signing()));
    submittedView.set(res, id);
    return res;
  }
  /** The view of the first views.update of modal `viewId` (what replaced "Preparing…" or the progress view). */
  async function updatedView(viewId: string): Promise<Record<string, any>> {
    const update = await slack.waitFor('views.update', (c) => c.body.view_id === viewId, 15_000);
    return update.body.view as Record<string, any>;
  }

  const flow: Flow = {
    slack,
    kube,
    redis,
    bot,
    baseUrl,
    clock,
    async reset() {
      await bot.idle();
      clock.skewMs = 0;
      await redis.flushall();
      if (stateClient !== redis) await stateClient.flushall();
      await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      kube.clearFaults();
      kube.setAccess(() => true);
      seedCluster(kube);
      kube.requests.length = 0;
      await redis.config('RESETSTAT');
      slack.reset();
    },
    async diagnose(env, user = SRE, channel = CHANNEL) {
      const before = slack.callsOf('chat.postMessage').length;
      const res = await running.slash(`diagnose ${env}`, `d${++clickSeq}`, channel, user);
      if (res.status !== 200) throw new Error(`diagnose: HTTP ${res.status}`);
      return slack.waitFor(
        'chat.postMessage',
        (c) =>
          slack.callsOf('chat.postMessage').indexOf(c) >= before &&
          c.body.channel === channel &&
          String(c.body.text).startsWith(`Session TTL diagnosis for ${env}`),
      );
    },
    clickRequest(user, button, message, channel = message.channel, identity = {}) {
      return running.clickRequest(button, { user, channel, ts: message.ts, ...identity });
    },
    alertmanager: (body) => running.alertmanager(body),
    clickAs(identity, user, button, message) {
      return sendSigned(flow.clickRequest(user, button, message, message.channel, identity));
    },
    click(user, button, message, channel) {
      return sendSigned(flow.clickRequest(user, button, message, channel));
    },
    submit(user, view, policy) {
      const values = policy
        ? { 'param:policy': { value: { type: 'static_select', selected_option: { value: policy } } } }
        : {};
      return submitState(user, view, values);
    },
    submitValues(user, view, values) {
      const state: Record<string, Record<string, unknown>> = {};
      for (const [name, value] of Object.entries(values)) {
        const block = (view.blocks as any[]).find((b) => b.block_id === `param:${name}`);
        if (!block) throw new Error(`no input ${name} in the modal`);
        const type = block.element.type as string;
        state[`param:${name}`] = {
          value: type === 'static_select' ? { type, selected_option: { value } } : { type, value },
        };
      }
      return submitState(user, view, state);
    },
    async openPreview(user, report, action = 'set-eviction-policy', channel) {
      const before = slack.callsOf('views.open').length;
      const res = await flow.click(user, buttonOf(report, `fix:${action}`), refOf(report), channel);
      if (res.status !== 200) throw new Error(`fix click: HTTP ${res.status}`);
      const opened = await slack.waitFor('views.open', (c) => slack.callsOf('views.open').indexOf(c) >= before);
      return updatedView(String(opened.response?.view?.id));
    },
    async requestFix(user, report, policy) {
      const view = await flow.openPreview(user, report);
      const before = slack.callsOf('chat.postMessage').length;
      const res = await flow.submit(user, view, policy);
      if (res.status !== 200) throw new Error(`submit: HTTP ${res.status}`);
      return slack.waitFor(
        'chat.postMessage',
        (c) => c.body.thread_ts === refOf(report).ts && slack.callsOf('chat.postMessage').indexOf(c) >= before,
      );
    },
    async formAnswer(res) {
      return JSON.stringify((await flow.formView(res)).blocks ?? []);
    },
    async formView(res) {
      if (res.status !== 200) throw new Error(`submit: HTTP ${res.status}`);
      if (res.json?.response_action !== 'update') throw new Error(`submit: no progress view in ${res.text}`);
      const viewId = submittedView.get(res);
      if (!viewId) throw new Error('not a submission sent by this harness');
      return updatedView(viewId);
    },
    ephemeral(user, predicate = () => true) {
      return slack.waitFor('chat.postEphemeral', (c) => c.body.user === user && predicate(textOf(c)));
    },
    async configSets(r = redis) {
      const info = await r.info('commandstats');
      return Number(/cmdstat_config\|set:calls=(\d+)/.exec(info)?.[1] ?? 0);
    },
    async configGet(parameter, r = redis) {
      return ((await r.config('GET', parameter)) as string[])[1] as string;
    },
    conf: () => kube.getConfigMap(REDIS_CM)?.data['redis.conf'] as string,
    patches: () => kube.requests.filter((r) => r.method === 'PATCH'),
    async audit(env) {
      const rows = await stateClient.xrange(`${STATE_KEY_PREFIX}remediation:audit:${env}`, '-', '+');
      return rows.map(([, fields]) => {
        const i = fields.indexOf('entry');
        return auditEntrySchema.parse(JSON.parse(fields[i + 1] as string));
      });
    },
    async close() {
      await running.close();
      await kube.stop();
      await ownState?.close();
      if (stateClient !== redis) stateClient.disconnect();
      stateRedis.disconnect();
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await flow.reset();
  return flow;
}

const tsOf = new WeakMap<SlackApiCall, string>();
let tsSeq = 0;

/**
 * The ref of a posted message, for clicks on its buttons: its channel and the ts the fake answered with
 * (a ts of its own for a message the fake did not answer, such as a response_url post).
 */
export function refOf(call: SlackApiCall): { channel: string; ts: string } {
  // The ts the fake answered with, as Slack's click payload carries it.
  const answered = call.response?.ts;
  if (typeof answered === 'string') return { channel: String(call.body.channel), ts: answered };
  if (!tsOf.has(call)) tsOf.set(call, `${1_700_000_000 + ++tsSeq}.000100`);
  return { channel: String(call.body.channel), ts: tsOf.get(call) as string };
}
