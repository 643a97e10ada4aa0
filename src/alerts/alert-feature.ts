import type { webApi } from '@slack/bolt';
import { createEnvironmentResolver } from './environment-mapping.js';
import type { Config, EnvironmentConfig } from '../config/config.js';
import type { Sources } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import type { Logger } from '../core/logging.js';
import type { RenderOptions } from '../slack/render/report-blocks.js';
import { alertmanagerRoute } from './alertmanager-route.js';
import type { Route } from '../host/http-server.js';
import { createAlertListener } from '../slack/listeners/messages/alert-listener.js';
import { createAlertReplier } from './alert-replier.js';
import { createCooldownStore } from './cooldown-store.js';
import { createDeliveryDedupe } from './delivery-dedupe.js';
import { createInFlight, type InFlight } from '../host/in-flight.js';
import { webClientChat } from '../slack/slack-chat.js';
import type { StateStore } from '../core/ports/state-store.js';

/** What the bot needs for alert replies beyond the diagnosis engine. */
export interface AlertOptions {
  /** Dedupe, cooldowns and open incidents; a Redis store is shared by the replicas. */
  stateStore: StateStore;
  /** `ALERTMANAGER_TOKEN`; unset, `POST /alertmanager` answers 503. */
  alertmanagerToken?: string;
}

export interface AlertHandlingDeps extends AlertOptions {
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  client: webApi.WebClient;
  logger: Logger;
  now: () => number;
  render?: RenderOptions;
}

export interface AlertHandling {
  listener: ReturnType<typeof createAlertListener>;
  route: Route;
  inFlight: InFlight;
}

/**
 * Builds the incident-channel listener and the `/alertmanager` route over one replier, one state store
 * and one set of background work. Throws at start-up when `slack.alertRouting.aliases` names an
 * environment that does not exist.
 */
export function createAlertHandling(deps: AlertHandlingDeps): AlertHandling {
  const logger = deps.logger.child({ component: 'alerts' });
  const { config, stateStore: store, now } = deps;
  const resolver = createEnvironmentResolver({
    environments: Object.keys(config.environments),
    labelKeys: config.slack.alertRouting.labelKeys,
    aliases: config.slack.alertRouting.aliases,
  });
  const chat = webClientChat(deps.client);
  const cooldowns = createCooldownStore({ store, cooldownMs: config.slack.alertCooldownMinutes * 60_000, now });
  const replier = createAlertReplier({
    config,
    registry: deps.registry,
    sourcesFor: deps.sourcesFor,
    now,
    chat,
    cooldowns,
    logger,
    ...(deps.render ? { render: deps.render } : {}),
  });
  const inFlight = createInFlight();
  const listener = createAlertListener({
    config,
    replier,
    dedupe: createDeliveryDedupe({ store, now }),
    resolver,
    inFlight,
    logger,
    now,
  });
  const route = alertmanagerRoute({
    ...(deps.alertmanagerToken ? { token: deps.alertmanagerToken } : {}),
    config,
    replier,
    chat,
    store,
    resolver,
    inFlight,
    logger,
    now,
  });
  return { listener, route, inFlight };
}
