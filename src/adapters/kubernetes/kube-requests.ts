import { ClusterError } from '../../core/ports/cluster.js';

/** What a request was trying to do, for messages: `get configmaps "x"`, `list pods`, `patch deployments "app"`. */
export interface KubeAction {
  verb: 'get' | 'list' | 'patch' | 'create';
  resource: string;
  name?: string;
}

/** The API server and namespace requests go to, and what a message must never show. */
export interface KubeTarget {
  /** The server's URL for messages (no credentials). */
  server: string;
  namespace: string;
  /** The bearer token of the kubeconfig user, scrubbed from every message. */
  token: string | undefined;
}

/** `get configmaps "x" in namespace "ns"`. */
export function describeAction(a: KubeAction, namespace: string): string {
  return `${a.verb} ${a.resource}${a.name ? ` "${a.name}"` : ''} in namespace "${namespace}"`;
}

/** Belt and braces: no message leaves the adapters with the bearer token in it. */
export function scrubToken(text: string, token: string | undefined): string {
  return token ? text.split(token).join('<redacted>') : text;
}

/**
 * Runs one request within `timeoutMs` and turns what it throws into a ClusterError with `classify`. The
 * generated client takes no AbortSignal, so a timed-out request is abandoned (its socket closes on its own).
 */
export async function sendWithin<T>(
  target: KubeTarget & { timeoutMs: number },
  a: KubeAction,
  send: () => Promise<T>,
  classify: (err: unknown, a: KubeAction) => ClusterError,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const what = describeAction(a, target.namespace);
    const message = `Kubernetes API at ${target.server} did not answer within ${target.timeoutMs} ms when trying to ${what}.`;
    timer = setTimeout(() => reject(new ClusterError(message, 'unreachable')), target.timeoutMs);
  });
  try {
    return await Promise.race([send(), timeout]);
  } catch (err) {
    throw classify(err, a);
  } finally {
    clearTimeout(timer);
  }
}
