import type { Config, EnvironmentConfig } from '../config/config.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { Sources } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import type { Feature } from '../core/feature.js';
import type { AlertPlatform } from './alert-platform.js';
import type { AlertPostHandler } from './alert-post-flow.js';
import type { AlertReplierDeps } from './alert-replier.js';
import { alertmanagerRoute, DEFAULT_NOTIFICATION_CONCURRENCY } from './alertmanager-route.js';
import { perKeyShare } from '../core/keyed-limiter.js';
import { DEFAULT_ALERT_DIAGNOSIS_CONCURRENCY, type Limiter } from './diagnosis-limit.js';
import type { IntakeGate } from '../core/intake.js';
import type { Jobs } from '../core/jobs.js';
import { createEnvironmentResolver } from './environment-mapping.js';
import { notificationTarget } from './notification-target.js';
import { platformAnswers } from './platform-answers.js';
import { createSharedDiagnoses, DEFAULT_SHARED_DIAGNOSIS_TTL_MS } from './shared-diagnosis.js';

export type { Postpone } from './alert-replier.js';

export interface AlertsFeatureDeps {
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  /** The chat platforms alerts are answered on (Slack, and Teams when it is configured). */
  platforms: readonly AlertPlatform[];
  /** Dedupe, cooldowns and open incidents; a Redis store is shared by the replicas. */
  stateStore: CasStateStore;
  /** `ALERTMANAGER_TOKEN`; unset, `POST /alertmanager` answers 503. */
  alertmanagerToken?: string;
  logger: Logger;
  now: () => number;
  /** Pauses between tries of an Alertmanager notification that the chat platform or the state store failed. */
  retryDelaysMs?: readonly number[];
  /** Alert diagnoses running at once (default 4). */
  diagnosisConcurrency?: number;
  /** The host's intake gate (shared with the chat platforms' requests). */
  intake: IntakeGate;
  /** The durable work queue: a notification is kept there before the webhook answers. */
  jobs: Jobs;
  /** Fix buttons on alert diagnoses, as on slash reports (remediation); absent, none. */
  fixes?: Pick<AlertReplierDeps, 'reportActions' | 'rememberReport'>;
}

export interface AlertsFeature {
  feature: Feature;
  /** Where each chat platform hands the alert posts it reads in its incident channels. */
  onAlertPost: Partial<Record<AlertPlatform['name'], AlertPostHandler>>;
}

/** An environment's share first (a stalled one holds at most its share), then a slot behind the intake. */
function diagnosisLimit(intake: IntakeGate, slots: number): Limiter {
  const share = perKeyShare(slots);
  const slot = intake.limiter(slots);
  return (work, key) => share(() => slot(work), key);
}

/**
 * With Slack and Teams both answering: one diagnosis of an alert for both (each keeps its own cooldown and
 * posts its own reply), shared through the state store for `alerts.cooldownMinutes`, at most 2 minutes.
 */
function sharedDiagnoses(deps: AlertsFeatureDeps) {
  if (deps.platforms.length < 2) return {};
  const ttlMs = Math.min(DEFAULT_SHARED_DIAGNOSIS_TTL_MS, deps.config.alerts.cooldownMinutes * 60_000);
  return { shared: createSharedDiagnoses({ store: deps.stateStore, ttlMs }) };
}

/**
 * Alert replies: `POST /alertmanager` and the flow behind alert posts read by a chat platform, one replier
 * per platform over one state store (each platform in its own key space). Throws at construction when
 * `alerts.routing.aliases` names an environment that does not exist.
 */
export function createAlertsFeature(deps: AlertsFeatureDeps): AlertsFeature {
  const logger = deps.logger.child({ component: 'alerts' });
  const { config, now, intake } = deps;
  const { routing, aliasesKey } = config.alerts;
  const environments = Object.keys(config.environments);
  const resolver = createEnvironmentResolver({ environments, ...routing, aliasesKey });
  // Known once registered on the host; a diagnosis still running when the grace period ends says so.
  let interrupted: AbortSignal | undefined;
  // The webhook's answers go first: notifications and diagnoses start once requests stopped arriving.
  const limit = diagnosisLimit(intake, deps.diagnosisConcurrency ?? DEFAULT_ALERT_DIAGNOSIS_CONCURRENCY);
  const common = { ...deps, resolver, logger, limit, interrupted: () => interrupted, ...sharedDiagnoses(deps) };
  const answers = deps.platforms.map((p) => platformAnswers(common, p));
  return {
    onAlertPost: Object.fromEntries(answers.map((a) => [a.platform.name, a.onAlertPost])),
    feature: {
      name: 'alerts',
      register(host) {
        interrupted = host.work.interrupted;
        const notifications = intake.limiter(DEFAULT_NOTIFICATION_CONCURRENCY);
        const path = '/alertmanager';
        const targets = answers.map((a) =>
          notificationTarget(a.platform, {
            ...a,
            config,
            resolver,
            jobs: deps.jobs,
            logger: a.logger.child({ path }),
            now,
            limit: notifications,
            ...(deps.retryDelaysMs ? { retryDelaysMs: deps.retryDelaysMs } : {}),
          }),
        );
        host.route(
          alertmanagerRoute({
            ...(deps.alertmanagerToken ? { token: deps.alertmanagerToken } : {}),
            targets,
            logger,
            path,
            intake,
          }),
        );
      },
    },
  };
}
