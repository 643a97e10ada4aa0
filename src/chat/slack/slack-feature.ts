import type { SlackMetrics } from './slack-metrics.js';
import { runDiagnosis } from '../../diagnostics/engine.js';
import { reportMessage } from '../../render/report-message.js';
import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { AlertPostHandler } from '../../alerts/alert-post-flow.js';
import type { IntakeGate } from '../../core/intake.js';
import type { BotSettings } from '../../config/bot-settings.js';
import type { Config, EnvironmentConfig } from '../../config/config.js';
import { durationMs } from '../../core/format.js';
import type { Logger } from '../../core/logging.js';
import type { Sources } from '../../diagnostics/engine.js';
import type { CheckRegistry } from '../../diagnostics/registry.js';
import type { Feature } from '../../core/feature.js';
import type { StateStore } from '../../core/ports/state-store.js';
import type { Remediation } from '../../remediation/service.js';
import { openCanaryRedis } from '../../adapters/redis/canary-redis.js';
import { auditCommand } from '../../commands/audit.js';
import type { CommandMetrics } from '../../commands/command-metrics.js';
import type { Command } from '../../commands/context.js';
import { createDispatcher } from '../../commands/dispatch.js';
import { envsCommand } from '../../commands/envs.js';
import { helpCommand } from '../../commands/help.js';
import { createCommandRegistry, type CommandRegistry } from '../../commands/registry.js';
import { COMMAND_NAME } from './command-context.js';
import { registerCommandButtons } from './listeners/actions/command-buttons.js';
import { registerRemediationListeners } from './listeners/actions/remediation-buttons.js';
import { describeStartFailure, SlackStartError, type BoltApp } from './bolt-app.js';
import { createSlashCommandListener } from './listeners/commands/slash-command.js';
import { diagnoseCommand, type DiagnoseCommandDeps } from '../../commands/diagnose.js';
import { verifyCommand } from '../../commands/verify.js';
import { slackGroupMembership } from './user-groups.js';
import { slackChat } from './slack-chat.js';
import { createAlertListener } from './listeners/messages/alert-listener.js';
import type { RenderOptions } from './render/block-kit.js';
import { createReplayGuard } from './replay-guard.js';
import { slackEventsRoute } from './slack-events-route.js';

export interface SlackFeatureDeps {
  /** Slack API errors on `/metrics`; absent, nothing is recorded. */
  metrics?: SlackMetrics;
  /** Command latency on `/metrics`; absent, nothing is recorded. */
  commandMetrics?: CommandMetrics;
  bolt: BoltApp;
  settings: BotSettings;
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  logger: Logger;
  now: () => number;
  /** Alert posts read in `slack.incidentChannels` go here; absent, the bot does not read channels. */
  onAlertPost?: AlertPostHandler;
  /** Extra commands; a name that collides with a built-in one fails at construction. */
  extraCommands?: readonly Command[];
  render?: RenderOptions;
  /** Where `verify` reads the env vars the config names (Redis password, app API token). */
  processEnv: NodeJS.ProcessEnv;
  /** Remediation buttons, approvals, audit; absent, reports carry only the safe buttons. */
  remediation?: { service: Remediation; store: StateStore; dryRun: boolean };
  /** Liveness fails once the Socket Mode connection has been down this long (default 5 min). */
  connectionDownLimitMs?: number;
  /** Keeps reports that Slack refused through its retries, to post them in the channel later (the outbox). */
  postpone?: DiagnoseCommandDeps['postpone'];
  /** The host's intake gate: slash-command diagnoses start once Slack's requests have been answered. */
  intake?: IntakeGate;
}

/** Slash-command diagnoses running at once (identical ones are joined, not counted twice). */
export const DEFAULT_COMMAND_DIAGNOSIS_CONCURRENCY = 4;

export const DEFAULT_CONNECTION_DOWN_LIMIT_MS = 5 * 60_000;

export interface SlackFeature {
  feature: Feature;
  commands: CommandRegistry;
}

/**
 * The Slack feature: the `/session-ttl` command, the incident-channel listener, and in HTTP mode the
 * `POST /slack/events` route (with replay protection). Start-up verifies the bot token (auth.test)
 * before the server listens; Socket Mode connects as a worker after it.
 */
export function createSlackFeature(deps: SlackFeatureDeps): SlackFeature {
  const { bolt, settings, logger, now } = deps;
  const { app, receiver } = bolt;
  const chat = slackChat(
    app.client,
    deps.render,
    deps.metrics ? (code) => deps.metrics?.slackApiErrors.inc({ code }) : undefined,
  );
  const service = deps.remediation?.service;
  const membership = slackGroupMembership(app.client, { now });
  const commands = builtInCommands(deps, service);
  const dispatcher = createDispatcher({
    commands,
    ...(deps.commandMetrics ? { metrics: deps.commandMetrics } : {}),
  });

  const feature: Feature = {
    name: 'slack',
    register(host) {
      const listener = createSlashCommandListener({
        dispatcher,
        chat,
        membership,
        logger,
        interrupted: host.work.interrupted,
      });
      // Tracked, so that shutdown waits for a diagnosis the user was promised.
      app.command(COMMAND_NAME, (args) => host.work.run(() => listener(args)));
      registerCommandButtons(app, { dispatcher, chat, membership, work: host.work, logger });
      if (deps.remediation) {
        registerRemediationListeners(app, {
          remediation: deps.remediation.service,
          chat,
          client: app.client,
          store: deps.remediation.store,
          dryRun: deps.remediation.dryRun,
          work: host.work,
          logger,
          recheck: async (env, ids) => {
            const report = await runDiagnosis(deps, {
              envName: env,
              checkIds: ids.filter((id) => deps.registry.get(id)),
            });
            const message = reportMessage(report, deps.render);
            return {
              ...message,
              blocks: [
                { kind: 'context', id: 'recheck', items: [[{ text: 'Checks run again after the change:' }]] },
                ...message.blocks,
              ],
            };
          },
        });
      }
      if (deps.onAlertPost) {
        app.message(
          createAlertListener({
            incidentChannels: deps.config.slack.incidentChannels,
            onAlertPost: deps.onAlertPost,
            work: host.work,
            logger,
          }),
        );
      }
      if (receiver instanceof HTTPReceiver && settings.mode === 'http') {
        host.route(
          slackEventsRoute({
            receiver,
            signingSecret: settings.signingSecret,
            guard: createReplayGuard({ now }),
            logger,
            now,
            ...(deps.intake ? { intake: deps.intake } : {}),
          }),
        );
      }
      let authOk = false;
      host.beforeStart(async () => {
        try {
          await app.init();
          authOk = true;
        } catch (err) {
          throw new SlackStartError(describeStartFailure(err, bolt.apiUrl));
        }
      });
      // Socket Mode: connected since the last hello, or down since when (start-up counts as down).
      const socket = receiver instanceof SocketModeReceiver ? { downSince: now() as number | undefined } : undefined;
      if (socket && receiver instanceof SocketModeReceiver) {
        receiver.client.on('connected', () => void (socket.downSince = undefined));
        for (const state of ['disconnected', 'reconnecting', 'close'])
          receiver.client.on(state, () => void (socket.downSince ??= now()));
      }
      host.readiness('slack', () => {
        if (!authOk)
          return { ok: false, detail: 'auth.test has not succeeded yet (SLACK_BOT_TOKEN verified at start-up)' };
        if (socket?.downSince !== undefined) {
          return {
            ok: false,
            detail: `the Socket Mode connection is down since ${new Date(socket.downSince).toISOString()} (check SLACK_APP_TOKEN)`,
          };
        }
        return { ok: true };
      });
      const limitMs = deps.connectionDownLimitMs ?? DEFAULT_CONNECTION_DOWN_LIMIT_MS;
      if (socket) {
        // A bad app token loops on apps.connections.open for ever; only a restart (with a fixed secret) helps.
        host.liveness('slack-connection', () => {
          const downMs = socket.downSince === undefined ? 0 : now() - socket.downSince;
          return downMs > limitMs
            ? {
                ok: false,
                detail: `the Socket Mode connection has been down for ${durationMs(downMs)} (limit ${durationMs(limitMs)}); check SLACK_APP_TOKEN`,
              }
            : { ok: true };
        });
      }
      if (receiver instanceof SocketModeReceiver) {
        host.worker({
          name: 'slack-socket-mode',
          async start() {
            try {
              await receiver.start();
            } catch (err) {
              throw new SlackStartError(
                `Could not open the Socket Mode connection: ${(err as Error).message}. Check SLACK_APP_TOKEN (an app-level token with connections:write) and that Socket Mode is enabled for the app.`,
              );
            }
          },
          stop: async () => {
            await receiver.stop();
          },
        });
      }
    },
  };
  return { feature, commands };
}

/** The commands of the bot, from a plain list; `help` lists the registry it is part of. */
function builtInCommands(deps: SlackFeatureDeps, service: Remediation | undefined): CommandRegistry {
  const registry: CommandRegistry = createCommandRegistry([
    diagnoseCommand({
      config: deps.config,
      registry: deps.registry,
      sourcesFor: deps.sourcesFor,
      now: deps.now,
      ...(deps.render ? { report: deps.render } : {}),
      ...(deps.postpone ? { postpone: deps.postpone } : {}),
      ...(deps.intake ? { limit: deps.intake.limiter(DEFAULT_COMMAND_DIAGNOSIS_CONCURRENCY) } : {}),
      ...(service ? { reportActions: (env, findings) => service.reportActions(env, findings) } : {}),
    }),
    envsCommand({ config: deps.config }),
    helpCommand({ commands: () => registry, checks: deps.registry }),
    verifyCommand({
      config: deps.config,
      processEnv: deps.processEnv,
      openRedis: openCanaryRedis,
      now: deps.now,
      ...(service
        ? {
            // A refused verify is audited like every other denial.
            authorize: async (actor, env) => {
              const decision = await service.mayVerify(actor, env);
              if (!decision.allowed) await service.deniedVerify(actor, env, decision);
              return decision;
            },
          }
        : {}),
    }),
    ...(service ? [auditCommand({ remediation: service })] : []),
    ...(deps.extraCommands ?? []),
  ]);
  return registry;
}
