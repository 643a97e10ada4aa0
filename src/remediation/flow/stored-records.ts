import type { z } from 'zod';
import type { Logger } from '../../core/logging.js';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import { storedPlanSchema, storedRevertSchema, type StoredPlan, type StoredRevert } from '../changes.js';
import type { Plan } from '../types.js';

/** A record read back: its value, absent (expired, taken), or refused because it failed validation. */
export type StoredRead<T> = { ok: true; value: T; raw: string } | { ok: false; reason: 'missing' | 'invalid' };

/** What the log says of a failed validation: where and which rule, never the stored values. */
function issuesOf(error: z.ZodError): { path: string; code: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }));
}

/**
 * Parses a stored JSON record with its schema. A record that is not JSON or fails the schema is
 * refused and logged at error level with its key and the zod issues (no values): it may have been
 * altered in the state store, or written by another version, and is never acted on.
 */
function readRecord<S extends z.ZodType>(
  schema: S,
  raw: string | undefined,
  where: { key: string; what: string; logger: Logger },
): StoredRead<z.infer<S>> {
  if (raw === undefined) return { ok: false, reason: 'missing' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    const issues = [{ path: '', code: 'invalid_json', message: 'not JSON' }];
    where.logger.error({ key: where.key, issues }, `remediation: the stored ${where.what} is not JSON; refused`);
    return { ok: false, reason: 'invalid' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data, raw };
  where.logger.error(
    { key: where.key, issues: issuesOf(parsed.error) },
    `remediation: the stored ${where.what} failed validation; refused`,
  );
  return { ok: false, reason: 'invalid' };
}

/** The plans behind pending ids: apply compares a fresh plan with the one the person saw. */
export function createPlanStore(opts: { store: CasStateStore; logger: Logger }) {
  const key = (id: string) => `remediation:plan:${id}`;
  return {
    async save(pendingId: string, plan: Plan, ttlMs: number): Promise<void> {
      const stored: StoredPlan = {
        changes: plan.changes,
        summary: plan.summary,
        params: plan.params,
        ...(plan.pullRequest ? { pullRequest: plan.pullRequest } : {}),
      };
      await opts.store.set(key(pendingId), JSON.stringify(storedPlanSchema.parse(stored)), ttlMs);
    },
    async read(pendingId: string): Promise<StoredRead<StoredPlan>> {
      const k = key(pendingId);
      return readRecord(storedPlanSchema, await opts.store.get(k), { key: k, what: 'plan', logger: opts.logger });
    },
  };
}
export type PlanStore = ReturnType<typeof createPlanStore>;

/** The revert records behind Revert buttons, taken exactly once. */
export function createRevertStore(opts: { store: CasStateStore; logger: Logger; ttlMs: number }) {
  const key = (id: string) => `remediation:revert:${id}`;
  return {
    async save(record: StoredRevert): Promise<void> {
      await opts.store.set(key(record.id), JSON.stringify(storedRevertSchema.parse(record)), opts.ttlMs);
    },
    async read(revertId: string): Promise<StoredRead<StoredRevert>> {
      const k = key(revertId);
      return readRecord(storedRevertSchema, await opts.store.get(k), {
        key: k,
        what: 'revert record',
        logger: opts.logger,
      });
    },
    /** Of two clicks (or replicas), one takes the record: true for that one. */
    take: (revertId: string, raw: string) => opts.store.compareAndDelete(key(revertId), raw),
    /** Forgets a record whose Revert no longer fits (an interrupted apply that was finished since). */
    drop: (revertId: string) => opts.store.delete(key(revertId)),
    /** Puts a taken record back, so a later click can try again. */
    putBack: (revertId: string, raw: string) => opts.store.set(key(revertId), raw, opts.ttlMs),
  };
}
export type RevertStore = ReturnType<typeof createRevertStore>;
