import { findingRefOf, type OfferedFinding } from '../finding-ref.js';
import type { EnvironmentConfig } from '../../config/config.js';
import { managedFix } from '../managed/managed-fix.js';
import { offeredActions } from '../offers.js';
import type { FormValues, RemediationAction } from '../types.js';
import { failureText } from './failure-text.js';
import type { FlowContext } from './flow-context.js';
import type { ReportActions } from './flow-types.js';

type Unavailable = ReportActions['unavailable'][number];

/** The label of an offer's button: the action's own label for these parameters, else its title. */
export function buttonLabel(action: RemediationAction, offered: FormValues): string {
  return `${action.buttonLabel ? action.buttonLabel(offered) : action.title}…`;
}

/**
 * What the bot could not do for an action in an environment (credentials, RBAC), remembered for a
 * while per environment and action, so a busy report does not ask Redis and Kubernetes every time.
 */
function capabilityCache(fc: FlowContext) {
  const { now } = fc.deps;
  const cache = new Map<string, { until: number; value: Promise<Unavailable | undefined> }>();
  return (env: EnvironmentConfig, action: RemediationAction): Promise<Unavailable | undefined> => {
    const key = `${env.name}\u0000${action.id}`;
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.value;
    const value = fc
      .withContext(env, (ctx) => action.capability(ctx))
      .then((c) => (c.able ? undefined : { action: action.id, title: action.title, why: c.why }))
      .catch((err: unknown) => ({ action: action.id, title: action.title, why: failureText(err) }));
    cache.set(key, { until: now() + (fc.deps.capabilityTtlMs ?? 60_000), value });
    return value;
  };
}

/** The fix buttons a report offers (only those the bot could perform), each behind an offer record. */
export function createReportActions(fc: FlowContext) {
  const missingFor = capabilityCache(fc);
  return async (envName: string, findings: readonly OfferedFinding[]): Promise<ReportActions> => {
    const env = fc.envOf(envName);
    const out: ReportActions = { buttons: [], unavailable: [] };
    for (const o of offeredActions(findings, fc.deps.actions.values())) {
      const action = fc.actionOf(o.action);
      const managed = managedFix(env, action, o.params, o.findings);
      if (managed) {
        (out.managed ??= []).push(managed);
        continue;
      }
      const missing = await missingFor(env, action);
      if (missing) {
        out.unavailable.push(missing);
        continue;
      }
      const answered = findings.find((f) => f.id === o.findings[0]);
      const offer = await fc.deps.offers.create({
        env: env.name,
        action: o.action,
        params: o.params,
        ...(answered ? { finding: findingRefOf(answered) } : {}),
      });
      out.buttons.push({ command: `fix:${o.action}`, label: buttonLabel(action, o.params), ref: offer.id });
    }
    return out;
  };
}
