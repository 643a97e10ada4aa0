import type { FindingCatalogue } from './catalogue/finding-catalogue.js';
import type { Likelihood, ScenarioAssessment, ScenarioNumber, Strength } from './scenario-types.js';
import type { CheckSummary, Finding, Severity } from './finding.js';

export type { Likelihood, ScenarioAssessment, ScenarioNumber } from './scenario-types.js';
/** The runbook's seven causes, their fix, and the checks that can confirm or rule them out. */
export interface ScenarioDefinition {
  scenario: ScenarioNumber;
  name: string;
  checks: readonly string[];
  fix: readonly string[];
}

export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    scenario: 1,
    name: 'Redis memory eviction',
    checks: ['memory', 'eviction-policy', 'config-drift'],
    fix: [
      'Set maxmemory-policy to volatile-lru (only keys with a TTL are evicted) live on every node and ' +
        'in the one maxmemory-policy line of redis.conf in the redis-session-config ConfigMap (keep ' +
        'every other line); the "Set the Redis eviction policy" button does both. Or raise maxmemory ' +
        '(runbook redis-memory.md).',
      'CONFIG SET takes effect at once, without a restart; the ConfigMap line keeps it across the ' +
        'next restart. When the ConfigMap already says volatile-lru, the live value drifted (see ' +
        'config.live_drift).',
    ],
  },
  {
    scenario: 2,
    name: 'Incorrect TTL configuration in code',
    checks: ['ttl-sample', 'write-pattern'],
    fix: [
      'Create sessions with SETEX (or SET ... EX <ttl>) in one command, passing the configured TTL; never SET then EXPIRE.',
      'Deploy the fix; sessions already written without a TTL need a one-off EXPIRE.',
    ],
  },
  {
    scenario: 3,
    name: 'Sliding window not working',
    checks: ['sliding-window'],
    fix: [
      'Set session_sliding_window to "true" in the app ConfigMap where the profile expects it, and ' +
        'check that refresh_session() calls EXPIRE with the full TTL on access.',
      'Restart the app: kubectl rollout restart deployment/langgraph-agent -n <namespace>.',
    ],
  },
  {
    scenario: 4,
    name: 'Manual session deletion',
    checks: ['deletions', 'deletion-counters'],
    fix: [
      'Find the cleanup job or code path that deletes sessions (delete_session / revoke_session) and ' +
        'confirm each deletion is intended (logout, security revocation).',
      'Stop or fix unintended bulk deletions.',
    ],
  },
  {
    scenario: 5,
    name: 'Clock skew',
    checks: ['clock-skew'],
    fix: ['Make sure NTP (chrony/systemd-timesyncd) runs on every node and the Redis and app pods agree on the time.'],
  },
  {
    scenario: 6,
    name: 'Configuration mismatch',
    checks: ['env-check', 'hardcoded-ttl', 'ttl-sample'],
    fix: [
      'Make the pods read session_ttl_seconds from the ConfigMap (envFrom), remove hard-coded SESSION_TTL* values and hard-coded TTLs in code.',
      'Restart the app so it reloads the config: kubectl rollout restart deployment/langgraph-agent -n <namespace>.',
    ],
  },
  {
    scenario: 7,
    name: 'AOF rewrite during high load',
    checks: ['aof', 'config-drift'],
    fix: [
      'Tune AOF rewrites: auto-aof-rewrite-percentage 100 and auto-aof-rewrite-min-size 128mb, live ' +
        '(CONFIG SET) and in those two lines of redis.conf in the redis-session-config ConfigMap; the ' +
        '"Tune AOF rewrites" button does both.',
      'CONFIG SET takes effect at once, without a restart; the ConfigMap lines keep it across the next restart.',
    ],
  },
];

const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 4, warning: 2, info: 0.5 };
const STRENGTH_WEIGHT: Record<Strength, number> = { strong: 3, weak: 1 };
const LIKELIHOOD_ORDER: Record<Likelihood, number> = { likely: 0, possible: 1, ruled_out: 2 };

/**
 * The runbook scenarios a finding id supports (used to tag findings in renderers). Which scenario a
 * finding supports, and how strongly, is declared with the finding (its catalogue entry).
 */
export function scenariosOf(findingId: string, catalogue: FindingCatalogue): ScenarioNumber[] {
  return catalogue.scenariosOf(findingId);
}

/**
 * Rates every runbook scenario from the findings, most likely first. A scenario with no supporting
 * finding is `ruled_out` when its checks ran (a skipped one aside), and `possible` (with `unchecked`) when one
 * failed or none ran.
 */
export function rankScenarios(
  findings: readonly Finding[],
  checks: readonly CheckSummary[],
  catalogue: FindingCatalogue,
  namespace = '<namespace>',
): ScenarioAssessment[] {
  const ran = new Set(checks.filter((c) => c.status === 'ok' || c.status === 'findings').map((c) => c.id));
  const failedIds = new Set(checks.filter((c) => c.status === 'error').map((c) => c.id));
  const scored = SCENARIOS.map((def) => {
    let score = 0;
    let strong = false;
    const evidence: string[] = [];
    for (const f of findings) {
      for (const [scenario, strength] of catalogue.get(f.id)?.scenarios ?? []) {
        if (scenario !== def.scenario) continue;
        score += STRENGTH_WEIGHT[strength] * SEVERITY_WEIGHT[f.severity];
        if (strength === 'strong' && f.severity !== 'info') strong = true;
        if (!evidence.includes(f.id)) evidence.push(f.id);
      }
    }
    // Only a check that ran can rule a scenario out; if none of its checks ran, it stays open. A check that failed
    // keeps it open; one skipped (no source, nothing to look at) leaves the decision to the checks that ran.
    const failed = def.checks.filter((c) => failedIds.has(c));
    const unchecked = def.checks.some((c) => ran.has(c)) ? failed : [...def.checks];
    const likelihood: Likelihood = strong ? 'likely' : evidence.length || unchecked.length ? 'possible' : 'ruled_out';
    const fix = def.fix.map((step) => step.replaceAll('<namespace>', namespace));
    const assessment: ScenarioAssessment = { scenario: def.scenario, name: def.name, likelihood, evidence, fix };
    if (unchecked.length) assessment.unchecked = unchecked;
    return { assessment, score };
  });
  return scored
    .sort(
      (a, b) =>
        LIKELIHOOD_ORDER[a.assessment.likelihood] - LIKELIHOOD_ORDER[b.assessment.likelihood] ||
        b.score - a.score ||
        a.assessment.scenario - b.assessment.scenario,
    )
    .map((s) => s.assessment);
}

const BY_NUMBER = new Map(SCENARIOS.map((s) => [s.scenario, s]));

/** The runbook's definition of scenario `n` (every ScenarioNumber has one). */
export function scenarioDefinition(n: ScenarioNumber): ScenarioDefinition {
  const definition = BY_NUMBER.get(n);
  if (!definition) throw new Error(`scenario ${n} has no definition in SCENARIOS`);
  return definition;
}
