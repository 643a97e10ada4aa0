import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { gitopsApiUrl, gitopsTokenProblems, resolveGitopsToken } from '../../src/config/gitops.js';
import { tokenFile } from '../../src/config/gitops-token.js';
import { ConfigError, UserError } from '../../src/core/errors.js';

const redis = { url: 'redis://127.0.0.1:6379' };
const github = {
  provider: 'github',
  repo: 'example/gitops',
  files: { redisConfigMap: 'apps/redis/configmap.yaml', appConfigMap: 'apps/app/config.yaml' },
  tokenEnv: 'GITOPS_TOKEN',
};

function issuesOf(gitops: unknown): string {
  try {
    parseConfig({ environments: { prod: { profile: 'production', redis, gitops } } }, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.join('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('environments.<env>.gitops', () => {
  it('takes a GitHub repository with the defaults: base branch main, the public API', () => {
    const cfg = parseConfig({ environments: { prod: { profile: 'production', redis, gitops: github } } }, 'x');
    const g = cfg.environments.prod?.gitops;
    expect(g).toEqual({ ...github, baseBranch: 'main' });
    expect(g && gitopsApiUrl(g)).toBe('https://api.github.com');
  });

  it('takes a GitLab project path or id and a self-managed API URL', () => {
    for (const repo of ['platform/infra/gitops', '4711']) {
      const gitops = { ...github, provider: 'gitlab', repo, apiUrl: 'https://gitlab.example.com/', baseBranch: 'prod' };
      const g = parseConfig({ environments: { prod: { profile: 'production', redis, gitops } } }, 'x').environments.prod
        ?.gitops;
      expect(g?.repo).toBe(repo);
      expect(g && gitopsApiUrl(g)).toBe('https://gitlab.example.com');
    }
  });

  it('says what each field expects, with its path', () => {
    expect(issuesOf({ ...github, repo: 'gitops' })).toMatch(
      /prod\.gitops\.repo: expected owner\/name for GitHub, e\.g\. example\/gitops \(got "gitops"\)/,
    );
    expect(issuesOf({ ...github, provider: 'gitlab', repo: 'gitops' })).toMatch(
      /prod\.gitops\.repo: expected a GitLab project path \(group\/project, group\/subgroup\/project\) or a numeric project id/,
    );
    expect(issuesOf({ ...github, provider: 'bitbucket' })).toMatch(/prod\.gitops\.provider: expected github \| gitlab/);
    expect(issuesOf({ ...github, tokenEnv: 'ghp_abc def' })).toMatch(
      /prod\.gitops\.tokenEnv: expected the name of an environment variable \(not its value\)/,
    );
    expect(issuesOf({ ...github, files: {} })).toMatch(/prod\.gitops\.files: expected at least one of redisConfigMap/);
    expect(issuesOf({ ...github, files: { redisConfigMap: '../etc/redis.yaml' } })).toMatch(
      /prod\.gitops\.files\.redisConfigMap: expected a path relative to the repository root/,
    );
    expect(issuesOf({ ...github, apiUrl: 'ftp://ghe' })).toMatch(
      /prod\.gitops\.apiUrl: expected an http:\/\/ or https:\/\//,
    );
    expect(issuesOf({ ...github, baseBranch: 'my branch' })).toMatch(
      /prod\.gitops\.baseBranch: expected a branch name/,
    );
  });

  it('takes the token from exactly one of tokenEnv and tokenFile, saying so when both or neither are set', () => {
    const { tokenEnv: _env, ...noToken } = github;
    const withFile = { ...noToken, tokenFile: '/var/run/secrets/gitops/token' };
    const cfg = parseConfig({ environments: { prod: { profile: 'production', redis, gitops: withFile } } }, 'x');
    expect(cfg.environments.prod?.gitops).toEqual({ ...withFile, baseBranch: 'main' });
    const sources =
      'tokenEnv (the name of the env var holding it) or tokenFile (the path of a file holding it, e.g. a mounted ' +
      'Kubernetes Secret)';
    expect(issuesOf({ ...github, tokenFile: '/var/run/secrets/gitops/token' })).toBe(
      `environments.prod.gitops: set only one of tokenEnv and tokenFile (both are set): ${sources}`,
    );
    expect(issuesOf(noToken)).toBe(`environments.prod.gitops: missing: where the token is, ${sources}`);
    expect(issuesOf({ ...noToken, tokenFile: 'ghp_abc' })).toBe(
      'environments.prod.gitops.tokenFile: expected the absolute path of the file holding the token, e.g. ' +
        '/var/run/secrets/gitops/token',
    );
  });

  it('refuses a token written into the file, pointing at tokenEnv', () => {
    expect(issuesOf({ ...github, token: 'ghp_secret' })).toMatch(
      /prod\.gitops: unknown field\(s\) token \(secrets never go in this file: instead of token, name the environment variable that holds it with tokenEnv \(under gitops, or the file that holds it with tokenFile\)\)/,
    );
  });
});

describe('resolveGitopsToken', () => {
  const g = { ...github, provider: 'github' as const, baseBranch: 'main' };

  it('reads the named env var', () => {
    expect(resolveGitopsToken(g, 'prod', { GITOPS_TOKEN: ' ghs_x ' })).toBe('ghs_x');
  });

  it('names the env var, the environment and the scopes when it is unset or empty, never a value', () => {
    for (const env of [{}, { GITOPS_TOKEN: '' }]) {
      const err = (() => {
        try {
          resolveGitopsToken(g, 'prod', env);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toBe(
        'The GitOps token env var GITOPS_TOKEN (gitops.tokenEnv of environment "prod") is not set in the bot\'s ' +
          'environment: set it to a GitHub App installation token or a fine-grained token with Contents and Pull ' +
          'requests: read and write on example/gitops.',
      );
    }
  });

  it('lists the environments whose token env var is unset, for the start-up check', () => {
    const environments = { prod: { gitops: g }, dev: {}, stage: { gitops: { ...g, tokenEnv: 'STAGE_TOKEN' } } };
    expect(gitopsTokenProblems(environments, { GITOPS_TOKEN: 'x' })).toEqual([
      expect.stringMatching(
        /^The GitOps token env var STAGE_TOKEN \(gitops\.tokenEnv of environment "stage"\) is not set/,
      ),
    ]);
  });
});

describe('gitops.tokenFile: the token read from a file', () => {
  const g = { ...github, provider: 'github' as const, baseBranch: 'main', tokenEnv: undefined };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof UserError) return `${e.code}: ${e.message}`;
      throw e;
    }
    throw new Error('expected a UserError');
  };

  it('reads it trimmed (a Secret key often ends with a newline)', () => {
    const path = join(dir, 'token');
    writeFileSync(path, 'ghs_x\n');
    expect(resolveGitopsToken({ ...g, tokenFile: path }, 'prod', {})).toBe('ghs_x');
  });

  it('missing, a directory, empty or more than a token: names the file, the environment and the token, never the content', () => {
    const path = join(dir, 'token');
    const put =
      'put a GitHub App installation token or a fine-grained token with Contents and Pull requests: read and write ' +
      'on example/gitops in it (e.g. mount the Kubernetes Secret that holds it there).';
    const of = (p: string) => message(() => resolveGitopsToken({ ...g, tokenFile: p }, 'prod', {}));
    expect(of(path)).toBe(
      `gitops_token_missing: The GitOps token file ${path} (gitops.tokenFile of environment "prod") does not exist: ${put}`,
    );
    expect(of(dir)).toBe(
      `gitops_token_unreadable: The GitOps token file ${dir} (gitops.tokenFile of environment "prod") is a directory, not a file: ${put}`,
    );
    writeFileSync(path, ' \n');
    expect(of(path)).toMatch(
      /^gitops_token_missing: The GitOps token file \S+ \(gitops.tokenFile of environment "prod"\) is empty: put/,
    );
    writeFileSync(path, 'ghs_secret1\nghs_secret2\n');
    const two = of(path);
    expect(two).toMatch(
      /^gitops_token_invalid: .* holds more than one word \(a token has no spaces or line breaks\): put/,
    );
    expect(two).not.toContain('ghs_secret');
  });

  it('the start-up check reports a token file like an unset env var', () => {
    const environments = {
      prod: { gitops: { ...g, tokenFile: join(dir, 'absent') } },
      dev: { gitops: { ...g, tokenEnv: 'GITOPS_TOKEN' } },
    };
    expect(gitopsTokenProblems(environments, { GITOPS_TOKEN: 'x' })).toEqual([
      `The GitOps token file ${join(dir, 'absent')} (gitops.tokenFile of environment "prod") does not exist: put a ` +
        'GitHub App installation token or a fine-grained token with Contents and Pull requests: read and write on ' +
        'example/gitops in it (e.g. mount the Kubernetes Secret that holds it there).',
    ]);
    writeFileSync(join(dir, 'absent'), 'ghs_x');
    expect(gitopsTokenProblems(environments, { GITOPS_TOKEN: 'x' })).toEqual([]);
  });

  it('reads the file again only when its stat changed, or once the last read is older than maxAgeMs', () => {
    const path = join(dir, 'token');
    const then = new Date('2026-12-05T13:00:00Z');
    writeFileSync(path, 'ghs_aaaa');
    utimesSync(path, then, then);
    let now = 0;
    const token = tokenFile({ path, envName: 'prod', what: 'x', maxAgeMs: 5000, now: () => now });
    expect(token.current()).toBe('ghs_aaaa');
    // Given a rewrite the stat cannot see (same inode, size and mtime: a filesystem with coarse timestamps)
    writeFileSync(path, 'ghs_bbbb');
    utimesSync(path, then, then);
    now = 4999;
    expect(token.current()).toBe('ghs_aaaa');
    now = 5000;
    expect(token.current()).toBe('ghs_bbbb');
    // After a 401: read again at once; the new token only when it is another one
    writeFileSync(path, 'ghs_cccc');
    utimesSync(path, then, then);
    expect(token.renewed('ghs_bbbb')).toBe('ghs_cccc');
    expect(token.renewed('ghs_cccc')).toBeUndefined();
  });
});
