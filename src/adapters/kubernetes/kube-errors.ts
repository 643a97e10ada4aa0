// How a failed request of the live adapters becomes a ClusterError. Imports `@kubernetes/client-node`
// (for ApiException): only the lazily loaded kubernetes-cluster.ts and cluster-writer.ts import this.
import { ApiException } from '@kubernetes/client-node';
import { ClusterError } from '../../core/ports/cluster.js';
import { networkCode, statusMessage } from './api-errors.js';
import { describeAction, scrubToken, type KubeAction, type KubeTarget } from './kube-requests.js';

/** An HTTP error answer: its status and what the API said (`: <message>`, or ''). */
interface Answer {
  status: number;
  said: string;
}

/** What a status means for one kind of request; undefined leaves it to the rules every request shares. */
type StatusRule = (
  answer: Answer,
  a: KubeAction,
  namespace: string,
  server: string,
) => { kind: ClusterError['kind']; message: string } | undefined;

/** 5xx and 429 `server_error`; any other status the rule does not know `invalid`. */
function fromStatus(answer: Answer, a: KubeAction, target: KubeTarget, rule: StatusRule): ClusterError {
  const { status, said } = answer;
  const what = describeAction(a, target.namespace);
  const decided =
    rule(answer, a, target.namespace, target.server) ??
    (status >= 500 || status === 429
      ? {
          kind: 'server_error',
          message: `Kubernetes API at ${target.server} failed to ${what} (HTTP ${status}${said}).`,
        }
      : { kind: 'invalid', message: `Kubernetes API at ${target.server} answered HTTP ${status} to ${what}${said}.` });
  return new ClusterError(scrubToken(decided.message, target.token), decided.kind, status);
}

function classify(err: unknown, a: KubeAction, target: KubeTarget, rule: StatusRule): ClusterError {
  if (err instanceof ClusterError) return err;
  const what = describeAction(a, target.namespace);
  if (err instanceof ApiException) {
    const apiMessage = statusMessage(err.body);
    return fromStatus({ status: err.code, said: apiMessage ? `: ${apiMessage}` : '' }, a, target, rule);
  }
  const code = networkCode(err);
  if (code) {
    const message = `Kubernetes API at ${target.server} is unreachable (${code}) when trying to ${what}.`;
    return new ClusterError(message, 'unreachable');
  }
  const firstLine = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  const message = `Kubernetes API at ${target.server} sent a reply to ${what} that the bot cannot read: ${firstLine}`;
  return new ClusterError(scrubToken(message, target.token), 'invalid');
}

/** The reads of the checks: 401 and 403 are `forbidden`, 403 naming the RBAC to grant. */
const readRule: StatusRule = ({ status, said }, a, namespace, server) => {
  const what = describeAction(a, namespace);
  if (status === 401) {
    const message =
      `Kubernetes API at ${server} rejected the bot's credentials (401 Unauthorized) when trying to ${what}${said}. ` +
      'Check the kubeconfig user or the service account token.';
    return { kind: 'forbidden', message };
  }
  if (status === 403) {
    const verbs = a.resource === 'pods/log' ? 'get' : a.verb;
    const message =
      `Kubernetes API denied ${what} (403 Forbidden${said}). Grant the bot's service account "${verbs}" on ` +
      `${a.resource} in namespace "${namespace}" with a Role and RoleBinding (see manifests/bot/rbac.yaml).`;
    return { kind: 'forbidden', message };
  }
  return undefined;
};

/** The writes of the actions: 401/403 `forbidden`, 409 `conflict` (changed since the preview), 404 `not_found`. */
const writeRule: StatusRule = ({ status, said }, a, namespace) => {
  const what = describeAction(a, namespace);
  const named = `${a.resource} "${a.name ?? ''}"`;
  if (status === 401 || status === 403) {
    const answer = status === 401 ? '401 Unauthorized' : '403 Forbidden';
    const message =
      `Kubernetes API denied ${what} (${answer}${said}). Grant the bot's service account "${a.verb}" on ` +
      `${a.resource}${a.name ? ` "${a.name}"` : ''} in namespace "${namespace}" (see manifests/bot/rbac.yaml). ` +
      'Nothing was changed by this request.';
    return { kind: 'forbidden', message };
  }
  if (status === 409) {
    const message =
      `${named} in namespace "${namespace}" changed since the preview was made (409 Conflict); it was not changed. ` +
      'Review the action again and approve the new preview.';
    return { kind: 'conflict', message };
  }
  if (status === 404)
    return {
      kind: 'not_found',
      message: `${named} does not exist in namespace "${namespace}" (404) when trying to ${what}.`,
    };
  return undefined;
};

/**
 * A failed read as a ClusterError: 401/403 `forbidden` (with the RBAC to grant), 5xx and 429
 * `server_error`, network failures and timeouts `unreachable`, anything unreadable `invalid`.
 * No message carries the bearer token.
 */
export function readError(err: unknown, a: KubeAction, target: KubeTarget): ClusterError {
  return classify(err, a, target, readRule);
}

/** A failed write as a ClusterError: as `readError`, with 409 `conflict` and 404 `not_found`. */
export function writeError(err: unknown, a: KubeAction, target: KubeTarget): ClusterError {
  return classify(err, a, target, writeRule);
}
