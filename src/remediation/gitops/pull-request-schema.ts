import { z } from 'zod';

/** One edit of the manifest, as stored with the plan (the memory-size comparison is added back when opening). */
export const manifestEditSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('redis-directive'), configMap: z.string(), directive: z.string(), value: z.string() }),
  z.object({ kind: z.literal('data-key'), configMap: z.string(), key: z.string(), value: z.string() }),
]);
export type ManifestEdit = z.infer<typeof manifestEditSchema>;

/**
 * The pull request a plan opens after its approval, as previewed: where (provider, repository, base
 * branch, file), what (the edits), and what the preview saw (the base commit, each edit's value there and
 * the diff). Stored with the plan; the apply opens it with these, re-applying the edits where the base moved.
 */
export const gitPullRequestPlanSchema = z.object({
  provider: z.enum(['github', 'gitlab']),
  repo: z.string().min(1),
  baseBranch: z.string().min(1),
  path: z.string().min(1),
  /** Who applies it from Git: `Argo CD application "sessions"`. */
  owner: z.string(),
  edits: z.array(manifestEditSchema).min(1),
  baseSha: z.string().min(1),
  before: z.array(z.string().nullable()),
  /** The unified diff of the file (empty: Git already has the values). */
  diff: z.string(),
});
export type GitPullRequestPlan = z.infer<typeof gitPullRequestPlanSchema>;

/** A fix's pull request once opened: the plan's request, its number, address, branch and commit. */
export const openedPullRequestSchema = gitPullRequestPlanSchema.extend({
  number: z.number().int().positive(),
  url: z.string().min(1),
  branch: z.string().min(1),
  commitSha: z.string().min(1),
});
export type OpenedPullRequest = z.infer<typeof openedPullRequestSchema>;
