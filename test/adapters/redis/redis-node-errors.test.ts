import { type Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, IoRedisNode, type RedisConnectOptions } from '../../../src/adapters/redis/redis-node.js';
import { ConfigNotAllowedError } from '../../../src/core/ports/session-store.js';
import { describeSourceFailure } from '../../../src/diagnostics/source-failure.js';
import { eventually } from '../../support/eventually.js';
import { freePort, startRedisServer } from '../../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { redisError } from './expect-redis-error.js';

// The shared server is used by every test file: each test removes the users and password it adds.
let admin: Redis;
const opened: Redis[] = [];

beforeAll(async () => {
  admin = await resetSharedRedis();
});
afterEach(async () => {
  for (const c of opened.splice(0)) c.disconnect();
  await admin.config('SET', 'requirepass', '');
  for (const user of await admin.acl('USERS')) if (user !== 'default') await admin.acl('DELUSER', user);
});
afterAll(() => {
  admin.disconnect();
});

function nodeAt(options: Partial<RedisConnectOptions> & { url?: string }): IoRedisNode {
  const client = connectRedis({ url: sharedRedisUrl(), connectTimeoutMs: 1000, ...options });
  opened.push(client);
  return new IoRedisNode(client);
}

const address = () => new URL(sharedRedisUrl()).host;

describe('IoRedisNode turns ioredis failures into RedisSourceError kinds', () => {
  it('connection refused: unreachable with ECONNREFUSED dug out of the socket error, not ioredis retry wording', async () => {
    const port = await freePort();
    const node = nodeAt({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 });

    const err = await redisError(node.info('memory'));

    expect(err).toMatchObject({
      kind: 'unreachable',
      code: 'ECONNREFUSED',
      command: 'INFO',
      address: `127.0.0.1:${port}`,
    });
    expect(err.message).toBe(`Redis at 127.0.0.1:${port} is unreachable: it refused the connection (ECONNREFUSED).`);
    const failure = describeSourceFailure(err, ['redis'], `127.0.0.1:${port}`);
    expect(failure.finding?.id).toBe('redis.unreachable');
    expect(failure.finding?.title).toBe('Session store unreachable');
    expect(failure.finding?.evidence).toStrictEqual({
      address: `127.0.0.1:${port}`,
      code: 'ECONNREFUSED',
      kind: 'unreachable',
    });
  });

  it('a wrong password for an ACL user: auth (WRONGPASS) on AUTH, pointing at the env vars, without the password', async () => {
    await admin.acl('SETUSER', 'ttlbot', 'on', '>right-pw', '~*', '+@all');
    const node = nodeAt({ username: 'ttlbot', password: 'wrong-pw' });

    const err = await redisError(node.time());

    expect(err).toMatchObject({ kind: 'auth', code: 'WRONGPASS', command: 'AUTH' });
    expect(err.message).toBe(
      `Redis at ${address()} refused the credentials (WRONGPASS): check the password in the env var named by redis.passwordEnv and the user in the one named by redis.usernameEnv.`,
    );
    // ioredis puts AUTH's arguments on its error; none of them may travel on ours.
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('wrong-pw');
    const failure = describeSourceFailure(err, ['redis'], address());
    expect(failure.finding?.id).toBe('redis.unreachable');
    expect(failure.finding?.evidence).toStrictEqual({ address: address(), code: 'WRONGPASS', kind: 'auth' });
    expect(failure.finding?.fix).toMatch(/redis\.passwordEnv.*redis\.usernameEnv/);
  });

  it('requirepass set and no password sent: auth (NOAUTH) naming the command that was refused', async () => {
    await admin.config('SET', 'requirepass', 'sekret');
    const node = nodeAt({});

    const err = await redisError(node.info('memory'));

    expect(err).toMatchObject({ kind: 'auth', code: 'NOAUTH', command: 'INFO' });
    expect(err.message).toBe(
      `Redis at ${address()} requires a password (NOAUTH) and the bot sent none: name the env var that holds it in redis.passwordEnv.`,
    );
  });

  it('an ACL user without INFO: redis.forbidden naming INFO, and the ACL line in the fix is the one that repairs it', async () => {
    // Given: a user allowed everything but INFO.
    await admin.acl('SETUSER', 'limited', 'on', '>pw', '~*', '+@all', '-info');
    const node = nodeAt({ username: 'limited', password: 'pw' });

    // When
    const err = await redisError(node.info('memory'));

    // Then: a denial, not an outage, with the rule to add.
    expect(err).toMatchObject({
      kind: 'no_permission',
      code: 'NOPERM',
      command: 'INFO',
      aclRule: '+info',
      user: 'limited',
    });
    expect(err.message).toBe(`Redis at ${address()} denied INFO to user "limited" (ACL, NOPERM).`);
    const finding = describeSourceFailure(err, ['redis'], address()).finding;
    expect(finding).toMatchObject({
      id: 'redis.forbidden',
      severity: 'warning',
      title: "Redis denied a command to the bot's user (ACL)",
    });
    expect(finding?.detail).toContain('INFO');
    expect(finding?.evidence).toStrictEqual({ address: address(), command: 'INFO', aclRule: '+info' });
    const aclLine = /`ACL SETUSER (.+?)`/.exec(finding?.fix ?? '')?.[1];
    expect(aclLine).toBe('limited +info');

    // And: running the fix's line lets the same node read INFO.
    await admin.call('ACL', 'SETUSER', ...aclLine!.split(' '));
    expect((await node.info('memory')).used_memory).toMatch(/^\d+$/);
  });

  it('an ACL user without CONFIG GET: ConfigNotAllowedError (so checks fall back to INFO) that still says no_permission and +config|get', async () => {
    await admin.acl('SETUSER', 'noconfig', 'on', '>pw', '~*', '+@all', '-config|get');
    const node = nodeAt({ username: 'noconfig', password: 'pw' });

    const err = await redisError(node.configGet('maxmemory-policy'));

    expect(err).toBeInstanceOf(ConfigNotAllowedError);
    expect(err).toMatchObject({ kind: 'no_permission', command: 'CONFIG GET', aclRule: '+config|get' });
    await admin.call('ACL', 'SETUSER', 'noconfig', err.aclRule!);
    expect(await node.configGet('maxmemory-policy')).toBe('noeviction');
  });

  it('an ACL user whose key pattern excludes the sessions: no_permission on GET with no command rule to add', async () => {
    await admin.acl('SETUSER', 'otherkeys', 'on', '>pw', '~other:*', '+@all');
    await admin.set('session:1', '{}');
    const node = nodeAt({ username: 'otherkeys', password: 'pw' });

    const err = await redisError(node.readValues(['session:1']));

    expect(err).toMatchObject({ kind: 'no_permission', command: 'GET', code: 'NOPERM' });
    expect(err.aclRule).toBeUndefined();
    expect(err.message).toBe(
      `Redis at ${address()} denied user "otherkeys" access to the keys that GET reads (ACL, NOPERM).`,
    );
    const finding = describeSourceFailure(err, ['redis'], address()).finding;
    expect(finding?.evidence).toStrictEqual({ address: address(), command: 'GET', aclRule: null });
    expect(finding?.fix).toContain('`ACL SETUSER otherkeys %R~<session key prefix>*`');
  });

  it('a stalled server and a command timeout: timeout naming the command', async () => {
    // Given: a connected node whose commands give up after 100 ms, and its server stopped (SIGSTOP) until
    // the test resumes it: it answers nothing however long the client takes to send (CLIENT PAUSE would
    // end on its own, and CLIENT UNPAUSE waits behind a PAUSE ALL).
    const server = await startRedisServer();
    try {
      const node = nodeAt({ url: server.url, commandTimeoutMs: 100 });
      // Connected and answering first: on a loaded machine the first command (with the connection) can
      // itself take over 100 ms, which is not what this test is about.
      await eventually('the node to answer TIME within 100 ms', () =>
        node.time().then(
          () => true,
          () => false,
        ),
      );
      server.process.kill('SIGSTOP');

      const err = await redisError(node.info('memory'));

      expect(err).toMatchObject({ kind: 'timeout', command: 'INFO' });
      expect(err.message).toBe(`Redis at 127.0.0.1:${server.port} did not answer INFO within the command timeout.`);
    } finally {
      server.process.kill('SIGCONT');
      await server.stop();
    }
  });

  it('CONFIG renamed away (managed Redis): ConfigNotAllowedError of kind config_refused', async () => {
    const server = await startRedisServer(['--rename-command', 'CONFIG', '""']);
    try {
      const client = connectRedis({ url: server.url });
      opened.push(client);
      const err = await redisError(new IoRedisNode(client).configGet('maxmemory'));
      expect(err).toBeInstanceOf(ConfigNotAllowedError);
      expect(err).toMatchObject({ kind: 'config_refused', command: 'CONFIG GET', code: 'ERR' });
      expect(err.message).toMatch(
        new RegExp(
          `^Redis at 127\\.0\\.0\\.1:${server.port} does not allow CONFIG GET \\(renamed or disabled, as on managed Redis\\): ERR unknown command`,
        ),
      );
    } finally {
      await server.stop();
    }
  });
});
