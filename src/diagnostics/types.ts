import type { EnvironmentConfig } from '../config/config.js';
import type { SessionStore } from '../core/ports/session-store.js';
import type { ClusterPort } from '../core/ports/cluster.js';
import type { ScenarioAssessment } from './scenarios.js';
import type { FindingSpec } from './catalogue/finding-spec.js';
import type { KeyspaceSampler } from './sampling/keyspace-sampler.js';

/** How bad a finding is. `critical` makes the CLI exit 1. */
export type Severity = 'critical' | 'warning' | 'info';

/**
 * One thing a check saw. Pure data: the Slack, terminal and JSON renderers all draw from it.
 *
 * @example
 * { id: 'ttl.no_expiry', check: 'ttl-sample', severity: 'warning',
 *   title: '20 of 1,000 sampled sessions never expire', detail: '...',
 *   evidence: { noExpiry: 20, sampled: 1000, samples: ['session:ab12'] },
 *   fix: 'Write sessions with SETEX or SET ... EX <ttl>.' }
 */
export interface Finding {
  /** Stable id, a contract (e.g. `memory.high_usage`). */
  id: string;
  /** Id of the check that raised it. */
  check: string;
  severity: Severity;
  title: string;
  detail: string;
  evidence: Record<string, unknown>;
  fix?: string;
}

/** A finding before the engine stamps the check id on it. */
export type RawFinding = Omit<Finding, 'check'>;

export type CheckStatus = 'ok' | 'findings' | 'error' | 'skipped';

export interface CheckSummary {
  id: string;
  status: CheckStatus;
  durationMs: number;
  message?: string;
}

/** The report contract printed by `session-ttl diagnose --json`. */
export interface Report {
  environment: string;
  startedAt: string;
  durationMs: number;
  checks: CheckSummary[];
  findings: Finding[];
  /** The runbook's seven scenarios rated by the findings, most likely first. */
  scenarios: ScenarioAssessment[];
}

/** What a check can ask the engine for. */
export type Need = 'redis' | 'kubernetes';

/** Knobs that a caller (CLI flag, slash command) can turn for one run. */
export interface RunOptions {
  /** Keys the diagnosis's keyspace sample reads, split evenly across the nodes (default 1000). */
  sampleSize?: number;
  /** Stream every key through the keyspace sample's statistics instead of sampling. */
  full?: boolean;
  /** Window over which eviction rates are measured, in ms (default 1000). */
  rateWindowMs?: number;
  /** Called during long scans with keys seen so far (for progress bars). */
  onProgress?: (scanned: number, total: number | undefined) => void;
  /** Clock offsets above this, in ms, are `clock.skew` (default from config `defaults.clockSkewThresholdMs`). */
  clockSkewThresholdMs?: number;
  /** Lines of each app pod's log searched for session deletions (default from config `defaults.logTailLines`). */
  logTailLines?: number;
}

/** What every check receives, whatever it needs. */
export interface BaseCheckContext {
  envName: string;
  env: EnvironmentConfig;
  options: RunOptions;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  /** Says something about a check that found nothing (e.g. "AOF is off"); shown as the check's message. */
  note?: (message: string) => void;
}

/** The context members each need brings. */
export interface SourcesOfNeed {
  /** The store, and the diagnosis's one keyspace sample of it. */
  redis: { redis: SessionStore; sampler: KeyspaceSampler };
  kubernetes: { cluster: ClusterPort };
}

/** What the engine hands to any check: each source is there when the environment has it. */
export type SourcedContext = BaseCheckContext & Partial<SourcesOfNeed['redis']> & Partial<SourcesOfNeed['kubernetes']>;

type Present<N extends Need> = ('redis' extends N ? SourcesOfNeed['redis'] : unknown) &
  ('kubernetes' extends N ? SourcesOfNeed['kubernetes'] : unknown);
type MaybePresent<O extends Need> = ('redis' extends O ? Partial<SourcesOfNeed['redis']> : unknown) &
  ('kubernetes' extends O ? Partial<SourcesOfNeed['kubernetes']> : unknown);

/**
 * What a check receives, typed by what it requires (`N`: present) and what it may use (`O`: possibly
 * undefined). Without arguments every source is present (what tests build to call a check directly).
 *
 * @example CheckContext<'redis', 'kubernetes'> // ctx.redis: SessionStore, ctx.cluster: ClusterPort | undefined
 */
export type CheckContext<N extends Need = Need, O extends Need = never> = BaseCheckContext & Present<N> & MaybePresent<Exclude<O, N>>;

/**
 * A diagnostic check as the registry and the engine hold it; build one with `defineCheck`, which
 * types `run`'s context by the check's `needs` and `optional`.
 * A check throws only when its source fails; the engine turns that into status `error`.
 */
export interface Check {
  id: string;
  summary: string;
  needs: readonly Need[];
  /** Sources the check uses when the environment has them. */
  optional?: readonly Need[];
  /** Every finding the check may raise; the engine refuses any other. */
  findings: readonly FindingSpec[];
  /** Per-check timeout override in ms. */
  timeoutMs?: number;
  /** Whether the check runs when no check ids are named (default true). */
  runByDefault?: boolean;
  run(ctx: SourcedContext): Promise<RawFinding[]>;
}
