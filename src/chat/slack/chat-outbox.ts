import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Feature } from '../../core/feature.js';
import type { Logger } from '../../core/logging.js';
import type { Message } from '../../core/message.js';
import { ChatError, type ChatPort, type MessageRef, type PendingPost, type Postpone } from '../../core/ports/chat.js';
import { registeredOnce } from '../../core/metric-once.js';
import type { QueueStore } from '../../core/ports/state-store.js';
import { parseStored } from '../../core/stored-json.js';
import { DEFAULT_OUTBOX_DELAYS_SECONDS } from '../../config/chat.js';

/**
 * Pauses between the tries of a postponed post (`slack.outbox.delaysSeconds`, default 5 s, 15 s, 30 s, 1, 2, 5
 * and 10 min: a Slack outage of about 19 minutes loses nothing); after the last one the post is given up, with
 * an error log line and `session_ttl_bot_chat_outbox_total{outcome="given_up"}`.
 */
export const DEFAULT_OUTBOX_DELAYS_MS: readonly number[] = DEFAULT_OUTBOX_DELAYS_SECONDS.map((s) => s * 1000);

/** Whether a failed post may succeed later: the chat port said the platform is unavailable (an outage, a rate limit). */
export function isTransient(err: unknown): boolean {
  return err instanceof ChatError && err.kind === 'unavailable';
}

const QUEUE = 'chat-outbox';

/**
 * How long before the first refusal the first try may have been sent (the chat port's own tries and
 * timeouts come first), plus clock skew: the lookup of an earlier try reads from there.
 */
const FIRST_TRY_MARGIN_MS = 5 * 60_000;

/** A message as the outbox stored it (from a neutral Message): its text and blocks are there. */
const isStoredMessage = (v: unknown): v is Message =>
  typeof v === 'object' &&
  v !== null &&
  typeof Reflect.get(v, 'text') === 'string' &&
  Array.isArray(Reflect.get(v, 'blocks'));

// Validated when read back: a foreign or corrupt entry is dropped, never posted.
const entrySchema = z.object({
  channel: z.string().min(1),
  threadTs: z.string().optional(),
  kind: z.string(),
  message: z.custom<Message>(isStoredMessage),
  /** Tries so far, the first (refused) post included. */
  attempts: z.number().int().positive(),
  firstFailedAt: z.number(),
  /** The post's idempotency key (entries of older versions have none: they get one when read). */
  key: z.string().min(1).optional(),
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
  /** `/metrics`: `session_ttl_bot_chat_outbox_total{platform,outcome,kind}` (queued, delivered, already_posted, given_up). */
  metrics?: Registry;
  /**
   * The platform whose posts it keeps (default Slack): a post for another platform is not kept (its channel
   * means nothing here). Teams has an outbox of its own, in its own queue.
   */
  platform?: 'slack' | 'teams';
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

type OutboxLabel = 'platform' | 'outcome' | 'kind';

function outcomeCounter(registry: Registry): Counter<OutboxLabel> {
  const name = 'session_ttl_bot_chat_outbox_total';
  return registeredOnce(
    registry,
    name,
    () =>
      new Counter({
        name,
        help:
          'Chat posts that the chat platform refused and its outbox kept, by platform (slack, teams), ' +
          'outcome (queued, delivered, already_posted, given_up) and kind',
        labelNames: ['platform', 'outcome', 'kind'],
        registers: [registry],
      }),
  );
}

/** The queue of postponed posts in the state store, and how each try of one goes. */
class OutboxQueue {
  private readonly now: () => number;
  private readonly delays: readonly number[];
  private readonly leaseMs: number;
  private readonly transient: (err: unknown) => boolean;
  private readonly logger: Logger;
  private readonly counter: Counter<OutboxLabel> | undefined;
  /** An entry outlives its last try by an hour, then expires by itself. */
  private readonly ttlMs: number;
  private readonly platform: 'slack' | 'teams';
  /** The queue in the state store: Slack's `chat-outbox` (as it always was), `teams:chat-outbox` for Teams. */
  readonly queue: string;
  /** The platform's name in log lines: `Slack`, `Teams`. */
  private readonly name: string;

  constructor(private readonly deps: ChatOutboxDeps) {
    this.platform = deps.platform ?? 'slack';
    this.queue = this.platform === 'slack' ? QUEUE : `${this.platform}:${QUEUE}`;
    this.name = this.platform === 'slack' ? 'Slack' : 'Teams';
    this.now = deps.now ?? Date.now;
    this.delays = deps.delaysMs ?? DEFAULT_OUTBOX_DELAYS_MS;
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.transient = deps.transient ?? isTransient;
    this.logger = deps.logger.child({ component: 'chat-outbox' });
    this.counter = deps.metrics ? outcomeCounter(deps.metrics) : undefined;
    this.ttlMs = this.delays.reduce((a, b) => a + b, 0) + this.leaseMs + 3_600_000;
  }

  /** One more post with this outcome, counted under the platform's label. */
  private count(labels: { outcome: 'queued' | 'delivered' | 'already_posted' | 'given_up'; kind: string }): void {
    this.counter?.inc({ platform: this.platform, ...labels });
  }

  async postpone(post: PendingPost, err: unknown): Promise<boolean> {
    const first = this.delays[0];
    if (!this.transient(err) || first === undefined) return false;
    // Only this platform's posts: another front end's report goes back to its person, told to run it again later.
    if (post.platform !== undefined && post.platform !== this.platform) return false;
    const id = randomUUID();
    const { channel, threadTs, kind, message } = post;
    const entry: Entry = {
      channel,
      ...(threadTs ? { threadTs } : {}),
      kind,
      message,
      attempts: 1,
      firstFailedAt: this.now(),
      key: post.key ?? randomUUID(),
    };
    await this.deps.store.enqueue(this.queue, id, JSON.stringify(entry), this.now() + first, this.ttlMs);
    this.count({ outcome: 'queued', kind });
    this.logger.warn(
      { id, kind, channel, threadTs, err, retryInMs: first },
      `${this.name} refused a message; kept it to post later`,
    );
    return true;
  }

  /** Tries every due post once; how many were delivered. */
  async flush(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const due = await this.deps.store.takeDue(this.queue, this.now(), this.leaseMs, 10);
      for (const { id, value } of due) if (await this.attempt(id, value)) delivered++;
      if (due.length < 10) return delivered;
    }
  }

  private async attempt(id: string, raw: string): Promise<boolean> {
    const stored = parseStored(entrySchema, raw);
    if (!stored) {
      this.logger.warn({ id }, 'dropped an outbox entry that is not a post');
      await this.deps.store.remove(this.queue, id);
      return false;
    }
    const entry = { ...stored, key: stored.key ?? randomUUID() };
    try {
      const { channel, threadTs, message, key } = entry;
      const earlier = await this.earlierTry(id, entry, key);
      if (earlier) {
        await this.deps.store.remove(this.queue, id);
        this.count({ outcome: 'already_posted', kind: entry.kind });
        const late = { ...where(id, entry), ts: earlier.ts, key };
        this.logger.info(
          late,
          `${this.name} already had a postponed message (its answer was lost); not posting it again`,
        );
        return true;
      }
      const posted = await this.deps.chat.post({ channel, ...(threadTs ? { threadTs } : {}), message, key });
      await this.deps.store.remove(this.queue, id);
      this.count({ outcome: 'delivered', kind: entry.kind });
      const late = { ...where(id, entry), ts: posted.ts, lateByMs: this.now() - entry.firstFailedAt };
      this.logger.info(late, `posted a message that ${this.name} had refused earlier`);
      return true;
    } catch (err) {
      await this.again(id, entry, err);
      return false;
    }
  }

  /**
   * The post as Slack has it when an earlier try landed though the bot saw an error; undefined when it is
   * not there, or when Slack cannot be read (logged: the post is then sent again, and may show twice).
   */
  private async earlierTry(id: string, entry: Entry, key: string): Promise<MessageRef | undefined> {
    const { channel, threadTs } = entry;
    const sinceMs = entry.firstFailedAt - FIRST_TRY_MARGIN_MS;
    try {
      return await this.deps.chat.findPosted({ channel, ...(threadTs ? { threadTs } : {}), key, sinceMs });
    } catch (err) {
      this.logger.warn(
        { ...where(id, entry), err, key },
        'could not look for an earlier try of a postponed message; posting it again (it may show twice)',
      );
      return undefined;
    }
  }

  /** After a failed try: queued for the next one, or given up (final failure, or no tries left). */
  private async again(id: string, entry: Entry, err: unknown): Promise<void> {
    const next: Entry = { ...entry, attempts: entry.attempts + 1 };
    const delay = this.delays[next.attempts - 1];
    if (this.transient(err) && delay !== undefined) {
      await this.deps.store.enqueue(this.queue, id, JSON.stringify(next), this.now() + delay, this.ttlMs);
      this.logger.warn(
        { ...where(id, entry), err, retryInMs: delay },
        `${this.name} refused a postponed message again; will try later`,
      );
      return;
    }
    await this.deps.store.remove(this.queue, id);
    this.count({ outcome: 'given_up', kind: entry.kind });
    this.logger.error(
      { ...where(id, entry), err, sinceFirstMs: this.now() - entry.firstFailedAt, final: !this.transient(err) },
      `gave up posting a message (${entry.kind}) after ${next.attempts} tries; it is lost`,
    );
  }
}

/** Where a postponed post goes, for the log lines of its tries. */
const where = (id: string, e: Entry) => ({
  id,
  kind: e.kind,
  channel: e.channel,
  threadTs: e.threadTs,
  attempt: e.attempts + 1,
});

/** The worker that flushes the queue every `pollMs` while the host runs. */
function outboxFeature(queue: OutboxQueue, pollMs: number, logger: Logger): Feature {
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = queue
      .flush()
      .catch((err: unknown) => logger.warn({ err }, 'could not read the outbox (state store)'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  };
  return {
    name: queue.queue,
    register(host) {
      host.worker({
        name: queue.queue,
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
  };
}

/**
 * The outbox: chat posts that Slack refused through the WebClient's retries (an outage, a rate limit) are
 * kept in the state store and posted again later with backoff, by a worker on the host. Each post is
 * posted once: a replica takes a due post with a lease, looks for it in the channel or thread by its
 * idempotency key first (a try Slack took while its answer was lost is there: `already_posted`), and
 * removes it once Slack has it.
 *
 * *Not guaranteed:* when Slack cannot be read either (the lookup fails), the post is sent again and may
 * show twice; with the in-memory state store, posts waiting at a restart are lost.
 *
 * @example
 * const p = { channel, message, key: randomUUID() }; // one key for every try of this post
 * try { await chat.post(p) } catch (err) { if (!(await outbox.postpone({ ...p, kind: 'report' }, err))) throw err }
 */
export function createChatOutbox(deps: ChatOutboxDeps): ChatOutbox {
  const queue = new OutboxQueue(deps);
  return {
    postpone: (post, err) => queue.postpone(post, err),
    flush: () => queue.flush(),
    size: () => deps.store.size(queue.queue),
    feature: outboxFeature(queue, deps.pollMs ?? 1000, deps.logger.child({ component: 'chat-outbox' })),
  };
}
