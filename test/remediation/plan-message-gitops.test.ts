import { describe, expect, it } from 'vitest';
import { planMessage } from '../../src/remediation/plan-message.js';
import type { Plan } from '../../src/remediation/types.js';

const durable: NonNullable<Plan['durable']> = {
  kind: 'gitops',
  owner: { tool: 'flux-helm', name: 'langgraph-agent', evidence: 'label helm.toolkit.fluxcd.io/name' },
  object: {
    kind: 'ConfigMap',
    namespace: 'langgraph-agent',
    name: 'langgraph-agent-config',
    key: 'session_sliding_window',
  },
  before: 'false',
  after: 'true',
  diff: ['-session_sliding_window: "false"', '+session_sliding_window: "true"'],
  directPatch: false,
};
const plan: Plan = {
  action: 'enable-sliding-window',
  env: 'prod',
  params: {},
  summary: 'session_sliding_window is to be set to "true" in Git',
  changes: [],
  fixes: [],
  doesNotFix: [],
  risks: [],
  warnings: ['ConfigMap "langgraph-agent-config" is managed by Flux HelmRelease "langgraph-agent" (…)'],
  noop: true,
  durable,
};

describe('planMessage with an edit that belongs in Git (pure)', () => {
  it('says there is nothing for the bot to change, not that the values are already there, and shows the diff', () => {
    const m = planMessage(plan, { title: 'Enable the sliding session window' });
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('Nothing for the bot to change: what is left belongs in Git');
    expect(text).not.toContain('already has these values');
    expect(m.blocks.find((b) => 'id' in b && b.id === 'durable-diff')).toMatchObject({
      kind: 'preformatted',
      lines: durable.diff,
    });
    expect(text).toContain(
      'ConfigMap langgraph-agent/langgraph-agent-config key session_sliding_window, managed by Flux HelmRelease ' +
        '\\"langgraph-agent\\" (label helm.toolkit.fluxcd.io/name): not patched by the bot',
    );
  });

  it('with the direct patch kept, shows no second diff (the change shows it)', () => {
    const m = planMessage({ ...plan, noop: false, durable: { ...durable, directPatch: true } }, { title: 't' });
    expect(m.blocks.find((b) => 'id' in b && b.id === 'durable-diff')).toBeUndefined();
    expect(JSON.stringify(m.blocks)).toContain('also patched directly (the next sync undoes that)');
  });
});
