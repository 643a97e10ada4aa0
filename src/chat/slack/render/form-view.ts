import type { types } from '@slack/bolt';
import { clip, type Form, type FormResult, type FormSubmission, type Input } from '../../../core/message.js';
import { toBlockKit } from './block-kit.js';

/** Slack's limits on a modal (https://docs.slack.dev/reference/views/modal-views). */
const MODAL = { title: 24, button: 24, label: 2000, option: 75, hint: 2000, blocks: 100 } as const;
/** Blocks of the body at most, so the inputs always fit after it. */
const BODY_BLOCKS = 40;

/** The block id an input's value comes back under: `param:<name>`. */
const blockId = (name: string) => `param:${name}`;
const BLOCK_ID = /^param:(\w+)$/;

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: clip(text, max) });
const option = (v: string) => ({ text: plain(v, MODAL.option), value: v });

function element(input: Input): types.InputBlock['element'] {
  switch (input.kind) {
    case 'select':
      return {
        type: 'static_select',
        action_id: 'value',
        options: input.options.map(option),
        ...(input.initial !== undefined ? { initial_option: option(input.initial) } : {}),
      };
    case 'text':
      return {
        type: 'plain_text_input',
        action_id: 'value',
        ...(input.initial !== undefined ? { initial_value: input.initial } : {}),
        ...(input.placeholder ? { placeholder: plain(input.placeholder, 150) } : {}),
      };
    case 'number':
      return {
        type: 'number_input',
        action_id: 'value',
        is_decimal_allowed: false,
        ...(input.initial !== undefined ? { initial_value: String(input.initial) } : {}),
        ...(input.min !== undefined ? { min_value: String(input.min) } : {}),
        ...(input.max !== undefined ? { max_value: String(input.max) } : {}),
      };
  }
}

function inputBlock(input: Input): types.InputBlock {
  return {
    type: 'input',
    block_id: blockId(input.name),
    label: plain(input.label, MODAL.label),
    element: element(input),
    ...(input.hint ? { hint: plain(input.hint, MODAL.hint) } : {}),
  };
}

/**
 * A neutral form as a Slack modal: the body as Block Kit, one input block per input (`param:<name>`,
 * action `value`), the submit button when the form has one. `callback_id` is the form's kind, which
 * routes the submission; `private_metadata` is only the form's opaque ref. Pure.
 *
 * @example
 * await client.views.open({ trigger_id, view: toModalView(previewed.form) });
 */
export function toModalView(form: Form): types.ModalView {
  const { blocks } = toBlockKit(form.body, { maxBlocks: BODY_BLOCKS });
  return {
    type: 'modal',
    callback_id: form.kind,
    private_metadata: form.ref,
    title: plain(form.title, MODAL.title),
    close: plain('Cancel', MODAL.button),
    ...(form.submit ? { submit: plain(form.submit, MODAL.button) } : {}),
    blocks: [...blocks, ...form.inputs.map(inputBlock)].slice(0, MODAL.blocks),
  };
}

/** What a submitted view carries per block and action (the part of Bolt's `view.state.values` read here). */
export type ViewValues = Readonly<
  Record<string, Readonly<Record<string, { value?: string | null; selected_option?: { value: string } | null }>>>
>;

/** The inputs' values of a submitted modal, by input name, as typed (the form's owner parses them). */
export function valuesFromView(values: ViewValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, actions] of Object.entries(values)) {
    const name = BLOCK_ID.exec(id)?.[1];
    const v = actions.value;
    if (!name || !v) continue;
    const raw = v.selected_option?.value ?? v.value;
    if (raw !== undefined && raw !== null) out[name] = raw;
  }
  return out;
}

/** A submitted modal as a neutral submission: the form's kind (callback_id), its ref and the inputs' values. */
export function submissionOf(view: {
  callback_id: string;
  private_metadata: string;
  state: { values: ViewValues };
}): FormSubmission {
  return { kind: view.callback_id, ref: view.private_metadata, values: valuesFromView(view.state.values) };
}

/** What a submission's acknowledgement says to Slack: close the modal, errors next to inputs, or another view. */
export type ViewAck =
  | undefined
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: types.ModalView };

/** A neutral form result as the acknowledgement of a view_submission. */
export function toViewAck(result: FormResult): ViewAck {
  switch (result.kind) {
    case 'close':
      return undefined;
    case 'errors':
      return {
        response_action: 'errors',
        errors: Object.fromEntries(Object.entries(result.errors).map(([name, text]) => [blockId(name), text])),
      };
    case 'replace':
      return { response_action: 'update', view: toModalView(result.form) };
  }
}
