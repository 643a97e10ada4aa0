import type { Config, EnvironmentConfig } from '../config/config.js';
import type { Jobs } from '../core/jobs.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import { scopedStateStore } from '../core/scoped-state-store.js';
import type { Sources } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import { alertKind } from './alert-kinds.js';
import { platformJobKind, platformScope, type AlertPlatform } from './alert-platform.js';
import { createAlertPostFlow, type AlertPostHandler } from './alert-post-flow.js';
import { alertPostJob, durableAlertPosts } from './alert-post-job.js';
import { createAlertReplier, type AlertReplier, type AlertReplierDeps } from './alert-replier.js';
import { createCooldownStore } from './cooldown-store.js';
import { createDeliveryDedupe } from './delivery-dedupe.js';
import type { Limiter } from './diagnosis-limit.js';
import type { EnvironmentResolver } from './environment-mapping.js';
import type { SharedDiagnoses } from './shared-diagnosis.js';

/** What every platform's answers share: the engine, the state store, the bounds and the queue. */
export interface SharedAnswerDeps {
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  stateStore: CasStateStore;
  now: () => number;
  jobs: Jobs;
  resolver: EnvironmentResolver;
  logger: Logger;
  /** Alert diagnoses at once, over all platforms. */
  limit: Limiter;
  /** Known once the feature is registered on the host: a diagnosis still running at the end of the grace period says so. */
  interrupted: () => AbortSignal | undefined;
  fixes?: Pick<AlertReplierDeps, 'reportActions' | 'rememberReport'>;
  /** With several platforms: an alert's diagnosis run once and shown on each. */
  shared?: SharedDiagnoses;
}

/** One platform's side of the alerts: its key space, its replier, and the handler of its alert posts. */
export interface PlatformAnswers {
  platform: AlertPlatform;
  store: CasStateStore;
  replier: AlertReplier;
  onAlertPost: AlertPostHandler;
  logger: Logger;
}

/**
 * The replier of one platform (its chat port, its own cooldowns and incidents) and the flow behind the alert
 * posts it reads in its incident channels, run as a durable job (`alert-post`, `alert-post:teams`).
 */
export function platformAnswers(d: SharedAnswerDeps, p: AlertPlatform): PlatformAnswers {
  const store = scopedStateStore(d.stateStore, platformScope(p));
  const logger = p.name === 'slack' ? d.logger : d.logger.child({ platform: p.name });
  const { config, now } = d;
  const cooldowns = createCooldownStore({ store, cooldownMs: config.alerts.cooldownMinutes * 60_000, now });
  const replier = createAlertReplier({
    config,
    registry: d.registry,
    sourcesFor: d.sourcesFor,
    now,
    chat: p.chat,
    cooldowns,
    logger,
    interrupted: d.interrupted,
    limit: d.limit,
    invocation: p.invocation,
    ...(d.shared ? { shared: d.shared } : {}),
    ...(p.render ? { render: p.render } : {}),
    ...d.fixes,
  });
  const flow = createAlertPostFlow({
    environments: Object.keys(config.environments),
    labelKeys: config.alerts.routing.labelKeys,
    replier,
    dedupe: createDeliveryDedupe({ store, now }),
    resolver: d.resolver,
    kindOf: alertKind,
    now,
    ...(p.postpone ? { postpone: p.postpone } : {}),
  });
  const submit = d.jobs.define(alertPostJob(flow, logger, platformJobKind('alert-post', p)));
  return { platform: p, store, replier, onAlertPost: durableAlertPosts(flow, submit), logger };
}
