import type { Logger } from '../../core/logging.js';
import type { Message } from '../../core/message.js';
import type { ChatPort, Postpone } from '../../core/ports/chat.js';
import type { GitHostPort } from '../../core/ports/git-host.js';
import type { Audit } from '../audit.js';
import type { Offers } from '../offers.js';
import { pullRequestAuditField } from './pull-request-audit.js';
import { closedMessage, mergedMessage, requestName, restartOfferMessage } from './pull-request-messages.js';
import type { TrackedPullRequest, TrackedPullRequests } from './tracked-pull-requests.js';

/** What following the GitOps requests needs; every I/O passed in. */
export interface FollowDeps {
  tracked: TrackedPullRequests;
  /** The Git host of an environment's `gitops` (the composition root builds the adapters); may throw. */
  gitHostFor(env: string): GitHostPort;
  chat: ChatPort;
  audit: Pick<Audit, 'record'>;
  offers: Pick<Offers, 'create'>;
  /** The Deployment's pod template fingerprint now (`DeploymentView.templateFingerprint`); undefined when absent. */
  templateFingerprint(env: string, deployment: string): Promise<string | undefined>;
  /** Keeps a post the chat platform refused, to post it later (the outbox); absent, it is logged. */
  postpone?: Postpone;
  now: () => number;
  logger: Logger;
  /**
   * How long after settling a request its replica has to announce it before another one takes it over (it
   * died in between). Default 5 minutes.
   */
  announceTimeoutMs?: number;
  /** Whether this replica reads the Git host in this round (`pollTurn`); absent, it always does. */
  pollTurn?: () => Promise<boolean>;
}

/** Which request a webhook names. */
export interface RequestKey {
  provider: TrackedPullRequest['provider'];
  /** GitHub `owner/name`; GitLab the project path or its numeric id (either matches). */
  repos: readonly string[];
  number: number;
}

type Via = 'poll' | 'webhook';

/**
 * One look at every open request: each one's state is read through the Git host's API, by the one replica
 * whose turn the round is (`pollTurn`; every replica still announces what a dead one settled); merged or
 * closed, the replica whose compare-and-set settles it audits it and says so in the apply's thread.
 * Returns how many it settled. A request whose read fails is logged and read again at the next look.
 */
export async function followOnce(deps: FollowDeps): Promise<number> {
  for (const pr of await deps.tracked.takeOverUnannounced(deps.announceTimeoutMs ?? 5 * 60_000)) {
    deps.logger.warn(
      { env: pr.env, repo: pr.repo, number: pr.number },
      'announcing a GitOps request another replica settled',
    );
    await announce(deps, pr).catch((err: unknown) => deps.logger.error({ err }, 'could not announce a GitOps request'));
  }
  if (deps.pollTurn && !(await deps.pollTurn())) return 0;
  let settled = 0;
  for (const pr of await deps.tracked.listOpen()) if (await checkLogged(deps, pr, 'poll')) settled++;
  return settled;
}

/**
 * A webhook said something happened to a request: the open tracked ones it names are read again through the
 * API (the payload's own state is never trusted). Returns how many tracked requests it named (0: ignored).
 */
export async function recheckNamed(deps: FollowDeps, named: RequestKey): Promise<number> {
  const open = await deps.tracked.listOpen();
  const hits = open.filter(
    (pr) => pr.provider === named.provider && pr.number === named.number && named.repos.includes(pr.repo),
  );
  for (const pr of hits) await checkLogged(deps, pr, 'webhook');
  return hits.length;
}

async function checkLogged(deps: FollowDeps, pr: TrackedPullRequest, via: Via): Promise<boolean> {
  try {
    return await check(deps, pr, via);
  } catch (err) {
    // The adapters' messages name the repository and the token's env var, never the token.
    deps.logger.warn({ err, env: pr.env, repo: pr.repo, number: pr.number }, 'could not read a GitOps request');
    return false;
  }
}

async function check(deps: FollowDeps, pr: TrackedPullRequest, via: Via): Promise<boolean> {
  const state = await deps.gitHostFor(pr.env).pullRequestState(pr.number);
  if (state.state === 'open') return false;
  const settled = await deps.tracked.settle(pr.id, {
    state: state.state,
    at: deps.now(),
    via,
    ...(state.mergeCommitSha ? { mergeCommitSha: state.mergeCommitSha } : {}),
  });
  if (!settled) return false;
  await announce(deps, settled);
  return true;
}

/** The settled request audited and said in its thread; after a merge, the restart offered when the pods did not roll. */
async function announce(deps: FollowDeps, pr: TrackedPullRequest): Promise<void> {
  const state = pr.settled?.state ?? 'closed';
  const merged = state === 'merged';
  const message = merged ? mergedMessage(pr) : closedMessage(pr);
  await deps.audit.record({
    event: merged ? 'pr_merged' : 'pr_closed',
    actor: { userId: pr.requester.userId, teamId: pr.requester.teamId },
    channelId: pr.requester.channelId,
    env: pr.env,
    action: pr.action,
    pendingId: pr.pendingId,
    ...pullRequestAuditField(pr, state, pr.settled?.mergeCommitSha ?? pr.commitSha),
    result: `${message.text} (seen by ${pr.settled?.via ?? 'poll'})`,
    dryRun: false,
  });
  await post(deps, pr, message, state);
  // The merge is said; a restart offer that fails (Kubernetes unreachable) is logged, not announced again.
  if (merged && pr.restart && pr.kind === 'fix')
    await offerRestart(deps, pr, pr.restart).catch((err: unknown) =>
      deps.logger.warn({ err, env: pr.env }, 'could not offer the rollout restart after the merge'),
    );
  await deps.tracked.announced(pr.id);
}

async function offerRestart(
  deps: FollowDeps,
  pr: TrackedPullRequest,
  restart: NonNullable<TrackedPullRequest['restart']>,
): Promise<void> {
  const now = await deps.templateFingerprint(pr.env, restart.deployment);
  if (now === undefined || now !== restart.templateFingerprint) {
    deps.logger.info({ env: pr.env, deployment: restart.deployment, rolled: now !== undefined }, 'no restart offered');
    return;
  }
  const offer = await deps.offers.create({
    env: pr.env,
    action: 'rollout-restart',
    params: { target: restart.target },
    thread: pr.thread,
  });
  const button = { command: 'fix:rollout-restart', label: `Restart a Deployment (${restart.target})…`, ref: offer.id };
  await post(deps, pr, restartOfferMessage(pr, button), 'restart');
}

/** Posts in the request's thread, once (the key); a refused post goes to the outbox when there is one. */
async function post(deps: FollowDeps, pr: TrackedPullRequest, message: Message, what: string): Promise<void> {
  const p = { channel: pr.thread.channel, threadTs: pr.thread.ts, message, key: `gitops-pr:${pr.id}:${what}` };
  try {
    await deps.chat.post(p);
  } catch (err) {
    const kept = await deps.postpone?.({ ...p, kind: `gitops-pr-${what}` }, err).catch(() => false);
    if (!kept)
      deps.logger.error(
        { err, env: pr.env, number: pr.number },
        `could not say in the thread: ${requestName(pr)} ${what}`,
      );
  }
}
