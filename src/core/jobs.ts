import type { z } from 'zod';
import type { Logger } from './logging.js';

/** `done`: finished (or nothing to do); `retry`: a dependency failed (Slack, the state store), try again later. */
export type JobOutcome = 'done' | 'retry';

/** One run of a job, as its handler sees it. */
export interface JobRun {
  /** The job's id: the same on every replica that runs it, a run after a crash of another replica included. */
  id: string;
  /** Runs begun so far, this one included (a run cut short by a crash counts). */
  attempt: number;
  logger: Logger;
}

/**
 * A kind of durable work: its payload's schema (checked when a replica takes the job, so a corrupt or foreign
 * entry is dropped with the reason logged) and what running it does. A run may happen more than once (a
 * replica that dies mid-way loses the job to another): the handler makes a second run post nothing twice.
 */
export interface JobKind<P> {
  kind: string;
  payload: z.ZodType<P>;
  run(payload: P, job: JobRun): Promise<JobOutcome>;
  /** Pauses before the tries after a `retry` (default the queue's); after the last one the job is given up. */
  retryDelaysMs?: readonly number[];
}

/**
 * Submits a job of one kind: resolves once it is written to the state store, and starts its first run here:
 * `here` when given (the caller's own run, with what only this request has, e.g. the way to acknowledge
 * it), else the kind's `run`. Runs after a crash or a retry are always the kind's `run`.
 */
export type SubmitJob<P> = (payload: P, here?: (job: JobRun) => Promise<JobOutcome>) => Promise<{ id: string }>;

/**
 * Work accepted from outside (an Alertmanager notification, a Slack event, a slash command) kept in the
 * state store until it is done, so a replica that dies holding it loses it to another rather than losing it.
 *
 * @example
 * const submit = jobs.define({ kind: 'notification', payload: schema, run: (p, job) => answer(p, job.id) });
 * await submit(payload); // rejects with StateStoreError when the store did not take it: answer 503
 */
export interface Jobs {
  /** Registers a kind (a name defined twice throws) and returns how to submit one. */
  define<P>(kind: JobKind<P>): SubmitJob<P>;
}
