import { errorCode } from '../../core/error-fields.js';
import { RedisAdminError } from '../../core/ports/redis-admin-error.js';
import { tlsFailure } from './tls-errors.js';

/** Where a failed admin call went, and as whom. */
interface AdminCall {
  address: string;
  command: string;
  user: string;
}

/** Socket errnos, and ioredis' own words for a connection that is gone. */
const NETWORK = new RegExp(
  [
    'ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE',
    "Connection is closed|Stream isn't writeable|Command timed out|connect ETIMEDOUT",
  ].join('|'),
);

function authFailure(c: AdminCall, line: string): RedisAdminError {
  const message = `Redis at ${c.address} rejected the bot's admin credentials (user "${c.user}"): ${line}`;
  return new RedisAdminError(message, 'auth', c.address, c.command);
}

function denied(c: AdminCall, line: string): RedisAdminError {
  const rule = `+${c.command.toLowerCase().replace(' ', '|')}`;
  const message =
    `Redis at ${c.address} denied ${c.command} to user "${c.user}" (${line}). Grant it with ACL SETUSER ${c.user} ` +
    `${rule}, or set redis.adminUsernameEnv / redis.adminPasswordEnv to a user that may.`;
  return new RedisAdminError(message, 'no_permission', c.address, c.command);
}

function refused(c: AdminCall, line: string): RedisAdminError {
  const message = `Redis at ${c.address} does not offer ${c.command} (renamed or disabled, e.g. a managed service): ${line}`;
  return new RedisAdminError(message, 'refused', c.address, c.command);
}

/** Sent, but no answer: a paused or overloaded Redis may still run it later. */
function timedOut(c: AdminCall, line: string): RedisAdminError {
  const mayApply =
    c.command === 'CONFIG SET'
      ? ' It may still apply the change once it answers again: read the value with CONFIG GET before trying again or reverting.'
      : '';
  const message = `Redis at ${c.address} did not answer ${c.command} in time (${line}).${mayApply}`;
  return new RedisAdminError(message, 'timeout', c.address, c.command);
}

function unreachable(c: AdminCall, why: string): RedisAdminError {
  const message = `Redis at ${c.address} is unreachable (${why}); ${c.command} was not sent. Nothing was changed on this node.`;
  return new RedisAdminError(message, 'unreachable', c.address, c.command);
}

/**
 * Decides the kind of an ioredis failure of an admin call, once, here: wrong credentials `auth`, an ACL
 * denial `no_permission` (naming the rule to grant), a renamed or disabled command `refused`, no answer
 * in time `timeout`, no connection `unreachable`. A `RedisAdminError` passes through.
 */
export function classifyAdminError(err: unknown, call: AdminCall): RedisAdminError {
  if (err instanceof RedisAdminError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const line = msg.split('\n')[0] ?? '';
  const code = errorCode(err);
  const tls = tlsFailure(err);
  // Nothing was sent: for the remediation flow a failed handshake is a node it cannot reach, named as such.
  if (tls) return unreachable(call, `TLS failed: ${tls.reason} (${tls.code})`);
  if (/^(WRONGPASS|NOAUTH)/.test(msg) || /invalid (username-)?password/i.test(msg)) return authFailure(call, line);
  if (/^NOPERM/.test(msg)) return denied(call, line);
  if (/unknown command|unknown subcommand/i.test(msg)) return refused(call, line);
  if (/Command timed out/.test(msg)) return timedOut(call, line);
  if ((code !== undefined && NETWORK.test(code)) || NETWORK.test(msg)) return unreachable(call, code ?? line);
  return new RedisAdminError(
    `Redis at ${call.address} failed ${call.command}: ${line}`,
    'other',
    call.address,
    call.command,
  );
}
