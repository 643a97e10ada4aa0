import type { Registry } from 'prom-client';
import type { SlackBotSettings } from '../../config/bot-settings.js';
import type { Feature } from '../../core/feature.js';
import type { IntakeGate } from '../../core/intake.js';
import type { Logger } from '../../core/logging.js';
import type { Span } from '../../core/message.js';
import type { ChatPort } from '../../core/ports/chat.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { createBoltApp } from './bolt-app.js';
import type { BlockKitOptions } from './render/block-kit.js';
import { slackChat, webApiRetryDelaysMs } from './slack-chat.js';
import { registerSlackLifecycle } from './slack-lifecycle.js';
import { registerSlackListeners, type SlackFeatureDeps } from './slack-listeners.js';
import { slackMetrics } from './slack-metrics.js';
import { slackGroupMembership, type GroupMembership } from './user-groups.js';
import type { InstalledWorkspace } from '../../remediation/policy.js';

export type { SlackFeatureDeps } from './slack-listeners.js';

export interface SlackFrontEndOptions {
  settings: SlackBotSettings;
  logger: Logger;
  now: () => number;
  /** Block Kit limits of posted messages (tests make them smaller). */
  render?: BlockKitOptions;
  /** The `/metrics` registry: Slack Web API errors by code are counted on it. */
  metrics?: Registry;
  /** Retries of a failed Web API request. Default 3; tests use 0. */
  webApiRetries?: number;
  webApiTimeoutMs?: number;
  /** Pauses between the tries of a keyed post (default: the client's backoff for `webApiRetries`). */
  postRetryDelaysMs?: readonly number[];
  /** Liveness fails once the Socket Mode connection has been down this long (default 5 min). */
  connectionDownLimitMs?: number;
  /** The host's intake gate: told of every Slack request as it arrives. */
  intake?: IntakeGate;
  /** `slack.onCallUserGroup`: the user group mentioned on severe escalations in reports. */
  onCallUserGroup?: string;
  /** The bot's state store: when the replicas share it, so does the replay guard of `POST /slack/events`. */
  replayStore?: StateStore;
}

/**
 * The Slack front end, the one place that knows Bolt: the chat port other features post through, the
 * user-group membership the access policy reads, and the feature that puts the listeners and the Slack
 * connection on the host. Nothing connects until the host starts.
 */
export interface SlackFrontEnd {
  /** Posting in Slack (neutral messages rendered to Block Kit); failures reject with a ChatError. */
  chat: ChatPort;
  /** Which of some user groups a user is in (`usergroups.users.list`, cached). */
  membership: GroupMembership;
  /** Whom reports call on a severe escalation (the on-call user group), for features that render reports. */
  onCall?: Span;
  /** The workspace the bot token belongs to (auth.test at start-up); undefined before the host started. */
  installed(): InstalledWorkspace | undefined;
  /** The feature: `/session-ttl`, the buttons, the incident-channel listener, `POST /slack/events` or Socket Mode. */
  feature(deps: SlackFeatureDeps): Feature;
}

export function createSlackFrontEnd(o: SlackFrontEndOptions): SlackFrontEnd {
  const bolt = createBoltApp({
    settings: o.settings,
    logger: o.logger,
    ...(o.webApiRetries !== undefined ? { webApiRetries: o.webApiRetries } : {}),
    ...(o.webApiTimeoutMs !== undefined ? { webApiTimeoutMs: o.webApiTimeoutMs } : {}),
  });
  const errors = o.metrics ? slackMetrics(o.metrics).slackApiErrors : undefined;
  const chat = slackChat({
    client: bolt.app.client,
    postClient: bolt.postClient,
    logger: o.logger.child({ component: 'slack-chat' }),
    postRetryDelaysMs: o.postRetryDelaysMs ?? webApiRetryDelaysMs(o.webApiRetries ?? 3),
    ...(o.render ? { render: o.render } : {}),
    ...(errors ? { onApiError: (code: string) => errors.inc({ code }) } : {}),
  });
  const membership = slackGroupMembership(bolt.app.client, { now: o.now });
  const onCall: Span | undefined = o.onCallUserGroup ? { mentionGroup: o.onCallUserGroup } : undefined;
  const parts = { app: bolt.app, chat, membership, logger: o.logger, ...(onCall ? { onCall } : {}) };
  let installed: InstalledWorkspace | undefined;
  return {
    chat,
    membership,
    ...(onCall ? { onCall } : {}),
    installed: () => installed,
    feature: (deps) => ({
      name: 'slack',
      register(host) {
        registerSlackListeners(host, parts, deps);
        registerSlackLifecycle(host, { ...o, bolt, onInstalled: (w) => void (installed = w) });
      },
    }),
  };
}
