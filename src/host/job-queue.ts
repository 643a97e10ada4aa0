import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Feature, InFlight } from '../core/feature.js';
import type { JobKind, JobOutcome, JobRun, Jobs, SubmitJob } from '../core/jobs.js';
import type { Logger } from '../core/logging.js';
import { registeredOnce } from '../core/metric-once.js';
import type { QueueStore } from '../core/ports/state-store.js';
import { parseStored } from '../core/stored-json.js';

/** Pauses between the tries of a job whose run asked for a retry (a Slack or state store outage of about 2 min). */
export const DEFAULT_JOB_RETRY_DELAYS_MS: readonly number[] = [2000, 10_000, 30_000, 60_000];
/** How long a replica holds a job without renewing it before another may take it over. */
export const DEFAULT_JOB_LEASE_MS = 30_000;
/** A job older than this, or begun this many times (crashes included), is given up. */
const MAX_AGE_MS = 30 * 60_000;
const MAX_RUNS = 8;
const QUEUE = 'intake';

type JobRunner = (job: JobRun) => Promise<JobOutcome>;

const entrySchema = z.object({
  kind: z.string(),
  payload: z.unknown(),
  /** Runs begun so far. */
  runs: z.number().int().nonnegative(),
  enqueuedAt: z.number(),
  /** `running`: a replica holds it (taken again only when its lease ran out); `waiting`: due for a retry. */
  state: z.enum(['running', 'waiting']),
});
type Entry = z.infer<typeof entrySchema>;

export interface JobQueueDeps {
  store: QueueStore;
  logger: Logger;
  now?: () => number;
  leaseMs?: number;
  /** How often the worker looks for due jobs (default 1 s). */
  pollMs?: number;
  retryDelaysMs?: readonly number[];
  /** `session_ttl_bot_intake_jobs_total{kind,outcome}`. */
  metrics?: Registry;
}

type Outcome = 'queued' | 'done' | 'retried' | 'resumed' | 'given_up' | 'dropped';

function jobCounter(registry: Registry): Counter<'kind' | 'outcome'> {
  const name = 'session_ttl_bot_intake_jobs_total';
  return registeredOnce(
    registry,
    name,
    () =>
      new Counter({
        name,
        help:
          'Accepted work kept in the state store until done (Alertmanager notifications, alert posts, slash ' +
          'diagnoses), by kind and outcome (queued, done, retried, resumed after a replica stopped, given_up, dropped)',
        labelNames: ['kind', 'outcome'],
        registers: [registry],
      }),
  );
}

/**
 * The durable work queue over the state store's QueueStore: a job is written (leased to the replica that
 * accepted it) before its caller is answered, run there at once, its lease renewed while it runs (a
 * heartbeat), and removed when done. A replica that dies holding it stops renewing; once the lease is
 * over, the worker of any replica takes it and runs it again (with the same job id). A run that asks for
 * a retry puts the job back with a later due time; past the last pause, its age or its runs, it is given
 * up with an error log line.
 */
export class JobQueue implements Jobs {
  private readonly kinds = new Map<string, JobKind<unknown>>();
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly delays: readonly number[];
  private readonly logger: Logger;
  private readonly counter: Counter<'kind' | 'outcome'> | undefined;
  private work: InFlight | undefined;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<unknown> = Promise.resolve();
  private readonly kicks = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: JobQueueDeps) {
    this.now = deps.now ?? Date.now;
    this.leaseMs = deps.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    this.delays = deps.retryDelaysMs ?? DEFAULT_JOB_RETRY_DELAYS_MS;
    this.logger = deps.logger.child({ component: 'jobs' });
    this.counter = deps.metrics ? jobCounter(deps.metrics) : undefined;
  }

  define<P>(kind: JobKind<P>): SubmitJob<P> {
    if (this.kinds.has(kind.kind)) throw new Error(`job kind "${kind.kind}" is defined twice`);
    // Stored as unknown: every payload read back is checked against the kind's schema before it runs.
    this.kinds.set(kind.kind, kind as JobKind<unknown>);
    return (payload, here) => this.submit(kind.kind, payload, here);
  }

  /** Writes the job, leased to this replica, then runs it here (tracked, so shutdown drains it). */
  private async submit(kind: string, payload: unknown, here?: JobRunner): Promise<{ id: string }> {
    const work = this.work;
    if (!work) throw new Error('the job queue is not registered on the host');
    const id = randomUUID();
    const entry: Entry = { kind, payload, runs: 1, enqueuedAt: this.now(), state: 'running' };
    await this.deps.store.enqueue(QUEUE, id, JSON.stringify(entry), this.now() + this.leaseMs, this.ttlMs());
    this.counter?.inc({ kind, outcome: 'queued' });
    // Started on the next turn of the event loop: the caller's answer goes out first.
    const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run(id, entry, here));
    work.track(started, (err) => this.logger.error({ err, id, kind }, 'a job failed'));
    return { id };
  }

  /** Entries outlive their longest possible life by an hour, then expire by themselves. */
  private ttlMs(): number {
    return MAX_AGE_MS + this.leaseMs + 3_600_000;
  }

  private inc(kind: string, outcome: Outcome): void {
    this.counter?.inc({ kind, outcome });
  }

  /** One run of a job this replica holds: heartbeat while it runs, then removed, put back, or given up. */
  private async run(id: string, entry: Entry, here?: JobRunner): Promise<void> {
    const kind = this.kinds.get(entry.kind);
    const logger = this.logger.child({ job: id, kind: entry.kind, run: entry.runs });
    const parsed = kind?.payload.safeParse(entry.payload);
    if (!kind || !parsed?.success) {
      const reason = kind ? `invalid payload: ${parsed?.error?.issues[0]?.message ?? 'unknown'}` : 'unknown kind';
      logger.error({ reason }, `dropped a job (${reason})`);
      this.inc(entry.kind, 'dropped');
      await this.deps.store.remove(QUEUE, id);
      return;
    }
    const heartbeat = setInterval(() => {
      this.deps.store.renew(QUEUE, id, this.now() + this.leaseMs).catch((err: unknown) => {
        logger.warn({ err }, 'could not renew the lease of a job (state store); another replica may take it over');
      });
    }, this.leaseMs / 3);
    let outcome: JobOutcome;
    try {
      const job = { id, attempt: entry.runs, logger };
      outcome = await (here ? here(job) : kind.run(parsed.data, job));
    } catch (err) {
      logger.warn({ err }, 'a job failed (Slack or the state store); it will be tried again');
      outcome = 'retry';
    } finally {
      clearInterval(heartbeat);
    }
    await this.settle(id, entry, outcome, kind.retryDelaysMs ?? this.delays, logger);
  }

  private async settle(id: string, entry: Entry, outcome: JobOutcome, delays: readonly number[], logger: Logger) {
    if (outcome === 'done') {
      await this.deps.store.remove(QUEUE, id);
      this.inc(entry.kind, 'done');
      return;
    }
    const delay = delays[entry.runs - 1];
    if (delay === undefined) return this.giveUp(id, entry, logger, `no tries left after ${entry.runs} runs`);
    const next: Entry = { ...entry, state: 'waiting' };
    await this.deps.store.enqueue(QUEUE, id, JSON.stringify(next), this.now() + delay, this.ttlMs());
    this.inc(entry.kind, 'retried');
    logger.info({ retryInMs: delay }, 'will try the job again');
    this.kick(delay);
  }

  private async giveUp(id: string, entry: Entry, logger: Logger, why: string): Promise<void> {
    await this.deps.store.remove(QUEUE, id);
    this.inc(entry.kind, 'given_up');
    logger.error(
      { why, runs: entry.runs, ageMs: this.now() - entry.enqueuedAt },
      `gave up on a job (${entry.kind}): ${why}`,
    );
  }

  /** Takes every due job (a retry, or one whose replica stopped renewing its lease) and runs it here. */
  async poll(): Promise<number> {
    const work = this.work;
    if (!work) return 0;
    let taken = 0;
    for (;;) {
      const due = await this.deps.store.takeDue(QUEUE, this.now(), this.leaseMs, 10);
      for (const { id, value } of due) {
        const entry = parseStored(entrySchema, value);
        if (!entry) {
          this.logger.error({ job: id }, 'dropped a job that is not a job entry');
          await this.deps.store.remove(QUEUE, id);
          continue;
        }
        taken++;
        work.track(this.resume(id, entry), (err) => this.logger.error({ err, job: id }, 'a job failed'));
      }
      if (due.length < 10) return taken;
    }
  }

  /** A job taken from the queue: counted as one more run, given up when too old or begun too often. */
  private async resume(id: string, taken: Entry): Promise<void> {
    const entry: Entry = { ...taken, runs: taken.runs + 1, state: 'running' };
    const logger = this.logger.child({ job: id, kind: entry.kind, run: entry.runs });
    if (this.now() - entry.enqueuedAt > MAX_AGE_MS) return this.giveUp(id, taken, logger, 'too old');
    if (entry.runs > MAX_RUNS) return this.giveUp(id, taken, logger, `begun ${taken.runs} times`);
    await this.deps.store.enqueue(QUEUE, id, JSON.stringify(entry), this.now() + this.leaseMs, this.ttlMs());
    if (taken.state === 'running') {
      this.inc(entry.kind, 'resumed');
      logger.warn('took over a job whose replica stopped renewing its lease (it died or stalled); running it again');
    }
    await this.run(id, entry);
  }

  /** Looks for due jobs in `ms` (a retry this replica scheduled), besides the regular poll. */
  private kick(ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.kicks.delete(timer);
      this.pollOnce();
    }, ms);
    this.kicks.add(timer);
  }

  private pollOnce(): void {
    if (this.stopped) return;
    this.polling = this.poll().catch((err: unknown) =>
      this.logger.warn({ err }, 'could not read the job queue (state store)'),
    );
  }

  /** The worker on the host: polls every `pollMs` while the host runs. */
  feature(): Feature {
    const pollMs = this.deps.pollMs ?? 1000;
    const loop = () => {
      this.pollOnce();
      void this.polling.finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, pollMs);
      });
    };
    return {
      name: 'jobs',
      register: (host) => {
        this.work = host.work;
        host.worker({
          name: 'jobs',
          start: async () => {
            this.stopped = false;
            this.timer = setTimeout(loop, pollMs);
          },
          stop: async () => {
            this.stopped = true;
            clearTimeout(this.timer);
            for (const t of this.kicks) clearTimeout(t);
            await this.polling;
          },
        });
      },
    };
  }
}
