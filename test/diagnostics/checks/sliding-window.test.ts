import { runChecked } from '../check-context.js';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSwitch, slidingWindowCheck } from '../../../src/diagnostics/checks/sliding-window.js';
import type { RawFinding } from '../../../src/diagnostics/types.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { resetSharedRedis } from '../../support/shared-redis.js';
import {
  CM,
  clusterOf,
  contextFor,
  diagnose,
  NS,
  plantHealthyCluster,
  problems,
  seedSessions,
  testConfig,
  type EnvOptions,
} from '../healthy-environment.js';

const IDS = ['sliding_window.disabled', 'sliding_window.unexpected'];

let kube: FakeKubeApi;
let client: Redis;

beforeAll(async () => {
  kube = await startFakeKubeApi({ namespace: NS });
});
afterAll(async () => {
  await kube.stop();
  client?.disconnect();
});
beforeEach(() => plantHealthyCluster(kube));

async function run(env: EnvOptions = {}): Promise<RawFinding[]> {
  return runChecked(slidingWindowCheck, contextFor({ config: testConfig(env), cluster: clusterOf(kube) }));
}
const only = (fs: RawFinding[], id: string): RawFinding => {
  expect(fs.map((f) => f.id)).toEqual([id]);
  return fs[0] as RawFinding;
};

describe('parseSwitch', () => {
  it('reads the usual spellings of true and false and nothing else', () => {
    for (const t of ['true', 'True', ' TRUE ', '1', 'yes', 'on']) expect(parseSwitch(t)).toBe(true);
    for (const f of ['false', 'False', '0', 'no', 'off']) expect(parseSwitch(f)).toBe(false);
    for (const x of ['', 'enabled?', '2', 'truee']) expect(parseSwitch(x)).toBeUndefined();
  });
});

describe('sliding-window on a healthy cluster', () => {
  it('raises nothing when the ConfigMap enables it and the profile expects it on (development)', async () => {
    expect(await run()).toEqual([]);
  });

  it('raises nothing when the ConfigMap disables it and the profile expects it off (production-api)', async () => {
    plantHealthyCluster(kube, { ttlSeconds: 604800, slidingWindow: false });
    expect(await run({ profile: 'production-api' })).toEqual([]);
  });

  it('raises nothing for production-api when the key is absent (off by default) or a pod sets it off explicitly', async () => {
    plantHealthyCluster(kube, {
      ttlSeconds: 604800,
      data: { session_sliding_window: undefined },
      container: { env: { SESSION_SLIDING_WINDOW: 'false' } },
    });
    expect(await run({ profile: 'production-api' })).toEqual([]);
  });

  it('raises nothing when a pod repeats the expected value explicitly', async () => {
    plantHealthyCluster(kube, { container: { env: { SESSION_SLIDING_WINDOW: 'True' } } });
    expect(await run()).toEqual([]);
  });

  it('leaves a missing ConfigMap to env-check (config.missing_key)', async () => {
    kube.deleteConfigMap(CM);
    expect(await run()).toEqual([]);
  });
});

describe('sliding_window.disabled', () => {
  it('is critical when the ConfigMap says false where the profile expects it on, with the runbook patch', async () => {
    plantHealthyCluster(kube, { slidingWindow: false });
    const f = only(await run(), 'sliding_window.disabled');
    expect(f.severity).toBe('critical');
    expect(f.title).toContain('session_sliding_window is "false" in ConfigMap langgraph-agent-config');
    expect(f.evidence).toMatchObject({
      configMap: CM,
      namespace: NS,
      configMapValue: 'false',
      expectedSlidingWindow: true,
      overrides: [],
    });
    expect(f.fix).toContain(`kubectl patch configmap ${CM} -n ${NS} -p '{"data":{"session_sliding_window":"true"}}'`);
    expect(f.fix).toContain(`kubectl rollout restart deployment/langgraph-agent -n ${NS}`);
  });

  it('is a warning when the key is missing (the app default decides)', async () => {
    plantHealthyCluster(kube, { data: { session_sliding_window: undefined } });
    const f = only(await run(), 'sliding_window.disabled');
    expect(f.severity).toBe('warning');
    expect(f.title).toContain('has no session_sliding_window');
    expect(f.evidence).toMatchObject({ configMapValue: null, configMapExists: true });
  });

  it('is a warning when the value is not a boolean', async () => {
    plantHealthyCluster(kube, { data: { session_sliding_window: 'enabled' } });
    const f = only(await run(), 'sliding_window.disabled');
    expect(f.severity).toBe('warning');
    expect(f.title).toContain('"enabled"');
  });

  it('names the pods whose explicit SESSION_SLIDING_WINDOW=false overrides a correct ConfigMap', async () => {
    plantHealthyCluster(kube, { container: { env: { SESSION_SLIDING_WINDOW: 'false' } } });
    const f = only(await run(), 'sliding_window.disabled');
    expect(f.severity).toBe('critical');
    expect(f.evidence.overrides).toEqual([
      {
        container: 'agent',
        variable: 'SESSION_SLIDING_WINDOW',
        value: 'false',
        pods: ['langgraph-agent-5d8c-aaaaa', 'langgraph-agent-5d8c-bbbbb'],
      },
    ]);
    expect(f.fix).toContain(`kubectl set env deployment/langgraph-agent -n ${NS} -c agent SESSION_SLIDING_WINDOW-`);
    expect(f.fix).not.toContain('kubectl patch configmap');
  });
});

describe('sliding_window.unexpected', () => {
  it('is raised when production-api (expects off) has it on in the ConfigMap', async () => {
    plantHealthyCluster(kube, { ttlSeconds: 604800, slidingWindow: true });
    const f = only(await run({ profile: 'production-api' }), 'sliding_window.unexpected');
    expect(f.severity).toBe('warning');
    expect(f.evidence).toMatchObject({ configMapValue: 'true', expectedSlidingWindow: false });
    expect(f.fix).toContain('"session_sliding_window":"false"');
  });

  it('is raised when a pod turns it on explicitly', async () => {
    plantHealthyCluster(kube, {
      ttlSeconds: 604800,
      slidingWindow: false,
      container: { env: { SESSION_SLIDING_WINDOW: '1' } },
    });
    const f = only(await run({ profile: 'production-api' }), 'sliding_window.unexpected');
    expect(f.title).toContain('pods set it on explicitly');
  });
});

describe('sliding-window through the engine with every check', () => {
  beforeEach(async () => {
    client?.disconnect();
    client = await resetSharedRedis();
    await seedSessions(client);
  });

  it('a healthy Redis and cluster raise no sliding-window finding', async () => {
    const report = await diagnose({ config: testConfig(), client, cluster: clusterOf(kube) });
    expect(report.checks.find((c) => c.id === 'sliding-window')?.status).toBe('ok');
    expect(report.findings.map((f) => f.id)).not.toEqual(expect.arrayContaining([IDS[0]]));
    expect(report.findings.map((f) => f.id)).not.toEqual(expect.arrayContaining([IDS[1]]));
  });

  it('a disabled sliding window alone makes Scenario 3 the likely first one', async () => {
    plantHealthyCluster(kube, { slidingWindow: false });
    const report = await diagnose({ config: testConfig(), client, cluster: clusterOf(kube) });
    expect(problems(report)).toEqual(['sliding_window.disabled']);
    expect(report.scenarios[0]).toMatchObject({
      scenario: 3,
      likelihood: 'likely',
      evidence: ['sliding_window.disabled'],
    });
  });
});
