import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
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

describe('redis.replicas', () => {
  it('takes the replicas of a plain primary and readFrom', () => {
    const redis = { url: 'redis://primary:6379', replicas: ['redis://replica-0:6379', 'redis://replica-1:6379/0'] };
    const cfg = parseConfig(
      { environments: { prod: { profile: 'production', redis: { ...redis, readFrom: 'primary' } } } },
      'x',
    );
    expect(cfg.environments.prod?.redis).toMatchObject({ ...redis, readFrom: 'primary' });
  });

  it('refuses a password in a replica URL, an empty list, and replicas beside sentinel or cluster', () => {
    const url = 'redis://primary:6379';
    expect(issuesOf({ url, replicas: ['redis://u:secret@replica:6379'] }).join('\n')).toMatch(
      /prod\.redis\.replicas\.0: the URL must not contain a password/,
    );
    expect(issuesOf({ url, replicas: [] }).join('\n')).toMatch(
      /prod\.redis\.replicas: expected at least one replica URL/,
    );
    expect(issuesOf({ url, cluster: true, replicas: ['redis://r:1'] }).join('\n')).toMatch(
      /prod\.redis\.replicas: redis\.replicas is for a plain primary\/replica pair/,
    );
    expect(
      issuesOf({ url: 'rediss://p:1', tls: { rejectUnauthorized: false }, replicas: ['redis://r:1'] }).join('\n'),
    ).toMatch(/prod\.redis\.replicas: redis\.tls is set: write each replica as rediss:\/\//);
  });
});
