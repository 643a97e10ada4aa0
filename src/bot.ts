// The bot's features on one host. `main.ts` reads the settings and the config and calls this; tests and
// the benchmark build the same bot the same way.
import type { App } from '@slack/bolt';
import { createAlertsFeature } from './alerts/alert-feature.js';
import type { BotSettings } from './config/bot-settings.js';
import type { Config, EnvironmentConfig } from './config/config.js';
import type { Logger } from './core/logging.js';
import type { Registry } from 'prom-client';
import { actionContextOpener } from './app/action-context.js';
import { gateEnvironments, type EnvironmentGateOptions } from './app/environment-gate.js';
import { slackMetrics } from './chat/slack/slack-metrics.js';
import type { CasStateStore } from './core/ports/cas-state-store.js';
import type { QueueStore, StateStore } from './core/ports/state-store.js';
import { memoryStateStore } from './adapters/state/memory-state-store.js';
import { createChatOutbox, type ChatOutbox } from './chat/slack/chat-outbox.js';
import { createIntakeGate } from './host/intake-gate.js';
import type { StreamStore } from './core/ports/stream-store.js';
import { createActionRegistry } from './remediation/actions/index.js';
import { createAudit } from './remediation/audit.js';
import { createEnvLocks } from './remediation/lock.js';
import { createOffers } from './remediation/offers.js';
import { createPendingActions } from './remediation/pending.js';
import { accessPolicy } from './remediation/policy.js';
import { createRemediation, type Remediation, type RemediationDeps } from './remediation/service.js';
import { slackGroupMembership } from './chat/slack/user-groups.js';
import type { Sources } from './diagnostics/engine.js';
import type { CheckRegistry } from './diagnostics/registry.js';
import { createHost, type Feature, type Host } from './host/host.js';
import type { Probe } from './core/feature.js';
import { createBoltApp } from './chat/slack/bolt-app.js';
import { commandMetrics } from './commands/command-metrics.js';
import type { Command } from './commands/context.js';
import type { CommandRegistry } from './commands/registry.js';
import type { RenderOptions } from './chat/slack/render/block-kit.js';
import { createSlackFeature } from './chat/slack/slack-feature.js';
import { slackChat } from './chat/slack/slack-chat.js';

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
  /** Listen address (default all interfaces; tests use 127.0.0.1). */
  hostname?: string;
  render?: RenderOptions;
  /** Alert posts in `slack.incidentChannels` and `POST /alertmanager`; absent, neither is served. */
  alerts?: { stateStore: StateStore & QueueStore; alertmanagerToken?: string; retryDelaysMs?: readonly number[] };
  /**
   * The outbox of posts Slack refused through its retries (alert replies in the incident channels, slash
   * reports), posted later with backoff. Its store defaults to the alerts' state store, else memory.
   */
  outbox?: { store?: QueueStore; delaysMs?: readonly number[]; pollMs?: number };
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
  };
}

export interface Bot {
  app: App;
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
  const bolt = createBoltApp({
    settings: deps.settings,
    logger: deps.logger,
    ...(deps.webApiRetries !== undefined ? { webApiRetries: deps.webApiRetries } : {}),
    ...(deps.webApiTimeoutMs !== undefined ? { webApiTimeoutMs: deps.webApiTimeoutMs } : {}),
  });
  const engine = {
    config: deps.config,
    registry: deps.registry,
    sourcesFor: gateEnvironments(deps.sourcesFor, deps.diagnosisGate),
  };
  // One gate for every request the host answers: diagnoses (alerts and slash commands) start behind the answers.
  const intake = createIntakeGate();
  const outbox = createChatOutbox({
    store: deps.outbox?.store ?? deps.alerts?.stateStore ?? memoryStateStore(),
    chat: slackChat(bolt.app.client, deps.render),
    logger: deps.logger,
    now,
    ...(deps.outbox?.delaysMs ? { delaysMs: deps.outbox.delaysMs } : {}),
    ...(deps.outbox?.pollMs !== undefined ? { pollMs: deps.outbox.pollMs } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const alerts =
    deps.alerts &&
    createAlertsFeature({
      ...engine,
      chat: slackChat(bolt.app.client, deps.render),
      stateStore: deps.alerts.stateStore,
      ...(deps.alerts.alertmanagerToken ? { alertmanagerToken: deps.alerts.alertmanagerToken } : {}),
      ...(deps.alerts.retryDelaysMs ? { retryDelaysMs: deps.alerts.retryDelaysMs } : {}),
      logger: deps.logger,
      now,
      postpone: outbox.postpone,
      intake,
      ...(deps.render ? { render: deps.render } : {}),
    });
  const remediation = deps.remediation && buildRemediation(deps, deps.remediation, bolt.app.client, now);
  const slack = createSlackFeature({
    ...engine,
    bolt,
    settings: deps.settings,
    logger: deps.logger,
    now,
    processEnv: deps.processEnv ?? process.env,
    ...(alerts ? { onAlertPost: alerts.onAlertPost } : {}),
    postpone: outbox.postpone,
    intake,
    ...(deps.extraCommands ? { extraCommands: deps.extraCommands } : {}),
    ...(deps.render ? { render: deps.render } : {}),
    ...(deps.metrics ? { metrics: slackMetrics(deps.metrics), commandMetrics: commandMetrics(deps.metrics) } : {}),
    ...(deps.connectionDownLimitMs !== undefined ? { connectionDownLimitMs: deps.connectionDownLimitMs } : {}),
    ...(remediation && deps.remediation
      ? { remediation: { service: remediation, store: deps.remediation.store, dryRun: deps.config.remediation.dryRun } }
      : {}),
  });
  const closing: Feature = {
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
  const host = createHost({
    features: [
      slack.feature,
      ...(alerts ? [alerts.feature] : []),
      outbox.feature,
      ...(deps.extraFeatures ?? []),
      closing,
    ],
    logger: deps.logger,
    port: deps.settings.port,
    ...(deps.hostname ? { hostname: deps.hostname } : {}),
    ...(deps.graceMs !== undefined ? { graceMs: deps.graceMs } : {}),
    ...(deps.lastWordsMs !== undefined ? { lastWordsMs: deps.lastWordsMs } : {}),
  });
  return {
    app: bolt.app,
    commands: slack.commands,
    host,
    start: async () => {
      const started = await host.start();
      deps.logger.info({ port: started.port, mode: deps.settings.mode }, 'listening');
      return started;
    },
    stop: () => host.stop(),
    idle: () => host.work.idle(),
    outbox,
  };
}

/** The remediation flow over the shared state store: pending actions, locks, offers and the audit. */
function buildRemediation(
  deps: BotDeps,
  r: NonNullable<BotDeps['remediation']>,
  client: App['client'],
  now: () => number,
): Remediation {
  const { config, logger } = deps;
  const ttlMs = config.remediation.pendingTtlMinutes * 60_000;
  return createRemediation({
    config,
    policy: accessPolicy(config),
    actions: createActionRegistry(),
    openContext: r.openContext ?? actionContextOpener({ processEnv: deps.processEnv ?? process.env, now }),
    store: r.store,
    offers: createOffers({ store: r.store, ttlMs, now }),
    pending: createPendingActions({ store: r.store, now, ttlMinutes: config.remediation.pendingTtlMinutes }),
    locks: createEnvLocks({ store: r.store, now }),
    audit: createAudit({
      streams: r.streams,
      logger: logger.child({ component: 'audit' }),
      registry: r.metrics,
      now,
      environments: Object.keys(config.environments),
    }),
    membership: slackGroupMembership(client, { now }),
    actionsOf: (id) => deps.registry.catalogue.actionsOf(id),
    dryRun: config.remediation.dryRun,
    now,
    logger: logger.child({ component: 'remediation' }),
  });
}
