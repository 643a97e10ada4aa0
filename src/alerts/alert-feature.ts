import type { Config, EnvironmentConfig } from '../config/config.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { Sources } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import type { Feature } from '../core/feature.js';
import type { ChatPort } from '../core/ports/chat.js';
import type { ReportMessageOptions } from '../render/report-message.js';
import { alertKind } from './alert-kinds.js';
import { createAlertPostFlow, type AlertPostHandler } from './alert-post-flow.js';
import { alertPostJob, durableAlertPosts } from './alert-post-job.js';
import { createAlertReplier, type AlertReplier, type AlertReplierDeps, type Postpone } from './alert-replier.js';
import { alertmanagerRoute, DEFAULT_NOTIFICATION_CONCURRENCY } from './alertmanager-route.js';
import { createCooldownStore } from './cooldown-store.js';
import { createDeliveryDedupe } from './delivery-dedupe.js';
import { perKeyShare } from '../core/keyed-limiter.js';
import { DEFAULT_ALERT_DIAGNOSIS_CONCURRENCY, type Limiter } from './diagnosis-limit.js';
import type { IntakeGate } from '../core/intake.js';
import type { Jobs } from '../core/jobs.js';
import { createEnvironmentResolver, type EnvironmentResolver } from './environment-mapping.js';

export interface AlertsFeatureDeps {
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  chat: ChatPort;
  /** Dedupe, cooldowns and open incidents; a Redis store is shared by the replicas. */
  stateStore: CasStateStore;
  /** `ALERTMANAGER_TOKEN`; unset, `POST /alertmanager` answers 503. */
  alertmanagerToken?: string;
  logger: Logger;
  now: () => number;
  render?: ReportMessageOptions;
  /** Pauses between tries of an Alertmanager notification that Slack or the state store failed (see alertmanagerRoute). */
  retryDelaysMs?: readonly number[];
  /** Alert diagnoses running at once (default 4). */
  diagnosisConcurrency?: number;
  /** Keeps replies to alert posts that Slack refused, to post them later (the outbox). */
  postpone?: Postpone;
  /** The host's intake gate (shared with the chat platforms' requests). */
  intake: IntakeGate;
  /** The durable work queue: a notification is kept there before the webhook answers. */
  jobs: Jobs;
  /** Fix buttons on alert diagnoses, as on slash reports (remediation); absent, none. */
  fixes?: Pick<AlertReplierDeps, 'reportActions' | 'rememberReport'>;
}

export interface AlertsFeature {
  feature: Feature;
  /** Where a chat platform hands the alert posts it reads in the incident channels. */
  onAlertPost: AlertPostHandler;
}

/** An environment's share first (a stalled one holds at most its share), then a slot behind the intake. */
function diagnosisLimit(intake: IntakeGate, slots: number): Limiter {
  const share = perKeyShare(slots);
  const slot = intake.limiter(slots);
  return (work, key) => share(() => slot(work), key);
}

/** Alert posts read by a chat platform: the flow, run as a durable job (kind `alert-post`). */
function alertPostHandler(
  deps: AlertsFeatureDeps,
  o: { replier: AlertReplier; resolver: EnvironmentResolver; logger: Logger },
): AlertPostHandler {
  const routing = deps.config.slack.alertRouting;
  const flow = createAlertPostFlow({
    environments: Object.keys(deps.config.environments),
    labelKeys: routing.labelKeys,
    replier: o.replier,
    dedupe: createDeliveryDedupe({ store: deps.stateStore, now: deps.now }),
    resolver: o.resolver,
    kindOf: alertKind,
    now: deps.now,
    ...(deps.postpone ? { postpone: deps.postpone } : {}),
  });
  return durableAlertPosts(flow, deps.jobs.define(alertPostJob(flow, o.logger)));
}

/**
 * Alert replies: `POST /alertmanager` and the flow behind alert posts read by a chat platform, over one
 * replier and one state store. Throws at construction when `slack.alertRouting.aliases` names an
 * environment that does not exist.
 */
export function createAlertsFeature(deps: AlertsFeatureDeps): AlertsFeature {
  const logger = deps.logger.child({ component: 'alerts' });
  const { config, stateStore: store, now, chat } = deps;
  const routing = config.slack.alertRouting;
  const environments = Object.keys(config.environments);
  const resolver = createEnvironmentResolver({ environments, labelKeys: routing.labelKeys, aliases: routing.aliases });
  // Known once registered on the host; a diagnosis still running when the grace period ends says so.
  let interrupted: AbortSignal | undefined;
  // The webhook's answers go first: notifications and diagnoses start once requests stopped arriving.
  const { intake } = deps;
  const cooldowns = createCooldownStore({ store, cooldownMs: config.slack.alertCooldownMinutes * 60_000, now });
  const replier = createAlertReplier({
    config,
    registry: deps.registry,
    sourcesFor: deps.sourcesFor,
    now,
    chat,
    cooldowns,
    logger,
    interrupted: () => interrupted,
    limit: diagnosisLimit(intake, deps.diagnosisConcurrency ?? DEFAULT_ALERT_DIAGNOSIS_CONCURRENCY),
    ...(deps.render ? { render: deps.render } : {}),
    ...deps.fixes,
  });
  return {
    onAlertPost: alertPostHandler(deps, { replier, resolver, logger }),
    feature: {
      name: 'alerts',
      register(host) {
        interrupted = host.work.interrupted;
        host.route(
          alertmanagerRoute({
            ...(deps.alertmanagerToken ? { token: deps.alertmanagerToken } : {}),
            config,
            replier,
            chat,
            store,
            resolver,
            jobs: deps.jobs,
            logger,
            now,
            intake,
            limit: intake.limiter(DEFAULT_NOTIFICATION_CONCURRENCY),
            ...(deps.retryDelaysMs ? { retryDelaysMs: deps.retryDelaysMs } : {}),
          }),
        );
      },
    },
  };
}
