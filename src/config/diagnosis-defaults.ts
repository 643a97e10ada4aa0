import { z } from 'zod';

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
  })
  .strict();

export type DiagnosisDefaults = z.infer<typeof diagnosisDefaultsSchema>;

/** The defaults as a config without a `defaults` section gets them (for callers without a config file). */
export const DIAGNOSIS_DEFAULTS: DiagnosisDefaults = diagnosisDefaultsSchema.parse({});
