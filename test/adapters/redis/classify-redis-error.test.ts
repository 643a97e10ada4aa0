import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { classifyRedisError, RedisSourceError } from '../../../src/adapters/redis/redis-error.js';
import { describeSourceFailure } from '../../../src/diagnostics/source-failure.js';

// Replies a test server cannot easily be made to send (a node loading its RDB, a cluster) are
// classified from the very error class ioredis rejects with; the live cases are in redis-node-errors.test.ts.
const reply = (text: string): Error => new (ReplyError as new (m: string) => Error)(text);
const at = { address: '10.0.0.5:6379', command: 'INFO', user: 'bot' };
const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code} 10.0.0.5:6379`), { code, errno: -111, syscall: 'connect' });

describe('classifyRedisError', () => {
  it.each([
    [
      'LOADING Redis is loading the dataset in memory',
      'loading',
      'LOADING',
      'Redis at 10.0.0.5:6379 is loading its dataset into memory (LOADING) and answers nothing until it is done; retry in a minute.',
    ],
    [
      'MOVED 3999 10.0.0.6:6379',
      'cluster_redirect',
      'MOVED',
      "Redis at 10.0.0.5:6379 is a Redis Cluster node and redirected INFO to another node (MOVED): set redis.cluster: true in this environment's config so the bot uses a cluster client (or point redis.url at a standalone Redis or a proxy).",
    ],
    ['ASK 3999 10.0.0.6:6379', 'cluster_redirect', 'ASK', undefined],
    [
      'CLUSTERDOWN The cluster is down',
      'cluster_down',
      'CLUSTERDOWN',
      'Redis at 10.0.0.5:6379 reports the cluster is down (CLUSTERDOWN) and refused INFO.',
    ],
    [
      "READONLY You can't write against a read only replica.",
      'read_only',
      'READONLY',
      'Redis at 10.0.0.5:6379 is a read-only replica (READONLY) and refused INFO: point redis.url at the primary.',
    ],
    [
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
      'timeout',
      'BUSY',
      undefined,
    ],
    [
      "OOM command not allowed when used memory > 'maxmemory'.",
      'other',
      'OOM',
      "Redis at 10.0.0.5:6379 failed on INFO: OOM command not allowed when used memory > 'maxmemory'.",
    ],
  ])('reply %j is %s', (text, kind, code, message) => {
    const err = classifyRedisError(reply(text), at);
    expect(err).toMatchObject({ kind, code, command: 'INFO', address: '10.0.0.5:6379' });
    if (message) expect(err.message).toBe(message);
  });

  it('a NOPERM on a subcommand names it and the rule to add', () => {
    const err = classifyRedisError(reply("NOPERM this user has no permissions to run the 'config|get' command"), {
      ...at,
      command: 'CONFIG GET',
    });
    expect(err).toMatchObject({ kind: 'no_permission', command: 'CONFIG GET', aclRule: '+config|get' });
    expect(err.message).toBe('Redis at 10.0.0.5:6379 denied CONFIG GET to user "bot" (ACL, NOPERM).');
  });

  it('CONFIG refused is config_refused; the same words on another command are not', () => {
    const unknown = "ERR unknown command 'CONFIG', with args beginning with: 'GET' 'maxmemory' ";
    expect(classifyRedisError(reply(unknown), { ...at, command: 'CONFIG GET' }).kind).toBe('config_refused');
    expect(classifyRedisError(reply("ERR unknown command 'FOO'"), at).kind).toBe('other');
  });

  it.each([
    ['ECONNREFUSED', 'it refused the connection'],
    ['ECONNRESET', 'it reset the connection'],
    ['ETIMEDOUT', 'the connection timed out'],
    ['EHOSTUNREACH', 'there is no route to the host'],
    ['ENOTFOUND', 'the host name does not resolve'],
    ['EPIPE', 'the connection broke while sending'],
  ])('a socket error %s is unreachable', (code, reason) => {
    const err = classifyRedisError(socketError(code), at);
    expect(err).toMatchObject({ kind: 'unreachable', code });
    expect(err.message).toBe(`Redis at 10.0.0.5:6379 is unreachable: ${reason} (${code}).`);
  });

  it.each([
    'Connection is closed.',
    'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
    "Stream isn't writeable and enableOfflineQueue options is false",
  ])('ioredis giving up (%s) takes the errno of the last socket error', (text) => {
    const err = classifyRedisError(new Error(text), { ...at, lastConnectionError: socketError('EHOSTUNREACH') });
    expect(err).toMatchObject({ kind: 'unreachable', code: 'EHOSTUNREACH' });
    const bare = classifyRedisError(new Error(text), at);
    expect(bare).toMatchObject({ kind: 'unreachable' });
    expect(bare.code).toBeUndefined();
    expect(bare.message).toBe('Redis at 10.0.0.5:6379 is unreachable: the connection closed and reconnecting failed.');
  });

  it('a reply error is not taken for a socket error because the connection once failed', () => {
    const err = classifyRedisError(reply('LOADING Redis is loading'), {
      ...at,
      lastConnectionError: socketError('ECONNREFUSED'),
    });
    expect(err.kind).toBe('loading');
  });

  it('passes a RedisSourceError through unchanged', () => {
    const typed = new RedisSourceError('Redis at a:1 denied INFO', { kind: 'no_permission', address: 'a:1' });
    expect(classifyRedisError(typed, at)).toBe(typed);
  });
});

describe('describeSourceFailure on typed Redis errors', () => {
  it.each(['loading', 'cluster_redirect', 'cluster_down', 'timeout'] as const)(
    '%s is redis.unreachable with address, code and kind',
    (kind) => {
      const err = new RedisSourceError('Redis at 10.0.0.5:6379 ...', { kind, address: '10.0.0.5:6379', code: 'X' });
      const finding = describeSourceFailure(err, ['redis'], '10.0.0.5:6379').finding;
      expect(finding).toMatchObject({
        id: 'redis.unreachable',
        severity: 'critical',
        title: 'Session store unreachable',
      });
      expect(finding?.evidence).toStrictEqual({ address: '10.0.0.5:6379', code: 'X', kind });
    },
  );

  it('an error that is not typed is a fault of the check: its message, no store finding', () => {
    expect(describeSourceFailure(new TypeError('x is undefined'), ['redis'], '10.0.0.5:6379')).toStrictEqual({
      message: 'x is undefined',
    });
  });
});
