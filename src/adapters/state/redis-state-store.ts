import type { Redis } from 'ioredis';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import { STATE_KEY_PREFIX, StateStoreError, type QueueStore } from '../../core/ports/state-store.js';
import { classifyRedisError } from '../redis/redis-error.js';
import type { TlsSettingNames } from '../redis/tls-errors.js';
import { COMPARE_AND_DELETE, COMPARE_AND_SET, ENQUEUE, REMOVE, RENEW, SIZE, TAKE_DUE } from './state-scripts.js';

/** The Redis commands the state store uses. */
export type StateRedis = Pick<Redis, 'set' | 'get' | 'getdel' | 'del' | 'eval'>;

export interface StateStoreOptions {
  prefix?: string;
  /** Where the state lives, for logs (never a password). */
  description?: string;
  /** `host:port` of the Redis, named when it fails (never a password). */
  address?: string;
  /** The connection's last socket error (`trackConnectionErrors`), so a refused connection is named as such. */
  lastConnectionError?: () => unknown;
  /** How a TLS failure names the files (the STATE_REDIS_TLS_* env vars). */
  tlsNames?: TlsSettingNames;
}

/** Turns what a Redis call threw into the StateStoreError that says which Redis and why. */
export function stateStoreFailure(opts: StateStoreOptions): (err: unknown) => StateStoreError {
  return (err) => {
    if (err instanceof StateStoreError) return err;
    const classified = classifyRedisError(err, {
      address: opts.address ?? 'the state Redis',
      lastConnectionError: opts.lastConnectionError?.(),
      ...(opts.tlsNames ? { tlsNames: opts.tlsNames } : {}),
    });
    return new StateStoreError(classified.message, { cause: err });
  };
}

/**
 * The state store in a Redis that the bot uses for its own state (`STATE_REDIS_URL`), shared by
 * every replica. Every key is namespaced with `session-ttl-bot:` and written with an expiry. A failed
 * call rejects with a `StateStoreError` (which Redis, and why), never with ioredis' own words.
 *
 * @example
 * const store = redisStateStore(new Redis(url), { description: 'redis-state:6379' });
 * if (await store.claim('dedupe:event:Ev1', '1', 3_600_000)) { ...first delivery... }
 */
export class RedisStateStore implements CasStateStore, QueueStore {
  readonly shared = true;
  readonly description: string;
  private readonly prefix: string;
  private readonly failed: (err: unknown) => StateStoreError;

  constructor(
    private readonly client: StateRedis,
    opts: StateStoreOptions = {},
  ) {
    this.prefix = opts.prefix ?? STATE_KEY_PREFIX;
    this.description = opts.description ?? 'redis';
    this.failed = stateStoreFailure(opts);
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.call(this.client.set(this.k(key), value, 'PX', ms(ttlMs), 'NX'))) === 'OK';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.call(this.client.get(this.k(key)))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.call(this.client.set(this.k(key), value, 'PX', ms(ttlMs)));
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.call(this.client.getdel(this.k(key)))) ?? undefined;
  }

  async delete(key: string): Promise<void> {
    await this.call(this.client.del(this.k(key)));
  }

  async compareAndSet(key: string, expected: string, next: string, ttlMs: number): Promise<boolean> {
    return (await this.call(this.client.eval(COMPARE_AND_SET, 1, this.k(key), expected, next, ms(ttlMs)))) === 1;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    return (await this.call(this.client.eval(COMPARE_AND_DELETE, 1, this.k(key), expected))) === 1;
  }

  async enqueue(queue: string, id: string, value: string, dueAt: number, ttlMs: number): Promise<void> {
    const [set, item] = [this.k(`queue:${queue}`), this.k(`queue:${queue}:${id}`)];
    await this.call(this.client.eval(ENQUEUE, 2, set, item, id, value, Math.floor(dueAt), ms(ttlMs)));
  }

  async takeDue(queue: string, at: number, leaseMs: number, limit: number): Promise<{ id: string; value: string }[]> {
    const [set, itemPrefix] = [this.k(`queue:${queue}`), this.k(`queue:${queue}:`)];
    const reply = await this.call(
      this.client.eval(TAKE_DUE, 1, set, Math.floor(at), Math.floor(at + leaseMs), limit, itemPrefix),
    );
    // The script answers id, value, id, value, ...
    const flat = Array.isArray(reply) ? reply.map(String) : [];
    const out: { id: string; value: string }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [id = '', value = ''] = flat.slice(i, i + 2);
      out.push({ id, value });
    }
    return out;
  }

  async renew(queue: string, id: string, until: number): Promise<boolean> {
    const [set, item] = [this.k(`queue:${queue}`), this.k(`queue:${queue}:${id}`)];
    return (await this.call(this.client.eval(RENEW, 2, set, item, id, Math.floor(until)))) === 1;
  }

  async remove(queue: string, id: string): Promise<void> {
    await this.call(this.client.eval(REMOVE, 2, this.k(`queue:${queue}`), this.k(`queue:${queue}:${id}`), id));
  }

  async size(queue: string): Promise<number> {
    return Number(await this.call(this.client.eval(SIZE, 1, this.k(`queue:${queue}`))));
  }

  private k(key: string): string {
    return `${this.prefix}${key}`;
  }

  private call<T>(p: Promise<T>): Promise<T> {
    return p.catch((err: unknown) => {
      throw this.failed(err);
    });
  }
}

/** A TTL for Redis' PX: whole milliseconds, at least 1. */
const ms = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));

/** The Redis state store (see `RedisStateStore`). */
export function redisStateStore(client: StateRedis, opts: StateStoreOptions = {}): CasStateStore & QueueStore {
  return new RedisStateStore(client, opts);
}
