import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { configMapObject, startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/redis-server.js';

// Issue 12 target 2: `@kubernetes/client-node` (114 MB, most of a second to import) loads only when a
// live cluster is used, and Bolt only in the bot. Each case runs the real entry point in its own
// process with a preload that records every npm package the process loaded.

const ROOT = join(import.meta.dirname, '..', '..');
const PRELOAD = join(ROOT, 'test', 'support', 'record-packages.ts');
const CLIENT_NODE = '@kubernetes/client-node';
const BOLT = '@slack/bolt';

let dir: string;
let kube: FakeKubeApi;
let slack: FakeSlackApi;
let config: string;

interface Ran {
  code: number | null;
  output: string;
  packages: string[];
}

/** Runs `entry args` under tsx with the preload; `whenReady` (optional) decides when to send SIGTERM. */
function run(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  whenReady?: (output: () => string) => Promise<void>,
): Promise<Ran> {
  const record = join(dir, `packages-${Math.random().toString(36).slice(2)}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', PRELOAD, entry, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, RECORD_PACKAGES_FILE: record, ...env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  void whenReady?.(() => output).then(
    () => child.kill('SIGTERM'),
    () => child.kill('SIGKILL'),
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve({ code, output, packages: JSON.parse(readFileSync(record, 'utf8')) as string[] });
      } catch (err) {
        reject(new Error(`no package record (exit ${code}): ${(err as Error).message}\n${output}`));
      }
    });
  });
}

const cli = (args: string[]) => run('src/cli.ts', [...args, '--config', config]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lazy-loading-'));
  kube = await startFakeKubeApi({ namespace: 'langgraph-agent' });
  kube.setConfigMap(configMapObject({ name: 'langgraph-agent-config', data: { session_ttl_seconds: '3600' } }));
  slack = await startFakeSlackApi();
  writeFileSync(
    join(dir, 'kubeconfig'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: kube.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'bot', user: { token: kube.token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'bot' } }],
      'current-context': 'fake',
    }),
  );
  config = join(dir, 'session-ttl.yaml');
  const redis = { url: sharedRedisUrl(), keyPattern: 'session:*' };
  writeFileSync(
    config,
    stringify({
      environments: {
        gitops: {
          profile: 'development',
          redis,
          kubernetes: { manifests: join(ROOT, 'manifests', 'demo'), namespace: 'langgraph-agent' },
        },
        live: {
          profile: 'development',
          redis,
          kubernetes: { kubeconfig: join(dir, 'kubeconfig'), namespace: 'langgraph-agent' },
        },
      },
      defaults: { rateWindowMs: 0, sampleSize: 100 },
    }),
  );
});
afterAll(async () => {
  await kube?.stop();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('which packages a process loads (issue 12, target 2)', { timeout: 150_000 }, () => {
  it('envs and help load neither the Kubernetes client nor Bolt', async () => {
    const envs = await cli(['envs']);
    expect(envs.output).toContain('gitops');
    expect(envs.code).toBe(0);
    // The config is parsed (yaml, zod): the record sees what the command loads.
    expect(envs.packages).toEqual(expect.arrayContaining(['yaml', 'zod']));
    expect(envs.packages).not.toContain(CLIENT_NODE);
    expect(envs.packages).not.toContain(BOLT);

    const help = await run('src/cli.ts', ['help']);
    expect(help.code).toBe(0);
    expect(help.packages).not.toContain(CLIENT_NODE);
    expect(help.packages).not.toContain(BOLT);
  });

  it('diagnose on a manifests environment loads ioredis but not the Kubernetes client or Bolt', async () => {
    const r = await cli(['diagnose', 'gitops', '--json']);
    expect([0, 1, 3], r.output).toContain(r.code);
    // The manifests were read (env-check ran against them) ...
    expect(r.output).toContain('manifests');
    expect(r.packages).toContain('ioredis');
    // ... without the live client.
    expect(r.packages).not.toContain(CLIENT_NODE);
    expect(r.packages).not.toContain(BOLT);
  });

  it('diagnose on a live environment loads the Kubernetes client (and reads the fake API), still not Bolt', async () => {
    const before = kube.requests.length;
    const r = await cli(['diagnose', 'live', '--json']);
    expect([0, 1, 3], r.output).toContain(r.code);
    expect(kube.requests.length, r.output).toBeGreaterThan(before);
    expect(r.packages).toContain(CLIENT_NODE);
    expect(r.packages).not.toContain(BOLT);
  });

  it('the bot loads Bolt and answers /healthz without the Kubernetes client while no live cluster is asked', async () => {
    const port = await freePort();
    const r = await run(
      'src/main.ts',
      [],
      {
        SLACK_BOT_TOKEN: 'xoxb-1111-2222-lazyloading',
        SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        SESSION_TTL_CONFIG: config,
        LOG_LEVEL: 'error',
      },
      async (output) => {
        await eventually(
          'the bot to answer /healthz',
          () =>
            fetch(`http://127.0.0.1:${port}/healthz`).then(
              (res) => res.status === 200,
              () => false,
            ),
          { timeoutMs: 100_000, intervalMs: 50, detail: output },
        );
      },
    );
    expect(r.code, r.output).toBe(0);
    expect(r.packages).toContain(BOLT);
    expect(r.packages).not.toContain(CLIENT_NODE);
  });
});
