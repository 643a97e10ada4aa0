import { RedisSourceError } from './redis-source-error.js';

/**
 * The session store as the checks see it: a list of Redis nodes. A standalone Redis is one node;
 * Redis Cluster is its masters. Checks iterate `nodes` and aggregate, so a cluster needs no rewrite.
 */
export interface SessionStore {
  nodes: readonly RedisNodePort[];
  /** One standalone node, or the masters of a Redis Cluster (absent: standalone). */
  topology?: 'standalone' | 'cluster';
  /**
   * Learns the current topology (a cluster's masters) so that `nodes` is up to date; a diagnosis calls
   * it once at its start. Never throws: when the store cannot be reached, `nodes` fails with the reason.
   */
  refresh?(): Promise<void>;
  /**
   * Redis Cluster only: how the slot map moved since the last `refresh()`, read now. A scan that spans a
   * slot migration or a failover may count a moved key twice (on the old and the new master) or not at
   * all, so the checks that count keys say so. Never throws: what cannot be read is left out.
   */
  slotMapChanges?(): Promise<SlotMapChange>;
}

/**
 * What a Redis Cluster's slot map did between the start of a diagnosis and now.
 *
 * @example { changed: true, movedSlots: 1, migratingSlots: [], redirects: 12, mastersBefore: 3, mastersAfter: 3 }
 */
export interface SlotMapChange {
  /** The slot map (which master serves which slots) differs, or the masters changed, or reads were redirected. */
  changed: boolean;
  /** Slots served by another master now than at the start (from CLUSTER SLOTS). */
  movedSlots: number;
  /** Slots being migrated (MIGRATING/IMPORTING, from CLUSTER NODES) at the start or now; at most 20 listed. */
  migratingSlots: number[];
  /** Reads of scanned keys that a master redirected (MOVED/ASK): those keys were read from their new master. */
  redirects: number;
  mastersBefore: number;
  mastersAfter: number;
}

/** `PTTL` result in ms: -1 no expiry, -2 key gone. */
export type Pttl = number;

/**
 * A key name as Redis stores it: bytes. Session ids are usually text, but a key may hold any bytes
 * (`session:\xff\xfe`); read as UTF-8 text such a key would no longer name itself, so keys travel as
 * Buffers from SCAN to PTTL and GET.
 */
export type KeyName = Buffer;

/** One Redis node, narrowed to what the checks use. */
export interface RedisNodePort {
  /** `host:port`, for evidence. Never contains a password. */
  readonly address: string;
  /** `INFO <section>` parsed into key/value pairs. */
  info(section: string): Promise<Record<string, string>>;
  /** `CONFIG GET <name>`; throws `ConfigNotAllowedError` when CONFIG is disabled (managed Redis). */
  configGet(name: string): Promise<string | undefined>;
  /** SCAN the pattern in batches (never KEYS). Yields arrays of keys as bytes; bounded memory. */
  scan(pattern: string, count: number): AsyncIterable<KeyName[]>;
  /** Pipelined PTTL for a batch of keys. */
  pttl(keys: readonly (KeyName | string)[]): Promise<Pttl[]>;
  /** Pipelined read of the session values (string GET, or HGETALL for hashes); undefined when absent. */
  readValues(keys: readonly (KeyName | string)[]): Promise<(string | Record<string, string> | undefined)[]>;
  /** Redis server time in ms (`TIME`). */
  time(): Promise<number>;
  /** Number of keys and keys with an expiry per db (from INFO keyspace). */
  keyspace(): Promise<{ keys: number; expires: number }>;
}

/**
 * Raised by `configGet` when the server refuses CONFIG (renamed, ACL, managed service). Checks catch it
 * and fall back to what INFO tells; its `kind` is `no_permission` for an ACL denial, else `config_refused`.
 */
export class ConfigNotAllowedError extends RedisSourceError {
  override name = 'ConfigNotAllowedError';
}
