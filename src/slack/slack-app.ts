import { App, HTTPReceiver, SocketModeReceiver, type webApi } from '@slack/bolt';
import type { BotSettings } from '../config/bot-settings.js';
import type { Config, EnvironmentConfig } from '../config/config.js';
import type { Sources } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import type { Logger } from '../core/logging.js';
import type { RenderOptions } from './render/report-blocks.js';
import { createAlertHandling, type AlertOptions } from '../alerts/alert-feature.js';
import { boltLogLevel, createBoltLogger } from './bolt-logger.js';
import { COMMAND_NAME, createCommandRouter } from './listeners/commands/command-router.js';
import { diagnoseCommand } from './listeners/commands/diagnose.js';
import { envsCommand } from './listeners/commands/envs.js';
import { helpCommand } from './listeners/commands/help.js';
import { channelMessagesFrom, verifyCommand } from './listeners/commands/verify.js';
import { createHttpServer, healthRoute, type HttpServer, type Route } from '../host/http-server.js';
import { createReplayGuard } from './replay-guard.js';
import { slackEventsRoute } from './slack-events-route.js';
import { createSubcommandRegistry, type Subcommand, type SubcommandRegistry } from './listeners/commands/subcommands.js';

export interface SlackAppDeps {
  settings: BotSettings;
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  logger: Logger;
  now?: () => number;
  /** Retries of a failed Web API request (network errors, 5xx, 429). Default 3; tests use 0. */
  webApiRetries?: number;
  /** Timeout of one Web API request in ms (default 10 s). */
  webApiTimeoutMs?: number;
  /** Listen address of the HTTP server (default all interfaces; tests use 127.0.0.1). */
  host?: string;
  /** Extra routes on the same HTTP server (later: /slack/actions, /alertmanager, /metrics). */
  extraRoutes?: readonly Route[];
  /** Extra subcommands; a name that collides with a built-in one fails at construction. */
  extraSubcommands?: readonly Subcommand<any>[];
  render?: RenderOptions;
  /** Alert posts in `slack.incidentChannels` and `POST /alertmanager`; absent, neither is served. */
  alerts?: AlertOptions;
  /** Where `verify` reads the env vars the config names (Redis password, app API token); default process.env. */
  processEnv?: NodeJS.ProcessEnv;
}

export interface SlackBot {
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver;
  subcommands: SubcommandRegistry;
  /** Verifies the bot token (auth.test), then serves HTTP (and connects Socket Mode). */
  start(): Promise<{ port: number }>;
  /** Stops serving, then waits (up to 10 s) for alert diagnoses already under way. */
  stop(): Promise<void>;
  /** Resolves once no alert diagnosis runs in the background. */
  idle(): Promise<void>;
}

/** Slack could not be reached or refused the bot token at start-up. The message says what to check. */
export class SlackStartError extends Error {
  override name = 'SlackStartError';
}

function describeStartFailure(err: unknown, apiUrl: string): string {
  // The web-api error classes share `code`; read the fields structurally rather than by class.
  const e = err as
    | { code?: string; data?: { error?: string }; statusCode?: number; original?: Error; message?: string }
    | undefined;
  if (e?.code === 'slack_webapi_platform_error') {
    const code = e.data?.error ?? 'unknown';
    if (code === 'invalid_auth' || code === 'not_authed' || code === 'account_inactive' || code === 'token_revoked') {
      return `Slack refused SLACK_BOT_TOKEN (${code}) when verifying it with auth.test at ${apiUrl}: copy the Bot User OAuth Token (xoxb-...) of an installed app.`;
    }
    return `Slack's auth.test at ${apiUrl} failed with "${code}".`;
  }
  if (e?.code === 'slack_webapi_http_error') {
    return `Slack's Web API at ${apiUrl} answered HTTP ${e.statusCode} to auth.test: check SLACK_API_URL (it must end in /api/) and any proxy.`;
  }
  // fetch wraps the network error: "fetch failed" with the cause (ECONNREFUSED, "bad port", ...).
  const cause = (e?.original ?? e) as (Error & { code?: string; cause?: { code?: string; message?: string } }) | undefined;
  const inner = cause?.cause?.code ?? cause?.code ?? cause?.cause?.message;
  const detail = [cause?.message ?? String(err), inner].filter(Boolean).join(': ');
  return `Cannot reach Slack's Web API at ${apiUrl} (auth.test: ${detail}). Check the network, proxy settings and SLACK_API_URL.`;
}

/**
 * Builds the Bolt app, its receiver and the HTTP server, wired to the check engine. Nothing connects
 * until `start()`: construction cannot fail on the network.
 *
 * HTTP mode serves `POST /slack/events` (with replay protection) and `GET /healthz` from one node:http
 * server on `settings.port`; Socket Mode serves only `/healthz` there and talks to Slack over a websocket.
 */
export function createSlackApp(deps: SlackAppDeps): SlackBot {
  const { settings, logger } = deps;
  const now = deps.now ?? Date.now;
  const apiUrl = settings.slackApiUrl ?? 'https://slack.com/api/';
  const boltLogger = createBoltLogger(logger);
  const clientOptions: webApi.WebClientOptions = {
    ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
    retryConfig: { retries: deps.webApiRetries ?? 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
    timeout: deps.webApiTimeoutMs ?? 10_000,
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
  });
  app.error(async (err) => {
    logger.error({ err: { name: err.name, message: err.message, code: err.code } }, 'unhandled Bolt error');
  });

  let subcommands: SubcommandRegistry | undefined;
  subcommands = createSubcommandRegistry([
    diagnoseCommand({ config: deps.config, registry: deps.registry, sourcesFor: deps.sourcesFor, now, render: deps.render }),
    envsCommand({ config: deps.config }),
    helpCommand({ subcommands: () => subcommands as SubcommandRegistry, checks: deps.registry }),
    verifyCommand({ config: deps.config, messages: channelMessagesFrom(app.client), processEnv: deps.processEnv ?? process.env, now }),
    ...(deps.extraSubcommands ?? []),
  ]);
  app.command(COMMAND_NAME, createCommandRouter({ subcommands, logger }));
  const alerts =
    deps.alerts &&
    createAlertHandling({
      ...deps.alerts,
      config: deps.config,
      registry: deps.registry,
      sourcesFor: deps.sourcesFor,
      client: app.client,
      logger,
      now,
      ...(deps.render ? { render: deps.render } : {}),
    });
  if (alerts) app.message(alerts.listener);

  const routes: Route[] = [healthRoute()];
  if (receiver instanceof HTTPReceiver && settings.mode === 'http') {
    routes.push(
      slackEventsRoute({
        receiver,
        signingSecret: settings.signingSecret,
        guard: createReplayGuard({ now }),
        logger,
        now,
      }),
    );
  }
  if (alerts) routes.push(alerts.route);
  routes.push(...(deps.extraRoutes ?? []));
  const http: HttpServer = createHttpServer({ routes, logger });

  let socketStarted = false;
  return {
    app,
    receiver,
    subcommands,
    async start() {
      try {
        await app.init();
      } catch (err) {
        throw new SlackStartError(describeStartFailure(err, apiUrl));
      }
      const port = await http.listen(settings.port, deps.host);
      if (receiver instanceof SocketModeReceiver) {
        try {
          await receiver.start();
          socketStarted = true;
        } catch (err) {
          await http.close();
          throw new SlackStartError(
            `Could not open the Socket Mode connection: ${(err as Error).message}. Check SLACK_APP_TOKEN (an app-level token with connections:write) and that Socket Mode is enabled for the app.`,
          );
        }
      }
      logger.info({ port, mode: settings.mode }, 'listening');
      return { port };
    },
    async stop() {
      if (socketStarted) await receiver.stop();
      await http.close();
      if (alerts?.inFlight.size) {
        await Promise.race([alerts.inFlight.idle(), new Promise((r) => setTimeout(r, 10_000).unref())]);
      }
    },
    idle: async () => alerts?.inFlight.idle(),
  };
}
