import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** One request the fake received, for assertions (headers are lower-cased by node:http). */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v1/namespaces/langgraph-agent/pods`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Request body as text (empty for a GET). */
  rawBody: string;
  /** Request body parsed as JSON, when it is JSON. */
  body?: unknown;
}

/** A fault served instead of the real answer. */
export interface Fault {
  status: number;
  /** Response body; a JSON-serialisable value is sent as JSON, a string as-is. Default: a `Status` object. */
  body?: unknown;
  /** Content type for a string body (default `application/json`). */
  contentType?: string;
}

/** A Kubernetes object as plain JSON (what `kubectl get -o json` prints). */
export type KubeObject = Record<string, any>;

/**
 * How the rollout that a pod-template change starts goes: it completes after the deployment has been
 * read `completeAfterPolls` times (0: at once), never completes, or fails (ProgressDeadlineExceeded).
 */
export type RolloutScript = { completeAfterPolls: number } | 'never' | 'fail';

/** What a SelfSubjectAccessReview asks (`spec.resourceAttributes`). */
export interface AccessAttributes {
  verb: string;
  resource: string;
  group: string;
  namespace?: string;
  name?: string;
}

export interface FakeKubeApiOptions {
  /** Namespace given to objects that have none (default `langgraph-agent`). */
  namespace?: string;
  /** Bearer token the fake accepts (default a random one); anything else gets 401. */
  token?: string;
  /** The clock behind the `Date` header (default `Date.now`). */
  now?: () => number;
}

/**
 * A fake Kubernetes API server on 127.0.0.1, so tests drive the real `@kubernetes/client-node` over HTTP.
 * It serves only what the bot reads and the remediation actions write:
 * - `GET /version`
 * - `GET /api/v1/namespaces/{ns}/configmaps/{name}`
 * - `PATCH /api/v1/namespaces/{ns}/configmaps/{name}` (JSON merge patch only, else 415; 409 when the
 *   patch's `metadata.resourceVersion` is not the current one; bumps resourceVersion)
 * - `GET|PATCH /apis/apps/v1/namespaces/{ns}/deployments/{name}` (merge or strategic merge patch; a
 *   pod-template change starts a rollout scripted with `scriptRollout`)
 * - `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (answers from `setAccess`, default allow)
 * - `GET /api/v1/namespaces/{ns}/pods?labelSelector=a=b,c!=d`
 * - `GET /api/v1/namespaces/{ns}/pods/{name}`
 * - `GET /api/v1/namespaces/{ns}/pods/{name}/log?container=&tailLines=`
 * - `GET /apis/argoproj.io/v1alpha1/namespaces/{ns}/applications/{name}` (Argo CD Applications added with
 *   `setArgoApplication`; 404 otherwise; 403 for all of them after `forbidArgoApplications()`)
 *
 * Every reply carries a `Date` header; errors are `Status` objects like a real API server's.
 *
 * @example
 * const kube = await startFakeKubeApi();
 * kube.setConfigMap({ metadata: { name: 'langgraph-agent-config' }, data: { session_ttl_seconds: '86400' } });
 * kube.failNext(403);
 * const cluster = createKubernetesCluster({ kubeConfig: kube.kubeConfig(), namespace: 'langgraph-agent' });
 * // ... assertions ...
 * await kube.stop();
 */
export interface FakeKubeApi {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bearer token the fake accepts (also the one `kubeConfig()` uses). */
  readonly token: string;
  /** Requests received so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** Adds or replaces a ConfigMap (keyed by namespace and name). */
  setConfigMap(obj: KubeObject): void;
  /** Removes a ConfigMap; later GETs answer 404. */
  deleteConfigMap(name: string, namespace?: string): void;
  /** The ConfigMap as stored now (with its resourceVersion), or undefined. */
  getConfigMap(name: string, namespace?: string): KubeObject | undefined;
  /** Adds or replaces a Deployment; its status is filled in as fully rolled out when it has none. */
  setDeployment(obj: KubeObject): void;
  /** The Deployment as stored now, or undefined. */
  getDeployment(name: string, namespace?: string): KubeObject | undefined;
  /** How rollouts started by later patches of this Deployment go (default: complete after 1 read). */
  scriptRollout(name: string, script: RolloutScript): void;
  /** Adds an Argo CD Application (argoproj.io/v1alpha1) named `name` in `namespace` (default `argocd`). */
  setArgoApplication(name: string, namespace?: string): void;
  /** Every read of an Argo CD Application answers 403, as to a bot not granted `get` on them (`false` undoes it). */
  forbidArgoApplications(forbidden?: boolean): void;
  /** Decides SelfSubjectAccessReviews (default: everything allowed). */
  setAccess(decide: (attrs: AccessAttributes) => boolean): void;
  /** Replaces the whole pod list. */
  setPods(pods: KubeObject[]): void;
  /** Sets the log text of one container of a pod (the first container when `container` is omitted). */
  setPodLog(podName: string, text: string, container?: string): void;
  /** The next request (only) gets this status; `body` overrides the default `Status` object. */
  failNext(status: number, body?: unknown, contentType?: string): void;
  /**
   * The next request with this method whose path ends with `pathSuffix` (only that one) gets this status,
   * e.g. `failNextOn('PATCH', '/configmaps/redis-session-config', 409)` while the reads before it pass.
   */
  failNextOn(method: string, pathSuffix: string, status: number, body?: unknown): void;
  /** Every request gets this status until `clearFaults()`. */
  failAll(status: number, body?: unknown, contentType?: string): void;
  clearFaults(): void;
  /** Delays every reply by `ms` (0 to stop). */
  setDelay(ms: number): void;
  /**
   * The next request with this method whose path ends with `pathSuffix` (only that one) is handled `ms` later:
   * a PATCH that lands after the client gave up. `'never'`: it is held unanswered and never applied (the
   * connection stays open until `stop()`), e.g. a request in flight when its client is killed.
   */
  delayNextOn(method: string, pathSuffix: string, ms: number | 'never'): void;
  /** Requests held or delayed by `delayNextOn` that arrived and are not handled yet. */
  readonly delayed: number;
  /** A real KubeConfig (bearer-token user) pointing at the fake. */
  kubeConfig(opts?: { token?: string; contextName?: string }): KubeConfig;
  /** Closes the server and drops open connections. */
  stop(): Promise<void>;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** A `Status` object like the API server sends with an error code. */
export function statusObject(code: number, message: string): KubeObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    code,
  };
}

function defaultFaultMessage(status: number, path: string, method = 'GET'): string {
  const m =
    /^\/(?:api\/v1|apis\/apps\/v1)\/namespaces\/([^/]+)\/(configmaps|pods|deployments)(?:\/([^/]+))?(\/log)?$/.exec(
      path,
    );
  const ns = m?.[1] ?? 'default';
  const resource = m ? (m[4] ? 'pods/log' : m[2]) : 'resource';
  const verb = method === 'PATCH' ? 'patch' : method === 'POST' ? 'create' : m && !m[3] ? 'list' : 'get';
  const name = m?.[3] ? `${m[2]} "${m[3]}" ` : `${m?.[2] ?? 'resource'} `;
  switch (status) {
    case 401:
      return 'Unauthorized';
    case 403:
      return `${name}is forbidden: User "system:serviceaccount:${ns}:session-ttl-bot" cannot ${verb} resource "${resource}" in API group "" in the namespace "${ns}"`;
    case 409:
      return `Operation cannot be fulfilled on ${m?.[2] ?? 'resource'} "${m?.[3] ?? ''}": the object has been modified; please apply your changes to the latest version and try again`;
    case 500:
      return 'Internal error occurred: etcdserver: request timed out';
    case 503:
      return 'the server is currently unable to handle the request';
    default:
      return `fault injected by the fake (${status})`;
  }
}

/** Equality-based label selector (`a=b`, `a==b`, `a!=b`, comma-separated); a bare key means "has label". */
function selectorMatches(selector: string | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) return term.startsWith('!') ? !(term.slice(1) in labels) : term in labels;
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? labels[key] !== value : labels[key] === value;
    });
}

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: KubeObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Starts the fake on a free loopback port. */
export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const defaultNs = options.namespace ?? 'langgraph-agent';
  const token = options.token ?? `fake-token-${Math.random().toString(36).slice(2)}`;
  const now = options.now ?? Date.now;
  const configMaps = new Map<string, KubeObject>();
  const deployments = new Map<string, KubeObject>();
  const rolloutScripts = new Map<string, RolloutScript>();
  /** Reads left before an in-progress rollout completes, per deployment key; -1 never, -2 failed. */
  const pendingRollouts = new Map<string, number>();
  let decideAccess: (attrs: AccessAttributes) => boolean = () => true;
  const argoApps = new Set<string>();
  let argoForbidden = false;
  let resourceVersion = 1000;
  const nextVersion = () => String(++resourceVersion);
  let pods: KubeObject[] = [];
  const logs = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  let nextFault: Fault | undefined;
  let targetedFault: (Fault & { method: string; pathSuffix: string }) | undefined;
  let allFault: Fault | undefined;
  let delayMs = 0;
  let targetedDelay: { method: string; pathSuffix: string; ms: number | 'never' } | undefined;
  let delayedNow = 0;

  const withNs = (obj: KubeObject): KubeObject => ({
    ...obj,
    metadata: { ...(obj.metadata ?? {}), namespace: obj.metadata?.namespace ?? defaultNs },
  });
  const withVersion = (obj: KubeObject): KubeObject => ({
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: obj.metadata?.resourceVersion ?? nextVersion() },
  });

  /** Status of a Deployment whose rollout is complete. */
  const rolledOut = (d: KubeObject): KubeObject => {
    const replicas = d.spec?.replicas ?? 1;
    return {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
    };
  };

  /** A read of a Deployment advances its scripted rollout. */
  const pollDeployment = (key: string): KubeObject | undefined => {
    const d = deployments.get(key);
    const left = pendingRollouts.get(key);
    if (!d || left === undefined || left < 0) return d;
    if (left > 0) {
      pendingRollouts.set(key, left - 1);
      return d;
    }
    pendingRollouts.delete(key);
    const done = { ...d, metadata: { ...d.metadata, resourceVersion: nextVersion() }, status: rolledOut(d) };
    deployments.set(key, done);
    return done;
  };

  const contentTypeOf = (req: IncomingMessage) => (req.headers['content-type'] ?? '').split(';')[0]!.trim();

  /** Applies a merge patch to a stored object, with the resourceVersion precondition; undefined when sent. */
  const patchObject = (
    res: ServerResponse,
    req: IncomingMessage,
    body: unknown,
    current: KubeObject,
    kind: string,
    allowed: string[],
  ): KubeObject | undefined => {
    const type = contentTypeOf(req);
    if (!allowed.includes(type)) {
      send(
        res,
        415,
        statusObject(
          415,
          `the body of the request was in an unknown format - accepted media types include: ${allowed.join(', ')}`,
        ),
      );
      return undefined;
    }
    if (!isObject(body)) {
      send(res, 400, statusObject(400, 'the patch body is not a JSON object'));
      return undefined;
    }
    const wanted = isObject(body.metadata) ? body.metadata.resourceVersion : undefined;
    if (wanted !== undefined && wanted !== current.metadata.resourceVersion) {
      send(
        res,
        409,
        statusObject(
          409,
          `Operation cannot be fulfilled on ${kind} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        ),
      );
      return undefined;
    }
    const next = mergePatch(current, body) as KubeObject;
    next.metadata = {
      ...next.metadata,
      name: current.metadata.name,
      namespace: current.metadata.namespace,
      resourceVersion: nextVersion(),
    };
    return next;
  };

  const send = (res: ServerResponse, status: number, body: unknown, contentType = 'application/json') => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
      Date: new Date(now()).toUTCString(),
    });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    requests.push({
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      rawBody,
      ...(body !== undefined ? { body } : {}),
    });

    const targeted =
      !nextFault && targetedFault && targetedFault.method === req.method && path.endsWith(targetedFault.pathSuffix)
        ? targetedFault
        : undefined;
    if (targeted) targetedFault = undefined;
    const fault = nextFault ?? targeted ?? allFault;
    nextFault = undefined;
    if (fault) {
      const body = fault.body ?? statusObject(fault.status, defaultFaultMessage(fault.status, path, req.method));
      return send(res, fault.status, body, fault.contentType);
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, statusObject(401, 'Unauthorized'));
    }
    if (req.method === 'PATCH' || req.method === 'POST') return handleWrite(req, res, path, body);
    if (req.method !== 'GET') return send(res, 405, statusObject(405, `method ${req.method} not allowed by the fake`));

    if (path === '/version') {
      return send(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-fake', platform: 'linux/amd64' });
    }
    let m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(path);
    if (m) {
      const cm = configMaps.get(`${m[1]}/${m[2]}`);
      if (!cm) return send(res, 404, statusObject(404, `configmaps "${m[2]}" not found`));
      return send(res, 200, { kind: 'ConfigMap', apiVersion: 'v1', ...cm });
    }
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(path);
    if (m) {
      const d = pollDeployment(`${m[1]}/${m[2]}`);
      if (!d) return send(res, 404, statusObject(404, `deployments.apps "${m[2]}" not found`));
      return send(res, 200, { kind: 'Deployment', apiVersion: 'apps/v1', ...d });
    }
    m = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/applications\/([^/]+)$/.exec(path);
    if (m) return sendArgoApplication(res, m[1]!, m[2]!);
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
    if (m) {
      const ns = m[1];
      const selector = url.searchParams.get('labelSelector') ?? undefined;
      const items = pods
        .filter((p) => p.metadata.namespace === ns && selectorMatches(selector, p.metadata.labels ?? {}))
        .map((p) => ({ kind: 'Pod', apiVersion: 'v1', ...p }));
      return send(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
    if (m) {
      const pod = pods.find((p) => p.metadata.namespace === m![1] && p.metadata.name === m![2]);
      if (!pod) return send(res, 404, statusObject(404, `pods "${m[2]}" not found`));
      return send(res, 200, { kind: 'Pod', apiVersion: 'v1', ...pod });
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(path);
    if (m) {
      const pod = pods.find((p) => p.metadata.namespace === m[1] && p.metadata.name === m[2]);
      if (!pod) return send(res, 404, statusObject(404, `pods "${m[2]}" not found`));
      const containers: string[] = (pod.spec?.containers ?? []).map((c: KubeObject) => c.name);
      const container = url.searchParams.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
      if (!container) {
        return send(
          res,
          400,
          statusObject(
            400,
            `a container name must be specified for pod ${m[2]}, choose one of: [${containers.join(' ')}]`,
          ),
        );
      }
      let text = logs.get(`${m[1]}/${m[2]}/${container}`) ?? '';
      const tail = Number(url.searchParams.get('tailLines'));
      if (tail > 0) {
        const lines = text.split('\n');
        const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
        text = lines.slice(-tail).join('\n') + (trailing === '' ? '\n' : '');
      }
      return send(res, 200, text, 'text/plain');
    }
    return send(res, 404, statusObject(404, `the server could not find the requested resource (${path})`));
  };

  const sendArgoApplication = (res: ServerResponse, ns: string, name: string) => {
    if (argoForbidden) {
      const message =
        `applications.argoproj.io "${name}" is forbidden: User "system:serviceaccount:${defaultNs}:session-ttl-bot" ` +
        `cannot get resource "applications" in API group "argoproj.io" in the namespace "${ns}"`;
      return send(res, 403, statusObject(403, message));
    }
    if (!argoApps.has(`${ns}/${name}`))
      return send(res, 404, statusObject(404, `applications.argoproj.io "${name}" not found`));
    return send(res, 200, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: ns, resourceVersion: nextVersion() },
      spec: { project: 'default', destination: { namespace: defaultNs } },
    });
  };

  const handleWrite = (req: IncomingMessage, res: ServerResponse, path: string, body: unknown) => {
    let m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(path);
    if (m && req.method === 'PATCH') {
      const key = `${m[1]}/${m[2]}`;
      const cm = configMaps.get(key);
      if (!cm) return send(res, 404, statusObject(404, `configmaps "${m[2]}" not found`));
      const next = patchObject(res, req, body, cm, 'configmaps', ['application/merge-patch+json']);
      if (!next) return;
      configMaps.set(key, next);
      return send(res, 200, { kind: 'ConfigMap', apiVersion: 'v1', ...next });
    }
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(path);
    if (m && req.method === 'PATCH') {
      const key = `${m[1]}/${m[2]}`;
      const d = deployments.get(key);
      if (!d) return send(res, 404, statusObject(404, `deployments.apps "${m[2]}" not found`));
      const next = patchObject(res, req, body, d, 'deployments.apps', [
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
      ]);
      if (!next) return;
      if (JSON.stringify(next.spec?.template) !== JSON.stringify(d.spec?.template)) {
        next.metadata.generation = (d.metadata.generation ?? 1) + 1;
        const replicas = next.spec?.replicas ?? 1;
        const script = rolloutScripts.get(m[2]!) ?? { completeAfterPolls: 1 };
        next.status = {
          observedGeneration: next.metadata.generation,
          replicas: replicas + 1,
          updatedReplicas: 0,
          readyReplicas: replicas,
          availableReplicas: replicas,
          conditions:
            script === 'fail'
              ? [
                  {
                    type: 'Progressing',
                    status: 'False',
                    reason: 'ProgressDeadlineExceeded',
                    message: `ReplicaSet "${m[2]}-new" has timed out progressing.`,
                  },
                ]
              : [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }],
        };
        if (script === 'never' || script === 'fail') pendingRollouts.set(key, -1);
        else pendingRollouts.set(key, script.completeAfterPolls);
      }
      deployments.set(key, next);
      return send(res, 200, { kind: 'Deployment', apiVersion: 'apps/v1', ...next });
    }
    if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' && req.method === 'POST') {
      const attrs = isObject(body) && isObject(body.spec) ? body.spec.resourceAttributes : undefined;
      if (!isObject(attrs)) return send(res, 400, statusObject(400, 'spec.resourceAttributes is required by the fake'));
      const allowed = decideAccess({
        verb: String(attrs.verb ?? ''),
        resource: String(attrs.resource ?? ''),
        group: String(attrs.group ?? ''),
        ...(attrs.namespace ? { namespace: String(attrs.namespace) } : {}),
        ...(attrs.name ? { name: String(attrs.name) } : {}),
      });
      return send(res, 201, {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: {},
        spec: (body as KubeObject).spec,
        status: allowed ? { allowed: true, reason: 'RBAC: allowed by the fake' } : { allowed: false },
      });
    }
    return send(res, 405, statusObject(405, `method ${req.method} not allowed by the fake on ${path}`));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const held = targetedDelay && targetedDelay.method === req.method && path.endsWith(targetedDelay.pathSuffix);
      if (held && targetedDelay) {
        const { ms } = targetedDelay;
        targetedDelay = undefined;
        delayedNow++;
        if (ms === 'never') return;
        setTimeout(() => {
          delayedNow--;
          handle(req, res, raw);
        }, ms);
        return;
      }
      if (delayMs > 0) setTimeout(() => handle(req, res, raw), delayMs);
      else handle(req, res, raw);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    requests,
    setConfigMap(obj) {
      const o = withVersion(withNs(obj));
      configMaps.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    },
    getConfigMap(name, namespace = defaultNs) {
      return configMaps.get(`${namespace}/${name}`);
    },
    setDeployment(obj) {
      const o = withVersion(withNs(obj));
      o.metadata.generation = o.metadata.generation ?? 1;
      if (!o.status) o.status = rolledOut(o);
      const key = `${o.metadata.namespace}/${o.metadata.name}`;
      deployments.set(key, o);
      pendingRollouts.delete(key);
    },
    getDeployment(name, namespace = defaultNs) {
      return deployments.get(`${namespace}/${name}`);
    },
    scriptRollout(name, script) {
      rolloutScripts.set(name, script);
    },
    setArgoApplication(name, namespace = 'argocd') {
      argoApps.add(`${namespace}/${name}`);
    },
    forbidArgoApplications(forbidden = true) {
      argoForbidden = forbidden;
    },
    setAccess(decide) {
      decideAccess = decide;
    },
    deleteConfigMap(name, namespace = defaultNs) {
      configMaps.delete(`${namespace}/${name}`);
    },
    setPods(list) {
      pods = list.map(withNs);
    },
    setPodLog(podName, text, container) {
      const pod = pods.find((p) => p.metadata.name === podName);
      const c = container ?? pod?.spec?.containers?.[0]?.name;
      if (!pod || !c) throw new Error(`setPodLog: no pod "${podName}" (call setPods first) or it has no containers`);
      logs.set(`${pod.metadata.namespace}/${podName}/${c}`, text);
    },
    failNext(status, body, contentType) {
      nextFault = { status, body, contentType };
    },
    failNextOn(method, pathSuffix, status, body) {
      targetedFault = { method, pathSuffix, status, body };
    },
    failAll(status, body, contentType) {
      allFault = { status, body, contentType };
    },
    clearFaults() {
      targetedDelay = undefined;
      nextFault = undefined;
      targetedFault = undefined;
      allFault = undefined;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    delayNextOn(method, pathSuffix, ms) {
      targetedDelay = { method, pathSuffix, ms };
    },
    get delayed() {
      return delayedNow;
    },
    kubeConfig(opts = {}) {
      const kc = new KubeConfig();
      const contextName = opts.contextName ?? 'fake';
      kc.loadFromOptions({
        clusters: [{ name: 'fake-cluster', server: url, skipTLSVerify: true }],
        users: [{ name: 'fake-user', token: opts.token ?? token }],
        contexts: [{ name: contextName, cluster: 'fake-cluster', user: 'fake-user', namespace: defaultNs }],
        currentContext: contextName,
      });
      return kc;
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/**
 * Builds a ConfigMap object; `changedAt` becomes its newest managedFields time; `labels` and `annotations`
 * as a GitOps controller writes them (e.g. `argocd.argoproj.io/tracking-id`).
 */
export function configMapObject(opts: {
  name: string;
  namespace?: string;
  data?: Record<string, string>;
  createdAt?: string;
  changedAt?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}): KubeObject {
  return {
    metadata: {
      name: opts.name,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      creationTimestamp: opts.createdAt ?? '2026-01-01T00:00:00Z',
      ...(opts.changedAt
        ? { managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: opts.changedAt }] }
        : {}),
    },
    data: opts.data ?? {},
  };
}

/** A container for `podObject`: env as `{NAME: value}` or `{NAME: {configMap, key}}`, envFrom ConfigMap names. */
export interface ContainerSpec {
  name: string;
  env?: Record<string, string | { configMap: string; key: string }>;
  envFrom?: string[];
  /** `state.running.startedAt` in the container status. */
  startedAt?: string;
}

/** Builds a running Pod object with the given labels and containers. */
export function podObject(opts: {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  startedAt?: string;
  containers: ContainerSpec[];
}): KubeObject {
  return {
    metadata: {
      name: opts.name,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      labels: opts.labels ?? { app: 'langgraph-agent' },
      creationTimestamp: opts.startedAt ?? '2026-01-01T00:00:00Z',
    },
    spec: {
      containers: opts.containers.map((c) => ({
        name: c.name,
        image: 'example/app:1',
        ...(c.env
          ? {
              env: Object.entries(c.env).map(([name, v]) =>
                typeof v === 'string'
                  ? { name, value: v }
                  : { name, valueFrom: { configMapKeyRef: { name: v.configMap, key: v.key } } },
              ),
            }
          : {}),
        ...(c.envFrom ? { envFrom: c.envFrom.map((name) => ({ configMapRef: { name } })) } : {}),
      })),
    },
    status: {
      phase: 'Running',
      ...(opts.startedAt ? { startTime: opts.startedAt } : {}),
      containerStatuses: opts.containers.map((c) => ({
        name: c.name,
        ready: true,
        restartCount: 0,
        state: c.startedAt ? { running: { startedAt: c.startedAt } } : { running: {} },
      })),
    },
  };
}

/** Builds a Deployment object (one container, optional memory limit), fully rolled out unless `status` is given. */
export function deploymentObject(opts: {
  name: string;
  namespace?: string;
  replicas?: number;
  paused?: boolean;
  memoryLimit?: string;
  status?: KubeObject;
}): KubeObject {
  return {
    metadata: {
      name: opts.name,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      generation: 1,
      labels: { app: opts.name },
    },
    spec: {
      replicas: opts.replicas ?? 1,
      ...(opts.paused ? { paused: true } : {}),
      selector: { matchLabels: { app: opts.name } },
      template: {
        metadata: { labels: { app: opts.name } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'example/app:1',
              ...(opts.memoryLimit ? { resources: { limits: { memory: opts.memoryLimit } } } : {}),
            },
          ],
        },
      },
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}
