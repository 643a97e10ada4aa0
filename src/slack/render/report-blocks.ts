import type { Report, Severity } from '../../diagnostics/types.js';
import { reportMessage, type ReportMessageOptions } from '../../render/report-message.js';
import { toBlockKit, type BlockKitOptions, type SlackMessage } from './block-kit.js';
import { ICON_EMOJI } from './slack-icons.js';

// The Slack face of a diagnosis report, kept for the callers that predate the neutral message.
export { SLACK_LIMITS, toBlockKit, type KnownBlock, type SlackMessage } from './block-kit.js';
export { escapeMrkdwn, truncate } from './mrkdwn-text.js';
export { overallStatus } from '../../render/report-status.js';

/** Options of the neutral report (chart, evidence) and of Block Kit (limits). */
export type RenderOptions = ReportMessageOptions & BlockKitOptions;

export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ICON_EMOJI.critical,
  warning: ICON_EMOJI.warning,
  info: ICON_EMOJI.info,
};

/**
 * A diagnosis report as a Slack message: `toBlockKit(reportMessage(report))`. Pure.
 *
 * @example
 * const { text, blocks } = renderReportMessage(report);
 * await client.chat.postMessage({ channel, text, blocks });
 */
export function renderReportMessage(report: Report, opts: RenderOptions = {}): SlackMessage {
  return toBlockKit(reportMessage(report, opts), opts);
}
