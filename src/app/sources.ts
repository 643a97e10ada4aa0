import type { EnvironmentConfig } from '../config/config.js';
import { clusterFromConfig } from '../adapters/kubernetes/cluster-from-config.js';
import { openSessionStore, type OpenSessionStore } from '../adapters/redis/redis-store.js';
import type { ClusterPort } from '../core/ports/cluster.js';
import type { Sources } from '../core/ports/sources.js';
import { appClockReader } from '../adapters/app/app-clock.js';

/** One session store and one cluster client per environment, opened on first use and closed together. */
export interface SourceCache {
  sourcesFor: (env: EnvironmentConfig) => Sources;
  close: () => Promise<void>;
}

/** A cluster whose client could not be built (bad kubeconfig): each read fails with that error. */
function failingCluster(err: unknown): ClusterPort {
  const fail = async (): Promise<never> => {
    throw err;
  };
  return { description: 'unavailable', readConfigMap: fail, listPods: fail };
}

function openCluster(env: EnvironmentConfig): ClusterPort {
  try {
    return clusterFromConfig(env.kubernetes!);
  } catch (err) {
    // Reported by the checks that need the cluster, so the Redis checks still run.
    return failingCluster(err);
  }
}

export function createSourceCache(processEnv: NodeJS.ProcessEnv): SourceCache {
  const stores = new Map<string, OpenSessionStore>();
  const clusters = new Map<string, ClusterPort>();
  const appClock = appClockReader();
  return {
    sourcesFor(env) {
      let redis = stores.get(env.name);
      if (!redis) {
        redis = openSessionStore(env, processEnv);
        stores.set(env.name, redis);
      }
      let cluster = clusters.get(env.name);
      if (!cluster && env.kubernetes) {
        cluster = openCluster(env);
        clusters.set(env.name, cluster);
      }
      return { redis, ...(cluster ? { cluster } : {}), appClock };
    },
    async close() {
      await Promise.all([...stores.values()].map((s) => s.close()));
      stores.clear();
      clusters.clear();
    },
  };
}
