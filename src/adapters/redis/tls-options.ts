import type { ConnectionOptions } from 'node:tls';
import type { EnvironmentConfig } from '../../config/config.js';
import { readTlsMaterial, type RedisTlsConfig, type TlsMaterial } from '../../config/redis-tls.js';
import { UserError } from '../../core/errors.js';

/**
 * The TLS options of every connection to an environment's Redis (session store, cluster nodes, keyspace
 * feed, canary, admin): `redis.tls` when set, plain TLS with the system's CAs for a rediss:// URL
 * without it, undefined for redis://. The key is in the returned options: never log them.
 */
export function redisTlsOptions(env: Pick<EnvironmentConfig, 'name' | 'redis'>): ConnectionOptions | undefined {
  const t = env.redis.tls;
  if (!t) return env.redis.url.startsWith('rediss://') ? {} : undefined;
  return {
    ...materialOptions(t.material ?? readNow(env.name, t)),
    ...(t.servername !== undefined ? { servername: t.servername } : {}),
    rejectUnauthorized: t.rejectUnauthorized,
  };
}

/** The PEM parts of the connection options. */
export function materialOptions(m: TlsMaterial): ConnectionOptions {
  const key = m.key();
  return { ...(m.ca ? { ca: m.ca } : {}), ...(m.cert ? { cert: m.cert } : {}), ...(key ? { key } : {}) };
}

/** An environment built without `parseConfig` (tests, the demo): its files are read at the first connection. */
function readNow(envName: string, t: RedisTlsConfig): TlsMaterial {
  const files = {
    ...(t.caFile !== undefined ? { caFile: t.caFile } : {}),
    ...(t.certFile !== undefined ? { certFile: t.certFile } : {}),
    ...(t.keyFile !== undefined ? { keyFile: t.keyFile } : {}),
  };
  const read = readTlsMaterial(files, (field) => `environments.${envName}.redis.tls.${field}`);
  if ('material' in read) return read.material;
  throw new UserError(read.problems.join('; '), 'redis_config');
}
