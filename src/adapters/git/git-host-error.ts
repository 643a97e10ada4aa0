import { GitHostError } from '../../core/ports/git-host.js';

/** What a Git host error message needs to say what to do (never the token itself). */
export interface GitErrorContext {
  /** `GitHub` or `GitLab`. */
  provider: string;
  repo: string;
  /** Where the token came from: the env var's name or the token file's path. */
  tokenSource: string;
  /** The access the token needs, in the provider's words. */
  scopes: string;
}

/**
 * A provider's failed reply as a GitHostError whose message says what to do. `what` is the operation
 * (`creating branch x`), `apiMessage` the provider's own message (which never holds the token), `rateLimited`
 * whether the provider said so (a 403/429 that is not about permissions).
 */
export function gitHostError(
  c: GitErrorContext,
  what: string,
  status: number | undefined,
  apiMessage: string,
  rateLimited = false,
): GitHostError {
  const said = apiMessage ? `: ${apiMessage.split('\n')[0]?.slice(0, 200)}` : '';
  const where = `${c.provider} ${c.repo}`;
  if (status === 401)
    return new GitHostError(
      `${where} refused the token in ${c.tokenSource} while ${what} (401${said}): it is wrong, expired or revoked; ` +
        `put a valid one (${c.scopes}) in ${c.tokenSource}.`,
      'forbidden',
      status,
    );
  if (rateLimited || status === 429)
    return new GitHostError(
      `${where} rate-limited the bot while ${what} (${status}${said}); try again later.`,
      'unavailable',
      status,
    );
  if (status === 403)
    return new GitHostError(
      `${where} refused ${what} with the token in ${c.tokenSource} (403${said}): give it ${c.scopes}.`,
      'forbidden',
      status,
    );
  if (status === 404)
    return new GitHostError(
      `${where}: not found while ${what} (404${said}); check gitops.repo, gitops.baseBranch and gitops.files ` +
        `(${c.provider} also answers 404 when the token in ${c.tokenSource} cannot see the repository).`,
      'not_found',
      status,
    );
  if (status === 409 || status === 422 || status === 400)
    return new GitHostError(`${where} refused ${what} (${status}${said}).`, 'conflict', status);
  return new GitHostError(
    `${where} did not answer while ${what} (${status ?? 'no reply'}${said}); the Git host is unavailable, try again later.`,
    'unavailable',
    status,
  );
}
