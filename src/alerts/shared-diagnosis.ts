import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import { parseStored } from '../core/stored-json.js';
import type { Report } from '../diagnostics/types.js';
import { storedReportSchema } from './stored-report.js';

/** How long a diagnosis serves the other platforms and replicas (at most the alert cooldown). */
export const DEFAULT_SHARED_DIAGNOSIS_TTL_MS = 2 * 60_000;
/** A replica that dies while diagnosing holds the others back this long at most; renewed while it runs. */
const LEASE_MS = 30_000;
/** How often a replica waiting for another's diagnosis looks for it in the state store. */
const POLL_MS = 250;

/** One diagnosis of an environment's checks for an alert. */
export interface SharedRequest {
  env: string;
  /** The checks it runs; undefined for the environment's default set. */
  checkIds: readonly string[] | undefined;
  logger: Logger;
  /** Aborted at shutdown: a replica waiting for another's diagnosis stops waiting. */
  signal?: AbortSignal;
}

/**
 * The diagnoses of alerts, run once for every platform and replica that answers them: Slack and Teams (each
 * with its own cooldown) answering the same alert read the environment once, not once each.
 */
export interface SharedDiagnoses {
  /**
   * The report of the environment's checks: the one started in the last `ttlMs` (by this or another platform,
   * on this or another replica, waiting for it while it runs), else `run`'s, kept for the others. `ran`: it
   * was `run`'s. A run that fails is not kept (its error reaches the callers waiting on this replica).
   */
  report(req: SharedRequest, run: () => Promise<Report>): Promise<{ report: Report; ran: boolean }>;
  /** The incident resolved: the next firing is a new incident, with a diagnosis of its own. */
  forget(env: string, checkIds: readonly string[] | undefined): Promise<void>;
}

export interface SharedDiagnosesDeps {
  /** The unscoped state store: the platforms' key spaces all see the same entry. */
  store: CasStateStore;
  ttlMs?: number;
  leaseMs?: number;
  pollMs?: number;
}

type Shared = { report: Report; ran: boolean };
type Settings = Required<SharedDiagnosesDeps>;

/** `alert-diagnosis:<env>:<checks>` (`default`, or the sorted ids). */
function keyOf(env: string, checkIds: readonly string[] | undefined): string {
  const checks = checkIds ? [...new Set(checkIds)].sort().join(',') : 'default';
  return `alert-diagnosis:${encodeURIComponent(env)}:${encodeURIComponent(checks)}`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs it holding the lease (renewed meanwhile), keeps the result for the others, then lets the lease go. */
async function hold(s: Settings, key: string, token: string, req: SharedRequest, run: () => Promise<Report>) {
  const lease = `${key}:running`;
  const renew = setInterval(
    () => void s.store.compareAndSet(lease, token, token, s.leaseMs).catch(() => false),
    Math.max(1, Math.floor(s.leaseMs / 3)),
  );
  try {
    const report = await run();
    await s.store.set(key, JSON.stringify(report), s.ttlMs).catch((err: unknown) => {
      req.logger.warn({ err }, 'could not keep the alert diagnosis for the other platforms (state store)');
    });
    return { report, ran: true };
  } finally {
    clearInterval(renew);
    await s.store.compareAndDelete(lease, token).catch(() => false);
  }
}

/** The kept result, or the lease to run it; while another caller holds the lease, looks again every `pollMs`. */
async function obtain(s: Settings, key: string, req: SharedRequest, run: () => Promise<Report>): Promise<Shared> {
  const token = randomUUID();
  try {
    for (;;) {
      const kept = parseStored(storedReportSchema, await s.store.get(key));
      if (kept) return { report: kept, ran: false };
      if (await s.store.claim(`${key}:running`, token, s.leaseMs)) break;
      if (req.signal?.aborted) throw new Error('stopped waiting for the alert diagnosis: the bot is stopping');
      await pause(s.pollMs);
    }
  } catch (err) {
    if (req.signal?.aborted) throw err;
    req.logger.warn({ err }, 'could not share the alert diagnosis (state store); running it here');
    return { report: await run(), ran: true };
  }
  return hold(s, key, token, req, run);
}

/**
 * Shared alert diagnoses over the state store: the report under `alert-diagnosis:<env>:<checks>` (`ttlMs`),
 * the run under `…:running` (a lease, `SET NX`, renewed while it runs and released by its holder only).
 * Callers on one replica join one run in memory; another replica looks for the report every `pollMs` and
 * takes the lease once it is free (its holder failed or died: it runs the diagnosis itself then). When the
 * state store fails, the diagnosis runs here (logged), as it did before it was shared.
 */
export function createSharedDiagnoses(deps: SharedDiagnosesDeps): SharedDiagnoses {
  const settings: Settings = {
    ttlMs: DEFAULT_SHARED_DIAGNOSIS_TTL_MS,
    leaseMs: LEASE_MS,
    pollMs: POLL_MS,
    ...deps,
  };
  const inflight = new Map<string, Promise<Shared>>();
  return {
    report(req, run) {
      const key = keyOf(req.env, req.checkIds);
      const running = inflight.get(key);
      if (running) return running.then((r) => ({ ...r, ran: false }));
      const result = obtain(settings, key, req, run);
      inflight.set(key, result);
      const done = () => {
        if (inflight.get(key) === result) inflight.delete(key);
      };
      result.then(done, done);
      return result;
    },
    async forget(env, checkIds) {
      const key = keyOf(env, checkIds);
      inflight.delete(key);
      await settings.store.delete(key);
    },
  };
}
