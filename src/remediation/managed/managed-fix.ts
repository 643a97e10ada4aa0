import { configBlockedBy } from '../../config/redis-provider.js';
import type { EnvironmentConfig } from '../../config/config.js';
import type { ActionId, FormValues, RemediationAction } from '../types.js';
import { offeredActions } from '../offers.js';
import { providerSteps, type ProviderSteps } from './provider-steps.js';

/** An action the bot does not offer on a managed service, and the service's own steps instead. */
export interface ManagedFix {
  action: ActionId;
  title: string;
  /** The findings it answers (the report shows the steps with the first of them). */
  findings: string[];
  /** The service by name ('AWS ElastiCache'). */
  service: string;
  steps: ProviderSteps;
}

/**
 * The provider's steps for `action` with these parameters, when the environment's Redis is a managed
 * service that blocks CONFIG and the action sets Redis parameters; undefined otherwise (the bot offers it).
 */
export function managedFix(
  env: EnvironmentConfig,
  action: Pick<RemediationAction, 'id' | 'title' | 'redisSettings'>,
  values: FormValues,
  findings: readonly string[] = [],
): ManagedFix | undefined {
  const provider = env.redis.provider;
  const service = configBlockedBy(provider);
  if (!service || provider === undefined || provider === 'self-managed' || !action.redisSettings) return undefined;
  return {
    action: action.id,
    title: action.title,
    findings: [...findings],
    service,
    steps: providerSteps(provider, action.redisSettings(values)),
  };
}

/**
 * Every action a report with these findings would offer that the environment's managed service leaves to
 * its own steps (none on a self-managed Redis): what the terminal report shows, having no buttons.
 */
export function managedFixes(
  env: EnvironmentConfig,
  findings: readonly { id: string }[],
  actions: Iterable<RemediationAction>,
): ManagedFix[] {
  const list = [...actions];
  const out: ManagedFix[] = [];
  for (const o of offeredActions(findings, list)) {
    const action = list.find((a) => a.id === o.action);
    const fix = action ? managedFix(env, action, o.params, o.findings) : undefined;
    if (fix) out.push(fix);
  }
  return out;
}
