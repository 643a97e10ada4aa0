import type { Form, Input } from '../core/message.js';
import { planMessage } from './plan-message.js';
import type { Plan, RemediationAction } from './types.js';

/** The title of the preview form (and of what replaces it: progress, the result). */
export const PREVIEW_TITLE = 'Preview the change';

/** The kind of the preview form: its submission requests the previewed change. */
export const PREVIEW_FORM = 'preview';

export interface PlanFormOptions {
  /** The pending action's opaque id: the only thing the submission carries back. */
  pendingId: string;
  /** Approvals the request needs (0: the submission applies at once). */
  approvals: number;
  dryRun: boolean;
}

/** A parameter's value as a form shows it; undefined for anything that is not a plain value. */
function shown(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** An input filled with the plan's value of its parameter (left empty when the value does not fit). */
function withInitial(input: Input, value: unknown): Input {
  const s = shown(value);
  if (s === undefined) return input;
  switch (input.kind) {
    case 'number': {
      const n = Number(s);
      return s.trim() !== '' && Number.isFinite(n) ? { ...input, initial: n } : input;
    }
    case 'select':
      return input.options.includes(s) ? { ...input, initial: s } : input;
    case 'text':
      return { ...input, initial: s };
  }
}

/** What the submit button says: what happens next. None when there is nothing to change. */
function submitLabel(plan: Plan, opts: PlanFormOptions): string | undefined {
  if (plan.noop) return undefined;
  if (opts.approvals > 0) return 'Request approval';
  return opts.dryRun ? 'Dry run' : 'Apply';
}

/**
 * The preview of a plan as a neutral form: the plan's message (the same as `session-ttl fix --dry-run`
 * prints), the action's inputs filled with the plan's parameters, and a submit button that says what
 * happens next. Each platform renders it (a Slack modal; the terminal lists the inputs). Pure.
 *
 * @example
 * const form = planForm(plan, setEvictionPolicy, { pendingId: record.id, approvals: 1, dryRun: false });
 * form.submit; // 'Request approval'
 */
export function planForm(plan: Plan, action: Pick<RemediationAction, 'title' | 'inputs'>, opts: PlanFormOptions): Form {
  const submit = submitLabel(plan, opts);
  return {
    kind: PREVIEW_FORM,
    ref: opts.pendingId,
    title: PREVIEW_TITLE,
    body: planMessage(plan, { title: action.title, dryRun: opts.dryRun }),
    inputs: action.inputs.map((i) => withInitial(i, plan.params[i.name])),
    ...(submit ? { submit } : {}),
  };
}
