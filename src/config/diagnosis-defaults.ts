import { z } from 'zod';

/**
 * How a `--full` audit reads every key. Gentle (the default) is for a live store: small SCAN and PTTL
 * batches and a pause after each, so a concurrent load barely notices it and no call takes the server
 * more than a couple of ms. Fast (`--fast`) is for a maintenance window: large batches, no pause, one
 * script per batch inside Redis (a lean pipeline where scripting is refused).
 */
const auditFields = {
  /** SCAN COUNT (and PTTL pipeline size) of a gentle audit. */
  scanCount: z.number().int().min(1).max(10_000),
  /** Pause after each batch of a gentle audit, in ms. */
  pauseMs: z.number().int().min(0).max(10_000),
  /** SCAN COUNT of a fast audit (its script runs one batch per call: about 1 ms per 1000 keys). */
  fastScanCount: z.number().int().min(1).max(100_000),
  /** false: a fast audit never sends the script (SCAN + PTTL pipeline instead), e.g. where EVAL is audited. */
  script: z.boolean(),
};

export const auditSettingsSchema = z
  .object({
    scanCount: auditFields.scanCount.default(100),
    pauseMs: auditFields.pauseMs.default(2),
    fastScanCount: auditFields.fastScanCount.default(1000),
    script: auditFields.script.default(true),
  })
  .strict();

/** An environment's `redis.audit`: any of the settings, each over `defaults.audit`. */
export const auditOverridesSchema = z.object(auditFields).partial().strict();

export type AuditSettings = z.infer<typeof auditSettingsSchema>;

/** The `defaults` section: knobs of every diagnosis, each default written once, here. */
export const diagnosisDefaultsSchema = z
  .object({
    /** Keys sampled per diagnosis (split across the store's nodes). */
    sampleSize: z.number().int().positive().max(1_000_000).default(1000),
    checkTimeoutMs: z.number().int().positive().default(20_000),
    /** Timeout of a check during a --full audit, which reads every key (default 30 min). */
    fullAuditTimeoutMs: z.number().int().positive().default(1_800_000),
    /**
     * The memory check's eviction-rate window, counted from the check's start: the keyspace sample runs
     * in it, the rate is measured over what is left after the sample (at least a quarter of it). Short,
     * so that a sampled diagnosis takes no longer than its sample and its checks (issue 12).
     */
    rateWindowMs: z.number().int().nonnegative().default(250),
    /** Clock offsets above this are reported as clock.skew (runbook Scenario 5). */
    clockSkewThresholdMs: z.number().int().positive().default(2000),
    /** Lines of app pod logs searched for session deletions (runbook Scenario 4). */
    logTailLines: z.number().int().positive().max(100_000).default(200),
    /** How `--full` audits read every key (per environment: `redis.audit`). */
    audit: auditSettingsSchema.prefault({}),
  })
  .strict();

export type DiagnosisDefaults = z.infer<typeof diagnosisDefaultsSchema>;

/** The defaults as a config without a `defaults` section gets them (for callers without a config file). */
export const DIAGNOSIS_DEFAULTS: DiagnosisDefaults = diagnosisDefaultsSchema.parse({});
