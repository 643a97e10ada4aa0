import type { App } from '@slack/bolt';
import type { AlertPostHandler } from '../../alerts/alert-post-flow.js';
import type { Dispatcher } from '../../commands/dispatch.js';
import type { HostContext } from '../../core/feature.js';
import type { Logger } from '../../core/logging.js';
import type { FixCommands } from '../../commands/fix/index.js';
import type { Span } from '../../core/message.js';
import type { ChatPort } from '../../core/ports/chat.js';
import type { Jobs } from '../../core/jobs.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { COMMAND_NAME } from './command-context.js';
import { registerCommandButtons } from './listeners/actions/command-buttons.js';
import { registerRemediationListeners } from './listeners/actions/remediation-buttons.js';
import { createSlashCommandListener } from './listeners/commands/slash-command.js';
import { slashDiagnoseJob } from './listeners/commands/slash-diagnose-job.js';
import { createAlertListener } from './listeners/messages/alert-listener.js';
import type { GroupMembership } from './user-groups.js';

/** What the Slack feature serves: the commands, and optionally alert posts and the remediation buttons. */
export interface SlackFeatureDeps {
  /** The bot's commands, the same as every front end's: the slash command and command buttons run them. */
  dispatcher: Dispatcher;
  /** `slack.incidentChannels`: the only channels whose posts are read as alert posts. */
  incidentChannels: readonly string[];
  /** Alert posts read in the incident channels go here; absent, the bot does not read channels. */
  onAlertPost?: AlertPostHandler;
  /** Remediation buttons (fix preview, approve, reject, revert); absent, reports carry only the safe buttons. */
  fix?: FixCommands;
  /** The durable work queue and its store: a slash `diagnose` is kept there, so another replica finishes it. */
  jobs?: { jobs: Jobs; store: StateStore };
}

/** The Slack pieces the listeners share: the Bolt app, the chat port, user-group membership, the logger. */
export interface SlackParts {
  app: App;
  chat: ChatPort;
  membership: GroupMembership;
  logger: Logger;
  /** The on-call user group's mention (`slack.onCallUserGroup`), for severe escalations in reports. */
  onCall?: Span;
}

/**
 * The listeners on the Bolt app: `/session-ttl`, the command buttons, the remediation buttons and the
 * incident-channel listener. Each parses what Slack signed and hands the rest to the neutral layers; the
 * work they start is tracked on the host, so shutdown waits for what a person was promised.
 */
export function registerSlackListeners(host: HostContext, slack: SlackParts, deps: SlackFeatureDeps): void {
  const { app, chat, membership, logger } = slack;
  const { dispatcher } = deps;
  const onCall = slack.onCall ? { onCall: slack.onCall } : {};
  const interrupted = host.work.interrupted;
  const run = deps.jobs && { dispatcher, chat, store: deps.jobs.store, membership, interrupted, ...onCall };
  const durable = deps.jobs && run && { submit: deps.jobs.jobs.define(slashDiagnoseJob(run)), run };
  const listener = createSlashCommandListener({
    dispatcher,
    chat,
    membership,
    logger,
    interrupted,
    ...onCall,
    ...(durable ? { durable } : {}),
  });
  app.command(COMMAND_NAME, (args) => host.work.run(() => listener(args)));
  registerCommandButtons(app, { dispatcher, chat, membership, work: host.work, logger, ...onCall });
  if (deps.fix)
    registerRemediationListeners(app, { fix: deps.fix, chat, client: app.client, membership, work: host.work, logger });
  if (deps.onAlertPost) {
    const onAlertPost = deps.onAlertPost;
    const incidentChannels = deps.incidentChannels;
    app.message(createAlertListener({ incidentChannels, onAlertPost, work: host.work, logger }));
  }
}
