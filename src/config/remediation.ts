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
  })
  .strict();

export type RemediationConfig = z.infer<typeof remediationSchema>;

/** The section as a config without `remediation` gets it. */
export const REMEDIATION_DEFAULTS: RemediationConfig = remediationSchema.parse({});
