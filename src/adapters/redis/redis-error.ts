import { errorCode } from '../../core/error-fields.js';
import { RedisSourceError, type RedisErrorKind } from '../../core/ports/redis-source-error.js';
import { IoReplyError } from './replies.js';
import { tlsFailure, type TlsSettingNames } from './tls-errors.js';

export { RedisSourceError, type RedisErrorKind } from '../../core/ports/redis-source-error.js';

/** Where a failed call went; what the classification cannot learn from the error itself. */
export interface RedisCallContext {
  /** `host:port`, never a password. */
  address: string;
  /** The command as the bot sent it, upper case: `INFO`, `CONFIG GET`, `PTTL`. */
  command?: string;
  /** The ACL user the bot connects as (`default` when none is configured). */
  user?: string;
  /**
   * The last socket error of the connection. ioredis rejects queued commands with its own words
   * ("Reached the max retries per request limit", "Connection is closed.") and keeps no reference to
   * the ECONNREFUSED behind them, so the adapter records it (see `connection-errors.ts`).
   */
  lastConnectionError?: unknown;
  /** How a TLS failure names the files (default: the fields of `redis.tls`). */
  tlsNames?: TlsSettingNames;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'it refused the connection',
  ECONNRESET: 'it reset the connection',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'there is no route to the host',
  ENOTFOUND: 'the host name does not resolve',
  EPIPE: 'the connection broke while sending',
};

/** ioredis' own words for "the connection is gone", none of which carries an errno. */
const IOREDIS_DISCONNECTED = [
  'Connection is closed',
  'Reached the max retries per request limit',
  "Stream isn't writeable",
  'Command aborted due to connection close',
];

/** Reply prefixes that map straight to a kind; NOPERM, auth and CONFIG need more reading below. */
const REPLY_KINDS: Record<string, RedisErrorKind> = {
  LOADING: 'loading',
  READONLY: 'read_only',
  MOVED: 'cluster_redirect',
  ASK: 'cluster_redirect',
  CLUSTERDOWN: 'cluster_down',
  BUSY: 'timeout',
  NOAUTH: 'auth',
  WRONGPASS: 'auth',
};

/** The error prefix of a Redis reply (`NOPERM`, `WRONGTYPE`, `ERR`), or undefined for non-reply errors. */
export function replyPrefix(err: unknown): string | undefined {
  // Every server error reply is an instance of redis-errors' ReplyError (see replies.ts).
  if (!(err instanceof IoReplyError)) return undefined;
  return /^([A-Z][A-Z_]*)\b/.exec(err.message)?.[1];
}

function networkCode(err: unknown): string | undefined {
  const code = errorCode(err);
  return code !== undefined && code in NETWORK_REASONS ? code : undefined;
}

function isDisconnected(err: Error): boolean {
  return err.name === 'MaxRetriesPerRequestError' || IOREDIS_DISCONNECTED.some((m) => err.message.startsWith(m));
}

/** `config|get` (as NOPERM names it) or ioredis' `config` + args -> `CONFIG GET`. */
function commandFromReply(err: Error): string | undefined {
  const named = /'([a-z][\w|-]*)' command/i.exec(err.message)?.[1];
  if (named) return named.replace('|', ' ').toUpperCase();
  return undefined;
}

/**
 * Turns whatever ioredis threw into a `RedisSourceError` with a kind and a message a person can act
 * on. The only place that reads ioredis error text or codes; a `RedisSourceError` passes through.
 *
 * @example
 * classifyRedisError(err, { address: '127.0.0.1:6390', command: 'INFO', lastConnectionError })
 * // kind 'unreachable', code 'ECONNREFUSED',
 * // message 'Redis at 127.0.0.1:6390 is unreachable: it refused the connection (ECONNREFUSED).'
 */
export function classifyRedisError(err: unknown, ctx: RedisCallContext): RedisSourceError {
  if (err instanceof RedisSourceError) return err;
  const at = `Redis at ${ctx.address}`;
  const base = { address: ctx.address, ...(ctx.user !== undefined ? { user: ctx.user } : {}) };
  const command = ctx.command;
  const withCommand = command !== undefined ? { command } : {};
  if (!(err instanceof Error))
    return new RedisSourceError(`${at} failed: ${String(err)}`, { kind: 'other', ...base, ...withCommand });

  const tls =
    tlsFailure(err, ctx.tlsNames) ??
    (isDisconnected(err) ? tlsFailure(ctx.lastConnectionError, ctx.tlsNames) : undefined);
  if (tls) {
    const message = `${at}: TLS failed: ${tls.reason} (${tls.code}).`;
    return new RedisSourceError(message, { kind: 'tls', ...base, ...withCommand, code: tls.code });
  }
  const errno = networkCode(err) ?? (isDisconnected(err) ? networkCode(ctx.lastConnectionError) : undefined);
  if (errno) {
    const message = `${at} is unreachable: ${NETWORK_REASONS[errno]} (${errno}).`;
    return new RedisSourceError(message, { kind: 'unreachable', ...base, ...withCommand, code: errno });
  }
  if (isDisconnected(err)) {
    const message = `${at} is unreachable: the connection closed and reconnecting failed.`;
    return new RedisSourceError(message, { kind: 'unreachable', ...base, ...withCommand });
  }
  if (err.message.startsWith('Command timed out')) {
    const message = `${at} did not answer ${command ?? 'a command'} within the command timeout.`;
    return new RedisSourceError(message, { kind: 'timeout', ...base, ...withCommand });
  }

  const prefix = replyPrefix(err);
  if (prefix === undefined)
    return new RedisSourceError(`${at} failed: ${err.message}`, { kind: 'other', ...base, ...withCommand });
  const reply = { ...base, code: prefix };
  if (prefix === 'NOPERM') return noPermission(err, at, reply, command);
  const kind: RedisErrorKind | undefined =
    REPLY_KINDS[prefix] ?? (/invalid password/i.test(err.message) ? 'auth' : undefined);
  // ioredis sends AUTH on connect and rejects the caller's command with AUTH's reply: name AUTH.
  const failed = kind === 'auth' && prefix !== 'NOAUTH' ? 'AUTH' : command;
  const named = failed !== undefined ? { command: failed } : {};
  if (kind)
    return new RedisSourceError(replyMessage(kind, at, prefix, failed, err.message), { kind, ...reply, ...named });
  if (command?.startsWith('CONFIG') && /unknown command|not allowed|disabled/i.test(err.message)) {
    const message = `${at} does not allow ${command} (renamed or disabled, as on managed Redis): ${err.message}`;
    return new RedisSourceError(message, { kind: 'config_refused', ...reply, ...named });
  }
  return new RedisSourceError(`${at} failed${command ? ` on ${command}` : ''}: ${err.message}`, {
    kind: 'other',
    ...reply,
    ...named,
  });
}

function noPermission(
  err: Error,
  at: string,
  reply: { address: string; user?: string; code: string },
  command: string | undefined,
): RedisSourceError {
  const denied = commandFromReply(err) ?? command;
  const who = reply.user !== undefined ? `user "${reply.user}"` : "the bot's user";
  const named = denied !== undefined ? { command: denied } : {};
  // "no permissions to access one of the keys" (or a channel): the command is allowed, the key pattern is not.
  if (/\bkeys?\b|channel/i.test(err.message)) {
    const message = `${at} denied ${who} access to the keys that ${denied ?? 'a command'} reads (ACL, NOPERM).`;
    return new RedisSourceError(message, { kind: 'no_permission', ...reply, ...named });
  }
  const aclRule = denied !== undefined ? `+${denied.toLowerCase().replace(' ', '|')}` : undefined;
  const message = `${at} denied ${denied ?? 'a command'} to ${who} (ACL, NOPERM).`;
  return new RedisSourceError(message, { kind: 'no_permission', ...reply, ...named, ...(aclRule ? { aclRule } : {}) });
}

function replyMessage(
  kind: RedisErrorKind,
  at: string,
  prefix: string,
  command: string | undefined,
  text: string,
): string {
  const cmd = command ?? 'the command';
  switch (kind) {
    case 'auth':
      return prefix === 'NOAUTH'
        ? `${at} requires a password (NOAUTH) and the bot sent none: ` +
            'name the env var that holds it in redis.passwordEnv.'
        : `${at} refused the credentials (${prefix}): check the password in the env var named by ` +
            'redis.passwordEnv and the user in the one named by redis.usernameEnv.';
    case 'loading':
      return `${at} is loading its dataset into memory (LOADING) and answers nothing until it is done; retry in a minute.`;
    case 'read_only':
      return `${at} is a read-only replica (READONLY) and refused ${cmd}: point redis.url at the primary.`;
    case 'cluster_redirect':
      return (
        `${at} is a Redis Cluster node and redirected ${cmd} to another node (${prefix}): set redis.cluster: true ` +
        "in this environment's config so the bot uses a cluster client (or point redis.url at a standalone Redis or a proxy)."
      );
    case 'cluster_down':
      return `${at} reports the cluster is down (CLUSTERDOWN) and refused ${cmd}.`;
    case 'timeout':
      return `${at} is busy running a script or function (BUSY) and answers nothing else until it ends: ${text}`;
    default:
      return `${at} failed on ${cmd}: ${text}`;
  }
}
