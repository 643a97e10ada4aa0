import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { SlackBotSettings } from '../../config/bot-settings.js';
import type { Logger } from '../../core/logging.js';
import { errorCause, errorCode, errorMessage } from '../../core/error-fields.js';
import { boltLogLevel, createBoltLogger } from './bolt-logger.js';
import { fieldsOf } from './slack-errors.js';

export interface BoltAppOptions {
  settings: SlackBotSettings;
  logger: Logger;
  /** Retries of a failed Web API request (network errors, 5xx, 429). Default 3; tests use 0. */
  webApiRetries?: number;
  /** Timeout of one Web API request in ms (default 10 s). */
  webApiTimeoutMs?: number;
}

export interface BoltApp {
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver;
  /**
   * The app's client (token, API URL, timeout, logger) without retries, and rejecting a 429 instead of
   * waiting it out: for posts that must not be repeated blindly (keyed posts retry after a lookup).
   */
  postClient: webApi.WebClient;
  /** The Web API base URL, for messages. */
  apiUrl: string;
}

/** Slack could not be reached or refused the bot token at start-up. The message says what to check. */
export class SlackStartError extends Error {
  override name = 'SlackStartError';
}

/** Builds the Bolt app and its receiver. Nothing connects here: construction cannot fail on the network. */
export function createBoltApp(opts: BoltAppOptions): BoltApp {
  const { settings, logger } = opts;
  const boltLogger = createBoltLogger(logger);
  const clientOptions: webApi.WebClientOptions = {
    ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
    retryConfig: { retries: opts.webApiRetries ?? 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
    timeout: opts.webApiTimeoutMs ?? 10_000,
  };
  const receiver =
    settings.mode === 'socket'
      ? new SocketModeReceiver({ appToken: settings.appToken, logger: boltLogger, installerOptions: { clientOptions } })
      : new HTTPReceiver({ signingSecret: settings.signingSecret, endpoints: ['/slack/events'], logger: boltLogger });
  const app = new App({
    token: settings.botToken,
    receiver,
    logger: boltLogger,
    logLevel: boltLogLevel(settings.logLevel),
    deferInitialization: true,
    clientOptions,
    // No listener reads context.conversation; Bolt's default memory store builds (and throws away) an Error
    // with a stack trace for every command and event, on the path that acknowledges it.
    convoStore: false,
  });
  app.error(async (err) => {
    logger.error({ err }, 'unhandled Bolt error');
  });
  const postClient = new webApi.WebClient(settings.botToken, {
    ...clientOptions,
    logger: boltLogger,
    logLevel: boltLogLevel(settings.logLevel),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  return { app, receiver, postClient, apiUrl: settings.slackApiUrl ?? 'https://slack.com/api/' };
}

/** What went wrong when auth.test failed at start-up, in words that say what to check. */
const REFUSED_TOKEN: ReadonlySet<string> = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked']);

export function describeStartFailure(err: unknown, apiUrl: string): string {
  const e = fieldsOf(err);
  if (e.code === 'slack_webapi_platform_error') {
    const code = e.data?.error ?? 'unknown';
    if (REFUSED_TOKEN.has(code))
      return (
        `Slack refused SLACK_BOT_TOKEN (${code}) when verifying it with auth.test at ${apiUrl}: ` +
        'copy the Bot User OAuth Token (xoxb-...) of an installed app.'
      );
    return `Slack's auth.test at ${apiUrl} failed with "${code}".`;
  }
  if (e.code === 'slack_webapi_http_error') {
    const status = e.statusCode ?? 'an error';
    return `Slack's Web API at ${apiUrl} answered HTTP ${status} to auth.test: check SLACK_API_URL (it must end in /api/) and any proxy.`;
  }
  // fetch wraps the network error: "fetch failed" with the cause (ECONNREFUSED, "bad port", ...).
  const failure = e.original ?? err;
  const cause = errorCause(failure);
  const inner = errorCode(cause) ?? errorCode(failure) ?? errorMessage(cause);
  const detail = [errorMessage(failure) ?? String(err), inner].filter(Boolean).join(': ');
  return `Cannot reach Slack's Web API at ${apiUrl} (auth.test: ${detail}). Check the network, proxy settings and SLACK_API_URL.`;
}
