import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openRedisAdmin,
  RedisAdminError,
  redisAdminOptions,
  type OpenRedisAdmin,
} from '../../../src/adapters/redis/redis-admin.js';
import { environmentSchema } from '../../../src/config/environments.js';
import type { EnvironmentConfig } from '../../../src/config/config.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

async function adminError(p: Promise<unknown>): Promise<RedisAdminError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RedisAdminError);
  return err as RedisAdminError;
}

describe('openRedisAdmin against a real redis-server', () => {
  let server: RedisServerHandle;
  let root: Redis;
  const opened: OpenRedisAdmin[] = [];
  const open = (o: Partial<Parameters<typeof openRedisAdmin>[0]> = {}) => {
    const a = openRedisAdmin({ url: server.url, connectTimeoutMs: 1000, ...o });
    opened.push(a);
    return a;
  };

  beforeAll(async () => {
    server = await startRedisServer();
    root = new Redis(server.url);
    await root.call('ACL', 'SETUSER', 'reader', 'on', '>rpw', '~*', '+@read', '+info', '+config|get');
    await root.call('ACL', 'SETUSER', 'setter', 'on', '>spw', '~*', '+@read', '+info', '+config|get', '+config|set');
  });
  afterAll(async () => {
    for (const a of opened) await a.close();
    root.disconnect();
    await server.stop();
  });

  it('sets a parameter, confirms it, and another connection reads it', async () => {
    const admin = open();
    const [node] = await admin.nodes();
    expect(node).toBe(`127.0.0.1:${server.port}`);
    await admin.configSet(node!, 'maxmemory-policy', 'volatile-lru');
    expect(await root.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'volatile-lru']);
    expect(await admin.configGet(node!, 'maxmemory-policy')).toBe('volatile-lru');
    await root.config('SET', 'maxmemory-policy', 'noeviction');
  });

  it('reads the keyspace and counts keys by pattern', async () => {
    await root.set('session:a', '1', 'EX', 100);
    await root.set('session:b', '1');
    await root.set('other', '1', 'EX', 100);
    const admin = open();
    expect(await admin.keyspace()).toEqual({ keys: 3, expires: 2 });
    expect(await admin.countKeys!('session:*', 10_000)).toEqual({ matched: 2, complete: true });
    await root.flushall();
  });

  it('may CONFIG SET as the default user (ACL DRYRUN)', async () => {
    expect(await open().canConfigSet()).toEqual({ allowed: true });
  });

  it('may not CONFIG SET as a read-only user, and says why (ACL DRYRUN itself refused)', async () => {
    const result = await open({ username: 'reader', password: 'rpw' }).canConfigSet();
    expect(result.allowed).toBe(false);
    expect(result.allowed === false && result.reason).toMatch(/denied CONFIG SET to user "reader"/);
  });

  it('falls back to a CONFIG SET of the current value when ACL DRYRUN is refused', async () => {
    await root.config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect(await open({ username: 'setter', password: 'spw' }).canConfigSet()).toEqual({ allowed: true });
    expect(await root.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);
    await root.config('SET', 'maxmemory-policy', 'noeviction');
  });

  it('types a refused CONFIG SET as no_permission and leaves the value', async () => {
    const admin = open({ username: 'reader', password: 'rpw' });
    const err = await adminError(admin.configSet(`127.0.0.1:${server.port}`, 'maxmemory-policy', 'volatile-lru'));
    expect(err.kind).toBe('no_permission');
    expect(await root.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  });

  it('types wrong credentials as auth', async () => {
    const err = await adminError(open({ username: 'reader', password: 'wrong' }).keyspace());
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain('wrong');
  });
});

describe('openRedisAdmin when Redis goes away', () => {
  it('fails closed: a command after the server stopped is unreachable, not queued', async () => {
    const server = await startRedisServer();
    const admin = openRedisAdmin({ url: server.url, connectTimeoutMs: 500 });
    const [node] = await admin.nodes();
    expect(await admin.configGet(node!, 'maxmemory-policy')).toBe('noeviction');
    await server.stop();
    const err = await adminError(admin.configSet(node!, 'maxmemory-policy', 'volatile-lru'));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toMatch(/unreachable.*Nothing was changed/);
    await admin.close();
  });
});

describe('redisAdminOptions', () => {
  const env = (redis: Record<string, unknown>): EnvironmentConfig =>
    ({
      name: 'prod',
      ...environmentSchema.parse({ profile: 'production', redis: { url: 'redis://r:6379', ...redis } }),
    }) as EnvironmentConfig;

  it('uses the admin credentials when configured', () => {
    const o = redisAdminOptions(
      env({ passwordEnv: 'RO_PW', adminUsernameEnv: 'ADM_USER', adminPasswordEnv: 'ADM_PW' }),
      {
        RO_PW: 'ro',
        ADM_USER: 'ops',
        ADM_PW: 'secret',
      },
    );
    expect(o).toMatchObject({ username: 'ops', password: 'secret' });
  });

  it('falls back to the diagnosis credentials', () => {
    expect(redisAdminOptions(env({ passwordEnv: 'RO_PW' }), { RO_PW: 'ro' })).toMatchObject({ password: 'ro' });
  });

  it('names an unset admin env var', () => {
    expect(() => redisAdminOptions(env({ adminPasswordEnv: 'ADM_PW' }), {})).toThrow(/ADM_PW \(redis.adminPasswordEnv/);
  });
});
