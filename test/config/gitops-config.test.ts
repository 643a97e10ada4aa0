import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { gitopsApiUrl, gitopsTokenProblems, resolveGitopsToken } from '../../src/config/gitops.js';
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

  it('refuses a token written into the file, pointing at tokenEnv', () => {
    expect(issuesOf({ ...github, token: 'ghp_secret' })).toMatch(
      /prod\.gitops: unknown field\(s\) token \(secrets never go in this file: instead of token, name the environment variable that holds it with tokenEnv\)/,
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
