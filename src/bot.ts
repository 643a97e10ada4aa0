// The bot's features on one host. `main.ts` reads the settings and the config and calls this; tests and
// the benchmark build the same bot the same way.
import type { App } from '@slack/bolt';
import { createAlertsFeature } from './alerts/alert-feature.js';
import type { BotSettings } from './config/bot-settings.js';
import type { Config, EnvironmentConfig } from './config/config.js';
import type { Logger } from './core/logging.js';
import type { StateStore } from './core/ports/state-store.js';
import type { Sources } from './diagnostics/engine.js';
import type { CheckRegistry } from './diagnostics/registry.js';
import { createHost, type Feature, type Host } from './host/host.js';
import { createBoltApp } from './slack/bolt-app.js';
import type { Subcommand, SubcommandRegistry } from './slack/listeners/commands/subcommands.js';
import type { RenderOptions } from './slack/render/report-blocks.js';
import { createSlackFeature } from './slack/slack-feature.js';
import { slackChat } from './slack/slack-chat.js';

export interface BotDeps {
  settings: BotSettings;
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  logger: Logger;
  now?: () => number;
  /** Retries of a failed Slack Web API request. Default 3; tests use 0. */
  webApiRetries?: number;
  webApiTimeoutMs?: number;
  /** Listen address (default all interfaces; tests use 127.0.0.1). */
  hostname?: string;
  render?: RenderOptions;
  /** Alert posts in `slack.incidentChannels` and `POST /alertmanager`; absent, neither is served. */
  alerts?: { stateStore: StateStore; alertmanagerToken?: string };
  /** Where `verify` reads the env vars the config names; default process.env. */
  processEnv?: NodeJS.ProcessEnv;
  extraSubcommands?: readonly Subcommand<any>[];
  extraFeatures?: readonly Feature[];
  /** Run after in-flight work drained at shutdown: close sources and stores. */
  onClose?: readonly (() => Promise<void>)[];
  /** Shutdown grace period for in-flight work (default 20 s). */
  graceMs?: number;
}

export interface Bot {
  app: App;
  subcommands: SubcommandRegistry;
  host: Host;
  start(): Promise<{ port: number }>;
  /** Stops intake, drains in-flight work within the grace period, then closes what `onClose` names. */
  stop(): Promise<{ drained: boolean }>;
  /** Resolves once no background work (diagnoses, alert replies) runs. */
  idle(): Promise<void>;
}

export function createBot(deps: BotDeps): Bot {
  const now = deps.now ?? Date.now;
  const bolt = createBoltApp({
    settings: deps.settings,
    logger: deps.logger,
    ...(deps.webApiRetries !== undefined ? { webApiRetries: deps.webApiRetries } : {}),
    ...(deps.webApiTimeoutMs !== undefined ? { webApiTimeoutMs: deps.webApiTimeoutMs } : {}),
  });
  const engine = { config: deps.config, registry: deps.registry, sourcesFor: deps.sourcesFor };
  const alerts =
    deps.alerts &&
    createAlertsFeature({
      ...engine,
      chat: slackChat(bolt.app.client, deps.render),
      stateStore: deps.alerts.stateStore,
      ...(deps.alerts.alertmanagerToken ? { alertmanagerToken: deps.alerts.alertmanagerToken } : {}),
      logger: deps.logger,
      now,
      ...(deps.render ? { render: deps.render } : {}),
    });
  const slack = createSlackFeature({
    ...engine,
    bolt,
    settings: deps.settings,
    logger: deps.logger,
    now,
    processEnv: deps.processEnv ?? process.env,
    ...(alerts ? { onAlertPost: alerts.onAlertPost } : {}),
    ...(deps.extraSubcommands ? { extraSubcommands: deps.extraSubcommands } : {}),
    ...(deps.render ? { render: deps.render } : {}),
  });
  const closing: Feature = {
    name: 'close-sources',
    register: (host) => deps.onClose?.forEach((c) => host.onClose(c)),
  };
  const host = createHost({
    features: [slack.feature, ...(alerts ? [alerts.feature] : []), ...(deps.extraFeatures ?? []), closing],
    logger: deps.logger,
    port: deps.settings.port,
    ...(deps.hostname ? { hostname: deps.hostname } : {}),
    ...(deps.graceMs !== undefined ? { graceMs: deps.graceMs } : {}),
  });
  return {
    app: bolt.app,
    subcommands: slack.subcommands,
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
