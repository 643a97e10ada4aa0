import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ClusterError, type ClusterPort } from '../../src/core/ports/cluster.js';
import { openSessionStore } from '../../src/adapters/redis/redis-store.js';
import { runDiagnosis, worstSeverity, type Sources } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { z } from 'zod';
import { findingSpec } from '../../src/diagnostics/catalogue/finding-spec.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import type { Severity } from '../../src/diagnostics/types.js';
import { UserError } from '../../src/core/errors.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { freePort } from '../support/redis-server.js';

// Fixture checks: the engine is what is under test here; each reads a real source.
const anyEvidence = z.object({});
const fixture = (id: string, severity: Severity = 'info') =>
  findingSpec({ id, severity: { default: severity }, evidence: anyEvidence, scenarios: [] });

const usedMemory = defineCheck({
  id: 'used-memory',
  summary: 'reads INFO memory',
  needs: ['redis'],
  findings: [
    findingSpec({
      id: 'fixture.memory',
      severity: { default: 'info' },
      evidence: z.object({ used: z.number() }),
      scenarios: [],
    }),
  ],
  async run(ctx) {
    const info = await ctx.redis.nodes[0]!.info('memory');
    return [
      {
        id: 'fixture.memory',
        severity: 'info',
        title: 'memory',
        detail: '',
        evidence: { used: Number(info.used_memory) },
      },
    ];
  },
});
const configMap = defineCheck({
  id: 'configmap',
  summary: 'reads a ConfigMap',
  needs: ['kubernetes'],
  findings: [fixture('fixture.missing', 'warning')],
  async run(ctx) {
    const cm = await ctx.cluster.readConfigMap('x');
    return cm ? [] : [{ id: 'fixture.missing', severity: 'warning', title: 'missing', detail: '', evidence: {} }];
  },
});
const slow = defineCheck({
  id: 'slow',
  summary: 'never finishes in time',
  needs: [],
  findings: [],
  timeoutMs: 50,
  runByDefault: false,
  run: (ctx) =>
    new Promise((resolve) => {
      ctx.signal.addEventListener('abort', () => resolve([]));
    }),
});
const critical = defineCheck({
  id: 'critical',
  summary: 'always critical',
  needs: [],
  findings: [fixture('fixture.info'), fixture('fixture.crit', 'critical')],
  runByDefault: false,
  async run() {
    return [
      { id: 'fixture.info', severity: 'info', title: 'i', detail: '', evidence: {} },
      { id: 'fixture.crit', severity: 'critical', title: 'c', detail: '', evidence: {} },
    ];
  },
});

const quiet = defineCheck({
  id: 'quiet',
  summary: 'finds nothing and says why',
  needs: [],
  findings: [],
  runByDefault: false,
  async run(ctx) {
    ctx.note?.('AOF is off');
    return [];
  },
});

const registry = createCheckRegistry([usedMemory, configMap, slow, critical, quiet]);

function configFor(url: string) {
  return parseConfig(
    {
      environments: {
        dev: { profile: 'development', redis: { url }, kubernetes: { manifests: '/nonexistent' } },
        bare: { profile: 'development', redis: { url } },
      },
    },
    'test',
  );
}

const cluster = (impl: Partial<ClusterPort>): ClusterPort => ({
  description: 'fixture',
  readConfigMap: async () => undefined,
  listPods: async () => [],
  ...impl,
});

describe('engine', () => {
  it('fails at start-up on a duplicate check id', () => {
    expect(() => createCheckRegistry([usedMemory, { ...usedMemory }])).toThrow(/duplicate check id "used-memory"/);
  });

  it('runs the default checks against real sources and returns the report contract', async () => {
    const config = configFor(sharedRedisUrl());
    const store = openSessionStore(config.environments.dev!, {});
    try {
      const sources: Sources = { redis: store, cluster: cluster({}) };
      const report = await runDiagnosis({ config, registry, sourcesFor: () => sources }, { envName: 'dev' });
      expect(Object.keys(report).sort()).toEqual([
        'checks',
        'durationMs',
        'environment',
        'findings',
        'scenarios',
        'startedAt',
      ]);
      expect(report.environment).toBe('dev');
      expect(new Date(report.startedAt).toString()).not.toBe('Invalid Date');
      expect(report.checks.map((c) => [c.id, c.status])).toEqual([
        ['used-memory', 'findings'],
        ['configmap', 'findings'],
      ]);
      expect(report.findings.map((f) => [f.id, f.check])).toEqual([
        ['fixture.missing', 'configmap'],
        ['fixture.memory', 'used-memory'],
      ]);
      expect(report.findings[1]!.evidence.used).toBeGreaterThan(0);
      expect(report.scenarios.map((s) => s.scenario).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await store.close();
    }
  });

  it('rejects an unknown environment or check, listing the valid ones', async () => {
    const config = configFor(sharedRedisUrl());
    const deps = { config, registry, sourcesFor: () => ({}) };
    const err = await runDiagnosis(deps, { envName: 'prod' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('Unknown environment "prod". Valid environments: dev, bare.');
    expect((err as UserError).code).toBe('unknown_env');
    await expect(runDiagnosis(deps, { envName: 'dev', checkIds: ['memory', 'nope'] })).rejects.toThrow(
      /Unknown checks "memory", "nope"\. Valid checks: used-memory, configmap, slow, critical, quiet\./,
    );
  });

  it('keeps going when one source fails, and says why', async () => {
    const config = configFor(`redis://127.0.0.1:${await freePort()}`);
    const store = openSessionStore(config.environments.dev!, {});
    try {
      const forbidden = cluster({
        readConfigMap: async () => {
          throw new ClusterError('configmaps "x" is forbidden for system:serviceaccount:bot', 'forbidden', 403);
        },
      });
      const report = await runDiagnosis(
        { config, registry, sourcesFor: () => ({ redis: store, cluster: forbidden }) },
        { envName: 'dev', checkIds: ['used-memory', 'configmap', 'critical'] },
      );
      expect(report.checks.map((c) => c.status)).toEqual(['error', 'error', 'findings']);
      expect(report.checks[0]!.message).toMatch(/Redis at 127\.0\.0\.1:\d+ is unreachable/);
      expect(report.findings.map((f) => f.id)).toEqual([
        'redis.unreachable',
        'fixture.crit',
        'kubernetes.forbidden',
        'fixture.info',
      ]);
      expect(worstSeverity(report)).toBe('critical');
    } finally {
      await store.close();
    }
  });

  it('times a check out without waiting for it, and skips checks whose source is not configured', async () => {
    const config = configFor(sharedRedisUrl());
    const report = await runDiagnosis(
      { config, registry, sourcesFor: () => ({}) },
      { envName: 'bare', checkIds: ['slow', 'configmap'] },
    );
    expect(report.checks[0]).toMatchObject({ id: 'slow', status: 'error', message: 'timed out after 50 ms' });
    expect(report.checks[1]).toMatchObject({
      id: 'configmap',
      status: 'skipped',
      message: 'no kubernetes source configured for environment "bare"',
    });
  });

  it("shows a check's note as its message when it finds nothing", async () => {
    const config = configFor(sharedRedisUrl());
    const report = await runDiagnosis(
      { config, registry, sourcesFor: () => ({}) },
      { envName: 'bare', checkIds: ['quiet'] },
    );
    expect(report.checks).toEqual([
      { id: 'quiet', status: 'ok', durationMs: expect.any(Number), message: 'AOF is off' },
    ]);
  });

  it('reports a password env var that is not set as a check error naming the variable', async () => {
    const config = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl(), passwordEnv: 'REDIS_PW_DEV' } },
        },
      },
      'test',
    );
    const store = openSessionStore(config.environments.dev!, {});
    const report = await runDiagnosis(
      { config, registry, sourcesFor: () => ({ redis: store }) },
      { envName: 'dev', checkIds: ['used-memory'] },
    );
    expect(report.checks[0]).toMatchObject({ status: 'error' });
    expect(report.checks[0]!.message).toMatch(/REDIS_PW_DEV .* is not set/);
  });
});
