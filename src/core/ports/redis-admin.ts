// The port the remediation actions change Redis through; `adapters/redis/redis-admin.ts` and
// `adapters/redis/cluster-admin.ts` implement it.

/** A node of a Redis Cluster (CLUSTER NODES) or of a Sentinel set (SENTINEL replicas) as the admin found it. */
export interface AdminNode {
  address: string;
  role: 'master' | 'replica';
  /** The cluster marks it failing (`fail` or `fail?`). */
  failing: boolean;
}

/** Redis as the actions need it: every node of the store, on a connection with no offline queue and no retries. */
export interface RedisAdminPort {
  /** Every node a change must reach: the one standalone node, or a cluster's masters and replicas. */
  nodes(): Promise<string[]>;
  /** A Redis Cluster's nodes with their roles; absent on a standalone store. */
  topology?(): Promise<AdminNode[]>;
  /** What `topology` lists, for messages: `Redis Cluster` (absent) or `Redis Sentinel set mymaster`. */
  readonly topologyName?: string;
  configGet(node: string, parameter: string): Promise<string>;
  /** CONFIG SET then CONFIG GET to confirm; throws a typed error when refused (ACL) or unreachable. */
  configSet(node: string, parameter: string, value: string): Promise<void>;
  /** Whether this user may CONFIG SET (ACL DRYRUN or equivalent); a reason when not. */
  canConfigSet(): Promise<{ allowed: true } | { allowed: false; reason: string }>;
  /** Keys and keys with an expiry (INFO keyspace), for the eviction-policy warnings. */
  keyspace(): Promise<{ keys: number; expires: number }>;
  /**
   * Keys matching a pattern (SCAN, never KEYS), stopping after about `maxScanned` keys scanned;
   * `complete` false when it stopped early. Optional: without it the "only sessions carry a TTL"
   * warning of set-eviction-policy is not computed.
   */
  countKeys?(pattern: string, maxScanned: number): Promise<{ matched: number; complete: boolean }>;
}
