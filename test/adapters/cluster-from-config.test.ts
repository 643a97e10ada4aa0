import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterFromConfig } from '../../src/adapters/kubernetes/cluster-from-config.js';
import { ClusterError } from '../../src/core/ports/cluster.js';
import { parseConfig, type KubernetesConfig } from '../../src/config/config.js';
import { configMapObject, startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.js';

let kube: FakeKubeApi;
let dir: string;

beforeAll(async () => {
  kube = await startFakeKubeApi({ namespace: 'langgraph-agent' });
  dir = mkdtempSync(join(tmpdir(), 'cluster-from-config-'));
});
afterAll(async () => {
  await kube.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The kubernetes section as the real config parser produces it (defaults filled, paths resolved). */
function kubernetesSection(k: Record<string, unknown>): KubernetesConfig {
  const cfg = parseConfig(
    { environments: { e: { profile: 'production', redis: { url: 'redis://127.0.0.1:1' }, kubernetes: k } } },
    'test',
    dir,
  );
  return cfg.environments.e!.kubernetes!;
}

describe('clusterFromConfig', () => {
  it('reads a manifests directory when kubernetes.manifests is set', async () => {
    const cluster = clusterFromConfig(kubernetesSection({ manifests: join(process.cwd(), 'manifests/demo') }));
    expect(cluster.description).toMatch(/^manifests .*manifests\/demo$/);
    expect((await cluster.readConfigMap('langgraph-agent-config'))?.data.session_ttl_seconds).toBe('86400');
  });

  it('talks to the live API through the kubeconfig file and context', async () => {
    writeFileSync(
      join(dir, 'kubeconfig'),
      `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: { server: "${kube.url}", insecure-skip-tls-verify: true }
users:
- name: bot
  user: { token: "${kube.token}" }
contexts:
- name: other
  context: { cluster: fake, user: bot }
- name: prod
  context: { cluster: fake, user: bot }
current-context: other
`,
    );
    kube.setConfigMap(configMapObject({ name: 'langgraph-agent-config', data: { session_ttl_seconds: '43200' } }));
    // A relative kubeconfig path is resolved against the config file's directory.
    const cluster = clusterFromConfig(kubernetesSection({ kubeconfig: 'kubeconfig', context: 'prod' }));
    expect(cluster.description).toContain('context prod');
    expect((await cluster.readConfigMap('langgraph-agent-config'))?.data).toEqual({ session_ttl_seconds: '43200' });
    expect(kube.requests.at(-1)?.headers.authorization).toBe(`Bearer ${kube.token}`);
  });

  it('throws ClusterError(invalid) naming the kubeconfig file that is missing', () => {
    const k = kubernetesSection({ kubeconfig: 'missing-kubeconfig' });
    let err: unknown;
    try {
      clusterFromConfig(k);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).kind).toBe('invalid');
    expect((err as ClusterError).message).toContain(join(dir, 'missing-kubeconfig'));
  });
});
