import type { EnvironmentConfig } from '../../config/config.js';
import { configBlockedBy } from '../../config/redis-provider.js';
import { redactedAddress, redisConnectOptions } from './connect-options.js';
import { connectRedis, IoRedisNode, type RedisConnectOptions } from './redis-node.js';
import { openClusterStore } from './cluster-store.js';
import { ReplicaPairStore } from './replica-pair-store.js';
import { openSentinelStore } from './sentinel-store.js';
import { unusableNode, type OpenSessionStore } from './unusable-node.js';

export type { OpenSessionStore } from './unusable-node.js';

/**
 * Opens the session store of an environment. The password is read from the env var that the config
 * names, never from the config file. Connections are lazy: nothing connects until a check runs.
 */
export function openSessionStore(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): OpenSessionStore {
  if (env.redis.cluster) return openClusterStore(env, processEnv);
  if (env.redis.sentinel) return openSentinelStore(env, processEnv);
  let options: RedisConnectOptions;
  try {
    options = redisConnectOptions(env, processEnv);
  } catch (err) {
    // Reported by every Redis check, so the Kubernetes checks still run.
    return {
      topology: 'standalone',
      nodes: [unusableNode(redactedAddress(env.redis.url), err instanceof Error ? err.message : String(err))],
      close: async () => undefined,
    };
  }
  if (env.redis.replicas) return new ReplicaPairStore(env, options);
  // A client that has given up (status `end`: closed by a fatal error or by hand) is replaced at the next
  // use; a live one reconnects by itself (connectRedis).
  let client = connectRedis(options);
  const blockedBy = configBlockedBy(env.redis.provider);
  let node = new IoRedisNode(client, blockedBy);
  let closed = false;
  return {
    topology: 'standalone',
    get nodes() {
      if (!closed && client.status === 'end') {
        client = connectRedis(options);
        node = new IoRedisNode(client, blockedBy);
      }
      return [node];
    },
    close: async () => {
      closed = true;
      client.disconnect();
    },
  };
}
