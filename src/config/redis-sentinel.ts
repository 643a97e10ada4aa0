import { z } from 'zod';
import { envVarName, hostPort } from './redis-fields.js';

/**
 * A session store behind Redis Sentinel (a primary with replicas, e.g. the Bitnami chart's default): the
 * bot asks the sentinels for the current master and follows a failover. `usernameEnv`/`passwordEnv` are
 * the Sentinel processes' own credentials (`requirepass` in sentinel.conf); the data nodes' are
 * `redis.usernameEnv`/`redis.passwordEnv`.
 *
 * @example { masterName: 'mymaster', nodes: ['redis-sentinel-0:26379', 'redis-sentinel-1:26379'] }
 */
export const redisSentinelSchema = z
  .object({
    masterName: z
      .string({ error: 'expected the name the sentinels monitor the master under (sentinel monitor <name> …)' })
      .regex(
        /^[A-Za-z0-9._-]{1,64}$/,
        'expected the master name of sentinel.conf (letters, digits, . _ -), e.g. mymaster',
      ),
    nodes: z
      .array(hostPort, { error: 'expected a list of sentinels as host:port, e.g. [redis-sentinel:26379]' })
      .min(1, 'expected at least one sentinel as host:port (usually three, port 26379)'),
    usernameEnv: envVarName.optional(),
    passwordEnv: envVarName.optional(),
    /**
     * Whether the connections to the sentinels use `redis.tls` too (default: yes when `redis.tls` is set, as with
     * Sentinel's own `tls-port`); `false` for sentinels on plain TCP in front of TLS data nodes.
     */
    tls: z.boolean().optional(),
    /** The database of the sessions on the master (what a URL's `/db` says elsewhere). */
    db: z.number().int().min(0).max(255).default(0),
  })
  .strict();

export type RedisSentinelConfig = z.infer<typeof redisSentinelSchema>;

/**
 * The URL that stands for a Sentinel-managed store where code wants one (its db; its host is the master
 * name, never connected to: every connection asks the sentinels for the master's address).
 */
export function sentinelStoreUrl(s: RedisSentinelConfig): string {
  return `redis://${s.masterName}/${s.db}`;
}
