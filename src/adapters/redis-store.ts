import type { EnvironmentConfig } from '../config.js';
import { UserError } from '../errors.js';
import { connectRedis, IoRedisNode } from './redis-node.js';
import type { RedisNodePort, SessionStore } from './session-store.js';

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

function redactedAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'invalid-url';
  }
}

/**
 * Opens the session store of an environment. The password is read from the env var that the config
 * names, never from the config file. Connections are lazy: nothing connects until a check runs.
 */
export function openSessionStore(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): OpenSessionStore {
  const { redis } = env;
  const password = redis.passwordEnv ? processEnv[redis.passwordEnv] : undefined;
  if (redis.passwordEnv && password === undefined) {
    return {
      nodes: [
        unusableNode(
          redactedAddress(redis.url),
          `The Redis password env var ${redis.passwordEnv} (redis.passwordEnv of environment "${env.name}") is not set in the bot's environment.`,
        ),
      ],
      close: async () => undefined,
    };
  }
  const username = redis.usernameEnv ? processEnv[redis.usernameEnv] : undefined;
  const client = connectRedis({
    url: redis.url,
    connectTimeoutMs: redis.connectTimeoutMs,
    ...(password !== undefined ? { password } : {}),
    ...(username !== undefined ? { username } : {}),
  });
  return {
    nodes: [new IoRedisNode(client)],
    close: async () => {
      client.disconnect();
    },
  };
}
