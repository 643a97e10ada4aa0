import type { Change } from '../changes.js';
import type { JournalStep } from '../journal.js';
import type { ActionContext } from '../types.js';

/** What a planned change is in the environment now: made, not made, or something else (or unreadable). */
export interface Found {
  change: Change;
  state: 'changed' | 'unchanged' | 'other';
  /** What was read, in words, when it is neither value (or could not be read). */
  detail?: string;
}

const text = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function foundOf(ctx: ActionContext, step: JournalStep): Promise<Found> {
  const c = step.change;
  if (c.kind === 'redis-config') {
    const now = await ctx.redis.configGet(c.node, c.parameter);
    if (now === c.after) return { change: c, state: 'changed' };
    if (now === c.before) return { change: c, state: 'unchanged' };
    return { change: c, state: 'other', detail: `${c.parameter} on ${c.node} is "${now}"` };
  }
  if (!ctx.cluster) return { change: c, state: 'other', detail: 'no Kubernetes cluster to read it from' };
  if (c.kind === 'configmap') {
    const cm = await ctx.cluster.readConfigMap(c.name);
    if (!cm) return { change: c, state: 'other', detail: `ConfigMap ${c.name} no longer exists` };
    const value = cm.data[c.key] ?? '';
    if (value === c.after) return { change: c, state: 'changed' };
    if (value === c.before && cm.resourceVersion === c.resourceVersion) return { change: c, state: 'unchanged' };
    if (value === c.before) return { change: c, state: 'unchanged', detail: 'its resourceVersion moved' };
    return { change: c, state: 'other', detail: `ConfigMap ${c.name} key ${c.key} holds another value` };
  }
  // A restart leaves no value to compare: the journal says whether it was sent; a moved resourceVersion
  // after a request whose answer was lost says it landed.
  if (step.state === 'done') return { change: c, state: 'changed' };
  if (step.state === 'planned' || step.state === 'failed') return { change: c, state: 'unchanged' };
  const d = await ctx.cluster.readDeployment(c.deployment);
  if (!d) return { change: c, state: 'other', detail: `Deployment ${c.deployment} no longer exists` };
  return { change: c, state: d.resourceVersion === c.resourceVersion ? 'unchanged' : 'changed' };
}

/** Reads the real state of every planned change of a journal (CONFIG GET, GET the objects). */
export async function readLiveState(ctx: ActionContext, steps: readonly JournalStep[]): Promise<Found[]> {
  const out: Found[] = [];
  for (const step of steps) {
    try {
      out.push(await foundOf(ctx, step));
    } catch (err) {
      out.push({ change: step.change, state: 'other', detail: `could not be read: ${text(err)}` });
    }
  }
  return out;
}

const KIND_NAMES: Readonly<Record<Change['kind'], string>> = {
  'redis-config': 'Redis',
  configmap: 'ConfigMap',
  'rollout-restart': 'Deployment restart',
};

/** "Redis changed, ConfigMap not": each kind of change in plan order, changed, not, partly, or unknown. */
export function foundSummary(found: readonly Found[]): string {
  const kinds = [...new Set(found.map((f) => f.change.kind))];
  return kinds
    .map((kind) => {
      const of = found.filter((f) => f.change.kind === kind);
      const changed = of.filter((f) => f.state === 'changed').length;
      const name = KIND_NAMES[kind];
      if (of.some((f) => f.state === 'other')) return `${name} unknown (${of.find((f) => f.detail)?.detail ?? ''})`;
      if (changed === of.length) return `${name} changed`;
      if (changed === 0) return `${name} not`;
      return `${name} partly changed (${changed} of ${of.length})`;
    })
    .join(', ');
}
