import { alertKind } from '../../../alerts/alert-kinds.js';
import type { ParsedAlertPost } from '../../../alerts/alert-post.js';
import { alertPostOfView } from '../../../alerts/alert-text/view-to-post.js';
import { toPlainLines } from './mrkdwn.js';
import { readSlackMessage } from './slack-message.js';

export type { AlertStatus, ParsedAlert, ParsedAlertPost } from '../../../alerts/alert-post.js';

export interface ParseAlertPostOptions {
  /**
   * Names the parser prefers when a title or header holds several words
   * (default: the known alert kinds of `alert-kinds.ts`).
   */
  isKnownAlert?: (alertname: string) => boolean;
}

function parse(message: unknown, isKnown: (n: string) => boolean): ParsedAlertPost | undefined {
  const view = readSlackMessage(message);
  return view && alertPostOfView(view, { isKnown, toLines: toPlainLines, origin: 'slack' });
}

/**
 * Reads the alerts out of a Slack message event: Alertmanager's default template
 * (`[FIRING:2] SessionTTLViolations (info sessions prod)` in an attachment), custom templates
 * (`*Alert:* ...`, `*Details:*` with `• *env:* \`prod\`` bullets, `Labels: env=prod namespace=...`),
 * Grafana's `Firing` / `Labels:` / ` - env = prod` lists, incoming-webhook text and Block Kit
 * sections, fields, headers, context and rich text.
 *
 * Returns undefined for anything that is not an alert post (a deploy notice, chatter, a malformed
 * payload); never throws. Any alert name is returned, known or not: look it up with `alertKind()`.
 * Whether a person's message counts is the caller's choice: see `fromBot`.
 * Text past 40,000 characters is ignored. An edited message (`subtype: message_changed`) carries
 * its text under `message`, so it is not read here and gives undefined.
 *
 * @example
 * const post = parseAlertPost(event);
 * if (post?.fromBot && post.alerts.some((a) => alertKind(a.alertname))) { ... reply in post.ts's thread ... }
 */
export function parseAlertPost(message: unknown, options: ParseAlertPostOptions = {}): ParsedAlertPost | undefined {
  const isKnown = options.isKnownAlert ?? ((name: string) => alertKind(name) !== undefined);
  try {
    return parse(message, isKnown);
  } catch {
    // A payload whose getters throw (or a bug on an input nobody foresaw) is not an alert post.
    return undefined;
  }
}
