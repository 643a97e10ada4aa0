import { readFileSync, statSync } from 'node:fs';
import { errorCode } from '../core/error-fields.js';
import { UserError } from '../core/errors.js';

/**
 * Where a Git host adapter takes the GitOps token, on every call: an env var (read once, it cannot change in a
 * running process) or a file (`gitops.tokenFile`, e.g. a mounted Kubernetes Secret or a file a sidecar
 * refreshes), read again when it changed, so a rotated token is used without a restart. Never logs the token.
 */
export interface GitopsToken {
  /** Where the token is, for messages: the env var's name or the file's path (never the token). */
  readonly source: string;
  /** The token now; a UserError naming the source when it is missing, unreadable or empty. */
  current(): string;
  /**
   * After the Git host refused `used` (401): the source read again, bypassing any cache; the token when it is
   * another one (a rotation raced the call), undefined when it is the same (an env var never changes).
   */
  renewed(used: string): string | undefined;
}

/** What the token must be, for the messages: `put <scope> <repo> in it`. */
export function gitopsTokenScope(provider: 'github' | 'gitlab'): string {
  return provider === 'github'
    ? 'a GitHub App installation token or a fine-grained token with Contents and Pull requests: read and write on'
    : 'a GitLab project access token (api scope, Developer role) of';
}

/** A token that never changes (an env var's value, read at start-up), named by `source` in messages. */
export function fixedToken(token: string, source: string): GitopsToken {
  return { source, current: () => token, renewed: () => undefined };
}

/** Why a token file cannot be read, by errno, and the UserError's code. */
const READ_REASONS: Record<string, [string, string]> = {
  ENOENT: ['does not exist', 'gitops_token_missing'],
  ENOTDIR: ['does not exist', 'gitops_token_missing'],
  EACCES: ['cannot be read by the bot (permission denied, EACCES)', 'gitops_token_unreadable'],
  EISDIR: ['is a directory, not a file', 'gitops_token_unreadable'],
};

export interface TokenFileOptions {
  path: string;
  /** The environment whose `gitops.tokenFile` this is, for messages. */
  envName: string;
  /** `put <what> in it`, e.g. `a GitLab project access token (api scope, Developer role) of group/gitops`. */
  what: string;
  /** Read again at least this often even when the file's stat looks unchanged (coarse timestamps); default 5 s. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * The token in a file, trimmed. Each `current()` stats the file (cheap) and reads it again only when its
 * inode, size or mtime changed (a Secret volume swaps a symlink, a sidecar rewrites the file) or the last read
 * is older than `maxAgeMs`. Problems are UserErrors naming the file and the environment, never its content.
 */
export function tokenFile(o: TokenFileOptions): GitopsToken {
  const maxAgeMs = o.maxAgeMs ?? 5000;
  const now = o.now ?? Date.now;
  let cached: { key: string; token: string; readAt: number } | undefined;
  const problem = (what: string, code: string) =>
    new UserError(
      `The GitOps token file ${o.path} (gitops.tokenFile of environment "${o.envName}") ${what}: ` +
        `put ${o.what} in it (e.g. mount the Kubernetes Secret that holds it there).`,
      code,
    );
  const unreadable = (e: unknown) => {
    const errno = errorCode(e) ?? 'error';
    const [why, code] = READ_REASONS[errno] ?? [`cannot be read (${errno})`, 'gitops_token_unreadable'];
    return problem(why, code);
  };
  const statKey = () => {
    try {
      const s = statSync(o.path);
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (e) {
      throw unreadable(e);
    }
  };
  const read = () => {
    // Stat before reading: a change between the two shows as a new key on the next call.
    const key = statKey();
    let text: string;
    try {
      text = readFileSync(o.path, 'utf8');
    } catch (e) {
      throw unreadable(e);
    }
    const token = text.trim();
    if (token === '') throw problem('is empty', 'gitops_token_missing');
    if (/\s/.test(token))
      throw problem('holds more than one word (a token has no spaces or line breaks)', 'gitops_token_invalid');
    cached = { key, token, readAt: now() };
    return token;
  };
  return {
    source: o.path,
    current() {
      if (cached && now() - cached.readAt < maxAgeMs && statKey() === cached.key) return cached.token;
      return read();
    },
    renewed(used) {
      const token = read();
      return token === used ? undefined : token;
    },
  };
}
