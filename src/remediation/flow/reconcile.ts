import { randomBytes } from 'node:crypto';
import { isRevertible, type Change } from '../changes.js';
import type { ApplyJournal } from '../journal.js';
import type { FlowContext } from './flow-context.js';
import { foundSummary, readLiveState, type Found } from './live-state.js';

/** An apply whose replica died, taken over: what the reconciler found, and what can be done about it. */
export interface InterruptedApply {
  journal: ApplyJournal;
  found: Found[];
  /** "The apply of set-eviction-policy in prod was interrupted: Redis changed, ConfigMap not." */
  message: string;
  /** The revert record of what changed (the Revert button), when something revertible changed. */
  revertId?: string;
  /** Some planned changes were not made and nothing else moved: Finish can make them. */
  canFinish: boolean;
}

/**
 * Takes over every apply whose holder's lease expired (its replica died): reads the real state of each
 * planned change, and (on exactly one replica: the one that turns the journal from `applying` to
 * `interrupted` by compare-and-set) frees the environment's lock, keeps a revert record of what changed,
 * finishes the pending record and audits what it found. The caller posts the result in the request's thread.
 */
export async function reconcile(fc: FlowContext): Promise<InterruptedApply[]> {
  const out: InterruptedApply[] = [];
  for (const { journal, lease } of await fc.deps.journals.takeOverStale()) {
    try {
      const taken = await takeOver(fc, journal);
      if (taken) out.push(taken);
    } catch (err) {
      fc.deps.logger.error({ err, pendingId: journal.id }, 'remediation: could not take over an interrupted apply');
    } finally {
      await lease.release();
    }
  }
  return out;
}

async function takeOver(fc: FlowContext, journal: ApplyJournal): Promise<InterruptedApply | undefined> {
  const { deps } = fc;
  const env = fc.envOf(journal.env);
  const found = await fc.withContext(env, (ctx) => readLiveState(ctx, journal.steps));
  const message = `The apply of ${journal.action} in ${env.name} was interrupted: ${foundSummary(found)}.`;
  const changed = found.filter((f) => f.state === 'changed').map((f) => f.change);
  const revertId = changed.some(isRevertible) ? randomBytes(16).toString('base64url') : undefined;
  // The claim: of the replicas that read it, the one whose compare-and-set turns it `interrupted` goes on.
  let won = false;
  await deps.journals.update(journal.id, (j) => {
    won = j.status === 'applying';
    return won ? { ...j, status: 'interrupted', result: message, ...(revertId ? { revertId } : {}) } : undefined;
  });
  if (!won) return undefined;
  await deps.locks.takeOver(env.name, `(${journal.id})`);
  if (revertId) await saveRevert(fc, journal, changed, revertId);
  await deps.pending.finish(journal.id, { ok: false, detail: `interrupted: ${foundSummary(found)}` });
  await deps.audit.record({
    event: 'interrupted',
    actor: { userId: journal.actor.userId, teamId: journal.actor.teamId },
    channelId: journal.actor.channelId,
    env: env.name,
    action: journal.action,
    pendingId: journal.id,
    changes: changed,
    result: `${message} Taken over by the reconciler: the replica applying it stopped renewing its lease.`,
    dryRun: deps.dryRun,
  });
  const canFinish = found.some((f) => f.state === 'unchanged') && !found.some((f) => f.state === 'other');
  return { journal, found, message, ...(revertId ? { revertId } : {}), canFinish };
}

async function saveRevert(fc: FlowContext, journal: ApplyJournal, changes: Change[], id: string): Promise<void> {
  await fc.reverts.save({
    id,
    pendingId: journal.id,
    record: { action: journal.action, env: journal.env, changes },
    appliedBy: journal.actor.userId,
    at: fc.deps.now(),
  });
}
