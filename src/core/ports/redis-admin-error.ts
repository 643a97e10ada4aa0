/**
 * How a remediation's Redis call failed, decided once by the admin adapter (`adapters/redis/redis-admin-errors.ts`).
 * `refused`: the command is renamed or disabled (a managed Redis); `not_confirmed`: CONFIG SET was accepted
 * but CONFIG GET reads another value. It lives with the ports, like `RedisSourceError`, so that the
 * remediation flow can branch on it without importing an adapter.
 */
export type RedisAdminErrorKind =
  'unreachable' | 'timeout' | 'auth' | 'no_permission' | 'refused' | 'not_confirmed' | 'other';

/** A failed admin call; the message starts with `Redis at host:port` and never carries a password. */
export class RedisAdminError extends Error {
  override name = 'RedisAdminError';
  constructor(
    message: string,
    readonly kind: RedisAdminErrorKind,
    readonly address: string,
    readonly command?: string,
  ) {
    super(message);
  }
}
