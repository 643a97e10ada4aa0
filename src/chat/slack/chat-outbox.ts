import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Feature } from '../../core/feature.js';
import type { Logger } from '../../core/logging.js';
import type { Message } from '../../core/message.js';
import { ChatError, type ChatPort, type Postpone } from '../../core/ports/chat.js';
import type { QueueStore } from '../../core/ports/state-store.js';
import { parseStored } from '../../core/stored-json.js';

/**
 * Pauses between the tries of a postponed post (default 5 s, 15 s, 30 s, 1, 2, 5 and 10 min: a Slack outage
 * of about 19 minutes loses nothing); after the last one the post is given up, with an error log line
 * and `session_ttl_bot_chat_outbox_total{outcome="given_up"}`.
 */
export const DEFAULT_OUTBOX_DELAYS_MS: readonly number[] = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];

/** Whether a failed post may succeed later: the chat port said the platform is unavailable (an outage, a rate limit). */
export function isTransient(err: unknown): boolean {
  return err instanceof ChatError && err.kind === 'unavailable';
}

const QUEUE = 'chat-outbox';

// Validated when read back: a foreign or corrupt entry is dropped, never posted.
const entrySchema = z.object({
  channel: z.string().min(1),
  threadTs: z.string().optional(),
  kind: z.string(),
  message: z.looseObject({ text: z.string(), blocks: z.array(z.unknown()) }),
  /** Tries so far, the first (refused) post included. */
  attempts: z.number().int().positive(),
  firstFailedAt: z.number(),
});
type Entry = z.infer<typeof entrySchema>;

export interface ChatOutboxDeps {
  /** Where postponed posts wait: the Redis state store, so another replica (or the next pod) posts them. */
  store: QueueStore;
  chat: ChatPort;
  logger: Logger;
  now?: () => number;
  delaysMs?: readonly number[];
  /** How often the worker looks for due posts (default 1 s). */
  pollMs?: number;
  /** How long a replica holds a due post it took before another may take it (default 60 s). */
  leaseMs?: number;
  /** Decides which failures are worth a later try (default: a ChatError of kind `unavailable`). */
  transient?: (err: unknown) => boolean;
  /** `/metrics`: `session_ttl_bot_chat_outbox_total{outcome}` (queued, delivered, given_up). */
  metrics?: Registry;
}

export interface ChatOutbox {
  /**
   * Keeps `post` to post it later, when `err` (what the post failed with) is worth a later try: true when
   * kept, false when the failure is final (the caller handles it as before). Rejects when the state store
   * fails (the post is then not kept).
   */
  readonly postpone: Postpone;
  /** Tries every post that is due now, once; how many were delivered. The worker calls it every `pollMs`. */
  readonly flush: () => Promise<number>;
  /** Posts waiting (due or not). */
  readonly size: () => Promise<number>;
  /** Registers the worker that flushes the outbox on the host. */
  feature: Feature;
}

function outcomeCounter(registry: Registry): Counter<'outcome' | 'kind'> {
  const name = 'session_ttl_bot_chat_outbox_total';
  return (
    (registry.getSingleMetric(name) as Counter<'outcome' | 'kind'> | undefined) ??
    new Counter({
      name,
      help: 'Chat posts that Slack refused and the outbox kept, by outcome (queued, delivered, given_up) and kind',
      labelNames: ['outcome', 'kind'],
      registers: [registry],
    })
  );
}

/**
 * The outbox: chat posts that Slack refused through the WebClient's retries (an outage, a rate limit) are
 * kept in the state store and posted again later with backoff, by a worker on the host. Each post is
 * posted once: a replica takes a due post with a lease, and removes it once Slack took it.
 *
 * *Not guaranteed:* a post that Slack actually took while the bot saw an error (the answer was lost)
 * is posted a second time; with the in-memory state store, posts waiting at a restart are lost.
 *
 * @example
 * try { await chat.post(p) } catch (err) { if (!(await outbox.postpone({ ...p, kind: 'report' }, err))) throw err }
 */
export function createChatOutbox(deps: ChatOutboxDeps): ChatOutbox {
  const now = deps.now ?? Date.now;
  const delays = deps.delaysMs ?? DEFAULT_OUTBOX_DELAYS_MS;
  const pollMs = deps.pollMs ?? 1000;
  const leaseMs = deps.leaseMs ?? 60_000;
  const transient = deps.transient ?? isTransient;
  const logger = deps.logger.child({ component: 'chat-outbox' });
  const counter = deps.metrics ? outcomeCounter(deps.metrics) : undefined;
  // An entry outlives its last try by an hour, then expires by itself.
  const ttlMs = delays.reduce((a, b) => a + b, 0) + leaseMs + 3_600_000;

  async function attempt(id: string, raw: string): Promise<boolean> {
    const entry = parseStored(entrySchema, raw);
    if (!entry) {
      logger.warn({ id }, 'dropped an outbox entry that is not a post');
      await deps.store.remove(QUEUE, id);
      return false;
    }
    const where = {
      id,
      kind: entry.kind,
      channel: entry.channel,
      threadTs: entry.threadTs,
      attempt: entry.attempts + 1,
    };
    try {
      const posted = await deps.chat.post({
        channel: entry.channel,
        ...(entry.threadTs ? { threadTs: entry.threadTs } : {}),
        message: entry.message as unknown as Message,
      });
      await deps.store.remove(QUEUE, id);
      counter?.inc({ outcome: 'delivered', kind: entry.kind });
      logger.info(
        { ...where, ts: posted.ts, lateByMs: now() - entry.firstFailedAt },
        'posted a message that Slack had refused earlier',
      );
      return true;
    } catch (err) {
      const next: Entry = { ...entry, attempts: entry.attempts + 1 };
      const delay = delays[next.attempts - 1];
      if (!transient(err) || delay === undefined) {
        await deps.store.remove(QUEUE, id);
        counter?.inc({ outcome: 'given_up', kind: entry.kind });
        logger.error(
          { ...where, err, sinceFirstMs: now() - entry.firstFailedAt, final: !transient(err) },
          `gave up posting a message (${entry.kind}) after ${next.attempts} tries; it is lost`,
        );
        return false;
      }
      await deps.store.enqueue(QUEUE, id, JSON.stringify(next), now() + delay, ttlMs);
      logger.warn({ ...where, err, retryInMs: delay }, 'Slack refused a postponed message again; will try later');
      return false;
    }
  }

  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = flush()
      .catch((err: unknown) => logger.warn({ err }, 'could not read the outbox (state store)'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  };

  async function flush(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const due = await deps.store.takeDue(QUEUE, now(), leaseMs, 10);
      for (const { id, value } of due) if (await attempt(id, value)) delivered++;
      if (due.length < 10) return delivered;
    }
  }

  return {
    async postpone(post, err) {
      if (!transient(err) || delays.length === 0) return false;
      const id = randomUUID();
      const entry: Entry = {
        channel: post.channel,
        ...(post.threadTs ? { threadTs: post.threadTs } : {}),
        kind: post.kind,
        message: post.message as unknown as Entry['message'],
        attempts: 1,
        firstFailedAt: now(),
      };
      await deps.store.enqueue(QUEUE, id, JSON.stringify(entry), now() + (delays[0] as number), ttlMs);
      counter?.inc({ outcome: 'queued', kind: post.kind });
      logger.warn(
        { id, kind: post.kind, channel: post.channel, threadTs: post.threadTs, err, retryInMs: delays[0] },
        'Slack refused a message; kept it to post later',
      );
      return true;
    },
    flush,
    size: () => deps.store.size(QUEUE),
    feature: {
      name: 'chat-outbox',
      register(host) {
        host.worker({
          name: 'chat-outbox',
          async start() {
            stopped = false;
            timer = setTimeout(loop, pollMs);
          },
          async stop() {
            stopped = true;
            clearTimeout(timer);
            await running;
          },
        });
      },
    },
  };
}
