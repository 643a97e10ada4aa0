/**
 * An error whose message is written for the person at the keyboard (Slack or terminal).
 * Anything that is not a UserError is shown as a short reference and logged in full.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** Machine-readable code, e.g. `unknown_env`. */
    readonly code: string = 'user_error',
  ) {
    super(message);
  }
}

/** Configuration is invalid; each issue names the field path and what was expected. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  constructor(
    readonly issues: string[],
    readonly source: string,
  ) {
    super(`Invalid configuration in ${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`, 'config_error');
  }
}

/** Short random reference for an unexpected error, shown to the user and logged with the details. */
export function errorReference(): string {
  return `ERR-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
}

/**
 * A chat platform could not say which groups a person is in (Microsoft Graph refused or was unreachable).
 * `why` is written for the person and names what to fix; the person then counts as in no group (deny by
 * default) and the denial says why. Never carries a token.
 */
export class GroupLookupError extends Error {
  override name = 'GroupLookupError';
  constructor(
    readonly why: string,
    options?: ErrorOptions,
  ) {
    super(`group membership could not be read: ${why}`, options);
  }
}
