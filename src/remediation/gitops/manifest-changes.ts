import { parseRedisMemory } from '../actions/memory-size.js';
import type { ManifestChange } from './manifest-edit.js';

/** Directives whose values are memory sizes: `512mb` and `536870912` are the same value. */
const MEMORY_DIRECTIVES: ReadonlySet<string> = new Set(['maxmemory', 'auto-aof-rewrite-min-size']);

const sameMemory = (a: string, b: string) => {
  const x = parseRedisMemory(a);
  return x !== undefined && x === parseRedisMemory(b);
};

/**
 * The redis.conf edits of an action's Redis settings (`RemediationAction.redisSettings`), e.g. tune-aof's
 * two directives, for one commit of the Redis ConfigMap's manifest.
 *
 * @example redisConfChanges('redis-session-config', [{ parameter: 'maxmemory-policy', value: 'volatile-lru' }])
 */
export function redisConfChanges(
  configMap: string,
  settings: readonly { parameter: string; value: string }[],
): ManifestChange[] {
  return settings.map((s) => ({
    kind: 'redis-directive',
    configMap,
    directive: s.parameter,
    value: s.value,
    ...(MEMORY_DIRECTIVES.has(s.parameter.toLowerCase()) ? { same: sameMemory } : {}),
  }));
}

/** The app ConfigMap edit of enable-sliding-window (and, with "false", its revert). */
export function dataKeyChange(configMap: string, key: string, value: string): ManifestChange {
  return { kind: 'data-key', configMap, key, value };
}
