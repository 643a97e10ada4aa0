import { z } from 'zod';
import type { JobKind, JobOutcome, JobRun, SubmitJob } from '../core/jobs.js';
import type { Logger } from '../core/logging.js';
import type { AlertPostHandler, LocatedAlertPost } from './alert-post-flow.js';

const labels = z.record(z.string(), z.string());

/** An alert post as the chat platform read it, checked when a replica takes its job. */
const locatedAlertPostSchema = z.object({
  alerts: z.array(
    z.object({
      alertname: z.string(),
      status: z.enum(['firing', 'resolved']),
      labels,
      annotations: labels.optional(),
    }),
  ),
  status: z.enum(['firing', 'resolved']),
  firingCount: z.number().optional(),
  groupLabels: labels,
  groupValues: z.array(z.string()),
  origin: z.enum(['slack', 'teams', 'alertmanager']),
  fromBot: z.boolean(),
  channel: z.string().min(1),
  ts: z.string().min(1),
  threadTs: z.string().optional(),
  postedAtMs: z.number().optional(),
}) satisfies z.ZodType<LocatedAlertPost>;

const payloadSchema = z.object({ post: locatedAlertPostSchema, eventId: z.string().optional() });
export type AlertPostPayload = z.infer<typeof payloadSchema>;

/**
 * The job of an alert post read in an incident channel: the alert flow, run with the job (its dedupe claim
 * and its replies' keys carry the job id, so a run after a crash is not a duplicate and posts nothing twice).
 * The flow says in the log what it could not answer; the job ends either way.
 */
export function alertPostJob(flow: AlertPostHandler, logger: Logger, kind = 'alert-post'): JobKind<AlertPostPayload> {
  return {
    kind,
    payload: payloadSchema,
    async run({ post, eventId }, job) {
      const work = logger.child({ job: job.id, channel: post.channel, ts: post.ts, event: eventId });
      await flow(post, { ...(eventId ? { eventId } : {}), job }, work);
      return 'done';
    },
  };
}

/**
 * The handler the chat platform calls: the post is kept as a job (then any replica answers it, and another
 * takes it over if this one dies), or, when the state store does not take it, answered here as before.
 */
export function durableAlertPosts(flow: AlertPostHandler, submit: SubmitJob<AlertPostPayload>): AlertPostHandler {
  return async (post, delivery, logger) => {
    const payload = { post, ...(delivery.eventId ? { eventId: delivery.eventId } : {}) };
    // The first run is here, with the request's own logger; a run after a crash is the job kind's.
    const here = async (job: JobRun): Promise<JobOutcome> => {
      await flow(post, { ...delivery, job }, logger.child({ job: job.id }));
      return 'done';
    };
    try {
      await submit(payload, here);
    } catch (err) {
      logger.warn({ err }, 'could not keep the alert post in the state store; answering it here only');
      await flow(post, delivery, logger);
    }
  };
}
