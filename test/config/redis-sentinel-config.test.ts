import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { envsCommand } from '../../src/commands/envs.js';
import { ConfigError } from '../../src/core/errors.js';

function issuesOf(redis: unknown): string[] {
  try {
    parseConfig({ environments: { prod: { profile: 'production', redis } } }, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const sentinel = { masterName: 'mymaster', nodes: ['127.0.0.1:26379', 'sentinel-1.example:26379'] };

describe('redis.sentinel', () => {
  it('takes the master name, the sentinels and their credential env vars; the store URL stands for the master', () => {
    const cfg = parseConfig(
      {
        environments: {
          prod: { profile: 'production', redis: { sentinel: { ...sentinel, passwordEnv: 'SENTINEL_PW', db: 2 } } },
        },
      },
      'x',
    );
    const redis = cfg.environments.prod?.redis;
    expect(redis?.sentinel).toEqual({ ...sentinel, passwordEnv: 'SENTINEL_PW', db: 2 });
    expect(redis?.url).toBe('redis://mymaster/2');
  });

  it('refuses url with sentinel, cluster with sentinel, neither of them, and bad fields, each with its path', () => {
    expect(issuesOf({ url: 'redis://a:1', sentinel }).join('\n')).toMatch(
      /prod\.redis\.url: redis\.url and redis\.sentinel exclude each other/,
    );
    expect(issuesOf({ sentinel, cluster: true }).join('\n')).toMatch(
      /prod\.redis\.cluster: redis\.sentinel and redis\.cluster exclude each other/,
    );
    expect(issuesOf({}).join('\n')).toMatch(/prod\.redis\.url: expected a redis:\/\/ .*redis\.sentinel/);
    const bad = issuesOf({ sentinel: { masterName: 'my master', nodes: [], password: 'x' } }).join('\n');
    expect(bad).toMatch(/sentinel\.masterName: expected the master name/);
    expect(bad).toMatch(/sentinel\.nodes: expected at least one sentinel/);
    expect(bad).toMatch(/sentinel: unknown field\(s\) password/);
    expect(issuesOf({ url: 'redis://a:1', readFrom: 'replica' }).join('\n')).toMatch(
      /prod\.redis\.readFrom: redis\.readFrom applies to redis\.sentinel, redis\.cluster or redis\.replicas/,
    );
    expect(issuesOf({ sentinel, readFrom: 'nearest' }).join('\n')).toMatch(
      /prod\.redis\.readFrom: expected replica \| primary/,
    );
    expect(issuesOf({ sentinel: { ...sentinel, passwordEnv: 'not a name' } }).join('\n')).toMatch(
      /sentinel\.passwordEnv: expected the name of an environment variable/,
    );
  });
});

describe('envs with a Sentinel environment', () => {
  it('names the master name and the sentinels instead of a URL', async () => {
    const config = parseConfig({ environments: { prod: { profile: 'production', redis: { sentinel } } } }, 'x');
    const message = await envsCommand({ config }).run(undefined, {} as never);
    expect(JSON.stringify(message)).toContain(
      'Redis Sentinel master mymaster (127.0.0.1:26379, sentinel-1.example:26379)',
    );
  });
});
