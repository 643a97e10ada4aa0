import { expect } from 'vitest';
import { RedisSourceError } from '../../../src/adapters/redis/redis-error.js';

/** Awaits a promise that must reject with a RedisSourceError, and returns that error for more assertions. */
export async function redisError(p: Promise<unknown>): Promise<RedisSourceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RedisSourceError);
  return err as RedisSourceError;
}
