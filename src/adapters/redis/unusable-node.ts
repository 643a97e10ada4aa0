import { UserError } from '../../core/errors.js';
import type { RedisNodePort, SessionStore } from '../../core/ports/session-store.js';

/** A session store the caller must close. */
export interface OpenSessionStore extends SessionStore {
  close(): Promise<void>;
}

/** A node that cannot be used; every call fails with the same actionable message (or that typed error). */
export function unusableNode(address: string, message: string | Error): RedisNodePort {
  const fail = async (): Promise<never> => {
    throw typeof message === 'string' ? new UserError(message, 'redis_config') : message;
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
