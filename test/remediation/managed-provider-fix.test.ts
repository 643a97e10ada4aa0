// redis.provider (issue 20, managed services, the remediation part): where a managed service blocks CONFIG, the
// actions that need CONFIG SET are not offered as buttons; the report and `fix --dry-run` give the provider's own
// steps with the exact parameter name and value instead.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { STATE_KEY_PREFIX } from '../../src/core/ports/state-store.js';
import { buttonsOf, SRE, standardAccess, startFlow, textOf, type Flow } from './slack-flow-harness.js';
import { captureIo } from '../support/cli-io.js';

const ELASTICACHE_SET =
  'aws elasticache modify-cache-parameter-group --cache-parameter-group-name <group> ' +
  '--parameter-name-values ParameterName=maxmemory-policy,ParameterValue=volatile-lru';

/** Slack's escaping undone: what a person reads. */
const unescape = (text: string) => text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

describe('redis.provider: remediation on a managed Redis that blocks CONFIG', () => {
  let blocked: RedisServerHandle;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'provider-fix-'));
    // As on ElastiCache: CONFIG does not exist for clients; the policy comes from the parameter group (here: argv).
    blocked = await startRedisServer([
      '--rename-command',
      'CONFIG',
      '""',
      '--maxmemory-policy',
      'allkeys-lru',
      '--maxmemory',
      '64mb',
    ]);
  }, 60_000);
  afterAll(async () => {
    await blocked?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the Slack report', () => {
    let f: Flow;
    beforeAll(async () => {
      f = await startFlow({
        envs: { dev: { profile: 'development', redisUrl: blocked.url, redis: { provider: 'elasticache' } } },
        access: standardAccess(['dev']),
      });
    }, 120_000);
    afterAll(async () => {
      await f?.close();
    });

    it('is complete, and its eviction finding carries the parameter-group steps instead of a fix button', async () => {
      const report = await f.diagnose('dev');
      const text = unescape(textOf(report));
      expect(text).not.toContain('INCOMPLETE');
      expect(buttonsOf(report).map((b) => b.action_id)).not.toContain('fix:set-eviction-policy');
      expect(text).not.toContain('not offered (');

      const blocks = report.body.blocks as { block_id?: string }[];
      const ids = blocks.map((b) => b.block_id ?? '');
      const finding = ids.indexOf('finding:eviction.allkeys_policy');
      expect(finding).toBeGreaterThanOrEqual(0);
      expect(ids[finding + 1]).toBe('provider-steps:set-eviction-policy');
      const steps = unescape(JSON.stringify(blocks[finding + 1]));
      expect(steps).toContain('Set the Redis eviction policy in AWS ElastiCache');
      expect(steps).toContain('aws elasticache create-cache-parameter-group --cache-parameter-group-name <group>');
      expect(steps).toContain(ELASTICACHE_SET);
      expect(steps).toContain('--cache-parameter-group-name <group> --apply-immediately');
      // Nothing was sent to try: the bot sent no CONFIG SET (CONFIG does not exist there).
      expect(await f.configSets()).toBe(0);
    }, 120_000);

    it('a button from before the store became managed opens no preview: it says why and where the steps are', async () => {
      const report = await f.diagnose('dev');
      // An offer as a report made while the environment was self-managed left it behind.
      const id = 'AAAAAAAAAAAAAAAAAAAAAA';
      const offer = { id, env: 'dev', action: 'set-eviction-policy', params: {}, createdAt: Date.now() };
      await f.redis.set(`${STATE_KEY_PREFIX}remediation:offer:${id}`, JSON.stringify(offer), 'PX', 600_000);
      const old = {
        ...report,
        body: {
          ...report.body,
          blocks: [{ type: 'actions', elements: [{ action_id: 'fix:set-eviction-policy', value: id }] }],
        },
      };
      const view = await f.openPreview(SRE, old);
      expect(view.submit).toBeUndefined();
      const text = unescape(JSON.stringify(view.blocks));
      expect(text).toContain('AWS ElastiCache blocks CONFIG (redis.provider: elasticache)');
      expect(text).toContain('its report gives AWS ElastiCache');
      expect(await f.audit('dev')).toEqual([]);
    }, 120_000);
  });

  describe('fix --dry-run', () => {
    async function fix(provider: string, ...extra: string[]) {
      const path = join(dir, `${provider}.yaml`);
      const config = { environments: { dev: { profile: 'development', redis: { url: blocked.url, provider } } } };
      writeFileSync(path, stringify(config));
      const io = captureIo();
      const code = await runCli(['fix', 'dev', 'set-eviction-policy', '--dry-run', '--config', path, ...extra], io);
      return { code, out: io.out(), err: io.err() };
    }

    it('prints the provider’s own steps with the exact parameter and value, for each managed service', async () => {
      const aws = await fix('elasticache');
      expect(aws.err).toBe('');
      expect(aws.code).toBe(0);
      expect(aws.out).toContain('maxmemory-policy = volatile-lru');
      expect(aws.out).toContain(ELASTICACHE_SET);
      expect(aws.out).toContain('not offered as a button: AWS ElastiCache blocks CONFIG');

      const gcp = await fix('memorystore', '--param', 'policy=volatile-lfu');
      expect(gcp.code).toBe(0);
      expect(gcp.out).toContain(
        'gcloud redis instances update <instance> --region <region> --update-redis-config maxmemory-policy=volatile-lfu',
      );

      const azure = await fix('azure', '--json');
      expect(azure.code).toBe(0);
      const json = JSON.parse(azure.out) as { providerSteps: { steps: { command?: string }[] } };
      expect(json.providerSteps.steps.map((s) => s.command)).toContain(
        'az redis update --name <name> --resource-group <resource-group> --set "redisConfiguration.maxmemory-policy"="volatile-lru"',
      );
    }, 60_000);

    it('`diagnose` in a terminal shows the same steps under the eviction finding', async () => {
      const path = join(dir, 'diagnose.yaml');
      const env = { profile: 'development', redis: { url: blocked.url, provider: 'elasticache' } };
      writeFileSync(path, stringify({ environments: { dev: env } }));
      const io = captureIo();
      await runCli(['diagnose', 'dev', '--check', 'eviction-policy', '--config', path], io);
      expect(io.err()).toBe('');
      const out = io.out();
      expect(out).not.toContain('INCOMPLETE');
      const finding = out.indexOf('eviction.allkeys_policy');
      const steps = out.indexOf('Set the Redis eviction policy in AWS ElastiCache');
      expect(finding).toBeGreaterThanOrEqual(0);
      expect(steps).toBeGreaterThan(finding);
      expect(out).toContain(ELASTICACHE_SET);
    }, 60_000);

    it('refuses a bad value with the valid ones, and changes nothing', async () => {
      const bad = await fix('elasticache', '--param', 'policy=evict-everything');
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('Invalid parameters for set-eviction-policy: policy: expected one of volatile-lru');
      expect(bad.out).toBe('');
    }, 60_000);
  });
});
