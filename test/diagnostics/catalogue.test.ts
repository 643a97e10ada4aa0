import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { defaultCatalogue } from '../../src/diagnostics/catalogue/default-catalogue.js';
import { CatalogueError, createFindingCatalogue } from '../../src/diagnostics/catalogue/finding-catalogue.js';
import { findingSpec, type FindingSpec } from '../../src/diagnostics/catalogue/finding-spec.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { SCENARIOS, scenariosOf } from '../../src/diagnostics/scenarios.js';
import type { RawFinding } from '../../src/diagnostics/types.js';
import { sharedRedisUrl } from '../support/shared-redis.js';

const spec = (id: string, more: Partial<FindingSpec> = {}): FindingSpec =>
  findingSpec({
    id,
    severity: { default: 'warning' },
    evidence: z.object({ n: z.number() }),
    scenarios: [],
    ...more,
  });
const check = (id: string, findings: FindingSpec[]) =>
  defineCheck({ id, summary: id, needs: [], findings, run: async () => [] });

describe('the finding catalogue', () => {
  it('holds every finding of every check, plus the engine findings', () => {
    const ids = defaultCatalogue.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of allChecks) expect(c.findings.length, c.id).toBeGreaterThan(0);
    expect(
      defaultCatalogue.entries
        .filter((e) => e.owner === 'engine')
        .map((e) => e.id)
        .sort(),
    ).toEqual([
      'escalation.severe',
      'kubernetes.forbidden',
      'kubernetes.unreachable',
      'redis.forbidden',
      'redis.tls',
      'redis.unreachable',
    ]);
  });

  it('keeps the scenario support the ranking has always used', () => {
    const support = Object.fromEntries(
      defaultCatalogue.entries.filter((e) => e.scenarios.length).map((e) => [e.id, e.scenarios]),
    );
    expect(support).toEqual({
      'eviction.allkeys_policy': [[1, 'strong']],
      'memory.evictions': [[1, 'strong']],
      'memory.high_usage': [[1, 'weak']],
      'eviction.sessions_only_candidates': [[1, 'weak']],
      'ttl.no_expiry': [[2, 'strong']],
      'code.set_without_ttl': [[2, 'strong']],
      'code.set_then_expire': [[2, 'strong']],
      'ttl.inconsistent': [
        [2, 'weak'],
        [6, 'weak'],
      ],
      'ttl.effective_below_configured': [
        [6, 'weak'],
        [2, 'weak'],
      ],
      'ttl.above_configured': [[6, 'weak']],
      'ttl.short_population': [
        [6, 'strong'],
        [2, 'weak'],
      ],
      'sliding_window.disabled': [[3, 'strong']],
      'sliding_window.unexpected': [[3, 'weak']],
      'deletion.bulk': [[4, 'strong']],
      'deletion.commands': [[4, 'strong']],
      'deletion.in_logs': [[4, 'strong']],
      'clock.skew': [[5, 'strong']],
      'config.ttl_not_expected': [[6, 'strong']],
      'config.env_override_mismatch': [[6, 'strong']],
      'config.hardcoded_ttl_suspected': [[6, 'strong']],
      'config.stale_pods': [[6, 'weak']],
      'config.configmap_not_referenced': [[6, 'weak']],
      'config.missing_key': [[6, 'weak']],
      'aof.last_rewrite_failed': [[7, 'strong']],
      'aof.rewrite_in_progress': [[7, 'weak']],
      'aof.delayed_fsync': [[7, 'strong']],
      'aof.frequent_rewrites': [[7, 'strong']],
      'config.live_drift': [[1, 'weak']],
      'config.live_drift_aof': [[7, 'weak']],
    });
    expect(scenariosOf('ttl.inconsistent', defaultCatalogue)).toEqual([2, 6]);
    expect(scenariosOf('no.such_finding', defaultCatalogue)).toEqual([]);
  });

  it('scenario definitions name known checks, and a check supports only scenarios it is listed for', () => {
    const checkIds = new Set(allChecks.map((c) => c.id));
    for (const def of SCENARIOS) for (const c of def.checks) expect(checkIds, `scenario ${def.scenario}`).toContain(c);
    // A scenario is ruled out when its checks ran; a finding from an unlisted check would be ignored there.
    for (const e of defaultCatalogue.entries) {
      for (const [n] of e.scenarios)
        expect(SCENARIOS.find((s) => s.scenario === n)?.checks, `${e.id} -> ${n}`).toContain(e.owner);
    }
    // Every scenario can be made likely by some finding.
    for (const def of SCENARIOS) {
      expect(
        defaultCatalogue.entries.some((e) => e.scenarios.some(([n, s]) => n === def.scenario && s === 'strong')),
        `${def.scenario}`,
      ).toBe(true);
    }
  });

  it('fails at start-up on a duplicate id, an unknown scenario, or a default severity it does not allow', () => {
    expect(() => createCheckRegistry([check('a', [spec('x.y')]), check('b', [spec('x.y')])])).toThrow(
      new CatalogueError('duplicate finding id "x.y" (declared by a and b)'),
    );
    expect(() => createFindingCatalogue([check('a', [spec('redis.unreachable')])])).toThrow(
      /duplicate finding id "redis.unreachable"/,
    );
    // @ts-expect-error the runbook has seven scenarios
    expect(() => createFindingCatalogue([check('a', [spec('x.y', { scenarios: [[8, 'strong']] })])])).toThrow(
      /unknown scenario 8/,
    );
    expect(() =>
      createFindingCatalogue([check('a', [spec('x.y', { severity: { default: 'critical', possible: ['warning'] } })])]),
    ).toThrow(/default severity critical is not among/);
  });

  it('says why a finding breaks it: undeclared id, severity or evidence', () => {
    const cat = createFindingCatalogue([check('a', [spec('x.y')]), check('b', [spec('x.z')])]);
    const f = (over: Partial<RawFinding>): RawFinding => ({
      id: 'x.y',
      severity: 'warning',
      title: 't',
      detail: '',
      evidence: { n: 1 },
      ...over,
    });
    expect(cat.violation('a', f({}))).toBeUndefined();
    expect(cat.violation('a', f({ id: 'x.nope' }))).toMatch(/"x.nope", which check "a" does not declare/);
    expect(cat.violation('a', f({ id: 'x.z' }))).toMatch(/"x.z", which check "a" does not declare/);
    expect(cat.violation('a', f({ severity: 'critical' }))).toMatch(
      /severity critical, not among its declared warning/,
    );
    expect(cat.violation('a', f({ evidence: { n: 'one' } }))).toMatch(/evidence does not match its schema \(n: /);
  });
});

describe('the engine holds checks to the catalogue', () => {
  const config = parseConfig(
    { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
    'test',
  );
  const declared = spec('fixture.declared');
  const raising = (...findings: RawFinding[]) =>
    defineCheck({
      id: 'raiser',
      summary: 'raises fixed findings',
      needs: [],
      findings: [declared],
      run: async () => findings,
    });
  const diagnoseWith = (...findings: RawFinding[]) =>
    runDiagnosis(
      { config, registry: createCheckRegistry([raising(...findings)]), sourcesFor: () => ({}) },
      { envName: 'dev' },
    );
  const good: RawFinding = { id: 'fixture.declared', severity: 'warning', title: 'ok', detail: '', evidence: { n: 1 } };

  it('reports a catalogued finding', async () => {
    const report = await diagnoseWith(good);
    expect(report.checks[0]).toMatchObject({ status: 'findings' });
    expect(report.findings.map((f) => f.id)).toEqual(['fixture.declared']);
  });

  it('turns a finding the check does not declare into a check error, keeping the valid ones', async () => {
    const report = await diagnoseWith(good, { ...good, id: 'fixture.undeclared' });
    expect(report.checks[0]).toMatchObject({
      status: 'error',
      message:
        'check "raiser" raised finding "fixture.undeclared", which check "raiser" does not declare in its findings catalogue',
    });
    expect(report.findings.map((f) => f.id)).toEqual(['fixture.declared']);
  });

  it('turns evidence that breaks the schema into a check error', async () => {
    const report = await diagnoseWith({ ...good, evidence: { n: '1' } });
    expect(report.checks[0]).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/evidence does not match its schema \(n: /),
    });
    expect(report.findings).toEqual([]);
  });
});
