import type { z } from 'zod';
import type { EnvironmentConfig } from '../config/config.js';
import type { GitOpsPolicy } from '../config/remediation.js';
import type { Input } from '../core/message.js';
import type { RedisAdminPort } from '../core/ports/redis-admin.js';
import type { ClusterWritePort } from '../core/ports/cluster-write.js';
import type { Change, RevertRecord } from './changes.js';
import type { GitOpsDurable } from './gitops/durable-edit.js';
import type { GitPullRequestPlan } from './gitops/pull-request-plan.js';
import type { PullRequestRevertStep, PullRequestStep } from './gitops/pull-request-step.js';
import type { GitHostPort } from '../core/ports/git-host.js';
import type { StepLog } from './journal.js';
import type { RedisParameterValue } from './managed/provider-steps.js';

export type { RedisAdminPort } from '../core/ports/redis-admin.js';
export type { ClusterWritePort, DeploymentView } from '../core/ports/cluster-write.js';
export type { Change, RevertRecord } from './changes.js';

/** An action's id (`set-eviction-policy`): any string the action registry holds; it validates them at start-up. */
export type ActionId = string;

/** An action's parameters once parsed by its schema. */
export type ActionParams = Record<string, unknown>;

/** The preview of an action: what changes, what it fixes, what it does not, the risks. No side effect. */
export interface Plan<P extends ActionParams = ActionParams> {
  action: ActionId;
  env: string;
  params: P;
  /** One line: "Set maxmemory-policy to volatile-lru on 1 node and in ConfigMap redis-session-config". */
  summary: string;
  changes: Change[];
  fixes: string[];
  doesNotFix: string[];
  risks: string[];
  /** Computed warnings (e.g. "new maxmemory exceeds the pod's memory limit of 512Mi"). */
  warnings: string[];
  /**
   * Nothing the bot would change (the store already has the values, or what is left belongs in Git): apply
   * is refused.
   */
  noop: boolean;
  /**
   * The durable half (the ConfigMap edit) when Argo CD or Flux manages the ConfigMap: the edit that belongs
   * in Git and who would undo a direct patch. Absent when nothing says GitOps. See `GitOpsDurable`.
   */
  durable?: GitOpsDurable;
  /** The pull request that carries `durable` to Git after the approval (an environment with `gitops`). */
  pullRequest?: GitPullRequestPlan;
}

/** One change that was not made, and why. */
export interface ChangeFailure {
  change: Change;
  error: string;
}

/** What an apply or revert did, change by change. A partial failure lists what changed and what did not. */
export interface ApplyOutcome {
  ok: boolean;
  applied: Change[];
  /** The first failure (the only one on a standalone store). */
  failed?: ChangeFailure;
  /** Every node that refused or could not be reached, on a store of several nodes (includes `failed`). */
  failures?: ChangeFailure[];
  /** Changes not attempted because an earlier step failed (the ConfigMap after a partial node change). */
  notAttempted?: { change: Change; why: string }[];
  /** One line on a store of several nodes: "changed on 4 of 6 nodes; failed on 127.0.0.1:7005 (…)". */
  summary?: string;
  /** Rollouts followed after a restart. */
  /**
   * Rollouts followed after a restart; `interrupted`: the bot was stopping (SIGTERM) and stopped following it,
   * the restart itself done.
   */
  rollouts?: { deployment: string; status: 'complete' | 'timed_out' | 'failed' | 'interrupted'; detail: string }[];
  /** GitOps: the pull request opened after the live changes (or why not). */
  pullRequest?: PullRequestStep;
  /** GitOps, a revert: what was done about the fix's pull request (closed, reverted by another, nothing). */
  gitRevert?: PullRequestRevertStep;
}

export interface ActionContext {
  env: EnvironmentConfig;
  redis: RedisAdminPort;
  cluster?: ClusterWritePort;
  now: () => number;
  /** Where an apply records each step before and after it (the apply journal); absent, nothing is recorded. */
  steps?: StepLog;
  /** Aborted when the bot is stopping: a rollout is no longer followed (the restart itself is done). */
  interrupted?: AbortSignal;
  /** `remediation.gitops`: absent, its defaults (no direct patch of a GitOps-managed ConfigMap). */
  gitops?: GitOpsPolicy;
  /** The environment's Git host (`gitops`), or why it cannot be used (its token env var unset). */
  git?: GitHostPort | Error;
}

/** What the bot itself could do for an action in an environment, and why not when it cannot. */
export type Capability = { able: true } | { able: false; why: string };

/** Parameters as a form or `--param` gives them: strings by name. */
export type FormValues = Readonly<Record<string, string>>;

/**
 * A remediation action: a plain object in `remediation/actions/<id>.ts`, listed once in the registry
 * (`remediation/actions/index.ts`). Everything the bot knows about the action is declared here: which
 * findings it answers and the parameters it starts from for each, its parameters (zod, accepting the
 * strings a form or `--param` gives) and the form inputs that change them, the preview (`plan`, which
 * only reads; its risks and warnings), `apply` (exactly the plan's changes, preconditions checked) and
 * `revert` (a record's `before` values).
 *
 * @example
 * export const setFlag: RemediationAction<{ flag: 'yes' | 'no' }> = {
 *   id: 'set-flag', title: 'Set the flag', scenarios: [1], recheck: ['memory'],
 *   findings: ['memory.evictions'],
 *   params: z.object({ flag: z.enum(['yes', 'no']).default('yes') }).strict(),
 *   inputs: [{ kind: 'select', name: 'flag', label: 'flag', options: ['yes', 'no'] }],
 *   capability: redisSettingCapability, plan: async (ctx, p) => ({ ... }), apply: ..., revert: ...,
 * };
 */
export interface RemediationAction<P extends ActionParams = ActionParams> {
  id: ActionId;
  title: string;
  /** Runbook scenarios it addresses. */
  scenarios: readonly number[];
  /** The checks run again after an apply, to show whether the finding is gone. */
  recheck: readonly string[];
  /** The finding ids it answers: a report with one of them offers its button. Checked against the catalogue at start-up. */
  findings: readonly string[];
  /** The preview's starting parameters for one of its findings, as a form gives them. Absent: none. */
  offer?(findingId: string): FormValues;
  /** The label of the button a report shows for an offer (`…` is added). Absent: the title. */
  buttonLabel?(offered: FormValues): string;
  /** Parses what a form, `--param` or a stored record gives; strings are accepted wherever a value is typed. */
  params: z.ZodType<P>;
  /** What a person may change in the preview; each `name` is a key of `params`. Initial values come from the plan. */
  inputs: readonly Input[];
  /** Starting parameters read from the environment, for parameters without a default (e.g. twice today's maxmemory). */
  suggest?(ctx: ActionContext): Promise<FormValues>;
  /**
   * The Redis parameters the action sets with CONFIG SET, for these parameters (a form's strings; absent
   * ones take the action's defaults or a placeholder). Where `redis.provider` is a managed service, the
   * action is not offered as a button: the report and `fix --dry-run` give the provider's own steps for them.
   */
  redisSettings?(values: FormValues): RedisParameterValue[];
  /** Whether the bot has what the action needs (credentials, RBAC), checked before a button is shown. */
  capability(ctx: ActionContext): Promise<Capability>;
  plan(ctx: ActionContext, params: P): Promise<Plan<P>>;
  apply(ctx: ActionContext, plan: Plan<P>): Promise<ApplyOutcome>;
  revert(ctx: ActionContext, record: RevertRecord): Promise<ApplyOutcome>;
}
