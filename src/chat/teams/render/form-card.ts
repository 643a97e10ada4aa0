import type { Form, Input } from '../../../core/message.js';
import { adaptiveCard, type AdaptiveCard, type CardElement } from './adaptive-card.js';
import { actionSets } from './card-actions.js';

/** The id of an input in the card; a submission's `data` carries its value under it (`param:policy`). */
export const inputId = (name: string) => `param:${name}`;

function hint(text: string | undefined): CardElement[] {
  return text ? [{ type: 'TextBlock', text, isSubtle: true, size: 'Small', wrap: true, spacing: 'None' }] : [];
}

/** One neutral input as an Adaptive Card input (1.5: with its label). */
function input(i: Input): CardElement[] {
  const base = { id: inputId(i.name), label: i.label };
  switch (i.kind) {
    case 'select':
      return [
        {
          type: 'Input.ChoiceSet',
          ...base,
          style: 'compact',
          isRequired: true,
          errorMessage: 'Choose one of the options.',
          choices: i.options.map((o) => ({ title: o, value: o })),
          ...(i.initial !== undefined ? { value: i.initial } : {}),
        },
        ...hint(i.hint),
      ];
    case 'text':
      return [
        {
          type: 'Input.Text',
          ...base,
          ...(i.initial !== undefined ? { value: i.initial } : {}),
          ...(i.placeholder ? { placeholder: i.placeholder } : {}),
        },
        ...hint(i.hint),
      ];
    case 'number':
      return [
        {
          type: 'Input.Number',
          ...base,
          ...(i.initial !== undefined ? { value: i.initial } : {}),
          ...(i.min !== undefined ? { min: i.min } : {}),
          ...(i.max !== undefined ? { max: i.max } : {}),
        },
        ...hint(i.hint),
      ];
  }
}

/**
 * A neutral form (the preview of a fix, its progress, its result) as the card an `adaptiveCard/action`
 * invoke answers with: the title, the form's message, its inputs, and the submit button, an Action.Execute
 * whose verb is the form's kind and whose data is its opaque ref (Teams adds the inputs' values to it).
 * `extra` are more buttons (e.g. "Show the result"). Under the 28 KB budget like any card. Pure.
 */
export function formCard(form: Form, extra: readonly CardElement[] = []): AdaptiveCard {
  const inputs = form.inputs.flatMap(input);
  const submit = form.submit
    ? [{ type: 'Action.Execute', title: form.submit, verb: form.kind, data: { ref: form.ref }, style: 'positive' }]
    : [];
  const tail = [...inputs, ...actionSets([...submit, ...extra])];
  const title: CardElement = { type: 'TextBlock', text: form.title, size: 'Medium', weight: 'Bolder', wrap: true };
  const around = Buffer.byteLength(JSON.stringify([title, ...tail])) + 256;
  const card = adaptiveCard(form.body, { envelopeBytes: around });
  return { ...card, body: [title, ...card.body, ...tail] };
}
