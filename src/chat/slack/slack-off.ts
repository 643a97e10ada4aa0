import type { Logger } from '../../core/logging.js';
import { t } from '../../core/message.js';
import { ChatError, type ChatPort } from '../../core/ports/chat.js';
import type { SlackFrontEnd } from './slack-front-end.js';

/** What the bot says once at start-up when it runs without Slack (Teams only). */
export const SLACK_OFF_MESSAGE =
  'Slack is off: no SLACK_BOT_TOKEN, SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set, so the bot answers in ' +
  "Microsoft Teams only; the config's slack section (alert channel, incident channels, on-call group) is not used";

const notConfigured = () =>
  Promise.reject(
    new ChatError('refused', 'slack_not_configured', [
      t('Slack is not configured on this bot: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN)'),
    ]),
  );

/**
 * The Slack front end of a bot that runs without Slack (Teams only): the same shape, so the features that post
 * through Slack are wired as usual, but every post is refused at once (a final `refused` ChatError, which the
 * outbox does not keep), nobody is in any Slack user group, there is no workspace, and its feature registers
 * nothing but one info line saying Slack is off.
 */
export function slackOff(logger: Logger): SlackFrontEnd {
  const chat: ChatPort = {
    post: notConfigured,
    findPosted: notConfigured,
    update: notConfigured,
    permalink: notConfigured,
  };
  return {
    chat,
    membership: () => Promise.resolve([]),
    installed: () => undefined,
    feature: () => ({
      name: 'slack-off',
      register: () => logger.info({ slack: 'off' }, SLACK_OFF_MESSAGE),
    }),
  };
}
