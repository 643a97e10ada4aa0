import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `config-drift`: the live Redis against the redis.conf of its ConfigMap. */

const drift = z.object({
  directive: z.string(),
  /** The value in the ConfigMap's redis.conf, as written there. */
  configMap: z.string(),
  /** The value the live server reports (CONFIG GET, or INFO where CONFIG is refused). */
  live: z.string(),
  address: z.string(),
});

const evidence = z.object({
  configMap: z.string(),
  namespace: z.string(),
  key: z.literal('redis.conf'),
  source: z.string(),
  drifts: z.array(drift),
});

/** maxmemory or maxmemory-policy differ: eviction behaves otherwise than the ConfigMap says (Scenario 1). */
export const liveDrift = findingSpec({
  id: 'config.live_drift',
  severity: { default: 'warning' },
  evidence,
  scenarios: [[1, 'weak']],
});

/** appendonly or auto-aof-* differ: AOF rewrites behave otherwise than the ConfigMap says (Scenario 7). */
export const liveDriftAof = findingSpec({
  id: 'config.live_drift_aof',
  severity: { default: 'warning' },
  evidence,
  scenarios: [[7, 'weak']],
});

/** notify-keyspace-events differs: the lifetime monitor may see no expirations (no runbook scenario). */
export const liveDriftEvents = findingSpec({
  id: 'config.live_drift_events',
  severity: { default: 'info' },
  evidence,
  scenarios: [],
});

export const configDriftFindings = [liveDrift, liveDriftAof, liveDriftEvents] as const;
