import type { GitopsConfig } from '../../config/gitops.js';
import { readDirective } from '../redis-conf.js';
import type { GitOpsDurable } from './durable-edit.js';
import { dataKeyChange, redisConfChanges } from './manifest-changes.js';
import { REDIS_CONF_KEY, type ManifestChange } from './manifest-edit.js';

/** The first word of each non-comment line of a redis.conf that `after` has and `before` has not. */
function changedDirectives(before: string, after: string): string[] {
  const old = new Set(before.split(/\r?\n/).map((l) => l.trim()));
  const names = after
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !old.has(l))
    .map((l) => /^\S+/.exec(l)?.[0] ?? '');
  return [...new Set(names.filter(Boolean))];
}

/**
 * The manifest edits that carry a plan's durable step (part A's `GitOpsDurable`) into Git: for `redis.conf`,
 * each directive whose line the plan changed or added, set to its value in `after`; for another key, that key.
 *
 * @example manifestChangesOf({ object: { name: 'redis-session-config', key: 'redis.conf', ... },
 *   before: 'maxmemory-policy allkeys-lru\n', after: 'maxmemory-policy volatile-lru\n' })
 * // [{ kind: 'redis-directive', configMap: 'redis-session-config', directive: 'maxmemory-policy', value: 'volatile-lru' }]
 */
export function manifestChangesOf(d: Pick<GitOpsDurable, 'object' | 'before' | 'after'>): ManifestChange[] {
  if (d.object.key !== REDIS_CONF_KEY) return [dataKeyChange(d.object.name, d.object.key, d.after)];
  const settings = changedDirectives(d.before, d.after).flatMap((parameter) => {
    const value = readDirective(d.after, parameter).value;
    return value === undefined ? [] : [{ parameter, value }];
  });
  return redisConfChanges(d.object.name, settings);
}

/**
 * The repository file of a ConfigMap: `gitops.files.redisConfigMap` for the environment's Redis ConfigMap,
 * `appConfigMap` for the app's; undefined when the file is not configured (the PR cannot be opened: say so).
 */
export function manifestPathOf(
  files: GitopsConfig['files'],
  names: { redisConfigMap: string; appConfigMap: string },
  configMap: string,
): string | undefined {
  if (configMap === names.redisConfigMap) return files.redisConfigMap;
  if (configMap === names.appConfigMap) return files.appConfigMap;
  return undefined;
}
