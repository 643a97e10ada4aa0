import { type Config, type EnvironmentConfig, environmentOf } from '../config/config.js';
import type { Sources } from '../core/ports/sources.js';
import { UserError } from '../core/errors.js';
import type { CheckRegistry } from './registry.js';
import { escalationFinding } from './escalation.js';
import { rankScenarios } from './scenarios.js';
import { describeSourceFailure } from './source-failure.js';
import { ENGINE_OWNER } from './catalogue/engine-findings.js';
import { keyspaceSamplerFor, type KeyspaceSampler } from './sampling/keyspace-sampler.js';
import type {
  Check,
  CheckSummary,
  Finding,
  Need,
  RawFinding,
  Report,
  RunOptions,
  Severity,
  SourcedContext,
} from './types.js';
import { durationMs } from '../core/format.js';

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

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${durationMs(ms)}`);
  }
}

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
    throw new UserError(
      `Unknown check${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. Valid checks: ${deps.registry.ids().join(', ')}.`,
      'unknown_check',
    );
  }
  const checks = ids.length
    ? [...new Set(ids)].map((id) => deps.registry.get(id) as Check)
    : deps.registry.all.filter((c) => c.runByDefault !== false && !env.disabledChecks.includes(c.id));
  return { env, checks };
}

function missingNeed(check: Check, sources: Sources, env: EnvironmentConfig): string | undefined {
  const has: Record<Need, boolean> = { redis: !!sources.redis, kubernetes: !!sources.cluster };
  const missing = check.needs.filter((n) => !has[n]);
  if (!missing.length) return undefined;
  return `no ${missing.join(' / ')} source configured for environment "${env.name}"`;
}

async function withTimeout<T>(ms: number, controller: AbortController, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject first: a check that settles on abort must not win the race.
      reject(new CheckTimeout(ms));
      controller.abort();
    }, ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
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

async function diagnose(deps: EngineDeps, req: DiagnoseRequest, sources: Sources): Promise<Report> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const { env, checks } = selectChecks(deps, req);
  const options: RunOptions = {
    sampleSize: deps.config.defaults.sampleSize,
    rateWindowMs: deps.config.defaults.rateWindowMs,
    clockSkewThresholdMs: deps.config.defaults.clockSkewThresholdMs,
    logTailLines: deps.config.defaults.logTailLines,
    ...req.options,
  };
  const startedAt = now();
  const catalogue = deps.registry.catalogue;
  // One keyspace pass per diagnosis, shared by the checks; it ends with the diagnosis.
  const diagnosisController = new AbortController();
  // A cluster's masters as of now: every check of this diagnosis sees the same nodes.
  await sources.redis?.refresh?.();
  const sampler: KeyspaceSampler | undefined = sources.redis
    ? keyspaceSamplerFor({
        store: sources.redis,
        env,
        options,
        auditDefaults: deps.config.defaults.audit,
        now,
        signal: diagnosisController.signal,
      })
    : undefined;
  const redisAddress = sources.redis?.nodes.map((n) => n.address).join(', ') ?? 'unknown';

  const results = await Promise.all(
    checks.map(async (check): Promise<{ summary: CheckSummary; findings: Finding[] }> => {
      const t0 = now();
      const skipReason = missingNeed(check, sources, env);
      if (skipReason) {
        return { summary: { id: check.id, status: 'skipped', durationMs: 0, message: skipReason }, findings: [] };
      }
      const controller = new AbortController();
      const notes: string[] = [];
      try {
        const timeoutMs = options.full
          ? Math.max(deps.config.defaults.fullAuditTimeoutMs, check.timeoutMs ?? 0)
          : (check.timeoutMs ?? deps.config.defaults.checkTimeoutMs);
        const ctx: SourcedContext = {
          envName: env.name,
          env,
          ...(sources.redis && sampler ? { redis: sources.redis, sampler } : {}),
          ...(sources.cluster ? { cluster: sources.cluster } : {}),
          ...(sources.appClock ? { appClock: sources.appClock } : {}),
          options,
          now,
          sleep,
          signal: controller.signal,
          note: (message) => notes.push(message),
        };
        const raw = await withTimeout(timeoutMs, controller, () => check.run(ctx));
        // A finding outside the check's catalogue entry breaks the report contract: refuse it, loudly.
        const violations = raw.flatMap((f) => catalogue.violation(check.id, f) ?? []);
        const findings = raw.filter((f) => !catalogue.violation(check.id, f)).map((f) => ({ ...f, check: check.id }));
        if (violations.length) {
          return {
            summary: {
              id: check.id,
              status: 'error',
              durationMs: now() - t0,
              message: `check "${check.id}" ${violations.join('; ')}`,
            },
            findings,
          };
        }
        return {
          summary: {
            id: check.id,
            status: findings.length ? 'findings' : 'ok',
            durationMs: now() - t0,
            ...(notes.length ? { message: notes.join('; ') } : {}),
          },
          findings,
        };
      } catch (err) {
        if (err instanceof CheckTimeout) {
          // Which source was too slow (or stalled): what a person checks first.
          const on = [
            check.needs.includes('redis') && sources.redis ? `Redis at ${redisAddress}` : '',
            check.needs.includes('kubernetes') && sources.cluster ? 'the Kubernetes API' : '',
          ]
            .filter(Boolean)
            .join(' or ');
          return {
            summary: {
              id: check.id,
              status: 'error',
              durationMs: now() - t0,
              message: `${err.message}${on ? ` waiting on ${on}` : ''}`,
            },
            findings: [],
          };
        }
        const failure = describeSourceFailure(err, check.needs, redisAddress);
        // A source-failure finding off its contract must not cost the report: it is dropped and named.
        const violation = failure.finding && catalogue.violation(ENGINE_OWNER, failure.finding);
        return {
          summary: {
            id: check.id,
            status: 'error',
            durationMs: now() - t0,
            message: violation ? `${failure.message} (the engine ${violation})` : failure.message,
          },
          findings: failure.finding && !violation ? [{ ...failure.finding, check: check.id }] : [],
        };
      }
    }),
  );
  diagnosisController.abort();

  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const f of results.flatMap((r) => r.findings)) {
    // One source failure seen by several checks is one finding.
    if (catalogue.get(f.id)?.oncePerReport) {
      if (seen.has(f.id)) continue;
      seen.add(f.id);
    }
    findings.push(f);
  }
  const escalation = escalationFinding(findings, env);
  if (escalation && validEngineFinding(escalation)) findings.unshift(escalation);
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

  /** The engine's own findings follow the catalogue too; one that does not is a bug, not a report line. */
  function validEngineFinding<F extends RawFinding>(f: F): F {
    const violation = catalogue.violation(ENGINE_OWNER, f);
    if (violation) throw new EngineFindingError(`the engine ${violation}`);
    return f;
  }
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
