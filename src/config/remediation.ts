import { z } from 'zod';

/** The `remediation` section: how actions run, every default written once here. */
export const remediationSchema = z
  .object({
    /** Plan, authorize and audit as usual, but change nothing. */
    dryRun: z.boolean().default(false),
    /** Minutes a requested action waits for approval and the apply click before it expires. */
    pendingTtlMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(30),
    /**
     * Seconds an apply's lease lasts: the replica applying renews it; when it dies (SIGKILL, OOM) another
     * replica's reconciler takes the interrupted apply over once the lease has expired.
     */
    applyLeaseSeconds: z.number().positive().max(600).default(30),
    /** Seconds between two looks of the reconciler for interrupted applies (it also looks at start-up). */
    reconcileEverySeconds: z.number().positive().max(3600).default(15),
  })
  .strict();

export type RemediationConfig = z.infer<typeof remediationSchema>;

/** The section as a config without `remediation` gets it. */
export const REMEDIATION_DEFAULTS: RemediationConfig = remediationSchema.parse({});
