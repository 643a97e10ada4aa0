import type { Feature } from '../core/feature.js';
import { followOnce, recheckNamed, type FollowDeps } from '../remediation/gitops/follow-pull-requests.js';
import { gitopsWebhookRoute, type WebhookSecret } from './gitops-webhook-route.js';
import { periodicWorker } from './periodic-worker.js';

export interface GitopsFollowFeatureDeps {
  follow: FollowDeps;
  /** `remediation.gitops.pollSeconds`, in ms. */
  everyMs: number;
  /** The environments' webhook secrets (`webhookSecrets(config, env)`); none, the routes answer 503 and the bot polls. */
  secrets: readonly WebhookSecret[];
  maxBodyBytes?: number;
}

/**
 * Following the GitOps fix requests, on every replica: a look every `everyMs` (and at start-up) at each open
 * request's state through the Git host's API (by one replica a round: `pollTurn`), and `POST /gitops/github` / `POST /gitops/gitlab`, the
 * providers' signed webhooks, which make the read immediate. Whichever replica settles a request announces
 * it; a look in flight is drained at shutdown.
 */
export function gitopsFollowFeature(deps: GitopsFollowFeatureDeps): Feature {
  const { follow } = deps;
  return {
    name: 'gitops-follow',
    register(host) {
      const recheck: Parameters<typeof gitopsWebhookRoute>[1]['recheck'] = (key) =>
        host.work.run(() => recheckNamed(follow, key));
      for (const provider of ['github', 'gitlab'] as const)
        host.route(
          gitopsWebhookRoute(provider, {
            secrets: deps.secrets,
            recheck,
            logger: follow.logger,
            ...(deps.maxBodyBytes !== undefined ? { maxBodyBytes: deps.maxBodyBytes } : {}),
          }),
        );
      periodicWorker(host, {
        name: 'gitops-follow',
        everyMs: deps.everyMs,
        look: () => followOnce(follow),
        onError: (err) => follow.logger.error({ err }, 'GitOps requests: a look failed'),
      });
    },
  };
}
