import { isManifestSource, type EnvironmentConfig } from '../config/config.js';
import type { GitOpsPolicy } from '../config/remediation.js';
import type { OpenActionContext } from '../remediation/service.js';
import type { ClusterWritePort } from '../core/ports/cluster-write.js';
import { createLiveClusterWriter } from '../adapters/kubernetes/live-cluster.js';
import { openClusterAdmin } from '../adapters/redis/cluster-admin.js';
import { openRedisAdmin, redisAdminOptions } from '../adapters/redis/redis-admin.js';
import { openSentinelAdmin } from '../adapters/redis/sentinel-admin.js';
import { sentinelConnect } from '../adapters/redis/sentinel-options.js';
import { openGitHost } from '../adapters/git/open-git-host.js';
import type { GitHostPort } from '../core/ports/git-host.js';

/** The environment's Git host (`gitops`), or the reason it cannot be used (its token unset), for the preview to say. */
function gitHostOf(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): GitHostPort | Error | undefined {
  try {
    return openGitHost(env, processEnv);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * What the remediation actions need for one environment, opened per use: the Redis admin connection
 * (admin credentials when configured, no offline queue, no retries; on a Redis Cluster or Sentinel set one per node) and, for a live cluster, the
 * Kubernetes writer. An environment read from manifests has no writer: actions that need one say so
 * in their capability.
 */
export function actionContextOpener(opts: {
  processEnv: NodeJS.ProcessEnv;
  now: () => number;
  /** `remediation.gitops` (absent: its defaults). */
  gitops?: GitOpsPolicy;
}) {
  return (env: EnvironmentConfig): OpenActionContext => {
    const admin = redisAdminOptions(env, opts.processEnv);
    // A cluster's every master and replica: CONFIG SET is per node.
    // A Sentinel set's master and every replica, which may be promoted.
    const sentinel = sentinelConnect(env, opts.processEnv);
    const redis = env.redis.cluster
      ? openClusterAdmin(env, admin)
      : sentinel
        ? openSentinelAdmin(env, admin, sentinel)
        : openRedisAdmin(admin);
    let cluster: ClusterWritePort | undefined;
    const k = env.kubernetes;
    if (k && !isManifestSource(k)) {
      // The Kubernetes client is loaded on the writer's first request (live-cluster.ts).
      cluster = createLiveClusterWriter({
        ...(k.kubeconfig ? { kubeconfig: k.kubeconfig } : {}),
        ...(k.context ? { context: k.context } : {}),
        namespace: k.namespace,
        requestTimeoutMs: k.requestTimeoutMs,
        now: opts.now,
      });
    }
    const gitops = opts.gitops ? { gitops: opts.gitops } : {};
    const git = gitHostOf(env, opts.processEnv);
    return {
      ctx: { env, redis, ...(cluster ? { cluster } : {}), now: opts.now, ...gitops, ...(git ? { git } : {}) },
      close: () => redis.close(),
    };
  };
}
