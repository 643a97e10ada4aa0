import { z } from 'zod';
import { gitopsOwnerSchema } from './ownership.js';

/**
 * The durable half of a plan whose ConfigMap a GitOps controller manages: the one key edit that belongs in
 * Git, with the owner that would undo a direct patch. The preview shows it; the pull request that carries
 * it (issue 21, part C) is built from it. `directPatch` says whether the plan's `changes` also patch the
 * ConfigMap directly (`remediation.gitops.allowDirectPatch: true`) or leave it to Git (the default).
 *
 * @example
 * {
 *   kind: 'gitops',
 *   owner: { tool: 'argocd', name: 'sessions', evidence: 'annotation argocd.argoproj.io/tracking-id' },
 *   object: { kind: 'ConfigMap', namespace: 'langgraph-agent', name: 'redis-session-config', key: 'redis.conf' },
 *   before: '…maxmemory-policy allkeys-lru\n…', after: '…maxmemory-policy volatile-lru\n…',
 *   diff: ['@@ redis.conf line 5 @@', ' # eviction', '-maxmemory-policy allkeys-lru', '+maxmemory-policy volatile-lru'],
 *   directPatch: false,
 * }
 */
export const gitopsDurableSchema = z.object({
  kind: z.literal('gitops'),
  owner: gitopsOwnerSchema,
  /** The object and key as the cluster has them (part C maps them to a file in the repository). */
  object: z.object({
    kind: z.literal('ConfigMap'),
    namespace: z.string().min(1),
    name: z.string().min(1),
    key: z.string().min(1),
  }),
  /** The key's whole value read for the preview, and with the edit. */
  before: z.string(),
  after: z.string(),
  /** The same unified-diff-style lines as the ConfigMap change's `diff`. */
  diff: z.array(z.string()),
  directPatch: z.boolean(),
});

export type GitOpsDurable = z.infer<typeof gitopsDurableSchema>;
