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
  /**
   * Redis Sentinel only: the master (`nodes`) and its replicas as the sentinels named them at the last
   * `refresh()`. A replica becomes the master at a failover, so the checks compare its settings.
   */
  replicaSet?(): SentinelReplicaSet | undefined;
  /**
   * The nodes the keyspace is read from (the sampler, `--full`) when not `nodes`: a healthy replica of a
   * Sentinel set (`redis.readFrom: replica`), so that a full audit sends nothing to the primary. INFO and
   * CONFIG are still read on `nodes`.
   */
  readonly readNodes?: readonly RedisNodePort[] | undefined;
  /**
   * A plain primary/replica pair (`redis.replicas`) or a Cluster read from its replicas: which node the
   * keyspace was read from at the last `refresh()`, each replica's link and lag, and why the primary is
   * read when it is.
   */
  replicaReads?(): ReplicaReads | undefined;
}

/** Where the keyspace is read when replicas are configured (see `SessionStore.replicaReads`). */
export interface ReplicaReads {
  /** The primary(s) whose INFO/CONFIG the checks read. */
  primaries: readonly string[];
  /** The replica(s) the sampler and `--full` read; empty: the primary (see `fallback`). */
  readFrom: readonly string[];
  /** `redis.readFrom` as configured. */
  mode: 'replica' | 'primary';
  /** Each configured or discovered replica as last read. */
  replicas: readonly ReplicaReading[];
  /** Why the primary is read although `mode` is replica (no replica healthy), when it is. */
  fallback?: string;
  /**
   * Cluster masters that have no replica at all, read themselves because `redis.readFrom` is unset (the
   * default reads a replica where one exists); with `readFrom: replica` they are a `fallback` instead.
   */
  withoutReplica?: readonly string[];
}

/** One replica's `INFO replication`, read at `refresh()`. */
export interface ReplicaReading {
  address: string;
  /** `master_link_status` (`up`/`down`); null when unreadable or not a replica. */
  link: string | null;
  /** Bytes of replication stream not applied yet (primary's `master_repl_offset` - `slave_repl_offset`). */
  lagBytes: number | null;
  /** `master_last_io_seconds_ago`: seconds since the replica last heard from its primary. */
  lastIoSeconds: number | null;
  /** Why the replica is not read (unreachable, not a replica, link down, too far behind). */
  problem?: string;
}

/** A Sentinel-managed primary and its replicas, each replica readable as a node. */
export interface SentinelReplicaSet {
  masterName: string;
  /** The master's `host:port` (also `nodes[0]`). */
  master: string;
  /** The sentinel that answered. */
  sentinel: string;
  replicas: readonly { node: RedisNodePort; flags: readonly string[]; masterLinkStatus: string | undefined }[];
  /** The replica the keyspace is read from (`readNodes`), or undefined: the master. */
  readFrom?: string;
}

/**
 * What a Redis Cluster's slot map did between the start of a diagnosis and now.
 *
 * @example { changed: true, movedSlots: 1, failovers: [], migratingSlots: [], redirects: 12, mastersBefore: 3, mastersAfter: 3 }
 */
export interface SlotMapChange {
  /** The slot map (which master serves which slots) differs, or the masters changed, or reads were redirected. */
  changed: boolean;
  /** Slots served by another master now than at the start (from CLUSTER SLOTS), failovers left out. */
  movedSlots: number;
  /**
   * Masters whose slots their former replica serves now (a failover, `CLUSTER FAILOVER` or a dead master):
   * no key moved between masters, so the keys read are each counted once.
   */
  failovers: { from: string; to: string; slots: number }[];
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
  /**
   * A pass over every key of the pattern for a full audit, counting with little client work per key:
   * statistics without key names where the server runs scripts, else a lean pipeline; paced by
   * `req.pause` (gentle) or not (fast). Optional: a node without it is audited through `scan` + `pttl`.
   */
  auditKeyspace?(req: KeyspaceAuditRequest): Promise<KeyspaceAuditResult>;
}

/** The TTL statistics' layout, so that a server-side script can fill the same buckets. */
export interface TtlLayout {
  /** Upper edges (seconds) of the coarse buckets, ascending; one more bucket holds everything above the last. */
  bucketEdgesSeconds: readonly number[];
  /** Fine log-histogram: bin 0 holds TTLs <= minSeconds, bin i >= 1 floor(ln(s / minSeconds) / logRatio) + 1, capped at bins - 1. */
  histogram: { minSeconds: number; logRatio: number; bins: number };
  /** A PTTL above this (ms) counts as above the configured TTL. */
  aboveMs: number;
}

/** One batch of a scripted audit, aggregated inside Redis: counts, never key names beyond the few asked for. */
export interface TtlBatchCounts {
  /** Keys the batch's SCAN returned. */
  scanned: number;
  vanished: number;
  noExpiry: number;
  withTtl: number;
  /** Smallest and largest PTTL (ms) of the keys with a TTL; null without any. */
  minMs: number | null;
  maxMs: number | null;
  above: { count: number; maxMs: number };
  /** Keys per coarse bucket: `bucketEdgesSeconds.length + 1` counts. */
  buckets: number[];
  /** Fine histogram as [bin, count] pairs, bins with keys only. */
  bins: [number, number][];
  /** The first keys without expiry and above the configured TTL, as many as `wantKeys` asked for. */
  noExpiryKeys: KeyName[];
  aboveKeys: KeyName[];
}

export interface KeyspaceAuditRequest {
  pattern: string;
  /** SCAN COUNT per batch. */
  count: number;
  layout: TtlLayout;
  /** How many key names of each kind the caller still wants for evidence (asked before each batch). */
  wantKeys: () => { noExpiry: number; above: number };
  /** Lean path: every key's PTTL. `key` is only valid during the call: copy it to keep it. */
  onKey: (key: KeyName, pttlMs: Pttl) => void;
  /** Script path: one batch's counts. */
  onCounts: (counts: TtlBatchCounts) => void;
  /** After each batch, with the number of keys it held (progress). */
  onBatch?: (keys: number) => void;
  /** Gentle pacing: awaited between batches (never after the last). */
  pause?: () => Promise<void>;
  /**
   * Fast audit: the script path may run two cursors on the connection where the server's SCAN allows it,
   * so the server is never idle between batches. Never with `pause`.
   */
  twoCursors?: boolean;
  /** `lean` skips the script (configured, or scripting known to be refused). */
  path?: 'auto' | 'lean';
  signal: AbortSignal;
}

export interface KeyspaceAuditResult {
  /** `script`: SCAN and PTTL ran inside Redis, one call per batch; `lean`: SCAN + PTTL as one raw pipeline per batch. */
  path: 'script' | 'lean';
  /** Why the script was not used (refused by an ACL, unknown on a managed Redis, or configured off). */
  fallbackReason?: string;
  batches: number;
  /** Script path: 2 when two cursors shared the keyspace (a fast audit of a standalone Redis). */
  cursors?: number;
}

/**
 * Raised by `configGet` when the server refuses CONFIG (renamed, ACL, managed service). Checks catch it
 * and fall back to what INFO tells; its `kind` is `no_permission` for an ACL denial, else `config_refused`.
 */
export class ConfigNotAllowedError extends RedisSourceError {
  override name = 'ConfigNotAllowedError';
}
