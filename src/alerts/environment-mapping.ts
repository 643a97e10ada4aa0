import { DEFAULT_LABEL_KEYS } from '../config/alert-routing.js';
import { UserError } from '../core/errors.js';
import type { ParsedAlert, ParsedAlertPost } from './alert-post.js';

export interface EnvironmentResolverOptions {
  /** The configured environment names (`Object.keys(config.environments)`). */
  environments: readonly string[];
  labelKeys?: readonly string[];
  /** Label value -> environment name; values are compared ignoring case. */
  aliases?: Readonly<Record<string, string>>;
  /** The config key the aliases were read from, named in the errors about one (default `alerts.routing.aliases`). */
  aliasesKey?: string;
}

/** What an environment is looked up from: an alert's labels, a post's group labels and unnamed title values. */
export interface EnvironmentSubject {
  labels?: Readonly<Record<string, string>>;
  groupLabels?: Readonly<Record<string, string>>;
  groupValues?: readonly string[];
}

/**
 * The environment an alert belongs to, or what was looked at when none matched
 * (`seen` holds the label keys checked and their values, plus `groupValues` when the title had some).
 * `from` names where the match came from: a label key or `groupValues`.
 */
export type EnvironmentResolution = { env: string; from: string } | { env: undefined; seen: Record<string, string> };

export interface EnvironmentResolver {
  resolve(subject: EnvironmentSubject): EnvironmentResolution;
  /** Resolves every alert of a post, falling back to the post's group labels and title values. */
  resolvePost(post: ParsedAlertPost): Array<{ alert: ParsedAlert; resolution: EnvironmentResolution }>;
}

function lowerKeys(record: Readonly<Record<string, string>> | undefined): Map<string, string> {
  return new Map(Object.entries(record ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Maps alert labels to a configured environment: each label key in order, its value (lowercased)
 * matched against the environment names and the aliases; then the title's unnamed values, which
 * must point at exactly one environment.
 * Throws a UserError at start-up when an alias points at an environment that does not exist.
 *
 * @example
 * const resolver = createEnvironmentResolver({ environments: ['dev', 'prod'], aliases: { production: 'prod' } });
 * resolver.resolve({ labels: { environment: 'Production' } }) // { env: 'prod', from: 'environment' }
 * resolver.resolve({ labels: { env: 'qa' } })                 // { env: undefined, seen: { env: 'qa' } }
 */
export function createEnvironmentResolver(options: EnvironmentResolverOptions): EnvironmentResolver {
  const byValue = new Map<string, string>(options.environments.map((e) => [e.toLowerCase(), e]));
  const key = options.aliasesKey ?? 'alerts.routing.aliases';
  for (const [value, env] of Object.entries(options.aliases ?? {})) {
    if (!options.environments.includes(env)) {
      throw new UserError(
        `${key}.${value}: "${env}" is not a configured environment. Valid environments: ${options.environments.join(', ')}.`,
        'config_error',
      );
    }
    const existing = byValue.get(value.toLowerCase());
    if (existing && existing !== env) {
      throw new UserError(
        `${key}.${value}: "${value}" already names the environment "${existing}"; an alias cannot send it to "${env}".`,
        'config_error',
      );
    }
    byValue.set(value.toLowerCase(), env);
  }
  const labelKeys = (options.labelKeys ?? DEFAULT_LABEL_KEYS).map((k) => k.toLowerCase());
  const match = (value: string) => byValue.get(value.trim().toLowerCase());

  const resolve = (subject: EnvironmentSubject): EnvironmentResolution => {
    const seen: Record<string, string> = {};
    for (const labels of [lowerKeys(subject.labels), lowerKeys(subject.groupLabels)]) {
      for (const key of labelKeys) {
        const value = labels.get(key);
        if (value === undefined) continue;
        const env = match(value);
        if (env) return { env, from: key };
        seen[key] ??= value;
      }
    }
    const values = subject.groupValues ?? [];
    const envs = [...new Set(values.flatMap((v) => match(v) ?? []))];
    if (envs.length === 1 && envs[0]) return { env: envs[0], from: 'groupValues' };
    if (values.length) seen.groupValues = values.join(' ');
    return { env: undefined, seen };
  };

  return {
    resolve,
    resolvePost: (post) =>
      post.alerts.map((alert) => ({
        alert,
        resolution: resolve({ labels: alert.labels, groupLabels: post.groupLabels, groupValues: post.groupValues }),
      })),
  };
}
