import { z } from 'zod';
import { isAbsolute } from 'node:path';
import { UserError } from '../core/errors.js';
import { fixedToken, gitopsTokenScope, tokenFile, type GitopsToken } from './gitops-token.js';
import { envVarName } from './redis-fields.js';

/** The public APIs, used when `apiUrl` is not set. */
export const GITOPS_DEFAULT_API_URL = { github: 'https://api.github.com', gitlab: 'https://gitlab.com' } as const;

const GITHUB_REPO = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
/** A project path (`group/subgroup/project`) or a numeric project id. */
const GITLAB_PROJECT = /^(\d+|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+)$/;

const TOKEN_FILE_EXPECTED =
  'expected the absolute path of the file holding the token, e.g. /var/run/secrets/gitops/token';
const TOKEN_SOURCES =
  'tokenEnv (the name of the env var holding it) or tokenFile (the path of a file holding it, e.g. a mounted Kubernetes Secret)';

/** A path inside the repository: relative, no `..`, no leading slash. */
const repoPath = z
  .string({ error: 'expected a file path inside the repository, e.g. apps/redis/configmap.yaml' })
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), {
    message: 'expected a path relative to the repository root (no leading /, no .., forward slashes)',
  });

/**
 * `gitops` of an environment: the durable half of a fix is a pull request (GitHub) or merge request
 * (GitLab) to the repository that Argo CD or Flux syncs from. The token (a GitHub App installation token or
 * fine-grained PAT with contents and pull requests write on this one repository; a GitLab project access token
 * with `api` scope, Developer role) is in the env var `tokenEnv` names or in the file `tokenFile` names (read
 * again when it changes: a rotated token is used without a restart); never here. Exactly one of the two.
 *
 * @example { provider: github, repo: example/gitops, files: { redisConfigMap: apps/redis/configmap.yaml }, tokenEnv: GITOPS_TOKEN }
 * @example { provider: github, repo: example/gitops, files: { appConfigMap: apps/app.yaml }, tokenFile: /var/run/secrets/gitops/token }
 */
export const gitopsSchema = z
  .object({
    provider: z.enum(['github', 'gitlab'], { error: 'expected github | gitlab' }),
    /** GitHub: `owner/name`; GitLab: the project path (`group/subgroup/project`) or its numeric id. */
    repo: z.string({ error: 'expected the repository: owner/name (GitHub) or group/project or an id (GitLab)' }),
    baseBranch: z
      .string()
      .regex(/^[^\s~^:?*[\\]+$/, 'expected a branch name (no spaces or ~ ^ : ? * [ \\)')
      .default('main'),
    /** Where each ConfigMap's manifest lives in the repository (a ConfigMap YAML file, or the redis.conf itself). */
    files: z
      .object({ redisConfigMap: repoPath.optional(), appConfigMap: repoPath.optional() })
      .strict()
      .refine((f) => f.redisConfigMap !== undefined || f.appConfigMap !== undefined, {
        message: 'expected at least one of redisConfigMap, appConfigMap (the manifest paths in the repository)',
      }),
    /** The env var holding the API token (never the token); or `tokenFile`. */
    tokenEnv: envVarName.optional(),
    /** The absolute path of a file holding the API token (a mounted Secret), read again when it changes; or `tokenEnv`. */
    tokenFile: z
      .string({ error: TOKEN_FILE_EXPECTED })
      .refine((p) => isAbsolute(p), { message: TOKEN_FILE_EXPECTED })
      .optional(),
    /** GitHub Enterprise Server (`https://ghe.example.com/api/v3`) or a self-managed GitLab (`https://gitlab.example.com`). */
    apiUrl: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL of the API' }).optional(),
    /** The env var holding the secret the provider signs its webhooks with (optional: without it the bot polls). */
    webhookSecretEnv: envVarName.optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    if ((g.tokenEnv === undefined) === (g.tokenFile === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          g.tokenEnv === undefined
            ? `missing: where the token is, ${TOKEN_SOURCES}`
            : `set only one of tokenEnv and tokenFile (both are set): ${TOKEN_SOURCES}`,
      });
    if (g.provider === 'github' && !GITHUB_REPO.test(g.repo))
      ctx.addIssue({
        code: 'custom',
        path: ['repo'],
        message: `expected owner/name for GitHub, e.g. example/gitops (got "${g.repo}")`,
      });
    if (g.provider === 'gitlab' && !GITLAB_PROJECT.test(g.repo))
      ctx.addIssue({
        code: 'custom',
        path: ['repo'],
        message: `expected a GitLab project path (group/project, group/subgroup/project) or a numeric project id (got "${g.repo}")`,
      });
  });

export type GitopsConfig = z.infer<typeof gitopsSchema>;

/** The API base URL: `apiUrl`, or the provider's public API. */
export function gitopsApiUrl(g: GitopsConfig): string {
  return (g.apiUrl ?? GITOPS_DEFAULT_API_URL[g.provider]).replace(/\/+$/, '');
}

/**
 * The token of an environment's `gitops`, checked now: the value of the env var `tokenEnv` names, or the file
 * `tokenFile` names (read again on later calls when it changed). A UserError naming the variable or the file
 * and the environment (never a value) when it is unset, missing, unreadable or empty. Call at start-up for
 * every environment with `gitops`, and where the adapter is built.
 */
export function gitopsToken(g: GitopsConfig, envName: string, processEnv: NodeJS.ProcessEnv): GitopsToken {
  const what = `${gitopsTokenScope(g.provider)} ${g.repo}`;
  if (g.tokenFile !== undefined) {
    const token = tokenFile({ path: g.tokenFile, envName, what });
    token.current();
    return token;
  }
  const name = g.tokenEnv ?? '';
  const value = processEnv[name];
  if (value === undefined || value.trim() === '')
    throw new UserError(
      `The GitOps token env var ${name} (gitops.tokenEnv of environment "${envName}") is not set in the bot's ` +
        `environment: set it to ${what}.`,
      'gitops_token_missing',
    );
  return fixedToken(value.trim(), name);
}

/** The token as it is now (`gitopsToken(...).current()`). */
export function resolveGitopsToken(g: GitopsConfig, envName: string, processEnv: NodeJS.ProcessEnv): string {
  return gitopsToken(g, envName, processEnv).current();
}

/**
 * One message per environment whose `gitops.tokenEnv` is unset or whose `gitops.tokenFile` is missing,
 * unreadable or empty, for the start-up check (the bot refuses to start with them, as with a missing Slack
 * token), e.g. `[ 'The GitOps token env var GITOPS_TOKEN (...) is not set ...' ]`.
 */
export function gitopsTokenProblems(
  environments: Readonly<Record<string, { gitops?: GitopsConfig | undefined }>>,
  processEnv: NodeJS.ProcessEnv,
): string[] {
  return Object.entries(environments).flatMap(([name, env]) => {
    if (!env.gitops) return [];
    try {
      resolveGitopsToken(env.gitops, name, processEnv);
      return [];
    } catch (e) {
      return [e instanceof Error ? e.message : String(e)];
    }
  });
}
