import { describe, expect, it } from 'vitest';
import type { Form } from '../../../../src/core/message.js';
import { toModalView, valuesFromView } from '../../../../src/chat/slack/render/form-view.js';

const form: Form = {
  kind: 'preview',
  ref: 'PENDING-ID',
  title: 'Preview the change of a long title',
  body: { text: 'Preview', blocks: [{ kind: 'section', id: 'summary', text: [{ text: 'Set it' }] }] },
  inputs: [
    {
      kind: 'select',
      name: 'policy',
      label: 'maxmemory-policy',
      options: ['volatile-lru', 'allkeys-lru'],
      initial: 'volatile-lru',
    },
    {
      kind: 'text',
      name: 'maxmemory',
      label: 'New maxmemory',
      initial: '2gb',
      placeholder: 'e.g. 2gb',
      hint: 'bytes or a unit',
    },
    { kind: 'number', name: 'percentage', label: 'auto-aof-rewrite-percentage', initial: 100, min: 0, max: 10_000 },
  ],
  submit: 'Request approval',
};

describe('a neutral form as a Slack modal', () => {
  it('routes by the form kind, carries only the ref, and renders each input as its Slack element', () => {
    const view = toModalView(form);
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: 'preview',
      private_metadata: 'PENDING-ID',
      title: { type: 'plain_text', text: 'Preview the change of a…' },
      submit: { type: 'plain_text', text: 'Request approval' },
      close: { type: 'plain_text', text: 'Cancel' },
    });
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs).toEqual([
      {
        type: 'input',
        block_id: 'param:policy',
        label: { type: 'plain_text', text: 'maxmemory-policy' },
        element: {
          type: 'static_select',
          action_id: 'value',
          options: [
            { text: { type: 'plain_text', text: 'volatile-lru' }, value: 'volatile-lru' },
            { text: { type: 'plain_text', text: 'allkeys-lru' }, value: 'allkeys-lru' },
          ],
          initial_option: { text: { type: 'plain_text', text: 'volatile-lru' }, value: 'volatile-lru' },
        },
      },
      {
        type: 'input',
        block_id: 'param:maxmemory',
        label: { type: 'plain_text', text: 'New maxmemory' },
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          initial_value: '2gb',
          placeholder: { type: 'plain_text', text: 'e.g. 2gb' },
        },
        hint: { type: 'plain_text', text: 'bytes or a unit' },
      },
      {
        type: 'input',
        block_id: 'param:percentage',
        label: { type: 'plain_text', text: 'auto-aof-rewrite-percentage' },
        element: {
          type: 'number_input',
          action_id: 'value',
          is_decimal_allowed: false,
          initial_value: '100',
          min_value: '0',
          max_value: '10000',
        },
      },
    ]);
    expect(view.blocks[0]).toMatchObject({ type: 'section', block_id: 'summary' });
  });

  it('has no submit button when the form has nothing to submit', () => {
    const { submit: _submit, ...closeOnly } = form;
    expect(toModalView(closeOnly).submit).toBeUndefined();
  });

  it('reads the submitted values back as strings by input name, ignoring other blocks', () => {
    expect(
      valuesFromView({
        'param:policy': { value: { selected_option: { value: 'allkeys-lru' } } },
        'param:maxmemory': { value: { value: '3gb' } },
        'param:percentage': { value: { value: '150' } },
        'param:empty': { value: { value: null } },
        other: { value: { value: 'x' } },
      }),
    ).toEqual({ policy: 'allkeys-lru', maxmemory: '3gb', percentage: '150' });
  });
});
