import type { EnvironmentConfig } from '../config/config.js';
import type { SessionStore } from '../core/ports/session-store.js';
import type { ClusterPort } from '../core/ports/cluster.js';
import type { ReadAppClock } from '../core/ports/app-clock.js';
import type { FindingSpec } from './catalogue/finding-spec.js';
import type { KeyspaceSampler } from './sampling/keyspace-sampler.js';
import type { RawFinding } from './finding.js';
import type { RunOptions } from './run-options.js';

export type { CheckStatus, CheckSummary, Finding, RawFinding, Severity } from './finding.js';
export type { Report } from './report.js';
export type { RunOptions } from './run-options.js';

/** What a check can ask the engine for. */
export type Need = 'redis' | 'kubernetes';

/** What every check receives, whatever it needs. */
export interface BaseCheckContext {
  envName: string;
  env: EnvironmentConfig;
  options: RunOptions;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  /** Reads the app's clock, when the environment's sources have a reader. */
  appClock?: ReadAppClock;
  /** Says something about a check that found nothing (e.g. "AOF is off"); shown as the check's message. */
  note?: (message: string) => void;
  /**
   * Says that the check has nothing to look at in this environment (e.g. no app log to search) and
   * why; a check that calls it and returns no finding is `skipped` with that reason, not `ok` or `error`.
   */
  skip?: (reason: string) => void;
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
export type CheckContext<N extends Need = Need, O extends Need = never> = BaseCheckContext &
  Present<N> &
  MaybePresent<Exclude<O, N>>;

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
