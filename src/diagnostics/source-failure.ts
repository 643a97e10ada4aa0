import { ClusterError } from '../core/ports/cluster.js';
import { UserError } from '../core/errors.js';
import type { Need, RawFinding } from './types.js';

/** A check's source failed; carries the message a person can act on and the finding to raise. */
export interface SourceFailure {
  message: string;
  finding?: RawFinding;
}

const REDIS_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

function redisMessage(err: Error & { code?: string }, address: string): string {
  const text = err.message ?? '';
  if (err.code && REDIS_NETWORK_CODES.has(err.code)) return `Redis at ${address} is unreachable (${err.code}).`;
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(text))
    return `Redis at ${address} refused the credentials: check the password env var named in redis.passwordEnv.`;
  if (/NOPERM/i.test(text)) return `Redis at ${address} denied a command to this user (ACL): ${text}`;
  if (/Connection is closed|connect|Stream isn't writeable|Reached the max retries/i.test(text))
    return `Redis at ${address} is unreachable: ${text}`;
  return `Redis at ${address} failed: ${text}`;
}

/**
 * Decides what the user sees when a check's source fails: the status message and the
 * `redis.unreachable` / `kubernetes.forbidden` / `kubernetes.unreachable` finding.
 */
export function describeSourceFailure(err: unknown, needs: readonly Need[], redisAddress: string): SourceFailure {
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
  if (needs.includes('redis') && err instanceof Error) {
    const message = redisMessage(err as Error & { code?: string }, redisAddress);
    return {
      message,
      finding: {
        id: 'redis.unreachable',
        severity: 'critical',
        title: 'Session store unreachable',
        detail: message,
        evidence: { address: redisAddress, code: (err as { code?: string }).code ?? null },
        fix: 'Check that Redis is up (runbook: RedisSessionStoreDown), the URL and the credentials.',
      },
    };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}
