import type { EnvironmentConfig } from '../../config/config.js';
import { GitHostError, type GitHostPort } from '../../core/ports/git-host.js';
import { objectNames } from '../actions/object-names.js';
import type { GitOpsDurable } from './durable-edit.js';
import type { ManifestChange } from './manifest-edit.js';
import { dataKeyChange, redisConfChanges } from './manifest-changes.js';
import { manifestChangesOf, manifestPathOf } from './durable-to-git.js';
import { previewFixPullRequest } from './open-pull-request.js';
import { describeOwner } from './ownership.js';
import type { GitPullRequestPlan, ManifestEdit } from './pull-request-schema.js';

export type { GitPullRequestPlan, ManifestEdit } from './pull-request-schema.js';

/** The edits as the manifest editor takes them: memory directives compare `512mb` and `536870912` as equal. */
export function manifestChanges(edits: readonly ManifestEdit[]): ManifestChange[] {
  return edits.flatMap((e) =>
    e.kind === 'data-key'
      ? [dataKeyChange(e.configMap, e.key, e.value)]
      : redisConfChanges(e.configMap, [{ parameter: e.directive, value: e.value }]),
  );
}

/** The manifest edits of a plan's durable step, as stored (no functions). */
export function editsOf(d: GitOpsDurable): ManifestEdit[] {
  return manifestChangesOf(d).map((c) =>
    c.kind === 'data-key'
      ? { kind: c.kind, configMap: c.configMap, key: c.key, value: c.value }
      : { kind: c.kind, configMap: c.configMap, directive: c.directive, value: c.value },
  );
}

export type PullRequestPlanning =
  { plan: GitPullRequestPlan; note: string } | { plan?: undefined; note: string | undefined };

/**
 * The pull request that carries a GitOps-managed plan's durable edit, read from Git at the base head (no
 * write): undefined with a note where it cannot be prepared (no `gitops` file for the ConfigMap, the token
 * missing, the file unreadable), a note alone where Git already has the values.
 */
export async function planPullRequest(
  env: EnvironmentConfig,
  durable: GitOpsDurable | undefined,
  git: GitHostPort | Error | undefined,
): Promise<PullRequestPlanning> {
  const g = env.gitops;
  if (!durable || durable.directPatch || !g) return { note: undefined };
  const names = objectNames(env);
  const path = names && manifestPathOf(g.files, names, durable.object.name);
  const where = `ConfigMap "${durable.object.name}"`;
  if (!path)
    return {
      note: `gitops.files of environment "${env.name}" names no manifest for ${where}: no pull request is prepared; make the edit in Git by hand.`,
    };
  if (!git || git instanceof Error)
    return { note: `No pull request can be prepared: ${git?.message ?? 'no Git host is configured'}.` };
  const edits = editsOf(durable);
  if (!edits.length) return { note: undefined };
  try {
    const p = await previewFixPullRequest({ git, baseBranch: g.baseBranch, path, changes: manifestChanges(edits) });
    const plan: GitPullRequestPlan = {
      provider: g.provider,
      repo: g.repo,
      baseBranch: g.baseBranch,
      path,
      owner: describeOwner(durable.owner),
      edits,
      ...p,
    };
    if (!p.diff)
      return {
        note: `${path} on ${g.baseBranch} of ${git.description} already has this edit: no pull request is needed.`,
      };
    return {
      plan,
      note:
        `After approval the bot opens a pull request to ${git.description} (base ${g.baseBranch}, ${path}) with ` +
        `this edit; ${plan.owner} applies it once it is merged.`,
    };
  } catch (err) {
    const why = err instanceof GitHostError || err instanceof Error ? err.message : String(err);
    return { note: `Could not prepare the pull request from ${git.description} (${path}): ${why}` };
  }
}
