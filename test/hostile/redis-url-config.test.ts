import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';

// Issue 9 item 12: the config names env vars only; a password in the Redis URL is refused with a
// message that says where it goes, and a URL that passes validation must not crash ioredis later.

function issuesFor(url: string): string[] {
  try {
    parseConfig({ environments: { prod: { profile: 'production', redis: { url } } } }, 'redis-url-test');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message.split('\n');
  }
}

/** Whether ioredis accepts the URL (it parses it in the constructor; lazyConnect: no connection). */
function ioredisAccepts(url: string): boolean {
  try {
    new Redis(url, { lazyConnect: true }).disconnect();
    return true;
  } catch {
    return false;
  }
}

describe('redis.url', () => {
  it.each([
    ['a password in the userinfo', 'redis://:hunter2pw@cache:6379', 'hunter2pw'],
    ['user and password', 'rediss://app:hunter2pw@cache:6380/0', 'hunter2pw'],
    ['a password with /', 'redis://app:hunt/er2pw@cache:6379', 'hunt/er2pw'],
    ['a password with / and no user', 'redis://:a/b/hunter2@cache', 'hunter2'],
    ['a password with @', 'redis://app:hunt@er2pw@cache:6379', 'er2pw'],
    ['a percent-encoded password', 'redis://app:hunt%2Fer2pw@cache:6379', 'er2pw'],
    ['?password=', 'redis://cache:6379?password=hunter2pw', 'hunter2pw'],
    ['?password= after the db', 'rediss://cache:6380/2?family=4&PASSWORD=hunter2pw', 'hunter2pw'],
  ])('refuses %s, pointing to passwordEnv, without echoing it', (_what, url, secret) => {
    const issues = issuesFor(url).join('\n');
    expect(issues).toMatch(/environments\.prod\.redis\.url: the URL must not contain a password/);
    expect(issues).toContain('redis.passwordEnv');
    expect(issues).not.toContain(secret);
  });

  it.each([
    ['a user name that is not valid percent-encoding', 'redis://us%zzer@cache:6379'],
    ['a port that is not a number', 'redis://cache:port/0'],
    ['an empty host', 'redis://:6379'],
  ])('refuses %s instead of letting ioredis fail at the first connection', (_what, url) => {
    expect(issuesFor(url)).not.toEqual([]);
  });

  it.each([
    'redis://127.0.0.1:6379',
    'rediss://cache.internal:6380/3',
    'redis://app@cache:6379/0',
    'redis://[::1]:6379',
    'redis://cache:6379/0?family=6',
  ])('accepts %s, and ioredis accepts it too', (url) => {
    expect(issuesFor(url)).toEqual([]);
    expect(ioredisAccepts(url)).toBe(true);
  });

  it('every URL it accepts from an odd list also parses in ioredis', () => {
    const odd = [
      'redis://u:p/w@h:6379',
      'redis://h:6379/%zz',
      'redis://us%zzer@h',
      'redis://h:99999',
      'redis://h:6379#frag',
      'redis://u@@h',
      'redis://h/0?password',
    ];
    const acceptedButCrashing = odd.filter((u) => issuesFor(u).length === 0 && !ioredisAccepts(u));
    expect(acceptedButCrashing).toEqual([]);
  });
});
