import { z } from 'zod';
import { gitPullRequestPlanSchema, openedPullRequestSchema } from './gitops/pull-request-schema.js';

/**
 * The one description of a change an action makes: shown in the preview, stored behind the pending id,
 * performed, audited and reverted. Everything that reads a change back from the state store parses it
 * with these schemas first, so a record that was altered (or written by another version) is refused.
 */

/** `CONFIG SET` of one parameter on one node. */
export const redisConfigChangeSchema = z.object({
  kind: z.literal('redis-config'),
  node: z.string().min(1),
  parameter: z.string().min(1),
  before: z.string(),
  after: z.string(),
  /** A Redis Cluster node's role when planned (absent on a standalone store). */
  role: z.enum(['master', 'replica']).optional(),
});

/** One key of a ConfigMap. */
export const configMapChangeSchema = z.object({
  kind: z.literal('configmap'),
  namespace: z.string().min(1),
  name: z.string().min(1),
  key: z.string().min(1),
  before: z.string(),
  after: z.string(),
  /** Unified-diff-style lines (`-old`, `+new`, with a little context) of the one value. */
  diff: z.array(z.string()),
  /** resourceVersion read for the preview: apply fails (409) if the object changed since. */
  resourceVersion: z.string().min(1),
});

/** `kubectl rollout restart` of one Deployment. */
export const rolloutRestartChangeSchema = z.object({
  kind: z.literal('rollout-restart'),
  namespace: z.string().min(1),
  deployment: z.string().min(1),
  resourceVersion: z.string().min(1),
});

export const changeSchema = z.discriminatedUnion('kind', [
  redisConfigChangeSchema,
  configMapChangeSchema,
  rolloutRestartChangeSchema,
]);

/** One exact change an action makes, shown in the preview before anything happens and recorded after. */
export type Change = z.infer<typeof changeSchema>;
export type RedisConfigChange = z.infer<typeof redisConfigChangeSchema>;
export type ConfigMapChange = z.infer<typeof configMapChangeSchema>;
export type RolloutRestartChange = z.infer<typeof rolloutRestartChangeSchema>;

/**
 * Whether a change of this kind can be undone once applied. A record over every kind, so a new kind
 * has to decide: a value can be put back, a restart cannot.
 */
const REVERTIBLE: Readonly<Record<Change['kind'], boolean>> = {
  'redis-config': true,
  configmap: true,
  'rollout-restart': false,
};

export function isRevertible(change: Change): boolean {
  return REVERTIBLE[change.kind];
}

/** The previous values of an applied action, enough to restore them exactly. */
export const revertRecordSchema = z
  .object({
    action: z.string().min(1),
    env: z.string().min(1),
    /** The changes as applied; a revert applies each one from `after` back to `before`. */
    changes: z.array(changeSchema),
    /** The pull request the apply opened (GitOps): a revert closes it, or opens the reverting one once merged. */
    pullRequest: openedPullRequestSchema.optional(),
  })
  .refine((r) => r.changes.length > 0 || r.pullRequest !== undefined, {
    message: 'expected at least one change or a pull request',
  });
export type RevertRecord = z.infer<typeof revertRecordSchema>;

/** A revert record as stored behind the Revert button's opaque id. */
export const storedRevertSchema = z.object({
  id: z.string().min(1),
  pendingId: z.string().min(1),
  record: revertRecordSchema,
  appliedBy: z.string().min(1),
  at: z.number(),
});
export type StoredRevert = z.infer<typeof storedRevertSchema>;

/** A preview's plan as stored behind its pending id: apply compares a fresh plan with these changes. */
export const storedPlanSchema = z.object({
  changes: z.array(changeSchema),
  summary: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** The pull request the apply opens after the live changes (GitOps), as previewed. */
  pullRequest: gitPullRequestPlanSchema.optional(),
});
export type StoredPlan = z.infer<typeof storedPlanSchema>;
