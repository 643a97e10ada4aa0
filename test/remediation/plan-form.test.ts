import { describe, expect, it } from 'vitest';
import { setEvictionPolicy } from '../../src/remediation/actions/set-eviction-policy.js';
import { tuneAof } from '../../src/remediation/actions/tune-aof.js';
import { planForm } from '../../src/remediation/plan-form.js';
import type { Plan } from '../../src/remediation/types.js';

const plan = (over: Partial<Plan> = {}): Plan => ({
  action: 'tune-aof',
  env: 'prod',
  params: { percentage: 150, minSize: '64mb' },
  summary: 'Set auto-aof-rewrite-percentage 150',
  changes: [
    {
      kind: 'redis-config',
      node: '127.0.0.1:6379',
      parameter: 'auto-aof-rewrite-percentage',
      before: '100',
      after: '150',
    },
  ],
  fixes: ['f'],
  doesNotFix: ['d'],
  risks: ['A larger AOF between rewrites.'],
  warnings: [],
  noop: false,
  ...over,
});

describe('planForm: the preview as a neutral form', () => {
  it("carries the pending id, the plan's message and the action's inputs filled from the plan's params", () => {
    const form = planForm(plan(), tuneAof, { pendingId: 'P1', approvals: 0, dryRun: false });
    expect(form).toMatchObject({ kind: 'preview', ref: 'P1', title: 'Preview the change', submit: 'Apply' });
    expect(form.body.text).toBe('Preview of tune-aof in prod: Set auto-aof-rewrite-percentage 150');
    expect(JSON.stringify(form.body.blocks)).toContain('A larger AOF between rewrites.');
    expect(form.inputs).toEqual([
      { kind: 'number', name: 'percentage', label: 'auto-aof-rewrite-percentage', min: 0, max: 10_000, initial: 150 },
      { kind: 'text', name: 'minSize', label: 'auto-aof-rewrite-min-size', initial: '64mb' },
    ]);
  });

  it('says what the submit does: request approval, apply, dry run, or nothing to submit on a noop', () => {
    const submit = (approvals: number, dryRun: boolean, noop = false) =>
      planForm(plan({ noop }), tuneAof, { pendingId: 'P', approvals, dryRun }).submit;
    expect(submit(1, false)).toBe('Request approval');
    expect(submit(1, true)).toBe('Request approval');
    expect(submit(0, false)).toBe('Apply');
    expect(submit(0, true)).toBe('Dry run');
    expect(submit(0, false, true)).toBeUndefined();
    expect(JSON.stringify(planForm(plan(), tuneAof, { pendingId: 'P', approvals: 0, dryRun: true }).body)).toContain(
      'Dry run: nothing will be changed.',
    );
  });

  it('leaves an input empty when the plan has no fitting value for it', () => {
    const p = plan({ action: 'set-eviction-policy', params: { policy: 'not-a-policy' } });
    expect(planForm(p, setEvictionPolicy, { pendingId: 'P', approvals: 0, dryRun: false }).inputs).toEqual([
      expect.not.objectContaining({ initial: expect.anything() }),
    ]);
    const n = planForm(plan({ params: { percentage: { x: 1 }, minSize: 7 } }), tuneAof, {
      pendingId: 'P',
      approvals: 0,
      dryRun: false,
    });
    expect(n.inputs.map((i) => i.initial)).toEqual([undefined, '7']);
  });
});
