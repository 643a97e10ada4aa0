import type { Registry } from 'prom-client';
import { openGitHost } from '../adapters/git/open-git-host.js';
import { UserError } from '../core/errors.js';
import { environmentOf, type Config, type EnvironmentConfig } from '../config/config.js';
import type { Feature } from '../core/feature.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { ChatPort, Postpone } from '../core/ports/chat.js';
import type { GitHostPort } from '../core/ports/git-host.js';
import type { StreamStore } from '../core/ports/stream-store.js';
import { createAudit } from '../remediation/audit.js';
import { pollTurn } from '../remediation/gitops/poll-turn.js';
import { createTrackedPullRequests } from '../remediation/gitops/tracked-pull-requests.js';
import { createOffers } from '../remediation/offers.js';
import type { RemediationDeps } from '../remediation/service.js';
import { gitopsFollowFeature } from './gitops-follow-feature.js';
import { webhookSecrets } from './gitops-webhook-route.js';

export interface GitopsFollowWiring {
  config: Config;
  store: CasStateStore;
  streams: StreamStore;
  metrics: Registry;
  chat: ChatPort;
  postpone?: Postpone;
  openContext: RemediationDeps['openContext'];
  /** The Git host adapter of an environment's `gitops` (GitHub, GitLab). */
  gitHostFor(env: EnvironmentConfig): GitHostPort;
  processEnv: NodeJS.ProcessEnv;
  logger: Logger;
  now: () => number;
}

/** Whether any environment makes its fixes' durable half a pull request. */
export const someEnvironmentHasGitops = (config: Config) =>
  Object.values(config.environments).some((e) => e.gitops !== undefined);

/**
 * The Feature following the GitOps fix requests, over the remediation's state store, audit stream and offers,
 * or undefined when no environment has `gitops`. A webhook secret env var named but unset stops start-up.
 */
export function gitopsFollowFor(w: GitopsFollowWiring): Feature | undefined {
  if (!someEnvironmentHasGitops(w.config)) return undefined;
  const logger = w.logger.child({ component: 'gitops-follow' });
  const hosts = new Map<string, GitHostPort>();
  const gitHostFor = (env: string) => {
    const host = hosts.get(env) ?? w.gitHostFor(environmentOf(w.config, env));
    hosts.set(env, host);
    return host;
  };
  const templateFingerprint = async (env: string, deployment: string) => {
    const open = w.openContext(environmentOf(w.config, env));
    try {
      return (await open.ctx.cluster?.readDeployment(deployment))?.templateFingerprint;
    } finally {
      await open.close().catch(() => undefined);
    }
  };
  const ttlMs = w.config.remediation.pendingTtlMinutes * 60_000;
  const everyMs = w.config.remediation.gitops.pollSeconds * 1000;
  const audit = createAudit({
    streams: w.streams,
    logger: w.logger.child({ component: 'audit' }),
    registry: w.metrics,
    now: w.now,
    environments: Object.keys(w.config.environments),
  });
  return gitopsFollowFeature({
    follow: {
      tracked: createTrackedPullRequests({ store: w.store, now: w.now }),
      gitHostFor,
      chat: w.chat,
      audit,
      offers: createOffers({ store: w.store, ttlMs, now: w.now }),
      templateFingerprint,
      ...(w.postpone ? { postpone: w.postpone } : {}),
      now: w.now,
      logger,
      pollTurn: pollTurn(w.store, everyMs),
    },
    everyMs,
    secrets: webhookSecrets(w.config, w.processEnv),
  });
}

/** The environment's Git host adapter (its token read now); a UserError for an environment without `gitops`. */
export function requiredGitHost(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): GitHostPort {
  const host = openGitHost(env, processEnv);
  if (!host)
    throw new UserError(`Environment "${env.name}" has no gitops section: no Git host to read.`, 'config_error');
  return host;
}
