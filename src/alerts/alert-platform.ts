import type { ChatPort } from '../core/ports/chat.js';
import type { ReportMessageOptions } from '../render/report-message.js';
import type { Postpone } from './alert-replier.js';

/**
 * A chat platform the alerts are answered on: where its Alertmanager notifications go, how it posts, and
 * how its people type commands. Each platform answers in a key space of its own (Slack's is the store's
 * root, as it always was; Teams' is `teams:`), so an alert sent to both gets a post, a diagnosis reply and a
 * cooldown on each, and a notification claimed for one is still answered on the other (the checks behind the
 * two replies run once: SharedDiagnoses).
 */
export interface AlertPlatform {
  /** Names its job kinds (`alertmanager-notification:teams`) and its key space (`teams:`); Slack's are unscoped. */
  name: 'slack' | 'teams';
  chat: ChatPort;
  /** Where Alertmanager notifications are posted on this platform; undefined when the config names none. */
  alertChannel?: string;
  /** The config field that names it, for messages: `slack.alertChannel`. */
  alertChannelSetting: string;
  /**
   * Why `channel` cannot take the bot's posts yet, in words for the operator (the Teams app is not installed
   * in its team); undefined when it can. Asked before a notification is accepted for this platform.
   */
  unavailable?(channel: string): Promise<string | undefined>;
  /** How a person types a command there (`/session-ttl`, `@session-ttl`), for the hints in replies. */
  invocation: string;
  /** Keeps replies the platform refused for now, to post them later (Slack's outbox); absent, none are kept. */
  postpone?: Postpone;
  /** How reports are rendered there (Slack's on-call user group). */
  render?: ReportMessageOptions;
}

/** The platform's key space in the state store: none for Slack (its keys predate the others). */
export function platformScope(p: Pick<AlertPlatform, 'name'>): string | undefined {
  return p.name === 'slack' ? undefined : p.name;
}

/** A job kind of the platform: Slack's keep their names, others get `:<platform>`. */
export function platformJobKind(base: string, p: Pick<AlertPlatform, 'name'>): string {
  return p.name === 'slack' ? base : `${base}:${p.name}`;
}
