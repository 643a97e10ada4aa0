import type { EnvironmentConfig } from '../config/config.js';
import { durationMs } from '../core/format.js';
import type { Sources } from '../core/ports/sources.js';
import { ENGINE_OWNER } from './catalogue/engine-findings.js';
import type { FindingCatalogue } from './catalogue/finding-catalogue.js';
import type { KeyspaceSampler } from './sampling/keyspace-sampler.js';
import { describeSourceFailure } from './source-failure.js';
import type { Check, CheckSummary, Finding, Need, RawFinding, RunOptions, SourcedContext } from './types.js';

/** What every check of one diagnosis shares. */
export interface DiagnosisRun {
  env: EnvironmentConfig;
  sources: Sources;
  /** The diagnosis's one keyspace sample (when the environment has Redis). */
  sampler: KeyspaceSampler | undefined;
  options: RunOptions;
  catalogue: FindingCatalogue;
  /** `host:port` of the Redis nodes, for messages. */
  redisAddress: string;
  /** Default per-check timeout, and the one of a `--full` audit. */
  checkTimeoutMs: number;
  fullAuditTimeoutMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** One check's outcome: its line in the report and the findings it contributes. */
export interface CheckResult {
  summary: CheckSummary;
  findings: Finding[];
}

/**
 * Runs `work` until it settles or `ms` have passed on the engine's clock (`now`); on time, aborts `controller`
 * and says so instead of waiting further. A timer of the time left fires and reads the clock again, so an
 * injected clock decides when a check times out (on the real clock: one timer).
 */
async function withTimeout<T>(
  ms: number,
  now: () => number,
  controller: AbortController,
  work: () => Promise<T>,
): Promise<{ value: T } | 'timed-out'> {
  const deadline = now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed-out'>((resolve) => {
    const wait = (left: number) => {
      timer = setTimeout(() => {
        const remaining = deadline - now();
        if (remaining > 0) return wait(remaining);
        // Settle first: a check that settles on abort must not win the race.
        resolve('timed-out');
        controller.abort();
      }, left);
    };
    wait(ms);
  });
  try {
    return await Promise.race([work().then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function missingNeed(check: Check, sources: Sources, env: EnvironmentConfig): string | undefined {
  const has: Record<Need, boolean> = { redis: !!sources.redis, kubernetes: !!sources.cluster };
  const missing = check.needs.filter((n) => !has[n]);
  if (!missing.length) return undefined;
  return `no ${missing.join(' / ')} source configured for environment "${env.name}"`;
}

/** What a check said about itself while it ran: notes, and why it had nothing to look at. */
interface CheckSays {
  notes: string[];
  skipped: string[];
}

function contextFor(run: DiagnosisRun, signal: AbortSignal, says: CheckSays): SourcedContext {
  const { sources, sampler, env } = run;
  return {
    envName: env.name,
    env,
    ...(sources.redis && sampler ? { redis: sources.redis, sampler } : {}),
    ...(sources.cluster ? { cluster: sources.cluster } : {}),
    ...(sources.appClock ? { appClock: sources.appClock } : {}),
    options: run.options,
    now: run.now,
    sleep: run.sleep,
    signal,
    note: (message) => says.notes.push(message),
    skip: (reason) => says.skipped.push(reason),
  };
}

/** A finding outside the check's catalogue entry breaks the report contract: it is refused, loudly. */
function judged(run: DiagnosisRun, check: Check, raw: RawFinding[], says: CheckSays, ms: number): CheckResult {
  const violations = raw.flatMap((f) => run.catalogue.violation(check.id, f) ?? []);
  const findings = raw.filter((f) => !run.catalogue.violation(check.id, f)).map((f) => ({ ...f, check: check.id }));
  if (violations.length) {
    const message = `check "${check.id}" ${violations.join('; ')}`;
    return { summary: { id: check.id, status: 'error', durationMs: ms, message }, findings };
  }
  // A check that had nothing to look at is skipped with its reason: a fact about the environment, not a failure.
  if (!findings.length && says.skipped.length) {
    return { summary: { id: check.id, status: 'skipped', durationMs: ms, message: says.skipped.join('; ') }, findings };
  }
  const status = findings.length ? 'findings' : 'ok';
  const note = says.notes.length ? { message: says.notes.join('; ') } : {};
  return { summary: { id: check.id, status, durationMs: ms, ...note }, findings };
}

/** The check ran out of time: says which source was too slow (or stalled), what a person checks first. */
function timedOut(run: DiagnosisRun, check: Check, timeoutMs: number, ms: number): CheckResult {
  const on = [
    check.needs.includes('redis') && run.sources.redis ? `Redis at ${run.redisAddress}` : '',
    check.needs.includes('kubernetes') && run.sources.cluster ? 'the Kubernetes API' : '',
  ]
    .filter(Boolean)
    .join(' or ');
  const message = `timed out after ${durationMs(timeoutMs)}${on ? ` waiting on ${on}` : ''}`;
  return { summary: { id: check.id, status: 'error', durationMs: ms, message }, findings: [] };
}

/** The check's source failed: an actionable message, and the engine's source-failure finding. */
function failed(run: DiagnosisRun, check: Check, err: unknown, ms: number): CheckResult {
  const failure = describeSourceFailure(err, check.needs, run.redisAddress);
  // A source-failure finding off its contract must not cost the report: it is dropped and named.
  const violation = failure.finding && run.catalogue.violation(ENGINE_OWNER, failure.finding);
  const message = violation ? `${failure.message} (the engine ${violation})` : failure.message;
  return {
    summary: { id: check.id, status: 'error', durationMs: ms, message },
    findings: failure.finding && !violation ? [{ ...failure.finding, check: check.id }] : [],
  };
}

/**
 * Runs one check with its timeout. Skipped when a source it needs is not configured; a source failure or
 * a timeout ends it with status `error` and a message; its findings are held to the catalogue.
 */
export async function runCheck(run: DiagnosisRun, check: Check): Promise<CheckResult> {
  const t0 = run.now();
  const skipReason = missingNeed(check, run.sources, run.env);
  if (skipReason) {
    return { summary: { id: check.id, status: 'skipped', durationMs: 0, message: skipReason }, findings: [] };
  }
  const controller = new AbortController();
  const says: CheckSays = { notes: [], skipped: [] };
  const timeoutMs = run.options.full
    ? Math.max(run.fullAuditTimeoutMs, check.timeoutMs ?? 0)
    : (check.timeoutMs ?? run.checkTimeoutMs);
  try {
    const ran = await withTimeout(timeoutMs, run.now, controller, () =>
      check.run(contextFor(run, controller.signal, says)),
    );
    if (ran === 'timed-out') return timedOut(run, check, timeoutMs, run.now() - t0);
    return judged(run, check, ran.value, says, run.now() - t0);
  } catch (err) {
    return failed(run, check, err, run.now() - t0);
  }
}
