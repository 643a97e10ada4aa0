// The bot's features on one host. `main.ts` reads the settings and the config and calls this; tests and
// the benchmark build the same bot the same way.
import { trackOpenedPullRequest } from './remediation/gitops/track-opened.js';
import { createAlertsFeature, type AlertsFeatureDeps } from './alerts/alert-feature.js';
import type { BotSettings } from './config/bot-settings.js';
import type { Config, EnvironmentConfig } from './config/config.js';
import type { Logger } from './core/logging.js';
import type { Registry } from 'prom-client';
import { actionContextOpener } from './app/action-context.js';
import { reconcilerFeature } from './app/reconciler-feature.js';
import { gitopsFollowFor, requiredGitHost } from './app/gitops-follow-wiring.js';
import type { GitHostPort } from './core/ports/git-host.js';
import { gateEnvironments, type EnvironmentGateOptions } from './app/environment-gate.js';
import type { CasStateStore } from './core/ports/cas-state-store.js';
import type { QueueStore } from './core/ports/state-store.js';
import { memoryStateStore } from './adapters/state/memory-state-store.js';
import { createChatOutbox, type ChatOutbox } from './chat/slack/chat-outbox.js';
import { createIntakeGate } from './host/intake-gate.js';
import { JobQueue } from './host/job-queue.js';
import type { Jobs } from './core/jobs.js';
import type { StreamStore } from './core/ports/stream-store.js';
import { ALL_ACTIONS, type ActionRegistry } from './remediation/actions/index.js';
import { startupActionRegistry } from './app/action-registry.js';
import type { RemediationAction } from './remediation/types.js';
import { createAudit } from './remediation/audit.js';
import { createEnvLocks } from './remediation/lock.js';
import { createApplyJournals } from './remediation/journal.js';
import { createOffers } from './remediation/offers.js';
import { createPendingActions } from './remediation/pending.js';
import { accessPolicy, type InstalledWorkspace } from './remediation/policy.js';
import { createRemediation, type Remediation, type RemediationDeps } from './remediation/service.js';
import type { Sources } from './diagnostics/engine.js';
import type { CheckRegistry } from './diagnostics/registry.js';
import { createHost, type Feature, type Host } from './host/host.js';
import type { Probe } from './core/feature.js';
import { commandMetrics } from './commands/command-metrics.js';
import type { Command } from './commands/context.js';
import type { CommandRegistry } from './commands/registry.js';
import type { RenderOptions } from './chat/slack/render/block-kit.js';
import { createSlackFrontEnd, type SlackFrontEnd } from './chat/slack/slack-front-end.js';
import { slackOff } from './chat/slack/slack-off.js';
import { teamsFeature, type TeamsFrontEndOptions } from './chat/teams/teams-front-end.js';
import { teamsConnector } from './chat/teams/teams-connector.js';
import { COMMAND_NAME } from './chat/slack/command-context.js';
import { teamsAlerts } from './chat/teams/alerts/teams-alerts.js';
import type { AlertPlatform } from './alerts/alert-platform.js';
import type { AlertPostHandler } from './alerts/alert-post-flow.js';
import type { EngineDeps } from './diagnostics/engine.js';
import type { Message } from './core/message.js';
import { openCanaryRedis } from './adapters/redis/canary-redis.js';
import { botCommands, DEFAULT_COMMAND_DIAGNOSIS_CONCURRENCY } from './commands/bot-commands.js';
import { createDispatcher, type Dispatcher } from './commands/dispatch.js';
import { recheckReport } from './commands/recheck.js';
import { createFixCommands, reportMemory, threadMemory, type FixCommands } from './commands/fix/index.js';
import type { IntakeGate } from './core/intake.js';
import type { ChatPort, MessageRef, Postpone } from './core/ports/chat.js';
import type { ReportMessageOptions } from './render/report-message.js';

export interface BotDeps {
  settings: BotSettings;
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  /** Diagnoses per environment and in all (default 2 and 8, 8 waiting per environment): a stalled environment never holds up another. */
  diagnosisGate?: EnvironmentGateOptions;
  logger: Logger;
  now?: () => number;
  /** Retries of a failed Slack Web API request. Default 3; tests use 0. */
  webApiRetries?: number;
  webApiTimeoutMs?: number;
  /** Pauses between the tries of a post with an idempotency key (default: the client's backoff for `webApiRetries`). */
  postRetryDelaysMs?: readonly number[];
  /** Listen address (default all interfaces; tests use 127.0.0.1). */
  hostname?: string;
  render?: RenderOptions;
  /** Alert posts in `slack.incidentChannels` and `POST /alertmanager`; absent, neither is served. */
  alerts?: { stateStore: CasStateStore & QueueStore; alertmanagerToken?: string; retryDelaysMs?: readonly number[] };
  /**
   * The outbox of posts Slack refused through its retries (alert replies in the incident channels, slash
   * reports), posted later with backoff. Its store defaults to the alerts' state store, else memory; its pauses
   * to the config's `slack.outbox.delaysSeconds`.
   */
  outbox?: { store?: QueueStore; delaysMs?: readonly number[]; pollMs?: number };
  /**
   * The durable intake (Alertmanager notifications): kept in the alerts' state store until answered, taken
   * over by another replica when the one holding it stops renewing its lease (default 30 s).
   */
  jobs?: { leaseMs?: number; pollMs?: number };
  /** Where `verify` reads the env vars the config names; default process.env. */
  processEnv?: NodeJS.ProcessEnv;
  /** Commands beside the built-in ones (the monitor's `status`); a name that collides fails at construction. */
  extraCommands?: readonly Command[];
  extraFeatures?: readonly Feature[];
  /** Run after in-flight work drained at shutdown: close sources and stores. */
  onClose?: readonly (() => Promise<void>)[];
  /** Extra readiness probes (`/readyz`), e.g. the state store's PING. */
  readiness?: Readonly<Record<string, Probe>>;
  /** Liveness fails once the Socket Mode connection has been down this long (default 5 min). */
  connectionDownLimitMs?: number;
  /** Shutdown grace period for in-flight work (default 20 s). */
  graceMs?: number;
  /** After the grace period, how long interrupted work gets to say so in Slack (default 5 s). */
  lastWordsMs?: number;
  /** The `/metrics` registry: command latency and Slack API errors are recorded on it when given. */
  metrics?: Registry;
  /** Remediation (fix buttons, approvals, audit) over the shared state store; absent, reports only diagnose. */
  remediation?: {
    store: CasStateStore;
    streams: StreamStore;
    /** Where the audit counter is registered (the `/metrics` registry). */
    metrics: Registry;
    /** Default: the Redis admin connection and the Kubernetes writer of each environment. */
    openContext?: RemediationDeps['openContext'];
    /**
     * The Git host adapter of an environment's `gitops` (default the GitHub/GitLab adapters, `openGitHost`):
     * with an environment with `gitops`, the bot follows its fix requests (poll and webhooks) until merged or closed.
     */
    gitHostFor?: (env: EnvironmentConfig) => GitHostPort;
  };
  /**
   * The remediation actions (default `ALL_ACTIONS`), checked at start-up against the finding catalogue
   * and the config's `access` section; a test adds one by passing `[...ALL_ACTIONS, action]`.
   */
  actions?: readonly RemediationAction[];
  /** The Teams front end's I/O (tests: the JWKS cooldown); it runs when `settings.teams` is set. */
  teams?: Pick<TeamsFrontEndOptions, 'fetch' | 'jwksCooldownMs' | 'sleep' | 'clickDeadlineMs'>;
}

export interface Bot {
  /** The bot's commands, as every front end runs them. */
  commands: CommandRegistry;
  host: Host;
  start(): Promise<{ port: number }>;
  /** Stops intake, drains in-flight work within the grace period, then closes what `onClose` names. */
  stop(): Promise<{ drained: boolean }>;
  /** Resolves once no background work (diagnoses, alert replies) runs. */
  idle(): Promise<void>;
  /** Posts Slack refused, kept to post later; `flush()` tries the due ones now. */
  outbox: ChatOutbox;
}

export function createBot(deps: BotDeps): Bot {
  const now = deps.now ?? Date.now;
  // Before anything starts: an action naming an unknown finding, or access naming an unknown action, stops here.
  const actions = startupActionRegistry({
    actions: deps.actions ?? ALL_ACTIONS,
    checks: deps.registry.catalogue,
    config: deps.config,
  });
  // One gate for every request the host answers: diagnoses (alerts and commands) start behind the answers.
  const intake = createIntakeGate();
  const slack = slackFrontEnd(deps, now, intake);
  // Reports rendered outside a command (alert replies, re-checks) call the same on-call group.
  const report = { ...deps.render, ...(slack.onCall ? { onCall: slack.onCall } : {}) };
  const engine = {
    config: deps.config,
    registry: deps.registry,
    sourcesFor: gateEnvironments(deps.sourcesFor, deps.diagnosisGate),
    now,
  };
  const outbox = chatOutbox(deps, now, slack.chat, 'slack');
  const jobStore = deps.alerts?.stateStore ?? memoryStateStore();
  const jobs = jobQueue(deps, jobStore, now);
  const rem = remediationParts(deps, { slack, actions, now, engine, report, postpone: outbox.postpone });
  const fixes = rem && { reportActions: rem.service.reportActions, rememberReport: rem.rememberReport };
  const teams = teamsParts(deps, now);
  const alerts =
    deps.alerts &&
    alertsFeature(deps, deps.alerts, engine, {
      chat: slack.chat,
      postpone: outbox.postpone,
      intake,
      jobs,
      report,
      ...(fixes ? { fixes } : {}),
      ...(teams?.alerts ? { teams: teams.alerts.platform } : {}),
    });
  const commands = botCommands({
    ...engine,
    processEnv: deps.processEnv ?? process.env,
    openRedis: openCanaryRedis,
    postpone: outbox.postpone,
    limit: intake.limiter(DEFAULT_COMMAND_DIAGNOSIS_CONCURRENCY),
    ...(deps.render ? { report: deps.render } : {}),
    ...(rem ? { remediation: rem.service, rememberReport: rem.rememberReport } : {}),
    ...(deps.extraCommands ? { extra: deps.extraCommands } : {}),
  });
  const dispatcher = createDispatcher({ commands, ...(deps.metrics ? { metrics: commandMetrics(deps.metrics) } : {}) });
  const slackFeature = slack.feature({
    dispatcher,
    incidentChannels: deps.config.slack.incidentChannels,
    jobs: { jobs, store: jobStore },
    ...(alerts?.onAlertPost.slack ? { onAlertPost: alerts.onAlertPost.slack } : {}),
    ...(rem ? { fix: rem.fix } : {}),
  });
  const features = [
    slackFeature,
    ...teamsFeatures(
      deps,
      { dispatcher, now, intake, ...(rem ? { fix: rem.fix } : {}) },
      teams,
      alerts?.onAlertPost.teams,
    ),
    ...(alerts ? [alerts.feature] : []),
    jobs.feature(),
    ...(rem ? [rem.reconciler] : []),
    ...(rem?.gitopsFollow ? [rem.gitopsFollow] : []),
    outbox.feature,
    ...(teams?.outbox ? [teams.outbox.feature] : []),
    ...(deps.extraFeatures ?? []),
  ];
  return assemble(deps, [...features, closingFeature(deps)], { commands, outbox });
}

/**
 * A platform's outbox of posts it refused for now, over the alerts' state store (else memory), with the
 * config's pauses, counted in `/metrics` under its platform (`session_ttl_bot_chat_outbox_total{platform}`).
 */
function chatOutbox(deps: BotDeps, now: () => number, chat: ChatPort, platform: 'slack' | 'teams'): ChatOutbox {
  return createChatOutbox({
    store: deps.outbox?.store ?? deps.alerts?.stateStore ?? memoryStateStore(),
    chat,
    platform,
    logger: deps.logger,
    now,
    delaysMs: deps.outbox?.delaysMs ?? deps.config.slack.outbox.delaysSeconds.map((s) => s * 1000),
    ...(deps.outbox?.pollMs !== undefined ? { pollMs: deps.outbox.pollMs } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
}

/**
 * When TEAMS_APP_ID is set: the Bot Connector client (one per process: command replies and alert posts share
 * its token) and, when the alerts run, Teams as an alert platform (`teams.alertChannel`, incident channels).
 */
function teamsParts(deps: BotDeps, now: () => number) {
  const settings = deps.settings.teams;
  const { alertChannel, incidentChannels } = deps.config.teams;
  if (!settings && (alertChannel || incidentChannels.length))
    deps.logger.warn('the config names Teams channels (teams.*), but Teams is off: TEAMS_APP_ID is not set');
  if (!settings) return undefined;
  const connector = teamsConnector({ ...deps.teams, settings, now, logger: deps.logger.child({ component: 'teams' }) });
  const alerts =
    deps.alerts &&
    teamsAlerts({
      config: deps.config.teams,
      connector,
      stateStore: deps.alerts.stateStore,
      tenantId: settings.tenantId,
      webUrl: settings.webUrl,
      logger: deps.logger,
    });
  // Teams' own outbox: replies the connector refused for now (an outage, throttling) are posted again later.
  const outbox = alerts && chatOutbox(deps, now, alerts.platform.chat, 'teams');
  const withOutbox =
    alerts && outbox ? { ...alerts, platform: { ...alerts.platform, postpone: outbox.postpone } } : alerts;
  return { settings, connector, alerts: withOutbox, outbox };
}

/** The Teams front end beside Slack on the same host, with the alerts' part of its activities. */
function teamsFeatures(
  deps: BotDeps,
  o: { dispatcher: Dispatcher; now: () => number; intake: IntakeGate; fix?: FixCommands },
  teams: ReturnType<typeof teamsParts>,
  onAlertPost: AlertPostHandler | undefined,
): Feature[] {
  if (!teams) return [];
  const channelActivities = teams.alerts?.activities(onAlertPost);
  const { settings, connector } = teams;
  // Cards with per-person buttons are kept where the remediation keeps its state (shared by the replicas).
  const store = deps.remediation?.store ?? deps.alerts?.stateStore;
  return [
    teamsFeature({
      ...deps.teams,
      ...o,
      ...(store ? { store } : {}),
      settings,
      logger: deps.logger,
      connector,
      ...(channelActivities ? { channelActivities } : {}),
    }),
  ];
}

/** The durable intake over the alerts' state store (memory without one: a crash loses it, as start-up says). */
function jobQueue(deps: BotDeps, store: QueueStore, now: () => number): JobQueue {
  return new JobQueue({
    store,
    logger: deps.logger,
    now,
    ...(deps.jobs?.leaseMs !== undefined ? { leaseMs: deps.jobs.leaseMs } : {}),
    ...(deps.jobs?.pollMs !== undefined ? { pollMs: deps.jobs.pollMs } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
}

/**
 * Remediation when the bot has a state store for it: the flow, the fix use cases the buttons run, and
 * where reports that offer fixes are kept (so an applied fix can mark its report).
 */
function remediationParts(
  deps: BotDeps,
  o: {
    slack: SlackFrontEnd;
    actions: ActionRegistry;
    now: () => number;
    engine: EngineDeps;
    report: ReportMessageOptions;
    postpone: Postpone;
  },
) {
  if (!deps.remediation) return undefined;
  const { slack } = o;
  const remediationStore = deps.remediation.store;
  const service = buildRemediation(deps, deps.remediation, {
    actions: o.actions,
    now: o.now,
    installed: () => slack.installed(),
    threadLink: async (pendingId) => {
      const thread = await threadMemory(remediationStore).of(pendingId);
      return thread ? slack.chat.permalink({ channel: thread.channel, ts: thread.ts }) : undefined;
    },
  });
  const reports = reportMemory(remediationStore);
  const threads = threadMemory(remediationStore);
  const fix = createFixCommands({
    remediation: service,
    threads,
    reports,
    recheck: recheckReport(o.engine, o.report),
    trackPullRequest: (opened, context) =>
      trackOpenedPullRequest({ store: remediationStore, now: o.now }, opened, context),
  });
  const rememberReport = (ref: MessageRef, message: Message) => reports.remember(ref, message);
  const reconciler = reconcilerFeature(
    { remediation: service, threads, chat: slack.chat, logger: deps.logger.child({ component: 'reconciler' }) },
    deps.config.remediation.reconcileEverySeconds * 1000,
  );
  const gitopsFollow = gitopsFollowPart(deps, deps.remediation, slack.chat, o);
  return { service, fix, rememberReport, reconciler, gitopsFollow };
}

/** Following the GitOps fix requests (when an environment has `gitops`), over the remediation's state. */
function gitopsFollowPart(
  deps: BotDeps,
  r: NonNullable<BotDeps['remediation']>,
  chat: ChatPort,
  o: { now: () => number; postpone: Postpone },
) {
  const processEnv = deps.processEnv ?? process.env;
  return gitopsFollowFor({
    config: deps.config,
    store: r.store,
    streams: r.streams,
    metrics: r.metrics,
    chat,
    postpone: o.postpone,
    openContext: r.openContext ?? actionContextOpener({ processEnv, now: o.now }),
    gitHostFor: r.gitHostFor ?? ((env) => requiredGitHost(env, processEnv)),
    processEnv,
    logger: deps.logger,
    now: o.now,
  });
}

/** The Slack front end over the bot's settings; its replay guard shares the bot's state store when replicas do. */
function slackFrontEnd(deps: BotDeps, now: () => number, intake: IntakeGate): SlackFrontEnd {
  const { settings } = deps;
  // Teams only (no Slack credential set): a stand-in that refuses every Slack post and says Slack is off.
  if (settings.mode === 'teams-only') return slackOff(deps.logger);
  // main passes the same state store to remediation and alerts.
  const stateStore = deps.remediation?.store ?? deps.alerts?.stateStore;
  return createSlackFrontEnd({
    settings,
    logger: deps.logger,
    now,
    ...(deps.render ? { render: deps.render } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.webApiRetries !== undefined ? { webApiRetries: deps.webApiRetries } : {}),
    ...(deps.webApiTimeoutMs !== undefined ? { webApiTimeoutMs: deps.webApiTimeoutMs } : {}),
    ...(deps.postRetryDelaysMs ? { postRetryDelaysMs: deps.postRetryDelaysMs } : {}),
    ...(deps.connectionDownLimitMs !== undefined ? { connectionDownLimitMs: deps.connectionDownLimitMs } : {}),
    ...(deps.config.slack.onCallUserGroup ? { onCallUserGroup: deps.config.slack.onCallUserGroup } : {}),
    ...(stateStore ? { replayStore: stateStore } : {}),
    intake,
  });
}

/** The alert webhook and the incident-channel flow, posting through Slack's chat port and, when set, Teams'. */
function alertsFeature(
  deps: BotDeps,
  a: NonNullable<BotDeps['alerts']>,
  engine: Pick<BotDeps, 'config' | 'registry' | 'sourcesFor'> & { now: () => number },
  io: {
    chat: ChatPort;
    postpone: Postpone;
    intake: IntakeGate;
    jobs: Jobs;
    report: ReportMessageOptions;
    fixes?: AlertsFeatureDeps['fixes'];
    teams?: AlertPlatform;
  },
) {
  const slack: AlertPlatform = {
    name: 'slack',
    chat: io.chat,
    // Without Slack (Teams only) the config's Slack channels are not used.
    ...(deps.config.slack.alertChannel && deps.settings.mode !== 'teams-only'
      ? { alertChannel: deps.config.slack.alertChannel }
      : {}),
    alertChannelSetting: 'slack.alertChannel',
    invocation: COMMAND_NAME,
    postpone: io.postpone,
    render: io.report,
  };
  return createAlertsFeature({
    ...engine,
    platforms: [slack, ...(io.teams ? [io.teams] : [])],
    stateStore: a.stateStore,
    ...(a.alertmanagerToken ? { alertmanagerToken: a.alertmanagerToken } : {}),
    ...(a.retryDelaysMs ? { retryDelaysMs: a.retryDelaysMs } : {}),
    logger: deps.logger,
    intake: io.intake,
    jobs: io.jobs,
    ...(io.fixes ? { fixes: io.fixes } : {}),
  });
}

/** Closes what `onClose` names after the drain, and reports the config and the extra probes as readiness. */
function closingFeature(deps: BotDeps): Feature {
  return {
    name: 'close-sources',
    register: (host) => {
      deps.onClose?.forEach((c) => host.onClose(c));
      // Reaching this point means the config parsed; it is reported with what it holds.
      const envs = Object.keys(deps.config.environments);
      host.readiness('config', () => ({
        ok: envs.length > 0,
        detail: `${envs.length} environment(s): ${envs.join(', ')}`,
      }));
      for (const [name, probe] of Object.entries(deps.readiness ?? {})) host.readiness(name, probe);
    },
  };
}

/** The features on one host, and the bot's handle on it. */
function assemble(
  deps: BotDeps,
  features: readonly Feature[],
  parts: { commands: CommandRegistry; outbox: ChatOutbox },
): Bot {
  const host = createHost({
    features,
    logger: deps.logger,
    port: deps.settings.port,
    ...(deps.hostname ? { hostname: deps.hostname } : {}),
    ...(deps.graceMs !== undefined ? { graceMs: deps.graceMs } : {}),
    ...(deps.lastWordsMs !== undefined ? { lastWordsMs: deps.lastWordsMs } : {}),
  });
  return {
    ...parts,
    host,
    start: async () => {
      const started = await host.start();
      deps.logger.info({ port: started.port, mode: deps.settings.mode }, 'listening');
      return started;
    },
    stop: () => host.stop(),
    idle: () => host.work.idle(),
  };
}

/** The remediation flow over the shared state store: pending actions, locks, offers and the audit. */
function buildRemediation(
  deps: BotDeps,
  r: NonNullable<BotDeps['remediation']>,
  {
    actions,
    now,
    installed,
    threadLink,
  }: {
    threadLink: NonNullable<RemediationDeps['threadLink']>;
    actions: ActionRegistry;
    now: () => number;
    installed: () => InstalledWorkspace | undefined;
  },
): Remediation {
  const { config, logger } = deps;
  const ttlMs = config.remediation.pendingTtlMinutes * 60_000;
  return createRemediation({
    config,
    policy: accessPolicy(config, installed, deps.settings.teams?.tenantId),
    actions,
    openContext:
      r.openContext ??
      actionContextOpener({ processEnv: deps.processEnv ?? process.env, now, gitops: config.remediation.gitops }),
    store: r.store,
    offers: createOffers({ store: r.store, ttlMs, now }),
    pending: createPendingActions({ store: r.store, now, ttlMinutes: config.remediation.pendingTtlMinutes }),
    locks: createEnvLocks({ store: r.store, now }),
    journals: createApplyJournals({ store: r.store, now, leaseMs: config.remediation.applyLeaseSeconds * 1000 }),
    audit: createAudit({
      streams: r.streams,
      logger: logger.child({ component: 'audit' }),
      registry: r.metrics,
      now,
      environments: Object.keys(config.environments),
    }),
    threadLink,
    dryRun: config.remediation.dryRun,
    now,
    logger: logger.child({ component: 'remediation' }),
  });
}
