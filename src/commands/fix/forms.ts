import type { Form, Message } from '../../core/message.js';
import { noticeMessage } from '../../remediation/messages.js';

/** The kind of a form that only shows something (a refusal, a result, progress): nothing to submit. */
export const NOTICE_FORM = 'notice';

/** A form that shows `body` and can only be closed. */
export function noticeForm(title: string, body: Message): Form {
  return { kind: NOTICE_FORM, ref: '', title, body, inputs: [] };
}

/** The form a refusal or a failure is shown in, with the words for the person. */
export function refusalForm(title: string, message: string): Form {
  return noticeForm(title, noticeMessage('warning', message));
}
