import { ClusterError } from '../core/ports/cluster.js';
import { UserError } from '../core/errors.js';
import { RedisSourceError } from '../core/ports/redis-source-error.js';
import type { Need, RawFinding } from './types.js';

/** A check's source failed; carries the message a person can act on and the finding to raise. */
export interface SourceFailure {
  message: string;
  finding?: RawFinding;
}

/** A denial is a warning: Redis answers, the bot only sees less. The fix is the exact ACL line to add. */
function redisForbidden(err: RedisSourceError): RawFinding {
  const user = err.user ?? '<user>';
  const rule = err.aclRule ?? '%R~<session key prefix>*';
  return {
    id: 'redis.forbidden',
    severity: 'warning',
    title: "Redis denied a command to the bot's user (ACL)",
    detail: err.message,
    evidence: { address: err.address, command: err.command ?? null, aclRule: err.aclRule ?? null },
    fix:
      `Allow it with \`ACL SETUSER ${user} ${rule}\` (then ACL SAVE if Redis loads users from an ` +
      'aclfile, else add the rule where the user is defined), or connect as a user that has it.',
  };
}

function redisUnreachable(err: RedisSourceError): RawFinding {
  return {
    id: 'redis.unreachable',
    severity: 'critical',
    title: 'Session store unreachable',
    detail: err.message,
    evidence: { address: err.address, code: err.code ?? null, kind: err.kind },
    fix:
      err.kind === 'auth'
        ? 'Check the password in the env var named by redis.passwordEnv and the user in the one named by redis.usernameEnv.'
        : 'Check that Redis is up (runbook: RedisSessionStoreDown), the URL and the credentials.',
  };
}

/** The TLS handshake failed: the adapter's message names the certificate problem and its code. */
function redisTls(err: RedisSourceError): RawFinding {
  return {
    id: 'redis.tls',
    severity: 'critical',
    title: 'TLS with the session store failed',
    detail: err.message,
    evidence: { address: err.address, code: err.code ?? null },
    fix:
      "Check redis.tls against the server's certificate: caFile must hold the CA that signed it, servername a name " +
      'in it (or connect by that name), certFile/keyFile a client certificate the server trusts (mutual TLS). ' +
      '`openssl s_client -connect <host:port> -CAfile <caFile>` shows the chain the server sends and why it fails.',
  };
}

/**
 * Decides what the user sees when a check's source fails: the status message and the
 * `redis.unreachable` / `redis.tls` / `redis.forbidden` / `kubernetes.forbidden` / `kubernetes.unreachable` finding.
 * Redis failures arrive typed by the adapter (`RedisSourceError`); anything else that a check throws
 * is a fault of the check, not of the store, and raises no finding. The typed error carries its own
 * address, so `_needs` and `_redisAddress` are no longer read; they stay until the callers drop them.
 */
export function describeSourceFailure(err: unknown, _needs: readonly Need[], _redisAddress: string): SourceFailure {
  if (err instanceof ClusterError) {
    const forbidden = err.kind === 'forbidden';
    return {
      message: err.message,
      finding: {
        id: forbidden ? 'kubernetes.forbidden' : 'kubernetes.unreachable',
        severity: 'warning',
        title: forbidden ? 'Kubernetes API denied access' : 'Kubernetes API unavailable',
        detail: err.message,
        evidence: { status: err.status ?? null },
        fix: forbidden
          ? "Grant the bot's service account get/list on configmaps and pods (and get on pods/log) in the namespace; see manifests/bot/rbac.yaml."
          : 'Check the API server address, the kubeconfig context and network access from the bot.',
      },
    };
  }
  if (err instanceof UserError) return { message: err.message };
  if (err instanceof RedisSourceError) {
    return {
      message: err.message,
      finding:
        err.kind === 'no_permission' ? redisForbidden(err) : err.kind === 'tls' ? redisTls(err) : redisUnreachable(err),
    };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}
