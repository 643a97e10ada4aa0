import { t, type Form, type Message } from '../../core/message.js';
import { noticeMessage } from '../../remediation/messages.js';
import { PREVIEW_TITLE } from '../../remediation/plan-form.js';
import { notice } from '../replies.js';

/** The kind of a form that only shows something (a refusal, a result, progress): nothing to submit. */
export const NOTICE_FORM = 'notice';

/** A form that shows `body` and can only be closed. */
export function noticeForm(body: Message, title = PREVIEW_TITLE): Form {
  return { kind: NOTICE_FORM, ref: '', title, body, inputs: [] };
}

/** The form a refusal or a failure is shown in, with the words for the person. */
export function refusalForm(message: string): Form {
  return noticeForm(noticeMessage('warning', message));
}

/**
 * Shown the moment a fix button is clicked, before any store is read: platforms give a click only a
 * few seconds to open a form (Slack 3 s), and planning reads Redis and Kubernetes.
 */
export function preparingForm(): Form {
  return noticeForm(
    notice('hourglass', [t('Preparing the preview… (reading the environment; this view updates itself)')]),
  );
}

/** Shown the moment a preview is submitted, while the request is checked and made (or the new values planned). */
export function submittingForm(): Form {
  return noticeForm(notice('hourglass', [t('Working on it… (checking the request; this view updates itself)')]));
}
