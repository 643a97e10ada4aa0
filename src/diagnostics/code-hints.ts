import type { EnvironmentConfig } from '../config/config.js';

/** How fix texts name the app's session code: from `app.codeHints` when configured, generic words otherwise. */
export interface CodeWords {
  /** "src/app/auth/session.py" or "the code that writes sessions". */
  module: string;
  /** "create_session()" or "the function that creates sessions". */
  create: string;
  /** "refresh_session()" or "the function that refreshes a session on access". */
  refresh: string;
  /** A grep for literal TTLs in the session code (the module when known, else the repository). */
  grepLiteralTtl: string;
  /** A grep for code that deletes or revokes sessions. */
  grepDeletes: string;
}

/**
 * The words for the app's session code in fix texts. The bot serves any app, so without
 * `app.codeHints` nothing names a particular code base.
 *
 * @example codeWords(env).create // 'create_session()' with codeHints.createFunction 'create_session'
 */
export function codeWords(env: Pick<EnvironmentConfig, 'app'>): CodeWords {
  const h = env.app?.codeHints;
  const fn = (name: string) => (name.endsWith(')') ? name : `${name}()`);
  return {
    module: h?.sessionModule ?? 'the code that writes sessions',
    create: h?.createFunction ? fn(h.createFunction) : 'the function that creates sessions',
    refresh: h?.refreshFunction ? fn(h.refreshFunction) : 'the function that refreshes a session on access',
    grepLiteralTtl: h?.sessionModule
      ? `grep -rnE "(ttl|expire|ex)\\s*=\\s*[0-9]|setex" ${h.sessionModule}`
      : 'grep -rnE "(ttl|expire|ex)\\s*=\\s*[0-9]|setex" in the code that writes sessions',
    grepDeletes: `grep -rniE "delete|revoke|unlink" ${h?.sessionModule ?? 'in the code that handles sessions'}`,
  };
}
