import type { EnvironmentConfig } from '../../config/config.js';
import { gitopsApiUrl, resolveGitopsToken } from '../../config/gitops.js';
import type { GitHostPort } from '../../core/ports/git-host.js';
import { githubHost } from './github.js';
import { gitlabHost } from './gitlab.js';

/**
 * The Git host of an environment with `gitops`, its token read from the env var `gitops.tokenEnv` names
 * (a UserError naming the variable when unset); undefined for an environment without `gitops`.
 */
export function openGitHost(
  env: Pick<EnvironmentConfig, 'name' | 'gitops'>,
  processEnv: NodeJS.ProcessEnv,
  timeoutMs?: number,
): GitHostPort | undefined {
  const g = env.gitops;
  if (!g) return undefined;
  const common = {
    token: resolveGitopsToken(g, env.name, processEnv),
    tokenEnv: g.tokenEnv,
    apiUrl: gitopsApiUrl(g),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
  return g.provider === 'github' ? githubHost({ ...common, repo: g.repo }) : gitlabHost({ ...common, project: g.repo });
}
