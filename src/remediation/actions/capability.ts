import type { ActionContext, Capability } from '../types.js';
import { objectNames, type ObjectNames } from './object-names.js';

export interface KubeNeed {
  verb: 'get' | 'patch';
  resource: 'configmaps' | 'deployments';
  name: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Whether the bot may CONFIG SET on this environment's Redis. */
export async function redisCapability(ctx: ActionContext): Promise<Capability> {
  try {
    const can = await ctx.redis.canConfigSet();
    return can.allowed ? { able: true } : { able: false, why: can.reason };
  } catch (err) {
    return { able: false, why: message(err) };
  }
}

/** Whether RBAC grants every need (SelfSubjectAccessReview); the why lists the missing grants. */
export async function kubeCapability(ctx: ActionContext, needs: KubeNeed[]): Promise<Capability> {
  if (!ctx.cluster)
    return { able: false, why: `Environment "${ctx.env.name}" has no live Kubernetes cluster configured.` };
  try {
    const missing: string[] = [];
    for (const n of needs)
      if (!(await ctx.cluster.canI(n.verb, n.resource, n.name))) missing.push(`${n.verb} ${n.resource} "${n.name}"`);
    if (!missing.length) return { able: true };
    return {
      able: false,
      why: `The bot's service account may not ${missing.join(', ')}; grant it in manifests/bot/rbac.yaml.`,
    };
  } catch (err) {
    return { able: false, why: message(err) };
  }
}

/** Both: the first reason wins. */
export async function allCapable(...checks: Promise<Capability>[]): Promise<Capability> {
  for (const c of await Promise.all(checks)) if (!c.able) return c;
  return { able: true };
}

/** RBAC for the environment's named objects (`needs` picks them); unable without a Kubernetes config. */
export async function namedKubeCapability(
  ctx: ActionContext,
  needs: (names: ObjectNames) => KubeNeed[],
): Promise<Capability> {
  const names = objectNames(ctx.env);
  if (!names) return { able: false, why: `Environment "${ctx.env.name}" has no Kubernetes config.` };
  return kubeCapability(ctx, needs(names));
}
