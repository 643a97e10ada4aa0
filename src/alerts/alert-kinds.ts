/**
 * An alert the bot knows how to answer: which diagnostic checks its thread reply runs.
 * `checkIds` are ids of the check registry (`src/diagnostics/all-checks.ts`); `'all'` runs the default set.
 */
export interface AlertKind {
  alertname: string;
  checkIds: readonly string[] | 'all';
  summary: string;
}

/**
 * The runbook's alert and its "Related Alerts", in the runbook's order.
 *
 * Redis reachability has no check of its own: any check that needs Redis (here `memory`) raises the
 * `redis.unreachable` finding when the store cannot be reached, which is what a
 * `SessionStoreErrors` or `RedisSessionStoreDown` thread needs to show.
 */
export const alertKinds: readonly AlertKind[] = [
  {
    alertname: 'SessionTTLViolations',
    checkIds: 'all',
    summary: 'Sessions are expiring before their expected TTL.',
  },
  {
    alertname: 'RedisHighMemoryUsage',
    checkIds: ['memory', 'eviction-policy', 'ttl-sample'],
    summary: 'Redis memory pressure, which evicts sessions before their TTL.',
  },
  {
    alertname: 'SessionStoreErrors',
    checkIds: ['memory', 'eviction-policy'],
    summary: 'Session operations fail: Redis reachability, memory limit and eviction policy.',
  },
  {
    alertname: 'RedisSessionStoreDown',
    checkIds: ['memory'],
    summary: 'The session store is down; the memory check reports whether Redis answers (redis.unreachable).',
  },
];

/** Alert kinds by name, case-insensitive. */
export interface AlertKindRegistry {
  readonly all: readonly AlertKind[];
  get(alertname: string): AlertKind | undefined;
}

/** Builds the registry from a plain list; two kinds with the same name (ignoring case) fail at start-up. */
export function createAlertKindRegistry(kinds: readonly AlertKind[]): AlertKindRegistry {
  const byName = new Map<string, AlertKind>();
  for (const kind of kinds) {
    const key = kind.alertname.toLowerCase();
    if (byName.has(key)) throw new Error(`duplicate alert kind "${kind.alertname}" in the alert kind registry`);
    byName.set(key, kind);
  }
  return { all: kinds, get: (alertname) => byName.get(alertname.trim().toLowerCase()) };
}

const defaultRegistry = createAlertKindRegistry(alertKinds);

/**
 * Looks up a known alert by name, ignoring case; undefined for any other alert.
 *
 * @example
 * alertKind('sessionttlviolations')?.checkIds // 'all'
 * alertKind('HighCPU')                        // undefined
 */
export function alertKind(alertname: string): AlertKind | undefined {
  return defaultRegistry.get(alertname);
}
