import { describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/diagnostics/catalogue/default-catalogue.js';
import { escalationFinding } from '../../src/diagnostics/escalation.js';
import { rankScenarios, SCENARIOS, scenariosOf } from '../../src/diagnostics/scenarios.js';
import type { CheckSummary, Finding, Severity } from '../../src/diagnostics/types.js';

const f = (id: string, severity: Severity = 'warning', evidence: Record<string, unknown> = {}): Finding => ({
  id,
  check: 'x',
  severity,
  title: id,
  detail: '',
  evidence,
});
const ran = (...ids: string[]): CheckSummary[] => ids.map((id) => ({ id, status: 'ok', durationMs: 1 }));
const ALL_CHECKS = ran(...new Set(SCENARIOS.flatMap((s) => s.checks)));

describe('rankScenarios', () => {
  it('rules every scenario out when all checks ran and found nothing', () => {
    const ranking = rankScenarios([f('ttl.distribution', 'info')], ALL_CHECKS, defaultCatalogue);
    expect(ranking).toHaveLength(7);
    expect(ranking.every((s) => s.likelihood === 'ruled_out')).toBe(true);
    expect(ranking.map((s) => s.scenario)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('puts the scenario with strong evidence first, weak evidence as possible', () => {
    const ranking = rankScenarios(
      [
        f('memory.high_usage', 'critical'),
        f('eviction.allkeys_policy', 'critical'),
        f('ttl.effective_below_configured'),
      ],
      ALL_CHECKS,
      defaultCatalogue,
    );
    expect(ranking[0]).toEqual({
      scenario: 1,
      name: 'Redis memory eviction',
      likelihood: 'likely',
      evidence: ['memory.high_usage', 'eviction.allkeys_policy'],
      fix: [
        expect.stringMatching(/volatile-lru .* live on every node and in the one maxmemory-policy line/),
        expect.stringMatching(/without a restart/),
      ],
    });
    expect(ranking.slice(1, 3).map((s) => [s.scenario, s.likelihood])).toEqual([
      [2, 'possible'],
      [6, 'possible'],
    ]);
  });

  it('ranks likely scenarios by the weight of their evidence', () => {
    const ranking = rankScenarios(
      [
        f('ttl.no_expiry', 'warning'),
        f('config.env_override_mismatch', 'critical'),
        f('config.ttl_not_expected', 'critical'),
      ],
      ALL_CHECKS,
      defaultCatalogue,
    );
    expect(ranking.slice(0, 2).map((s) => [s.scenario, s.likelihood])).toEqual([
      [6, 'likely'],
      [2, 'likely'],
    ]);
  });

  it("fills the environment's namespace into the runbook's fix", () => {
    const ranking = rankScenarios(
      [f('sliding_window.disabled', 'critical')],
      ALL_CHECKS,
      defaultCatalogue,
      'shop-prod',
    );
    expect(ranking[0]?.fix?.at(-1)).toBe(
      'Restart the app: kubectl rollout restart deployment/langgraph-agent -n shop-prod.',
    );
  });

  it('does not rule out a scenario whose checks failed or did not run', () => {
    const checks: CheckSummary[] = [
      { id: 'memory', status: 'error', durationMs: 1, message: 'down' },
      { id: 'eviction-policy', status: 'error', durationMs: 1, message: 'down' },
      { id: 'ttl-sample', status: 'ok', durationMs: 1 },
    ];
    const ranking = rankScenarios([], checks, defaultCatalogue);
    const one = ranking.find((s) => s.scenario === 1);
    expect(one).toMatchObject({ likelihood: 'possible', unchecked: ['memory', 'eviction-policy', 'config-drift'] });
    expect(ranking.find((s) => s.scenario === 2)?.likelihood).toBe('ruled_out');
    expect(ranking.find((s) => s.scenario === 5)).toMatchObject({ likelihood: 'possible', unchecked: ['clock-skew'] });
  });

  it('leaves a scenario to the checks that ran when another of its checks was skipped (issue 18 item 7)', () => {
    const checks: CheckSummary[] = [
      { id: 'deletions', status: 'skipped', durationMs: 1, message: 'no app log lines to search' },
      { id: 'deletion-counters', status: 'ok', durationMs: 1 },
    ];
    const four = rankScenarios([], checks, defaultCatalogue).find((s) => s.scenario === 4);
    expect(four?.likelihood).toBe('ruled_out');
    expect(four?.unchecked).toBeUndefined();
    const onlySkipped: CheckSummary[] = [{ id: 'deletions', status: 'skipped', durationMs: 1, message: 'no logs' }];
    expect(rankScenarios([], onlySkipped, defaultCatalogue).find((s) => s.scenario === 4)).toMatchObject({
      likelihood: 'possible',
      unchecked: ['deletions', 'deletion-counters'],
    });
  });

  it('maps every finding id the checks raise to a scenario', () => {
    expect(scenariosOf('eviction.allkeys_policy', defaultCatalogue)).toEqual([1]);
    expect(scenariosOf('clock.skew', defaultCatalogue)).toEqual([5]);
    expect(scenariosOf('ttl.distribution', defaultCatalogue)).toEqual([]);
  });
});

describe('escalationFinding', () => {
  const env = { expectedTtlSeconds: 86400 };
  // Evidence as ttl-sample and memory raise it: escalation reads it through their schemas.
  const below = (apparentTtlSeconds: number) => ({
    expectedTtlSeconds: 86400,
    apparentTtlSeconds,
    ratio: apparentTtlSeconds / 86400,
    highRemainingSeconds: apparentTtlSeconds,
    highRemainingStatistic: 'p99',
    source: 'largest remaining TTL, rounded up',
    withTtl: 500,
  });
  const evictions = (ratePerSecond: number, keys: number) => ({
    usedMemory: 1e6,
    usedMemoryHuman: '1M',
    maxmemory: 1e6,
    maxmemoryHuman: '1M',
    usedRatio: 1,
    address: '127.0.0.1:6379',
    evictedKeys: 1000,
    evictedInWindow: ratePerSecond,
    ratePerSecond,
    windowMs: 1000,
    keys,
  });

  it('escalates when writers use less than half the expected TTL; whom to call is left to the front end', () => {
    const e = escalationFinding([f('ttl.effective_below_configured', 'critical', below(3600))], env);
    expect(e).toMatchObject({
      id: 'escalation.severe',
      severity: 'critical',
      evidence: { estimatedLifetimeSeconds: 3600 },
    });
    // Evidence is platform-free: no chat user group in it.
    expect(JSON.stringify(e?.evidence)).not.toMatch(/onCall|S0/);
    expect(e?.title).toMatch(/about 1 h, under half the expected 1 d:/);
  });

  it('escalates from the eviction rate: keys / evictions per second', () => {
    const e = escalationFinding([f('memory.evictions', 'critical', evictions(100, 50_000))], env);
    expect(e?.evidence).toMatchObject({ estimatedLifetimeSeconds: 500, basis: 'keys / eviction rate (memory)' });
    expect(e?.evidence).not.toHaveProperty('onCallUserGroup');
  });

  it("ignores evidence that breaks the finding's schema instead of guessing from it", () => {
    expect(
      escalationFinding([f('ttl.effective_below_configured', 'critical', { apparentTtlSeconds: 3600 })], env),
    ).toBeUndefined();
    expect(
      escalationFinding([f('memory.evictions', 'critical', { ...evictions(100, 50_000), keys: '50000' })], env),
    ).toBeUndefined();
  });

  it('stays silent when sessions live at least half their TTL or evictions have stopped', () => {
    expect(escalationFinding([f('ttl.effective_below_configured', 'warning', below(50_000))], env)).toBeUndefined();
    expect(escalationFinding([f('memory.evictions', 'warning', evictions(0, 50_000))], env)).toBeUndefined();
    expect(escalationFinding([f('memory.evictions', 'critical', evictions(0.1, 50_000))], env)).toBeUndefined();
  });
});
