import type { EnvironmentConfig } from '../../config/config.js';
import { UserError } from '../../core/errors.js';
import { redactedAddress, redisConnectOptions } from './connect-options.js';
import { connectRedis, IoRedisNode, type RedisConnectOptions } from './redis-node.js';
import type { RedisNodePort, SessionStore } from '../../core/ports/session-store.js';

/** A session store the caller must close. */
export interface OpenSessionStore extends SessionStore {
  close(): Promise<void>;
}

/** A node that cannot be used; every call fails with the same actionable message. */
function unusableNode(address: string, message: string): RedisNodePort {
  const fail = async (): Promise<never> => {
    throw new UserError(message, 'redis_config');
  };
  return {
    address,
    info: fail,
    configGet: fail,
    pttl: fail,
    readValues: fail,
    time: fail,
    keyspace: fail,
    // eslint-disable-next-line require-yield
    scan: async function* () {
      await fail();
    },
  };
}

/**
 * Opens the session store of an environment. The password is read from the env var that the config
 * names, never from the config file. Connections are lazy: nothing connects until a check runs.
 */
export function openSessionStore(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): OpenSessionStore {
  let options: RedisConnectOptions;
  try {
    options = redisConnectOptions(env, processEnv);
  } catch (err) {
    // Reported by every Redis check, so the Kubernetes checks still run.
    return { nodes: [unusableNode(redactedAddress(env.redis.url), (err as Error).message)], close: async () => undefined };
  }
  // A client that has given up (status `end`: closed by a fatal error or by hand) is replaced at the next
  // use; a live one reconnects by itself (connectRedis).
  let client = connectRedis(options);
  let node = new IoRedisNode(client);
  let closed = false;
  return {
    get nodes() {
      if (!closed && client.status === 'end') {
        client = connectRedis(options);
        node = new IoRedisNode(client);
      }
      return [node];
    },
    close: async () => {
      closed = true;
      client.disconnect();
    },
  };
}
