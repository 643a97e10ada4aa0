import type { z } from 'zod';
import type { EnvironmentConfig } from '../config/config.js';
import type { ActionId } from '../core/action-ids.js';
import type { RedisAdminPort } from '../core/ports/redis-admin.js';
import type { ClusterWritePort } from '../core/ports/cluster-write.js';

export type { RedisAdminPort } from '../core/ports/redis-admin.js';
export type { ClusterWritePort, DeploymentView } from '../core/ports/cluster-write.js';

/** One exact change an action makes, shown in the preview before anything happens and recorded after. */
export type Change =
  | {
      kind: 'redis-config';
      node: string;
      parameter: string;
      before: string;
      after: string;
      /** A Redis Cluster node's role when planned (absent on a standalone store). */
      role?: 'master' | 'replica';
    }
  | {
      kind: 'configmap';
      namespace: string;
      name: string;
      key: string;
      before: string;
      after: string;
      /** Unified-diff-style lines (`-old`, `+new`, with a little context) of the one value. */
      diff: string[];
      /** resourceVersion read for the preview: apply fails (409) if the object changed since. */
      resourceVersion: string;
    }
  | { kind: 'rollout-restart'; namespace: string; deployment: string; resourceVersion: string };

/** The preview of an action: what changes, what it fixes, what it does not, the risks. No side effect. */
export interface Plan<P = Record<string, unknown>> {
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
  /** Nothing would change (the store already has the values): apply is refused. */
  noop: boolean;
}

/** What an apply or revert did, change by change. A partial failure lists what changed and what did not. */
export interface ApplyOutcome {
  ok: boolean;
  applied: Change[];
  /** The first failure (the only one on a standalone store). */
  failed?: { change: Change; error: string };
  /** Every node that refused or could not be reached, on a store of several nodes (includes `failed`). */
  failures?: { change: Change; error: string }[];
  /** Changes not attempted because an earlier step failed (the ConfigMap after a partial node change). */
  notAttempted?: { change: Change; why: string }[];
  /** One line on a store of several nodes: "changed on 4 of 6 nodes; failed on 127.0.0.1:7005 (…)". */
  summary?: string;
  /** Rollouts followed after a restart. */
  rollouts?: { deployment: string; status: 'complete' | 'timed_out' | 'failed'; detail: string }[];
}

/** The previous values of an applied action, enough to restore them exactly. */
export interface RevertRecord {
  action: ActionId;
  env: string;
  /** The changes as applied; a revert applies each one from `after` back to `before`. */
  changes: Change[];
}

export interface ActionContext {
  env: EnvironmentConfig;
  redis: RedisAdminPort;
  cluster?: ClusterWritePort;
  now: () => number;
}

/** What the bot itself could do for an action in an environment, and why not when it cannot. */
export type Capability = { able: true } | { able: false; why: string };

/**
 * A remediation action: a plain object in a registry built from a list (`remediation/actions/index.ts`).
 * `plan` only reads; `apply` performs exactly the plan's changes (preconditions checked); `revert`
 * restores a record's `before` values.
 */
export interface RemediationAction<P = Record<string, unknown>> {
  id: ActionId;
  title: string;
  /** Runbook scenarios it addresses. */
  scenarios: readonly number[];
  /** The checks run again after an apply, to show whether the finding is gone. */
  recheck: readonly string[];
  params: z.ZodType<P>;
  /** Starting parameters read from the environment, for parameters without a default (e.g. twice today's maxmemory). */
  suggest?(ctx: ActionContext): Promise<Record<string, unknown>>;
  /** Whether the bot has what the action needs (credentials, RBAC), checked before a button is shown. */
  capability(ctx: ActionContext): Promise<Capability>;
  plan(ctx: ActionContext, params: P): Promise<Plan<P>>;
  apply(ctx: ActionContext, plan: Plan<P>): Promise<ApplyOutcome>;
  revert(ctx: ActionContext, record: RevertRecord): Promise<ApplyOutcome>;
}
