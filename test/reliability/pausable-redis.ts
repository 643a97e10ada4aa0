import { afterAll, beforeAll } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

/**
 * For a file whose tests stop their Redis (SIGSTOP) to hold a diagnosis open: a fake Slack and a private
 * redis-server, started before the file's tests and, after them, resumed (SIGCONT) and stopped.
 */
export function usePausableRedis(): { readonly slack: FakeSlackApi; readonly redis: RedisServerHandle } {
  let slack: FakeSlackApi | undefined;
  let redis: RedisServerHandle | undefined;
  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await slack?.close();
    redis?.process.kill('SIGCONT');
    await redis?.stop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('usePausableRedis: used before its beforeAll ran');
    return v;
  };
  return {
    get slack() {
      return started(slack);
    },
    get redis() {
      return started(redis);
    },
  };
}
