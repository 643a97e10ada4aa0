import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from './logging.js';
import type { ChatPort, MessageRef } from './ports/chat.js';
import { parseStored } from './stored-json.js';
import type { StateStore } from './ports/state-store.js';

/** A job is given up within half an hour; its reply records outlive that with room. */
const RECORD_TTL_MS = 24 * 60 * 60 * 1000;

/** A reply of a job, posted at most once across the runs of that job (a run after a crash included). */
export type OnceForJob = <T>(
  reply: { job: string; what: string; logger: Logger },
  post: () => Promise<T>,
  /** Whether `post`'s result means the reply is out (posted, or kept by the outbox): then it is recorded. */
  out: (result: T) => boolean,
  /** What a later run answers for a reply already out. */
  skipped: T,
) => Promise<T>;

/**
 * Records in the state store, after a reply went out, that job `job` answered `what` (an alert in an
 * environment, the mapping request), and skips it when a later run of the same job gets there: a replica
 * that took over the job of one that died does not post a diagnosis twice. Not covered: a crash between the
 * post and its record (the reply is then posted again).
 */
export function onceForJob(store: StateStore): OnceForJob {
  return async (reply, post, out, skipped) => {
    const key = `jobreply:${reply.job}:${createHash('sha256').update(reply.what).digest('hex').slice(0, 32)}`;
    if (await store.get(key)) {
      reply.logger.info({ reply: reply.what }, 'an earlier run of this job posted this reply; not posting it again');
      return skipped;
    }
    const result = await post();
    if (out(result)) await store.set(key, '1', RECORD_TTL_MS);
    return result;
  };
}

const refSchema = z.object({ channel: z.string(), ts: z.string() });

/**
 * The chat port of one job's run, whose posts go out at most once across the runs of the job: each post
 * carries a key made of the job id and its order in the run, and is recorded with where it landed; a later
 * run of the job (after a crash of the replica running it) gets that place back instead of posting again,
 * or finds the post by its key when the earlier run died between the post and its record.
 */
export function jobChat(
  store: StateStore,
  job: { id: string; attempt: number; logger: Logger },
  chat: ChatPort,
): ChatPort {
  let n = 0;
  return {
    async post(m) {
      const key = `${job.id}:${++n}`;
      const record = `jobpost:${key}`;
      const earlier = parseStored(refSchema, await store.get(record));
      if (earlier) return earlier;
      const where = { channel: m.channel, ...(m.threadTs ? { threadTs: m.threadTs } : {}), key };
      const found = job.attempt > 1 ? await findEarlierPost(chat, where, job.logger) : undefined;
      const posted = found ?? (await chat.post({ ...m, key }));
      await store.set(record, JSON.stringify(posted), RECORD_TTL_MS);
      return posted;
    },
    findPosted: (q) => chat.findPosted(q),
    update: (m) => chat.update(m),
    permalink: (ref) => chat.permalink(ref),
  };
}

/**
 * The post an earlier run of a job made with `q.key`, looked up before posting again; a lookup that fails
 * counts as "not there" (logged), as the chat port's own retries do: the post then may show twice.
 */
export async function findEarlierPost(
  chat: ChatPort,
  q: { channel: string; threadTs?: string; key: string },
  logger: Logger,
): Promise<MessageRef | undefined> {
  try {
    return await chat.findPosted(q);
  } catch (err) {
    logger.warn({ err, key: q.key }, 'could not look for the post of an earlier run; posting it (it may show twice)');
    return undefined;
  }
}
