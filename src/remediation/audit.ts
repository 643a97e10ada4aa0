import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Logger } from '../core/logging.js';
import type { StreamStore } from '../core/ports/stream-store.js';
import { changeSchema } from './changes.js';

export const AUDIT_EVENTS = [
  'request',
  'approval',
  'rejection',
  'denial',
  'apply',
  'failure',
  'revert',
  'interrupted',
  'pr_merged',
  'pr_closed',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/**
 * The pull (GitHub) or merge (GitLab) request of a GitOps fix: the durable half of the change, in Git.
 * `state` is what it was when the entry was written (`open` on the apply, `merged`/`closed` on pr_* events).
 */
export const auditPullRequestSchema = z.object({
  provider: z.enum(['github', 'gitlab']),
  repo: z.string().min(1),
  number: z.number().int().positive(),
  url: z.string().min(1),
  /** The fix's commit on its branch (open), or the commit that landed it on the base branch (merged). */
  commitSha: z.string().optional(),
  state: z.enum(['open', 'merged', 'closed']),
});
export type AuditPullRequest = z.infer<typeof auditPullRequestSchema>;

/** One audit entry as stored (checked again when read back). */
export const auditEntrySchema = z.object({
  event: z.enum(AUDIT_EVENTS),
  /** Epoch ms, from the audit's clock. */
  at: z.number(),
  actor: z.object({ userId: z.string(), teamId: z.string().optional() }),
  channelId: z.string().optional(),
  env: z.string(),
  /** Absent for a denial of something that is not an action (verify). */
  action: z.string().min(1).optional(),
  pendingId: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Before and after of each change: planned (request), made (apply, revert), or partly made (failure). */
  changes: z.array(changeSchema).optional(),
  /** What happened, in words: the denial's why, the failure's error, the approval count. */
  result: z.string().optional(),
  /** The GitOps fix's pull request, on the apply that opened it and on its pr_merged / pr_closed. */
  pullRequest: auditPullRequestSchema.optional(),
  dryRun: z.boolean(),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditInput = Omit<AuditEntry, 'at'>;
export type StoredAuditEntry = AuditEntry & { id: string };

export interface Audit {
  /**
   * Logs, counts and appends one entry. Never throws for the stream: if the state Redis refuses the
   * write, the entry is still in the log (at error level) and `stored` is false.
   */
  record(input: AuditInput): Promise<{ stored: boolean; id?: string }>;
  /** The newest `n` entries of an environment, newest first (`/session-ttl audit <env>`). */
  recent(env: string, n: number): Promise<StoredAuditEntry[]>;
}

export interface AuditDeps {
  streams: StreamStore;
  logger: Logger;
  /** Where the counter is registered; never the global default registry. */
  registry: Registry;
  now: () => number;
  /** Configured environment names: the only values of the `env` label (others count as `unknown`). */
  environments: readonly string[];
  /** Approximate cap of each environment's stream (default 10000). */
  maxLen?: number;
}

export const AUDIT_COUNTER = 'session_ttl_bot_remediation_events_total';

function eventCounter(registry: Registry): Counter<'env' | 'action' | 'event'> {
  const existing = registry.getSingleMetric(AUDIT_COUNTER);
  if (existing instanceof Counter) return existing;
  return new Counter({
    name: AUDIT_COUNTER,
    help: 'Remediation audit events by environment, action and event ' + `(${AUDIT_EVENTS.join(', ')})`,
    labelNames: ['env', 'action', 'event'],
    registers: [registry],
  });
}

/**
 * The remediation audit: an append-only stream per environment (`remediation:audit:<env>`, capped
 * with `XADD MAXLEN ~`), the log, and a counter whose labels are bounded (environment, action id,
 * event; never a user).
 *
 * @example
 * const audit = createAudit({ streams, logger, registry, now: Date.now, environments: Object.keys(config.environments) });
 * await audit.record({ event: 'denial', actor: { userId }, channelId, env: 'prod', action: 'set-maxmemory', result: d.why, dryRun: false });
 */
export function createAudit(deps: AuditDeps): Audit {
  const { streams, logger, now } = deps;
  const maxLen = deps.maxLen ?? 10_000;
  const counter = eventCounter(deps.registry);
  const key = (env: string) => `remediation:audit:${env}`;
  const envLabel = (env: string) => (deps.environments.includes(env) ? env : 'unknown');

  return {
    async record(input) {
      const entry: AuditEntry = auditEntrySchema.parse({ ...input, at: now() });
      counter.inc({ env: envLabel(entry.env), action: entry.action ?? 'none', event: entry.event });
      const fields = { event: entry.event, env: entry.env, action: entry.action ?? '', entry: JSON.stringify(entry) };
      try {
        const id = await streams.append(key(entry.env), fields, maxLen);
        logger.info({ audit: entry, auditId: id }, `remediation audit: ${entry.event}`);
        return { stored: true, id };
      } catch (err) {
        logger.error({ audit: entry, err }, `remediation audit: ${entry.event} (not stored in the audit stream)`);
        return { stored: false };
      }
    },
    async recent(env, n) {
      const out: StoredAuditEntry[] = [];
      for (const { id, fields } of await streams.latest(key(env), n)) {
        let json: unknown;
        try {
          json = JSON.parse(fields.entry ?? '');
        } catch {
          json = undefined;
        }
        const parsed = auditEntrySchema.safeParse(json);
        if (parsed.success) out.push({ id, ...parsed.data });
        else logger.warn({ auditId: id, env }, 'remediation audit: skipped an entry that is not a valid audit record');
      }
      return out;
    },
  };
}
