import type { EnvironmentConfig } from '../../config/config.js';
import type { RevertRecord, StoredRevert } from '../changes.js';
import { decide } from '../policy.js';
import type { ApplyOutcome, RemediationAction } from '../types.js';
import { busyText, failureText, lowerFirst } from './failure-text.js';
import type { FlowContext } from './flow-context.js';
import type { Actor, Outcome } from './flow-types.js';

const REVERT_ID = /^[A-Za-z0-9_-]{22}$/;

export const REVERT_RECORD_INVALID =
  'The record of this change failed validation (it was altered or written by another version), so nothing was ' +
  'reverted. The change and its previous values are in the audit (/session-ttl audit <env>); restore them by hand if needed.';

type Attempt = { outcome: ApplyOutcome } | { error: string };

/** Under the lock: restores the record's previous values (or not, in a dry run). */
async function attempt(fc: FlowContext, env: EnvironmentConfig, action: RemediationAction, rec: RevertRecord) {
  return fc
    .withContext(env, async (ctx): Promise<Attempt> => {
      try {
        return { outcome: fc.deps.dryRun ? { ok: true, applied: [] } : await action.revert(ctx, rec) };
      } catch (err) {
        return { error: failureText(err) };
      }
    })
    .catch((err: unknown): Attempt => ({ error: failureText(err) }));
}

function revertedText(action: RemediationAction, env: EnvironmentConfig, o: ApplyOutcome): string {
  if (o.ok)
    return `Reverted ${action.id} in ${env.name}: the previous values are back${o.summary ? ` (${lowerFirst(o.summary)})` : ''}.`;
  return `The revert of ${action.id} in ${env.name} was partial${o.summary ? `: ${lowerFirst(o.summary)}` : ''}.`;
}

/** Reads the revert record; refuses an unknown id and a record that fails validation. */
async function readRevert(
  fc: FlowContext,
  revertId: string,
): Promise<{ ok: true; stored: StoredRevert; raw: string } | { ok: false; message: string }> {
  const gone = { ok: false as const, message: 'This revert is unknown, has expired or was already done.' };
  if (!REVERT_ID.test(revertId)) return { ok: false, message: 'This revert is unknown or has expired.' };
  const read = await fc.reverts.read(revertId);
  if (read.ok) return { ok: true, stored: read.value, raw: read.raw };
  return read.reason === 'invalid' ? { ok: false, message: REVERT_RECORD_INVALID } : gone;
}

/** Undo: restores the recorded previous values, exactly once, under the same policy as the request. */
export async function revert(
  fc: FlowContext,
  actor: Actor,
  revertId: string,
): Promise<Outcome<{ outcome: ApplyOutcome; message: string }>> {
  const { deps } = fc;
  const read = await readRevert(fc, revertId);
  if (!read.ok) return read;
  const rec = read.stored.record;
  const env = fc.envOf(rec.env);
  const action = fc.actionOf(rec.action);
  const who = await fc.who(actor);
  const decision = decide(
    deps.policy,
    who,
    { channelId: actor.channelId, env: env.name },
    { kind: 'request', action: action.id },
  );
  if (!decision.allowed) return fc.denied(actor, env.name, action.id, decision);
  // Exactly once: of two clicks (or replicas), one takes the record.
  if (!(await fc.reverts.take(revertId, read.raw))) return { ok: false, message: 'This revert was already done.' };
  const audit = {
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: actor.channelId,
    env: env.name,
    action: action.id,
    pendingId: read.stored.pendingId,
    dryRun: deps.dryRun,
  };
  const locked = await deps.locks.withLock(env.name, `revert ${action.id} by ${actor.userId}`, () =>
    attempt(fc, env, action, rec),
  );
  const failed = async (message: string) => {
    // The record goes back, so a later click can try again.
    await fc.reverts.putBack(revertId, read.raw);
    await deps.audit.record({ ...audit, event: 'failure', result: `revert: ${message}` });
    return { ok: false as const, message };
  };
  if (!locked.ok) return failed(busyText(env.name, locked.heldBy?.holder));
  if ('error' in locked.value) return failed(locked.value.error);
  const { outcome } = locked.value;
  const result = outcome.ok
    ? `restored the previous values${outcome.summary ? ` (${outcome.summary})` : ''}`
    : `partly: ${outcome.summary ?? outcome.failed?.error ?? ''}`;
  await deps.audit.record({ ...audit, event: 'revert', changes: outcome.applied, result });
  return { ok: true, outcome, message: revertedText(action, env, outcome) };
}
