import { type Config, type EnvironmentConfig, environmentOf } from '../config/config.js';
import type { Sources } from '../core/ports/sources.js';
import { UserError } from '../core/errors.js';
import type { CheckRegistry } from './registry.js';
import { escalationFinding } from './escalation.js';
import { rankScenarios } from './scenarios.js';
import { ENGINE_OWNER } from './catalogue/engine-findings.js';
import type { FindingCatalogue } from './catalogue/finding-catalogue.js';
import { type CheckResult, type DiagnosisRun, runCheck } from './run-check.js';
import { keyspaceSamplerFor } from './sampling/keyspace-sampler.js';
import { oneRequestAtATime } from './sampling/one-request-at-a-time.js';
import type { Check, Finding, RawFinding, Report, RunOptions, Severity } from './types.js';

export type { Sources } from '../core/ports/sources.js';

export interface EngineDeps {
  config: Config;
  registry: CheckRegistry;
  /** Gives the sources of an environment; the caller owns their lifetime. */
  sourcesFor: (env: EnvironmentConfig) => Sources;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DiagnoseRequest {
  envName: string;
  /** Check ids to run; empty or absent runs the default set. */
  checkIds?: readonly string[];
  options?: RunOptions;
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Validates an environment name and check ids; the message lists what is valid. */
export function selectChecks(
  deps: Pick<EngineDeps, 'config' | 'registry'>,
  req: DiagnoseRequest,
): {
  env: EnvironmentConfig;
  checks: Check[];
} {
  const env = environmentOf(deps.config, req.envName);
  const ids = req.checkIds ?? [];
  const unknown = ids.filter((id) => !deps.registry.get(id));
  if (unknown.length) {
    const named = unknown.map((u) => `"${u}"`).join(', ');
    throw new UserError(
      `Unknown check${unknown.length > 1 ? 's' : ''} ${named}. Valid checks: ${deps.registry.ids().join(', ')}.`,
      'unknown_check',
    );
  }
  const checks = ids.length
    ? [...new Set(ids)].flatMap((id) => deps.registry.get(id) ?? [])
    : deps.registry.all.filter((c) => c.runByDefault !== false && !env.disabledChecks.includes(c.id));
  return { env, checks };
}

/**
 * Runs the selected checks of one environment concurrently, each with a timeout. A check whose source
 * fails ends with status `error` and an actionable message; the others still finish. Every finding is
 * held to the registry's catalogue: one its check does not declare, or whose evidence breaks its
 * schema, is dropped and ends the check with status `error` naming it. The checks share one keyspace
 * sampler, so the keyspace is scanned at most once per diagnosis.
 */
export async function runDiagnosis(deps: EngineDeps, req: DiagnoseRequest): Promise<Report> {
  const sources = deps.sourcesFor(selectChecks(deps, req).env);
  return sources.admit ? sources.admit(() => diagnose(deps, req, sources)) : diagnose(deps, req, sources);
}

function runOptionsOf(config: Config, requested: RunOptions | undefined): RunOptions {
  return {
    sampleSize: config.defaults.sampleSize,
    rateWindowMs: config.defaults.rateWindowMs,
    clockSkewThresholdMs: config.defaults.clockSkewThresholdMs,
    logTailLines: config.defaults.logTailLines,
    ...requested,
  };
}

async function diagnose(deps: EngineDeps, req: DiagnoseRequest, given: Sources): Promise<Report> {
  // Each node answers this diagnosis one request at a time: no more server memory than a minimal reader's.
  const sources: Sources = given.redis ? { ...given, redis: oneRequestAtATime(given.redis) } : given;
  const now = deps.now ?? Date.now;
  const { config, registry } = deps;
  const { env, checks } = selectChecks(deps, req);
  const options = runOptionsOf(config, req.options);
  const startedAt = now();
  const catalogue = registry.catalogue;
  // One keyspace pass per diagnosis, shared by the checks; it ends with the diagnosis.
  const diagnosisController = new AbortController();
  // A cluster's masters as of now: every check of this diagnosis sees the same nodes.
  await sources.redis?.refresh?.();
  const sampler = sources.redis
    ? keyspaceSamplerFor({
        store: sources.redis,
        env,
        options,
        auditDefaults: config.defaults.audit,
        now,
        signal: diagnosisController.signal,
      })
    : undefined;
  const run: DiagnosisRun = {
    env,
    sources,
    sampler,
    options,
    catalogue,
    redisAddress: sources.redis?.nodes.map((n) => n.address).join(', ') ?? 'unknown',
    checkTimeoutMs: config.defaults.checkTimeoutMs,
    fullAuditTimeoutMs: config.defaults.fullAuditTimeoutMs,
    now,
    sleep: deps.sleep ?? defaultSleep,
  };
  const results = await Promise.all(checks.map((check) => runCheck(run, check)));
  diagnosisController.abort();

  const findings = reportFindings(results, catalogue);
  const escalation = escalationFinding(findings, env);
  if (escalation && validEngineFinding(catalogue, escalation)) findings.unshift(escalation);
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const checkSummaries = results.map((r) => r.summary);
  return {
    environment: env.name,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: now() - startedAt,
    checks: checkSummaries,
    findings,
    scenarios: rankScenarios(findings, checkSummaries, catalogue, env.kubernetes?.namespace),
  };
}

/**
 * Every check's findings in order; one source failure seen by several checks is one finding. A node whose TLS
 * handshake failed (`redis.tls`) is not also reported unreachable: the connections that other checks saw close
 * after the refused handshake are the same failure, and the certificate problem is what a person can fix (those
 * checks still end in error, so the report stays incomplete).
 */
function reportFindings(results: readonly CheckResult[], catalogue: FindingCatalogue): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  const all = results.flatMap((r) => r.findings);
  const tlsFailed = new Set(all.filter((f) => f.id === 'redis.tls').map((f) => String(f.evidence.address)));
  for (const f of all) {
    if (f.id === 'redis.unreachable' && tlsFailed.has(String(f.evidence.address))) continue;
    if (catalogue.get(f.id)?.oncePerReport) {
      if (seen.has(f.id)) continue;
      seen.add(f.id);
    }
    findings.push(f);
  }
  return findings;
}

/** The engine's own findings follow the catalogue too; one that does not is a bug, not a report line. */
function validEngineFinding<F extends RawFinding>(catalogue: FindingCatalogue, f: F): F {
  const violation = catalogue.violation(ENGINE_OWNER, f);
  if (violation) throw new EngineFindingError(`the engine ${violation}`);
  return f;
}

/** The engine built a finding its catalogue refuses: a programming error. */
export class EngineFindingError extends Error {
  override name = 'EngineFindingError';
}

/** Highest severity among the findings, or undefined when there are none. */
export function worstSeverity(report: Report): Severity | undefined {
  return report.findings.reduce<Severity | undefined>(
    (worst, f) => (worst === undefined || SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[worst] ? f.severity : worst),
    undefined,
  );
}
