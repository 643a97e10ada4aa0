import type { GitopsToken } from '../../config/gitops-token.js';
import { GitHostError } from '../../core/ports/git-host.js';

/**
 * Runs one Git host call with the token as it is now. When the host refuses it (401) and the token's file now
 * holds another token (it was rotated between the read and the call), runs the call once more with that one;
 * otherwise the 401 stands. `attempt` throws GitHostErrors; a token file's problem is its UserError.
 */
export async function withCurrentToken<T>(token: GitopsToken, attempt: (token: string) => Promise<T>): Promise<T> {
  const used = token.current();
  try {
    return await attempt(used);
  } catch (e) {
    if (!(e instanceof GitHostError) || e.status !== 401) throw e;
    const renewed = token.renewed(used);
    if (renewed === undefined) throw e;
    return attempt(renewed);
  }
}

/**
 * The API client for a token, built again only when the token changes (a client holds its token from the
 * start: Octokit's `auth`, gitbeaker's `token`).
 */
export function clientPerToken<C>(build: (token: string) => C): (token: string) => C {
  let last: { token: string; client: C } | undefined;
  return (token) => {
    if (last?.token !== token) last = { token, client: build(token) };
    return last.client;
  };
}
