import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManifestCluster } from '../../src/adapters/kubernetes/manifest-cluster.js';
import { parseSelector } from '../../src/adapters/kubernetes/label-selector.js';
import { clusterError } from './expect-cluster-error.js';

const DEMO = resolve('manifests/demo');
const NS = 'langgraph-agent';

describe('createManifestCluster on manifests/demo', () => {
  const demo = createManifestCluster({ dir: DEMO, namespace: NS });

  it('reads the app ConfigMap with the newest managedFields time', async () => {
    const cm = await demo.readConfigMap('langgraph-agent-config');
    expect(cm).toEqual({
      name: 'langgraph-agent-config',
      namespace: NS,
      data: { session_ttl_seconds: '86400', session_sliding_window: 'true' },
      lastChangedAt: Date.parse('2026-11-20T09:00:00Z'),
    });
  });

  it('reads the Redis ConfigMap with its redis.conf', async () => {
    const cm = await demo.readConfigMap('redis-session-config');
    expect(cm?.data['redis.conf']).toMatch(/maxmemory-policy allkeys-lru/);
  });

  it('returns undefined for a ConfigMap that is not there, or is in another namespace', async () => {
    expect(await demo.readConfigMap('nope')).toBeUndefined();
    const other = createManifestCluster({ dir: DEMO, namespace: 'elsewhere' });
    expect(await other.readConfigMap('langgraph-agent-config')).toBeUndefined();
  });

  it('lists the app pods by selector, with start times and env', async () => {
    const pods = await demo.listPods('app=langgraph-agent');
    expect(pods.map((p) => p.name)).toEqual(['langgraph-agent-7d9f8b6c5-abcde', 'langgraph-agent-7d9f8b6c5-fghij']);
    expect(pods[0]?.startedAt).toBe(Date.parse('2026-11-18T08:00:00Z'));
    expect(pods[0]?.containers[0]?.envFromConfigMaps).toEqual(['langgraph-agent-config']);
    expect(pods[1]?.containers[0]?.env).toContainEqual({ name: 'SESSION_TTL_SECONDS', value: '3600' });
    expect((await demo.listPods('app=redis-session')).map((p) => p.name)).toEqual(['redis-session-5c6d7e8f9-klmno']);
  });

  it('supports != and several terms', async () => {
    expect(await demo.listPods('app!=langgraph-agent')).toHaveLength(1);
    expect(await demo.listPods('app=langgraph-agent,pod-template-hash!=7d9f8b6c5')).toEqual([]);
  });

  it('has no logs and no server clock', async () => {
    expect(await demo.podLogs?.('langgraph-agent-7d9f8b6c5-abcde', 10)).toBe('');
    expect(await demo.serverTime?.()).toBeUndefined();
  });
});

describe('createManifestCluster on a directory of its own', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifests-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads subdirectories and multi-document files, and turns Deployments into pseudo-pods', async () => {
    mkdirSync(join(dir, 'apps', 'agent'), { recursive: true });
    writeFileSync(
      join(dir, 'apps', 'agent', 'all.yml'),
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: langgraph-agent
spec:
  selector:
    matchLabels: { app: langgraph-agent }
  template:
    metadata:
      labels: { app: langgraph-agent }
    spec:
      containers:
        - name: agent
          image: x
          envFrom: [{ configMapRef: { name: langgraph-agent-config } }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: worker
  namespace: langgraph-agent
spec:
  template:
    metadata:
      labels: { app: langgraph-agent }
    spec:
      containers: [{ name: w, image: x }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: other, namespace: somewhere-else }
spec:
  template:
    metadata: { labels: { app: langgraph-agent } }
    spec: { containers: [{ name: o, image: x }] }
`,
    );
    writeFileSync(join(dir, 'README.md'), 'not yaml: [');
    const pods = await createManifestCluster({ dir, namespace: NS }).listPods('app=langgraph-agent');
    expect(pods).toEqual([
      {
        name: 'deployment/langgraph-agent',
        containers: [{ name: 'agent', env: [], envFromConfigMaps: ['langgraph-agent-config'] }],
      },
      { name: 'statefulset/worker', containers: [{ name: 'w', env: [], envFromConfigMaps: [] }] },
    ]);
  });

  it('sees edits without being recreated', async () => {
    const c = createManifestCluster({ dir, namespace: NS });
    const write = (ttl: string) =>
      writeFileSync(
        join(dir, 'cm.yaml'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { session_ttl_seconds: "${ttl}" }\n`,
      );
    write('60');
    expect((await c.readConfigMap('app'))?.data.session_ttl_seconds).toBe('60');
    write('120');
    expect((await c.readConfigMap('app'))?.data.session_ttl_seconds).toBe('120');
  });

  it('names the file that is not valid YAML', async () => {
    writeFileSync(join(dir, 'good.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n');
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: [a\n');
    const err = await clusterError(createManifestCluster({ dir, namespace: NS }).readConfigMap('a'));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/manifest .*broken\.yaml is not valid YAML/);
  });

  it('names the file and field of an object with the wrong shape', async () => {
    writeFileSync(
      join(dir, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { session_ttl_seconds: 86400 }\n',
    );
    const err = await clusterError(createManifestCluster({ dir, namespace: NS }).readConfigMap('app'));
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain('cm.yaml');
    expect(err.message).toContain('data.session_ttl_seconds');
    expect(err.message).toContain('quote numbers');
  });

  it('says when the directory does not exist', async () => {
    const missing = join(dir, 'nowhere');
    const err = await clusterError(createManifestCluster({ dir: missing, namespace: NS }).listPods('app=x'));
    expect(err.kind).toBe('invalid');
    expect(err.message).toBe(
      `manifests directory ${missing} does not exist or is not a directory; fix kubernetes.manifests in the config file.`,
    );
  });
});

describe('parseSelector', () => {
  it('reads equality, inequality and existence terms', () => {
    expect(parseSelector('app=a, tier==web,env!=prod,canary,!legacy')).toEqual([
      { key: 'app', op: '=', value: 'a' },
      { key: 'tier', op: '=', value: 'web' },
      { key: 'env', op: '!=', value: 'prod' },
      { key: 'canary', op: 'exists' },
      { key: 'legacy', op: 'not_exists' },
    ]);
  });

  it('refuses set-based selectors with a message saying what works', () => {
    expect(() => parseSelector('app in (a,b)')).toThrow(/set-based .* not supported .* key=value/);
  });
});
