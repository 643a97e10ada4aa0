import type { Config, EnvironmentConfig } from '../../config/config.js';
import type { Logger } from '../../core/logging.js';
import type { Action, Form } from '../../core/message.js';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import type { ActionRegistry } from '../actions/index.js';
import type { Audit } from '../audit.js';
import type { ApplyJournals } from '../journal.js';
import type { EnvLocks } from '../lock.js';
import type { ManagedFix } from '../managed/managed-fix.js';
import type { Offers } from '../offers.js';
import type { PendingAction, PendingActions } from '../pending.js';
import type { AccessPolicy } from '../policy.js';
import type { ActionContext, ActionId, ApplyOutcome, Plan } from '../types.js';

/** Who acts and where, exactly as the chat platform signed it (never taken from a button's value). */
export interface Actor {
  userId: string;
  teamId: string;
  channelId: string;
  /** Every workspace the platform signed (the user's and the one clicked in), when more than `teamId`. */
  teamIds?: readonly string[];
  /** Enterprise Grid: the organization the platform signed. */
  enterpriseId?: string;
  /**
   * Which of `candidates` (the groups the policy names) the person is in, as their chat platform says
   * (Slack user groups, Entra ID groups); rejects with a `GroupLookupError` when it could not say.
   */
  groups(candidates: readonly string[]): Promise<string[]>;
  /** The chat platform that signed the request (the policy holds a Teams actor to the Teams tenant). */
  platform?: 'slack' | 'teams' | 'terminal';
}

/** What an action needs for an environment, opened for one use and closed after. */
export interface OpenActionContext {
  ctx: ActionContext;
  close(): Promise<void>;
}

export interface RemediationDeps {
  config: Config;
  policy: AccessPolicy;
  /** The action registry (`createActionRegistry`): the only list of action ids. */
  actions: ActionRegistry;
  openContext(env: EnvironmentConfig): OpenActionContext;
  store: CasStateStore;
  offers: Offers;
  pending: PendingActions;
  locks: EnvLocks;
  /** The journal of each apply (intent and steps), behind a lease the reconciler takes over when its holder died. */
  journals: ApplyJournals;
  audit: Audit;
  dryRun: boolean;
  now: () => number;
  logger: Logger;
  /** How long the bot remembers a capability answer per environment (default 60 s). */
  capabilityTtlMs?: number;
  /** A link to the chat thread of a request (its preview's report), for a GitOps pull request's body. */
  threadLink?: (pendingId: string) => Promise<string | undefined>;
}

/** A result a person reads: allowed or not, always with words. Denials are results, not exceptions. */
export type Outcome<T> = ({ ok: true } & T) | { ok: false; message: string };

/** A refusal: the words for the person. */
export type Refusal = Extract<Outcome<object>, { ok: false }>;

export interface AppliedResult {
  record: PendingAction;
  /** The checks to run again to show whether the finding is gone. */
  recheck: readonly string[];
  /** The finding ids the action answers: gone from the re-run checks, the fix is verified. */
  answers: readonly string[];
  outcome?: ApplyOutcome;
  revertId?: string;
  dryRun: boolean;
  /** One line for the thread: applied, applied partly, failed, or not applied and why. */
  message: string;
  /** Set when the apply stopped before changing anything: why (the words the audit recorded). */
  reason?: string;
}

/** A preview ready to show: the plan, kept behind the pending record's id, and its form. */
export interface Previewed {
  record: PendingAction;
  plan: Plan;
  title: string;
  /** The preview as a neutral form (`planForm`): what each platform renders. */
  form: Form;
}

/** Who may approve a request, as the policy names them (the requester left out). */
export interface Approvers {
  users: readonly string[];
  groups: readonly string[];
}

/** A request or approval: the record, what was applied when it was the last step, or how many approvals are missing. */
export interface Decided {
  record: PendingAction;
  applied?: AppliedResult;
  awaiting?: number;
  /** With `awaiting`: who may give the approvals. */
  approvers?: Approvers;
  /** A revert request's last approval: what the revert restored (or why it could not). */
  reverted?: { outcome: ApplyOutcome; message: string };
}

/** A report's fix buttons, and the actions the bot could not perform itself (with why). */
export interface ReportActions {
  buttons: Action[];
  unavailable: { action: ActionId; title: string; why: string }[];
  /** Actions not offered because a managed service (`redis.provider`) blocks CONFIG: its own steps instead. */
  managed?: ManagedFix[];
}
