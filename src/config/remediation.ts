import { z } from 'zod';

/** A Kubernetes namespace name (RFC 1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `remediation.gitops`: what the actions do with an object that Argo CD or Flux manages (detected from the
 * labels and annotations the controllers write on it), where a direct patch is undone at the next sync; and
 * how often the bot reads the state of the fix requests it opened.
 */
export const gitopsPolicySchema = z
  .object({
    /**
     * Patch a GitOps-managed ConfigMap directly anyway (the preview warns that the next sync undoes it).
     * Default false: the direct patch is not the durable step, the edit belongs in Git.
     */
    allowDirectPatch: z.boolean({ error: 'expected true or false' }).default(false),
    /** Namespace of the Argo CD Applications, read to tell whether an `app.kubernetes.io/instance` label is Argo CD's. */
    argocdNamespace: z
      .string({ error: 'expected a namespace name' })
      .max(63, { error: 'expected a namespace name of at most 63 characters' })
      .regex(NAMESPACE_NAME, { error: 'expected a namespace name (lower case letters, digits and "-")' })
      .default('argocd'),
    /**
     * Seconds between two reads of each open fix request's state (merged, closed) on the Git host; a signed
     * webhook (the environment's `gitops.webhookSecretEnv`) makes the read immediate.
     */
    pollSeconds: z.number({ error: 'expected a number of seconds' }).min(5).max(3600).default(60),
  })
  .strict();

/** What the actions read of it (the poll is the follower's, not theirs). */
export type GitOpsPolicy = Omit<z.infer<typeof gitopsPolicySchema>, 'pollSeconds'>;

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
    /** Objects managed by Argo CD or Flux: see `gitopsPolicySchema`. */
    gitops: gitopsPolicySchema.prefault({}),
  })
  .strict();

export type RemediationConfig = z.infer<typeof remediationSchema>;

/** The section as a config without `remediation` gets it. */
export const REMEDIATION_DEFAULTS: RemediationConfig = remediationSchema.parse({});
