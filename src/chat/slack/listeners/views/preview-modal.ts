import type { types } from '@slack/bolt';
import type { Plan } from '../../../../remediation/types.js';
import { planMessage } from '../../../../remediation/plan-message.js';
import { EVICTION_POLICIES } from '../../../../remediation/actions/set-eviction-policy.js';
import { toBlockKit } from '../../render/block-kit.js';

export const PREVIEW_CALLBACK = 'remediation-preview';

type Input = types.KnownBlock;

const option = (v: string) => ({ text: { type: 'plain_text' as const, text: v }, value: v });

/** The parameters a person may change in the preview, per action (the rest keep their defaults). */
function paramInputs(plan: Plan): Input[] {
  const p = plan.params as Record<string, string | number | undefined>;
  const select = (name: string, label: string, values: readonly string[], initial: string): Input => ({
    type: 'input',
    block_id: `param:${name}`,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'static_select',
      action_id: 'value',
      options: values.map(option),
      initial_option: option(initial),
    },
  });
  const text = (name: string, label: string, initial: string): Input => ({
    type: 'input',
    block_id: `param:${name}`,
    label: { type: 'plain_text', text: label },
    element: { type: 'plain_text_input', action_id: 'value', initial_value: initial },
  });
  switch (plan.action) {
    case 'set-eviction-policy':
      return [select('policy', 'maxmemory-policy', EVICTION_POLICIES, String(p.policy ?? 'volatile-lru'))];
    case 'set-maxmemory':
      return [text('maxmemory', 'New maxmemory (e.g. 2gb)', String(p.maxmemory ?? ''))];
    case 'rollout-restart':
      return [select('target', 'Restart', ['app', 'redis'], String(p.target ?? 'app'))];
    case 'tune-aof':
      return [
        text('percentage', 'auto-aof-rewrite-percentage', String(p.percentage ?? 100)),
        text('minSize', 'auto-aof-rewrite-min-size', String(p.minSize ?? '128mb')),
      ];
    default:
      return [];
  }
}

/** Reads the parameters back from a submitted view (numbers stay numbers where the action expects them). */
export function paramsFromView(
  values: Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const m = /^param:(\w+)$/.exec(blockId);
    const v = actions.value;
    if (!m || !v) continue;
    const raw = v.selected_option?.value ?? v.value ?? '';
    out[m[1] as string] = m[1] === 'percentage' && /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/**
 * The preview modal: the plan exactly as `session-ttl fix --dry-run` prints it, the parameters that can
 * be changed, and a submit button that says what happens next. Its private_metadata is only the
 * pending action's opaque id.
 */
export function previewModal(input: {
  plan: Plan;
  title: string;
  pendingId: string;
  approvals: number;
  dryRun: boolean;
}): types.ModalView {
  const message = planMessage(input.plan, { title: input.title, dryRun: input.dryRun });
  const { blocks } = toBlockKit(message, { maxBlocks: 40 });
  const submit = input.plan.noop
    ? undefined
    : input.approvals > 0
      ? 'Request approval'
      : input.dryRun
        ? 'Dry run'
        : 'Apply';
  return {
    type: 'modal',
    callback_id: PREVIEW_CALLBACK,
    private_metadata: input.pendingId,
    title: { type: 'plain_text', text: 'Preview the change' },
    close: { type: 'plain_text', text: 'Cancel' },
    ...(submit ? { submit: { type: 'plain_text', text: submit } } : {}),
    blocks: [...blocks, ...paramInputs(input.plan)],
  };
}
