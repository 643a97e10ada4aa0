import type { EnvironmentConfig } from '../../config/config.js';
import { gitopsApiUrl, gitopsToken } from '../../config/gitops.js';
import type { GitHostPort } from '../../core/ports/git-host.js';
import { githubHost } from './github.js';
import { gitlabHost } from './gitlab.js';

/**
 * The Git host of an environment with `gitops`, its token from the env var `gitops.tokenEnv` names or from the
 * file `gitops.tokenFile` names (checked now: a UserError naming the variable or the file when it is unset,
 * missing or empty; the file is read again on later calls when it changed); undefined without `gitops`.
 */
export function openGitHost(
  env: Pick<EnvironmentConfig, 'name' | 'gitops'>,
  processEnv: NodeJS.ProcessEnv,
  timeoutMs?: number,
): GitHostPort | undefined {
  const g = env.gitops;
  if (!g) return undefined;
  const common = {
    token: gitopsToken(g, env.name, processEnv),
    apiUrl: gitopsApiUrl(g),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
  return g.provider === 'github' ? githubHost({ ...common, repo: g.repo }) : gitlabHost({ ...common, project: g.repo });
}
