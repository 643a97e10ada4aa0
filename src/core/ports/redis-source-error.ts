/**
 * What went wrong when the bot talked to Redis, decided once by the Redis adapter
 * (`classifyRedisError` in `adapters/redis/redis-error.ts`) so that no code above it reads
 * ioredis message text. It lives with the ports, like `ClusterError`, because diagnostics
 * branch on it and must not import an adapter.
 */
export type RedisErrorKind =
  | 'unreachable'
  /** The TLS handshake failed: a certificate the bot does not trust, expired, for another host; mutual TLS refused. */
  | 'tls'
  | 'auth'
  | 'no_permission'
  | 'timeout'
  | 'loading'
  | 'read_only'
  | 'cluster_redirect'
  | 'cluster_down'
  | 'config_refused'
  | 'other';

/**
 * A failed Redis call. The message is written for the person at the keyboard and starts with
 * `Redis at <host:port>`; it never contains a password or command arguments (keys, AUTH).
 *
 * @example
 * new RedisSourceError('Redis at 10.0.0.5:6379 is unreachable: it refused the connection (ECONNREFUSED).',
 *   { kind: 'unreachable', address: '10.0.0.5:6379', command: 'INFO', code: 'ECONNREFUSED' })
 */
export class RedisSourceError extends Error {
  override name = 'RedisSourceError';
  readonly kind: RedisErrorKind;
  /** `host:port`; never a password. */
  readonly address: string;
  /** The command that failed, upper case with its subcommand: `INFO`, `CONFIG GET`, `AUTH`. */
  readonly command?: string;
  /**
   * The server's reply prefix (`NOPERM`, `LOADING`, `MOVED`), the socket errno (`ECONNREFUSED`) or the TLS
   * error (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`).
   */
  readonly code?: string;
  /** The ACL user the bot connects as (`default` when none is configured), for the fix of a denial. */
  readonly user?: string;
  /** For `no_permission`: the ACL rule that allows the denied command (`+info`, `+config|get`); unset for a key denial. */
  readonly aclRule?: string;

  constructor(
    message: string,
    fields: { kind: RedisErrorKind; address: string; command?: string; code?: string; user?: string; aclRule?: string },
  ) {
    super(message);
    this.kind = fields.kind;
    this.address = fields.address;
    if (fields.command !== undefined) this.command = fields.command;
    if (fields.code !== undefined) this.code = fields.code;
    if (fields.user !== undefined) this.user = fields.user;
    if (fields.aclRule !== undefined) this.aclRule = fields.aclRule;
  }
}
